"""One scripted simulator scenario per alert kind: raised early enough, on the right tracks and volume, cleared."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import shapely

from airpicture.core.geodesy import haversine_m
from airpicture.monitor import MonitorSet, default_niger_airspace
from tests.monitor.simtracks import Cycle, really_conflicts

NM = 1852.0


def run(scenario, cycles: list[Cycle], **kwargs) -> pa.Table:
    monitors = MonitorSet(default_niger_airspace(), sensors=scenario.sensors, **kwargs)
    return pa.concat_tables([monitors.update(c.tracks, c.now_s, c.measurements) for c in cycles])


@pytest.fixture(scope="module")
def baseline(niger_events) -> pa.Table:
    """The alert events of the unedited scripted scenario (computed once)."""
    scenario, cycles = niger_events
    return run(scenario, cycles)


@pytest.fixture(scope="module")
def situations_end(niger_events) -> tuple[pa.Table, float, float]:
    """The same scenario where the 7700 crew resets code and status, and the silent aircraft's track ends."""
    scenario, cycles = niger_events
    emerg = event(scenario, "emergency", squawk="7700")
    silent = event(scenario, "transponder_off")
    emergency_end_s, track_end_s = emerg.time_s + 200.0, silent.time_s + 150.0
    edited = []
    for c in cycles:
        tracks, meas = c.tracks, c.measurements
        if c.now_s > emergency_end_s:
            sq = pc.if_else(pc.equal(tracks["track_id"], emerg.target_id), "2000", tracks["squawk"])
            tracks = tracks.set_column(tracks.column_names.index("squawk"), "squawk", sq)
            status = pc.if_else(pc.equal(meas["icao24"], emerg.icao24), pa.scalar(None, pa.string()), meas["emergency"])
            meas = meas.set_column(meas.column_names.index("emergency"), "emergency", status)
        if c.now_s > track_end_s:
            tracks = tracks.filter(pc.not_equal(tracks["track_id"], silent.target_id))
        edited.append(Cycle(c.now_s, tracks, meas))
    return run(scenario, edited), emergency_end_s, track_end_s


def event(scenario, kind: str, **detail):
    return next(e for e in scenario.events if e.kind == kind and all(e.detail.get(k) == v for k, v in detail.items()))


def rows(events: pa.Table, kind: str, state: str | None = None) -> list[dict]:
    out = [r for r in events.to_pylist() if r["kind"] == kind]
    return [r for r in out if state is None or r["state"] == state]


def test_emergency_squawk_7700_is_raised_on_the_track_and_clears_when_the_code_is_reset(niger_events, situations_end):
    scenario, _ = niger_events
    ev = event(scenario, "emergency", squawk="7700")
    events, end_s, _ = situations_end
    raised = [r for r in rows(events, "emergency", "raised") if r["track_ids"] == [ev.target_id]]
    assert len(raised) == 1
    assert ev.time_s <= raised[0]["time_raised_s"] <= ev.time_s + 15.0
    assert "7700" in raised[0]["message"] and "general" in raised[0]["message"]
    assert raised[0]["severity"] == "critical" and raised[0]["icao24"] == ev.icao24
    cleared = [r for r in rows(events, "emergency", "cleared") if r["alert_id"] == raised[0]["alert_id"]]
    assert len(cleared) == 1 and end_s < cleared[0]["time_cleared_s"] <= end_s + 40.0


def test_adsb_only_emergency_status_is_raised_from_measurements(niger_events, baseline):
    scenario, cycles = niger_events
    ev = event(scenario, "emergency", emergency="minfuel")
    raised = [r for r in rows(baseline, "emergency", "raised") if r["track_ids"] == [ev.target_id]]
    assert len(raised) == 1 and "minfuel" in raised[0]["message"]
    assert ev.time_s <= raised[0]["time_raised_s"] <= ev.time_s + 15.0
    # Without measurements the ADS-B status is invisible: the monitor does not invent it.
    around = [Cycle(c.now_s, c.tracks, c.measurements.slice(0, 0)) for c in cycles if abs(c.now_s - ev.time_s) < 60]
    assert not [r for r in rows(run(scenario, around), "emergency") if r["track_ids"] == [ev.target_id]]


def test_transponder_switched_off_raises_transponder_loss_and_not_non_cooperative(niger_events, situations_end):
    scenario, _ = niger_events
    ev = event(scenario, "transponder_off")
    events, _, end_s = situations_end
    raised = rows(events, "transponder_loss", "raised")
    assert [r["track_ids"] for r in raised] == [[ev.target_id]]
    assert ev.time_s < raised[0]["time_raised_s"] <= ev.time_s + 45.0
    assert not [r for r in rows(events, "non_cooperative") if r["track_ids"] == [ev.target_id]]
    cleared = rows(events, "transponder_loss", "cleared")
    assert len(cleared) == 1 and end_s < cleared[0]["time_cleared_s"] <= end_s + 40.0


def test_aircraft_without_transponder_inside_the_fir_is_non_cooperative_and_clears_when_gone(niger_events):
    scenario, cycles = niger_events
    primary_only = [c for c in cycles if c.now_s - scenario.start_time_s < 200.0]
    gone = [Cycle(c.now_s + 200.0, c.tracks.slice(0, 0), c.measurements.slice(0, 0)) for c in cycles[:15]]
    events = run(scenario, [*primary_only, *gone])
    raised = rows(events, "non_cooperative", "raised")
    assert len(raised) == 1 and raised[0]["volume"] == "NIAMEY FIR"
    noncoop = raised[0]["track_ids"][0]
    assert not cycles[5].tracks.filter(pc.equal(cycles[5].tracks["track_id"], noncoop))["cooperative"][0].as_py()
    assert raised[0]["time_raised_s"] - scenario.start_time_s <= 30.0
    assert len(rows(events, "non_cooperative", "cleared")) == 1


