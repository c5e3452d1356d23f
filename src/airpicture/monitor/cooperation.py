"""``non_cooperative`` and ``transponder_loss``: who is flying without answering.

``non_cooperative``: the tracker marks the track not cooperative (no transponder report ever associated), it is
confirmed and inside the FIR (laterally).

``transponder_loss``: a cooperative track that is still being updated (not coasting, last update within
``max_age_s``) while its transponder has gone quiet. With measurements, "quiet" means no secondary report
(ADS-B, MLAT, SSR, Mode S, combined plot) carrying the track's Mode S address for ``silence_s``: this works with
combined PSR/SSR radars, whose sensor id alone cannot tell a primary plot from a secondary one. Without
measurements (a track file alone), it falls back on ``sources``: every sensor still feeding the track is a
primary radar (needs the sensors' kinds) after some other sensor fed it before.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.monitor.airspace import Airspace
from airpicture.monitor.book import WARNING, Conditions
from airpicture.monitor.config import CooperationConfig
from airpicture.monitor.frame import KeyedMemory, MeasurementBatch, TrackFrame


class CooperationMonitor:
    def __init__(self, airspace: Airspace, config: CooperationConfig, sensor_kinds: dict[str, str]) -> None:
        self.airspace = airspace
        self.config = config
        self.sensor_kinds = sensor_kinds
        self.fir_idx = airspace.indices(config.fir_kinds)
        self.memory = KeyedMemory(("last_secondary_s", "last_seen_s"))
        #: Per Mode S address: last secondary report (from measurements).
        self.heard = KeyedMemory(("time_s",))
        self._saw_measurements = False

    def observe(self, mb: MeasurementBatch | None) -> None:
        if mb is None or not mb.n:
            return
        self._saw_measurements = True
        rows = mb.sorted_rows((mb.icao >= 0) & ~mb.kind_in("psr"))
        self.heard.put(mb.icao[rows], time_s=mb.f("time_s")[rows])

    def evaluate(self, frame: TrackFrame) -> tuple[Conditions, Conditions]:
        cfg = self.config
        now = frame.now_s
        coop = frame.cooperative
        fresh = (frame.age_s <= cfg.max_age_s) & (frame.last_update_age_s <= cfg.max_age_s) & ~frame.coasting
        if self._saw_measurements:
            self.heard.drop_older("time_s", now - 3600.0)
            heard = self.heard.get(frame.icao24_int, "time_s")
            prev = heard
            quiet = (coop == 1) & np.isfinite(heard) & (now - heard >= cfg.silence_s)
        else:
            total, primary, _radar = frame.source_kinds(self.sensor_kinds)
            primary_only = (coop == 0) | ((total > 0) & (primary == total))
            secondary = (coop == 1) & ~primary_only
            prev = self.memory.get(frame.track_id, "last_secondary_s")
            last_secondary = np.where(secondary, frame.time_s, prev)
            self.memory.put(frame.track_id, last_secondary_s=last_secondary, last_seen_s=np.full(frame.n, now))
            self.memory.drop_older("last_seen_s", now - 3600.0)
            quiet = primary_only & np.isfinite(prev)
        loss = np.flatnonzero(quiet & fresh & frame.valid)
        candidates = np.flatnonzero((coop == 0) & fresh & frame.valid & frame.confirmed)
        if len(self.fir_idx) and len(candidates):
            in_fir = self.airspace.contains(self.fir_idx, frame.lat_deg[candidates], frame.lon_deg[candidates])
            noncoop = candidates[in_fir]
        else:
            noncoop = candidates[:0]
        fir_name = self.airspace.names[self.fir_idx[0]] if len(self.fir_idx) else None

        def loss_messages(sel: NDArray[np.intp]) -> list[str]:
            return [
                f"{_who(frame, loss[s])}: transponder lost {now - prev[loss[s]]:.0f} s ago, continuing primary-only"
                for s in sel
            ]

        def noncoop_messages(sel: NDArray[np.intp]) -> list[str]:
            return [
                f"track {frame.track_id[noncoop[s]]}: no transponder data, "
                f"{_alt(frame.alt_ft[noncoop[s]])}, {frame.ground_speed_kt[noncoop[s]]:.0f} kt inside {fir_name}"
                for s in sel
            ]

        return (
            Conditions(
                keys=frame.track_id[noncoop],
                severity=np.full(len(noncoop), WARNING, np.int8),
                track_ids=frame.track_id[noncoop][:, None],
                volume=np.full(len(noncoop), fir_name, dtype=object),
                messages=noncoop_messages,
            ),
            Conditions(
                keys=frame.track_id[loss],
                severity=np.full(len(loss), WARNING, np.int8),
                track_ids=frame.track_id[loss][:, None],
                messages=loss_messages,
            ),
        )


def _who(frame: TrackFrame, i: int) -> str:
    parts = [p for p in ((frame.callsign[i] or "").strip(), frame.icao24[i]) if p]
    return f"{' '.join(parts)} (track {frame.track_id[i]})" if parts else f"track {frame.track_id[i]}"


def _alt(alt_ft: float) -> str:
    return f"{alt_ft:.0f} ft" if np.isfinite(alt_ft) else "altitude unknown"
