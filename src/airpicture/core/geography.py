"""The deployment's geography: the Niamey FIR, Niger's border and aerodromes, shipped with the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import shapely.geometry
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Aerodrome:
    icao: str
    iata: str
    name: str
    lat_deg: float
    lon_deg: float
    elevation_ft: float


def _data_json(name: str) -> dict:
    return json.loads(resources.files("airpicture.data").joinpath(name).read_text(encoding="utf-8"))


@cache
def niamey_fir() -> BaseGeometry:
    """The Niamey FIR (DRRR) lateral limits, about 1.70 million km² (community data, not an AIP extract)."""
    return shapely.geometry.shape(_data_json("niamey_fir.geojson")["features"][0]["geometry"])


@cache
def niger_border() -> BaseGeometry:
    """Niger's national border (Natural Earth 1:50 m)."""
    return shapely.geometry.shape(_data_json("niger_border.geojson")["features"][0]["geometry"])


@cache
def niger_aerodromes() -> tuple[Aerodrome, ...]:
    """The aerodromes of Niger with an ICAO code, from the ``airportsdata`` package."""
    import airportsdata

    table = airportsdata.load("ICAO")
    return tuple(
        Aerodrome(code, a["iata"], a["name"], float(a["lat"]), float(a["lon"]), float(a["elevation"]))
        for code, a in sorted(table.items())
        if a["country"] == "NE"
    )


def aerodrome(icao: str) -> Aerodrome:
    for a in niger_aerodromes():
        if a.icao == icao:
            return a
    import airportsdata

    a = airportsdata.load("ICAO").get(icao)
    if a is None:
        raise KeyError(f"unknown aerodrome {icao!r}")
    return Aerodrome(icao, a["iata"], a["name"], float(a["lat"]), float(a["lon"]), float(a["elevation"]))
