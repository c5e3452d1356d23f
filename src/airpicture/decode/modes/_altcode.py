"""Altitude (AC13/AC12) and identity (ID13) codes, decoded through look-up tables.

Both fields are at most 13 bits, so every possible value is decoded once at import (8,192 entries, a few ms) and a
batch is decoded with one fancy-indexing step. The per-value logic below follows ICAO Annex 10 Vol IV:

- AC13 bit order ``C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4``. M=1 is metric (not used in practice: unknown here).
  Q=1: the 11 remaining bits count 25 ft steps from -1000 ft. Q=0: Gillham (Gray-coded 100 ft steps), used above
  50,175 ft and by old transponders.
- AC12 (ADS-B airborne position) is AC13 without the M bit.
- ID13 bit order ``C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4``; the squawk is the four octal digits ABCD.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def _id13_to_gillham_hex(id13: int) -> int:
    """ID13 bits to 0xABCD (one octal digit per nibble), the layout both the squawk and Gillham decoding use."""
    mapping = [
        (0x1000, 0x0010),  # C1
        (0x0800, 0x1000),  # A1
        (0x0400, 0x0020),  # C2
        (0x0200, 0x2000),  # A2
        (0x0100, 0x0040),  # C4
        (0x0080, 0x4000),  # A4
        (0x0020, 0x0100),  # B1
        (0x0010, 0x0001),  # D1 (Q in an altitude code)
        (0x0008, 0x0200),  # B2
        (0x0004, 0x0002),  # D2
        (0x0002, 0x0400),  # B4
        (0x0001, 0x0004),  # D4
    ]
    out = 0
    for src, dst in mapping:
        if id13 & src:
            out |= dst
    return out


def _gillham_to_hundreds_ft(mode_a: int) -> int | None:
    """Gillham (Mode C) code in 0xABCD layout to altitude in 100 ft units, None when the code is illegal."""
    if (mode_a & 0xFFFF8889) or (mode_a & 0x00F0) == 0:
        return None
    one_hundreds = 0
    if mode_a & 0x0010:
        one_hundreds ^= 0x007
    if mode_a & 0x0020:
        one_hundreds ^= 0x003
    if mode_a & 0x0040:
        one_hundreds ^= 0x001
    if (one_hundreds & 5) == 5:
        one_hundreds ^= 2
    if one_hundreds > 5:
        return None
    five_hundreds = 0
    for bit, flip in (
        (0x0002, 0x0FF),
        (0x0004, 0x07F),
        (0x1000, 0x03F),
        (0x2000, 0x01F),
        (0x4000, 0x00F),
        (0x0100, 0x007),
        (0x0200, 0x003),
        (0x0400, 0x001),
    ):
        if mode_a & bit:
            five_hundreds ^= flip
    if five_hundreds & 1:
        one_hundreds = 6 - one_hundreds
    return five_hundreds * 5 + one_hundreds - 13


def _ac13_altitude_ft(ac13: int) -> float:
    if ac13 == 0 or ac13 & 0x0040:  # no altitude, or metric
        return float("nan")
    if ac13 & 0x0010:  # Q bit: 25 ft steps
        n = ((ac13 & 0x1F80) >> 2) | ((ac13 & 0x0020) >> 1) | (ac13 & 0x000F)
        return float(n * 25 - 1000)
    hundreds = _gillham_to_hundreds_ft(_id13_to_gillham_hex(ac13))
    return float("nan") if hundreds is None else float(hundreds * 100)


AC13_ALTITUDE_FT: NDArray[np.float64] = np.array([_ac13_altitude_ft(v) for v in range(8192)])
#: AC12 → AC13 by inserting a zero M bit between bits 6 and 7 (from the LSB).
_AC12_AS_AC13 = np.array([((v & 0xFC0) << 1) | (v & 0x3F) for v in range(4096)])
AC12_ALTITUDE_FT: NDArray[np.float64] = AC13_ALTITUDE_FT[_AC12_AS_AC13]

_ID13_HEX = np.array([_id13_to_gillham_hex(v) for v in range(8192)], dtype=np.int32)
#: ID13 → squawk as an int whose decimal digits are the octal digits (7700 for 7700).
ID13_SQUAWK: NDArray[np.int16] = np.array([int(f"{_id13_to_gillham_hex(v):04x}") for v in range(8192)], dtype=np.int16)


def ac13_to_ft(ac13: NDArray) -> NDArray[np.float64]:
    return AC13_ALTITUDE_FT[np.asarray(ac13, dtype=np.int64) & 0x1FFF]


def ac12_to_ft(ac12: NDArray) -> NDArray[np.float64]:
    return AC12_ALTITUDE_FT[np.asarray(ac12, dtype=np.int64) & 0xFFF]


def id13_to_squawk(id13: NDArray) -> NDArray[np.int16]:
    return ID13_SQUAWK[np.asarray(id13, dtype=np.int64) & 0x1FFF]


# ---- encoding (simulator, tests) ----


def ft_to_ac13(alt_ft: NDArray) -> NDArray[np.int64]:
    """Altitude to a Q=1 (25 ft) AC13 code; altitudes outside -1000..50175 ft give 0 (no altitude)."""
    alt = np.asarray(alt_ft, dtype=np.float64)
    n = np.rint((alt + 1000.0) / 25.0)
    ok = np.isfinite(n) & (n >= 0) & (n <= 2047)
    n = np.where(ok, n, 0).astype(np.int64)
    code = ((n & 0x7E0) << 2) | ((n & 0x10) << 1) | 0x10 | (n & 0xF)
    return np.where(ok, code, 0)


def ft_to_ac12(alt_ft: NDArray) -> NDArray[np.int64]:
    ac13 = ft_to_ac13(alt_ft)
    return ((ac13 >> 1) & 0xFC0) | (ac13 & 0x3F)


def squawk_to_id13(squawk: NDArray) -> NDArray[np.int64]:
    """Squawk (int with octal digits, e.g. 7700, or a 4-digit string) to the ID13 field."""
    sq = (
        np.array([int(s) for s in squawk], dtype=np.int64)
        if np.asarray(squawk).dtype.kind in "USO"
        else np.asarray(squawk, dtype=np.int64)
    )
    a, b, c, d = (sq // 1000) % 10, (sq // 100) % 10, (sq // 10) % 10, sq % 10
    bit = lambda digit, w: (digit >> w) & 1  # noqa: E731
    return (
        (bit(c, 0) << 12)
        | (bit(a, 0) << 11)
        | (bit(c, 1) << 10)
        | (bit(a, 1) << 9)
        | (bit(c, 2) << 8)
        | (bit(a, 2) << 7)
        | (bit(b, 0) << 5)
        | (bit(d, 0) << 4)
        | (bit(b, 1) << 3)
        | (bit(d, 1) << 2)
        | (bit(b, 2) << 1)
        | bit(d, 2)
    )
