"""Beast binary format (Mode-S Beast, dump1090/readsb port 30005): parse and write, vectorised over a buffer.

A frame is ``0x1A type timestamp(6) signal(1) payload`` with type ``'1'`` Mode A/C (2 bytes), ``'2'`` short Mode S
(7), ``'3'`` long Mode S (14); the timestamp counts a 12 MHz clock; the signal byte is the amplitude (255 = full
scale). Any 0x1A inside a frame is doubled. Parsing a buffer is a few numpy passes: find the runs of 0x1A (an odd
run ends in a frame marker, an even run is escaped data), drop the escape bytes, then gather every frame of a type
at once. A frame cut short by the next marker (broken escape, lost bytes) is rejected and counted; the tail of a
buffer that may continue in the next read is kept for the next call.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from airpicture.sources.frames import MAX_FRAME_BYTES, ModeSFrames

log = logging.getLogger(__name__)

ESCAPE = 0x1A
CLOCK_HZ = 12_000_000.0
#: Beast type byte → payload bytes (after the 6-byte timestamp and the signal byte)
PAYLOAD_BYTES = {0x31: 2, 0x32: 7, 0x33: 14}
_BODY = np.zeros(256, dtype=np.int64)  # bytes after the marker and type byte, 0 = unknown type
for _t, _n in PAYLOAD_BYTES.items():
    _BODY[_t] = 7 + _n
#: Longest escaped frame: marker + type + every body byte doubled.
_MAX_ESCAPED = 2 + 2 * (7 + 14)
_MAX_PENDING = 1 << 16


class BeastParser:
    """Incremental Beast parser: ``feed(bytes) -> ModeSFrames``; keeps an incomplete tail between calls.

    Times: ``time_s = start_time_s + (counter - first_counter) / 12 MHz`` (the counter is free-running since the
    receiver started, so the caller supplies the epoch of the first frame), unless ``clock="receive"``, where each
    batch takes the wall-clock time of the read (live feeds whose counter is not trusted).
    """

    def __init__(self, sensor: str = "rx", start_time_s: float | None = None, clock: str = "counter") -> None:
        self.sensor = sensor
        self.start_time_s = start_time_s
        self.clock = clock
        self._pending = b""
        self._first_counter: int | None = None
        self.rejected: dict[str, int] = {}

    def _count(self, key: str, value: int) -> None:
        if value:
            self.rejected[key] = self.rejected.get(key, 0) + int(value)

    def feed(self, chunk: bytes, final: bool = False, receive_time_s: float | None = None) -> ModeSFrames:
        buf = self._pending + bytes(chunk)
        self._pending = b""
        if not buf:
            return ModeSFrames.empty(self.sensor)
        b = np.frombuffer(buf, dtype=np.uint8)
        frames, consumed = self._parse(b, final)
        rest = buf[consumed:]
        if len(rest) > _MAX_PENDING:
            self._count("beast_garbage_bytes", len(rest))
            rest = b""
        self._pending = rest
        if self.clock == "receive":
            frames.time_s[:] = time.time() if receive_time_s is None else receive_time_s
        return frames

    def _parse(self, b: NDArray[np.uint8], final: bool) -> tuple[ModeSFrames, int]:
        n = b.size
        # Runs of 0x1A, from the positions of the (sparse) 0x1A bytes alone.
        esc = np.flatnonzero(b == ESCAPE)
        breaks = np.flatnonzero(np.diff(esc) != 1) + 1
        first_of_run = np.concatenate(([0], breaks)) if esc.size else np.zeros(0, dtype=np.int64)
        run_len = np.diff(np.append(first_of_run, esc.size))
        run_start = esc[first_of_run]
        # A run touching the end of the buffer may continue in the next read: hold it back.
        cut = n
        if not final and run_start.size and run_start[-1] + run_len[-1] == n:
            cut = int(run_start[-1])
            esc = esc[: first_of_run[-1]]
            first_of_run, run_start, run_len = first_of_run[:-1], run_start[:-1], run_len[:-1]
        markers = (run_start + run_len - 1)[run_len % 2 == 1]
        # Of each escaped pair keep the first byte; the marker ending an odd run is kept too.
        within = np.arange(esc.size) - np.repeat(first_of_run, run_len)
        paired_end = np.repeat(2 * (run_len // 2), run_len)
        dropped = esc[(within % 2 == 1) & (within < paired_end)]
        keep = np.ones(cut, dtype=bool)
        keep[dropped] = False
        u = b[:cut][keep]
        mk = markers - np.searchsorted(dropped, markers)  # position in the unescaped buffer
        mk_esc = markers
        if mk.size == 0:
            # Nothing but garbage before any frame marker (a trailing 0x1A run, if any, is held back by ``cut``).
            self._count("beast_garbage_bytes", cut)
            return ModeSFrames.empty(self.sensor), cut
        ftype = np.where(mk + 1 < u.size, u[np.minimum(mk + 1, u.size - 1)], 0)
        body = _BODY[ftype]
        next_mk = np.append(mk[1:], u.size)
        complete_room = mk + 2 + body <= next_mk
        last_incomplete = (mk + 2 + body > u.size) | (mk + 1 >= u.size)
        consumed = cut
        if not final and last_incomplete[-1]:
            consumed = int(mk_esc[-1])
            mk, ftype, body, complete_room = mk[:-1], ftype[:-1], body[:-1], complete_room[:-1]
        unknown = body == 0
        broken = ~unknown & ~complete_room
        self._count("beast_unknown_type", int(unknown.sum()))
        self._count("beast_broken_frame", int(broken.sum()))
        good = ~unknown & ~broken
        mk, ftype = mk[good], ftype[good]
        m = mk.size
        data = np.zeros((m, MAX_FRAME_BYTES), dtype=np.uint8)
        length = np.zeros(m, dtype=np.uint8)
        counter = np.zeros(m, dtype=np.int64)
        signal = np.zeros(m, dtype=np.float32)
        if m:
            head = u[(mk + 2)[:, None] + np.arange(7)[None, :]].astype(np.int64)
            for k in range(6):
                counter = (counter << 8) | head[:, k]
            amplitude = head[:, 6].astype(np.float32)
            with np.errstate(divide="ignore"):
                signal = np.where(amplitude > 0, 20.0 * np.log10(amplitude / 255.0), np.nan).astype(np.float32)
            for type_byte, n_bytes in PAYLOAD_BYTES.items():
                sel = np.nonzero(ftype == type_byte)[0]
                if sel.size:
                    data[sel, :n_bytes] = u[(mk[sel] + 9)[:, None] + np.arange(n_bytes)[None, :]]
                    length[sel] = n_bytes
        if self._first_counter is None and m:
            self._first_counter = int(counter[0])
        start = self.start_time_s if self.start_time_s is not None else 0.0
        first = self._first_counter if self._first_counter is not None else 0
        time_s = start + (counter - first) / CLOCK_HZ
        return ModeSFrames(time_s.astype(np.float64), data, length, signal, self.sensor), consumed


def read_beast(
    source: str | os.PathLike | bytes,
    sensor: str = "rx",
    start_time_s: float | None = None,
    batch_bytes: int = 1 << 22,
    rejected: dict[str, int] | None = None,
) -> Iterator[ModeSFrames]:
    """Frames of a Beast file (or bytes), batch by batch.

    A capture's counter is relative, so ``start_time_s`` sets the epoch of its first frame; by default a file is
    placed so that its last frame falls on the file's modification time (when the capture stopped being written),
    bytes start at 0. Damaged input is counted by reason into ``rejected``.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        parser = BeastParser(sensor, start_time_s if start_time_s is not None else 0.0)
        yield parser.feed(bytes(source), final=True)
        _merge(rejected, parser.rejected)
        return
    path = Path(source)
    if start_time_s is None:
        start_time_s = _file_start_time(path)
    parser = BeastParser(sensor, start_time_s)
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(batch_bytes)
            final = len(chunk) < batch_bytes
            frames = parser.feed(chunk, final=final)
            if len(frames):
                yield frames
            if final:
                break
    _merge(rejected, parser.rejected)


