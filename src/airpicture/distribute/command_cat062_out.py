"""``airpicture cat062-out``: system tracks from NATS to a non-airpicture centre as ASTERIX CAT062 over UDP."""

from __future__ import annotations

import argparse

from airpicture.distribute.transport import DEFAULT_URL, run_role


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {text!r}")
    return host, int(port)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nats", default=DEFAULT_URL, help="NATS server URL (default %(default)s)")
    parser.add_argument("--udp", type=_host_port, required=True, help="destination HOST:PORT of the CAT062 feed")
    parser.add_argument("--sac", type=int, required=True, help="System Area Code of this centre (0-255)")
    parser.add_argument("--sic", type=int, required=True, help="System Identification Code of this tracker (0-255)")


def run(args: argparse.Namespace) -> int:
    from airpicture.distribute.nodes import Cat062Bridge

    return run_role(Cat062Bridge(args.nats, args.udp, args.sac, args.sic).run)
