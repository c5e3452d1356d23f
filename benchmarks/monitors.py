"""All monitors over 10,000 tracks and 500 volumes: CPU time per update cycle (target < 100 ms on one core).

Input (synthetic, seeded): 10,000 tracks spread over the Niamey FIR at FL050–FL410 with realistic speeds, climbs and
turns, moving between cycles; 500 restricted/danger/prohibited volumes (star-shaped polygons of 2–15 NM radius, random
vertical limits, 10 % with activation schedules) inside the FIR plus the FIR and border; each 1-s cycle carries a
measurement batch of one ADS-B position and one velocity report per ADS-B aircraft (60 %) and radar plots at a
5-s rotation. The reference is the obvious per-track Python loop for the simplest monitor (inside-a-volume now,
one STRtree query per track), run on the same input in the same process.

Reproduce: ``.venv/bin/python benchmarks/monitors.py [--tracks 10000] [--volumes 500] [--cycles 10]``

``--niger-minutes M`` instead runs the simulated Niger scenario (without scripted events, then with them) for M
minutes through the monitors and prints alert counts per hour, and the spoofing detection delay and false rate.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pyarrow as pa
import shapely

from airpicture.core.geodesy import destination
from airpicture.core.geography import niamey_fir
from airpicture.core.schema import MEASUREMENT, SYSTEM_TRACK, table_from_columns
from airpicture.core.sensors import Sensor
from airpicture.monitor import Airspace, MonitorSet, Volume
from airpicture.monitor.airspace import Schedule, niger_reference_volumes


def random_points_in(geom, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = geom.bounds
    lat, lon = [], []
    while sum(len(a) for a in lat) < n:
        x = rng.uniform(minx, maxx, 4 * n)
        y = rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(geom, x, y)
        lon.append(x[inside])
        lat.append(y[inside])
    return np.concatenate(lat)[:n], np.concatenate(lon)[:n]


def build_airspace(n_volumes: int, rng: np.random.Generator) -> Airspace:
    fir = niamey_fir()
    lat, lon = random_points_in(fir, n_volumes, rng)
    volumes = list(niger_reference_volumes())
    kinds = ("restricted", "danger", "prohibited")
    for i in range(n_volumes):
        r_m = rng.uniform(2, 15) * 1852.0
        n = int(rng.integers(5, 40))
        bearings = np.sort(rng.uniform(0, 360, n))
        radii = r_m * rng.uniform(0.7, 1.0, n)
        la, lo = destination(np.full(n, lat[i]), np.full(n, lon[i]), bearings, radii)
        poly = shapely.Polygon(np.column_stack([lo, la]))
        if not poly.is_valid:
            poly = poly.convex_hull
        floor = float(rng.choice([-np.inf, 0.0, 5000.0, 10000.0]))
        ceiling = float(rng.choice([19500.0, 24500.0, 45000.0])) if floor > 0 else float(rng.choice([9500.0, 45000.0]))
        schedule = Schedule.parse("MON-FRI 0600-1800") if rng.random() < 0.1 else Schedule()
        volumes.append(Volume(f"BENCH-{i:03d}", kinds[i % 3], poly, floor, ceiling, schedule))
    return Airspace(volumes)


class Traffic:
    def __init__(self, n: int, rng: np.random.Generator) -> None:
        self.rng = rng
        self.lat, self.lon = random_points_in(niamey_fir(), n, rng)
        self.n = n
        self.alt_ft = rng.integers(50, 411, n) * 100.0
        self.gs_kt = rng.uniform(250, 500, n)
        self.trk = rng.uniform(0, 360, n)
        self.vr = np.where(rng.random(n) < 0.2, rng.choice([-2000.0, 2000.0], n), 0.0)
        self.turn = np.where(rng.random(n) < 0.05, rng.choice([-1.5, 1.5], n), 0.0)
        self.adsb = rng.random(n) < 0.6
        self.coop = rng.random(n) < 0.98
        self.icao = np.array([f"{v:06x}" for v in rng.choice(0xFFFFFF, n, replace=False)], dtype=object)
        self.squawk = np.array([f"{v:04o}" for v in rng.integers(0, 0o7777, n)], dtype=object)

    def step(self, dt: float) -> None:
        self.lat, self.lon = destination(self.lat, self.lon, self.trk, self.gs_kt * 1852 / 3600 * dt)
        self.trk = (self.trk + self.turn * dt) % 360
        self.alt_ft = np.clip(self.alt_ft + self.vr / 60 * dt, 1000, 45000)

    def tracks(self, now: float) -> pa.Table:
        n = self.n
        return table_from_columns(
            SYSTEM_TRACK,
            {
                "time_s": np.full(n, now), "track_id": np.arange(n, dtype=np.int64), "lat_deg": self.lat,
                "lon_deg": self.lon, "alt_ft": self.alt_ft, "ground_speed_kt": self.gs_kt, "track_deg": self.trk,
                "vertical_rate_fpm": self.vr, "sigma_h_m": np.full(n, 100.0),
                "status": np.full(n, "confirmed", dtype=object),
                "sources": np.where(self.adsb, "rx1,radar1", "radar1").astype(object),
                "icao24": np.where(self.coop, self.icao, None), "callsign": None,
                "squawk": np.where(self.coop, self.squawk, None), "cooperative": self.coop,
            },
            n,
        )  # fmt: skip

    def measurements(self, now: float) -> pa.Table:
        a = np.flatnonzero(self.adsb)
        r = np.flatnonzero(self.rng.random(self.n) < 0.2)
        n_a, n_r = len(a), len(r)
        kind = np.concatenate([np.full(2 * n_a, "adsb", dtype=object), np.full(n_r, "psr_ssr", dtype=object)])
        nan_a = np.full(n_a, np.nan)
        return table_from_columns(
            MEASUREMENT,
            {
                "time_s": np.full(2 * n_a + n_r, now) - self.rng.uniform(0, 1, 2 * n_a + n_r),
                "sensor": np.concatenate([np.full(2 * n_a, "rx1", dtype=object), np.full(n_r, "radar1", dtype=object)]),
                "kind": kind,
                "lat_deg": np.concatenate([self.lat[a], nan_a, self.lat[r]]),
                "lon_deg": np.concatenate([self.lon[a], nan_a, self.lon[r]]),
                "alt_baro_ft": np.concatenate([self.alt_ft[a], nan_a, self.alt_ft[r]]),
                "icao24": np.concatenate([self.icao[a], self.icao[a], np.where(self.coop[r], self.icao[r], None)]),
                "ground_speed_kt": np.concatenate([nan_a, self.gs_kt[a], np.full(n_r, np.nan)]),
                "track_deg": np.concatenate([nan_a, self.trk[a], np.full(n_r, np.nan)]),
                "nacp": np.concatenate([np.full(n_a, 9.0), nan_a, np.full(n_r, np.nan)]),
                "nic": np.concatenate([np.full(n_a, 8.0), nan_a, np.full(n_r, np.nan)]),
                "sigma_h_m": np.concatenate([np.full(2 * n_a, 30.0), np.full(n_r, 300.0)]),
            },
        )  # fmt: skip


def naive_inside_now(airspace: Airspace, tracks: pa.Table) -> int:
    """The obvious approach: for each track, query the tree and test each candidate volume in Python."""
    watched = airspace.indices(("restricted", "danger", "prohibited"))
    tree = shapely.STRtree([airspace.volumes[i].polygon for i in watched])
    hits = 0
    for row in tracks.select(["lat_deg", "lon_deg", "alt_ft"]).to_pylist():
        point = shapely.Point(row["lon_deg"], row["lat_deg"])
        for j in tree.query(point, predicate="within"):
            v = airspace.volumes[watched[j]]
            if v.floor_ft <= row["alt_ft"] <= v.ceiling_ft:
                hits += 1
    return hits


def niger_rates(minutes: float) -> int:
    """Alert counts per hour on the simulated Niger traffic (tracks built from truth as in tests/monitor)."""
    from collections import Counter
    from pathlib import Path

    import pyarrow.compute as pc

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.monitor.simtracks import really_conflicts, sim_cycles
    from tests.monitor.test_nuisance import truth_min_separation_nm

    from airpicture.monitor import default_niger_airspace
    from airpicture.sim import build_scenario

    print("| scenario | minutes | mean tracks | alert kind | raised | per hour | notes |")
    print("|---|---|---|---|---|---|---|")
    for label, events in (("Niger, no scripted events", False), ("Niger, scripted events", True)):
        scenario = build_scenario("niger", seed=0, events=events)
        cycles = []
        for k, c in enumerate(sim_cycles(scenario, minutes * 60.0)):
            cycles.append(c)
            if k % 50 == 0:
                print(f"{label}: {c.now_s - scenario.start_time_s:.0f} s simulated", file=sys.stderr)
        monitors = MonitorSet(default_niger_airspace(), sensors=scenario.sensors)
        cpu = time.process_time()
        out = pa.concat_tables([monitors.update(c.tracks, c.now_s, c.measurements) for c in cycles])
        cpu = time.process_time() - cpu
        rows = out.to_pylist()
        raised = [r for r in rows if r["state"] == "raised"]
        counts = Counter(r["kind"] for r in raised)
        hours = minutes / 60.0
        mean_tracks = float(np.mean([c.tracks.num_rows for c in cycles]))
        real = sum(really_conflicts(cycles, r["track_ids"], r["time_raised_s"]) for r in raised if r["kind"] == "stca")
        print(f"| {label} | {minutes:.0f} | {mean_tracks:.0f} | (truth) | closest approach of two aircraft less "
              f"than 1000 ft apart: {truth_min_separation_nm(cycles):.1f} NM | | |")  # fmt: skip
        for kind in ("stca", "airspace_infringement"):
            counts.setdefault(kind, 0)
        for kind in sorted(counts):
            note = f"{real} of {counts[kind]} are real losses of separation in the truth" if kind == "stca" else ""
            print(f"| {label} | {minutes:.0f} | {mean_tracks:.0f} | {kind} | {counts[kind]} | "
                  f"{counts[kind] / hours:.1f} | {note} |")  # fmt: skip
        if events:
            meas = pa.concat_tables([c.measurements for c in cycles])
            spoofed = meas.filter(pc.and_(pc.is_null(meas["target_id"]), pc.equal(meas["kind"], "adsb")))
            ghosts = set(spoofed["icao24"].drop_null().to_pylist())
            real_icao = set(meas.filter(pc.is_valid(meas["target_id"]))["icao24"].drop_null().to_pylist())
            flagged = {r["icao24"]: r["time_raised_s"] for r in raised if r["kind"] == "spoofing"}
            start = next(e.time_s for e in scenario.events if e.kind == "spoofing")
            delays = [flagged[g] - start for g in ghosts if g in flagged]
            false = len(set(flagged) & real_icao)
            delay_text = ", ".join(f"{d:.0f} s" for d in delays)
            print(f"\nspoofing: ghosts flagged {len(delays)}/{len(ghosts)} (delay {delay_text}); "
                  f"real aircraft flagged {false}/{len(real_icao)}")  # fmt: skip
        print(f"({label}: monitors {cpu / len(cycles) * 1000:.1f} ms CPU per 4-s cycle)", file=sys.stderr)
    print(f"\nreproduce: .venv/bin/python benchmarks/monitors.py --niger-minutes {minutes:g}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--volumes", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--niger-minutes", type=float, help="alert rates on the simulated Niger traffic instead")
    args = parser.parse_args(argv)
    if args.niger_minutes:
        return niger_rates(args.niger_minutes)
    rng = np.random.default_rng(7)
    airspace = build_airspace(args.volumes, rng)
    traffic = Traffic(args.tracks, rng)
    sensors = [
        Sensor("radar1", "psr_ssr", 13.48, 2.18, 250.0, rotation_period_s=5.0, range_max_m=463e3),
        Sensor("rx1", "adsb", 13.48, 2.18, 10.0, range_max_m=2000e3),
    ]
    monitors = MonitorSet(airspace, sensors=sensors)
    now = 1_736_935_200.0
    times, per_monitor, alerts = [], {}, 0
    warmup = 3
    for cycle in range(args.cycles + warmup):
        traffic.step(1.0)
        now += 1.0
        tracks, meas = traffic.tracks(now), traffic.measurements(now)
        t0 = time.process_time()
        events = monitors.update(tracks, now, meas)
        elapsed = time.process_time() - t0
        alerts += events.num_rows
        print(f"cycle {cycle + 1}/{args.cycles + warmup}: {elapsed * 1000:.0f} ms, {events.num_rows} events",
              file=sys.stderr)  # fmt: skip
        if cycle >= warmup:
            times.append(elapsed)
            for k, v in monitors.last_timings_s.items():
                per_monitor.setdefault(k, []).append(v)
    t0 = time.process_time()
    naive_hits = naive_inside_now(airspace, tracks)
    naive_s = time.process_time() - t0
    t0 = time.process_time()
    frame_only = MonitorSet(airspace, sensors=sensors)
    frame_only.enabled = {k: k == "airspace_infringement" for k in frame_only.enabled}
    frame_only.update(tracks, now)
    vec_infr_s = time.process_time() - t0
    # The same cycles from the tracks alone (no measurement batch: no spoofing/GNSS work on raw reports).
    tracks_only = MonitorSet(airspace, sensors=sensors)
    t_only = []
    for cycle in range(warmup + 3):
        traffic.step(1.0)
        now += 1.0
        tracks = traffic.tracks(now)
        t0 = time.process_time()
        tracks_only.update(tracks, now)
        if cycle >= warmup:
            t_only.append(time.process_time() - t0)
    median_only = float(np.median(t_only))
    median = float(np.median(times))
    n_meas = meas.num_rows
    print(f"\nmonitors benchmark: {args.tracks} tracks, {len(airspace)} volumes, {n_meas} measurements per cycle, "
          f"median of {len(times)} cycles (CPU time, one core)\n")  # fmt: skip
    print(f"| {'tool':<58} | {'input':<34} | {'figure':>14} | {'ratio':>7} |")
    print(f"|{'-' * 60}|{'-' * 36}|{'-' * 16}|{'-' * 9}|")
    rows = [
        ("airpicture MonitorSet.update, all 8 monitors", f"{args.tracks} tracks + {n_meas} meas", median * 1000,
         "ms/cycle", median / 0.100),
        ("  target", "", 100.0, "ms/cycle", 1.0),
    ]  # fmt: skip
    for k in sorted(per_monitor, key=lambda k: -np.median(per_monitor[k])):
        rows.append((f"  of which {k}", "", float(np.median(per_monitor[k])) * 1000, "ms", None))
    rows += [
        ("airpicture MonitorSet.update, tracks only (no meas batch)", f"{args.tracks} tracks", median_only * 1000,
         "ms/cycle", median_only / 0.100),
        ("airpicture infringement only (now + 120 s look-ahead)", f"{args.tracks} tracks", vec_infr_s * 1000,
         "ms", vec_infr_s / naive_s),
        ("naive per-track Python loop, inside-now only", f"{args.tracks} tracks", naive_s * 1000, "ms", 1.0),
    ]  # fmt: skip
    for tool, inp, fig, unit, ratio in rows:
        r = "" if ratio is None else f"{ratio:.2f}"
        print(f"| {tool:<58} | {inp:<34} | {fig:>9.1f} {unit:<4} | {r:>7} |")
    print(f"\n(naive loop found {naive_hits} inside-now pairs; {alerts} alert events over the run)")
    print("reproduce: .venv/bin/python benchmarks/monitors.py " + " ".join(argv or sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
