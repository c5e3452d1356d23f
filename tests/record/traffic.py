"""Synthetic straight-line traffic for recorder tests that need many rows but no tracker or simulator."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from airpicture.core import schema


def measurement_batch(t0_s: float, n_aircraft: int = 50, sensor: str = "rx1", seed: int = 0) -> pa.Table:
    """One second of ADS-B positions from ``n_aircraft`` aircraft flying east at 250 m/s from Niamey's latitude."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n_aircraft)
    t = t0_s + np.sort(rng.uniform(0.0, 1.0, n_aircraft))
    lat = 12.0 + 0.1 * idx
    lon = 1.0 + 250.0 * (t - 1.7e9) / 111_000.0 % 10.0
    return schema.table_from_columns(
        schema.MEASUREMENT,
        {
            "time_s": t,
            "sensor": sensor,
            "kind": "adsb",
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_baro_ft": np.full(n_aircraft, 35000.0),
            "icao24": np.array([f"{0x0AC000 + i:06x}" for i in idx]),
            "callsign": np.array([f"TST{i:03d}" for i in idx]),
            "ground_speed_kt": np.full(n_aircraft, 486.0),
            "track_deg": np.full(n_aircraft, 90.0),
        },
    )


def track_batch(time_s: float, track_ids: list[int], lat: list[float], lon: list[float], **extra) -> pa.Table:
    n = len(track_ids)
    return schema.table_from_columns(
        schema.SYSTEM_TRACK,
        {
            "time_s": np.full(n, time_s),
            "track_id": track_ids,
            "lat_deg": lat,
            "lon_deg": lon,
            "status": "confirmed",
            **extra,
        },
    )
