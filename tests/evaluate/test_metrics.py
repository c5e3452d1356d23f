import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airpicture.core.schema import SYSTEM_TRACK, TRUTH, table_from_columns
from airpicture.evaluate.metrics import EvaluationConfig, evaluate

T0 = 1_767_225_600.0


def truth(n_targets=2, seconds=41):
    t = np.repeat(T0 + np.arange(seconds, dtype=float), n_targets)
    tid = np.tile(np.arange(n_targets), seconds)
    return _eastbound(t, tid, 13.0 + 0.1 * tid, tid == 0)


def _eastbound(t, tid, lat, cooperative):
    """Truth rows of aircraft flying east at 200 m/s (388.8 kt) from longitude 2° at T0, at latitudes ``lat``."""
    return table_from_columns(
        TRUTH,
        {
            "time_s": t,
            "target_id": tid,
            "lat_deg": lat,
            "lon_deg": 2.0 + (t - T0) * 200.0 / 111_000.0,
            "ground_speed_kt": np.full(t.size, 388.8),
            "track_deg": np.full(t.size, 90.0),
            "cooperative": cooperative,
        },
    )


def tracks_from(tr, shift_m=0.0, track_ids=None, drop_target=None):
    col = {name: tr.column(name).to_numpy(zero_copy_only=False) for name in tr.column_names}
    keep = (col["time_s"] - T0) % 4 == 0
    if drop_target is not None:
        keep &= col["target_id"] != drop_target
    rows = {k: v[keep] for k, v in col.items()}
    ids = rows["target_id"] + 100 if track_ids is None else track_ids(rows)
    return table_from_columns(
        SYSTEM_TRACK,
        {
            "time_s": rows["time_s"],
            "track_id": ids,
            "lat_deg": rows["lat_deg"] + shift_m / 111_000.0,
            "lon_deg": rows["lon_deg"],
            "ground_speed_kt": rows["ground_speed_kt"],
            "track_deg": rows["track_deg"],
            "status": np.full(keep.sum(), "confirmed"),
        },
    )


CFG = EvaluationConfig(max_age_s=0.5)


def test_perfect_tracks_score_zero_gospa_and_full_completeness():
    tr = truth()
    fig = evaluate(tr, tracks_from(tr), CFG)
    assert fig["all"]["gospa_m"] == pytest.approx(0.0, abs=1.0)
    assert fig["all"]["completeness"] == 1.0
    assert fig["all"]["track_ids_per_aircraft"] == 1.0
    assert fig["cooperative"]["aircraft"] == 1 and fig["primary_only"]["aircraft"] == 1


def test_position_error_shows_in_rms_and_gospa():
    tr = truth()
    fig = evaluate(tr, tracks_from(tr, shift_m=300.0), CFG)["all"]
    assert fig["pos_rms_m"] == pytest.approx(300.0, rel=0.02)
    # Two matched targets each 300 m off: GOSPA = sqrt(2 · 300²).
    assert fig["gospa_m"] == pytest.approx(np.sqrt(2) * 300.0, rel=0.02)


def test_a_missed_aircraft_costs_c_over_root_two_in_gospa():
    tr = truth()
    fig = evaluate(tr, tracks_from(tr, drop_target=1), CFG)["all"]
    assert fig["gospa_m"] == pytest.approx(2000.0 / np.sqrt(2), rel=0.01)
    assert fig["completeness"] == pytest.approx(0.5)


def test_a_change_of_track_number_counts_as_an_identity_switch():
    tr = truth()

    def ids(rows):
        return np.where((rows["target_id"] == 0) & (rows["time_s"] > T0 + 20), 7, rows["target_id"] + 100)

    fig = evaluate(tr, tracks_from(tr, track_ids=ids), CFG)["all"]
    assert fig["identity_switches"] == 1
    assert fig["track_ids_per_aircraft"] == pytest.approx(1.5)


def _passing_pair(seconds=41, swap_from_s=None, blip_at_s=None):
    """Two aircraft 150 m apart flying side by side, then diverging from t=24 s, and their tracks (each 60 m off
    towards the other).

    ``blip_at_s``: at that epoch the tracks' errors put each nearer the other aircraft (an optimal per-epoch
    assignment swaps them for that epoch). ``swap_from_s``: from then on the tracks really follow the other aircraft.
    """
    t = np.repeat(T0 + np.arange(seconds, dtype=float), 2)
    tid = np.tile(np.arange(2), seconds)
    lat = 13.0 + tid * (150.0 + 200.0 * np.maximum(t - T0 - 24.0, 0.0)) / 111_000.0
    lon = 2.0 + (t - T0) * 200.0 / 111_000.0
    tr = _eastbound(t, tid, lat, np.ones(t.size, bool))
    keep = (t - T0) % 4 == 0
    t, tid, lat, lon = t[keep], tid[keep], lat[keep], lon[keep]
    off = np.where(tid == 0, 60.0, -60.0)
    if blip_at_s is not None:
        off = np.where(t == T0 + blip_at_s, 2.0 * off, off)  # 120 m towards the other: 30 m from it
    track = tid + 100
    if swap_from_s is not None:
        track = np.where(t >= T0 + swap_from_s, 101 - tid, track)  # track 100 now on aircraft 1 and 101 on 0
    tracks = table_from_columns(
        SYSTEM_TRACK,
        {
            "time_s": t,
            "track_id": track,
            "lat_deg": lat + off / 111_000.0,
            "lon_deg": lon,
            "ground_speed_kt": np.full(t.size, 388.8),
            "track_deg": np.full(t.size, 90.0),
            "status": np.full(t.size, "confirmed"),
        },
    )
    return tr, tracks


