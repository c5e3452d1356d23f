"""Alert lifecycle: persistence, acknowledgement, escalation, clearing hysteresis, the active list."""

from __future__ import annotations

import numpy as np

from airpicture.monitor import Airspace
from airpicture.monitor.book import CRITICAL, WARNING, AlertBook, Conditions
from airpicture.monitor.monitor_set import MonitorSet
from tests.monitor.synth import Flight, fly


def cond(keys: list[int], severity: int = WARNING, predicted: float | None = None) -> Conditions:
    n = len(keys)
    return Conditions(
        keys=np.array(keys, np.int64), severity=np.full(n, severity, np.int8),
        track_ids=np.array(keys, np.int64)[:, None],
        time_predicted_s=np.full(n, np.nan if predicted is None else predicted),
        messages=lambda idx: [f"condition {i}" for i in idx],
    )  # fmt: skip


def test_raise_needs_consecutive_cycles_and_clear_waits_for_the_hold_time():
    book = AlertBook("stca", raise_after_cycles=3, clear_after_s=10.0)
    assert book.step(0.0, cond([7])) == []
    assert book.step(4.0, Conditions.empty()) == []  # interrupted: the count restarts
    assert book.step(8.0, cond([7])) == [] and book.step(12.0, cond([7])) == []
    (raised,) = book.step(16.0, cond([7]))
    assert raised.state == "raised" and raised.track_ids == [7] and raised.time_raised_s == 16.0
    assert book.step(20.0, Conditions.empty()) == []  # within the hold time
    assert book.step(24.0, cond([7])) == []  # back: still the same alert
    assert book.step(30.0, Conditions.empty()) == []
    (cleared,) = book.step(34.0, Conditions.empty())
    assert cleared.state == "cleared" and cleared.alert_id == raised.alert_id and cleared.time_cleared_s == 34.0


def test_updates_only_on_severity_change_or_a_real_move_of_the_predicted_time():
    book = AlertBook("airspace_infringement", raise_after_cycles=1, clear_after_s=10.0)
    book.step(0.0, cond([1], predicted=100.0))
    assert book.step(4.0, cond([1], predicted=98.0)) == []  # countdown noise: no update
    (moved,) = book.step(8.0, cond([1], predicted=150.0))
    assert moved.state == "updated" and moved.time_predicted_s == 150.0
    (current,) = book.step(12.0, cond([1], CRITICAL))
    assert current.state == "updated" and current.time_predicted_s is None and current.severity == "critical"


def test_acknowledgement_is_an_event_and_lasts_until_the_alert_escalates():
    monitors = MonitorSet(Airspace([]))
    snapshots = fly([Flight(15.0, 3.0, 30000.0, 300.0, 90.0, squawk="7700")], 60.0)
    events = [monitors.update(t, now) for now, t in snapshots[:3]]
    raised = [r for e in events for r in e.to_pylist() if r["state"] == "raised"]
    assert len(raised) == 1 and raised[0]["kind"] == "emergency"
    alert_id = raised[0]["alert_id"]
    assert monitors.acknowledge(alert_id, "controller-1")
    assert not monitors.acknowledge(99999, "controller-1")
    active = monitors.active().to_pylist()
    assert [(a["alert_id"], a["state"]) for a in active] == [(alert_id, "acknowledged")]
    now, t = snapshots[3]
    (ack,) = [r for r in monitors.update(t, now).to_pylist() if r["state"] == "acknowledged"]
    assert ack["operator"] == "controller-1" and "acknowledged by controller-1" in ack["message"]
    # Still acknowledged after further cycles of the same emergency.
    for now, t in snapshots[4:8]:
        monitors.update(t, now)
    assert monitors.active()["state"].to_pylist() == ["acknowledged"]
