"""One simulated Niger run shared by the record and distribute tests (built once per test session)."""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from airpicture.core.sensors import Sensor

START_S = 1_780_000_000.0


@cache
def niger_steps(seconds: int = 60, seed: int = 7) -> tuple[list[Sensor], tuple[pa.Table, ...]]:
    """The simulator's Niger scenario, one measurement table per simulated second."""
    from airpicture.sim import build_scenario

    scenario = build_scenario("niger", seed=seed, start_time_s=START_S)
    steps = []
    for k, step in enumerate(scenario.stream(1.0)):
        if k == seconds:
            break
        steps.append(step.measurements)
    return list(scenario.sensors), tuple(steps)


def by_sensor(table: pa.Table) -> list[tuple[str, pa.Table]]:
    """A step's measurements as the per-sensor messages a live chain publishes (airpicture.meas.<sensor>)."""
    sensors = table.column("sensor").to_pylist()
    out = []
    for sensor in sorted(set(sensors)):
        out.append((sensor, table.filter(pa.compute.equal(table.column("sensor"), sensor))))
    return out
