"""The distributed roles: sensor gateway, tracker node, recorder node, and a bridge from NATS to an in-process bus.

Each role is one asyncio coroutine ``run(stop) -> stats`` over a NATS connection; ``airpicture gateway``,
``airpicture tracker-node`` and ``airpicture recorder`` start them (see docs/distributed.md). Delivery is
at-least-once end to end: a gateway retries a publish until JetStream acknowledges it (a duplicate after a reconnect
is dropped by its ``Nats-Msg-Id``), and a consumer acknowledges a message only once its content is safe (processed
by the tracker and its tracks published; written to the recorder's write-ahead). A consumer that dies therefore
gets its unacknowledged messages again from its durable consumer when it comes back.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import nats.js.errors
import pyarrow as pa
import pyarrow.compute as pc
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from airpicture.core import bus
from airpicture.core.sensors import Sensor
from airpicture.distribute import codec
from airpicture.distribute.merge import SliceMerger
from airpicture.distribute.transport import MEAS_STREAM, PICTURE_STREAM, TRANSIENT, connect, ensure_streams, retry
from airpicture.record.recorder import Recorder, RecorderConfig

log = logging.getLogger(__name__)

FETCH_BATCH = 256


async def _publish(js, subject: str, table: pa.Table, msg_id: str, stats: Counter[str], stop, **kw) -> None:
    pieces = codec.split_for_wire(table)
    for i, piece in enumerate(pieces):
        # The watermark rides on the last piece only: the earlier ones do not yet complete the slice.
        headers = codec.headers_for(subject, f"{msg_id}.{i}", kw.get("watermark_s") if i == len(pieces) - 1 else None)
        data = codec.encode(piece, kw.get("compression"))
        ack = await retry(
            "publish", lambda d=data, h=headers: js.publish(subject, d, headers=h, timeout=2.0), stats, stop
        )
        stats["duplicates_dropped_by_server"] += int(bool(getattr(ack, "duplicate", False)))
        stats["messages_published"] += 1
        stats["rows_published"] += piece.num_rows


class TrackerLike(Protocol):
    def process(self, measurements: pa.Table) -> pa.Table: ...

    def flush(self) -> pa.Table: ...

    def snapshot(self, time_s: float) -> pa.Table: ...


class MonitorsLike(Protocol):
    def update(self, tracks_snapshot: pa.Table, now_s: float, measurements: pa.Table | None = None) -> pa.Table: ...


class Gateway:
    """A site's gateway: publishes each of its sensors' measurements, one message per sensor and time slice.

    Every slice gives every sensor of the site a message, empty if it saw nothing, because its watermark is what
    lets the tracker node release the slice without waiting for the timeout.
    """

    def __init__(
        self,
        url: str,
        sensors: str | list[str],
        slices: Iterable[tuple[float, pa.Table]],
        slice_s: float = 1.0,
        speed: float = 0.0,
        compression: str | None = None,
        live: bool = False,
    ) -> None:
        self.sensors = [sensors] if isinstance(sensors, str) else list(sensors)
        self.live = live
        self.url, self.slices = url, slices
        self.slice_s, self.speed, self.compression = slice_s, speed, compression
        self.stats: Counter[str] = Counter()

    async def run(self, stop: asyncio.Event) -> Counter[str]:
        nc = await connect(self.url, f"gateway-{'+'.join(self.sensors)}", self.stats, stop)
        js = nc.jetstream(timeout=5.0)
        await retry("ensure_streams", lambda: ensure_streams(js), self.stats, stop)
        wall0 = data0 = None
        slices = iter(self.slices)
        while True:
            # A live source blocks while it waits for the receiver: read it off the event loop.
            item = await asyncio.to_thread(next, slices, None) if self.live else next(slices, None)
            if item is None:
                break
            start_s, table = item
            if stop.is_set():
                break
            if self.speed > 0:
                wall0, data0 = (wall0, data0) if wall0 is not None else (time.monotonic(), start_s)
                delay = wall0 + (start_s - data0) / self.speed - time.monotonic()
                if delay > 0:
                    try:
                        await asyncio.wait_for(stop.wait(), delay)
                        break
                    except TimeoutError:
                        pass
            k = math.floor(start_s / self.slice_s)
            sensor_column = table.column("sensor") if "sensor" in table.column_names else None
            if sensor_column is not None and table.num_rows:
                # A shared radar feed may carry radars this site does not serve: count them, never hide them.
                foreign = table.num_rows - pc.sum(pc.is_in(sensor_column, pa.array(self.sensors))).as_py()
                if foreign:
                    self.stats["rows_of_other_sensors_not_published"] += foreign
                    if self.stats["rows_of_other_sensors_not_published"] == foreign:
                        others = sorted(set(sensor_column.to_pylist()) - set(self.sensors), key=str)
                        log.warning("gateway: rows of sensors %s are not this gateway's (--sensor): counted", others)
            for sensor in self.sensors:
                rows = table if sensor_column is None else table.filter(pc.equal(sensor_column, sensor))
                await _publish(
                    js,
                    bus.measurement_subject(sensor),
                    rows,
                    f"{sensor}:{k}",
                    self.stats,
                    stop,
                    watermark_s=(k + 1) * self.slice_s,
                    compression=self.compression,
                )
        if not stop.is_set():
            for sensor in self.sensors:
                end = pa.table({"time_s": pa.array([], pa.float64()), "sensor": pa.array([], pa.string())})
                subject = bus.measurement_subject(sensor)
                await _publish(js, subject, end, f"{sensor}:end", self.stats, stop, watermark_s=math.inf)
        await nc.drain()
        return self.stats


def live_slices(
    batches: Iterable[pa.Table], slice_s: float = 1.0, clock: Callable[[], float] = time.time
) -> Iterator[tuple[float, pa.Table]]:
    """Decoded live measurement batches regrouped into whole time slices, each yielded once the clock has passed
    its end (an empty table when the receiver was quiet, so the watermark still advances)."""
    pending: list[pa.Table] = []
    k = math.floor(clock() / slice_s)
    for batch in batches:
        if batch.num_rows:
            pending.append(batch)
        now_k = math.floor(clock() / slice_s)
        while now_k > k:
            rows = pa.concat_tables(pending, promote_options="permissive") if pending else None
            pending = []
            if rows is not None:
                t = rows.column("time_s").to_numpy(zero_copy_only=False)
                later = t >= (k + 1) * slice_s
                if later.any():
                    pending = [rows.filter(pa.array(later))]
                    rows = rows.filter(pa.array(~later))
            yield k * slice_s, rows if rows is not None else pa.table({"time_s": pa.array([], pa.float64())})
            k += 1


def beast_measurements(host: str, port: int, sensor: str, reference: tuple[float, float] | None) -> Iterator[pa.Table]:
    """A receiver's Beast TCP feed decoded to Measurement batches (reconnecting on its own)."""
    from airpicture.decode.modes import ModeSDecoder
    from airpicture.sources.beast import BeastTcpSource

    decoder = ModeSDecoder(sensor, reference_lat_lon=reference)
    for frames in BeastTcpSource(host, port, sensor):
        yield decoder.decode(frames)


