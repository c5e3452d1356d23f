"""Initiator: new tentative tracks from single reports, M-of-N confirmation, and track-number recovery.

A plot that no track takes, and that lies in no confirmed track's gate, starts a tentative track at the plot with
zero velocity and a wide velocity prior (σ_v per axis); the next plot fixes the velocity, as in two-point
initiation, but through the same IMM filter. A tentative track is confirmed after M updates (3 plots without
identity, 2 reports with a Mode S address whose kinematic gate has already vetted them) and dropped at its second
consecutive missed update (see :mod:`airpicture.track.deleter`): M-of-N logic with N bounded by the misses.

A confirmed track dropped after missed scans is not forgotten at once: see :mod:`airpicture.track.deleter`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.track.config import TrackerConfig
from airpicture.track.store import TENTATIVE, TrackStore


def start_tracks(
    store: TrackStore,
    time_s: NDArray[np.float64],
    xy_m: NDArray[np.float64],
    r_m2: NDArray[np.float64],
    config: TrackerConfig,
) -> NDArray[np.int64]:
    """New tentative tracks, one per report; returns their slots."""
    n = time_s.size
    slots = store.allocate(n)
    x = np.zeros((n, 4))
    x[:, :2] = xy_m
    p = np.zeros((n, 4, 4))
    p[:, :2, :2] = r_m2
    p[:, 2, 2] = p[:, 3, 3] = config.init_speed_sigma_mps**2
    m = store.n_models
    store.set_state(slots, np.repeat(x[:, None, :], m, 1), np.repeat(p[:, None], m, 1), np.full((n, m), 1.0 / m))
    store.time_s[slots] = time_s
    store.created_s[slots] = time_s
    store.status[slots] = TENTATIVE
    store.hits[slots] = 1
    return slots
