"""Coverage: the whole Niamey FIR (and Niger) at 1 arc-minute, 50 sensors, 5 flight levels.

Measures, in one run on the same terrain (the shipped 1' NOAA GLOBE grid) and the same sensors:
- airpicture's radial line of sight + grid sampling (``compute_coverage``): CPU seconds in all and per sensor,
  against the target of 30 s on one core;
- a brute-force per-cell line of sight (for each cell: sample the terrain every 1 km along the great circle to the
  sensor and test clearance; the "exact" viewshed method), on a random sample of cells, extrapolated to the same
  work, and the share of cells on which the two methods agree;
- with Debian's ``gdal-bin`` installed, GDAL's ``gdal_viewshed`` (the reference viewshed tool in GIS) on the same
  DEM reprojected to metres, one run per sensor and level (its "target height" is above the ground, ours above
  sea level, so only its time is compared).

Run from the repository root: ``.venv/bin/python benchmarks/coverage_viewshed.py`` (defaults: ``--sensors 50``,
``--levels 50,100,200,300,400``).
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from airpicture.core.geography import niamey_fir, niger_aerodromes, niger_border  # noqa: E402
from airpicture.core.units import EARTH_RADIUS_M  # noqa: E402
from airpicture.coverage.analysis import CoverageSettings, SensorSite, compute_coverage, fl_to_m  # noqa: E402
from airpicture.coverage.los import STANDARD_K, radial_points  # noqa: E402
from airpicture.coverage.terrain import TerrainGrid, default_terrain  # noqa: E402


def network(n: int) -> list[SensorSite]:
    """n sensors: Niger's aerodromes (radars at the 3 main ones), then a regular spread over the FIR."""
    sites: list[SensorSite] = []
    for ad in niger_aerodromes():
        kind = "psr_ssr" if ad.icao in ("DRRN", "DRZA", "DRZR") else "adsb"
        sites.append(SensorSite(ad.icao, kind, ad.lat_deg, ad.lon_deg, 463_000 if kind != "adsb" else 400_000, 20.0))
    fir = niamey_fir()
    import shapely

    step = 2.0
    while len(sites) < n:
        lon, lat = np.meshgrid(np.arange(-5.0, 11.5, step), np.arange(10.5, 24.0, step))
        inside = shapely.contains_xy(fir, lon, lat)
        extra = [
            SensorSite(f"g{i}", "adsb", float(la), float(lo), 400_000.0, 15.0)
            for i, (la, lo) in enumerate(zip(lat[inside], lon[inside], strict=True))
        ]
        if len(sites) + len(extra) >= n:
            sites += extra[: n - len(sites)]
        step *= 0.8
    return sites[:n]


def brute_force_lowest_visible(
    site: SensorSite, terrain: TerrainGrid, lat: np.ndarray, lon: np.ndarray, k: float, step_m: float = 1000.0
) -> np.ndarray:
    """Per-cell exact line of sight: the lowest visible altitude at each target cell, one path per cell."""
    from airpicture.core.geodesy import haversine_m, initial_bearing_deg

    ground = float(terrain.elevation_m(np.array([site.lat_deg]), np.array([site.lon_deg]))[0])
    h1 = ground + (site.antenna_agl_m or 0.0)
    re = k * EARTH_RADIUS_M
    r1 = re + h1
    dist = haversine_m(site.lat_deg, site.lon_deg, lat, lon)
    bearing = initial_bearing_deg(site.lat_deg, site.lon_deg, lat, lon)
    out = np.full(lat.size, np.inf)
    for i in range(lat.size):  # one path per cell: the per-cell method's cost is in these loops
        if dist[i] > site.range_max_m or dist[i] < step_m:
            continue
        ranges = np.arange(step_m, dist[i] + 1.0, step_m)
        plat, plon = radial_points(site.lat_deg, site.lon_deg, np.array([bearing[i]]), ranges)
        h = terrain.elevation_m(plat[0], plon[0]).astype(np.float64)
        theta = ranges / re
        tan_e = ((re + h) * np.cos(theta) - r1) / ((re + h) * np.sin(theta))
        t = tan_e.max()
        theta_t = dist[i] / re
        out[i] = r1 / (math.cos(theta_t) - t * math.sin(theta_t)) - re
    return out


