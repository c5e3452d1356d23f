"""The in-process message bus: the same subjects and payloads as NATS JetStream in distributed mode.

Subjects (**contract**, shared with the NATS transport):
``airpicture.meas.<sensor>`` (Measurement tables), ``airpicture.tracks`` (SystemTrack tables),
``airpicture.alerts`` (Alert tables). Payloads are Arrow tables; over NATS they travel as Arrow IPC streams.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable

import pyarrow as pa

log = logging.getLogger(__name__)

MEASUREMENTS = "airpicture.meas"
TRACKS = "airpicture.tracks"
ALERTS = "airpicture.alerts"

Handler = Callable[[str, pa.Table], None]


def measurement_subject(sensor: str) -> str:
    return f"{MEASUREMENTS}.{sensor}"


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS-style matching: ``*`` is one token, ``>`` the rest (at least one token)."""
    p_tokens = pattern.split(".")
    s_tokens = subject.split(".")
    for i, tok in enumerate(p_tokens):
        if tok == ">":
            return len(s_tokens) > i
        if i >= len(s_tokens) or (tok != "*" and tok != s_tokens[i]):
            return False
    return len(p_tokens) == len(s_tokens)


class InProcessBus:
    """Synchronous publish/subscribe. A handler that raises is logged and counted; the others still run."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()
        self.handler_errors = 0

    def subscribe(self, pattern: str, handler: Handler) -> None:
        with self._lock:
            self._handlers[pattern].append(handler)

    def publish(self, subject: str, table: pa.Table) -> None:
        with self._lock:
            targets = [h for pat, hs in self._handlers.items() if subject_matches(pat, subject) for h in hs]
        for handler in targets:
            try:
                handler(subject, table)
            except Exception:
                self.handler_errors += 1
                log.exception("handler %r failed on %s", handler, subject)