def _merge(into: dict[str, int] | None, counts: dict[str, int]) -> None:
    if into is not None:
        for key, value in counts.items():
            into[key] = into.get(key, 0) + value


def _file_start_time(path: Path, probe_bytes: int = 1 << 16) -> float:
    """Epoch of the first frame such that the last frame is at the file's modification time.

    Only the head and the tail of the file are parsed (a capture can be gigabytes).
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(probe_bytes)
        handle.seek(max(0, size - probe_bytes))
        tail = handle.read()
    counter_first = _counter_at(head)
    counter_last = _counter_at(tail, last=True)
    if counter_first is None or counter_last is None:
        return path.stat().st_mtime
    duration = max(0.0, (counter_last - counter_first) / CLOCK_HZ)
    return path.stat().st_mtime - duration


def _counter_at(chunk: bytes, last: bool = False) -> int | None:
    """The 12 MHz counter of the first (or last) complete frame in ``chunk``, None if there is none."""
    parser = BeastParser(start_time_s=0.0)
    frames = parser.feed(chunk, final=True)
    if len(frames) == 0 or parser._first_counter is None:
        return None
    offset = float(frames.time_s[-1] if last else frames.time_s[0])
    return parser._first_counter + round(offset * CLOCK_HZ)


def encode_beast(frames: ModeSFrames, start_counter: int = 0) -> bytes:
    """Beast bytes for a batch of frames (the inverse of :class:`BeastParser`), escapes included.

    The 12 MHz counter is ``start_counter + (time_s - time_s[0]) * 12e6``; the signal byte comes from
    ``signal_dbfs`` (full scale when unknown).
    """
    n = len(frames)
    if n == 0:
        return b""
    counter = (start_counter + np.rint((frames.time_s - frames.time_s[0]) * CLOCK_HZ)).astype(np.int64)
    counter &= (1 << 48) - 1
    amplitude = np.where(
        np.isfinite(frames.signal_dbfs), np.clip(np.rint(255.0 * 10 ** (frames.signal_dbfs / 20.0)), 1, 255), 255
    ).astype(np.uint8)
    type_byte = np.select([frames.length == 2, frames.length == 7], [0x31, 0x32], 0x33).astype(np.uint8)
    width = 9 + 14
    body = np.zeros((n, width), dtype=np.uint8)
    shifts = np.arange(40, -1, -8)
    body[:, :6] = ((counter[:, None] >> shifts[None, :]) & 0xFF).astype(np.uint8)
    body[:, 6] = amplitude
    body[:, 7:21] = frames.data
    body_len = 7 + frames.length.astype(np.int64)
    # Escape: each 0x1A in the body is written twice.
    valid = np.arange(width)[None, :] < body_len[:, None]
    repeats = np.where(valid, np.where(body == ESCAPE, 2, 1), 0)
    flat = np.repeat(body.ravel(), repeats.ravel())
    row_len = repeats.sum(axis=1)
    out_len = row_len + 2
    result = np.empty(int(out_len.sum()), dtype=np.uint8)
    starts = np.cumsum(out_len) - out_len
    result[starts] = ESCAPE
    result[starts + 1] = type_byte
    body_pos = np.ones(result.size, dtype=bool)
    body_pos[starts] = False
    body_pos[starts + 1] = False
    result[body_pos] = flat
    return result.tobytes()


class BeastTcpSource:
    """Beast client for a receiver's TCP port (dump1090/readsb 30005): batches of frames in short time slices.

    The connection is re-opened with exponential back-off (``min_backoff_s`` doubling to ``max_backoff_s``)
    whenever the peer goes away or cannot be reached, so a receiver restart is a gap, not a crash. Frame times
    are the wall clock at reception (a receiver's 12 MHz counter is not tied to UTC).
    """

    def __init__(
        self,
        host: str,
        port: int,
        sensor: str = "rx",
        slice_s: float = 0.2,
        min_backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        connect_timeout_s: float = 5.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sensor = sensor
        self.slice_s = slice_s
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self.connect_timeout_s = connect_timeout_s
        self.connections = 0
        self.disconnects = 0
        self._stop = threading.Event()
        self.parser = BeastParser(sensor, clock="receive")

    def stop(self) -> None:
        self._stop.set()

    def __iter__(self) -> Iterator[ModeSFrames]:
        return self.batches()

    def batches(self) -> Iterator[ModeSFrames]:
        """Yield a batch at least every ``slice_s`` while connected (possibly empty, so callers can stop)."""
        backoff = self.min_backoff_s
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
            except OSError as exc:
                log.warning("beast %s:%s: %s; retry in %.1f s", self.host, self.port, exc, backoff)
                yield ModeSFrames.empty(self.sensor)
                self._stop.wait(backoff)
                backoff = min(backoff * 2.0, self.max_backoff_s)
                continue
            self.connections += 1
            backoff = self.min_backoff_s
            self.parser = BeastParser(self.sensor, clock="receive")
            sock.settimeout(self.slice_s)
            try:
                yield from self._read(sock)
            finally:
                sock.close()
            if not self._stop.is_set():
                self.disconnects += 1
                log.warning("beast %s:%s: connection lost; reconnecting", self.host, self.port)
                self._stop.wait(backoff)

    def _read(self, sock: socket.socket) -> Iterator[ModeSFrames]:
        chunks: list[bytes] = []
        deadline = time.monotonic() + self.slice_s
        while not self._stop.is_set():
            try:
                chunk = sock.recv(1 << 16)
            except TimeoutError:
                chunk = None
            except OSError:
                return
            if chunk == b"":
                if chunks:
                    yield self.parser.feed(b"".join(chunks), final=True)
                return
            if chunk:
                chunks.append(chunk)
            if time.monotonic() >= deadline:
                yield self.parser.feed(b"".join(chunks))
                chunks = []
                deadline = time.monotonic() + self.slice_s
