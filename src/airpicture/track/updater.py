"""Update: the Kalman measurement update of every IMM model and the model-probability update, batched.

Every measurement is a horizontal position in the system plane, ``z = H x + w``, ``w ~ N(0, R)``, with
``H = [I₂ 0]`` on the state ``[x, y, vx, vy, ω]``: the update is linear, only the motion is not (polar radar
plots arrive here already converted, their range/azimuth covariance rotated into the plane by
:mod:`airpicture.track.measurement`). For each model j::

    ν_j = z − H x_j,   S_j = H P_j Hᵀ + R,   K_j = P_j Hᵀ S_j⁻¹,
    x_j ← x_j + K_j ν_j,   P_j ← P_j − K_j S_j K_jᵀ,
    Λ_j = N(ν_j; 0, S_j),   μ_j ← c̄_j Λ_j / Σ_i c̄_i Λ_i.

The 2×2 inverses are written out (adjugate over determinant), which is exact and much faster than ``np.linalg``
on millions of tiny matrices. Log-likelihoods keep the model weights finite after long coasts.

The tracker runs :func:`imm_update` as the compiled ``airpicture.track.kernels.imm_update`` /
``predict_update_store``; the numpy function here is their test oracle (``tests/track/test_kernels.py``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def inverse_2x2(s: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(S⁻¹, det S) for any stack of symmetric 2×2 matrices."""
    a, b, d = s[..., 0, 0], s[..., 0, 1], s[..., 1, 1]
    det = np.maximum(a * d - b * b, 1e-12)
    inv = np.empty_like(s)
    inv[..., 0, 0] = d / det
    inv[..., 1, 1] = a / det
    inv[..., 0, 1] = inv[..., 1, 0] = -b / det
    return inv, det


def mahalanobis_2(nu: NDArray[np.float64], s_inv: NDArray[np.float64]) -> NDArray[np.float64]:
    """νᵀ S⁻¹ ν for stacks of 2-vectors."""
    return (
        nu[..., 0] * nu[..., 0] * s_inv[..., 0, 0]
        + 2.0 * nu[..., 0] * nu[..., 1] * s_inv[..., 0, 1]
        + nu[..., 1] * nu[..., 1] * s_inv[..., 1, 1]
    )


def innovation(
    x: NDArray[np.float64], p: NDArray[np.float64], z: NDArray[np.float64], r: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(ν, S, S⁻¹, det S) of a single Gaussian x (n,s), P (n,s,s) against z (n,2), R (n,2,2)."""
    nu = z - x[:, :2]
    s = p[:, :2, :2] + r
    s_inv, det = inverse_2x2(s)
    return nu, s, s_inv, det


def imm_update(
    x: NDArray[np.float64],
    p: NDArray[np.float64],
    cbar: NDArray[np.float64],
    z: NDArray[np.float64],
    r: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Update predicted models x (n,M,s), P (n,M,s,s) with c̄ (n,M) by z (n,2), R (n,2,2): → (x, P, μ)."""
    nu = z[:, None, :] - x[..., :2]
    s = p[..., :2, :2] + r[:, None]
    s_inv, det = inverse_2x2(s)
    k = p[..., :, :2] @ s_inv  # (n,M,4,2)
    x_new = x + k[..., 0] * nu[..., None, 0] + k[..., 1] * nu[..., None, 1]
    p_new = p - k @ p[..., :2, :]
    p_new = 0.5 * (p_new + np.swapaxes(p_new, -1, -2))
    log_w = np.log(np.maximum(cbar, 1e-300)) - 0.5 * mahalanobis_2(nu, s_inv) - 0.5 * np.log(det)
    log_w -= log_w.max(axis=1, keepdims=True)
    w = np.exp(log_w)
    mu = w / w.sum(axis=1, keepdims=True)
    # Keep both models alive: a model at exactly zero could never take over again.
    mu = np.clip(mu, 1e-4, 1.0)
    mu /= mu.sum(axis=1, keepdims=True)
    return x_new, p_new, mu
