"""Tracker capacity on the stress scenario: real-time factor on one core and memory over simulated time.

The simulator (airpicture.sim, "stress": N aircraft, radars, ADS-B receivers over a wide area) is stepped and each
step's measurements go straight into one Tracker. Only the tracker's CPU time (time.process_time around
``Tracker.process``) counts towards the real-time factor = simulated seconds / tracker CPU seconds; memory is the
process RSS, printed every report period so that "flat" can be seen.

    .venv/bin/python benchmarks/track_capacity.py --aircraft 10000 --radars 4 --receivers 20 --duration 3600
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from airpicture.sim import build_scenario
from airpicture.track import Tracker


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aircraft", type=int, default=10_000)
    ap.add_argument("--radars", type=int, default=4)
    ap.add_argument("--receivers", type=int, default=20)
    ap.add_argument("--duration", type=float, default=3600.0)
    ap.add_argument("--step", type=float, default=4.0)
    ap.add_argument("--report", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"# {' '.join(sys.argv)}", flush=True)
    sc = build_scenario(
        "stress", seed=args.seed, n_aircraft=args.aircraft, n_radars=args.radars, n_receivers=args.receivers
    )
    tracker = Tracker(sc.sensors)
    cpu_track = 0.0
    n_meas = 0
    t_sim0 = None
    next_report = args.report
    wall0 = time.monotonic()
    print(
        f"{'sim s':>7}{'measurements':>14}{'meas/s':>9}{'tracks':>8}{'tracker cpu s':>15}{'real-time x':>13}"
        f"{'RSS MB':>8}"
    )
    for step in sc.stream(args.step):
        if t_sim0 is None:
            t_sim0 = step.time_s
        c0 = time.process_time()
        tracker.process(step.measurements)
        cpu_track += time.process_time() - c0
        n_meas += step.measurements.num_rows
        elapsed = step.time_s - t_sim0
        if elapsed >= next_report or elapsed >= args.duration:
            live = tracker.store.n_live
            print(
                f"{elapsed:>7.0f}{n_meas:>14,}{n_meas / max(elapsed, 1e-9):>9.0f}{live:>8}{cpu_track:>15.1f}"
                f"{elapsed / max(cpu_track, 1e-9):>13.1f}{rss_mb():>8.0f}",
                flush=True,
            )
            next_report += args.report
        if elapsed >= args.duration:
            break
    stats = {k: v for k, v in tracker.stats.items() if v}
    print(f"# tracker stats: {stats}")
    print(f"# wall {time.monotonic() - wall0:.0f} s (simulation included)")
    print("# reproduce: .venv/bin/python benchmarks/track_capacity.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
