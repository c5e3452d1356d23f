"""``airpicture monitor TRACKS --airspace ZONES [--config FILE] [--flight-plans FILE] --out ALERTS``: the monitors
run offline over a track file, cycle by cycle, as they would live.

Every ``--period`` seconds of the data, the latest row of each track not older than ``--max-age`` becomes the
snapshot (extrapolated to the cycle time by the monitors); with ``--measurements`` the measurements of the same
interval go along (ADS-B emergency status, spoofing and GNSS checks, transponder loss with combined radars).
The output holds one row per alert event (raised, updated, cleared), Alert fields plus ``state`` and ``message``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa

from airpicture.core.schema import float_column
from airpicture.core.sensors import load_sensors
from airpicture.core.tableio import TableWriter, read_table


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tracks", help="SystemTrack file (.parquet or .jsonl), e.g. from `airpicture track`")
    parser.add_argument("--airspace", required=True, help="volumes: GeoJSON FeatureCollection or OpenAir file")
    parser.add_argument("--config", help="monitor settings (JSON or TOML); see docs/monitors.md")
    parser.add_argument("--flight-plans", help="ICAO ATS messages (FPL, CHG, DLA, CNL, ARR), one file")
    parser.add_argument("--out", required=True, help="alert events (.parquet or .jsonl)")
    parser.add_argument("--measurements", help="optional Measurement file for the checks that need raw reports")
    parser.add_argument("--sensors", help="optional sensors.json (sensor kinds and radar coverage)")
    parser.add_argument("--period", type=float, default=4.0, help="seconds between monitor cycles (default 4)")
    parser.add_argument("--max-age", type=float, default=30.0, help="drop tracks not updated for this long (s)")
    parser.add_argument("--gnss-layer", help="write the final GNSS interference grid here (GeoJSON)")


def _latest_rows(times: np.ndarray, ids: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Indices (into the sorted arrays) of the last row of each track id within [lo, hi)."""
    window_ids = ids[lo:hi]
    rev_ids = window_ids[::-1]
    _, first = np.unique(rev_ids, return_index=True)
    return lo + (len(window_ids) - 1 - first)


def run(args: argparse.Namespace) -> int:
    from airpicture.identify.fpl import FlightPlanStore
    from airpicture.monitor.airspace import load_airspace
    from airpicture.monitor.config import MonitorConfig
    from airpicture.monitor.monitor_set import ALERT_EVENT, MonitorSet

    try:
        airspace = load_airspace(args.airspace)
        config = MonitorConfig.load(args.config) if args.config else MonitorConfig()
    except (OSError, ValueError) as exc:
        print(f"airpicture monitor: {exc}", file=sys.stderr)
        return 2
    for problem in airspace.problems:
        print(f"airspace: {problem} (skipped)", file=sys.stderr)
    store = None
    if args.flight_plans:
        store = FlightPlanStore()
        for problem in store.load(args.flight_plans):
            print(f"flight plans: {problem} (skipped)", file=sys.stderr)
        print(f"flight plans: {len(store)} loaded", file=sys.stderr)
    sensors = load_sensors(args.sensors) if args.sensors else None
    tracks = read_table(args.tracks)
    measurements = read_table(args.measurements) if args.measurements else None
    monitors = MonitorSet(airspace, config, store, sensors)

    if tracks.num_rows == 0:
        TableWriter(args.out, ALERT_EVENT).close()
        print("airpicture monitor: no tracks", file=sys.stderr)
        return 0
    order = np.argsort(float_column(tracks, "time_s"), kind="stable")
    tracks = tracks.take(pa.array(order))
    times = float_column(tracks, "time_s")
    ids = tracks.column("track_id").to_numpy(zero_copy_only=False).astype(np.int64)
    m_times = np.zeros(0)
    if measurements is not None:
        m_order = np.argsort(float_column(measurements, "time_s"), kind="stable")
        measurements = measurements.take(pa.array(m_order))
        m_times = float_column(measurements, "time_s")

    start = np.ceil(times[0] / args.period) * args.period
    cycle_times = np.arange(start, times[-1] + args.period, args.period)
    counts: Counter[str] = Counter()
    cpu0 = time.process_time()
    last_report = 0.0
    with TableWriter(args.out, ALERT_EVENT) as writer:
        for k, now in enumerate(cycle_times):
            lo = int(np.searchsorted(times, now - args.max_age, side="right"))
            hi = int(np.searchsorted(times, now, side="right"))
            snapshot = tracks.take(pa.array(_latest_rows(times, ids, lo, hi))) if hi > lo else tracks.slice(0, 0)
            batch = None
            if measurements is not None:
                m_lo = int(np.searchsorted(m_times, now - args.period, side="right"))
                m_hi = int(np.searchsorted(m_times, now, side="right"))
                batch = measurements.slice(m_lo, m_hi - m_lo)
            events = monitors.update(snapshot, float(now), batch)
            if events.num_rows:
                writer.write(events)
                for kind, state in zip(events.column("kind").to_pylist(), events.column("state").to_pylist(),
                                       strict=True):  # fmt: skip
                    counts[f"{kind} {state}"] += 1
            if time.monotonic() - last_report > 1.0 or k == len(cycle_times) - 1:
                last_report = time.monotonic()
                print(f"\rmonitor: cycle {k + 1}/{len(cycle_times)}, {sum(counts.values())} events",
                      end="", file=sys.stderr)  # fmt: skip
    print(file=sys.stderr)
    hours = max((cycle_times[-1] - cycle_times[0]) / 3600.0, 1e-9)
    raised = Counter({k.split()[0]: v for k, v in counts.items() if k.endswith(" raised")})
    for kind in sorted(raised):
        print(f"  {kind}: {raised[kind]} raised ({raised[kind] / hours:.1f} per hour)", file=sys.stderr)
    print(f"monitor: {len(cycle_times)} cycles in {time.process_time() - cpu0:.1f} CPU s → {args.out}", file=sys.stderr)
    if args.gnss_layer:
        Path(args.gnss_layer).write_text(json.dumps(monitors.gnss_layer()) + "\n", encoding="utf-8")
    return 0
