"""A shared test flight for IMM banks: 200 aircraft, σ 150 m plots every 4 s, 100 s straight, then 120 s of a
2 deg/s right turn, run through the numpy IMM (the kernels' oracle)."""

import numpy as np

from airpicture.track.predictor import MotionModels, imm_predict, pad_state, propagate
from airpicture.track.updater import imm_update


def fly_straight_then_turn(models: MotionModels, seed: int = 3):
    """(x, mu) after the turn, and the median quiet-model probability at the end of the straight leg."""
    rng = np.random.default_rng(seed)
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
    quiet_before_turn = np.nan
    for k in range(55):
        if k == 25:
            quiet_before_turn = float(np.median(mu[:, 0]))
            truth[:, 4] = np.radians(-2.0)
        truth, _ = propagate(truth, np.full(n, dt), False)
        xp, pp, cbar = imm_predict(x, p, mu, np.full(n, dt), models)
        x, p, mu = imm_update(xp, pp, cbar, truth[:, :2] + rng.normal(0, 150, (n, 2)), r)
    return x, mu, quiet_before_turn