def test_infringement_is_predicted_a_minute_ahead_then_current_then_cleared_after_exit(niger_events, baseline):
    scenario, cycles = niger_events
    ev = event(scenario, "airspace_infringement")
    events = baseline
    mine = [r for r in rows(events, "airspace_infringement") if r["track_ids"] == [ev.target_id]]
    assert mine, "no infringement alert for the scripted aircraft"
    raised = mine[0]
    assert raised["state"] == "raised" and raised["volume"] == ev.detail["zone"]
    assert raised["time_raised_s"] <= ev.time_s - 60.0
    assert abs(raised["time_predicted_s"] - ev.time_s) <= 15.0
    became_current = [r for r in mine if r["state"] == "updated" and r["time_predicted_s"] is None]
    assert became_current and abs(became_current[0]["time_s"] - ev.time_s) <= 10.0
    # Exit time from the tracks themselves.
    zone = default_niger_airspace().by_name(ev.detail["zone"]).polygon
    inside_times = []
    for c in cycles:
        t = c.tracks.filter(pc.equal(c.tracks["track_id"], ev.target_id))
        if t.num_rows and zone.contains(shapely.Point(t["lon_deg"][0].as_py(), t["lat_deg"][0].as_py())):
            inside_times.append(c.now_s)
    exit_s = max(inside_times)
    cleared = [r for r in mine if r["state"] == "cleared"]
    assert len(cleared) == 1 and exit_s < cleared[0]["time_cleared_s"] <= exit_s + 40.0
    # Nobody else infringes in this scenario.
    assert {tuple(r["track_ids"]) for r in rows(events, "airspace_infringement")} == {(ev.target_id,)}


def test_stca_is_raised_a_minute_before_separation_is_lost_and_clears_after_the_encounter(niger_events, baseline):
    scenario, cycles = niger_events
    ev = event(scenario, "stca")
    a, b = ev.target_id, ev.detail["other_target_id"]
    dist = []
    for c in cycles:
        t = c.tracks.filter(pc.is_in(c.tracks["track_id"], pa.array([a, b])))
        if t.num_rows == 2:
            la, lo = t["lat_deg"].to_numpy(), t["lon_deg"].to_numpy()
            dist.append((c.now_s, float(haversine_m(la[0], lo[0], la[1], lo[1]))))
    loss = [t for t, d in dist if d < 5 * NM]
    assert loss, "the scripted pair never came within 5 NM"
    loss_start, loss_end = min(loss), max(loss)
    events = baseline
    pair = [a, b] if a < b else [b, a]
    # The background traffic is not deconflicted: other alerts must be real losses of separation too.
    others = [r for r in rows(events, "stca", "raised") if r["track_ids"] != pair]
    assert all(really_conflicts(cycles, r["track_ids"], r["time_raised_s"]) for r in others)
    stca = [r for r in rows(events, "stca") if r["track_ids"] == pair]
    raised = [r for r in stca if r["state"] == "raised"]
    assert len(raised) == 1 and raised[0]["time_raised_s"] <= loss_start - 60.0
    assert abs(raised[0]["time_predicted_s"] - loss_start) <= 20.0
    cleared = [r for r in stca if r["state"] == "cleared"]
    assert len(cleared) == 1 and loss_end < cleared[0]["time_cleared_s"] <= loss_end + 40.0


def test_spoofed_adsb_ghost_is_flagged_within_30_s_and_real_aircraft_are_not(niger_events, baseline):
    scenario, cycles = niger_events
    ev = event(scenario, "spoofing")
    meas = pa.concat_tables([c.measurements for c in cycles])
    spoofed = meas.filter(pc.and_(pc.is_null(meas["target_id"]), pc.equal(meas["kind"], "adsb")))
    ghost_icao = set(spoofed["icao24"].drop_null().to_pylist())
    assert len(ghost_icao) == 1
    real_icao = set(meas.filter(pc.is_valid(meas["target_id"]))["icao24"].drop_null().to_pylist())
    events = baseline
    flagged = {r["icao24"]: r for r in rows(events, "spoofing", "raised")}
    (ghost,) = ghost_icao
    assert ghost in flagged, "the ghost was not flagged"
    delay = flagged[ghost]["time_raised_s"] - ev.time_s
    false_flags = set(flagged) & real_icao
    print(f"\nspoofing: ghost flagged after {delay:.0f} s; real aircraft flagged {len(false_flags)}/{len(real_icao)}")
    assert delay <= 30.0
    assert not false_flags
    cleared = [r for r in rows(events, "spoofing", "cleared") if r["icao24"] == ghost]
    assert len(cleared) == 1 and ev.detail["until_s"] < cleared[0]["time_cleared_s"] <= ev.detail["until_s"] + 90.0


def test_alert_rows_carry_the_alert_contract_fields(baseline):
    from airpicture.core.schema import ALERT

    events = baseline
    assert events.num_rows > 0
    for field in ALERT:
        assert events.schema.field(field.name).type == field.type
    assert set(events["state"].to_pylist()) <= {"raised", "updated", "acknowledged", "cleared"}
    assert np.all(pc.is_valid(events["message"]).to_numpy(zero_copy_only=False))
