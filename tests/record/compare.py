"""Comparing two runs' system tracks column for column, saying where they first part when they do."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from airpicture.core import schema

COMPARED = [n for n in schema.SYSTEM_TRACK.names if n != "flight_plan"]


def assert_same_tracks(got: pa.Table, expected: pa.Table) -> None:
    """Bit-for-bit the same rows in the same order (the tracker is deterministic across processes)."""
    assert got.num_rows == expected.num_rows, f"{got.num_rows} track rows, expected {expected.num_rows}"
    if got.select(COMPARED).equals(expected.select(COMPARED)):
        return
    for name in COMPARED:
        a, b = got.column(name).to_pylist(), expected.column(name).to_pylist()
        differ = np.array([x != y and not (x != x and y != y) for x, y in zip(a, b, strict=True)])  # NaN == NaN
        if differ.any():
            first = int(np.argmax(differ))
            raise AssertionError(
                f"{name}: {int(differ.sum())} of {len(a)} rows differ, first at row {first}: {a[first]!r} != "
                f"{b[first]!r} (track {expected.column('track_id')[first]}, time {expected.column('time_s')[first]})"
            )
    raise AssertionError("the tables differ in their column types")