def asterix_measurements(
    port: int,
    host: str = "127.0.0.1",
    group: str | None = None,
    sensor_names: dict[tuple[int, int], str] | None = None,
    poll_s: float = 0.1,
    stats: Counter[str] | None = None,
) -> Iterator[pa.Table]:
    """A radar data feed (ASTERIX CAT048/034/021… over UDP, unicast or multicast) decoded to Measurement batches.

    Yields every ``poll_s`` even when nothing arrived, so the gateway's slices (and their watermarks) keep moving
    while a radar is quiet. Blocks the decoder cannot read are counted in the decoder and copied into ``stats``.
    """
    from airpicture.decode.asterix import AsterixDecoder
    from airpicture.decode.asterix.udp import AsterixUdpFeed
    from airpicture.sources.asterix_udp import AsterixUdpReceiver

    decoder = AsterixDecoder(sensor_names=sensor_names)
    feed = AsterixUdpFeed(AsterixUdpReceiver(port, host=host, group=group), decoder)
    try:
        while True:
            table = feed.poll(poll_s)
            if stats is not None:
                stats["asterix_datagrams"] = feed.receiver.datagrams
                stats["asterix_records_decoded"] = decoder.records_decoded
                stats["asterix_blocks_undecodable"] = sum(decoder.errors.values())
                stats["asterix_blocks_unsupported_category"] = sum(decoder.unsupported.values())
            yield table
    finally:
        feed.receiver.close()


