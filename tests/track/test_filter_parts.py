import numpy as np
import pytest

from airpicture.track.associator import gnn_assign
from airpicture.track.config import TrackerConfig
from airpicture.track.predictor import (
    MotionModels,
    combine,
    extrapolate,
    imm_predict,
    mix,
    pad_state,
    propagate,
    switching_matrix,
)
from airpicture.track.store import TrackStore
from airpicture.track.updater import imm_update
from tests.track.noisy_turn import fly_straight_then_turn


def _models(q, omega_dps, sojourn_s, q_omega_dps2=None) -> MotionModels:
    """A bank from plain lists: ω in deg/s (None: estimated), q_ω in (deg/s)²/s."""
    omega = np.array([np.nan if w is None else np.radians(w) for w in omega_dps])
    q_omega = None if q_omega_dps2 is None else np.radians(np.radians(np.asarray(q_omega_dps2, dtype=float)))
    return MotionModels(np.asarray(q, float), omega, np.asarray(sojourn_s, float), None, q_omega)


def test_constant_velocity_and_turn_models_move_the_state_as_the_equations_say():
    x = np.array([[0.0, 0.0, 200.0, 0.0, 0.0], [0.0, 0.0, 200.0, 0.0, np.radians(3.0)]])
    (straight, turning), _ = propagate(x, np.array([4.0, 4.0]))
    assert np.allclose(straight, [800.0, 0.0, 200.0, 0.0, 0.0])
    # 12 degrees of left turn keeps the speed and rotates the velocity counter-clockwise.
    assert np.isclose(np.hypot(*turning[2:4]), 200.0)
    assert np.isclose(np.degrees(np.arctan2(turning[3], turning[2])), 12.0)
    # Position on the arc: chord of the circle of radius v/ω.
    radius = 200.0 / np.radians(3.0)
    assert np.isclose(np.hypot(*turning[:2]), 2 * radius * np.sin(np.radians(6.0)))


def test_turn_jacobian_matches_finite_differences_for_large_small_and_zero_turn_rates():
    x = np.array(
        [
            [1000.0, -2000.0, 150.0, -80.0, np.radians(2.5)],
            [0.0, 0.0, 230.0, 40.0, np.radians(-0.01)],  # |ωΔt| below the series threshold
            [5.0, 5.0, -100.0, 200.0, 0.0],
        ]
    )
    for dt in (4.0, -1.5, 12.0):
        dts = np.full(3, dt)
        _, f = propagate(x, dts)
        numeric = np.empty_like(f)
        for k in range(5):
            h = np.zeros(5)
            h[k] = 1e-3 if k < 4 else 1e-7
            numeric[:, :, k] = (propagate(x + h, dts, False)[0] - propagate(x - h, dts, False)[0]) / (2 * h[k])
        assert np.allclose(f, numeric, rtol=1e-6, atol=1e-4), dt


def test_turn_motion_is_continuous_across_the_small_turn_series():
    # Just below and just above the |ωΔt| = 0.01 switch between the Taylor series and the closed form.
    w = 0.01 / 4.0
    x = np.array([[0.0, 0.0, 200.0, 50.0, w * (1 - 1e-9)], [0.0, 0.0, 200.0, 50.0, w * (1 + 1e-9)]])
    moved, f = propagate(x, np.array([4.0, 4.0]))
    assert np.allclose(moved[0], moved[1], rtol=0, atol=1e-6)
    assert np.allclose(f[0], f[1], rtol=0, atol=1e-6)