def test_tracks_of_two_close_aircraft_that_stay_on_them_count_no_switch():
    tr, tracks = _passing_pair(blip_at_s=20)
    fig = evaluate(tr, tracks, CFG)["all"]
    assert fig["identity_switches"] == 0
    assert fig["track_ids_per_aircraft"] == 1.0
    # The per-epoch optimal assignment swaps them at t=20 and back at t=24: four changes for two aircraft.
    assert fig["swaps_optimal_per_aircraft"] == pytest.approx(2.0)


def test_tracks_that_really_exchange_aircraft_count_as_switches():
    tr, tracks = _passing_pair(swap_from_s=20)
    fig = evaluate(tr, tracks, CFG)["all"]
    # Counted once the aircraft are more than c apart (before, either track may be either aircraft's).
    assert fig["identity_switches"] == 2
    assert fig["track_ids_per_aircraft"] == pytest.approx(2.0)


def test_evaluate_command_prints_json_figures(tmp_path, capsys):
    from airpicture.cli import main
    from airpicture.core.tableio import write_table

    tr = truth()
    write_table(tr, tmp_path / "truth.parquet")
    write_table(tracks_from(tr), tmp_path / "tracks.parquet")
    assert (
        main(
            [
                "evaluate",
                "--truth",
                str(tmp_path / "truth.parquet"),
                "--tracks",
                str(tmp_path / "tracks.parquet"),
                "--max-age",
                "0.5",
                "--json",
                "--plot",
                str(tmp_path / "err.png"),
            ]
        )
        == 0
    )
    figures = json.loads(capsys.readouterr().out)
    assert figures["all"]["completeness"] == 1.0
    assert (tmp_path / "err.png").stat().st_size > 1000


def test_gospa_breakdown_splits_localisation_missed_and_false_terms():
    tr = truth()
    ok = tracks_from(tr, shift_m=300.0, drop_target=1)
    # A clutter track far from both aircraft, present at every epoch.
    col = {k: ok.column(k).to_numpy(zero_copy_only=False) for k in ok.column_names}
    ghost = table_from_columns(
        SYSTEM_TRACK,
        {
            "time_s": col["time_s"],
            "track_id": np.full(col["time_s"].size, 999),
            "lat_deg": col["lat_deg"] + 1.0,
            "lon_deg": col["lon_deg"],
            "ground_speed_kt": col["ground_speed_kt"],
            "track_deg": col["track_deg"],
            "status": np.full(col["time_s"].size, "confirmed"),
        },
    )
    fig = evaluate(tr, pa.concat_tables([ok, ghost]), CFG)["all"]
    half_c2 = 0.5 * 2000.0**2
    # Per aircraft-epoch: one of the two aircraft 300 m off, one missed, one false track.
    assert fig["gospa_loc_m2"] == pytest.approx(300.0**2 / 2, rel=0.02)
    assert fig["gospa_missed_m2"] == pytest.approx(half_c2 / 2, rel=1e-6)
    assert fig["gospa_false_m2"] == pytest.approx(half_c2 / 2, rel=1e-6)
    assert fig["gospa_pooled_per_sqrt_n_m"] == pytest.approx(np.sqrt(300.0**2 / 2 + half_c2), rel=0.01)
    assert fig["missed_initiation_epochs"] > 0 and fig["missed_gap_epochs"] == 0
    assert fig["false_never_matched_epochs"] == fig["false_track_epochs"] > 0


def test_epochs_after_the_track_file_ends_are_not_judged():
    tr = truth()
    tracks = tracks_from(tr)
    early = tracks.filter(pc.less(tracks.column("time_s"), T0 + 30.5))
    fig = evaluate(tr, early, CFG)["all"]
    # Truth runs to 40 s; tracks stop at 28 s: epochs 32–40 s are left out, the rest is perfect.
    assert fig["epochs_after_track_end"] == 3
    assert fig["completeness"] == 1.0 and fig["gospa_missed_m2"] == 0.0


