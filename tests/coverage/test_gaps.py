"""Gap closing: lazy greedy equals plain greedy, keeps the (1 − 1/e) bound, and handles empty input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from shapely.geometry import box

from airpicture.coverage.analysis import CoverageSettings, SensorSite, compute_coverage
from airpicture.coverage.gaps import GREEDY_GUARANTEE, CandidateSpec, candidate_sites, count_with, propose_receivers
from tests.coverage.conftest import synthetic_terrain

FIR = box(1.0, 11.0, 9.0, 19.0)
COARSE = CoverageSettings(bearing_step_deg=1.0, range_step_m=3000.0, grid_step_arcmin=4.0)


@pytest.fixture(scope="module")
def small_network():
    existing = [SensorSite("rx0", "adsb", 15.0, 5.0, 200_000.0, antenna_agl_m=15.0)]
    return compute_coverage(existing, [100], synthetic_terrain(0.0), FIR, FIR, COARSE)


def _candidates() -> list[SensorSite]:
    spots = [(12.0, 2.0), (12.0, 8.0), (18.0, 2.0), (18.0, 8.0), (15.0, 6.0), (13.0, 4.0), (17.0, 5.0)]
    return [SensorSite(f"c{i}", "adsb", la, lo, 200_000.0, antenna_agl_m=15.0) for i, (la, lo) in enumerate(spots)]


def _fir_seen_km2(result, sites) -> float:
    return result.grid.area_km2(result.fir_mask & (count_with(result, 100, sites) > 0))


def test_lazy_greedy_chooses_like_plain_greedy(small_network) -> None:
    cands = _candidates()
    lazy = propose_receivers(small_network, 100, cands, budget=3)
    chosen: list[SensorSite] = []
    for _ in range(3):
        best = max((c for c in cands if c not in chosen), key=lambda c: _fir_seen_km2(small_network, [*chosen, c]))
        chosen.append(best)
    assert [c.id for c in lazy.chosen] == [c.id for c in chosen]
    assert lazy.after_km2 == pytest.approx(_fir_seen_km2(small_network, chosen), rel=1e-9)
    assert lazy.evaluations < len(cands) * 3  # laziness skipped re-evaluations


def test_greedy_keeps_the_one_minus_one_over_e_guarantee(small_network) -> None:
    cands = _candidates()
    greedy = propose_receivers(small_network, 100, cands, budget=2)
    best = max(_fir_seen_km2(small_network, list(pair)) for pair in itertools.combinations(cands, 2))
    gain_greedy = greedy.after_km2 - greedy.before_km2
    gain_best = best - greedy.before_km2
    assert gain_greedy >= GREEDY_GUARANTEE * gain_best
    assert greedy.after_km2 <= best + 1e-6
    assert np.all(np.diff(greedy.gains_km2) <= 1e-9)  # diminishing returns


def test_target_share_stops_the_proposal_early(small_network) -> None:
    full = propose_receivers(small_network, 100, _candidates(), budget=7)
    target = full.cumulative_pct()[1] - 0.01
    early = propose_receivers(small_network, 100, _candidates(), budget=7, target_pct=target)
    assert len(early.chosen) == 2 and early.after_pct >= target


def test_empty_candidate_list_gives_a_clear_message_and_keeps_the_coverage(small_network) -> None:
    proposal = propose_receivers(small_network, 100, [], budget=5)
    assert proposal.chosen == []
    assert proposal.after_km2 == proposal.before_km2 > 0
    assert any("no candidate sites" in m for m in proposal.messages)


def test_candidate_grid_lies_inside_the_area_and_adds_aerodromes() -> None:
    from airpicture.core.geography import Aerodrome

    ad = Aerodrome("XXXX", "", "Test", 14.5, 4.5, 900.0)
    sites = candidate_sites(CandidateSpec(grid_step_deg=2.0, sites=(("listed", 13.3, 3.3),)), FIR, [ad])
    grid = [s for s in sites if s.id.startswith("grid_")]
    assert len(grid) == 16  # 12, 14, 16, 18°N × 2, 4, 6, 8°E
    assert all(FIR.contains(box(s.lon_deg, s.lat_deg, s.lon_deg, s.lat_deg)) for s in grid)
    assert {"new_XXXX", "listed"} <= {s.id for s in sites}
