"""OpenAir airspace files (the format gliding and GA tools exchange): ``AC``/``AN``/``AL``/``AH`` headers and
``DP`` points, ``V X=``/``V D=`` with ``DA``/``DB`` arcs and ``DC`` circles.

Arcs and circles become polygons with a vertex every 5° of arc, computed on the sphere, which keeps the polygon
within ~25 m of the true circle at 10 NM. A record with an error is reported by its ``AN`` name and skipped.
"""

from __future__ import annotations

import re

import numpy as np
import shapely
import shapely.geometry

from airpicture.core.geodesy import destination, haversine_m, initial_bearing_deg
from airpicture.monitor.airspace import AirspaceError, Volume, parse_vertical_limit

#: OpenAir class → volume kind.
CLASS_KIND = {"R": "restricted", "Q": "danger", "P": "prohibited", "CTR": "tma", "TMA": "tma", "C": "tma", "D": "tma"}
_DMS = r"(\d+)(?::(\d+(?:\.\d+)?))?(?::(\d+(?:\.\d+)?))?"
_COORD = re.compile(_DMS + r"\s*([NS])\s*[, ]?\s*" + _DMS + r"\s*([EW])", re.IGNORECASE)
_ARC_STEP_DEG = 5.0


def _coord(text: str, name: str) -> tuple[float, float]:
    m = _COORD.search(text)
    if not m:
        raise AirspaceError(f"volume {name!r}: coordinate {text.strip()!r} is not like '13:30:00 N 002:10:00 E'")
    g = m.groups()
    lat = float(g[0]) + float(g[1] or 0) / 60 + float(g[2] or 0) / 3600
    lon = float(g[4]) + float(g[5] or 0) / 60 + float(g[6] or 0) / 3600
    lat = -lat if g[3].upper() == "S" else lat
    lon = -lon if g[7].upper() == "W" else lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise AirspaceError(f"volume {name!r}: coordinate {text.strip()!r} is not on earth")
    return lat, lon


def _arc(centre: tuple[float, float], radius_m: float, start_deg: float, end_deg: float, clockwise: bool) -> list:
    sweep = (end_deg - start_deg) % 360.0 if clockwise else -((start_deg - end_deg) % 360.0)
    if sweep == 0:
        sweep = 360.0 if clockwise else -360.0
    n = max(2, int(abs(sweep) / _ARC_STEP_DEG) + 1)
    bearings = start_deg + np.linspace(0.0, sweep, n)
    lat, lon = destination(np.full(n, centre[0]), np.full(n, centre[1]), bearings, np.full(n, radius_m))
    return list(zip(lat.tolist(), lon.tolist(), strict=True))


class _Record:
    def __init__(self, cls: str) -> None:
        self.cls = cls
        self.name = ""
        self.floor: str | None = None
        self.ceiling: str | None = None
        self.points: list[tuple[float, float]] = []
        self.centre: tuple[float, float] | None = None
        self.clockwise = True
        self.error: str | None = None

    def volume(self) -> Volume:
        name = self.name or f"unnamed class {self.cls}"
        if self.error:
            raise AirspaceError(self.error)
        kind = CLASS_KIND.get(self.cls.upper())
        if kind is None:
            raise AirspaceError(f"volume {name!r}: OpenAir class {self.cls!r} has no volume kind (R, Q, P, CTR, TMA)")
        if len(self.points) < 3:
            raise AirspaceError(f"volume {name!r}: fewer than 3 points")
        ring = [(lon, lat) for lat, lon in self.points]
        polygon = shapely.geometry.Polygon(ring)
        return Volume(
            name=name,
            kind=kind,
            polygon=polygon,
            floor_ft=parse_vertical_limit(self.floor or "SFC", volume=name, what="floor"),
            ceiling_ft=parse_vertical_limit(self.ceiling or "UNL", volume=name, what="ceiling"),
        )


def volumes_from_openair(text: str) -> tuple[list[Volume], list[str]]:
    """All loadable volumes and one message per rejected record (naming it and the line)."""
    volumes: list[Volume] = []
    problems: list[str] = []
    record: _Record | None = None

    def finish() -> None:
        if record is None:
            return
        try:
            volumes.append(record.volume())
        except AirspaceError as exc:
            problems.append(str(exc))

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("*", 1)[0].strip()
        if not line:
            continue
        head, _, rest = line.partition(" ")
        head = head.upper()
        rest = rest.strip()
        if head == "AC":
            finish()
            record = _Record(rest)
            continue
        if record is None:
            continue
        if record.error:
            continue
        name = record.name or f"unnamed class {record.cls}"
        try:
            if head == "AN":
                record.name = rest
            elif head == "AL":
                record.floor = rest
            elif head == "AH":
                record.ceiling = rest
            elif head == "DP":
                record.points.append(_coord(rest, name))
            elif head == "V":
                key, _, value = rest.partition("=")
                key = key.strip().upper()
                if key == "X":
                    record.centre = _coord(value, name)
                elif key == "D":
                    record.clockwise = value.strip() != "-"
            elif head == "DC":
                if record.centre is None:
                    raise AirspaceError(f"volume {name!r}: DC before any 'V X=' centre")
                radius_m = float(rest) * 1852.0
                record.points.extend(_arc(record.centre, radius_m, 0.0, 360.0 - _ARC_STEP_DEG, True))
            elif head == "DA":
                if record.centre is None:
                    raise AirspaceError(f"volume {name!r}: DA before any 'V X=' centre")
                radius_nm, start, end = (float(p) for p in rest.split(","))
                record.points.extend(_arc(record.centre, radius_nm * 1852.0, start, end, record.clockwise))
            elif head == "DB":
                if record.centre is None:
                    raise AirspaceError(f"volume {name!r}: DB before any 'V X=' centre")
                first, second = rest.split(",", 1)
                p1, p2 = _coord(first, name), _coord(second, name)
                c = record.centre
                radius_m = float(haversine_m(c[0], c[1], p1[0], p1[1]))
                b1 = float(initial_bearing_deg(c[0], c[1], p1[0], p1[1]))
                b2 = float(initial_bearing_deg(c[0], c[1], p2[0], p2[1]))
                record.points.extend([p1, *_arc(c, radius_m, b1, b2, record.clockwise)[1:-1], p2])
        except (AirspaceError, ValueError) as exc:
            message = str(exc) if isinstance(exc, AirspaceError) else f"volume {name!r}: line {lineno}: {exc}"
            record.error = f"{message} (line {lineno})" if isinstance(exc, AirspaceError) else message
    finish()
    return volumes, problems
