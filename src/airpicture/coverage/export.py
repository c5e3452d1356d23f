"""Coverage as GeoJSON: cell masks become (multi)polygons, in longitude/latitude WGS-84.

A mask becomes polygons by taking each row's runs of covered cells as rectangles and merging them; the rectangles
tile the plane without overlap, so GEOS's coverage union merges them cheaply. The staircase is then simplified by
less than one cell, so the files stay small while the areas still follow the cell counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from airpicture.coverage.analysis import MLAT_MIN_RECEIVERS, CoverageResult
from airpicture.coverage.grid import CoverageGrid

#: Layer colours shared by the PNG maps and the web display's GeoJSON layer (≥1, ≥2 sensors, ≥4 receivers).
LAYER_STYLE = {
    "covered_1": ("#2b8cbe", 0.25, "seen by ≥1 sensor"),
    "covered_2": ("#31a354", 0.25, "seen by ≥2 sensors"),
    "mlat_4": ("#756bb1", 0.30, f"seen by ≥{MLAT_MIN_RECEIVERS} receivers (MLAT)"),
}


def mask_to_geometry(grid: CoverageGrid, mask: NDArray[np.bool_], simplify_cells: float = 0.75) -> BaseGeometry:
    """Polygons covering the True cells of a full-grid mask (empty geometry when none)."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    start_r, start_c = np.nonzero(edges == 1)
    _end_r, end_c = np.nonzero(edges == -1)
    if start_r.size == 0:
        return shapely.geometry.Polygon()
    # nonzero walks row-major, so the k-th start and the k-th end belong to the same run.
    step = grid.step_deg
    x0 = grid.lon_min_deg + start_c * step
    x1 = grid.lon_min_deg + end_c * step
    y1 = grid.lat_max_deg - start_r * step
    y0 = y1 - step
    boxes = shapely.box(x0, y0, x1, y1)
    merged = shapely.union_all(boxes)
    if simplify_cells > 0:
        merged = shapely.simplify(merged, simplify_cells * step, preserve_topology=True)
    return merged


def _feature(geometry: BaseGeometry, properties: dict) -> dict:
    geom = shapely.geometry.mapping(shapely.set_precision(geometry, 1e-5))
    return {"type": "Feature", "properties": properties, "geometry": geom}


def coverage_features(result: CoverageResult, per_sensor: bool = True) -> list[dict]:
    """Features for every level: redundancy layers clipped to the FIR and to the national territory, and per-sensor
    visible areas."""
    grid = result.grid
    features = []
    for lc in result.levels:
        for clip_name, clip in (("FIR", result.fir_mask), ("Niger", result.national_mask)):
            for key, layer, n in (
                ("covered_1", lc.count, 1),
                ("covered_2", lc.count, 2),
                ("mlat_4", lc.receiver_count, MLAT_MIN_RECEIVERS),
            ):
                mask = clip & (layer >= n)
                colour, opacity, label = LAYER_STYLE[key]
                features.append(
                    _feature(
                        mask_to_geometry(grid, mask),
                        {
                            "layer": "coverage",
                            "level_fl": lc.level_fl,
                            "clip": clip_name,
                            "kind": key,
                            "min_sensors": n,
                            "sensors": "receivers" if key == "mlat_4" else "all",
                            "area_km2": round(grid.area_km2(mask), 1),
                            "area_pct": round(100.0 * grid.area_km2(mask) / max(grid.area_km2(clip), 1e-9), 2),
                            "label": f"FL{lc.level_fl:03.0f} {label} ({clip_name})",
                            "fill": colour,
                            "fill_opacity": opacity,
                        },
                    )
                )
        if per_sensor:
            region = result.region_mask
            for vis in result.visibility:
                mask = vis.mask(grid, lc.altitude_m, result.terrain_cells_m) & region
                features.append(
                    _feature(
                        mask_to_geometry(grid, mask),
                        {
                            "layer": "sensor_coverage",
                            "level_fl": lc.level_fl,
                            "sensor": vis.site.id,
                            "sensor_kind": vis.site.kind,
                            "area_km2": round(lc.sensor_area_km2.get(vis.site.id, 0.0), 1),
                        },
                    )
                )
    return features


def display_layer(result: CoverageResult, clip: str = "FIR", features: list[dict] | None = None) -> dict:
    """The web display's layer: redundancy polygons per level (no per-sensor detail), plus the sensor sites.

    ``features`` from :func:`coverage_features` are reused when given (polygons are the slow part).
    """
    features = [
        f
        for f in (features if features is not None else coverage_features(result, per_sensor=False))
        if f["properties"]["layer"] == "coverage"
        if f["properties"]["clip"] == clip and f["properties"]["area_km2"] > 0
    ]
    for site in result.sites:
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "layer": "sensor_site",
                    "sensor": site.id,
                    "sensor_kind": site.kind,
                    "range_max_m": site.range_max_m,
                },
                "geometry": {"type": "Point", "coordinates": [round(site.lon_deg, 5), round(site.lat_deg, 5)]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "airpicture coverage",
        "levels_fl": [lc.level_fl for lc in result.levels],
        "features": features,
    }


def write_geojson(path: str | Path, features: list[dict], **members: object) -> None:
    collection = {"type": "FeatureCollection", **members, "features": features}
    Path(path).write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
