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
import contextlib
import logging
import math
import os
import pickle
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import nats.errors
import nats.js.errors
import pyarrow as pa
import pyarrow.compute as pc
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from airpicture.core import bus
from airpicture.core.sensors import Sensor
from airpicture.distribute import codec
from airpicture.distribute.merge import Slice, SliceMerger
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


CHECKPOINT_VERSION = 1


async def restart_at_ack_floor(js, stream: str, durable: str, config: ConsumerConfig, stats: Counter[str]) -> None:
    """Recreate a durable consumer just after its acknowledgement floor, so what it had delivered but not seen
    acknowledged comes again now and in stream order (a delivery or an ack lost with a dead connection would
    otherwise wait ``ack_wait`` and then come behind newer messages)."""
    try:
        info = await js.consumer_info(stream, durable)
    except nats.js.errors.NotFoundError:
        return
    floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
    stats["resumed_after_stream_seq"] = floor
    await js.delete_consumer(stream, durable)
    if floor:
        config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
        config.opt_start_seq = floor + 1


class TrackerNode:
    """Consumes every sensor's measurements (durable pull consumer), tracks them, publishes tracks (and alerts).

    With ``state_path``, the node checkpoints its whole state (tracker, monitors, slicing, which stream messages it
    has folded in) to that local file after every batch of slices, before acknowledging them. A node restarted on
    the same file — after a crash, a kill -9 or a long stop — resumes that state: the messages JetStream redelivers
    that the state already holds are acknowledged and skipped, the others are tracked, and the tracks carry on with
    their numbers, exactly as if the node had never stopped. Tracks a dead node published again after its last
    checkpoint carry the same ``Nats-Msg-Id`` and are dropped by the stream's duplicate window.
    """

    def __init__(
        self,
        url: str,
        sensors: list[Sensor],
        tracker: TrackerLike | None = None,
        slice_s: float = 1.0,
        max_wait_s: float = 5.0,
        durable: str = "tracker",
        on_slice: Callable[[float, pa.Table], None] | None = None,
        ack_wait_s: float = 30.0,
        monitors: MonitorsLike | None = None,
        state_path: Path | None = None,
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
        self.state_path = Path(state_path) if state_path is not None else None
        #: stream sequences: every one up to ``_floor`` is folded into the state, and those in ``_done`` above it.
        self._floor = 0
        self._done: set[int] = set()
        self._delivered: deque[int] = deque()
        #: stream sequence → the latest delivery of a message whose rows wait in the slicing (acknowledged through it).
        self._buffered: dict[int, object] = {}
        self._stream_created: str | None = None
        self.stats: Counter[str] = Counter()

    # -- checkpoint ------------------------------------------------------------------------------------------------
    def _mark_done(self, seq: int) -> None:
        self._done.add(seq)
        while self._delivered and self._delivered[0] in self._done:
            self._floor = max(self._floor, self._delivered.popleft())
        self._done = {s for s in self._done if s > self._floor}

    def _already_tracked(self, seq: int) -> bool:
        return seq <= self._floor or seq in self._done

    def _save_state(self) -> None:
        """Write the checkpoint atomically (a crash mid-write leaves the previous one)."""
        assert self.state_path is not None
        state = {
            "version": CHECKPOINT_VERSION,
            "stream_created": self._stream_created,
            "durable": self.durable,
            "run_id": self.run_id,
            "floor": self._floor,
            "done": sorted(self._done),
            "next_k": self.merger.next_k,
            "watermarks": dict(self.merger.watermarks),
            "flushed": self._flushed,
            "tracker": self.tracker,
            "monitors": self.monitors,
        }
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_path)
        self.stats["checkpoints_written"] += 1

    def _load_state(self) -> None:
        """Resume the checkpoint if there is one for this stream and consumer (a local file this node wrote)."""
        if self.state_path is None or not self.state_path.exists():
            return
        try:
            with open(self.state_path, "rb") as f:
                state = pickle.load(f)  # the node's own local state file, never data from the network
        except Exception as exc:
            self.stats["checkpoint_unreadable"] += 1
            log.error(
                "tracker node: checkpoint %s unreadable (%s): starting with an empty picture", self.state_path, exc
            )
            return
        if (
            not isinstance(state, dict)
            or state.get("version") != CHECKPOINT_VERSION
            or state.get("stream_created") != self._stream_created
            or state.get("durable") != self.durable
        ):
            self.stats["checkpoint_of_another_stream"] += 1
            log.warning(
                "tracker node: checkpoint %s belongs to another stream or consumer: starting with an empty picture",
                self.state_path,
            )
            return
        self.tracker, self.monitors = state["tracker"], state["monitors"]
        self.run_id, self._flushed = state["run_id"], state["flushed"]
        self._floor, self._done = state["floor"], set(state["done"])
        self.merger.next_k = state["next_k"]
        for sensor, watermark_s in state["watermarks"].items():
            if sensor in self.merger.watermarks:
                self.merger.watermarks[sensor] = watermark_s
        self.stats["checkpoint_resumed_after_stream_seq"] = self._floor
        log.warning("tracker node: resumed the checkpoint in %s (stream sequence %d)", self.state_path, self._floor)

    async def _resume_consumer(self, js):
        """The durable consumer, restarted just after the last contiguously acknowledged message.

        A tracker that died left messages delivered but unacknowledged; JetStream would redeliver them only after
        ``ack_wait`` and after newer ones, which the time slicing would then see as late. Restarting the consumer at
        its acknowledgement floor redelivers them first, in stream order. Without a checkpoint delivery is
        at-least-once (a message acknowledged out of order above the floor is processed again, which a tracker
        absorbs); with one, a message the checkpoint holds is recognised by its stream sequence and skipped.
        """
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait_s,
            max_ack_pending=100_000,
            max_deliver=-1,
            deliver_policy=DeliverPolicy.ALL,
        )
        await restart_at_ack_floor(js, MEAS_STREAM, self.durable, config, self.stats)
        return await js.pull_subscribe(f"{bus.MEASUREMENTS}.>", durable=self.durable, stream=MEAS_STREAM, config=config)

    # -- the loop --------------------------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> Counter[str]:
        nc = await connect(self.url, f"tracker-{self.durable}", self.stats, stop)
        js = nc.jetstream(timeout=5.0)
        await retry("ensure_streams", lambda: ensure_streams(js), self.stats, stop)
        stream = await retry("stream_info", lambda: js.stream_info(MEAS_STREAM), self.stats, stop)
        self._stream_created = str(stream.created)  # type: ignore[attr-defined]
        self._load_state()
        sub = await retry("subscribe", lambda: self._resume_consumer(js), self.stats, stop)
        reconnects = self.stats["nats_reconnects"]
        while not stop.is_set():
            if self.stats["nats_reconnects"] != reconnects:
                # The server went away: deliveries in flight and acks not yet through are lost with the connection.
                reconnects = self.stats["nats_reconnects"]
                with contextlib.suppress(*TRANSIENT, nats.errors.Error):
                    await sub.unsubscribe()
                sub = await retry("subscribe", lambda: self._resume_consumer(js), self.stats, stop)
                self.stats["consumer_restarts_after_reconnect"] += 1
            try:
                msgs = await sub.fetch(FETCH_BATCH, timeout=0.5)
            except TRANSIENT:
                msgs = []
            for msg in msgs:
                await self._take(msg)
            ready = self.merger.ready()
            for piece in ready:
                if piece.table.num_rows:
                    await self._track(js, piece, stop)
            if not self._flushed and self.merger.finished:
                # Every gateway has reached the end of its data: empty the tracker's re-ordering window too.
                self._flushed = True
                tracks = self.tracker.flush()
                if tracks.num_rows:
                    await _publish(js, bus.TRACKS, tracks, f"tracks:{self.run_id}:end", self.stats, stop)
                ready.append(Slice(math.nan, pa.table({})))
            if not ready:
                continue
            seqs = [seq for piece in ready for seq in piece.tokens]
            for seq in seqs:
                self._mark_done(seq)
            if self.state_path is not None:
                # The checkpoint first, then the acknowledgements: an acknowledged message is always in a checkpoint.
                self._save_state()
            for seq in seqs:
                await retry("ack", self._buffered.pop(seq).ack, self.stats, stop)
                self.stats["messages_acked"] += 1
        self.stats.update(self.merger.stats)
        await nc.close()  # unacked messages stay with the durable consumer for the next run
        return self.stats

    async def _take(self, msg) -> None:
        """One delivered message into the slicing (or skipped: foreign, or already in the resumed state)."""
        seq = msg.metadata.sequence.stream
        sensor = msg.subject.split(".", 2)[2]
        if seq in self._buffered:
            # Delivered again (after a reconnect) while its rows wait in a slice: acknowledge through the new delivery.
            self._buffered[seq] = msg
            self.stats["redelivered_while_buffered"] += 1
            return
        if self._already_tracked(seq):
            self.stats["redelivered_already_tracked"] += 1
            watermark_s = codec.watermark(msg.headers)
            if watermark_s is not None and sensor in self.merger.watermarks:
                self.merger.watermarks[sensor] = max(self.merger.watermarks[sensor], watermark_s)
            await msg.ack()
            return
        try:
            table = codec.decode(msg.subject, msg.data)
        except codec.ForeignMessage as exc:
            self.stats["rejected_foreign_messages"] += 1
            log.warning("tracker node: %s (message terminated, counted)", exc)
            await msg.term()
            self._done.add(seq)  # not delivered again: it counts as handled
            return
        self._delivered.append(seq)
        self._buffered[seq] = msg
        self.stats["messages_received"] += 1
        self.stats["rows_received"] += table.num_rows
        self.merger.add(sensor, table, codec.watermark(msg.headers), seq)

    async def _track(self, js, piece: Slice, stop: asyncio.Event) -> None:
        k = round(piece.start_s / self.merger.slice_s)
        self._flushed = False
        tracks = self.tracker.process(piece.table)
        self.stats["rows_processed"] += piece.table.num_rows
        self.stats["slices_processed"] += 1
        # Message ids named by the slice: a resumed node re-publishing a slice its predecessor published after the
        # last checkpoint is deduplicated by JetStream.
        if tracks.num_rows:
            await _publish(js, bus.TRACKS, tracks, f"tracks:{self.run_id}:{k}", self.stats, stop)
        if self.monitors is not None:
            # The monitors look at the whole picture at the end of each slice, as in one process.
            now_s = piece.start_s + self.merger.slice_s
            alerts = self.monitors.update(self.tracker.snapshot(now_s), now_s, piece.table)
            if alerts.num_rows:
                await _publish(js, bus.ALERTS, alerts, f"alerts:{self.run_id}:{k}", self.stats, stop)
                self.stats["alert_events_published"] += alerts.num_rows
        if self.on_slice is not None:
            self.on_slice(piece.start_s, piece.table)


