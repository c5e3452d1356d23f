"""Traffic and sensor simulation: the Niger scenario and a stress scenario of any size.

``build_scenario(name, seed, start_time_s, **options)`` returns a :class:`Scenario`; its ``run``, ``stream`` and
``stream_frames`` produce Measurement and TRUTH tables (core/schema.py) or encoded frames. See docs/simulator.md.
"""

from __future__ import annotations

from typing import Any

from airpicture.sim.scenario import RawFeed, Scenario, ScriptedEvent, SimOutput, SimStep

SCENARIOS = ("niger", "stress")


def build_scenario(name: str, seed: int = 0, start_time_s: float | None = None, **options: Any) -> Scenario:
    """A scenario by name: "niger" (options: events, n_aircraft, horizon_s, dt_s, truth_period_s) or "stress"
    (options: n_aircraft, n_radars, n_receivers, area [km side], centre, dt_s, truth_period_s)."""
    if name == "niger":
        from airpicture.sim.niger import build_niger

        return build_niger(seed, start_time_s, **options)
    if name == "stress":
        from airpicture.sim.stress import build_stress

        return build_stress(seed, start_time_s, **options)
    raise ValueError(f"unknown scenario {name!r}: choose one of {', '.join(SCENARIOS)}")


__all__ = ["SCENARIOS", "RawFeed", "Scenario", "ScriptedEvent", "SimOutput", "SimStep", "build_scenario"]
