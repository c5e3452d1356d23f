"""MonitorSet: every monitor over one track snapshot per cycle, with one alert lifecycle for all of them.

``update(tracks_snapshot, now_s, measurements=None)`` returns this cycle's alert *events* (Alert columns of
core/schema.py + ``state`` raised|updated|acknowledged|cleared, ``message``, ``icao24``, ``callsign``, ``time_s``
of the event and the acknowledging ``operator``); ``active()`` returns the alerts standing now. Measurements
are optional: with them the ADS-B emergency status, spoofing and GNSS checks see the raw reports.
"""

from __future__ import annotations

import time
from itertools import count

import numpy as np
import pyarrow as pa

from airpicture.core.schema import ALERT
from airpicture.core.sensors import Sensor, load_sensors
from airpicture.identify.correlate import correlate
from airpicture.identify.fpl import FlightPlanStore
from airpicture.monitor.airspace import Airspace
from airpicture.monitor.book import AlertBook, AlertRecord, Conditions
from airpicture.monitor.config import MonitorConfig
from airpicture.monitor.cooperation import CooperationMonitor
from airpicture.monitor.emergency import EmergencyMonitor
from airpicture.monitor.fpl_deviation import FplDeviationMonitor
from airpicture.monitor.frame import MeasurementBatch, TrackFrame
from airpicture.monitor.gnss import GnssMonitor
from airpicture.monitor.infringement import InfringementMonitor
from airpicture.monitor.spoofing import SpoofingMonitor
from airpicture.monitor.stca import StcaMonitor

#: Alert events: the ALERT contract plus the lifecycle and display conveniences.
ALERT_EVENT = pa.schema(
    [
        *ALERT,
        ("state", pa.string()),
        ("message", pa.string()),
        ("icao24", pa.string()),
        ("callsign", pa.string()),
        ("time_s", pa.float64()),
        ("operator", pa.string()),
    ]
)


