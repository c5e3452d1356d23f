"""The small-call path: a datagram, a 100 ms slice or a short capture decoded in plain Python, row by row.

Why: the vectorised path (:mod:`.parse`, :mod:`.records`) costs a few hundred numpy and Arrow calls per category
edition per call, about 1.5 ms, whatever the number of records. Below a few thousand octets that fixed cost, not
the data, is the decode time. This path has no per-call numpy at all:

- **Walk.** Per category edition and per FSPEC (a radar repeats a dozen record shapes), a walker function is
  generated once from the edition table: straight-line code that steps over the record's items (fixed lengths as
  constants, FX chains, REP counts, explicit lengths inline; compound items through a helper built per item) and
  returns the record's end and one tuple of item offsets and lengths. The tuples of a call are transposed into one
  column per item with ``zip`` (C speed).
- **Fields and rows.** Each field a converter needs is one list comprehension over its item's offset column, with
  the same arithmetic as the numpy path; the converters below mirror :mod:`.records` column for column.
- **Table.** One Arrow conversion per output column, from Python lists, in input order.

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
    _BITS7,
    _SPARE_WORDS,
    CHARS6,
    _checks_of,
    _field_location,
    _spare_masks,
    _words,
)
from airpicture.decode.asterix.spec import Compound, Edition, Explicit, Extended, Field, Fixed, Repetitive
from airpicture.decode.asterix.tables import EDITIONS

if TYPE_CHECKING:  # pragma: no cover
    from airpicture.decode.asterix.decoder import AsterixDecoder, Segments

#: Calls of up to this many octets take this path (measured: ``benchmarks/decode_asterix.py``; about 250–400
#: records of a radar feed, where the vectorised path's fixed cost still outweighs this path's per-record cost).
SMALL_BYTES = 12_000
#: Above this many records of one category edition in a call, fields are read in one numpy gather (see _Fields).
MATRIX_RECORDS = 12
NAN = float("nan")
SECONDS_PER_DAY = 86400.0
NM_M = records.NM_M


# ------------------------------------------------------------------------------------------------ walker plans


class _Plan:
    """One edition's record layout (an offset per item and compound subitem, a length per variable one) and its
    generated walkers, one per FSPEC seen."""

    def __init__(self, edition: Edition):
        self.edition = edition
        uaps = list(edition.uaps.values())
        #: CAT001 chooses its UAP per record: not handled here.
        self.supported = edition.uap_selector is None and len(uaps) == 1
        self.items = uaps[0].items
        self.n_frn = max(len(u.items) for u in uaps)
        #: FSPEC octets at most: each octet but the last has FX set, and parse stops at 7 × octets >= FRNs.
        self.max_fspec = (self.n_frn + 6) // 7
        self.pos: dict[str, int] = {}  # slot → index of its offset in a record's tuple
        self.len_pos: dict[str, int] = {}  # variable slot → index of its length
        self.compound_width: dict[str, int] = {}
        width = 0
        for name, item in edition.items.items():
            self.pos[name] = width
            width += 1
            if type(item) is not Fixed:
                self.len_pos[name] = width
                width += 1
            if isinstance(item, Compound):
                start = width
                for sub in item.subitems:
                    if sub is None:
                        continue
                    slot = f"{name}/{sub.name}"
                    self.pos[slot] = width
                    width += 1
                    if type(sub) is not Fixed:
                        self.len_pos[slot] = width
                        width += 1
                self.compound_width[name] = width - start
        self.width = width
        self.walkers: dict[bytes, object] = {}
        #: (slot, field) pairs the converter reads: the next calls read them all at once (see _Fields).
        self.seen: set[tuple[str, str]] = set()
        self.compounds = {
            name: _compound_reader(item) for name, item in edition.items.items() if isinstance(item, Compound)
        }
        self.explicit = [name for name, item in edition.items.items() if isinstance(item, Explicit)]
        self.spare_octets = {
            (slot, octet, min_length): list(enumerate(mask.tolist()))
            for slot, octet, min_length, mask in _spare_masks(edition)
        }
        self.spare_words = _SPARE_WORDS[id(edition)]
        self.checks = [c for c in _checks_of(edition) if c.code != 10]

    def walker(self, fspec: bytes):
        got = self.walkers.get(fspec, _MISSING)
        if got is _MISSING:
            if len(self.walkers) > 4096:  # a fuzzed stream must not grow the cache without bound
                self.walkers.clear()
            got = self.walkers[fspec] = self._generate(fspec)
        return got

    def _generate(self, fspec: bytes):
        """Python source for one record shape, compiled once: (data, q after the FSPEC, block end) → (record end,
        tuple of offsets and lengths) or None for anything the vectorised path would count as an error."""
        frns = [7 * j + k for j, b in enumerate(fspec) for k in _BITS7[b]]
        items = self.items
        if not frns or any(f >= len(items) or items[f] is None for f in frns):
            return None
        values = ["-1"] * self.width
        lines = ["def walk(data, q, e):"]
        env: dict[str, object] = {}
        for k, f in enumerate(frns):
            item = items[f]
            name = item.name
            kind = type(item)
            o = f"o{k}"
            lines.append(f"    {o} = q")
            values[self.pos[name]] = o
            if kind is Fixed:
                lines.append(f"    q += {item.length}")
                continue
            if kind is Extended:
                indent = "    "
                for j, pl in enumerate(item.part_lengths):
                    lines.append(f"{indent}q += {pl}")
                    lines.append(f"{indent}if q > e: return None")
                    if j < len(item.part_lengths) - 1:
                        lines.append(f"{indent}if data[q - 1] & 1:")
                        indent += "    "
                    else:
                        lines.append(f"{indent}if data[q - 1] & 1: return None")
            elif kind is Repetitive:
                lines.append("    if q >= e: return None")
                lines.append(f"    q += 1 + data[q] * {item.element.length}")
            elif kind is Explicit and item.content is None:
                lines.append("    if q >= e or data[q] == 0: return None")
                lines.append("    q += data[q]")
            elif kind is Compound:
                env[f"c_{k}"] = self.compounds[name]
                lines.append(f"    r = c_{k}(data, q, e)")
                lines.append("    if r is None: return None")
                lines.append(f"    q, s{k} = r")
                at = self.pos[name] + 2
                values[at : at + self.compound_width[name]] = [f"s{k}[{j}]" for j in range(self.compound_width[name])]
            else:  # Explicit with decoded content (CAT021 RE), Random Field Sequencing: the vectorised path's
                return None
            lines.append(f"    l{k} = q - {o}")
            values[self.len_pos[name]] = f"l{k}"
        lines.append("    if q > e: return None")
        lines.append(f"    return q, ({', '.join(values)},)")
        scope: dict[str, object] = {}
        exec(compile("\n".join(lines), f"<asterix CAT{self.edition.category:03d} walker>", "exec"), env, scope)
        return scope["walk"]


_MISSING = object()
_PLANS: dict[int, _Plan] = {}


def _plan(edition: Edition) -> _Plan:
    plan = _PLANS.get(id(edition))
    if plan is None:
        plan = _PLANS[id(edition)] = _Plan(edition)
    return plan


def _compound_reader(item: Compound):
    """(data, q, e) → (end, offsets and lengths of its subitems) or None (an error, or a kind not handled here)."""
    subs = item.subitems
    nsub = len(subs)
    layout: dict[int, tuple[int, type, object]] = {}
    width = 0
    for j, sub in enumerate(subs):
        if sub is None:
            continue
        kind = type(sub)
        if kind is Fixed:
            arg: object = sub.length
        elif kind is Extended:
            arg = sub.part_lengths
        elif kind is Repetitive:
            arg = sub.element.length
        elif kind is Explicit and sub.content is None:
            arg = None
        else:
            kind, arg = type(None), None  # nested compound: not handled here
        layout[j] = (width, kind, arg)
        width += 1 if kind is Fixed else 2

    def read(data: bytes, q: int, e: int):
        out = [-1] * width
        present: list[int] = []
        i = 0
        while True:
            if q >= e:
                return None
            b = data[q]
            q += 1
            present.extend(i + k for k in _BITS7[b])
            i += 7
            if not b & 1:
                break
            if i >= nsub:
                return None
        for j in present:
            got = layout.get(j)
            if got is None or q >= e:
                return None
            at, kind, arg = got
            start = q
            out[at] = q
            if kind is Fixed:
                q += arg
                continue
            if kind is Extended:
                more = True
                for pl in arg:
                    q += pl
                    if q > e:
                        return None
                    more = data[q - 1] & 1
                    if not more:
                        break
                if more:
                    return None
            elif kind is Repetitive:
                q += 1 + data[q] * arg
            elif kind is Explicit:
                if data[q] == 0:
                    return None
                q += data[q]
            else:
                return None
            out[at + 1] = q - start
        return q, out

    return read


# ------------------------------------------------------------------------------------------------ field reads

_CHARS6 = " ABCDEFGHIJKLMNOPQRSTUVWXYZ     " + " " * 16 + "0123456789      "


class _Fail(Exception):
    """Something this path does not reproduce exactly: the call goes to the vectorised path."""


class _Fields:
    """Field values of one category edition's records of a call, as lists (the FieldReader of this path).

    For more than MATRIX_RECORDS records, the fields this edition's converter asked for in earlier calls are read
    all at once, as one gather of 64-bit words over a (record × field) matrix of offsets: a dozen numpy calls
    whatever the number of fields, where reading them one by one in Python costs about half a microsecond per
    field and record. Both give the numpy path's values exactly."""

    def __init__(self, data: bytes, buf: np.ndarray, plan: _Plan, rows: list[tuple], edition_name: str):
        self.data = data
        self.buf = buf
        self.plan = plan
        self.n = len(rows)
        self.columns = list(zip(*rows, strict=True))
        self.edition = edition_name
        self._cache: dict[tuple, tuple[list, list]] = {}
        self.gathered: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.use_matrix = self.n > MATRIX_RECORDS

    def gather(self, specs: list[tuple]) -> None:
        """Read (key, slot, field, octet, first bit, minimum length) specs in one gather of 64-bit words over a
        (field × record) matrix of offsets: ``self.gathered[key] = (raw value, value as the numpy path gives it
        (NaN absent), present)``. Fields that do not fit one word from their octet, and 8-bit text, are left to
        the plain-Python reads."""
        specs = [
            s for s in specs
            if s[0] not in self.gathered and s[4] + s[2].bits <= 64 and (s[2].bits <= 57 or s[2].is_spare)
            and s[2].encoding != "ascii"
        ]  # fmt: skip
        if not specs:
            return
        plan = self.plan
        columns = self.columns
        offs = np.array([columns[plan.pos[s[1]]] for s in specs], dtype=np.int64)
        present = offs >= 0
        limited = [j for j, s in enumerate(specs) if s[5]]
        if limited:
            lens = np.array([columns[plan.len_pos[specs[j][1]]] for j in limited], dtype=np.int64)
            present[limited] &= lens >= np.array([specs[j][5] for j in limited], dtype=np.int64)[:, None]
        octets = np.array([s[3] for s in specs], dtype=np.int64)[:, None]
        words = _words(self.buf, 8)[np.where(present, offs + octets, 0)].astype(np.uint64)
        shift = np.array([64 - s[4] - s[2].bits for s in specs], dtype=np.uint64)[:, None]
        mask = np.array([(1 << s[2].bits) - 1 for s in specs], dtype=np.uint64)[:, None]
        raw = (words >> shift) & mask
        vi = raw.astype(np.int64)
        signed = [j for j, s in enumerate(specs) if s[2].encoding == "signed"]
        if signed:
            top = np.array([1 << (specs[j][2].bits - 1) for j in signed], dtype=np.int64)[:, None]
            full = np.array([1 << specs[j][2].bits for j in signed], dtype=np.int64)[:, None]
            v = vi[signed]
            vi[signed] = np.where(v >= top, v - full, v)
        scale = np.array([1.0 if s[2].scale is None else s[2].scale for s in specs])[:, None]
        values = np.where(present, vi * scale, np.nan)
        for j, s in enumerate(specs):
            self.gathered[s[0]] = (raw[j], values[j], present[j])

    def seen_specs(self) -> list[tuple]:
        """Specs of the fields this edition's converter read in earlier calls (gathered with the checks)."""
        specs: list[tuple] = []
        if not self.use_matrix:
            return specs
        for key in tuple(self.plan.seen):  # (another thread's call may add to it)
            slot, name = key
            where = _field_location(self.plan.edition, slot, name)
            if where is None or where[0] is None or slot not in self.plan.pos:
                continue
            specs.append((key, slot, *where[1:]))
        return specs

    def _from_gathered(self, key: tuple, f: Field) -> tuple[list, list] | None:
        got = self.gathered.get(key)
        if got is None:
            return None
        raw, values, present = got
        if f.encoding == "chars6":
            width = f.bits // 6
            shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(6)
            codes = (raw[:, None] >> shifts) & np.uint64(63)
            text = np.ascontiguousarray(CHARS6[codes.astype(np.int64)]).view(f"S{width}").ravel().astype(str)
            return np.where(present, text, "").tolist(), present.tolist()
        if f.scale is not None or f.encoding == "signed":
            return values.tolist(), present.tolist()
        return np.where(present, raw.astype(np.int64), 0).tolist(), present.tolist()

    def offsets(self, slot: str) -> tuple | None:
        at = self.plan.pos.get(slot)
        return None if at is None else self.columns[at]

    def lengths(self, slot: str) -> tuple:
        return self.columns[self.plan.len_pos[slot]]

    def present(self, slot: str) -> list[bool]:
        off = self.offsets(slot)
        return [False] * self.n if off is None else [o >= 0 for o in off]

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
            chars = _CHARS6
            width = bits // 6
            shifts = [6 * (width - 1 - k) for k in range(width)]
            vals = ["".join([chars[(v >> s) & 63] for s in shifts]) if v is not None else "" for v in raw]
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

    # the converters' helpers (records._f, _i, squawk_text, …) over lists
    def f(self, slot: str, name: str) -> list[float]:
        """Float values, NaN where absent."""
        vals, present = self.get(slot, name)
        if not vals or isinstance(vals[0], float):  # scaled or signed: absent values are NaN already
            return vals
        return [float(v) if p else NAN for v, p in zip(vals, present, strict=True)]

    def i(self, slot: str, name: str, fill: int = -1) -> list[int]:
        vals, present = self.get(slot, name)
        return [int(v) if p else fill for v, p in zip(vals, present, strict=True)]

    def squawk(self, slot: str, name: str, valid_field: str | None = "V") -> list[str]:
        code, present = self.get(slot, name)
        ok = present
        if valid_field is not None:
            v, _ = self.get(slot, valid_field)
            ok = [p and x == 0 for p, x in zip(present, v, strict=True)]
        return [f"{c:04o}" if k else "" for c, k in zip(code, ok, strict=True)]

    def icao(self, slot: str, name: str) -> list[str]:
        addr, present = self.get(slot, name)
        return [f"{a:06x}" if p else "" for a, p in zip(addr, present, strict=True)]

    def callsign(self, slot: str, name: str) -> list[str]:
        vals, present = self.get(slot, name)
        return [v.strip() if p else "" for v, p in zip(vals, present, strict=True)]


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

    __slots__ = ("blocks", "category", "edition", "index", "plan", "rows")

    def __init__(self, category: int, edition: str, plan: _Plan):
        self.category = category
        self.edition = edition
        self.plan = plan
        self.rows: list[tuple] = []
        self.index: list[int] = []  # row number in the call's output, per record
        self.blocks: list[tuple[int, int, int]] = []  # (block number, first record, record count)


