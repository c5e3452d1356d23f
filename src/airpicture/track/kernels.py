"""Compiled kernels of the tracker's small-batch hot path: one call per stage over all tracks of a slice.

Why: with numpy, each stage of a 4 s slice is dozens of array calls of a few µs each on arrays of ~50 tracks;
at small N that per-call cost, not the arithmetic, is the tracker's time. These kernels (numba, compiled once and
cached on disk with ``cache=True``) do, per track, the whole IMM step — interaction (mixing), pinned turn rates,
the coordinated-turn EKF prediction with its analytic Jacobian, the Kalman update, the model-probability update and
the combined estimate — in one call over all tracks, and the gate (spatial candidates and Mahalanobis score) in
another. The maths is that of :mod:`airpicture.track.predictor`, :mod:`airpicture.track.updater` and
:mod:`airpicture.track.gater` (same formulas, same order of operations where it matters; the numpy functions there
are the reference the tests hold these kernels to).

Every kernel is generic over the IMM model bank: the bank comes in as arrays (``MotionModels.kernel_args``), so a
bank change in :class:`airpicture.track.config.TrackerConfig` needs no change here.

The first call of each kernel in a fresh environment compiles it (a few seconds in all, then read from the cache
in ``__pycache__``); :func:`warm_up` does that up front so that it does not fall into a timed or latency-critical
region.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: |ωΔt| below which the turn terms come from their Taylor series (as in :mod:`airpicture.track.predictor`).
SMALL_TURN = 1e-2
#: Variance (rad²/s²) a pinned turn rate keeps (as :data:`airpicture.track.predictor.PINNED_OMEGA_VAR`).
PINNED_OMEGA_VAR = 1e-12
#: Status codes (as in :mod:`airpicture.track.store`; not imported from there: it imports this module).
FREE, TENTATIVE, CONFIRMED, COASTING, LOST = 0, 1, 2, 3, 4


# ---------------------------------------------------------------------------------------------------- motion
@njit(cache=True)
def _turn_terms(u: float):
    """sin u, cos u, sin u / u, (1 − cos u)/u and their u-derivatives (Taylor series for |u| < SMALL_TURN)."""
    s = math.sin(u)
    c = math.cos(u)
    if abs(u) < SMALL_TURN:
        v2 = u * u
        a1 = 1.0 - v2 / 6.0 + v2 * v2 / 120.0
        b1 = u * (0.5 - v2 / 24.0 + v2 * v2 / 720.0)
        da1 = u * (-1.0 / 3.0 + v2 / 30.0)
        db1 = 0.5 - v2 / 8.0 + v2 * v2 / 144.0
    else:
        inv = 1.0 / u
        one_minus_c = 1.0 - c
        a1 = s * inv
        b1 = one_minus_c * inv
        inv2 = inv * inv
        da1 = (u * c - s) * inv2
        db1 = (u * s - one_minus_c) * inv2
    return s, c, a1, b1, da1, db1


@njit(cache=True)
def _move(x, dt, out):
    """Coordinated-turn motion of one 5-state over Δt into ``out`` (no Jacobian)."""
    vx, vy, w = x[2], x[3], x[4]
    s, c, a1, b1, _da1, _db1 = _turn_terms(w * dt)
    a = a1 * dt
    b = b1 * dt
    out[0] = x[0] + a * vx - b * vy
    out[1] = x[1] + b * vx + a * vy
    out[2] = c * vx - s * vy
    out[3] = s * vx + c * vy
    out[4] = w


@njit(cache=True)
def _move_jacobian(x, dt, out, f):
    """Coordinated-turn motion of one 5-state over Δt into ``out`` and its Jacobian into ``f`` (5, 5)."""
    vx, vy, w = x[2], x[3], x[4]
    s, c, a1, b1, da1, db1 = _turn_terms(w * dt)
    a = a1 * dt
    b = b1 * dt
    vxn = c * vx - s * vy
    vyn = s * vx + c * vy
    out[0] = x[0] + a * vx - b * vy
    out[1] = x[1] + b * vx + a * vy
    out[2] = vxn
    out[3] = vyn
    out[4] = w
    dt2 = dt * dt
    da = da1 * dt2
    db = db1 * dt2
    f[:] = 0.0
    f[0, 0] = f[1, 1] = f[4, 4] = 1.0
    f[0, 2] = f[1, 3] = a
    f[0, 3] = -b
    f[1, 2] = b
    f[2, 2] = f[3, 3] = c
    f[2, 3] = -s
    f[3, 2] = s
    f[0, 4] = vx * da - vy * db
    f[1, 4] = vx * db + vy * da
    f[2, 4] = -dt * vyn
    f[3, 4] = dt * vxn


# ---------------------------------------------------------------------------------------------------- IMM step
@njit(cache=True)
def _scratch(m: int):
    """Work arrays of one IMM prediction (allocated once per kernel call, not per track)."""
    return np.empty((m, m)), np.empty(m), np.empty((m, 5, 5)), np.empty(5), np.empty((5, 5)), np.empty((5, 5))


@njit(cache=True)
def _predict_one(
    x, p, mu, dt, q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch, xp, pp, cbar, scratch
):  # fmt: skip
    """IMM interaction and per-model EKF prediction of one track: x (M,5), P (M,5,5), μ (M,) over Δt into
    xp (M,5), pp (M,5,5), c̄ (M,). ``scratch``: :func:`_scratch` (M)."""
    pi, w, spread, x0, p0, fp = scratch
    m = x.shape[0]
    ad = abs(dt)
    if m == 1:
        pi[0, 0] = 1.0
    else:
        for i in range(m):
            leave = 1.0 - math.exp(-ad / sojourn[i])
            for j in range(m):
                pi[i, j] = leave / (m - 1) if equal_switch else leave * switch_to[i, j]
            pi[i, i] = 1.0 - leave
    # Mixture moments about the first model's state x_ref (as predictor._weighted_moments): the spread term
    # P_i + d_i d_iᵀ, d_i = x_i − x_ref, once per model.
    for i in range(m):
        for k in range(5):
            dk = x[i, k] - x[0, k]
            for col in range(5):
                spread[i, k, col] = p[i, k, col] + dk * (x[i, col] - x[0, col])
    for j in range(m):
        cb = 0.0
        for i in range(m):
            w[i] = pi[i, j] * mu[i]
            cb += w[i]
        cbar[j] = cb
        den = max(cb, 1e-300)
        for i in range(m):
            w[i] = w[i] / den
        for k in range(5):
            acc = 0.0
            for i in range(m):
                acc += w[i] * x[i, k]
            x0[k] = acc
        for k in range(5):
            for col in range(5):
                acc = 0.0
                for i in range(m):
                    acc += w[i] * spread[i, k, col]
                p0[k, col] = acc - (x0[k] - x[0, k]) * (x0[col] - x[0, col])
        if pinned[j]:
            x0[4] = omega[j]
            for k in range(5):
                p0[4, k] = 0.0
                p0[k, 4] = 0.0
            p0[4, 4] = PINNED_OMEGA_VAR
        # Coordinated-turn motion and F P Fᵀ with the Jacobian's zeros and ones left out:
        # F = [[1, 0, a, −b, f04], [0, 1, b, a, f14], [0, 0, c, −s, f24], [0, 0, s, c, f34], [0, 0, 0, 0, 1]].
        vx, vy, om = x0[2], x0[3], x0[4]
        sn, cs, a1, b1, da1, db1 = _turn_terms(om * dt)
        a = a1 * dt
        b = b1 * dt
        vxn = cs * vx - sn * vy
        vyn = sn * vx + cs * vy
        xp[j, 0] = x0[0] + a * vx - b * vy
        xp[j, 1] = x0[1] + b * vx + a * vy
        xp[j, 2] = vxn
        xp[j, 3] = vyn
        xp[j, 4] = om
        dt2 = dt * dt
        da = da1 * dt2
        db = db1 * dt2
        f04 = vx * da - vy * db
        f14 = vx * db + vy * da
        f24 = -dt * vyn
        f34 = dt * vxn
        for col in range(5):
            fp[0, col] = p0[0, col] + a * p0[2, col] + -b * p0[3, col] + f04 * p0[4, col]
            fp[1, col] = p0[1, col] + b * p0[2, col] + a * p0[3, col] + f14 * p0[4, col]
            fp[2, col] = cs * p0[2, col] + -sn * p0[3, col] + f24 * p0[4, col]
            fp[3, col] = sn * p0[2, col] + cs * p0[3, col] + f34 * p0[4, col]
            fp[4, col] = p0[4, col]
        for k in range(5):
            pp[j, k, 0] = fp[k, 0] + fp[k, 2] * a + fp[k, 3] * -b + fp[k, 4] * f04
            pp[j, k, 1] = fp[k, 1] + fp[k, 2] * b + fp[k, 3] * a + fp[k, 4] * f14
            pp[j, k, 2] = fp[k, 2] * cs + fp[k, 3] * -sn + fp[k, 4] * f24
            pp[j, k, 3] = fp[k, 2] * sn + fp[k, 3] * cs + fp[k, 4] * f34
            pp[j, k, 4] = fp[k, 4]
        # Process noise of model j.
        qa = ad * q[j]
        cross = qa * (0.5 * dt)
        pp[j, 0, 0] += qa * ad * ad / 3.0
        pp[j, 1, 1] += qa * ad * ad / 3.0
        pp[j, 0, 2] += cross
        pp[j, 2, 0] += cross
        pp[j, 1, 3] += cross
        pp[j, 3, 1] += cross
        pp[j, 2, 2] += qa
        pp[j, 3, 3] += qa
        pp[j, 4, 4] += ad * turn_noise[j]


@njit(cache=True)
def _update_one(xp, pp, cbar, z0, z1, r00, r01, r11, x_out, p_out, mu_out):
    """Kalman update of every model of one track by one position, then the model probabilities."""
    m = xp.shape[0]
    log_w = np.empty(m)
    kg = np.empty((5, 2))
    for j in range(m):
        nu0 = z0 - xp[j, 0]
        nu1 = z1 - xp[j, 1]
        s00 = pp[j, 0, 0] + r00
        s01 = pp[j, 0, 1] + r01
        s11 = pp[j, 1, 1] + r11
        det = max(s00 * s11 - s01 * s01, 1e-12)
        i00 = s11 / det
        i11 = s00 / det
        i01 = -s01 / det
        for k in range(5):
            kg[k, 0] = pp[j, k, 0] * i00 + pp[j, k, 1] * i01
            kg[k, 1] = pp[j, k, 0] * i01 + pp[j, k, 1] * i11
            x_out[j, k] = xp[j, k] + kg[k, 0] * nu0 + kg[k, 1] * nu1
        for k in range(5):
            for col in range(5):
                p_out[j, k, col] = pp[j, k, col] - (kg[k, 0] * pp[j, 0, col] + kg[k, 1] * pp[j, 1, col])
        for k in range(5):
            for col in range(k + 1, 5):
                v = 0.5 * (p_out[j, k, col] + p_out[j, col, k])
                p_out[j, k, col] = v
                p_out[j, col, k] = v
        maha = nu0 * nu0 * i00 + 2.0 * nu0 * nu1 * i01 + nu1 * nu1 * i11
        log_w[j] = math.log(max(cbar[j], 1e-300)) - 0.5 * maha - 0.5 * math.log(det)
    top = log_w.max()
    total = 0.0
    for j in range(m):
        mu_out[j] = math.exp(log_w[j] - top)
        total += mu_out[j]
    # Keep every model alive: a model at exactly zero could never take over again.
    total2 = 0.0
    for j in range(m):
        mu_out[j] = min(max(mu_out[j] / total, 1e-4), 1.0)
        total2 += mu_out[j]
    for j in range(m):
        mu_out[j] /= total2


@njit(cache=True)
def _combine_one(x, p, mu, nk, xc, pc):
    """Moment-matched single Gaussian of one track's model mixture, first ``nk`` state components."""
    m = x.shape[0]
    for k in range(nk):
        acc = 0.0
        for j in range(m):
            acc += mu[j] * x[j, k]
        xc[k] = acc
    for k in range(nk):
        for col in range(nk):
            pc[k, col] = 0.0
    for j in range(m):
        for k in range(nk):
            dk = x[j, k] - x[0, k]
            for col in range(nk):
                pc[k, col] += mu[j] * (p[j, k, col] + dk * (x[j, col] - x[0, col]))
    for k in range(nk):
        ek = xc[k] - x[0, k]
        for col in range(nk):
            pc[k, col] -= ek * (xc[col] - x[0, col])


