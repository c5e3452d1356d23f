"""Coverage layers: counts that add up, and bad input reported while the rest is computed."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from airpicture.coverage.analysis import CoverageSettings, SensorSite, compute_coverage, fl_to_m
from airpicture.coverage.los import radar_horizon_m
from airpicture.coverage.terrain import flat_terrain
from tests.coverage.conftest import col_of, row_of, synthetic_terrain

FIR = box(1.0, 11.0, 9.0, 19.0)
NATIONAL = box(2.0, 12.0, 6.0, 16.0)
COARSE = CoverageSettings(bearing_step_deg=0.5, range_step_m=2000.0, grid_step_arcmin=3.0)


def _sites() -> list[SensorSite]:
    return [
        SensorSite("radar", "ssr", 15.0, 3.0, 300_000.0, antenna_agl_m=20.0),
        SensorSite("rx1", "adsb", 14.0, 5.0, 250_000.0, antenna_agl_m=15.0),
        SensorSite("rx2", "adsb", 16.5, 6.5, 250_000.0, antenna_agl_m=15.0),
        SensorSite("rx3", "adsb", 13.0, 7.5, 250_000.0, antenna_agl_m=15.0),
    ]


def test_coverage_counts_add_up() -> None:
    result = compute_coverage(_sites(), [100, 300], synthetic_terrain(200.0), FIR, NATIONAL, COARSE)
    grid = result.grid
    region = result.region_mask
    for lc in result.levels:
        masks = [vis.mask(grid, lc.altitude_m, result.terrain_cells_m) for vis in result.visibility]
        # The count is the number of sensors that see each cell.
        assert np.array_equal(lc.count, np.sum(masks, axis=0))
        assert np.array_equal(lc.receiver_count, np.sum(masks[1:], axis=0))
        union_km2 = grid.area_km2(region & (lc.count > 0))
        sum_km2 = sum(lc.sensor_area_km2.values())
        assert union_km2 <= sum_km2 + 1e-6
        assert union_km2 >= max(lc.sensor_area_km2.values())
        # Overlaps are where the sum exceeds the union: Σ areas = Σ over cells of the count.
        assert sum_km2 == pytest.approx(float((lc.count * region).sum(axis=1) @ grid.cell_area_km2()), rel=1e-9)
    low, high = result.levels
    assert (high.count >= low.count).all()  # over flat ground, higher levels are seen at least as well


def test_single_sensor_area_over_flat_ground_is_the_horizon_disc() -> None:
    site = SensorSite("rx", "adsb", 15.0, 5.0, 600_000.0, antenna_agl_m=20.0)
    big = box(-5.0, 5.0, 15.0, 25.0)
    result = compute_coverage([site], [100], flat_terrain(0.0), big, big, COARSE)
    horizon = radar_horizon_m(20.0, fl_to_m(100))
    assert result.levels[0].sensor_area_km2["rx"] == pytest.approx(np.pi * (horizon / 1000) ** 2, rel=0.02)


def test_summary_gives_fir_and_national_shares() -> None:
    result = compute_coverage(_sites(), [200], synthetic_terrain(0.0), FIR, NATIONAL, COARSE)
    rows = {row["area"]: row for row in result.summary_rows()}
    assert rows["FIR"]["area_km2"] == pytest.approx(result.grid.area_km2(result.fir_mask))
    assert 0 < rows["Niger"]["covered_1_pct"] <= 100
    assert rows["FIR"]["covered_2_km2"] <= rows["FIR"]["covered_1_km2"]


def test_sensor_outside_the_terrain_grid_is_reported_and_still_computed() -> None:
    outside = SensorSite("west", "adsb", 15.0, -1.0, 250_000.0, antenna_agl_m=15.0)
    result = compute_coverage(
        [*_sites(), outside], [200], synthetic_terrain(0.0), box(-3.0, 11.0, 9.0, 19.0), NATIONAL, COARSE
    )
    assert any("'west'" in m and "outside the terrain grid" in m for m in result.messages)
    assert result.levels[0].sensor_area_km2["west"] > 50_000
    assert {s.id for s in result.sites} == {"radar", "rx1", "rx2", "rx3", "west"}


def test_level_below_the_terrain_is_reported_and_not_counted_as_covered() -> None:
    terrain = synthetic_terrain(200.0)
    terrain.elev_m[row_of(terrain, 16.0) : row_of(terrain, 14.0), col_of(terrain, 3.5) : col_of(terrain, 4.5)] = 2000
    result = compute_coverage(_sites(), [50, 200], terrain, FIR, NATIONAL, COARSE)
    fl050 = result.level(50)
    assert any(m.startswith("FL050") and "below the terrain" in m for m in result.messages)
    assert fl050.below_terrain.any()
    assert (fl050.count[fl050.below_terrain] == 0).all()
    assert (result.level(200).count > 0).any()


def test_level_below_the_terrain_everywhere_says_so() -> None:
    result = compute_coverage(_sites()[:1], [5], synthetic_terrain(1000.0), FIR, NATIONAL, COARSE)
    assert any("below the terrain everywhere" in m for m in result.messages)
    assert result.level(5).count.max() == 0


def test_bad_sensors_and_levels_are_skipped_with_a_message_and_the_rest_computed() -> None:
    bad = SensorSite("broken", "adsb", 15.0, 4.0, -5.0, antenna_agl_m=15.0)
    result = compute_coverage([*_sites(), bad], [100, -20, float("nan")], synthetic_terrain(), FIR, NATIONAL, COARSE)
    assert [lc.level_fl for lc in result.levels] == [100]
    assert any("'broken'" in m and "skipped" in m for m in result.messages)
    assert sum(1 for m in result.messages if "level FL" in m and "skipped" in m) == 2
    assert len(result.sites) == 4 and result.level(100).count.max() >= 1


def test_antenna_below_the_terrain_is_reported() -> None:
    sunk = SensorSite("sunk", "adsb", 15.0, 5.0, 250_000.0, antenna_amsl_m=100.0)
    result = compute_coverage([sunk], [100], synthetic_terrain(400.0), FIR, NATIONAL, COARSE)
    assert any("'sunk'" in m and "below the" in m and "terrain model (400 m)" in m for m in result.messages)
