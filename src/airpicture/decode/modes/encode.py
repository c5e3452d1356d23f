"""Vectorised Mode S / ADS-B encoder: numpy columns in, frames with valid CRC/parity out.

The simulator uses it to emit the same bytes a real transponder would, so the live chain runs through the real
decoder; tests use it for round trips. Every function takes equal-length arrays (scalars broadcast) and returns
uint8[n, 14] (long frames) or uint8[n, 7] (short frames).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airpicture.decode.modes import _callsign, cpr
from airpicture.decode.modes._altcode import ft_to_ac12, ft_to_ac13, squawk_to_id13
from airpicture.decode.modes._fields import U64, me_to_bytes, put_me
from airpicture.decode.modes.crc import crc24

#: ADS-B emergency/priority status code (TC 28 subtype 1) by name, as in the Measurement ``emergency`` column.
EMERGENCY_CODES = {
    None: 0,
    "none": 0,
    "general": 1,
    "lifeguard": 2,
    "minfuel": 3,
    "nordo": 4,
    "unlawful": 5,
    "downed": 6,
    "reserved": 7,
}


def _u32(values: ArrayLike, n: int | None = None) -> NDArray[np.uint32]:
    arr = np.asarray(values)
    if arr.dtype.kind in "USO":
        arr = np.array([int(str(v), 16) for v in np.atleast_1d(arr)], dtype=np.int64)
    arr = np.atleast_1d(arr).astype(np.uint32)
    return np.broadcast_to(arr, (n,)).copy() if n is not None and arr.size == 1 else arr


def _size(*values: ArrayLike) -> int:
    """Common length of the arguments (scalars broadcast)."""
    return max(int(np.size(v)) if not isinstance(v, str) else 1 for v in values)


def _bcast(values: ArrayLike, n: int, dtype: type = np.float64) -> NDArray:
    return np.broadcast_to(np.asarray(values, dtype=dtype), (n,)).copy()


def _long_frames(df: int, ca: ArrayLike, address: NDArray[np.uint32], me: NDArray[np.uint64]) -> NDArray[np.uint8]:
    """DF17/18-style frame: DF, CA/CF, address, ME and the CRC as parity."""
    n = address.size
    frames = np.zeros((n, 14), dtype=np.uint8)
    frames[:, 0] = (df << 3) | (np.broadcast_to(np.asarray(ca, dtype=np.int64), (n,)) & 0x7)
    frames[:, 1] = (address >> 16) & 0xFF
    frames[:, 2] = (address >> 8) & 0xFF
    frames[:, 3] = address & 0xFF
    frames[:, 4:11] = me_to_bytes(me)
    _set_parity(frames, 14, np.zeros(n, dtype=np.uint32))
    return frames


def _set_parity(frames: NDArray[np.uint8], n_bytes: int, xor: NDArray[np.uint32]) -> None:
    parity = crc24(frames, n_bytes - 3) ^ xor
    frames[:, n_bytes - 3] = (parity >> 16) & 0xFF
    frames[:, n_bytes - 2] = (parity >> 8) & 0xFF
    frames[:, n_bytes - 1] = parity & 0xFF


def adsb_identification(
    icao24: ArrayLike, callsign: Sequence[str], category: ArrayLike | str = "A0"
) -> NDArray[np.uint8]:
    """TC 1-4 identification and category. ``category`` is the emitter category text ("A3": set A, code 3) or
    an int code in set A."""
    n = max(_size(icao24), len(callsign))
    address = _u32(icao24, n)
    cats = np.broadcast_to(np.asarray(category), (n,))
    tc = np.empty(n, dtype=np.int64)
    ca = np.empty(n, dtype=np.int64)
    for i, c in enumerate(cats):
        text = str(c)
        if text[:1].isalpha():
            tc[i] = {"A": 4, "B": 3, "C": 2, "D": 1}[text[0].upper()]
            ca[i] = int(text[1:] or 0)
        else:
            tc[i], ca[i] = 4, int(text)
    me = put_me(tc, 1, 5) | put_me(ca, 6, 3) | _callsign.encode(list(callsign))
    return _long_frames(17, 5, address, me)


def adsb_airborne_position(
    icao24: ArrayLike, lat: ArrayLike, lon: ArrayLike, alt_ft: ArrayLike, odd: ArrayLike, tc: int = 11
) -> NDArray[np.uint8]:
    """Airborne position with barometric altitude (TC 9-18; 11 = NIC 8 by default)."""
    n = _size(icao24, lat, lon, alt_ft, odd)
    address = _u32(icao24, n)
    odd_b = _bcast(odd, n, bool)
    lat_cpr, lon_cpr = cpr.encode(_bcast(lat, n), _bcast(lon, n), odd_b)
    me = (
        put_me(np.full(n, tc), 1, 5)
        | put_me(ft_to_ac12(_bcast(alt_ft, n)), 9, 12)
        | put_me(odd_b, 22, 1)
        | put_me(lat_cpr, 23, 17)
        | put_me(lon_cpr, 40, 17)
    )
    return _long_frames(17, 5, address, me)


def adsb_surface_position(
    icao24: ArrayLike,
    lat: ArrayLike,
    lon: ArrayLike,
    gs_kt: ArrayLike,
    track_deg: ArrayLike,
    odd: ArrayLike,
    tc: int = 7,
) -> NDArray[np.uint8]:
    """Surface position (TC 5-8) with movement (ground speed) and ground track."""
    n = _size(icao24, lat, lon, gs_kt, track_deg, odd)
    address = _u32(icao24, n)
    odd_b = _bcast(odd, n, bool)
    lat_cpr, lon_cpr = cpr.encode(_bcast(lat, n), _bcast(lon, n), odd_b, surface=True)
    track = _bcast(track_deg, n)
    me = (
        put_me(np.full(n, tc), 1, 5)
        | put_me(_movement_code(_bcast(gs_kt, n)), 6, 7)
        | put_me(np.isfinite(track), 13, 1)
        | put_me(np.rint(np.nan_to_num(track) % 360.0 / 360.0 * 128.0) % 128, 14, 7)
        | put_me(odd_b, 22, 1)
        | put_me(lat_cpr, 23, 17)
        | put_me(lon_cpr, 40, 17)
    )
    return _long_frames(17, 5, address, me)


def _movement_code(gs_kt: NDArray) -> NDArray[np.int64]:
    """Inverse of the surface movement quantisation (DO-260B table 2-15), to the nearest step."""
    from airpicture.decode.modes.adsb import MOVEMENT_KT

    valid = np.isfinite(MOVEMENT_KT)
    codes = np.nonzero(valid)[0]
    speeds = MOVEMENT_KT[codes]
    idx = np.abs(np.nan_to_num(gs_kt, nan=-1e9)[:, None] - speeds[None, :]).argmin(axis=1)
    return np.where(np.isfinite(gs_kt), codes[idx], 0)


def adsb_airborne_velocity(
    icao24: ArrayLike, gs_kt: ArrayLike, track_deg: ArrayLike, vrate_fpm: ArrayLike
) -> NDArray[np.uint8]:
    """Airborne velocity over ground (TC 19 subtype 1, or 2 above 1,000 kt), vertical rate from the baro source."""
    n = _size(icao24, gs_kt, track_deg, vrate_fpm)
    address = _u32(icao24, n)
    gs = _bcast(gs_kt, n)
    trk = np.radians(_bcast(track_deg, n))
    supersonic = gs > 1000.0
    scale = np.where(supersonic, 4.0, 1.0)
    v_ew = np.rint(gs * np.sin(trk) / scale)
    v_ns = np.rint(gs * np.cos(trk) / scale)
    vr = np.nan_to_num(_bcast(vrate_fpm, n))
    vr_code = np.minimum(np.rint(np.abs(vr) / 64.0) + 1, 511)
    me = (
        put_me(np.full(n, 19), 1, 5)
        | put_me(np.where(supersonic, 2, 1), 6, 3)
        | put_me(v_ew < 0, 14, 1)
        | put_me(np.minimum(np.abs(v_ew) + 1, 1023), 15, 10)
        | put_me(v_ns < 0, 25, 1)
        | put_me(np.minimum(np.abs(v_ns) + 1, 1023), 26, 10)
        | put_me(np.ones(n), 36, 1)  # vertical rate source: barometric
        | put_me(vr < 0, 37, 1)
        | put_me(vr_code, 38, 9)
    )
    return _long_frames(17, 5, address, me)


def adsb_emergency_status(icao24: ArrayLike, squawk: ArrayLike, emergency: ArrayLike) -> NDArray[np.uint8]:
    """TC 28 subtype 1: emergency/priority status and the Mode A code."""
    n = _size(icao24, squawk)
    address = _u32(icao24, n)
    em = np.broadcast_to(np.asarray(emergency, dtype=object), (n,))
    codes = np.array([e if isinstance(e, int | np.integer) else EMERGENCY_CODES[e] for e in em], dtype=np.int64)
    sq = np.broadcast_to(np.asarray(squawk), (n,))
    me = (
        put_me(np.full(n, 28), 1, 5)
        | put_me(np.ones(n), 6, 3)
        | put_me(codes, 9, 3)
        | put_me(squawk_to_id13(sq), 12, 13)
    )
    return _long_frames(17, 5, address, me)


def adsb_operational_status(
    icao24: ArrayLike, version: ArrayLike = 2, nacp: ArrayLike = 9, sil: ArrayLike = 3, nic_a: ArrayLike = 0
) -> NDArray[np.uint8]:
    """TC 31 airborne operational status: ADS-B version, NIC supplement A, NACp, SIL."""
    n = _size(icao24, version, nacp, sil, nic_a)
    address = _u32(icao24, n)
    me = (
        put_me(np.full(n, 31), 1, 5)
        | put_me(_bcast(version, n, np.int64), 41, 3)
        | put_me(_bcast(nic_a, n, np.int64), 44, 1)
        | put_me(_bcast(nacp, n, np.int64), 45, 4)
        | put_me(_bcast(sil, n, np.int64), 51, 2)
    )
    return _long_frames(17, 5, address, me)


def df11_all_call(icao24: ArrayLike, capability: int = 5) -> NDArray[np.uint8]:
    """DF11 all-call reply to interrogator code 0 (parity = CRC)."""
    address = _u32(icao24)
    frames = np.zeros((address.size, 7), dtype=np.uint8)
    frames[:, 0] = (11 << 3) | capability
    frames[:, 1] = (address >> 16) & 0xFF
    frames[:, 2] = (address >> 8) & 0xFF
    frames[:, 3] = address & 0xFF
    _set_parity(frames, 7, np.zeros(address.size, dtype=np.uint32))
    return frames


def _surveillance_short(df: int, address: NDArray[np.uint32], code13: NDArray) -> NDArray[np.uint8]:
    """DF4/DF5: FS=0 (airborne), DR=0, UM=0, the 13-bit code, AP = CRC XOR address."""
    frames = np.zeros((address.size, 7), dtype=np.uint8)
    code = np.asarray(code13, dtype=np.int64)
    frames[:, 0] = df << 3
    frames[:, 2] = (code >> 8) & 0x1F
    frames[:, 3] = code & 0xFF
    _set_parity(frames, 7, address)
    return frames


def df4_altitude(icao24: ArrayLike, alt_ft: ArrayLike) -> NDArray[np.uint8]:
    address = _u32(icao24, _size(icao24, alt_ft))
    return _surveillance_short(4, address, ft_to_ac13(_bcast(alt_ft, address.size)))


def df5_identity(icao24: ArrayLike, squawk: ArrayLike) -> NDArray[np.uint8]:
    address = _u32(icao24, _size(icao24, squawk))
    sq = np.broadcast_to(np.asarray(squawk), (address.size,))
    return _surveillance_short(5, address, squawk_to_id13(sq))


def df20_bds20(icao24: ArrayLike, alt_ft: ArrayLike, callsign: Sequence[str]) -> NDArray[np.uint8]:
    """DF20 Comm-B altitude reply carrying BDS 2,0 (aircraft identification)."""
    n = max(_size(icao24, alt_ft), len(callsign))
    address = _u32(icao24, n)
    frames = np.zeros((n, 14), dtype=np.uint8)
    code = ft_to_ac13(_bcast(alt_ft, n))
    frames[:, 0] = 20 << 3
    frames[:, 2] = (code >> 8) & 0x1F
    frames[:, 3] = code & 0xFF
    me = put_me(np.full(n, 0x20), 1, 8) | _callsign.encode(list(callsign))
    frames[:, 4:11] = me_to_bytes(me.astype(U64))
    _set_parity(frames, 14, address)
    return frames