@njit(cache=True)
def imm_predict(x, p, mu, dt, q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch):
    """IMM interaction + EKF prediction for n tracks: x (n,M,5), P (n,M,5,5), μ (n,M), Δt (n,) →
    (x_pred, P_pred, c̄); as :func:`airpicture.track.predictor.imm_predict`."""
    n, m = mu.shape
    xp = np.empty((n, m, 5))
    pp = np.empty((n, m, 5, 5))
    cbar = np.empty((n, m))
    scratch = _scratch(m)
    for i in range(n):
        _predict_one(
            x[i], p[i], mu[i], dt[i], q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch,
            xp[i], pp[i], cbar[i], scratch,
        )  # fmt: skip
    return xp, pp, cbar


@njit(cache=True)
def imm_update(xp, pp, cbar, z, r):
    """Kalman + model-probability update of n tracks by one position each; as
    :func:`airpicture.track.updater.imm_update`."""
    n, m = cbar.shape
    x = np.empty((n, m, 5))
    p = np.empty((n, m, 5, 5))
    mu = np.empty((n, m))
    for i in range(n):
        _update_one(xp[i], pp[i], cbar[i], z[i, 0], z[i, 1], r[i, 0, 0], r[i, 0, 1], r[i, 1, 1], x[i], p[i], mu[i])
    return x, p, mu


