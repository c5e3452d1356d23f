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

from airpicture.track import kernels
from airpicture.track.config import TrackerConfig
from airpicture.track.store import TrackStore


def expected_interval_s(
    store: TrackStore,
    slots: NDArray[np.int64],
    now_s: float,
    sensor_period_s: NDArray[np.float64],
    config: TrackerConfig,
) -> NDArray[np.float64]:
    """Per slot: the shortest nominal period of the sensors that updated it within ``sources_memory_s``, else
    ``report_interval_s`` (one compiled pass, :func:`airpicture.track.kernels.expected_interval`)."""
    return kernels.expected_interval(
        store.sensor_time_s, np.ascontiguousarray(slots, dtype=np.int64), float(now_s),
        sensor_periods(store, sensor_period_s), float(config.sources_memory_s), float(config.report_interval_s),
    )  # fmt: skip


def sensor_periods(store: TrackStore, sensor_period_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """The sensors' periods, one per column of ``store.sensor_time_s`` that has one."""
    n = min(sensor_period_s.size, store.sensor_time_s.shape[1])
    return np.ascontiguousarray(sensor_period_s[:n], dtype=np.float64)


def life_cycle(
    store: TrackStore, now_s: float, sensor_period_s: NDArray[np.float64], config: TrackerConfig
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Apply status changes at ``now_s``.

    Returns (newly confirmed, tentative to delete, confirmed just dropped from the picture, recovered, lost to
    delete) slots.
    """
    # The rules above for every live slot in one compiled pass (kernels.life_cycle; the former numpy body is the
    # test oracle in tests/track/test_kernels.py).
    return kernels.life_cycle(
        store.status, store.time_s, store.hits, store.icao24, store.sensor_time_s,
        sensor_periods(store, sensor_period_s),
        float(now_s), float(config.sources_memory_s), float(config.report_interval_s),
        int(config.confirm_hits_identity), int(config.confirm_hits_plots),
        float(config.tentative_delete_after_intervals), float(config.delete_after_intervals),
        float(config.coast_after_intervals), float(config.memory_s), int(config.recover_hits),
    )  # fmt: skip
