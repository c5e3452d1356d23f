"""``airpicture gateway``: a site's sensor gateway publishing measurements to ``airpicture.meas.<sensor>``."""

from __future__ import annotations

import argparse

import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core.tableio import read_table
from airpicture.distribute.merge import time_slices
from airpicture.distribute.transport import DEFAULT_URL, run_role


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nats", default=DEFAULT_URL, help="NATS server URL (default %(default)s)")
    parser.add_argument(
        "--sensor", required=True, help="sensor id(s) at this site, comma-separated: subjects airpicture.meas.<sensor>"
    )
    parser.add_argument(
        "--measurements",
        required=True,
        help="Measurement file (.parquet/.jsonl) to publish; rows of other sensors are left out",
    )
    parser.add_argument("--slice-s", type=float, default=1.0, help="seconds of data per message (default 1)")
    parser.add_argument(
        "--speed", type=float, default=0.0, help="data seconds per wall second; 0 = as fast as possible"
    )
    parser.add_argument(
        "--compression", choices=["lz4", "zstd"], default=None, help="Arrow IPC compression for thin links"
    )


def run(args: argparse.Namespace) -> int:
    from airpicture.distribute.nodes import Gateway

    sensors = [s.strip() for s in args.sensor.split(",") if s.strip()]
    table = read_table(args.measurements)
    if "sensor" in table.column_names:
        table = table.filter(pc.is_in(table.column("sensor"), pa.array(sensors)))
    gateway = Gateway(args.nats, sensors, time_slices(table, args.slice_s), args.slice_s, args.speed, args.compression)
    return run_role(gateway.run)
