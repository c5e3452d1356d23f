"""Prediction: the IMM's interaction (mixing) step and its motion models, for many tracks at once.

State per model, in the system plane: ``x = [x_m, y_m, vx_mps, vy_mps, ω_rps]`` (ω the turn rate, positive to the
left, counter-clockwise seen from above). Every model moves the state by the coordinated-turn (CT) motion at the
state's own turn rate, with white acceleration of power spectral density ``q`` and a random-walk turn rate of
density ``q_ω``::

    u = ωΔt,   a = sin u / ω,   b = (1 − cos u) / ω         (a → Δt, b → 0 as ω → 0: series below |u| < 0.01)
    x' = x + a vx − b vy,        vx' = cos u · vx − sin u · vy,
    y' = y + b vx + a vy,        vy' = sin u · vx + cos u · vy,        ω' = ω,
    Q(Δt) = q · [[Δt³/3·I, Δt²/2·I, 0], [Δt²/2·I, Δt·I, 0], [0, 0, 0]] + diag(0, 0, 0, 0, q_ω Δt).

The motion is nonlinear in ω, so the covariance goes through its Jacobian (extended Kalman filter), written out
analytically for all tracks and models at once::

    F = [[1, 0, a, −b, vx ∂a/∂ω − vy ∂b/∂ω],
         [0, 1, b,  a, vx ∂b/∂ω + vy ∂a/∂ω],
         [0, 0, cos u, −sin u, −Δt vy'],
         [0, 0, sin u,  cos u,  Δt vx'],
         [0, 0, 0, 0, 1]],
    ∂a/∂ω = Δt² (u cos u − sin u)/u²,   ∂b/∂ω = Δt² (u sin u − 1 + cos u)/u².

A model either *estimates* ω (the coordinated-turn EKF, which learns the rate of the turn being flown) or *pins* it
to a fixed value (0 for near-constant velocity): a pinned model has its ω set and its ω variance reset to a tiny
value after mixing, so its motion is exactly the linear NCV (or fixed-rate turn) model, yet all models share one
5-D state space and the interaction (mixing) stays exact.

The default bank (:class:`airpicture.track.config.TrackerConfig`) is a quiet NCV (cruise), a coordinated turn with
its rate estimated, and a high-noise NCV that catches what the others do not (turn entry and exit).

IMM interaction (Blom & Bar-Shalom) over model probabilities ``μ`` with a Markov switching matrix ``Π(Δt)``: model
j is left with probability ``1 − exp(−Δt/τ_j)`` (mean sojourn time τ_j), towards the other models in configured
proportions::

    c̄_j = Σ_i Π_ij μ_i,            μ_{i|j} = Π_ij μ_i / c̄_j,
    x⁰_j = Σ_i μ_{i|j} x_i,        P⁰_j = Σ_i μ_{i|j} [P_i + (x_i − x⁰_j)(x_i − x⁰_j)ᵀ].

Every function takes arrays with a leading "track" (or track–plot pair) axis; nothing loops over tracks.

The tracker runs this maths through the compiled kernels of :mod:`airpicture.track.kernels` (one call per stage
instead of dozens of numpy calls); the numpy functions here (``imm_predict``, ``mix``, ``predict_models``,
``combine``, ``extrapolate``, ``propagate``) are the reference that ``tests/track/test_kernels.py`` holds the kernels
to, and the readable statement of the filter.
A negative Δt (a plot a little older than the track's state, inside one processing slice) runs the motion model
backwards with the noise of ``|Δt|``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

#: Per-model state: x, y, vx, vy (plane, m and m/s) and the turn rate ω (rad/s).
N_STATE = 5
#: The kinematic part [x, y, vx, vy] that leaves the filter (output, gating, merging).
N_KINEMATIC = 4
#: Variance (rad²/s²) a pinned turn rate keeps, so the covariance stays positive definite.
PINNED_OMEGA_VAR = 1e-12
#: |ωΔt| below which a, b and their derivatives come from their Taylor series (exact to ~1e-16 there).
_SMALL_TURN = 1e-2


@dataclass(frozen=True)
class MotionModels:
    """The IMM model bank as arrays, one entry per model.

    ``q``: white-acceleration density (m²/s³); ``omega``: pinned turn rate (rad/s), NaN where the model estimates
    it; ``q_omega``: turn-rate random-walk density (rad²/s³, used by estimating models); ``sojourn_s``: mean time
    in the model.
    """

    q: NDArray[np.float64]
    omega: NDArray[np.float64]
    sojourn_s: NDArray[np.float64]
    #: Where a model goes when it is left: row i the probabilities of going to each other model (zero diagonal,
    #: rows sum to 1). None: to the others equally.
    switch_to: NDArray[np.float64] | None = None
    q_omega: NDArray[np.float64] | None = None

    @property
    def n(self) -> int:
        return int(self.q.shape[0])

    # Derived arrays are computed once per bank (they were rebuilt on every prediction call).
    @cached_property
    def pinned(self) -> NDArray[np.bool_]:
        return np.isfinite(self.omega)

    @cached_property
    def pinned_index(self) -> NDArray[np.int64]:
        return np.nonzero(self.pinned)[0]

    @cached_property
    def turn_noise(self) -> NDArray[np.float64]:
        return np.zeros_like(self.q) if self.q_omega is None else np.where(self.pinned, 0.0, self.q_omega)

    @cached_property
    def kernel_args(self) -> tuple:
        """The bank as the compiled kernels take it (:mod:`airpicture.track.kernels`): (q, ω, pinned, turn-rate
        noise, sojourn, switch matrix, switch-equally flag), contiguous float64/bool arrays."""
        m = self.n
        equal = self.switch_to is None
        switch = np.zeros((m, m)) if equal else np.ascontiguousarray(self.switch_to, dtype=np.float64)
        return (
            np.ascontiguousarray(self.q, dtype=np.float64),
            np.ascontiguousarray(self.omega, dtype=np.float64),
            np.ascontiguousarray(self.pinned, dtype=np.bool_),
            np.ascontiguousarray(self.turn_noise, dtype=np.float64),
            np.ascontiguousarray(self.sojourn_s, dtype=np.float64),
            switch,
            equal,
        )


def _turn_terms(u: NDArray[np.float64]):
    """sin u, cos u, a/Δt = sin u / u, b/Δt = (1 − cos u)/u and their u-derivatives; the Taylor series where
    |u| is small (always for straight-flight models), the closed form elsewhere."""
    s, c = np.sin(u), np.cos(u)
    small = np.abs(u) < _SMALL_TURN
    inv = 1.0 / np.where(small, 1.0, u)
    one_minus_c = 1.0 - c
    a1 = s * inv
    b1 = one_minus_c * inv
    inv *= inv
    da1 = (u * c - s) * inv
    db1 = (u * s - one_minus_c) * inv
    if small.any():
        v = u[small]
        v2 = v * v
        a1[small] = 1.0 - v2 / 6.0 + v2 * v2 / 120.0
        b1[small] = v * (0.5 - v2 / 24.0 + v2 * v2 / 720.0)
        da1[small] = v * (-1.0 / 3.0 + v2 / 30.0)
        db1[small] = 0.5 - v2 / 8.0 + v2 * v2 / 144.0
    return s, c, a1, b1, da1, db1


def _motion(x: NDArray[np.float64], dt_s: NDArray[np.float64], jacobian: bool):
    """Moved states and, if asked, the non-trivial Jacobian entries (a, b, cos u, sin u, ∂x'/∂ω … ∂vy'/∂ω)."""
    px, py, vx, vy, w = x[..., 0], x[..., 1], x[..., 2], x[..., 3], x[..., 4]
    dt = dt_s  # broadcasts against w in every product below (no explicit broadcast_to copy per call)
    s, c, a1, b1, da1, db1 = _turn_terms(w * dt)
    a, b = a1 * dt, b1 * dt
    out = np.empty(x.shape)
    out[..., 0] = px + a * vx - b * vy
    out[..., 1] = py + b * vx + a * vy
    vxn = c * vx - s * vy
    vyn = s * vx + c * vy
    out[..., 2] = vxn
    out[..., 3] = vyn
    out[..., 4] = w
    if not jacobian:
        return out, None
    dt2 = dt * dt
    da, db = da1 * dt2, db1 * dt2
    dw = (vx * da - vy * db, vx * db + vy * da, -dt * vyn, dt * vxn)
    return out, (a, b, c, s, *dw)


def propagate(
    x: NDArray[np.float64], dt_s: NDArray[np.float64], jacobian: bool = True
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """Coordinated-turn motion of states x (..., 5) over Δt (broadcast to x[..., 0]): (x', F) with F (..., 5, 5)
    the Jacobian (None when not asked for)."""
    out, terms = _motion(x, dt_s, jacobian)
    if terms is None:
        return out, None
    a, b, c, s, f04, f14, f24, f34 = terms
    f = np.zeros((*x.shape, N_STATE))
    f[..., 0, 0] = f[..., 1, 1] = f[..., 4, 4] = 1.0
    f[..., 0, 2] = f[..., 1, 3] = a
    f[..., 0, 3] = -b
    f[..., 1, 2] = b
    f[..., 2, 2] = f[..., 3, 3] = c
    f[..., 2, 3] = -s
    f[..., 3, 2] = s
    f[..., 0, 4] = f04
    f[..., 1, 4] = f14
    f[..., 2, 4] = f24
    f[..., 3, 4] = f34
    return out, f


def ncv_transition(dt_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(Δt) of near-constant velocity on [x, y, vx, vy]: shape (n, 4, 4)."""
    f = np.zeros((dt_s.shape[0], N_KINEMATIC, N_KINEMATIC))
    f[:, 0, 0] = f[:, 1, 1] = f[:, 2, 2] = f[:, 3, 3] = 1.0
    f[:, 0, 2] = f[:, 1, 3] = dt_s
    return f


def _add_process_noise(
    p: NDArray[np.float64], dt_s: NDArray[np.float64], q_m2s3: NDArray[np.float64], q_omega: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """P + Q(Δt) in place, for P (n, M, s, s) with Δt (n,), q (M,) or (n, M), q_ω (M,) (used when s is 5)."""
    d = np.abs(dt_s)[:, None]
    a = d * q_m2s3
    cross = a * (0.5 * dt_s[:, None])
    p[..., 0, 0] += a * d * d / 3.0
    p[..., 1, 1] += a * d * d / 3.0
    p[..., 0, 2] += cross
    p[..., 2, 0] += cross
    p[..., 1, 3] += cross
    p[..., 3, 1] += cross
    p[..., 2, 2] += a
    p[..., 3, 3] += a
    if p.shape[-1] > N_KINEMATIC and q_omega is not None:
        p[..., 4, 4] += d * q_omega
    return p


def process_noise(
    dt_s: NDArray[np.float64], q_m2s3: NDArray[np.float64], q_omega: NDArray[np.float64] | None = None, size: int = 5
) -> NDArray[np.float64]:
    """Q(Δt) for every Δt (n,) and model (q (M,), q_ω (M,)): shape (n, M, size, size), size 5 or 4 (no ω)."""
    q = np.zeros((dt_s.shape[0], q_m2s3.shape[-1], size, size))
    return _add_process_noise(q, dt_s, q_m2s3, q_omega)


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
    """Moment-matched mixtures: for weights w (n,K,M) over M Gaussians x (n,M,s), P (n,M,s,s) → K mixtures.

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
    """IMM interaction: (x (n,M,5), P (n,M,5,5), μ (n,M), Π (n,M,M)) → (x⁰, P⁰, c̄)."""
    joint = pi * mu[:, :, None]
    cbar = joint.sum(axis=1)
    w = joint / np.maximum(cbar[:, None, :], 1e-300)  # w[n,i,j] = μ_{i|j}
    x0, p0 = _weighted_moments(np.swapaxes(w, 1, 2), x, p)
    return x0, p0, cbar


def pin_turn_rates(x: NDArray[np.float64], p: NDArray[np.float64], models: MotionModels) -> None:
    """Set the turn rate of every pinned model to its value with (almost) no uncertainty, in place."""
    pinned = models.pinned_index
    if pinned.size == 0:
        return
    x[:, pinned, 4] = models.omega[pinned]
    p[:, pinned, 4, :] = 0.0
    p[:, pinned, :, 4] = 0.0
    p[:, pinned, 4, 4] = PINNED_OMEGA_VAR


def predict_models(
    x: NDArray[np.float64], p: NDArray[np.float64], dt_s: NDArray[np.float64], models: MotionModels
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each model's EKF prediction over Δt: x (n,M,5), P (n,M,5,5) → (f(x), F P Fᵀ + Q)."""
    xp, f = propagate(x, dt_s[:, None])
    pp = _add_process_noise(f @ p @ np.swapaxes(f, -1, -2), dt_s, models.q, models.turn_noise)
    return xp, pp


def imm_predict(
    x: NDArray[np.float64],
    p: NDArray[np.float64],
    mu: NDArray[np.float64],
    dt_s: NDArray[np.float64],
    models: MotionModels,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Interaction then per-model prediction: returns (x_pred (n,M,5), P_pred (n,M,5,5), c̄ (n,M))."""
    x0, p0, cbar = mix(x, p, mu, switching_matrix(dt_s, models.sojourn_s, models.switch_to))
    pin_turn_rates(x0, p0, models)
    xp, pp = predict_models(x0, p0, dt_s, models)
    return xp, pp, cbar


def combine(
    x: NDArray[np.float64], p: NDArray[np.float64], mu: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Moment-matched single Gaussian of the model mixture: x̂ = Σ μ_j x_j, P̂ = Σ μ_j [P_j + (x_j − x̂)(x_j − x̂)ᵀ]."""
    xc, pc = _weighted_moments(mu[:, None, :], x, p)
    return xc[:, 0], pc[:, 0]


def extrapolate(x: NDArray[np.float64], mu: NDArray[np.float64], dt_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Combined kinematic mean [x, y, vx, vy] (n, 4) of each track's models moved by their own motion over Δt (n,)
    (a turning model keeps turning at its rate), weighted by the model probabilities; no mixing."""
    xp, _ = _motion(x, dt_s[:, None], False)
    return np.einsum("nm,nms->ns", mu, xp[..., :N_KINEMATIC])


def pad_state(
    x: NDArray[np.float64], p: NDArray[np.float64], omega_sigma_rps: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A kinematic state (..., 4) / (..., 4, 4) as a full state with ω = 0 ± ``omega_sigma_rps``, uncorrelated."""
    if x.shape[-1] == N_STATE:
        return x, p
    xf = np.zeros((*x.shape[:-1], N_STATE))
    xf[..., :N_KINEMATIC] = x
    pf = np.zeros((*p.shape[:-2], N_STATE, N_STATE))
    pf[..., :N_KINEMATIC, :N_KINEMATIC] = p
    pf[..., 4, 4] = omega_sigma_rps**2
    return xf, pf
