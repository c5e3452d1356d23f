"""Sensor noise models: Measurement rows → positions and covariances in the system plane, with counted rejections.

Horizontal measurement covariance R (2×2, plane metres) by report type:

- **Polar radar plot** (``range_m`` slant range ρ, ``azimuth_deg`` θ): the ground range g(ρ, h) comes from
  :func:`airpicture.core.geodesy.ground_range_from_slant` with the Mode C altitude h (or an assumed altitude with a
  wide spread when there is none), the position from the great circle at azimuth θ, then the plane. With u the
  unit vector from the radar to the plot in the plane and u⊥ its normal::

      σ_g² = (σ_ρ · ∂g/∂ρ)² + (σ_h · ∂g/∂h)²  ≈ (σ_ρ ρ/g)² + (σ_h h/g)²,    σ_c = g · σ_θ,
      R = σ_g² u uᵀ + σ_c² u⊥ u⊥ᵀ.

- **Cartesian report** (``lat_deg``/``lon_deg``): R = σ² I with σ (per axis) from, in order, the report's
  ``sigma_h_m``, the ADS-B NACp (95 % estimated position uncertainty bound / 2.45, floored at 15 m for latency),
  the sensor's ``sigma_h_m``, or the configured default.

Rejected rows are counted by reason and never reach the filter: non-finite or absent time, a position that is not on
earth or is far outside the plane's area, a polar plot from an unknown sensor or beyond any radar range. An absurd
altitude is dropped on its own (the position still serves).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from airpicture.core.geodesy import SystemPlane, ground_range_from_slant
from airpicture.core.sensors import Sensor
from airpicture.core.units import EARTH_RADIUS_M, FT_TO_M
from airpicture.track import kernels
from airpicture.track.config import TrackerConfig
from airpicture.track.kernels_convert import convert_rows
from airpicture.track.kernels_plane import PlaneProjection

#: 95 % horizontal position bound (EPU, m) for NACp 0–11 (DO-260B); NACp 0 means unknown.
NACP_EPU_M = np.array([np.nan, 18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3], dtype=np.float64)

KIND_CODES = {"adsb": 0, "mlat": 1, "ssr": 2, "psr": 3, "psr_ssr": 4, "modes": 5}


@dataclass
class MeasurementBatch:
    """Measurements in the plane, structure of arrays (one entry per accepted report)."""

    time_s: NDArray[np.float64]
    sensor: NDArray[np.int32]  # index into the tracker's sensor list
    kind: NDArray[np.int8]
    has_position: NDArray[np.bool_]
    xy_m: NDArray[np.float64]  # (n,2); NaN without position
    r_m2: NDArray[np.float64]  # (n,2,2)
    alt_m: NDArray[np.float64]  # pressure altitude, NaN when absent
    icao24: NDArray[np.int64]  # -1 when absent
    callsign: NDArray[np.str_]  # "" when absent
    squawk: NDArray[np.str_]  # "" when absent
    #: Polar plots converted with the *assumed* altitude: slant range, and the site in the plane, so the position
    #: can be recomputed once the plot is associated with a track that knows its altitude (NaN otherwise).
    slant_m: NDArray[np.float64]
    site_xy_m: NDArray[np.float64]  # (n,2)
    site_alt_m: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    def take(self, index: NDArray) -> MeasurementBatch:
        return MeasurementBatch(*[getattr(self, name)[index] for name in _BATCH_FIELDS])

    @staticmethod
    def concat(batches: list[MeasurementBatch]) -> MeasurementBatch:
        return MeasurementBatch(*[np.concatenate([getattr(b, name) for b in batches]) for name in _BATCH_FIELDS])

    @staticmethod
    def empty() -> MeasurementBatch:
        return MeasurementBatch(
            np.empty(0),
            np.empty(0, np.int32),
            np.empty(0, np.int8),
            np.empty(0, bool),
            np.empty((0, 2)),
            np.empty((0, 2, 2)),
            np.empty(0),
            np.empty(0, np.int64),
            np.empty(0, "<U8"),
            np.empty(0, "<U4"),
            np.empty(0),
            np.empty((0, 2)),
            np.empty(0),
        )


#: Below this many rows a column is read through Python lists (Arrow compute calls cost tens of µs each).
_SMALL = 128


#: Field names in declaration order (``dataclasses.fields`` rebuilt per call costs more than the copy itself).
_BATCH_FIELDS = tuple(f.name for f in fields(MeasurementBatch))


def _float(table: pa.Table, name: str, present: dict[str, int]) -> NDArray[np.float64]:
    """A numeric column as float64, nulls as NaN (all NaN when absent). ``present``: column index by name."""
    i = present.get(name)
    if i is None:
        return np.full(table.num_rows, np.nan)
    a = table.column(i).to_numpy().astype(np.float64, copy=False)  # (by index: ~1 µs less than by name)
    # A zero-copy view of Arrow's buffer is read-only; the compiled checks take one array type only.
    return a if a.flags.writeable else a.copy()


def _has_values(table: pa.Table, name: str, present: dict[str, int]) -> bool:
    """Whether a column exists and holds at least one non-null value."""
    i = present.get(name)
    return i is not None and table.column(i).null_count < table.num_rows


def _dictionary(
    table: pa.Table, name: str, present: dict[str, int] | None = None
) -> tuple[NDArray[np.int64], list[str | None]]:
    """(index per row into the values, distinct values) of a string column; an absent column is all None.

    Large batches use Arrow's dictionary encoding (hashing in C, ~40x faster than ``np.unique`` on strings);
    small ones a Python dict over the rows, which is cheaper than any Arrow call at that size.
    """
    n = table.num_rows
    if name not in (table.column_names if present is None else present):
        return np.zeros(n, np.int64), [None]
    col = table.column(name if present is None else present[name])
    if col.null_count == n:
        return np.zeros(n, np.int64), [None]
    if n <= _SMALL:
        rows = col.to_pylist()
        first = rows[0]
        if first is not None and rows.count(first) == n:  # one value (one sensor's, one kind's batch): no dict
            return np.zeros(n, np.int64), [str(first)]
        seen: dict[object, int] = {}
        index = [seen.setdefault(v, len(seen)) for v in rows]
        return np.asarray(index, dtype=np.int64), [None if v is None else str(v) for v in seen]
    # One chunk of strings (the usual slice of a file or a feed): no cast and no copy (~25 µs of the ~60).
    if col.type != pa.string():
        col = col.cast(pa.string())
    enc = (col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()).dictionary_encode()
    values = enc.dictionary.to_pylist()
    index = enc.indices.to_numpy(zero_copy_only=False)
    if enc.null_count:
        index = np.where(np.isnan(index.astype(np.float64)), len(values), index)
        values.append(None)
    return index.astype(np.int64), values


def _string_column(
    table: pa.Table, name: str, width: int, present: dict[str, int] | None = None, strip: bool = False
) -> NDArray[np.str_]:
    """A string column as fixed-width numpy text, "" when null or absent (one conversion per distinct value)."""
    index, values = _dictionary(table, name, present)
    text = np.array(["" if v is None else v.strip() if strip else v for v in values], dtype=f"<U{width}")
    return text[index]


def parse_icao24(table: pa.Table, present: dict[str, int] | None = None) -> NDArray[np.int64]:
    """Mode S addresses as integers (-1 when absent or not 6 hex digits), parsed once per distinct address."""
    index, values = _dictionary(table, "icao24", present)
    codes = np.full(len(values), -1, dtype=np.int64)
    valid = [i for i, v in enumerate(values) if v is not None and len(v) == 6]
    if valid:
        text = np.array([values[i] for i in valid], dtype="<U6")
        # Hex digits to integers without a Python loop: view the UTF-32 code points.
        c = text.view(np.uint32).reshape(-1, 6).astype(np.int64)
        lower, upper, dec = (c >= 97) & (c <= 102), (c >= 65) & (c <= 70), (c >= 48) & (c <= 57)
        digit = np.where(lower, c - 87, np.where(upper, c - 55, c - 48))
        ok = (lower | upper | dec).all(axis=1)
        codes[np.asarray(valid)[ok]] = (digit[ok] * (16 ** np.arange(5, -1, -1))).sum(axis=1)
    return codes[index]


_HEX_CODES = np.frombuffer("0123456789abcdef".encode("utf-32-le"), dtype=np.uint32)


def format_icao24(values: NDArray[np.int64]) -> NDArray[np.str_]:
    """Six lower-case hex digits per address, "" when absent (negative): UTF-32 code points, no Python per row."""
    v = np.asarray(values, dtype=np.int64)
    known = v >= 0
    if not known.any():  # tracks from radar plots only: nothing to format
        return np.full(v.shape, "", dtype="<U6")
    digits = (np.maximum(v, 0)[:, None] >> np.arange(20, -1, -4, dtype=np.int64)) & 15
    text = np.ascontiguousarray(_HEX_CODES[digits]).view("<U6").reshape(-1)
    return np.where(known, text, "")


class MeasurementConverter:
    """Turns Measurement tables into :class:`MeasurementBatch` in one plane, counting what it rejects."""

    def __init__(self, sensors: list[Sensor], plane: SystemPlane, config: TrackerConfig) -> None:
        self.plane = plane
        #: The plane's projection compiled (pyproj per call costs more than the arithmetic at a slice's size).
        self.projection = PlaneProjection(plane)
        self.config = config
        self.sensors: list[Sensor | None] = list(sensors)
        self.sensor_ids: list[str] = [s.id for s in sensors]
        self._index = {s.id: i for i, s in enumerate(sensors)}
        self._update_site_arrays()
        self.rejected: Counter[str] = Counter()
        self._schema: pa.Schema | None = None
        self._index_by_name: dict[str, int] = {}

    def _update_site_arrays(self) -> None:
        def val(s: Sensor | None, name: str) -> float:
            v = getattr(s, name, None) if s is not None else None
            return np.nan if v is None else float(v)

        self.site_lat = np.array([val(s, "lat_deg") for s in self.sensors])
        self.site_lon = np.array([val(s, "lon_deg") for s in self.sensors])
        self.site_alt = np.nan_to_num(np.array([val(s, "alt_m") for s in self.sensors]))
        self.site_sigma_range = np.array([val(s, "sigma_range_m") for s in self.sensors])
        self.site_sigma_az = np.array([val(s, "sigma_azimuth_deg") for s in self.sensors])
        self.site_sigma_h = np.array([val(s, "sigma_h_m") for s in self.sensors])
        self.site_sigma_az_rad = np.radians(np.nan_to_num(self.site_sigma_az, nan=0.1))
        self.site_range_max = np.array([val(s, "range_max_m") for s in self.sensors])
        known = np.isfinite(self.site_lat) & np.isfinite(self.site_lon)
        self.site_xy = np.full((len(self.sensors), 2), np.nan)
        if known.any():
            sx, sy = self.plane.to_xy(self.site_lat[known], self.site_lon[known])
            self.site_xy[known, 0], self.site_xy[known, 1] = sx, sy
        self.site_period = np.array(
            [
                val(s, "rotation_period_s") if s is not None and s.is_radar else self.config.report_interval_s
                for s in self.sensors
            ]
        )
        self.site_period = np.where(np.isfinite(self.site_period), self.site_period, self.config.report_interval_s)

    def sensor_index(self, index: NDArray[np.int64], names: list[str | None]) -> NDArray[np.int32]:
        """Sensor index per row from (row → distinct name index, distinct names), registering unknown names (they
        may still send Cartesian reports); a missing name counts as the sensor ""."""
        added = False
        for name in names:
            key = name or ""
            if key not in self._index:
                self._index[key] = len(self.sensors)
                self.sensors.append(None)
                self.sensor_ids.append(key)
                added = True
        if added:
            self._update_site_arrays()
        lut = np.array([self._index[name or ""] for name in names], dtype=np.int32)
        return lut[index]

    def _column_index(self, table: pa.Table) -> dict[str, int]:
        """Column index by name, rebuilt only when the schema changes (a feed's batches share one: comparing it
        costs ~0.1 µs, listing its names ~6 µs, ``Table.column_names`` ~40 µs)."""
        schema = table.schema
        if self._schema is None or not schema.equals(self._schema):
            self._schema = schema
            self._index_by_name = {name: i for i, name in enumerate(schema.names)}
        return self._index_by_name

    def convert(self, table: pa.Table) -> MeasurementBatch:
        """Measurement rows → a batch in the plane: the columns read once each, then the row checks, noise models,
        polar geometry and projection as one compiled call (:mod:`airpicture.track.kernels_convert`)."""
        cfg = self.config
        n = table.num_rows
        if n == 0:
            return MeasurementBatch.empty()
        present = self._column_index(table)
        t = _float(table, "time_s", present)
        sensor = self.sensor_index(*_dictionary(table, "sensor", present))
        kind_index, kind_names = _dictionary(table, "kind", present)
        kind = np.array([KIND_CODES.get(k, -1) for k in kind_names], dtype=np.int8)[kind_index]
        lat, lon = _float(table, "lat_deg", present), _float(table, "lon_deg", present)
        rng, az = _float(table, "range_m", present), _float(table, "azimuth_deg", present)
        if _has_values(table, "lat_deg", present):  # (the noise columns of Cartesian reports)
            sigma_h, nacp = _float(table, "sigma_h_m", present), _float(table, "nacp", present)
        else:
            sigma_h = nacp = np.full(n, np.nan)
        icao = parse_icao24(table, present)
        # Row checks, noise models, polar geometry and projection: one compiled call (kernels_convert).
        keep, has_pos, xy, r, alt_m, slant_noalt, site_xy, site_alt, counts, far, useless = convert_rows(
            t, kind, _float(table, "alt_baro_ft", present), lat, lon, rng, az, sigma_h, nacp, sensor, icao,
            self.site_lat, self.site_lon, self.site_alt, self.site_xy, self.site_sigma_range, self.site_sigma_az_rad,
            self.site_range_max, self.site_sigma_h, NACP_EPU_M, FT_TO_M, float(cfg.default_sigma_h_m),
            float(cfg.assumed_alt_m), float(cfg.assumed_alt_sigma_m), float(cfg.sigma_alt_m), 4.0 / 3.0,
            EARTH_RADIUS_M, float(cfg.max_plane_radius_m), self.projection.forward_args,
        )  # fmt: skip
        for reason, k in zip(kernels.CONVERT_REASONS, counts.tolist(), strict=True):
            if k:
                self.rejected[reason] += k
        if far:
            self.rejected["out_of_area"] += far
        if useless:  # a report with neither position nor identity carries nothing the tracker can use
            self.rejected["no_position_no_identity"] += useless
        callsign = _string_column(table, "callsign", 8, present, strip=True)
        squawk = _string_column(table, "squawk", 4, present)
        if keep.all():  # the usual case: no copy of every field
            return MeasurementBatch(
                t.copy(), sensor, kind, has_pos, xy, r, alt_m, icao, callsign, squawk, slant_noalt, site_xy, site_alt
            )
        idx = np.flatnonzero(keep)
        return MeasurementBatch(
            time_s=t[idx],
            sensor=sensor[idx],
            kind=kind[idx],
            has_position=has_pos[idx],
            xy_m=xy[idx],
            r_m2=r[idx],
            alt_m=alt_m[idx],
            icao24=icao[idx],
            callsign=callsign[idx],
            squawk=squawk[idx],
            slant_m=slant_noalt[idx],
            site_xy_m=site_xy[idx],
            site_alt_m=site_alt[idx],
        )

    def _count(self, reason: str, mask: NDArray[np.bool_]) -> None:
        k = int(np.count_nonzero(mask))
        if k:
            self.rejected[reason] += k


def refine_with_altitude(
    batch: MeasurementBatch, idx: NDArray[np.int64], alt_m: NDArray[np.float64], config: TrackerConfig
) -> None:
    """Recompute polar plots converted with the assumed altitude, now with the associated track's altitude.

    Along the radial from the site, the plane position scales with the ground range:
    p(h) = site + (p(h₀) − site) · g(ρ, h) / g(ρ, h₀); the cross-range variance is kept and the along-range variance
    loses the assumed-altitude term (a tracked altitude is known to a few hundred metres).
    """
    sel = np.isfinite(batch.slant_m[idx]) & np.isfinite(alt_m)
    if not sel.any():
        return
    i, h = idx[sel], alt_m[sel]
    rho, site, site_alt = batch.slant_m[i], batch.site_xy_m[i], batch.site_alt_m[i]
    g0 = np.maximum(ground_range_from_slant(rho, config.assumed_alt_m, site_alt), 1.0)
    g1 = np.maximum(ground_range_from_slant(rho, h, site_alt), 1.0)
    d = batch.xy_m[i] - site
    batch.xy_m[i] = site + d * (g1 / g0)[:, None]
    norm = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-6)
    ux, uy = d[:, 0] / norm, d[:, 1] / norm
    r = batch.r_m2[i]
    var_c = r[:, 0, 0] * uy * uy - 2 * r[:, 0, 1] * ux * uy + r[:, 1, 1] * ux * ux
    var_g0 = r[:, 0, 0] * ux * ux + 2 * r[:, 0, 1] * ux * uy + r[:, 1, 1] * uy * uy
    removed = (config.assumed_alt_sigma_m * np.minimum(config.assumed_alt_m / g0, 5.0)) ** 2
    added = (300.0 * np.minimum(h / g1, 5.0)) ** 2
    var_g = np.maximum(var_g0 - removed, 0.0) + added
    batch.r_m2[i, 0, 0] = var_g * ux * ux + var_c * uy * uy
    batch.r_m2[i, 1, 1] = var_g * uy * uy + var_c * ux * ux
    batch.r_m2[i, 0, 1] = batch.r_m2[i, 1, 0] = (var_g - var_c) * ux * uy
    batch.slant_m[i] = np.nan
