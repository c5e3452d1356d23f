"""What a recording holds: one table per bus payload kind, with the contract columns plus bookkeeping.

Every recorded row carries ``seq`` (a recording-wide row number, so replay restores the exact order) and ``batch``
(the number of the bus message it came in, so replay restores the exact batch boundaries the live chain saw: a
tracker fed the same batches in the same order gives the same tracks). The ``batches`` table indexes the messages
themselves: subject, row range and time span, which is what replay paces itself by.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core import bus, schema


class ForeignSchemaError(ValueError):
    """A payload whose columns are not the contract's (missing a required column, or a column of another type)."""


#: Recorded extras beyond the contract: decoded Mode S rows carry df/tc; alert events carry their lifecycle state.
_MEASUREMENT_EXTRAS = [pa.field("df", pa.int16()), pa.field("tc", pa.int16())]
_ALERT_EXTRAS = [
    pa.field("time_s", pa.float64()),
    pa.field("state", pa.string()),
    pa.field("message", pa.string()),
    pa.field("icao24", pa.string()),
    pa.field("callsign", pa.string()),
]
_BOOKKEEPING = [pa.field("seq", pa.int64()), pa.field("batch", pa.int64())]

#: table name → (recorded schema, columns a payload must have to be accepted).
RECORDED: dict[str, tuple[pa.Schema, tuple[str, ...]]] = {
    "measurements": (pa.schema([*schema.MEASUREMENT, *_MEASUREMENT_EXTRAS, *_BOOKKEEPING]), ("time_s",)),
    "tracks": (pa.schema([*schema.SYSTEM_TRACK, *_BOOKKEEPING]), ("time_s", "track_id")),
    "alerts": (pa.schema([*schema.ALERT, *_ALERT_EXTRAS, *_BOOKKEEPING]), ("alert_id", "kind")),
}

BATCHES = pa.schema(
    [
        ("batch", pa.int64()),
        ("subject", pa.string()),
        ("table_name", pa.string()),
        ("first_seq", pa.int64()),
        ("rows", pa.int64()),
        ("min_time_s", pa.float64()),
        ("max_time_s", pa.float64()),
        ("wall_time_s", pa.float64()),
    ]
)


def table_for_subject(subject: str) -> str | None:
    """The recording table a bus subject goes to, or None for a subject the recorder does not know."""
    if subject == bus.TRACKS:
        return "tracks"
    if subject == bus.ALERTS:
        return "alerts"
    if subject.startswith(bus.MEASUREMENTS + ".") and len(subject) > len(bus.MEASUREMENTS) + 1:
        return "measurements"
    return None


def subject_for_rows(table_name: str, sensor: str | None) -> str:
    if table_name == "tracks":
        return bus.TRACKS
    if table_name == "alerts":
        return bus.ALERTS
    return bus.measurement_subject(sensor or "unknown")


def conform_payload(table_name: str, table: pa.Table, subject: str = "") -> pa.Table:
    """The payload in the recorded column layout (without seq/batch). Raises ForeignSchemaError on a foreign schema.

    Contract columns a payload lacks become nulls; extra columns the recording does not know are left out.
    A column of an incompatible type is a foreign schema, not something to coerce silently.
    """
    recorded, required = RECORDED[table_name]
    missing = [name for name in required if name not in table.column_names]
    if missing:
        raise ForeignSchemaError(f"{subject or table_name}: payload lacks required column(s) {', '.join(missing)}")
    n = table.num_rows
    arrays: list[pa.Array | pa.ChunkedArray] = []
    fields = [f for f in recorded if f.name not in ("seq", "batch")]
    for field in fields:
        if field.name not in table.column_names:
            arrays.append(pa.nulls(n, field.type))
            continue
        col = table.column(field.name)
        if col.type != field.type:
            try:
                col = col.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ForeignSchemaError(
                    f"{subject or table_name}: column {field.name!r} is {col.type}, the contract says {field.type}"
                ) from exc
        arrays.append(col)
    out = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    if table_name == "measurements" and out.column("sensor").null_count and subject.count(".") >= 2:
        # A gateway may leave the sensor column empty: the subject names it.
        sensor = subject.split(".", 2)[2]
        filled = pc.fill_null(out.column("sensor"), sensor)
        out = out.set_column(out.schema.get_field_index("sensor"), "sensor", filled)
    if table_name == "alerts" and out.column("time_s").null_count:
        # Event time of an alert event: when it cleared if it did, else when it was raised.
        event = pc.coalesce(out.column("time_s"), out.column("time_cleared_s"), out.column("time_raised_s"))
        out = out.set_column(out.schema.get_field_index("time_s"), "time_s", event)
    return out


def time_span(table: pa.Table) -> tuple[float | None, float | None]:
    if table.num_rows == 0:
        return None, None
    t = table.column("time_s").to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    t = t[np.isfinite(t)]
    if t.size == 0:
        return None, None
    return float(t.min()), float(t.max())
