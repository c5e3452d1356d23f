"""Simulator runs shared by the monitor tests (built once per session; they take a few CPU seconds each)."""

from __future__ import annotations

import pytest

from tests.monitor.simtracks import Cycle, sim_cycles


@pytest.fixture(scope="session")
def niger_events() -> tuple[object, list[Cycle]]:
    """The Niger scenario with its scripted events, 640 s in 4-s cycles."""
    sim = pytest.importorskip("airpicture.sim")
    scenario = sim.build_scenario("niger", seed=0)
    return scenario, list(sim_cycles(scenario, 640.0))


@pytest.fixture(scope="session")
def niger_quiet() -> tuple[object, list[Cycle]]:
    """The Niger scenario without scripted events, 600 s in 4-s cycles."""
    sim = pytest.importorskip("airpicture.sim")
    scenario = sim.build_scenario("niger", seed=3, events=False)
    return scenario, list(sim_cycles(scenario, 600.0))
