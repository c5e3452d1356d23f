"""Prediction: the IMM's interaction (mixing) step and its motion models, for many tracks at once.

State per model, in the system plane: ``x = [x_m, y_m, vx_mps, vy_mps]``. Every model is linear in this state,
so mixing needs no state-space conversion. A model is near-constant velocity (NCV, ω = 0) or a coordinated turn at
a *fixed* turn rate ω (positive to the left, counter-clockwise seen from above), each with white acceleration of
power spectral density ``q``::

    x_k = F(Δt, ω) x_{k-1} + ν_k,   ν_k ~ N(0, Q(Δt)),
    F(Δt, 0) = [[I, Δt·I], [0, I]],
    F(Δt, ω) = [[1, 0, sin ωΔt/ω, −(1−cos ωΔt)/ω],
                [0, 1, (1−cos ωΔt)/ω, sin ωΔt/ω],
                [0, 0, cos ωΔt, −sin ωΔt],
                [0, 0, sin ωΔt,  cos ωΔt]],
    Q(Δt) = q · [[Δt³/3·I, Δt²/2·I], [Δt²/2·I, Δt·I]].

The default bank (:class:`airpicture.track.config.TrackerConfig`) is a quiet NCV (cruise), left and right turns at
1.5 and 3 deg/s, and a high-noise NCV that catches whatever the others do not (turn entry, speed changes).

IMM interaction (Blom & Bar-Shalom) over model probabilities ``μ`` with a Markov switching matrix ``Π(Δt)``: model
j is left with probability ``1 − exp(−Δt/τ_j)`` (mean sojourn time τ_j), towards the other models in configured
proportions (a turn ends into straight flight, not into the opposite turn)::

    c̄_j = Σ_i Π_ij μ_i,            μ_{i|j} = Π_ij μ_i / c̄_j,
    x⁰_j = Σ_i μ_{i|j} x_i,        P⁰_j = Σ_i μ_{i|j} [P_i + (x_i − x⁰_j)(x_i − x⁰_j)ᵀ].

Every function takes arrays with a leading "track" (or track–plot pair) axis; nothing loops over tracks.
A negative Δt (a plot a little older than the track's state, inside one processing slice) runs the motion model
backwards with the noise of ``|Δt|``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

N_STATE = 4


@dataclass(frozen=True)
class MotionModels:
    """The IMM model bank as arrays: white-acceleration density q (m²/s³), turn rate ω (rad/s), sojourn τ (s)."""

    q: NDArray[np.float64]
    omega: NDArray[np.float64]
    sojourn_s: NDArray[np.float64]
    #: Where a model goes when it is left: row i the probabilities of going to each other model (zero diagonal,
    #: rows sum to 1). None: to the others equally.
    switch_to: NDArray[np.float64] | None = None

    @property
    def n(self) -> int:
        return int(self.q.shape[0])


def transition(dt_s: NDArray[np.float64], omega_rps: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(Δt, ω) for each Δt (n,) and model turn rate ω (M,): shape (n, M, 4, 4)."""
    n, m = dt_s.shape[0], omega_rps.shape[0]
    w = np.where(omega_rps == 0.0, 1.0, omega_rps)[None, :]
    wt = dt_s[:, None] * omega_rps[None, :]
    s, c = np.sin(wt), np.cos(wt)
    straight = (omega_rps == 0.0)[None, :]
    dt = np.broadcast_to(dt_s[:, None], (n, m))
    a = np.where(straight, dt, s / w)
    b = np.where(straight, 0.0, (1.0 - c) / w)
    f = np.zeros((n, m, N_STATE, N_STATE))
    f[..., 0, 0] = f[..., 1, 1] = 1.0
    f[..., 0, 2] = f[..., 1, 3] = a
    f[..., 0, 3] = -b
    f[..., 1, 2] = b
    f[..., 2, 2] = f[..., 3, 3] = c
    f[..., 2, 3] = -s
    f[..., 3, 2] = s
    return f


def process_noise(dt_s: NDArray[np.float64], q_m2s3: NDArray[np.float64]) -> NDArray[np.float64]:
    """Q(Δt) for every Δt (n,) and model spectral density q (M,): shape (n, M, 4, 4)."""
    a = np.abs(dt_s)[:, None] * q_m2s3[None, :]
    d = np.abs(dt_s)[:, None]
    q = np.zeros((dt_s.shape[0], q_m2s3.shape[0], N_STATE, N_STATE))
    q[..., 0, 0] = q[..., 1, 1] = a * d * d / 3.0
    q[..., 0, 2] = q[..., 2, 0] = q[..., 1, 3] = q[..., 3, 1] = a * d / 2.0 * np.sign(dt_s)[:, None]
    q[..., 2, 2] = q[..., 3, 3] = a
    return q


