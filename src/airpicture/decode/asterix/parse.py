"""Vectorised ASTERIX structure pass and field extraction.

Why this shape: a record's length is only known once its FSPEC and variable items are read, so the records of one
data block must be walked in order. Blocks, however, are independent. The walker therefore advances *every block at
once* ("lanes"): iteration k reads the k-th record of each block with numpy operations over all lanes, one UAP item
at a time. A recording of 50,000 one-record blocks is walked in one iteration; a feed of blocks holding a few dozen
records each takes a few dozen. Field values are then cut out of the bytes per item over all records in one go.

Errors are per block: a record that overruns its block, an FSPEC naming an item the UAP does not define, an FX chain
longer than the item's definition, a REP count that runs past the block, a zero explicit length or bytes left over
that do not make a record all mark the block bad; its records are dropped and the reason is counted. Other blocks
are unaffected. Every loop is bounded (each record consumes at least one byte; FX chains are bounded by the table).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from airpicture.decode.asterix.spec import (
    Compound,
    Edition,
    Explicit,
    Extended,
    Field,
    Fixed,
    Item,
    RandomFields,
    Repetitive,
)

#: Zero bytes appended to the buffer so that reads a little past a block's end never index out of range.
PAD = 16

ERR_NONE = 0
#: Presence bits (0 = most significant) set in an FSPEC octet, FX excluded.
_BITS7 = tuple(tuple(k for k in range(7) if b & (0x80 >> k)) for b in range(256))
#: Below this many blocks still being walked, the plain-Python walker is faster than numpy's lock-step.
SCALAR_LANES = 48
#: Up to this many records, fields are read in plain Python: numpy's per-call cost outweighs the data.
SCALAR_RECORDS = 16
ERROR_REASONS = {
    1: "FSPEC runs past the block",
    2: "FSPEC names an item outside the UAP",
    3: "FSPEC longer than the UAP",
    4: "record overruns the block",
    5: "extended item longer than its definition",
    6: "explicit item with zero length",
    7: "compound item names a subitem outside its definition",
    8: "record with no items",
    9: "records of several editions in one block",
    10: "spare bits set",
    11: "time of day beyond 24 h",
    12: "latitude/longitude out of range",
    13: "random field sequencing names an item outside the UAP",
    14: "random field sequencing repeats an item",
}


@dataclass
class Layout:
    """Where each record and each item (slot) sits in the buffer, for one edition's records."""

    buf: np.ndarray
    edition: Edition
    rec_lane: np.ndarray  # lane (block) index per record
    rec_start: np.ndarray  # byte offset of the record's FSPEC
    rec_end: np.ndarray
    offsets: dict[str, np.ndarray] = field(default_factory=dict)  # slot → offset per record, -1 when absent
    lengths: dict[str, np.ndarray] = field(default_factory=dict)  # slot → length in octets per record

    @property
    def n(self) -> int:
        return len(self.rec_start)

    def take(self, keep: np.ndarray) -> Layout:
        return Layout(
            self.buf,
            self.edition,
            self.rec_lane[keep],
            self.rec_start[keep],
            self.rec_end[keep],
            {k: v[keep] for k, v in self.offsets.items()},
            {k: v[keep] for k, v in self.lengths.items()},
        )


