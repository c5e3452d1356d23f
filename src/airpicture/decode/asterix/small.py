"""The small-call path: a datagram, a 100 ms slice or a short capture decoded without per-field numpy calls.

Why: the vectorised path (:mod:`.parse`, :mod:`.records`) costs a few hundred numpy and Arrow calls per category
edition per call, about 1.5 ms on this project's machines whatever the number of records. Below about 12,000
octets that fixed cost, not the data, is the decode time. Here a call costs a few dozen calls per category
edition:

- **Walk** (:mod:`.kernels`, compiled): one call per category edition walks all its blocks' records, driven by the
  edition table encoded as arrays, and writes every record's item offsets (and variable items' lengths) into one
  matrix, a row per record.
- **Fields and checks** (:mod:`.kernels`, compiled): one call reads every field the converter asked for in earlier
  calls, the range checks and the spare-bit checks, with the numpy path's arithmetic. A field asked for the first
  time is read in plain Python (then gathered from the next call on).
- **Rows.** The converters below mirror :mod:`.records` column for column, on Python lists (text formatted by table
  look-up, not a format call per value).
- **Table.** One Arrow conversion for the call: the rows, in input order, as tuples of a struct of the schema.

Exactness over coverage: anything this path does not handle the same way as the vectorised one returns ``None``
and the call is decoded by the vectorised path instead (nothing is counted twice): any decode error (a damaged
block: the vectorised path counts it per block), an out-of-range time or position, CAT001 (UAP chosen per record,
Random Field Sequencing, truncated times), a Reserved Expansion Field whose content the table decodes (CAT021),
nested compound items, and 8-bit text outside ASCII. A test decodes every sample file both ways, whole and one
call per datagram, and compares tables, errors, warnings and counters.
"""

from __future__ import annotations

import math
from collections import Counter
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from airpicture.decode.asterix import records
from airpicture.decode.asterix.parse import (
    _SPARE_WORDS,
    _checks_of,
    _field_location,
    _spare_masks,
)
from airpicture.decode.asterix.spec import Compound, Edition, Explicit, Field, Fixed
from airpicture.decode.asterix.tables import EDITIONS

if TYPE_CHECKING:  # pragma: no cover
    from types import ModuleType

    from airpicture.decode.asterix.decoder import AsterixDecoder, Segments

#: Calls of up to this many octets take this path (measured: ``benchmarks/decode_asterix.py``; about 250–400
#: records of a radar feed, where the vectorised path's fixed cost still outweighs this path's per-record cost).
SMALL_BYTES = 12_000
#: Up to this many records of one category edition, gathered fields go to lists all at once (see _Fields).
BULK_RECORDS = 48
NAN = float("nan")
SECONDS_PER_DAY = 86400.0
NM_M = records.NM_M
#: airpicture.decode.asterix.kernels, imported by the first small call: importing numba costs about a second, and
#: in the same process it slowed the vectorised path's large decodes by up to 6 % (CAT048, measured), so a process
#: that only decodes files does not import it.
kernels: ModuleType | None = None


# ------------------------------------------------------------------------------------------------ walker plans


class _Plan:
    """One edition's record layout (a matrix column for the offset of each item and compound subitem, and for the
    length of each variable one), its walk tables, its checks, and the fields its converter reads."""

    def __init__(self, edition: Edition):
        self.edition = edition
        uaps = list(edition.uaps.values())
        #: CAT001 chooses its UAP per record: not handled here.
        self.supported = edition.uap_selector is None and len(uaps) == 1
        self.items = uaps[0].items
        self.n_frn = max(len(u.items) for u in uaps)
        self.pos: dict[str, int] = {}  # slot → matrix column of its offset
        self.len_pos: dict[str, int] = {}  # variable slot → matrix column of its length
        width = 0
        for name, item in edition.items.items():
            self.pos[name] = width
            width += 1
            if type(item) is not Fixed:
                self.len_pos[name] = width
                width += 1
            if isinstance(item, Compound):
                for sub in item.subitems:
                    if sub is None:
                        continue
                    slot = f"{name}/{sub.name}"
                    self.pos[slot] = width
                    width += 1
                    if type(sub) is not Fixed:
                        self.len_pos[slot] = width
                        width += 1
        self.width = width
        #: (slot, field) pairs the converter reads: the next calls read them all at once (see _Fields).
        self.seen: set[tuple[str, str]] = set()
        self.tables = kernels.walk_tables(self.items, self.n_frn, self.pos, self.len_pos, width)
        self.explicit = [name for name, item in edition.items.items() if isinstance(item, Explicit)]
        self.spare_octets = {
            (slot, octet, min_length): list(enumerate(mask.tolist()))
            for slot, octet, min_length, mask in _spare_masks(edition)
        }
        self.spare_words = _SPARE_WORDS[id(edition)]
        self.checks = [c for c in _checks_of(edition) if c.code != 10]
        self._specs: _Specs | None = None

    def is_callsign(self, slot: str, name: str) -> bool:
        """Whether the field is 8 ICAO 6-bit characters (48 bits)."""
        where = _field_location(self.edition, slot, name)
        return where is not None and where[1].encoding == "chars6" and where[1].bits == 48

    def gather_specs(self) -> _Specs:
        """The fields to gather per call: those the converter read so far, then the range and spare checks."""
        specs = self._specs
        if specs is None or specs.seen != len(self.seen):
            specs = self._specs = _Specs(self)
        return specs


