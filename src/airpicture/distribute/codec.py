"""The wire format: one bus message = one Arrow IPC stream, the same tables as the in-process bus.

Headers carry what a consumer needs before decoding: ``Airpicture-Schema`` (measurement / system_track / alert),
``Airpicture-Watermark`` (a gateway promises no later message of its sensor holds rows older than this, epoch s;
``inf`` at the end of its data) and ``Nats-Msg-Id`` (JetStream drops a duplicate, e.g. a retried publish after a
reconnect). A payload that is not Arrow IPC, or whose columns are not the contract's, is a ForeignMessage: the
consumer counts it, terminates it (no redelivery) and carries on.
"""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.ipc as ipc

from airpicture.record.tables import ForeignSchemaError, conform_payload, table_for_subject

SCHEMA_HEADER = "Airpicture-Schema"
WATERMARK_HEADER = "Airpicture-Watermark"
MSG_ID_HEADER = "Nats-Msg-Id"

_SCHEMA_NAMES = {"measurements": "measurement", "tracks": "system_track", "alerts": "alert"}


class ForeignMessage(ValueError):
    """A message on an airpicture subject that does not carry an airpicture table."""


def encode(table: pa.Table, compression: str | None = None) -> bytes:
    """Arrow IPC stream bytes (``compression``: None, "lz4" or "zstd" for thin site links)."""
    sink = pa.BufferOutputStream()
    options = ipc.IpcWriteOptions(compression=compression)
    with ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def split_for_wire(table: pa.Table, max_bytes: int = 512 * 1024) -> list[pa.Table]:
    """Pieces small enough for a NATS message (the server's default limit is 1 MB)."""
    if table.num_rows <= 1 or table.nbytes <= max_bytes:
        return [table]
    rows = max(1, int(table.num_rows * max_bytes / table.nbytes))
    return [table.slice(i, rows) for i in range(0, table.num_rows, rows)]


def headers_for(subject: str, msg_id: str | None = None, watermark_s: float | None = None) -> dict[str, str]:
    name = table_for_subject(subject)
    headers = {SCHEMA_HEADER: _SCHEMA_NAMES.get(name or "", "unknown")}
    if msg_id is not None:
        headers[MSG_ID_HEADER] = msg_id
    if watermark_s is not None:
        headers[WATERMARK_HEADER] = repr(float(watermark_s))
    return headers


def decode(subject: str, data: bytes) -> pa.Table:
    """The contract table in a message (columns conformed as the recorder stores them). Raises ForeignMessage."""
    name = table_for_subject(subject)
    if name is None:
        raise ForeignMessage(f"{subject}: not an airpicture subject")
    try:
        table = ipc.open_stream(pa.py_buffer(data)).read_all()
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise ForeignMessage(f"{subject}: payload is not an Arrow IPC stream ({len(data)} bytes; {exc})") from exc
    try:
        return conform_payload(name, table, subject)
    except ForeignSchemaError as exc:
        raise ForeignMessage(str(exc)) from exc


def watermark(headers: dict[str, str] | None) -> float | None:
    if not headers or WATERMARK_HEADER not in headers:
        return None
    try:
        value = float(headers[WATERMARK_HEADER])
    except ValueError:
        return None
    return value if not math.isnan(value) else None