class MonitorSet:
    """All monitors of one deployment. Not thread-safe: call from one loop."""

    def __init__(
        self,
        airspace: Airspace,
        config: MonitorConfig | None = None,
        flight_plans: FlightPlanStore | None = None,
        sensors: list[Sensor] | None = None,
    ) -> None:
        self.airspace = airspace
        self.config = config = config or MonitorConfig()
        if sensors is None and config.sensors_file:
            sensors = load_sensors(config.sensors_file)
        self.sensors = list(sensors or [])
        self.flight_plans = flight_plans
        ids = count(1)
        disabled = set(config.disabled)

        def book(kind: str, cfg: object) -> AlertBook:
            return AlertBook(kind, cfg.raise_after_cycles, cfg.clear_after_s, ids)  # type: ignore[attr-defined]

        self.books: dict[str, AlertBook] = {
            "airspace_infringement": book("airspace_infringement", config.infringement),
            "emergency": book("emergency", config.emergency),
            "stca": book("stca", config.stca),
            "non_cooperative": book("non_cooperative", config.cooperation),
            "transponder_loss": book("transponder_loss", config.cooperation),
            "fpl_deviation": book("fpl_deviation", config.fpl_deviation),
            "spoofing": book("spoofing", config.spoofing),
            "gnss_interference": book("gnss_interference", config.gnss),
        }
        self.enabled = {k: k not in disabled for k in self.books}
        if "cooperation" in disabled:
            self.enabled["non_cooperative"] = self.enabled["transponder_loss"] = False
        if flight_plans is None:
            self.enabled["fpl_deviation"] = False
        plane = airspace.plane
        self.infringement = InfringementMonitor(airspace, config.infringement)
        self.emergency = EmergencyMonitor(config.emergency)
        self.stca = StcaMonitor(airspace, config.stca)
        self.cooperation = CooperationMonitor(airspace, config.cooperation, {s.id: s.kind for s in self.sensors})
        self.fpl = FplDeviationMonitor(plane, config.fpl_deviation, flight_plans) if flight_plans else None
        self.spoofing = SpoofingMonitor(plane, config.spoofing, self.sensors)
        self.gnss = GnssMonitor(config.gnss)
        self._queued: list[AlertRecord] = []
        self._labels: dict[int, tuple[str | None, str | None]] = {}
        self.now_s = float("nan")
        #: CPU seconds per monitor in the last update (for benchmarks and the status page).
        self.last_timings_s: dict[str, float] = {}

    # --- the cycle --------------------------------------------------------------------------------------------
    def update(self, tracks_snapshot: pa.Table, now_s: float, measurements: pa.Table | None = None) -> pa.Table:
        timings: dict[str, float] = {}
        clock = time.process_time
        t0 = clock()
        tracks = tracks_snapshot
        if self.flight_plans is not None and tracks.num_rows:
            tracks = correlate(tracks, self.flight_plans)
        frame = TrackFrame(tracks, float(now_s), self.airspace.plane)
        batch = MeasurementBatch(measurements) if measurements is not None and measurements.num_rows else None
        self.now_s = float(now_s)
        timings["frame"] = clock() - t0

        def run(kind: str, fn) -> Conditions:
            t = clock()
            out = fn() if self.enabled[kind] else Conditions.empty()
            timings[kind] = timings.get(kind, 0.0) + clock() - t
            return out

        t = clock()
        if self.enabled["emergency"]:
            self.emergency.observe(batch)
        if self.enabled["stca"]:
            self.stca.observe(batch)
            self.stca.alerted_keys = self.books["stca"].keys
        self.cooperation.observe(batch)
        # Reading the batch: addresses, kinds, the (address, time) order every monitor shares, latest reports.
        timings["measurements"] = clock() - t
        if self.enabled["spoofing"]:
            t = clock()
            self.spoofing.observe(batch, now_s)
            timings["spoofing"] = clock() - t
        if self.enabled["gnss_interference"]:
            t = clock()
            self.gnss.observe(batch)
            self.gnss.observe_tracks(frame)
            timings["gnss_interference"] = clock() - t
        conditions = {
            "airspace_infringement": run("airspace_infringement", lambda: self.infringement.evaluate(frame)),
            "emergency": run("emergency", lambda: self.emergency.evaluate(frame)),
            "stca": run("stca", lambda: self.stca.evaluate(frame)),
            "spoofing": run("spoofing", lambda: self.spoofing.evaluate(frame)),
            "gnss_interference": run("gnss_interference", lambda: self.gnss.evaluate(frame)),
            "fpl_deviation": run("fpl_deviation", lambda: self.fpl.evaluate(frame) if self.fpl else Conditions.empty()),
        }
        t = clock()
        if self.enabled["non_cooperative"] or self.enabled["transponder_loss"]:
            nc, tl = self.cooperation.evaluate(frame)
            conditions["non_cooperative"] = nc if self.enabled["non_cooperative"] else Conditions.empty()
            conditions["transponder_loss"] = tl if self.enabled["transponder_loss"] else Conditions.empty()
        else:
            conditions["non_cooperative"] = conditions["transponder_loss"] = Conditions.empty()
        timings["cooperation"] = clock() - t
        t = clock()
        events = self._queued
        self._queued = []
        for kind, book in self.books.items():
            events.extend(book.step(float(now_s), conditions[kind]))
        table = self._events_table(events, frame)
        timings["lifecycle"] = clock() - t
        self.last_timings_s = timings
        return table

    def _events_table(self, events: list[AlertRecord], frame: TrackFrame | None) -> pa.Table:
        if frame is not None and events:
            ids = np.array([e.track_ids[0] if e.track_ids else -1 for e in events], dtype=np.int64)
            order = np.argsort(frame.track_id, kind="stable")
            sorted_ids = frame.track_id[order]
            pos = np.minimum(np.searchsorted(sorted_ids, ids), max(frame.n - 1, 0))
            for e, tid, p in zip(events, ids, pos, strict=True):
                if frame.n and tid >= 0 and sorted_ids[p] == tid:
                    row = order[p]
                    cs = frame.callsign[row]
                    self._labels[e.alert_id] = (frame.icao24[row], cs.strip() if cs else None)
        for e in events:
            if e.state == "cleared":
                e.extra["label"] = self._labels.pop(e.alert_id, (None, None))
        return _table(events, self._labels)

    # --- operator side ---------------------------------------------------------------------------------------
    def active(self) -> pa.Table:
        now = self.now_s
        records = [r for book in self.books.values() for r in book.active(now)]
        records.sort(key=lambda r: r.alert_id)
        return _table(records, self._labels)

    def acknowledge(self, alert_id: int, operator: str) -> bool:
        """Mark an active alert acknowledged; the ``acknowledged`` event comes out of the next update()."""
        for book in self.books.values():
            record = book.acknowledge(int(alert_id), str(operator), self.now_s)
            if record is not None:
                record.message = f"acknowledged by {operator}: {record.message}"
                self._queued.append(record)
                return True
        return False

    def gnss_layer(self) -> dict:
        """GNSS interference grid as GeoJSON (cells with aircraft in the last window)."""
        return self.gnss.layer()


def _table(records: list[AlertRecord], labels: dict[int, tuple[str | None, str | None]]) -> pa.Table:
    def label(r: AlertRecord) -> tuple[str | None, str | None]:
        return r.extra.get("label") or labels.get(r.alert_id, (None, None))

    cols = {
        "alert_id": [r.alert_id for r in records],
        "kind": [r.kind for r in records],
        "severity": [r.severity for r in records],
        "track_ids": pa.array([r.track_ids for r in records], pa.list_(pa.int64())),
        "volume": [r.volume for r in records],
        "time_raised_s": [r.time_raised_s for r in records],
        "time_predicted_s": [r.time_predicted_s for r in records],
        "time_cleared_s": [r.time_cleared_s for r in records],
        "state": [r.state for r in records],
        "message": [r.message for r in records],
        "icao24": [label(r)[0] for r in records],
        "callsign": [label(r)[1] for r in records],
        "time_s": [r.time_s for r in records],
        "operator": [r.operator for r in records],
    }
    arrays = [pa.array(cols[f.name], f.type) if f.name != "track_ids" else cols[f.name] for f in ALERT_EVENT]
    return pa.Table.from_arrays(arrays, schema=ALERT_EVENT)


__all__ = ["ALERT_EVENT", "MonitorSet"]
