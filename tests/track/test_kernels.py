"""The compiled kernels (airpicture.track.kernels) against the numpy reference maths of predictor/updater/gater."""

import numpy as np
import pytest

from airpicture.track import kernels
from airpicture.track.config import TrackerConfig
from airpicture.track.gater import candidate_pairs, gate, score_pairs
from airpicture.track.predictor import MotionModels, combine, extrapolate, imm_predict, propagate
from airpicture.track.store import CONFIRMED, TrackStore
from airpicture.track.updater import imm_update


def _banks() -> list[MotionModels]:
    """The default bank, a bank that switches equally (no switch matrix) and a one-model bank."""
    default = TrackerConfig().motion_models()
    equal = MotionModels(
        np.array([0.1, 3.0, 1.0]), np.array([0.0, np.radians(2.0), np.nan]), np.array([300.0, 20.0, 30.0]),
        None, np.array([0.0, 0.0, 1e-7]),
    )  # fmt: skip
    single = MotionModels(np.array([1.0]), np.array([np.nan]), np.array([100.0]), None, np.array([1e-7]))
    return [default, equal, single]


def _random_imm(rng: np.random.Generator, n: int, m: int):
    x = rng.normal(size=(n, m, 5)) * [2e4, 2e4, 150.0, 150.0, 0.03]
    x[: n // 4, :, 4] = rng.normal(size=(n // 4, m)) * 1e-4  # turn rates inside the Taylor-series range
    a = rng.normal(size=(n, m, 5, 5))
    p = a @ np.swapaxes(a, -1, -2) * [1e3, 1e3, 30.0, 30.0, 1e-5] + np.eye(5) * 1e-6
    p = 0.5 * (p + np.swapaxes(p, -1, -2))
    mu = rng.dirichlet(np.ones(m), size=n)
    dt = rng.uniform(-2.0, 8.0, n)
    return x, p, mu, dt


def _close(a, b, rtol=1e-9):
    """Equal to float tolerance, relative to each array's scale (covariances mix 1e6 m² and 1e-5 rad²/s²)."""
    scale = np.abs(b).max(axis=tuple(range(1, b.ndim)), keepdims=True) if b.ndim > 1 else np.abs(b).max()
    return np.all(np.abs(a - b) <= rtol * (scale + 1e-300))


@pytest.mark.parametrize("bank", _banks(), ids=["default", "equal-switch", "single"])
def test_compiled_imm_step_matches_the_numpy_reference(bank):
    rng = np.random.default_rng(7)
    x, p, mu, dt = _random_imm(rng, 64, bank.n)
    xp0, pp0, cb0 = imm_predict(x, p, mu, dt, bank)
    xp1, pp1, cb1 = kernels.imm_predict(x, p, mu, dt, *bank.kernel_args)
    assert _close(xp1, xp0) and _close(pp1, pp0) and _close(cb1, cb0)
    z = xp0[:, 0, :2] + rng.normal(size=(64, 2)) * 300.0
    r = np.tile(np.diag([150.0**2, 90.0**2]), (64, 1, 1))
    r[:, 0, 1] = r[:, 1, 0] = 3000.0
    x0, p0, mu0 = imm_update(xp0, pp0, cb0, z, r)
    x1, p1, mu1 = kernels.imm_update(xp0, pp0, cb0, z, r)
    # The updated covariances of these random, ill-conditioned inputs differ by round-off up to ~1e-9 of scale.
    assert _close(x1, x0) and _close(p1, p0, rtol=1e-8) and _close(mu1, mu0)
    assert np.allclose(mu1.sum(axis=1), 1.0) and (mu1 >= 1e-4 * 0.99).all()
    xc0, pc0 = combine(x0[..., :4], p0[..., :4, :4], mu0)
    xc1, pc1 = kernels.combine(x0, p0, mu0, 4)
    assert _close(xc1, xc0) and _close(pc1, pc0)


def test_fused_store_step_equals_predict_update_combine_and_touches_only_its_slots():
    bank = TrackerConfig().motion_models()
    rng = np.random.default_rng(3)
    x, p, mu, dt = _random_imm(rng, 10, bank.n)
    t_store = rng.uniform(0.0, 4.0, 10)
    xc, pc = kernels.combine(x, p, mu, 4)
    slots = np.array([7, 2, 5], dtype=np.int64)
    t = t_store[slots] + dt[slots]
    z = x[slots, 0, :2] + 100.0
    r = np.tile(np.eye(2) * 150.0**2, (3, 1, 1))
    xp, pp, cb = imm_predict(x[slots], p[slots], mu[slots], dt[slots], bank)
    x_ref, p_ref, mu_ref = imm_update(xp, pp, cb, z, r)
    xc_ref, pc_ref = combine(x_ref[..., :4], p_ref[..., :4, :4], mu_ref)
    sx, sp, smu, sxc, spc, st = x.copy(), p.copy(), mu.copy(), xc.copy(), pc.copy(), t_store.copy()
    kernels.predict_update_store(sx, sp, smu, sxc, spc, st, slots, t, z, r, *bank.kernel_args)
    # (covariances to 1e-8 of their scale: the random covariances are ill-conditioned, as in the test above)
    assert _close(sx[slots], x_ref) and _close(sp[slots], p_ref, rtol=1e-8) and _close(smu[slots], mu_ref)
    assert _close(sxc[slots], xc_ref) and _close(spc[slots], pc_ref, rtol=1e-8)
    assert np.array_equal(st[slots], t)
    others = np.setdiff1d(np.arange(10), slots)
    assert np.array_equal(sx[others], x[others]) and np.array_equal(st[others], t_store[others])


def test_compiled_turn_jacobian_matches_finite_differences():
    states = np.array(
        [
            [1000.0, -2000.0, 150.0, -80.0, np.radians(2.5)],
            [0.0, 0.0, 230.0, 40.0, np.radians(-0.01)],  # |ωΔt| below the series threshold
            [5.0, 5.0, -100.0, 200.0, 0.0],
        ]
    )
    out, f = np.empty(5), np.empty((5, 5))
    for x in states:
        for dt in (4.0, -1.5, 12.0):
            kernels._move_jacobian(x, dt, out, f)
            assert np.allclose(out, propagate(x[None], np.array([dt]), False)[0][0], rtol=1e-12, atol=1e-9)
            numeric = np.empty((5, 5))
            for k in range(5):
                h = np.zeros(5)
                h[k] = 1e-3 if k < 4 else 1e-7
                hi, lo = np.empty(5), np.empty(5)
                kernels._move(x + h, dt, hi)
                kernels._move(x - h, dt, lo)
                numeric[:, k] = (hi - lo) / (2 * h[k])
            assert np.allclose(f, numeric, rtol=1e-6, atol=1e-4), (x, dt)


def _store_with_tracks(rng: np.random.Generator, n: int) -> TrackStore:
    bank = TrackerConfig().motion_models()
    st = TrackStore(capacity=2 * n, n_models=bank.n)
    slots = st.allocate(n)
    x, p, mu, _ = _random_imm(rng, n, bank.n)
    x[:, :, :2] = rng.uniform(-50_000.0, 50_000.0, (n, 1, 2))  # models of a track near each other
    st.set_state(slots, x, p, mu)
    st.time_s[slots] = rng.uniform(0.0, 4.0, n)
    st.status[slots] = CONFIRMED
    return st


def test_compiled_gate_finds_the_pairs_and_scores_of_the_kd_tree_gate():
    bank = TrackerConfig().motion_models()
    rng = np.random.default_rng(11)
    st = _store_with_tracks(rng, 40)
    slots = st.live()
    plot_t = np.sort(rng.uniform(4.0, 8.0, 60))
    plot_xy = np.concatenate(
        [st.xc[slots[:30], :2] + rng.normal(size=(30, 2)) * 400.0, rng.uniform(-5e4, 5e4, (30, 2))]
    )
    plot_r = np.tile(np.eye(2) * 150.0**2, (60, 1, 1))
    ts, pj = candidate_pairs(st, slots, plot_t, plot_xy, 100.0, 30_000.0)
    ref = score_pairs(st, ts, pj, plot_t, plot_xy, plot_r, bank)
    inside = ref.d2 < 100.0
    expected = {
        (int(a), int(b)): (d, c)
        for a, b, d, c in zip(ts[inside], pj[inside], ref.d2[inside], ref.cost[inside], strict=True)
    }
    assert len(expected) >= 30
    import airpicture.track.gater as gater

    for brute in (10**9, 0):  # the compiled all-pairs loop, then k-d tree candidates with the compiled score
        old, gater.BRUTE_FORCE_PAIRS = gater.BRUTE_FORCE_PAIRS, brute
        try:
            got = gate(st, slots, plot_t, plot_xy, plot_r, bank, 100.0, 30_000.0)
        finally:
            gater.BRUTE_FORCE_PAIRS = old
        pairs = {
            (int(a), int(b)): (d, c) for a, b, d, c in zip(got.track_slot, got.plot, got.d2, got.cost, strict=True)
        }
        assert pairs.keys() == expected.keys()
        for key, (d, c) in pairs.items():
            assert d == pytest.approx(expected[key][0], rel=1e-9, abs=1e-9)
            assert c == pytest.approx(expected[key][1], rel=1e-9, abs=1e-9)


def test_gate_leaves_out_pairs_closer_in_time_than_the_minimum_gap():
    bank = TrackerConfig().motion_models()
    rng = np.random.default_rng(5)
    st = _store_with_tracks(rng, 5)
    slots = st.live()
    plot_t = st.time_s[slots] + np.array([0.5, 3.0, 0.2, 2.5, 1.0])
    plot_xy = st.xc[slots, :2].copy()
    plot_r = np.tile(np.eye(2) * 150.0**2, (5, 1, 1))
    got = gate(st, slots, plot_t, plot_xy, plot_r, bank, 100.0, 30_000.0, min_gap_s=2.0)
    assert got.plot.size > 0
    assert (np.abs(plot_t[got.plot] - st.time_s[got.track_slot]) > 2.0).all()


def test_compiled_snapshot_extrapolation_matches_the_numpy_reference():
    bank = TrackerConfig().motion_models()
    rng = np.random.default_rng(2)
    st = _store_with_tracks(rng, 20)
    live = st.live()
    xc, sigma = kernels.extrapolate(st.x, st.mu, st.pc, st.time_s, live, 9.0, float(bank.q.min()))
    dt = 9.0 - st.time_s[live]
    assert _close(xc, extrapolate(st.x[live], st.mu[live], dt))
    pc = st.pc[live]
    var = 0.5 * (pc[:, 0, 0] + pc[:, 1, 1]) + dt * dt * 0.5 * (pc[:, 2, 2] + pc[:, 3, 3]) + bank.q.min() * dt**3 / 3
    assert np.allclose(sigma, np.sqrt(var), rtol=1e-12)


def _update_altitude_reference(store, slots, time_s, alt_m, sigma_m, q_m2s3):
    """The numpy vertical filter as it was before it was compiled (kept here as the test oracle)."""
    r = sigma_m * sigma_m
    h, v = store.alt_m[slots], store.vrate_mps[slots]
    p00, p01, p11 = store.palt[slots, 0], store.palt[slots, 1], store.palt[slots, 2]
    dt = np.clip(time_s - store.alt_time_s[slots], 0.0, None)
    fresh = ~np.isfinite(h) | ~(dt < 30.0)
    dt = np.nan_to_num(dt)
    hp = h + v * dt
    q = q_m2s3
    p00p = p00 + 2 * dt * p01 + dt * dt * p11 + q * dt**3 / 3
    p01p = p01 + dt * p11 + q * dt * dt / 2
    p11p = p11 + q * dt
    s = p00p + r
    nu = alt_m - hp
    garble = ~fresh & (np.abs(nu) > np.maximum(6.0 * np.sqrt(s), 500.0))
    k0, k1 = p00p / s, p01p / s
    new_h = np.where(fresh, alt_m, hp + k0 * nu)
    new_v = np.where(fresh, 0.0, v + k1 * nu)
    new_p = np.stack(
        [
            np.where(fresh, r, (1 - k0) * p00p),
            np.where(fresh, 0.0, (1 - k0) * p01p),
            np.where(fresh, 20.0**2, p11p - k1 * p01p),
        ],
        axis=1,
    )
    ok = ~garble
    s_ok = slots[ok]
    store.alt_m[s_ok] = new_h[ok]
    store.vrate_mps[s_ok] = new_v[ok]
    store.palt[s_ok] = new_p[ok]
    store.alt_time_s[s_ok] = time_s[ok]
    return int(np.count_nonzero(garble))


def test_compiled_altitude_filter_matches_the_numpy_reference_with_restarts_and_garbles():
    from airpicture.track.vertical import update_altitude

    rng = np.random.default_rng(9)
    n = 40
    stores = [TrackStore(capacity=n) for _ in range(2)]
    for st in stores:
        st.allocate(n)
    slots = np.arange(n, dtype=np.int64)
    truth = rng.uniform(1000.0, 11_000.0, n)
    garbles = [0, 0]
    for step in range(12):
        t = 4.0 * step + rng.uniform(0.0, 1.0, n)
        t[:5] += 40.0 * (step == 6)  # a 40 s gap: those tracks restart their vertical filter
        alt = truth + 5.0 * step * (np.arange(n) % 3) + rng.normal(size=n) * 10.0
        alt[7] += 3000.0 * (step == 8)  # a garbled Mode C
        sel = slots[rng.random(n) < 0.8]
        garbles[0] += _update_altitude_reference(stores[0], sel, t[sel], alt[sel], 15.0, 0.5)
        garbles[1] += update_altitude(stores[1], sel, t[sel], alt[sel], 15.0, 0.5)
    assert garbles[0] == garbles[1] >= 1
    for name in ("alt_m", "vrate_mps", "palt", "alt_time_s"):
        assert np.allclose(getattr(stores[1], name), getattr(stores[0], name), rtol=1e-12, atol=1e-9, equal_nan=True)


def test_ground_track_follows_true_north_of_the_projection_and_speed_its_scale_factor():
    from airpicture.core.geodesy import SystemPlane
    from airpicture.sim.traffic import grid_convergence_rad
    from airpicture.track.tracker import _WGS84_E, _conformal_lat

    plane = SystemPlane(13.5, 2.1)
    rng = np.random.default_rng(4)
    pos = rng.uniform(-1.2e6, 1.2e6, (50, 2))
    vel = rng.normal(size=(50, 2)) * 150.0
    lat, lon = plane.to_latlon(pos[:, 0], pos[:, 1])
    chi0 = float(_conformal_lat(np.radians(plane.lat0_deg), _WGS84_E))
    earth = 6_371_000.0
    speed, track = kernels.ground_velocity(pos, vel, lat, lon, chi0, plane.lon0_deg, _WGS84_E, earth)
    # PROJ's own meridian convergence (the grid bearing of true north is minus it): to 1e-5 degrees.
    true_track = np.degrees(np.arctan2(vel[:, 0], vel[:, 1]) + grid_convergence_rad(plane, lat, lon)) % 360.0
    off = (track - true_track + 180.0) % 360.0 - 180.0
    assert np.abs(off).max() < 1e-5
    # Ground speed: the plane speed over the stereographic scale factor k = 1 + r²/4R².
    k = 1.0 + (pos**2).sum(axis=1) / (4.0 * earth**2)
    assert np.allclose(speed, np.hypot(vel[:, 0], vel[:, 1]) / k, rtol=1e-12)


def test_store_state_from_a_kinematic_start_pads_the_turn_rate_and_combines():
    from airpicture.track.predictor import pad_state

    bank = TrackerConfig().motion_models()
    rng = np.random.default_rng(8)
    st = TrackStore(capacity=8, n_models=bank.n)
    slots = st.allocate(3)
    x4 = np.repeat(rng.normal(size=(3, 1, 4)) * [1e4, 1e4, 100.0, 100.0], bank.n, 1)
    a = rng.normal(size=(3, 1, 4, 4))
    p4 = np.repeat(a @ np.swapaxes(a, -1, -2) * 100.0 + np.eye(4), bank.n, 1)
    mu = rng.dirichlet(np.ones(bank.n), size=3)
    st.set_state(slots, x4, p4, mu)
    x5, p5 = pad_state(x4, p4, st.init_turn_rate_sigma_rps)
    assert np.array_equal(st.x[slots], x5) and np.array_equal(st.p[slots], p5) and np.array_equal(st.mu[slots], mu)
    xc, pc = combine(x4, p4, mu)
    assert _close(st.xc[slots], xc) and _close(st.pc[slots], pc)


def test_second_plot_candidates_are_the_plots_within_reach_a_half_rotation_later():
    rng = np.random.default_rng(12)
    st = _store_with_tracks(rng, 30)
    slots = st.live()
    plot_t = rng.uniform(0.0, 8.0, 25)
    plot_xy = st.xc[slots[:25], :2] + st.xc[slots[:25], 2:] * 4.0 + rng.normal(size=(25, 2)) * 3000.0
    idx = np.arange(25, dtype=np.int64)
    near_plot, near_slot = kernels.second_plot_candidates(plot_t, plot_xy, idx, st.xc, st.time_s, slots, 2.0)
    dt = plot_t[:, None] - st.time_s[slots][None, :]
    xc = st.xc[slots]
    ex = plot_xy[:, 0][:, None] - (xc[:, 0] + xc[:, 2] * dt)
    ey = plot_xy[:, 1][:, None] - (xc[:, 1] + xc[:, 3] * dt)
    near = (dt > 2.0) & (ex * ex + ey * ey < (350.0 * dt + 3000.0) ** 2)
    assert near.any() and not near.all()
    assert np.array_equal(near_plot, near.any(axis=1)) and np.array_equal(near_slot, near.any(axis=0))


def test_pair_costs_penalise_weak_tracks_block_firm_gates_and_flag_contested_pairs():
    status = np.array([2, 1, 4, 3], np.int8)  # confirmed, tentative, lost, coasting
    plot_index = np.array([10, 11, 12], np.int64)  # the pairs' plots are rows 10.. of a larger batch
    blocked = np.zeros(13, np.bool_)
    cost, distinct = kernels.pair_costs(
        np.array([0, 1, 2], np.int64), np.array([0, 1, 2], np.int64), np.zeros(3), status, 20.0, 3, plot_index, blocked
    )
    assert cost.tolist() == [0.0, 20.0, 20.0] and distinct
    assert np.flatnonzero(blocked).tolist() == [10]
    _, distinct = kernels.pair_costs(
        np.array([3, 3], np.int64), np.array([0, 1], np.int64), np.zeros(2), status, 20.0, 3, plot_index, blocked
    )
    assert not distinct  # one track gates two plots: the GNN decides
    _, distinct = kernels.pair_costs(
        np.array([0, 3], np.int64), np.array([2, 2], np.int64), np.zeros(2), status, 20.0, 3, plot_index, blocked
    )
    assert not distinct  # one plot in two gates


def test_a_started_track_is_every_model_at_its_report_with_the_velocity_and_turn_rate_priors():
    from airpicture.track import store as store_module
    from airpicture.track.initiator import initial_model_probabilities, start_tracks

    assert (kernels.TENTATIVE, kernels.LOST) == (store_module.TENTATIVE, store_module.LOST)
    cfg = TrackerConfig()
    bank = cfg.motion_models()
    st = TrackStore(capacity=4, n_models=bank.n)
    xy = np.array([[1000.0, -2000.0], [5.0e4, 3.0e4]])
    r = np.array([[[150.0**2, 40.0], [40.0, 90.0**2]], [[100.0, 0.0], [0.0, 100.0]]])
    slots = start_tracks(st, np.array([10.0, 11.0]), xy, r, cfg)
    # The same state through the general path: kinematic start, padded turn rate, combined estimate.
    ref = TrackStore(capacity=4, n_models=bank.n)
    x4 = np.zeros((2, bank.n, 4))
    x4[:, :, :2] = xy[:, None]
    p4 = np.zeros((2, bank.n, 4, 4))
    p4[:, :, :2, :2] = r[:, None]
    p4[:, :, 2, 2] = p4[:, :, 3, 3] = cfg.init_speed_sigma_mps**2
    ref.set_state(slots, x4, p4, np.repeat(initial_model_probabilities(cfg)[None], 2, 0))
    for name in ("x", "p", "mu", "xc", "pc"):
        assert np.array_equal(getattr(st, name)[slots], getattr(ref, name)[slots]), name
    assert st.status[slots].tolist() == [store_module.TENTATIVE] * 2 and st.hits[slots].tolist() == [1, 1]
    assert st.time_s[slots].tolist() == st.created_s[slots].tolist() == [10.0, 11.0]


def _life_cycle_reference(store, now_s, sensor_period_s, config):
    """The numpy track-life rules as they were before they were compiled (the test oracle)."""
    from airpicture.track.store import COASTING, CONFIRMED, LOST, TENTATIVE

    live = store.live()
    recent = store.sensor_time_s[live, : sensor_period_s.size] > now_s - config.sources_memory_s
    period = np.where(recent, sensor_period_s[None, :], np.inf).min(axis=1)
    interval = np.where(np.isfinite(period), period, config.report_interval_s)
    since = (now_s - store.time_s[live]) / interval
    status = store.status[live]
    tentative = status == TENTATIVE
    need = np.where(store.icao24[live] >= 0, config.confirm_hits_identity, config.confirm_hits_plots)
    drop_tentative = tentative & (since > config.tentative_delete_after_intervals)
    confirm = tentative & ~drop_tentative & (store.hits[live] >= need)
    lost = status == LOST
    firm = ~tentative & ~lost
    drop_firm = firm & (since > config.delete_after_intervals)
    coast = firm & ~drop_firm & (since > config.coast_after_intervals)
    forget = lost & ((now_s - store.time_s[live]) > config.memory_s)
    recovered = lost & ~forget & (store.hits[live] >= config.recover_hits)
    stale = lost & ~forget & ~recovered & (since > config.tentative_delete_after_intervals)
    store.status[live[confirm]] = CONFIRMED
    store.status[live[firm & ~coast & ~drop_firm]] = CONFIRMED
    store.status[live[coast]] = COASTING
    store.status[live[drop_firm]] = LOST
    store.hits[live[drop_firm | stale]] = 0
    store.status[live[recovered]] = CONFIRMED
    return live[confirm], live[drop_tentative], live[drop_firm], live[recovered], live[forget]


def test_compiled_track_life_matches_the_numpy_rules_for_every_status():
    from airpicture.track.deleter import expected_interval_s, life_cycle

    cfg = TrackerConfig()
    rng = np.random.default_rng(21)
    periods = np.array([4.0, 6.0, 1.0])
    stores = [TrackStore(capacity=300, n_sensors=3) for _ in range(2)]
    for st in stores:
        st.allocate(260)
    # Every status, hits 0–4, with and without identity, updated 0–80 s ago by random sensors (or none recently).
    status = rng.integers(0, 5, 300).astype(np.int8)
    hits = rng.integers(0, 5, 300).astype(np.int32)
    age = np.where(rng.random(300) < 0.5, rng.uniform(0.0, 80.0, 300), rng.uniform(0.0, 3.0, 300))
    icao = np.where(rng.random(300) < 0.3, 0x3C6444, -1)
    sensor_age = rng.uniform(0.0, 60.0, (300, 3))
    for st in stores:
        st.status[:], st.hits[:], st.time_s[:], st.icao24[:] = status, hits, 1000.0 - age, icao
        st.sensor_time_s[:] = 1000.0 - sensor_age
    ref = _life_cycle_reference(stores[0], 1000.0, periods, cfg)
    got = life_cycle(stores[1], 1000.0, periods, cfg)
    assert all(r.size for r in ref[:3])
    for r, g in zip(ref, got, strict=True):
        assert np.array_equal(r, g)
    assert np.array_equal(stores[0].status, stores[1].status) and np.array_equal(stores[0].hits, stores[1].hits)
    live = stores[1].live()
    recent = stores[1].sensor_time_s[live] > 1000.0 - cfg.sources_memory_s
    period = np.where(recent, periods[None, :], np.inf).min(axis=1)
    expected = np.where(np.isfinite(period), period, cfg.report_interval_s)
    assert np.array_equal(expected_interval_s(stores[1], live, 1000.0, periods, cfg), expected)


def test_shown_tracks_kernel_selects_like_the_numpy_snapshot_rule_with_interval_and_sensor_masks():
    from airpicture.track.deleter import sensor_periods
    from airpicture.track.tracker import _SHOWN, _SHOWN_TENTATIVE

    cfg = TrackerConfig()
    rng = np.random.default_rng(23)
    periods = np.array([4.0, 6.0, 1.0])
    st = TrackStore(capacity=300, n_sensors=3)
    st.allocate(260)
    st.status[:] = rng.integers(0, 5, 300).astype(np.int8)
    st.time_s[:] = 1000.0 - rng.uniform(0.0, 40.0, 300)
    st.sensor_time_s[:] = 1000.0 - rng.uniform(0.0, 60.0, (300, 3))
    for shown in (_SHOWN, _SHOWN_TENTATIVE):
        live, interval, masks = kernels.shown_tracks(
            st.status, shown, st.time_s, st.sensor_time_s, sensor_periods(st, periods), 1000.0,
            float(cfg.sources_memory_s), float(cfg.report_interval_s), float(cfg.delete_after_intervals),
        )  # fmt: skip
        # The numpy statement: shown status, expected interval, life rule at the snapshot time, sensor bit masks.
        cand = np.flatnonzero(shown[st.status])
        recent = st.sensor_time_s[cand] > 1000.0 - cfg.sources_memory_s
        period = np.where(recent, periods[None, :], np.inf).min(axis=1)
        expected_interval = np.where(np.isfinite(period), period, cfg.report_interval_s)
        keep = (1000.0 - st.time_s[cand]) <= cfg.delete_after_intervals * expected_interval
        assert 0 < keep.sum() < keep.size
        assert np.array_equal(live, cand[keep])
        assert np.array_equal(interval, expected_interval[keep])
        assert np.array_equal(masks, (recent[keep].astype(np.int64) * np.array([1, 2, 4])).sum(axis=1))


def test_compiled_polar_ground_point_matches_the_core_slant_range_and_great_circle_geometry():
    from airpicture.core.geodesy import destination, ground_range_from_slant
    from airpicture.core.units import EARTH_RADIUS_M

    rng = np.random.default_rng(7)
    n = 400
    site_lat, site_lon, site_alt = np.array([13.48, 17.9]), np.array([2.17, 8.0]), np.array([220.0, 500.0])
    sensor = rng.integers(0, 2, n).astype(np.int32)
    slant = rng.uniform(500.0, 450e3, n)
    az = rng.uniform(0.0, 360.0, n)
    alt = rng.uniform(0.0, 12e3, n)
    alt[::5] = np.nan  # no Mode C: the assumed altitude
    idx = np.flatnonzero(rng.random(n) < 0.8)
    lat, lon, ground, h, no_alt = kernels.polar_ground_points(
        idx, slant, az, alt, sensor, site_lat, site_lon, site_alt, 3000.0, 4.0 / 3.0, EARTH_RADIUS_M
    )
    s = sensor[idx]
    h_ref = np.where(np.isnan(alt[idx]), 3000.0, alt[idx])
    g_ref = ground_range_from_slant(slant[idx], h_ref, site_alt[s])
    lat_ref, lon_ref = destination(site_lat[s], site_lon[s], az[idx], g_ref)
    assert np.array_equal(no_alt, np.isnan(alt[idx]))
    assert np.array_equal(h, h_ref)
    assert np.allclose(ground, g_ref, rtol=1e-13, atol=0.0)
    assert np.allclose(lat, lat_ref, rtol=0.0, atol=1e-12) and np.allclose(lon, lon_ref, rtol=0.0, atol=1e-12)
    # A plot at the radar's own altitude and zero range sits on the radar.
    lat0, lon0, g0, _, _ = kernels.polar_ground_points(
        np.array([0]), np.array([0.0]), np.array([90.0]), np.array([220.0]), np.zeros(1, np.int32),
        site_lat, site_lon, site_alt, 3000.0, 4.0 / 3.0, EARTH_RADIUS_M,
    )  # fmt: skip
    assert g0[0] == 0.0 and lat0[0] == site_lat[0] and abs(lon0[0] - site_lon[0]) < 1e-12


def test_batch_summary_gives_the_re_order_window_what_its_numpy_reductions_gave():
    rng = np.random.default_rng(31)
    for n in (1, 2, 7, 50):
        for ordered in (True, False):
            t = np.sort(rng.uniform(0.0, 4.0, n)) if ordered else rng.uniform(0.0, 4.0, n)
            sensor = rng.integers(0, 3, n).astype(np.int32) if n % 2 else np.full(n, 2, np.int32)
            s_max, s_min, t_min, t_max, in_order = kernels.batch_summary(sensor, t)
            assert (s_max, s_min) == (int(sensor.max()), int(sensor.min()))
            assert (t_min, t_max) == (t.min(), t.max())
            assert in_order == bool(n < 2 or (t[1:] >= t[:-1]).all())