@njit(cache=True)
def combine(x, p, mu, nk):
    """Moment-matched Gaussian of each mixture over its first ``nk`` components: (xc (n,nk), pc (n,nk,nk))."""
    n = mu.shape[0]
    xc = np.empty((n, nk))
    pc = np.empty((n, nk, nk))
    for i in range(n):
        _combine_one(x[i], p[i], mu[i], nk, xc[i], pc[i])
    return xc, pc


@njit(cache=True)
def predict_update_store(
    sx, sp, smu, sxc, spc, stime, slots, t, z, r, q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch
):
    """The whole IMM step of track ``slots[k]`` (distinct) to time ``t[k]`` with position ``z[k]``, covariance
    ``r[k]``, written back into the store arrays (models, probabilities, combined estimate, time)."""
    m = smu.shape[1]
    work = imm_step_work(m)
    for k in range(slots.shape[0]):
        imm_step_one(
            sx, sp, smu, sxc, spc, stime, slots[k], t[k], z[k, 0], z[k, 1], r[k, 0, 0], r[k, 0, 1], r[k, 1, 1],
            q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch, work,
        )  # fmt: skip


@njit(cache=True)
def imm_step_work(m: int):
    """Work arrays of :func:`imm_step_one` for a bank of ``m`` models (allocated once per kernel call)."""
    return np.empty((m, 5)), np.empty((m, 5, 5)), np.empty(m), _scratch(m)


@njit(cache=True)
def imm_step_one(
    sx, sp, smu, sxc, spc, stime, s, t, z0, z1, r00, r01, r11,
    q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch, work,
):  # fmt: skip
    """The IMM step of store slot ``s`` to time ``t`` with position (z0, z1) and covariance [[r00, r01], [r01,
    r11]]: interaction and prediction, update, combined estimate, written back (with the time)."""
    xp, pp, cbar, scratch = work
    _predict_one(
        sx[s], sp[s], smu[s], t - stime[s], q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch, xp, pp,
        cbar, scratch,
    )  # fmt: skip
    _update_one(xp, pp, cbar, z0, z1, r00, r01, r11, sx[s], sp[s], smu[s])
    _combine_one(sx[s], sp[s], smu[s], 4, sxc[s], spc[s])
    stime[s] = t


@njit(cache=True)
def set_state(sx, sp, smu, sxc, spc, slots, x, p, mu, omega_var):
    """Write models' states x (n,M,s), P (n,M,s,s), μ (n,M) into store ``slots`` and refresh their combined
    estimate; a kinematic state (s = 4, a track started from one report) gets ω = 0 with variance ``omega_var``,
    uncorrelated (as :func:`airpicture.track.predictor.pad_state`)."""
    m = smu.shape[1]
    d = x.shape[2]
    for k in range(slots.shape[0]):
        s = slots[k]
        for j in range(m):
            for a in range(5):
                sx[s, j, a] = x[k, j, a] if a < d else 0.0
                for b in range(5):
                    sp[s, j, a, b] = p[k, j, a, b] if (a < d and b < d) else 0.0
            if d < 5:
                sp[s, j, 4, 4] = omega_var
            smu[s, j] = mu[k, j]
        _combine_one(sx[s], sp[s], smu[s], 4, sxc[s], spc[s])


@njit(cache=True)
def start_tracks(
    sx, sp, smu, sxc, spc, stime, screated, sstatus, shits, ssensor_time, slots, rows, time_s, xy, r, sensor,
    speed_var, omega_var, mu0,
):  # fmt: skip
    """New tentative tracks in ``slots``, one per report ``rows[k]``: every model at the report's position with
    zero velocity and turn rate, covariance R, the velocity prior ``speed_var`` per axis and the turn-rate prior
    ``omega_var``, model probabilities ``mu0``; one hit, created and updated at the report's time, and (when
    ``sensor`` is not empty) the report's sensor's update time."""
    m = smu.shape[1]
    for k in range(slots.shape[0]):
        s = slots[k]
        i = rows[k]
        for j in range(m):
            for a in range(5):
                sx[s, j, a] = 0.0
                for b in range(5):
                    sp[s, j, a, b] = 0.0
            sx[s, j, 0] = xy[i, 0]
            sx[s, j, 1] = xy[i, 1]
            for a in range(2):
                for b in range(2):
                    sp[s, j, a, b] = r[i, a, b]
            sp[s, j, 2, 2] = speed_var
            sp[s, j, 3, 3] = speed_var
            sp[s, j, 4, 4] = omega_var
            smu[s, j] = mu0[j]
        _combine_one(sx[s], sp[s], smu[s], 4, sxc[s], spc[s])
        stime[s] = time_s[i]
        screated[s] = time_s[i]
        sstatus[s] = TENTATIVE
        shits[s] = 1
        if sensor.shape[0] > 0:
            ssensor_time[s, sensor[i]] = time_s[i]


# ---------------------------------------------------------------------------------------------------- gating
@njit(cache=True)
def _score(sx, smu, spc, stime, s, t, zx, zy, r00, r01, r11, q):
    """(d², ln det S) of track slot ``s`` against one plot: the models moved by their own motion and weighted by
    their probabilities; the combined covariance moved as NCV and grown by the weighted process noise."""
    m = smu.shape[1]
    dt = t - stime[s]
    moved = np.empty(5)
    px = 0.0
    py = 0.0
    qbar = 0.0
    for j in range(m):
        _move(sx[s, j], dt, moved)
        px += smu[s, j] * moved[0]
        py += smu[s, j] * moved[1]
        qbar += smu[s, j] * q[j]
    ad = abs(dt)
    a = ad * qbar
    c = spc[s]
    p00 = a * ad * ad / 3.0 + ((c[0, 0] + dt * c[2, 0]) + dt * (c[0, 2] + dt * c[2, 2]))
    p01 = (c[0, 1] + dt * c[2, 1]) + dt * (c[0, 3] + dt * c[2, 3])
    p11 = a * ad * ad / 3.0 + ((c[1, 1] + dt * c[3, 1]) + dt * (c[1, 3] + dt * c[3, 3]))
    nu0 = zx - px
    nu1 = zy - py
    s00 = p00 + r00
    s01 = p01 + r01
    s11 = p11 + r11
    det = max(s00 * s11 - s01 * s01, 1e-12)
    d2 = nu0 * nu0 * (s11 / det) + 2.0 * nu0 * nu1 * (-s01 / det) + nu1 * nu1 * (s00 / det)
    return d2, math.log(det)


