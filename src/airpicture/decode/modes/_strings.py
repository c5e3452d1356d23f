"""Arrow string columns built from numpy without a Python object per row (icao24, squawk, enumerations)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _fixed_width(chars: NDArray[np.uint8], valid: NDArray[np.bool_] | None) -> pa.StringArray:
    n, width = chars.shape
    offsets = (np.arange(n + 1, dtype=np.int32) * width).astype(np.int32)
    bitmap = None if valid is None else _bitmap(valid)
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


def _bitmap(valid: NDArray[np.bool_]) -> pa.Buffer | None:
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


def numeric(values: NDArray, valid: NDArray[np.bool_] | None = None) -> pa.Array:
    """A numpy column as Arrow without going through ``pa.array`` (which imports pandas, seconds, on first use)."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        arrow_type = pa.bool_()
    else:
        data = pa.py_buffer(values)
        arrow_type = pa.from_numpy_dtype(values.dtype)
    bitmap = None if valid is None else _bitmap(valid)
    return pa.Array.from_buffers(arrow_type, values.size, [bitmap, data])


def floats(values: NDArray) -> pa.Array:
    """float64 column, NaN as null."""
    values = np.asarray(values, dtype=np.float64)
    return numeric(values, ~np.isnan(values))


def small_ints(values: NDArray) -> pa.Array:
    """int8 column, negative as null."""
    values = np.asarray(values, dtype=np.int8)
    return numeric(values, values >= 0)


def string_list(labels: list[str | None]) -> pa.StringArray:
    """A short list of Python strings as Arrow (None as null), built from buffers like the rest."""
    encoded = [(label or "").encode("utf-8") for label in labels]
    offsets = np.zeros(len(labels) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    valid = np.array([label is not None for label in labels], dtype=bool)
    return pa.StringArray.from_buffers(
        len(labels), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)), _bitmap(valid) if len(labels) else None
    )


def enum_strings(codes: NDArray, labels: list[str | None]) -> pa.StringArray:
    """Small integer codes as text (null for negative codes or None labels), gathered from a byte matrix of the
    labels: no dictionary cast, which would import ``pyarrow.compute`` (a second) on first use."""
    codes = np.asarray(codes, dtype=np.int64)
    encoded = [(label or "").encode("utf-8") for label in labels]
    width = max((len(e) for e in encoded), default=0) or 1
    matrix = np.zeros((len(labels) + 1, width), dtype=np.uint8)
    lengths = np.zeros(len(labels) + 1, dtype=np.int32)
    for row, e in enumerate(encoded):
        matrix[row, : len(e)] = np.frombuffer(e, dtype=np.uint8)
        lengths[row] = len(e)
    label_valid = np.array([label is not None for label in labels] + [False])
    valid = (codes >= 0) & (codes < len(labels))
    rows = np.where(valid, codes, len(labels))
    valid &= label_valid[rows]
    row_len = np.where(valid, lengths[rows], 0)
    data = matrix[rows][np.arange(width)[None, :] < row_len[:, None]]
    offsets = np.zeros(codes.size + 1, dtype=np.int32)
    np.cumsum(row_len, out=offsets[1:])
    return pa.StringArray.from_buffers(
        codes.size, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()), _bitmap(valid) if codes.size else None
    )
