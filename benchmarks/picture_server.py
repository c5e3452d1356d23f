"""Picture server: 10,000 tracks at 1 Hz to 20 WebSocket displays, against tar1090's aircraft.json polling.

Measures, in one run on the same aircraft:
- the server process's CPU per update (process CPU time over the run, minus the CPU spent making the test traffic),
  as a share of one core at 1 Hz;
- the bytes each display receives per second on the stream;
- the size of the aircraft.json that readsb would write for the same aircraft (ADS-B fields as readsb prints them,
  one object per aircraft), raw and gzip-compressed as tar1090's web server sends it, polled once per second;
- optionally (needs node, web/node_modules and Debian's chromium) the display's main-thread time per update in
  headless Chromium with the same 10,000 aircraft, from the Performance API.

Run from the repository root: ``.venv/bin/python benchmarks/picture_server.py`` (``--no-browser`` to skip Chromium).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.serve.traffic import MovingTraffic  # noqa: E402 - test traffic, built outside the product

T0 = 1_800_000_000.0


# ---------------------------------------------------------------------------------------------------- server side
def serve(port: int, n_aircraft: int, rate_hz: float) -> None:
    """The measured server process: publishes the traffic at ``rate_hz`` and prints cumulative CPU once per update."""
    from airpicture.serve import PictureServer
    from airpicture.serve.layers import niger_display_config

    traffic = MovingTraffic(n_aircraft, start_time_s=time.time())
    server = PictureServer(port=port, display_config=niger_display_config(), max_queued_frames=8)
    server.start()
    traffic_cpu = 0.0
    updates = 0
    try:
        while True:
            started = time.monotonic()
            c0 = time.process_time()
            table = traffic.at(time.time())
            traffic_cpu += time.process_time() - c0
            server.publish_tracks(table)
            updates += 1
            line = {
                "updates": updates,
                "process_cpu_s": time.process_time(),
                "traffic_cpu_s": traffic_cpu,
                "encode_cpu_s": server.stats.encode_cpu_s,
                "frame_bytes": server.stats.frame_bytes_last,
                "dropped": server.stats.clients_dropped_slow,
            }
            print(json.dumps(line), flush=True)
            time.sleep(max(0.0, 1.0 / rate_hz - (time.monotonic() - started)))
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------------- tar1090 side
def readsb_aircraft_json(traffic: MovingTraffic, time_s: float) -> bytes:
    """aircraft.json as readsb writes it for ADS-B aircraft (field names, order and number formats of readsb)."""
    table = traffic.at(time_s)
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    rng = np.random.default_rng(1)
    lines = []
    for i in range(table.num_rows):
        if not cols["cooperative"][i]:
            continue  # a receiver never sees primary-only aircraft
        ac = {
            "hex": cols["icao24"][i],
            "type": "adsb_icao",
            "flight": f"{cols['callsign'][i]:<8}",
            "alt_baro": int(round(cols["alt_ft"][i], -1)),
            "alt_geom": int(round(cols["alt_ft"][i] + 475, -1)),
            "gs": round(cols["ground_speed_kt"][i], 1),
            "track": round(cols["track_deg"][i], 2),
            "baro_rate": int(cols["vertical_rate_fpm"][i]),
            "squawk": cols["squawk"][i],
            "emergency": "none",
            "category": "A3",
            "nav_qnh": 1013.6,
            "nav_altitude_mcp": int(round(cols["alt_ft"][i], -2)),
            "lat": round(cols["lat_deg"][i], 6),
            "lon": round(cols["lon_deg"][i], 6),
            "nic": 8,
            "rc": 186,
            "seen_pos": round(float(rng.uniform(0, 2)), 3),
            "version": 2,
            "nic_baro": 1,
            "nac_p": 9,
            "nac_v": 1,
            "sil": 3,
            "sil_type": "perhour",
            "gva": 2,
            "sda": 2,
            "alert": 0,
            "spi": 0,
            "mlat": [],
            "tisb": [],
            "messages": int(rng.integers(100, 20000)),
            "seen": round(float(rng.uniform(0, 1)), 1),
            "rssi": round(float(rng.uniform(-30, -3)), 1),
        }
        lines.append(json.dumps(ac, separators=(",", ":")))
    body = ",\n".join(lines)
    text = f'{{ "now" : {time_s:.1f},\n  "messages" : 123456789,\n  "aircraft" : [\n{body}\n  ]\n}}\n'
    return text.encode()


# ---------------------------------------------------------------------------------------------------- clients
async def displays(port: int, n_clients: int, duration_s: float) -> list[dict]:
    import websockets

    async def one() -> dict:
        got = {"bytes": 0, "frames": 0, "first_s": None, "last_s": None}
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as ws:
            end = time.monotonic() + duration_s
            while time.monotonic() < end:
                try:
                    message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, end - time.monotonic()))
                except TimeoutError:
                    break
                if isinstance(message, bytes):
                    now = time.monotonic()
                    if got["frames"] == 0:
                        got["first_s"] = now  # the snapshot: the steady stream is measured after it
                    else:
                        got["bytes"] += len(message)
                        got["last_s"] = now
                    got["frames"] += 1
        return got

    return await asyncio.gather(*(one() for _ in range(n_clients)))


class LatestLine:
    """Keeps the server's latest progress line (read in a thread, so the pipe never holds stale lines)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.latest: dict | None = None
        self.ready = threading.Event()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            if line.startswith("{"):
                self.latest = json.loads(line)
                self.ready.set()

    def wait(self, timeout_s: float = 60.0) -> dict:
        if not self.ready.wait(timeout_s):
            raise RuntimeError("the server process printed nothing")
        return dict(self.latest)


