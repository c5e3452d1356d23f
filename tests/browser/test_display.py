"""The display in a real headless Chromium, fed by a picture server with test traffic (300 aircraft, 1 Hz)."""

from __future__ import annotations

import os
import re

import pytest

from tests.browser.conftest import drive, free_port, start_process, stop_process, wait_http

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("AIRPICTURE_SCREENSHOTS")


@pytest.fixture(scope="module")
def report(browser_ready, python, tmp_path_factory):
    port = free_port()
    server = start_process(
        [
            python,
            "-m",
            "tests.browser.picture_fixture",
            "--port",
            str(port),
            "--aircraft",
            "300",
            "--rate-hz",
            "2",
            "--token",
            "op-secret",
        ]
    )
    shots = SCREENSHOTS or str(tmp_path_factory.mktemp("shots"))
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", server)
        result = drive(
            f"http://127.0.0.1:{port}/",
            {
                "alertKind": "emergency",
                "selectEmergency": True,
                "screenshot": f"{shots}/display_fr.png",
                "screenshotEn": f"{shots}/display_en.png",
                "filters": {"search": "NIG700", "flMin": 100, "flMax": 200},
                "ackToken": "op-secret",
            },
        )
    finally:
        log = stop_process(server)
    assert "error" not in result, (result.get("error"), log[-2000:])
    return result


def test_page_loads_offline_with_no_console_error(report):
    # The one 401 is the acknowledgement the driver sends on purpose with a wrong token (Chromium logs it).
    expected = [e for e in report["consoleErrors"] if "status of 401" in e]
    assert len(expected) <= 1
    assert [e for e in report["consoleErrors"] if e not in expected] == [] and report["pageErrors"] == []
    assert report["externalRequests"] == [], "the display must not fetch anything from outside the server"
    assert report["failedRequests"] == []


def test_aircraft_appear_and_move(report):
    assert report["aircraft"]["before"] == 300 and report["aircraft"]["after"] == 300
    assert report["aircraft"]["moved"] >= 290
    assert report["visible"] > 250


def test_the_pages_picture_is_the_servers(report):
    agreement = report["agreement"]
    assert agreement["server"] == agreement["page"] == 300
    assert agreement["missing"] == 0 and agreement["identity"] == 0
    # Deltas applied in the browser stay on the server's positions (a frame apart at most: ~0.01 degree).
    assert agreement["worstDeg"] < 0.02


def test_selecting_an_aircraft_shows_its_identity_sources_and_last_update_per_sensor(report):
    assert report["selectTarget"]["callsign"] == "NIG700"
    text = report["detailsText"]
    assert "NIG700" in text and "0A0000" in text and "7700" in text
    assert "adsb-niamey" in text and "psr_ssr-niamey" in text
    assert "Précision" in text  # quality, in French by default


def test_an_emergency_reaches_the_alert_list(report):
    assert "alertError" not in report
    assert any(a["kind"] == "emergency" and a["track_ids"] == [1] for a in report["alerts"])
    assert "Urgence" in report["alertListText"] and "NIG700" in report["alertListText"]


def test_french_by_default_and_the_language_switch_works(report):
    language = report["language"]
    assert language["initial"] == "fr" and language["alertHeadingInitial"] == "Alertes actives"
    assert language["afterEn"] == "en" and language["alertHeadingEn"] == "Active alerts"
    assert language["searchPlaceholderEn"] == "callsign, address, squawk"
    assert language["alertHeadingFr"] == "Alertes actives"


def test_updates_are_measured_with_the_performance_api(report):
    perf = report["perf"]
    assert perf["updates"] >= 2 and perf["p50"] is not None and perf["p50"] > 0


def test_filters_by_search_level_band_and_class(report):
    filters = report["filters"]
    assert filters["search"] == 1 and filters["all"] > 250
    assert 0 < filters["band"] < filters["all"]
    assert all(alt is not None and 9_500 <= alt <= 20_500 for alt in filters["bandAltitudes"])
    assert filters["noPrimary"] < filters["all"]


def test_an_operator_acknowledges_an_alert_with_the_token(report):
    assert "wrong or missing operator token" in report["ackWrongTokenError"]
    acked = [a for a in report["ackedAlerts"] if a["state"] == "acknowledged"]
    assert acked and acked[0]["acknowledged_by"] == "amadou"
    assert "amadou" in report["alertListAfterAck"]


def test_the_utc_clock_runs(report):
    assert re.fullmatch(r"\d\d:\d\d:\d\d UTC", report["clock"])
