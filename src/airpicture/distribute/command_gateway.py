"""``airpicture gateway``: a site's sensor gateway publishing measurements to ``airpicture.meas.<sensor>``.

A receiver's live Beast TCP feed (``--beast HOST:PORT``, decoded here, one sensor), a radar data feed of ASTERIX over
UDP (``--asterix-udp [HOST:]PORT``, unicast or ``--group`` multicast, one or more radars named by ``--radar``), or a
measurement file (``--measurements``, e.g. a capture or the simulator's output, paced by ``--speed``).
"""

from __future__ import annotations

import argparse
import sys

import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core.tableio import read_table
from airpicture.distribute.merge import time_slices
from airpicture.distribute.transport import DEFAULT_URL, run_role


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {text!r}")
    return host, int(port)


def _lat_lon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected LAT,LON in degrees, not {text!r}") from exc
    return lat, lon


def _udp_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected [HOST:]PORT, not {text!r}")
    return host or "127.0.0.1", int(port)


def _radar(text: str) -> tuple[tuple[int, int], str]:
    codes, _, sensor = text.partition("=")
    sac, _, sic = codes.partition("/")
    if not (sac.isdigit() and sic.isdigit() and sensor) or int(sac) > 255 or int(sic) > 255:
        raise argparse.ArgumentTypeError(f"expected SAC/SIC=SENSOR (e.g. 0/1=niamey-psr-ssr), not {text!r}")
    return (int(sac), int(sic)), sensor


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nats", default=DEFAULT_URL, help="NATS server URL (default %(default)s)")
    parser.add_argument(
        "--sensor", required=True, help="sensor id(s) at this site, comma-separated: subjects airpicture.meas.<sensor>"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--measurements", help="Measurement file (.parquet/.jsonl); rows of other sensors are left out")
    source.add_argument("--beast", type=_host_port, help="a receiver's Beast TCP output HOST:PORT (one --sensor)")
    source.add_argument(
        "--asterix-udp",
        type=_udp_port,
        metavar="[HOST:]PORT",
        help="a radar data feed: ASTERIX (CAT048/034, CAT021…) datagrams received on this UDP port (host 127.0.0.1)",
    )
    parser.add_argument("--group", default=None, help="--asterix-udp: join this multicast group")
    parser.add_argument(
        "--radar",
        type=_radar,
        action="append",
        default=[],
        metavar="SAC/SIC=SENSOR",
        help="--asterix-udp: the sensor id of the radar with this SAC/SIC (repeat; default name asterix-SAC-SIC)",
    )
    parser.add_argument("--ref", type=_lat_lon, default=None, help="receiver position LAT,LON for --beast decoding")
    parser.add_argument("--slice-s", type=float, default=1.0, help="seconds of data per message (default 1)")
    parser.add_argument("--speed", type=float, default=0.0, help="file: data s per wall s; 0 = as fast as possible")
    parser.add_argument(
        "--compression", choices=["lz4", "zstd"], default=None, help="Arrow IPC compression for thin links"
    )


def run(args: argparse.Namespace) -> int:
    from airpicture.distribute.nodes import Gateway, asterix_measurements, beast_measurements, live_slices

    sensors = [s.strip() for s in args.sensor.split(",") if s.strip()]
    if args.beast is not None:
        if len(sensors) != 1:
            raise SystemExit("gateway: --beast feeds one sensor: give one --sensor id")
        batches = beast_measurements(args.beast[0], args.beast[1], sensors[0], args.ref)
        gateway = Gateway(
            args.nats, sensors, live_slices(batches, args.slice_s), args.slice_s, 0.0, args.compression, live=True
        )
        return run_role(gateway.run)
    if args.asterix_udp is not None:
        gateway = Gateway(args.nats, sensors, [], args.slice_s, 0.0, args.compression, live=True)
        host, port = args.asterix_udp
        batches = asterix_measurements(port, host, args.group, dict(args.radar), stats=gateway.stats)
        gateway.slices = live_slices(batches, args.slice_s)
        print(f"gateway: ASTERIX on udp {host}:{port} for {', '.join(sensors)}", file=sys.stderr, flush=True)
        return run_role(gateway.run)
    table = read_table(args.measurements)
    if "sensor" in table.column_names:
        table = table.filter(pc.is_in(table.column("sensor"), pa.array(sensors)))
    gateway = Gateway(args.nats, sensors, time_slices(table, args.slice_s), args.slice_s, args.speed, args.compression)
    return run_role(gateway.run)
