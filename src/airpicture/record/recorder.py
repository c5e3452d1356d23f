"""The recorder: every measurement, system-track update and alert event, appended to an embedded DuckDB file.

Why this shape (measured in benchmarks/recorder.py, see docs/recording.md):

- DuckDB takes Arrow tables whole (``INSERT ... SELECT * FROM arrow``), hundreds of thousands of rows per CPU-second,
  where row inserts manage a few thousand. So the recorder never inserts per row: it gathers each second's bus
  messages and inserts them in one transaction per table.
- Crash safety is a write-ahead of Arrow IPC segments: every ``append`` writes its batch to an Arrow IPC stream file
  in ``<db>.segments/`` before returning (a ``write`` into the OS page cache, a few microseconds), and once a second
  the segment is inserted into DuckDB, the segment number is committed in the same transaction, and the file is
  deleted. After a ``kill -9`` the next open inserts the segments DuckDB has not committed yet, skipping a torn last
  batch (counted). A killed process therefore loses nothing ``append`` returned from; a power cut loses at most the
  last flush interval (segments are fsynced at each flush, DuckDB fsyncs its own WAL on commit).
- Retention: per table, rows older than a horizon (in data time, the newest ``time_s`` recorded) are deleted, after
  being written to hourly Parquet partitions under ``archive_dir`` when one is set.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from airpicture.record.tables import RECORDED, ForeignSchemaError, conform_payload, table_for_subject

log = logging.getLogger(__name__)

_SEGMENT_SUFFIX = ".arrows"


class RecordingError(RuntimeError):
    """A recording that cannot be opened: not a DuckDB file, truncated, or locked by another writer."""


@dataclass
class RecorderConfig:
    """How often to make appends durable in DuckDB, how long to keep rows, where expired rows go."""

    flush_interval_s: float = 1.0
    #: table name → seconds of data to keep (None: keep everything).
    retention_s: dict[str, float | None] = field(
        default_factory=lambda: {"measurements": None, "tracks": None, "alerts": None}
    )
    #: rows leaving retention are written here first, as Parquet partitioned by hour (None: just delete them).
    archive_dir: Path | None = None
    retention_check_s: float = 60.0
    #: DuckDB worker threads; one keeps the recorder to one core beside the tracker.
    threads: int = 1
    #: False: no Arrow IPC write-ahead, a kill -9 loses up to one flush interval (measured for comparison).
    write_ahead: bool = True
    #: True: a background thread flushes every interval even when no message arrives.
    background_flush: bool = True


def segment_dir(path: Path) -> Path:
    return path.with_name(path.name + ".segments")


def connect(path: Path, read_only: bool = False, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open a recording's DuckDB file, turning DuckDB's errors into one clear RecordingError."""
    config = {"threads": threads} if threads else {}
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise RecordingError(
                f"{path}: the recording is open for writing by another process; query it through that process "
                f"(its HTTP history API) or from an exported Parquet archive ({text.splitlines()[0]})"
            ) from exc
        raise RecordingError(f"{path}: not a readable airpicture recording (DuckDB says: {text})") from exc
    except duckdb.Error as exc:
        raise RecordingError(f"{path}: not a readable airpicture recording (DuckDB says: {exc})") from exc


def _ddl_type(arrow_type: pa.DataType) -> str:
    return {
        pa.float64(): "DOUBLE",
        pa.int64(): "BIGINT",
        pa.int16(): "SMALLINT",
        pa.int8(): "TINYINT",
        pa.string(): "VARCHAR",
        pa.bool_(): "BOOLEAN",
        pa.list_(pa.int64()): "BIGINT[]",
    }[arrow_type]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name, (recorded, _) in RECORDED.items():
        cols = ", ".join(f'"{f.name}" {_ddl_type(f.type)}' for f in recorded)
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
    con.execute("CREATE TABLE IF NOT EXISTS recorder_meta (key VARCHAR PRIMARY KEY, value BIGINT)")


