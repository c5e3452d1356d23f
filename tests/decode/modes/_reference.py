"""Run the independent reference decoders (pyModeS 3, rs1090; test-only, GPL/MIT) next to ours, frame by frame."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pytest

from airpicture.core.geodesy import haversine_m
from airpicture.decode.modes import ModeSDecoder
from airpicture.sources.frames import ModeSFrames

#: pyModeS field → (our column, how to compare)
_COMMB_FIELDS = {
    "4,0": [("selected_altitude_mcp", "selected_alt_ft"), ("baro_pressure_setting", "baro_setting_hpa")],
    "5,0": [
        ("roll", "roll_deg"),
        ("true_track", "track_deg"),
        ("groundspeed", "ground_speed_kt"),
        ("true_airspeed", "tas_kt"),
    ],
    "6,0": [
        ("magnetic_heading", "heading_deg"),
        ("indicated_airspeed", "ias_kt"),
        ("mach", "mach"),
        ("baro_vertical_rate", "vertical_rate_fpm"),
    ],
}


@dataclass
class Agreement:
    frames: int = 0
    rows: int = 0
    compared: Counter = field(default_factory=Counter)
    mismatches: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)
    position_errors_m: list = field(default_factory=list)
    positions_only_ours: int = 0
    commb_ours_ambiguous: int = 0

    def check(self, key: str, ours, theirs, frame: str, tol: float = 1e-9) -> None:
        self.compared[key] += 1
        same = (ours is None and theirs is None) or (
            ours is not None
            and theirs is not None
            and (
                ours == theirs
                or (isinstance(theirs, float | int) and not isinstance(theirs, bool) and abs(ours - theirs) <= tol)
            )
        )
        if not same:
            self.mismatches[key] += 1
            self.examples.setdefault(key, (frame, ours, theirs))


def agreement(frames: ModeSFrames, reference_lat_lon=None) -> Agreement:
    pyModeS = pytest.importorskip("pyModeS")
    rs1090 = pytest.importorskip("rs1090")
    hexes = frames.hex()
    ours = ModeSDecoder(reference_lat_lon=reference_lat_lon).decode(frames).to_pylist()
    pipe = pyModeS.PipeDecoder(surface_ref=reference_lat_lon) if reference_lat_lon else pyModeS.PipeDecoder()
    theirs = [dict(pipe.decode(h, timestamp=float(t))) for h, t in zip(hexes, frames.time_s, strict=True)]
    rs = rs1090.decode(hexes, [float(t) for t in frames.time_s], reference=reference_lat_lon)
    result = Agreement(frames=len(frames), rows=len(ours))
    assert len(ours) == len(frames), "every frame of the reference files is decodable"
    for h, o, p, r in zip(hexes, ours, theirs, rs, strict=True):
        if p.get("icao"):
            result.check("icao24", o["icao24"], p["icao"].lower(), h)
        if "altitude" in p:
            alt = o["alt_baro_ft"] if o["alt_baro_ft"] is not None else o["alt_geo_ft"]
            result.check("altitude", alt, p["altitude"], h)
        if "squawk" in p:
            result.check("squawk", o["squawk"], p["squawk"] or None, h)
        if "callsign" in p:
            result.check("callsign", o["callsign"], p["callsign"] or None, h)
        bds = p.get("bds")
        if bds == "0,9":
            gs = o["ground_speed_kt"]
            result.check("velocity", None if gs is None else math.floor(gs + 1e-9), p.get("groundspeed"), h)
            result.check("velocity", o["track_deg"], p.get("track"), h, 1e-6)
            result.check("velocity", o["heading_deg"], p.get("heading"), h, 1e-6)
            result.check("velocity", o["vertical_rate_fpm"], p.get("vertical_rate"), h)
        if o["df"] in (20, 21) and bds in _COMMB_FIELDS:
            if o["bds"] == "ambiguous":
                result.commb_ours_ambiguous += 1
            elif o["bds"] == bds:
                for their_key, our_key in _COMMB_FIELDS[bds]:
                    result.check("commb_velocity", o[our_key], p.get(their_key), h, 1e-6)
            else:
                result.check("commb_register", o["bds"], bds, h)
        ref_lat, ref_lon = p.get("latitude"), p.get("longitude")
        if ref_lat is None and isinstance(r, dict) and r.get("latitude") is not None:
            ref_lat, ref_lon = r["latitude"], r["longitude"]
        if o["lat_deg"] is not None:
            if ref_lat is None:
                result.positions_only_ours += 1
            else:
                result.position_errors_m.append(float(haversine_m(o["lat_deg"], o["lon_deg"], ref_lat, ref_lon)))
        elif p.get("latitude") is not None:
            result.check("position_missing", None, (p["latitude"], p["longitude"]), h)
    return result


def position_errors(result: Agreement) -> np.ndarray:
    return np.asarray(result.position_errors_m, dtype=float)
