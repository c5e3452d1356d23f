"""``airpicture demo``: the Niger scenario, live, through the whole chain, on http://127.0.0.1:8080.

Simulated sensors emit what real ones would (Beast frames from the ADS-B receivers, ASTERIX CAT048/034 from the
radars); the chain decodes them, tracks, watches and records, and the browser shows the tracker's picture, never
the simulator's truth. The server starts first, so the page answers at once; the scenario is built while it loads.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path

from airpicture.app.chain import LiveChain
from airpicture.serve import PictureServer
from airpicture.serve.layers import niger_display_config

log = logging.getLogger(__name__)
#: Simulated seconds per picture at ×1: one update per second, like a display fed by 1 Hz periodic track output.
PICTURE_PERIOD_S = 1.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080, help="HTTP port of the picture (default 8080)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="scenario seed")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many wall seconds")
    parser.add_argument("--record", type=Path, default=None, help="keep the recording here (default: a temp dir)")
    parser.add_argument("--language", choices=("fr", "en"), default="fr", help="display language (default fr)")
    parser.add_argument(
        "--operator-token-file",
        type=Path,
        default=None,
        help="file holding the operator token that allows acknowledging alerts (none: acknowledging is disabled)",
    )


def _progress(message: str) -> None:
    print(f"airpicture demo: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if args.speed <= 0:
        print("airpicture demo: --speed must be positive", file=sys.stderr)
        return 2
    token = args.operator_token_file.read_text(encoding="utf-8").strip() if args.operator_token_file else None
    server = PictureServer(args.host, args.port, operator_token=token)
    server.display_config = niger_display_config(language=args.language)
    try:
        server.start()
    except OSError as error:
        print(f"airpicture demo: {error}", file=sys.stderr)
        return 1
    _progress(f"picture on {server.url} (Ctrl-C to stop)")
    if not args.no_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    tmp = None
    chain = None
    try:
        from airpicture.monitor import default_niger_airspace
        from airpicture.sim import build_scenario

        _progress("building the Niger scenario …")
        start_time_s = time.time()
        scenario = build_scenario(
            "niger", seed=args.seed, start_time_s=start_time_s, horizon_s=7200.0 * min(max(args.speed, 1.0), 3.0)
        )
        airspace = default_niger_airspace()
        server.set_display_config(niger_display_config(scenario.sensors, airspace.to_geojson(), args.language))
        recorder = _recorder(args.record)
        if recorder is not None and args.record is None:
            tmp = recorder.tmpdir
        radar_names = {
            (model.sac, model.sic): scenario.sensors[index].id
            for index, model in scenario.models
            if hasattr(model, "sac") and hasattr(model, "sic")
        }
        from airpicture.identify import FlightPlanStore

        flight_plans = FlightPlanStore()
        flight_plans.apply(scenario.flight_plans)  # the scenario's own ICAO FPLs: correlation, fpl_deviation
        chain = LiveChain(
            scenario.sensors,
            server,
            airspace=airspace,
            recorder=recorder.recorder if recorder else None,
            asterix_sensor_names=radar_names,
            flight_plans=flight_plans,
        )
        _progress(f"{len(scenario.sensors)} sensors; streaming at ×{args.speed:g}")
        _loop(chain, scenario, args.speed, args.duration)
    except KeyboardInterrupt:
        _progress("stopping")
    finally:
        if chain is not None:
            chain.close()
        server.stop()
        if tmp is not None:
            tmp.cleanup()
    return 0


class _Recording:
    def __init__(self, recorder: object, tmpdir: tempfile.TemporaryDirectory | None) -> None:
        self.recorder = recorder
        self.tmpdir = tmpdir


def _recorder(path: Path | None) -> _Recording | None:
    try:
        from airpicture.record.recorder import Recorder
    except ImportError as error:
        log.warning("recording disabled: %s", error)
        return None
    tmpdir = None
    if path is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="airpicture-demo-")
        path = Path(tmpdir.name) / "demo.duckdb"
    _progress(f"recording to {path}")
    return _Recording(Recorder(path), tmpdir)


def _loop(chain: LiveChain, scenario: object, speed: float, duration_s: float | None) -> None:
    """Feed the chain paced on the clock: at ×1 the picture time is UTC now (the steps the scenario build took are
    caught up at full speed first, which also warms the tracker up); at ×N simulated time runs N times faster."""
    step_s = PICTURE_PERIOD_S * max(speed, 1.0)
    started = time.monotonic()
    wall0, sim0 = time.time(), None
    last_status = started
    for sim_time_s, feeds in _frame_stream(scenario, step_s):
        if sim0 is None:
            sim0 = sim_time_s - step_s
        try:
            for sensor, fmt, data, first_time_s in feeds:
                if fmt == "measurements":
                    chain.ingest_measurements(data)
                else:
                    chain.ingest_feed(sensor, fmt, data, sim_time_s, first_time_s)
            chain.tick(sim_time_s)
        except Exception:  # a failing stage costs one update, never the picture
            chain.stats.decode_errors["tick"] += 1
            log.exception("update at %.1f failed (counted); the demo goes on", sim_time_s)
        now = time.monotonic()
        if now - last_status >= 10.0:
            _progress(chain.status_line())
            last_status = now
        if duration_s is not None and now - started >= duration_s:
            return
        due = sim_time_s if speed == 1.0 else wall0 + (sim_time_s - sim0) / speed
        time.sleep(max(0.0, due - time.time()))


def _frame_stream(scenario: object, step_s: float):
    """(time, [(sensor, format, bytes)]) per step: real Beast and ASTERIX bytes from the simulated sensors.

    The simulator's truth is dropped here: the display shows only what the tracker makes of the sensors' reports.
    """
    try:
        stream = scenario.stream_frames(step_s)  # type: ignore[attr-defined]
        first = next(stream)
    except ImportError as error:
        # The simulator cannot encode frames (encoders missing): fall back to its decoded-level reports.
        log.warning("simulated sensor frames unavailable (%s): feeding simulated reports to the tracker", error)
        for step in scenario.stream(step_s):  # type: ignore[attr-defined]
            yield step.time_s, [(None, "measurements", step.measurements, None)]
        return
    for time_s, feeds, _truth in _chain_first(first, stream):
        yield time_s, [(feed.sensor, feed.format, feed.data, feed.first_time_s) for feed in feeds]


def _chain_first(first, rest):
    yield first
    yield from rest
