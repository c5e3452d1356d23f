"""History results as JSON rows, GeoJSON (one line per aircraft) or Parquet bytes, for the CLI and the HTTP API."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("json", "geojson", "parquet")
_BOOKKEEPING = ("seq", "batch")


def parse_time(text: str | float | None) -> float | None:
    """Epoch seconds from a number or an ISO-8601 UTC time ("2026-05-28T20:30:00Z"); None stays None."""
    if text is None or text == "":
        return None
    if isinstance(text, int | float):
        return float(text)
    try:
        return float(text)
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"time {text!r} is neither epoch seconds nor ISO 8601 (2026-05-28T20:30:00Z)") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def rows(table: pa.Table) -> list[dict[str, Any]]:
    table = table.drop_columns([c for c in _BOOKKEEPING if c in table.column_names])
    return [{k: _clean(v) for k, v in row.items()} for row in table.to_pylist()]


def to_json(table: pa.Table) -> str:
    return json.dumps(rows(table), separators=(",", ":"))


def to_geojson(table: pa.Table) -> dict[str, Any]:
    """A FeatureCollection: per track (or aircraft, for measurements) a LineString of its positions in time order,
    with the per-point times in ``properties.times_s``; rows without a position (alerts) become null geometries."""
    if "lat_deg" not in table.column_names:
        return {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": None, "properties": r} for r in rows(table)],
        }
    key = "track_id" if "track_id" in table.column_names else "icao24"
    table = table.filter(pa.compute.and_(table.column("lat_deg").is_valid(), table.column("lon_deg").is_valid()))
    table = table.sort_by([(key, "ascending"), ("time_s", "ascending")])
    keys = table.column(key).to_pylist()
    lat = table.column("lat_deg").to_numpy(zero_copy_only=False)
    lon = table.column("lon_deg").to_numpy(zero_copy_only=False)
    t = table.column("time_s").to_numpy(zero_copy_only=False)
    alt_name = "alt_ft" if "alt_ft" in table.column_names else "alt_baro_ft"
    alt = table.column(alt_name).to_numpy(zero_copy_only=False).astype(np.float64)
    ident = {
        name: table.column(name).to_pylist()
        for name in ("icao24", "callsign", "track_id")
        if name in table.column_names
    }
    features = []
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    for s, e in zip(starts, [*starts[1:], len(keys)], strict=True):
        coords = [[round(float(lon[i]), 6), round(float(lat[i]), 6)] for i in range(s, e)]
        geometry = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        properties = {name: next((v for v in values[s:e] if v is not None), None) for name, values in ident.items()}
        properties.update(
            {
                "times_s": [float(x) for x in t[s:e]],
                alt_name: [None if np.isnan(a) else float(a) for a in alt[s:e]],
                "first_time_s": float(t[s]),
                "last_time_s": float(t[e - 1]),
                "points": e - s,
            }
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def to_parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table.drop_columns([c for c in _BOOKKEEPING if c in table.column_names]), sink, compression="zstd")
    return sink.getvalue()


def render(table: pa.Table, fmt: str) -> bytes:
    if fmt == "json":
        return to_json(table).encode()
    if fmt == "geojson":
        return json.dumps(to_geojson(table), separators=(",", ":")).encode()
    if fmt == "parquet":
        return to_parquet_bytes(table)
    raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
