"""The quiet twin: a copy of the IMM's quiet straight-flight model that never takes part in the mixing.

Why: at every IMM interaction the quiet near-constant-velocity model (q = 0.05 m²/s³) starts from a mixture that
holds a small share of the manoeuvre models (fixed-rate turns, the high-noise model, the estimated turn). In
straight flight those shares are tiny (~0.5 % each) but their states sit tens of m/s away in velocity, so each
mixing adds several times the quiet model's own process noise to it. Measured on the benchmark square: a track
long in straight flight is 97 m off where a single quiet Kalman filter on the same plots is 72 m off.

What: per track, a near-constant-velocity Kalman filter on the same plots runs beside the IMM without
interaction (its q is ``quiet_twin_q_m2s3``, by default below the quiet model's: it is only used while the IMM
says straight flight and its own innovations agree, so it may assume a steadier flight than the model that must
also notice a turn). While the IMM trusts straight flight — the quiet model's probability after the update is at least
``quiet_twin_threshold`` — and the twin's own innovation is plausible (NIS below ``quiet_twin_nis``), the twin's
estimate replaces the quiet model's state in the IMM (so the IMM's next mixing starts from it, and the combined
estimate uses it). Otherwise (a manoeuvre) the twin restarts from the IMM's combined estimate and is not used.
Tracks with a Mode S address are left to the IMM: their reports also come through the identity path, which the
twin does not see.

The per-track step is one compiled call (numba, like :mod:`airpicture.track.kernels`) over the updated tracks.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from airpicture.track.predictor import MotionModels


def quiet_model_index(models: MotionModels) -> int:
    """The quiet straight-flight model: the lowest-q model pinned to ω = 0 (-1 when the bank has none)."""
    straight = np.flatnonzero(models.pinned & (models.omega == 0.0))
    if straight.size == 0:
        return -1
    return int(straight[np.argmin(models.q[straight])])


class QuietTwin:
    """Non-interacting quiet filter per track slot (see the module docstring)."""

    def __init__(
        self, models: MotionModels, threshold: float = 0.3, nis_gate: float = 16.0, q_m2s3: float | None = None
    ) -> None:
        self.model = quiet_model_index(models)
        if self.model < 0:
            raise ValueError("quiet_twin needs a straight-flight model (turn rate pinned to 0) in the bank")
        self.q = float(models.q[self.model] if q_m2s3 is None else q_m2s3)
        if self.q < 0:
            raise ValueError("quiet_twin_q_m2s3 must be >= 0")
        self.threshold = float(threshold)
        self.nis_gate = float(nis_gate)
        self.capacity = 0
        self.x = np.zeros((0, 4))
        self.p = np.zeros((0, 4, 4))
        self.time_s = np.zeros(0)
        self.owner = np.zeros(0, np.int64)
        #: Updates where the twin replaced the quiet model's state, and where it restarted.
        self.used = 0
        self.restarts = 0
        warm_up(models.n)

    def _grow(self, capacity: int) -> None:
        old = self.capacity
        for name, shape, fill, dtype in (
            ("x", (4,), 0.0, np.float64),
            ("p", (4, 4), 0.0, np.float64),
            ("time_s", (), np.nan, np.float64),
            ("owner", (), -1, np.int64),
        ):
            new = np.full((capacity, *shape), fill, dtype=dtype)
            if old:
                new[:old] = getattr(self, name)
            setattr(self, name, new)
        self.capacity = capacity

    def after_update(
        self,
        store,
        slots: NDArray[np.int64],
        time_s: NDArray[np.float64],
        z: NDArray[np.float64],
        r: NDArray[np.float64],
    ) -> None:
        """Run the twins of ``slots`` (just updated by the IMM with plots ``z``, ``r`` at ``time_s``; each slot
        once) and write them into the store where the IMM trusts straight flight."""
        if slots.size == 0:
            return
        if store.capacity > self.capacity:
            self._grow(store.capacity)
        used, restarts = _twin_step(
            np.ascontiguousarray(slots, dtype=np.int64),
            np.ascontiguousarray(time_s, dtype=np.float64),
            np.ascontiguousarray(z, dtype=np.float64),
            np.ascontiguousarray(r, dtype=np.float64),
            store.x, store.p, store.mu, store.xc, store.pc, store.track_id, store.icao24,
            self.x, self.p, self.time_s, self.owner,
            self.model, self.q, self.threshold, self.nis_gate,
        )  # fmt: skip
        self.used += used
        self.restarts += restarts


_WARM: set[int] = set()


def warm_up(n_models: int) -> None:
    """Load (or, in a fresh environment, compile) the kernel once per process, at construction rather than in the
    first ``process`` call (a latency spike there)."""
    if n_models in _WARM:
        return
    m = n_models
    _twin_step(
        np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 2)), np.zeros((0, 2, 2)),
        np.zeros((1, m, 5)), np.zeros((1, m, 5, 5)), np.zeros((1, m)), np.zeros((1, 4)), np.zeros((1, 4, 4)),
        np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros((1, 4)), np.zeros((1, 4, 4)), np.zeros(1),
        np.zeros(1, np.int64), 0, 0.01, 0.3, 16.0,
    )  # fmt: skip
    _WARM.add(n_models)


@njit(cache=True)
def combine_slot(sx, sp, smu, sxc, spc, s):
    """The store's combined kinematic estimate ``[x, y, vx, vy]`` and its covariance of slot ``s`` from the models'
    states and probabilities (moment matching), for a step that changed one model's state or the probabilities."""
    m = smu.shape[1]
    for a in range(4):
        acc = 0.0
        for j in range(m):
            acc += smu[s, j] * sx[s, j, a]
        sxc[s, a] = acc
    for a in range(4):
        for b in range(4):
            acc = 0.0
            for j in range(m):
                acc += smu[s, j] * (sp[s, j, a, b] + (sx[s, j, a] - sxc[s, a]) * (sx[s, j, b] - sxc[s, b]))
            spc[s, a, b] = acc


