"""Line of sight: the smooth-earth horizon formula, and the shadow behind a ridge."""

from __future__ import annotations

import math

import numpy as np
import pytest

from airpicture.core.geodesy import haversine_m
from airpicture.core.units import EARTH_RADIUS_M
from airpicture.coverage.los import radar_horizon_m, radial_profile
from airpicture.coverage.terrain import flat_terrain, load_npz_terrain, shipped_terrain
from tests.conftest import shared_file


@pytest.mark.parametrize(
    ("antenna_m", "target_m", "k"),
    [(10.0, 1000.0, 4 / 3), (25.0, 3048.0, 4 / 3), (15.0, 6096.0, 4 / 3), (30.0, 12192.0, 4 / 3), (20.0, 9144.0, 1.0)],
)
def test_flat_earth_visibility_matches_radar_horizon_formula(antenna_m: float, target_m: float, k: float) -> None:
    profile = radial_profile(
        13.5, 2.2, flat_terrain(0.0), range_max_m=800_000, antenna_agl_m=antenna_m, k=k, range_step_m=100.0,
        bearing_step_deg=15.0,
    )  # fmt: skip
    reach = profile.max_range_m(target_m)
    expected = radar_horizon_m(antenna_m, target_m, k)
    assert np.allclose(reach, reach[0])  # smooth earth: the same on every radial
    assert abs(reach[0] - expected) / expected < 0.01


def test_larger_k_sees_farther_by_the_square_root_of_k() -> None:
    ranges = [
        radial_profile(
            13.5, 2.2, flat_terrain(), range_max_m=800_000, antenna_agl_m=20, k=k, bearing_step_deg=30.0
        ).max_range_m(9144)[0]
        for k in (1.0, 4 / 3)
    ]
    assert ranges[1] / ranges[0] == pytest.approx(math.sqrt(4 / 3), rel=0.01)


def _shadow_height_m(h1: float, crest_m: float, crest_range_m: float, target_range_m: float, k: float) -> float:
    """Height of the ray grazing a crest, at a farther range (exact on the effective sphere, written out by hand)."""
    re = k * EARTH_RADIUS_M
    r1, rc = re + h1, re + crest_m
    tc = crest_range_m / re
    elevation = math.atan2(rc * math.cos(tc) - r1, rc * math.sin(tc))
    t = target_range_m / re
    return r1 * math.cos(elevation) / math.cos(elevation + t) - re


def test_sensor_behind_a_ridge_sees_nothing_below_the_ridge_shadow(ridge_terrain) -> None:
    k, step = 4 / 3, 250.0
    profile = radial_profile(
        15.0, 4.0, ridge_terrain, range_max_m=400_000, antenna_agl_m=10.0, k=k, range_step_m=step, bearing_step_deg=1.0
    )
    east = round(90.0 / profile.bearing_step_deg)
    ranges = profile.ranges_m
    lowest = profile.lowest_visible_m[east]
    crest_edge = float(haversine_m(15.0, 4.0, 15.0, 5.0))  # the ridge's near face, on the east radial (±0.1 km)
    # In front of the ridge the sensor sees low (its own smooth-earth horizon).
    before = ranges < crest_edge - 5_000
    assert (lowest[before] < 1000).all()
    for target_range in (130_000.0, 200_000.0, 300_000.0):
        j = int(np.argmin(np.abs(ranges - target_range)))
        high = _shadow_height_m(10.0, 1000.0, crest_edge - 500, ranges[j], k)
        low = _shadow_height_m(10.0, 1000.0, crest_edge + step + 500, ranges[j], k)
        assert low - 1 <= lowest[j] <= high + 1
        # Below the shadow: invisible; a little above it: visible.
        assert not profile.lowest_visible_at(np.array([90.0]), np.array([ranges[j]]))[0] <= low - 50
        assert profile.lowest_visible_at(np.array([90.0]), np.array([ranges[j]]))[0] <= high + 50
    # Far behind the ridge the shadow is far above the ridge itself; without the ridge it would be much lower.
    flat = radial_profile(
        15.0,
        4.0,
        flat_terrain(0.0),
        range_max_m=400_000,
        antenna_agl_m=10.0,
        k=k,
        range_step_m=step,
        bearing_step_deg=1.0,
    )
    j = int(np.argmin(np.abs(ranges - 300_000)))
    assert lowest[j] > 1000 and lowest[j] > flat.lowest_visible_m[east, j] + 1000


def test_lowest_visible_altitude_is_never_below_the_terrain(ridge_terrain) -> None:
    profile = radial_profile(15.0, 4.0, ridge_terrain, range_max_m=300_000, antenna_agl_m=10.0)
    east = round(90.0 / profile.bearing_step_deg)
    on_ridge = (profile.ranges_m > 108_000) & (profile.ranges_m < 110_000)
    assert (profile.lowest_visible_m[east, on_ridge] >= 1000).all()


def test_beyond_range_max_nothing_is_visible() -> None:
    profile = radial_profile(13.5, 2.2, flat_terrain(), range_max_m=100_000, antenna_agl_m=20)
    assert np.isinf(profile.lowest_visible_at(np.array([0.0, 90.0]), np.array([100_500.0, 150_000.0]))).all()
    assert profile.max_range_m(12_000).max() <= 100_000


def test_shipped_terrain_equals_the_reference_grid_where_they_overlap() -> None:
    reference = load_npz_terrain(shared_file("geo", "niger_globe_1arcmin_max_0E-17E_10N-25N.npz"))
    shipped = shipped_terrain()
    assert shipped.step_deg == pytest.approx(reference.step_deg)
    r0 = round((shipped.lat_max_deg - reference.lat_max_deg) / shipped.step_deg)
    c0 = round((reference.lon_min_deg - shipped.lon_min_deg) / shipped.step_deg)
    rows, cols = reference.shape
    assert np.array_equal(shipped.elev_m[r0 : r0 + rows, c0 : c0 + cols], reference.elev_m)
    # Mont Idoukal-n-Taghès (Aïr, ~2,022 m) stands out of the Sahel plain.
    assert shipped.elevation_m(np.array([17.9]), np.array([8.75]))[0] > 1500


def test_west_of_the_globe_tile_the_flat_fallback_answers_and_says_so() -> None:
    grid = shipped_terrain(fallback_elevation_m=300.0)
    values, known = grid.lookup(np.array([13.0, 13.0]), np.array([-1.0, 1.0]))
    assert values[0] == 300.0 and not known[0]
    assert known[1]
    assert any("west of 0°E" in note for note in grid.notes)
