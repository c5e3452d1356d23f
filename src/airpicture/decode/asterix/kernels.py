"""Compiled record walker for the small-call path (numba, ``cache=True``).

Why: in plain Python, stepping over a record's FSPEC and items costs about 6 µs a record on this project's
machines, the largest share of a short call (a 100 ms slice of a radar feed, a short capture). This kernel walks
the data blocks of one category edition in one call and writes every record's item offsets (and the lengths of
variable items) into one matrix, driven by the edition table encoded as arrays (:class:`WalkTables`).

It stops at the first thing the vectorised path would count as an error (FSPEC past the block or longer than the
UAP, an undefined item, an overrun, an extended item longer than its definition, a zero explicit length, an
undefined compound subitem, a record without items) and at items it does not handle (Random Field Sequencing,
a Reserved Expansion Field whose content is decoded, nested compound items): the caller then hands the whole call
to the vectorised path, which counts errors per block.

The first call in a fresh environment compiles the kernel (about a second), later processes read it from the
cache in ``__pycache__``; :func:`warm_up` does that up front.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from airpicture.decode.asterix.spec import Compound, Explicit, Extended, Fixed, Item, Repetitive

#: Item kinds in the tables: undefined, fixed, extended, repetitive, explicit (content not decoded), compound, and
#: one this kernel does not handle.
UNDEFINED, FIXED, EXTENDED, REPETITIVE, EXPLICIT, COMPOUND, OTHER = 0, 1, 2, 3, 4, 5, 9
MAX_PARTS = 16


@dataclass
class WalkTables:
    """An edition's UAP as arrays: per FRN (and per compound subitem) its kind, fixed or element length, extension
    part lengths, and the columns of its offset and length in the output matrix."""

    n_frn: int
    max_fspec: int
    kind: np.ndarray  # int64 [n_frn]
    arg: np.ndarray  # int64 [n_frn]
    pos: np.ndarray  # int64 [n_frn]
    len_pos: np.ndarray  # int64 [n_frn], -1 for fixed items
    parts: np.ndarray  # int64 [n_frn, MAX_PARTS]
    n_parts: np.ndarray  # int64 [n_frn]
    compound: np.ndarray  # int64 [n_frn]: index into the sub_* tables, -1
    n_sub: np.ndarray  # int64 [n_compound]
    sub_kind: np.ndarray  # int64 [n_compound, max_sub]
    sub_arg: np.ndarray
    sub_pos: np.ndarray
    sub_len_pos: np.ndarray
    sub_parts: np.ndarray  # int64 [n_compound, max_sub, MAX_PARTS]
    sub_n_parts: np.ndarray
    width: int


def _kind_of(item: Item | None) -> tuple[int, int, tuple[int, ...]]:
    if item is None:
        return UNDEFINED, 0, ()
    kind = type(item)
    if kind is Fixed:
        return FIXED, item.length, ()
    if kind is Extended and len(item.part_lengths) <= MAX_PARTS:
        return EXTENDED, 0, item.part_lengths
    if kind is Repetitive:
        return REPETITIVE, item.element.length, ()
    if kind is Explicit and item.content is None:
        return EXPLICIT, 0, ()
    if kind is Compound:
        return COMPOUND, 0, ()
    return OTHER, 0, ()


def walk_tables(items: tuple, n_frn: int, pos: dict[str, int], len_pos: dict[str, int], width: int) -> WalkTables:
    """Encode a UAP (``items``, FRN order) for :func:`walk`; ``pos``/``len_pos`` give each slot's columns."""
    kind = np.zeros(n_frn, np.int64)
    arg = np.zeros(n_frn, np.int64)
    opos = np.full(n_frn, -1, np.int64)
    olen = np.full(n_frn, -1, np.int64)
    parts = np.zeros((n_frn, MAX_PARTS), np.int64)
    n_parts = np.zeros(n_frn, np.int64)
    comp = np.full(n_frn, -1, np.int64)
    compounds = []
    for f in range(n_frn):
        item = items[f] if f < len(items) else None
        k, a, pl = _kind_of(item)
        kind[f], arg[f], n_parts[f] = k, a, len(pl)
        parts[f, : len(pl)] = pl
        if item is not None:
            opos[f] = pos[item.name]
            olen[f] = len_pos.get(item.name, -1)
        if k == COMPOUND:
            comp[f] = len(compounds)
            compounds.append(item)
    n_comp = max(len(compounds), 1)
    max_sub = max([len(c.subitems) for c in compounds] + [1])
    n_sub = np.zeros(n_comp, np.int64)
    sub_kind = np.zeros((n_comp, max_sub), np.int64)
    sub_arg = np.zeros((n_comp, max_sub), np.int64)
    sub_pos = np.full((n_comp, max_sub), -1, np.int64)
    sub_len_pos = np.full((n_comp, max_sub), -1, np.int64)
    sub_parts = np.zeros((n_comp, max_sub, MAX_PARTS), np.int64)
    sub_n_parts = np.zeros((n_comp, max_sub), np.int64)
    for c, item in enumerate(compounds):
        n_sub[c] = len(item.subitems)
        for j, sub in enumerate(item.subitems):
            k, a, pl = _kind_of(sub)
            if k == COMPOUND:  # nested compound items: not handled here
                k = OTHER
            sub_kind[c, j], sub_arg[c, j], sub_n_parts[c, j] = k, a, len(pl)
            sub_parts[c, j, : len(pl)] = pl
            if sub is not None:
                slot = f"{item.name}/{sub.name}"
                sub_pos[c, j] = pos[slot]
                sub_len_pos[c, j] = len_pos.get(slot, -1)
    return WalkTables(
        n_frn, (n_frn + 6) // 7, kind, arg, opos, olen, parts, n_parts, comp, n_sub,
        sub_kind, sub_arg, sub_pos, sub_len_pos, sub_parts, sub_n_parts, width,
    )  # fmt: skip


