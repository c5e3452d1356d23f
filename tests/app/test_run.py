"""`airpicture run --config`: configuration errors are clear; a live Beast feed over TCP becomes tracks."""

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


def beast_server(seconds: list[bytes]) -> tuple[socket.socket, threading.Thread]:
    """A receiver's Beast port on loopback, sending each second's frames in real time, as readsb does."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            try:
                for data in seconds:
                    conn.sendall(data)
                    time.sleep(1.0)
            except OSError:
                return  # the run process was stopped

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def test_a_beast_receiver_feed_becomes_tracks_on_the_picture(tmp_path):
    from airpicture.sim import build_scenario

    scenario = build_scenario("niger", start_time_s=T0, horizon_s=300.0)
    receiver = next(s for s in scenario.sensors if s.id == "adsb-drrn")
    seconds = []
    for time_s, feeds, _ in scenario.stream_frames(1.0):
        seconds.append(b"".join(f.data for f in feeds if f.sensor == receiver.id))
        if time_s >= scenario.start_time_s + 20:
            break
    listener, _ = beast_server(seconds)
    port = socket.create_server(("127.0.0.1", 0))
    http_port = port.getsockname()[1]
    port.close()
    config = write(
        tmp_path,
        f'[server]\nport = {http_port}\n\n[[sensor]]\nid = "{receiver.id}"\nkind = "adsb"\n'
        f'lat_deg = {receiver.lat_deg}\nlon_deg = {receiver.lon_deg}\n[sensor.feed]\nformat = "beast"\n'
        f'host = "127.0.0.1"\nport = {listener.getsockname()[1]}\n',
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "airpicture", "run", "--config", str(config), "--duration", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 40
        tracks = []
        while time.monotonic() < deadline and not tracks:
            time.sleep(1.0)
            try:
                tracks = httpx.get(f"http://127.0.0.1:{http_port}/api/tracks", timeout=2).json()
            except httpx.HTTPError:
                continue
        assert len(tracks) >= 3
        assert all(t["sources"] == receiver.id for t in tracks)
        assert all(t["icao24"] for t in tracks)
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=20)
        listener.close()
    assert "Traceback" not in out
