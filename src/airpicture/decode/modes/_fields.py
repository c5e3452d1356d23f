"""Bit fields of Mode S frames as numpy integer columns.

Numbering follows the standards: frame bits 1..112 (DF = bits 1-5, address = 9-32), and within the 56-bit ADS-B /
Comm-B message field ME/MB, bits 1..56 ("ME bits 1-5: type code"), so a decoder line can be checked against the
ICAO Annex 10 / DO-260B tables on the same screen.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

U64 = np.uint64


def header32(data: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """Frame bits 1-32 (DF, CA/FS/..., and the address or AA field) as uint32."""
    d = data[:, :4].astype(np.uint32)
    return (d[:, 0] << 24) | (d[:, 1] << 16) | (d[:, 2] << 8) | d[:, 3]


def message56(data: NDArray[np.uint8]) -> NDArray[np.uint64]:
    """Frame bits 33-88 of a long frame: the 56-bit ME (ADS-B) or MB (Comm-B) field, as uint64."""
    d = data[:, 4:11].astype(U64)
    out = d[:, 0] << U64(48)
    for i in range(1, 7):
        out |= d[:, i] << U64(48 - 8 * i)
    return out


@functools.cache
def _shift_mask(first_bit: int, n_bits: int) -> tuple[np.uint64, np.uint64]:
    return U64(56 - (first_bit + n_bits - 1)), U64((1 << n_bits) - 1)


def me_field(me: NDArray[np.uint64], first_bit: int, n_bits: int) -> NDArray[np.uint64]:
    """ME/MB bits ``first_bit`` .. ``first_bit + n_bits - 1`` (1-based, as printed in the standards)."""
    shift, mask = _shift_mask(first_bit, n_bits)
    return (me >> shift) & mask


def me_int(me: NDArray[np.uint64], first_bit: int, n_bits: int) -> NDArray[np.int64]:
    return me_field(me, first_bit, n_bits).astype(np.int64)


def put_me(values: NDArray, first_bit: int, n_bits: int) -> NDArray[np.uint64]:
    """Inverse of :func:`me_field`: place ``values`` at ME bits ``first_bit``.. of a zero ME."""
    shift = 56 - (first_bit + n_bits - 1)
    return (np.asarray(values).astype(np.int64).astype(U64) & U64((1 << n_bits) - 1)) << U64(shift)


def me_to_bytes(me: NDArray[np.uint64]) -> NDArray[np.uint8]:
    """56-bit ME values as uint8[n, 7] big-endian."""
    shifts = np.arange(48, -1, -8, dtype=np.uint64)
    return ((me[:, None] >> shifts[None, :]) & U64(0xFF)).astype(np.uint8)
