"""Gap closing: where should the next N receivers go to see the most of the FIR at a given level?

This is maximum coverage: choose N of the candidate sites to maximise the area of (existing coverage ∪ the
chosen sites' coverage). The objective is monotone and submodular (a site never adds more once others are chosen),
so the greedy choice — repeatedly take the site with the largest uncovered area — is within a factor
``1 − 1/e ≈ 0.632`` of the best possible choice of N sites (Nemhauser, Wolsey & Fisher 1978), and no polynomial
algorithm does better in general unless P = NP (Feige 1998). Submodularity also makes *lazy* greedy exact: a
site's gain can only shrink, so a stale gain is an upper bound, and only the top of a priority queue needs
re-evaluation (Minoux 1978). Asked instead for the number of sites that reach a target share, greedy gives a count
within a factor ``ln(cells)`` of the minimum (set cover); it is an achievable number, not a proven minimum.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from airpicture.core.geography import Aerodrome
from airpicture.coverage.analysis import CoverageResult, SensorSite
from airpicture.coverage.los import radial_profile
from airpicture.coverage.progress import Progress

GREEDY_GUARANTEE = 1.0 - 1.0 / math.e


@dataclass(frozen=True)
class CandidateSpec:
    """Where new receivers could go, and what they would be."""

    grid_step_deg: float | None = 1.0
    aerodromes: bool = True
    sites: tuple[tuple[str, float, float], ...] = ()
    kind: str = "adsb"
    antenna_agl_m: float = 15.0
    range_max_m: float = 400_000.0


def candidate_sites(spec: CandidateSpec, area: BaseGeometry, aerodromes: Sequence[Aerodrome] = ()) -> list[SensorSite]:
    """Candidate receiver sites: a regular grid inside ``area``, the aerodromes and an explicit list."""
    import shapely

    out: list[SensorSite] = []

    def make(site_id: str, lat: float, lon: float) -> SensorSite:
        return SensorSite(site_id, spec.kind, lat, lon, spec.range_max_m, antenna_agl_m=spec.antenna_agl_m)

    if spec.grid_step_deg:
        lon_min, lat_min, lon_max, lat_max = area.bounds
        step = spec.grid_step_deg
        lats = np.arange(math.ceil(lat_min / step) * step, lat_max, step)
        lons = np.arange(math.ceil(lon_min / step) * step, lon_max, step)
        lon_g, lat_g = np.meshgrid(lons, lats)
        inside = shapely.contains_xy(area, lon_g, lat_g)
        out += [
            make(f"grid_{la:.2f}_{lo:.2f}", float(la), float(lo))
            for la, lo in zip(lat_g[inside], lon_g[inside], strict=True)
        ]
    if spec.aerodromes:
        out += [make(f"new_{a.icao}", a.lat_deg, a.lon_deg) for a in aerodromes]
    out += [make(name, lat, lon) for name, lat, lon in spec.sites]
    return out


@dataclass
class Proposal:
    """The chosen sites in order, each with its marginal gain, and the FIR coverage before and after."""

    level_fl: float
    chosen: list[SensorSite]
    gains_km2: list[float]
    fir_km2: float
    before_km2: float
    after_km2: float
    n_candidates: int
    evaluations: int
    count_after: NDArray[np.uint8] | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def before_pct(self) -> float:
        return 100.0 * self.before_km2 / self.fir_km2

    @property
    def after_pct(self) -> float:
        return 100.0 * self.after_km2 / self.fir_km2

    def cumulative_pct(self) -> list[float]:
        return list(100.0 * (self.before_km2 + np.cumsum(self.gains_km2)) / self.fir_km2)


def propose_receivers(
    result: CoverageResult,
    level_fl: float,
    candidates: Sequence[SensorSite],
    budget: int,
    target_pct: float | None = None,
    progress: bool = False,
) -> Proposal:
    """Lazy-greedy choice of up to ``budget`` candidates (stopping early once ``target_pct`` of the FIR is seen)."""
    grid = result.grid
    level = result.level(level_fl)
    fir = result.fir_mask
    covered = (fir & (level.count > 0)).ravel()
    weights = (np.broadcast_to(grid.cell_area_km2()[:, None], grid.shape) * fir).ravel()
    fir_km2 = float(weights.sum())
    before_km2 = float(weights[covered].sum())
    messages: list[str] = []
    if not candidates:
        messages.append(f"no candidate sites: nothing proposed at FL{level_fl:03.0f}")
    if budget <= 0 and candidates:
        messages.append("a budget of 0 receivers: nothing proposed")

    # Each candidate's visible FIR cells that the existing network does not already see (flat indices).
    gain_cells: list[NDArray[np.int64]] = []
    settings = result.settings
    outside = 0
    with Progress(len(candidates), "candidates", enabled=progress) as bar:
        for cand in candidates:
            bar.advance(cand.id)
            if not result.terrain.is_flat and not result.terrain.contains(cand.lat_deg, cand.lon_deg):
                outside += 1
            profile = radial_profile(
                cand.lat_deg, cand.lon_deg, result.terrain, range_max_m=cand.range_max_m,
                antenna_agl_m=cand.antenna_agl_m, antenna_amsl_m=cand.antenna_amsl_m, k=settings.k,
                bearing_step_deg=settings.bearing_step_deg, range_step_m=settings.range_step_m,
            )  # fmt: skip
            (rows, cols), lowest = grid.lowest_visible(profile)
            seen = (lowest <= level.altitude_m) & (result.terrain_cells_m[rows, cols] < level.altitude_m)
            r, c = np.nonzero(seen)
            flat = (r + rows.start) * grid.n_cols + (c + cols.start)
            gain_cells.append(flat[~covered[flat] & (weights[flat] > 0)])
    if outside:
        messages.append(f"{outside} candidate site(s) have no terrain data: flat fallback used there")

    heap = [(-float(weights[cells].sum()), i, 0) for i, cells in enumerate(gain_cells)]
    heapq.heapify(heap)
    chosen: list[SensorSite] = []
    gains: list[float] = []
    evaluations = len(heap)
    covered_km2 = before_km2
    while heap and len(chosen) < budget:
        if target_pct is not None and 100.0 * covered_km2 / fir_km2 >= target_pct:
            break
        neg_gain, i, stamp = heapq.heappop(heap)
        if stamp == len(chosen):
            if -neg_gain <= 0:
                messages.append("no candidate adds coverage any more: stopped early")
                break
            chosen.append(candidates[i])
            gains.append(-neg_gain)
            covered_km2 += -neg_gain
            covered[gain_cells[i]] = True
            continue
        cells = gain_cells[i]
        cells = cells[~covered[cells]]
        gain_cells[i] = cells
        evaluations += 1
        heapq.heappush(heap, (-float(weights[cells].sum()), i, len(chosen)))
    if target_pct is not None and 100.0 * covered_km2 / fir_km2 < target_pct and candidates:
        messages.append(
            f"target {target_pct:.1f} % of the FIR not reached at FL{level_fl:03.0f} with {len(chosen)} sites "
            f"({100.0 * covered_km2 / fir_km2:.1f} %)"
        )
    return Proposal(
        level_fl=level_fl,
        chosen=chosen,
        gains_km2=gains,
        fir_km2=fir_km2,
        before_km2=before_km2,
        after_km2=covered_km2,
        n_candidates=len(candidates),
        evaluations=evaluations,
        messages=messages,
    )


def count_with(result: CoverageResult, level_fl: float, sites: Sequence[SensorSite]) -> NDArray[np.uint8]:
    """The level's sensor count per cell with ``sites`` added (for the after-map)."""
    grid = result.grid
    level = result.level(level_fl)
    count = level.count.copy()
    s = result.settings
    for site in sites:
        profile = radial_profile(
            site.lat_deg, site.lon_deg, result.terrain, range_max_m=site.range_max_m,
            antenna_agl_m=site.antenna_agl_m, antenna_amsl_m=site.antenna_amsl_m, k=s.k,
            bearing_step_deg=s.bearing_step_deg, range_step_m=s.range_step_m,
        )  # fmt: skip
        (rows, cols), lowest = grid.lowest_visible(profile)
        count[rows, cols] += (lowest <= level.altitude_m) & (result.terrain_cells_m[rows, cols] < level.altitude_m)
    return count
