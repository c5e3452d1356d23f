import numpy as np
import pytest

from airpicture.track.associator import gnn_assign
from airpicture.track.config import TrackerConfig
from airpicture.track.predictor import combine, imm_predict, mix, switching_matrix, transition
from airpicture.track.updater import imm_update


def test_constant_velocity_and_turn_models_move_the_state_as_the_equations_say():
    dt = np.array([4.0])
    omega = np.array([0.0, np.radians(3.0)])
    f = transition(dt, omega)
    x = np.array([0.0, 0.0, 200.0, 0.0])
    straight, turning = f[0, 0] @ x, f[0, 1] @ x
    assert np.allclose(straight, [800.0, 0.0, 200.0, 0.0])
    # 12 degrees of left turn keeps the speed and rotates the velocity counter-clockwise.
    assert np.isclose(np.hypot(*turning[2:]), 200.0)
    assert np.isclose(np.degrees(np.arctan2(turning[3], turning[2])), 12.0)


def test_mixing_identical_models_changes_nothing_and_probabilities_stay_normalised():
    x = np.tile(np.array([1.0, 2.0, 3.0, 4.0]), (5, 3, 1))
    p = np.tile(np.eye(4), (5, 3, 1, 1))
    mu = np.full((5, 3), 1 / 3)
    x0, p0, cbar = mix(x, p, mu, switching_matrix(np.full(5, 4.0), np.array([100.0, 10.0, 10.0])))
    assert np.allclose(x0, x) and np.allclose(p0, p)
    assert np.allclose(cbar.sum(axis=1), 1.0)


def test_a_turn_left_goes_where_the_switch_weights_say_and_never_to_the_opposite_turn():
    cfg = TrackerConfig()
    weights = cfg.switch_matrix()
    _, omega, sojourn = cfg.model_arrays()
    pi = switching_matrix(np.array([4.0, 40.0]), sojourn, weights)
    assert np.allclose(pi.sum(axis=2), 1.0)
    left = int(np.argmin(np.abs(omega - np.radians(1.2))))
    right = int(np.argmin(np.abs(omega + np.radians(1.2))))
    assert pi[0, left, right] == 0.0
    # Leaving after 4 s with a 20 s sojourn; straight flight takes as much as the high-noise model.
    assert np.isclose(1.0 - pi[0, left, left], 1.0 - np.exp(-4.0 / 20.0))
    assert np.isclose(pi[0, left, 0], pi[0, left, -1])


def test_switch_weights_of_the_wrong_shape_are_a_clear_error():
    with pytest.raises(ValueError, match="model_switch_weights"):
        TrackerConfig(models=((0.05, 0.0, 200.0), (40.0, 0.0, 6.0))).switch_matrix()
    assert TrackerConfig(models=((0.05, 0.0, 200.0),), model_switch_weights=None).switch_matrix() is None


def test_imm_update_favours_the_model_that_predicted_the_measurement():
    n = 1
    x = np.array([[[0.0, 0.0, 200.0, 0.0]] * 2])
    p = np.tile(np.diag([100.0**2, 100.0**2, 10.0**2, 10.0**2]), (n, 2, 1, 1))
    mu = np.array([[0.5, 0.5]])
    xp, pp, cbar = imm_predict(
        x, p, mu, np.array([10.0]), np.array([0.1, 0.1]), np.array([60.0, 60.0]), np.radians([0.0, 3.0])
    )
    # The aircraft really turned: measure where the turn model said it would be.
    z = xp[:, 1, :2]
    _, _, mu_new = imm_update(xp, pp, cbar, z, np.tile(np.eye(2) * 50.0**2, (n, 1, 1)))
    assert mu_new[0, 1] > 0.9
    xc, _ = combine(xp, pp, cbar)
    assert xc.shape == (1, 4)


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
