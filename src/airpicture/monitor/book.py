"""Alert lifecycle: raised → updated → acknowledged → cleared, with the persistence and clearing hysteresis.

Each monitor reports, every cycle, the *conditions* that hold now (an int64 key per condition, e.g. a track id,
a track × volume or a track pair). The :class:`AlertBook` of that monitor turns conditions into alerts:

- a condition must hold on ``raise_after_cycles`` consecutive cycles before its alert is **raised**;
- an active alert is **updated** when its severity changes, a predicted event becomes current, or the predicted
  time moves by more than ``predicted_change_s`` (so the display is not flooded with countdown updates);
- an operator's **acknowledged** mark lasts until the severity rises (then the alert is updated and needs a new
  acknowledgement);
- the alert is **cleared** once the condition has been false for ``clear_after_s``.

All matching is vectorised over keys (sorted arrays and ``searchsorted``); Python runs only per emitted event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count

import numpy as np
from numpy.typing import NDArray

SEVERITIES = ("info", "warning", "critical")
INFO, WARNING, CRITICAL = 0, 1, 2


@dataclass
class Conditions:
    """What one monitor finds true this cycle. ``track_ids`` rows are padded with -1; ``messages`` is called
    with the indices of the conditions that produce events (strings are built only for those)."""

    keys: NDArray[np.int64]
    severity: NDArray[np.int8]
    track_ids: NDArray[np.int64]
    volume: NDArray[np.object_] | None = None
    time_predicted_s: NDArray[np.float64] | None = None
    messages: Callable[[NDArray[np.intp]], list[str]] | None = None

    @classmethod
    def empty(cls) -> Conditions:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros((0, 1), np.int64))

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class AlertRecord:
    """One active alert (only for events and ``active()``; the book itself holds arrays)."""

    alert_id: int
    kind: str
    severity: str
    track_ids: list[int]
    volume: str | None
    time_raised_s: float
    time_predicted_s: float | None
    time_cleared_s: float | None
    state: str
    message: str
    time_s: float
    operator: str | None = None
    extra: dict = field(default_factory=dict)


def _rows(track_ids: NDArray[np.int64]) -> list[list[int]]:
    return [[int(t) for t in row if t >= 0] for row in track_ids]


class AlertBook:
    """The active and pending alerts of one monitor kind."""

    def __init__(
        self,
        kind: str,
        raise_after_cycles: int,
        clear_after_s: float,
        ids: Iterator[int] | None = None,
        predicted_change_s: float = 20.0,
    ) -> None:
        self.kind = kind
        self.raise_after_cycles = max(1, int(raise_after_cycles))
        self.clear_after_s = float(clear_after_s)
        self.predicted_change_s = float(predicted_change_s)
        self._ids = ids if ids is not None else count(1)
        self._pending_keys = np.zeros(0, np.int64)
        self._pending_count = np.zeros(0, np.int64)
        # Active alerts, sorted by key.
        self.keys = np.zeros(0, np.int64)
        self.alert_id = np.zeros(0, np.int64)
        self.severity = np.zeros(0, np.int8)
        self.time_raised_s = np.zeros(0)
        self.time_predicted_s = np.zeros(0)
        self.emitted_predicted_s = np.zeros(0)
        self.last_true_s = np.zeros(0)
        self.acknowledged = np.zeros(0, bool)
        self.operator = np.zeros(0, object)
        self.track_ids = np.zeros(0, object)
        self.volume = np.zeros(0, object)
        self.message = np.zeros(0, object)

    def __len__(self) -> int:
        return len(self.keys)

    def _record(self, i: int, state: str, now_s: float, cleared: bool = False) -> AlertRecord:
        tp = self.time_predicted_s[i]
        return AlertRecord(
            alert_id=int(self.alert_id[i]),
            kind=self.kind,
            severity=SEVERITIES[int(self.severity[i])],
            track_ids=list(self.track_ids[i]),
            volume=self.volume[i],
            time_raised_s=float(self.time_raised_s[i]),
            time_predicted_s=None if np.isnan(tp) else float(tp),
            time_cleared_s=now_s if cleared else None,
            state=state,
            message=self.message[i],
            time_s=now_s,
            operator=self.operator[i],
        )

    def step(self, now_s: float, cond: Conditions) -> list[AlertRecord]:
        """Advance one cycle with this cycle's conditions; return the events (raised, updated, cleared)."""
        events: list[AlertRecord] = []
        n = len(cond)
        keys, first = np.unique(cond.keys, return_index=True) if n else (np.zeros(0, np.int64), np.zeros(0, np.intp))
        tp_all = cond.time_predicted_s if cond.time_predicted_s is not None else np.full(n, np.nan)
        vol_all = cond.volume if cond.volume is not None else np.full(n, None, dtype=object)

        # Conditions on active alerts → refresh, maybe update.
        pos = np.searchsorted(self.keys, keys)
        pos_c = np.minimum(pos, max(len(self.keys) - 1, 0))
        on_active = (pos < len(self.keys)) & (self.keys[pos_c] == keys) if len(self.keys) else np.zeros(len(keys), bool)
        a_idx = pos_c[on_active]
        c_idx = first[on_active]
        if len(a_idx):
            new_sev = cond.severity[c_idx]
            new_tp = tp_all[c_idx]
            old_tp = self.emitted_predicted_s[a_idx]
            became_current = ~np.isnan(old_tp) & np.isnan(new_tp)
            moved = np.abs(np.nan_to_num(new_tp - old_tp, nan=0.0)) > self.predicted_change_s
            rose = new_sev > self.severity[a_idx]
            changed = (new_sev != self.severity[a_idx]) | became_current | moved
            self.severity[a_idx] = new_sev
            self.time_predicted_s[a_idx] = new_tp
            self.last_true_s[a_idx] = now_s
            self.acknowledged[a_idx[rose]] = False
            self.operator[a_idx[rose]] = None
            # Track lists only change for region alerts (GNSS); elsewhere refresh them with the events.
            refresh = np.ones(len(a_idx), bool) if cond.track_ids.shape[1] > 2 else changed
            if refresh.any():
                self.track_ids[a_idx[refresh]] = _as_object(_rows(cond.track_ids[c_idx[refresh]]))
                self.volume[a_idx[refresh]] = vol_all[c_idx[refresh]]
            upd = np.flatnonzero(changed)
            if len(upd):
                msgs = cond.messages(c_idx[upd]) if cond.messages else [""] * len(upd)
                for j, message in zip(upd, msgs, strict=True):
                    i = a_idx[j]
                    self.message[i] = message
                    self.emitted_predicted_s[i] = self.time_predicted_s[i]
                    events.append(self._record(i, "updated", now_s))

        # Other conditions → pending (consecutive cycles) → raise.
        new_keys = keys[~on_active]
        new_first = first[~on_active]
        ppos = np.searchsorted(self._pending_keys, new_keys)
        ppos_c = np.minimum(ppos, max(len(self._pending_keys) - 1, 0))
        seen = (
            (ppos < len(self._pending_keys)) & (self._pending_keys[ppos_c] == new_keys)
            if len(self._pending_keys)
            else np.zeros(len(new_keys), bool)
        )
        counts = np.where(seen, self._pending_count[ppos_c] + 1 if len(self._pending_keys) else 1, 1)
        ready = counts >= self.raise_after_cycles
        self._pending_keys = new_keys[~ready]
        self._pending_count = counts[~ready]
        raise_idx = new_first[ready]

        # Active alerts not refreshed for clear_after_s → clear.
        stale = (now_s - self.last_true_s) >= self.clear_after_s
        for i in np.flatnonzero(stale):
            events.append(self._record(i, "cleared", now_s, cleared=True))
        keep = ~stale

        if len(raise_idx):
            msgs = cond.messages(raise_idx) if cond.messages else [""] * len(raise_idx)
            ids = np.array([next(self._ids) for _ in range(len(raise_idx))], dtype=np.int64)
            tp = tp_all[raise_idx]
            add = {
                "keys": cond.keys[raise_idx],
                "alert_id": ids,
                "severity": cond.severity[raise_idx].astype(np.int8),
                "time_raised_s": np.full(len(raise_idx), now_s),
                "time_predicted_s": tp,
                "emitted_predicted_s": tp.copy(),
                "last_true_s": np.full(len(raise_idx), now_s),
                "acknowledged": np.zeros(len(raise_idx), bool),
                "operator": np.full(len(raise_idx), None, dtype=object),
                "track_ids": _as_object(_rows(cond.track_ids[raise_idx])),
                "volume": np.asarray(vol_all[raise_idx], dtype=object),
                "message": _as_object(msgs),
            }
            first_new = len(np.flatnonzero(keep))
            for name, values in add.items():
                setattr(self, name, np.concatenate([getattr(self, name)[keep], values]))
            order = np.argsort(self.keys, kind="stable")
            for name in add:
                setattr(self, name, getattr(self, name)[order])
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            for j in range(len(raise_idx)):
                events.append(self._record(int(inverse[first_new + j]), "raised", now_s))
        elif not keep.all():
            for name in self._array_names():
                setattr(self, name, getattr(self, name)[keep])
        return events

    def _array_names(self) -> tuple[str, ...]:
        return (
            "keys", "alert_id", "severity", "time_raised_s", "time_predicted_s", "emitted_predicted_s",
            "last_true_s", "acknowledged", "operator", "track_ids", "volume", "message",
        )  # fmt: skip

    def acknowledge(self, alert_id: int, operator: str, now_s: float) -> AlertRecord | None:
        hit = np.flatnonzero(self.alert_id == alert_id)
        if not len(hit):
            return None
        i = int(hit[0])
        self.acknowledged[i] = True
        self.operator[i] = operator
        return self._record(i, "acknowledged", now_s)

    def active(self, now_s: float) -> list[AlertRecord]:
        return [self._record(i, "acknowledged" if self.acknowledged[i] else "raised", now_s) for i in range(len(self))]


def _as_object(items: list) -> NDArray[np.object_]:
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out
