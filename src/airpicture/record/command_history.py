"""``airpicture history RECORDING QUERY``: where was an aircraft, who was inside a volume, which alerts, export."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from airpicture.record.formats import FORMATS, parse_time, render


def _time_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="from_s", type=parse_time, default=None, help="start: epoch s or ISO 8601 UTC")
    p.add_argument("--to", dest="to_s", type=parse_time, default=None, help="end: epoch s or ISO 8601 UTC")


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default=None, help="json (default), geojson or parquet")
    p.add_argument("--out", help="write here instead of stdout (format from the suffix if --format is absent)")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recording", help="a DuckDB recording")
    queries = parser.add_subparsers(dest="query", required=True)
    p = queries.add_parser("aircraft", help="where was aircraft X (Mode S address, callsign or track number)")
    p.add_argument("ident")
    p.add_argument("--source", choices=["tracks", "measurements"], default="tracks")
    _time_options(p)
    _output_options(p)
    p = queries.add_parser("volume", help="every track update inside a volume")
    p.add_argument("volume", help="fir | bbox:LAT1,LON1,LAT2,LON2 | FILE.geojson | a packaged zone name")
    p.add_argument("--name", help="the feature of the GeoJSON file to use")
    p.add_argument("--alt-min-ft", type=float, default=None)
    p.add_argument("--alt-max-ft", type=float, default=None)
    _time_options(p)
    _output_options(p)
    p = queries.add_parser("alerts", help="alert events, optionally of one kind")
    p.add_argument("--kind", help="e.g. airspace_infringement, emergency, stca")
    p.add_argument("--state", help="raised, updated, cleared or acknowledged")
    _time_options(p)
    _output_options(p)
    p = queries.add_parser("snapshot", help="the picture at a past instant (each track's last update)")
    p.add_argument("time", type=parse_time)
    p.add_argument("--max-age-s", type=float, default=30.0)
    _output_options(p)
    queries.add_parser("info", help="rows and time span per table")
    p = queries.add_parser("export", help="hourly Parquet partitions: OUT/<table>/hour=YYYY-MM-DDTHH/")
    p.add_argument("out_dir")
    _time_options(p)


def run(args: argparse.Namespace) -> int:
    from airpicture.record.recorder import RecordingError
    from airpicture.record.recording import Recording
    from airpicture.record.volumes import volume_from_spec

    try:
        recording = Recording(args.recording)
    except RecordingError as exc:
        print(f"history: {exc}", file=sys.stderr)
        return 1
    with recording:
        if args.query == "info":
            print(json.dumps(recording.extent().to_pylist(), indent=2))
            return 0
        if args.query == "export":
            print(json.dumps(recording.export_parquet(args.out_dir, from_s=args.from_s, to_s=args.to_s)))
            return 0
        try:
            if args.query == "aircraft":
                table = recording.aircraft(args.ident, args.from_s, args.to_s, args.source)
            elif args.query == "volume":
                volume = volume_from_spec(args.volume, args.name)
                table = recording.in_volume(volume, args.from_s, args.to_s, args.alt_min_ft, args.alt_max_ft)
            elif args.query == "alerts":
                table = recording.alerts(args.kind, args.from_s, args.to_s, args.state)
            else:
                table = recording.snapshot(args.time, args.max_age_s)
        except ValueError as exc:
            print(f"history: {exc}", file=sys.stderr)
            return 2
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "json")
    if fmt not in FORMATS:
        fmt = "json"
    data = render(table, fmt)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"history: {table.num_rows} rows -> {args.out}", file=sys.stderr)
    elif fmt == "parquet":
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode() + "\n")
    return 0
