"""Arrow string columns built from numpy without a Python object per row (icao24, squawk, enumerations)."""

from __future__ import annotations

import functools

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


#: byte → its two lower-case hex digits, as a little-endian uint16 (first digit in the low byte)
_HEX2 = (_HEX[np.arange(256) >> 4].astype(np.uint16) | (_HEX[np.arange(256) & 0xF].astype(np.uint16) << 8)).astype(
    np.uint16
)
#: squawk held as an int with octal digits (0..7777) → its four ASCII digits as a little-endian uint32
_SQUAWK4 = np.array([int.from_bytes(f"{v:04d}".encode(), "little") for v in range(10000)], dtype=np.uint32)


def icao24_strings(address: NDArray[np.uint32], valid: NDArray[np.bool_] | None = None) -> pa.StringArray:
    """24-bit addresses as 6 lower-case hex digits (one 256-entry table look-up per address byte)."""
    address = np.asarray(address, dtype=np.uint32)
    octets = np.stack([(address >> 16) & 0xFF, (address >> 8) & 0xFF, address & 0xFF], axis=1)
    chars = _HEX2[octets].view(np.uint8).reshape(address.size, 6)
    return _fixed_width(chars, valid)


def squawk_strings(squawk: NDArray[np.int16]) -> pa.StringArray:
    """Squawks held as ints with octal digits (7700), -1 for none, as 4-character text (nulls take no bytes)."""
    sq = np.asarray(squawk, dtype=np.int64)
    valid = (sq >= 0) & (sq < 10000)
    chars = _SQUAWK4[sq[valid]].view(np.uint8)
    offsets = np.zeros(sq.size + 1, dtype=np.int32)
    np.cumsum(np.where(valid, 4, 0), out=offsets[1:])
    return pa.StringArray.from_buffers(
        sq.size, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()), _bitmap(valid) if sq.size else None
    )


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


@functools.cache
def _label_bytes(labels: tuple[str | None, ...]) -> tuple[list[bytes], NDArray, NDArray, NDArray, NDArray]:
    encoded = [(label or "").encode("utf-8") for label in labels]
    label_valid = np.array([label is not None for label in labels] + [False])
    lengths = np.array([len(e) for e in encoded] + [0], dtype=np.int64)
    label_start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    blob = np.frombuffer(b"".join(encoded) + b"\0", dtype=np.uint8)
    return encoded, label_valid, lengths, label_start, blob


def enum_strings(codes: NDArray, labels: list[str | None]) -> pa.StringArray:
    """Small integer codes as text (null for negative codes or None labels), gathered byte by byte from the
    labels: no dictionary cast, which would import ``pyarrow.compute`` (a second) on first use."""
    codes = np.asarray(codes, dtype=np.int64)
    n = codes.size
    encoded, label_valid, lengths, label_start, blob = _label_bytes(tuple(labels))
    valid = (codes >= 0) & (codes < len(labels))
    rows = np.where(valid, codes, len(labels))
    valid &= label_valid[rows]
    if len(labels) == 1 and valid.all():  # one label everywhere (the sensor column)
        offsets = (np.arange(n + 1, dtype=np.int32) * len(encoded[0])).astype(np.int32)
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(encoded[0] * n))
    row_len = np.where(valid, lengths[rows], 0)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(row_len, out=offsets[1:])
    total = int(offsets[-1])
    # byte k of the output = byte (k - offset of its row) of its row's label
    within = np.arange(total) - np.repeat(offsets[:-1], row_len)
    data = blob[np.repeat(label_start[rows], row_len) + within]
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data.tobytes()), _bitmap(valid) if n else None
    )
