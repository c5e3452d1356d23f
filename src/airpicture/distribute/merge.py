"""Merging measurement streams from many gateways into time slices, the same slices whatever the arrival order.

JetStream keeps each subject in order but interleaves sensors by arrival, which depends on links and load. A tracker
fed in arrival order would give different tracks from run to run. So the tracker node cuts data time into fixed
slices [k·P, (k+1)·P) and releases slice k only when every expected gateway's watermark has passed (k+1)·P (or the
slice has waited ``max_wait_s`` on the wall clock, so a silent site cannot freeze the picture; counted). Inside a
slice rows are ordered by (time_s, sensor), each sensor keeping its own order. :func:`time_slices` cuts a whole table
the same way, so a one-process run on the same data feeds the tracker identical batches.

Rows older than a slice already released are "late": counted and put into the next slice (never dropped), where the
tracker's own re-ordering window deals with them.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Slice:
    start_s: float
    table: pa.Table
    #: the messages whose every row has now been released (ack them once the slice is processed).
    tokens: list[Hashable] = field(default_factory=list)


def order_slice(parts: list[pa.Table]) -> pa.Table:
    table = pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]
    return table.take(pc.sort_indices(table, sort_keys=[("time_s", "ascending"), ("sensor", "ascending")]))


def time_slices(table: pa.Table, slice_s: float) -> Iterator[tuple[float, pa.Table]]:
    """A whole measurement table cut into the tracker node's slices (the one-process reference feed)."""
    if table.num_rows == 0:
        return
    table = order_slice([table])
    k = np.floor(table.column("time_s").to_numpy(zero_copy_only=False) / slice_s).astype(np.int64)
    cuts = np.flatnonzero(np.diff(k)) + 1
    for s, e in zip(np.r_[0, cuts], np.r_[cuts, len(k)], strict=True):
        yield float(k[s] * slice_s), table.slice(int(s), int(e - s))


class SliceMerger:
    """Buffer measurement messages by slice; release whole slices in order."""

    def __init__(
        self,
        sensors: list[str],
        slice_s: float = 1.0,
        max_wait_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slice_s = slice_s
        self.max_wait_s = max_wait_s
        self.clock = clock
        self.watermarks: dict[str, float] = {s: -math.inf for s in sensors}
        self.next_k: int | None = None
        self._rows: dict[int, list[pa.Table]] = defaultdict(list)
        self._first_seen: dict[int, float] = {}
        self._tokens: list[tuple[int, Hashable]] = []
        self.stats: Counter[str] = Counter()

    @property
    def buffered_rows(self) -> int:
        return sum(t.num_rows for parts in self._rows.values() for t in parts)

    @property
    def finished(self) -> bool:
        """Every expected gateway has said it reached the end of its data, and nothing is left buffered."""
        return all(w == math.inf for w in self.watermarks.values()) and not self._rows and not self._tokens

    def add(self, sensor: str, table: pa.Table, watermark_s: float | None, token: Hashable) -> None:
        if watermark_s is not None and sensor in self.watermarks:
            self.watermarks[sensor] = max(self.watermarks[sensor], watermark_s)
        elif sensor not in self.watermarks:
            self.stats["rows_from_unexpected_sensor"] += table.num_rows
        newest_k = (self.next_k - 1) if self.next_k is not None else -(2**62)
        if table.num_rows:
            k = np.floor(table.column("time_s").to_numpy(zero_copy_only=False) / self.slice_s)
            k = np.nan_to_num(k, nan=-(2**62)).astype(np.int64)
            if self.next_k is not None:
                late = k < self.next_k
                if late.any():
                    self.stats["late_rows"] += int(late.sum())
                    k[late] = self.next_k
            keys, inverse = np.unique(k, return_inverse=True)
            now = self.clock()
            for i, key in enumerate(keys.tolist()):
                self._rows[key].append(table.take(np.flatnonzero(inverse == i)) if len(keys) > 1 else table)
                self._first_seen.setdefault(key, now)
            newest_k = int(keys[-1])
        self._tokens.append((newest_k, token))

    def ready(self, drain: bool = False) -> list[Slice]:
        """Slices every expected gateway has passed (or that waited too long); ``drain`` releases everything."""
        limit = -(2**62)
        wm = min(self.watermarks.values(), default=math.inf)
        if drain or wm == math.inf:
            limit = max([*self._rows, *(k for k, _ in self._tokens)], default=limit)
        elif wm > -math.inf:
            limit = math.floor(wm / self.slice_s) - 1
        now = self.clock()
        waited = [k for k, t in self._first_seen.items() if now - t >= self.max_wait_s and k > limit]
        if waited:
            self.stats["slices_released_on_timeout"] += 1
            limit = max(waited)
        out: list[Slice] = []
        for k in sorted(k for k in self._rows if k <= limit):
            out.append(Slice(k * self.slice_s, order_slice(self._rows.pop(k))))
            self._first_seen.pop(k, None)
        if (self.next_k is None or limit + 1 > self.next_k) and limit > -(2**62):
            self.next_k = limit + 1
        done = sorted(((k, i, tok) for i, (k, tok) in enumerate(self._tokens) if k <= limit), key=lambda x: x[:2])
        self._tokens = [(k, tok) for k, tok in self._tokens if k > limit]
        # Each message is acknowledged with the first released slice at or after its newest row, so a consumer that
        # dies in the middle of a burst has acknowledged the slices it finished.
        j = 0
        for piece in out:
            k_piece = round(piece.start_s / self.slice_s)
            while j < len(done) and done[j][0] <= k_piece:
                piece.tokens.append(done[j][2])
                j += 1
        if j < len(done):
            rest = [tok for _, _, tok in done[j:]]
            if out:
                out[-1].tokens.extend(rest)
            else:
                out.append(Slice(limit * self.slice_s, pa.table({}), rest))
        return out
