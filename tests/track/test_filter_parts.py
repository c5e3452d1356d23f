import numpy as np

from airpicture.track.associator import gnn_assign
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
