"""Nuisance: ordinary traffic must not cry wolf. Alert counts per hour are printed (pytest -s) and in the docs."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa

from airpicture.core.geodesy import destination, haversine_m
from airpicture.monitor import MonitorSet, default_niger_airspace
from tests.monitor.synth import Flight, fly


def truth_min_separation_nm(cycles) -> float:
    """Closest horizontal approach (NM) of two real aircraft less than 1000 ft apart vertically, over the cycles."""
    best = np.inf
    for c in cycles:
        t = c.truth
        lat, lon, alt = (t[name].to_numpy(zero_copy_only=False) for name in ("lat_deg", "lon_deg", "alt_ft"))
        i, j = np.triu_indices(len(lat), 1)
        near_v = np.round(np.abs(alt[i] - alt[j])) < 1000.0  # adjacent levels are 1000 ft apart (float noise)
        if near_v.any():
            d = haversine_m(lat[i[near_v]], lon[i[near_v]], lat[j[near_v]], lon[j[near_v]])
            best = min(best, float(d.min()) / 1852.0)
    return best


def test_niger_traffic_without_scripted_events_raises_no_stca_and_no_infringement(niger_quiet):
    scenario, cycles = niger_quiet
    monitors = MonitorSet(default_niger_airspace(), sensors=scenario.sensors)
    events = pa.concat_tables([monitors.update(c.tracks, c.now_s, c.measurements) for c in cycles])
    raised = Counter(r["kind"] for r in events.to_pylist() if r["state"] == "raised")
    hours = (cycles[-1].now_s - cycles[0].now_s) / 3600.0
    mean_tracks = np.mean([c.tracks.num_rows for c in cycles])
    min_sep = truth_min_separation_nm(cycles)
    print(f"\nNiger, no scripted events, {hours * 60:.0f} min, {mean_tracks:.0f} tracks: "
          + ", ".join(f"{k} {v / hours:.1f}/h" for k, v in sorted(raised.items()))
          + f"; stca {raised['stca'] / hours:.1f}/h, infringement {raised['airspace_infringement'] / hours:.1f}/h; "
          f"truth: closest approach within 1000 ft {min_sep:.1f} NM")  # fmt: skip
    # The background traffic is deconflicted (semicircular levels, pre-checked truth): it never comes within
    # 5 NM and 1000 ft, so any STCA alert would be a nuisance.
    assert min_sep >= 5.0
    assert raised["stca"] == 0
    assert raised["airspace_infringement"] == 0
    # The scenario's one aircraft without a transponder is the only expected alert.
    assert raised["non_cooperative"] == 1
    assert raised["spoofing"] == 0 and raised["transponder_loss"] == 0 and raised["emergency"] == 0


def test_dense_parallel_traffic_10_nm_apart_at_the_same_level_raises_nothing():
    # 8 lanes 10 NM apart, 6 aircraft per lane 20 NM in trail, all at FL350, ±1° heading noise, both directions,
    # flying past the illustrative restricted zones' latitudes.
    rng = np.random.default_rng(5)
    flights = []
    for lane in range(8):
        lat0, lon0 = destination(14.0, 1.0, 90.0, lane * 10 * 1852.0)
        for k in range(6):
            lat, lon = destination(lat0, lon0, 0.0, k * 20 * 1852.0)
            direction = 0.0 if lane % 2 == 0 else 180.0
            flights.append(Flight(float(lat), float(lon), 35000.0, 450.0 + rng.normal(0, 10),
                                  direction + rng.normal(0, 1.0)))  # fmt: skip
    snapshots = fly(flights, 600.0)
    monitors = MonitorSet(default_niger_airspace())
    events = pa.concat_tables([monitors.update(t, now) for now, t in snapshots])
    kinds = Counter(r["kind"] for r in events.to_pylist())
    assert kinds["stca"] == 0
    assert kinds["airspace_infringement"] == 0
