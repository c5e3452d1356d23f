"""Geodesy: the tracker's system plane, great-circle distances and radar slant-range geometry.

The tracker works in one system plane per deployment, a stereographic projection centred on the area (as ARTAS
does): conformal, so headings and small shapes keep their form, with a scale error under 0.1 % within ~700 km of
the centre and under 1 % at 1,200 km (the far corners of the Niamey FIR and of Niger). WGS-84 latitude/longitude only
at the edges.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

from airpicture.core.units import EARTH_RADIUS_M

#: Centre (lat, lon) of the system plane for the Niamey FIR and Niger together (bounds 9.9–24.2°N, 5.6°W–16°E).
NIGER_PLANE_CENTRE = (17.0, 5.0)


class SystemPlane:
    """A stereographic plane tangent at ``(lat0_deg, lon0_deg)``; x east, y north, metres."""

    def __init__(self, lat0_deg: float, lon0_deg: float) -> None:
        self.lat0_deg = float(lat0_deg)
        self.lon0_deg = float(lon0_deg)
        proj = f"+proj=stere +lat_0={lat0_deg} +lon_0={lon0_deg} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
        self._fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
        self._inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)

    def to_xy(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        x, y = self._fwd.transform(np.asarray(lon_deg, dtype=np.float64), np.asarray(lat_deg, dtype=np.float64))
        return np.asarray(x), np.asarray(y)

    def to_latlon(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lon, lat = self._inv.transform(np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64))
        return np.asarray(lat), np.asarray(lon)

    def __repr__(self) -> str:
        return f"SystemPlane({self.lat0_deg}, {self.lon0_deg})"


def _radians(*values: ArrayLike) -> list[NDArray[np.float64]]:
    return [np.radians(np.asarray(v, dtype=np.float64)) for v in values]


def haversine_m(lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike) -> NDArray:
    """Great-circle distance on the mean-radius sphere (error < 0.5 % against the ellipsoid)."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    )
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def initial_bearing_deg(lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike) -> NDArray:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from true north in [0, 360)."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    )
    dlon = lon2 - lon1
    y = np.sin(dlon) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(dlon)
    return np.degrees(np.arctan2(y, x)) % 360.0


def destination(
    lat_deg: ArrayLike, lon_deg: ArrayLike, bearing_deg: ArrayLike, distance_m: ArrayLike
) -> tuple[NDArray, NDArray]:
    """Point reached from ``(lat, lon)`` along a great circle with initial ``bearing`` after ``distance``."""
    lat1 = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon1 = np.radians(np.asarray(lon_deg, dtype=np.float64))
    brg = np.radians(np.asarray(bearing_deg, dtype=np.float64))
    d = np.asarray(distance_m, dtype=np.float64) / EARTH_RADIUS_M
    lat2 = np.arcsin(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(brg))
    lon2 = lon1 + np.arctan2(np.sin(brg) * np.sin(d) * np.cos(lat1), np.cos(d) - np.sin(lat1) * np.sin(lat2))
    return np.degrees(lat2), (np.degrees(lon2) + 540.0) % 360.0 - 180.0


def ground_range_from_slant(
    slant_range_m: ArrayLike, target_alt_m: ArrayLike, sensor_alt_m: float = 0.0, k: float = 4.0 / 3.0
) -> NDArray:
    """Ground (great-circle) range of a target seen at ``slant_range`` and known altitude.

    Exact spherical geometry on an earth of radius ``k·R`` (refraction): the law of cosines in the triangle
    earth centre – sensor – target gives the central angle.
    """
    re = k * EARTH_RADIUS_M
    rho = np.asarray(slant_range_m, dtype=np.float64)
    r1 = re + sensor_alt_m
    r2 = re + np.asarray(target_alt_m, dtype=np.float64)
    # ρ² = (r2 − r1)² + 4·r1·r2·sin²(θ/2): the half-angle form keeps precision at short range.
    half = np.sqrt(np.clip((rho * rho - (r2 - r1) ** 2) / (4 * r1 * r2), 0.0, 1.0))
    theta = 2 * np.arcsin(half)
    # Central angle on the refracted earth maps to the same arc length fraction on the true earth.
    return theta * re


def slant_range_from_ground(
    ground_range_m: ArrayLike, target_alt_m: ArrayLike, sensor_alt_m: float = 0.0, k: float = 4.0 / 3.0
) -> NDArray:
    """Inverse of :func:`ground_range_from_slant`."""
    re = k * EARTH_RADIUS_M
    theta = np.asarray(ground_range_m, dtype=np.float64) / re
    r1 = re + sensor_alt_m
    r2 = re + np.asarray(target_alt_m, dtype=np.float64)
    return np.sqrt((r2 - r1) ** 2 + 4 * r1 * r2 * np.sin(theta / 2) ** 2)


def polar_to_latlon(
    sensor_lat_deg: float,
    sensor_lon_deg: float,
    sensor_alt_m: float,
    slant_range_m: ArrayLike,
    azimuth_deg: ArrayLike,
    target_alt_m: ArrayLike,
) -> tuple[NDArray, NDArray]:
    """Position of a radar plot from slant range, azimuth and (Mode C or assumed) altitude."""
    ground = ground_range_from_slant(slant_range_m, target_alt_m, sensor_alt_m)
    return destination(sensor_lat_deg, sensor_lon_deg, azimuth_deg, ground)