class _Walker:
    """The lock-step structure pass over many blocks of one edition."""

    def __init__(self, buf: np.ndarray, edition: Edition):
        self.buf = buf
        self.raw = buf.tobytes()
        self.last = len(buf) - 1
        self.edition = edition
        self.chunks: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        #: The plain-Python walker's notes: slot → (records, offsets, lengths) as lists, in walk order.
        self.acc: dict[str, tuple[list[int], list[int], list[int]]] = {}
        #: (compound item, its presence octets, slot) → (length, notes) when its subitems are all fixed, else None.
        self.compound_runs: dict[tuple, tuple | None] = {}

    def _read(self, at: np.ndarray) -> np.ndarray:
        return self.buf[np.minimum(at, self.last)]

    def _fx_chain(self, start: np.ndarray, max_octets: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Read presence octets with FX chaining: (octets [n, max_octets], length, too_long)."""
        n = len(start)
        octs = np.zeros((n, max_octets), dtype=np.uint8)
        length = np.zeros(n, dtype=np.int64)
        cont = np.ones(n, dtype=bool)
        for k in range(max_octets):
            live = np.flatnonzero(cont)
            if live.size == 0:
                break
            b = self._read(start[live] + k)
            octs[live, k] = b
            length[live] += 1
            cont[live] = (b & 1).astype(bool)
        return octs, length, cont

    def _note(self, slot: str, rec: np.ndarray, start: np.ndarray, length: np.ndarray | int) -> None:
        self.chunks.setdefault(slot, []).append((rec, start, length))

    def _measure(self, item: Item, slot: str, rec: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lengths of ``item`` at ``start`` for records ``rec``; returns (length, error code)."""
        n = len(start)
        err = np.zeros(n, dtype=np.int8)
        if isinstance(item, Fixed):
            length = np.full(n, item.length, dtype=np.int64)
        elif isinstance(item, Extended):
            plens = item.part_lengths
            length = np.zeros(n, dtype=np.int64)
            cont = np.ones(n, dtype=bool)
            for pl in plens:
                live = np.flatnonzero(cont)
                if live.size == 0:
                    break
                length[live] += pl
                cont[live] = (self._read(start[live] + length[live] - 1) & 1).astype(bool)
            err[cont] = 5
        elif isinstance(item, Repetitive):
            length = 1 + self._read(start).astype(np.int64) * item.element.length
        elif isinstance(item, Explicit):
            length = self._read(start).astype(np.int64)
            err[length == 0] = 6
            length[length == 0] = 1
            if item.content is not None:
                self._expansion(item, slot, rec, start, length)
        elif isinstance(item, Compound):
            nsub = len(item.subitems)
            octs, length, too_long = self._fx_chain(start, (nsub + 6) // 7)
            err[too_long] = 7
            sub_bits = np.unpackbits(octs, axis=1).reshape(n, -1, 8)[:, :, :7].reshape(n, -1).astype(bool)
            sub_bits[too_long] = False
            for i in np.flatnonzero(sub_bits.any(axis=0)).tolist():
                sub = item.subitems[i] if i < nsub else None
                has = np.flatnonzero(sub_bits[:, i] & (err == 0))
                if has.size == 0:
                    continue
                if sub is None:
                    err[has] = 7
                    continue
                sub_start = start[has] + length[has]
                sub_len, sub_err = self._measure(sub, f"{slot}/{sub.name}", rec[has], sub_start)
                length[has] += sub_len
                err[has] = np.where(sub_err != 0, sub_err, err[has])
        else:  # pragma: no cover - the tables only use the five kinds
            raise TypeError(item)
        self._note(slot, rec, start, length)
        return length, err

    def _expansion(self, item: Explicit, slot: str, rec: np.ndarray, start: np.ndarray, length: np.ndarray) -> None:
        """Read a Reserved Expansion Field's content where it is defined; records whose content does not fill the
        field exactly (a subfield we do not define, another RE version) keep it opaque: their notes are dropped."""
        assert item.content is not None
        has = np.flatnonzero(length > 1)
        if has.size == 0:
            return
        prefix = f"{slot}/"
        marks = {s: len(c) for s, c in self.chunks.items() if s.startswith(prefix)}
        sub_len, sub_err = self._measure(item.content, prefix + item.content.name, rec[has], start[has] + 1)
        bad = rec[has][(sub_err != 0) | (sub_len != length[has] - 1)]
        if bad.size == 0:
            return
        for s, chunks in self.chunks.items():
            if s.startswith(prefix):
                for k in range(marks.get(s, 0), len(chunks)):
                    r, st, ln = chunks[k]
                    keep = ~np.isin(r, bad)
                    chunks[k] = (r[keep], st[keep], ln[keep] if np.ndim(ln) else ln)

    def walk(self, start: np.ndarray, end: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Walk the blocks whose record area is ``[start, end)``; returns record arrays and an error code per lane."""
        uaps, n_frn, max_octets, allowed, selector = _uap_plan(self.edition)
        # Random Field Sequencing (CAT001) names items record by record: only the plain-Python walker reads it.
        random_fields = _has_random_fields(self.edition)
        lanes = len(start)
        pos = start.astype(np.int64).copy()
        lane_err = np.zeros(lanes, dtype=np.int8)
        rec_lane: list[np.ndarray] = []
        rec_start: list[np.ndarray] = []
        rec_end: list[np.ndarray] = []
        n_rec = 0
        alive = np.flatnonzero(pos < end)
        while alive.size:
            if alive.size <= SCALAR_LANES or random_fields:
                lanes_s, starts_s, ends_s = self._walk_scalar(alive, pos, end, n_rec, lane_err, uaps, selector)
                if lanes_s:
                    rec_lane.append(np.array(lanes_s, dtype=np.int64))
                    rec_start.append(np.array(starts_s, dtype=np.int64))
                    rec_end.append(np.array(ends_s, dtype=np.int64))
                break
            p = pos[alive]
            e = end[alive]
            octs, flen, too_long = self._fx_chain(p, max_octets)
            err = np.zeros(alive.size, dtype=np.int8)
            err[too_long] = 3
            bits = np.unpackbits(octs, axis=1).reshape(alive.size, max_octets, 8)[:, :, :7].reshape(alive.size, -1)
            err[(bits & ~allowed).any(axis=1) & (err == 0)] = 2
            err[(bits.sum(axis=1) == 0) & (err == 0)] = 8
            cur = p + flen
            err[(cur > e) & (err == 0)] = 1
            rec = n_rec + np.arange(alive.size)
            variant: np.ndarray | None = None
            ok = err == 0
            present = bits.astype(bool)
            for i in np.flatnonzero(present.any(axis=0)).tolist():
                if i >= n_frn:
                    continue
                col = present[:, i] & ok
                if selector is not None and i >= 2 and selector[1].items[i] is not selector[2].items[i]:
                    if variant is None:
                        variant = self._selector_bits(selector[0], rec)
                    groups = [(selector[1].items[i], col & ~variant), (selector[2].items[i], col & variant)]
                else:
                    groups = [(uaps[0].items[i] if i < len(uaps[0].items) else None, col)]
                for item, mask in groups:
                    has = np.flatnonzero(mask)
                    if has.size == 0:
                        continue
                    if item is None:
                        err[has] = 2
                        ok[has] = False
                        continue
                    if type(item) is Fixed:  # no error of its own: overruns are checked before the next variable item
                        at = cur[has]
                        cur[has] = at + item.length
                        self._note(item.name, rec[has], at, item.length)
                        continue
                    over = has[cur[has] > e[has]]  # a fixed item before it ran past the block
                    if over.size:
                        err[over] = 4
                        ok[over] = False
                        has = has[cur[has] <= e[has]]
                        if has.size == 0:
                            continue
                    length, ierr = self._measure(item, item.name, rec[has], cur[has])
                    cur[has] += length
                    ierr = np.where((cur[has] > e[has]) & (ierr == 0), 4, ierr)
                    failed = ierr != 0
                    if failed.any():
                        err[has[failed]] = ierr[failed]
                        ok[has[failed]] = False
            err[ok & (cur > e)] = 4
            bad = err != 0
            lane_err[alive[bad]] = err[bad]
            rec_lane.append(alive)
            rec_start.append(p)
            rec_end.append(cur)
            n_rec += alive.size
            pos[alive] = cur
            keep = ~bad & (cur < e)
            alive = alive[keep]
        return [np.concatenate(a) if a else np.zeros(0, np.int64) for a in (rec_lane, rec_start, rec_end)], lane_err

    # ------------------------------------------------------------------------------------------ scalar path
    def _walk_scalar(self, alive, pos, end, n_rec, lane_err, uaps, selector):
        """The same walk in plain Python for the last few lanes (a single datagram, a block's long tail).

        Numpy's per-call cost makes the lock-step walk slow when only a handful of blocks remain; this path
        produces identical slot records (checked by the tests). It notes offsets in plain lists (``self.acc``),
        turned into arrays once per slot in :meth:`assemble`, and keeps a plan per FSPEC (per edition, across
        calls) so that consecutive fixed items of a record shape seen before are noted without looking them up.
        """
        data = self.raw
        acc = self.acc
        out_lane: list[int] = []
        out_start: list[int] = []
        out_end: list[int] = []
        u0 = uaps[0].items
        fixed_length = _fixed_lengths(self.edition)
        sel_items = (selector[1].items, selector[2].items) if selector is not None else None
        n_frn = max(len(u.items) for u in uaps)
        rec = n_rec
        plans = _scalar_plans(self.edition)
        resolved: dict[int, list] = {}  # id(run) → the list appenders of its slots, for this call
        measure = self._measure_scalar
        for lane in alive.tolist():
            p, e = int(pos[lane]), int(end[lane])
            code = 0
            while p < e:
                start = p
                i = 0
                while True:
                    if p >= e:
                        code = 1
                        break
                    b = data[p]
                    p += 1
                    i += 7
                    if not b & 1:
                        break
                    if i >= n_frn:
                        code = 3
                        break
                if code:
                    break
                fspec = data[start:p]
                plan = plans.get(fspec)
                if plan is None:
                    plan = _scalar_plan(fspec, u0, fixed_length, sel_items is not None)
                    if len(plans) > 4096:  # a fuzzed stream must not grow the cache without bound
                        plans.clear()
                    plans[fspec] = plan
                steps, frns = plan
                if not frns:
                    code = 8
                    break
                if steps is not None:  # the same FSPEC seen before: fixed runs noted without per-item lookups
                    for run, x in steps:
                        if run is not None:
                            notes = resolved.get(id(run))
                            if notes is None:
                                notes = [(*_slot_lists(acc, slot)[:2], rel) for slot, rel, _ in run]
                                resolved[id(run)] = notes
                            for add_rec, add_off, rel in notes:  # fixed items: no length noted (never read)
                                add_rec(rec)
                                add_off(p + rel)
                            p += x
                        else:
                            length, code = measure(x, x.name, rec, p, e)
                            p += length
                        if code == 0 and p > e:
                            code = 4
                        if code:
                            break
                else:  # UAP chosen per record (CAT001) or an FRN the UAP does not define: item by item
                    items = u0
                    for f in frns:
                        if sel_items is not None and f >= 2 and items is u0:
                            sel = acc.get(selector[0])
                            typ = sel is not None and sel[0][-1] == rec and data[sel[1][-1]] & 0x80
                            items = sel_items[1] if typ else sel_items[0]
                        item = items[f] if f < len(items) else None
                        if item is None:
                            code = 2
                            break
                        if isinstance(item, RandomFields):
                            length, code = self._random_fields(item, items, rec, p, e)
                        else:
                            length, code = measure(item, item.name, rec, p, e)
                        p += length
                        if code == 0 and p > e:
                            code = 4
                        if code:
                            break
                # A record that failed is kept in the arrays (its block is dropped later) so that the slot
                # records noted for it stay in range.
                out_lane.append(lane)
                out_start.append(start)
                out_end.append(p)
                rec += 1
                if code:
                    break
            if code:
                lane_err[lane] = code
        return out_lane, out_start, out_end

    def _random_fields(self, rfs: RandomFields, items, rec: int, p: int, e: int) -> tuple[int, int]:
        """Random Field Sequencing (CAT001 FRN 21): N, then N times an FRN and that item, in any order.

        Each item is noted under its own slot, as if the FSPEC had named it; an FRN the UAP does not define, the
        RFS field itself, or an item the record already holds is an error (the record cannot be read with
        certainty), never a guess.
        """
        data = self.raw
        if p >= e:
            return 0, 4
        count = data[p]
        q = p + 1
        for _ in range(count):
            if q >= e:
                return q - p, 4
            frn = data[q]
            q += 1
            item = items[frn - 1] if 1 <= frn <= len(items) else None
            if item is None or isinstance(item, RandomFields):
                return q - p, 13
            held = self.acc.get(item.name)
            if held is not None and held[0] and held[0][-1] == rec:
                return q - p, 14
            length, code = self._measure_scalar(item, item.name, rec, q, e)
            q += length
            if code:
                return q - p, code
        add_rec, add_off, add_len = _slot_lists(self.acc, rfs.name)
        add_rec(rec)
        add_off(p)
        add_len(q - p)
        return q - p, 0

    def _expansion_scalar(self, item: Explicit, slot: str, rec: int, p: int, length: int) -> None:
        """:meth:`_expansion` for one record: content that does not fill the field exactly is dropped (opaque)."""
        content = item.content
        assert content is not None
        sub_len, code = self._measure_scalar(content, f"{slot}/{content.name}", rec, p + 1, p + length)
        if code == 0 and sub_len == length - 1:
            return
        prefix = f"{slot}/"
        for s, (recs, offs, lens) in self.acc.items():
            if s.startswith(prefix):
                while recs and recs[-1] == rec:
                    if len(lens) == len(recs):  # fixed subitems are noted without a length
                        lens.pop()
                    recs.pop()
                    offs.pop()

    def _measure_scalar(self, item, slot, rec, p, e) -> tuple[int, int]:
        data = self.raw
        if p >= e:
            return 0, 4
        code = 0
        kind = type(item)
        if kind is Fixed:
            length = item.length
        elif kind is Extended:
            length = 0
            more = True
            for pl in item.part_lengths:
                length += pl
                if p + length > e:
                    return length, 4
                more = bool(data[p + length - 1] & 1)
                if not more:
                    break
            if more:
                code = 5
        elif kind is Repetitive:
            length = 1 + data[p] * item.element.length
        elif kind is Explicit:
            length = data[p]
            if length == 0:
                return 1, 6
            if item.content is not None and length > 1:
                self._expansion_scalar(item, slot, rec, p, length)
        elif kind is Compound:
            subs = item.subitems
            present: list[int] = []
            length = 0
            i = 0
            while True:
                if p + length >= e:
                    return length, 4
                b = data[p + length]
                length += 1
                for k in _BITS7[b]:
                    present.append(i + k)
                i += 7
                if not b & 1:
                    break
                if i >= len(subs):
                    return length, 7
            key = (id(item), data[p : p + length], slot)
            run = self.compound_runs.get(key)
            if run is None:  # first time this call: are the subitems it names all fixed? then one note each
                run = self.compound_runs[key] = _compound_run(item, present, slot, self.acc, length)
            if run and p + run[0] <= e:
                for add_rec, add_off, rel in run[1]:
                    add_rec(rec)
                    add_off(p + rel)
                present = []
                length = run[0]
            for j in present:
                sub = subs[j] if j < len(subs) else None
                if sub is None:
                    return length, 7
                sl, code = self._measure_scalar(sub, f"{slot}/{sub.name}", rec, p + length, e)
                length += sl
                if code:
                    return length, code
        else:  # pragma: no cover - RFS is handled by the record walk, the tables use no other kind
            raise TypeError(item)
        a = self.acc.get(slot)
        if a is None:
            a = self.acc[slot] = ([], [], [])
        a[0].append(rec)
        a[1].append(p)
        a[2].append(length)
        return length, code

    def _selector_bits(self, item_name: str, rec: np.ndarray) -> np.ndarray:
        """First bit of the selector item (CAT001 I020 TYP) for the records of this iteration; 0 when absent."""
        out = np.zeros(len(rec), dtype=bool)
        chunks = self.chunks.get(item_name, [])
        if chunks:
            r, s, _ = chunks[-1]
            lo = rec[0] if len(rec) else 0
            sel = (r >= lo) & (r < lo + len(rec))
            out[r[sel] - lo] = (self._read(s[sel]) & 0x80).astype(bool)
        return out

    def assemble(self, n: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Offsets (-1 when absent) and lengths per slot for the n records. Lengths are given for variable items
        only: a fixed item's length is its definition's, and nothing reads it from here."""
        offsets: dict[str, np.ndarray] = {}
        lengths: dict[str, np.ndarray] = {}
        for slot, (recs, offs, lens) in self.acc.items():
            fixed = len(lens) != len(recs)  # noted in fixed runs (without lengths) at least once
            if slot in self.chunks:  # walked partly in lock-step: merge below
                ln = 0 if fixed else np.array(lens, np.int64)
                self.chunks[slot].append((np.array(recs, np.int64), np.array(offs, np.int64), ln))
                continue
            if len(recs) != n:  # records are noted at most once per slot, so n notes are every record, in order
                off = [-1] * n
                for r, o in zip(recs, offs, strict=True):
                    off[r] = o
                offs = off
                if not fixed:
                    ln = [0] * n
                    for r, k in zip(recs, lens, strict=True):
                        ln[r] = k
                    lens = ln
            offsets[slot] = np.array(offs, dtype=np.int64)
            if not fixed:
                lengths[slot] = np.array(lens, dtype=np.int64)
        for slot, chunks in self.chunks.items():
            fixed = all(np.ndim(c[2]) == 0 for c in chunks)
            # An item every record holds (I010, time of day…): records are noted once each, in increasing order,
            # so n of them from 0 to n - 1 are all of them, in order.
            if len(chunks) == 1 and len(chunks[0][0]) == n and n and chunks[0][0][0] == 0 and chunks[0][0][-1] == n - 1:
                offsets[slot] = chunks[0][1]
                if not fixed:
                    lengths[slot] = chunks[0][2]
                continue
            off = np.full(n, -1, dtype=np.int64)
            for rec, st, _ in chunks:
                off[rec] = st
            offsets[slot] = off
            if not fixed:
                ln = np.zeros(n, dtype=np.int64)
                for rec, _, length in chunks:
                    ln[rec] = length
                lengths[slot] = ln
        return offsets, lengths


def _compound_run(item: Compound, present: list[int], slot: str, acc: dict, primary: int) -> tuple | None:
    """(length, notes) for a compound item whose named subitems are all fixed: its subitems then sit at known
    offsets from its start, noted without measuring each (None when a named subitem is variable or undefined)."""
    notes = []
    at = primary
    for j in present:
        sub = item.subitems[j] if j < len(item.subitems) else None
        if type(sub) is not Fixed:
            return None
        notes.append((*_slot_lists(acc, f"{slot}/{sub.name}")[:2], at))
        at += sub.length
    return at, notes


def _slot_lists(acc: dict[str, tuple[list[int], list[int], list[int]]], slot: str) -> tuple:
    """The append methods of a slot's (records, offsets, lengths) lists, created on first use."""
    lists = acc.get(slot)
    if lists is None:
        lists = acc[slot] = ([], [], [])
    return lists[0].append, lists[1].append, lists[2].append


_UAP_PLANS: dict[int, tuple] = {}
_RANDOM_FIELDS: dict[int, bool] = {}


def _has_random_fields(ed: Edition) -> bool:
    got = _RANDOM_FIELDS.get(id(ed))
    if got is None:
        got = _RANDOM_FIELDS[id(ed)] = any(isinstance(it, RandomFields) for u in ed.uaps.values() for it in u.items)
    return got


def _uap_plan(ed: Edition) -> tuple:
    """(UAPs, FRN count, FSPEC octets at most, FRNs some UAP defines, UAP selector): once per edition."""
    plan = _UAP_PLANS.get(id(ed))
    if plan is None:
        uaps = list(ed.uaps.values())
        n_frn = max(len(u.items) for u in uaps)
        max_octets = (n_frn + 6) // 7
        allowed = np.zeros(max_octets * 7, dtype=bool)
        for u in uaps:
            for i, it in enumerate(u.items):
                allowed[i] |= it is not None
        selector = None
        if ed.uap_selector is not None:
            sel_item, uap0, uap1 = ed.uap_selector
            selector = (sel_item, ed.uaps[uap0], ed.uaps[uap1])
        plan = _UAP_PLANS[id(ed)] = (uaps, n_frn, max_octets, allowed, selector)
    return plan


#: Per edition: FSPEC octets → walking plan (see :func:`_scalar_plan`).
_SCALAR_PLANS: dict[int, dict[bytes, tuple]] = {}


def _scalar_plans(edition: Edition) -> dict[bytes, tuple]:
    plans = _SCALAR_PLANS.get(id(edition))
    if plans is None:
        plans = _SCALAR_PLANS[id(edition)] = {}
    return plans


def _scalar_plan(fspec: bytes, u0, fixed_length: dict[int, int], per_record_uap: bool) -> tuple:
    """How to walk a record with this FSPEC: (steps, FRNs). Consecutive fixed items become one step (a "run":
    a tuple of (slot, offset in the run, length) and the run's length), a variable item one step (None, item), so
    a radar's repeated FSPECs cost one step per run, not one per item. Steps are None when the UAP is chosen per
    record or an FRN is undefined or is Random Field Sequencing (walked item by item)."""
    frns = [7 * j + k for j, b in enumerate(fspec) for k in _BITS7[b]]
    if per_record_uap or any(f >= len(u0) or u0[f] is None or isinstance(u0[f], RandomFields) for f in frns):
        return None, frns
    steps: list[tuple[tuple | None, object]] = []
    run: list[tuple[str, int, int]] = []
    at = 0
    for f in frns:
        item = u0[f]
        length = fixed_length.get(id(item), 0)
        if length:
            run.append((item.name, at, length))
            at += length
            continue
        if run:
            steps.append((tuple(run), at))
            run, at = [], 0
        steps.append((None, item))
    if run:
        steps.append((tuple(run), at))
    return tuple(steps), frns


_FIXED_LENGTHS: dict[int, dict[int, int]] = {}


def _fixed_lengths(edition: Edition) -> dict[int, int]:
    """id(item) → length of the edition's fixed UAP items, built once per edition for the scalar walker."""
    out = _FIXED_LENGTHS.get(id(edition))
    if out is None:
        out = {id(it): it.length for u in edition.uaps.values() for it in u.items if isinstance(it, Fixed)}
        _FIXED_LENGTHS[id(edition)] = out
    return out


def walk_blocks(
    buf: np.ndarray, edition: Edition, start: np.ndarray, end: np.ndarray
) -> tuple[Layout, np.ndarray, np.ndarray]:
    """Structure pass over blocks of one edition: (layout of the good blocks' records, error and warning per block)."""
    walker = _Walker(buf, edition)
    (rec_lane, rec_start, rec_end), lane_err = walker.walk(start, end)
    offsets, lengths = walker.assemble(len(rec_start))
    layout = Layout(buf, edition, rec_lane, rec_start, rec_end, offsets, lengths)
    good = lane_err[rec_lane] == 0
    if not good.all():
        layout = layout.take(good)
    rec_err, rec_warn = validate(layout)
    lane_warn = np.zeros(len(start), dtype=np.int8)
    lane_warn[layout.rec_lane[rec_warn != 0]] = 10
    bad = np.flatnonzero(rec_err)
    if bad.size:
        lanes = layout.rec_lane[bad]
        first = lane_err[lanes] == 0
        lane_err[lanes[first]] = rec_err[bad[first]]
        layout = layout.take(lane_err[layout.rec_lane] == 0)
    return layout, lane_err, lane_warn


@dataclass(frozen=True)
class _Check:
    slot: str
    octet: int  # where the part holding the field starts, from the item's offset
    min_length: int  # the item must be at least this long for the part to be present (extended items)
    first_bit: int
    field: Field
    code: int


_CHECKS: dict[int, list[_Check]] = {}


def _checks_of(edition: Edition) -> list[_Check]:
    """Consistency checks that reveal a wrong edition: spare bits must be zero, times and coordinates in range."""
    key = id(edition)
    if key in _CHECKS:
        return _CHECKS[key]
    checks: list[_Check] = []

    def fields(slot: str, fs: tuple[Field, ...], octet: int, min_length: int) -> None:
        bit = 0
        for f in fs:
            code = 0
            if f.is_spare:
                code = 10
            elif f.unit == "s" and f.bits == 24 and f.scale == 1 / 128:
                code = 11
            elif f.unit == "deg" and f.name.lower() in ("lat", "lon") and f.encoding == "signed":
                code = 12
            if code:
                checks.append(_Check(slot, octet, min_length, bit, f, code))
            bit += f.bits

    def walk(item: Item, slot: str) -> None:
        if isinstance(item, Fixed):
            fields(slot, item.fields, 0, 0)
        elif isinstance(item, Extended):
            at = 0
            for part, plen in zip(item.parts, item.part_lengths, strict=True):
                fields(slot, part, at, at + plen)
                at += plen
        elif isinstance(item, Compound):
            for sub in item.subitems:
                if sub is not None:
                    walk(sub, f"{slot}/{sub.name}")
        elif isinstance(item, Explicit) and item.content is not None:
            walk(item.content, f"{slot}/{item.content.name}")

    for name, item in edition.items.items():
        walk(item, name)
    _CHECKS[key] = checks
    return checks


_SPARE_MASKS: dict[int, list[tuple[str, int, int, np.ndarray]]] = {}


#: The same as one big-endian word mask each: (slot, octet, minimum length, word width or 0 if wider, mask).
_SPARE_WORDS: dict[int, list[tuple[str, int, int, int, int]]] = {}


def _spare_masks(edition: Edition) -> list[tuple[str, int, int, np.ndarray]]:
    """The spare-bit checks merged per item part: (slot, octet, minimum length, octet mask), one gather each."""
    key = id(edition)
    if key in _SPARE_MASKS:
        return _SPARE_MASKS[key]
    bits: dict[tuple[str, int, int], set[int]] = {}
    for c in _checks_of(edition):
        if c.code == 10:
            bits.setdefault((c.slot, c.octet, c.min_length), set()).update(
                range(c.first_bit, c.first_bit + c.field.bits)
            )
    out = []
    for (slot, octet, min_length), spare_bits in bits.items():
        mask = np.zeros(max(spare_bits) // 8 + 1, dtype=np.uint8)
        for b in spare_bits:
            mask[b // 8] |= 0x80 >> (b % 8)
        out.append((slot, octet, min_length, mask))
    _SPARE_MASKS[key] = out
    _SPARE_WORDS[key] = [
        (slot, octet, min_length, width, int.from_bytes(bytes(mask) + bytes(width - len(mask)), "big"))
        for slot, octet, min_length, mask in out
        for width in [4 if len(mask) <= 4 else 8 if len(mask) <= 8 else 0]
    ]
    return out


def validate(layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(error code, warning code) per record from the edition's range and spare-bit checks (0 = consistent).

    Out-of-range times and coordinates are errors (the block is dropped): they are what a wrong edition produces.
    Spare bits set are warnings: real equipment sometimes sets them, so the record is kept, but they are counted
    per source because they are also the first sign of a wrong edition.
    """
    if layout.n <= 2 * SCALAR_RECORDS:  # the checks cost less per record than reads: plain Python pays longer
        return _validate_scalar(layout)
    err = np.zeros(layout.n, dtype=np.int8)
    warn = np.zeros(layout.n, dtype=np.int8)
    last = len(layout.buf) - 1
    _spare_masks(layout.edition)
    for (slot, octet, min_length, mask), (_, _, _, width, word_mask) in zip(
        _spare_masks(layout.edition), _SPARE_WORDS[id(layout.edition)], strict=True
    ):
        off = layout.offsets.get(slot)
        if off is None:
            continue
        has = off >= 0
        if min_length:
            has &= layout.lengths[slot] >= min_length
        if width and has.all():  # one word per record holds every spare bit of the part: one gather
            warn[(_words(layout.buf, width)[off + octet] & word_mask) != 0] = 10
            continue
        idx = np.flatnonzero(has)
        if idx.size == 0:
            continue
        if width and idx.size <= SCALAR_RECORDS:  # a subitem few records hold: cheaper one by one
            octets = memoryview(layout.buf)
            for i, o in zip(idx.tolist(), off[idx].tolist(), strict=True):
                if int.from_bytes(octets[o + octet : o + octet + width], "big") & word_mask:
                    warn[i] = 10
            continue
        octets = layout.buf[np.minimum(off[idx, None] + (octet + np.arange(len(mask))), last)]
        warn[idx[(octets & mask).any(axis=1)]] = 10
    for c in _checks_of(layout.edition):
        if c.code == 10:
            continue
        off = layout.offsets.get(c.slot)
        if off is None:
            continue
        has = off >= 0
        if c.min_length:
            has &= layout.lengths[c.slot] >= c.min_length
        idx = np.flatnonzero(has & (err == 0))
        if idx.size == 0:
            continue
        limit = 86400.0 if c.code == 11 else (90.0 if c.field.name.lower() == "lat" else 180.0)
        if idx.size <= SCALAR_RECORDS:  # an item few records hold: cheaper one by one
            octets = memoryview(layout.buf)
            for i, o in zip(idx.tolist(), off[idx].tolist(), strict=True):
                v = _scalar_number(octets, o + c.octet, c.first_bit, c.field)
                if (abs(v) > limit) if c.code == 12 else (v >= limit):
                    err[i] = c.code
            continue
        v = field_value(layout.buf, off[idx] + c.octet, c.first_bit, c.field)
        bad = np.abs(v) > limit if c.code == 12 else v >= limit
        err[idx[bad]] = c.code
    return err, warn


def _validate_scalar(layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """:func:`validate` in plain Python for a few records (a datagram): same checks, same codes."""
    n = layout.n
    octets = memoryview(layout.buf)
    err = [0] * n
    warn = [0] * n
    for slot, octet, min_length, mask in _spare_masks(layout.edition):
        off = layout.offsets.get(slot)
        if off is None:
            continue
        lengths = layout.lengths[slot].tolist() if min_length else None
        masks = list(enumerate(mask.tolist()))
        for i, o in enumerate(off.tolist()):
            if o < 0 or warn[i] or (lengths is not None and lengths[i] < min_length):
                continue
            a = o + octet
            if any(octets[a + k] & m for k, m in masks):
                warn[i] = 10
    for c in _checks_of(layout.edition):
        if c.code == 10:
            continue
        off = layout.offsets.get(c.slot)
        if off is None:
            continue
        lengths = layout.lengths[c.slot].tolist() if c.min_length else None
        f = c.field
        limit = 86400.0 if c.code == 11 else (90.0 if f.name.lower() == "lat" else 180.0)
        for i, o in enumerate(off.tolist()):
            if o < 0 or err[i] or (lengths is not None and lengths[i] < c.min_length):
                continue
            v = _scalar_number(octets, o + c.octet, c.first_bit, f)
            if (abs(v) > limit) if c.code == 12 else (v >= limit):
                err[i] = c.code
    return np.array(err, dtype=np.int8), np.array(warn, dtype=np.int8)


def _scalar_number(octets: memoryview, at: int, first_bit: int, f: Field) -> float | int:
    """One numeric field (≤ 57 bits) as :func:`field_value` computes it, in plain Python."""
    b0 = first_bit // 8
    nb = (first_bit + f.bits - 1) // 8 - b0 + 1
    v = (int.from_bytes(octets[at + b0 : at + b0 + nb], "big") >> (nb * 8 - (first_bit - b0 * 8) - f.bits)) & (
        (1 << f.bits) - 1
    )
    if f.encoding == "signed":
        if v >= 1 << (f.bits - 1):
            v -= 1 << f.bits
        return v * f.scale if f.scale is not None else float(v)
    return float(v) * f.scale if f.scale is not None else v


def _gather_uint(buf: np.ndarray, off: np.ndarray, first_bit: int, bits: int) -> np.ndarray:
    """Unsigned value of ``bits`` bits starting ``first_bit`` bits after each offset (bits ≤ 57).

    The word holding the field is one fancy index into a view of the buffer with a word at every octet, so the
    cost is a handful of numpy calls whatever the field's width (a decode call's fixed cost is mostly numpy calls).
    """
    b0 = first_bit // 8
    b1 = (first_bit + bits - 1) // 8
    nb = b1 - b0 + 1
    n = len(off)
    shift = (b1 + 1) * 8 - first_bit - bits
    if n <= SCALAR_RECORDS:  # a datagram's few records: plain Python beats a dozen numpy calls
        octets = memoryview(buf)
        last = len(buf) - 1
        mask = (1 << bits) - 1
        out = []
        for o in off.tolist():
            a = min(max(o + b0, 0), last)
            out.append((int.from_bytes(octets[a : min(a + nb, last + 1)], "big") >> shift) & mask)
        return np.array(out, dtype=np.uint64)
    span_bits = first_bit - b0 * 8 + bits  # from the first octet holding the field to the field's last bit
    if span_bits <= 8:
        v = buf[off + b0].astype(np.uint64)
        shift = 8 - span_bits
    else:
        width = 4 if span_bits <= 32 else 8
        v = _words(buf, width)[off + b0].astype(np.uint64)
        shift = width * 8 - span_bits
    if shift:
        v >>= np.uint64(shift)
    if bits < 64:
        v &= np.uint64((1 << bits) - 1)
    return v


#: The word views of the buffer being decoded (see :func:`_words`), per thread: a decode call reads many fields
#: from one buffer, and decoders may run in several threads at once.
_LOCAL = threading.local()


def _words(buf: np.ndarray, width: int) -> np.ndarray:
    """A read-only view of ``buf`` as the big-endian ``width``-octet word starting at every octet, so that a field
    of up to 57 bits at any offsets is one fancy index (offsets of items always lie PAD octets or more before the
    buffer's end, so every word they start is whole)."""
    cache = getattr(_LOCAL, "words", None)
    if cache is None or cache[0] is not buf:
        cache = _LOCAL.words = (buf, {})
    view = cache[1].get(width)
    if view is None:
        shape = (len(buf) - width + 1, width)
        windows = np.lib.stride_tricks.as_strided(buf, shape=shape, strides=(1, 1), writeable=False)
        view = cache[1][width] = windows.view(f">u{width}")[:, 0]
    return view


def release_words() -> None:
    """Drop this thread's word views (they hold the buffer): called when a decode call ends."""
    _LOCAL.words = None


CHARS6 = np.frombuffer(b" ABCDEFGHIJKLMNOPQRSTUVWXYZ     " + b" " * 16 + b"0123456789      ", dtype=np.uint8)


def field_value(buf: np.ndarray, off: np.ndarray, first_bit: int, f: Field) -> np.ndarray:
    """Decoded values of one field: float64 (scaled or signed), int64, or str for character fields."""
    if f.encoding in ("chars6", "ascii"):
        width = 6 if f.encoding == "chars6" else 8
        nchar = f.bits // width
        if f.bits <= 57:  # one gather for the whole string, then split into characters
            shifts = np.arange(nchar - 1, -1, -1, dtype=np.uint64) * np.uint64(width)
            codes = (_gather_uint(buf, off, first_bit, f.bits)[:, None] >> shifts) & np.uint64((1 << width) - 1)
        else:
            codes = np.stack([_gather_uint(buf, off, first_bit + width * i, width) for i in range(nchar)], axis=1)
        chars = CHARS6[codes.astype(np.int64)] if f.encoding == "chars6" else codes.astype(np.uint8)
        return np.ascontiguousarray(chars.astype(np.uint8)).view(f"S{nchar}").ravel().astype(str)
    if f.bits > 57:
        hi = _gather_uint(buf, off, first_bit, f.bits - 32)
        lo = _gather_uint(buf, off, first_bit + f.bits - 32, 32)
        return ((hi.astype(object) << 32) | lo.astype(object)) if len(off) else np.zeros(0, dtype=object)
    return _as_field(_gather_uint(buf, off, first_bit, f.bits), f)


def _as_field(v: np.ndarray, f: Field) -> np.ndarray:
    """Raw unsigned values (uint64) of a numeric field → float64 (scaled or signed) or int64."""
    if f.encoding == "signed":
        vi = v.astype(np.int64)
        vi = np.where(vi >= (1 << (f.bits - 1)), vi - (1 << f.bits), vi)
        return vi * f.scale if f.scale is not None else vi.astype(np.float64)
    if f.scale is not None:
        return v.astype(np.float64) * f.scale
    return v.astype(np.int64)


class FieldReader:
    """Decoded field values of a layout's records, computed per item on demand and cached."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self._cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._words: dict[tuple[str, int, int], tuple] = {}

    def present(self, slot: str) -> np.ndarray:
        off = self.layout.offsets.get(slot)
        return np.zeros(self.layout.n, dtype=bool) if off is None else off >= 0

    def item(self, slot: str) -> Item:
        ed = self.layout.edition
        parts = slot.split("/")
        item = ed.items[parts[0]]
        for name in parts[1:]:
            assert isinstance(item, Compound)
            item = next(s for s in item.subitems if s is not None and s.name == name)
        return item

    def get(self, slot: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(values for every record, present mask). Absent values are NaN / 0 / '' by dtype; use the mask."""
        key = (slot, name)
        if key in self._cache:
            return self._cache[key]
        n = self.layout.n
        off = self.layout.offsets.get(slot)
        where = _field_location(self.layout.edition, slot, name)
        if off is None or where is None:
            f = where[1] if where is not None else None
            out = (_empty_values(f, n), np.zeros(n, dtype=bool))
            out[0].flags.writeable = False
            self._cache[key] = out
            return out
        if where[0] is None:
            raise KeyError(f"{slot}: no field {name} in a fixed, extended or repetitive item")
        _, f, octet, first_bit, min_length = where
        if n <= SCALAR_RECORDS and f.bits <= 57 and f.encoding not in ("chars6", "ascii"):
            vals, present = self._get_scalar(slot, off, f, octet, first_bit, min_length)
            vals.flags.writeable = False
            self._cache[key] = (vals, present)
            return vals, present
        if f.bits <= 57 and f.encoding not in ("chars6", "ascii") and first_bit + f.bits <= 64:
            # the part's first 8 octets are gathered once and shared by every field in them (TYP, SIM, SPI…)
            present, idx, word = self._part_word(slot, off, octet, min_length)
            v = word >> np.uint64(64 - first_bit - f.bits)
            v = _as_field(v & np.uint64((1 << f.bits) - 1), f)
            if idx is None:
                vals = v
            else:
                vals = _empty_values(f, n)
                vals[idx] = v
            vals.flags.writeable = False
            self._cache[key] = (vals, present)
            return vals, present
        present = off >= 0
        if min_length:
            present &= self.layout.lengths[slot] >= min_length
        if present.all():  # an item every record holds (I010, time of day, position…): no scatter
            vals = field_value(self.layout.buf, off + octet, first_bit, f)
        else:
            idx = np.flatnonzero(present)
            vals = _empty_values(f, n)
            if 0 < idx.size <= SCALAR_RECORDS and f.bits <= 57 and f.encoding not in ("chars6", "ascii"):
                # a subitem few records hold: cheaper read one by one, with the same arithmetic
                octets = memoryview(self.layout.buf)
                vals[idx] = [_scalar_number(octets, o + octet, first_bit, f) for o in off[idx].tolist()]
            elif idx.size:
                vals[idx] = field_value(self.layout.buf, off[idx] + octet, first_bit, f)
        vals.flags.writeable = False  # shared by every converter that asks for this field
        self._cache[key] = (vals, present)
        return vals, present

    def _part_word(self, slot: str, off: np.ndarray, octet: int, min_length: int) -> tuple:
        """(present mask, indices of the records holding the part or None for all, their first 8 octets of it as
        one uint64 each), computed once per item part."""
        key = (slot, octet, min_length)
        got = self._words.get(key)
        if got is None:
            present = off >= 0
            if min_length:
                present &= self.layout.lengths[slot] >= min_length
            words = _words(self.layout.buf, 8)
            if present.all():
                got = (present, None, words[off + octet].astype(np.uint64))
            else:
                idx = np.flatnonzero(present)
                got = (present, idx, words[off[idx] + octet].astype(np.uint64))
            present.flags.writeable = False
            self._words[key] = got
        return got

    def _get_scalar(
        self, slot: str, off: np.ndarray, f: Field, octet: int, first_bit: int, min_length: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`get` in plain Python for a few records (same values, same dtypes as the numpy path)."""
        octets = memoryview(self.layout.buf)
        lengths = self.layout.lengths[slot].tolist() if min_length else None
        bits = f.bits
        b0 = first_bit // 8
        nb = (first_bit + bits - 1) // 8 - b0 + 1
        shift = nb * 8 - (first_bit - b0 * 8) - bits
        mask = (1 << bits) - 1
        signed = f.encoding == "signed"
        scale = f.scale
        as_float = signed or scale is not None
        absent = np.nan if as_float else 0
        vals: list = []
        present: list[bool] = []
        for i, o in enumerate(off.tolist()):
            if o < 0 or (lengths is not None and lengths[i] < min_length):
                vals.append(absent)
                present.append(False)
                continue
            a = o + octet + b0
            v = (int.from_bytes(octets[a : a + nb], "big") >> shift) & mask
            if signed:
                if v >= 1 << (bits - 1):
                    v -= 1 << bits
                v = v * scale if scale is not None else float(v)
            elif scale is not None:
                v = float(v) * scale
            vals.append(v)
            present.append(True)
        return np.array(vals, dtype=np.float64 if as_float else np.int64), np.array(present, dtype=bool)


#: (edition id, slot, field) → (item, field, octet, first bit, minimum item length), or None when the slot is not in
#: the edition; item None when the item holds no such readable field. Computed once per edition, not per call.
_LOCATIONS: dict[tuple[int, str, str], tuple | None] = {}


def _field_location(edition: Edition, slot: str, name: str) -> tuple | None:
    key = (id(edition), slot, name)
    if key in _LOCATIONS:
        return _LOCATIONS[key]
    parts = slot.split("/")
    item: Item | None = edition.items.get(parts[0])
    for sub_name in parts[1:]:
        if isinstance(item, Explicit) and item.content is not None and item.content.name == sub_name:
            item = item.content
            continue
        if not isinstance(item, Compound):
            item = None
            break
        item = next((s for s in item.subitems if s is not None and s.name == sub_name), None)
    loc: tuple | None = None
    if item is not None:
        loc = (None, _find_field(item, name), 0, 0, 0)
        try:
            if isinstance(item, Fixed | Repetitive):
                fixed = item if isinstance(item, Fixed) else item.element
                f, first_bit = _locate(fixed.fields, name)
                loc = (item, f, 0, first_bit, 0) if isinstance(item, Fixed) else (item, f, 1, first_bit, 2)
            elif isinstance(item, Extended):
                part_no, f, first_bit = _locate_extended(item, name)
                start = int(sum(item.part_lengths[:part_no]))
                loc = (item, f, start, first_bit, start + 1)
        except KeyError:
            pass
    _LOCATIONS[key] = loc
    return loc


def _find_field(item: Item, name: str) -> Field | None:
    if isinstance(item, Fixed):
        return next((f for f in item.fields if f.name == name), None)
    if isinstance(item, Repetitive):
        return _find_field(item.element, name)
    if isinstance(item, Extended):
        return next((f for p in item.parts for f in p if f.name == name), None)
    return None


def _empty_values(f: Field | None, n: int) -> np.ndarray:
    if f is None:
        return np.full(n, np.nan)
    if f.encoding in ("chars6", "ascii"):
        return np.full(n, "", dtype=f"<U{f.bits // (6 if f.encoding == 'chars6' else 8)}")
    if f.bits > 57:
        return np.zeros(n, dtype=object)
    if f.scale is not None or f.encoding == "signed":
        return np.full(n, np.nan)
    return np.zeros(n, dtype=np.int64)


def _locate(fields: tuple[Field, ...], name: str) -> tuple[Field, int]:
    bit = 0
    for f in fields:
        if f.name == name and not f.is_spare:
            return f, bit
        bit += f.bits
    raise KeyError(name)


def _locate_extended(item: Extended, name: str) -> tuple[int, Field, int]:
    for k, part in enumerate(item.parts):
        bit = 0
        for f in part:
            if f.name == name and not f.is_spare:
                return k, f, bit
            bit += f.bits
    raise KeyError(f"{item.name}: no field {name}")


@dataclass
class BlockErrors:
    """Counted per-block problems, keyed by human-readable reason."""

    counts: Counter = field(default_factory=Counter)

    def add(self, reason: str, n: int = 1) -> None:
        if n:
            self.counts[reason] += n


def _field_rows(buf: np.ndarray, off: np.ndarray, fields: tuple[Field, ...]) -> list[dict[str, object]]:
    names, cols = [], []
    bit = 0
    for f in fields:
        if not f.is_spare:
            names.append(f.name)
            cols.append(field_value(buf, off, bit, f).tolist())
        bit += f.bits
    return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)] if cols else [{} for _ in off]


def _slot_values(layout: Layout, slot: str, item: Item) -> list[object]:
    """Python values of one item (or subitem) for every record, None where absent; vectorised per field."""
    n = layout.n
    out: list[object] = [None] * n
    off = layout.offsets.get(slot)
    if off is None:
        return out
    idx = np.flatnonzero(off >= 0)
    if idx.size == 0:
        return out
    buf = layout.buf
    if isinstance(item, Fixed):
        for i, d in zip(idx.tolist(), _field_rows(buf, off[idx], item.fields), strict=True):
            out[i] = d
    elif isinstance(item, Extended):
        length = layout.lengths[slot]
        for i in idx.tolist():
            out[i] = {}
        at = 0
        for part, plen in zip(item.parts, item.part_lengths, strict=True):
            has = idx[length[idx] > at]
            if has.size == 0:
                break
            for i, d in zip(has.tolist(), _field_rows(buf, off[has] + at, part), strict=True):
                rec = out[i]
                assert isinstance(rec, dict)
                for k, v in d.items():
                    if k in rec:
                        prev = rec[k]
                        rec[k] = [*prev, v] if isinstance(prev, list) else [prev, v]
                    else:
                        rec[k] = v
            at += plen
    elif isinstance(item, Repetitive):
        el = item.element
        counts = buf[off[idx]].astype(np.int64)
        starts = (
            np.repeat(off[idx] + 1, counts)
            + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)) * el.length
        )
        rows = _field_rows(buf, starts, el.fields)
        pos = 0
        for i, c in zip(idx.tolist(), counts.tolist(), strict=True):
            out[i] = rows[pos : pos + c]
            pos += c
    elif isinstance(item, Explicit | RandomFields):  # opaque here; RFS items are noted under their own slots
        length = layout.lengths[slot]
        decoded: list[object] = [None] * n
        if isinstance(item, Explicit) and item.content is not None:  # a Reserved Expansion Field read in full
            decoded = _slot_values(layout, f"{slot}/{item.content.name}", item.content)
        for i in idx.tolist():
            out[i] = decoded[i] if decoded[i] is not None else {"hex": bytes(buf[off[i] : off[i] + length[i]]).hex()}
    elif isinstance(item, Compound):
        for i in idx.tolist():
            out[i] = {}
        for sub in item.subitems:
            if sub is None:
                continue
            for i, v in enumerate(_slot_values(layout, f"{slot}/{sub.name}", sub)):
                if v is not None:
                    rec = out[i]
                    assert isinstance(rec, dict)
                    rec[sub.name] = v
    return out


def records_as_dicts(layout: Layout) -> list[dict[str, object]]:
    """Every record of a layout as {item: fields}: for inspection and cross-checking, not the hot path."""
    cat = layout.edition.category
    recs: list[dict[str, object]] = [{"category": cat, "_start": s} for s in layout.rec_start.tolist()]
    for name, item in layout.edition.items.items():
        for rec, v in zip(recs, _slot_values(layout, name, item), strict=True):
            if v is not None:
                rec[name] = v
    return recs
