"""``airpicture run --config FILE``: the live system on real feeds (Beast TCP, SBS TCP, ASTERIX UDP).

The configuration is TOML (see ``examples/niamey.toml``): the server, the recording, the airspace, and one
``[[sensor]]`` table per sensor with its site (the ``sensors.json`` fields) and its ``[sensor.feed]``. The chain
ticks once per second on the wall clock; each feed runs in its own thread.
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from airpicture.app.chain import LiveChain
from airpicture.app.feeds import AsterixUdpFeed, BeastFeed, Feed, FeedItem, SbsFeed
from airpicture.core.sensors import Sensor, sensor_from_json
from airpicture.serve import PictureServer
from airpicture.serve.layers import niger_display_config

log = logging.getLogger(__name__)
FEED_FORMATS = ("beast", "sbs", "asterix")


class ConfigError(ValueError):
    pass


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="TOML configuration (see examples/niamey.toml)")
    parser.add_argument("--port", type=int, default=None, help="override [server] port")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds")


def load_config(path: Path) -> dict[str, Any]:
    """Parse and check a configuration; a clear :class:`ConfigError` for anything wrong."""
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error
    sensors = config.get("sensor", [])
    if not sensors:
        raise ConfigError(f"{path}: no [[sensor]] defined")
    ids = set()
    for i, entry in enumerate(sensors):
        where = f"{path}: sensor #{i + 1}"
        if "id" not in entry:
            raise ConfigError(f"{where}: missing id")
        if entry["id"] in ids:
            raise ConfigError(f"{where}: duplicate id {entry['id']!r}")
        ids.add(entry["id"])
        feed = entry.get("feed")
        if not isinstance(feed, dict) or feed.get("format") not in FEED_FORMATS:
            raise ConfigError(f"{where} ({entry['id']}): [sensor.feed] format must be one of {', '.join(FEED_FORMATS)}")
        if feed["format"] in ("beast", "sbs") and not {"host", "port"} <= set(feed):
            raise ConfigError(f"{where} ({entry['id']}): a {feed['format']} feed needs host and port")
        if feed["format"] == "asterix" and "udp_port" not in feed:
            raise ConfigError(f"{where} ({entry['id']}): an asterix feed needs udp_port")
        try:
            sensor_from_json({k: v for k, v in entry.items() if k != "feed"})
        except (TypeError, ValueError) as error:
            raise ConfigError(f"{where}: {error}") from error
    server = config.get("server", {})
    if server.get("language", "fr") not in ("fr", "en"):
        raise ConfigError(f"{path}: [server] language must be fr or en")
    return config


def build_feeds(config: dict[str, Any], out: queue.Queue[FeedItem], base: Path) -> list[Feed]:
    feeds: list[Feed] = []
    for entry in config["sensor"]:
        feed = entry["feed"]
        if feed["format"] == "beast":
            feeds.append(BeastFeed(entry["id"], out, feed["host"], int(feed["port"])))
        elif feed["format"] == "sbs":
            feeds.append(SbsFeed(entry["id"], out, feed["host"], int(feed["port"])))
        else:
            feeds.append(
                AsterixUdpFeed(
                    entry["id"], out, int(feed["udp_port"]), feed.get("bind", "127.0.0.1"), feed.get("group")
                )
            )
    return feeds


def _airspace(config: dict[str, Any], base: Path) -> Any:
    from airpicture.monitor import default_niger_airspace, load_airspace

    file = config.get("airspace", {}).get("file")
    return load_airspace(base / file) if file else default_niger_airspace()


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"airpicture run: {error}", file=sys.stderr)
        return 2
    base = args.config.resolve().parent
    server_cfg = config.get("server", {})
    sensors: list[Sensor] = [sensor_from_json({k: v for k, v in e.items() if k != "feed"}) for e in config["sensor"]]
    token = None
    if server_cfg.get("operator_token_file"):
        token = (base / server_cfg["operator_token_file"]).read_text(encoding="utf-8").strip() or None
    airspace = _airspace(config, base)
    server = PictureServer(
        server_cfg.get("host", "127.0.0.1"),
        args.port if args.port is not None else int(server_cfg.get("port", 8080)),
        operator_token=token,
        display_config=niger_display_config(
            sensors, airspace.to_geojson(), server_cfg.get("language", "fr"), server_cfg.get("title", "Niamey FIR")
        ),
    )
    recorder = None
    if config.get("recording", {}).get("path"):
        from airpicture.record.recorder import Recorder

        recorder = Recorder(base / config["recording"]["path"])
    names = {
        (int(e["feed"]["sac"]), int(e["feed"]["sic"])): e["id"]
        for e in config["sensor"]
        if e["feed"]["format"] == "asterix" and "sac" in e["feed"] and "sic" in e["feed"]
    }
    items: queue.Queue[FeedItem] = queue.Queue(maxsize=10_000)
    try:
        feeds = build_feeds(config, items, base)
    except OSError as error:
        print(f"airpicture run: cannot open a feed: {error}", file=sys.stderr)
        return 1
    chain = LiveChain(sensors, server, airspace=airspace, recorder=recorder, asterix_sensor_names=names)
    try:
        server.start()
    except OSError as error:
        print(f"airpicture run: {error}", file=sys.stderr)
        return 1
    print(f"airpicture run: picture on {server.url}, {len(feeds)} feeds (Ctrl-C to stop)", file=sys.stderr)
    for feed in feeds:
        feed.start()
    started = time.monotonic()
    last_status = started
    try:
        while args.duration is None or time.monotonic() - started < args.duration:
            tick_start = time.monotonic()
            _drain(items, chain)
            try:
                chain.tick(time.time())
            except Exception:  # a failing stage costs one update, never the picture
                chain.stats.decode_errors["tick"] += 1
                log.exception("update failed (counted); the picture goes on")
            if tick_start - last_status >= 10.0:
                print(f"airpicture run: {chain.status_line()}", file=sys.stderr)
                last_status = tick_start
            time.sleep(max(0.0, 1.0 - (time.monotonic() - tick_start)))
    except KeyboardInterrupt:
        print("airpicture run: stopping", file=sys.stderr)
    finally:
        for feed in feeds:
            feed.stop()
        chain.close()
        server.stop()
    return 0


def _drain(items: queue.Queue[FeedItem], chain: LiveChain) -> None:
    """Hand everything queued to the chain; ASTERIX datagrams go to the decoder together, in one call."""
    datagrams: list[bytes] = []
    receive_times_s: list[float] = []
    while True:
        try:
            item = items.get_nowait()
        except queue.Empty:
            break
        if item.kind == "asterix":
            datagrams.append(item.payload)
            receive_times_s.append(item.receive_time_s)
            continue
        try:
            if item.kind == "frames":
                chain.ingest_frames(item.payload)
            elif item.kind == "measurements":
                chain.ingest_measurements(item.payload)
            else:
                chain.ingest_feed(item.sensor, item.kind, item.payload, item.receive_time_s)
        except Exception:  # one bad input must not stop the picture
            chain.stats.decode_errors[f"{item.sensor}: {item.kind}"] += 1
            log.exception("input from %s could not be decoded (counted)", item.sensor)
    try:
        chain.ingest_asterix_datagrams(datagrams, receive_times_s)
    except Exception:  # the decoder counts its own errors; this is a failure of the stage after it
        chain.stats.decode_errors["asterix"] += 1
        log.exception("%d ASTERIX datagrams could not be published (counted)", len(datagrams))
