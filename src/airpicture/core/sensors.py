"""Sensor descriptions: the ``sensors.json`` contract (DESIGN.md)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

SensorKind = Literal["psr", "ssr", "psr_ssr", "modes", "adsb", "mlat"]
SENSOR_KINDS: tuple[str, ...] = ("psr", "ssr", "psr_ssr", "modes", "adsb", "mlat")


@dataclass(frozen=True)
class Sensor:
    """One sensor site. Fields that do not apply to a kind stay ``None`` and are omitted from JSON."""

    id: str
    kind: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0
    rotation_period_s: float | None = None
    sigma_range_m: float | None = None
    sigma_azimuth_deg: float | None = None
    sigma_h_m: float | None = None
    range_max_m: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in SENSOR_KINDS:
            raise ValueError(f"sensor {self.id!r}: kind {self.kind!r} is not one of {', '.join(SENSOR_KINDS)}")
        if not (-90.0 <= self.lat_deg <= 90.0 and -180.0 <= self.lon_deg <= 180.0):
            raise ValueError(f"sensor {self.id!r}: position {self.lat_deg}, {self.lon_deg} is not on earth")

    @property
    def is_radar(self) -> bool:
        return self.kind in ("psr", "ssr", "psr_ssr", "modes")

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def sensor_from_json(obj: dict) -> Sensor:
    known = {f.name for f in fields(Sensor)}
    return Sensor(**{k: v for k, v in obj.items() if k in known})


def load_sensors(path: str | Path) -> list[Sensor]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "sensors" in data:
        data = data["sensors"]
    return [sensor_from_json(obj) for obj in data]


def save_sensors(sensors: list[Sensor], path: str | Path) -> None:
    Path(path).write_text(json.dumps([s.to_json() for s in sensors], indent=2) + "\n", encoding="utf-8")
