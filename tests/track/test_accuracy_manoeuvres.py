"""Manoeuvres other than turns: the model bank must follow a speed change (the accuracy helper's tests)."""

import numpy as np

from airpicture.track import TrackerConfig
from tests.track.test_accuracy import T0, _filtered_rms, plots


def _speed_change(accel_mps2: float, n: int = 30, seconds: float = 240.0, seed: int = 2):
    """n aircraft 40 km apart flying east at 150 m/s for 60 s, then accelerating along track for 40 s, then
    straight on; one plot per 4 s (σ 150 m). Returns the plots and the truth position of (aircraft, t)."""
    rng = np.random.default_rng(seed)

    def truth(a, t):
        t1, t2, t3 = np.clip(t, 0, 60), np.clip(t - 60, 0, 40), np.clip(t - 100, 0, None)
        x = 150.0 * (t1 + t2) + 0.5 * accel_mps2 * t2**2 + (150.0 + accel_mps2 * 40.0) * t3
        return x - 50_000.0, 0.0 * t - 400_000.0 + 40_000.0 * a

    t = np.concatenate([np.arange(a * 0.1 + 0.05, seconds, 4.0) for a in range(n)])
    who = np.concatenate([np.full(np.arange(a * 0.1 + 0.05, seconds, 4.0).size, a) for a in range(n)])
    x, y = truth(who, t)
    order = np.argsort(t)
    return plots(T0 + t[order], (x + rng.normal(0, 150, t.size))[order], (y + rng.normal(0, 150, t.size))[order]), truth


def test_a_speed_change_is_followed_by_the_high_noise_model():
    table, truth = _speed_change(2.5)
    default = _filtered_rms(TrackerConfig(), table, truth, (60, 140))
    # The same bank with a quieter high-noise model (q 5 instead of 20) gains ~1 % in the square's turns and
    # loses this: measured 218 m against 303 m (with the bank of twelve quiet turn rates: 219 m against 302 m).
    bank = list(TrackerConfig().models)
    high_noise = max(range(len(bank)), key=lambda j: bank[j][0])
    bank[high_noise] = (5.0, 0.0, 6.0, 0.0)
    quieter = _filtered_rms(TrackerConfig(models=tuple(bank)), table, truth, (60, 140))
    assert default < 240.0
    assert default < 0.8 * quieter
