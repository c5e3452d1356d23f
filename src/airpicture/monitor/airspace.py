"""The airspace model: volumes with a lateral polygon, a floor and a ceiling, and optional activation schedules.

A volume's vertical limits are kept in feet (the unit charts use); ``SFC``/``GND`` is minus infinity and ``UNL``
plus infinity, so an aircraft is inside when ``floor_ft <= alt_ft <= ceiling_ft``. Volumes load from GeoJSON (a
FeatureCollection whose features carry ``name``, ``kind``, ``floor_ft``, ``ceiling_ft``) or OpenAir; a volume
with bad geometry or limits is reported by name and skipped, so one typo never blinds the whole picture.

The :class:`Airspace` keeps every volume projected once into the monitors' :class:`MonitorPlane` with an STRtree,
so the monitors test ten thousand tracks against hundreds of volumes with a handful of vectorised calls.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from airpicture.monitor.plane import MonitorPlane

log = logging.getLogger(__name__)

#: Volume ``kind`` values. Infringement alerts watch restricted, danger and prohibited areas by default.
VOLUME_KINDS = ("restricted", "danger", "prohibited", "fir", "tma", "border")
SFC_FT = -np.inf
UNL_FT = np.inf

_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


class AirspaceError(ValueError):
    """A volume that cannot be loaded; the message names the volume and what is wrong with it."""


def parse_vertical_limit(value: Any, *, volume: str = "?", what: str = "limit") -> float:
    """Feet above mean sea level from ``1500``, ``"1500 ft"``, ``"FL95"``, ``"SFC"``/``"GND"``, ``"UNL"``.

    Heights above ground (``AGL``) are taken as above sea level: the monitors carry no terrain, and over Niger's
    low relief (200–800 m, except Aïr) that errs on the side of alerting.
    """
    if value is None:
        return SFC_FT if what == "floor" else UNL_FT
    if isinstance(value, bool):
        raise AirspaceError(f"volume {volume!r}: {what} {value!r} is not a vertical limit")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().upper().replace(" ", "")
    if text in ("SFC", "GND", "0"):
        return SFC_FT
    if text in ("UNL", "UNLTD", "UNLIM", "UNLIMITED"):
        return UNL_FT
    m = re.fullmatch(r"FL(\d{1,3})", text)
    if m:
        return 100.0 * float(m.group(1))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(FT|F|M)?(AMSL|MSL|ALT|AGL|ASFC|SFC|GND)?", text)
    if m:
        number = float(m.group(1))
        return number / 0.3048 if m.group(2) == "M" else number
    raise AirspaceError(f"volume {volume!r}: {what} {value!r} is not a vertical limit (use ft, FLnnn, SFC or UNL)")


@dataclass(frozen=True)
class Schedule:
    """When a volume is active: explicit UTC windows and/or weekly windows (``"MON-FRI 0600-1800"``, UTC).

    An empty schedule means always active (H24).
    """

    windows_s: tuple[tuple[float, float], ...] = ()
    #: (day mask of 7 bools Monday first, start minute of day, end minute of day)
    weekly: tuple[tuple[tuple[bool, ...], int, int], ...] = ()

    @property
    def always(self) -> bool:
        return not self.windows_s and not self.weekly

    def active_at(self, time_s: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Vectorised over times (epoch s)."""
        t = np.asarray(time_s, dtype=np.float64)
        if self.always:
            return np.ones(t.shape, dtype=bool)
        active = np.zeros(t.shape, dtype=bool)
        for start, end in self.windows_s:
            active |= (t >= start) & (t < end)
        if self.weekly:
            # 1970-01-01 was a Thursday (index 3 with Monday = 0).
            day = ((np.floor(t / 86400.0).astype(np.int64) + 3) % 7).astype(np.int64)
            minute = (t % 86400.0) / 60.0
            for days, start_min, end_min in self.weekly:
                mask = np.asarray(days)[day]
                if start_min <= end_min:
                    active |= mask & (minute >= start_min) & (minute < end_min)
                else:  # across midnight: belongs to the day it starts
                    prev = np.asarray(days)[(day - 1) % 7]
                    active |= (mask & (minute >= start_min)) | (prev & (minute < end_min))
        return active

    @classmethod
    def parse(cls, spec: Any, *, volume: str = "?") -> Schedule:
        """From ``None``/``"H24"``, a weekly string, ``{"from": ISO|epoch, "to": ...}`` or a list of those."""
        if spec is None or (isinstance(spec, str) and spec.strip().upper() in ("", "H24")):
            return cls()
        items = spec if isinstance(spec, list) else [spec]
        windows: list[tuple[float, float]] = []
        weekly: list[tuple[tuple[bool, ...], int, int]] = []
        for item in items:
            if isinstance(item, dict):
                start, end = _instant(item.get("from"), volume), _instant(item.get("to"), volume)
                if not end > start:
                    raise AirspaceError(f"volume {volume!r}: schedule window {item!r} ends before it starts")
                windows.append((start, end))
            elif isinstance(item, str):
                weekly.append(_weekly(item, volume))
            else:
                raise AirspaceError(f"volume {volume!r}: schedule entry {item!r} is neither a window nor a string")
        return cls(tuple(windows), tuple(weekly))


