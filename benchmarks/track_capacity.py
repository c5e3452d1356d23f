"""Tracker capacity on the stress scenario: real-time factor on one core and memory over simulated time.

The simulator (airpicture.sim, "stress": N aircraft, radars, ADS-B receivers over a wide area) is stepped and each
step's measurements go straight into one Tracker, so nothing but the current step is ever held in memory (the
simulator's truth is thinned to one epoch per ``--truth-period`` s: it is not used here and would only cost time).
Only the tracker's CPU time (time.process_time around ``Tracker.process``) counts towards the real-time factor =
simulated seconds / tracker CPU seconds; memory is the process RSS (simulator included). A table row is printed
every ``--report`` simulated seconds, a progress line on stderr every ``--progress`` wall seconds, and ``--plot``
draws RSS and the real-time factor against simulated time (``--csv`` keeps the samples).

    .venv/bin/python benchmarks/track_capacity.py --aircraft 10000 --radars 4 --receivers 20 --duration 3600 \\
        --report 300 --plot /tmp/capacity.png --csv /tmp/capacity.csv
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time

from airpicture.sim import build_scenario
from airpicture.track import Tracker


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def _plot(path: str, samples: list[tuple[float, float, float, int]], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [s[0] / 60.0 for s in samples]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.plot(t, [s[1] for s in samples], color="tab:blue")
    ax.set_xlabel("simulated time (min)")
    ax.set_ylabel("RSS (MB)", color="tab:blue")
    ax.set_ylim(0, max(s[1] for s in samples) * 1.2)
    ax2 = ax.twinx()
    ax2.plot(t, [s[2] for s in samples], color="tab:orange")
    ax2.set_ylabel("real-time factor (cumulative)", color="tab:orange")
    ax2.set_ylim(0, max(s[2] for s in samples) * 1.3)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aircraft", type=int, default=10_000)
    ap.add_argument("--radars", type=int, default=4)
    ap.add_argument("--receivers", type=int, default=20)
    ap.add_argument("--duration", type=float, default=3600.0, help="simulated seconds")
    ap.add_argument("--step", type=float, default=4.0, help="simulated seconds fed to the tracker per call")
    ap.add_argument("--report", type=float, default=300.0, help="table row every REPORT simulated seconds")
    ap.add_argument("--sample", type=float, default=60.0, help="RSS sample every SAMPLE simulated seconds")
    ap.add_argument("--progress", type=float, default=30.0, help="stderr progress line every PROGRESS wall seconds")
    ap.add_argument("--truth-period", type=float, default=600.0, help="simulator truth epoch period (unused here)")
    ap.add_argument("--plot", help="PNG of RSS and real-time factor against simulated time")
    ap.add_argument("--csv", help="CSV of the samples (sim s, RSS MB, real-time factor, live tracks)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"# {' '.join(sys.argv)}", flush=True)
    sc = build_scenario(
        "stress",
        seed=args.seed,
        n_aircraft=args.aircraft,
        n_radars=args.radars,
        n_receivers=args.receivers,
        truth_period_s=args.truth_period,
    )
    tracker = Tracker(sc.sensors)
    cpu_track = 0.0
    n_meas = 0
    n_rows_out = 0
    t_sim0 = None
    next_report, next_sample = args.report, 0.0
    wall0 = time.monotonic()
    last_progress = wall0
    samples: list[tuple[float, float, float, int]] = []
    print(
        f"{'sim s':>7}{'measurements':>14}{'meas/s':>9}{'tracks':>8}{'tracker cpu s':>15}{'real-time x':>13}"
        f"{'RSS MB':>8}{'wall s':>8}",
        flush=True,
    )
    for step in sc.stream(args.step):
        if t_sim0 is None:
            t_sim0 = step.time_s
        c0 = time.process_time()
        out = tracker.process(step.measurements)
        cpu_track += time.process_time() - c0
        n_rows_out += out.num_rows
        n_meas += step.measurements.num_rows
        del out, step
        elapsed = sc.time_s - t_sim0
        rtf = elapsed / max(cpu_track, 1e-9)
        if elapsed >= next_sample:
            gc.collect()
            samples.append((elapsed, rss_mb(), rtf, tracker.store.n_live))
            next_sample += args.sample
        if elapsed >= next_report or elapsed >= args.duration:
            print(
                f"{elapsed:>7.0f}{n_meas:>14,}{n_meas / max(elapsed, 1e-9):>9.0f}{tracker.store.n_live:>8}"
                f"{cpu_track:>15.1f}{rtf:>13.1f}{rss_mb():>8.0f}{time.monotonic() - wall0:>8.0f}",
                flush=True,
            )
            next_report += args.report
        now = time.monotonic()
        if now - last_progress >= args.progress:
            last_progress = now
            print(
                f"\rtrack_capacity: {elapsed:6.0f}/{args.duration:.0f} sim s, {tracker.store.n_live} tracks, "
                f"real-time x{rtf:.1f}, RSS {rss_mb():.0f} MB, wall {now - wall0:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
        if elapsed >= args.duration:
            break
    print(file=sys.stderr)
    samples.append((elapsed, rss_mb(), rtf, tracker.store.n_live))
    rss = [s[1] for s in samples]
    later = [s[1] for s in samples if s[0] >= min(600.0, args.duration / 2)]
    print(
        f"# RSS over the run: min {min(rss):.0f} MB, max {max(rss):.0f} MB; after the first "
        f"{min(600.0, args.duration / 2):.0f} s: {min(later):.0f}–{max(later):.0f} MB"
    )
    print(
        f"# {n_meas:,} measurements in, {n_rows_out:,} track rows out; "
        f"{n_meas / max(cpu_track, 1e-9):,.0f} measurements per tracker CPU-second"
    )
    stats = {k: v for k, v in tracker.stats.items() if v}
    print(f"# tracker stats: {stats}")
    print(f"# wall {time.monotonic() - wall0:.0f} s (simulation included)")
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("sim_s,rss_mb,real_time_factor,live_tracks\n")
            f.writelines(f"{a:.0f},{b:.1f},{c:.3f},{d}\n" for a, b, c, d in samples)
    if args.plot:
        _plot(
            args.plot,
            samples,
            f"tracker, stress scenario: {args.aircraft} aircraft, {args.radars} radars, "
            f"{args.receivers} ADS-B receivers",
        )
        print(f"# plot: {args.plot}")
    print("# reproduce: .venv/bin/python benchmarks/track_capacity.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
