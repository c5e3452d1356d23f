"""Observed against predicted range outlines: a masked sector is found; the receiver position is estimated."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from airpicture.core.geodesy import destination, haversine_m
from airpicture.core.units import FT_TO_M
from airpicture.coverage.los import radar_horizon_m
from airpicture.coverage.observed import (
    compare_observed,
    compare_receiver,
    decode_recording,
    estimate_receiver_position,
)
from airpicture.coverage.terrain import flat_terrain
from tests.conftest import shared_file

RX = (15.0, 5.0)


def _traffic(n: int = 6000, seed: int = 1, masked=(90.0, 120.0), mask_range_m=50_000.0):
    """Aircraft at FL300–380 spread up to the receiver's horizon, except a masked sector seen only to 50 km."""
    rng = np.random.default_rng(seed)
    alt_m = rng.uniform(30_000, 38_000, n) * FT_TO_M
    bearing = rng.uniform(0, 360, n)
    reach = np.array([radar_horizon_m(10.0, a) for a in alt_m])
    dist = reach * np.sqrt(rng.uniform(0.0, 0.98, n))
    in_mask = (bearing >= masked[0]) & (bearing < masked[1])
    dist[in_mask] = np.minimum(dist[in_mask], mask_range_m * rng.uniform(0.2, 1.0, in_mask.sum()))
    lat, lon = destination(RX[0], RX[1], bearing, dist)
    return lat, lon, alt_m


def test_estimated_receiver_position_is_near_the_true_one() -> None:
    lat, lon, alt = _traffic(masked=(0.0, 0.0))
    estimate = estimate_receiver_position(lat, lon, alt, antenna_m=10.0)
    assert not estimate.known and "estimated" in estimate.method
    assert haversine_m(RX[0], RX[1], estimate.lat_deg, estimate.lon_deg) < 15_000


def test_masked_sector_is_listed_as_short_of_prediction() -> None:
    lat, lon, alt = _traffic()
    from airpicture.coverage.observed import ReceiverPosition

    comparison = compare_receiver(
        "rx", lat, lon, alt, flat_terrain(0.0), ReceiverPosition(*RX, True, "configured"), antenna_agl_m=10.0
    )
    short = {d.bearing_deg for d in comparison.disagreements if d.verdict.startswith("short")}
    assert short == {92.5, 97.5, 102.5, 107.5, 112.5, 117.5}
    assert not [d for d in comparison.disagreements if d.verdict.startswith("beyond")]
    high = comparison.outlines[-1]
    seen = np.isfinite(high.observed_m)
    assert seen.sum() > 60
    # Outside the mask the farthest decoded position comes close to, and never beyond, the predicted horizon.
    open_sectors = seen & ((high.bearings_deg < 90) | (high.bearings_deg > 120))
    ratio = high.observed_m[open_sectors] / high.predicted_at_observed_m[open_sectors]
    assert (ratio <= 1.01).all() and np.median(ratio) > 0.9


def test_positions_beyond_the_horizon_are_listed_as_beyond_prediction() -> None:
    lat, lon, alt = _traffic(masked=(0.0, 0.0))
    far_lat, far_lon = destination(RX[0], RX[1], np.full(30, 202.0), np.full(30, 600_000.0))
    from airpicture.coverage.observed import ReceiverPosition

    comparison = compare_receiver(
        "rx",
        np.r_[lat, far_lat],
        np.r_[lon, far_lon],
        np.r_[alt, np.full(30, 11_000.0)],
        flat_terrain(0.0),
        ReceiverPosition(*RX, True, "configured"),
    )
    beyond = [d for d in comparison.disagreements if d.verdict.startswith("beyond")]
    assert [d.bearing_deg for d in beyond] == [202.5]


def test_observed_outline_of_a_real_recording_decoded_by_airpicture() -> None:
    path = shared_file("modes", "rs1090_short_flights.csv")
    table, rejected = decode_recording(path, "rawcsv")
    assert table.num_rows == 486 and sum(rejected.values()) == 0
    comparisons = compare_observed(table, flat_terrain(300.0))
    assert len(comparisons) == 1
    comp = comparisons[0]
    assert comp.n_positions > 100
    assert not comp.position.known
    assert any("receiver position unknown" in n for n in comp.notes)
    # The recording (rs1090's sample, around Atlanta) places the receiver in north Georgia.
    assert 33.0 < comp.position.lat_deg < 35.0 and -85.5 < comp.position.lon_deg < -83.5
    assert sum(np.isfinite(o.observed_m).sum() for o in comp.outlines) > 10


def test_a_table_without_positions_gives_no_comparison() -> None:
    table = pa.table({"sensor": ["rx"], "lat_deg": [None], "lon_deg": [None], "alt_baro_ft": [None]})
    assert compare_observed(table, flat_terrain()) == []


def test_unknown_recording_format_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ValueError, match="expected one of"):
        decode_recording(tmp_path / "x.dat", "asterix")


def test_one_flight_passing_by_is_not_called_an_obstruction() -> None:
    lat, lon, alt = _traffic()
    from airpicture.coverage.observed import ReceiverPosition

    comparison = compare_receiver(
        "rx", lat, lon, alt, flat_terrain(0.0), ReceiverPosition(*RX, True, "configured"),
        aircraft=np.full(lat.size, "406b90", dtype=object),
    )  # fmt: skip
    assert not [d for d in comparison.disagreements if d.verdict.startswith("short")]