class RecorderNode:
    """Records what crosses NATS: measurements and the picture from JetStream (durable), or plain NATS (``core``)."""

    def __init__(
        self, url: str, path: Path, config: RecorderConfig | None = None, durable: str = "recorder", core: bool = False
    ) -> None:
        self.url, self.path, self.config, self.durable, self.core = url, path, config, durable, core
        self.stats: Counter[str] = Counter()
        #: (stream, stream sequence) of messages appended (or rejected): a redelivery after a lost ack is recognised,
        #: not recorded (or counted) twice. Kept for this process's life (a crash between append and ack can still
        #: duplicate that message).
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

    async def _subscribe(self, js, stop: asyncio.Event, at_ack_floor: bool) -> list:
        subs = []
        for stream, subject in ((MEAS_STREAM, f"{bus.MEASUREMENTS}.>"), (PICTURE_STREAM, None)):
            config = ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT, ack_wait=30.0, max_ack_pending=100_000, max_deliver=-1
            )
            if subject is None:
                config.filter_subjects = [bus.TRACKS, bus.ALERTS]
            if at_ack_floor:
                await retry(
                    "restart",
                    lambda s=stream, c=config: restart_at_ack_floor(js, s, self.durable, c, self.stats),
                    self.stats,
                    stop,
                )
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
        return subs

    async def _run_jetstream(self, nc, recorder: Recorder, stop: asyncio.Event) -> None:
        js = nc.jetstream(timeout=5.0)
        await retry("ensure_streams", lambda: ensure_streams(js), self.stats, stop)
        # At start-up the durable consumers resume as they are (JetStream redelivers what a dead recorder left
        # unacknowledged); after a reconnect in this process they restart at their acknowledgement floor, which
        # brings lost deliveries back at once, and what was appended already is recognised by its sequence.
        subs = await self._subscribe(js, stop, at_ack_floor=False)
        reconnects = self.stats["nats_reconnects"]
        while not stop.is_set():
            if self.stats["nats_reconnects"] != reconnects:
                reconnects = self.stats["nats_reconnects"]
                for sub in subs:
                    with contextlib.suppress(*TRANSIENT, nats.errors.Error):
                        await sub.unsubscribe()
                subs = await self._subscribe(js, stop, at_ack_floor=True)
                self.stats["consumer_restarts_after_reconnect"] += 1
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
                    # A foreign message is remembered too: counted once, however often it comes again.
                    self._appended.add(key)
                    if self._record(recorder, msg.subject, msg.data):
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
