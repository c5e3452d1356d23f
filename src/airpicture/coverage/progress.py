"""A one-line progress bar on stderr for long coverage runs (no dependency, silent when disabled)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``with Progress(total, "coverage") as bar: bar.advance(label)``; redraws at most 10 times a second."""

    def __init__(self, total: int, title: str, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = max(int(total), 1)
        self.title = title
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._start = time.monotonic()
        self._last_draw = 0.0
        # On a terminal the line redraws in place; in a log file, one line every few seconds.
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._period_s = 0.1 if self._tty else 5.0

    def advance(self, label: str = "", steps: int = 1) -> None:
        self.done += steps
        now = time.monotonic()
        if self.enabled and (now - self._last_draw > self._period_s or self.done >= self.total):
            self._last_draw = now
            filled = int(30 * self.done / self.total)
            elapsed = now - self._start
            eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
            start, end = ("\r", "") if self._tty else ("", "\n")
            self.stream.write(
                f"{start}{self.title} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} "
                f"{elapsed:5.1f} s (eta {eta:4.0f} s) {label[:24]:<24}{end}"
            )
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self.done and self._tty:
            self.stream.write("\n")
            self.stream.flush()
