"""``airpicture simulate``: run a scenario and write measurements, truth and the sensors file (DESIGN.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from airpicture.core.schema import MEASUREMENT, TRUTH
from airpicture.core.sensors import save_sensors
from airpicture.core.tableio import TableWriter
from airpicture.sim import SCENARIOS, build_scenario
from airpicture.sim.scenario import print_progress


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", required=True, choices=SCENARIOS, help="niger or stress")
    parser.add_argument("--duration", type=float, required=True, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same output)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--start-time", type=float, default=None, help="UTC epoch s of the start (default fixed)")
    parser.add_argument("--truth-period", type=float, default=1.0, help="truth sampling period, s")
    parser.add_argument("--no-events", action="store_true", help="niger: leave the scripted events out")
    parser.add_argument(
        "--extra-events",
        default="",
        help="niger: comma-separated opt-in events (gnss_interference, fpl_deviation, "
        "stca_climb_through, stca_level_off) or all",
    )
    parser.add_argument("--aircraft", type=int, default=None, help="number of aircraft (stress; niger: airborne)")
    parser.add_argument("--primary-only", type=int, default=None, help="niger: light aircraft without transponder")
    parser.add_argument("--radars", type=int, default=None, help="stress: number of radars")
    parser.add_argument("--receivers", type=int, default=None, help="stress: number of ADS-B receivers")
    parser.add_argument("--area", type=float, default=None, help="stress: side of the square area, km")


def run(args: argparse.Namespace) -> int:
    if args.duration <= 0:
        print("--duration must be positive", file=sys.stderr)
        return 2
    options: dict = {"truth_period_s": args.truth_period}
    if args.scenario == "niger":
        options["events"] = not args.no_events
        if args.extra_events:
            extra = args.extra_events.strip()
            options["extra_events"] = "all" if extra == "all" else tuple(e.strip() for e in extra.split(",") if e)
        if args.primary_only is not None:
            options["primary_only"] = args.primary_only
    if args.aircraft is not None:
        options["n_aircraft"] = args.aircraft
    for name, key in (("radars", "n_radars"), ("receivers", "n_receivers"), ("area", "area")):
        value = getattr(args, name)
        if value is not None:
            if args.scenario != "stress":
                print(f"--{name} applies to the stress scenario only", file=sys.stderr)
                return 2
            options[key] = value
    try:
        scenario = build_scenario(args.scenario, seed=args.seed, start_time_s=args.start_time, **options)
    except ValueError as error:
        print(f"airpicture simulate: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    save_sensors(scenario.sensors, args.out / "sensors.json")
    events = [
        {"kind": e.kind, "time_s": e.time_s, "target_id": e.target_id, "icao24": e.icao24, "detail": e.detail}
        for e in scenario.events
    ]
    (args.out / "events.json").write_text(json.dumps(events, indent=2) + "\n", encoding="utf-8")
    if scenario.flight_plans:
        (args.out / "flight_plans.txt").write_text(scenario.flight_plans, encoding="utf-8")
    started_cpu, started = time.process_time(), time.monotonic()
    begin = scenario.time_s
    last_print = 0.0
    with (
        TableWriter(args.out / "measurements.parquet", MEASUREMENT) as meas,
        TableWriter(args.out / "truth.parquet", TRUTH) as truth,
    ):
        for step in scenario.chunks(args.duration, 10.0):
            meas.write(step.measurements)
            truth.write(step.truth)
            done = step.time_s - begin
            if time.monotonic() - last_print > 1.0 or done >= args.duration - 1e-9:
                last_print = time.monotonic()
                print_progress(scenario, done, args.duration, meas.rows)
    cpu = time.process_time() - started_cpu
    print(
        f"\nwrote {meas.rows:,} measurements, {truth.rows:,} truth rows, {len(scenario.sensors)} sensors to "
        f"{args.out} in {time.monotonic() - started:.1f} s ({cpu:.1f} s CPU)",
        file=sys.stderr,
    )
    return 0
