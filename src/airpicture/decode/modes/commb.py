"""Comm-B (DF20/21 MB field): which register (BDS) a reply carries, and its fields, for a batch at once.

A Comm-B reply does not say which register it answers: the ground station asked for it. A passive receiver must
infer it from the content, as every open decoder does:

1. Registers with a format identifier in MB bits 1-8: 1,0 (0x10), 2,0 (0x20: aircraft identification), 3,0 (0x30).
   BDS 2,0 also needs eight legal characters, because 0x20 is a common first byte of other registers. The
   capability report 1,7 has no identifier but a fixed shape (see :func:`is_bds17`).
2. Registers without one (4,0 / 5,0 / 6,0) pass a plausibility test: every field has a status bit, and a field
   whose status says "invalid" must be all zeros; reserved bits must be zero; values must be physically possible
   for a transport aircraft.
3. When both 5,0 and 6,0 pass (common: both carry an angle and two speeds), the aircraft's known ground speed and
   track (from ADS-B velocity or an earlier 5,0) decide; with no such knowledge the reply stays "ambiguous" and its
   fields are not reported, so a guess never reaches the picture.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.decode.modes import _callsign
from airpicture.decode.modes._fields import me_field, me_int

BDS_LABELS: list[str | None] = ["1,0", "1,7", "2,0", "3,0", "4,0", "5,0", "6,0", "ambiguous", None]
BDS10, BDS17, BDS20, BDS30, BDS40, BDS50, BDS60, AMBIGUOUS, UNKNOWN = range(9)


def _wrong_status(mb: NDArray[np.uint64], status_bit: int, first: int, n_bits: int) -> NDArray[np.bool_]:
    """Status bit says "no data" but the value field is not zero: a sign the reply is another register."""
    return (me_field(mb, status_bit, 1) == 0) & (me_field(mb, first, n_bits) != 0)


def _signed(mb: NDArray[np.uint64], sign_bit: int, first: int, n_bits: int) -> NDArray[np.int64]:
    raw = me_int(mb, first, n_bits)
    return np.where(me_field(mb, sign_bit, 1) == 1, raw - (1 << n_bits), raw)


def is_bds20(mb: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """MB 1-8 = 0x20 and MB 9-56 eight legal characters, not all blank."""
    idx = _callsign.char_indices(mb)
    return (me_field(mb, 1, 8) == 0x20) & _callsign.all_legal(idx) & (idx != 32).any(axis=1)


def is_bds17(mb: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Common-usage GICB capability report: MB 1-24 one bit per register (0,5 0,6 0,7 0,8 0,9 0,A 2,0 2,1 4,0 …
    6,0), MB 25-56 zero. Bit 7 (BDS 2,0 supported) is mandatory for a transponder that reports 1,7 at all, which
    tells a capability report from a 4,0 or 6,0 reply that happens to end in zeros."""
    return (me_field(mb, 7, 1) == 1) & (me_field(mb, 25, 32) == 0)


