"""``airpicture tracker-node``: consumes every sensor's measurements from JetStream, publishes ``airpicture.tracks``."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from airpicture.core.sensors import load_sensors
from airpicture.distribute.transport import DEFAULT_URL, run_role


def slice_digest(table) -> str:
    """The rows of a slice identified by their times and sensors, in order (what an audit compares)."""
    h = hashlib.sha1(table.column("time_s").to_numpy(zero_copy_only=False).tobytes())
    h.update("\x00".join(map(str, table.column("sensor").to_pylist())).encode())
    return h.hexdigest()


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nats", default=DEFAULT_URL, help="NATS server URL (default %(default)s)")
    parser.add_argument("--sensors", required=True, help="sensors.json: the gateways whose watermarks release slices")
    parser.add_argument("--slice-s", type=float, default=1.0, help="tracker input slice in data seconds (default 1)")
    parser.add_argument(
        "--max-wait-s", type=float, default=5.0, help="release a slice after this long even if a gateway is silent"
    )
    parser.add_argument("--durable", default="tracker", help="JetStream durable consumer name (default %(default)s)")
    parser.add_argument("--ack-wait-s", type=float, default=30.0, help="JetStream ack wait (default %(default)s)")
    parser.add_argument(
        "--monitors",
        nargs="?",
        const="niger",
        default=None,
        metavar="AIRSPACE",
        help="also run the monitors and publish airpicture.alerts (airspace GeoJSON/OpenAir file; default Niger's)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="checkpoint file: a node restarted on it resumes its tracks (same numbers) where it stopped",
    )
    parser.add_argument(
        "--audit",
        action="store_true",
        help="print one JSON line per processed slice on stdout (start_s, rows, a digest of the rows' times)",
    )


def run(args: argparse.Namespace) -> int:
    from airpicture.distribute.nodes import TrackerNode

    def audit(start_s: float, table) -> None:
        line = {"slice_start_s": start_s, "rows": table.num_rows, "digest": slice_digest(table)}
        print(json.dumps(line), flush=True)

    monitors = None
    if args.monitors is not None:
        from airpicture.monitor import MonitorSet, default_niger_airspace, load_airspace

        airspace = default_niger_airspace() if args.monitors == "niger" else load_airspace(args.monitors)
        monitors = MonitorSet(airspace)
    node = TrackerNode(
        args.nats,
        load_sensors(args.sensors),
        slice_s=args.slice_s,
        max_wait_s=args.max_wait_s,
        durable=args.durable,
        on_slice=audit if args.audit else None,
        ack_wait_s=args.ack_wait_s,
        monitors=monitors,
        state_path=args.state,
    )
    print(f"tracker-node: consuming airpicture.meas.> from {args.nats}", file=sys.stderr, flush=True)
    return run_role(node.run)
