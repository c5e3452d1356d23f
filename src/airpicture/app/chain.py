"""The live chain in one process: decoders → tracker → monitors → recorder → picture server, over the in-process bus.
With a recorder, the picture server also serves its history under ``/api/history/`` (the display's timeline).

Everything travels on the bus subjects of ``airpicture.core.bus`` (the same as over NATS when distributed):
decoded reports on ``airpicture.meas.<sensor>``, the picture on ``airpicture.tracks``, alert events on
``airpicture.alerts``. The recorder subscribes to all three. The chain runs on the caller's thread, one ``tick`` per
picture period; the picture server streams from its own thread. Operators' acknowledgements arrive on the server's
thread and are queued here, because the monitors are not thread-safe.
"""

from __future__ import annotations

import logging
import queue
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core.bus import ALERTS, MEASUREMENTS, TRACKS, InProcessBus, measurement_subject
from airpicture.core.schema import MEASUREMENT, conform
from airpicture.core.sensors import Sensor
from airpicture.serve import PictureServer

log = logging.getLogger(__name__)


@dataclass
class ChainStats:
    """What went through the chain, for the log line and ``/healthz``-style checks in tests."""

    feeds: Counter = field(default_factory=Counter)
    measurements: int = 0
    ticks: int = 0
    decode_errors: Counter = field(default_factory=Counter)
    cpu_s: Counter = field(default_factory=Counter)


