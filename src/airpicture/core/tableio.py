"""Reading and writing contract tables: Parquet or JSON lines, chosen by the file's suffix."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


class TableWriter:
    """Append record batches to a ``.parquet`` or ``.jsonl`` file as they come, so memory stays bounded."""

    def __init__(self, path: str | Path, schema: pa.Schema | None = None) -> None:
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in (".parquet", ".jsonl", ".json"):
            raise ValueError(f"{self.path}: output must end in .parquet or .jsonl")
        self.schema = schema
        self._parquet: pq.ParquetWriter | None = None
        self._text = open(self.path, "w", encoding="utf-8") if self.suffix != ".parquet" else None  # noqa: SIM115
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0 and self.schema is not None:
            return
        if self.suffix == ".parquet":
            if self._parquet is None:
                self.schema = table.schema
                self._parquet = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            self._parquet.write_table(table.cast(self.schema) if table.schema != self.schema else table)
        else:
            assert self._text is not None
            for row in table.to_pylist():
                self._text.write(json.dumps(_jsonable(row), separators=(",", ":")))
                self._text.write("\n")
        self.rows += table.num_rows

    def close(self) -> None:
        if self.suffix == ".parquet":
            if self._parquet is None:
                schema = self.schema if self.schema is not None else pa.schema([])
                pq.write_table(schema.empty_table(), self.path)
            else:
                self._parquet.close()
        elif self._text is not None:
            self._text.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _jsonable(row: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}


def write_table(table: pa.Table, path: str | Path) -> None:
    with TableWriter(path, table.schema) as writer:
        writer.write(table)
        if table.num_rows == 0 and writer.suffix == ".parquet":
            writer.schema = table.schema


def read_table(path: str | Path) -> pa.Table:
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return pq.read_table(path)
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return pa.Table.from_pylist(rows)
    raise ValueError(f"{path}: expected a .parquet or .jsonl file")
