"""`airpicture run --config`: configuration errors are clear; live Beast TCP and ASTERIX UDP feeds become tracks."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from airpicture.app.command_run import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]
T0 = 1_800_000_000.0


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_niamey_configuration_is_valid():
    config = load_config(REPO / "examples" / "niamey.toml")
    assert [s["feed"]["format"] for s in config["sensor"]] == ["beast", "asterix"]
    assert config["server"]["host"] == "127.0.0.1" and config["server"]["language"] == "fr"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[server]\nport = 1\n", "no [[sensor]]"),
        ('[[sensor]]\nid = "a"\nkind = "adsb"\nlat_deg = 13.0\nlon_deg = 2.0\n', "format must be one of"),
        (
            '[[sensor]]\nid = "a"\nkind = "adsb"\nlat_deg = 13.0\nlon_deg = 2.0\n[sensor.feed]\nformat = "beast"\n',
            "needs host and port",
        ),
        (
            '[[sensor]]\nid = "a"\nkind = "radar"\nlat_deg = 13.0\nlon_deg = 2.0\n[sensor.feed]\nformat = "sbs"\n'
            'host = "127.0.0.1"\nport = 30003\n',
            "kind 'radar'",
        ),
        ("[[sensor\n", "Expected"),
    ],
)
def test_configuration_errors_say_what_is_wrong(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(write(tmp_path, text))


def test_run_exits_with_a_clear_message_on_a_bad_configuration(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "airpicture", "run", "--config", str(write(tmp_path, "[server]\n"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "no [[sensor]] defined" in result.stderr


def wait_until(time_s: float) -> None:
    time.sleep(max(0.0, time_s - time.time()))


class SimulatedSite:
    """A receiver's Beast port (TCP, accepts reconnections) and a radar's ASTERIX over UDP, both on loopback,
    sending the simulated frames of each second when that second comes (the scenario runs on the wall clock)."""

    def __init__(self, scenario, receiver: str, radar: str, udp_port: int, duration_s: float) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.clients: list[socket.socket] = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        self._streamer = threading.Thread(
            target=self._run, args=(scenario, receiver, radar, udp_port, duration_s), daemon=True
        )

    def start(self) -> None:
        self._streamer.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.clients.append(conn)

    def _run(self, scenario, receiver: str, radar: str, udp_port: int, duration_s: float) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for time_s, feeds, _ in scenario.stream_frames(1.0):
                if self.stop.is_set() or time_s > scenario.start_time_s + duration_s:
                    return
                wait_until(time_s)
                for feed in feeds:
                    if feed.sensor == radar and feed.data:
                        udp.sendto(feed.data, ("127.0.0.1", udp_port))
                    elif feed.sensor == receiver:
                        for conn in list(self.clients):
                            try:
                                conn.sendall(feed.data)
                            except OSError:
                                self.clients.remove(conn)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        for conn in self.clients:
            conn.close()


def test_a_beast_receiver_and_an_asterix_radar_become_tracks_on_the_picture(tmp_path):
    from airpicture.sim import build_scenario

    # The scenario runs on the wall clock, so the radar's ASTERIX times of day and the receiver's reception times
    # agree, as on a live site.
    scenario = build_scenario("niger", start_time_s=time.time() + 10.0, horizon_s=300.0)
    receiver = next(s for s in scenario.sensors if s.id == "adsb-drrn")
    radar = next(s for s in scenario.sensors if s.id == "niamey-psr-ssr")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        udp_port = probe.getsockname()[1]
    site = SimulatedSite(scenario, receiver.id, radar.id, udp_port, duration_s=90.0)
    port = socket.create_server(("127.0.0.1", 0))
    http_port = port.getsockname()[1]
    port.close()
    config = write(
        tmp_path,
        f'[server]\nport = {http_port}\n\n[[sensor]]\nid = "{receiver.id}"\nkind = "adsb"\n'
        f'lat_deg = {receiver.lat_deg}\nlon_deg = {receiver.lon_deg}\n[sensor.feed]\nformat = "beast"\n'
        f'host = "127.0.0.1"\nport = {site.port}\n\n'
        f'[[sensor]]\nid = "{radar.id}"\nkind = "psr_ssr"\nlat_deg = {radar.lat_deg}\nlon_deg = {radar.lon_deg}\n'
        f"alt_m = {radar.alt_m}\nrotation_period_s = 6.0\nsigma_range_m = 60.0\nsigma_azimuth_deg = 0.07\n"
        f'[sensor.feed]\nformat = "asterix"\nudp_port = {udp_port}\nsac = 97\nsic = 1\n',
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "airpicture", "run", "--config", str(config), "--duration", "150"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # wait for the server, then start the radar
            try:
                httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        site.start()
        deadline = time.monotonic() + 60
        sources: set[str] = set()
        tracks = []
        # Both feeds must reach the picture, and more than a first couple of aircraft.
        while time.monotonic() < deadline and (sources != {receiver.id, radar.id} or len(tracks) < 3):
            time.sleep(1.0)
            try:
                tracks = httpx.get(f"http://127.0.0.1:{http_port}/api/tracks", timeout=2).json()
            except httpx.HTTPError:
                continue
            sources = {s for t in tracks for s in (t["sources"] or "").split(",") if s}
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=20)
        site.close()
    assert len(tracks) >= 3, out[-3000:]
    assert sources == {receiver.id, radar.id}, out[-3000:]
    assert any(t["icao24"] for t in tracks)
    assert "Traceback" not in out


def test_queued_asterix_datagrams_are_decoded_together_and_garbage_is_counted():
    """The run loop hands every queued datagram to the decoder in one call: the same rows as one call each."""
    import queue

    from airpicture.app.chain import LiveChain
    from airpicture.app.command_run import _drain
    from airpicture.app.feeds import FeedItem
    from airpicture.serve import PictureServer
    from airpicture.sim import build_scenario

    scenario = build_scenario("niger", start_time_s=1_800_000_000.0, horizon_s=600.0, events=False)
    names = {(m.sac, m.sic): scenario.sensors[i].id for i, m in scenario.models if hasattr(m, "sac")}
    datagrams = []
    for time_s, feeds, _ in scenario.stream_frames(2.0):
        datagrams += [(f.data, time_s) for f in feeds if f.format == "asterix"]
        if len(datagrams) >= 12:
            break
    assert datagrams
    items: queue.Queue[FeedItem] = queue.Queue()
    for k, (data, time_s) in enumerate(datagrams):
        items.put(FeedItem("radar", "asterix", data, time_s))
        if k == 3:
            items.put(FeedItem("radar", "asterix", b"\x30\x00\x05\xff\xff", time_s))  # LEN says 5, FX never ends
    chain = LiveChain(scenario.sensors, PictureServer(port=0), asterix_sensor_names=names)
    published = []
    chain.bus.subscribe("airpicture.meas.>", lambda subject, table: published.append(table))
    _drain(items, chain)
    one_by_one = LiveChain(scenario.sensors, PictureServer(port=0), asterix_sensor_names=names)
    expected = sum(one_by_one.ingest_feed("radar", "asterix", d, t) for d, t in datagrams)
    assert expected > 0
    assert sum(t.num_rows for t in published) == expected
    assert sum(chain._asterix_decoder().errors.values()) >= 1
    assert items.empty()
