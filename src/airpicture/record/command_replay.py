"""``airpicture replay RECORDING [--from T] [--to T] [--speed X]``: play a recording again, or re-track it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from airpicture.record.formats import parse_time


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recording", help="a DuckDB recording (airpicture recorder / the app's --record)")
    parser.add_argument("--from", dest="from_s", type=parse_time, default=None, help="start: epoch s or ISO 8601 UTC")
    parser.add_argument("--to", dest="to_s", type=parse_time, default=None, help="end: epoch s or ISO 8601 UTC")
    parser.add_argument(
        "--speed", type=float, default=0.0, help="data seconds per wall second; 0 = as fast as possible"
    )
    parser.add_argument(
        "--retrack",
        action="store_true",
        help="feed the recorded measurements through the tracker again (needs --sensors)",
    )
    parser.add_argument(
        "--pictures",
        action="store_true",
        help="with --retrack, a recording of the one-process app: track between its recorded pictures and picture "
        "at their times, as its chain did live (default: track each measurement message, as a tracker node does)",
    )
    parser.add_argument("--sensors", help="sensors.json for --retrack")
    parser.add_argument("--tracker-config", help="TrackerConfig as JSON (field: value) for --retrack with new settings")
    parser.add_argument("--out", help="write the replayed tracks to .parquet/.jsonl")
    parser.add_argument("--nats", help="also publish to this NATS server (airpicture.tracks / airpicture.alerts)")


def run(args: argparse.Namespace) -> int:
    from airpicture.core import bus
    from airpicture.core.tableio import TableWriter
    from airpicture.record.recorder import RecordingError
    from airpicture.record.recording import Recording
    from airpicture.record.replay import replay, replay_pictures

    tracker = None
    if args.retrack:
        if not args.sensors:
            print("replay: --retrack needs --sensors SENSORS.json", file=sys.stderr)
            return 2
        from airpicture.core.sensors import load_sensors
        from airpicture.track import Tracker, TrackerConfig

        config = TrackerConfig(**json.loads(Path(args.tracker_config).read_text())) if args.tracker_config else None
        tracker = Tracker(load_sensors(args.sensors), config=config)
    try:
        recording = Recording(args.recording)
    except RecordingError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 1
    local = bus.InProcessBus()
    writer = TableWriter(args.out) if args.out else None
    if writer is not None:
        local.subscribe(bus.TRACKS, lambda _subject, table: writer.write(table))
    publisher = None
    if args.nats:
        from airpicture.distribute.nodes import NatsPublisher

        publisher = NatsPublisher(args.nats, "replay")
        local.subscribe(">", publisher.publish)
    try:
        if tracker is not None and args.pictures:
            stats = replay_pictures(recording, local.publish, tracker, args.from_s, args.to_s, progress=True)
        else:
            stats = replay(recording, local.publish, args.from_s, args.to_s, args.speed, tracker, progress=True)
    finally:
        recording.close()
        if writer is not None:
            writer.close()
        if publisher is not None:
            publisher.close()
    print(json.dumps({"replay": dict(stats), "tracker": tracker.stats if tracker else None}), file=sys.stderr)
    return 0