class _Specs:
    """A plan's gather specs as the arrays kernels.gather takes, and the row of each converter field."""

    def __init__(self, plan: _Plan):
        rows: list[tuple] = []  # (pos, len_pos, min_len, octet, first_bit, bits, kind, signed, scale, spare mask)
        self.index: dict[tuple[str, str], int] = {}
        seen = tuple(plan.seen)  # (another thread's call may add to it)
        self.seen = len(seen)
        for key in seen:
            slot, name = key
            where = _field_location(plan.edition, slot, name)
            if where is None or where[0] is None or slot not in plan.pos:
                continue
            _, f, octet, first_bit, min_length = where
            if first_bit + f.bits > 64 or f.bits > 57 or f.encoding == "ascii":
                continue  # read in plain Python
            self.index[key] = len(rows)
            rows.append((plan.pos[slot], plan.len_pos.get(slot, 0), min_length, octet, first_bit, f.bits,
                         kernels.VALUE, f.encoding == "signed", 1.0 if f.scale is None else f.scale, 0))  # fmt: skip
        for c in plan.checks:
            f = c.field
            if c.slot not in plan.pos or c.first_bit + f.bits > 64 or f.bits > 57:
                raise ValueError(f"{c.slot}: a range check the compiled gather cannot read")
            kind = kernels.TIME_OF_DAY if c.code == 11 else kernels.LATITUDE if f.name.lower() == "lat" else (
                kernels.LONGITUDE)  # fmt: skip
            rows.append((plan.pos[c.slot], plan.len_pos.get(c.slot, 0), c.min_length, c.octet, c.first_bit, f.bits,
                         kind, f.encoding == "signed", 1.0 if f.scale is None else f.scale, 0))  # fmt: skip
        self.python_spares = []
        for slot, octet, min_length, width, word_mask in plan.spare_words:
            if slot not in plan.pos:  # inside a Reserved Expansion Field: such records go the vectorised way
                continue
            if not width:
                self.python_spares.append((slot, octet, min_length))
                continue
            rows.append((plan.pos[slot], plan.len_pos.get(slot, 0), min_length, octet, 0, 8 * width, kernels.SPARE,
                         False, 1.0, word_mask))  # fmt: skip
        columns = list(zip(*rows, strict=True)) if rows else [()] * 10
        dtypes = [np.int64] * 7 + [np.bool_, np.float64, np.uint64]
        self.arrays = tuple(np.array(col, dtype=dt) for col, dt in zip(columns, dtypes, strict=True))


_MISSING = object()
_PLANS: dict[int, _Plan] = {}


def _plan(edition: Edition) -> _Plan:
    plan = _PLANS.get(id(edition))
    if plan is None:
        plan = _PLANS[id(edition)] = _Plan(edition)
    return plan


# ------------------------------------------------------------------------------------------------ field reads

_CHARS6 = " ABCDEFGHIJKLMNOPQRSTUVWXYZ     " + " " * 16 + "0123456789      "
_CHARS2 = [_CHARS6[c >> 6] + _CHARS6[c & 63] for c in range(4096)]


class _Fail(Exception):
    """Something this path does not reproduce exactly: the call goes to the vectorised path."""


