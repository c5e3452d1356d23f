"""Track snapshots from the simulator for monitor tests: what a good tracker would output, built from truth.

The monitors are tested on their own, not through the tracker: each cycle, every aircraft that some sensor
reported in the last 30 s becomes a confirmed SystemTrack at its true position plus tracker-like noise, with
``sources`` (sensors that reported it in the last 30 s), a sticky ``cooperative`` flag and the last squawk heard,
as the tracker fills them. Spoofed reports (no aircraft behind them) become a track of their own by address.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core.schema import SYSTEM_TRACK, table_from_columns

SOURCES_MEMORY_S = 30.0
GHOST_TRACK_BASE = 100_000


@dataclass
class Cycle:
    now_s: float
    tracks: pa.Table
    measurements: pa.Table
    #: Latest noise-free truth row of every simulated aircraft (for checking alerts against what really happened).
    truth: pa.Table | None = None


def _noise(rng: np.random.Generator, n: int, sigma: float) -> np.ndarray:
    return rng.normal(0.0, sigma, n) if sigma else np.zeros(n)


def sim_cycles(scenario, duration_s: float, step_s: float = 4.0, seed: int = 1) -> Iterator[Cycle]:
    rng = np.random.default_rng(seed)
    sensors = [s.id for s in scenario.sensors]
    t0 = scenario.start_time_s
    last_seen: dict[tuple[int, str], float] = {}
    cooperative: set[int] = set()
    squawk: dict[int, str] = {}
    icao_of: dict[int, str] = {}
    ghost_ids: dict[str, int] = {}
    ghost_state: dict[int, dict] = {}
    for step in scenario.stream(step_s):
        now = step.time_s
        if now - t0 > duration_s + 1e-6:
            return
        m = step.measurements
        truth = step.truth
        # Which sensors saw which aircraft, vectorised per step (Python only per distinct target × sensor).
        tid_valid = pc.is_valid(m.column("target_id")).to_numpy(zero_copy_only=False)
        tid = np.where(tid_valid, m.column("target_id").to_numpy(zero_copy_only=False), -1).astype(np.int64)
        kinds = m.column("kind").to_numpy(zero_copy_only=False)
        icaos = m.column("icao24").to_numpy(zero_copy_only=False)
        lat = m.column("lat_deg").to_numpy(zero_copy_only=False)
        icao_ok = pc.is_valid(m.column("icao24")).to_numpy(zero_copy_only=False)
        sq_ok = pc.is_valid(m.column("squawk")).to_numpy(zero_copy_only=False)
        spoofed = np.flatnonzero((tid < 0) & (kinds == "adsb") & icao_ok)
        for k in spoofed:
            target = ghost_ids.setdefault(icaos[k], GHOST_TRACK_BASE + len(ghost_ids))
            tid[k] = target
            if lat[k] == lat[k]:
                ghost_state[target] = {"icao24": icaos[k], "row": int(k), "m": m}
        rows_ok = np.flatnonzero(tid >= 0)
        sens_idx = pc.index_in(m.column("sensor"), value_set=pa.array(sensors)).to_numpy(zero_copy_only=False)
        times = m.column("time_s").to_numpy()
        key = tid[rows_ok] * 64 + sens_idx[rows_ok]
        order = np.lexsort((times[rows_ok], key))
        last = order[np.append(key[order][1:] != key[order][:-1], True)]
        for kk, t in zip(key[last].tolist(), times[rows_ok][last].tolist(), strict=True):
            last_seen[(kk // 64, sensors[kk % 64])] = t
        coop_rows = rows_ok[kinds[rows_ok] != "psr"]
        cooperative.update(np.unique(tid[coop_rows]).tolist())
        sq = m.column("squawk").to_numpy(zero_copy_only=False)
        for col, ok, store in ((sq, sq_ok, squawk), (icaos, icao_ok, icao_of)):
            has = rows_ok[ok[rows_ok]]
            if len(has):
                o = has[np.lexsort((times[has], tid[has]))]
                lastv = o[np.append(tid[o][1:] != tid[o][:-1], True)]
                store.update(zip(tid[lastv].tolist(), col[lastv].tolist(), strict=True))
        # Latest truth per target.
        t_ids = truth.column("target_id").to_numpy()
        t_times = truth.column("time_s").to_numpy()
        order = np.lexsort((t_times, t_ids))
        last = order[np.append(t_ids[order][1:] != t_ids[order][:-1], True)]
        latest = truth.take(pa.array(last))
        ids = latest.column("target_id").to_numpy()
        live = [i for i in ids.tolist() if any(now - last_seen.get((i, s), -1e18) <= SOURCES_MEMORY_S for s in sensors)]
        sel = np.flatnonzero(np.isin(ids, live))
        rows = latest.take(pa.array(sel))
        n = rows.num_rows
        cols = {
            name: rows.column(name).to_numpy(zero_copy_only=False)
            for name in ("lat_deg", "lon_deg", "alt_ft", "ground_speed_kt", "track_deg", "vertical_rate_fpm")
        }
        track_ids = ids[sel]
        # Ghost tracks: from the last spoofed report of each address.
        g_rows = []
        for g, st in ghost_state.items():
            if not any(now - last_seen.get((g, s), -1e18) <= SOURCES_MEMORY_S for s in sensors):
                continue
            gm, k = st["m"], st["row"]
            g_rows.append(
                (
                    g,
                    gm.column("lat_deg")[k].as_py(),
                    gm.column("lon_deg")[k].as_py(),
                    gm.column("alt_baro_ft")[k].as_py(),
                    gm.column("ground_speed_kt")[k].as_py(),
                    gm.column("track_deg")[k].as_py(),
                )
            )
        all_ids = [*track_ids.tolist(), *(r[0] for r in g_rows)]
        lat_v = np.concatenate([cols["lat_deg"], [r[1] for r in g_rows]])
        lon_v = np.concatenate([cols["lon_deg"], [r[2] for r in g_rows]])
        alt_v = np.concatenate([cols["alt_ft"], [r[3] if r[3] is not None else np.nan for r in g_rows]])
        gs_v = np.concatenate([cols["ground_speed_kt"], [r[4] if r[4] is not None else np.nan for r in g_rows]])
        trk_v = np.concatenate([cols["track_deg"], [r[5] if r[5] is not None else np.nan for r in g_rows]])
        vr_v = np.concatenate([cols["vertical_rate_fpm"], np.zeros(len(g_rows))])
        n = len(all_ids)
        # Tracker-like noise: 150 m, 1°, 4 kt, 40 ft, 150 fpm.
        north = _noise(rng, n, 150.0) / 111_000.0
        east = _noise(rng, n, 150.0) / (111_000.0 * np.cos(np.radians(lat_v)))
        table = table_from_columns(
            SYSTEM_TRACK,
            {
                "time_s": np.full(n, now),
                "track_id": np.asarray(all_ids, dtype=np.int64),
                "lat_deg": lat_v + north,
                "lon_deg": lon_v + east,
                "alt_ft": alt_v + _noise(rng, n, 40.0),
                "ground_speed_kt": gs_v + _noise(rng, n, 4.0),
                "track_deg": (trk_v + _noise(rng, n, 1.0)) % 360.0,
                "vertical_rate_fpm": vr_v + _noise(rng, n, 150.0),
                "sigma_h_m": np.full(n, 150.0),
                "status": np.full(n, "confirmed", dtype=object),
                "sources": [
                    ",".join(s for s in sensors if now - last_seen.get((i, s), -1e18) <= SOURCES_MEMORY_S) or None
                    for i in all_ids
                ],
                "icao24": [icao_of.get(i) for i in all_ids],
                "callsign": [None] * n,
                "squawk": [squawk.get(i) for i in all_ids],
                "cooperative": [i in cooperative for i in all_ids],
                "last_update_s": [
                    max((last_seen.get((i, s), -1e18) for s in sensors), default=np.nan) for i in all_ids
                ],
            },
            n,
        )
        yield Cycle(now, table, m, latest)


def really_conflicts(cycles: list[Cycle], pair: list[int], from_s: float, horizon_s: float = 180.0) -> bool:
    """Whether two aircraft truly come within 5 NM and 1000 ft within ``horizon_s`` after ``from_s`` (truth)."""
    from airpicture.core.geodesy import haversine_m

    for c in cycles:
        if not from_s <= c.now_s <= from_s + horizon_s or c.truth is None:
            continue
        t = c.truth.filter(pc.is_in(c.truth["target_id"], pa.array(pair)))
        if t.num_rows == 2:
            lat, lon, alt = t["lat_deg"].to_numpy(), t["lon_deg"].to_numpy(), t["alt_ft"].to_numpy()
            if haversine_m(lat[0], lon[0], lat[1], lon[1]) < 5 * 1852.0 and abs(alt[0] - alt[1]) < 1000.0:
                return True
    return False
