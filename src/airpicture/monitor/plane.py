"""The monitors' working plane: a spherical stereographic projection evaluated in numpy.

Monitors project every track every cycle, so the projection must cost microseconds per thousand points; a
pure-numpy sphere stereographic does (pyproj's ellipsoidal one costs ~10x more and buys nothing at the 0.5 %
accuracy alerts need). It is conformal, so headings keep their form; :meth:`MonitorPlane.velocity_xy` applies
the local grid convergence and scale so predicted positions stay true to the ground track.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airpicture.core.units import EARTH_RADIUS_M, KT_TO_MPS


class MonitorPlane:
    """Stereographic plane tangent at ``(lat0_deg, lon0_deg)`` on the mean-radius sphere; x east, y north, metres."""

    def __init__(self, lat0_deg: float, lon0_deg: float) -> None:
        self.lat0_deg = float(lat0_deg)
        self.lon0_deg = float(lon0_deg)
        self._sin0 = np.sin(np.radians(self.lat0_deg))
        self._cos0 = np.cos(np.radians(self.lat0_deg))

    def to_xy(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
        dlon = np.radians(np.asarray(lon_deg, dtype=np.float64) - self.lon0_deg)
        sin_lat, cos_lat = np.sin(lat), np.cos(lat)
        cos_dlon = np.cos(dlon)
        k = 2.0 * EARTH_RADIUS_M / (1.0 + self._sin0 * sin_lat + self._cos0 * cos_lat * cos_dlon)
        return k * cos_lat * np.sin(dlon), k * (self._cos0 * sin_lat - self._sin0 * cos_lat * cos_dlon)

    def to_latlon(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        rho = np.hypot(x, y)
        c = 2.0 * np.arctan2(rho, 2.0 * EARTH_RADIUS_M)
        sin_c, cos_c = np.sin(c), np.cos(c)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(rho > 0, y * sin_c * self._cos0 / np.where(rho > 0, rho, 1.0), 0.0)
        lat = np.arcsin(np.clip(cos_c * self._sin0 + ratio, -1.0, 1.0))
        lon = np.radians(self.lon0_deg) + np.arctan2(x * sin_c, rho * self._cos0 * cos_c - y * self._sin0 * sin_c)
        return np.degrees(lat), (np.degrees(lon) + 540.0) % 360.0 - 180.0

    def velocity_xy(
        self,
        lat_deg: ArrayLike,
        lon_deg: ArrayLike,
        ground_speed_kt: ArrayLike,
        track_deg: ArrayLike,
        xy: tuple[NDArray, NDArray] | None = None,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Plane velocity (m/s of plane coordinates) of a ground track: north turned by the grid convergence.

        ``xy``: the points' plane coordinates when the caller has them already (saves one projection)."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = np.asarray(lon_deg, dtype=np.float64)
        eps_deg = 1e-3
        x0, y0 = self.to_xy(lat, lon) if xy is None else xy
        x1, y1 = self.to_xy(lat + eps_deg, lon)
        scale = np.radians(eps_deg) * EARTH_RADIUS_M
        nx, ny = (x1 - x0) / scale, (y1 - y0) / scale  # plane image of a metre due north
        speed = np.asarray(ground_speed_kt, dtype=np.float64) * KT_TO_MPS
        trk = np.radians(np.asarray(track_deg, dtype=np.float64))
        v_east, v_north = speed * np.sin(trk), speed * np.cos(trk)
        return v_east * ny + v_north * nx, -v_east * nx + v_north * ny

    def geometry_to_xy(self, geom):
        import shapely

        def _fn(coords: NDArray[np.float64]) -> NDArray[np.float64]:
            x, y = self.to_xy(coords[:, 1], coords[:, 0])
            return np.column_stack([x, y])

        return shapely.transform(geom, _fn)

    def __repr__(self) -> str:
        return f"MonitorPlane({self.lat0_deg}, {self.lon0_deg})"
