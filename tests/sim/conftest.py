"""A Niger run shared by the simulator tests (simulated once per session: about 5 s)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from airpicture.sim import SimOutput, build_scenario
from airpicture.sim.scenario import Scenario

NIGER_SEED = 11
NIGER_DURATION_S = 600.0


@pytest.fixture(scope="session")
def niger_run() -> tuple[Scenario, SimOutput]:
    scenario = build_scenario("niger", seed=NIGER_SEED)
    return scenario, scenario.run(NIGER_DURATION_S)


def column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False)


def truth_at(truth: pa.Table, target_id: int, times: np.ndarray) -> dict[str, np.ndarray]:
    """One aircraft's true state at ``times``, interpolated from the 1 s truth samples."""
    ids = column(truth, "target_id")
    sel = ids == target_id
    t = column(truth, "time_s")[sel]
    order = np.argsort(t)
    out = {}
    for name in ("lat_deg", "lon_deg", "alt_ft", "ground_speed_kt"):
        out[name] = np.interp(times, t[order], column(truth, name)[sel][order])
    return out
