"""airpicture's tracker accuracy on the benchmark square, against issue 3's targets (airpicture only, no timing).

The scenario and loop of ``track_vs_stonesoup.py`` (N aircraft in a 1,000 km square, one radar at the centre, 4 s
scan, Pd 0.9, ~5 clutter plots per scan, 35 % of legs turns of 1–3 deg/s, 10 min; Cartesian σ 150 m or polar
σ 100 m / 0.05 deg), with per-update rows kept so that two kinds of error are printed:

- *picture*: every confirmed track extrapolated to each 4 s epoch (what an operator's display shows; a plot is up
  to one scan old there, so this includes up to 4 s of prediction) — GOSPA/√N and its breakdown
  (localisation / missed / false, m² per aircraft-epoch), position and velocity RMS straight / turning;
- *filtered*: each update's estimate at the time of the plot that made it, against the truth at that time.

CPU time is not reported: building the per-update rows costs time the throughput benchmark does not spend.

    .venv/bin/python benchmarks/track_accuracy.py                  # N = 50, 500, 2000, Cartesian and polar
    .venv/bin/python benchmarks/track_accuracy.py --n 500 --modes polar
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# This script's folder holds benchmarks/coverage.py, which would shadow the `coverage` package numba imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

from airpicture.evaluate.metrics import EvaluationConfig, filtered_errors, match, summarise  # noqa: E402
from airpicture.sim.square import square_scenario  # noqa: E402
from airpicture.track import Tracker  # noqa: E402

SCAN_S = 4.0
WARMUP_S = 32.0


def figures(n: int, polar: bool, duration_s: float, seed: int) -> dict[str, float]:
    sc = square_scenario(n, duration_s, polar=polar, seed=seed)
    m = sc.measurements.drop(["truth_id"])
    tracker = Tracker(sc.sensors, plane=sc.plane)
    times = m.column("time_s").to_numpy()
    grid = np.arange(np.floor(times[0]), times[-1], SCAN_S)
    edges = np.searchsorted(times, grid)
    rows, snaps = [], []
    for k, (a, b, g) in enumerate(zip(edges[:-1], edges[1:], grid[1:], strict=True)):
        rows.append(tracker.process(m.slice(a, b - a), until_s=g))
        snaps.append(tracker.snapshot(g))
        if k % 25 == 0:
            print(f"\r  N={n} {'polar' if polar else 'cartesian'} {g - grid[0]:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)
    cfg = EvaluationConfig(warmup_s=WARMUP_S, max_age_s=0.5)
    matches = match(sc.truth, pa.concat_tables(snaps), cfg)
    out = summarise(matches)["all"]
    out.update(filtered_errors(sc.truth, pa.concat_tables(rows), matches, cfg))
    return out


COLUMNS = (
    ("GOSPA/√N", "gospa_per_sqrt_n_m", "{:.0f}"),
    ("loc m²", "gospa_loc_m2", "{:.0f}"),
    ("missed m²", "gospa_missed_m2", "{:.0f}"),
    ("false m²", "gospa_false_m2", "{:.0f}"),
    ("pic pos str/turn", ("pos_rms_straight_m", "pos_rms_turning_m"), "{:.0f}/{:.0f}"),
    ("pic vel str/turn", ("vel_rms_straight_mps", "vel_rms_turning_mps"), "{:.1f}/{:.1f}"),
    ("filt pos str/turn", ("filtered_pos_rms_straight_m", "filtered_pos_rms_turning_m"), "{:.0f}/{:.0f}"),
    ("filt vel str/turn", ("filtered_vel_rms_straight_mps", "filtered_vel_rms_turning_mps"), "{:.1f}/{:.1f}"),
    ("id sw/ac", "switches_per_aircraft", "{:.3f}"),
    ("ids/ac", "track_ids_per_aircraft", "{:.3f}"),
    ("drop s", "drop_latency_max_s", "{:.0f}"),
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 500, 2000])
    ap.add_argument("--modes", nargs="+", default=["cartesian", "polar"])
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"# {' '.join(sys.argv)}", flush=True)
    print(f"{'input':<16}" + "".join(f"{c[0]:>19}" for c in COLUMNS))
    for n in args.n:
        for mode in args.modes:
            f = figures(n, mode == "polar", args.duration, args.seed)
            cells = []
            for _, key, fmt in COLUMNS:
                vals = [f[k] for k in key] if isinstance(key, tuple) else [f[key]]
                cells.append(f"{fmt.format(*vals):>19}")
            print(f"{f'N={n} {mode}':<16}" + "".join(cells), flush=True)
            extra = {k: f[k] for k in f if k.startswith(("missed_", "false_", "epochs_after"))}
            print(f"#   {extra}", flush=True)
    print("# reproduce: .venv/bin/python benchmarks/track_accuracy.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
