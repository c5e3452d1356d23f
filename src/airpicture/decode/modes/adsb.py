"""ADS-B extended squitter (DF17/18) message fields, decoded for a whole batch at once.

Each function takes the 56-bit ME fields of the frames of one kind (uint64 array) and returns numpy columns, NaN
(or -1 for small integer codes) where the message says "no information". Layouts are DO-260B §2.2.3.2, with ME
bit numbers 1-56; the docstring of each function draws the message.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.decode.modes._altcode import ac12_to_ft
from airpicture.decode.modes._fields import me_field, me_int

EMERGENCY_LABELS: list[str | None] = [
    None,
    "general",
    "lifeguard",
    "minfuel",
    "nordo",
    "unlawful",
    "downed",
    "reserved",
]


def _movement_table() -> NDArray[np.float64]:
    """Surface movement code → ground speed in kt (DO-260B table 2-15); NaN for "no information"/reserved."""
    table = np.full(128, np.nan)
    table[1] = 0.0
    for code in range(2, 9):
        table[code] = 0.125 * (code - 1)
    for code in range(9, 13):
        table[code] = 1.0 + 0.25 * (code - 9)
    for code in range(13, 39):
        table[code] = 2.0 + 0.5 * (code - 13)
    for code in range(39, 94):
        table[code] = 15.0 + (code - 39)
    for code in range(94, 109):
        table[code] = 70.0 + 2.0 * (code - 94)
    for code in range(109, 124):
        table[code] = 100.0 + 5.0 * (code - 109)
    table[124] = 175.0
    return table


MOVEMENT_KT = _movement_table()

#: 1-sigma horizontal error (m) from NACp: the 95 % EPU bound of DO-260B table 2-71 divided by 2.45 (the 95 %
#: radius of a circular 2-D Gaussian).
NACP_SIGMA_M = (
    np.array([np.nan, 18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3, np.nan, np.nan, np.nan, np.nan])
    / 2.45
)
#: NUCp (version 0) from the position type code, and its 1-sigma (HPL/2.45): the only accuracy figure a v0
#: transponder gives.
NUCP_BY_TC = np.full(32, -1, dtype=np.int8)
NUCP_BY_TC[5:9] = [9, 8, 7, 6]
NUCP_BY_TC[9:19] = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
NUCP_BY_TC[20:23] = [9, 8, 0]
_HPL_BY_NUCP_M = np.array([np.nan, 37040, 18520, 3704, 1852, 926, 370.4, 185.2, 25, 7.5])
NUCP_SIGMA_M = _HPL_BY_NUCP_M / 2.45


def nic_from_tc(tc: NDArray, nic_a: NDArray, nic_b: NDArray) -> NDArray[np.int8]:
    """NIC (versions 1 and 2) from the position type code and the NIC supplements (DO-260B tables 2-14 / 2-15).

    Only TC 11 and 16 (airborne) and 7 (surface) depend on the supplements; TC 8 needs supplement C, which this
    decoder does not track, so it maps to the most conservative value, 0.
    """
    table = np.full(32, -1, dtype=np.int8)
    table[5:9] = [11, 10, 8, 0]
    table[9:19] = [11, 10, 8, 7, 6, 5, 4, 2, 1, 0]
    table[20:23] = [11, 10, 0]
    nic = table[tc]
    both = (nic_a == 1) & (nic_b == 1)
    nic = np.where((tc == 11) & both, 9, nic)
    nic = np.where((tc == 16) & both, 3, nic)
    nic = np.where((tc == 7) & (nic_a == 1), 9, nic)
    return nic.astype(np.int8)


def identification(me: NDArray[np.uint64]) -> dict[str, NDArray]:
    """TC 1-4. ME 1-5 TC | 6-8 emitter category within the set (set D, C, B, A for TC 1, 2, 3, 4) | 9-56 8 chars."""
    return {"category": me_int(me, 6, 3).astype(np.int8)}


def airborne_position(me: NDArray[np.uint64], tc: NDArray) -> dict[str, NDArray]:
    """TC 9-18 (baro) and 20-22 (GNSS height).

    ME 1-5 TC | 6-7 surveillance status | 8 NIC supplement B | 9-20 altitude (AC12, or GNSS height in m for TC
    20-22) | 21 T (UTC sync) | 22 F (0 even, 1 odd) | 23-39 CPR latitude | 40-56 CPR longitude.
    Surveillance status 1 and 2 flag a permanent or temporary alert (squawk change, 7500/7600/7700) and 3 the SPI.
    """
    alt_code = me_int(me, 9, 12)
    gnss = tc >= 20
    baro_ft = np.where(gnss, np.nan, ac12_to_ft(alt_code))
    # GNSS height (HAE) in metres, whole feet as the reference decoders give it.
    geo_ft = np.where(gnss & (alt_code > 0), np.trunc(alt_code * 3.28084), np.nan)
    return {
        "surveillance_status": me_int(me, 6, 2).astype(np.int8),
        "nic_b": me_int(me, 8, 1).astype(np.int8),
        "alt_baro_ft": baro_ft,
        "alt_geo_ft": geo_ft,
        "odd": me_field(me, 22, 1).astype(bool),
        "lat_cpr": me_int(me, 23, 17),
        "lon_cpr": me_int(me, 40, 17),
    }


def surface_position(me: NDArray[np.uint64]) -> dict[str, NDArray]:
    """TC 5-8. ME 1-5 TC | 6-12 movement (quantised ground speed) | 13 track status | 14-20 ground track
    (360/128 deg) | 21 T | 22 F | 23-39 CPR latitude | 40-56 CPR longitude (90° surface zones)."""
    track_ok = me_field(me, 13, 1).astype(bool)
    return {
        "ground_speed_kt": MOVEMENT_KT[me_int(me, 6, 7)],
        "track_deg": np.where(track_ok, me_int(me, 14, 7) * (360.0 / 128.0), np.nan),
        "odd": me_field(me, 22, 1).astype(bool),
        "lat_cpr": me_int(me, 23, 17),
        "lon_cpr": me_int(me, 40, 17),
    }


def airborne_velocity(me: NDArray[np.uint64]) -> dict[str, NDArray]:
    """TC 19. ME 6-8 subtype: 1/2 ground velocity (2 = supersonic, 4 kt steps), 3/4 heading and airspeed.

    Subtypes 1/2: 14 E/W sign (1 = west) | 15-24 E/W speed + 1 | 25 N/S sign (1 = south) | 26-35 N/S speed + 1.
    Subtypes 3/4: 14 heading status | 15-24 magnetic heading (360/1024 deg) | 25 airspeed type (0 IAS, 1 TAS) |
    26-35 airspeed + 1. All: 36 vertical rate source (0 GNSS, 1 baro) | 37 sign (1 = down) | 38-46 rate/64 + 1 |
    49 sign and 50-56 GNSS minus baro altitude / 25 ft + 1.
    A zero speed field means "no information" and the velocity is withheld, never reported as 0.
    """
    subtype = me_int(me, 6, 3)
    scale = np.where((subtype == 2) | (subtype == 4), 4.0, 1.0)
    ground = (subtype == 1) | (subtype == 2)
    air = (subtype == 3) | (subtype == 4)
    ew_raw = me_int(me, 15, 10)
    ns_raw = me_int(me, 26, 10)
    v_ew = np.where(me_field(me, 14, 1) == 1, -1.0, 1.0) * (ew_raw - 1) * scale
    v_ns = np.where(me_field(me, 25, 1) == 1, -1.0, 1.0) * (ns_raw - 1) * scale
    has_ground = ground & (ew_raw > 0) & (ns_raw > 0)
    gs = np.where(has_ground, np.hypot(v_ew, v_ns), np.nan)
    track = np.where(has_ground, np.degrees(np.arctan2(v_ew, v_ns)) % 360.0, np.nan)
    heading_ok = air & (me_field(me, 14, 1) == 1)
    heading = np.where(heading_ok, me_int(me, 15, 10) * (360.0 / 1024.0), np.nan)
    as_raw = me_int(me, 26, 10)
    airspeed = np.where(air & (as_raw > 0), (as_raw - 1) * scale, np.nan)
    tas = me_field(me, 25, 1) == 1
    vr_raw = me_int(me, 38, 9)
    vr = np.where(vr_raw > 0, np.where(me_field(me, 37, 1) == 1, -1.0, 1.0) * (vr_raw - 1) * 64.0, np.nan)
    vr_baro = me_field(me, 36, 1) == 1
    diff_raw = me_int(me, 50, 7)
    geo_minus_baro = np.where(
        diff_raw > 0, np.where(me_field(me, 49, 1) == 1, -1.0, 1.0) * (diff_raw - 1) * 25.0, np.nan
    )
    return {
        "velocity_subtype": subtype.astype(np.int8),
        "ground_speed_kt": gs,
        "track_deg": track,
        "heading_deg": heading,
        "ias_kt": np.where(tas, np.nan, airspeed),
        "tas_kt": np.where(tas, airspeed, np.nan),
        "vertical_rate_fpm": vr,
        "vertical_rate_baro": vr_baro,
        "geo_minus_baro_ft": geo_minus_baro,
        "nac_v": me_int(me, 11, 3).astype(np.int8),
    }


def aircraft_status(me: NDArray[np.uint64]) -> dict[str, NDArray]:
    """TC 28 subtype 1: ME 9-11 emergency/priority state (0 none … 6 downed) | 12-24 Mode A code (ID13).
    Subtype 2 is the ACAS RA broadcast: no emergency and no squawk."""
    from airpicture.decode.modes._altcode import id13_to_squawk

    subtype = me_int(me, 6, 3)
    is_status = subtype == 1
    id13 = me_int(me, 12, 13)
    return {
        "emergency_code": np.where(is_status, me_int(me, 9, 3), -1),
        "squawk": np.where(is_status & (id13 > 0), id13_to_squawk(id13), -1).astype(np.int16),
    }


def target_state(me: NDArray[np.uint64]) -> dict[str, NDArray]:
    """TC 29 subtype 1 (version 2): target state and status.

    ME 6-7 subtype | 8 SIL supplement | 9 selected altitude source (0 MCP/FCU, 1 FMS) | 10-20 selected altitude
    ((v-1)·32 ft) | 21-29 baro setting ((v-1)·0.8 + 800 hPa) | 30 heading status | 31-39 selected heading
    (180/256 deg) | 40-43 NACp | 44 NIC baro | 45-46 SIL | 47 mode bits valid | 48 autopilot | 49 VNAV |
    50 altitude hold | 51 reserved | 52 approach | 53 TCAS operational | 54 LNAV.
    """
    subtype = me_int(me, 6, 2)
    v2 = subtype == 1
    alt_raw = me_int(me, 10, 11)
    baro_raw = me_int(me, 21, 9)
    hdg_ok = v2 & (me_field(me, 30, 1) == 1)
    return {
        "selected_alt_ft": np.where(v2 & (alt_raw > 0), (alt_raw - 1) * 32.0, np.nan),
        "baro_setting_hpa": np.where(v2 & (baro_raw > 0), (baro_raw - 1) * 0.8 + 800.0, np.nan),
        "selected_heading_deg": np.where(hdg_ok, me_int(me, 31, 9) * (180.0 / 256.0), np.nan),
        "nacp": np.where(v2, me_int(me, 40, 4), -1).astype(np.int8),
        "sil": np.where(v2, me_int(me, 45, 2), -1).astype(np.int8),
    }


def operational_status(me: NDArray[np.uint64]) -> dict[str, NDArray]:
    """TC 31. ME 6-8 subtype (0 airborne, 1 surface) | 41-43 ADS-B version (0 DO-260, 1 DO-260A, 2 DO-260B) |
    44 NIC supplement A | 45-48 NACp | 51-52 SIL | 55 SIL supplement (v2: per sample instead of per hour).

    Version 0 defines none of these fields (its accuracy is the NUCp in the position type code), so for v0 the
    NACp, SIL and supplement are reported as unknown rather than read from bits that mean something else.
    """
    version = me_int(me, 41, 3)
    v12 = (version == 1) | (version == 2)
    return {
        "adsb_version": version.astype(np.int8),
        "nic_a": np.where(v12, me_int(me, 44, 1), -1).astype(np.int8),
        "nacp": np.where(v12, me_int(me, 45, 4), -1).astype(np.int8),
        "sil": np.where(v12, me_int(me, 51, 2), -1).astype(np.int8),
        "sil_per_sample": np.where(version == 2, me_int(me, 55, 1), -1).astype(np.int8),
        "surface_status": me_int(me, 6, 3) == 1,
    }
