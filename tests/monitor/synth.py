"""Hand-built trajectories for monitor unit tests, flown with the core geodesy (great-circle steps)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from airpicture.core.geodesy import destination
from airpicture.core.schema import SYSTEM_TRACK, table_from_columns

T0 = 1_736_935_200.0  # 2025-01-15 10:00 UTC, a Wednesday


@dataclass
class Flight:
    lat_deg: float
    lon_deg: float
    alt_ft: float
    ground_speed_kt: float
    track_deg: float
    vertical_rate_fpm: float = 0.0
    #: Stop climbing/descending at this altitude.
    level_off_ft: float | None = None
    turn_deg_s: float = 0.0
    squawk: str | None = "2345"
    icao24: str | None = None
    cooperative: bool = True
    extra: dict = field(default_factory=dict)


def fly(flights: list[Flight], duration_s: float, step_s: float = 4.0, t0: float = T0) -> list[tuple[float, pa.Table]]:
    """Snapshots every ``step_s``: one confirmed track per flight (track_id = index)."""
    n = len(flights)
    lat = np.array([f.lat_deg for f in flights])
    lon = np.array([f.lon_deg for f in flights])
    alt = np.array([f.alt_ft for f in flights])
    gs = np.array([f.ground_speed_kt for f in flights])
    trk = np.array([f.track_deg for f in flights])
    vr = np.array([f.vertical_rate_fpm for f in flights])
    level = np.array([np.nan if f.level_off_ft is None else f.level_off_ft for f in flights])
    turn = np.array([f.turn_deg_s for f in flights])
    out = []
    for k in range(int(duration_s / step_s) + 1):
        now = t0 + k * step_s
        if k:
            lat, lon = destination(lat, lon, trk + turn * step_s / 2, gs * 1852 / 3600 * step_s)
            trk = (trk + turn * step_s) % 360
            new_alt = alt + vr / 60 * step_s
            reached = np.isfinite(level) & ((vr > 0) & (new_alt >= level) | (vr < 0) & (new_alt <= level))
            alt = np.where(reached, level, new_alt)
            vr = np.where(reached, 0.0, vr)
        cols = {
            "time_s": np.full(n, now), "track_id": np.arange(n, dtype=np.int64), "lat_deg": lat, "lon_deg": lon,
            "alt_ft": alt, "ground_speed_kt": gs, "track_deg": trk, "vertical_rate_fpm": vr,
            "sigma_h_m": np.full(n, 100.0), "status": ["confirmed"] * n, "sources": ["radar,rx"] * n,
            "icao24": [f.icao24 or f"{0x0A0000 + i:06x}" for i, f in enumerate(flights)],
            "callsign": [f"TST{i:03d}" for i in range(n)], "squawk": [f.squawk for f in flights],
            "cooperative": [f.cooperative for f in flights],
        }  # fmt: skip
        for key in {k for f in flights for k in f.extra}:
            cols[key] = [f.extra.get(key) for f in flights]
        out.append((now, table_from_columns(SYSTEM_TRACK, cols, n)))
    return out
