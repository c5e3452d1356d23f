"""Emergency from ADS-B status: alerted with or without a track, not re-alerted after the track ends."""

from __future__ import annotations

from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.monitor import Airspace, MonitorSet
from tests.monitor.synth import T0, Flight, fly


def status(now: float, icao24: str, emergency: str = "general"):
    return table_from_columns(
        MEASUREMENT,
        {"time_s": [now - 0.5], "sensor": ["rx"], "kind": ["adsb"], "icao24": [icao24], "emergency": [emergency]},
    )


def test_an_address_broadcasting_an_emergency_without_a_track_is_alerted_without_track_ids():
    monitors = MonitorSet(Airspace([]))
    empty = fly([], 8.0)
    events = [monitors.update(t, now, status(now, "abcdef")) for now, t in empty]
    raised = [r for e in events for r in e.to_pylist() if r["state"] == "raised"]
    assert len(raised) == 1 and raised[0]["track_ids"] == [] and "abcdef" in raised[0]["message"]


def test_the_last_reports_after_a_track_ends_do_not_raise_a_second_alert():
    monitors = MonitorSet(Airspace([]))
    snapshots = fly([Flight(15.0, 3.0, 30000.0, 300.0, 90.0, icao24="0a0000")], 40.0)
    events = [monitors.update(t, now, status(now, "0a0000", "minfuel")) for now, t in snapshots]
    # The track ends but the status is still heard for a few cycles.
    for k in range(8):
        now = snapshots[-1][0] + 4.0 * (k + 1)
        events.append(monitors.update(snapshots[0][1].slice(0, 0), now, status(now, "0a0000", "minfuel")))
    raised = [r for e in events for r in e.to_pylist() if r["state"] == "raised"]
    assert [(r["track_ids"], r["kind"]) for r in raised] == [([0], "emergency")]
    assert raised[0]["time_raised_s"] <= T0 + 8.0
