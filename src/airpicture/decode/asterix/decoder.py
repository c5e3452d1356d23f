"""The ASTERIX decoder: data blocks → edition per source → vectorised records → one table in input order.

ASTERIX carries no edition number, so the edition of each source is configuration: ``editions`` maps
``(sac, sic, category)`` (or just ``category``) to an edition string, and anything unnamed gets the latest
edition we have. The source of a block is read from its first record's I010 (FRN 1 in every supported category).
A wrong edition shows up as counted errors for that source (see :mod:`.parse`), never as silently wrong rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from airpicture.core.schema import MEASUREMENT
from airpicture.decode.asterix import records, small
from airpicture.decode.asterix.parse import (
    ERROR_REASONS,
    PAD,
    FieldReader,
    records_as_dicts,
    release_words,
    walk_blocks,
)
from airpicture.decode.asterix.spec import Explicit
from airpicture.decode.asterix.tables import EDITIONS, LATEST

log = logging.getLogger(__name__)

SECONDS_PER_DAY = 86400.0
EditionKey = tuple[int, int, int] | int
#: Every row the decoder returns has exactly these columns (Measurement first), whatever categories a batch held,
#: so that successive batches share one schema (files, the recorder, the bus).
ASTERIX_ROWS = pa.schema(
    [
        *MEASUREMENT,
        ("category", pa.int64()),
        ("sac", pa.int64()),
        ("sic", pa.int64()),
        ("edition", pa.string()),
        ("record_type", pa.string()),
        ("message_type", pa.string()),
        ("time_of_day_s", pa.float64()),
        ("truncated_time_of_day_s", pa.float64()),
        ("track_number", pa.int64()),
        ("x_m", pa.float64()),
        ("y_m", pa.float64()),
        ("simulated", pa.bool_()),
        # sensor status (CAT002/034/065)
        ("sector_azimuth_deg", pa.float64()),
        ("antenna_rotation_period_s", pa.float64()),
        ("operational", pa.bool_()),
        ("sensor_lat_deg", pa.float64()),
        ("sensor_lon_deg", pa.float64()),
        # SystemTrack names (CAT062)
        ("track_id", pa.int64()),
        ("alt_ft", pa.float64()),
        ("status", pa.string()),
        ("sources", pa.string()),
        ("cooperative", pa.bool_()),
        ("flight_plan", pa.string()),
    ]
)
#: Columns holding a flag (1/0, NaN when absent) that become nullable booleans.
BOOL_COLUMNS = {"spi", "simulated", "cooperative", "coasting", "operational"}
#: Up to this many data blocks per call (a datagram), small helpers take plain-Python paths: numpy's fixed cost per
#: call, not the data, is what a single datagram's decode time is made of.
SMALL_BLOCKS = 64


@dataclass
class Segments:
    """Pieces of a byte buffer that each hold whole data blocks (a datagram, or a whole file), with receive time."""

    buf: np.ndarray  # uint8, PAD zero bytes at the end
    start: np.ndarray  # int64
    end: np.ndarray  # int64
    receive_time_s: np.ndarray  # float64, NaN when unknown

    @classmethod
    def from_payloads(cls, payloads: Iterable[bytes], receive_times: Iterable[float] | None = None) -> Segments:
        payloads = list(payloads)
        lengths = np.fromiter((len(p) for p in payloads), dtype=np.int64, count=len(payloads))
        end = np.cumsum(lengths)
        start = end - lengths
        buf = np.frombuffer(b"".join(payloads) + bytes(PAD), dtype=np.uint8)
        times = np.full(len(payloads), np.nan) if receive_times is None else np.asarray(list(receive_times), float)
        return cls(buf, start, end, times)


def split_blocks(seg: Segments, errors: Counter) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Data block boundaries (start, end, segment index); a bad header stops its segment, counted.

    Blocks chain (each one's LEN gives the next one's start), so this is a Python loop; it notes only the starts,
    and the ends and segment indices are computed from them afterwards in numpy (a file of one-record blocks has
    as many blocks as records)."""
    data = seg.buf
    raw = data.tobytes() if len(seg.start) > 1 or len(data) < 1 << 16 else memoryview(data)
    starts: list[int] = []
    add = starts.append
    counts: list[int] = []
    for s, e in zip(seg.start.tolist(), seg.end.tolist(), strict=True):
        before = len(starts)
        p = s
        while p < e:
            if e - p < 3:
                errors["truncated data block header"] += 1
                break
            length = (raw[p + 1] << 8) | raw[p + 2]
            if length < 3:
                errors["data block LEN below 3"] += 1
                break
            if p + length > e:
                errors["data block LEN beyond the data"] += 1
                break
            add(p)
            p += length
        counts.append(len(starts) - before)
    start = np.array(starts, dtype=np.int64)
    end = start + ((data[start + 1].astype(np.int64) << 8) | data[start + 2])
    return start, end, np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _peek_sources(buf: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SAC and SIC of each block's first record (-1 when it has no I010)."""
    if len(start) <= SMALL_BLOCKS:
        return _peek_sources_scalar(buf, start, end)
    p = start + 3
    last = len(buf) - 1
    flen = np.zeros(len(p), dtype=np.int64)
    cont = np.ones(len(p), dtype=bool)
    for _ in range(8):
        live = np.flatnonzero(cont)
        if not live.size:
            break
        b = buf[np.minimum(p[live] + flen[live], last)]
        flen[live] += 1
        cont[live] = (b & 1).astype(bool)
    first = buf[np.minimum(p, last)]
    has = ((first & 0x80) != 0) & (p + flen + 2 <= end) & (p < end)
    sac = np.where(has, buf[np.minimum(p + flen, last)], -1).astype(np.int64)
    sic = np.where(has, buf[np.minimum(p + flen + 1, last)], -1).astype(np.int64)
    return sac, sic


def _peek_sources_scalar(buf: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same for a few blocks (a datagram) in plain Python, where numpy's per-call cost would dominate."""
    sac: list[int] = []
    sic: list[int] = []
    last = len(buf) - 1
    octets = memoryview(buf)  # plain ints, not numpy scalars
    for s, e in zip(start.tolist(), end.tolist(), strict=True):
        p = s + 3
        flen = 0
        while flen < 8:
            b = octets[min(p + flen, last)]
            flen += 1
            if not b & 1:
                break
        has = p < e and bool(octets[min(p, last)] & 0x80) and p + flen + 2 <= e
        sac.append(octets[min(p + flen, last)] if has else -1)
        sic.append(octets[min(p + flen + 1, last)] if has else -1)
    return np.array(sac, dtype=np.int64), np.array(sic, dtype=np.int64)


class AsterixDecoder:
    """Decode ASTERIX data blocks to Measurement-named rows (one per record), counting what it cannot decode.

    ``editions``: ``{(sac, sic, category): "1.21", category: "0.17", …}``; unnamed sources get the latest edition.
    ``sensor_names``: ``{(sac, sic): "radar-niamey"}``; otherwise a source is named ``asterix-SAC-SIC``.
    ``reference_date_s``: UTC midnight (epoch s) that times of day refer to when no receive time is known; by
    default 0 (1970-01-01), so ``time_s`` is then the time of day.
    """

    def __init__(
        self,
        editions: Mapping[EditionKey, str] | None = None,
        sensor_names: Mapping[tuple[int, int], str] | None = None,
        reference_date_s: float | None = None,
    ):
        self.editions = dict(editions or {})
        for key, ed in self.editions.items():
            cat = key if isinstance(key, int) else key[2]
            if cat not in EDITIONS or ed not in EDITIONS[cat]:
                known = ", ".join(sorted(EDITIONS.get(cat, {}))) or "none (category not supported)"
                raise ValueError(f"edition {ed!r} for {key!r} is not known; CAT{cat:03d} editions: {known}")
        self.sensor_names = dict(sensor_names or {})
        self.reference_date_s = reference_date_s
        #: Counted per-block decode errors, "CAT048 25/201 ed1.21: record overruns the block" → blocks.
        self.errors: Counter[str] = Counter()
        #: Blocks whose records were kept but look odd (spare bits set: often the first sign of a wrong edition).
        self.warnings: Counter[str] = Counter()
        #: Blocks of categories we do not decode, by category.
        self.unsupported: Counter[int] = Counter()
        #: Records holding a field we delimit but do not decode ("CAT021 SP", or an RE whose content is not one we
        #: define): the record is decoded, that field's bytes are skipped by its length.
        self.undecoded: Counter[str] = Counter()
        self.records_decoded = 0
        self.blocks_decoded = 0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def edition_for(self, sac: int, sic: int, category: int) -> str:
        return self.editions.get((sac, sic, category)) or self.editions.get(category) or LATEST[category]

    def decode(self, data: bytes, receive_time_s: float | None = None) -> pa.Table:
        """Decode one buffer of back-to-back data blocks (a UDP datagram, a file) received at ``receive_time_s``."""
        times = None if receive_time_s is None else [receive_time_s]
        return self.decode_segments(Segments.from_payloads([data], times))

    def decode_payloads(self, payloads: list[bytes], receive_times: list[float] | None = None) -> pa.Table:
        """Decode many datagrams at once (the fast path for captures)."""
        return self.decode_segments(Segments.from_payloads(payloads, receive_times))

    def decode_segments(self, seg: Segments) -> pa.Table:
        try:
            return self._decode(seg)
        except Exception:  # a bug must not take the feed down: count it, keep going
            log.exception("ASTERIX decoder failure on %d segments", len(seg.start))
            self.errors["internal decoder error"] += 1
            return ASTERIX_ROWS.empty_table()
        finally:
            release_words()

    def _decode(self, seg: Segments) -> pa.Table:
        if len(seg.buf) <= small.SMALL_BYTES + PAD:  # a datagram, a slice: plain Python, no per-call numpy
            table = small.decode_small(self, seg)
            if table is not None:
                return table
        buf = seg.buf
        b_start, b_end, b_seg = split_blocks(seg, self.errors)
        cat = buf[b_start].astype(np.int64) if len(b_start) else np.zeros(0, np.int64)
        sac, sic = _peek_sources(buf, b_start, b_end)
        parts: list[dict[str, np.ndarray]] = []
        categories = cat.tolist()
        by_source = any(isinstance(k, tuple) for k in self.editions)
        for c in sorted(set(categories)):
            in_cat = np.arange(len(categories)) if len(set(categories)) == 1 else np.flatnonzero(cat == c)
            if c not in EDITIONS:
                self.unsupported[c] += len(in_cat)
                continue
            if not by_source:  # one edition per category: no per-source split
                ed_name = self.edition_for(-1, -1, c)
                parts.append(self._decode_group(seg, c, ed_name, in_cat, b_start, b_end, b_seg, sac, sic))
                continue
            ed_names = self._editions_of(c, sac[in_cat], sic[in_cat])
            for ed_name in np.unique(ed_names).tolist():
                lanes = in_cat[ed_names == ed_name]
                parts.append(self._decode_group(seg, c, ed_name, lanes, b_start, b_end, b_seg, sac, sic))
        self._resolve_truncated_times(parts)
        for p in parts:
            p.pop("_receive", None)
        return self._table(parts)

    def _resolve_truncated_times(self, parts: list[dict[str, np.ndarray]]) -> None:
        """CAT001 carries only the time of day modulo 512 s: complete it from the radar's latest CAT002 time of
        day earlier in the stream, else from the receive time (nearest candidate either way)."""
        plots = [p for p in parts if "truncated_time_of_day_s" in p]
        if not plots:
            return
        markers = [p for p in parts if p["category"].size and p["category"][0] == 2]
        for p in plots:
            trunc = p["truncated_time_of_day_s"]
            ref = np.mod(p["_receive"], SECONDS_PER_DAY)
            for m in markers:
                key_m = m["sac"] * 256 + m["sic"]
                key_p = p["sac"] * 256 + p["sic"]
                for k in np.unique(key_p).tolist():
                    mine = np.flatnonzero(key_p == k)
                    theirs = np.flatnonzero((key_m == k) & ~np.isnan(m["time_of_day_s"]))
                    if theirs.size == 0:
                        continue
                    order = np.argsort(m["_order"][theirs])
                    at = np.searchsorted(m["_order"][theirs][order], p["_order"][mine]) - 1
                    ok = at >= 0
                    ref[mine[ok]] = m["time_of_day_s"][theirs][order][at[ok]]
            full = ref + np.mod(trunc - ref + 256.0, 512.0) - 256.0
            full = np.mod(full, SECONDS_PER_DAY)
            p["time_of_day_s"] = np.where(np.isnan(trunc), np.nan, full)
            p["time_s"] = self._times(p["time_of_day_s"], p["_receive"])

    def explain(self, data: bytes) -> list[dict]:
        """Every record of ``data`` as {item: {field: value}} in input order (slow; for inspection and tests)."""
        seg = Segments.from_payloads([data])
        b_start, b_end, _ = split_blocks(seg, self.errors)
        cat = seg.buf[b_start].astype(np.int64)
        sac, sic = _peek_sources(seg.buf, b_start, b_end)
        out: list[dict] = []
        for c in np.unique(cat).tolist():
            if c not in EDITIONS:
                continue
            in_cat = np.flatnonzero(cat == c)
            eds = self._editions_of(c, sac[in_cat], sic[in_cat])
            for ed_name in np.unique(eds).tolist():
                lanes = in_cat[eds == ed_name]
                layout, _, _ = walk_blocks(seg.buf, EDITIONS[c][ed_name], b_start[lanes] + 3, b_end[lanes])
                out.extend(records_as_dicts(layout))
        release_words()
        return sorted(out, key=lambda r: r["_start"])

    def _editions_of(self, c: int, sac: np.ndarray, sic: np.ndarray) -> np.ndarray:
        if not any(isinstance(k, tuple) for k in self.editions):
            return np.full(len(sac), self.edition_for(-1, -1, c), dtype=object)
        key = sac * 256 + sic
        out = np.empty(len(sac), dtype=object)
        for k in np.unique(key).tolist():
            out[key == k] = self.edition_for(k // 256, k % 256, c)
        return out

    def _decode_group(self, seg, c, ed_name, lanes, b_start, b_end, b_seg, sac, sic) -> dict[str, np.ndarray]:
        edition = EDITIONS[c][ed_name]
        layout, lane_err, lane_warn = walk_blocks(seg.buf, edition, b_start[lanes] + 3, b_end[lanes])
        if lane_warn.any():
            for s in (sac[lanes[lane_warn != 0]] * 256 + sic[lanes[lane_warn != 0]]).tolist():
                self.warnings[f"CAT{c:03d} {s // 256}/{s % 256} ed{ed_name}: spare bits set"] += 1
        bad = np.flatnonzero(lane_err)
        if bad.size:
            codes = lane_err[bad]
            src = sac[lanes[bad]] * 256 + sic[lanes[bad]]
            for (code, s), n in Counter(zip(codes.tolist(), src.tolist(), strict=True)).items():
                who = f"{s // 256}/{s % 256}" if s >= 0 else "?"
                self.errors[f"CAT{c:03d} {who} ed{ed_name}: {ERROR_REASONS[code]}"] += n
        self.blocks_decoded += len(lanes) - bad.size
        for name, content_slot in _explicit_items(edition):
            off = layout.offsets.get(name)
            if off is None:
                continue
            count = int(np.count_nonzero(off >= 0))
            decoded = layout.offsets.get(content_slot) if content_slot else None
            if decoded is not None:
                count -= int(np.count_nonzero(decoded >= 0))
            if count:
                self.undecoded[f"CAT{c:03d} {name}"] += count
        reader = FieldReader(layout)
        cols = records.CONVERTERS[c](reader)
        n = layout.n
        block_lane = lanes[layout.rec_lane]
        for key, peek in (("sac", sac), ("sic", sic)):  # records without I010 belong to their block's source
            if (cols[key] < 0).any():
                cols[key] = np.where(cols[key] < 0, peek[block_lane], cols[key])
        self.records_decoded += n
        rt = seg.receive_time_s[b_seg[lanes[layout.rec_lane]]] if n else np.zeros(0)
        cols["time_s"] = self._times(cols.get("time_of_day_s"), rt)
        cols["_receive"] = rt
        cols["sensor"] = self._sensor_column(cols["sac"], cols["sic"])
        cols["edition"] = np.full(n, ed_name, dtype=object)
        cols["_order"] = layout.rec_start
        return cols

    def _times(self, tod: np.ndarray | None, receive: np.ndarray) -> np.ndarray:
        """Time of day + a reference day → epoch s: the day of the receive time (nearest), else reference_date_s."""
        if tod is None:
            return receive.copy()
        if self.reference_date_s is not None:
            out = self.reference_date_s + tod
        else:
            known = ~np.isnan(receive)
            day = np.floor(np.where(known, receive, 0.0) / SECONDS_PER_DAY) * SECONDS_PER_DAY
            out = day + tod
            out[known & (out - receive > SECONDS_PER_DAY / 2)] -= SECONDS_PER_DAY
            out[known & (receive - out > SECONDS_PER_DAY / 2)] += SECONDS_PER_DAY
        return np.where(np.isnan(tod), receive, out)

    def _sensor_column(self, sac: np.ndarray, sic: np.ndarray) -> np.ndarray:
        key = sac * 256 + sic
        if len(key) and key.min() == key.max():  # one source (a datagram, usually)
            s, i = divmod(int(key[0]), 256)
            name = self.sensor_names.get((s, i), f"asterix-{s}-{i}") if key[0] >= 0 else None
            return np.full(len(key), name, dtype=object)
        out = np.empty(len(key), dtype=object)
        for k in np.unique(key).tolist():
            s, i = divmod(k, 256)
            out[key == k] = self.sensor_names.get((s, i), f"asterix-{s}-{i}") if k >= 0 else None
        return out

    @staticmethod
    def _table(parts: list[dict[str, np.ndarray]]) -> pa.Table:
        if not parts:
            return ASTERIX_ROWS.empty_table()
        if len(parts) == 1:
            only = parts[0]
            rec_order = only["_order"]
            n = len(rec_order)
            # one category edition, walked in input order (always for a datagram): no reordering needed
            order = None if n < 2 or bool((rec_order[1:] >= rec_order[:-1]).all()) else np.argsort(rec_order)
            columns = _arrow_columns(
                {name: v if order is None else v[order] for name, v in only.items() if name != "_order"}
            )
        else:
            order = np.argsort(np.concatenate([p["_order"] for p in parts]), kind="stable")
            n = len(order)
            columns = _arrow_merged(parts, order)
        nulls = _null_columns(n)
        arrays = []
        for name, typ in _TYPES:
            col = columns.get(name)
            arrays.append(nulls[name] if col is None else col if col.type is typ or col.type == typ else col.cast(typ))
        # names, not the schema: the types are the schema's already, and Arrow then skips a validation per column
        return pa.Table.from_arrays(arrays, names=_NAMES)


_EXPLICIT: dict[int, list[tuple[str, str | None]]] = {}


def _explicit_items(edition) -> list[tuple[str, str | None]]:
    """The edition's explicit items (RE, SP) and the slot of their decoded content, if defined (once per edition)."""
    out = _EXPLICIT.get(id(edition))
    if out is None:
        out = _EXPLICIT[id(edition)] = [
            (name, f"{name}/{item.content.name}" if item.content is not None else None)
            for name, item in edition.items.items()
            if isinstance(item, Explicit)
        ]
    return out


_NULLS: dict[int, dict[str, pa.Array]] = {}
_NAMES = ASTERIX_ROWS.names
_TYPES = [(f.name, f.type) for f in ASTERIX_ROWS]


def _null_columns(n: int) -> dict[str, pa.Array]:
    """All-null columns of every schema field for ``n`` rows, cached for the small sizes datagrams have."""
    cached = _NULLS.get(n)
    if cached is None:
        cached = {f.name: pa.nulls(n, f.type) for f in ASTERIX_ROWS}
        if n <= 256:  # Arrow arrays are immutable, so sharing them between tables is safe
            if len(_NULLS) > 256:
                _NULLS.clear()
            _NULLS[n] = cached
    return cached


def _kind(name: str, arr: np.ndarray) -> str:
    kind = "b" if name in BOOL_COLUMNS else arr.dtype.kind
    return "i" if kind == "u" else kind


def _arrow_columns(columns: dict[str, np.ndarray]) -> dict[str, pa.Array | None]:
    """Columns to Arrow, one Arrow conversion per kind of column (float, flag, integer, text) and a zero-copy slice
    per column: a datagram's few rows cost about as much to convert as many, so fewer conversions is what counts.
    None marks a column whose every value is absent (the caller shares a cached all-null column)."""
    groups: dict[str, list[tuple[str, np.ndarray]]] = {}
    for name, arr in columns.items():
        groups.setdefault(_kind(name, arr), []).append((name, arr))
    out: dict[str, pa.Array | None] = {}
    for kind, members in groups.items():
        if kind == "U" and len(members) * len(members[0][1]) >= _LARGE_TEXT:  # each at its own width
            for name, arr in members:
                out[name] = _text_column(arr)
            continue
        if len(members) == 1 or kind not in "bfiUO":
            for name, arr in members:
                out[name] = _arrow(name, arr)
            continue
        flat = np.concatenate([arr for _, arr in members])
        _group_arrays(kind, [name for name, _ in members], flat, len(members[0][1]), out)
    return out


#: The value that marks an absent entry, per kind of column.
_ABSENT = {"b": np.nan, "f": np.nan, "i": -1, "U": "", "O": None}


def _arrow_merged(parts: list[dict[str, np.ndarray]], order: np.ndarray) -> dict[str, pa.Array | None]:
    """The columns of several category editions merged in input order, to Arrow: per kind of column, one matrix
    (column × row) filled with the absent value, each part's columns copied into their rows, one reordering and
    one Arrow conversion, instead of a fill, a concatenation and a reordering per column."""
    sizes = [len(p["_order"]) for p in parts]
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    groups: dict[str, dict[str, np.dtype]] = {}
    for p in parts:
        for name, arr in p.items():
            if name != "_order":
                kind = _kind(name, arr)
                seen = groups.setdefault(kind, {})
                if name not in seen or (kind == "U" and arr.dtype.itemsize > seen[name].itemsize):
                    seen[name] = arr.dtype
    out: dict[str, pa.Array | None] = {}
    total = bounds[-1]
    kinds_of: dict[str, int] = {}
    for names in groups.values():
        for name in names:
            kinds_of[name] = kinds_of.get(name, 0) + 1
    for kind, names in groups.items():
        odd = [name for name in names if kind not in _ABSENT or kinds_of[name] > 1]
        for name in odd:  # not expected from the converters (a column of two kinds): column by column
            names.pop(name)
            if name not in out:
                chunks = [p[name] if name in p else np.full(len(p["_order"]), None, object) for p in parts]
                out[name] = _arrow(name, np.concatenate(chunks)[order])
        if not names:
            continue
        if kind == "U" and len(names) * total >= _LARGE_TEXT:  # each at its own width
            for name, dtype in names.items():
                column = np.full(total, "", dtype=dtype)
                for p, a, b in zip(parts, bounds[:-1], bounds[1:], strict=True):
                    if name in p:
                        column[a:b] = p[name]
                out[name] = _text_column(column[order])
            continue
        dtype = np.int64 if kind == "i" else max(names.values(), key=lambda d: d.itemsize)
        matrix = np.full((len(names), total), _ABSENT[kind], dtype=dtype)
        for j, name in enumerate(names):
            for p, a, b in zip(parts, bounds[:-1], bounds[1:], strict=True):
                if name in p:
                    matrix[j, a:b] = p[name]
        _group_arrays(kind, list(names), matrix[:, order].ravel(), total, out)
    return out


def _group_arrays(kind: str, names: list[str], flat: np.ndarray, n: int, out: dict[str, pa.Array | None]) -> None:
    """Columns ``names`` laid end to end in ``flat`` (n rows each) → one Arrow array, sliced per column."""
    if kind == "b":
        mask = np.isnan(flat)
        whole = pa.array(flat != 0, mask=mask, type=pa.bool_())
    elif kind == "f":
        mask = None
        whole = pa.array(flat, from_pandas=True)
    elif kind == "i":
        mask = flat < 0
        whole = pa.array(flat.astype(np.int64, copy=False), mask=mask, type=pa.int64())
    elif kind == "U":
        mask = flat == ""
        whole = pa.array(flat, mask=mask, type=pa.string())
    else:
        mask = None
        whole = pa.array(flat, type=pa.string(), from_pandas=True)
    absent = [False] * len(names)
    if mask is not None and n:
        absent = mask.reshape(len(names), n).all(axis=1).tolist()
    for j, name in enumerate(names):
        out[name] = None if absent[j] else whole.slice(j * n, n)


#: From this many text values in a call, text columns are built from their buffers one by one (see below).
_LARGE_TEXT = 512


def _text_column(text: np.ndarray) -> pa.Array | None:
    """One numpy text column ('' = null) to Arrow; None when every value is absent."""
    empty = text == ""
    if empty.all():
        return None
    got = _ascii_strings(text, empty)
    return got if got is not None else pa.array(text, mask=empty, type=pa.string())


def _ascii_strings(text: np.ndarray, empty: np.ndarray) -> pa.Array | None:
    """A numpy text array ('' = null) as an Arrow string array built from its buffers, when every character is
    ASCII (squawks, addresses, callsigns, kinds); None otherwise. Arrow's own conversion encodes string by string,
    which is what dominates a large table's conversion."""
    n = len(text)
    width = text.dtype.itemsize // 4
    if width == 0:
        return None
    codes = np.ascontiguousarray(text).view(np.uint32).reshape(n, width)
    if codes.max() >= 128:
        return None
    lengths = np.strings.str_len(text)
    data = codes[np.arange(width) < lengths[:, None]].astype(np.uint8)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    validity = np.packbits(~empty, bitorder="little")
    buffers = [pa.py_buffer(validity), pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), n, buffers, null_count=int(np.count_nonzero(empty)))


def _arrow(name: str, arr: np.ndarray) -> pa.Array | None:
    """One column to Arrow; None when every value is absent (the caller then shares a cached all-null column)."""
    if name in BOOL_COLUMNS:
        mask = np.isnan(arr)
        return None if mask.all() else pa.array(arr != 0, mask=mask, type=pa.bool_())
    if arr.dtype.kind == "f":
        return pa.array(arr, from_pandas=True)
    if arr.dtype.kind in "iu":
        mask = arr < 0
        return None if mask.all() else pa.array(arr, mask=mask, type=pa.int64())
    if arr.dtype.kind == "U":
        mask = arr == ""
        return None if mask.all() else pa.array(arr, mask=mask, type=pa.string())
    return pa.array(arr, type=pa.string(), from_pandas=True)
