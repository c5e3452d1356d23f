"""One cycle's tracks as numpy arrays in the monitors' plane, plus the small memories monitors keep across cycles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from airpicture.core.schema import float_column
from airpicture.core.units import FPM_TO_MPS, FT_TO_M
from airpicture.monitor.plane import MonitorPlane

_HEX = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate("0123456789abcdef"):
    _HEX[ord(_c)] = _i
    _HEX[ord(_c.upper())] = _i
_HEX8 = _HEX.astype(np.int8)


def icao24_to_int(values: pa.Array | pa.ChunkedArray | NDArray) -> NDArray[np.int64]:
    """Six hex digits → int (−1 when missing or malformed), vectorised on the Arrow string buffers."""
    arr = pa.array(values, type=pa.string()) if not isinstance(values, pa.Array | pa.ChunkedArray) else values
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    n = len(arr)
    if n == 0:
        return np.zeros(0, np.int64)
    validity, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, np.int32)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None and data_buf.size else np.zeros(1, np.uint8)
    ok = np.diff(offsets) == 6
    if validity is not None:
        bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")[arr.offset : arr.offset + n]
        ok &= bits.astype(bool)
    at = np.where(ok, offsets[:-1], 0)[:, None] + np.arange(6)
    digits = _HEX8[data[np.minimum(at, len(data) - 1)]]
    ok &= digits.min(axis=1) >= 0
    value = digits[:, 0].astype(np.int64)
    for k in range(1, 6):
        value = value * 16 + digits[:, k]
    return np.where(ok, value, -1)


def _strings(table: pa.Table, name: str) -> NDArray[np.object_]:
    if name not in table.column_names:
        return np.full(table.num_rows, None, dtype=object)
    return table.column(name).to_numpy(zero_copy_only=False).astype(object)


@dataclass
class TrackFrame:
    """The snapshot's tracks at ``now_s``: positions and velocities in the plane, SI units."""

    table: pa.Table
    now_s: float
    plane: MonitorPlane

    def __post_init__(self) -> None:
        t = self.table
        self.n = t.num_rows
        self.track_id = (
            t.column("track_id").to_numpy(zero_copy_only=False).astype(np.int64)
            if "track_id" in t.column_names
            else np.arange(self.n, dtype=np.int64)
        )
        self.time_s = float_column(t, "time_s")
        self.time_s = np.where(np.isnan(self.time_s), self.now_s, self.time_s)
        self.lat_deg = float_column(t, "lat_deg")
        self.lon_deg = float_column(t, "lon_deg")
        self.alt_ft = float_column(t, "alt_ft")
        self.ground_speed_kt = np.nan_to_num(float_column(t, "ground_speed_kt"))
        self.track_deg = np.nan_to_num(float_column(t, "track_deg"))
        self.vertical_rate_fpm = np.nan_to_num(float_column(t, "vertical_rate_fpm"))
        self.valid = np.isfinite(self.lat_deg) & np.isfinite(self.lon_deg)
        lat = np.where(self.valid, self.lat_deg, self.plane.lat0_deg)
        lon = np.where(self.valid, self.lon_deg, self.plane.lon0_deg)
        x, y = self.plane.to_xy(lat, lon)
        self.vx, self.vy = self.plane.velocity_xy(lat, lon, self.ground_speed_kt, self.track_deg, xy=(x, y))
        dt = np.clip(self.now_s - self.time_s, 0.0, 60.0)
        self.x_m = x + self.vx * dt
        self.y_m = y + self.vy * dt
        self.alt_m = self.alt_ft * FT_TO_M + self.vertical_rate_fpm * FPM_TO_MPS * dt
        self.vz_mps = self.vertical_rate_fpm * FPM_TO_MPS
        self.age_s = self.now_s - self.time_s

    @cached_property
    def last_update_age_s(self) -> NDArray[np.float64]:
        """Seconds since a measurement last updated the track (tracker extra ``last_update_s``; 0 if absent)."""
        last = float_column(self.table, "last_update_s")
        return np.where(np.isfinite(last), self.now_s - last, 0.0)

    @cached_property
    def coasting(self) -> NDArray[np.bool_]:
        if "status" not in self.table.column_names:
            return np.zeros(self.n, bool)
        col = self.table.column("status")
        return pc.fill_null(pc.equal(col, "coasting"), False).to_numpy(zero_copy_only=False).astype(bool)

    @cached_property
    def status(self) -> NDArray[np.object_]:
        return _strings(self.table, "status")

    @cached_property
    def confirmed(self) -> NDArray[np.bool_]:
        """Not tentative (confirmed or coasting); a table without status counts every track as confirmed."""
        if "status" not in self.table.column_names:
            return np.ones(self.n, bool)
        col = self.table.column("status")
        return ~pc.fill_null(pc.equal(col, "tentative"), False).to_numpy(zero_copy_only=False).astype(bool)

    @cached_property
    def icao24(self) -> NDArray[np.object_]:
        return _strings(self.table, "icao24")

    @cached_property
    def icao24_int(self) -> NDArray[np.int64]:
        if "icao24" not in self.table.column_names:
            return np.full(self.n, -1, np.int64)
        return icao24_to_int(self.table.column("icao24"))

    def squawk_in(self, codes: list[str]) -> NDArray[np.bool_]:
        if "squawk" not in self.table.column_names or not self.n:
            return np.zeros(self.n, bool)
        mask = pc.is_in(self.table.column("squawk"), value_set=pa.array(codes, pa.string()))
        return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)

    @cached_property
    def callsign(self) -> NDArray[np.object_]:
        return _strings(self.table, "callsign")

    @cached_property
    def squawk(self) -> NDArray[np.object_]:
        return _strings(self.table, "squawk")

    @cached_property
    def flight_plan(self) -> NDArray[np.object_]:
        return _strings(self.table, "flight_plan")

    @cached_property
    def cooperative(self) -> NDArray[np.int8]:
        """1 true, 0 false, −1 unknown."""
        if "cooperative" not in self.table.column_names:
            return np.full(self.n, -1, np.int8)
        col = self.table.column("cooperative")
        val = pc.fill_null(col, False).to_numpy(zero_copy_only=False).astype(bool)
        known = pc.is_valid(col).to_numpy(zero_copy_only=False).astype(bool)
        return np.where(known, val.astype(np.int8), -1).astype(np.int8)

    def source_kinds(self, kind_of: dict[str, str]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Per track: (number of sources, of which radar, of which ADS-B/MLAT/Mode S receivers), vectorised."""
        n = self.n
        if "sources" not in self.table.column_names or n == 0:
            z = np.zeros(n, np.int64)
            return z, z, z
        col = self.table.column("sources")
        lists = pc.split_pattern(pc.fill_null(col, ""), ",")
        if isinstance(lists, pa.ChunkedArray):
            lists = lists.combine_chunks()
        flat = pc.utf8_trim_whitespace(lists.flatten())
        parent = pc.list_parent_indices(lists).to_numpy()
        nonempty = pc.not_equal(flat, "").to_numpy(zero_copy_only=False).astype(bool)
        radar_ids = [s for s, k in kind_of.items() if k in ("psr", "ssr", "psr_ssr", "modes")]
        primary_ids = [s for s, k in kind_of.items() if k == "psr"]
        is_primary = pc.is_in(flat, value_set=pa.array(primary_ids, pa.string())).to_numpy(zero_copy_only=False)
        is_radar = pc.is_in(flat, value_set=pa.array(radar_ids, pa.string())).to_numpy(zero_copy_only=False)
        total = np.bincount(parent[nonempty], minlength=n)
        primary = np.bincount(parent[nonempty & is_primary.astype(bool)], minlength=n)
        radar = np.bincount(parent[nonempty & is_radar.astype(bool)], minlength=n)
        return total, primary, radar


class KeyedMemory:
    """Per-key float values kept across cycles in sorted arrays (no Python dict per aircraft)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.keys = np.zeros(0, np.int64)
        self.values = {name: np.zeros(0) for name in names}
        # The positions of the last key array looked up: monitors read several fields for the same keys.
        self._version = 0
        self._located: tuple[object, int, NDArray[np.intp], NDArray[np.bool_]] | None = None

    def _locate(self, keys: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        cached = self._located
        if cached is not None and cached[0] is keys and cached[1] == self._version:
            return cached[2], cached[3]
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        hit = self.keys[pos] == keys
        self._located = (keys, self._version, pos, hit)
        return pos, hit

    def get(self, keys: NDArray[np.int64], name: str, default: float = np.nan) -> NDArray[np.float64]:
        if not len(self.keys):
            return np.full(len(keys), default)
        pos, hit = self._locate(keys)
        return np.where(hit, self.values[name][pos], default)

    def put(self, keys: NDArray[np.int64], **values: NDArray[np.float64]) -> None:
        """Insert or overwrite (the last occurrence of a repeated key wins).

        Known keys are overwritten in place and new keys are inserted at their sorted positions, so a steady
        population costs one ``searchsorted`` per cycle, not a re-sort of the whole memory.
        """
        if not len(keys):
            return
        step = keys[1:] - keys[:-1]
        if len(keys) == 1 or bool((step > 0).all()):
            rev_keys, idx = keys, np.arange(len(keys))  # already sorted and unique (e.g. a track snapshot)
        elif bool((step >= 0).all()):
            # Sorted with repeats (reports in address order): the last of each run wins, no sort needed.
            idx = np.flatnonzero(np.append(step != 0, True))
            rev_keys = keys[idx]
        else:
            rev_keys, rev_first = np.unique(keys[::-1], return_index=True)
            idx = len(keys) - 1 - rev_first
        new_values = {name: np.asarray(v, dtype=np.float64)[idx] for name, v in values.items() if name in self.values}
        if len(self.keys):
            pos = np.searchsorted(self.keys, rev_keys)
            known = self.keys[np.minimum(pos, len(self.keys) - 1)] == rev_keys
        else:
            pos = np.zeros(len(rev_keys), np.intp)
            known = np.zeros(len(rev_keys), bool)
        if known.any():
            for name, v in new_values.items():
                self.values[name][pos[known]] = v[known]
        if known.all():
            return
        fresh = ~known
        at = pos[fresh]
        self._version += 1
        for name, old in self.values.items():
            v = new_values[name][fresh] if name in new_values else np.full(int(fresh.sum()), np.nan)
            self.values[name] = np.insert(old, at, v)
        self.keys = np.insert(self.keys, at, rev_keys[fresh])

    def drop_older(self, name: str, cutoff: float) -> None:
        keep = ~(self.values[name] < cutoff)
        if keep.all():
            return
        self._version += 1
        self.keys = self.keys[keep]
        for k in self.values:
            self.values[k] = self.values[k][keep]


class MeasurementBatch:
    """One batch of measurements, columns converted to numpy once and shared by every monitor."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table.combine_chunks() if table.num_rows else table
        self.n = self.table.num_rows
        self._floats: dict[str, NDArray[np.float64]] = {}

    def f(self, name: str) -> NDArray[np.float64]:
        """Float column as numpy (nulls and absent columns as NaN), cached."""
        out = self._floats.get(name)
        if out is None:
            out = self._floats[name] = float_column(self.table, name)
        return out

    @cached_property
    def icao(self) -> NDArray[np.int64]:
        if "icao24" not in self.table.column_names:
            return np.full(self.n, -1, np.int64)
        return icao24_to_int(self.table.column("icao24"))

    @cached_property
    def kind(self) -> NDArray[np.object_]:
        return _strings(self.table, "kind")

    @cached_property
    def by_address(self) -> NDArray[np.intp]:
        """Row order by (address, time), computed once: every monitor that keeps the latest report per address
        takes its rows in this order (a mask keeps it sorted) instead of sorting again."""
        t = self.f("time_s")
        if self.n > 1 and bool((t[1:] >= t[:-1]).all()):
            return np.argsort(self.icao, kind="stable")  # a time-ordered batch (the usual case): one sort
        return np.lexsort((t, self.icao))

    def sorted_rows(self, mask: NDArray[np.bool_]) -> NDArray[np.intp]:
        """The rows where ``mask`` holds, in (address, time) order."""
        order = self.by_address
        return order[mask[order]]

    @cached_property
    def _kind_codes(self) -> tuple[NDArray[np.int64], pa.Array]:
        """Each row's kind as an index into the batch's distinct kinds (one Arrow pass for every ``kind_in``)."""
        col = self.table.column("kind")
        distinct = pc.unique(col).drop_null()
        codes = pc.fill_null(pc.index_in(col, value_set=distinct), -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.int64), distinct

    def kind_in(self, *kinds: str) -> NDArray[np.bool_]:
        if "kind" not in self.table.column_names:
            return np.zeros(self.n, bool)
        codes, distinct = self._kind_codes
        wanted = [i for i, k in enumerate(distinct.to_pylist()) if k in kinds]
        return np.isin(codes, wanted) if wanted else np.zeros(self.n, bool)

    @cached_property
    def is_adsb(self) -> NDArray[np.bool_]:
        return self.kind_in("adsb")

    def column(self, name: str) -> pa.Array:
        return self.table.column(name)
