"""`airpicture demo` end to end in headless Chromium: the real chain, the real page, what an operator sees."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.browser.conftest import drive, free_port, start_process, stop_process, wait_http

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("AIRPICTURE_SCREENSHOTS")


@pytest.fixture(scope="module")
def demo(browser_ready, python, tmp_path_factory):
    port = free_port()
    started = time.monotonic()
    process = start_process(
        [python, "-m", "airpicture", "demo", "--no-browser", "--port", str(port), "--speed", "10", "--duration", "150"]
    )
    shots = SCREENSHOTS or str(tmp_path_factory.mktemp("shots"))
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process, timeout_s=30)
        report = drive(
            f"http://127.0.0.1:{port}/",
            {
                "alertKind": "emergency",
                "alertTimeoutMs": 90000,
                "firstAircraftTimeoutMs": 30000,
                "language": False,
                "screenshot": f"{shots}/demo_fr.png",
            },
            timeout_s=170,
        )
        report["started_s"] = started
        # Ctrl-C: the demo stops cleanly.
        process.send_signal(signal.SIGINT)
        report["returncode"] = process.wait(timeout=20)
    finally:
        log = stop_process(process) if process.poll() is None else (process.stdout.read() if process.stdout else "")
    report["log"] = log
    assert "error" not in report, (report.get("error"), log[-3000:])
    return report


def test_the_demo_shows_moving_aircraft_within_30_seconds(demo):
    # The page loads at once; the first aircraft arrive within 30 s of the page opening (the driver's clock).
    assert demo["firstAircraftAfterMs"] < 30_000
    assert demo["aircraft"]["moved"] >= 10
    assert demo["consoleErrors"] == [] and demo["pageErrors"] == [] and demo["externalRequests"] == []


def test_the_scenarios_emergency_reaches_the_alert_list(demo):
    assert "alertError" not in demo, demo.get("alerts")
    emergencies = [a for a in demo["alerts"] if a["kind"] == "emergency"]
    assert emergencies and emergencies[0]["track_ids"]
    assert "Urgence" in demo["alertListText"]


def test_selecting_a_tracked_aircraft_shows_its_sensors(demo):
    text = demo["detailsText"]
    assert "Piste n°" in text and "Capteurs".upper() in text.upper()
    assert "adsb-" in text or "niamey-psr-ssr" in text or "agadez-ssr" in text


def test_ctrl_c_stops_the_demo_cleanly(demo):
    assert demo["returncode"] == 0
    assert "stopping" in demo["log"]
    assert "Traceback" not in demo["log"]