@njit(cache=True)
def score_pairs(sx, smu, spc, stime, slots, plots, plot_t, plot_xy, plot_r, q):
    """(d², cost = d² + ln det S) of each (slot, plot) pair; as :func:`airpicture.track.gater.score_pairs`."""
    n = slots.shape[0]
    d2 = np.empty(n)
    cost = np.empty(n)
    for k in range(n):
        j = plots[k]
        d, ld = _score(
            sx, smu, spc, stime, slots[k], plot_t[j], plot_xy[j, 0], plot_xy[j, 1],
            plot_r[j, 0, 0], plot_r[j, 0, 1], plot_r[j, 1, 1], q,
        )  # fmt: skip
        d2[k] = d
        cost[k] = d + ld
    return d2, cost


@njit(cache=True)
def gate_radius(sxc, spc, stime, slots, t_mid, half_span, gate_chi2, max_radius_m):
    """Each track's position at ``t_mid`` and coarse gate radius; as in
    :func:`airpicture.track.gater.candidate_pairs`."""
    n = slots.shape[0]
    pos = np.empty((n, 2))
    radius = np.empty(n)
    for k in range(n):
        s = slots[k]
        dt = t_mid - stime[s]
        pos[k, 0] = sxc[s, 0] + sxc[s, 2] * dt
        pos[k, 1] = sxc[s, 1] + sxc[s, 3] * dt
        vel_var = max(spc[s, 2, 2], spc[s, 3, 3])
        pos_var = max(spc[s, 0, 0], spc[s, 1, 1]) + vel_var * dt * dt
        rad = math.sqrt(gate_chi2 * (pos_var + 1500.0**2)) + 0.5 * 15.0 * dt * dt + 320.0 * half_span
        radius[k] = min(rad, max_radius_m)
    return pos, radius


@njit(cache=True)
def gate_all_pairs(sx, smu, sxc, spc, stime, slots, plot_t, plot_xy, plot_r, q, gate_chi2, max_radius_m, min_gap_s):
    """Brute-force gate of every track in ``slots`` against every plot (for small slices, where it is cheaper than
    building k-d trees): spatial radius at the plots' middle time, then the Mahalanobis score; pairs whose times
    differ by ``min_gap_s`` or less are skipped (when it is > 0). Returns (slot, plot, d², cost) of the pairs with
    d² < ``gate_chi2``, in (track, plot) order."""
    n_t = slots.shape[0]
    n_p = plot_t.shape[0]
    t_lo = plot_t.min()
    t_hi = plot_t.max()
    t_mid = 0.5 * (t_lo + t_hi)
    half_span = 0.5 * (t_hi - t_lo)
    pos, radius = gate_radius(sxc, spc, stime, slots, t_mid, half_span, gate_chi2, max_radius_m)
    cap = n_t * n_p  # (called for small slices only: at most BRUTE_FORCE_PAIRS in gater)
    out_t = np.empty(cap, np.int64)
    out_p = np.empty(cap, np.int64)
    out_d2 = np.empty(cap)
    out_c = np.empty(cap)
    n = 0
    for k in range(n_t):
        s = slots[k]
        rad = radius[k]
        for j in range(n_p):
            dx = plot_xy[j, 0] - pos[k, 0]
            dy = plot_xy[j, 1] - pos[k, 1]
            if dx * dx + dy * dy > rad * rad:
                continue
            if min_gap_s > 0.0 and abs(plot_t[j] - stime[s]) <= min_gap_s:
                continue
            d2, ld = _score(
                sx, smu, spc, stime, s, plot_t[j], plot_xy[j, 0], plot_xy[j, 1],
                plot_r[j, 0, 0], plot_r[j, 0, 1], plot_r[j, 1, 1], q,
            )  # fmt: skip
            if not d2 < gate_chi2:
                continue
            out_t[n] = s
            out_p[n] = j
            out_d2[n] = d2
            out_c[n] = d2 + ld
            n += 1
    return out_t[:n].copy(), out_p[:n].copy(), out_d2[:n].copy(), out_c[:n].copy()


@njit(cache=True)
def pair_costs(track_slot, plot, cost, status, weak_cost, n_plots, plot_index, blocked):
    """Assignment costs of gated pairs with the penalty of weak tracks (tentative or lost: ``status`` 1 or 4), and
    ``blocked[plot_index[plot]]`` set for plots inside the gate of a firm track. Returns (costs, whether every
    track and every plot appears in one pair only: then the assignment is all the pairs)."""
    n = track_slot.shape[0]
    out = np.empty(n)
    seen_plot = np.zeros(n_plots, np.bool_)
    distinct = True
    for k in range(n):
        st = status[track_slot[k]]
        weak = (st == TENTATIVE) | (st == LOST)
        out[k] = cost[k] + (weak_cost if weak else 0.0)
        if not weak:
            blocked[plot_index[plot[k]]] = True
        if seen_plot[plot[k]]:
            distinct = False
        seen_plot[plot[k]] = True
    if distinct:
        # Tracks: the pairs come grouped by track from the brute-force gate, not from the k-d tree; check all.
        order = np.sort(track_slot)
        for k in range(1, n):
            if order[k] == order[k - 1]:
                distinct = False
                break
    return out, distinct


@njit(cache=True)
def second_plot_candidates(plot_t, plot_xy, idx, sxc, stime, slots, half_period):
    """Which plots ``idx`` and which tracks ``slots`` could be one aircraft seen a rotation apart: the plot at least
    ``half_period`` after the track's time and within 350 m/s × Δt + 3 km of its constant-velocity position.
    Returns (plot mask, track mask)."""
    near_plot = np.zeros(idx.shape[0], np.bool_)
    near_slot = np.zeros(slots.shape[0], np.bool_)
    for a in range(idx.shape[0]):
        i = idx[a]
        for k in range(slots.shape[0]):
            s = slots[k]
            dt = plot_t[i] - stime[s]
            if not dt > half_period:
                continue
            ex = plot_xy[i, 0] - (sxc[s, 0] + sxc[s, 2] * dt)
            ey = plot_xy[i, 1] - (sxc[s, 1] + sxc[s, 3] * dt)
            reach = 350.0 * dt + 3000.0
            if ex * ex + ey * ey < reach * reach:
                near_plot[a] = True
                near_slot[k] = True
    return near_plot, near_slot


