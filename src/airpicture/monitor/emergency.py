"""``emergency``: Mode 3/A 7500/7600/7700 on a track, or an ADS-B emergency/priority status for its address.

The squawk comes from the SystemTrack; the ADS-B status comes from Measurement ``emergency`` (optional
measurements table in :meth:`MonitorSet.update`) and is held ``adsb_hold_s`` after its last report because it
is broadcast only every few seconds. Emergencies of an address with no track yet are still alerted (no track ids);
an address whose track ended less than a minute ago is not (its last reports are not a new emergency).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from airpicture.monitor.book import CRITICAL, Conditions
from airpicture.monitor.config import EmergencyConfig
from airpicture.monitor.frame import KeyedMemory, MeasurementBatch, TrackFrame

#: Measurement ``emergency`` values that are an emergency (``none`` and nulls are not).
ADSB_EMERGENCIES = ("general", "lifeguard", "minfuel", "nordo", "unlawful", "downed", "reserved")
_NO_TRACK = np.int64(1) << 40


class EmergencyMonitor:
    kind = "emergency"

    def __init__(self, config: EmergencyConfig) -> None:
        self.config = config
        self.adsb = KeyedMemory(("time_s", "code"))
        #: Last time each address was on a track: a track that just ended is not "an address with no track yet".
        self.on_track = KeyedMemory(("time_s",))

    def observe(self, mb: MeasurementBatch | None) -> None:
        if mb is None or not mb.n or "emergency" not in mb.table.column_names:
            return
        code = pc.index_in(mb.column("emergency"), value_set=pa.array(ADSB_EMERGENCIES))
        code_np = pc.fill_null(code, -1).to_numpy(zero_copy_only=False)
        rows = mb.sorted_rows((code_np >= 0) & (mb.icao >= 0))
        if len(rows):
            self.adsb.put(mb.icao[rows], time_s=mb.f("time_s")[rows], code=code_np[rows])

    def evaluate(self, frame: TrackFrame) -> Conditions:
        cfg = self.config
        now = frame.now_s
        self.adsb.drop_older("time_s", now - cfg.adsb_hold_s)
        squawk_hit = frame.squawk_in(list(cfg.codes))
        adsb_code = self.adsb.get(frame.icao24_int, "code") if frame.n else np.zeros(0)
        adsb_hit = np.isfinite(adsb_code) & (frame.icao24_int >= 0)
        tracks = np.flatnonzero(squawk_hit | adsb_hit)
        # Addresses in emergency with no track in this snapshot, and none recently.
        with_track = frame.icao24_int[frame.icao24_int >= 0]
        self.on_track.put(with_track, time_s=np.full(len(with_track), now))
        self.on_track.drop_older("time_s", now - 600.0)
        # Addresses on a track now were just stamped ``now``: "on a track within the last minute" covers both.
        orphan = ~(self.on_track.get(self.adsb.keys, "time_s") >= now - 60.0)
        orphan_icao = self.adsb.keys[orphan]
        orphan_code = self.adsb.values["code"][orphan]
        keys = np.concatenate([frame.track_id[tracks], orphan_icao | _NO_TRACK])
        track_ids = np.concatenate([frame.track_id[tracks], np.full(len(orphan_icao), -1)])[:, None]
        squawks = (
            frame.table.column("squawk").take(pa.array(tracks)).to_numpy(zero_copy_only=False)
            if len(tracks) and "squawk" in frame.table.column_names
            else np.full(len(tracks), None, dtype=object)
        )
        track_codes = adsb_code[tracks]

        def messages(sel: NDArray[np.intp]) -> list[str]:
            out = []
            for s in sel:
                if s < len(tracks):
                    i = tracks[s]
                    parts = []
                    if squawks[s] in cfg.codes:
                        parts.append(f"squawk {squawks[s]} ({cfg.codes[squawks[s]]})")
                    if np.isfinite(track_codes[s]):
                        parts.append(f"ADS-B emergency status {ADSB_EMERGENCIES[int(track_codes[s])]}")
                    who = (frame.callsign[i] or "").strip() or f"track {frame.track_id[i]}"
                    out.append(f"{who}: " + ", ".join(parts))
                else:
                    k = s - len(tracks)
                    out.append(
                        f"{int(orphan_icao[k]):06x}: ADS-B emergency status "
                        f"{ADSB_EMERGENCIES[int(orphan_code[k])]} (no track yet)"
                    )
            return out

        return Conditions(
            keys=keys.astype(np.int64),
            severity=np.full(len(keys), CRITICAL, np.int8),
            track_ids=track_ids.astype(np.int64),
            messages=messages,
        )
