"""NATS JetStream plumbing shared by the roles: connecting, the two streams, publishing that survives outages.

Two streams hold everything: ``AIRPICTURE_MEAS`` (``airpicture.meas.>``, what gateways publish, consumed by the
tracker node) and ``AIRPICTURE_PICTURE`` (``airpicture.tracks`` and ``airpicture.alerts``, what trackers publish,
consumed by recorders). Displays and remote centres may also subscribe with plain NATS: JetStream messages are
ordinary NATS messages too, which is also how tracks cross a leaf node to a centre with no JetStream of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections import Counter
from collections.abc import Awaitable, Callable

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig

from airpicture.core import bus

log = logging.getLogger(__name__)

MEAS_STREAM = "AIRPICTURE_MEAS"
PICTURE_STREAM = "AIRPICTURE_PICTURE"
STREAMS = {MEAS_STREAM: [f"{bus.MEASUREMENTS}.>"], PICTURE_STREAM: [bus.TRACKS, bus.ALERTS]}
DEFAULT_URL = "nats://127.0.0.1:4222"

#: errors after which a publish or fetch is simply retried (the client reconnects by itself meanwhile).
TRANSIENT = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.StaleConnectionError,
    nats.errors.OutboundBufferLimitError,
    nats.js.errors.NoStreamResponseError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.ServerError,
    TimeoutError,
    ConnectionError,
    OSError,
)


async def connect(url: str, name: str, stats: Counter[str], stop: asyncio.Event | None = None) -> Client:
    """Connect, retrying until the server answers; afterwards the client reconnects forever on its own."""

    async def disconnected() -> None:
        stats["nats_disconnects"] += 1
        log.warning("%s: lost the NATS server at %s, reconnecting", name, url)

    async def reconnected() -> None:
        stats["nats_reconnects"] += 1
        log.warning("%s: reconnected to NATS at %s", name, url)

    async def error(exc: Exception) -> None:
        log.debug("%s: NATS client error: %s", name, exc)

    delay = 0.2
    while True:
        try:
            return await nats.connect(
                servers=[url],
                name=name,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=2,
                disconnected_cb=disconnected,
                reconnected_cb=reconnected,
                error_cb=error,
            )
        except (TimeoutError, nats.errors.NoServersError, OSError) as exc:
            stats["nats_connect_retries"] += 1
            log.warning("%s: NATS at %s not reachable (%s), retrying", name, url, exc)
            if stop is not None and stop.is_set():
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def ensure_streams(js: JetStreamContext, max_age_s: float | None = None) -> None:
    """Create the airpicture streams if absent (file storage; a 2-minute window drops duplicate publishes)."""
    for name, subjects in STREAMS.items():
        config = StreamConfig(
            name=name,
            subjects=subjects,
            storage=StorageType.FILE,
            duplicate_window=120.0,
            max_age=max_age_s,
        )
        try:
            await js.add_stream(config)
        except nats.js.errors.BadRequestError:
            await js.update_stream(config)


async def retry(
    what: str, call: Callable[[], Awaitable[object]], stats: Counter[str], stop: asyncio.Event | None = None
) -> object:
    """Call until it succeeds (a server away and back costs time, not data); counted in ``stats``."""
    delay = 0.1
    while True:
        try:
            return await call()
        except TRANSIENT as exc:
            stats[f"{what}_retries"] += 1
            log.warning("%s failed (%s: %s), retrying", what, type(exc).__name__, exc)
            if stop is not None and stop.is_set():
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


def run_role(main: Callable[[asyncio.Event], Awaitable[Counter[str]]]) -> int:
    """Run a role until it ends or gets SIGTERM/SIGINT; print its final counters as one JSON line on stdout."""

    async def runner() -> Counter[str]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        return await main(stop)

    stats = asyncio.run(runner())
    print(json.dumps({"stats": dict(stats)}), flush=True)
    sys.stderr.flush()
    return 0
