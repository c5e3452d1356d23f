"""Deleter: track status from the time since the last update, measured in the track's own update interval.

A track's expected update interval is the shortest nominal interval among the sensors that updated it recently
(a radar's rotation period; ``report_interval_s`` for ADS-B and multilateration). With ``u`` the time since the
last update in those intervals:

- tentative: dropped when ``u > 2.1`` (its second consecutive missed scan), confirmed after M updates;
- confirmed: coasting when ``u > 1.5`` (one scan missed), dropped when ``u > 3.1`` — at the third missed scan,
  so an aircraft that leaves coverage (or lands) leaves the picture within three scans;
- dropped (LOST): out of the picture, but still associable for ``memory_s``; ``recover_hits`` updates in a row
  (one by default: a plot inside the lost track's gate that no confirmed track took) bring it back as confirmed
  with its old track number (with Pd = 0.9, three missed scans in a row happen once per thousand
  scans: without this an aircraft would change number every ~17 minutes). After ``memory_s`` it is deleted.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.track.config import TrackerConfig
from airpicture.track.store import COASTING, CONFIRMED, LOST, TENTATIVE, TrackStore


def expected_interval_s(
    store: TrackStore,
    slots: NDArray[np.int64],
    now_s: float,
    sensor_period_s: NDArray[np.float64],
    config: TrackerConfig,
) -> NDArray[np.float64]:
    recent = store.sensor_time_s[slots, : sensor_period_s.size] > now_s - config.sources_memory_s
    period = np.where(recent, sensor_period_s[None, :], np.inf).min(axis=1)
    return np.where(np.isfinite(period), period, config.report_interval_s)


def life_cycle(
    store: TrackStore, now_s: float, sensor_period_s: NDArray[np.float64], config: TrackerConfig
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Apply status changes at ``now_s``.

    Returns (newly confirmed, tentative to delete, confirmed just dropped from the picture, recovered, lost to
    delete) slots.
    """
    live = store.live()
    if live.size == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, empty, empty, empty
    interval = expected_interval_s(store, live, now_s, sensor_period_s, config)
    since = (now_s - store.time_s[live]) / interval
    status = store.status[live]
    tentative = status == TENTATIVE
    need = np.where(store.icao24[live] >= 0, config.confirm_hits_identity, config.confirm_hits_plots)
    drop_tentative = tentative & (since > config.tentative_delete_after_intervals)
    confirm = tentative & ~drop_tentative & (store.hits[live] >= need)
    lost = status == LOST
    firm = ~tentative & ~lost
    drop_firm = firm & (since > config.delete_after_intervals)
    coast = firm & ~drop_firm & (since > config.coast_after_intervals)
    forget = lost & ((now_s - store.time_s[live]) > config.memory_s)
    lost_hits = store.hits[live]
    recovered = lost & ~forget & (lost_hits >= config.recover_hits)
    stale = lost & ~forget & ~recovered & (since > config.tentative_delete_after_intervals)
    store.status[live[confirm]] = CONFIRMED
    store.status[live[firm & ~coast & ~drop_firm]] = CONFIRMED
    store.status[live[coast]] = COASTING
    store.status[live[drop_firm]] = LOST
    store.hits[live[drop_firm | stale]] = 0
    store.status[live[recovered]] = CONFIRMED
    return live[confirm], live[drop_tentative], live[drop_firm], live[recovered], live[forget]
