"""The Niger scenario: real aerodromes and sensors, the traffic mix, and every scripted event at its stated time."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import shapely.geometry

from airpicture.core.geodesy import haversine_m
from airpicture.core.geography import aerodrome
from airpicture.core.units import NM_TO_M
from airpicture.sim import build_scenario
from airpicture.sim.niger import ILLUSTRATIVE_ZONES
from tests.sim.conftest import column


def _event(scenario, kind, **detail):
    return next(e for e in scenario.events if e.kind == kind and all(e.detail.get(k) == v for k, v in detail.items()))


def test_sensors_sit_at_real_aerodromes(niger_run):
    scenario, _ = niger_run
    by_id = {s.id: s for s in scenario.sensors}
    radar = by_id["niamey-psr-ssr"]
    niamey = aerodrome("DRRN")
    assert radar.kind == "psr_ssr" and 4.0 <= radar.rotation_period_s <= 12.0
    assert haversine_m(radar.lat_deg, radar.lon_deg, niamey.lat_deg, niamey.lon_deg) < 100.0
    receivers = [s for s in scenario.sensors if s.kind == "adsb"]
    assert 6 <= len(receivers) <= 10
    assert any(s.kind == "mlat" for s in scenario.sensors)


def test_traffic_mix_and_identities(niger_run):
    scenario, out = niger_run
    truth = out.truth
    first = column(truth, "time_s") == column(truth, "time_s").min()
    assert 40 <= first.sum() <= 80
    callsigns = {c for c in column(truth, "callsign") if c}
    prefixes = {c[:3] for c in callsigns}
    assert {"AFR", "RAM", "ETH", "SKK", "NIN"} <= prefixes
    assert set(column(truth, "aircraft_class")) == {"jet", "turboprop", "ga"}
    icao = [a for a in column(truth, "icao24") if a]
    assert all(len(a) == 6 and int(a, 16) > 0 for a in icao)
    squawks = [s for s in column(truth, "squawk") if s]
    assert all(len(s) == 4 and set(s) <= set("01234567") for s in squawks)
    # Domestic routes link the Niger aerodromes: flights start or end at Niamey, Agadez, Zinder, Maradi, Tahoua.
    fleet = scenario.fleet
    last = fleet.wp_x[np.arange(fleet.n), fleet.n_wp - 1], fleet.wp_y[np.arange(fleet.n), fleet.n_wp - 1]
    ends = np.concatenate([np.stack([fleet.wp_x[:, 0], fleet.wp_y[:, 0]], 1), np.stack(last, 1)])
    for code in ("DRRN", "DRZA", "DRZR", "DRRM", "DRRT"):
        a = aerodrome(code)
        x, y = scenario.plane.to_xy(a.lat_deg, a.lon_deg)
        assert (np.hypot(ends[:, 0] - x, ends[:, 1] - y) < 100.0).any(), code


def test_aircraft_without_transponder_is_seen_by_primary_radar_only(niger_run):
    _scenario, out = niger_run
    truth = out.truth
    ga = column(truth, "callsign") == "5UAGN"
    target = int(column(truth, "target_id")[ga][0])
    assert not column(truth, "cooperative")[ga].any()
    assert all(v is None for v in column(truth, "icao24")[ga])
    m = out.measurements
    mine = column(m, "target_id") == target
    assert mine.sum() > 50  # a plot nearly every 6 s scan over 600 s
    assert set(column(m, "kind")[mine]) == {"psr"}


def test_emergency_squawk_7700_and_adsb_emergency_at_the_stated_time(niger_run):
    scenario, out = niger_run
    ev = _event(scenario, "emergency", squawk="7700")
    m = out.measurements
    mine = column(m, "icao24") == ev.icao24
    t = column(m, "time_s")
    squawk = column(m, "squawk")
    assert np.all(squawk[mine & (t < ev.time_s)] != "7700")
    seen = t[mine & (squawk == "7700")]
    assert ev.time_s <= seen.min() < ev.time_s + 2.0  # ~4 ADS-B messages/s carry the code; receptions can be lost
    radar_7700 = mine & (squawk == "7700") & np.isin(column(m, "kind"), ["ssr", "psr_ssr"])
    assert ev.time_s <= t[radar_7700].min() < ev.time_s + 10.0
    assert set(column(m, "emergency")[radar_7700]) == {"general"}
    adsb_emergency = mine & (column(m, "tc") == 28) & (column(m, "emergency") == "general")
    # Sent at once, then every second (DO-260B); up to a few in a row can be lost at long range.
    assert ev.time_s <= t[adsb_emergency].min() < ev.time_s + 5.0


def test_adsb_only_emergency_status_at_the_stated_time(niger_run):
    scenario, out = niger_run
    ev = _event(scenario, "emergency", emergency="minfuel")
    m = out.measurements
    mine = column(m, "icao24") == ev.icao24
    t = column(m, "time_s")
    status = mine & (column(m, "emergency") == "minfuel")
    assert ev.time_s <= t[status].min() < ev.time_s + 5.0
    gaps = np.diff(np.unique(np.floor(t[status])))
    assert np.median(gaps) <= 1.0  # emergency status at ~1 s, not the routine 5 s
    assert set(column(m, "kind")[status]) == {"adsb"}
    assert "7700" not in set(column(m, "squawk")[mine])


def test_transponder_switched_off_leaves_primary_plots_only(niger_run):
    scenario, out = niger_run
    ev = _event(scenario, "transponder_off")
    m = out.measurements
    mine = column(m, "target_id") == ev.target_id
    t = column(m, "time_s")
    kinds = column(m, "kind")
    before, after = mine & (t < ev.time_s), mine & (t >= ev.time_s)
    assert {"adsb", "psr_ssr"} <= set(kinds[before])
    assert set(kinds[after]) == {"psr"}
    assert after.sum() > 30
    assert ev.time_s - t[before & (kinds == "adsb")].max() < 1.5
    truth = out.truth
    sel = column(truth, "target_id") == ev.target_id
    coop = column(truth, "cooperative")[sel]
    tt = column(truth, "time_s")[sel]
    assert coop[tt < ev.time_s].all() and not coop[tt >= ev.time_s].any()


def test_zone_infringement_happens_at_the_stated_time(niger_run):
    scenario, out = niger_run
    ev = _event(scenario, "airspace_infringement")
    zone = ILLUSTRATIVE_ZONES[0]
    assert zone["properties"]["illustrative"] and "ILLUSTRATIVE" in zone["properties"]["name"]
    assert {"name", "kind", "floor_ft", "ceiling_ft"} <= set(zone["properties"])
    poly = shapely.geometry.shape(zone["geometry"])
    truth = out.truth
    sel = column(truth, "target_id") == ev.target_id
    t = column(truth, "time_s")[sel]
    inside = np.array(
        [
            poly.contains(shapely.geometry.Point(lo, la))
            for la, lo in zip(column(truth, "lat_deg")[sel], column(truth, "lon_deg")[sel], strict=True)
        ]
    )
    alt = column(truth, "alt_ft")[sel]
    entry = t[inside].min()
    assert abs(entry - ev.time_s) <= 2.0
    assert np.all(alt[inside] < zone["properties"]["ceiling_ft"])


def test_spoofed_target_is_heard_by_one_receiver_and_has_no_aircraft(niger_run):
    scenario, out = niger_run
    ev = _event(scenario, "spoofing")
    m = out.measurements
    ghost = column(m, "callsign") == "AFR1999"
    assert ghost.sum() > 500
    assert set(column(m, "sensor")[ghost]) == {ev.detail["receiver"]}
    assert set(column(m, "icao24")[ghost]) == {ev.icao24}
    assert set(column(m, "kind")[ghost]) == {"adsb"}
    assert np.isnan(column(m, "target_id")[ghost].astype(float)).all()
    t = column(m, "time_s")[ghost]
    assert ev.time_s <= t.min() < ev.time_s + 2.0 and t.max() <= ev.detail["until_s"] + 2.0
    assert "AFR1999" not in set(column(out.truth, "callsign"))
    # It claims FL350 where several receivers and the Niamey SSR would see a real aircraft.
    assert np.nanmin(column(m, "alt_baro_ft")[ghost]) > 34000


def test_converging_pair_reaches_closest_approach_at_the_stated_time(niger_run):
    scenario, out = niger_run
    ev = _event(scenario, "stca")
    truth = out.truth
    ids, t = column(truth, "target_id"), column(truth, "time_s")
    a, b = ids == ev.target_id, ids == ev.detail["other_target_id"]
    common = np.intersect1d(t[a], t[b])
    ia, ib = np.searchsorted(t[a], common), np.searchsorted(t[b], common)
    d = haversine_m(column(truth, "lat_deg")[a][ia], column(truth, "lon_deg")[a][ia],
                    column(truth, "lat_deg")[b][ib], column(truth, "lon_deg")[b][ib])  # fmt: skip
    assert abs(common[np.argmin(d)] - ev.time_s) <= 3.0
    assert abs(d.min() - ev.detail["min_separation_m"]) < 0.2 * NM_TO_M
    assert np.abs(column(truth, "alt_ft")[a][ia] - column(truth, "alt_ft")[b][ib]).max() < 1.0
    assert d[0] > 5 * NM_TO_M  # separated at the start, below 5 NM later: a real conflict


def test_same_seed_gives_the_same_output_and_stream_equals_run():
    one = build_scenario("niger", seed=5).run(40.0)
    two = build_scenario("niger", seed=5).run(40.0)
    assert one.measurements.equals(two.measurements) and one.truth.equals(two.truth)
    steps = build_scenario("niger", seed=5).stream(7.0)
    parts = [next(steps) for _ in range(6)]  # 6 × 7 s ≥ 40 s
    streamed = pa.concat_tables([p.measurements for p in parts])
    assert streamed.slice(0, one.measurements.num_rows).equals(one.measurements)
    assert parts[0].time_s == build_scenario("niger", seed=5).start_time_s + 7.0
    other = build_scenario("niger", seed=6).run(40.0)
    assert not other.measurements.equals(one.measurements)


def test_run_covers_exactly_the_requested_duration():
    scenario = build_scenario("niger", seed=5)
    out = scenario.run(25.0, chunk_s=10.0)
    assert scenario.time_s == scenario.start_time_s + 25.0
    assert column(out.truth, "time_s").max() == scenario.start_time_s + 24.0
    assert column(out.measurements, "time_s").max() < scenario.start_time_s + 25.0


def test_more_primary_only_aircraft_on_request():
    scenario = build_scenario("niger", seed=5, events=False, primary_only=4)
    out = scenario.run(60.0)
    truth, m = out.truth, out.measurements
    silent = np.unique(column(truth, "target_id")[~column(truth, "cooperative")])
    assert len(silent) == 4
    for target in silent:
        mine = column(m, "target_id") == target
        assert mine.sum() >= 5 and set(column(m, "kind")[mine]) == {"psr"}


def test_events_can_be_turned_off():
    scenario = build_scenario("niger", seed=5, events=False)
    assert scenario.events == []
    out = scenario.run(30.0)
    assert "7700" not in set(column(out.measurements, "squawk"))
    assert "5UAGN" in set(column(out.truth, "callsign"))  # the primary-only aircraft is traffic, not an event
