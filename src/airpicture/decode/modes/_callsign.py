"""The 6-bit ICAO character set of ADS-B identification (TC 1-4) and Comm-B BDS 2,0, vectorised.

Eight 6-bit characters fill ME/MB bits 9-56. Index 32 is a space (padding); letters sit at 1-26 and digits at
48-57; every other index is illegal and shows as ``#``, which makes a Comm-B reply fail the BDS 2,0 test.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from airpicture.decode.modes._fields import U64

CHARSET = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
_CHAR_BYTES = np.frombuffer(CHARSET.encode("ascii"), dtype=np.uint8)
_LEGAL = np.array([c != "#" for c in CHARSET])
_INDEX = {c: i for i, c in enumerate(CHARSET) if c != "#"}


def char_indices(me: NDArray[np.uint64]) -> NDArray[np.int64]:
    """The eight 6-bit character indices of each message, shape (n, 8)."""
    shifts = np.arange(42, -1, -6, dtype=np.uint64)
    return ((me[:, None] >> shifts[None, :]) & U64(0x3F)).astype(np.int64)


def all_legal(indices: NDArray[np.int64]) -> NDArray[np.bool_]:
    return _LEGAL[indices].all(axis=1)


def to_arrow(bits: NDArray[np.uint64], valid: NDArray[np.bool_]) -> pa.StringArray:
    """Callsigns (48-bit character fields) as an Arrow string column, trailing spaces removed; null where not
    ``valid`` or blank. Only the valid rows are expanded, into one byte buffer with an offsets array: no Python
    string per row."""
    n = bits.size
    rows = np.nonzero(valid)[0]
    chars = _CHAR_BYTES[char_indices(bits[rows])]  # (k, 8) ascii
    pos = np.arange(1, 9)
    length = np.max(np.where(chars != 0x20, pos[None, :], 0), axis=1) if rows.size else np.zeros(0, np.int64)
    data = chars[pos[None, :] <= length[:, None]]
    row_len = np.zeros(n, dtype=np.int32)
    row_len[rows] = length
    valid = row_len > 0
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(row_len, out=offsets[1:])
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if not valid.all() else None
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()), bitmap)


def encode(callsigns: list[str]) -> NDArray[np.uint64]:
    """Callsigns (up to 8 characters, upper case) as the 48-bit character field, ready to shift into ME bits 9-56."""
    out = np.zeros(len(callsigns), dtype=np.uint64)
    for row, callsign in enumerate(callsigns):
        value = 0
        for c in callsign.upper().ljust(8)[:8]:
            value = (value << 6) | _INDEX.get(c, 32)
        out[row] = value
    return out
