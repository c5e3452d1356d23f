"""Observed against predicted coverage: each receiver's actual range outline beside its line-of-sight outline.

The observed outline is what tar1090 draws as the "actual range outline": per bearing sector and level band, the
farthest position the receiver decoded. The predicted outline is the farthest range at which line of sight
(:mod:`airpicture.coverage.los`) sees a target at that level. Sectors where the two disagree are listed:

* observed **beyond** prediction: the terrain model or refraction (ducting) is too pessimistic, or the receiver
  position is wrong;
* observed well **short** of prediction while traffic was seen in the sector: a mask or obstruction the terrain
  model misses (buildings, trees, the mast itself), an antenna or cable problem — or simply no traffic farther out,
  which only a longer recording rules out.

Recordings rarely say where the receiver was. :func:`estimate_receiver_position` then finds the point from which
every decoded position is most comfortably within radio line of sight (a minimax over the radar horizon of each
position), which is what a position must satisfy; the result says it is an estimate and how loose it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from airpicture.core.geodesy import haversine_m, initial_bearing_deg
from airpicture.core.units import EARTH_RADIUS_M, FT_TO_M
from airpicture.coverage.los import STANDARD_K, radial_profile
from airpicture.coverage.terrain import TerrainGrid

#: Level bands (feet) of the observed outline, as tar1090 colours its outline by altitude.
LEVEL_BANDS_FT: tuple[tuple[float, float], ...] = ((0, 10_000), (10_000, 20_000), (20_000, 30_000), (30_000, 60_000))


@dataclass
class ReceiverPosition:
    lat_deg: float
    lon_deg: float
    known: bool
    #: How the position was obtained, for the report.
    method: str
    #: Largest margin (m) by which a decoded position is inside its radio horizon from here (negative = inside).
    worst_slack_m: float = float("nan")


@dataclass
class BandOutline:
    band: str
    alt_min_ft: float
    alt_max_ft: float
    bearings_deg: NDArray[np.float64]
    observed_m: NDArray[np.float64]
    observed_alt_m: NDArray[np.float64]
    n_positions: NDArray[np.int64]
    predicted_at_observed_m: NDArray[np.float64]
    predicted_m: NDArray[np.float64]
    predicted_alt_m: float

    def as_plot_item(self) -> dict:
        return {
            "band": f"{self.band} (predicted at FL{self.predicted_alt_m / FT_TO_M / 100:03.0f})",
            "bearings_deg": self.bearings_deg,
            "observed_m": self.observed_m,
            "predicted_m": self.predicted_m,
        }


@dataclass
class Disagreement:
    band: str
    bearing_deg: float
    observed_m: float
    predicted_m: float
    n_positions: int
    verdict: str


@dataclass
class ReceiverComparison:
    sensor: str
    position: ReceiverPosition
    n_positions: int
    outlines: list[BandOutline]
    disagreements: list[Disagreement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _horizon_m(alt_m: NDArray, antenna_m: float, k: float) -> NDArray:
    re = k * EARTH_RADIUS_M
    return math.sqrt(2 * re * max(antenna_m, 0.0)) + np.sqrt(2 * re * np.maximum(alt_m, 0.0))


def estimate_receiver_position(
    lat_deg: NDArray, lon_deg: NDArray, alt_m: NDArray, antenna_m: float = 10.0, k: float = STANDARD_K
) -> ReceiverPosition:
    """The point that keeps every decoded position most inside its radio horizon (minimax, coarse-to-fine search).

    Heights are taken above sea level and the ground as flat: a rough constraint, hence "estimated". With one
    aircraft or positions all on one side, the estimate can be far off; ``worst_slack_m`` tells how tight it is.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    horizon = _horizon_m(np.asarray(alt_m, dtype=np.float64), antenna_m, k)
    if lat.size == 0:
        raise ValueError("no decoded positions: the receiver position cannot be estimated")
    if lat.size > 1500:  # the most constraining positions: the lowest (shortest horizon) and a spread of others
        keep = np.unique(np.concatenate([np.argsort(horizon)[:750], np.linspace(0, lat.size - 1, 750).astype(int)]))
        lat, lon, horizon = lat[keep], lon[keep], horizon[keep]
    c_lat, c_lon = float(np.median(lat)), float(np.median(lon))
    span = max(float(np.ptp(lat)), float(np.ptp(lon) * math.cos(math.radians(c_lat))), 0.5) + 2.0
    best = (c_lat, c_lon, float("inf"))
    for _ in range(7):
        offsets = np.linspace(-span, span, 31)
        g_lat = np.clip(best[0] + offsets[:, None] + 0 * offsets[None, :], -89.0, 89.0).ravel()
        g_lon = (best[1] + offsets[None, :] / max(math.cos(math.radians(best[0])), 0.1) + 0 * offsets[:, None]).ravel()
        slack = (haversine_m(g_lat[:, None], g_lon[:, None], lat[None, :], lon[None, :]) - horizon[None, :]).max(axis=1)
        i = int(np.argmin(slack))
        if slack[i] <= best[2]:
            best = (float(g_lat[i]), float(g_lon[i]), float(slack[i]))
        span /= 4.0
    return ReceiverPosition(
        best[0], best[1], known=False,
        method=f"estimated: minimax radio-horizon fit to {lat.size} decoded positions (antenna {antenna_m:.0f} m)",
        worst_slack_m=best[2],
    )  # fmt: skip