class TrackerNode:
    """Consumes every sensor's measurements (durable pull consumer), tracks them, publishes tracks (and alerts)."""

    def __init__(
        self,
        url: str,
        sensors: list[Sensor],
        tracker: TrackerLike | None = None,
        slice_s: float = 1.0,
        max_wait_s: float = 5.0,
        durable: str = "tracker",
        on_slice: Callable[[float, int], None] | None = None,
        ack_wait_s: float = 30.0,
        monitors: MonitorsLike | None = None,
    ) -> None:
        if tracker is None:
            from airpicture.track import Tracker

            tracker = Tracker(sensors)
        self.url, self.tracker, self.durable, self.monitors = url, tracker, durable, monitors
        self._flushed = False
        self.merger = SliceMerger([s.id for s in sensors], slice_s, max_wait_s)
        self.on_slice = on_slice
        self.ack_wait_s = max(ack_wait_s, 4 * max_wait_s)
        self.run_id = uuid.uuid4().hex[:8]
        self.stats: Counter[str] = Counter()

    async def _resume_consumer(self, js):
        """The durable consumer, restarted just after the last contiguously acknowledged message.

        A tracker that died left messages delivered but unacknowledged; JetStream would redeliver them only after
        ``ack_wait`` and after newer ones, which the time slicing would then see as late. Restarting the consumer at
        its acknowledgement floor redelivers them first, in stream order (at-least-once: a message acknowledged out
        of order above the floor is processed again, which a tracker absorbs).
        """
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait_s,
            max_ack_pending=100_000,
            max_deliver=-1,
            deliver_policy=DeliverPolicy.ALL,
        )
        try:
            info = await js.consumer_info(MEAS_STREAM, self.durable)
        except nats.js.errors.NotFoundError:
            info = None
        if info is not None:
            floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
            self.stats["resumed_after_stream_seq"] = floor
            await js.delete_consumer(MEAS_STREAM, self.durable)
            if floor:
                config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
                config.opt_start_seq = floor + 1
        return await js.pull_subscribe(f"{bus.MEASUREMENTS}.>", durable=self.durable, stream=MEAS_STREAM, config=config)

    async def run(self, stop: asyncio.Event) -> Counter[str]:
        nc = await connect(self.url, f"tracker-{self.durable}", self.stats, stop)
        js = nc.jetstream(timeout=5.0)
        await retry("ensure_streams", lambda: ensure_streams(js), self.stats, stop)
        sub = await retry("subscribe", lambda: self._resume_consumer(js), self.stats, stop)
        out = 0
        while not stop.is_set():
            try:
                msgs = await sub.fetch(FETCH_BATCH, timeout=0.5)
            except TRANSIENT:
                msgs = []
            for msg in msgs:
                try:
                    table = codec.decode(msg.subject, msg.data)
                except codec.ForeignMessage as exc:
                    self.stats["rejected_foreign_messages"] += 1
                    log.warning("tracker node: %s (message terminated, counted)", exc)
                    await msg.term()
                    continue
                self.stats["messages_received"] += 1
                self.stats["rows_received"] += table.num_rows
                sensor = msg.subject.split(".", 2)[2]
                self.merger.add(sensor, table, codec.watermark(msg.headers), msg)
            for piece in self.merger.ready():
                if piece.table.num_rows:
                    self._flushed = False
                    tracks = self.tracker.process(piece.table)
                    self.stats["rows_processed"] += piece.table.num_rows
                    self.stats["slices_processed"] += 1
                    if tracks.num_rows:
                        out += 1
                        await _publish(js, bus.TRACKS, tracks, f"tracks:{self.run_id}:{out}", self.stats, stop)
                    if self.monitors is not None:
                        # The monitors look at the whole picture at the end of each slice, as in one process.
                        now_s = piece.start_s + self.merger.slice_s
                        alerts = self.monitors.update(self.tracker.snapshot(now_s), now_s, piece.table)
                        if alerts.num_rows:
                            out += 1
                            await _publish(js, bus.ALERTS, alerts, f"alerts:{self.run_id}:{out}", self.stats, stop)
                            self.stats["alert_events_published"] += alerts.num_rows
                if self.on_slice is not None and piece.table.num_rows:
                    self.on_slice(piece.start_s, piece.table.num_rows)
                for msg in piece.tokens:
                    await retry("ack", msg.ack, self.stats, stop)
                    self.stats["messages_acked"] += 1
            if not self._flushed and self.merger.finished:
                # Every gateway has reached the end of its data: empty the tracker's re-ordering window too.
                self._flushed = True
                tracks = self.tracker.flush()
                if tracks.num_rows:
                    out += 1
                    await _publish(js, bus.TRACKS, tracks, f"tracks:{self.run_id}:{out}", self.stats, stop)
        self.stats.update(self.merger.stats)
        await nc.close()  # unacked messages stay with the durable consumer for the next run
        return self.stats


