"""Replay: a recording's messages back onto a bus, paced by their data time, or its measurements re-tracked.

Re-tracking feeds the recorded measurement messages to a tracker in the batches the live chain received them
(see tables.py), so the same tracker settings give the same tracks as the live run; new settings show what they
would have changed. Playing recorded tracks and alerts serves a display or an investigation as it was seen.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core import bus
from airpicture.record.recording import Recording

Sink = Callable[[str, pa.Table], None]


class TrackerLike(Protocol):
    def process(self, measurements: pa.Table) -> pa.Table: ...

    def flush(self) -> pa.Table: ...

    def snapshot(self, time_s: float) -> pa.Table: ...


def replay(
    recording: Recording,
    sink: Sink,
    from_s: float | None = None,
    to_s: float | None = None,
    speed: float = 0.0,
    tracker: TrackerLike | None = None,
    tables: tuple[str, ...] | None = None,
    progress: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Counter[str]:
    """Send the recording between from_s and to_s to ``sink(subject, table)``.

    With a ``tracker``: recorded measurements go through it and its tracks go to the sink (re-tracking); without:
    the recorded messages of ``tables`` (default tracks and alerts) go to the sink as they were. ``speed`` is data
    seconds per wall second (0: as fast as possible).
    """
    if tables is None:
        tables = ("measurements",) if tracker is not None else ("tracks", "alerts")
    stats: Counter[str] = Counter()
    wall0 = data0 = None
    last_report = time.monotonic()
    for subject, table in recording.messages(tables, from_s, to_s):
        data_t = pc.max(table.column("time_s")).as_py()
        if speed > 0 and data_t is not None:
            if wall0 is None:
                wall0, data0 = clock(), data_t
            delay = wall0 + (data_t - data0) / speed - clock()
            if delay > 0:
                sleep(delay)
        stats["messages"] += 1
        stats[f"rows_{subject.split('.')[1]}"] += table.num_rows
        if tracker is not None and subject.startswith(bus.MEASUREMENTS + "."):
            tracks = tracker.process(table)
            if tracks.num_rows:
                stats["track_rows_out"] += tracks.num_rows
                sink(bus.TRACKS, tracks)
        else:
            sink(subject, table)
        if progress and time.monotonic() - last_report > 1.0:
            last_report = time.monotonic()
            print(f"replay: {stats['messages']} messages, data time {data_t}", file=sys.stderr, flush=True)
    if tracker is not None:
        tracks = tracker.flush()
        if tracks.num_rows:
            stats["track_rows_out"] += tracks.num_rows
            sink(bus.TRACKS, tracks)
    return stats


def replay_pictures(
    recording: Recording,
    sink: Sink,
    tracker: TrackerLike,
    from_s: float | None = None,
    to_s: float | None = None,
    progress: bool = False,
) -> Counter[str]:
    """Re-track a recording of the one-process app (``airpicture run``/``demo``) the way its chain did it live.

    The live chain (``airpicture.app.chain.LiveChain.tick``) tracks the measurements that arrived since the last
    picture as one batch (contract columns, sorted by time) and then publishes the tracker's picture extrapolated to
    the tick time. A recorded picture carries that tick time in every row, so each recorded ``airpicture.tracks``
    message marks one tick: the measurement messages recorded before it are tracked together, then the picture is
    taken at its time. Same settings, same pictures; new settings, the pictures they would have given.
    """
    from airpicture.core.schema import MEASUREMENT, conform

    stats: Counter[str] = Counter()
    pending: list[pa.Table] = []
    last_report = time.monotonic()
    for subject, table in recording.messages(("measurements", "tracks"), from_s, to_s):
        if subject.startswith(bus.MEASUREMENTS + "."):
            pending.append(conform(table, MEASUREMENT).select(MEASUREMENT.names))
            stats["rows_meas"] += table.num_rows
            continue
        tick_s = pc.max(table.column("time_s")).as_py()
        if pending:
            tracker.process(pa.concat_tables(pending).sort_by("time_s"))
            pending = []
        picture = tracker.snapshot(tick_s)
        stats["pictures"] += 1
        stats["track_rows_out"] += picture.num_rows
        sink(bus.TRACKS, picture)
        if progress and time.monotonic() - last_report > 1.0:
            last_report = time.monotonic()
            print(f"replay: {stats['pictures']} pictures, data time {tick_s}", file=sys.stderr, flush=True)
    # Measurements after the last recorded picture (a recorder killed mid-tick) have no tick to be pictured at.
    stats["rows_meas_after_last_picture"] = sum(t.num_rows for t in pending)
    return stats