def _instant(value: Any, volume: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise AirspaceError(f"volume {volume!r}: schedule time {value!r} is not ISO 8601") from exc
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
    raise AirspaceError(f"volume {volume!r}: schedule time {value!r} is missing or not a time")


def _weekly(text: str, volume: str) -> tuple[tuple[bool, ...], int, int]:
    m = re.fullmatch(r"\s*([A-Z]{3})(?:-([A-Z]{3}))?\s+(\d{2}):?(\d{2})-(\d{2}):?(\d{2})\s*", text.upper())
    if not m or m.group(1) not in _DAYS or (m.group(2) and m.group(2) not in _DAYS):
        raise AirspaceError(f"volume {volume!r}: schedule {text!r} is not like 'MON-FRI 0600-1800'")
    first = _DAYS.index(m.group(1))
    last = _DAYS.index(m.group(2)) if m.group(2) else first
    days = tuple((first <= d <= last) if first <= last else (d >= first or d <= last) for d in range(7))
    start = int(m.group(3)) * 60 + int(m.group(4))
    end = int(m.group(5)) * 60 + int(m.group(6))
    if start > 24 * 60 or end > 24 * 60:
        raise AirspaceError(f"volume {volume!r}: schedule {text!r} has a time past 24:00")
    return days, start, end


@dataclass(frozen=True)
class Volume:
    """One airspace volume. ``polygon`` is WGS-84 (x = longitude, y = latitude)."""

    name: str
    kind: str
    polygon: BaseGeometry
    floor_ft: float = SFC_FT
    ceiling_ft: float = UNL_FT
    schedule: Schedule = field(default_factory=Schedule)
    #: Per-volume STCA minima (None: the monitor default applies).
    stca_horizontal_nm: float | None = None
    stca_vertical_ft: float | None = None
    illustrative: bool = False
    properties: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in VOLUME_KINDS:
            raise AirspaceError(f"volume {self.name!r}: kind {self.kind!r} is not one of {', '.join(VOLUME_KINDS)}")
        if self.floor_ft > self.ceiling_ft:
            raise AirspaceError(
                f"volume {self.name!r}: floor {_limit_text(self.floor_ft)} is above ceiling "
                f"{_limit_text(self.ceiling_ft)}"
            )
        if self.polygon.is_empty or self.polygon.geom_type not in ("Polygon", "MultiPolygon"):
            raise AirspaceError(f"volume {self.name!r}: lateral limits must be a non-empty Polygon or MultiPolygon")
        if not self.polygon.is_valid:
            reason = shapely.is_valid_reason(self.polygon)
            raise AirspaceError(f"volume {self.name!r}: invalid polygon ({reason})")

    def to_feature(self) -> dict:
        props = {
            **self.properties,
            "name": self.name,
            "kind": self.kind,
            "floor_ft": _limit_json(self.floor_ft),
            "ceiling_ft": _limit_json(self.ceiling_ft),
        }
        if self.illustrative:
            props["illustrative"] = True
        return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(self.polygon)}