def test_turn_rate_ekf_on_a_noise_free_constant_turn_converges_to_the_true_rate():
    models = _models([0.5], [None], [60.0], [0.01])
    truth = np.array([[0.0, 0.0, 200.0, 0.0, np.radians(-2.0)]])
    x, p = pad_state(
        np.array([[[0.0, 0.0, 0.0, 0.0]]]), np.diag([150.0**2, 150.0**2, 180.0**2, 180.0**2])[None, None], 0.03
    )
    mu = np.ones((1, 1))
    r = np.eye(2)[None] * 150.0**2
    for _ in range(40):
        truth, _ = propagate(truth, np.array([4.0]), False)
        xp, pp, cbar = imm_predict(x, p, mu, np.array([4.0]), models)
        x, p, mu = imm_update(xp, pp, cbar, truth[:, :2], r)
    assert abs(np.degrees(x[0, 0, 4]) + 2.0) < 0.01
    assert np.hypot(*(x[0, 0, :2] - truth[0, :2])) < 5.0
    assert np.hypot(*(x[0, 0, 2:4] - truth[0, 2:4])) < 0.5


def test_a_pinned_model_keeps_its_turn_rate_through_mixing_and_update():
    # Model 0 is NCV (ω pinned to 0), model 1 estimates ω; mixing hands model 0 the turning model's state.
    models = _models([0.05, 0.5], [0.0, None], [100.0, 30.0], [0.0, 0.01])
    x = np.array([[[0.0, 0.0, 200.0, 0.0, 0.0], [0.0, 0.0, 200.0, 0.0, np.radians(2.0)]]])
    p = np.tile(np.diag([100.0**2, 100.0**2, 5.0**2, 5.0**2, np.radians(0.5) ** 2]), (1, 2, 1, 1))
    mu = np.array([[0.5, 0.5]])
    xp, pp, cbar = imm_predict(x, p, mu, np.array([4.0]), models)
    assert xp[0, 0, 4] == 0.0 and pp[0, 0, 4, 4] < 1e-10
    assert xp[0, 1, 4] > 0.0
    x1, _, _ = imm_update(xp, pp, cbar, xp[:, 1, :2], np.eye(2)[None] * 150.0**2)
    assert abs(x1[0, 0, 4]) < 1e-9 and x1[0, 1, 4] > 0.0


def test_a_track_started_from_one_report_gets_a_zero_turn_rate_with_the_prior():
    store = TrackStore(capacity=4, n_models=2)
    slots = store.allocate(1)
    x = np.array([[1.0, 2.0, 0.0, 0.0]])
    p = np.diag([150.0**2, 150.0**2, 180.0**2, 180.0**2])[None]
    store.set_state(slots, np.repeat(x[:, None], 2, 1), np.repeat(p[:, None], 2, 1), np.full((1, 2), 0.5))
    assert store.x.shape[-1] == 5 and store.x[slots[0], 0, 4] == 0.0
    assert np.isclose(store.p[slots[0], 1, 4, 4], store.init_turn_rate_sigma_rps**2)
    assert store.xc.shape[-1] == 4 and np.allclose(store.xc[slots[0]], x[0])


def test_extrapolation_keeps_each_model_on_its_own_motion():
    x = np.array([[[0.0, 0.0, 200.0, 0.0, 0.0], [0.0, 0.0, 200.0, 0.0, np.radians(3.0)]]])
    out = extrapolate(x, np.array([[0.0, 1.0]]), np.array([30.0]))
    assert np.isclose(np.degrees(np.arctan2(out[0, 3], out[0, 2])), 90.0)


def test_mixing_identical_models_changes_nothing_and_probabilities_stay_normalised():
    x = np.tile(np.array([1.0, 2.0, 3.0, 4.0, 0.01]), (5, 3, 1))
    p = np.tile(np.eye(5), (5, 3, 1, 1))
    mu = np.full((5, 3), 1 / 3)
    x0, p0, cbar = mix(x, p, mu, switching_matrix(np.full(5, 4.0), np.array([100.0, 10.0, 10.0])))
    assert np.allclose(x0, x) and np.allclose(p0, p)
    assert np.allclose(cbar.sum(axis=1), 1.0)


