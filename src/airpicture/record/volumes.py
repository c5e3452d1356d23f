"""Naming a volume for history queries: the FIR, a bounding box, a GeoJSON file, or a zone of the packaged map."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry


def _features_geometry(data: dict, name: str | None, origin: str) -> BaseGeometry:
    features = data.get("features", [data] if data.get("type") == "Feature" else [])
    if name is not None:
        features = [f for f in features if str(f.get("properties", {}).get("name", "")).lower() == name.lower()]
        if not features:
            raise ValueError(f"{origin}: no feature named {name!r}")
    geometries = [shapely.geometry.shape(f["geometry"]) for f in features if f.get("geometry")]
    if not geometries:
        raise ValueError(f"{origin}: no polygon in it")
    return shapely.union_all(geometries)


def packaged_zone_names() -> list[str]:
    data = json.loads(resources.files("airpicture.data").joinpath("niger_zones.geojson").read_text(encoding="utf-8"))
    return [f["properties"]["name"] for f in data["features"]]


def volume_from_spec(spec: str, name: str | None = None) -> BaseGeometry:
    """``fir`` (Niamey FIR), ``bbox:LAT1,LON1,LAT2,LON2``, a GeoJSON file (optionally one feature ``name``), or the
    name of a zone in the packaged Niger zones map."""
    if spec.lower() == "fir":
        from airpicture.core.geography import niamey_fir

        return niamey_fir()
    if spec.lower().startswith("bbox:"):
        try:
            lat1, lon1, lat2, lon2 = (float(v) for v in spec[5:].split(","))
        except ValueError as exc:
            raise ValueError(f"volume {spec!r}: write bbox:LAT1,LON1,LAT2,LON2 in degrees") from exc
        return shapely.geometry.box(min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))
    path = Path(spec)
    if path.suffix.lower() in (".geojson", ".json"):
        if not path.exists():
            raise ValueError(f"volume file {path} does not exist")
        return _features_geometry(json.loads(path.read_text(encoding="utf-8")), name, str(path))
    data = json.loads(resources.files("airpicture.data").joinpath("niger_zones.geojson").read_text(encoding="utf-8"))
    try:
        return _features_geometry(data, spec, "packaged zones")
    except ValueError:
        raise ValueError(
            f"volume {spec!r}: not 'fir', 'bbox:...', a .geojson file, nor a packaged zone "
            f"({'; '.join(packaged_zone_names())})"
        ) from None
