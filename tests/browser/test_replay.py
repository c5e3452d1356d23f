"""The replay timeline in headless Chromium on `airpicture demo` (which records by default): what an operator sees
when scrubbing back in time, playing the past and returning to live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import drive, free_port, start_process, stop_process, wait_http

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("AIRPICTURE_SCREENSHOTS")
REPLAY_DRIVER = Path(__file__).with_name("replay.mjs")


@pytest.fixture(scope="module")
def replay(browser_ready, python, tmp_path_factory):
    port = free_port()
    process = start_process(
        [python, "-m", "airpicture", "demo", "--no-browser", "--port", str(port), "--speed", "10", "--duration", "120"]
    )
    shots = SCREENSHOTS or str(tmp_path_factory.mktemp("shots"))
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process, timeout_s=30)
        report = drive(
            f"http://127.0.0.1:{port}/",
            {"screenshots": shots, "minRangeS": 120, "timeoutMs": 60000},
            timeout_s=110,
            driver=REPLAY_DRIVER,
        )
    finally:
        log = stop_process(process)
    assert "error" not in report, (report.get("error"), log[-3000:])
    report["shots"] = shots
    return report


def test_the_timeline_shows_the_recorded_range_and_starts_live(replay):
    live = replay["live"]
    assert live["timelineVisible"] and not live["bannerVisible"] and not live["replaying"]
    assert live["modeText"] == "DIRECT" and live["liveButtonDisabled"]
    low, high = live["range"]
    assert high - low >= 120
    assert replay["consoleErrors"] == [] and replay["pageErrors"] == [] and replay["externalRequests"] == []


def test_scrubbing_back_draws_the_recorded_past_under_a_dated_banner(replay):
    past = replay["replay"]
    low, high = past["range"]
    assert past["replaying"] and past["bannerVisible"] and past["modeText"] == "RELECTURE"
    # Clicked a tenth of the way along (the range grows meanwhile): that instant is drawn, well behind live.
    assert low <= past["time"] <= low + 0.25 * (high - low)
    assert past["drawnTime"] == past["time"] and past["liveTime"] - past["drawnTime"] > 60
    assert past["count"] >= 10
    # The same aircraft, elsewhere: most tracks in both pictures are at a different position.
    assert past["versusLive"]["common"] >= 10
    assert past["versusLive"]["moved"] >= 0.8 * past["versusLive"]["common"]
    # The stream kept arriving (the live picture moved on) while the map stayed on the past.
    assert past["framesWhileReplaying"] >= 2
    assert "RELECTURE" in past["bannerText"] and " UTC" in past["bannerText"]


def test_play_at_ten_times_steps_through_the_past(replay):
    played = replay["played"]
    assert played["replaying"]
    assert 20 <= played["advancedS"] <= 40  # about three one-second steps of 10 s
    assert played["snapshots"] > replay["replay"]["snapshots"]
    assert played["timelineErrors"] == 0


def test_the_replay_speaks_english_too(replay):
    english = replay["english"]
    assert "REPLAY" in english["bannerText"] and english["liveButton"] == "BACK TO LIVE"
    assert english["modeText"] == "REPLAY"


def test_back_to_live_restores_the_live_stream(replay):
    back = replay["back"]
    assert not back["replaying"] and not back["bannerVisible"] and back["modeText"] == "DIRECT"
    assert back["drawnTime"] == back["liveTime"]
    assert back["versusLive"]["common"] == back["count"] and back["versusLive"]["moved"] == 0
    assert Path(replay["shots"], "timeline_replay.png").stat().st_size > 50_000
