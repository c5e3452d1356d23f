"""Sensor models: beam-crossing times, line of sight, Pd, noise, clutter, ADS-B rates and NACp noise, MLAT."""

from __future__ import annotations

import numpy as np
import pytest

from airpicture.core.geodesy import SystemPlane, haversine_m, initial_bearing_deg, slant_range_from_ground
from airpicture.core.sensors import Sensor
from airpicture.core.units import FT_TO_M, KT_TO_MPS
from airpicture.sim.scenario import Scenario
from airpicture.sim.sensor_models import AdsbNetwork, MlatModel, RadarModel, line_of_sight, nacp_sigma_m
from airpicture.sim.traffic import XPDR_ADSB, Fleet
from tests.sim.conftest import column, truth_at

SITE = (13.48, 2.18, 240.0)


def _fleet_around(plane, n, range_lo_m, range_hi_m, alt_ft, rng, *, nacp=8, xpdr=XPDR_ADSB):
    """``n`` jets in level flight at ranges [lo, hi] from SITE, flying straight tangential 400 km legs."""
    rng_m = np.sqrt(rng.uniform(range_lo_m**2, range_hi_m**2, n))
    bearing = rng.uniform(0.0, 2 * np.pi, n)
    sx, sy = plane.to_xy(SITE[0], SITE[1])
    x0, y0 = sx + rng_m * np.sin(bearing), sy + rng_m * np.cos(bearing)
    heading = bearing + np.pi / 2
    wx = np.stack([x0, x0 + 400e3 * np.sin(heading)], axis=1)
    wy = np.stack([y0, y0 + 400e3 * np.cos(heading)], axis=1)
    fleet = Fleet(
        plane, route_x_m=wx, route_y_m=wy, n_waypoints=np.full(n, 2), cls=np.zeros(n, dtype=np.int8),
        cruise_alt_m=np.full(n, alt_ft * FT_TO_M), cruise_tas_mps=np.full(n, 300 * KT_TO_MPS),
        start_time_s=np.zeros(n), lands=np.zeros(n, dtype=bool), cyclic=np.zeros(n, dtype=bool),
        dest_elev_m=np.zeros(n), icao24=np.arange(n) + 0x100000, callsign=[f"T{i}" for i in range(n)],
        squawk=np.full(n, 1234), xpdr=np.full(n, xpdr), nacp=np.full(n, nacp),
    )  # fmt: skip
    fleet.place_on_route(np.arange(n), np.zeros(n), np.full(n, np.inf))
    return fleet


def _scenario(fleet, sensors, models, rng):
    return Scenario("test", plane=fleet.plane, fleet=fleet, sensors=sensors, models=models, start_time_s=0.0,
                    rng=rng, dt_s=1.0)  # fmt: skip


def _radar(period_s=4.0, pd_psr=0.8, pd_ssr=0.95, clutter=5.0, psr_max=150e3):
    s = Sensor("radar", "psr_ssr", SITE[0], SITE[1], SITE[2], rotation_period_s=period_s, sigma_range_m=60.0,
               sigma_azimuth_deg=0.07, range_max_m=400e3)  # fmt: skip
    return s, RadarModel(s, pd_psr=pd_psr, pd_ssr=pd_ssr, psr_range_max_m=psr_max, ssr_range_max_m=400e3,
                         clutter_per_scan=clutter, north_time_s=1.3)  # fmt: skip


@pytest.fixture(scope="module")
def radar_run():
    rng = np.random.default_rng(3)
    plane = SystemPlane(SITE[0], SITE[1])
    fleet = _fleet_around(plane, 200, 30e3, 140e3, 30000.0, rng)
    sensor, model = _radar()
    scenario = _scenario(fleet, [sensor], [(0, model)], rng)
    return scenario, model, scenario.run(120.0)


def test_radar_plots_are_stamped_at_their_own_beam_crossing(radar_run):
    """The plot's azimuth is where the beam pointed at the plot's time (to within the azimuth noise)."""
    _, model, out = radar_run
    m = out.measurements
    az = column(m, "azimuth_deg")
    beam = model.beam_azimuth_deg(column(m, "time_s"))
    err = (az - beam + 180.0) % 360.0 - 180.0
    assert np.abs(err).max() < 6 * 0.07
    # Plots spread over the scan, not bunched at step boundaries.
    frac = column(m, "time_s") % 1.0
    assert 0.4 < frac.mean() < 0.6