def check_recording(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = [name for name in RECORDED if name not in tables]
    if missing:
        raise RecordingError(f"{path}: a DuckDB file but not an airpicture recording (no {', '.join(missing)} table)")


class _Segment:
    """The Arrow IPC streams of one flush interval, one file per table."""

    def __init__(self, directory: Path, number: int) -> None:
        self.directory = directory
        self.number = number
        self._files: dict[str, tuple[object, ipc.RecordBatchStreamWriter]] = {}

    def path(self, table_name: str) -> Path:
        return self.directory / f"{self.number:012d}-{table_name}{_SEGMENT_SUFFIX}"

    def write(self, table_name: str, table: pa.Table) -> None:
        if table_name not in self._files:
            sink = open(self.path(table_name), "wb")  # noqa: SIM115 - closed in close()
            self._files[table_name] = (sink, ipc.new_stream(sink, table.schema))
        sink, writer = self._files[table_name]
        writer.write_table(table)
        sink.flush()  # type: ignore[attr-defined]

    def close(self, fsync: bool) -> None:
        for sink, writer in self._files.values():
            writer.close()
            sink.flush()  # type: ignore[attr-defined]
            if fsync:
                os.fsync(sink.fileno())  # type: ignore[attr-defined]
            sink.close()  # type: ignore[attr-defined]
        self._files.clear()

    def delete(self) -> None:
        for name in RECORDED:
            with contextlib.suppress(FileNotFoundError):
                self.path(name).unlink()


def read_segment_file(path: Path) -> tuple[list[pa.RecordBatch], bool]:
    """The whole batches of one segment file and whether its tail was torn (a crash mid-write)."""
    batches: list[pa.RecordBatch] = []
    try:
        with open(path, "rb") as f:
            reader = ipc.open_stream(f)
            while True:
                try:
                    batches.append(reader.read_next_batch())
                except StopIteration:
                    return batches, False
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError, ValueError) as exc:
        log.warning("%s: torn or corrupt write-ahead segment after %d whole batches (%s)", path, len(batches), exc)
        return batches, True