def _limit_text(value: float) -> str:
    if value == SFC_FT:
        return "SFC"
    if value == UNL_FT:
        return "UNL"
    return f"{value:.0f} ft"


def _limit_json(value: float) -> float | str:
    return "SFC" if value == SFC_FT else "UNL" if value == UNL_FT else float(value)


class Airspace:
    """A set of volumes, projected once into the monitors' plane, with an STRtree per use."""

    def __init__(
        self, volumes: Sequence[Volume], plane: MonitorPlane | None = None, problems: Sequence[str] = ()
    ) -> None:
        names = [v.name for v in volumes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise AirspaceError(f"volume names must be unique; repeated: {', '.join(dupes)}")
        self.volumes: tuple[Volume, ...] = tuple(volumes)
        #: Volumes rejected while loading, one clear message each (the rest loaded).
        self.problems: list[str] = list(problems)
        if plane is None:
            if self.volumes:
                minx, miny, maxx, maxy = shapely.total_bounds([v.polygon for v in self.volumes])
                plane = MonitorPlane((miny + maxy) / 2.0, (minx + maxx) / 2.0)
            else:
                plane = MonitorPlane(17.0, 5.0)
        self.plane = plane
        self.names = np.array(names, dtype=object)
        self.kinds = np.array([v.kind for v in self.volumes], dtype=object)
        self.floor_ft = np.array([v.floor_ft for v in self.volumes], dtype=np.float64)
        self.ceiling_ft = np.array([v.ceiling_ft for v in self.volumes], dtype=np.float64)
        self.polygons_xy = np.array([plane.geometry_to_xy(v.polygon) for v in self.volumes], dtype=object)
        if len(self.polygons_xy):
            shapely.prepare(self.polygons_xy)
        self.scheduled = np.array([not v.schedule.always for v in self.volumes], dtype=bool)
        # Every schedule window of every volume in flat arrays, so activity is one vectorised test per cycle.
        weekly = [(i, d, a, b) for i, v in enumerate(self.volumes) for d, a, b in v.schedule.weekly]
        self._weekly_vol = np.array([w[0] for w in weekly], dtype=np.intp)
        self._weekly_days = np.array([w[1] for w in weekly], dtype=bool).reshape(-1, 7)
        self._weekly_start = np.array([w[2] for w in weekly], dtype=np.float64)
        self._weekly_end = np.array([w[3] for w in weekly], dtype=np.float64)
        spans = [(i, a, b) for i, v in enumerate(self.volumes) for a, b in v.schedule.windows_s]
        self._span_vol = np.array([w[0] for w in spans], dtype=np.intp)
        self._span_start = np.array([w[1] for w in spans], dtype=np.float64)
        self._span_end = np.array([w[2] for w in spans], dtype=np.float64)

    def __len__(self) -> int:
        return len(self.volumes)

    def __iter__(self):
        return iter(self.volumes)

    def indices(self, kinds: Iterable[str]) -> NDArray[np.intp]:
        kinds = set(kinds)
        return np.flatnonzero(np.array([k in kinds for k in self.kinds], dtype=bool))

    def by_name(self, name: str) -> Volume:
        for v in self.volumes:
            if v.name == name:
                return v
        raise KeyError(name)

    def active_matrix(self, volume_idx: NDArray[np.intp], times_s: NDArray[np.float64]) -> NDArray[np.bool_]:
        """``[len(volume_idx), len(times_s)]`` activity; Python runs once per scheduled volume, not per row."""
        out = np.ones((len(volume_idx), len(times_s)), dtype=bool)
        rows = np.flatnonzero(self.scheduled[volume_idx])
        if len(rows):
            for v in np.unique(volume_idx[rows]):
                out[volume_idx == v] = self.volumes[v].schedule.active_at(times_s)
        return out

    def active_at(self, volume_idx: NDArray[np.intp], times_s: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Activity of ``volume_idx[k]`` at ``times_s[k]`` (pairwise), all windows tested at once."""
        out = ~self.scheduled[volume_idx]
        rows = np.flatnonzero(~out)
        if not len(rows):
            return out
        v, t = volume_idx[rows], np.asarray(times_s, dtype=np.float64)[rows]
        hit = np.zeros(len(rows), bool)
        # Each row against its own volume's windows only (rows × windows of that volume, not of every volume).
        if len(self._span_vol):
            r, w = _rows_windows(v, self._span_vol)
            m = (t[r] >= self._span_start[w]) & (t[r] < self._span_end[w])
            hit[r[m]] = True
        if len(self._weekly_vol):
            r, w = _rows_windows(v, self._weekly_vol)
            tr = t[r]
            day = (np.floor(tr / 86400.0).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
            minute = (tr % 86400.0) / 60.0
            s0, s1 = self._weekly_start[w], self._weekly_end[w]
            today = self._weekly_days[w, day]
            yesterday = self._weekly_days[w, (day - 1) % 7]
            plain = (s0 <= s1) & today & (minute >= s0) & (minute < s1)
            wraps = (s0 > s1) & ((today & (minute >= s0)) | (yesterday & (minute < s1)))
            hit[r[plain | wraps]] = True
        out[rows] = hit
        return out

    @cached_property
    def stca_minima(self) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
        """(volume indices with their own STCA minima, horizontal m, vertical ft)."""
        idx = np.flatnonzero(
            [v.stca_horizontal_nm is not None or v.stca_vertical_ft is not None for v in self.volumes]
        ).astype(np.intp)
        h = np.array([self.volumes[i].stca_horizontal_nm or np.nan for i in idx], dtype=np.float64) * 1852.0
        v = np.array([self.volumes[i].stca_vertical_ft or np.nan for i in idx], dtype=np.float64)
        return idx, h, v

    def tree(self, volume_idx: NDArray[np.intp]) -> shapely.STRtree:
        return shapely.STRtree(self.polygons_xy[volume_idx])

    def contains(self, volume_idx: NDArray[np.intp], lat_deg: NDArray, lon_deg: NDArray) -> NDArray[np.bool_]:
        """Lateral containment ``[n_points]`` in any of ``volume_idx`` (ignores vertical limits and schedules)."""
        x, y = self.plane.to_xy(lat_deg, lon_deg)
        inside = np.zeros(len(x), dtype=bool)
        for i in volume_idx:
            inside |= shapely.contains_xy(self.polygons_xy[i], x, y)
        return inside

    def to_geojson(self) -> dict:
        return {"type": "FeatureCollection", "features": [v.to_feature() for v in self.volumes]}

    def __add__(self, other: Airspace) -> Airspace:
        return Airspace([*self.volumes, *other.volumes], self.plane, [*self.problems, *other.problems])


def _rows_windows(row_volume: NDArray[np.intp], window_volume: NDArray[np.intp]) -> tuple[NDArray, NDArray]:
    """(row, window) for every window that belongs to the row's volume (windows listed by volume, ascending)."""
    lo = np.searchsorted(window_volume, row_volume, side="left")
    count = np.searchsorted(window_volume, row_volume, side="right") - lo
    r = np.repeat(np.arange(len(row_volume)), count)
    w = np.repeat(lo, count) + (np.arange(len(r)) - np.repeat(np.cumsum(count) - count, count))
    return r, w


def _check_rings(coords: Any, name: str, depth: int) -> None:
    """GeoJSON rings must be closed and have four positions; shapely would silently close an open one."""
    if depth == 0:  # a ring
        if not isinstance(coords, list) or len(coords) < 4:
            raise AirspaceError(f"volume {name!r}: a ring has fewer than 4 positions")
        if list(coords[0])[:2] != list(coords[-1])[:2]:
            raise AirspaceError(f"volume {name!r}: a ring is open (first position {coords[0]} != last {coords[-1]})")
        return
    if not isinstance(coords, list) or not coords:
        raise AirspaceError(f"volume {name!r}: empty coordinates")
    for part in coords:
        _check_rings(part, name, depth - 1)


def volume_from_feature(feature: dict, index: int = 0, default_kind: str | None = None) -> Volume:
    """One GeoJSON Feature → :class:`Volume`, or :class:`AirspaceError` naming the volume."""
    props = feature.get("properties") or {}
    name = str(props.get("name") or props.get("id") or f"feature {index}")
    geometry = feature.get("geometry") or {}
    gtype = geometry.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        raise AirspaceError(f"volume {name!r}: geometry type {gtype!r} is not Polygon or MultiPolygon")
    _check_rings(geometry.get("coordinates"), name, 1 if gtype == "Polygon" else 2)
    try:
        polygon = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        raise AirspaceError(f"volume {name!r}: unreadable geometry ({exc})") from exc
    kind = props.get("kind", default_kind)
    return Volume(
        name=name,
        kind=str(kind),
        polygon=polygon,
        floor_ft=parse_vertical_limit(props.get("floor_ft"), volume=name, what="floor"),
        ceiling_ft=parse_vertical_limit(props.get("ceiling_ft"), volume=name, what="ceiling"),
        schedule=Schedule.parse(props.get("schedule"), volume=name),
        stca_horizontal_nm=_optional_float(props.get("stca_horizontal_nm"), name, "stca_horizontal_nm"),
        stca_vertical_ft=_optional_float(props.get("stca_vertical_ft"), name, "stca_vertical_ft"),
        illustrative=bool(props.get("illustrative", False)),
        properties={k: v for k, v in props.items() if isinstance(v, str | int | float | bool)},
    )


def _optional_float(value: Any, name: str, what: str) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise AirspaceError(f"volume {name!r}: {what} {value!r} is not a number") from exc
    if not out > 0:
        raise AirspaceError(f"volume {name!r}: {what} must be positive, got {value!r}")
    return out


def volumes_from_geojson(data: dict | str | Path, default_kind: str | None = None) -> tuple[list[Volume], list[str]]:
    """All loadable volumes of a FeatureCollection and one message per rejected feature."""
    if not isinstance(data, dict):
        data = json.loads(Path(data).read_text(encoding="utf-8"))
    if data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if data.get("type") != "FeatureCollection":
        raise AirspaceError("airspace GeoJSON must be a FeatureCollection")
    volumes: list[Volume] = []
    problems: list[str] = []
    for i, feature in enumerate(data.get("features") or []):
        try:
            volumes.append(volume_from_feature(feature, i, default_kind))
        except AirspaceError as exc:
            problems.append(str(exc))
    return volumes, problems


def load_airspace(path: str | Path, plane: MonitorPlane | None = None) -> Airspace:
    """GeoJSON (``.geojson``/``.json``) or OpenAir (anything else); rejected volumes are logged and listed."""
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json"):
        volumes, problems = volumes_from_geojson(path)
    else:
        from airpicture.monitor.openair import volumes_from_openair

        volumes, problems = volumes_from_openair(path.read_text(encoding="utf-8", errors="replace"))
    for problem in problems:
        log.warning("%s: %s (skipped; the rest loads)", path, problem)
    return Airspace(volumes, plane, problems)


def _data_json(name: str) -> dict:
    return json.loads(resources.files("airpicture.data").joinpath(name).read_text(encoding="utf-8"))


def niger_reference_volumes() -> list[Volume]:
    """The Niamey FIR (DRRR) and Niger's national border as SFC–UNL volumes."""
    from airpicture.core.geography import niamey_fir, niger_border

    return [
        Volume("NIAMEY FIR", "fir", niamey_fir(), properties={"source": "VATSIM vatspy (CC BY-SA 4.0)"}),
        Volume("NIGER BORDER", "border", niger_border(), properties={"source": "Natural Earth (public domain)"}),
    ]


def default_niger_airspace(plane: MonitorPlane | None = None) -> Airspace:
    """The Niger configuration: Niamey FIR, national border and the ILLUSTRATIVE zones of ``niger_zones.geojson``.

    Niger's restricted, danger and prohibited areas (ASECNA AIP ENR 5.1) are not in any open source; the zones
    shipped here are invented for demonstration and every one of them says so in its name and properties.
    """
    volumes, problems = volumes_from_geojson(_data_json("niger_zones.geojson"))
    if problems:  # shipped data: a problem is a bug, not an input error
        raise AirspaceError("; ".join(problems))
    from airpicture.core.geodesy import NIGER_PLANE_CENTRE

    return Airspace([*niger_reference_volumes(), *volumes], plane or MonitorPlane(*NIGER_PLANE_CENTRE), problems)
