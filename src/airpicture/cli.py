"""The ``airpicture`` command line.

Each sub-command lives beside the stage it drives, in a module with two functions:
``configure(parser: argparse.ArgumentParser) -> None`` and ``run(args: argparse.Namespace) -> int``.
Only the chosen sub-command's module is imported, so ``airpicture --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from airpicture import __version__

#: sub-command → (module, one-line summary). The names and their arguments are a contract (DESIGN.md).
COMMANDS: dict[str, tuple[str, str]] = {
    "monitor": ("airpicture.monitor.command_monitor", "run the monitors offline over a track file: alerts"),
    "decode": ("airpicture.decode.command_decode", "decode a Mode S or ASTERIX file into Measurement rows"),
    "replay": ("airpicture.record.command_replay", "replay a recording: re-track its measurements or play its tracks"),
    "history": ("airpicture.record.command_history", "query a recording: aircraft, volume, alerts, snapshot, export"),
    "gateway": ("airpicture.distribute.command_gateway", "distributed: publish a sensor's measurements to NATS"),
    "tracker-node": ("airpicture.distribute.command_tracker_node", "distributed: track measurements from NATS"),
    "recorder": ("airpicture.distribute.command_recorder", "distributed: record NATS traffic into DuckDB"),
    "cat062-out": ("airpicture.distribute.command_cat062_out", "distributed: tracks from NATS as ASTERIX CAT062 (UDP)"),
    "coverage": ("airpicture.coverage.command_coverage", "sensor coverage over terrain, gaps, where to add receivers"),
    "track": ("airpicture.track.command_track", "track a Measurement file offline: SystemTrack rows"),
    "evaluate": ("airpicture.evaluate.command_evaluate", "track quality against truth: GOSPA, ESASSP-style figures"),
    "simulate": ("airpicture.sim.command_simulate", "simulate Niger or stress traffic: measurements, truth, sensors"),
    "demo": ("airpicture.app.command_demo", "the simulated Niger picture, live, on http://127.0.0.1:8080"),
    "run": ("airpicture.app.command_run", "the live system on real feeds: run --config FILE"),
}


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="airpicture",
        description="Open airspace surveillance: ingest, track, identify, watch, show, record.",
        epilog="Commands:\n" + "\n".join(f"  {name:<10} {summary}" for name, (_, summary) in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"airpicture {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("command", nargs="?", choices=sorted(COMMANDS), metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = _top_parser()
    # Split global options from the sub-command and its own arguments.
    split = next((i for i, a in enumerate(argv) if a in COMMANDS), len(argv))
    top_args = top.parse_args(argv[: split + 1])
    if top_args.command is None:
        top.print_help()
        return 2
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(top_args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    module_name, summary = COMMANDS[top_args.command]
    module = importlib.import_module(module_name)
    sub = argparse.ArgumentParser(prog=f"airpicture {top_args.command}", description=summary)
    module.configure(sub)
    args = sub.parse_args(argv[split + 1 :])
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130
