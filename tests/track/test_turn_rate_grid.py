"""The alternative IMM bank of twelve quiet turn rates (``airpicture.track.config.TURN_RATE_GRID_BANK``)."""

import numpy as np

from airpicture.track.config import TURN_RATE_GRID_BANK, TrackerConfig
from airpicture.track.predictor import imm_predict, pad_state, propagate, switching_matrix
from airpicture.track.updater import imm_update


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
    # 200 aircraft, σ 150 m plots every 4 s: 100 s straight, then 120 s of a 2 deg/s right turn.
    cfg = TrackerConfig(**TURN_RATE_GRID_BANK)
    models = cfg.motion_models()
    quiet = 0
    # Turn models: the grid's right turns and the estimated turn.
    right_turns = (models.pinned & (models.omega < 0.0)) | ~models.pinned
    rng = np.random.default_rng(3)
    n, m, dt = 200, models.n, 4.0
    heading = rng.uniform(0, 2 * np.pi, n)
    truth = np.stack([np.zeros(n), np.zeros(n), 200 * np.sin(heading), 200 * np.cos(heading), np.zeros(n)], 1)
    r = np.tile(np.eye(2) * 150.0**2, (n, 1, 1))
    x0, p0 = pad_state(
        np.concatenate([truth[:, :2] + rng.normal(0, 150, (n, 2)), truth[:, 2:4]], 1),
        np.tile(np.diag([150.0**2, 150.0**2, 20.0**2, 20.0**2]), (n, 1, 1)),
        0.02,
    )
    x, p, mu = np.repeat(x0[:, None], m, 1), np.repeat(p0[:, None], m, 1), np.full((n, m), 1 / m)
    for k in range(55):
        if k == 25:
            assert np.median(mu[:, quiet]) > 0.8
            truth[:, 4] = np.radians(-2.0)
        truth, _ = propagate(truth, np.full(n, dt), False)
        xp, pp, cbar = imm_predict(x, p, mu, np.full(n, dt), models)
        x, p, mu = imm_update(xp, pp, cbar, truth[:, :2] + rng.normal(0, 150, (n, 2)), r)
    # 120 s into a 2 deg/s right turn the turn models hold the track, and their probability-weighted rate is the
    # aircraft's (the grid's neighbours 1.8 and 2.2 deg/s and the estimated turn share it).
    assert np.median(mu[:, right_turns].sum(axis=1)) > 0.7
    turning = mu[:, right_turns]
    rate = np.degrees((turning * x[:, right_turns, 4]).sum(axis=1) / turning.sum(axis=1))
    assert np.median(np.abs(rate + 2.0)) < 0.2
