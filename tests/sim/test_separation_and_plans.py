"""Deconflicted background traffic, flight plans for the scheduled flights, and the GNSS-jamming / target-state
messages through the Beast path."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from airpicture.core.geodesy import haversine_m
from airpicture.decode.modes import ModeSDecoder
from airpicture.identify import FlightPlanStore
from airpicture.sim import build_scenario
from airpicture.sim.deconflict import semicircular_levels_ft
from airpicture.sim.traffic import CLASSES, GA, JET, TURBOPROP
from airpicture.sources.beast import BeastParser
from tests.sim.conftest import column


def test_semicircular_levels_are_odd_eastbound_and_even_westbound():
    jet, tprop, ga = CLASSES.index(JET), CLASSES.index(TURBOPROP), CLASSES.index(GA)
    assert semicircular_levels_ft(jet, 90.0) == [31000.0, 33000.0, 35000.0, 37000.0, 39000.0]
    assert semicircular_levels_ft(jet, 270.0) == [30000.0, 32000.0, 34000.0, 36000.0, 38000.0]
    assert semicircular_levels_ft(tprop, 179.0) == [17000.0, 19000.0, 21000.0, 23000.0, 25000.0]
    assert semicircular_levels_ft(tprop, 180.0) == [18000.0, 20000.0, 22000.0, 24000.0]
    assert semicircular_levels_ft(ga, 10.0) == [5500.0, 7500.0, 9500.0]  # VFR: + 500 ft
    assert semicircular_levels_ft(ga, 200.0) == [4500.0, 6500.0, 8500.0]


def test_background_traffic_never_loses_separation_only_the_scripted_pair_does(niger_run):
    scenario, out = niger_run
    truth = out.truth
    stca = next(e for e in scenario.events if e.kind == "stca")
    scripted = {stca.target_id, stca.detail["other_target_id"]}
    t = column(truth, "time_s")
    losses = set()
    for now in np.unique(t)[::2]:
        sel = np.flatnonzero(t == now)
        ids = column(truth, "target_id")[sel]
        lat, lon, alt = (column(truth, n)[sel] for n in ("lat_deg", "lon_deg", "alt_ft"))
        i, j = np.triu_indices(len(sel), 1)
        near = np.round(np.abs(alt[i] - alt[j])) < 1000.0
        near[near] = haversine_m(lat[i[near]], lon[i[near]], lat[j[near]], lon[j[near]]) < 5 * 1852.0
        losses |= {frozenset((int(a), int(b))) for a, b in zip(ids[i[near]], ids[j[near]], strict=True)}
    assert losses == {frozenset(scripted)}
    report = scenario.extra["deconfliction"]
    assert report.window_s >= 600.0 and set(report.removed) <= set(range(scenario.fleet.n))


def test_every_scheduled_flight_files_a_flight_plan_that_loads_and_matches_its_address_and_level(niger_run):
    scenario, out = niger_run
    store = FlightPlanStore()
    assert store.apply(scenario.flight_plans) == []
    by_code = {p.mode_s_address: p for p in store.plans.values() if p.mode_s_address}
    truth = out.truth
    last = truth.filter(pc.equal(truth["time_s"], pc.max(truth["time_s"])))
    fleet = scenario.fleet
    checked = 0
    for row in last.to_pylist():
        if row["icao24"] is None or fleet.ghost_receiver[row["target_id"]] >= 0:
            continue
        plan = by_code.get(row["icao24"])
        assert plan is not None, row["callsign"]
        assert plan.aircraft_id == row["callsign"]
        assert plan.route.cruise_level_ft == round(fleet.cruise_alt_m[row["target_id"]] / 0.3048)
        checked += 1
    assert checked >= 30


def test_gnss_jamming_and_selected_altitude_travel_in_beast_frames():
    """Inside the jammed region ADS-B positions carry NIC 4 (type code 15) and the operational status NACp 5;
    the target state (TC 29) carries the selected altitude; the real decoder reads all three back."""
    framed = build_scenario("niger", seed=3, events=False, extra_events=("gnss_interference",), deconflict_s=0)
    plain = build_scenario("niger", seed=3, events=False, extra_events=("gnss_interference",), deconflict_s=0)
    jam = next(e for e in plain.events if e.kind == "gnss_interference")
    frames_it, plain_it = framed.stream_frames(10.0), plain.stream(10.0)
    decoder = ModeSDecoder(sensor="adsb-drrn", reference_lat_lon=(13.48, 2.18))
    while True:
        t1, feeds, _ = next(frames_it)
        step = next(plain_it)
        feed = next(f for f in feeds if f.sensor == "adsb-drrn")
        decoded = decoder.decode(BeastParser(feed.sensor, start_time_s=feed.first_time_s).feed(feed.data, final=True))
        if t1 >= jam.time_s + 60.0:
            break
    m = step.measurements
    expected = m.filter(pc.equal(m["sensor"], "adsb-drrn"))
    assert decoded.num_rows == expected.num_rows
    nic = column(expected, "nic")
    # (An aircraft's NIC needs its ADS-B version, from an operational status heard first: nearly all are known.)
    assert (nic == 4).sum() > 10 and (column(decoded, "nic") == 4).sum() >= 0.9 * (nic == 4).sum()
    exp_nacp5 = (column(expected, "tc") == 31) & (column(expected, "nacp") == 5)
    got_nacp5 = (column(decoded, "tc") == 31) & (column(decoded, "nacp") == 5)
    assert exp_nacp5.sum() > 0 and got_nacp5.sum() == exp_nacp5.sum()
    ts = column(expected, "tc") == 29
    got_ts = column(decoded, "tc") == 29
    assert ts.sum() > 20
    exp_pairs = sorted(zip(column(expected, "icao24")[ts], column(expected, "selected_alt_ft")[ts], strict=True))
    got_pairs = sorted(zip(column(decoded, "icao24")[got_ts], column(decoded, "selected_alt_ft")[got_ts], strict=True))
    assert exp_pairs == got_pairs
    # The degraded reports are all inside the region.
    pos = (nic == 4) & np.isfinite(column(expected, "lat_deg"))
    d = haversine_m(jam.detail["lat_deg"], jam.detail["lon_deg"], column(expected, "lat_deg")[pos],
                    column(expected, "lon_deg")[pos])  # fmt: skip
    assert (d <= jam.detail["radius_m"] + 5e3).all()