def test_a_turn_left_goes_where_the_switch_weights_say_and_never_to_the_opposite_turn():
    cfg = TrackerConfig()
    weights = cfg.switch_matrix()
    _, omega, sojourn, _ = cfg.model_arrays()
    pi = switching_matrix(np.array([4.0, 40.0]), sojourn, weights)
    assert np.allclose(pi.sum(axis=2), 1.0)
    left = int(np.nanargmin(np.abs(omega - np.radians(1.2))))
    right = int(np.nanargmin(np.abs(omega + np.radians(1.2))))
    assert pi[0, left, right] == 0.0
    # Leaving after 4 s with a 20 s sojourn; straight flight takes as much as the high-noise model, the estimated
    # turn twice as much.
    high_noise = int(np.nonzero((omega == 0.0) & (sojourn < 100.0))[0][0])
    estimated = int(np.nonzero(np.isnan(omega))[0][0])
    assert np.isclose(1.0 - pi[0, left, left], 1.0 - np.exp(-4.0 / 20.0))
    assert np.isclose(pi[0, left, 0], pi[0, left, high_noise])
    assert np.isclose(pi[0, left, estimated], 2.0 * pi[0, left, 0])


def test_switch_weights_of_the_wrong_shape_are_a_clear_error():
    with pytest.raises(ValueError, match="model_switch_weights"):
        TrackerConfig(models=((0.05, 0.0, 200.0), (40.0, 0.0, 6.0))).switch_matrix()
    assert TrackerConfig(models=((0.05, 0.0, 200.0),), model_switch_weights=None).switch_matrix() is None


def test_model_bank_entries_that_make_no_sense_are_a_clear_error():
    with pytest.raises(ValueError, match="models"):
        TrackerConfig(models=((0.05, 0.0, 0.0),), model_switch_weights=None).model_arrays()
    with pytest.raises(ValueError, match="models"):
        TrackerConfig(models=((0.05, 0.0),), model_switch_weights=None).model_arrays()


def test_imm_update_favours_the_model_that_predicted_the_measurement():
    n = 1
    x = np.array([[[0.0, 0.0, 200.0, 0.0, 0.0]] * 2])
    p = np.tile(np.diag([100.0**2, 100.0**2, 10.0**2, 10.0**2, 0.0]), (n, 2, 1, 1))
    mu = np.array([[0.5, 0.5]])
    xp, pp, cbar = imm_predict(x, p, mu, np.array([10.0]), _models([0.1, 0.1], [0.0, 3.0], [60.0, 60.0]))
    # The aircraft really turned: measure where the turn model said it would be.
    z = xp[:, 1, :2]
    _, _, mu_new = imm_update(xp, pp, cbar, z, np.tile(np.eye(2) * 50.0**2, (n, 1, 1)))
    assert mu_new[0, 1] > 0.9
    xc, _ = combine(xp, pp, cbar)
    assert xc.shape == (1, 5)


def test_gnn_takes_the_globally_cheapest_assignment_not_the_greedy_one():
    # Track 0 is closest to plot 0, but giving plot 0 to track 0 would leave track 1 without any plot.
    track = np.array([0, 0, 1])
    plot = np.array([0, 1, 0])
    cost = np.array([1.0, 2.0, 1.5])
    chosen = gnn_assign(track, plot, cost)
    assert sorted(zip(track[chosen].tolist(), plot[chosen].tolist(), strict=True)) == [(0, 1), (1, 0)]


def test_gnn_leaves_unrelated_single_pairs_untouched():
    chosen = gnn_assign(np.array([5, 7, 9]), np.array([2, 0, 1]), np.array([3.0, 1.0, 2.0]))
    assert chosen.tolist() == [0, 1, 2]


def test_default_bank_flies_a_noisy_turn_on_its_estimated_turn_rate_and_straight_flight_on_the_quiet_model():
    models = TrackerConfig().motion_models()
    estimated = int(np.nonzero(np.isnan(models.omega))[0][0])
    x, mu, quiet_before_turn = fly_straight_then_turn(models)
    assert quiet_before_turn > 0.8
    assert np.median(mu[:, estimated]) > 0.5
    assert np.median(np.abs(np.degrees(x[:, estimated, 4]) + 2.0)) < 0.2