# ---------------------------------------------------------------------------------------------------- output
@njit(cache=True)
def extrapolate(sx, smu, spc, stime, slots, time_s, q0):
    """Combined kinematic mean of each track's models moved by their own motion to ``time_s`` (no mixing) and the
    horizontal 1-σ radius grown as the quietest model's (``q0``); as ``Tracker.snapshot`` computes them."""
    n = slots.shape[0]
    m = smu.shape[1]
    xc = np.empty((n, 4))
    sigma = np.empty(n)
    moved = np.empty(5)
    for k in range(n):
        s = slots[k]
        dt = time_s - stime[s]
        for c in range(4):
            xc[k, c] = 0.0
        for j in range(m):
            _move(sx[s, j], dt, moved)
            for c in range(4):
                xc[k, c] += smu[s, j] * moved[c]
        pc = spc[s]
        var = 0.5 * (pc[0, 0] + pc[1, 1]) + dt * dt * 0.5 * (pc[2, 2] + pc[3, 3]) + q0 * abs(dt) ** 3 / 3
        sigma[k] = math.sqrt(var)
    return xc, sigma


_warm = False


@njit(cache=True)
def snapshot_state(
    sx, smu, spc, stime, status, alt_m, vrate_mps, alt_time_s, live, interval_s, time_s, q0, coast_after
):  # fmt: skip
    """Everything a snapshot needs from the store for tracks ``live`` at ``time_s``, in one pass: the extrapolated
    kinematic mean and 1-σ radius (:func:`extrapolate`), the altitude moved by the vertical rate (at most 60 s),
    the vertical rate (NaN without altitude) and whether the track is coasting (not tentative, and more than
    ``coast_after`` expected intervals since its update)."""
    xc, sigma = extrapolate(sx, smu, spc, stime, live, time_s, q0)
    n = live.shape[0]
    alt = np.empty(n)
    vrate = np.empty(n)
    coasting = np.empty(n, np.bool_)
    for k in range(n):
        s = live[k]
        since = time_s - alt_time_s[s]
        if since < 0.0:
            since = 0.0
        elif since > 60.0:
            since = 60.0
        alt[k] = alt_m[s] + vrate_mps[s] * since
        vrate[k] = vrate_mps[s] if math.isfinite(alt_m[s]) else np.nan
        coasting[k] = status[s] != TENTATIVE and (time_s - stime[s]) > coast_after * interval_s[k]
    return xc, sigma, alt, vrate, coasting


@njit(cache=True)
def ground_velocity(pos, vel, lat_deg, lon_deg, chi0, lon0_deg, e, earth_radius_m):
    """Ground speed (m/s) and track over the ground (deg from true north) of plane velocities ``vel`` at plane
    positions ``pos`` (lat/lon given), for the WGS-84 stereographic system plane with conformal latitude χ₀ at its
    centre.

    Plane speeds are k times ground speeds, k ≈ 1 + r²/4R² (the stereographic scale factor). Grid north turns away
    from true north by the meridian convergence: with χ the conformal latitude (tan(π/4 + χ/2) =
    tan(π/4 + φ/2)((1 − e sin φ)/(1 + e sin φ))^(e/2)) and λ the longitude from the centre, the image of the
    meridian points along (∂x/∂χ, ∂y/∂χ) of x = k cos χ sin λ, y = k (cos χ₀ sin χ − sin χ₀ cos χ cos λ),
    k = 2/D, D = 1 + sin χ₀ sin χ + cos χ₀ cos χ cos λ, and its bearing is the convergence (matches the
    projection's own north to 1e-6°)."""
    n = pos.shape[0]
    speed = np.empty(n)
    track = np.empty(n)
    s0 = math.sin(chi0)
    c0 = math.cos(chi0)
    for k in range(n):
        phi = math.radians(lat_deg[k])
        es = e * math.sin(phi)
        chi = 2.0 * math.atan(math.tan(math.pi / 4 + phi / 2) * ((1.0 - es) / (1.0 + es)) ** (e / 2)) - math.pi / 2
        lam = math.radians(lon_deg[k] - lon0_deg)
        speed[k], track[k] = ground_velocity_one(
            pos[k, 0], pos[k, 1], vel[k, 0], vel[k, 1], chi, lam, s0, c0, earth_radius_m
        )
    return speed, track


@njit(cache=True)
def ground_velocity_one(x, y, vx, vy, chi, lam, s0, c0, earth_radius_m):
    """Ground speed and track over the ground of one plane velocity at conformal latitude ``chi`` and longitude
    ``lam`` from the centre (:func:`ground_velocity`; s0, c0: sine and cosine of the centre's χ₀)."""
    sc, cc, sl, cl = math.sin(chi), math.cos(chi), math.sin(lam), math.cos(lam)
    d = 1.0 + s0 * sc + c0 * cc * cl
    dd = s0 * cc - c0 * sc * cl
    gx = -d * sc * sl - cc * sl * dd
    gy = d * (c0 * cc + s0 * sc * cl) - (c0 * sc - s0 * cc * cl) * dd
    convergence = math.atan2(gx, gy)
    track = math.degrees(math.atan2(vx, vy) - convergence) % 360.0
    scale = 1.0 + (x**2 + y**2) / (4.0 * earth_radius_m**2)
    return math.hypot(vx, vy) / scale, track


@njit(cache=True)
def update_altitude(alt_m, vrate_mps, palt, alt_time_s, slots, time_s, report_alt_m, sigma_m, q_m2s3):
    """The vertical filter of :mod:`airpicture.track.vertical` (its formulas, one pass over the reports): fuse
    one altitude report per slot (distinct slots) into the store arrays; returns the number rejected as garbles."""
    r = sigma_m * sigma_m
    q = q_m2s3
    garbles = 0
    for k in range(slots.shape[0]):
        s = slots[k]
        h = alt_m[s]
        z = report_alt_m[k]
        dt = max(time_s[k] - alt_time_s[s], 0.0)
        if not math.isfinite(h) or not dt < 30.0:  # no altitude yet, or none for 30 s: restart
            alt_m[s] = z
            vrate_mps[s] = 0.0
            palt[s, 0] = r
            palt[s, 1] = 0.0
            palt[s, 2] = 20.0**2
            alt_time_s[s] = time_s[k]
            continue
        v = vrate_mps[s]
        p00, p01, p11 = palt[s, 0], palt[s, 1], palt[s, 2]
        hp = h + v * dt
        p00p = p00 + 2 * dt * p01 + dt * dt * p11 + q * dt**3 / 3
        p01p = p01 + dt * p11 + q * dt * dt / 2
        p11p = p11 + q * dt
        sv = p00p + r
        nu = z - hp
        if abs(nu) > max(6.0 * math.sqrt(sv), 500.0):
            garbles += 1
            continue
        k0 = p00p / sv
        k1 = p01p / sv
        alt_m[s] = hp + k0 * nu
        vrate_mps[s] = v + k1 * nu
        palt[s, 0] = (1 - k0) * p00p
        palt[s, 1] = (1 - k0) * p01p
        palt[s, 2] = p11p - k1 * p01p
        alt_time_s[s] = time_s[k]
    return garbles


