"""GeoJSON: polygons keep the area of the cells they come from; the display layer carries its documented fields."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from airpicture.coverage.analysis import CoverageSettings, SensorSite, compute_coverage
from airpicture.coverage.export import display_layer, mask_to_geometry
from airpicture.coverage.grid import CoverageGrid
from tests.coverage.conftest import synthetic_terrain


def test_mask_polygons_cover_exactly_the_masked_cells() -> None:
    grid = CoverageGrid(20.0, 0.0, 1 / 60, 120, 150)
    rng = np.random.default_rng(3)
    mask = rng.random(grid.shape) < 0.3
    mask[40:80, 50:120] = True  # a solid block, with a hole
    mask[55:60, 70:75] = False
    geometry = mask_to_geometry(grid, mask, simplify_cells=0)
    assert geometry.is_valid
    assert geometry.area == pytest.approx(mask.sum() * grid.step_deg**2, rel=1e-9)
    centres_lon, centres_lat = np.meshgrid(grid.lon_centres_deg, grid.lat_centres_deg)
    assert np.array_equal(shapely.contains_xy(geometry, centres_lon, centres_lat), mask)


def test_simplified_polygons_stay_within_a_percent_of_the_cell_area() -> None:
    grid = CoverageGrid(20.0, 0.0, 1 / 60, 300, 300)
    lat, lon = np.meshgrid(grid.lat_centres_deg, grid.lon_centres_deg, indexing="ij")
    disc = (lat - 17.5) ** 2 + (lon - 2.5) ** 2 < 2.0**2
    simple = mask_to_geometry(grid, disc)
    assert simple.area == pytest.approx(disc.sum() * grid.step_deg**2, rel=0.01)
    assert shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(mask_to_geometry(grid, disc, 0))


def test_empty_mask_gives_an_empty_geometry() -> None:
    grid = CoverageGrid(20.0, 0.0, 1 / 60, 10, 10)
    assert mask_to_geometry(grid, np.zeros(grid.shape, dtype=bool)).is_empty


def test_display_layer_has_levels_kinds_styles_and_sensor_sites() -> None:
    area = box(1.0, 11.0, 9.0, 19.0)
    sites = [
        SensorSite("radar", "ssr", 15.0, 3.0, 300_000.0, antenna_agl_m=20.0),
        SensorSite("rx", "adsb", 14.0, 6.0, 250_000.0, antenna_agl_m=15.0),
    ]
    settings = CoverageSettings(bearing_step_deg=1.0, range_step_m=3000.0, grid_step_arcmin=4.0)
    result = compute_coverage(sites, [100, 300], synthetic_terrain(), area, area, settings)
    layer = display_layer(result)
    assert layer["type"] == "FeatureCollection" and layer["levels_fl"] == [100.0, 300.0]
    coverage = [f for f in layer["features"] if f["properties"]["layer"] == "coverage"]
    assert {(f["properties"]["level_fl"], f["properties"]["kind"]) for f in coverage} == {
        (100.0, "covered_1"),
        (100.0, "covered_2"),
        (300.0, "covered_1"),
        (300.0, "covered_2"),
    }  # no 4-receiver (MLAT) area with one receiver: left out
    for f in coverage:
        props = f["properties"]
        assert props["fill"].startswith("#") and 0 < props["fill_opacity"] < 1
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert props["area_km2"] > 0 and props["clip"] == "FIR"
    sites_out = [f for f in layer["features"] if f["properties"]["layer"] == "sensor_site"]
    assert [f["geometry"]["coordinates"] for f in sites_out] == [[3.0, 15.0], [6.0, 14.0]]
