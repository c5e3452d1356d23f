"""Simulation speed: simulated aircraft-seconds per CPU second, airpicture's simulator beside Stone Soup's.

airpicture: the stress scenario (3-D aircraft on closed waypoint circuits with bank-limited turns, climbs and
descents, truth sampled every second) observed by one PSR/SSR radar in the middle of an 800 km square
(beam-crossing times, 4/3-earth line of sight, Pd, polar noise, 20 clutter plots per scan), and in the full
configuration (3,000 km square) by 4 radars and 20 ADS-B receivers (2 Hz positions and velocities,
identification and status, NACp noise, random loss).
Stone Soup 1.9: ``MultiTargetGroundTruthSimulator`` (2-D near-constant-velocity targets, all present from the start,
no births or deaths) feeding ``SimpleDetectionSimulator`` (linear position measurements, Pd 0.9, clutter) at a 1 s
step: its simplest simulator, doing strictly less work per aircraft than ours. The same N and duration, one run.
Figure: aircraft × simulated seconds / CPU seconds (``time.process_time``), build time excluded for both.

Reproduce: ``.venv/bin/python benchmarks/simulate.py [--duration 60] [--sizes 100,1000,10000] [--stonesoup-max 1000]``
"""

from __future__ import annotations

import argparse
import datetime
import time

import numpy as np

from airpicture.sim import build_scenario


def airpicture_rate(n: int, duration_s: float, n_radars: int, n_receivers: int, area_km: float) -> tuple[float, int]:
    scenario = build_scenario("stress", seed=1, n_aircraft=n, n_radars=n_radars, n_receivers=n_receivers, area=area_km)
    started = time.process_time()
    out = scenario.run(duration_s)
    cpu = time.process_time() - started
    return n * duration_s / cpu, out.measurements.num_rows


def stonesoup_rate(n: int, duration_s: float) -> tuple[float, int]:
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.simulator.simple import MultiTargetGroundTruthSimulator, SimpleDetectionSimulator
    from stonesoup.types.array import StateVector
    from stonesoup.types.state import GaussianState

    rng = np.random.default_rng(1)
    start = datetime.datetime(2025, 1, 15, 10, 0, 0)
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(0.5), ConstantVelocity(0.5)])
    half = 1.5e6
    initial = np.column_stack([rng.uniform(-half, half, n), rng.uniform(-230, 230, n),
                               rng.uniform(-half, half, n), rng.uniform(-230, 230, n)])  # fmt: skip
    states = [StateVector(row) for row in initial]
    truth = MultiTargetGroundTruthSimulator(
        transition_model=transition,
        initial_state=GaussianState(StateVector([0, 0, 0, 0]), np.diag([1.0, 1.0, 1.0, 1.0]), timestamp=start),
        timestep=datetime.timedelta(seconds=1),
        number_steps=int(duration_s),
        birth_rate=0.0,
        death_probability=0.0,
        preexisting_states=states,
        seed=1,
    )
    measurement = LinearGaussian(ndim_state=4, mapping=(0, 2), noise_covar=np.diag([150.0**2, 150.0**2]))
    detections = SimpleDetectionSimulator(
        groundtruth=truth,
        measurement_model=measurement,
        meas_range=np.array([[-half, half], [-half, half]]),
        detection_probability=0.9,
        clutter_rate=5.0,
        seed=1,
    )
    started = time.process_time()
    count = 0
    for _, dets in detections:
        count += len(dets)
    cpu = time.process_time() - started
    return n * duration_s / cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--stonesoup-max", type=int, default=1000, help="largest N given to Stone Soup")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for n in sizes:
        ours_radar, m_radar = airpicture_rate(n, args.duration, 1, 0, 800.0)
        ours_full, m_full = airpicture_rate(n, args.duration, 4, 20, 3000.0)
        if n <= args.stonesoup_max:
            ss, m_ss = stonesoup_rate(n, args.duration)
            rows.append(("Stone Soup 1.9 (2-D CV + linear detections)", n, ss, m_ss, 1.0))
        else:
            ss = float("nan")
        rows.append(("airpicture (1 radar)", n, ours_radar, m_radar, ours_radar / ss))
        rows.append(("airpicture (4 radars + 20 ADS-B receivers)", n, ours_full, m_full, ours_full / ss))
    print(f"\n{'tool':<46} {'aircraft':>9} {'aircraft-s per CPU-s':>21} {'measurements':>13} {'ratio':>8}")
    for tool, n, rate, meas, ratio in rows:
        ratio_text = "-" if np.isnan(ratio) else f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.2f}x"
        print(f"{tool:<46} {n:>9,} {rate:>21,.0f} {meas:>13,} {ratio_text:>8}")
    print(f"\n{args.duration:.0f} s simulated per run; real-time factor = rate / aircraft.")
    print(f"reproduce: .venv/bin/python benchmarks/simulate.py --duration {args.duration:.0f} --sizes {args.sizes}")


if __name__ == "__main__":
    main()
