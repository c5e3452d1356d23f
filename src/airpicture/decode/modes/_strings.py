"""Arrow string columns built from numpy without a Python object per row (icao24, squawk, enumerations)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _fixed_width(chars: NDArray[np.uint8], valid: NDArray[np.bool_] | None) -> pa.StringArray:
    n, width = chars.shape
    offsets = (np.arange(n + 1, dtype=np.int32) * width).astype(np.int32)
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars).tobytes()), bitmap
    )


def icao24_strings(address: NDArray[np.uint32], valid: NDArray[np.bool_] | None = None) -> pa.StringArray:
    """24-bit addresses as 6 lower-case hex digits."""
    shifts = np.arange(20, -1, -4, dtype=np.uint32)
    nibbles = (address.astype(np.uint32)[:, None] >> shifts[None, :]) & np.uint32(0xF)
    return _fixed_width(_HEX[nibbles], valid)


def squawk_strings(squawk: NDArray[np.int16]) -> pa.StringArray:
    """Squawks held as ints with octal digits (7700), -1 for none, as 4-character text."""
    sq = np.asarray(squawk, dtype=np.int64)
    valid = sq >= 0
    digits = np.stack([(sq // 1000) % 10, (sq // 100) % 10, (sq // 10) % 10, sq % 10], axis=1)
    chars = (np.where(valid[:, None], digits, 0) + 0x30).astype(np.uint8)
    return _fixed_width(chars, valid)


def enum_strings(codes: NDArray, labels: list[str | None]) -> pa.Array:
    """Small integer codes as text through a dictionary (null for negative codes or None labels)."""
    codes = np.asarray(codes, dtype=np.int64)
    dictionary = pa.array(labels, type=pa.string())
    mask = (codes < 0) | (codes >= len(labels))
    indices = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())
