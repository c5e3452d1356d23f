"""Accuracy behaviours of the tracker: track-number recovery, manoeuvre re-estimation (the accuracy helper's tests)."""

import numpy as np
import pyarrow as pa
import pytest

from airpicture.core.geodesy import SystemPlane
from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.core.sensors import Sensor
from airpicture.track import Tracker, TrackerConfig

T0 = 1_767_225_600.0
PLANE = SystemPlane(13.5, 2.1)
RADAR = Sensor("radar", "psr", 13.5, 2.1, rotation_period_s=4.0, sigma_range_m=60.0, sigma_azimuth_deg=0.07)


def plots(t, x, y, sigma_m=150.0):
    lat, lon = PLANE.to_latlon(np.asarray(x, float), np.asarray(y, float))
    n = np.size(t)
    return table_from_columns(
        MEASUREMENT,
        {
            "time_s": np.asarray(t, float),
            "sensor": np.full(n, "radar"),
            "kind": np.full(n, "psr"),
            "lat_deg": lat,
            "lon_deg": lon,
            "sigma_h_m": np.full(n, sigma_m),
        },
        n,
    )


def feed(tracker, table, until_s, step=4.0):
    """Feed 4 s at a time, as the benchmark does; returns the snapshot after every step."""
    times = table.column("time_s").to_numpy()
    snaps = {}
    for g in np.arange(T0 + step, until_s + 1e-9, step):
        sel = (times >= g - step) & (times < g)
        tracker.process(table.filter(pa.array(sel)), until_s=g)
        snaps[round(g - T0)] = tracker.snapshot(g)
    return snaps


def test_a_dropped_track_comes_back_with_its_number_at_the_first_plot_in_its_gate():
    # One aircraft at 200 m/s whose scans 10-12 are missed (three in a row): dropped, then seen again; another one
    # far away seen at every scan keeps the radar's feed going.
    scans = np.array([k for k in range(25) if k not in (10, 11, 12)])
    t = T0 + 4.0 * scans + 0.5
    x = 50_000.0 + 200.0 * (t - T0)
    t2 = T0 + 4.0 * np.arange(25) + 2.5
    table = pa.concat_tables([plots(t, x, 0.0 * t, 50.0), plots(t2, -50_000.0 + 0.0 * t2, 150.0 * (t2 - T0), 50.0)])
    table = table.take(np.argsort(table.column("time_s").to_numpy()))

    def numbers(snap):
        ids, lon = snap.column("track_id").to_numpy(), snap.column("lon_deg").to_numpy()
        return ids[lon > 2.1].tolist()  # the aircraft east of the radar

    snaps = {k: numbers(v) for k, v in feed(Tracker([RADAR], plane=PLANE), table, T0 + 100).items()}
    before = snaps[40]
    assert len(before) == 1
    # Last plot at 36.5 s, third missed scan at 48.5 s: out of the picture at 52 s.
    assert snaps[52] == []
    # The first plot after the gap (52.5 s) brings the old number back at the next output.
    assert snaps[56] == before
    # With two updates required, the picture waits a scan longer.
    slow = feed(Tracker([RADAR], plane=PLANE, config=TrackerConfig(recover_hits=2)), table, T0 + 100)
    assert numbers(slow[56]) == [] and numbers(slow[60]) == before


def test_a_new_track_starts_on_the_model_probabilities_its_switching_chain_spends_its_time_in():
    from airpicture.track.initiator import initial_model_probabilities
    from airpicture.track.predictor import switching_matrix

    cfg = TrackerConfig()
    mu = initial_model_probabilities(cfg)
    bank = cfg.motion_models()
    pi = switching_matrix(np.array([4.0]), bank.sojourn_s, bank.switch_to)[0]
    assert mu.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(mu @ pi, mu, atol=1e-9)  # stationary
    assert mu[0] > 0.8  # the quiet straight-flight model dominates
    tracker = Tracker([RADAR], plane=PLANE)
    tracker.process(plots([T0 + 1.0], [10_000.0], [0.0]), until_s=T0 + 4)
    np.testing.assert_allclose(tracker.store.mu[tracker.store.live()[0]], mu)
    flat = Tracker([RADAR], plane=PLANE, config=TrackerConfig(prior_model_probabilities=False))
    flat.process(plots([T0 + 1.0], [10_000.0], [0.0]), until_s=T0 + 4)
    np.testing.assert_allclose(flat.store.mu[flat.store.live()[0]], 1.0 / bank.n)


