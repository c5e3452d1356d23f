"""Trajectories: realistic speeds, turns, climbs and descents, and kinematic consistency of the truth."""

from __future__ import annotations

import numpy as np
from pyproj import Geod

from airpicture.core.geodesy import NIGER_PLANE_CENTRE, SystemPlane
from airpicture.core.units import FT_TO_M, KT_TO_MPS
from airpicture.sim.traffic import GA, JET, TURBOPROP, XPDR_ADSB, Fleet, wrap_pi
from tests.sim.conftest import column


def _per_target_diffs(truth):
    ids = column(truth, "target_id")
    t = column(truth, "time_s")
    order = np.lexsort((t, ids))
    ids, t = ids[order], t[order]
    same = ids[1:] == ids[:-1]
    return order, same, np.diff(t)


def test_truth_speeds_levels_and_vertical_rates_are_realistic_per_class(niger_run):
    _, out = niger_run
    truth = out.truth
    cls = column(truth, "aircraft_class")
    gs = column(truth, "ground_speed_kt")
    alt = column(truth, "alt_ft")
    vr = column(truth, "vertical_rate_fpm")
    bounds = {"jet": (120.0, 500.0, 39500.0, 3600.0), "turboprop": (100.0, 310.0, 25500.0, 2100.0),
              "ga": (60.0, 160.0, 10000.0, 900.0)}  # fmt: skip
    for name, (v_lo, v_hi, alt_hi, vr_hi) in bounds.items():
        sel = cls == name
        assert sel.sum() > 1000, name
        assert v_lo <= gs[sel].min() and gs[sel].max() <= v_hi, name
        assert alt[sel].max() <= alt_hi, name
        assert np.abs(vr[sel]).max() <= vr_hi, name
    # Airliners in level flight cruise at FL300–390 and 440–490 kt.
    level_jets = (cls == "jet") & (np.abs(vr) < 1.0) & (alt > 29000)
    assert level_jets.sum() > 10000
    assert np.percentile(gs[level_jets], 5) > 430.0
    # Climbing and descending traffic exists (departures and arrivals), not only cruise.
    assert (vr > 500).sum() > 200 and (vr < -500).sum() > 200


def test_turn_rates_stay_within_the_bank_limit(niger_run):
    _, out = niger_run
    truth = out.truth
    order, same, dt = _per_target_diffs(truth)
    track = column(truth, "track_deg")[order]
    gs = column(truth, "ground_speed_kt")[order]
    cls = column(truth, "aircraft_class")[order]
    rate = np.abs((np.diff(track) + 180.0) % 360.0 - 180.0) / dt
    bank = np.where(cls == "ga", np.radians(GA.bank_max_deg), np.radians(JET.bank_max_deg))[:-1]
    limit = np.minimum(3.0, np.degrees(9.80665 * np.tan(bank) / (np.maximum(gs[:-1], 60.0) * KT_TO_MPS)))
    assert np.all(rate[same] <= limit[same] * 1.05 + 0.01)


def test_positions_agree_with_reported_ground_speed_and_track(niger_run):
    """Truth speed and track are those of the trajectory itself (ellipsoidal geodesics between 1 s samples)."""
    _, out = niger_run
    truth = out.truth
    order, same, dt = _per_target_diffs(truth)
    lat, lon = column(truth, "lat_deg")[order], column(truth, "lon_deg")[order]
    gs, track = column(truth, "ground_speed_kt")[order], column(truth, "track_deg")[order]
    az, _, dist = Geod(ellps="WGS84").inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    speed_err = dist / dt / KT_TO_MPS - 0.5 * (gs[1:] + gs[:-1])
    mid_track = track[:-1] + 0.5 * ((track[1:] - track[:-1] + 180.0) % 360.0 - 180.0)
    track_err = (az - mid_track + 180.0) % 360.0 - 180.0
    moving = same & (dist > 20.0)
    assert np.abs(speed_err[moving]).max() < 0.5
    assert np.abs(track_err[moving]).max() < 0.05


def _one_aircraft(waypoints_latlon, cls, alt_ft, tas_kt, *, lands=False, dest_elev_m=0.0):
    plane = SystemPlane(*NIGER_PLANE_CENTRE)
    lat = np.array([p[0] for p in waypoints_latlon])
    lon = np.array([p[1] for p in waypoints_latlon])
    x, y = plane.to_xy(lat, lon)
    fleet = Fleet(
        plane, route_x_m=x[None, :], route_y_m=y[None, :], n_waypoints=np.array([len(lat)]),
        cls=np.array([[JET, TURBOPROP, GA].index(cls)]), cruise_alt_m=np.array([alt_ft * FT_TO_M]),
        cruise_tas_mps=np.array([tas_kt * KT_TO_MPS]), start_time_s=np.zeros(1), lands=np.array([lands]),
        cyclic=np.zeros(1, dtype=bool), dest_elev_m=np.array([dest_elev_m]), icao24=np.array([0x062001]),
        callsign=["TEST1"], squawk=np.array([1234]), xpdr=np.array([XPDR_ADSB]), nacp=np.array([9]),
    )  # fmt: skip
    fleet.place_on_route(np.array([0]), np.array([0.0]), np.array([np.inf]))
    fleet.activate(0.0)
    return fleet


def test_fly_by_turn_is_coordinated_at_the_bank_limited_rate():
    """A jet at 450 kt turning 90° at a waypoint turns at g·tan(25°)/V ≈ 1.1°/s and rolls out on the next leg."""
    fleet = _one_aircraft([(14.0, 2.0), (15.0, 2.0), (15.0, 4.0)], JET, 35000.0, 450.0)
    headings, xs, ys = [], [], []
    for _ in range(1200):
        fleet.advance(1.0)
        headings.append(fleet.psi[0])
        xs.append(fleet.x[0])
        ys.append(fleet.y[0])
    rate = np.degrees(np.abs(wrap_pi(np.diff(headings))))
    expected = np.degrees(9.80665 * np.tan(np.radians(25.0)) / (450.0 * KT_TO_MPS))
    assert abs(rate.max() - expected) / expected < 0.02
    turning = rate > 0.5 * expected
    assert 70 < turning.sum() < 95  # ≈ 90°/1.1°/s ≈ 80 s of turn
    # After the turn the aircraft is on the new leg: its cross-track offset from the leg is small.
    wx, wy = fleet.wp_x[0], fleet.wp_y[0]
    leg = np.array([wx[2] - wx[1], wy[2] - wy[1]]) / np.hypot(wx[2] - wx[1], wy[2] - wy[1])
    rel = np.array([xs[-1] - wx[1], ys[-1] - wy[1]])
    assert abs(rel[0] * leg[1] - rel[1] * leg[0]) < 1500.0


def test_arrival_descends_on_a_three_degree_path_and_lands():
    fleet = _one_aircraft([(15.3, 2.18), (13.4815, 2.18361)], JET, 35000.0, 460.0, lands=True,
                          dest_elev_m=732 * FT_TO_M)  # fmt: skip
    alts, vrs, speeds = [], [], []
    for _ in range(3000):
        fleet.advance(1.0)
        if not fleet.active[0]:
            break
        alts.append(fleet.alt_m[0])
        vrs.append(fleet.vr_mps[0])
        speeds.append(fleet.gs_mps[0])
    assert fleet.done[0]
    assert alts[-1] < 732 * FT_TO_M + 150.0  # touches down near the aerodrome's elevation
    assert min(vrs) / FT_TO_M * 60.0 > -3600.0  # descent rate within the jet's limit
    assert speeds[-1] / KT_TO_MPS < 170.0  # approach speed at the end
