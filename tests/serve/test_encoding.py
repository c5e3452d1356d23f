"""The stream's binary encoding: exact round trip, deltas, changes only, identities only when they change."""

from __future__ import annotations

import numpy as np
import pytest

from airpicture.core.schema import SYSTEM_TRACK, table_from_columns
from airpicture.serve.encoding import (
    BYTES_PER_TRACK,
    HEADER,
    KIND_CHANGES,
    KIND_SNAPSHOT,
    PictureMirror,
    decode_frame,
    encode_changes,
    encode_snapshot,
    state_from_tracks,
)
from tests.serve.traffic import MovingTraffic

T0 = 1_800_000_000.0


def mirror_matches(mirror: PictureMirror, table) -> None:
    """The mirror holds every track of ``table`` at its quantised values."""
    assert sorted(mirror.tracks) == sorted(table.column("track_id").to_pylist())
    for row in table.to_pylist():
        held = mirror.tracks[row["track_id"]]
        assert held["lat_e5"] / 1e5 == pytest.approx(row["lat_deg"], abs=5.1e-6)
        assert held["lon_e5"] / 1e5 == pytest.approx(row["lon_deg"], abs=5.1e-6)
        assert held["alt"] * 10 == pytest.approx(row["alt_ft"], abs=5.0)
        assert held["gs"] / 10 == pytest.approx(row["ground_speed_kt"], abs=0.05)
        assert held["callsign"] == (row["callsign"] or "")


def test_snapshot_round_trips_every_track_within_quantisation():
    traffic = MovingTraffic(50, start_time_s=T0)
    table = traffic.at(T0 + 10)
    mirror = PictureMirror()
    frame = mirror.apply(encode_snapshot(state_from_tracks(table)))
    assert frame["kind"] == KIND_SNAPSHOT and frame["n_absolute"] == 50
    assert frame["time_s"] == T0 + 10
    np.testing.assert_array_equal(frame["track_id"], traffic.track_id)
    np.testing.assert_allclose(frame["trk"] / 100.0, table.column("track_deg").to_numpy() % 360, atol=0.005)
    assert frame["ident"][0] == {
        "icao24": "0a0000",
        "callsign": "NIG700",
        "squawk": "7700",
        "sources": "adsb-niamey,psr_ssr-niamey",
        "flight_plan": "",
    }
    assert frame["flags"][0] & 3 == 1 and frame["flags"][0] & 4  # confirmed, cooperative
    mirror_matches(mirror, table)


def test_a_display_applying_every_frame_holds_the_server_picture_exactly():
    traffic = MovingTraffic(200, start_time_s=T0)
    mirror = PictureMirror()
    previous = state_from_tracks(traffic.at(T0))
    mirror.apply(encode_snapshot(previous))
    for second in range(1, 30):
        table = traffic.at(T0 + second)
        current = state_from_tracks(table)
        mirror.apply(encode_changes(previous, current))
        previous = current
    mirror_matches(mirror, table)
    # Integer positions: no drift at all after 29 deltas.
    lat_e5 = previous.columns["lat"]
    assert [mirror.tracks[int(i)]["lat_e5"] for i in previous.track_ids] == lat_e5.tolist()


def test_moves_use_two_byte_deltas_and_big_jumps_or_new_tracks_are_absolute():
    traffic = MovingTraffic(100, start_time_s=T0)
    a = state_from_tracks(traffic.at(T0))
    b_table = traffic.at(T0 + 1)
    lat = b_table.column("lat_deg").to_numpy().copy()
    lat[9] += 1.0  # track 10 jumps by a degree: beyond a 16-bit delta
    b_table = b_table.set_column(b_table.schema.get_field_index("lat_deg"), "lat_deg", [lat])
    frame = decode_frame(encode_changes(a, state_from_tracks(b_table)))
    assert frame["n_absolute"] == 1 and frame["track_id"][0] == 10
    assert len(frame["dlat_e5"]) == 99
    size = len(encode_changes(a, state_from_tracks(traffic.at(T0 + 1))))
    assert BYTES_PER_TRACK == 18
    assert size <= HEADER.size + 100 * BYTES_PER_TRACK + 7 * 3


def test_unknown_values_use_the_documented_sentinels():
    table = table_from_columns(
        SYSTEM_TRACK, {"time_s": [T0], "track_id": [7], "lat_deg": [13.5], "lon_deg": [2.1], "alt_ft": [np.nan]}, 1
    )
    frame = decode_frame(encode_snapshot(state_from_tracks(table)))
    assert frame["alt"][0] == -32768 and frame["gs"][0] == 65535 and frame["trk"][0] == 65535
    assert frame["vr"][0] == -128 and frame["sigma"][0] == 255
    assert frame["flags"][0] == 3 | 8  # status unknown, cooperative unknown


def test_changes_carry_moved_new_and_removed_tracks_and_only_changed_identities():
    traffic = MovingTraffic(20, start_time_s=T0)
    before_table = traffic.at(T0)
    before = state_from_tracks(before_table)
    rows = traffic.at(T0 + 1).to_pylist()
    rows = [r for r in rows if r["track_id"] != 20]  # track 20 disappears
    still = before_table.to_pylist()[4]  # track 5 does not move
    rows[4] = {**still, "time_s": T0 + 1}
    rows[2]["callsign"] = "NEW003"  # track 3 changes callsign
    rows.append({**rows[0], "track_id": 99})  # a new track
    after = state_from_tracks(table_from_columns(SYSTEM_TRACK, {k: [r[k] for r in rows] for k in rows[0]}))
    frame = decode_frame(encode_changes(before, after))
    assert frame["kind"] == KIND_CHANGES
    ids = frame["track_id"].tolist()
    assert 5 not in ids and {99, 3, 1}.issubset(ids)
    assert ids[: frame["n_absolute"]] == [99]
    assert frame["removed"].tolist() == [20]
    assert sorted(frame["ident_track_id"].tolist()) == [3, 99]
    assert frame["ident"][frame["ident_track_id"].tolist().index(3)]["callsign"] == "NEW003"


def test_a_changes_frame_for_an_unchanged_picture_is_just_the_header():
    state = state_from_tracks(MovingTraffic(100, start_time_s=T0).at(T0))
    assert len(encode_changes(state, state)) == HEADER.size


def test_a_repeated_track_id_keeps_its_last_row():
    table = table_from_columns(
        SYSTEM_TRACK, {"time_s": [T0, T0 + 1], "track_id": [4, 4], "lat_deg": [10.0, 11.0], "lon_deg": [1.0, 1.0]}, 2
    )
    frame = decode_frame(encode_snapshot(state_from_tracks(table)))
    assert frame["track_id"].tolist() == [4]
    assert frame["lat_e5"][0] == 1_100_000


def test_truncated_or_foreign_bytes_are_refused():
    data = encode_snapshot(state_from_tracks(MovingTraffic(3, start_time_s=T0).at(T0)))
    with pytest.raises(ValueError):
        decode_frame(b"XXXX" + data[4:])
    with pytest.raises(ValueError):
        decode_frame(data[:-3])
    with pytest.raises(ValueError):
        decode_frame(data[:20])