class _Fields:
    """Field values of one category edition's records of a call, as lists (the FieldReader of this path).

    The fields this edition's converter asked for in earlier calls, the range checks and the spare-bit checks are
    read in one compiled pass over the records (kernels.gather); a field read for the first time is read in plain
    Python. Both give the numpy path's values exactly."""

    def __init__(self, data: bytes, buf: np.ndarray, plan: _Plan, matrix: np.ndarray, edition_name: str):
        self.data = data
        self.buf = buf
        self.plan = plan
        self.n = len(matrix)
        self.matrix = matrix
        self._columns: dict[int, list[int]] = {}
        self.edition = edition_name
        self._cache: dict[tuple, tuple[list, list]] = {}
        specs = plan.gather_specs()
        self.index = specs.index
        self._lists: tuple[list, list, list] | None = None
        self.raw, self.values, self.present_matrix, warn, bad = kernels.gather(buf, matrix, specs.arrays)
        if bad:
            raise _Fail("a time or position out of range: the vectorised path counts it")
        self.warned: set[int] = set(np.flatnonzero(warn).tolist()) if warn.any() else set()

    def _from_gathered(self, key: tuple, f: Field) -> tuple[list, list] | None:
        j = self.index.get(key)
        if j is None:
            return None
        raw, present = self._raw(*key)
        if f.encoding == "chars6":
            return _chars6(raw, present, f.bits // 6), present
        if f.scale is not None or f.encoding == "signed":
            bulk = self._bulk()
            return (bulk[1][j] if bulk is not None else self.values[j].tolist()), present
        return raw, present

    def offsets(self, slot: str) -> tuple | None:
        at = self.plan.pos.get(slot)
        return None if at is None else self._column(at)

    def lengths(self, slot: str) -> tuple:
        return self._column(self.plan.len_pos[slot])

    def _column(self, at: int) -> list[int]:
        got = self._columns.get(at)
        if got is None:
            got = self._columns[at] = self.matrix[:, at].tolist()
        return got

    def get(self, slot: str, name: str) -> tuple[list, list]:
        """(values, present) with the numpy path's absent values: NaN (scaled, signed), 0 (integers), ''."""
        key = (slot, name)
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = self._read(slot, name)
            self.plan.seen.add(key)  # read in one gather with the others from the next call on
        return got

    def _read(self, slot: str, name: str) -> tuple[list, list]:
        n = self.n
        where = _field_location(self.plan.edition, slot, name)
        off = self.offsets(slot)
        if where is None or off is None:
            f = None if where is None else where[1]
            return [_absent(f)] * n, [False] * n
        if where[0] is None:
            raise KeyError(f"{slot}: no field {name} in a fixed, extended or repetitive item")
        _, f, octet, first_bit, min_length = where
        got = self._from_gathered((slot, name), f)
        return got if got is not None else self.read_at(slot, f, octet, first_bit, min_length)

    def read_at(self, slot: str, f: Field, octet: int, first_bit: int, min_length: int) -> tuple[list, list]:
        """Values of field ``f`` at ``first_bit`` of the part at ``octet`` of ``slot`` (present when the item is at
        least ``min_length`` long), with the numpy path's arithmetic."""
        n = self.n
        off = self.offsets(slot)
        if min_length:
            present = [o >= 0 and k >= min_length for o, k in zip(off, self.lengths(slot), strict=True)]
        else:
            present = [o >= 0 for o in off]
        if not any(present):
            return [_absent(f)] * n, present
        if f.bits > 57:
            raise _Fail("fields over 57 bits are read by the vectorised path")
        data = self.data
        bits = f.bits
        b0 = first_bit // 8
        nb = (first_bit + bits - 1) // 8 - b0 + 1
        shift = nb * 8 - (first_bit - b0 * 8) - bits
        mask = (1 << bits) - 1
        a = octet + b0
        if nb == 1:
            raw = [(data[o + a] >> shift) & mask if p else None for o, p in zip(off, present, strict=True)]
        else:
            raw = [
                (int.from_bytes(data[o + a : o + a + nb], "big") >> shift) & mask if p else None
                for o, p in zip(off, present, strict=True)
            ]
        enc = f.encoding
        if enc == "chars6":
            vals = _chars6([0 if v is None else v for v in raw], present, bits // 6)
        elif enc == "ascii":
            vals = [_ascii(v, bits // 8) if v is not None else "" for v in raw]
        elif enc == "signed":
            top, full, scale = 1 << (bits - 1), 1 << bits, f.scale
            if scale is None:
                vals = [float(v - full if v >= top else v) if v is not None else NAN for v in raw]
            else:
                vals = [(v - full if v >= top else v) * scale if v is not None else NAN for v in raw]
        elif f.scale is not None:
            scale = f.scale
            vals = [float(v) * scale if v is not None else NAN for v in raw]
        else:
            vals = [v if v is not None else 0 for v in raw]
        return vals, present

    # The converters' helpers (records._f, _i, squawk_text, …) over lists. A gathered field is taken from the
    # gather's matrices: for a few records all of them to lists at once (three calls), for more one field at a
    # time with one or two numpy calls (instead of a list comprehension per field).
    def _bulk(self) -> tuple[list, list, list] | None:
        if self.n > BULK_RECORDS:
            return None
        if self._lists is None:
            k = len(self.index)
            self._lists = (self.raw[:k].tolist(), self.values[:k].tolist(), self.present_matrix[:k].tolist())
        return self._lists

    def f(self, slot: str, name: str) -> list[float]:
        """Float values, NaN where absent."""
        j = self.index.get((slot, name))
        if j is not None:
            # the gather's values are float(raw) × scale (1.0 when unscaled), NaN where absent: as records._f
            bulk = self._bulk()
            return bulk[1][j] if bulk is not None else self.values[j].tolist()
        vals, present = self.get(slot, name)
        if not vals or isinstance(vals[0], float):  # scaled or signed: absent values are NaN already
            return vals
        return [float(v) if p else NAN for v, p in zip(vals, present, strict=True)]

    def i(self, slot: str, name: str, fill: int = -1) -> list[int]:
        """Integer values (unsigned fields), ``fill`` where absent."""
        j = self.index.get((slot, name))
        if j is not None and self.n > BULK_RECORDS:
            raw = self.raw[j].astype(np.int64)
            return (raw if fill == 0 else np.where(self.present_matrix[j], raw, fill)).tolist()
        vals, present = self._raw(slot, name)
        if fill == 0:  # absent integers are 0 already
            return vals
        return [v if p else fill for v, p in zip(vals, present, strict=True)]

    def present(self, slot: str) -> list[bool]:
        at = self.plan.pos.get(slot)
        if at is None:
            return [False] * self.n
        if self.n > BULK_RECORDS:
            return (self.matrix[:, at] >= 0).tolist()
        return [o >= 0 for o in self._column(at)]

    def _raw(self, slot: str, name: str) -> tuple[list, list]:
        """(values, present) of an integer or text field, from the gather when it has it."""
        j = self.index.get((slot, name))
        if j is not None:
            bulk = self._bulk()
            if bulk is not None:
                return bulk[0][j], bulk[2][j]
            return self.raw[j].tolist(), self.present_matrix[j].tolist()
        return self.get(slot, name)

    def squawk(self, slot: str, name: str, valid_field: str | None = "V") -> list[str]:
        j = self.index.get((slot, name))
        jv = self.index.get((slot, valid_field)) if valid_field is not None else None
        if j is not None and (valid_field is None or jv is not None) and self.n > BULK_RECORDS:
            ok = self.present_matrix[j]
            if jv is not None:
                ok = ok & (self.raw[jv] == 0)
            code, ok = self.raw[j].tolist(), ok.tolist()
        else:
            code, present = self._raw(slot, name)
            ok = present
            if valid_field is not None:
                v, _ = self._raw(slot, valid_field)
                ok = [p and x == 0 for p, x in zip(present, v, strict=True)]
        octal = _OCTAL4
        return [(octal[c] if c < 4096 else f"{c:04o}") if k else "" for c, k in zip(code, ok, strict=True)]

    def icao(self, slot: str, name: str) -> list[str]:
        addr, present = self._raw(slot, name)
        hex3 = _HEX3
        return [
            (hex3[a >> 12] + hex3[a & 4095] if a < 1 << 24 else f"{a:06x}") if p else ""
            for a, p in zip(addr, present, strict=True)
        ]

    def callsign(self, slot: str, name: str) -> list[str]:
        j = self.index.get((slot, name))
        if j is not None and self.plan.is_callsign(slot, name):  # 8 ICAO characters, gathered
            raw, present = self._raw(slot, name)
            t = _CHARS2
            return [
                (t[v >> 36] + t[(v >> 24) & 4095] + t[(v >> 12) & 4095] + t[v & 4095]).strip() if p else ""
                for v, p in zip(raw, present, strict=True)
            ]
        vals, present = self.get(slot, name)
        return [v.strip() if p else "" for v, p in zip(vals, present, strict=True)]


#: Formatting by table look-up (a format call costs about 0.3 µs a value here): Mode 3/A codes as 4 octal digits,
#: 12 bits of an address as 3 hex digits, 12 bits of a callsign as 2 ICAO 6-bit characters.
_OCTAL4 = [f"{c:04o}" for c in range(4096)]
_HEX3 = [f"{c:03x}" for c in range(4096)]


def _chars6(raw: list[int], present: list[bool], width: int) -> list[str]:
    """ICAO 6-bit character fields ('' where absent), as parse.field_value decodes them."""
    if width == 8:
        t = _CHARS2
        return [
            t[v >> 36] + t[(v >> 24) & 4095] + t[(v >> 12) & 4095] + t[v & 4095] if p else ""
            for v, p in zip(raw, present, strict=True)
        ]
    shifts = [6 * (width - 1 - k) for k in range(width)]
    return ["".join([_CHARS6[(v >> s) & 63] for s in shifts]) if p else "" for v, p in zip(raw, present, strict=True)]


def _absent(f: Field | None):
    if f is None or f.scale is not None or f.encoding == "signed":
        return NAN
    if f.encoding in ("chars6", "ascii"):
        return ""
    return 0


def _ascii(v: int, width: int) -> str:
    raw = v.to_bytes(width, "big").rstrip(b"\0")
    if max(raw, default=0) >= 128:
        raise _Fail("8-bit text outside ASCII")
    return raw.decode("ascii")


def _first(*candidates: list) -> list:
    """Element-wise first non-NaN float (or first non-empty text)."""
    out = list(candidates[0])
    text = bool(out) and isinstance(out[0], str)
    for c in candidates[1:]:
        if text:
            out = [a if a != "" else b for a, b in zip(out, c, strict=True)]
        else:
            out = [a if a == a else b for a, b in zip(out, c, strict=True)]
    return out


def _speed_track(vx: list[float], vy: list[float]) -> tuple[list[float], list[float]]:
    """records._speed_track itself (numpy's hypot and arctan2 are kept so that the rows are identical)."""
    gs, trk = records._speed_track(np.array(vx, dtype=np.float64), np.array(vy, dtype=np.float64))
    return gs.tolist(), trk.tolist()


def _emergency(squawk: list[str]) -> list[str]:
    get = records._EMERGENCY_SQUAWK.get
    return [get(s, "") for s in squawk]


def _times(values: list[float], k: float) -> list[float]:
    return [v * k for v in values]


# ------------------------------------------------------------------------------------------------ converters
# Each mirrors its namesake in records.py column for column (same arithmetic, same absent values).

_CAT048_KIND = [str(k) for k in records._CAT048_KIND.tolist()]
_CAT034_TYPE = [str(k) for k in records._CAT034_TYPE.tolist()]
_CAT010_KIND = [str(k) for k in records._CAT010_KIND.tolist()]
_PRIORITY = [str(k) for k in records._PRIORITY.tolist()]
_NACP_EPU_M = records._NACP_EPU_M.tolist()


def _flags(r: _Fields, slot: str, name: str) -> list[float]:
    return r.f(slot, name)


def cat048(r: _Fields) -> dict[str, list]:
    n = r.n
    squawk = r.squawk("070", "Mode3A")
    fl = r.f("090", "FL")
    fl_valid = r.i("090", "V", fill=1)
    return {
        "category": [48] * n,
        "sac": r.i("010", "SAC"),
        "sic": r.i("010", "SIC"),
        "time_of_day_s": r.f("140", "ToD"),
        "kind": [_CAT048_KIND[t] for t in r.i("020", "TYP", fill=8)],
        "record_type": ["track" if a or b else "plot" for a, b in zip(r.present("161"), r.present("170"), strict=True)],
        "range_m": _times(r.f("040", "RHO"), NM_M),
        "azimuth_deg": r.f("040", "THETA"),
        "x_m": _times(r.f("042", "X"), NM_M),
        "y_m": _times(r.f("042", "Y"), NM_M),
        "alt_baro_ft": [x * 100.0 if v == 0 else NAN for x, v in zip(fl, fl_valid, strict=True)],
        "squawk": squawk,
        "emergency": _emergency(squawk),
        "icao24": r.icao("220", "ACAddr"),
        "callsign": r.callsign("240", "TId"),
        "track_number": r.i("161", "Tn"),
        "ground_speed_kt": _times(r.f("200", "CGS"), 3600.0),
        "track_deg": r.f("200", "CHdg"),
        "spi": _flags(r, "020", "SPI"),
        "simulated": _flags(r, "020", "SIM"),
    }


def _status_base(r: _Fields, category: int, msg_type: list[str]) -> dict[str, list]:
    return {
        "category": [category] * r.n,
        "sac": r.i("010", "SAC"),
        "sic": r.i("010", "SIC"),
        "record_type": msg_type,
        "message_type": msg_type,
    }


def _operational(nogo: list[float]) -> list[float]:
    return [NAN if v != v else float(v == 0) for v in nogo]


def cat034(r: _Fields) -> dict[str, list]:
    codes = [min(max(c, 0), 8) for c in r.i("000", "MsgTyp", fill=8)]
    cols = _status_base(r, 34, [_CAT034_TYPE[c] for c in codes])
    cols["time_of_day_s"] = r.f("030", "ToD")
    cols["sector_azimuth_deg"] = r.f("020", "Azi")
    cols["antenna_rotation_period_s"] = r.f("041", "RotS")
    cols["operational"] = _operational(r.f("050/COM", "NOGO"))
    cols["sensor_lat_deg"] = r.f("120", "LAT")
    cols["sensor_lon_deg"] = r.f("120", "LON")
    return cols


def _message_type(codes: list[int], names: dict[int, str]) -> list[str]:
    return [names.get(c, "status") for c in codes]


def cat002(r: _Fields) -> dict[str, list]:
    cols = _status_base(r, 2, _message_type(r.i("000", "MsgTyp"), records._CAT002_TYPE))
    cols["time_of_day_s"] = r.f("030", "ToD")
    cols["sector_azimuth_deg"] = r.f("020", "Azi")
    cols["antenna_rotation_period_s"] = r.f("041", "RotS")
    return cols


def cat065(r: _Fields) -> dict[str, list]:
    cols = _status_base(r, 65, _message_type(r.i("000", "Typ"), records._CAT065_TYPE))
    cols["time_of_day_s"] = r.f("030", "ToD")
    cols["operational"] = _operational(r.f("040", "NOGO"))
    return cols


def cat010(r: _Fields) -> dict[str, list]:
    n = r.n
    msg = r.i("000", "MsgTyp", fill=1)
    typ = r.i("020", "TYP", fill=8)
    if r.edition == "1.1":
        gs_cart, trk_cart = _speed_track(r.f("202", "Vx"), r.f("202", "Vy"))
    else:
        gs_cart = trk_cart = [NAN] * n
    fl = r.f("090", "FL")
    squawk = r.squawk("060", "Mode3A")
    track = r.present("161")
    return {
        "category": [10] * n,
        "sac": r.i("010", "SAC"),
        "sic": r.i("010", "SIC"),
        "time_of_day_s": r.f("140", "ToD"),
        "kind": [_CAT010_KIND[t] if m == 1 else "" for m, t in zip(msg, typ, strict=True)],
        "record_type": [("track" if t else "plot") if m == 1 else "status" for m, t in zip(msg, track, strict=True)],
        "message_type": _message_type(msg, records._CAT010_TYPE),
        "lat_deg": r.f("041", "Lat"),
        "lon_deg": r.f("041", "Lon"),
        "range_m": r.f("040", "RHO"),
        "azimuth_deg": r.f("040", "THETA"),
        "x_m": r.f("042", "X"),
        "y_m": r.f("042", "Y"),
        "alt_baro_ft": [x * 100.0 if v == 0 else NAN for x, v in zip(fl, r.i("090", "V", fill=1), strict=True)],
        "squawk": squawk,
        "emergency": _emergency(squawk),
        "icao24": r.icao("220", "TAddr"),
        "callsign": r.callsign("245", "TId"),
        "track_number": r.i("161", "TrkNb"),
        "ground_speed_kt": _first(_times(r.f("200", "GS"), 3600.0), gs_cart),
        "track_deg": _first(r.f("200", "TA"), trk_cart),
        "spi": _flags(r, "020", "SPI"),
        "simulated": _flags(r, "020", "SIM"),
    }


def cat021(r: _Fields) -> dict[str, list]:
    n = r.n
    if r.edition == "0.26":
        tod = r.f("030", "ToD")
        lat, lon = r.f("130", "Lat"), r.f("130", "Lon")
        sq = r.squawk("070", "Mode3A")
        nacp = [-1] * n
        nic = [-1] * n
        spi = _flags(r, "040", "SPI")
    else:
        tod = _first(
            r.f("073", "ToMRP"), r.f("071", "ToAP"), r.f("075", "ToMRV"), r.f("072", "ToAV"), r.f("077", "ToART")
        )
        lat = _first(r.f("131", "Lat"), r.f("130", "Lat"))
        lon = _first(r.f("131", "Lon"), r.f("130", "Lon"))
        sq = r.squawk("070", "Mode3A", valid_field=None)
        nacp = r.i("090", "NACP")
        nic = r.i("090", "NUCP_NIC")
        spi = [NAN] * n
    vrate = _first(r.f("155", "BVR"), r.f("157", "GVR"))
    emergency = [_PRIORITY[min(max(p, 0), 8)] for p in r.i("200", "PS", fill=8)]
    emergency = [e if e != "" else s for e, s in zip(emergency, _emergency(sq), strict=True)]
    return {
        "category": [21] * n,
        "sac": r.i("010", "SAC"),
        "sic": r.i("010", "SIC"),
        "time_of_day_s": tod,
        "kind": ["adsb"] * n,
        "record_type": ["adsb"] * n,
        "lat_deg": lat,
        "lon_deg": lon,
        "alt_baro_ft": _times(r.f("145", "FL"), 100.0),
        "alt_geo_ft": r.f("140", "GH"),
        "icao24": r.icao("080", "TAddr"),
        "callsign": r.callsign("170", "TId"),
        "squawk": sq,
        "ground_speed_kt": _times(r.f("160", "GS"), 3600.0),
        "track_deg": r.f("160", "TA"),
        "vertical_rate_fpm": vrate,
        "sigma_h_m": [_NACP_EPU_M[min(max(v, 0), 16)] / 2.4477 for v in nacp],
        "nacp": nacp,
        "nic": nic,
        "emergency": emergency,
        "spi": spi,
        "simulated": _flags(r, "040", "SIM"),
        "track_number": r.i("161", "TrackN"),
    }


def cat062(r: _Fields) -> dict[str, list]:
    n = r.n
    if r.edition == "0.17":
        gs = _times(r.f("180", "Speed"), 3600.0)
        trk = r.f("180", "Heading")
        baro_ft = r.f("135", "Alt")
        vrate = r.f("220", "ROC")
        coasting = [c == 1 for c in r.i("080", "COA", fill=0)]
        squawk = r.squawk("060", "Mode3A", valid_field=None)
        sigma = [NAN] * n
        x_m, y_m = _times(r.f("100", "X"), NM_M), _times(r.f("100", "Y"), NM_M)
        callsign = _first(r.callsign("380/ID", "ACID"), r.callsign("390/CSN", "CS"))
    else:
        gs, trk = _speed_track(r.f("185", "Vx"), r.f("185", "Vy"))
        baro_ft = r.f("135", "CTBA")
        vrate = r.f("220", "RoC")
        coasting = [c == 1 for c in r.i("080", "CST", fill=0)]
        squawk = r.squawk("060", "Mode3A")
        sigma = [
            math.sqrt((x * x + y * y) / 2.0) for x, y in zip(r.f("500/APC", "X"), r.f("500/APC", "Y"), strict=True)
        ]
        x_m, y_m = r.f("100", "X"), r.f("100", "Y")
        callsign = _first(r.callsign("245", "TId"), r.callsign("380/ID", "ACID"), r.callsign("390/CSN", "CS"))
    mfl_ft = _times(r.f("136", "MFL"), 100.0)
    icao = r.icao("380/ADR", "ADR")
    track_id = r.i("040", "TrkN")
    status = [
        "tentative" if t == 1 else "coasting" if c else "confirmed"
        for t, c in zip(r.i("080", "CNF", fill=0), coasting, strict=True)
    ]
    return {
        "category": [62] * n,
        "sac": r.i("010", "SAC"),
        "sic": r.i("010", "SIC"),
        "time_of_day_s": r.f("070", "ToT"),
        "record_type": ["system_track"] * n,
        "track_id": track_id,
        "track_number": track_id,
        "lat_deg": r.f("105", "Lat"),
        "lon_deg": r.f("105", "Lon"),
        "x_m": x_m,
        "y_m": y_m,
        "alt_ft": _first(mfl_ft, baro_ft, r.f("130", "Alt")),
        "alt_baro_ft": _first(mfl_ft, baro_ft),
        "alt_geo_ft": r.f("130", "Alt"),
        "ground_speed_kt": gs,
        "track_deg": trk,
        "vertical_rate_fpm": vrate,
        "sigma_h_m": sigma,
        "status": status,
        "icao24": icao,
        "callsign": callsign,
        "squawk": squawk,
        "emergency": _emergency(squawk),
        "cooperative": [float(s != "" or a != "") for s, a in zip(squawk, icao, strict=True)],
        "flight_plan": r.callsign("390/CSN", "CS"),
        "spi": _flags(r, "080", "SPI"),
        "simulated": _flags(r, "080", "SIM"),
    }


CONVERTERS = {2: cat002, 10: cat010, 21: cat021, 34: cat034, 48: cat048, 62: cat062, 65: cat065}


# ------------------------------------------------------------------------------------------------ the call


class _Group:
    """The records of one category edition in a call."""

    __slots__ = ("blocks", "category", "edition", "matrix", "plan", "rec_number")

    def __init__(self, category: int, edition: str, plan: _Plan):
        self.category = category
        self.edition = edition
        self.plan = plan
        self.blocks = 0
        self.matrix = np.zeros((0, plan.width), np.int64)  # offsets and lengths, a row per record
        self.rec_number = np.zeros(0, np.int64)  # the number in the call of each record's block


def decode_small(dec: AsterixDecoder, seg: Segments) -> pa.Table | None:
    """The call's table, with the decoder's counters updated, or None (nothing counted) for the vectorised path."""
    global kernels
    if kernels is None:
        from airpicture.decode.asterix import kernels as compiled

        kernels = compiled
    try:
        return _decode(dec, seg)
    except _Fail:
        return None


def _decode(dec: AsterixDecoder, seg: Segments) -> pa.Table | None:
    buf = seg.buf
    data = buf.tobytes()
    errors: Counter[str] = Counter()
    unsupported: Counter[int] = Counter()
    # the data blocks (compiled): where, which category, which source
    b_start, b_end, b_cat, b_sac, b_sic, b_seg, seg_err = kernels.split(buf, seg.start, seg.end)
    if seg_err.any():
        for code in seg_err[seg_err > 0].tolist():
            errors[kernels.FRAMING_ERRORS[code]] += 1
    by_source = any(isinstance(k, tuple) for k in dec.editions)
    groups: dict[tuple[int, str], tuple[_Group, list[np.ndarray]]] = {}
    first = b_cat[0] if len(b_cat) else 0
    single = len(b_cat) == 0 or bool((b_cat == first).all())
    for c in [int(first)] if single and len(b_cat) else np.unique(b_cat).tolist():
        blocks = np.arange(len(b_cat)) if single else np.flatnonzero(b_cat == c)
        if c not in EDITIONS:
            unsupported[c] += len(blocks)
            continue
        if by_source:
            keys = b_sac[blocks] * 256 + b_sic[blocks]
            eds = [dec.edition_for(k // 256, k % 256, c) for k in keys.tolist()]
        else:
            eds = [dec.edition_for(-1, -1, c)]
        for ed_name in dict.fromkeys(eds):
            mine = blocks if len(eds) == 1 else blocks[np.array([e == ed_name for e in eds])]
            got = groups.get((c, ed_name))
            if got is None:
                plan = _plan(EDITIONS[c][ed_name])
                if not plan.supported or c not in CONVERTERS:
                    return None
                got = groups[(c, ed_name)] = (_Group(c, ed_name, plan), [])
            got[1].append(mine)
    # the records: one compiled walk per category edition
    for g, chunks in groups.values():
        numbers = chunks[0] if len(chunks) == 1 else np.sort(np.concatenate(chunks))
        walked = kernels.walk(buf, b_start[numbers], b_end[numbers], g.plan.tables)
        if walked is None:
            return None
        g.matrix, rec_block = walked
        g.rec_number = numbers[rec_block]
        g.blocks = len(numbers)
    receive = seg.receive_time_s[b_seg]
    warnings: Counter[str] = Counter()
    undecoded: Counter[str] = Counter()
    parts = []
    for g, _ in groups.values():
        parts.append(_convert(dec, data, buf, g, (b_sac, b_sic, receive), warnings, undecoded))
    table = _table(parts)
    # success: only now does the call count anything
    dec.errors.update(errors)
    dec.unsupported.update(unsupported)
    dec.warnings.update(warnings)
    dec.undecoded.update(undecoded)
    for g, _ in groups.values():
        dec.blocks_decoded += g.blocks
        dec.records_decoded += len(g.matrix)
    return table


def _validate(reader: _Fields) -> set[int]:
    """Records with spare bits set (warnings per block). The range checks (an out-of-range time or position is the
    vectorised path's counted error) and spare words of up to 8 octets ran in the gather; wider ones run here."""
    warned = reader.warned
    plan = reader.plan
    data = reader.data
    for slot, octet, min_length in plan.gather_specs().python_spares:
        off = reader.offsets(slot)
        lengths = reader.lengths(slot) if min_length else None
        masks = plan.spare_octets[slot, octet, min_length]
        for k, o in enumerate(off):
            if o < 0 or k in warned or (lengths is not None and lengths[k] < min_length):
                continue
            a = o + octet
            if any(data[a + j] & mk for j, mk in masks):
                warned.add(k)
    return warned


def _convert(dec, data: bytes, buf: np.ndarray, g: _Group, block_info, warnings: Counter, undecoded: Counter):
    n = len(g.matrix)
    plan = g.plan
    reader = _Fields(data, buf, plan, g.matrix, g.edition)
    warned = _validate(reader)
    b_sac, b_sic, b_receive = block_info
    if warned:  # one warning per block holding such records
        for block in sorted(set(g.rec_number[sorted(warned)].tolist())):
            s = int(b_sac[block]) * 256 + int(b_sic[block])
            warnings[f"CAT{g.category:03d} {s // 256}/{s % 256} ed{g.edition}: spare bits set"] += 1
    for name in plan.explicit:
        count = int(np.count_nonzero(g.matrix[:, plan.pos[name]] >= 0))
        if count:
            undecoded[f"CAT{g.category:03d} {name}"] += count
    cols = CONVERTERS[g.category](reader)
    # per record: its block's peeked source (records without I010) and receive time
    blocks = g.rec_number
    peek_sac, peek_sic = b_sac[blocks].tolist(), b_sic[blocks].tolist()
    sac = cols["sac"] = [v if v >= 0 else q for v, q in zip(cols["sac"], peek_sac, strict=True)]
    sic = cols["sic"] = [v if v >= 0 else q for v, q in zip(cols["sic"], peek_sic, strict=True)]
    receive = b_receive[blocks].tolist()
    tod = cols.get("time_of_day_s")
    if tod is None:
        cols["time_s"] = receive
    elif n > 32:  # decoder._times itself, for identical times
        cols["time_s"] = dec._times(np.array(tod, dtype=np.float64), np.array(receive, dtype=np.float64)).tolist()
    else:
        cols["time_s"] = _times_s(dec.reference_date_s, tod, receive)
    cols["sensor"] = _sensors(dec.sensor_names, sac, sic)
    cols["edition"] = [g.edition] * n
    return g.rec_number, cols


def _times_s(reference: float | None, tod: list[float], receive: list[float]) -> list[float]:
    """decoder._times per record: the time of day on the receive time's day (nearest), else the reference day."""
    out = []
    half = SECONDS_PER_DAY / 2
    for t, r in zip(tod, receive, strict=True):
        if t != t:
            out.append(r)
            continue
        if reference is not None:
            out.append(reference + t)
            continue
        if r != r:
            out.append(0.0 + t)
            continue
        v = math.floor(r / SECONDS_PER_DAY) * SECONDS_PER_DAY + t
        if v - r > half:
            v -= SECONDS_PER_DAY
        if r - v > half:
            v += SECONDS_PER_DAY
        out.append(v)
    return out


def _sensors(names: dict, sac: list[int], sic: list[int]) -> list[str | None]:
    cache: dict[int, str | None] = {}
    out = []
    for a, b in zip(sac, sic, strict=True):
        key = a * 256 + b
        name = cache.get(key, _MISSING)
        if name is _MISSING:
            s, i = divmod(key, 256)
            name = cache[key] = names.get((s, i), f"asterix-{s}-{i}") if key >= 0 else None
        out.append(name)
    return out


# ------------------------------------------------------------------------------------------------ the table


def _table(parts: list[tuple[np.ndarray, dict[str, list]]]) -> pa.Table:
    """One Arrow conversion for the whole call: the rows, in input order, as tuples of a struct of the output
    schema. (Measured here: pa.array costs about 9 µs a call and assembling 43 arrays into a table about 50 µs,
    whatever the rows; a struct conversion about 80 ns a value and little more than that per call.)"""
    from airpicture.decode.asterix.decoder import ASTERIX_ROWS  # (decoder imports this module)

    if not parts:
        return ASTERIX_ROWS.empty_table()
    kinds = _column_kinds()
    rows: list[tuple] = []
    for number, cols in parts:
        absent = [None] * len(number)
        lists = []
        for name, kind in kinds:
            values = cols.get(name)
            if values is None:
                values = absent
            elif kind == "b":
                values = [None if v != v else v != 0 for v in values]
            # integers and text: a scan in C first, most columns have no absent value
            elif kind == "i" and values and min(values) < 0:
                values = [v if v >= 0 else None for v in values]
            elif kind == "s" and "" in values:
                values = [v if v else None for v in values]
            lists.append(values)
        rows += zip(*lists, strict=True)
    n = len(rows)
    if len(parts) > 1 and n > 1:  # records in input order: by block number (stable within a block)
        order = np.argsort(np.concatenate([number for number, _ in parts]), kind="stable").tolist()
        rows = list(itemgetter(*order)(rows))
    rows = pa.array(rows, type=_struct(), from_pandas=True)
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(rows)])


_BOOL = {"spi", "simulated", "cooperative", "coasting", "operational"}
_STRUCT: list[pa.DataType] = []
_KINDS: list[tuple[str, str]] = []


def _struct() -> pa.DataType:
    if not _STRUCT:
        from airpicture.decode.asterix.decoder import ASTERIX_ROWS

        _STRUCT[:] = [pa.struct(list(ASTERIX_ROWS))]
    return _STRUCT[0]


def _column_kinds() -> list[tuple[str, str]]:
    """(name, kind) of every output column: b(ool), i(nteger), s(tring) or f(loat); computed once."""
    if _KINDS:
        return _KINDS
    from airpicture.decode.asterix.decoder import ASTERIX_ROWS

    out = []
    for field in ASTERIX_ROWS:
        t = field.type
        kind = "b" if field.name in _BOOL else "i" if pa.types.is_integer(t) else "s" if pa.types.is_string(t) else "f"
        out.append((field.name, kind))
    _KINDS[:] = out  # one assignment: threads that race here write the same list
    return _KINDS


def warm_up() -> None:
    """Decode a CAT034 north marker and CAT048 plots (fixed, extended, repetitive and compound items) through this
    path, so that the compiled kernels exist before the first real call."""
    from airpicture.core.schema import MEASUREMENT, table_from_columns
    from airpicture.decode.asterix.decoder import AsterixDecoder, Segments
    from airpicture.decode.asterix.encode import encode_cat034_north_marker, encode_cat048

    plots = table_from_columns(
        MEASUREMENT,
        {"time_s": [1.0, 2.0], "kind": ["modes", "psr"], "range_m": [1e4, 2e4], "azimuth_deg": [10.0, 20.0],
         "squawk": ["1200", None], "alt_baro_ft": [3000.0, float("nan")], "icao24": ["3c0001", None],
         "callsign": ["AFR1", None]},
    )  # fmt: skip
    data = encode_cat034_north_marker([1.0], sac=1, sic=2) + encode_cat048(plots, sac=1, sic=2)
    for _ in range(2):  # the second call reads the converter's fields in the compiled gather
        decode_small(AsterixDecoder(), Segments.from_payloads([data], [1.0]))
