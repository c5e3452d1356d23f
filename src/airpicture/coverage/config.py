"""The coverage configuration file (TOML or JSON), or a plain ``sensors.json``.

A bad sensor entry is reported and left out; the others are still computed. See ``examples/coverage_niger.toml``
for every key with its meaning.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from airpicture.core.sensors import SENSOR_KINDS
from airpicture.coverage.analysis import DEFAULT_ANTENNA_AGL_M, DEFAULT_RANGE_MAX_M, CoverageSettings, SensorSite
from airpicture.coverage.gaps import CandidateSpec
from airpicture.coverage.los import STANDARD_K


class ConfigError(ValueError):
    """The file as a whole cannot be used (unreadable, wrong format)."""


@dataclass
class CoverageConfig:
    sites: list[SensorSite]
    settings: CoverageSettings = field(default_factory=CoverageSettings)
    levels_fl: list[float] = field(default_factory=lambda: [50.0, 100.0, 200.0, 300.0, 400.0])
    terrain_source: str = "globe"
    fallback_elevation_m: float = 0.0
    candidates: CandidateSpec = field(default_factory=CandidateSpec)
    propose_level_fl: float = 200.0
    propose_target_pct: float | None = None
    title: str = ""
    messages: list[str] = field(default_factory=list)


def _number(entry: dict, key: str, default: float | None = None) -> float | None:
    value = entry.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{key} must be a number, got {value!r}")
    return float(value)


def site_from_entry(entry: dict) -> SensorSite:
    """One sensor from a config entry (``sensors.json`` fields, plus ``aerodrome``, ``antenna_agl_m``)."""
    if not isinstance(entry, dict):
        raise ValueError(f"a sensor entry must be a table/object, got {entry!r}")
    sensor_id = str(entry.get("id") or "").strip()
    if not sensor_id:
        raise ValueError("a sensor needs an id")
    kind = entry.get("kind", "adsb")
    if kind not in SENSOR_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(SENSOR_KINDS)}")
    if "aerodrome" in entry and ("lat_deg" not in entry or "lon_deg" not in entry):
        from airpicture.core.geography import aerodrome

        try:
            ad = aerodrome(str(entry["aerodrome"]).upper())
        except KeyError as exc:
            raise ValueError(f"unknown aerodrome {entry['aerodrome']!r}") from exc
        lat, lon = ad.lat_deg, ad.lon_deg
    else:
        if "lat_deg" not in entry or "lon_deg" not in entry:
            raise ValueError("a sensor needs lat_deg and lon_deg (or an aerodrome)")
        lat, lon = _number(entry, "lat_deg"), _number(entry, "lon_deg")
    assert lat is not None and lon is not None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"position {lat}, {lon} is not on earth")
    range_max = _number(entry, "range_max_m", DEFAULT_RANGE_MAX_M[kind])
    assert range_max is not None
    if range_max <= 0:
        raise ValueError(f"range_max_m must be positive, got {range_max}")
    agl = _number(entry, "antenna_agl_m")
    amsl = _number(entry, "antenna_amsl_m")
    if amsl is None and agl is None:
        # sensors.json carries alt_m, the antenna altitude above mean sea level, when known.
        alt = _number(entry, "alt_m")
        amsl = alt if alt is not None and alt > 0 else None
        agl = None if amsl is not None else DEFAULT_ANTENNA_AGL_M[kind]
    if agl is not None and agl < 0:
        raise ValueError(f"antenna_agl_m must not be negative, got {agl}")
    return SensorSite(sensor_id, kind, lat, lon, range_max, antenna_agl_m=agl, antenna_amsl_m=amsl)


def load_config(path: str | Path) -> CoverageConfig:
    """Read a coverage configuration; bad sensor entries become messages, the rest is kept."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {exc}") from exc
    if isinstance(data, list):
        data = {"sensors": data}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a table of settings or a list of sensors")

    config = CoverageConfig(sites=[])
    seen_ids: set[str] = set()
    for i, entry in enumerate(data.get("sensors", [])):
        try:
            site = site_from_entry(entry)
        except ValueError as exc:
            label = entry.get("id", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
            config.messages.append(f"sensor {label!r} in {path.name}: {exc}: sensor skipped")
            continue
        if site.id in seen_ids:
            config.messages.append(f"sensor {site.id!r} in {path.name}: duplicate id: second entry skipped")
            continue
        seen_ids.add(site.id)
        config.sites.append(site)

    model = data.get("model", {})
    try:
        config.settings = CoverageSettings(
            k=_number(model, "k", STANDARD_K) or STANDARD_K,
            bearing_step_deg=_number(model, "bearing_step_deg", 0.25) or 0.25,
            range_step_m=_number(model, "range_step_m", 1000.0) or 1000.0,
            grid_step_arcmin=_number(model, "grid_step_arcmin", 1.0) or 1.0,
        )
        if config.settings.k <= 0 or config.settings.bearing_step_deg <= 0 or config.settings.range_step_m <= 0:
            raise ValueError("k, bearing_step_deg and range_step_m must be positive")
    except ValueError as exc:
        raise ConfigError(f"{path}: [model]: {exc}") from exc
    if "levels_fl" in data:
        config.levels_fl = [float(v) for v in data["levels_fl"]]
    terrain = data.get("terrain", {})
    config.terrain_source = str(terrain.get("source", "globe"))
    config.fallback_elevation_m = _number(terrain, "fallback_elevation_m", 0.0) or 0.0
    if config.terrain_source not in ("globe", "flat"):
        config.terrain_source = str((path.parent / config.terrain_source).resolve())
    cand = data.get("candidates", {})
    try:
        config.candidates = CandidateSpec(
            grid_step_deg=_number(cand, "grid_step_deg", 1.0) or None,
            aerodromes=bool(cand.get("aerodromes", True)),
            sites=tuple((str(s["id"]), float(s["lat_deg"]), float(s["lon_deg"])) for s in cand.get("sites", [])),
            kind=str(cand.get("kind", "adsb")),
            antenna_agl_m=_number(cand, "antenna_agl_m", 15.0) or 15.0,
            range_max_m=_number(cand, "range_max_m", 400_000.0) or 400_000.0,
        )
        config.propose_level_fl = _number(cand, "level_fl", 200.0) or 200.0
        config.propose_target_pct = _number(cand, "target_pct")
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: [candidates]: {exc}") from exc
    config.title = str(data.get("title", path.stem))
    return config
