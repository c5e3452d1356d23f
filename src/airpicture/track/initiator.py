"""Initiator: new tentative tracks from single reports, M-of-N confirmation, and track-number recovery.

A plot that no track takes, and that lies in no confirmed track's gate, starts a tentative track at the plot with
zero velocity and a wide velocity prior (σ_v per axis); the next plot fixes the velocity, as in two-point
initiation, but through the same IMM filter. A tentative track is confirmed after M updates (3 plots without
identity, 2 reports with a Mode S address whose kinematic gate has already vetted them) and dropped at its second
consecutive missed update (see :mod:`airpicture.track.deleter`): M-of-N logic with N bounded by the misses.

A confirmed track dropped after missed scans is not forgotten at once: see :mod:`airpicture.track.deleter`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from airpicture.track.config import TrackerConfig
from airpicture.track.predictor import switching_matrix
from airpicture.track.store import TrackStore

#: Interval (s) of the switching chain whose long-run distribution is the new track's model prior (the chain's
#: stationary distribution barely depends on it).
_PRIOR_INTERVAL_S = 4.0


def initial_model_probabilities(config: TrackerConfig) -> NDArray[np.float64]:
    """Model probabilities of a new track: the long-run (stationary) share of each model under the IMM's own
    switching chain — mostly straight flight — rather than all models equal."""
    return _stationary(tuple(map(tuple, config.models)), config.model_switch_weights).copy()


def new_track_model_probabilities(config: TrackerConfig, n_models: int) -> NDArray[np.float64]:
    """The model probabilities a new track starts with: the stationary ones, or all equal when the configuration
    asks for no prior."""
    if config.prior_model_probabilities:
        return initial_model_probabilities(config)
    return np.full(n_models, 1.0 / n_models)


@lru_cache(maxsize=8)
def _stationary(models, weights) -> NDArray[np.float64]:
    bank = TrackerConfig(models=models, model_switch_weights=weights).motion_models()
    pi = switching_matrix(np.array([_PRIOR_INTERVAL_S]), bank.sojourn_s, bank.switch_to)[0]
    # μ = μ Π: iterate from the uniform distribution (Π is a positive-diagonal stochastic matrix, so this converges).
    mu = np.full(bank.n, 1.0 / bank.n)
    for _ in range(2000):
        nxt = mu @ pi
        if np.abs(nxt - mu).max() < 1e-12:
            break
        mu = nxt
    return mu / mu.sum()


def start_tracks(
    store: TrackStore,
    time_s: NDArray[np.float64],
    xy_m: NDArray[np.float64],
    r_m2: NDArray[np.float64],
    config: TrackerConfig,
    mu: NDArray[np.float64] | None = None,
    rows: NDArray[np.int64] | None = None,
    sensor: NDArray[np.int32] | None = None,
) -> NDArray[np.int64]:
    """New tentative tracks, one per report (per row ``rows`` of the report arrays when given); returns their
    slots. ``mu``: the model prior when the caller holds it already (:func:`new_track_model_probabilities` of
    ``config``); ``sensor``: the reports' sensor index, whose update time the new track takes."""
    slots = store.allocate(time_s.size if rows is None else rows.size)
    if mu is None:
        mu = new_track_model_probabilities(config, store.n_models)
    # Every model at the report, zero velocity with the wide prior, one hit (one compiled pass in the store).
    store.start(slots, time_s, xy_m, r_m2, config.init_speed_sigma_mps, mu, rows, sensor)
    return slots
