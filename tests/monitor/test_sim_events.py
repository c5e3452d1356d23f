"""The simulator's opt-in scripted events, through the monitors: GNSS jamming, a flight-plan route deviation, a
climb through another aircraft's level (STCA at least 60 s ahead) and a level-off 1,000 ft below one (no STCA)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from airpicture.core.geodesy import haversine_m
from airpicture.identify import FlightPlanStore
from airpicture.monitor import MonitorSet, default_niger_airspace
from tests.monitor.simtracks import Cycle, sim_cycles


@pytest.fixture(scope="module")
def extra_run() -> tuple[object, list[Cycle], list[dict]]:
    """The Niger scenario with only the extra events, 640 s in 4-s cycles, through every monitor with the
    scenario's own flight plans."""
    sim = pytest.importorskip("airpicture.sim")
    scenario = sim.build_scenario("niger", seed=0, events=False, extra_events="all")
    cycles = list(sim_cycles(scenario, 640.0))
    store = FlightPlanStore()
    assert store.apply(scenario.flight_plans) == []
    monitors = MonitorSet(default_niger_airspace(), flight_plans=store, sensors=scenario.sensors)
    events = pa.concat_tables([monitors.update(c.tracks, c.now_s, c.measurements) for c in cycles]).to_pylist()
    return scenario, cycles, events


def _event(scenario, kind: str):
    return next(e for e in scenario.events if e.kind == kind)


def _first_loss_s(cycles: list[Cycle], a: int, b: int) -> float | None:
    """First cycle at which the truth of ``a`` and ``b`` is within 5 NM and under 1000 ft."""
    for c in cycles:
        rows = {r["target_id"]: r for r in c.truth.to_pylist() if r["target_id"] in (a, b)}
        if len(rows) == 2:
            p, q = rows[a], rows[b]
            d = haversine_m(p["lat_deg"], p["lon_deg"], q["lat_deg"], q["lon_deg"])
            if d < 5 * 1852.0 and round(abs(p["alt_ft"] - q["alt_ft"])) < 1000:
                return c.now_s
    return None


def test_gnss_jamming_event_is_alerted_over_the_region_with_its_aircraft_and_clears(extra_run):
    scenario, _cycles, events = extra_run
    jam = _event(scenario, "gnss_interference")
    gnss = [r for r in events if r["kind"] == "gnss_interference"]
    raised = [r for r in gnss if r["state"] == "raised"]
    assert len(raised) == 1, gnss
    assert jam.time_s < raised[0]["time_raised_s"] <= jam.time_s + 60.0
    assert len(raised[0]["track_ids"]) >= 3
    lat, lon = (float(v[:-1]) for v in raised[0]["volume"].split()[2:4])
    assert haversine_m(jam.detail["lat_deg"], jam.detail["lon_deg"], lat, lon) < jam.detail["radius_m"]
    cleared = [r for r in gnss if r["state"] == "cleared"]
    assert len(cleared) == 1 and jam.detail["until_s"] < cleared[0]["time_cleared_s"] <= jam.detail["until_s"] + 200


def test_route_deviation_from_the_filed_flight_plan_is_alerted_on_that_flight_only_and_clears(extra_run):
    scenario, _cycles, events = extra_run
    dev = _event(scenario, "fpl_deviation")
    fpl = [r for r in events if r["kind"] == "fpl_deviation"]
    # Every other flight flies its filed route and level: the deviating one is the only alert.
    assert {tuple(r["track_ids"]) for r in fpl} == {(dev.target_id,)}, fpl
    raised = [r for r in fpl if r["state"] == "raised"]
    assert len(raised) == 1 and "NM off the route" in raised[0]["message"]
    assert dev.time_s - 40.0 <= raised[0]["time_raised_s"] <= dev.time_s + 40.0
    cleared = [r for r in fpl if r["state"] == "cleared"]
    back = dev.detail["back_on_route_s"]
    assert len(cleared) == 1 and back - 40.0 <= cleared[0]["time_cleared_s"] <= back + 80.0


def test_climb_through_another_level_is_alerted_at_least_60_s_before_separation_is_lost(extra_run):
    scenario, cycles, events = extra_run
    climb = _event(scenario, "stca_climb_through")
    pair = sorted([climb.target_id, climb.detail["other_target_id"]])
    loss_s = _first_loss_s(cycles, *pair)
    assert loss_s is not None  # the truth really loses separation
    raised = [r for r in events if r["kind"] == "stca" and r["state"] == "raised" and sorted(r["track_ids"]) == pair]
    assert len(raised) == 1
    warning_s = loss_s - raised[0]["time_raised_s"]
    print(f"\nclimb through FL340: STCA {warning_s:.0f} s before the loss of separation")
    assert warning_s >= 60.0
    cleared = [r for r in events if r["kind"] == "stca" and r["state"] == "cleared" and sorted(r["track_ids"]) == pair]
    assert len(cleared) == 1 and loss_s < cleared[0]["time_cleared_s"] <= loss_s + 120.0


def test_level_off_1000_ft_below_traffic_raises_no_stca(extra_run):
    scenario, cycles, events = extra_run
    level_off = _event(scenario, "stca_level_off")
    pair = sorted([level_off.target_id, level_off.detail["other_target_id"]])
    assert _first_loss_s(cycles, *pair) is None
    # The climbing aircraft did level off 1,000 ft below the other one, right under it.
    last = {r["target_id"]: r for c in cycles for r in c.truth.to_pylist() if r["target_id"] in pair}
    assert abs(last[level_off.target_id]["alt_ft"] - 33000.0) < 50.0
    assert not [r for r in events if r["kind"] == "stca" and sorted(r["track_ids"]) == pair]
    # Nor any other pair: the background traffic is deconflicted; the climb-through pair is the one STCA alert.
    climb = _event(scenario, "stca_climb_through")
    climb_pair = sorted([climb.target_id, climb.detail["other_target_id"]])
    stca = [r for r in events if r["kind"] == "stca" and r["state"] == "raised"]
    assert [sorted(r["track_ids"]) for r in stca] == [climb_pair]