def decode_small(dec: AsterixDecoder, seg: Segments) -> pa.Table | None:
    """The call's table, with the decoder's counters updated, or None (nothing counted) for the vectorised path."""
    try:
        return _decode(dec, seg)
    except _Fail:
        return None


def _decode(dec: AsterixDecoder, seg: Segments) -> pa.Table | None:
    data = seg.buf.tobytes()
    errors: Counter[str] = Counter()
    unsupported: Counter[int] = Counter()
    by_source = any(isinstance(k, tuple) for k in dec.editions)
    groups: dict[tuple[int, str], _Group] = {}
    block_info: list[tuple[int, int, float]] = []  # peeked (sac, sic), receive time per block
    last_group: dict[int, _Group] = {}  # category → its group, when editions are per category only
    total = 0
    times = seg.receive_time_s.tolist()
    for s_start, s_end, rt in zip(seg.start.tolist(), seg.end.tolist(), times, strict=True):
        p = s_start
        while p < s_end:
            if s_end - p < 3:
                errors["truncated data block header"] += 1
                break
            length = (data[p + 1] << 8) | data[p + 2]
            if length < 3:
                errors["data block LEN below 3"] += 1
                break
            if p + length > s_end:
                errors["data block LEN beyond the data"] += 1
                break
            c = data[p]
            q, end = p + 3, p + length
            p = end
            g = last_group.get(c)
            if g is None or by_source:
                if c not in EDITIONS:
                    unsupported[c] += 1
                    continue
                sac, sic = _peek(data, q, end)
                if by_source:
                    key = sac * 256 + sic
                    ed_name = dec.edition_for(key // 256, key % 256, c)
                else:
                    ed_name = dec.edition_for(-1, -1, c)
                g = groups.get((c, ed_name))
                if g is None:
                    plan = _plan(EDITIONS[c][ed_name])
                    if not plan.supported or c not in CONVERTERS:
                        return None
                    g = groups[(c, ed_name)] = _Group(c, ed_name, plan)
                last_group[c] = g
            else:  # the block's source, as _peek reads it (inlined: one block per record in many feeds)
                sac = sic = -1
                if q < end and data[q] & 0x80:
                    k = q
                    while data[k] & 1 and k < q + 7:
                        k += 1
                    if k + 3 <= end:
                        sac, sic = data[k + 1], data[k + 2]
            first = len(g.rows)
            # the block's records (inlined: a call per block costs as much as a short record)
            plan = g.plan
            walkers = plan.walkers
            max_octets = plan.max_fspec
            rows = g.rows
            while q < end:
                k = q
                while k < end and data[k] & 1:
                    k += 1
                k += 1
                if k > end or k - q > max_octets:
                    return None  # FSPEC past the block or longer than the UAP
                fspec = data[q:k]
                walk = walkers.get(fspec, _MISSING)
                if walk is _MISSING:
                    walk = plan.walker(fspec)
                if walk is None:
                    return None
                got = walk(data, k, end)
                if got is None:
                    return None
                q, row = got
                rows.append(row)
            count = len(rows) - first
            g.index.extend(range(total, total + count))
            total += count
            g.blocks.append((len(block_info), first, count))
            block_info.append((sac, sic, rt))
    warnings: Counter[str] = Counter()
    undecoded: Counter[str] = Counter()
    parts = []
    for g in groups.values():
        parts.append(_convert(dec, data, seg.buf, g, block_info, warnings, undecoded))
    table = _table(parts, total)
    # success: only now does the call count anything
    dec.errors.update(errors)
    dec.unsupported.update(unsupported)
    dec.warnings.update(warnings)
    dec.undecoded.update(undecoded)
    for g in groups.values():
        dec.blocks_decoded += len(g.blocks)
        dec.records_decoded += len(g.rows)
    return table


def _peek(data: bytes, p: int, e: int) -> tuple[int, int]:
    """SAC and SIC of a block's first record (-1 without I010), as decoder._peek_sources_scalar reads them."""
    last = len(data) - 1
    flen = 0
    while flen < 8:
        b = data[min(p + flen, last)]
        flen += 1
        if not b & 1:
            break
    if p < e and data[min(p, last)] & 0x80 and p + flen + 2 <= e:
        return data[min(p + flen, last)], data[min(p + flen + 1, last)]
    return -1, -1


def _validate(reader: _Fields) -> set[int]:
    """parse.validate's checks: an out-of-range time or position is the vectorised path's (counted) error, so the
    call goes there (_Fail); records with spare bits set are returned (warnings per block). The fields the
    converter will read are gathered in the same pass."""
    plan = reader.plan
    checks = []
    for k, c in enumerate(plan.checks):
        off = reader.offsets(c.slot)
        if off is not None and max(off) >= 0:
            checks.append((("check", k), c.slot, c.field, c.octet, c.first_bit, c.min_length))
    spares = []
    for k, (slot, octet, min_length, width, _) in enumerate(plan.spare_words):
        off = reader.offsets(slot)
        if off is not None and max(off) >= 0:
            spares.append((("spare", k), slot, _WORD_FIELDS[width], octet, 0, min_length))
    if reader.use_matrix:
        reader.gather(reader.seen_specs() + checks + spares)
    gathered = reader.gathered
    for key, slot, f, octet, first_bit, min_length in checks:
        c = plan.checks[key[1]]
        limit = 86400.0 if c.code == 11 else (90.0 if f.name.lower() == "lat" else 180.0)
        got = gathered.get(key)
        if got is not None:
            _, vals, present = got
            bad = (np.abs(vals) > limit) if c.code == 12 else (vals >= limit)
            if (bad & present).any():
                raise _Fail("value out of range")
            continue
        vals, present = reader.read_at(slot, f, octet, first_bit, min_length)
        if c.code == 12:
            if any(p and abs(v) > limit for v, p in zip(vals, present, strict=True)):
                raise _Fail("position out of range")
        elif any(p and v >= limit for v, p in zip(vals, present, strict=True)):
            raise _Fail("time of day beyond 24 h")
    warned: set[int] = set()
    data = reader.data
    for key, slot, _, octet, _, min_length in spares:
        _, _, _, width, word_mask = plan.spare_words[key[1]]
        got = gathered.get(key)
        if got is not None:
            raw, _, present = got
            warned.update(np.flatnonzero(present & ((raw & np.uint64(word_mask)) != 0)).tolist())
            continue
        off = reader.offsets(slot)
        lengths = reader.lengths(slot) if min_length else None
        masks = plan.spare_octets[slot, octet, min_length]
        for k, o in enumerate(off):
            if o < 0 or k in warned or (lengths is not None and lengths[k] < min_length):
                continue
            a = o + octet
            if width:
                if int.from_bytes(data[a : a + width], "big") & word_mask:
                    warned.add(k)
            elif any(data[a + j] & mk for j, mk in masks):
                warned.add(k)
    return warned


#: Pseudo-fields for the spare-bit words (4 or 8 octets; 0: wider, checked octet by octet).
_WORD_FIELDS = {width: Field("spare", bits, encoding="spare") for width, bits in ((0, 512), (4, 32), (8, 64))}


def _convert(dec, data: bytes, buf: np.ndarray, g: _Group, block_info, warnings: Counter, undecoded: Counter):
    n = len(g.rows)
    plan = g.plan
    reader = _Fields(data, buf, plan, g.rows, g.edition)
    warned = _validate(reader)
    if warned:
        for block, first, count in g.blocks:
            if any(k in warned for k in range(first, first + count)):
                sac, sic, _ = block_info[block]
                s = sac * 256 + sic
                warnings[f"CAT{g.category:03d} {s // 256}/{s % 256} ed{g.edition}: spare bits set"] += 1
    for name in plan.explicit:
        count = sum(1 for o in reader.offsets(name) if o >= 0)
        if count:
            undecoded[f"CAT{g.category:03d} {name}"] += count
    cols = CONVERTERS[g.category](reader)
    # per record: its block's peeked source (records without I010) and receive time
    peek_sac: list[int] = []
    peek_sic: list[int] = []
    receive: list[float] = []
    for block, _, count in g.blocks:
        sac, sic, rt = block_info[block]
        peek_sac += [sac] * count
        peek_sic += [sic] * count
        receive += [rt] * count
    sac = cols["sac"] = [v if v >= 0 else q for v, q in zip(cols["sac"], peek_sac, strict=True)]
    sic = cols["sic"] = [v if v >= 0 else q for v, q in zip(cols["sic"], peek_sic, strict=True)]
    cols["time_s"] = _times_s(dec.reference_date_s, cols.get("time_of_day_s"), receive)
    cols["sensor"] = _sensors(dec.sensor_names, sac, sic)
    cols["edition"] = [g.edition] * n
    return g.index, cols


def _times_s(reference: float | None, tod: list[float] | None, receive: list[float]) -> list[float]:
    """decoder._times per record: the time of day on the receive time's day (nearest), else the reference day."""
    if tod is None:
        return receive
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


def _table(parts: list[tuple[list[int], dict[str, list]]], n: int) -> pa.Table:
    """One Arrow conversion for the whole call: rows as tuples of a struct of the output schema. (Measured here:
    pa.array costs about 9 µs a call and Table.from_arrays about 100 µs for the 43 columns, whatever the rows; a
    struct conversion costs about 0.1 ms plus 80 ns a value.)"""
    from airpicture.decode.asterix.decoder import ASTERIX_ROWS  # (decoder imports this module)

    if not parts:
        return ASTERIX_ROWS.empty_table()
    if len(parts) == 1:
        columns = parts[0][1]
        reorder = None
    else:
        where = [0] * n  # output row → position in the concatenated parts
        k = 0
        for index, _ in parts:
            for row in index:
                where[row] = k
                k += 1
        reorder = itemgetter(*where) if n > 1 else (lambda seq: (seq[0],))
        names: dict[str, None] = {}
        for _, cols in parts:
            names.update(dict.fromkeys(cols))
        columns = {}
        for name in names:
            chunks: list = []
            for index, cols in parts:
                got = cols.get(name)
                chunks += got if got is not None else [None] * len(index)
            columns[name] = chunks
    absent = [None] * n
    lists = []
    for name, kind in _column_kinds():
        values = columns.get(name)
        if values is None:
            lists.append(absent)
            continue
        if reorder is not None:
            values = reorder(values)
        if kind == "b":
            values = [None if v is None or v != v else v != 0 for v in values]
        elif kind == "i":
            values = [v if v is not None and v >= 0 else None for v in values]
        elif kind == "s":
            values = [v if v else None for v in values]
        lists.append(values)
    rows = pa.array(list(zip(*lists, strict=True)), type=_struct(), from_pandas=True)
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