def browser_update_time(port: int, frames: int) -> dict | None:
    driver = REPO / "tests" / "browser" / "drive.mjs"
    if not (REPO / "web" / "node_modules" / "playwright-core").exists() or not Path("/usr/bin/chromium").exists():
        return None
    options = {"perfFrames": frames, "language": False, "select": False, "firstAircraftTimeoutMs": 60000}
    result = subprocess.run(
        ["node", str(driver), f"http://127.0.0.1:{port}/", json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": result.stderr[-500:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of streaming measured")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--browser-frames", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port, args.aircraft, 1.0)
        return 0

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--port", str(args.port), "--aircraft", str(args.aircraft)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = LatestLine(server)
        lines.wait()
        print(
            f"server up, {args.aircraft} tracks at 1 Hz; {args.clients} displays for {args.duration:.0f} s …",
            file=sys.stderr,
        )
        start = lines.wait()
        results = asyncio.run(displays(args.port, args.clients, args.duration))
        end = lines.wait()
        updates = end["updates"] - start["updates"]
        server_cpu = (end["process_cpu_s"] - start["process_cpu_s"]) - (end["traffic_cpu_s"] - start["traffic_cpu_s"])
        encode_cpu = end["encode_cpu_s"] - start["encode_cpu_s"]
        rates = [r["bytes"] / (r["last_s"] - r["first_s"]) for r in results if r["last_s"] and r["first_s"]]
        frames = [r["frames"] for r in results]
        browser = None
        if not args.no_browser:
            print("display in headless Chromium …", file=sys.stderr)
            browser = browser_update_time(args.port, args.browser_frames)
    finally:
        server.terminate()
        server.wait(10)

    traffic = MovingTraffic(args.aircraft, start_time_s=T0)
    aircraft_json = readsb_aircraft_json(traffic, T0 + 1)
    aircraft_gz = gzip.compress(aircraft_json, compresslevel=6)
    per_client = float(np.median(rates)) if rates else float("nan")
    cpu_per_update = server_cpu / max(updates, 1)

    rows = [
        (
            "airpicture server",
            f"{args.aircraft} tracks, {args.clients} displays",
            "CPU per update (ms)",
            f"{cpu_per_update * 1e3:.1f}",
            f"{cpu_per_update * 100:.1f} % of one core at 1 Hz",
        ),
        (
            "airpicture server",
            "of which encoding (once for all)",
            "CPU per update (ms)",
            f"{encode_cpu / max(updates, 1) * 1e3:.1f}",
            "",
        ),
        ("airpicture stream", "per display", "bytes/s", f"{per_client:,.0f}", "1.00"),
        (
            "tar1090 aircraft.json",
            "readsb JSON, 1 poll/s",
            "bytes/s",
            f"{len(aircraft_json):,}",
            f"{len(aircraft_json) / per_client:.1f}× airpicture",
        ),
        (
            "tar1090 aircraft.json",
            "gzip -6 (web server), 1 poll/s",
            "bytes/s",
            f"{len(aircraft_gz):,}",
            f"{len(aircraft_gz) / per_client:.1f}× airpicture",
        ),
        (
            "airpicture stream",
            "frames per display in the run",
            "min / max",
            f"{min(frames)} / {max(frames)}",
            f"{updates} updates published",
        ),
    ]
    if browser and "perf" in browser:
        perf = browser["perf"]
        rows.append(
            (
                "display in headless Chromium",
                f"{perf['count']} aircraft, {perf['updates']} updates",
                "main-thread ms per update p50 / p95 / max",
                f"{perf['p50']:.1f} / {perf['p95']:.1f} / {perf['max']:.1f}",
                "WebGL" if browser.get("webgl", True) else "",
            )
        )
    elif browser:
        rows.append(("display in headless Chromium", "", "error", str(browser.get("error"))[:80], ""))
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    header = ("tool", "input", "figure", "value", "ratio / note")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"reproduce: .venv/bin/python benchmarks/picture_server.py --aircraft {args.aircraft} "
        f"--clients {args.clients} --duration {args.duration:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
