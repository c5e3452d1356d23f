"""The stress scenario: 10,000 aircraft for the tracker's capacity test, generated fast."""

from __future__ import annotations

import time

import numpy as np
import pytest

from airpicture.core.geodesy import haversine_m
from airpicture.sim import build_scenario
from tests.sim.conftest import column


def test_stress_with_10000_aircraft_generates_60_s_in_reasonable_time():
    started = time.process_time()
    scenario = build_scenario("stress", seed=1, n_aircraft=10_000, n_radars=4, n_receivers=20)
    out = scenario.run(60.0)
    cpu_s = time.process_time() - started
    rate = 10_000 * 60.0 / cpu_s
    print(f"stress 10,000 aircraft × 60 s: {cpu_s:.1f} s CPU, {rate:,.0f} aircraft-seconds per CPU second")
    # Faster than real time by a wide margin even on a loaded shared machine (measured ≈ 15x on 2 cores).
    assert cpu_s < 60.0
    truth = out.truth
    assert truth.num_rows == 10_000 * 60
    assert len(scenario.sensors) == 24
    kinds = set(column(out.measurements, "kind"))
    assert {"adsb", "psr_ssr", "ssr", "psr"} <= kinds
    assert out.measurements.num_rows > 500_000
    t = column(out.measurements, "time_s")
    assert np.all(np.diff(t) >= 0)


def test_stress_traffic_stays_in_its_area_and_keeps_manoeuvring():
    scenario = build_scenario("stress", seed=2, n_aircraft=300, n_radars=2, n_receivers=4, area=800.0)
    out = scenario.run(300.0)
    truth = out.truth
    assert np.unique(column(truth, "time_s"), return_counts=True)[1].min() == 300  # none lost
    lat0, lon0 = scenario.plane.lat0_deg, scenario.plane.lon0_deg
    d = haversine_m(lat0, lon0, column(truth, "lat_deg"), column(truth, "lon_deg"))
    assert d.max() < 800e3 / 2 * np.sqrt(2) + 50e3
    vr = column(truth, "vertical_rate_fpm")
    assert (np.abs(vr) > 500).mean() > 0.05  # level changes at waypoints
    ids = column(truth, "target_id")
    order = np.lexsort((column(truth, "time_s"), ids))
    track = column(truth, "track_deg")[order]
    turning = np.abs((np.diff(track) + 180) % 360 - 180) > 0.5
    assert turning[ids[order][1:] == ids[order][:-1]].mean() > 0.02


def test_bad_scenario_options_raise_clear_errors():
    with pytest.raises(ValueError, match="n_aircraft"):
        build_scenario("stress", n_aircraft=0)
    with pytest.raises(ValueError, match="n_receivers"):
        build_scenario("stress", n_aircraft=10, n_receivers=-1)
    with pytest.raises(ValueError, match="unknown scenario"):
        build_scenario("atlantis")
    # No receivers and no radars is a valid (silent) configuration: truth only.
    out = build_scenario("stress", n_aircraft=10, n_radars=0, n_receivers=0).run(5.0)
    assert out.measurements.num_rows == 0 and out.truth.num_rows == 50
