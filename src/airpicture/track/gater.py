"""Hypothesiser and gater: which (track, plot) pairs are possible, and how good each one is.

A k-d tree over the plots finds, for all tracks at once, the plots inside a generous radius; then each surviving
pair is scored with the track's prediction to the plot's own time stamp::

    d²_ij = ν_ijᵀ S_ij⁻¹ ν_ij,      S_ij = H P̂_i(t_j) Hᵀ + R_j,

where x̂ is the probability-weighted mean of each model's predicted mean and P̂ the combined covariance grown by
the weighted process noise (the full IMM prediction is computed afterwards for the chosen pairs only).
A pair is kept when ``d² < gate`` (χ² with 2
degrees of freedom). Its assignment cost is the negative log-likelihood up to a constant, ``d² + ln det S``, so a
tight track beats a loose one at equal distance (Stone Soup's DistanceHypothesiser with a Mahalanobis measure
scores only ``d``).

Everything is one call per batch over arrays of pairs: no Python per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from airpicture.track import kernels
from airpicture.track.predictor import MotionModels, imm_predict, ncv_transition, process_noise, propagate
from airpicture.track.store import TrackStore
from airpicture.track.updater import innovation, mahalanobis_2

#: Below this many track × plot combinations the gate tests every pair in one compiled loop; above it a k-d tree
#: finds the candidates first (measured: the brute force costs ~10 ns a pair, two k-d trees ~0.2 ms at least).
BRUTE_FORCE_PAIRS = 40_000


_NO_INDEX = np.empty(0, np.int64)
_NO_FLOAT = np.empty(0, np.float64)


@dataclass
class PairScores:
    """Gated (track, plot) pairs with their Mahalanobis distance and assignment cost."""

    track_slot: NDArray[np.int64]
    plot: NDArray[np.int64]
    d2: NDArray[np.float64]
    cost: NDArray[np.float64]

    def take(self, index: NDArray) -> PairScores:
        return PairScores(self.track_slot[index], self.plot[index], self.d2[index], self.cost[index])


def gate(
    store: TrackStore,
    slots: NDArray[np.int64],
    plot_time_s: NDArray[np.float64],
    plot_xy: NDArray[np.float64],
    plot_r: NDArray[np.float64],
    models: MotionModels,
    gate_chi2: float,
    max_radius_m: float,
    min_gap_s: float = 0.0,
) -> PairScores:
    """The (track, plot) pairs inside the gate (``d² < gate_chi2``) with their scores, tracks ``slots`` against all
    plots: the coarse spatial gate of :func:`candidate_pairs`, then :func:`score_pairs`, both compiled. Pairs whose
    times differ by ``min_gap_s`` or less are left out when it is positive."""
    if slots.size == 0 or plot_time_s.size == 0:
        return PairScores(_NO_INDEX, _NO_INDEX, _NO_FLOAT, _NO_FLOAT)
    q = models.kernel_args[0]
    if slots.size * plot_time_s.size <= BRUTE_FORCE_PAIRS:
        ts, pj, d2, cost = kernels.gate_all_pairs(
            store.x, store.mu, store.xc, store.pc, store.time_s, slots, plot_time_s, plot_xy, plot_r, q,
            float(gate_chi2), float(max_radius_m), float(min_gap_s),
        )  # fmt: skip
        return PairScores(ts, pj, d2, cost)
    ts, pj = candidate_pairs(store, slots, plot_time_s, plot_xy, gate_chi2, max_radius_m)
    if min_gap_s > 0.0 and ts.size:
        far = np.abs(plot_time_s[pj] - store.time_s[ts]) > min_gap_s
        ts, pj = ts[far], pj[far]
    d2, cost = kernels.score_pairs(store.x, store.mu, store.pc, store.time_s, ts, pj, plot_time_s, plot_xy, plot_r, q)
    inside = np.flatnonzero(d2 < gate_chi2)
    return PairScores(ts[inside], pj[inside], d2[inside], cost[inside])


def predict_pairs(
    store: TrackStore,
    slots: NDArray[np.int64],
    time_s: NDArray[np.float64],
    models: MotionModels,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """IMM prediction of track ``slots[k]`` to ``time_s[k]`` (a slot may appear many times), compiled."""
    dt = np.ascontiguousarray(time_s - store.time_s[slots])
    return kernels.imm_predict(store.x[slots], store.p[slots], store.mu[slots], dt, *models.kernel_args)


def predict_pairs_reference(
    store: TrackStore,
    slots: NDArray[np.int64],
    time_s: NDArray[np.float64],
    models: MotionModels,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """numpy reference of :func:`predict_pairs` (test oracle; the tracker uses the compiled one)."""
    dt = time_s - store.time_s[slots]
    return imm_predict(store.x[slots], store.p[slots], store.mu[slots], dt, models)


def score_pairs(
    store: TrackStore,
    slots: NDArray[np.int64],
    plots: NDArray[np.int64],
    plot_time_s: NDArray[np.float64],
    plot_xy: NDArray[np.float64],
    plot_r: NDArray[np.float64],
    models: MotionModels,
) -> PairScores:
    """Mahalanobis distance and cost of each (slot, plot) pair (numpy reference of the compiled scoring in
    :func:`gate`; kept as the test oracle).

    Scoring uses the track's models moved by their own motion (a turning model at its estimated rate), weighted
    by the model probabilities, and the combined kinematic covariance moved as near-constant velocity and grown
    by the probability-weighted process noise: a close, cheap stand-in for the full IMM prediction, which is then
    computed for the chosen pairs only.
    """
    dt = plot_time_s[plots] - store.time_s[slots]
    mu = store.mu[slots]
    moved, _ = propagate(store.x[slots], dt[:, None], jacobian=False)
    xp = np.einsum("nm,nms->ns", mu, moved[..., :4])
    f0 = ncv_transition(dt)
    # Q is linear in q: the probability-weighted noise is the noise of the probability-weighted q.
    pp = process_noise(dt, (mu @ models.q)[:, None], size=4)[:, 0] + f0 @ store.pc[slots] @ np.swapaxes(f0, -1, -2)
    nu, _s, s_inv, det = innovation(xp, pp, plot_xy[plots], plot_r[plots])
    d2 = mahalanobis_2(nu, s_inv)
    return PairScores(slots, plots, d2, d2 + np.log(det))


def candidate_pairs(
    store: TrackStore,
    slots: NDArray[np.int64],
    plot_time_s: NDArray[np.float64],
    plot_xy: NDArray[np.float64],
    gate_chi2: float,
    max_radius_m: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Coarse spatial candidates: (slot, plot) pairs within each track's gate radius at the batch's middle time."""
    if slots.size == 0 or plot_xy.shape[0] == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    t_mid = 0.5 * (plot_time_s.min() + plot_time_s.max())
    half_span = 0.5 * (plot_time_s.max() - plot_time_s.min())
    dt = t_mid - store.time_s[slots]
    xc, pcov = store.xc[slots], store.pc[slots]
    pos = xc[:, :2] + xc[:, 2:] * dt[:, None]
    vel_var = np.maximum(pcov[:, 2, 2], pcov[:, 3, 3])
    pos_var = np.maximum(pcov[:, 0, 0], pcov[:, 1, 1]) + vel_var * dt * dt
    # Gate radius: position spread, a generous measurement spread, manoeuvre drift and motion within the batch.
    radius = np.sqrt(gate_chi2 * (pos_var + 1500.0**2)) + 0.5 * 15.0 * dt * dt + 320.0 * half_span
    radius = np.minimum(radius, max_radius_m)
    r_max = float(radius.max())
    plot_tree = cKDTree(plot_xy)
    track_tree = cKDTree(pos)
    near = track_tree.sparse_distance_matrix(plot_tree, r_max, output_type="ndarray")
    ti, pj, dist = near["i"].astype(np.int64), near["j"].astype(np.int64), near["v"]
    ok = dist <= radius[ti]
    return slots[ti[ok]], pj[ok]
