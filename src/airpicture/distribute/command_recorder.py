"""``airpicture recorder``: records measurements, tracks and alerts from NATS into a DuckDB recording."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from airpicture.distribute.transport import DEFAULT_URL, run_role
from airpicture.record.recorder import RecorderConfig


def _keep(text: str) -> tuple[str, float]:
    name, _, hours = text.partition("=")
    if name not in ("measurements", "tracks", "alerts") or not hours:
        raise argparse.ArgumentTypeError(
            f"--keep takes TABLE=HOURS with TABLE measurements/tracks/alerts, not {text!r}"
        )
    return name, float(hours) * 3600.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nats", default=DEFAULT_URL, help="NATS server URL (default %(default)s)")
    parser.add_argument("--db", required=True, help="the DuckDB recording file (created if absent)")
    parser.add_argument(
        "--core", action="store_true", help="plain NATS subscription (e.g. behind a leaf node without JetStream)"
    )
    parser.add_argument("--durable", default="recorder", help="JetStream durable consumer name (default %(default)s)")
    parser.add_argument("--flush-interval-s", type=float, default=1.0, help="DuckDB commit interval (default 1 s)")
    parser.add_argument(
        "--keep", type=_keep, action="append", default=[], help="retention, e.g. --keep measurements=24"
    )
    parser.add_argument(
        "--archive", type=Path, default=None, help="write rows leaving retention here as hourly Parquet"
    )


def run(args: argparse.Namespace) -> int:
    from airpicture.distribute.nodes import RecorderNode
    from airpicture.record.recorder import RecordingError

    retention: dict[str, float | None] = {"measurements": None, "tracks": None, "alerts": None}
    retention.update(dict(args.keep))
    config = RecorderConfig(flush_interval_s=args.flush_interval_s, retention_s=retention, archive_dir=args.archive)
    node = RecorderNode(args.nats, Path(args.db), config, durable=args.durable, core=args.core)
    try:
        return run_role(node.run)
    except RecordingError as exc:
        # A corrupt or foreign file is left as it is (evidence), and nothing is consumed from JetStream meanwhile.
        print(f"recorder: {exc}", file=sys.stderr)
        return 1
