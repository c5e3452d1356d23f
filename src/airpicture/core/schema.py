"""The columnar contracts between stages: Measurement, SystemTrack, Alert (see DESIGN.md).

Stages exchange Arrow tables with exactly these column names (extra columns are welcome). Missing values are
nulls, never magic numbers. Inside a stage, code works on numpy arrays; :func:`table_from_columns` is the one
place where numpy arrays become a contract table (NaN floats become nulls, absent columns become all-null).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

#: Measurement ``kind`` values.
MEASUREMENT_KINDS = ("adsb", "mlat", "ssr", "psr", "psr_ssr", "modes")
#: SystemTrack ``status`` values.
TRACK_STATUSES = ("tentative", "confirmed", "coasting")
#: Alert ``kind`` values.
ALERT_KINDS = (
    "airspace_infringement",
    "emergency",
    "stca",
    "non_cooperative",
    "transponder_loss",
    "fpl_deviation",
    "spoofing",
    "gnss_interference",
)

MEASUREMENT = pa.schema(
    [
        ("time_s", pa.float64()),
        ("sensor", pa.string()),
        ("kind", pa.string()),
        ("lat_deg", pa.float64()),
        ("lon_deg", pa.float64()),
        ("range_m", pa.float64()),
        ("azimuth_deg", pa.float64()),
        ("alt_baro_ft", pa.float64()),
        ("alt_geo_ft", pa.float64()),
        ("icao24", pa.string()),
        ("callsign", pa.string()),
        ("squawk", pa.string()),
        ("ground_speed_kt", pa.float64()),
        ("track_deg", pa.float64()),
        ("vertical_rate_fpm", pa.float64()),
        ("sigma_h_m", pa.float64()),
        ("nacp", pa.int8()),
        ("nic", pa.int8()),
        # ADS-B emergency/priority status or Mode 3/A emergency meaning: general, lifeguard, minfuel, nordo,
        # unlawful, downed, reserved; null when there is none.
        ("emergency", pa.string()),
        ("spi", pa.bool_()),
    ]
)

SYSTEM_TRACK = pa.schema(
    [
        ("time_s", pa.float64()),
        ("track_id", pa.int64()),
        ("lat_deg", pa.float64()),
        ("lon_deg", pa.float64()),
        ("alt_ft", pa.float64()),
        ("ground_speed_kt", pa.float64()),
        ("track_deg", pa.float64()),
        ("vertical_rate_fpm", pa.float64()),
        ("sigma_h_m", pa.float64()),
        ("status", pa.string()),
        # Sensor ids that contributed to the track recently, comma-separated.
        ("sources", pa.string()),
        ("icao24", pa.string()),
        ("callsign", pa.string()),
        ("squawk", pa.string()),
        ("cooperative", pa.bool_()),
        ("flight_plan", pa.string()),
    ]
)

ALERT = pa.schema(
    [
        ("alert_id", pa.int64()),
        ("kind", pa.string()),
        ("severity", pa.string()),
        ("track_ids", pa.list_(pa.int64())),
        ("volume", pa.string()),
        ("time_raised_s", pa.float64()),
        ("time_predicted_s", pa.float64()),
        ("time_cleared_s", pa.float64()),
    ]
)

TRUTH = pa.schema(
    [
        ("time_s", pa.float64()),
        ("target_id", pa.int64()),
        ("lat_deg", pa.float64()),
        ("lon_deg", pa.float64()),
        ("alt_ft", pa.float64()),
        ("ground_speed_kt", pa.float64()),
        ("track_deg", pa.float64()),
        ("vertical_rate_fpm", pa.float64()),
        ("icao24", pa.string()),
        ("callsign", pa.string()),
        ("squawk", pa.string()),
        ("cooperative", pa.bool_()),
    ]
)


def _column_array(values: Any, field: pa.Field, n: int) -> pa.Array:
    if values is None:
        return pa.nulls(n, type=field.type)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == field.type else values.cast(field.type)
    if np.isscalar(values) or isinstance(values, str):
        values = [values] * n
    arr = np.asarray(values) if not isinstance(values, list) else values
    if isinstance(arr, np.ndarray) and arr.dtype.kind == "f" and not pa.types.is_floating(field.type):
        # Integers carried as float with NaN for "missing" inside a stage.
        mask = np.isnan(arr)
        return pa.array(np.where(mask, 0, arr).astype(field.type.to_pandas_dtype()), mask=mask, type=field.type)
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "SU":
        # Fixed-width strings: the empty string means "missing".
        as_obj = arr.astype(str).astype(object)
        as_obj[as_obj == ""] = None
        return pa.array(as_obj, type=field.type)
    return pa.array(arr, type=field.type, from_pandas=True)


def table_from_columns(schema: pa.Schema, columns: Mapping[str, Any], n: int | None = None) -> pa.Table:
    """Build a contract table from numpy arrays, lists or Arrow arrays.

    Columns of ``schema`` missing from ``columns`` become nulls; columns not in ``schema`` are appended as extras
    (e.g. ``df`` and ``tc`` on decoded Mode S rows). Float NaN becomes null.
    """
    if n is None:
        n = next((len(v) for v in columns.values() if v is not None and not np.isscalar(v)), 0)
    arrays = []
    fields = []
    for field in schema:
        arrays.append(_column_array(columns.get(field.name), field, n))
        fields.append(field)
    for name, values in columns.items():
        if name in schema.names or values is None:
            continue
        arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, from_pandas=True)
        arrays.append(arr)
        fields.append(pa.field(name, arr.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def empty_table(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def float_column(table: pa.Table, name: str) -> np.ndarray:
    """A float64 column as numpy, nulls as NaN (a missing column is all NaN)."""
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    col = table.column(name)
    return col.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Reorder/cast a table to ``schema``, adding null columns it lacks and keeping its extra columns."""
    return table_from_columns(schema, {name: table.column(name) for name in table.column_names}, table.num_rows)
