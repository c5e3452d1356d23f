"""PNG coverage maps (matplotlib, no display needed): redundancy per cell over faint terrain, with the FIR, the
national border, aerodromes and sensor sites drawn, so a map can be read without the report beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from airpicture.core.geography import Aerodrome
from airpicture.coverage.analysis import CoverageResult, LevelCoverage, SensorSite
from airpicture.coverage.grid import CoverageGrid

#: Colours for 1, 2, 3 and ≥4 sensors (0 stays transparent over the terrain).
COUNT_COLOURS = ("#fdd49e", "#a6bddb", "#3690c0", "#034e7b")


#: Images are thinned to about the figure's pixel width before drawing: resampling a 1,300-cell-wide grid is slow.
MAX_IMAGE_CELLS = 660


def _thin(image: NDArray, grid: CoverageGrid) -> tuple[NDArray, tuple[float, float, float, float]]:
    """Block-maximum of an image so that its width is at most :data:`MAX_IMAGE_CELLS` (the map shows no finer),
    with the extent it then covers (NaN cells are ignored)."""
    factor = max(-(-image.shape[1] // MAX_IMAGE_CELLS), 1)
    rows, cols = (-(-image.shape[0] // factor)) * factor, (-(-image.shape[1] // factor)) * factor
    fill = np.nan if np.issubdtype(image.dtype, np.floating) else 0
    padded = np.full((rows, cols), fill, dtype=image.dtype)
    padded[: image.shape[0], : image.shape[1]] = image
    blocks = padded.reshape(rows // factor, factor, cols // factor, factor)
    step = grid.step_deg * factor
    extent = (
        grid.lon_min_deg,
        grid.lon_min_deg + blocks.shape[2] * step,
        grid.lat_max_deg - blocks.shape[0] * step,
        grid.lat_max_deg,
    )
    return np.fmax.reduce(blocks, axis=(1, 3)), extent


def _to_palette(path: Path, colours: int = 96) -> None:
    """Re-save a PNG with a colour palette: maps have few colours, and the file shrinks about threefold."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colours)
    small.save(path, optimize=True)


def _figure(result: CoverageResult):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    grid = result.grid
    fig, ax = plt.subplots(figsize=(8.0, 6.2), dpi=80)
    lat_mid = (grid.extent[2] + grid.extent[3]) / 2
    ax.set_aspect(1.0 / math.cos(math.radians(lat_mid)))
    terrain, extent = _thin(result.terrain_cells_m, grid)
    ax.imshow(terrain, extent=extent, cmap="Greys", vmin=-800, vmax=3500, interpolation="nearest", alpha=0.6)
    return fig, ax, plt


def _outline(ax, geometry: BaseGeometry, **style) -> None:
    geoms = getattr(geometry, "geoms", [geometry])
    for i, poly in enumerate(geoms):
        x, y = poly.exterior.xy
        ax.plot(x, y, **({**style, "label": style.get("label") if i == 0 else None}))


def _decorate(
    ax,
    result: CoverageResult,
    fir: BaseGeometry,
    national: BaseGeometry,
    aerodromes: Sequence[Aerodrome],
    proposed: Sequence[SensorSite] = (),
) -> None:
    _outline(ax, fir, color="black", lw=1.2, ls="--", label="Niamey FIR")
    _outline(ax, national, color="#a50f15", lw=1.0, label="Niger border")
    if aerodromes:
        ax.scatter([a.lon_deg for a in aerodromes], [a.lat_deg for a in aerodromes], s=6, c="black", zorder=4)
        for a in aerodromes:
            ax.annotate(a.icao, (a.lon_deg, a.lat_deg), xytext=(2, 2), textcoords="offset points", fontsize=5)
    radars = [s for s in result.sites if s.is_radar]
    receivers = [s for s in result.sites if s.is_receiver]
    if radars:
        ax.scatter(
            [s.lon_deg for s in radars], [s.lat_deg for s in radars], marker="^", s=90, c="#e31a1c",
            edgecolors="black", linewidths=0.5, zorder=6, label="radar",
        )  # fmt: skip
    if receivers:
        ax.scatter(
            [s.lon_deg for s in receivers], [s.lat_deg for s in receivers], marker="o", s=22, c="#08306b",
            edgecolors="white", zorder=5, label="ADS-B receiver",
        )  # fmt: skip
    if proposed:
        ax.scatter(
            [s.lon_deg for s in proposed], [s.lat_deg for s in proposed], marker="*", s=110, c="#ff7f00",
            edgecolors="black", linewidths=0.5, zorder=6, label="proposed receiver",
        )  # fmt: skip
    ext = result.grid.extent
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.tick_params(labelsize=7)


