"""Text feeds of raw frames: AVR (``*HEX;``, ``@TIMEHEX;`` and their common variants) and ``rawcsv``.

Lines are split in Python (this is file/socket input, not the decoder's hot path), but the hex of a whole batch is
converted to bytes in one vectorised pass (:func:`frames_from_hex`), and every line that is not a frame is counted
by reason, never fatal.

AVR variants seen in the wild (dump1090, rtl_adsb, Radarcape, modesmixer):
``*8D4840D6202CC371C32CE0576098;`` plain; ``@0000A1B2C3D48D4840D6…;`` with a 48-bit 12 MHz timestamp;
``%…;`` the same with a timestamp; ``<0000A1B2C3D4FF8D4840D6…;`` timestamp + signal byte; and lines without the
``;`` or with trailing blanks or CR.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from airpicture.sources.beast import CLOCK_HZ
from airpicture.sources.frames import ModeSFrames, frames_from_hex

_HEX_CHARS = frozenset("0123456789abcdefABCDEF")
BATCH_LINES = 200_000


def _lines(source: str | os.PathLike | Iterable[str]) -> Iterator[str]:
    if isinstance(source, str | os.PathLike) and not (isinstance(source, str) and "\n" in source):
        with Path(source).open("r", encoding="utf-8-sig", errors="replace", newline=None) as handle:
            yield from handle
    elif isinstance(source, str):
        yield from source.splitlines()
    else:
        yield from source


def _count(rejected: dict[str, int] | None, key: str, value: int = 1) -> None:
    if rejected is not None and value:
        rejected[key] = rejected.get(key, 0) + value


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in _HEX_CHARS for c in text)


class _Batch:
    def __init__(self) -> None:
        self.hex: list[str] = []
        self.time: list[float] = []
        self.signal: list[float] = []

    def __len__(self) -> int:
        return len(self.hex)

    def frames(self, sensor: str, rejected: dict[str, int] | None) -> ModeSFrames:
        parsed = frames_from_hex(self.hex, np.array(self.time), np.array(self.signal, dtype=np.float32), sensor)
        for key, value in parsed.rejected.items():
            _count(rejected, key, value)
        self.hex, self.time, self.signal = [], [], []
        return parsed.frames


def read_avr(
    source: str | os.PathLike | Iterable[str],
    sensor: str = "rx",
    start_time_s: float = 0.0,
    rejected: dict[str, int] | None = None,
) -> Iterator[ModeSFrames]:
    """Frames of AVR text. Timestamped lines get ``start_time_s + (counter - first counter) / 12 MHz``; plain
    ``*`` lines carry no time and get the time of the last timestamped line (``start_time_s`` before any)."""
    batch = _Batch()
    first_counter: int | None = None
    last_time = start_time_s
    for raw in _lines(source):
        line = raw.strip()
        if not line:
            continue
        if line.endswith(";"):
            line = line[:-1]
        if not line:
            _count(rejected, "bad_line")
            continue
        kind, body = line[0], line[1:]
        signal = np.nan
        if kind == "*" or _is_hex(line):
            body = body if kind == "*" else line
            counter = None
        elif kind in "@%<" and len(body) > 12:
            stamp, body = body[:12], body[12:]
            if not _is_hex(stamp):
                _count(rejected, "bad_line")
                continue
            counter = int(stamp, 16)
            if kind == "<" and len(body) > 2 and _is_hex(body[:2]):
                amplitude = int(body[:2], 16)
                signal = 20.0 * np.log10(amplitude / 255.0) if amplitude else np.nan
                body = body[2:]
        else:
            _count(rejected, "bad_line")
            continue
        if not _is_hex(body) or len(body) > 28 or len(body) % 2:
            _count(rejected, "bad_line")
            continue
        if counter is not None:
            if first_counter is None:
                first_counter = counter
            last_time = start_time_s + (counter - first_counter) / CLOCK_HZ
        batch.hex.append(body)
        batch.time.append(last_time)
        batch.signal.append(signal)
        if len(batch) >= BATCH_LINES:
            yield batch.frames(sensor, rejected)
    if len(batch):
        yield batch.frames(sensor, rejected)


def read_rawcsv(
    source: str | os.PathLike | Iterable[str],
    sensor: str = "rx",
    rejected: dict[str, int] | None = None,
) -> Iterator[ModeSFrames]:
    """Frames of ``timestamp,hex`` lines (UTC epoch seconds), as in rs1090's and pyModeS's sample files.

    Tolerated: a UTF-8 byte-order mark, quoted fields, blanks, extra columns in any order (the frame is the longest
    hex field of 14 or more digits, the time the first field that reads as a number), a header line.
    """
    batch = _Batch()
    for raw in _lines(source):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        fields = [f.strip().strip('"').strip("'").strip() for f in line.split(",")]
        time_s = None
        frame = ""
        for field in fields:
            if time_s is None:
                try:
                    value = float(field)
                except ValueError:
                    value = None
                if value is not None and np.isfinite(value) and not (len(field) >= 14 and _is_hex(field)):
                    time_s = value
                    continue
            if len(field) >= 14 and len(field) > len(frame) and _is_hex(field):
                frame = field
        if time_s is None or not frame or len(frame) > 28:
            _count(rejected, "bad_line")
            continue
        batch.hex.append(frame)
        batch.time.append(time_s)
        batch.signal.append(np.nan)
        if len(batch) >= BATCH_LINES:
            yield batch.frames(sensor, rejected)
    if len(batch):
        yield batch.frames(sensor, rejected)
