"""Reading a recording: history queries, the picture at a past instant, replay in the original batches, export.

Every query returns an Arrow table with the contract column names, so the same rows serve the CLI, the HTTP API,
a notebook (``.to_pandas()``) and replay. DuckDB does the scanning: rows are appended in time order, so its per-block
min/max statistics skip everything outside [from, to] without an index.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import shapely
from shapely.geometry.base import BaseGeometry

from airpicture.record.recorder import (
    Recorder,
    RecorderConfig,
    RecordingError,
    _time_where,
    check_recording,
    connect,
    export_hourly_parquet,
    segment_dir,
)
from airpicture.record.tables import RECORDED, subject_for_rows

log = logging.getLogger(__name__)

_ICAO24 = re.compile(r"^[0-9a-fA-F]{6}$")


class Recording:
    """A recording opened for reading. ``Recording(path)`` in another process; ``recorder.recording()`` beside it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise RecordingError(f"{self.path}: no such recording")
        segments = segment_dir(self.path)
        if segments.is_dir() and any(segments.iterdir()):
            # A recorder died with unflushed write-ahead segments: fold them in before reading (needs write access).
            recorder = Recorder(self.path, RecorderConfig(background_flush=False))
            self.recovered_rows = recorder.stats["rows_recovered"]
            self.torn_segments = recorder.stats["segments_torn"]
            recorder.close()
        else:
            self.recovered_rows = 0
            self.torn_segments = 0
        self.con = connect(self.path, read_only=True)
        check_recording(self.con, self.path)

    @classmethod
    def from_connection(cls, con: duckdb.DuckDBPyConnection, path: Path | str = "") -> Recording:
        self = cls.__new__(cls)
        self.path = Path(path)
        self.con = con
        self.recovered_rows = 0
        self.torn_segments = 0
        return self

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: Iterable[object] = ()) -> pa.Table:
        return self.con.cursor().sql(sql, params=list(params)).to_arrow_table()

    # -- what is in it ---------------------------------------------------------------------------------------------
    def extent(self) -> pa.Table:
        """Rows and time span per table (what a replay timeline needs to draw itself)."""
        parts = " UNION ALL ".join(
            f"SELECT '{name}' AS table_name, count(*) AS rows, min(time_s) AS min_time_s, max(time_s) AS max_time_s "
            f"FROM {name}"
            for name in RECORDED
        )
        return self._query(parts)

    # -- history queries -------------------------------------------------------------------------------------------
    def aircraft(
        self, ident: str, from_s: float | None = None, to_s: float | None = None, source: str = "tracks"
    ) -> pa.Table:
        """Where was aircraft ``ident`` between from_s and to_s: its rows in time order.

        ``ident`` is a Mode S address (6 hex digits, any case), a callsign (upper case, as decoded), or (for tracks)
        a system track number.
        """
        if source not in ("tracks", "measurements"):
            raise ValueError("aircraft history comes from 'tracks' or 'measurements'")
        ident = ident.strip()
        # Plain column equality (no function per row): a day of tracks is scanned in a fraction of a second.
        clauses = ["callsign = ?"]
        params: list[object] = [ident.upper()]
        if _ICAO24.match(ident):
            clauses.append("icao24 = ?")
            params.append(ident.lower())
        if source == "tracks" and ident.isdigit():
            clauses.append("track_id = ?")
            params.append(int(ident))
        where, time_params = _time_where(from_s, to_s)
        where = (where + " AND " if where else "WHERE ") + "(" + " OR ".join(clauses) + ")"
        return self._query(f"SELECT * FROM {source} {where} ORDER BY time_s, seq", [*time_params, *params])

    def in_volume(
        self,
        volume: BaseGeometry,
        from_s: float | None = None,
        to_s: float | None = None,
        alt_min_ft: float | None = None,
        alt_max_ft: float | None = None,
    ) -> pa.Table:
        """Every system-track update inside ``volume`` (lon/lat geometry) between from_s and to_s.

        DuckDB narrows to the volume's bounding box; shapely's vectorised ``contains_xy`` settles the rest.
        """
        lon_min, lat_min, lon_max, lat_max = volume.bounds
        where, params = _time_where(from_s, to_s)
        clauses = [where[6:]] if where else []
        clauses.append("lat_deg BETWEEN ? AND ? AND lon_deg BETWEEN ? AND ?")
        params += [lat_min, lat_max, lon_min, lon_max]
        if alt_min_ft is not None:
            clauses.append("alt_ft >= ?")
            params.append(alt_min_ft)
        if alt_max_ft is not None:
            clauses.append("alt_ft <= ?")
            params.append(alt_max_ft)
        rows = self._query(f"SELECT * FROM tracks WHERE {' AND '.join(clauses)} ORDER BY time_s, seq", params)
        if rows.num_rows == 0:
            return rows
        lon = rows.column("lon_deg").to_numpy(zero_copy_only=False)
        lat = rows.column("lat_deg").to_numpy(zero_copy_only=False)
        shapely.prepare(volume)
        return rows.filter(pa.array(shapely.contains_xy(volume, lon, lat)))

    def alerts(
        self,
        kind: str | None = None,
        from_s: float | None = None,
        to_s: float | None = None,
        state: str | None = None,
    ) -> pa.Table:
        """Alert events (raised/updated/cleared/acknowledged) of a kind, in time order."""
        where, params = _time_where(from_s, to_s)
        clauses = [where[6:]] if where else []
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if state is not None:
            clauses.append("state = ?")
            params.append(state)
        sql_where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._query(f"SELECT * FROM alerts {sql_where} ORDER BY time_s, seq", params)

    def snapshot(self, time_s: float, max_age_s: float = 30.0) -> pa.Table:
        """The picture at a past instant: each track's last update in (time_s - max_age_s, time_s]."""
        return self._query(
            "SELECT * FROM tracks WHERE time_s > ? AND time_s <= ? QUALIFY row_number() OVER "
            "(PARTITION BY track_id ORDER BY time_s DESC, seq DESC) = 1 ORDER BY track_id",
            [time_s - max_age_s, time_s],
        )

    def rows(self, table: str, from_s: float | None = None, to_s: float | None = None) -> pa.Table:
        """All rows of one table between from_s and to_s in recorded order."""
        if table not in RECORDED:
            raise ValueError(f"no table {table!r}; a recording has {', '.join(RECORDED)}")
        where, params = _time_where(from_s, to_s)
        return self._query(f"SELECT * FROM {table} {where} ORDER BY seq", params)

    # -- replay and export -----------------------------------------------------------------------------------------
    def messages(
        self,
        tables: Iterable[str] = ("measurements", "tracks", "alerts"),
        from_s: float | None = None,
        to_s: float | None = None,
        batches_per_read: int = 2000,
    ) -> Iterator[tuple[str, pa.Table]]:
        """The recorded bus messages as (subject, table), in the original order and batch boundaries.

        Rows outside [from_s, to_s) are left out; the bookkeeping columns seq/batch are dropped.
        """
        tables = [t for t in tables if t in RECORDED]
        where, params = _time_where(from_s, to_s)
        union = " UNION ALL ".join(f"SELECT min(batch) AS lo, max(batch) AS hi FROM {t} {where}" for t in tables)
        lo, hi = self.con.cursor().execute(f"SELECT min(lo), max(hi) FROM ({union})", params * len(tables)).fetchone()
        if lo is None:
            return
        for start in range(int(lo), int(hi) + 1, batches_per_read):
            stop = start + batches_per_read
            chunk_where = (where + " AND " if where else "WHERE ") + "batch >= ? AND batch < ?"
            parts: list[tuple[np.ndarray, str, pa.Table]] = []
            for t in tables:
                rows = self._query(f"SELECT * FROM {t} {chunk_where} ORDER BY seq", [*params, start, stop])
                if rows.num_rows:
                    parts.append((rows.column("batch").to_numpy(), t, rows.drop_columns(["seq", "batch"])))
            yield from _split_batches(parts)

    def export_parquet(
        self,
        out_dir: str | Path,
        tables: Iterable[str] = ("measurements", "tracks", "alerts"),
        from_s: float | None = None,
        to_s: float | None = None,
    ) -> dict[str, int]:
        """Hourly Parquet partitions: out_dir/<table>/hour=YYYY-MM-DDTHH/*.parquet (readable by any Parquet tool)."""
        return {t: export_hourly_parquet(self.con.cursor(), t, Path(out_dir), from_s, to_s) for t in tables}


def _split_batches(parts: list[tuple[np.ndarray, str, pa.Table]]) -> Iterator[tuple[str, pa.Table]]:
    """Cut each table's rows at batch-number changes and interleave the pieces by batch number."""
    pieces: list[tuple[int, str, pa.Table]] = []
    for batch, name, table in parts:
        cuts = np.flatnonzero(np.diff(batch)) + 1
        starts = np.concatenate([[0], cuts])
        ends = np.concatenate([cuts, [len(batch)]])
        for s, e in zip(starts, ends, strict=True):
            pieces.append((int(batch[s]), name, table.slice(int(s), int(e - s))))
    pieces.sort(key=lambda p: p[0])
    for _, name, table in pieces:
        sensor = table.column("sensor")[0].as_py() if name == "measurements" else None
        yield subject_for_rows(name, sensor), table
