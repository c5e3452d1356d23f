"""Compiled update of the pairs a GNN round chose: one call from the chosen (track, plot) pairs to the written store.

Why: after the assignment, a round used to re-convert the polar plots without Mode C with their track's altitude
(~15 numpy calls, a no-op for most slices but its checks still cost ~15 µs), index the chosen plots' time,
position and covariance, run the IMM step kernel, and count hits and per-sensor update times with two fancy
assignments: about ten array calls and two kernel dispatches on a few dozen pairs. Here it is one pass per pair:

1. ``refine_with_altitude`` (:mod:`airpicture.track.measurement`, the numpy statement and test oracle): a plot
   converted with the assumed altitude is moved along its radial to the ground range of its track's altitude, and
   its along-range variance loses the assumed-altitude term;
2. the IMM step (:func:`airpicture.track.kernels.imm_step_one`, as ``predict_update_store`` runs it);
3. the track's hit count and the plot's sensor's update time.

Each track and each plot appears at most once among the chosen pairs, so doing the three steps pair by pair is the
same as doing each step for all pairs in turn.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from airpicture.track.kernels import imm_step_one, imm_step_work


@njit(cache=True)
def _ground_range(rho, h, site_alt, re):
    """:func:`airpicture.core.geodesy.ground_range_from_slant` of one plot, term for term."""
    r1 = re + site_alt
    r2 = re + h
    half = math.sqrt(min(max((rho * rho - (r2 - r1) ** 2) / (4 * r1 * r2), 0.0), 1.0))
    return 2 * math.asin(half) * re


@njit(cache=True)
def _refine_one(i, h, xy, r, slant, site_xy, site_alt, assumed_alt_m, assumed_alt_sigma_m, re):
    """``measurement.refine_with_altitude`` for plot ``i`` and track altitude ``h`` (both finite)."""
    rho = slant[i]
    g0 = max(_ground_range(rho, assumed_alt_m, site_alt[i], re), 1.0)
    g1 = max(_ground_range(rho, h, site_alt[i], re), 1.0)
    d0 = xy[i, 0] - site_xy[i, 0]
    d1 = xy[i, 1] - site_xy[i, 1]
    scale = g1 / g0
    xy[i, 0] = site_xy[i, 0] + d0 * scale
    xy[i, 1] = site_xy[i, 1] + d1 * scale
    norm = max(math.hypot(d0, d1), 1e-6)
    ux = d0 / norm
    uy = d1 / norm
    r00, r01, r11 = r[i, 0, 0], r[i, 0, 1], r[i, 1, 1]
    var_c = r00 * uy * uy - 2 * r01 * ux * uy + r11 * ux * ux
    var_g0 = r00 * ux * ux + 2 * r01 * ux * uy + r11 * uy * uy
    removed = (assumed_alt_sigma_m * min(assumed_alt_m / g0, 5.0)) ** 2
    added = (300.0 * min(h / g1, 5.0)) ** 2
    var_g = max(var_g0 - removed, 0.0) + added
    r[i, 0, 0] = var_g * ux * ux + var_c * uy * uy
    r[i, 1, 1] = var_g * uy * uy + var_c * ux * ux
    v = (var_g - var_c) * ux * uy
    r[i, 0, 1] = v
    r[i, 1, 0] = v
    slant[i] = np.nan


@njit(cache=True)
def update_chosen(
    sx, sp, smu, sxc, spc, stime, shits, ssensor_time, salt, slots, plots,
    plot_t, plot_xy, plot_r, plot_sensor, slant, site_xy, site_alt, assumed_alt_m, assumed_alt_sigma_m, re,
    q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch,
):  # fmt: skip
    """Refine, IMM-update and count each chosen pair (``slots[k]``, ``plots[k]``), writing the store and the plots
    in place; returns the chosen plots' (time, position, covariance), as the quiet twin takes them."""
    n = slots.shape[0]
    work = imm_step_work(smu.shape[1])
    t_out = np.empty(n)
    z_out = np.empty((n, 2))
    r_out = np.empty((n, 2, 2))
    for k in range(n):
        s = slots[k]
        i = plots[k]
        if math.isfinite(slant[i]) and math.isfinite(salt[s]):
            _refine_one(i, salt[s], plot_xy, plot_r, slant, site_xy, site_alt, assumed_alt_m, assumed_alt_sigma_m, re)
        t = plot_t[i]
        imm_step_one(
            sx, sp, smu, sxc, spc, stime, s, t, plot_xy[i, 0], plot_xy[i, 1], plot_r[i, 0, 0], plot_r[i, 0, 1],
            plot_r[i, 1, 1], q, omega, pinned, turn_noise, sojourn, switch_to, equal_switch, work,
        )  # fmt: skip
        shits[s] += 1
        ssensor_time[s, plot_sensor[i]] = t
        t_out[k] = t
        for a in range(2):
            z_out[k, a] = plot_xy[i, a]
            for b in range(2):
                r_out[k, a, b] = plot_r[i, a, b]
    return t_out, z_out, r_out


def warm_up(bank: tuple) -> None:
    """Compile (or load from the cache) with the argument types the tracker passes (``bank``: a model bank's
    ``kernel_args``, as :func:`airpicture.track.kernels.warm_up` builds one)."""
    m = bank[0].shape[0]
    x = np.zeros((3, m, 5))
    x[:, :, 2] = 200.0
    p = np.tile(np.eye(5), (3, m, 1, 1)) * 100.0
    mu = np.full((3, m), 1.0 / m)
    slots = np.arange(2, dtype=np.int64)
    tt = np.array([1.0, 2.0])
    z = np.zeros((2, 2))
    r = np.tile(np.eye(2), (2, 1, 1)) * 100.0
    update_chosen(
        x, p, mu, np.zeros((3, 4)), np.zeros((3, 4, 4)), np.zeros(3), np.zeros(3, np.int32), np.zeros((3, 2)),
        np.array([1000.0, np.nan, 0.0]), slots, slots, tt, z, r, np.zeros(2, np.int32), np.array([5e4, np.nan]),
        np.ones((2, 2)), np.zeros(2), 3000.0, 3000.0, 8.5e6, *bank,
    )  # fmt: skip
