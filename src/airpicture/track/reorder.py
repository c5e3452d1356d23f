"""Time ordering: a bounded re-order window, with late and wrong-clock measurements counted and rejected.

Measurements wait in the window until the sensors' consensus time has moved ``window_s`` past them, then leave in
time order. The consensus time is the lower median of each sensor's latest time stamp, so one sensor with a clock
running ahead cannot drag the window forward (and make everybody else "late"), and one running behind only
makes its own reports late. A measurement older than what has already been released is *late*; one more than
``max_future_s`` ahead of the consensus is *future* (a wrong clock). Both are counted, never processed.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from airpicture.track import kernels
from airpicture.track.measurement import MeasurementBatch


class ReorderWindow:
    def __init__(self, window_s: float, max_future_s: float) -> None:
        self.window_s = float(window_s)
        self.max_future_s = float(max_future_s)
        self.released_until_s = -np.inf
        self.sensor_latest_s = np.full(0, -np.inf)
        self.rejected: Counter[str] = Counter()
        self._pending: list[MeasurementBatch] = []
        #: Whether ``_pending`` is one batch already known to be in time order.
        self._pending_in_order = False

    @property
    def consensus_s(self) -> float:
        if self.sensor_latest_s.size == 1:  # one sensor (no median to take; -inf before its first report)
            return float(self.sensor_latest_s[0])
        seen = self.sensor_latest_s[np.isfinite(self.sensor_latest_s)]
        if seen.size == 0:
            return -np.inf
        return float(np.sort(seen)[(seen.size - 1) // 2])

    def push(self, batch: MeasurementBatch, until_s: float = -np.inf) -> MeasurementBatch:
        """Accept a batch; return what the window releases (and everything up to ``until_s``), in time order."""
        if len(batch):
            # Largest sensor index, time span, whether one sensor sent it all, and whether it is in time order:
            # one compiled pass instead of five array reductions.
            s_max, s_min, t_min, t_max, in_order = kernels.batch_summary(batch.sensor, batch.time_s)
            if s_max + 1 > self.sensor_latest_s.size:
                grown = np.full(s_max + 1, -np.inf)
                grown[: self.sensor_latest_s.size] = self.sensor_latest_s
                self.sensor_latest_s = grown
            if s_min == s_max:  # one sensor's batch (a radar slice): no scatter-max needed
                self.sensor_latest_s[s_min] = max(self.sensor_latest_s[s_min], t_max)
            else:
                latest = np.full(self.sensor_latest_s.size, -np.inf)
                np.maximum.at(latest, batch.sensor, batch.time_s)
                self.sensor_latest_s = np.maximum(self.sensor_latest_s, latest)
            consensus = self.consensus_s
            # Masks only when some report is out of bounds (the usual batch is neither late nor from the future).
            if t_max > consensus + self.max_future_s or t_min < self.released_until_s:
                future = batch.time_s > consensus + self.max_future_s
                late = batch.time_s < self.released_until_s
                if future.any():
                    self.rejected["future_time"] += int(future.sum())
                if late.any():
                    self.rejected["late"] += int(late.sum())
                keep = ~(future | late)
                if not keep.all():
                    batch = batch.take(np.nonzero(keep)[0])
            if len(batch):
                self._pending.append(batch)
                self._pending_in_order = len(self._pending) == 1 and in_order
            return self.release(max(consensus - self.window_s, until_s))
        return self.release(max(self.consensus_s - self.window_s, until_s))

    def release(self, until_s: float = np.inf) -> MeasurementBatch:
        """Everything waiting with a time stamp up to ``until_s``, in time order."""
        if until_s > self.released_until_s and np.isfinite(until_s):
            self.released_until_s = until_s
        if not self._pending:
            return MeasurementBatch.empty()
        pending = MeasurementBatch.concat(self._pending) if len(self._pending) > 1 else self._pending[0]
        t = pending.time_s
        # (a single pending batch whose order the push has just checked need not be checked again)
        in_order = self._pending_in_order or t.size < 2 or bool((t[1:] >= t[:-1]).all())
        if in_order and t[-1] <= until_s:
            # All of it, already in time order (the usual live case): released as it is, no copy.
            self._pending = []
            out = pending
        else:
            ready = t <= until_s
            out_idx = np.nonzero(ready)[0]
            rest = np.nonzero(~ready)[0]
            self._pending = [pending.take(rest)] if rest.size else []
            self._pending_in_order = False  # (what is left is in arrival order: checked again at its release)
            out = pending.take(out_idx[np.argsort(pending.time_s[out_idx], kind="stable")])
        if len(out) and not np.isfinite(until_s):
            self.released_until_s = max(self.released_until_s, float(out.time_s.max()))
        return out

    @property
    def n_pending(self) -> int:
        return sum(len(b) for b in self._pending)