class RecorderNode:
    """Records what crosses NATS: measurements and the picture from JetStream (durable), or plain NATS (``core``)."""

    def __init__(
        self, url: str, path: Path, config: RecorderConfig | None = None, durable: str = "recorder", core: bool = False
    ) -> None:
        self.url, self.path, self.config, self.durable, self.core = url, path, config, durable, core
        self.stats: Counter[str] = Counter()
        #: (stream, stream sequence) of messages appended: a redelivery after a lost ack is recognised, not recorded
        #: twice. Kept for this process's life (a crash between append and ack can still duplicate that message).
        self._appended: set[tuple[str, int]] = set()

    def _record(self, recorder: Recorder, subject: str, data: bytes) -> bool:
        try:
            table = codec.decode(subject, data)
        except codec.ForeignMessage as exc:
            self.stats["rejected_foreign_messages"] += 1
            log.warning("recorder node: %s (message dropped, counted)", exc)
            return False
        recorder.append(subject, table)
        self.stats["messages_recorded"] += 1
        return True

    async def run(self, stop: asyncio.Event) -> Counter[str]:
        recorder = Recorder(self.path, self.config)
        nc = None
        try:
            nc = await connect(self.url, f"recorder-{self.durable}", self.stats, stop)
            if self.core:

                async def on_message(msg) -> None:
                    self._record(recorder, msg.subject, msg.data)

                for subject in (f"{bus.MEASUREMENTS}.>", bus.TRACKS, bus.ALERTS):
                    await nc.subscribe(subject, cb=on_message)
                await stop.wait()
            else:
                await self._run_jetstream(nc, recorder, stop)
        finally:
            if nc is not None:
                await nc.close()
            recorder.close()
            self.stats.update({f"recorder_{k}": v for k, v in recorder.stats.items()})
        return self.stats

    async def _run_jetstream(self, nc, recorder: Recorder, stop: asyncio.Event) -> None:
        js = nc.jetstream(timeout=5.0)
        await retry("ensure_streams", lambda: ensure_streams(js), self.stats, stop)
        subs = []
        for stream, subject in ((MEAS_STREAM, f"{bus.MEASUREMENTS}.>"), (PICTURE_STREAM, None)):
            config = ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT, ack_wait=30.0, max_ack_pending=100_000, max_deliver=-1
            )
            if subject is None:
                config.filter_subjects = [bus.TRACKS, bus.ALERTS]
            subs.append(
                await retry(
                    "subscribe",
                    lambda s=stream, c=config, subj=subject: js.pull_subscribe(
                        subj or bus.TRACKS, durable=self.durable, stream=s, config=c
                    ),
                    self.stats,
                    stop,
                )
            )
        while not stop.is_set():
            for sub in subs:
                try:
                    msgs = await sub.fetch(FETCH_BATCH, timeout=0.25)
                except TRANSIENT:
                    continue
                for msg in msgs:
                    key = (msg.metadata.stream, msg.metadata.sequence.stream)
                    if key in self._appended:
                        self.stats["redeliveries_skipped"] += 1
                        await retry("ack", msg.ack, self.stats, stop)
                        continue
                    # The write-ahead has the rows once append returns: acknowledging is then safe.
                    if self._record(recorder, msg.subject, msg.data):
                        self._appended.add(key)
                        await retry("ack", msg.ack, self.stats, stop)
                    else:
                        await msg.term()


