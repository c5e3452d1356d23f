"""Flight-plan deviation: route and level checked against the correlated plan, cleared by an amendment."""

from __future__ import annotations

import pyarrow as pa

from airpicture.core.geodesy import destination
from airpicture.identify import FlightPlanStore
from airpicture.monitor import Airspace, MonitorSet
from tests.monitor.synth import Flight, fly

# An aircraft flying from 15N 3E due east at FL350, callsign TST000 (track 0), TST001 (track 1).
START = (15.0, 3.0)


def latlon(lat: float, lon: float) -> str:
    return f"{int(lat):02d}{round(lat % 1 * 60):02d}N{int(lon):03d}{round(lon % 1 * 60):02d}E"


def plan(callsign: str, level: str, lat_offset: float = 0.0) -> str:
    a = latlon(START[0] + lat_offset, START[1] - 1.0)
    b = latlon(START[0] + lat_offset, START[1] + 3.0)
    return f"(FPL-{callsign}-IS-B738/M-S/C-DRRN0800-N0450{level} DCT {a} DCT {b} DCT-DRZA0200-0)"


def run(store: FlightPlanStore, snapshots, amend_at: int | None = None, amendment: str = "") -> list:
    monitors = MonitorSet(Airspace([]), flight_plans=store)
    events = []
    for k, (now, t) in enumerate(snapshots):
        if k == amend_at:
            assert store.apply(amendment) == []
        events.append(monitors.update(t, now))
    return [r for r in pa.concat_tables(events).to_pylist() if r["kind"] == "fpl_deviation"]


def test_on_route_at_the_planned_level_is_quiet_and_off_route_or_level_is_alerted():
    lat_b, lon_b = destination(START[0], START[1], 0.0, 30 * 1852.0)  # track 1: 30 NM north of its route
    flights = [Flight(*START, 35000.0, 450.0, 90.0), Flight(float(lat_b), float(lon_b), 35000.0, 450.0, 90.0)]
    store = FlightPlanStore()
    assert store.apply(plan("TST000", "F350") + plan("TST001", "F350")) == []
    events = run(store, fly(flights, 60.0))
    assert [(r["track_ids"], r["state"]) for r in events] == [([1], "raised")]
    assert "NM off the route" in events[0]["message"] and events[0]["volume"].startswith("TST001")
    store = FlightPlanStore()
    store.apply(plan("TST000", "F370"))
    events = run(store, fly(flights[:1], 60.0))
    assert [(r["track_ids"], r["state"]) for r in events] == [([0], "raised")]
    assert "37000 ft here" in events[0]["message"]


def test_a_chg_that_matches_the_flight_clears_the_level_deviation():
    store = FlightPlanStore()
    store.apply(plan("TST000", "F370"))
    snapshots = fly([Flight(*START, 35000.0, 450.0, 90.0)], 160.0)
    chg = f"(CHG-TST000-DRRN0800-DRZA-15/{plan('TST000', 'F350').split('-')[6]})"
    events = run(store, snapshots, amend_at=10, amendment=chg)
    assert [r["state"] for r in events] == ["raised", "cleared"]