def test_filtered_errors_compare_each_update_with_the_truth_at_its_own_time():
    from airpicture.evaluate.metrics import filtered_errors, match

    tr = truth(seconds=61)
    picture = tracks_from(tr)
    m = match(tr, picture, CFG)
    # Update rows between the truth's seconds (x.4 s), on the truth's straight path: interpolated, so no error.
    t = T0 + np.arange(0, 60) + 0.4
    lon = 2.0 + (t - T0) * 200.0 / 111_000.0
    rows = {
        "time_s": np.r_[t, t],
        "track_id": np.r_[np.full(t.size, 100), np.full(t.size, 101)],
        "lat_deg": np.r_[np.full(t.size, 13.0), np.full(t.size, 13.1)],
        "lon_deg": np.r_[lon, lon],
        "ground_speed_kt": np.full(2 * t.size, 388.8),
        "track_deg": np.full(2 * t.size, 90.0),
        "status": np.full(2 * t.size, "confirmed"),
    }
    schema = SYSTEM_TRACK.append(pa.field("last_update_s", pa.float64()))

    def table(shift_m):
        cols = dict(rows, lat_deg=rows["lat_deg"] + shift_m / 111_000.0, last_update_s=rows["time_s"])
        return table_from_columns(schema, cols, 2 * t.size)

    exact = filtered_errors(tr, table(0.0), m, CFG)
    assert exact["filtered_updates"] == 2 * t.size
    assert exact["filtered_pos_rms_straight_m"] < 2.0 and exact["filtered_vel_rms_straight_mps"] < 0.1
    off = filtered_errors(tr, table(250.0), m, CFG)
    assert off["filtered_pos_rms_straight_m"] == pytest.approx(250.0, rel=0.02)
    # Extrapolated rows (last_update_s before time_s) are not filtered estimates: left out.
    stale = table(0.0).set_column(
        schema.get_field_index("last_update_s"), "last_update_s", pa.array(rows["time_s"] - 1.0)
    )
    assert filtered_errors(tr, stale, m, CFG)["filtered_updates"] == 0


def _turning_truth():
    """One aircraft: straight for 20 s, a 2 deg/s turn for 10 s, straight again to 50 s (truth every second)."""
    t = np.arange(51, dtype=float)
    track = 90.0 + 2.0 * np.clip(t - 20.0, 0.0, 10.0)
    lat = 13.0 + np.zeros(t.size)
    lon = 2.0 + t * 200.0 / 111_000.0
    return table_from_columns(
        TRUTH,
        {
            "time_s": T0 + t,
            "target_id": np.zeros(t.size, np.int64),
            "lat_deg": lat,
            "lon_deg": lon,
            "ground_speed_kt": np.full(t.size, 388.8),
            "track_deg": track,
            "cooperative": np.ones(t.size, np.bool_),
        },
    )


def test_leg_phase_counts_the_seconds_since_the_last_turn_entry_or_exit():
    from airpicture.evaluate.metrics import leg_phase

    since, first = leg_phase(_turning_truth())
    # The turn rate of a row is measured over the second before it: rows 21-30 turn.
    np.testing.assert_array_equal(since[[0, 10, 20]], [0.0, 10.0, 20.0])
    np.testing.assert_array_equal(since[[21, 25, 30]], [0.0, 4.0, 9.0])
    np.testing.assert_array_equal(since[[31, 40, 50]], [0.0, 9.0, 19.0])
    assert first[:21].all() and not first[21:].any()


def test_filtered_error_rows_give_each_update_its_error_and_leg_phase():
    from airpicture.evaluate.metrics import filtered_error_rows, filtered_errors, match

    tr = _turning_truth()
    col = {name: tr.column(name).to_numpy(zero_copy_only=False) for name in tr.column_names}
    every4 = (col["time_s"] - T0) % 4 == 0
    cols = {
        "time_s": col["time_s"][every4],
        "track_id": np.full(every4.sum(), 7),
        "lat_deg": col["lat_deg"][every4] + 100.0 / 111_000.0,
        "lon_deg": col["lon_deg"][every4],
        "ground_speed_kt": col["ground_speed_kt"][every4],
        "track_deg": col["track_deg"][every4],
        "status": np.full(every4.sum(), "confirmed"),
    }
    schema = SYSTEM_TRACK.append(pa.field("last_update_s", pa.float64()))
    updates = table_from_columns(schema, dict(cols, last_update_s=cols["time_s"]), int(every4.sum()))
    m = match(tr, updates, CFG)
    rows = filtered_error_rows(tr, updates, m, CFG)
    assert rows is not None and rows["time_s"].size == every4.sum()
    np.testing.assert_allclose(rows["pos_err_m"], 100.0, rtol=0.02)
    at = {round(t - T0): k for k, t in enumerate(rows["time_s"])}
    # Phase of the truth row the interpolation starts from (the one before an update on a whole second).
    assert rows["since_leg_s"][at[16]] == 15.0 and rows["first_leg"][at[16]]
    assert rows["turning"][at[24]] and rows["since_leg_s"][at[24]] == 2.0
    assert not rows["turning"][at[40]] and rows["since_leg_s"][at[40]] == 8.0 and not rows["first_leg"][at[40]]
    # The summary is these rows' RMS.
    summary = filtered_errors(tr, updates, m, CFG)
    assert summary["filtered_updates"] == rows["time_s"].size
    straight = ~rows["turning"]
    assert summary["filtered_pos_rms_straight_m"] == pytest.approx(np.sqrt(np.mean(rows["pos_err_m"][straight] ** 2)))
