"""Expansion of an ICAO field 15 route over known points.

Known points are aerodromes (ICAO location indicators, from :mod:`airpicture.core.geography`, i.e. Niger's and
any in the ``airportsdata`` table), latitude/longitude points (``15N005E``, ``1530N00500E``), and any named
points a caller provides. ``DCT`` joins points directly; airways, SIDs/STARs and unknown names cannot be expanded
without an AIP database and are *reported* (``unknown``), the route continuing direct to the next known point.
Speed/level changes (``POINT/N0450F370``) set the planned level from that point on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

#: Speed and level group: N0450F350, M082F370, K0830S1130, N0120A045, N0120VFR.
SPEED_LEVEL = re.compile(r"^(N\d{4}|K\d{4}|M\d{3})(F\d{3}|A\d{3}|S\d{4}|M\d{4}|VFR)$")
LATLON_DEG = re.compile(r"^(\d{2})([NS])(\d{3})([EW])$")
LATLON_MIN = re.compile(r"^(\d{2})(\d{2})([NS])(\d{3})(\d{2})([EW])$")
AIRWAY = re.compile(r"^[A-Z]{1,2}\d{1,3}[A-Z]?$|^U[A-Z]\d{1,3}$")
KEYWORDS = {"DCT", "IFR", "VFR", "SID", "STAR", "OAT", "GAT", "IFPSTOP", "IFPSTART"}


def parse_level_ft(level: str) -> float | None:
    """Field 15 level → feet (F350 → 35000, A045 → 4500, S1130 → metres 11300, M0840 → 8400 m); VFR → None."""
    if level == "VFR":
        return None
    kind, value = level[0], int(level[1:])
    if kind in ("F", "A"):
        return value * 100.0
    if kind in ("S", "M"):  # tens of metres
        return value * 10.0 / 0.3048
    raise ValueError(level)


def latlon_point(text: str) -> tuple[float, float] | None:
    m = LATLON_DEG.match(text)
    if m:
        lat = float(m.group(1)) * (1 if m.group(2) == "N" else -1)
        lon = float(m.group(3)) * (1 if m.group(4) == "E" else -1)
        return (lat, lon) if lat <= 90 and lon <= 180 else None
    m = LATLON_MIN.match(text)
    if m:
        if int(m.group(2)) >= 60 or int(m.group(5)) >= 60:
            return None
        lat = (float(m.group(1)) + float(m.group(2)) / 60) * (1 if m.group(3) == "N" else -1)
        lon = (float(m.group(4)) + float(m.group(5)) / 60) * (1 if m.group(6) == "E" else -1)
        return (lat, lon) if abs(lat) <= 90 and abs(lon) <= 180 else None
    return None


@cache
def _aerodrome_table() -> dict[str, tuple[float, float]]:
    """Every ICAO aerodrome of ``airportsdata`` (loaded once; core.geography covers Niger's own)."""
    import airportsdata

    from airpicture.core.geography import niger_aerodromes

    table = {code: (float(a["lat"]), float(a["lon"])) for code, a in airportsdata.load("ICAO").items()}
    table.update({a.icao: (a.lat_deg, a.lon_deg) for a in niger_aerodromes()})
    return table


def aerodrome_position(icao: str) -> tuple[float, float] | None:
    return _aerodrome_table().get(icao)


@dataclass
class RoutePoint:
    name: str
    lat_deg: float
    lon_deg: float
    #: Planned level from this point on (ft), None for VFR/unknown.
    level_ft: float | None


@dataclass
class Route:
    points: list[RoutePoint] = field(default_factory=list)
    #: Route elements that could not be placed (airways, unknown names), in order.
    unknown: list[str] = field(default_factory=list)
    cruise_level_ft: float | None = None
    cruise_speed: str | None = None


def expand_route(
    field15: str,
    departure: str | None = None,
    destination: str | None = None,
    points: dict[str, tuple[float, float]] | None = None,
) -> Route:
    """Field 15 text (speed/level first) → points from departure to destination. Raises ValueError on a bad
    first element; unknown elements are reported in ``Route.unknown``."""
    known = points or {}
    elements = field15.split()
    if not elements:
        raise ValueError("empty route")
    first = SPEED_LEVEL.match(elements[0])
    if not first:
        raise ValueError(f"route must start with a speed and level like N0450F350, got {elements[0]!r}")
    route = Route(cruise_speed=first.group(1), cruise_level_ft=parse_level_ft(first.group(2)))
    level = route.cruise_level_ft

    def place(name: str) -> tuple[float, float] | None:
        return known.get(name) or latlon_point(name) or (aerodrome_position(name) if len(name) == 4 else None)

    if departure and departure not in ("ZZZZ", "AFIL"):
        pos = place(departure)
        if pos:
            route.points.append(RoutePoint(departure, *pos, level))
        else:
            route.unknown.append(departure)
    for element in elements[1:]:
        name, _, change = element.partition("/")
        if change:
            m = SPEED_LEVEL.match(change)
            if not m:
                raise ValueError(f"bad speed/level change {element!r}")
            level = parse_level_ft(m.group(2))
        if name in KEYWORDS:
            continue
        pos = place(name)
        if pos:
            route.points.append(RoutePoint(name, *pos, level))
        else:
            route.unknown.append(name)
    if destination and destination != "ZZZZ":
        pos = place(destination)
        if pos:
            route.points.append(RoutePoint(destination, *pos, level))
        else:
            route.unknown.append(destination)
    return route