@njit(cache=True)
def _twin_step(
    slots, time_s, z, r, sx, sp, smu, sxc, spc, strack, sicao, tx, tp, tt, towner, m_q, q, threshold, nis_gate
):
    """For each updated slot: near-constant-velocity Kalman step of its twin; then either write the twin into the
    quiet model's state (and refresh the combined estimate) or restart the twin from the combined estimate."""
    used = 0
    restarts = 0
    xp = np.empty(4)
    pp = np.empty((4, 4))
    for i in range(slots.size):
        s = slots[i]
        dt = time_s[i] - tt[s]
        restart = towner[s] != strack[s] or not np.isfinite(dt) or sicao[s] >= 0
        if not restart:
            # Prediction: x' = F x, P' = F P Fᵀ + Q with F = [[I, Δt I], [0, I]].
            xp[0] = tx[s, 0] + dt * tx[s, 2]
            xp[1] = tx[s, 1] + dt * tx[s, 3]
            xp[2] = tx[s, 2]
            xp[3] = tx[s, 3]
            for a in range(4):
                for b in range(4):
                    pp[a, b] = tp[s, a, b]
            for a in range(2):  # rows: P += Δt · (rows of velocity)
                for b in range(4):
                    pp[a, b] += dt * tp[s, a + 2, b]
            for b in range(2):  # columns
                for a in range(4):
                    pp[a, b] += dt * pp[a, b + 2]
            d = abs(dt)
            qa = q * d
            pp[0, 0] += qa * d * d / 3.0
            pp[1, 1] += qa * d * d / 3.0
            pp[0, 2] += qa * dt / 2.0
            pp[2, 0] += qa * dt / 2.0
            pp[1, 3] += qa * dt / 2.0
            pp[3, 1] += qa * dt / 2.0
            pp[2, 2] += qa
            pp[3, 3] += qa
            # Update by the plot.
            s00 = pp[0, 0] + r[i, 0, 0]
            s01 = pp[0, 1] + r[i, 0, 1]
            s11 = pp[1, 1] + r[i, 1, 1]
            det = max(s00 * s11 - s01 * s01, 1e-12)
            i00, i01, i11 = s11 / det, -s01 / det, s00 / det
            nu0 = z[i, 0] - xp[0]
            nu1 = z[i, 1] - xp[1]
            nis = nu0 * nu0 * i00 + 2.0 * nu0 * nu1 * i01 + nu1 * nu1 * i11
            restart = smu[s, m_q] < threshold or nis > nis_gate
            if not restart:
                for a in range(4):
                    k0 = pp[a, 0] * i00 + pp[a, 1] * i01
                    k1 = pp[a, 0] * i01 + pp[a, 1] * i11
                    tx[s, a] = xp[a] + k0 * nu0 + k1 * nu1
                    for b in range(4):
                        tp[s, a, b] = pp[a, b] - (k0 * pp[0, b] + k1 * pp[1, b])
                for a in range(4):
                    for b in range(a + 1, 4):
                        v = 0.5 * (tp[s, a, b] + tp[s, b, a])
                        tp[s, a, b] = v
                        tp[s, b, a] = v
                # The quiet model takes the twin's state (its turn rate stays pinned, uncorrelated).
                for a in range(4):
                    sx[s, m_q, a] = tx[s, a]
                    sp[s, m_q, a, 4] = 0.0
                    sp[s, m_q, 4, a] = 0.0
                    for b in range(4):
                        sp[s, m_q, a, b] = tp[s, a, b]
                combine_slot(sx, sp, smu, sxc, spc, s)
                used += 1
        if restart:
            for a in range(4):
                tx[s, a] = sxc[s, a]
                for b in range(4):
                    tp[s, a, b] = spc[s, a, b]
            restarts += 1
        tt[s] = time_s[i]
        towner[s] = strack[s]
    return used, restarts
