"""Line of sight over terrain: the lowest visible altitude along every radial of a sensor.

Geometry (one vectorised pass over all radials × ranges). Refraction is modelled the usual way, by an earth of
effective radius ``Re = k·R`` (k = 4/3 in the standard atmosphere) on which radio rays are straight lines. A point
at ground range ``d`` and altitude ``h`` sits at central angle ``θ = d / Re`` and radius ``r = Re + h``; seen from a
sensor at radius ``r₁ = Re + h₁`` its elevation angle ``ε`` obeys

    tan ε = (r·cos θ − r₁) / (r·sin θ)

A target at range ``d`` is visible when its elevation angle is at least the largest elevation angle of the terrain
between it and the sensor: ``E(d) = max_{dᵢ ≤ d} ε_terrain(dᵢ)`` (a cumulative maximum along the radial). The
lowest visible altitude is then the point on the ray of elevation ``E`` at angle ``θ``:

    h_min(d) = r₁ / (cos θ − tan E · sin θ) − Re

This is exact on the effective sphere (no small-angle approximation); over flat terrain it reduces to the radar
horizon formula ``d = √(2·k·R·h₁) + √(2·k·R·h₂)``, which the tests check. It is the same construction as
heywhatsthat's "panorama" rings that tar1090 users draw, computed here offline for a whole network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airpicture.core.units import EARTH_RADIUS_M
from airpicture.coverage.terrain import TerrainGrid

STANDARD_K = 4.0 / 3.0


def radar_horizon_m(sensor_height_m: float, target_height_m: float, k: float = STANDARD_K) -> float:
    """Textbook radar horizon over a smooth earth: √(2kRh₁) + √(2kRh₂) (heights above the surface)."""
    re = k * EARTH_RADIUS_M
    return math.sqrt(2 * re * max(sensor_height_m, 0.0)) + math.sqrt(2 * re * max(target_height_m, 0.0))


@dataclass
class RadialProfile:
    """One sensor's visibility: ``lowest_visible_m[bearing, range]`` in metres above mean sea level.

    ``inf`` marks samples beyond the sensor's maximum range. ``fallback_fraction`` is the share of samples whose
    terrain came from the flat fallback rather than the terrain model.
    """

    lat_deg: float
    lon_deg: float
    antenna_amsl_m: float
    ground_m: float
    bearing_step_deg: float
    range_step_m: float
    range_max_m: float
    k: float
    lowest_visible_m: NDArray[np.float32]
    fallback_fraction: float

    @property
    def n_bearings(self) -> int:
        return self.lowest_visible_m.shape[0]

    @property
    def bearings_deg(self) -> NDArray[np.float64]:
        return np.arange(self.n_bearings) * self.bearing_step_deg

    @property
    def ranges_m(self) -> NDArray[np.float64]:
        return (np.arange(self.lowest_visible_m.shape[1]) + 1) * self.range_step_m

    def lowest_visible_at(self, bearing_deg: NDArray, range_m: NDArray) -> NDArray[np.float32]:
        """Lowest visible altitude at arbitrary points (nearest radial and range sample; inf beyond range)."""
        ib = np.rint(np.asarray(bearing_deg) / self.bearing_step_deg).astype(np.int64) % self.n_bearings
        rng = np.asarray(range_m, dtype=np.float64)
        ir = np.rint(rng / self.range_step_m).astype(np.int64) - 1
        n_r = self.lowest_visible_m.shape[1]
        out = self.lowest_visible_m[ib, np.clip(ir, 0, n_r - 1)]
        return np.where(rng <= self.range_max_m, out, np.float32(np.inf)).astype(np.float32)

    def max_range_m(self, altitude_m: float) -> NDArray[np.float64]:
        """Per radial, the farthest range at which a target at ``altitude_m`` (AMSL) is visible (0 if nowhere)."""
        visible = self.lowest_visible_m <= altitude_m
        last = visible.shape[1] - 1 - np.argmax(visible[:, ::-1], axis=1)
        return np.where(visible.any(axis=1), (last + 1) * self.range_step_m, 0.0)


def radial_points(
    lat_deg: float, lon_deg: float, bearings_deg: NDArray, ranges_m: NDArray
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Latitude and longitude of every (bearing, range) sample, great circles on the mean sphere.

    The trigonometry of bearings and of ranges is computed once per axis and combined by outer products, so the
    cost per sample is one arcsin and one arctan2.
    """
    lat1 = math.radians(lat_deg)
    brg = np.radians(bearings_deg)[:, None]
    delta = (np.asarray(ranges_m, dtype=np.float64) / EARTH_RADIUS_M)[None, :]
    sin_d, cos_d = np.sin(delta), np.cos(delta)
    sin_lat2 = math.sin(lat1) * cos_d + math.cos(lat1) * sin_d * np.cos(brg)
    lat2 = np.arcsin(np.clip(sin_lat2, -1.0, 1.0))
    lon2 = np.radians(lon_deg) + np.arctan2(np.sin(brg) * sin_d * math.cos(lat1), cos_d - math.sin(lat1) * sin_lat2)
    return np.degrees(lat2), (np.degrees(lon2) + 540.0) % 360.0 - 180.0


def radial_profile(
    lat_deg: float,
    lon_deg: float,
    terrain: TerrainGrid,
    *,
    range_max_m: float,
    antenna_agl_m: float | None = 10.0,
    antenna_amsl_m: float | None = None,
    k: float = STANDARD_K,
    bearing_step_deg: float = 0.25,
    range_step_m: float = 1000.0,
) -> RadialProfile:
    """Lowest visible altitude along every radial of a sensor at ``(lat, lon)``.

    The antenna height is ``antenna_amsl_m`` when given, else the terrain at the site plus ``antenna_agl_m``.
    """
    if not (k > 0 and range_max_m > 0 and bearing_step_deg > 0 and range_step_m > 0):
        raise ValueError("k, range_max_m, bearing_step_deg and range_step_m must be positive")
    ground_m = float(terrain.elevation_m(np.array([lat_deg]), np.array([lon_deg]))[0])
    h1 = float(antenna_amsl_m) if antenna_amsl_m is not None else ground_m + float(antenna_agl_m or 0.0)
    n_b = round(360.0 / bearing_step_deg)
    bearing_step_deg = 360.0 / n_b
    n_r = math.ceil(range_max_m / range_step_m)
    ranges = (np.arange(n_r) + 1) * range_step_m
    lat, lon = radial_points(lat_deg, lon_deg, np.arange(n_b) * bearing_step_deg, ranges)
    terrain_m, known = terrain.lookup(lat, lon)
    re = k * EARTH_RADIUS_M
    theta = ranges / re
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    r1 = re + h1
    r_terrain = re + terrain_m.astype(np.float64)
    tan_elev = (r_terrain * cos_t - r1) / (r_terrain * sin_t)
    np.maximum.accumulate(tan_elev, axis=1, out=tan_elev)
    denom = cos_t - tan_elev * sin_t
    lowest = np.where(denom > 0, r1 / np.where(denom > 0, denom, 1.0) - re, np.inf)
    lowest[:, ranges > range_max_m] = np.inf
    return RadialProfile(
        lat_deg=float(lat_deg),
        lon_deg=float(lon_deg),
        antenna_amsl_m=h1,
        ground_m=ground_m,
        bearing_step_deg=bearing_step_deg,
        range_step_m=float(range_step_m),
        range_max_m=float(range_max_m),
        k=float(k),
        lowest_visible_m=lowest.astype(np.float32),
        fallback_fraction=float(1.0 - known.mean()),
    )
