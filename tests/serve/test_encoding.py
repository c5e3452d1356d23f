"""The stream's binary encoding: exact round trip, changes only, identities only when they change."""

from __future__ import annotations

import numpy as np
import pytest

from airpicture.core.schema import SYSTEM_TRACK, table_from_columns
from airpicture.serve.encoding import (
    BYTES_PER_TRACK,
    HEADER,
    KIND_CHANGES,
    KIND_SNAPSHOT,
    decode_frame,
    encode_changes,
    encode_snapshot,
    state_from_tracks,
)
from tests.serve.traffic import MovingTraffic

T0 = 1_800_000_000.0


def test_snapshot_round_trips_every_track_within_quantisation():
    traffic = MovingTraffic(50, start_time_s=T0)
    table = traffic.at(T0 + 10)
    frame = decode_frame(encode_snapshot(state_from_tracks(table)))
    assert frame["kind"] == KIND_SNAPSHOT
    assert frame["time_s"] == T0 + 10
    np.testing.assert_array_equal(frame["track_id"], traffic.track_id)
    np.testing.assert_allclose(frame["lat"], table.column("lat_deg").to_numpy(), atol=2e-6)
    np.testing.assert_allclose(frame["lon"], table.column("lon_deg").to_numpy(), atol=2e-6)
    np.testing.assert_allclose(frame["alt"] * 10.0, table.column("alt_ft").to_numpy(), atol=5.0)
    np.testing.assert_allclose(frame["gs"] / 10.0, table.column("ground_speed_kt").to_numpy(), atol=0.05)
    np.testing.assert_allclose(frame["trk"] / 100.0, table.column("track_deg").to_numpy() % 360, atol=0.005)
    assert frame["ident"][0] == {
        "icao24": "0a0000",
        "callsign": "NIG700",
        "squawk": "7700",
        "sources": "adsb-niamey,psr_ssr-niamey",
        "flight_plan": "",
    }
    # Status confirmed (1) and cooperative bit for the first aircraft.
    assert frame["flags"][0] & 3 == 1 and frame["flags"][0] & 4


def test_unknown_values_use_the_documented_sentinels():
    table = table_from_columns(
        SYSTEM_TRACK, {"time_s": [T0], "track_id": [7], "lat_deg": [13.5], "lon_deg": [2.1], "alt_ft": [np.nan]}, 1
    )
    frame = decode_frame(encode_snapshot(state_from_tracks(table)))
    assert frame["alt"][0] == -32768 and frame["gs"][0] == 65535 and frame["trk"][0] == 65535
    assert frame["vr"][0] == -32768 and frame["sigma"][0] == 65535
    assert frame["flags"][0] == 3 | 8  # status unknown, cooperative unknown


def test_changes_carry_moved_new_and_removed_tracks_and_only_changed_identities():
    traffic = MovingTraffic(20, start_time_s=T0)
    before = state_from_tracks(traffic.at(T0))
    table = traffic.at(T0 + 1)
    # Track 20 disappears, a new track 99 appears, track 5 stays still, track 3 changes callsign.
    keep = table.filter(table.column("track_id").to_numpy() != 20)
    rows = keep.to_pylist()
    for row in rows:
        if row["track_id"] == 5:
            row.update(before_row := state_from_tracks(traffic.at(T0)).table.slice(4, 1).to_pylist()[0])
            row["time_s"] = T0 + 1
        if row["track_id"] == 3:
            row["callsign"] = "NEW003"
    rows.append({**rows[0], "track_id": 99})
    after = state_from_tracks(table_from_columns(SYSTEM_TRACK, {k: [r[k] for r in rows] for k in rows[0]}))
    assert before_row["track_id"] == 5
    frame = decode_frame(encode_changes(before, after))
    assert frame["kind"] == KIND_CHANGES
    assert 5 not in set(frame["track_id"].tolist())
    assert {99, 3, 1}.issubset(set(frame["track_id"].tolist()))
    assert frame["removed"].tolist() == [20]
    assert sorted(frame["ident_track_id"].tolist()) == [3, 99]
    assert frame["ident"][frame["ident_track_id"].tolist().index(3)]["callsign"] == "NEW003"


def test_a_changes_frame_for_an_unchanged_picture_is_just_the_header():
    state = state_from_tracks(MovingTraffic(100, start_time_s=T0).at(T0))
    assert len(encode_changes(state, state)) == HEADER.size


def test_frame_size_is_fixed_width_per_moving_track():
    traffic = MovingTraffic(1000, start_time_s=T0)
    a, b = state_from_tracks(traffic.at(T0)), state_from_tracks(traffic.at(T0 + 1))
    size = len(encode_changes(a, b))
    assert size <= HEADER.size + 1000 * BYTES_PER_TRACK + 8
    assert BYTES_PER_TRACK == 25


def test_a_repeated_track_id_keeps_its_last_row():
    table = table_from_columns(
        SYSTEM_TRACK, {"time_s": [T0, T0 + 1], "track_id": [4, 4], "lat_deg": [10.0, 11.0], "lon_deg": [1.0, 1.0]}, 2
    )
    frame = decode_frame(encode_snapshot(state_from_tracks(table)))
    assert frame["track_id"].tolist() == [4]
    assert frame["lat"][0] == pytest.approx(11.0)


def test_truncated_or_foreign_bytes_are_refused():
    data = encode_snapshot(state_from_tracks(MovingTraffic(3, start_time_s=T0).at(T0)))
    with pytest.raises(ValueError):
        decode_frame(b"XXXX" + data[4:])
    with pytest.raises(ValueError):
        decode_frame(data[:-3])