def is_bds40(mb: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Selected vertical intention. MB 1 MCP status | 2-13 MCP/FCU altitude (16 ft) | 14 FMS status | 15-26 FMS
    altitude | 27 baro status | 28-39 baro setting (0.1 hPa above 800) | 40-47 reserved | 48 mode status |
    49-51 VNAV/alt hold/approach | 52-53 reserved | 54 target source status | 55-56 target source."""
    ok = ~_wrong_status(mb, 1, 2, 12) & ~_wrong_status(mb, 14, 15, 12) & ~_wrong_status(mb, 27, 28, 12)
    ok &= (me_field(mb, 40, 8) == 0) & (me_field(mb, 52, 2) == 0)
    ok &= ~_wrong_status(mb, 48, 49, 3) & ~_wrong_status(mb, 54, 55, 2)
    mcp = me_int(mb, 2, 12) * 16
    fms = me_int(mb, 15, 12) * 16
    ok &= (me_field(mb, 1, 1) == 0) | ((mcp > 0) & (mcp <= 50000))
    ok &= (me_field(mb, 14, 1) == 0) | ((fms > 0) & (fms <= 50000))
    baro = me_int(mb, 28, 12) * 0.1 + 800.0
    ok &= (me_field(mb, 27, 1) == 0) | ((baro >= 900.0) & (baro <= 1100.0))
    ok &= (me_field(mb, 1, 1) == 1) | (me_field(mb, 14, 1) == 1) | (me_field(mb, 27, 1) == 1)
    return ok


def decode_bds40(mb: NDArray[np.uint64]) -> dict[str, NDArray]:
    mcp_ok = me_field(mb, 1, 1) == 1
    fms_ok = me_field(mb, 14, 1) == 1
    baro_ok = me_field(mb, 27, 1) == 1
    mcp = np.where(mcp_ok, me_int(mb, 2, 12) * 16.0, np.nan)
    fms = np.where(fms_ok, me_int(mb, 15, 12) * 16.0, np.nan)
    return {
        "selected_alt_ft": np.where(mcp_ok, mcp, fms),
        "selected_alt_fms_ft": fms,
        "baro_setting_hpa": np.where(baro_ok, np.round(me_int(mb, 28, 12) * 0.1 + 800.0, 1), np.nan),
    }


def is_bds50(mb: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Track and turn. MB 1 roll status | 2 sign | 3-11 roll (45/256 deg) | 12 track status | 13 sign | 14-23 true
    track (90/512 deg) | 24 GS status | 25-34 ground speed (2 kt) | 35 track rate status | 36 sign | 37-45 rate
    (8/256 deg/s) | 46 TAS status | 47-56 true airspeed (2 kt). Plausible: |roll| ≤ 35° (airliners seldom bank
    more; beyond that the reply is more likely another register), speeds ≤ 600 kt and within 200 kt of each other.
    """
    ok = ~_wrong_status(mb, 1, 2, 10) & ~_wrong_status(mb, 12, 13, 11) & ~_wrong_status(mb, 24, 25, 10)
    ok &= ~_wrong_status(mb, 35, 36, 10) & ~_wrong_status(mb, 46, 47, 10)
    roll = _signed(mb, 2, 3, 9) * (45.0 / 256.0)
    gs = me_int(mb, 25, 10) * 2
    tas = me_int(mb, 47, 10) * 2
    gs_ok = me_field(mb, 24, 1) == 1
    tas_ok = me_field(mb, 46, 1) == 1
    ok &= (me_field(mb, 1, 1) == 0) | (np.abs(roll) <= 35.0)
    ok &= ~gs_ok | (gs <= 600)
    ok &= ~tas_ok | (tas <= 600)
    ok &= ~(gs_ok & tas_ok) | (np.abs(gs - tas) <= 200)
    return ok & (mb != 0)


def decode_bds50(mb: NDArray[np.uint64]) -> dict[str, NDArray]:
    return {
        "roll_deg": np.where(me_field(mb, 1, 1) == 1, _signed(mb, 2, 3, 9) * (45.0 / 256.0), np.nan),
        "track_deg": np.where(me_field(mb, 12, 1) == 1, (_signed(mb, 13, 14, 10) * (90.0 / 512.0)) % 360.0, np.nan),
        "ground_speed_kt": np.where(me_field(mb, 24, 1) == 1, me_int(mb, 25, 10) * 2.0, np.nan),
        "tas_kt": np.where(me_field(mb, 46, 1) == 1, me_int(mb, 47, 10) * 2.0, np.nan),
    }


def is_bds60(mb: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Heading and speed. MB 1 heading status | 2 sign | 3-12 magnetic heading (90/512 deg) | 13 IAS status |
    14-23 IAS (kt) | 24 Mach status | 25-34 Mach (2.048/512) | 35 baro VR status | 36 sign | 37-45 (32 ft/min) |
    46 inertial VR status | 47 sign | 48-56 (32 ft/min). Plausible: IAS ≤ 500 kt, Mach ≤ 1, |VR| ≤ 6,000 ft/min."""
    ok = ~_wrong_status(mb, 1, 2, 11) & ~_wrong_status(mb, 13, 14, 10) & ~_wrong_status(mb, 24, 25, 10)
    ok &= ~_wrong_status(mb, 35, 36, 10) & ~_wrong_status(mb, 46, 47, 10)
    ias_ok = me_field(mb, 13, 1) == 1
    mach_ok = me_field(mb, 24, 1) == 1
    ias = me_int(mb, 14, 10)
    mach = me_int(mb, 25, 10) * (2.048 / 512.0)
    ok &= ~ias_ok | ((ias > 0) & (ias <= 500))
    ok &= ~mach_ok | ((mach > 0) & (mach <= 1.0))
    vr_baro = _signed(mb, 36, 37, 9) * 32
    vr_ins = _signed(mb, 47, 48, 9) * 32
    ok &= (me_field(mb, 35, 1) == 0) | (np.abs(vr_baro) <= 6000)
    ok &= (me_field(mb, 46, 1) == 0) | (np.abs(vr_ins) <= 6000)
    return ok & (mb != 0)


def decode_bds60(mb: NDArray[np.uint64]) -> dict[str, NDArray]:
    baro_ok = me_field(mb, 35, 1) == 1
    ins_ok = me_field(mb, 46, 1) == 1
    vr_baro = np.where(baro_ok, _signed(mb, 36, 37, 9) * 32.0, np.nan)
    vr_ins = np.where(ins_ok, _signed(mb, 47, 48, 9) * 32.0, np.nan)
    return {
        "heading_deg": np.where(me_field(mb, 1, 1) == 1, (_signed(mb, 2, 3, 10) * (90.0 / 512.0)) % 360.0, np.nan),
        "ias_kt": np.where(me_field(mb, 13, 1) == 1, me_int(mb, 14, 10).astype(np.float64), np.nan),
        "mach": np.where(me_field(mb, 24, 1) == 1, me_int(mb, 25, 10) * (2.048 / 512.0), np.nan),
        "vertical_rate_fpm": np.where(baro_ok, vr_baro, vr_ins),
        "vertical_rate_inertial_fpm": vr_ins,
    }


def _angle_diff(a: NDArray, b: NDArray) -> NDArray:
    return np.abs((a - b + 180.0) % 360.0 - 180.0)


def infer(
    mb: NDArray[np.uint64], known_gs_kt: NDArray, known_track_deg: NDArray, known_heading_deg: NDArray
) -> NDArray[np.int8]:
    """Register code (index into :data:`BDS_LABELS`) for each MB field; ``known_*`` are NaN when unknown."""
    first = me_field(mb, 1, 8)
    out = np.full(mb.shape, UNKNOWN, dtype=np.int8)
    c40, c50, c60 = is_bds40(mb), is_bds50(mb), is_bds60(mb)
    n_heuristic = c40.astype(np.int8) + c50 + c60
    out[(n_heuristic == 1) & c40] = BDS40
    out[(n_heuristic == 1) & c50] = BDS50
    out[(n_heuristic == 1) & c60] = BDS60
    out[n_heuristic > 1] = AMBIGUOUS
    both = c50 & c60
    if both.any():
        d50 = decode_bds50(mb[both])
        d60 = decode_bds60(mb[both])
        gs, trk, hdg = known_gs_kt[both], known_track_deg[both], known_heading_deg[both]
        # Score = disagreement with what the aircraft is known to be doing (NaN: no evidence either way).
        terms = np.stack([np.abs(d50["ground_speed_kt"] - gs) / 10.0, _angle_diff(d50["track_deg"], trk) / 5.0])
        finite = np.isfinite(terms)
        count = finite.sum(axis=0)
        score50 = np.where(count > 0, np.where(finite, terms, 0.0).sum(axis=0) / np.maximum(count, 1), np.nan)
        ref_heading = np.where(np.isnan(hdg), trk, hdg)
        score60 = _angle_diff(d60["heading_deg"], ref_heading) / 5.0
        pick50 = np.isfinite(score50) & (~np.isfinite(score60) | (score50 < score60)) & (score50 < 3.0)
        pick60 = np.isfinite(score60) & (~np.isfinite(score50) | (score60 < score50)) & (score60 < 3.0)
        sub = np.where(pick50, BDS50, np.where(pick60, BDS60, AMBIGUOUS)).astype(np.int8)
        sub = np.where(c40[both] & (sub != AMBIGUOUS), AMBIGUOUS, sub)
        out[both] = sub
    # Format-identified registers win over heuristics.
    out[is_bds17(mb)] = BDS17
    out[(first == 0x10) & (me_field(mb, 9, 6) == 0)] = BDS10
    out[(first == 0x30)] = BDS30
    maybe20 = np.nonzero(first == 0x20)[0]
    if maybe20.size:
        out[maybe20[is_bds20(mb[maybe20])]] = BDS20
    out[mb == 0] = UNKNOWN
    return out