def _positions(table: pa.Table) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """lat, lon, altitude (m; barometric, else geometric), sensor and aircraft of the rows with a 3-D position."""
    names = table.column_names
    lat = table["lat_deg"].to_numpy(zero_copy_only=False).astype(np.float64)
    lon = table["lon_deg"].to_numpy(zero_copy_only=False).astype(np.float64)
    alt_ft = np.full(table.num_rows, np.nan)
    for col in ("alt_geo_ft", "alt_baro_ft"):
        if col in names:
            values = pc.fill_null(table[col].cast(pa.float64()), float("nan")).to_numpy(zero_copy_only=False)
            alt_ft = np.where(np.isfinite(values), values, alt_ft)
    sensor = (
        np.asarray(pc.fill_null(table["sensor"].cast(pa.string()), "rx").to_pylist(), dtype=object)
        if "sensor" in names
        else np.full(table.num_rows, "rx", dtype=object)
    )
    aircraft = (
        np.asarray(pc.fill_null(table["icao24"].cast(pa.string()), "").to_pylist(), dtype=object)
        if "icao24" in names
        else np.full(table.num_rows, "", dtype=object)
    )
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(alt_ft)
    return lat[ok], lon[ok], alt_ft[ok] * FT_TO_M, sensor[ok], aircraft[ok]


def compare_receiver(
    sensor: str,
    lat_deg: NDArray,
    lon_deg: NDArray,
    alt_m: NDArray,
    terrain: TerrainGrid,
    position: ReceiverPosition | None = None,
    antenna_agl_m: float = 10.0,
    k: float = STANDARD_K,
    sector_deg: float = 5.0,
    range_max_m: float = 600_000.0,
    bands_ft: Sequence[tuple[float, float]] = LEVEL_BANDS_FT,
    beyond_factor: float = 1.1,
    short_factor: float = 0.5,
    min_positions: int = 20,
    min_aircraft: int = 3,
    aircraft: NDArray | None = None,
    terrain_for: Callable[[float, float], TerrainGrid] | None = None,
) -> ReceiverComparison:
    """Observed outline (farthest position per sector and band) against the predicted one for one receiver.

    ``terrain_for(lat, lon)`` may supply a terrain around a receiver that lies outside ``terrain``. A sector is
    called short of prediction only with at least ``min_positions`` positions from ``min_aircraft`` distinct
    aircraft (``aircraft``: an id per position; without it, positions alone count): one flight passing by says
    nothing about what lies beyond it.
    """
    notes: list[str] = []
    if position is None:
        position = estimate_receiver_position(lat_deg, lon_deg, alt_m, antenna_m=antenna_agl_m, k=k)
        notes.append(
            f"receiver position unknown: {position.method} → {position.lat_deg:.3f}, {position.lon_deg:.3f} "
            f"(every position within its horizon by ≥ {max(-position.worst_slack_m, 0) / 1000:.0f} km)"
        )
    if terrain_for is not None and not terrain.contains(position.lat_deg, position.lon_deg):
        terrain = terrain_for(position.lat_deg, position.lon_deg)
        notes += terrain.notes
    if not terrain.is_flat and not terrain.contains(position.lat_deg, position.lon_deg):
        notes.append(
            f"receiver at {position.lat_deg:.3f}, {position.lon_deg:.3f} is outside the terrain grid "
            f"({terrain.source}): predicted outline over flat {terrain.fallback_elevation_m:.0f} m terrain"
        )
    profile = radial_profile(
        position.lat_deg, position.lon_deg, terrain, range_max_m=range_max_m, antenna_agl_m=antenna_agl_m, k=k,
        bearing_step_deg=sector_deg / max(round(sector_deg / 0.5), 1), range_step_m=1000.0,
    )  # fmt: skip
    dist = haversine_m(position.lat_deg, position.lon_deg, lat_deg, lon_deg)
    bearing = initial_bearing_deg(position.lat_deg, position.lon_deg, lat_deg, lon_deg)
    n_sectors = round(360.0 / sector_deg)
    sector = (np.floor(bearing / sector_deg).astype(np.int64)) % n_sectors
    centres = (np.arange(n_sectors) + 0.5) * sector_deg
    per_sector_radials = round(sector_deg / profile.bearing_step_deg)
    alt_m = np.asarray(alt_m, dtype=np.float64)
    outlines: list[BandOutline] = []
    disagreements: list[Disagreement] = []
    for lo_ft, hi_ft in bands_ft:
        label = f"FL{lo_ft / 100:03.0f}–{hi_ft / 100:03.0f}"
        in_band = (alt_m >= lo_ft * FT_TO_M) & (alt_m < hi_ft * FT_TO_M)
        observed = np.full(n_sectors, np.nan)
        observed_alt = np.full(n_sectors, np.nan)
        counts = np.bincount(sector[in_band], minlength=n_sectors)
        if aircraft is not None and in_band.any():
            pairs = {(int(sc), ac) for sc, ac in zip(sector[in_band], np.asarray(aircraft)[in_band], strict=True)}
            distinct = np.bincount([sc for sc, _ in pairs], minlength=n_sectors)
        else:
            distinct = np.full(n_sectors, min_aircraft)
        if in_band.any():
            s, d, a = sector[in_band], dist[in_band], alt_m[in_band]
            order = np.lexsort((d, s))  # by sector, then range: the last of each sector is its farthest
            last = np.r_[s[order][1:] != s[order][:-1], True]
            observed[s[order][last]] = d[order][last]
            observed_alt[s[order][last]] = a[order][last]
            draw_alt = float(np.median(a))
        else:
            draw_alt = (lo_ft + hi_ft) / 2 * FT_TO_M
        # Predicted: farthest visible range in the sector's radials, at the farthest observation's altitude.
        predicted_obs = np.full(n_sectors, np.nan)
        for i in np.nonzero(np.isfinite(observed))[0]:
            reach = profile.max_range_m(observed_alt[i])
            predicted_obs[i] = reach[i * per_sector_radials : (i + 1) * per_sector_radials].max()
        reach_draw = profile.max_range_m(draw_alt).reshape(n_sectors, per_sector_radials).max(axis=1)
        outlines.append(
            BandOutline(
                label, lo_ft, hi_ft, centres, observed, observed_alt, counts, predicted_obs, reach_draw, draw_alt
            )
        )
        for i in np.nonzero(np.isfinite(observed))[0]:
            obs, pred = float(observed[i]), float(predicted_obs[i])
            if obs > pred * beyond_factor + 5_000.0:
                verdict = "beyond predicted line of sight (terrain model/refraction pessimistic, or wrong position)"
            elif obs < pred * short_factor and counts[i] >= min_positions and distinct[i] >= min_aircraft:
                verdict = "short of predicted (mask or obstruction not in the terrain model, antenna, or no traffic)"
            else:
                continue
            disagreements.append(Disagreement(label, float(centres[i]), obs, pred, int(counts[i]), verdict))
    return ReceiverComparison(sensor, position, int(lat_deg.size), outlines, disagreements, notes)


