"""airpicture's tracker against Stone Soup 1.9 on the same plots, in one run.

Scenario (airpicture.sim.square): N aircraft in a 1,000 km square, one radar at the centre with a 4 s scan, each
plot time-stamped at its own beam crossing, Pd 0.9, ~5 clutter plots per scan, 35 % of legs coordinated turns of
1–3 deg/s; plots once Cartesian (sigma 150 m) and once polar (sigma 100 m, 0.05 deg).

Stone Soup runs its best configuration for this problem: kd-tree global nearest neighbour
(DetectionKDTreeGNN2D over a Mahalanobis DistanceHypothesiser), a Kalman filter with a nearly-constant-velocity
model (extended Kalman with a bearing-range model for polar plots), 3-plot MultiMeasurementInitiator and
deletion after 3 scans without update. Stone Soup is fed the polar plots already converted to plane bearing and
range (outside its timing); airpicture converts slant range, azimuth and Mode C altitude itself, inside its timing.

Each tracker runs in its own child process: CPU time is ``time.process_time`` of that process, memory its peak
RSS minus its RSS once the plots are loaded. Both trackers output, every 4 s, every confirmed track at that
instant (CAT062-style); the figures come from airpicture.evaluate over the same epochs. Stone Soup is slow, so it
may run on the first ``--ss-duration`` seconds only: its throughput is per plot, and its accuracy is compared with
ours on the same window (columns marked "window").

    .venv/bin/python benchmarks/track_vs_stonesoup.py            # N = 50, 500, 2000, Cartesian and polar
    .venv/bin/python benchmarks/track_vs_stonesoup.py --n 50 --ss-duration 600
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core.schema import SYSTEM_TRACK, table_from_columns
from airpicture.core.units import MPS_TO_KT
from airpicture.evaluate.metrics import EvaluationConfig, evaluate
from airpicture.sim.square import square_scenario
from airpicture.track import Tracker
from airpicture.track.measurement import MeasurementConverter

SCAN_S = 4.0
WARMUP_S = 32.0
#: Scans fed to a throwaway tracker of each tool before its timed run (first-call costs, compiled kernels' load).
WARM_SCANS = 3


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_airpicture(n: int, polar: bool, duration_s: float, seed: int, queue) -> None:
    sc = square_scenario(n, duration_s, polar=polar, seed=seed)
    m = sc.measurements.drop(["truth_id"])
    loaded = _rss_mb()
    times = m.column("time_s").to_numpy()
    grid = np.arange(np.floor(times[0]), times[-1], SCAN_S)
    edges = np.searchsorted(times, grid)
    # Warm-up, outside the timing (as for Stone Soup): a throwaway tracker on the first WARM_SCANS scans loads the
    # compiled kernels (or compiles them on a fresh cache) and pays every first-call cost.
    w0 = time.process_time()
    warm = Tracker(sc.sensors, plane=sc.plane, update_rows=False)
    for a, b, g in zip(edges[:WARM_SCANS], edges[1 : WARM_SCANS + 1], grid[1 : WARM_SCANS + 1], strict=True):
        warm.process(m.slice(a, b - a), until_s=g)
        warm.snapshot(g)
    warm_cpu = time.process_time() - w0
    del warm
    # MB counts the tracker's own growth from here; the compiled kernels' runtime (numba/LLVM, loaded by the
    # warm-up) is reported apart.
    base = _rss_mb()
    runtime_mb = base - loaded
    # Periodic output only (as Stone Soup's): no per-update rows are built.
    tracker = Tracker(sc.sensors, plane=sc.plane, update_rows=False)
    snaps = []
    t0 = time.process_time()
    for a, b, g in zip(edges[:-1], edges[1:], grid[1:], strict=True):
        # The plots up to g are all there: process them and release the re-order window to g in one pass.
        tracker.process(m.slice(a, b - a), until_s=g)
        snaps.append(tracker.snapshot(g))
    cpu = time.process_time() - t0
    stats = {**tracker.stats, "warm_up_cpu_s": round(warm_cpu, 3), "warm_up_rss_mb": round(runtime_mb)}
    queue.put((m.num_rows, cpu, max(_peak_mb() - base, _rss_mb() - base), pa.concat_tables(snaps), stats))


def run_stonesoup(n: int, polar: bool, scenario_s: float, duration_s: float, seed: int, queue) -> None:
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.measurement.nonlinear import CartesianToBearingRange
    from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import ExtendedKalmanUpdater, KalmanUpdater

    sc = square_scenario(n, scenario_s, polar=polar, seed=seed)
    m = sc.measurements
    m = m.filter(pc.less(m.column("time_s"), m.column("time_s")[0].as_py() + duration_s))
    # Plots in the plane (the same conversion airpicture does), then, for polar, plane bearing and range.
    conv = MeasurementConverter(sc.sensors, sc.plane, Tracker(sc.sensors, plane=sc.plane).config)
    batch = conv.convert(m)
    xy = batch.xy_m
    rx, ry = sc.plane.to_xy(sc.sensors[0].lat_deg, sc.sensors[0].lon_deg)
    rx, ry = float(rx), float(ry)
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(2.0), ConstantVelocity(2.0)])
    if polar:
        model = CartesianToBearingRange(
            ndim_state=4,
            mapping=(0, 2),
            noise_covar=np.diag([np.radians(0.05) ** 2, 100.0**2]),
            translation_offset=np.array([[rx], [ry]]),
        )
        z = np.stack([np.arctan2(xy[:, 1] - ry, xy[:, 0] - rx), np.hypot(xy[:, 0] - rx, xy[:, 1] - ry)], 1)
    else:
        model = LinearGaussian(ndim_state=4, mapping=(0, 2), noise_covar=np.diag([150.0**2, 150.0**2]))
        z = xy
    tree = {"number_of_neighbours": 3, "max_distance": 20_000.0 if not polar else np.inf}

    def build(detector) -> MultiTargetTracker:
        # Fresh components per tracker (the predictor caches predictions).
        upd = ExtendedKalmanUpdater(model) if polar else KalmanUpdater(model)
        predictor = KalmanPredictor(transition)
        hypothesiser = DistanceHypothesiser(predictor, upd, measure=Mahalanobis(), missed_distance=5.0)
        initiator = MultiMeasurementInitiator(
            prior_state=GaussianState(np.zeros((4, 1)), np.diag([0.0, 180.0**2, 0.0, 180.0**2])),
            measurement_model=model,
            deleter=UpdateTimeStepsDeleter(2),
            data_associator=DetectionKDTreeGNN2D(hypothesiser, predictor, upd, **tree),
            updater=upd,
            min_points=3,
        )
        return MultiTargetTracker(
            initiator=initiator,
            deleter=UpdateTimeStepsDeleter(3),
            detector=detector,
            data_associator=DetectionKDTreeGNN2D(hypothesiser, predictor, upd, **tree),
            updater=upd,
        )

    times = batch.time_s
    grid = np.arange(np.floor(times[0]), times[-1], SCAN_S)
    edges = np.searchsorted(times, grid)
    scans = []
    for a, b, g in zip(edges[:-1], edges[1:], grid[1:], strict=True):
        dets = {
            Detection(
                z[i].reshape(2, 1),
                timestamp=dt.datetime.fromtimestamp(times[i], dt.UTC).replace(tzinfo=None),
                measurement_model=model,
            )
            for i in range(a, b)
        }
        scans.append((dt.datetime.fromtimestamp(g, dt.UTC).replace(tzinfo=None), dets))
    # Warm-up, outside the timing (as for airpicture): a throwaway tracker on the first WARM_SCANS scans.
    w0 = time.process_time()
    for _ in build(iter(scans[:WARM_SCANS])):
        pass
    warm_cpu = time.process_time() - w0
    base = _rss_mb()
    tracker = build(iter(scans))
    rows: dict[str, list] = {k: [] for k in ("time_s", "track_id", "x", "y", "vx", "vy")}
    ids: dict[int, int] = {}
    t0 = time.process_time()
    for when, tracks in tracker:
        t = when.replace(tzinfo=dt.UTC).timestamp()
        for track in tracks:
            s = track.state
            age = t - s.timestamp.replace(tzinfo=dt.UTC).timestamp()
            v = np.asarray(s.state_vector, dtype=float).ravel()
            rows["time_s"].append(t)
            rows["track_id"].append(ids.setdefault(id(track), len(ids) + 1))
            rows["x"].append(v[0] + v[1] * age)
            rows["y"].append(v[2] + v[3] * age)
            rows["vx"].append(v[1])
            rows["vy"].append(v[3])
    cpu = time.process_time() - t0
    r = {k: np.asarray(v) for k, v in rows.items()}
    lat, lon = sc.plane.to_latlon(r["x"], r["y"]) if r["x"].size else (np.empty(0), np.empty(0))
    table = table_from_columns(
        SYSTEM_TRACK,
        {
            "time_s": r["time_s"],
            "track_id": r["track_id"].astype(np.int64),
            "lat_deg": lat,
            "lon_deg": lon,
            "ground_speed_kt": np.hypot(r["vx"], r["vy"]) * MPS_TO_KT,
            "track_deg": np.degrees(np.arctan2(r["vx"], r["vy"])) % 360.0,
            "status": ["confirmed"] * r["x"].size,
        },
        r["x"].size,
    )
    queue.put((len(batch), cpu, max(_peak_mb() - base, _rss_mb() - base), table, {"warm_up_cpu_s": round(warm_cpu, 3)}))


def _child(fn, *args):
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=fn, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def _figures(truth: pa.Table, tracks: pa.Table, until_s: float | None = None) -> dict:
    warmup = WARMUP_S
    if until_s is not None:
        # A short window keeps its second half (3-plot initiation takes 8 s).
        warmup = min(WARMUP_S, 0.5 * (until_s - float(truth.column("time_s")[0].as_py())))
        truth = truth.filter(pc.less_equal(truth.column("time_s"), until_s))
        tracks = tracks.filter(pc.less_equal(tracks.column("time_s"), until_s))
    return evaluate(truth, tracks, EvaluationConfig(warmup_s=warmup, max_age_s=0.5))["all"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 500, 2000])
    ap.add_argument("--modes", nargs="+", default=["cartesian", "polar"])
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument(
        "--ss-duration",
        type=float,
        nargs="+",
        default=[600.0, 120.0, 40.0],
        help="Stone Soup's window (s) per N (last value repeats); 0 skips Stone Soup",
    )
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"# {' '.join(sys.argv)}", flush=True)
    header = (
        f"{'tool':<11}{'input':<16}{'plots':>8}{'plots/cpu-s':>13}{'ratio':>8}{'MB':>7}{'GOSPA/√N':>10}"
        f"{'pos str/turn m':>16}{'vel str/turn m/s':>18}{'id sw/ac':>9}{'ids/ac':>8}{'drop s':>8}"
    )
    print(header)
    for k, n in enumerate(args.n):
        ss_dur = args.ss_duration[min(k, len(args.ss_duration) - 1)]
        for mode in args.modes:
            polar = mode == "polar"
            truth = square_scenario(n, args.duration, polar=polar, seed=args.seed).truth
            print(f"[running airpicture N={n} {mode}]", file=sys.stderr, flush=True)
            ours = _child(run_airpicture, n, polar, args.duration, args.seed)
            f = _figures(truth, ours[3])
            rate = ours[0] / ours[1]
            ss = None
            if ss_dur > 0:
                print(f"[running Stone Soup N={n} {mode} for {ss_dur:.0f} s]", file=sys.stderr, flush=True)
                ss = _child(run_stonesoup, n, polar, args.duration, min(ss_dur, args.duration), args.seed)
            line = f"{'airpicture':<11}{f'N={n} {mode}':<16}{ours[0]:>8}{rate:>13.0f}"
            ratio = rate / (ss[0] / ss[1]) if ss else float("nan")

            def acc(fig: dict) -> str:
                return (
                    f"{fig['gospa_per_sqrt_n_m']:>10.0f}"
                    f"{fig['pos_rms_straight_m']:>8.0f}/{fig['pos_rms_turning_m']:<7.0f}"
                    f"{fig['vel_rms_straight_mps']:>9.1f}/{fig['vel_rms_turning_mps']:<8.1f}"
                    f"{fig['switches_per_aircraft']:>9.3f}{fig['track_ids_per_aircraft']:>8.3f}"
                    f"{fig['drop_latency_max_s']:>8.0f}"
                )

            print(f"{line}{ratio:>8.0f}{ours[2]:>7.0f}{acc(f)}", flush=True)
            if ss:
                t_end = float(truth.column("time_s")[0].as_py()) + ss_dur
                fs = _figures(truth, ss[3], t_end)
                fo = _figures(truth, ours[3], t_end)
                win = f"{ss_dur:.0f}s window"
                print(
                    f"{'stonesoup':<11}{f'N={n} {mode}':<16}{ss[0]:>8}{ss[0] / ss[1]:>13.0f}{1:>8}{ss[2]:>7.0f}"
                    f"{acc(fs)}"
                    f"  ({win})",
                    flush=True,
                )
                print(f"{'airpicture':<11}{f'N={n} {mode}':<16}{'':>8}{'':>13}{'':>8}{'':>7}{acc(fo)}  ({win})")
            print(f"#   airpicture stats: {ours[4]}", flush=True)
            if ss:
                print(f"#   Stone Soup warm-up (not timed): {ss[4]['warm_up_cpu_s']} CPU s", flush=True)
    print("# reproduce: .venv/bin/python benchmarks/track_vs_stonesoup.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
