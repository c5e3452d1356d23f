"""The alternative IMM bank of twelve quiet turn rates (``airpicture.track.config.TURN_RATE_GRID_BANK``)."""

import numpy as np

from airpicture.track.config import TURN_RATE_GRID_BANK, TrackerConfig
from airpicture.track.predictor import switching_matrix
from tests.track.noisy_turn import fly_straight_then_turn


def test_a_grid_turn_goes_on_at_the_next_rate_or_ends_and_never_reverses():
    cfg = TrackerConfig(**TURN_RATE_GRID_BANK)
    weights = cfg.switch_matrix()
    _, omega, sojourn, _ = cfg.model_arrays()
    pi = switching_matrix(np.array([4.0, 40.0]), sojourn, weights)
    assert np.allclose(pi.sum(axis=2), 1.0)
    left = int(np.nanargmin(np.abs(omega - np.radians(1.8))))
    right = int(np.nanargmin(np.abs(omega + np.radians(1.8))))
    assert pi[0, left, right] == 0.0 and pi[1, left, right] == 0.0
    # Leaving after 4 s with a 25 s sojourn; straight flight takes as much as the high-noise model, each
    # neighbouring rate in the same direction 0.3 of that, every other turn nothing.
    high_noise = int(np.nonzero((omega == 0.0) & (sojourn < 100.0))[0][0])
    up = int(np.nanargmin(np.abs(omega - np.radians(2.2))))
    down = int(np.nanargmin(np.abs(omega - np.radians(1.4))))
    assert np.isclose(1.0 - pi[0, left, left], 1.0 - np.exp(-4.0 / 25.0))
    assert np.isclose(pi[0, left, 0], pi[0, left, high_noise])
    assert np.isclose(pi[0, left, up], 0.3 * pi[0, left, 0]) and np.isclose(pi[0, left, down], pi[0, left, up])
    far = np.nanargmin(np.abs(omega - np.radians(3.0)))
    assert pi[0, left, far] == 0.0


def test_the_grid_bank_flies_a_noisy_turn_on_its_turn_rates_and_straight_flight_on_the_quiet_model():
    models = TrackerConfig(**TURN_RATE_GRID_BANK).motion_models()
    # Turn models: the grid's right turns and the estimated turn.
    right_turns = (models.pinned & (models.omega < 0.0)) | ~models.pinned
    x, mu, quiet_before_turn = fly_straight_then_turn(models)
    assert quiet_before_turn > 0.8
    # 120 s into a 2 deg/s right turn the turn models hold the track, and their probability-weighted rate is the
    # aircraft's (the grid's neighbours 1.8 and 2.2 deg/s and the estimated turn share it).
    assert np.median(mu[:, right_turns].sum(axis=1)) > 0.7
    turning = mu[:, right_turns]
    rate = np.degrees((turning * x[:, right_turns, 4]).sum(axis=1) / turning.sum(axis=1))
    assert np.median(np.abs(rate + 2.0)) < 0.2