def compare_observed(
    table: pa.Table,
    terrain: TerrainGrid,
    known_positions: dict[str, tuple[float, float]] | None = None,
    **options: object,
) -> list[ReceiverComparison]:
    """One comparison per sensor in a Measurement table (positions decoded by that sensor)."""
    lat, lon, alt_m, sensor, aircraft = _positions(table)
    out = []
    for name in sorted(set(sensor.tolist())):
        sel = sensor == name
        known = (known_positions or {}).get(name)
        position = ReceiverPosition(known[0], known[1], True, "configured") if known else None
        out.append(
            compare_receiver(name, lat[sel], lon[sel], alt_m[sel], terrain, position, aircraft=aircraft[sel], **options)  # type: ignore[arg-type]
        )
    return out


def _frame_reader(fmt: str):
    """The frame reader for a recording format (``airpicture.sources``), wherever the sources stage defines it."""
    import importlib

    names = {"beast": ("read_beast", "beast"), "avr": ("read_avr", "text"), "rawcsv": ("read_rawcsv", "text")}
    if fmt not in names:
        raise ValueError(f"recording format {fmt!r}: expected one of {', '.join(names)} (or a Measurement table)")
    function, module = names[fmt]
    for candidate in (f"airpicture.sources.{module}", "airpicture.sources.frames"):
        try:
            reader = getattr(importlib.import_module(candidate), function, None)
        except ImportError:
            reader = None
        if reader is not None:
            return reader
    raise ImportError(f"no {function} in airpicture.sources: this installation cannot read {fmt} recordings")


def decode_recording(path: str | Path, fmt: str, sensor: str | None = None) -> tuple[pa.Table, dict[str, int]]:
    """Decode a Mode S recording with airpicture's own decoder into a Measurement table (and rejection counts)."""
    from airpicture.decode.modes import ModeSDecoder

    reader = _frame_reader(fmt)
    name = sensor or Path(path).stem
    rejected: dict[str, int] = {}
    decoder = ModeSDecoder(sensor=name)
    tables = [decoder.decode(batch) for batch in reader(str(path), sensor=name, rejected=rejected)]
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return pa.table({"lat_deg": pa.array([], pa.float64()), "lon_deg": pa.array([], pa.float64())}), rejected
    table = pa.concat_tables(tables, promote_options="default")
    for reason, n in decoder.rejected.items():
        rejected[reason] = rejected.get(reason, 0) + n
    return table, rejected
