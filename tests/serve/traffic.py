"""Test traffic for the picture server: SystemTrack tables built in the tests only, never by the product.

``moving_tracks`` flies aircraft on straight lines over Niger so the display has something that moves before the
real chain runs; the product's own picture always comes from the tracker.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from airpicture.core.schema import SYSTEM_TRACK, table_from_columns

M_PER_DEG = 111_320.0


class MovingTraffic:
    """``n`` aircraft over Niger on constant tracks; one squawks 7700 and a few are primary-only."""

    def __init__(self, n: int, seed: int = 0, start_time_s: float = 1_800_000_000.0) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.start_time_s = start_time_s
        self.lat0 = rng.uniform(11.5, 23.0, n)
        self.lon0 = rng.uniform(0.5, 15.5, n)
        self.alt_ft = np.round(rng.uniform(2_000, 41_000, n), -2)
        self.gs_kt = rng.uniform(120, 480, n)
        self.track_deg = rng.uniform(0, 360, n)
        self.vrate_fpm = np.where(rng.random(n) < 0.2, rng.choice([-1500.0, 1500.0], n), 0.0)
        self.cooperative = rng.random(n) > 0.08
        self.icao24 = np.array([f"{0x0A0000 + i:06x}" if c else "" for i, c in enumerate(self.cooperative)])
        self.callsign = np.array(
            [
                f"{rng.choice(['AFR', 'RAM', 'ETH', 'TAR', 'NIG', 'ASK'])}{100 + i % 900}" if c else ""
                for i, c in enumerate(self.cooperative)
            ]
        )
        self.squawk = np.array(
            [f"{rng.integers(0o1000, 0o7000):04o}" if c else "" for c in self.cooperative]  # never 75xx-77xx
        )
        if n:
            self.cooperative[0] = True
            self.icao24[0], self.callsign[0], self.squawk[0] = "0a0000", "NIG700", "7700"
            # Near Niamey so it is easy to find.
            self.lat0[0], self.lon0[0], self.alt_ft[0] = 13.9, 2.6, 12_000.0
        self.track_id = np.arange(1, n + 1, dtype=np.int64)

    def at(self, time_s: float) -> pa.Table:
        dt = time_s - self.start_time_s
        dist_m = self.gs_kt * 0.514444 * dt
        rad = np.radians(self.track_deg)
        lat = self.lat0 + dist_m * np.cos(rad) / M_PER_DEG
        lon = self.lon0 + dist_m * np.sin(rad) / (M_PER_DEG * np.cos(np.radians(self.lat0)))
        alt = np.clip(self.alt_ft + self.vrate_fpm * dt / 60.0, 500, 45_000)
        n = self.n
        sources = np.where(self.cooperative, "adsb-niamey,psr_ssr-niamey", "psr_ssr-niamey")
        return table_from_columns(
            SYSTEM_TRACK,
            {
                "time_s": np.full(n, time_s),
                "track_id": self.track_id,
                "lat_deg": lat,
                "lon_deg": lon,
                "alt_ft": alt,
                "ground_speed_kt": self.gs_kt,
                "track_deg": self.track_deg,
                "vertical_rate_fpm": self.vrate_fpm,
                "sigma_h_m": np.where(self.cooperative, 30.0, 250.0),
                "status": np.array(["confirmed"] * n),
                "sources": sources,
                "icao24": self.icao24,
                "callsign": self.callsign,
                "squawk": self.squawk,
                "cooperative": self.cooperative,
            },
            n,
        )
