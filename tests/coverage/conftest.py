"""Synthetic terrain for coverage tests: flat ground with features whose effect can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from airpicture.coverage.terrain import TerrainGrid

STEP_DEG = 1.0 / 60.0


def synthetic_terrain(elevation_m: float = 0.0) -> TerrainGrid:
    """A 1 arc-minute grid over 10–20°N, 0–10°E at constant elevation (modify ``elev_m`` to add features)."""
    elev = np.full((600, 600), int(elevation_m), dtype=np.int16)
    return TerrainGrid(elev, lat_max_deg=20.0, lon_min_deg=0.0, step_deg=STEP_DEG, source="synthetic")


def col_of(terrain: TerrainGrid, lon_deg: float) -> int:
    return int(np.floor((lon_deg - terrain.lon_min_deg) / terrain.step_deg))


def row_of(terrain: TerrainGrid, lat_deg: float) -> int:
    return int(np.floor((terrain.lat_max_deg - lat_deg) / terrain.step_deg))


@pytest.fixture
def ridge_terrain() -> TerrainGrid:
    """Flat 0 m ground with a 1,000 m north–south ridge between 5.00°E and 5.05°E."""
    terrain = synthetic_terrain(0.0)
    terrain.elev_m[:, col_of(terrain, 5.0) : col_of(terrain, 5.05)] = 1000
    return terrain
