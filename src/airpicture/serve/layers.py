"""What the display draws under the traffic: border, FIR, zones, aerodromes, sensors and their range rings.

Everything comes from the package (``airpicture.core.geography`` and the shipped Natural Earth countries), so the
display works with no network at all: no tile server, no CDN.
"""

from __future__ import annotations

from typing import Any

import shapely.geometry

from airpicture.core.geography import niamey_fir, niger_aerodromes, niger_border
from airpicture.core.sensors import Sensor

#: Languages the web client speaks; the first is the default for Niger.
LANGUAGES = ("fr", "en")


def _feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": shapely.geometry.mapping(geometry)}


def _zones_only(zones: dict[str, Any] | None) -> dict[str, Any]:
    """The airspace volumes worth drawing as zones: the FIR and the border are their own layers."""
    features = [
        f for f in (zones or {}).get("features", []) if (f.get("properties") or {}).get("kind") not in ("fir", "border")
    ]
    return {"type": "FeatureCollection", "features": features}


def sensor_layer(sensors: list[Sensor]) -> list[dict[str, Any]]:
    """Sensors as the client wants them: position, kind and the range of their rings (radars only)."""
    return [
        {
            "id": s.id,
            "kind": s.kind,
            "lat_deg": s.lat_deg,
            "lon_deg": s.lon_deg,
            "range_max_m": s.range_max_m if s.is_radar else None,
        }
        for s in sensors
    ]


def niger_display_config(
    sensors: list[Sensor] | None = None,
    zones: dict[str, Any] | None = None,
    language: str = "fr",
    title: str = "Niamey FIR",
) -> dict[str, Any]:
    """The display configuration for a Niger deployment (French by default, centred on the FIR)."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    fir = niamey_fir()
    both = fir.union(niger_border())
    centre = both.centroid
    return {
        "title": title,
        "language": language,
        "centre": [round(centre.y, 4), round(centre.x, 4)],
        "extent": [round(v, 4) for v in both.bounds],
        "layers": {
            "border": {"type": "FeatureCollection", "features": [_feature(niger_border(), name="Niger")]},
            "fir": {"type": "FeatureCollection", "features": [_feature(fir, name="DRRR Niamey FIR")]},
            "zones": _zones_only(zones),
            "aerodromes": [
                {"icao": a.icao, "name": a.name, "lat_deg": a.lat_deg, "lon_deg": a.lon_deg} for a in niger_aerodromes()
            ],
            "sensors": sensor_layer(sensors or []),
        },
    }
