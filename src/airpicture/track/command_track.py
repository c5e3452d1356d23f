"""``airpicture track MEASUREMENTS --sensors SENSORS.json --out TRACKS [--output-period S]``: offline tracking.

The file is read in time order and fed to the :class:`~airpicture.track.Tracker` in chunks, exactly as a live feed
would be. Without ``--output-period``, one row per track update; with it, at every whole multiple of S (epoch
seconds) inside the data, every confirmed or coasting track extrapolated to that instant (CAT062-style periodic
output). Rejections are counted on stderr.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from airpicture.core.sensors import load_sensors
from airpicture.core.tableio import TableWriter, read_table
from airpicture.track.tracker import Tracker


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("measurements", help="Measurement file (.parquet or .jsonl)")
    parser.add_argument("--sensors", required=True, help="sensors.json")
    parser.add_argument("--out", required=True, help="SystemTrack output (.parquet or .jsonl)")
    parser.add_argument("--output-period", type=float, default=None, metavar="S", help="periodic output every S s")
    parser.add_argument("--chunk", type=float, default=4.0, metavar="S", help="seconds of data fed per call")


def run(args: argparse.Namespace) -> int:
    sensors = load_sensors(args.sensors)
    table = read_table(args.measurements)
    if "time_s" not in table.column_names:
        print(f"{args.measurements}: no time_s column", file=sys.stderr)
        return 2
    period = args.output_period
    if period is not None and not (period > 0):
        print("--output-period must be positive", file=sys.stderr)
        return 2
    times = table.column("time_s").to_numpy(zero_copy_only=False).astype(np.float64)
    finite = np.isfinite(times)
    # Offline, the file may be in any order: sort, keeping rows with a bad time for the tracker to count.
    order = np.argsort(np.where(finite, times, -np.inf), kind="stable")
    table = table.take(order)
    times = times[order]
    # Periodic output needs only the snapshots: the per-update rows are then never built.
    tracker = Tracker(sensors, update_rows=period is None)
    t_first = float(times[np.isfinite(times)][0]) if np.isfinite(times).any() else 0.0
    t_last = float(times[np.isfinite(times)][-1]) if np.isfinite(times).any() else 0.0
    step = period if period is not None else args.chunk
    start = math.floor(t_first / step) * step
    bounds = np.arange(start + step, t_last + step, step)
    edges = np.searchsorted(times, bounds, side="left")
    t0 = time.monotonic()
    cpu0 = time.process_time()
    with TableWriter(args.out) as writer:
        a = 0
        for k, (b, t_k) in enumerate(zip(edges, bounds, strict=True)):
            if period is None:
                writer.write(tracker.process(table.slice(a, b - a)))
            else:
                # The file holds everything up to t_k: process and release the re-order window to it in one pass.
                tracker.process(table.slice(a, b - a), until_s=float(t_k))
                if t_k <= t_last + 1e-9:
                    writer.write(tracker.snapshot(float(t_k)))
            a = b
            if k % 50 == 0:
                done = (t_k - t_first) / max(t_last - t_first, 1e-9)
                print(f"\rtracking {min(done, 1.0):6.1%}  tracks {tracker.store.n_live}", end="", file=sys.stderr)
        rest = tracker.process(table.slice(a))
        rest_flush = tracker.flush()
        if period is None:
            writer.write(rest)
            writer.write(rest_flush)
        rows_out = writer.rows
    cpu = time.process_time() - cpu0
    print(
        f"\rtracked {table.num_rows} measurements in {time.monotonic() - t0:.1f} s "
        f"({table.num_rows / max(cpu, 1e-9):.0f} per CPU-second); {rows_out} track rows to {args.out}",
        file=sys.stderr,
    )
    rejected = {k: v for k, v in tracker.stats.items() if k not in ("measurements_in", "measurements_processed")}
    print("stats: " + ", ".join(f"{k}={v}" for k, v in sorted(rejected.items())), file=sys.stderr)
    return 0