class Recorder:
    """Append bus payloads to a recording. ``append(subject, table)`` is a bus handler."""

    def __init__(self, path: str | Path, config: RecorderConfig | None = None) -> None:
        self.path = Path(path)
        self.config = config or RecorderConfig()
        self.stats: Counter[str] = Counter()
        self._lock = threading.RLock()
        self._pending: dict[str, list[pa.Table]] = {name: [] for name in RECORDED}
        self._newest_time_s = -np.inf
        self._last_retention = time.monotonic()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = connect(self.path, threads=self.config.threads)
        try:
            ensure_tables(self.con)
        except duckdb.Error as exc:
            self.con.close()
            raise RecordingError(f"{self.path}: cannot create the recording tables ({exc})") from exc
        self._segments = segment_dir(self.path)
        self._segments.mkdir(exist_ok=True)
        self._recover()
        self._seq = self._max("seq") + 1
        self._batch = self._max("batch") + 1
        self._segment = _Segment(self._segments, self._meta("ingested_segment") + 1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.config.background_flush:
            self._thread = threading.Thread(target=self._flush_loop, name="recorder-flush", daemon=True)
            self._thread.start()

    # -- bookkeeping ---------------------------------------------------------------------------------------------
    def _meta(self, key: str) -> int:
        row = self.con.execute("SELECT value FROM recorder_meta WHERE key = ?", [key]).fetchone()
        return int(row[0]) if row else 0

    def _set_meta(self, key: str, value: int) -> None:
        self.con.execute("INSERT OR REPLACE INTO recorder_meta VALUES (?, ?)", [key, value])

    def _max(self, column: str) -> int:
        union = " UNION ALL ".join(f"SELECT max({column}) AS v FROM {name}" for name in RECORDED)
        row = self.con.execute(f"SELECT max(v) FROM ({union})").fetchone()
        return int(row[0]) if row and row[0] is not None else -1

    def _recover(self) -> None:
        """Insert the write-ahead segments DuckDB has not committed (after a crash); drop those it has."""
        ingested = self._meta("ingested_segment")
        numbers = sorted({int(p.name.split("-", 1)[0]) for p in self._segments.glob(f"*{_SEGMENT_SUFFIX}")})
        for number in numbers:
            segment = _Segment(self._segments, number)
            if number <= ingested:
                segment.delete()
                continue
            tables: dict[str, pa.Table] = {}
            for name in RECORDED:
                if not segment.path(name).exists():
                    continue
                batches, torn = read_segment_file(segment.path(name))
                self.stats["segments_torn"] += int(torn)
                if batches:
                    tables[name] = pa.Table.from_batches(batches)
            self._insert(tables, number)
            self.stats["rows_recovered"] += sum(t.num_rows for t in tables.values())
            segment.delete()
        if numbers:
            log.info(
                "%s: recovered %d rows from %d write-ahead segment(s)",
                self.path,
                self.stats["rows_recovered"],
                len(numbers),
            )

    def _insert(self, tables: dict[str, pa.Table], segment_number: int) -> None:
        self.con.execute("BEGIN TRANSACTION")
        try:
            for name, table in tables.items():
                if table.num_rows == 0:
                    continue
                self.con.register("_incoming", table)
                self.con.execute(f"INSERT INTO {name} SELECT * FROM _incoming")
                self.con.unregister("_incoming")
            self._set_meta("ingested_segment", segment_number)
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    # -- the bus side ----------------------------------------------------------------------------------------------
    def append(self, subject: str, table: pa.Table) -> None:
        """Record one bus message. A foreign schema or unknown subject is counted and logged, never raised."""
        name = table_for_subject(subject)
        if name is None:
            self.stats["rejected_unknown_subject"] += 1
            log.warning("recorder: no recording table for subject %r (message dropped, counted)", subject)
            return
        try:
            rows = conform_payload(name, table, subject)
        except ForeignSchemaError as exc:
            self.stats["rejected_foreign_schema"] += 1
            log.warning("recorder: %s (message dropped, counted)", exc)
            return
        n = rows.num_rows
        if n == 0:
            return
        with self._lock:
            if self._closed:
                raise RecordingError(f"{self.path}: append after close")
            rows = rows.append_column("seq", pa.array(np.arange(self._seq, self._seq + n, dtype=np.int64)))
            rows = rows.append_column("batch", pa.array(np.full(n, self._batch, dtype=np.int64)))
            self._seq += n
            self._batch += 1
            if self.config.write_ahead:
                self._segment.write(name, rows)
            self._pending[name].append(rows)
            self.stats[f"rows_{name}"] += n
            newest = pc.max(rows.column("time_s")).as_py()
            if newest is not None:
                self._newest_time_s = max(self._newest_time_s, newest)

    def flush(self) -> None:
        """Make everything appended so far durable in DuckDB (one transaction), then apply retention if due."""
        with self._lock:
            if self._closed:
                return
            tables = {name: pa.concat_tables(parts) for name, parts in self._pending.items() if parts}
            if tables:
                self._segment.close(fsync=True)
                self._insert(tables, self._segment.number)
                self._segment.delete()
                self._segment = _Segment(self._segments, self._segment.number + 1)
                self._pending = {name: [] for name in RECORDED}
                self.stats["flushes"] += 1
            if time.monotonic() - self._last_retention >= self.config.retention_check_s:
                self.apply_retention()

    def apply_retention(self) -> dict[str, int]:
        """Delete rows older than each table's horizon (after archiving them as hourly Parquet if configured)."""
        deleted: dict[str, int] = {}
        with self._lock:
            self._last_retention = time.monotonic()
            if not np.isfinite(self._newest_time_s):
                return deleted
            for name, keep_s in self.config.retention_s.items():
                if keep_s is None:
                    continue
                cutoff = self._newest_time_s - keep_s
                if self.config.archive_dir is not None:
                    export_hourly_parquet(self.con, name, Path(self.config.archive_dir), None, cutoff)
                count = self.con.execute(f"SELECT count(*) FROM {name} WHERE time_s < ?", [cutoff]).fetchone()[0]
                self.con.execute(f"DELETE FROM {name} WHERE time_s < ?", [cutoff])
                deleted[name] = int(count)
                self.stats[f"retention_deleted_{name}"] += int(count)
        return deleted

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.config.flush_interval_s):
            try:
                self.flush()
            except Exception:
                self.stats["flush_errors"] += 1
                log.exception("recorder: flush failed (data stays in the write-ahead segment)")

    def recording(self):  # -> Recording (imported lazily: recording.py imports this module)
        """A read view over this recorder's database in the same process (DuckDB allows one writer process)."""
        from airpicture.record.recording import Recording

        return Recording.from_connection(self.con.cursor(), self.path)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            if self._closed:
                return
            self.flush()
            self._segment.close(fsync=False)
            self._segment.delete()
            self.con.execute("CHECKPOINT")
            self.con.close()
            self._closed = True

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def export_hourly_parquet(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    out_dir: Path,
    from_s: float | None,
    to_s: float | None,
) -> int:
    """Append rows with from_s <= time_s < to_s to out_dir/<table>/hour=YYYY-MM-DDTHH/*.parquet (UTC hours)."""
    where, params = _time_where(from_s, to_s)
    count = con.execute(f"SELECT count(*) FROM {table_name} {where}", params).fetchone()[0]
    if count == 0:
        return 0
    target = (out_dir / table_name).as_posix().replace("'", "''")
    (out_dir / table_name).mkdir(parents=True, exist_ok=True)
    hour = "strftime(make_timestamp(CAST(floor(time_s) * 1000000 AS BIGINT)), '%Y-%m-%dT%H')"
    con.execute(
        # No ORDER BY: DuckDB keeps insertion (= seq) order by default, and sorting a day of rows costs minutes.
        f"COPY (SELECT *, {hour} AS hour FROM {table_name} {where}) TO '{target}' "
        "(FORMAT PARQUET, PARTITION_BY (hour), APPEND, COMPRESSION zstd)",
        params,
    )
    return int(count)


def _time_where(from_s: float | None, to_s: float | None) -> tuple[str, list[float]]:
    clauses, params = [], []
    if from_s is not None:
        clauses.append("time_s >= ?")
        params.append(float(from_s))
    if to_s is not None:
        clauses.append("time_s < ?")
        params.append(float(to_s))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params