def gdal_viewshed(
    result, terrain: TerrainGrid, levels_m: list[float], k: float, n_sites: int, sample_cells: int
) -> tuple[float, int, int, int] | None:
    """GDAL's gdal_viewshed in "DEM" mode (lowest visible altitude above sea level, like ours) for ``n_sites``
    sensors, on the DEM warped to a stereographic plane at 1,850 m: child CPU seconds of the viewshed runs, runs,
    and the cell-levels on which it agrees with airpicture (out of the number compared)."""
    if n_sites <= 0 or not (shutil.which("gdal_viewshed") and shutil.which("gdalwarp")):
        return None
    import resource

    from pyproj import Transformer

    proj = "+proj=stere +lat_0=17 +lon_0=5 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    to_xy = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    rng = np.random.default_rng(1)
    grid = result.grid
    with tempfile.TemporaryDirectory() as tmp:
        asc = Path(tmp) / "dem.asc"
        header = (
            f"ncols {terrain.shape[1]}\nnrows {terrain.shape[0]}\nxllcorner {terrain.lon_min_deg}\n"
            f"yllcorner {terrain.lat_min_deg}\ncellsize {terrain.step_deg}\nNODATA_value -32768\n"
        )
        elev = np.where(terrain.elev_m == terrain.nodata, int(terrain.fallback_elevation_m), terrain.elev_m)
        with open(asc, "w") as fh:
            fh.write(header)
            np.savetxt(fh, elev, fmt="%d")
        dem = Path(tmp) / "dem.tif"
        subprocess.run(
            ["gdalwarp", "-q", "-s_srs", "EPSG:4326", "-t_srs", proj, "-tr", "1850", "1850", "-r", "max",
             str(asc), str(dem)],
            check=True,
        )  # fmt: skip
        cpu = 0.0
        runs = agree = compared = 0
        for vis in result.visibility[:n_sites]:
            site = vis.site
            x, y = to_xy.transform(site.lon_deg, site.lat_deg)
            out = Path(tmp) / "vs.tif"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(
                ["gdal_viewshed", "-q", "-om", "DEM", "-ox", f"{x:.1f}", "-oy", f"{y:.1f}",
                 "-oz", f"{site.antenna_agl_m}", "-md", f"{site.range_max_m:.0f}", "-cc", f"{1 / k:.6f}",
                 str(dem), str(out)],
                check=True,
            )  # fmt: skip
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu += (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            runs += 1
            # Read the result back (as text: no GDAL Python bindings needed) and compare on sampled cells.
            text = Path(tmp) / "vs.asc"
            subprocess.run(["gdal_translate", "-q", "-of", "AAIGrid", str(out), str(text)], check=True)
            lines = text.read_text().splitlines()
            meta = {ln.split()[0].lower(): float(ln.split()[1]) for ln in lines[:6] if ln.split()[0].isalpha()}
            n_head = len(meta)
            values = np.loadtxt(lines[n_head:], dtype=np.float64)
            x0, y0, cell = meta["xllcorner"], meta["yllcorner"], meta["cellsize"]
            rows, cols = vis.window
            r = rng.integers(rows.start, rows.stop, sample_cells)
            c = rng.integers(cols.start, cols.stop, sample_cells)
            ours = vis.lowest_visible_m[r - rows.start, c - cols.start]
            cx, cy = to_xy.transform(grid.lon_centres_deg[c], grid.lat_centres_deg[r])
            gi = (values.shape[0] - 1 - np.floor((cy - y0) / cell)).astype(int)
            gj = np.floor((cx - x0) / cell).astype(int)
            ok = (gi >= 0) & (gi < values.shape[0]) & (gj >= 0) & (gj < values.shape[1]) & np.isfinite(ours)
            theirs = values[gi[ok], gj[ok]]
            nodata = meta.get("nodata_value")
            if nodata is not None:
                theirs = np.where(theirs == nodata, np.inf, theirs)
            for level_m in levels_m:
                agree += int(((ours[ok] <= level_m) == (theirs <= level_m)).sum())
                compared += int(ok.sum())
        return cpu, runs, agree, compared


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=50)
    parser.add_argument("--levels", default="50,100,200,300,400")
    parser.add_argument("--sample-cells", type=int, default=3000, help="cells per sensor for the brute-force method")
    parser.add_argument("--brute-sensors", type=int, default=3)
    parser.add_argument("--gdal-sensors", type=int, default=3)
    args = parser.parse_args()
    levels = [float(v) for v in args.levels.split(",")]
    k = STANDARD_K

    t0 = time.process_time()
    terrain = default_terrain(fallback_elevation_m=300.0)
    terrain_s = time.process_time() - t0
    sites = network(args.sensors)
    settings = CoverageSettings()
    t0 = time.process_time()
    result = compute_coverage(sites, levels, terrain, niamey_fir(), niger_border(), settings, progress=True)
    ours_s = time.process_time() - t0
    grid = result.grid
    t0 = time.process_time()
    from airpicture.coverage.export import coverage_features

    features = coverage_features(result, per_sensor=False)
    polygons_s = time.process_time() - t0

    # Brute force on a sample of cells of a few sensors, and agreement with the radial method at every level.
    rng = np.random.default_rng(0)
    brute_s = 0.0
    brute_cells = 0
    agree = 0
    compared = 0
    cells_in_range = 0
    for vis in result.visibility[: args.brute_sensors]:
        rows, cols = vis.window
        r = rng.integers(rows.start, rows.stop, args.sample_cells)
        c = rng.integers(cols.start, cols.stop, args.sample_cells)
        lat, lon = grid.lat_centres_deg[r], grid.lon_centres_deg[c]
        t0 = time.process_time()
        brute = brute_force_lowest_visible(vis.site, terrain, lat, lon, k)
        brute_s += time.process_time() - t0
        brute_cells += lat.size
        ours = vis.lowest_visible_m[r - rows.start, c - cols.start]
        for level_m in map(fl_to_m, levels):
            agree += int(((ours <= level_m) == (brute <= level_m)).sum())
            compared += lat.size
        cells_in_range += int(np.isfinite(ours).sum())
    window_cells = sum(v.lowest_visible_m.size for v in result.visibility)
    brute_total_s = brute_s / max(brute_cells, 1) * window_cells

    gdal = gdal_viewshed(result, terrain, [fl_to_m(v) for v in levels], k, args.gdal_sensors, args.sample_cells)

    n = len(sites)
    print()
    fir_km2 = grid.area_km2(result.fir_mask)
    print(f"grid {grid.n_rows}×{grid.n_cols} cells of {settings.grid_step_arcmin}' (FIR {fir_km2:,.0f} km²), "
          f"{n} sensors, {len(levels)} levels, radials every {settings.bearing_step_deg}°, samples every "
          f"{settings.range_step_m:.0f} m; terrain load {terrain_s:.1f} CPU-s (not counted)")  # fmt: skip
    rows_out = [
        ("airpicture coverage (radial LOS)", f"{n} sensors × {len(levels)} levels", ours_s, ours_s / n),
        ("per-cell exact LOS (extrapolated)", f"{brute_cells} sampled cells", brute_total_s, brute_total_s / n),
    ]
    if gdal is not None:
        gdal_s, runs, gdal_agree, gdal_compared = gdal
        rows_out.append(
            (
                "GDAL gdal_viewshed -om DEM (extrapolated)",
                f"{runs} sensors, all levels",
                gdal_s / runs * n,
                gdal_s / runs,
            )
        )
    print(f"| {'tool':<41} | {'input':<28} | {'CPU s':>9} | {'s / sensor':>10} | {'ratio':>7} |")
    print(f"|{'-' * 43}|{'-' * 30}|{'-' * 11}|{'-' * 12}|{'-' * 9}|")
    for tool, what, total, per in rows_out:
        print(f"| {tool:<41} | {what:<28} | {total:9.2f} | {per:10.3f} | {total / ours_s:7.1f} |")
    print(f"\nGeoJSON polygons for the {len(features)} redundancy layers: {polygons_s:.2f} CPU-s")
    print(f"target: whole FIR, {n} sensors, {len(levels)} levels under 30 s on one core: "
          f"{'met' if ours_s < 30 else 'NOT met'} ({ours_s:.1f} s)")  # fmt: skip
    print(f"agreement with per-cell exact LOS (visible or not, {compared} cell-levels): {100 * agree / compared:.2f} %")
    if gdal is not None and gdal_compared:
        print(f"agreement with gdal_viewshed (visible or not, {gdal_compared} cell-levels): "
              f"{100 * gdal_agree / gdal_compared:.2f} %")  # fmt: skip
    if gdal is None:
        print("gdal_viewshed not installed (apt-get install gdal-bin): GDAL row skipped")
    print("reproduce: .venv/bin/python benchmarks/coverage_viewshed.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
