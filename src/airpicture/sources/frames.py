"""``ModeSFrames``: one batch of raw 1090 MHz replies, the currency between sources and the Mode S decoder.

Frames are held left-aligned in a uint8[n, 14] array whatever their length, so a batch is one contiguous block that
numpy can slice by column; ``length`` says how many bytes are real (14 long Mode S, 7 short, 2 Mode A/C).
A frame's length comes from its downlink format (DF ≥ 16 is 112 bits), never from how it was written down: real
text files pad 56-bit frames to 28 hex digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

MAX_FRAME_BYTES = 14


@dataclass
class ModeSFrames:
    """A batch of raw frames: equal-length columns plus the receiving sensor's id."""

    time_s: NDArray[np.float64]
    data: NDArray[np.uint8]
    length: NDArray[np.uint8]
    signal_dbfs: NDArray[np.float32]
    sensor: str = "rx"

    def __post_init__(self) -> None:
        n = len(self.time_s)
        if self.data.shape != (n, MAX_FRAME_BYTES) or len(self.length) != n or len(self.signal_dbfs) != n:
            raise ValueError(f"ModeSFrames columns disagree: {n} times, data {self.data.shape}")

    def __len__(self) -> int:
        return len(self.time_s)

    @classmethod
    def empty(cls, sensor: str = "rx") -> ModeSFrames:
        return cls(
            np.zeros(0),
            np.zeros((0, MAX_FRAME_BYTES), np.uint8),
            np.zeros(0, np.uint8),
            np.zeros(0, np.float32),
            sensor,
        )

    @classmethod
    def from_arrays(
        cls,
        frames: NDArray[np.uint8],
        time_s: ArrayLike,
        signal_dbfs: ArrayLike | None = None,
        sensor: str = "rx",
    ) -> ModeSFrames:
        """From encoder output (uint8[n, 14] or [n, 7]); time and signal broadcast."""
        frames = np.atleast_2d(np.asarray(frames, dtype=np.uint8))
        n, width = frames.shape
        data = np.zeros((n, MAX_FRAME_BYTES), dtype=np.uint8)
        data[:, :width] = frames
        times = np.broadcast_to(np.asarray(time_s, dtype=np.float64), (n,)).copy()
        signal = (
            np.full(n, np.nan, np.float32)
            if signal_dbfs is None
            else np.broadcast_to(np.asarray(signal_dbfs, dtype=np.float32), (n,)).copy()
        )
        return cls(times, data, np.full(n, width, dtype=np.uint8), signal, sensor)

    @classmethod
    def concat(cls, batches: Sequence[ModeSFrames], sensor: str | None = None) -> ModeSFrames:
        if not batches:
            return cls.empty(sensor or "rx")
        return cls(
            np.concatenate([b.time_s for b in batches]),
            np.concatenate([b.data for b in batches]),
            np.concatenate([b.length for b in batches]),
            np.concatenate([b.signal_dbfs for b in batches]),
            sensor or batches[0].sensor,
        )

    def take(self, index: NDArray) -> ModeSFrames:
        return ModeSFrames(
            self.time_s[index], self.data[index], self.length[index], self.signal_dbfs[index], self.sensor
        )

    def hex(self) -> list[str]:
        """The frames as upper-case hex text, each at its own length (for logs, tests and reference decoders)."""
        return [bytes(row[:length]).hex().upper() for row, length in zip(self.data, self.length, strict=True)]


def frame_length_for_df(first_byte: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Frame length in bytes from the downlink format in the first 5 bits: DF ≥ 16 is long (14), else short (7)."""
    return np.where((first_byte >> 3) >= 16, 14, 7).astype(np.uint8)


_NIBBLE = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLE[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _NIBBLE[_c] = 10 + _i
_NIBBLE[0] = 254  # end of a shorter string in the fixed-width array


def _pair_table() -> NDArray[np.uint16]:
    """Two ASCII characters (little-endian uint16: first character in the low byte) → byte value; ``_PAIR_PAD``
    for the NUL padding after the text; ``_PAIR_BAD`` for anything else (non-hex, or an odd number of digits)."""
    low = _NIBBLE[np.arange(65536) & 0xFF]
    high = _NIBBLE[np.arange(65536) >> 8]
    table = np.full(65536, _PAIR_BAD, dtype=np.uint16)
    ok = (low < 16) & (high < 16)
    table[ok] = (low[ok].astype(np.uint16) << 4) | high[ok]
    table[0] = _PAIR_PAD
    return table


_PAIR_BAD = 0x100
_PAIR_PAD = 0x200
_PAIR = _pair_table()


@dataclass
class HexParseResult:
    frames: ModeSFrames
    #: index into the input of each frame kept
    kept: NDArray[np.int64]
    rejected: dict[str, int] = field(default_factory=dict)


def frames_from_hex(
    hex_frames: Iterable[str] | NDArray,
    time_s: ArrayLike,
    signal_dbfs: ArrayLike | None = None,
    sensor: str = "rx",
) -> HexParseResult:
    """Parse hex text frames in one vectorised pass (no Python per frame).

    Text shorter than its downlink format needs is rejected as ``truncated``; non-hex characters as ``bad_hex``;
    4-digit texts are Mode A/C replies (length 2). Longer text (56-bit frames padded to 28 digits) is cut to size.
    """
    items = hex_frames.tolist() if isinstance(hex_frames, np.ndarray) else list(hex_frames)
    n = len(items)
    text_len = np.fromiter(map(len, items), dtype=np.int64, count=n)
    try:
        raw = np.asarray(items, dtype="S28") if n else np.zeros(0, dtype="S28")
    except UnicodeEncodeError:
        # Non-ASCII text can only be garbage: make it so, visibly (it then fails the hex check).
        raw = np.asarray([str(h).encode("ascii", "replace")[:28] for h in items], dtype="S28")
    # Two characters at a time through a 65,536-entry table: one look-up per output byte.
    pairs = raw.view(np.uint16).reshape(n, 14) if n else np.zeros((0, 14), np.uint16)
    value = _PAIR[pairs]
    data = (value & 0xFF).astype(np.uint8)
    bad_char = ((value >= _PAIR_BAD) & (value != _PAIR_PAD)).any(axis=1) | (text_len > 28)
    mode_ac = text_len == 4
    length = np.where(mode_ac, 2, frame_length_for_df(data[:, 0]))
    needed = length.astype(np.int64) * 2
    truncated = text_len < needed
    keep = ~bad_char & ~truncated
    # Zero the padding beyond the frame length, so equal frames are equal rows.
    data[np.arange(14)[None, :] >= length[:, None]] = 0
    times = np.broadcast_to(np.asarray(time_s, dtype=np.float64), (n,))
    signal = (
        np.full(n, np.nan, np.float32)
        if signal_dbfs is None
        else np.broadcast_to(np.asarray(signal_dbfs, dtype=np.float32), (n,))
    )
    kept = np.nonzero(keep)[0]
    frames = ModeSFrames(times[kept].copy(), data[kept], length[kept].astype(np.uint8), signal[kept].copy(), sensor)
    rejected = {}
    if bad_char.any():
        rejected["bad_hex"] = int(bad_char.sum())
    if (truncated & ~bad_char).any():
        rejected["truncated"] = int((truncated & ~bad_char).sum())
    return HexParseResult(frames, kept, rejected)