def _count_image(count: NDArray[np.uint8], region: NDArray[np.bool_]) -> NDArray[np.float32]:
    img = np.minimum(count, len(COUNT_COLOURS)).astype(np.float32)
    img[(count == 0) | ~region] = np.nan
    return img


def coverage_map(
    result: CoverageResult,
    level: LevelCoverage,
    path: str | Path,
    fir: BaseGeometry,
    national: BaseGeometry,
    aerodromes: Sequence[Aerodrome] = (),
    proposed: Sequence[SensorSite] = (),
    count: NDArray[np.uint8] | None = None,
    title: str | None = None,
) -> Path:
    """A map of how many sensors see each cell at one level."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    fig, ax, plt = _figure(result)
    layer = level.count if count is None else count
    cmap = ListedColormap(COUNT_COLOURS)
    norm = BoundaryNorm([0.5, 1.5, 2.5, 3.5, 4.5], cmap.N)
    image, extent = _thin(_count_image(layer, result.region_mask), result.grid)
    ax.imshow(
        image, extent=extent, cmap=cmap, norm=norm,
        interpolation="nearest", alpha=0.85,
    )  # fmt: skip
    _decorate(ax, result, fir, national, aerodromes, proposed)
    fir_pct = 100.0 * result.grid.area_km2(result.fir_mask & (layer > 0)) / result.grid.area_km2(result.fir_mask)
    nat_pct = (
        100.0 * result.grid.area_km2(result.national_mask & (layer > 0)) / result.grid.area_km2(result.national_mask)
    )
    ax.set_title(
        title or f"FL{level.level_fl:03.0f}: {fir_pct:.1f} % of the FIR, {nat_pct:.1f} % of Niger seen", fontsize=10
    )
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(color=c, label=f"{i + 1}{'+' if i == 3 else ''} sensor(s)") for i, c in enumerate(COUNT_COLOURS)]
    ax.legend(handles=handles, fontsize=6, loc="upper left", framealpha=0.85)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    _to_palette(path)
    return path


def outline_map(
    outlines: Sequence[dict],
    path: str | Path,
    title: str,
) -> Path:
    """Observed (farthest decoded position per bearing) beside predicted range outlines, one panel per level band.

    Each item of ``outlines`` has ``band`` (label), ``bearings_deg``, ``observed_m`` (NaN where nothing was seen)
    and ``predicted_m``.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    n = max(len(outlines), 1)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.6), dpi=80, subplot_kw={"projection": "polar"}, squeeze=False)
    for ax, item in zip(axes[0], outlines, strict=False):
        theta = np.radians(np.append(item["bearings_deg"], item["bearings_deg"][0]))
        pred = np.append(item["predicted_m"], item["predicted_m"][0]) / 1000.0
        ax.plot(theta, pred, color="#2b8cbe", lw=1.2, label="predicted")
        obs = np.asarray(item["observed_m"]) / 1000.0
        seen = np.isfinite(obs)
        ax.scatter(np.radians(np.asarray(item["bearings_deg"])[seen]), obs[seen], s=9, c="#e31a1c", label="observed")
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)
        ax.set_title(item["band"], fontsize=8)
        ax.tick_params(labelsize=6)
    axes[0][0].legend(fontsize=6, loc="lower left", bbox_to_anchor=(-0.15, -0.2))
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    _to_palette(path)
    return path
