"""Coverage layers: which cells each sensor sees at each flight level, and how many sensors see each cell.

For every sensor one :func:`~airpicture.coverage.los.radial_profile` gives the lowest visible altitude along its
radials; sampled on the coverage grid that becomes one float per cell, and each level is a comparison. So the cost
is one line-of-sight pass per sensor, whatever the number of levels. Redundancy counts are kept for all sensors
and, separately, for ground receivers (kinds ``adsb`` and ``mlat``): multilateration needs 4 of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from airpicture.core.units import FT_TO_M
from airpicture.coverage.grid import CoverageGrid
from airpicture.coverage.los import STANDARD_K, RadialProfile, radial_profile
from airpicture.coverage.progress import Progress
from airpicture.coverage.terrain import TerrainGrid

#: Sensor kinds that are ground receivers usable for multilateration.
RECEIVER_KINDS = ("adsb", "mlat")
#: Receivers needed for a multilateration fix.
MLAT_MIN_RECEIVERS = 4
#: Default antenna heights above ground and instrumented ranges by sensor kind.
DEFAULT_ANTENNA_AGL_M = {"psr": 20.0, "ssr": 20.0, "psr_ssr": 20.0, "modes": 20.0, "adsb": 15.0, "mlat": 15.0}
DEFAULT_RANGE_MAX_M = {
    "psr": 150_000.0,
    "ssr": 463_000.0,
    "psr_ssr": 463_000.0,
    "modes": 463_000.0,
    "adsb": 400_000.0,
    "mlat": 400_000.0,
}


def fl_to_m(level_fl: float) -> float:
    """Flight level to metres (standard atmosphere; the pressure/geometric difference is ignored for coverage)."""
    return float(level_fl) * 100.0 * FT_TO_M


@dataclass(frozen=True)
class SensorSite:
    """A sensor as coverage sees it: where, how high the antenna, how far it is instrumented."""

    id: str
    kind: str
    lat_deg: float
    lon_deg: float
    range_max_m: float
    antenna_agl_m: float | None = None
    antenna_amsl_m: float | None = None

    @property
    def is_receiver(self) -> bool:
        return self.kind in RECEIVER_KINDS

    @property
    def is_radar(self) -> bool:
        return not self.is_receiver


@dataclass(frozen=True)
class CoverageSettings:
    """Model parameters: effective earth radius factor, radial and grid resolutions."""

    k: float = STANDARD_K
    bearing_step_deg: float = 0.25
    range_step_m: float = 1000.0
    grid_step_arcmin: float = 1.0


@dataclass
class LevelCoverage:
    """One level: counts per cell over the whole grid and each sensor's visible area inside the region."""

    level_fl: float
    altitude_m: float
    count: NDArray[np.uint8]
    receiver_count: NDArray[np.uint8]
    below_terrain: NDArray[np.bool_]
    sensor_area_km2: dict[str, float] = field(default_factory=dict)


@dataclass
class SensorVisibility:
    """A sensor's lowest visible altitude on its window of the grid (kept for per-sensor polygons and maps)."""

    site: SensorSite
    profile: RadialProfile
    window: tuple[slice, slice]
    lowest_visible_m: NDArray[np.float32]

    def mask(self, grid: CoverageGrid, altitude_m: float, terrain_cells_m: NDArray[np.float32]) -> NDArray[np.bool_]:
        """Full-grid mask of the cells this sensor sees at ``altitude_m``."""
        out = np.zeros(grid.shape, dtype=bool)
        rows, cols = self.window
        out[rows, cols] = (self.lowest_visible_m <= altitude_m) & (terrain_cells_m[rows, cols] < altitude_m)
        return out


@dataclass
class CoverageResult:
    grid: CoverageGrid
    terrain: TerrainGrid
    settings: CoverageSettings
    sites: list[SensorSite]
    visibility: list[SensorVisibility]
    levels: list[LevelCoverage]
    fir_mask: NDArray[np.bool_]
    national_mask: NDArray[np.bool_]
    terrain_cells_m: NDArray[np.float32]
    messages: list[str] = field(default_factory=list)

    @property
    def region_mask(self) -> NDArray[np.bool_]:
        return self.fir_mask | self.national_mask

    def level(self, level_fl: float) -> LevelCoverage:
        for lc in self.levels:
            if lc.level_fl == level_fl:
                return lc
        raise KeyError(f"FL{level_fl:03.0f} was not computed")

    def summary_rows(self) -> list[dict]:
        """Per level and area (FIR, national): area, covered by ≥1 and ≥2 sensors and by ≥4 receivers (MLAT)."""
        rows = []
        for lc in self.levels:
            for area_name, mask in (("FIR", self.fir_mask), ("Niger", self.national_mask)):
                total = self.grid.area_km2(mask)
                row = {"level_fl": lc.level_fl, "area": area_name, "area_km2": total}
                for key, layer, n in (
                    ("covered_1", lc.count, 1),
                    ("covered_2", lc.count, 2),
                    ("mlat_4", lc.receiver_count, MLAT_MIN_RECEIVERS),
                ):
                    km2 = self.grid.area_km2(mask & (layer >= n))
                    row[f"{key}_km2"] = km2
                    row[f"{key}_pct"] = 100.0 * km2 / total if total else float("nan")
                rows.append(row)
        return rows


