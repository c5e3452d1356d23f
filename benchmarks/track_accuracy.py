"""airpicture's tracker accuracy on the benchmark square, against issue 3's targets (airpicture only, no timing).

The scenario and loop of ``track_vs_stonesoup.py`` (N aircraft in a 1,000 km square, one radar at the centre, 4 s
scan, Pd 0.9, ~5 clutter plots per scan, 35 % of legs turns of 1–3 deg/s, 10 min; Cartesian σ 150 m or polar
σ 100 m / 0.05 deg), with per-update rows kept so that two kinds of error are printed:

- *picture*: every confirmed track extrapolated to each 4 s epoch (what an operator's display shows; a plot is up
  to one scan old there, so this includes up to 4 s of prediction) — GOSPA/√N and its breakdown
  (localisation / missed / false, m² per aircraft-epoch), position and velocity RMS straight / turning;
- *filtered*: each update's estimate at the time of the plot that made it, against the truth at that time.

CPU time is not reported: building the per-update rows costs time the throughput benchmark does not spend.

With ``--phases``, the filtered errors are also broken down by the truth's *leg phase* (seconds since the current
straight or turning leg began; the first leg of an aircraft apart) and, for long straight flight, by ground range
from the radar: where the error is, and what share of the class's squared error each phase holds. ``--set`` runs a
``TrackerConfig`` variant (Python literals), so a parameter change is measured on the same plots as the defaults.

    .venv/bin/python benchmarks/track_accuracy.py                  # N = 50, 500, 2000, Cartesian and polar
    .venv/bin/python benchmarks/track_accuracy.py --n 500 --modes polar --phases
    .venv/bin/python benchmarks/track_accuracy.py --n 500 --set quiet_twin_q_m2s3=0.003 --set gate_chi2=60
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

# This script's folder holds benchmarks/coverage.py, which would shadow the `coverage` package numba imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

from airpicture.core.geodesy import haversine_m  # noqa: E402
from airpicture.evaluate.metrics import (  # noqa: E402
    EvaluationConfig,
    filtered_error_rows,
    filtered_errors,
    match,
    summarise,
)
from airpicture.sim.square import square_scenario  # noqa: E402
from airpicture.track import Tracker, TrackerConfig  # noqa: E402

SCAN_S = 4.0
WARMUP_S = 32.0


def figures(
    n: int, polar: bool, duration_s: float, seed: int, config: TrackerConfig | None = None, phases: bool = False
) -> dict[str, float]:
    sc = square_scenario(n, duration_s, polar=polar, seed=seed)
    m = sc.measurements.drop(["truth_id"])
    tracker = Tracker(sc.sensors, plane=sc.plane, config=config)
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
    updates = pa.concat_tables(rows)
    out.update(filtered_errors(sc.truth, updates, matches, cfg))
    if phases:
        radar = sc.sensors[0]
        print(f"# filtered errors by phase, N={n} {'polar' if polar else 'cartesian'} (the figures' row follows)")
        print_phases(filtered_error_rows(sc.truth, updates, matches, cfg), radar.lat_deg, radar.lon_deg, cfg.c_m)
    return out


#: Leg-phase bins (s since the leg began) and ground-range bins (km) of ``--phases``.
PHASE_BINS_S = ((0, 8), (8, 16), (16, 32), (32, 64), (64, np.inf))
RANGE_BINS_KM = ((0, 150), (150, 300), (300, 450), (450, np.inf))


def print_phases(e: dict | None, radar_lat_deg: float, radar_lon_deg: float, c_m: float) -> None:
    """Filtered errors by leg phase, and long straight flight (64 s or more into a leg) by range from the radar."""
    if e is None:
        return
    ok = e["pos_err_m"] <= c_m
    p2, v2 = e["pos_err_m"] ** 2, e["vel_err_mps"] ** 2
    since, first, turning = e["since_leg_s"], e["first_leg"], e["turning"]
    print(f"#   {'phase':<40}{'updates':>8}{'pos RMS m':>10}{'vel RMS m/s':>12}{'pos² share':>11}{'vel² share':>11}")

    def line(name, sel, cls):
        if not sel.any():
            return
        pos_share = p2[sel].sum() / max(p2[cls].sum(), 1e-300)
        vel_share = v2[sel].sum() / max(v2[cls].sum(), 1e-300)
        pos, vel = np.sqrt(p2[sel].mean()), np.sqrt(v2[sel].mean())
        print(f"#   {name:<40}{sel.sum():>8}{pos:>10.0f}{vel:>12.1f}{pos_share:>11.2f}{vel_share:>11.2f}")

    for name, cls_mask, after in (("straight", ~turning, "after a turn ended"), ("turn", turning, "into the turn")):
        cls = ok & cls_mask
        for lo, hi in PHASE_BINS_S:
            label = f"{name}, {lo}-{hi:.0f} s {after}" if np.isfinite(hi) else f"{name}, > {lo} s {after}"
            line(label, cls & ~first & (since >= lo) & (since < hi), cls)
        if name == "straight":
            line("straight, first leg (from start)", cls & first, cls)
    ground_km = haversine_m(e["lat_deg"], e["lon_deg"], radar_lat_deg, radar_lon_deg) / 1000.0
    long_straight = ok & ~turning & (since >= 64)
    for lo, hi in RANGE_BINS_KM:
        span = f"{lo}-{hi:.0f} km" if np.isfinite(hi) else f"> {lo} km"
        label = f"straight, leg > 64 s old, {span}"
        line(label, long_straight & (ground_km >= lo) & (ground_km < hi), ok & ~turning)


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
    ap.add_argument("--phases", action="store_true", help="filtered errors by leg phase and by range from the radar")
    ap.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="TrackerConfig field to change (Python literal), e.g. --set quiet_twin_q_m2s3=0.003; repeatable",
    )  # fmt: skip
    args = ap.parse_args()
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in TrackerConfig.__dataclass_fields__:
            ap.error(f"--set {item}: TrackerConfig has no field {name!r}")
        try:
            overrides[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            ap.error(f"--set {item}: the value must be a Python literal")
    config = TrackerConfig(**overrides)
    print(f"# {' '.join(sys.argv)}", flush=True)
    print(f"{'input':<16}" + "".join(f"{c[0]:>19}" for c in COLUMNS))
    for n in args.n:
        for mode in args.modes:
            f = figures(n, mode == "polar", args.duration, args.seed, config, args.phases)
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
