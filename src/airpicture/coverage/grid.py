"""The coverage grid: a regular latitude/longitude raster over the area of interest, with cell areas and masks.

Coverage is counted on cells (1 arc-minute by default, about 1.85 × 1.8 km in Niger) rather than on polygons, so
that per-sensor visibility, redundancy counts and gap-closing gains are all array operations. Areas use the cell
area on the mean sphere, ``R²·Δφ·Δλ·cos φ`` (error < 0.5 % against the ellipsoid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from airpicture.core.units import EARTH_RADIUS_M
from airpicture.coverage.los import RadialProfile


@dataclass
class CoverageGrid:
    """Cells ``(row, col)``; row 0 northernmost; cell centres at ``lat_max − (r+½)·step``, ``lon_min + (c+½)·step``."""

    lat_max_deg: float
    lon_min_deg: float
    step_deg: float
    n_rows: int
    n_cols: int

    @classmethod
    def around(cls, geometry: BaseGeometry, step_arcmin: float = 1.0) -> CoverageGrid:
        """The smallest grid aligned on whole ``step`` multiples that holds ``geometry``."""
        step = step_arcmin / 60.0
        lon_min, lat_min, lon_max, lat_max = geometry.bounds
        top = math.ceil(round(lat_max / step, 6)) * step
        left = math.floor(round(lon_min / step, 6)) * step
        rows = math.ceil(round((top - lat_min) / step, 6))
        cols = math.ceil(round((lon_max - left) / step, 6))
        return cls(top, left, step, rows, cols)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_rows, self.n_cols)

    @property
    def lat_centres_deg(self) -> NDArray[np.float64]:
        return self.lat_max_deg - (np.arange(self.n_rows) + 0.5) * self.step_deg

    @property
    def lon_centres_deg(self) -> NDArray[np.float64]:
        return self.lon_min_deg + (np.arange(self.n_cols) + 0.5) * self.step_deg

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(lon_min, lon_max, lat_min, lat_max), as matplotlib's ``imshow`` wants it."""
        return (
            self.lon_min_deg,
            self.lon_min_deg + self.n_cols * self.step_deg,
            self.lat_max_deg - self.n_rows * self.step_deg,
            self.lat_max_deg,
        )

    def cell_area_km2(self) -> NDArray[np.float64]:
        """Area of one cell in each row (km²)."""
        step = math.radians(self.step_deg)
        r_km = EARTH_RADIUS_M / 1000.0
        return r_km * r_km * step * step * np.cos(np.radians(self.lat_centres_deg))

    def area_km2(self, mask: NDArray[np.bool_]) -> float:
        """Total area of the True cells of a full-grid mask."""
        return float(mask.sum(axis=1) @ self.cell_area_km2())

    def mask_of(self, geometry: BaseGeometry) -> NDArray[np.bool_]:
        """Cells whose centre lies inside ``geometry``."""
        lon, lat = np.meshgrid(self.lon_centres_deg, self.lat_centres_deg)
        shapely.prepare(geometry)
        return shapely.contains_xy(geometry, lon, lat)

    def window(self, lat_deg: float, lon_deg: float, radius_m: float) -> tuple[slice, slice]:
        """Rows and columns of the grid within ``radius_m`` of a point (a bounding box, clipped to the grid)."""
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        coslat = max(math.cos(math.radians(min(abs(lat_deg) + dlat, 89.0))), 1e-6)
        dlon = min(dlat / coslat, 180.0)
        r0 = max(math.floor((self.lat_max_deg - (lat_deg + dlat)) / self.step_deg), 0)
        r1 = min(math.ceil((self.lat_max_deg - (lat_deg - dlat)) / self.step_deg), self.n_rows)
        c0 = max(math.floor((lon_deg - dlon - self.lon_min_deg) / self.step_deg), 0)
        c1 = min(math.ceil((lon_deg + dlon - self.lon_min_deg) / self.step_deg), self.n_cols)
        return slice(r0, max(r0, r1)), slice(c0, max(c0, c1))

    def lowest_visible(self, profile: RadialProfile) -> tuple[tuple[slice, slice], NDArray[np.float32]]:
        """The sensor's lowest visible altitude (m AMSL) on every cell of its window; inf beyond its range."""
        rows, cols = self.window(profile.lat_deg, profile.lon_deg, profile.range_max_m)
        lat = self.lat_centres_deg[rows][:, None]
        lon = self.lon_centres_deg[cols][None, :]
        lat1 = math.radians(profile.lat_deg)
        phi = np.radians(lat)
        dlon = np.radians(lon - profile.lon_deg)
        sin_dlat2 = np.sin((phi - lat1) / 2)
        cos_phi = np.cos(phi)
        a = sin_dlat2 * sin_dlat2 + math.cos(lat1) * cos_phi * np.sin(dlon / 2) ** 2
        dist = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        y = np.sin(dlon) * cos_phi
        x = math.cos(lat1) * np.sin(phi) - math.sin(lat1) * cos_phi * np.cos(dlon)
        bearing = np.degrees(np.arctan2(y, x)) % 360.0
        return (rows, cols), profile.lowest_visible_at(bearing, dist)