@njit(cache=True)
def batch_summary(sensor, time_s):
    """(largest sensor index, smallest sensor index, earliest time, latest time, whether the times never decrease)
    of a non-empty batch, for the re-order window."""
    s_max = sensor[0]
    s_min = sensor[0]
    t_min = time_s[0]
    t_max = time_s[0]
    in_order = True
    for k in range(1, sensor.shape[0]):
        s_max = max(s_max, sensor[k])
        s_min = min(s_min, sensor[k])
        t = time_s[k]
        if t < time_s[k - 1]:
            in_order = False
        t_min = min(t_min, t)
        t_max = max(t_max, t)
    return int(s_max), int(s_min), t_min, t_max, in_order


# ---------------------------------------------------------------------------------------------------- track life
@njit(cache=True)
def _interval(sensor_time_s, s, since_s, period, report_interval_s):
    """Shortest nominal period of the sensors that updated slot ``s`` after ``since_s``, else the report interval."""
    best = np.inf
    for i in range(period.shape[0]):
        if sensor_time_s[s, i] > since_s and period[i] < best:
            best = period[i]
    return best if math.isfinite(best) else report_interval_s


@njit(cache=True)
def expected_interval(sensor_time_s, slots, now_s, period, sources_memory_s, report_interval_s):
    """The expected update interval of each of ``slots`` (as :func:`airpicture.track.deleter.expected_interval_s`)."""
    out = np.empty(slots.shape[0])
    since = now_s - sources_memory_s
    for k in range(slots.shape[0]):
        out[k] = _interval(sensor_time_s, slots[k], since, period, report_interval_s)
    return out


@njit(cache=True)
def shown_tracks(
    status, shown, stime, sensor_time_s, period, time_s, sources_memory_s, report_interval_s, delete_after
):  # fmt: skip
    """The slots a snapshot at ``time_s`` shows — status marked in ``shown`` (indexed by status code) and not past
    the drop limit at ``time_s`` itself (``delete_after`` expected intervals since the update) — with their
    expected interval (:func:`expected_interval`) and the bit mask of the sensors that updated them within
    ``sources_memory_s`` (bit i for sensor column i; 0 with more than 62 sensors: the caller lists them)."""
    n = status.shape[0]
    n_sensors = sensor_time_s.shape[1]
    live = np.empty(n, np.int64)
    interval = np.empty(n)
    mask = np.zeros(n, np.int64)
    since = time_s - sources_memory_s
    k = 0
    for s in range(n):
        if not shown[status[s]]:
            continue
        iv = _interval(sensor_time_s, s, since, period, report_interval_s)
        if (time_s - stime[s]) <= delete_after * iv:
            live[k] = s
            interval[k] = iv
            if n_sensors <= 62:
                bits = 0
                for i in range(n_sensors):
                    if sensor_time_s[s, i] > since:
                        bits |= 1 << i
                mask[k] = bits
            k += 1
    return live[:k], interval[:k], mask[:k]


