"""Monitor parameters, one dataclass per monitor, loadable from a JSON or TOML file.

Every monitor has the same two hysteresis knobs: ``raise_after_cycles`` (the condition must hold on that many
consecutive update cycles before an alert is raised: a persistence filter against one-cycle glitches) and
``clear_after_s`` (an active alert clears only after its condition has been false that long, so an aircraft
skimming a boundary or a garbled squawk does not make the alert flicker).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class InfringementConfig:
    #: How far ahead entries are predicted.
    look_ahead_s: float = 120.0
    #: Time step of the entry-time search (the error of ``time_predicted_s`` is at most this).
    step_s: float = 2.0
    #: Volume kinds watched.
    kinds: tuple[str, ...] = ("restricted", "danger", "prohibited")
    #: A turning prediction is made when the measured turn rate exceeds this (deg/s), capped at the max.
    turn_rate_min_deg_s: float = 0.5
    turn_rate_max_deg_s: float = 3.0
    #: Tracks slower than this are not predicted (on the ground or hovering); current infringement still counts.
    min_speed_kt: float = 40.0
    raise_after_cycles: int = 2
    clear_after_s: float = 20.0


@dataclass(frozen=True)
class EmergencyConfig:
    #: Mode 3/A emergency codes and what they mean.
    codes: dict[str, str] = field(
        default_factory=lambda: {"7500": "unlawful interference", "7600": "radio failure", "7700": "emergency"}
    )
    #: An ADS-B emergency status stays true this long after the last report (it is broadcast every ~1–5 s).
    adsb_hold_s: float = 20.0
    raise_after_cycles: int = 2
    clear_after_s: float = 20.0


@dataclass(frozen=True)
class StcaConfig:
    #: Separation minima (overridden per volume by ``stca_horizontal_nm``/``stca_vertical_ft``).
    horizontal_nm: float = 5.0
    vertical_ft: float = 1000.0
    #: Aircraft at adjacent levels are 1000 ft apart give or take altimetry and 100-ft Mode C steps: the vertical
    #: conflict threshold is ``vertical_ft - vertical_tolerance_ft``.
    vertical_tolerance_ft: float = 200.0
    look_ahead_s: float = 120.0
    #: Vertical rates below this are noise: the aircraft is level.
    level_rate_fpm: float = 300.0
    #: Level-off hypothesis: a climbing/descending aircraft may stop at the next 1000-ft level beyond this margin;
    #: a conflict is alerted only if it also exists under that hypothesis (fewer level-off nuisance alerts).
    level_off: bool = True
    level_off_margin_ft: float = 100.0
    #: A broadcast selected altitude (ADS-B target state / Mode S BDS 4,0) is used for this long after it is heard.
    selected_hold_s: float = 30.0
    #: Time step of the fine (level-off aware) check.
    step_s: float = 2.0
    #: Tracks slower than this (on the ground) are ignored.
    min_speed_kt: float = 50.0
    #: Time to conflict at or below which the alert is critical rather than a warning.
    critical_within_s: float = 60.0
    raise_after_cycles: int = 3
    clear_after_s: float = 12.0


@dataclass(frozen=True)
class CooperationConfig:
    """``non_cooperative`` (no transponder data, inside the FIR) and ``transponder_loss`` (continues primary-only)."""

    fir_kinds: tuple[str, ...] = ("fir",)
    raise_after_cycles: int = 3
    clear_after_s: float = 30.0
    #: A track that stopped being updated this long ago is not "continuing" (no transponder_loss for a coast).
    max_age_s: float = 15.0
    #: No secondary report of the track's address for this long: the transponder is quiet.
    silence_s: float = 20.0


@dataclass(frozen=True)
class FplDeviationConfig:
    lateral_nm: float = 10.0
    level_ft: float = 400.0
    #: Level is only checked for level flight farther than this from departure and destination.
    terminal_nm: float = 40.0
    level_rate_fpm: float = 300.0
    raise_after_cycles: int = 3
    clear_after_s: float = 30.0


@dataclass(frozen=True)
class SpoofingConfig:
    #: Implied speed between consecutive ADS-B positions above which the jump is impossible.
    max_speed_kt: float = 1000.0
    #: Jumps shorter than this are position noise, never spoofing.
    jump_min_m: float = 3000.0
    #: ADS-B position versus a Mode S radar / MLAT plot of the same address: inconsistent beyond
    #: ``max(disagree_m, disagree_sigma * sigma_h_m)``.
    disagree_m: float = 3000.0
    disagree_sigma: float = 5.0
    #: A claimed position farther than ``range_margin`` x the receiver's range (or radio horizon) is impossible.
    range_margin: float = 1.25
    #: Ghost check: inside radar coverage for this long with no radar plot within ``ghost_radius_m``.
    ghost_window_s: float = 15.0
    ghost_radius_m: float = 5000.0
    #: The window is at least this many rotations of the covering radar ((1 - Pd)^3 false ghosts at Pd 0.9: 0.1 %).
    ghost_scans: float = 3.0
    #: An address a radar or MLAT plot has already confirmed needs this many missed rotations: a real aircraft
    #: at the edge of a single SSR's cover (Pd 0.97) misses three scans in a row about once an hour of traffic.
    ghost_scans_confirmed: float = 6.0
    #: Fraction of a radar's nominal range treated as solid coverage (the edge is patchy).
    coverage_fraction: float = 0.85
    #: Cone of silence and ground clutter: no ghost verdicts this close to a radar or this low.
    min_range_m: float = 10_000.0
    min_alt_ft: float = 3000.0
    #: Altitude assumed for a primary plot with no Mode C, to turn slant range into ground range.
    psr_assumed_alt_ft: float = 15000.0
    raise_after_cycles: int = 1
    clear_after_s: float = 60.0


@dataclass(frozen=True)
class GnssConfig:
    cell_deg: float = 1.0
    window_s: float = 60.0
    #: An aircraft is degraded when its latest NACp or NIC falls below these.
    nacp_min: int = 8
    nic_min: int = 7
    #: Flagged when at least this many aircraft, and this fraction of those seen, are degraded in a neighbourhood.
    min_aircraft: int = 3
    min_fraction: float = 0.5
    raise_after_cycles: int = 2
    clear_after_s: float = 120.0


@dataclass(frozen=True)
class MonitorConfig:
    infringement: InfringementConfig = field(default_factory=InfringementConfig)
    emergency: EmergencyConfig = field(default_factory=EmergencyConfig)
    stca: StcaConfig = field(default_factory=StcaConfig)
    cooperation: CooperationConfig = field(default_factory=CooperationConfig)
    fpl_deviation: FplDeviationConfig = field(default_factory=FplDeviationConfig)
    spoofing: SpoofingConfig = field(default_factory=SpoofingConfig)
    gnss: GnssConfig = field(default_factory=GnssConfig)
    #: Monitors switched off by name (e.g. ``["fpl_deviation"]``).
    disabled: tuple[str, ...] = ()
    #: Optional sensors.json: lets the monitors tell primary from secondary sources and know radar coverage.
    sensors_file: str | None = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> MonitorConfig:
        return _build(cls, data, "config")

    @classmethod
    def load(cls, path: str | Path) -> MonitorConfig:
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        config = cls.from_mapping(data)
        if config.sensors_file and not Path(config.sensors_file).is_absolute():
            config = replace(config, sensors_file=str(path.parent / config.sensors_file))
        return config


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a table of settings, got {data!r}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    values: dict[str, Any] = {}
    defaults = cls()
    for name, value in data.items():
        current = getattr(defaults, name)
        if is_dataclass(current):
            values[name] = _build(type(current), value, f"{where}.{name}")
        elif isinstance(current, tuple):
            values[name] = tuple(value)
        elif isinstance(current, bool):
            values[name] = bool(value)
        elif isinstance(current, int | float) and not isinstance(value, int | float):
            raise ValueError(f"{where}.{name}: expected a number, got {value!r}")
        else:
            values[name] = type(current)(value) if isinstance(current, int | float) else value
    return cls(**values)