def walk(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, t: WalkTables) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets matrix [records × width], -1 where absent; block index per record), or None on anything the
    vectorised path counts as an error or this kernel does not handle."""
    buf = _read_only(buf)
    out, rec_block, ok = _walk(
        buf, starts, ends, t.n_frn, t.max_fspec, t.kind, t.arg, t.pos, t.len_pos, t.parts, t.n_parts, t.compound,
        t.n_sub, t.sub_kind, t.sub_arg, t.sub_pos, t.sub_len_pos, t.sub_parts, t.sub_n_parts, t.width,
    )  # fmt: skip
    return (out, rec_block) if ok else None


@njit(cache=True)
def _item(buf, q, e, kind, arg, parts, n_parts):  # pragma: no cover - compiled
    """End of one item starting at q (not past e for variable items), or -1."""
    if kind == 1:
        return q + arg
    if kind == 2:
        for t in range(n_parts):
            q += parts[t]
            if q > e:
                return -1
            if not buf[q - 1] & 1:
                return q
        return -1
    if q >= e:
        return -1
    if kind == 3:
        return q + 1 + buf[q] * arg
    if kind == 4:
        if buf[q] == 0:
            return -1
        return q + buf[q]
    return -1


@njit(cache=True)
def _walk(
    buf, starts, ends, n_frn, max_fspec, kind, arg, pos, len_pos, parts, n_parts, comp,
    n_sub, sub_kind, sub_arg, sub_pos, sub_len_pos, sub_parts, sub_n_parts, width,
):  # fmt: skip  # pragma: no cover - compiled
    total = 0
    for b in range(len(starts)):
        total += ends[b] - starts[b]
    cap = total // 24 + 16  # doubled below when records are shorter
    out = np.full((cap, width), -1, np.int64)
    rec_block = np.empty(cap, np.int64)
    n = 0
    for b in range(len(starts)):
        p = starts[b]
        e = ends[b]
        while p < e:
            if n == cap:
                cap *= 2
                bigger = np.full((cap, width), -1, np.int64)
                bigger[:n] = out[:n]
                out = bigger
                more = np.empty(cap, np.int64)
                more[:n] = rec_block[:n]
                rec_block = more
            k = p
            while k < e and buf[k] & 1:
                k += 1
            k += 1
            if k > e or k - p > max_fspec:
                return out[:0], rec_block[:0], False
            q = k
            items = 0
            for j in range(k - p):
                octet = buf[p + j]
                for bit in range(7):
                    if not octet & (0x80 >> bit):
                        continue
                    f = 7 * j + bit
                    if f >= n_frn:
                        return out[:0], rec_block[:0], False
                    kd = kind[f]
                    start = q
                    out[n, pos[f]] = q
                    items += 1
                    if kd == 5:
                        c = comp[f]
                        ns = n_sub[c]
                        m = q
                        i = 0
                        while True:
                            if m >= e:
                                return out[:0], rec_block[:0], False
                            o2 = buf[m]
                            m += 1
                            i += 7
                            if not o2 & 1:
                                break
                            if i >= ns:
                                return out[:0], rec_block[:0], False
                        q = m
                        for jj in range(m - start):
                            o2 = buf[start + jj]
                            for bb in range(7):
                                if not o2 & (0x80 >> bb):
                                    continue
                                s = 7 * jj + bb
                                if s >= ns:
                                    return out[:0], rec_block[:0], False
                                sk = sub_kind[c, s]
                                if sk == 0 or sk == 9 or q >= e:
                                    return out[:0], rec_block[:0], False
                                s0 = q
                                out[n, sub_pos[c, s]] = q
                                q = _item(buf, q, e, sk, sub_arg[c, s], sub_parts[c, s], sub_n_parts[c, s])
                                if q < 0:
                                    return out[:0], rec_block[:0], False
                                if sub_len_pos[c, s] >= 0:
                                    out[n, sub_len_pos[c, s]] = q - s0
                    elif kd == 0 or kd == 9:
                        return out[:0], rec_block[:0], False
                    else:
                        q = _item(buf, q, e, kd, arg[f], parts[f], n_parts[f])
                        if q < 0:
                            return out[:0], rec_block[:0], False
                    if len_pos[f] >= 0:
                        out[n, len_pos[f]] = q - start
            if items == 0 or q > e:
                return out[:0], rec_block[:0], False
            rec_block[n] = b
            n += 1
            p = q
    return out[:n], rec_block[:n], True


def warm_up() -> None:
    """Compile (or load from the cache) every kernel of this module now, not in the first decode call: a
    datagram of each kind of item is decoded by the small-call path, so the kernels specialise for exactly the
    argument types a decode call passes."""
    from airpicture.decode.asterix import small

    small.warm_up()


#: Kinds of gather specs: a field value, a spare-bit word, a time of day (an error from 24 h), a latitude (beyond
#: ±90°) or a longitude (beyond ±180°).
VALUE, SPARE, TIME_OF_DAY, LATITUDE, LONGITUDE = 0, 2, 3, 4, 5


def gather(buf: np.ndarray, matrix: np.ndarray, specs: tuple) -> tuple:
    """Read many fields of every record at once and check the edition's ranges and spare bits.

    ``specs`` are arrays (one entry per field: offset column, length column, minimum item length, octet, first
    bit, bits, kind, two's complement or not, scale, spare mask) built by the caller. Returns (raw values
    [field × record] uint64, values as
    parse.field_value computes them, NaN where absent, present, spare bits set per record, any value out of
    range)."""
    return _gather(_read_only(buf), matrix, *specs)


def _read_only(buf: np.ndarray) -> np.ndarray:
    """The buffer as a read-only array, as decode calls pass it (numba compiles read-only and writable arrays
    separately: one type, one compilation)."""
    if buf.flags.writeable:
        buf = buf.view()
        buf.flags.writeable = False
    return buf


@njit(cache=True)
def _gather(buf, m, pos, len_pos, min_len, octet, first_bit, bits, kind, signed, scale, spare_mask):  # pragma: no cover
    k = len(pos)
    n = m.shape[0]
    raw = np.zeros((k, n), np.uint64)
    val = np.full((k, n), np.nan)
    pres = np.zeros((k, n), np.bool_)
    warn = np.zeros(n, np.bool_)
    bad = False
    for j in range(k):
        b = bits[j]
        shift = np.uint64(64 - first_bit[j] - b)
        mask = np.uint64(0xFFFFFFFFFFFFFFFF) if b == 64 else np.uint64((1 << b) - 1)
        top = np.int64(1) << (b - 1) if b < 64 else np.int64(0)
        for r in range(n):
            o = m[r, pos[j]]
            if o < 0:
                continue
            if min_len[j] and m[r, len_pos[j]] < min_len[j]:
                continue
            a = o + octet[j]
            w = np.uint64(0)
            for t in range(8):
                w = (w << np.uint64(8)) | np.uint64(buf[a + t])
            v = (w >> shift) & mask
            raw[j, r] = v
            pres[j, r] = True
            kd = kind[j]
            if kd == 2:
                if v & spare_mask[j]:
                    warn[r] = True
                continue
            if signed[j]:
                vi = np.int64(v)
                if vi >= top:
                    vi -= top * 2
                x = vi * scale[j]
            else:
                x = np.float64(v) * scale[j]
            val[j, r] = x
            if (kd == 3 and x >= 86400.0) or (kd == 4 and abs(x) > 90.0) or (kd == 5 and abs(x) > 180.0):
                bad = True
    return raw, val, pres, warn, bad


#: Framing errors of :func:`split`, per segment (decoder.split_blocks counts the same).
FRAMING_ERRORS = {1: "truncated data block header", 2: "data block LEN below 3", 3: "data block LEN beyond the data"}


def split(buf: np.ndarray, seg_start: np.ndarray, seg_end: np.ndarray) -> tuple:
    """Data blocks of each segment (a datagram): (record area start, end, category, SAC and SIC of the first record
    or -1, segment) per block and a framing error code per segment (a bad header ends its segment)."""
    return _split(_read_only(buf), np.asarray(seg_start, np.int64), np.asarray(seg_end, np.int64))


@njit(cache=True)
def _split(buf, seg_start, seg_end):  # pragma: no cover - compiled
    total = 0
    for s in range(len(seg_start)):
        total += seg_end[s] - seg_start[s]
    cap = total // 3 + 1
    start = np.empty(cap, np.int64)
    end = np.empty(cap, np.int64)
    cat = np.empty(cap, np.int64)
    sac = np.empty(cap, np.int64)
    sic = np.empty(cap, np.int64)
    seg = np.empty(cap, np.int64)
    err = np.zeros(len(seg_start), np.int64)
    last = len(buf) - 1
    n = 0
    for s in range(len(seg_start)):
        p = seg_start[s]
        e = seg_end[s]
        while p < e:
            if e - p < 3:
                err[s] = 1
                break
            length = (np.int64(buf[p + 1]) << 8) | np.int64(buf[p + 2])
            if length < 3:
                err[s] = 2
                break
            if p + length > e:
                err[s] = 3
                break
            q = p + 3
            b_end = p + length
            flen = 0  # the first record's FSPEC, as decoder._peek_sources reads it
            while flen < 8:
                octet = buf[min(q + flen, last)]
                flen += 1
                if not octet & 1:
                    break
            if q < b_end and buf[min(q, last)] & 0x80 and q + flen + 2 <= b_end:
                sac[n] = buf[min(q + flen, last)]
                sic[n] = buf[min(q + flen + 1, last)]
            else:
                sac[n] = -1
                sic[n] = -1
            start[n] = q
            end[n] = b_end
            cat[n] = buf[p]
            seg[n] = s
            n += 1
            p = b_end
    return start[:n], end[:n], cat[:n], sac[:n], sic[:n], seg[:n], err