def _flights(turn_dps: float, n: int = 40, seconds: float = 200.0, seed: int = 3):
    """n aircraft 40 km apart (north-south) at 200 m/s, straight for 60 s, then (if turn_dps) turning for 60 s,
    then straight; one plot per 4 s scan (σ 150 m). Returns the plots and the truth position of (aircraft, t)."""
    rng = np.random.default_rng(seed)
    w = np.radians(turn_dps)

    def truth(a, t):
        t1, t2, t3 = np.clip(t, 0, 60), np.clip(t - 60, 0, 60), np.clip(t - 120, 0, None)
        x, y = 200.0 * t1, 0.0 * t
        if w:
            x, y = x + 200.0 / w * np.sin(w * t2), y + 200.0 / w * (1 - np.cos(w * t2))
        else:
            x = x + 200.0 * t2
        hd = w * np.minimum(t2, 60.0)
        return x + 200.0 * np.cos(hd) * t3 - 50_000.0, y + 200.0 * np.sin(hd) * t3 - 400_000.0 + 40_000.0 * a

    t = np.concatenate([np.arange(a * 0.1 + 0.05, seconds, 4.0) for a in range(n)])
    who = np.concatenate([np.full(np.arange(a * 0.1 + 0.05, seconds, 4.0).size, a) for a in range(n)])
    x, y = truth(who, t)
    order = np.argsort(t)
    table = plots(T0 + t[order], (x + rng.normal(0, 150, t.size))[order], (y + rng.normal(0, 150, t.size))[order])
    return table, truth


def _filtered_rms(config, table, truth, window):
    """RMS position error of every track's estimate at its update times inside ``window`` (s)."""
    tracker = Tracker([RADAR], plane=PLANE, config=config)
    times = table.column("time_s").to_numpy()
    err = []
    for g in np.arange(T0 + 4.0, times[-1] + 4.0, 4.0):
        rows = tracker.process(table.filter(pa.array((times >= g - 4.0) & (times < g))), until_s=g)
        rows = rows.filter(pa.array(np.asarray(rows.column("status").to_pylist()) != "tentative"))
        t = rows.column("time_s").to_numpy() - T0
        x, y = PLANE.to_xy(rows.column("lat_deg").to_numpy(), rows.column("lon_deg").to_numpy())
        a = np.round((y + 400_000.0) / 40_000.0).astype(int)
        tx, ty = truth(a, t)
        inside = (t >= window[0]) & (t < window[1])
        err.append(np.hypot(x - tx, y - ty)[inside])
    e = np.concatenate(err)
    return float(np.sqrt(np.mean(e * e)))


def test_the_quiet_twin_lowers_the_error_in_long_straight_flight_and_not_in_turns():
    straight, truth = _flights(0.0)
    with_twin = _filtered_rms(TrackerConfig(), straight, truth, (100, 200))
    without = _filtered_rms(TrackerConfig(quiet_twin=False), straight, truth, (100, 200))
    assert with_twin < 0.92 * without  # measured 75 m against 86 m
    turning, truth = _flights(2.0)
    turn_with = _filtered_rms(TrackerConfig(), turning, truth, (60, 140))
    turn_without = _filtered_rms(TrackerConfig(quiet_twin=False), turning, truth, (60, 140))
    assert turn_with < 1.05 * turn_without  # measured 160 m against 159 m
