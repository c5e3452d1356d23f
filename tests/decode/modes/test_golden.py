"""The expected fields of pyModeS's golden file (600 real DF17/20/21 frames), decoded one frame at a time."""

from __future__ import annotations

import functools
import json
import math

import numpy as np

from airpicture.decode.modes import ModeSDecoder
from airpicture.sources.frames import frames_from_hex
from tests.conftest import shared_file

_COMMB = {
    "selected_altitude_mcp": "selected_alt_ft",
    "baro_pressure_setting": "baro_setting_hpa",
    "roll": "roll_deg",
    "true_track": "track_deg",
    "true_airspeed": "tas_kt",
    "magnetic_heading": "heading_deg",
    "indicated_airspeed": "ias_kt",
    "mach": "mach",
    "baro_vertical_rate": "vertical_rate_fpm",
}


@functools.cache
def _golden():
    golden = json.loads(shared_file("modes", "pymodes_golden_v2.json").read_text())
    hexes = list(golden)
    parsed = frames_from_hex(hexes, np.zeros(len(hexes)))
    assert parsed.kept.size == len(hexes)
    # A fresh decoder per frame: the golden values are single-message decodes.
    rows = [ModeSDecoder().decode(parsed.frames.take(np.array([i]))).to_pylist()[0] for i in range(len(hexes))]
    return golden, hexes, rows


def test_golden_identity_altitude_squawk_callsign_and_velocity():
    golden, hexes, rows = _golden()
    checked = 0
    for frame, row in zip(hexes, rows, strict=True):
        expected = golden[frame]
        assert row["icao24"] == expected["icao"].lower(), frame
        assert row["df"] == expected["df"]
        if "typecode" in expected:
            assert row["tc"] == expected["typecode"]
        if "altitude" in expected:
            assert row["alt_baro_ft"] == expected["altitude"], frame
        if "squawk" in expected:
            assert row["squawk"] == expected["squawk"], frame
        if "callsign" in expected:
            assert row["callsign"] == expected["callsign"].rstrip("_"), frame
        if "category" in expected:
            assert row["category"] == expected["category"]
        if expected["df"] == 17 and "groundspeed" in expected:
            assert math.floor(row["ground_speed_kt"]) == expected["groundspeed"]
            assert math.isclose(row["track_deg"], expected["track"], abs_tol=1e-9)
            assert row["vertical_rate_fpm"] == expected["vertical_rate"]
        checked += 1
    assert checked == 600


def test_golden_comm_b_registers_and_fields():
    golden, hexes, rows = _golden()
    agree = ambiguous = 0
    for frame, row in zip(hexes, rows, strict=True):
        expected = golden[frame]
        if expected["df"] not in (20, 21) or "bds" not in expected:
            continue
        candidates = {
            code.replace("BDS", "")[0] + "," + code.replace("BDS", "")[1] for code in expected["bds"].split(",")
        }
        if len(candidates) == 1:
            (register,) = candidates
            if row["bds"] == "ambiguous":
                ambiguous += 1
                continue
            assert row["bds"] == register, frame
            agree += 1
            for their_key, our_key in _COMMB.items():
                if their_key in expected:
                    assert math.isclose(row[our_key], expected[their_key], abs_tol=1e-6), (frame, their_key)
            if register == "5,0" and "groundspeed" in expected:
                assert row["ground_speed_kt"] == expected["groundspeed"]
        else:
            # Several registers fit: ours either stays ambiguous or names one of them (never another).
            assert row["bds"] in candidates | {"ambiguous", "4,0", None}, (frame, row["bds"], candidates)
    assert agree >= 330
    assert ambiguous <= 0.1 * (agree + ambiguous)