@njit(cache=True)
def life_cycle(
    status, time_s, hits, icao24, sensor_time_s, period, now_s, sources_memory_s, report_interval_s,
    confirm_hits_identity, confirm_hits_plots, tentative_delete, delete_after, coast_after, memory_s, recover_hits,
):  # fmt: skip
    """The track-life rules of :func:`airpicture.track.deleter.life_cycle` for every live slot, in place on
    ``status`` and ``hits``; returns (confirmed, tentative to delete, dropped, recovered, lost to forget) slots."""
    n = status.shape[0]
    confirmed = np.empty(n, np.int64)
    drop_tentative = np.empty(n, np.int64)
    dropped = np.empty(n, np.int64)
    recovered_out = np.empty(n, np.int64)
    forget_out = np.empty(n, np.int64)
    nc = nt = nd = nr = nf = 0
    since_sources = now_s - sources_memory_s
    for s in range(n):
        st = status[s]
        if st == FREE:
            continue
        since = (now_s - time_s[s]) / _interval(sensor_time_s, s, since_sources, period, report_interval_s)
        tentative = st == TENTATIVE
        lost = st == LOST
        firm = not tentative and not lost
        need = confirm_hits_identity if icao24[s] >= 0 else confirm_hits_plots
        drop_t = tentative and since > tentative_delete
        confirm = tentative and not drop_t and hits[s] >= need
        drop_f = firm and since > delete_after
        coast = firm and not drop_f and since > coast_after
        forget = lost and (now_s - time_s[s]) > memory_s
        recovered = lost and not forget and hits[s] >= recover_hits
        stale = lost and not forget and not recovered and since > tentative_delete
        if confirm or (firm and not coast and not drop_f) or recovered:
            status[s] = CONFIRMED
        if coast:
            status[s] = COASTING
        if drop_f:
            status[s] = LOST
        if drop_f or stale:
            hits[s] = 0
        if confirm:
            confirmed[nc] = s
            nc += 1
        if drop_t:
            drop_tentative[nt] = s
            nt += 1
        if drop_f:
            dropped[nd] = s
            nd += 1
        if recovered:
            recovered_out[nr] = s
            nr += 1
        if forget:
            forget_out[nf] = s
            nf += 1
    return (
        confirmed[:nc].copy(), drop_tentative[:nt].copy(), dropped[:nd].copy(), recovered_out[:nr].copy(),
        forget_out[:nf].copy(),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------- input
#: Rejection reasons counted by :func:`convert_checks`, in the order of its counts array.
CONVERT_REASONS = ("bad_time", "unknown_kind", "absurd_altitude", "absurd_position", "bad_polar_plot")


@njit(cache=True)
def convert_checks(t, kind, alt_ft, lat, lon, rng, az, sensor, site_lat, site_sigma_range, site_range_max, ft_to_m):
    """The row checks of :meth:`airpicture.track.measurement.MeasurementConverter.convert`, one pass: (keep,
    Cartesian, polar, altitude m with absurd ones as NaN, counts per :data:`CONVERT_REASONS`).

    A row is dropped for a non-finite time, an unknown kind (< 0), a lat/lon off the earth, or a polar plot from
    a sensor without a known site/range accuracy, at a non-positive range, beyond 1.2 × the radar's range (1,000 km
    when unknown) or with an azimuth outside [−360, 720]; an absurd altitude (< −700 m or > 25,000 m) only loses the
    altitude. A row with both lat/lon and range/azimuth is Cartesian."""
    n = t.shape[0]
    keep = np.empty(n, np.bool_)
    cart = np.empty(n, np.bool_)
    polar = np.empty(n, np.bool_)
    alt_m = np.empty(n)
    counts = np.zeros(5, np.int64)
    for i in range(n):
        ok = math.isfinite(t[i])
        if not ok:
            counts[0] += 1
        elif kind[i] < 0:
            counts[1] += 1
            ok = False
        a = alt_ft[i] * ft_to_m
        if math.isfinite(a) and (a < -700.0 or a > 25_000.0):
            if ok:
                counts[2] += 1
            a = np.nan
        alt_m[i] = a
        c = math.isfinite(lat[i]) and math.isfinite(lon[i])
        if c and ok and (abs(lat[i]) > 90.0 or abs(lon[i]) > 180.0):
            counts[3] += 1
            ok = False
        c = c and ok
        pl = ok and not c and math.isfinite(rng[i]) and math.isfinite(az[i])
        if pl:
            s = sensor[i]
            known = math.isfinite(site_lat[s]) and math.isfinite(site_sigma_range[s])
            range_max = site_range_max[s] * 1.2 if math.isfinite(site_range_max[s]) else 1e6
            if not known or rng[i] <= 0.0 or rng[i] > range_max or az[i] < -360.0 or az[i] > 720.0:
                counts[4] += 1
                ok = False
                pl = False
        keep[i] = ok
        cart[i] = c
        polar[i] = pl
    return keep, cart, polar, alt_m, counts


@njit(cache=True)
def fill_cartesian(idx, x, y, sigma_h, nacp, sensor, site_sigma_h, nacp_epu_m, default_sigma_m, xy, r):
    """Plane positions and covariance R = σ² I of Cartesian rows ``idx`` (projected to ``x``, ``y``): σ from the
    report's ``sigma_h_m``, else the ADS-B NACp bound (EPU / 2.45, at least 15 m), else the sensor's, else the
    default."""
    for k in range(idx.shape[0]):
        i = idx[k]
        xy[i, 0] = x[k]
        xy[i, 1] = y[k]
        sigma = sigma_h[i]
        if not (math.isfinite(sigma) and sigma > 0):
            q = nacp[i]
            epu = nacp_epu_m[int(q)] if (math.isfinite(q) and q >= 1 and q <= 11) else np.nan
            sigma = max(epu / 2.45, 15.0) if math.isfinite(epu) else np.nan
        if not math.isfinite(sigma):
            sigma = site_sigma_h[sensor[i]]
        if not math.isfinite(sigma):
            sigma = default_sigma_m
        r[i, 0, 0] = sigma * sigma
        r[i, 1, 1] = sigma * sigma


@njit(cache=True)
def polar_ground_points(
    idx, slant_m, azimuth_deg, alt_m, sensor, site_lat, site_lon, site_alt, assumed_alt_m, k, earth_m,
):  # fmt: skip
    """Ground point of polar plots ``idx``: (lat°, lon°, ground range m, altitude used m, no Mode C).

    One pass instead of ~25 numpy calls; the same formulas as :func:`airpicture.core.geodesy.ground_range_from_slant`
    (law of cosines on an earth of radius ``k·R``, half-angle form) and :func:`~airpicture.core.geodesy.destination`
    (great circle from the site), term for term, so the results agree with them to the last bits of libm.
    """
    n = idx.shape[0]
    lat = np.empty(n)
    lon = np.empty(n)
    ground = np.empty(n)
    h_out = np.empty(n)
    no_alt = np.empty(n, dtype=np.bool_)
    re = k * earth_m
    deg = math.pi / 180
    # The sites' own terms once per site (few sites, many plots).
    sin_site = np.sin(site_lat * deg)
    cos_site = np.cos(site_lat * deg)
    for j in range(n):
        i = idx[j]
        s = sensor[i]
        h = alt_m[i]
        no_alt[j] = not math.isfinite(h)
        if no_alt[j]:
            h = assumed_alt_m
        h_out[j] = h
        rho = slant_m[i]
        r1 = re + site_alt[s]
        r2 = re + h
        half = math.sqrt(min(max((rho * rho - (r2 - r1) ** 2) / (4 * r1 * r2), 0.0), 1.0))
        g = 2 * math.asin(half) * re
        ground[j] = g
        lon1 = site_lon[s] * deg
        brg = azimuth_deg[i] * deg
        d = g / earth_m
        sin_d = math.sin(d)
        cos_d = math.cos(d)
        lat2 = math.asin(sin_site[s] * cos_d + cos_site[s] * sin_d * math.cos(brg))
        lon2 = lon1 + math.atan2(math.sin(brg) * sin_d * cos_site[s], cos_d - sin_site[s] * math.sin(lat2))
        lat[j] = lat2 * (180 / math.pi)
        lon[j] = (lon2 * (180 / math.pi) + 540.0) % 360.0 - 180.0
    return lat, lon, ground, h_out, no_alt


@njit(cache=True)
def fill_polar(
    idx, x, y, slant, ground, h, no_alt, sensor, site_xy, site_alt, site_sigma_range, site_sigma_az_rad,
    assumed_alt_sigma_m, sigma_alt_m, xy, r, slant_noalt, site_xy_out, site_alt_out,
):  # fmt: skip
    """Plane positions and covariance of polar plots ``idx`` (converted with altitude ``h``, projected to ``x``,
    ``y``): R = σ_g² u uᵀ + (g σ_θ)² u⊥ u⊥ᵀ, u the unit vector from the site, σ_g² = (σ_ρ ∂g/∂ρ)² + (σ_h ∂g/∂h)²
    with ∂g/∂ρ ≈ ρ/g ∈ [1, 5], ∂g/∂h ≈ min(h/g, 5) and σ_h the assumed-altitude spread when there was no Mode C."""
    for k in range(idx.shape[0]):
        i = idx[k]
        s = sensor[i]
        sx = site_xy[s, 0]
        sy = site_xy[s, 1]
        xy[i, 0] = x[k]
        xy[i, 1] = y[k]
        slant_noalt[i] = slant[k] if no_alt[k] else np.nan
        site_xy_out[i, 0] = sx
        site_xy_out[i, 1] = sy
        site_alt_out[i] = site_alt[s]
        g = max(ground[k], 1.0)
        drho = min(max(slant[k] / g, 1.0), 5.0)
        sigma_h = assumed_alt_sigma_m if no_alt[k] else sigma_alt_m
        var_g = (site_sigma_range[s] * drho) ** 2 + (sigma_h * min(h[k] / g, 5.0)) ** 2
        var_c = (g * site_sigma_az_rad[s]) ** 2
        ux = x[k] - sx
        uy = y[k] - sy
        norm = max(math.hypot(ux, uy), 1e-6)
        ux = ux / norm
        uy = uy / norm
        r[i, 0, 0] = var_g * ux * ux + var_c * uy * uy
        r[i, 1, 1] = var_g * uy * uy + var_c * ux * ux
        r[i, 0, 1] = (var_g - var_c) * ux * uy
        r[i, 1, 0] = r[i, 0, 1]


@njit(cache=True)
def convert_final(keep, cart, polar, xy, max_plane_radius_m, icao):
    """Last checks: a position farther than ``max_plane_radius_m`` from the plane's centre (dropped, counted as
    out of area) and a report with neither position nor identity (dropped, counted). Returns (keep, has
    position, out of area, useless), the masks updated."""
    n = keep.shape[0]
    has_pos = np.empty(n, np.bool_)
    far = 0
    useless = 0
    for i in range(n):
        hp = cart[i] or polar[i]
        ok = keep[i]
        if hp and math.hypot(xy[i, 0], xy[i, 1]) > max_plane_radius_m:
            if ok:
                far += 1
            ok = False
        hp = hp and ok
        if ok and not hp and icao[i] < 0:
            useless += 1
            ok = False
        keep[i] = ok
        has_pos[i] = hp
    return keep, has_pos, far, useless


def warm_up() -> None:
    """Compile (or load from the on-disk cache) every kernel with the argument types the tracker passes, so that
    the one-time cost is paid here (once per process: ``Tracker()`` calls it) rather than inside the first
    processing step. Kernels only ever called from other kernels (``gate_radius``, ``extrapolate``) compile with
    their callers. Fresh cache: ~20 s of CPU on this machine; from the cache: ~1-2 s."""
    global _warm
    if _warm:
        return
    _warm = True
    m = 2
    x = np.zeros((3, m, 5))
    x[:, :, 2] = 200.0
    x[:, 1, 4] = 0.02
    p = np.tile(np.eye(5), (3, m, 1, 1)) * 100.0
    mu = np.full((3, m), 0.5)
    xc = np.zeros((3, 4))
    pc = np.tile(np.eye(4), (3, 1, 1)) * 100.0
    t = np.zeros(3)
    slots = np.arange(2, dtype=np.int64)
    tt = np.array([1.0, 2.0])
    z = np.zeros((2, 2))
    r = np.tile(np.eye(2), (2, 1, 1)) * 100.0
    bank = (
        np.array([0.1, 2.0]), np.array([0.0, np.nan]), np.array([True, False]), np.array([0.0, 1e-7]),
        np.array([100.0, 20.0]), np.array([[0.0, 1.0], [1.0, 0.0]]), False,
    )  # fmt: skip
    xp, pp, cbar = imm_predict(x[:2], p[:2], mu[:2], tt, *bank)
    imm_update(xp, pp, cbar, z, r)
    combine(x, p, mu, 4)
    set_state(x.copy(), p.copy(), mu.copy(), xc, pc, slots, x[:2, :, :4].copy(), p[:2, :, :4, :4].copy(), mu[:2], 1e-3)
    set_state(x.copy(), p.copy(), mu.copy(), xc, pc, slots, x[:2], p[:2], mu[:2], 1e-3)
    second_plot_candidates(tt, z, slots, xc, t, slots, 2.0)
    sensor_time = np.zeros((3, 2))
    expected_interval(sensor_time, slots, 1.0, tt, 30.0, 4.0)
    shown_tracks(np.ones(3, np.int8), np.ones(5, np.bool_), t, sensor_time, tt, 1.0, 30.0, 4.0, 3.1)
    batch_summary(np.zeros(2, np.int32), tt)
    life_cycle(
        np.ones(3, np.int8), t.copy(), np.ones(3, np.int32), np.full(3, -1, np.int64), sensor_time, tt, 1.0, 30.0, 4.0,
        2, 3, 2.1, 3.1, 1.5, 60.0, 1,
    )  # fmt: skip
    for sensor in (np.zeros(2, np.int32), np.zeros(0, np.int32)):
        start_tracks(
            x.copy(), p.copy(), mu.copy(), xc, pc, t.copy(), t.copy(), np.zeros(3, np.int8), np.zeros(3, np.int32),
            sensor_time, slots, slots, tt, z, r, sensor, 100.0, 1e-3, mu[0].copy(),
        )  # fmt: skip
    pair_costs(slots, slots, tt, np.ones(3, np.int8), 20.0, 2, slots, np.zeros(2, np.bool_))
    predict_update_store(x, p, mu, xc, pc, t, slots, tt, z, r, *bank)
    score_pairs(x, mu, pc, t, slots, slots, tt, z, r, bank[0])
    gate_all_pairs(x, mu, xc, pc, t, slots, tt, z, r, bank[0], 100.0, 30_000.0, 0.0)
    update_altitude(np.full(3, np.nan), np.zeros(3), np.zeros((3, 3)), np.full(3, np.nan), slots, tt, tt, 15.0, 0.5)
    status = np.ones(3, np.int8)
    snapshot_state(x, mu, pc, t, status, t, t, t, slots, tt, 3.0, 0.1, 1.5)
    ground_velocity(z, z, tt, tt, 0.2, 2.0, 0.08, 6.4e6)
    f2 = np.array([1.0, np.nan])
    i8 = np.array([0, -1], np.int8)
    i32 = np.zeros(2, np.int32)
    keep, cart, polar, _alt, _ = convert_checks(tt, i8, tt, tt, f2, f2, tt, i32, tt, tt, f2, 0.3048)
    xy = np.full((2, 2), np.nan)
    rr = np.zeros((2, 2, 2))
    fill_cartesian(slots, tt, tt, f2, f2, i32, f2, np.full(12, 10.0), 150.0, xy, rr)
    polar_ground_points(slots, tt, tt, f2, i32, tt, tt, tt, 3000.0, 4.0 / 3.0, 6.4e6)
    fill_polar(
        slots, tt, tt, tt, tt, tt, keep, i32, z, tt, tt, tt, 3000.0, 15.0, xy, rr,
        np.full(2, np.nan), z.copy(), tt.copy(),
    )  # fmt: skip
    convert_final(keep, cart, polar, xy, 4e6, np.array([-1, 5], np.int64))
    from airpicture.track import kernels_assign, kernels_convert, kernels_plane, kernels_round  # (import this one)

    kernels_plane.warm_up()
    kernels_convert.warm_up()
    kernels_assign.warm_up()
    kernels_round.warm_up(bank)


__all__ = [
    "CONVERT_REASONS",
    "batch_summary",
    "combine",
    "convert_checks",
    "convert_final",
    "expected_interval",
    "extrapolate",
    "fill_cartesian",
    "fill_polar",
    "gate_all_pairs",
    "gate_radius",
    "ground_velocity",
    "imm_predict",
    "imm_update",
    "life_cycle",
    "pair_costs",
    "polar_ground_points",
    "predict_update_store",
    "score_pairs",
    "second_plot_candidates",
    "set_state",
    "shown_tracks",
    "snapshot_state",
    "start_tracks",
    "update_altitude",
    "warm_up",
]