def test_radar_probability_of_detection_matches_configuration(radar_run):
    _, model, out = radar_run
    m = out.measurements
    kinds = column(m, "kind")
    tid = column(m, "target_id")
    n_targets, scans = 200, 120.0 / model.period_s
    opportunities = n_targets * scans
    ssr = np.isin(kinds, ["ssr", "psr_ssr"]).sum() / opportunities
    psr = np.isin(kinds, ["psr", "psr_ssr"])
    psr_targets = (psr & ~np.isnan(tid.astype(float))).sum() / opportunities
    assert abs(ssr - 0.95) < 0.015
    assert abs(psr_targets - 0.8) < 0.02
    # Never two plots of one aircraft in one scan.
    times = column(m, "time_s")
    for target in range(0, 200, 20):
        t = np.sort(times[tid == target])
        assert np.diff(t).min() > 0.9 * model.period_s


def test_radar_range_and_azimuth_noise_match_configuration(radar_run):
    _, _model, out = radar_run
    m = out.measurements
    tid = column(m, "target_id")
    real = ~np.isnan(tid.astype(float))
    range_err, az_err = [], []
    for target in np.unique(tid[real]).astype(int):
        sel = tid == target
        t = column(m, "time_s")[sel]
        true = truth_at(out.truth, target, t)
        ground = haversine_m(SITE[0], SITE[1], true["lat_deg"], true["lon_deg"])
        slant = slant_range_from_ground(ground, true["alt_ft"] * FT_TO_M, SITE[2])
        bearing = initial_bearing_deg(SITE[0], SITE[1], true["lat_deg"], true["lon_deg"])
        range_err.append(column(m, "range_m")[sel] - slant)
        az_err.append((column(m, "azimuth_deg")[sel] - bearing + 180.0) % 360.0 - 180.0)
    range_err, az_err = np.concatenate(range_err), np.concatenate(az_err)
    assert len(range_err) > 4000
    assert abs(range_err.mean()) < 5.0 and abs(range_err.std() / 60.0 - 1.0) < 0.06
    assert abs(az_err.std() / 0.07 - 1.0) < 0.06


def test_clutter_plots_per_scan_match_configuration(radar_run):
    _, model, out = radar_run
    m = out.measurements
    clutter = np.isnan(column(m, "target_id").astype(float))
    per_scan = clutter.sum() / (120.0 / model.period_s)
    assert 3.8 < per_scan < 6.2  # Poisson mean 5 over 30 scans: σ ≈ 0.4
    assert np.all(column(m, "kind")[clutter] == "psr")
    assert np.all(column(m, "range_m")[clutter] <= model.psr_range_max_m)


def test_radar_sees_only_targets_above_the_radio_horizon():
    """A light aircraft at 1,000 ft is seen at 40 km and never at 150 km (horizon ≈ 100 km on a 4/3 earth)."""
    rng = np.random.default_rng(4)
    plane = SystemPlane(SITE[0], SITE[1])
    near = _fleet_around(plane, 20, 35e3, 45e3, 1000.0, rng)
    sensor, model = _radar(pd_psr=1.0, pd_ssr=1.0, clutter=0.0, psr_max=300e3)
    out = _scenario(near, [sensor], [(0, model)], rng).run(40.0)
    assert out.measurements.num_rows >= 20 * 9
    far = _fleet_around(plane, 20, 145e3, 155e3, 1000.0, rng)
    sensor, model = _radar(pd_psr=1.0, pd_ssr=1.0, clutter=0.0, psr_max=300e3)
    out = _scenario(far, [sensor], [(0, model)], rng).run(40.0)
    assert out.measurements.num_rows == 0
    # The horizon formula itself: 4/3-earth horizon of a 30 m mast plus a 1,000 ft target ≈ 94 km.
    assert line_of_sight(np.array([93e3]), 30.0, np.array([1000 * FT_TO_M]))[0]
    assert not line_of_sight(np.array([96e3]), 30.0, np.array([1000 * FT_TO_M]))[0]


@pytest.fixture(scope="module")
def adsb_run():
    rng = np.random.default_rng(5)
    plane = SystemPlane(SITE[0], SITE[1])
    fleet = _fleet_around(plane, 100, 5e3, 20e3, 20000.0, rng, nacp=8)
    rx = Sensor("rx", "adsb", SITE[0], SITE[1], SITE[2], range_max_m=400e3)
    net = AdsbNetwork([rx], p_receive=0.8)
    scenario = _scenario(fleet, [rx], [(0, net)], rng)
    return scenario, scenario.run(60.0)


