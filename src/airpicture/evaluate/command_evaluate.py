"""``airpicture evaluate --truth T --tracks K``: ESASSP-style quality figures and GOSPA of a track file."""

from __future__ import annotations

import argparse
import json
import math
import sys

from airpicture.core.tableio import read_table
from airpicture.evaluate.metrics import EvaluationConfig, coverage_mask, filtered_errors, match, summarise


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--truth", required=True, help="TRUTH file (.parquet or .jsonl), e.g. from `simulate`")
    parser.add_argument("--tracks", required=True, help="SystemTrack file, e.g. from `airpicture track`")
    parser.add_argument("--period", type=float, default=4.0, help="evaluation epoch spacing, s (default 4)")
    parser.add_argument(
        "--max-age", type=float, default=12.0, help="oldest track row still extrapolated to an epoch, s (default 12)"
    )
    parser.add_argument("--warmup", type=float, default=0.0, help="ignore the first seconds of truth")
    parser.add_argument(
        "--measurements",
        help="the simulated measurements (with target_id): count only aircraft some sensor saw in the last 12 s",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--plot", metavar="PNG", help="also draw the error distributions into this PNG")


def _fmt(v: float) -> str:
    if isinstance(v, int):
        return str(v)
    return "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4g}"


def run(args: argparse.Namespace) -> int:
    truth = read_table(args.truth)
    tracks = read_table(args.tracks)
    for name, table, need in (
        ("truth", truth, ("time_s", "target_id", "lat_deg", "lon_deg")),
        ("tracks", tracks, ("time_s", "track_id", "lat_deg", "lon_deg", "status")),
    ):
        missing = [c for c in need if c not in table.column_names]
        if missing:
            print(f"{name}: missing columns {', '.join(missing)}", file=sys.stderr)
            return 2
    cfg = EvaluationConfig(period_s=args.period, max_age_s=args.max_age, warmup_s=args.warmup)
    covered = None
    if args.measurements:
        covered = coverage_mask(truth, read_table(args.measurements))
    m = match(truth, tracks, cfg, covered)
    figures = summarise(m)
    # A per-update track file (not periodic output) also gives the filter's error at its update instants.
    filtered = filtered_errors(truth, tracks, m, cfg)
    if filtered["filtered_updates"]:
        figures["all"].update(filtered)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        classes = list(figures)
        keys = list(dict.fromkeys(k for c in classes for k in figures[c]))
        print(f"{'figure':<26}" + "".join(f"{c:>16}" for c in classes))
        for k in keys:
            print(f"{k:<26}" + "".join(f"{_fmt(figures[c].get(k, float('nan'))):>16}" for c in classes))
    if args.plot:
        from airpicture.evaluate.plots import error_plots

        error_plots(m, args.plot)
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0