def switching_matrix(
    dt_s: NDArray[np.float64], sojourn_s: NDArray[np.float64], switch_to: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Π(Δt), shape (n, M, M): leave model j with probability 1 − exp(−|Δt|/τ_j), towards the others in the
    proportions of ``switch_to`` (M, M) (equally when None)."""
    m = sojourn_s.shape[0]
    if m == 1:
        return np.ones((dt_s.shape[0], 1, 1))
    leave = 1.0 - np.exp(-np.abs(dt_s)[:, None] / sojourn_s[None, :])
    if switch_to is None:
        pi = np.broadcast_to((leave / max(m - 1, 1))[:, :, None], (dt_s.shape[0], m, m)).copy()
    else:
        pi = leave[:, :, None] * switch_to[None, :, :]
    idx = np.arange(m)
    pi[:, idx, idx] = 1.0 - leave
    return pi


def _weighted_moments(
    w: NDArray[np.float64], x: NDArray[np.float64], p: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Moment-matched mixtures: for weights w (n,K,M) over M Gaussians x (n,M,4), P (n,M,4,4) → K mixtures.

    Uses Σ_i w_i (x_i − x̄)(x_i − x̄)ᵀ = Σ_i w_i d_i d_iᵀ − ē ēᵀ with d_i = x_i − x_ref, ē = x̄ − x_ref (x_ref the
    first model's state, for precision), so that everything is one batched matrix product instead of an einsum.
    """
    n, m, s = x.shape
    xbar = w @ x
    ref = x[:, :1, :]
    d = x - ref
    a = (p + d[..., :, None] * d[..., None, :]).reshape(n, m, s * s)
    e = xbar - ref
    pbar = (w @ a).reshape(n, w.shape[1], s, s) - e[..., :, None] * e[..., None, :]
    return xbar, pbar


def mix(
    x: NDArray[np.float64], p: NDArray[np.float64], mu: NDArray[np.float64], pi: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """IMM interaction: (x (n,M,4), P (n,M,4,4), μ (n,M), Π (n,M,M)) → (x⁰, P⁰, c̄)."""
    joint = pi * mu[:, :, None]
    cbar = joint.sum(axis=1)
    w = joint / np.maximum(cbar[:, None, :], 1e-300)  # w[n,i,j] = μ_{i|j}
    x0, p0 = _weighted_moments(np.swapaxes(w, 1, 2), x, p)
    return x0, p0, cbar


def predict_models(
    x: NDArray[np.float64],
    p: NDArray[np.float64],
    dt_s: NDArray[np.float64],
    q_m2s3: NDArray[np.float64],
    omega_rps: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each model's prediction over Δt: x (n,M,4), P (n,M,4,4) → (F x, F P Fᵀ + Q)."""
    f = transition(dt_s, omega_rps)
    xp = (f @ x[..., None])[..., 0]
    pp = f @ p @ np.swapaxes(f, -1, -2) + process_noise(dt_s, q_m2s3)
    return xp, pp


def imm_predict(
    x: NDArray[np.float64],
    p: NDArray[np.float64],
    mu: NDArray[np.float64],
    dt_s: NDArray[np.float64],
    q_m2s3: NDArray[np.float64],
    sojourn_s: NDArray[np.float64],
    omega_rps: NDArray[np.float64],
    switch_to: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Interaction then per-model prediction: returns (x_pred (n,M,4), P_pred (n,M,4,4), c̄ (n,M))."""
    x0, p0, cbar = mix(x, p, mu, switching_matrix(dt_s, sojourn_s, switch_to))
    xp, pp = predict_models(x0, p0, dt_s, q_m2s3, omega_rps)
    return xp, pp, cbar


def combine(
    x: NDArray[np.float64], p: NDArray[np.float64], mu: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Moment-matched single Gaussian of the model mixture: x̂ = Σ μ_j x_j, P̂ = Σ μ_j [P_j + (x_j − x̂)(x_j − x̂)ᵀ]."""
    xc, pc = _weighted_moments(mu[:, None, :], x, p)
    return xc[:, 0], pc[:, 0]