def site_problems(site: SensorSite, terrain: TerrainGrid) -> list[str]:
    """Why a site cannot be computed at all (empty list: it can)."""
    problems = []
    if not (-90.0 <= site.lat_deg <= 90.0 and -180.0 <= site.lon_deg <= 180.0):
        problems.append(f"sensor {site.id!r}: position {site.lat_deg}, {site.lon_deg} is not on earth")
    if not (site.range_max_m > 0 and math.isfinite(site.range_max_m)):
        problems.append(f"sensor {site.id!r}: range_max_m must be a positive number, got {site.range_max_m}")
    if site.range_max_m > 1_500_000:
        problems.append(f"sensor {site.id!r}: range_max_m {site.range_max_m:.0f} m is beyond any line of sight")
    return problems


def compute_coverage(
    sites: Sequence[SensorSite],
    levels_fl: Sequence[float],
    terrain: TerrainGrid,
    fir: BaseGeometry,
    national: BaseGeometry,
    settings: CoverageSettings | None = None,
    progress: bool = False,
) -> CoverageResult:
    """Coverage of ``sites`` at each level over a grid around the FIR and the national territory.

    Bad sites and levels are reported in ``messages`` and left out; everything else is computed.
    """
    settings = settings or CoverageSettings()
    messages: list[str] = list(terrain.notes)
    grid = CoverageGrid.around(fir.union(national), settings.grid_step_arcmin)
    fir_mask = grid.mask_of(fir)
    national_mask = grid.mask_of(national)
    region = fir_mask | national_mask
    lon_c, lat_c = np.meshgrid(grid.lon_centres_deg, grid.lat_centres_deg)
    terrain_cells_m, known = terrain.lookup(lat_c, lon_c)
    if not terrain.is_flat and not known[region].all():
        share = 100.0 * grid.area_km2(region & ~known) / grid.area_km2(region)
        messages.append(
            f"{share:.1f} % of the FIR and national area has no terrain data ({terrain.source}): "
            f"flat {terrain.fallback_elevation_m:.0f} m assumed there"
        )

    good_levels = []
    for level in levels_fl:
        if not (math.isfinite(level) and 0 < level <= 999):
            messages.append(f"level FL{level} skipped: a flight level is a number between 1 and 999")
        else:
            good_levels.append(float(level))
    levels = [
        LevelCoverage(
            level_fl=lv,
            altitude_m=fl_to_m(lv),
            count=np.zeros(grid.shape, dtype=np.uint8),
            receiver_count=np.zeros(grid.shape, dtype=np.uint8),
            below_terrain=region & (terrain_cells_m >= fl_to_m(lv)),
        )
        for lv in good_levels
    ]
    for lc in levels:
        if lc.below_terrain.any():
            km2 = grid.area_km2(lc.below_terrain)
            top = float(terrain_cells_m[lc.below_terrain].max())
            if km2 >= grid.area_km2(region) * 0.999:
                messages.append(f"FL{lc.level_fl:03.0f} ({lc.altitude_m:.0f} m) lies below the terrain everywhere")
            else:
                messages.append(
                    f"FL{lc.level_fl:03.0f} ({lc.altitude_m:.0f} m) lies below the terrain over {km2:,.0f} km² "
                    f"(terrain up to {top:.0f} m): those cells count as not covered"
                )

    visibility: list[SensorVisibility] = []
    good_sites: list[SensorSite] = []
    with Progress(len(sites), "coverage", enabled=progress) as bar:
        for site in sites:
            bar.advance(site.id)
            problems = site_problems(site, terrain)
            if problems:
                messages.extend(p + ": sensor skipped" for p in problems)
                continue
            if not terrain.is_flat and not terrain.contains(site.lat_deg, site.lon_deg):
                messages.append(
                    f"sensor {site.id!r} at {site.lat_deg:.3f}, {site.lon_deg:.3f} is outside the terrain grid "
                    f"({terrain.source}): its site and radials use flat {terrain.fallback_elevation_m:.0f} m terrain"
                )
            profile = radial_profile(
                site.lat_deg,
                site.lon_deg,
                terrain,
                range_max_m=site.range_max_m,
                antenna_agl_m=site.antenna_agl_m,
                antenna_amsl_m=site.antenna_amsl_m,
                k=settings.k,
                bearing_step_deg=settings.bearing_step_deg,
                range_step_m=settings.range_step_m,
            )
            if profile.antenna_amsl_m < profile.ground_m:
                messages.append(
                    f"sensor {site.id!r}: antenna at {profile.antenna_amsl_m:.0f} m above sea level is below the "
                    f"terrain model ({profile.ground_m:.0f} m) at its site: computed as given, check its altitude"
                )
            window, lowest = grid.lowest_visible(profile)
            if lowest.size == 0:
                messages.append(f"sensor {site.id!r} is farther than its range from the whole area: it sees none of it")
            vis = SensorVisibility(site, profile, window, lowest)
            visibility.append(vis)
            good_sites.append(site)
            rows, cols = window
            cell_area = grid.cell_area_km2()[rows]
            for lc in levels:
                seen = (lowest <= lc.altitude_m) & (terrain_cells_m[rows, cols] < lc.altitude_m)
                lc.count[rows, cols] += seen
                if site.is_receiver:
                    lc.receiver_count[rows, cols] += seen
                lc.sensor_area_km2[site.id] = float((seen & region[rows, cols]).sum(axis=1) @ cell_area)
    return CoverageResult(
        grid=grid,
        terrain=terrain,
        settings=settings,
        sites=good_sites,
        visibility=visibility,
        levels=levels,
        fir_mask=fir_mask,
        national_mask=national_mask,
        terrain_cells_m=terrain_cells_m,
        messages=messages,
    )