class NatsToBus:
    """Republishes airpicture subjects from NATS into an in-process bus: a display or remote centre's entry point."""

    def __init__(self, url: str, target: bus.InProcessBus, subjects: Iterable[str] = (bus.TRACKS, bus.ALERTS)) -> None:
        self.url, self.target, self.subjects = url, target, list(subjects)
        self.stats: Counter[str] = Counter()

    async def run(self, stop: asyncio.Event) -> Counter[str]:
        nc = await connect(self.url, "bridge", self.stats, stop)

        async def on_message(msg) -> None:
            try:
                table = codec.decode(msg.subject, msg.data)
            except codec.ForeignMessage as exc:
                self.stats["rejected_foreign_messages"] += 1
                log.warning("bridge: %s (message dropped, counted)", exc)
                return
            self.stats["messages_forwarded"] += 1
            self.target.publish(msg.subject, table)

        for subject in self.subjects:
            await nc.subscribe(subject, cb=on_message)
        await stop.wait()
        await nc.close()
        return self.stats


class NatsPublisher:
    """A synchronous ``publish(subject, table)`` onto plain NATS (a bus handler), for replay and one-process apps.

    Runs its own event loop in a thread, so synchronous code (the in-process bus, replay) can hand tables to NATS.
    """

    def __init__(self, url: str, name: str = "publisher", compression: str | None = None) -> None:
        import threading

        self.compression = compression
        self.stats: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"nats-{name}", daemon=True)
        self._thread.start()
        self._nc = asyncio.run_coroutine_threadsafe(connect(url, name, self.stats), self._loop).result(timeout=60)

    def publish(self, subject: str, table: pa.Table) -> None:
        for piece in codec.split_for_wire(table):
            data = codec.encode(piece, self.compression)
            headers = codec.headers_for(subject)
            asyncio.run_coroutine_threadsafe(self._nc.publish(subject, data, headers=headers), self._loop).result(30)
            self.stats["messages_published"] += 1

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._nc.drain(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


def asterix_blocks(data: bytes) -> list[bytes]:
    """Cut concatenated ASTERIX data blocks (CAT, LEN big-endian incl. header) apart: one UDP datagram each."""
    blocks, i = [], 0
    while i + 3 <= len(data):
        length = int.from_bytes(data[i + 1 : i + 3], "big")
        if length < 3:
            break
        blocks.append(data[i : i + length])
        i += length
    return blocks


class Cat062Bridge:
    """Tracks for a centre that is not airpicture: ``airpicture.tracks`` from NATS out as ASTERIX CAT062 over UDP."""

    def __init__(self, url: str, target: tuple[str, int], sac: int, sic: int) -> None:
        from airpicture.decode.asterix import encode_cat062

        self.encode = encode_cat062
        self.url, self.target, self.sac, self.sic = url, target, sac, sic
        self.stats: Counter[str] = Counter()

    async def run(self, stop: asyncio.Event) -> Counter[str]:
        import socket

        nc = await connect(self.url, "cat062-bridge", self.stats, stop)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

        async def on_message(msg) -> None:
            try:
                tracks = codec.decode(msg.subject, msg.data)
            except codec.ForeignMessage as exc:
                self.stats["rejected_foreign_messages"] += 1
                log.warning("cat062 bridge: %s (message dropped, counted)", exc)
                return
            for block in asterix_blocks(self.encode(tracks, self.sac, self.sic)):
                sock.sendto(block, self.target)
                self.stats["datagrams_sent"] += 1
            self.stats["track_rows_sent"] += tracks.num_rows

        await nc.subscribe(bus.TRACKS, cb=on_message)
        await stop.wait()
        await nc.close()
        sock.close()
        return self.stats
