"""``airpicture decode FILE --format {beast,avr,sbs,rawcsv,asterix} [--ref LAT,LON] --out OUT.{jsonl,parquet}``.

One row per decoded message (or ASTERIX record) in input order, Measurement field names plus ``df`` and ``tc``.
Positions are decoded statefully across the whole file, as a live receiver would. Undecodable input is counted
by reason on stderr, never fatal.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from airpicture.core.tableio import TableWriter

FORMATS = ("beast", "avr", "sbs", "rawcsv", "asterix")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="input file")
    parser.add_argument("--format", required=True, choices=FORMATS, help="input format")
    parser.add_argument(
        "--ref", type=_lat_lon, default=None, metavar="LAT,LON", help="receiver position (needed for surface positions)"
    )
    parser.add_argument("--out", required=True, type=Path, help="output .jsonl or .parquet")
    parser.add_argument("--sensor", default=None, help="sensor id written on every row (default: the file name)")
    parser.add_argument(
        "--correct-one-bit", action="store_true", help="repair DF17/18 frames with one wrong bit (counted)"
    )
    parser.add_argument(
        "--start-time",
        type=float,
        default=None,
        help="epoch seconds of the first frame of a Beast/AVR file (their clocks are relative)",
    )


def _lat_lon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected LAT,LON in degrees, got {text!r}") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"{text!r} is not a position on Earth")
    return lat, lon


def _mode_s_tables(args: argparse.Namespace, sensor: str, rejected: dict[str, int]) -> Iterator[pa.Table]:
    from airpicture.decode.modes import ModeSDecoder
    from airpicture.sources.beast import read_beast
    from airpicture.sources.text import read_avr, read_rawcsv

    decoder = ModeSDecoder(sensor=sensor, reference_lat_lon=args.ref, correct_one_bit=args.correct_one_bit)
    if args.format == "beast":
        batches = read_beast(args.file, sensor=sensor, start_time_s=args.start_time, rejected=rejected)
    elif args.format == "avr":
        start = args.start_time if args.start_time is not None else args.file.stat().st_mtime
        batches = read_avr(args.file, sensor=sensor, start_time_s=start, rejected=rejected)
    else:
        batches = read_rawcsv(args.file, sensor=sensor, rejected=rejected)
    for frames in batches:
        yield decoder.decode(frames)
    for key, value in decoder.rejected.items():
        rejected[key] = rejected.get(key, 0) + value
    if decoder.stats.get("corrected_one_bit"):
        print(f"decode: {decoder.stats['corrected_one_bit']} frames repaired (one bit)", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if not args.file.exists():
        print(f"decode: {args.file}: no such file", file=sys.stderr)
        return 2
    sensor = args.sensor or args.file.stem
    rejected: dict[str, int] = {}
    if args.format == "asterix":
        try:
            asterix = importlib.import_module("airpicture.decode.asterix")
            decode_file = asterix.decode_file
        except (ImportError, AttributeError):
            print(
                "decode: the ASTERIX decoder (airpicture.decode.asterix.decode_file) is not available in this build",
                file=sys.stderr,
            )
            return 2
        tables: Iterator[pa.Table] = decode_file(args.file)
    elif args.format == "sbs":
        from airpicture.sources.sbs import read_sbs

        tables = read_sbs(args.file, sensor=sensor, rejected=rejected)
    else:
        tables = _mode_s_tables(args, sensor, rejected)
    started = time.monotonic()
    last_report = started
    try:
        with TableWriter(args.out) as writer:
            for table in tables:
                writer.write(table)
                now = time.monotonic()
                if now - last_report > 2.0:
                    print(f"decode: {writer.rows:,} rows…", file=sys.stderr)
                    last_report = now
            rows = writer.rows
    except ValueError as exc:
        print(f"decode: {exc}", file=sys.stderr)
        return 2
    print(f"decode: {rows:,} rows written to {args.out} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    if rejected:
        total = sum(rejected.values())
        details = ", ".join(f"{key}={value}" for key, value in sorted(rejected.items()))
        print(f"decode: rejected {total:,} ({details})", file=sys.stderr)
    return 0
