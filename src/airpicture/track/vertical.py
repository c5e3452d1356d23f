"""Vertical tracking: a two-state Kalman filter on pressure altitude, separate from the horizontal IMM.

Barometric altitude (Mode C, Mode S, ADS-B) is quantised and flown in levels, so ARTAS-style trackers keep it apart
from the horizontal plane. State ``[h_m, ḣ_mps]`` with white vertical acceleration of density q::

    h ← h + Δt ḣ,   P ← F P Fᵀ + q [[Δt³/3, Δt²/2], [Δt²/2, Δt]],
    K = P Hᵀ / (P₀₀ + r),   H = [1 0].

A report more than ``max(6σ, 500 m)`` off the prediction is a garble and is rejected (counted), unless the track
has had no altitude for 30 s (then the filter restarts). All scalar formulas, vectorised over tracks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.track.store import TrackStore


def update_altitude(
    store: TrackStore,
    slots: NDArray[np.int64],
    time_s: NDArray[np.float64],
    alt_m: NDArray[np.float64],
    sigma_m: float,
    q_m2s3: float,
) -> int:
    """Fuse one altitude report per slot (slots must be unique); returns the number rejected as garbles."""
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