def test_adsb_message_rates_per_type_follow_do260b(adsb_run):
    _, out = adsb_run
    m = out.measurements
    tc = column(m, "tc")
    p = 0.8 * (1 - 0.5 * 15e3 / 400e3)  # reception probability at ~15 km
    per_aircraft_s = 100 * 60.0
    assert abs((tc == 11).sum() / per_aircraft_s / (2.0 * p) - 1.0) < 0.05  # positions ≈ 2 Hz
    assert abs((tc == 19).sum() / per_aircraft_s / (2.0 * p) - 1.0) < 0.05  # velocity ≈ 2 Hz
    assert abs((tc == 4).sum() / per_aircraft_s / (0.2 * p) - 1.0) < 0.15  # identification ≈ every 5 s
    assert set(column(m, "callsign")[tc == 4]) == {f"T{i}" for i in range(100)}


def test_adsb_position_noise_is_consistent_with_nacp(adsb_run):
    _, out = adsb_run
    m = out.measurements
    pos = column(m, "tc") == 11
    sigma = nacp_sigma_m(np.array([8]))[0]
    assert np.allclose(column(m, "sigma_h_m")[pos], sigma)
    assert np.all(column(m, "nacp")[pos] == 8)
    north, east = [], []
    tid = column(m, "target_id")
    for target in range(100):
        sel = pos & (tid == target)
        t = column(m, "time_s")[sel]
        true = truth_at(out.truth, target, t)
        north.append((column(m, "lat_deg")[sel] - true["lat_deg"]) * np.pi / 180 * 6371008.8)
        east.append((column(m, "lon_deg")[sel] - true["lon_deg"]) * np.pi / 180 * 6371008.8 * np.cos(0.2353))
    north, east = np.concatenate(north), np.concatenate(east)
    assert abs(north.std() / sigma - 1.0) < 0.05 and abs(east.std() / sigma - 1.0) < 0.05
    # 95 % of horizontal errors within the NACp 8 bound (EPU < 92.6 m).
    assert abs(np.mean(np.hypot(north, east) < 92.6) - 0.95) < 0.01


def test_adsb_is_not_heard_beyond_range_or_horizon():
    rng = np.random.default_rng(6)
    plane = SystemPlane(SITE[0], SITE[1])
    fleet = _fleet_around(plane, 50, 250e3, 300e3, 3000.0, rng)  # low and far: below the horizon
    rx = Sensor("rx", "adsb", SITE[0], SITE[1], SITE[2], range_max_m=400e3)
    out = _scenario(fleet, [rx], [(0, AdsbNetwork([rx]))], rng).run(20.0)
    assert out.measurements.num_rows == 0


def test_mlat_error_grows_outside_the_cluster():
    rng = np.random.default_rng(7)
    plane = SystemPlane(SITE[0], SITE[1])
    fleet = _fleet_around(plane, 150, 1e3, 200e3, 30000.0, rng)
    offsets = ((0, 0), (0.2, 0), (-0.2, 0), (0, 0.2), (0, -0.2))
    sites = [(SITE[0] + dlat, SITE[1] + dlon, 240.0) for dlat, dlon in offsets]
    sensor = Sensor("mlat", "mlat", SITE[0], SITE[1], 240.0, sigma_h_m=30.0, range_max_m=350e3)
    model = MlatModel(sensor, sites, baseline_m=30e3)
    out = _scenario(fleet, [sensor], [(0, model)], rng).run(30.0)
    m = out.measurements
    assert set(column(m, "kind")) == {"mlat"}
    sigma = column(m, "sigma_h_m")
    d = haversine_m(SITE[0], SITE[1], column(m, "lat_deg"), column(m, "lon_deg"))
    near, far = d < 20e3, d > 100e3
    assert sigma[near].mean() < 60.0 and sigma[far].mean() > 300.0
    # Errors drawn with the reported σ: normalised errors have unit spread.
    tid = column(m, "target_id").astype(int)
    z = []
    for target in np.unique(tid):
        sel = tid == target
        true = truth_at(out.truth, target, column(m, "time_s")[sel])
        dn = (column(m, "lat_deg")[sel] - true["lat_deg"]) * np.pi / 180 * 6371008.8
        z.append(dn / sigma[sel])
    assert abs(np.concatenate(z).std() - 1.0) < 0.08