class LiveChain:
    """Compose the stages for one deployment. ``airspace`` enables the monitors, ``recorder`` records the bus."""

    def __init__(
        self,
        sensors: list[Sensor],
        server: PictureServer,
        *,
        airspace: Any | None = None,
        recorder: Any | None = None,
        asterix_sensor_names: dict[tuple[int, int], str] | None = None,
        flight_plans: Any | None = None,
    ) -> None:
        from airpicture.track import Tracker

        self.sensors = list(sensors)
        self.server = server
        self.bus = InProcessBus()
        self.stats = ChainStats()
        self.tracker = Tracker(self.sensors)
        self.monitors = None
        if airspace is not None:
            from airpicture.monitor import MonitorSet

            self.monitors = MonitorSet(airspace, flight_plans=flight_plans, sensors=self.sensors)
        self.recorder = recorder
        self._by_id = {s.id: s for s in self.sensors}
        self._modes_decoders: dict[str, Any] = {}
        self._beast_parsers: dict[str, Any] = {}
        self._asterix = None
        self._asterix_names = dict(asterix_sensor_names or {})
        self._pending: list[pa.Table] = []
        self._acks: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
        self.bus.subscribe(f"{MEASUREMENTS}.>", self._on_measurements)
        if recorder is not None:
            for subject in (f"{MEASUREMENTS}.>", TRACKS, ALERTS):
                self.bus.subscribe(subject, recorder.append)
            if hasattr(recorder, "recording"):
                from airpicture.record.api import history_router

                # The display's replay timeline reads the file being recorded (a fresh cursor per request).
                server.mount_history(history_router(recorder.recording))
        server.on_acknowledge = self._on_acknowledge

    # ----------------------------------------------------------------------------------------- input
    def ingest_feed(
        self, sensor: str, fmt: str, data: bytes, receive_time_s: float, first_frame_time_s: float | None = None
    ) -> int:
        """Decode raw bytes from one sensor (``beast`` or ``asterix``) and publish the reports; rows published.

        ``first_frame_time_s``: for a Beast feed whose 12 MHz counter is trusted (a simulator, a GPS-disciplined
        receiver), the UTC time of its first frame; frame times then come from the counter. Otherwise each batch
        takes ``receive_time_s``.
        """
        self.stats.feeds[fmt] += len(data)
        if fmt == "beast":
            frames = self._beast_parser(sensor, first_frame_time_s).feed(data, receive_time_s=receive_time_s)
            table = self._modes_decoder(sensor).decode(frames)
        elif fmt == "asterix":
            table = self._asterix_decoder().decode(data, receive_time_s)
        else:
            self.stats.decode_errors[f"unknown format {fmt}"] += 1
            return 0
        return self.ingest_measurements(table)

    def ingest_asterix_datagrams(self, datagrams: list[bytes], receive_times_s: list[float]) -> int:
        """Decode many ASTERIX datagrams in one call (one call per datagram costs ~1.5 ms each; docs/asterix.md)."""
        if not datagrams:
            return 0
        self.stats.feeds["asterix"] += sum(len(d) for d in datagrams)
        return self.ingest_measurements(self._asterix_decoder().decode_payloads(datagrams, receive_times_s))

    def ingest_frames(self, frames: Any) -> int:
        """Mode S frames already parsed by a source (``ModeSFrames``)."""
        return self.ingest_measurements(self._modes_decoder(frames.sensor).decode(frames))

    def ingest_measurements(self, table: pa.Table) -> int:
        """Publish decoded reports on the bus, one subject per sensor."""
        if table.num_rows == 0:
            return 0
        sensors = table.column("sensor").unique().to_pylist() if "sensor" in table.column_names else [None]
        if len(sensors) == 1:
            self.bus.publish(measurement_subject(sensors[0] or "unknown"), table)
        else:
            column = table.column("sensor")
            for sensor in sensors:
                self.bus.publish(measurement_subject(sensor or "unknown"), table.filter(pc.equal(column, sensor)))
        return table.num_rows

    def _on_measurements(self, subject: str, table: pa.Table) -> None:
        self._pending.append(table)

    def _on_acknowledge(self, alert_id: int, operator: str) -> bool:
        """Called on the server's thread: check the alert is active, then let the chain's thread apply it."""
        if self.monitors is None:
            return False
        self._acks.put((int(alert_id), operator))
        return True

    # ----------------------------------------------------------------------------------------- decoders
    def _beast_parser(self, sensor: str, first_frame_time_s: float | None = None) -> Any:
        parser = self._beast_parsers.get(sensor)
        if parser is None:
            from airpicture.sources.beast import BeastParser

            if first_frame_time_s is None:
                parser = BeastParser(sensor, clock="receive")
            else:
                parser = BeastParser(sensor, start_time_s=first_frame_time_s, clock="counter")
            self._beast_parsers[sensor] = parser
        return parser

    def _modes_decoder(self, sensor: str) -> Any:
        decoder = self._modes_decoders.get(sensor)
        if decoder is None:
            from airpicture.decode.modes.decoder import ModeSDecoder

            site = self._by_id.get(sensor)
            reference = (site.lat_deg, site.lon_deg) if site is not None else None
            decoder = self._modes_decoders[sensor] = ModeSDecoder(sensor, reference_lat_lon=reference)
        return decoder

    def _asterix_decoder(self) -> Any:
        if self._asterix is None:
            from airpicture.decode.asterix import AsterixDecoder

            self._asterix = AsterixDecoder(sensor_names=self._asterix_names)
        return self._asterix

    # ----------------------------------------------------------------------------------------- the cycle
    def tick(self, now_s: float) -> pa.Table:
        """Track what arrived, extrapolate the picture to ``now_s``, run the monitors, publish; the picture."""
        clock = time.process_time
        t0 = clock()
        pending, self._pending = self._pending, []
        # The tracker and monitors read the contract columns plus the ADS-B selected altitude (STCA predicts climbs
        # and descents to it); decoders' other extras (df, tc, category…) stay on the bus.
        measurements = (
            pa.concat_tables([_monitored_columns(t) for t in pending])
            if pending
            else _monitored_columns(MEASUREMENT.empty_table())
        )
        self.stats.measurements += measurements.num_rows
        if measurements.num_rows:
            measurements = measurements.sort_by("time_s")
            self.tracker.process(measurements)
        picture = self.tracker.snapshot(now_s)
        t1 = clock()
        self.bus.publish(TRACKS, picture)
        if self.monitors is not None:
            while not self._acks.empty():
                alert_id, operator = self._acks.get()
                if not self.monitors.acknowledge(alert_id, operator):
                    log.warning("alert %d could not be acknowledged (no longer active)", alert_id)
            events = self.monitors.update(picture, now_s, measurements if measurements.num_rows else None)
            if events.num_rows:
                self.bus.publish(ALERTS, events)
                for row in events.select(["kind", "state", "message"]).to_pylist():
                    if row["state"] in ("raised", "cleared"):
                        log.info("alert %s %s: %s", row["kind"], row["state"], row["message"])
            self.server.publish_alerts(self.monitors.active())
        t2 = clock()
        self.server.publish_tracks(picture, now_s)
        self.stats.cpu_s["track"] += t1 - t0
        self.stats.cpu_s["monitor"] += t2 - t1
        self.stats.cpu_s["serve"] += clock() - t2
        self.stats.ticks += 1
        return picture

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None

    def status_line(self) -> str:
        stats = self.tracker.stats
        cpu = ", ".join(f"{k} {v:.1f}s" for k, v in sorted(self.stats.cpu_s.items()))
        return (
            f"{stats.get('live_tracks', 0)} live tracks, {self.stats.measurements} reports, "
            f"{self.stats.ticks} updates, {len(self.server._clients)} displays; CPU {cpu}"
        )


def _monitored_columns(table: pa.Table) -> pa.Table:
    """The Measurement contract columns and ``selected_alt_ft`` (null where the source has none)."""
    out = conform(table, MEASUREMENT).select(MEASUREMENT.names)
    if "selected_alt_ft" in table.column_names:
        selected = table.column("selected_alt_ft").cast(pa.float64())
    else:
        selected = pa.nulls(table.num_rows, pa.float64())
    return out.append_column("selected_alt_ft", selected)
