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

    # With unlimited reconnects, nats-py's connect() itself retries forever while no server answers: race it
    # against ``stop`` so a role asked to stop before it ever connected does stop.
    attempt = asyncio.ensure_future(
        nats.connect(
            servers=[url],
            name=name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=2,
            disconnected_cb=disconnected,
            reconnected_cb=reconnected,
            error_cb=error,
        )
    )
    waiter = asyncio.ensure_future((stop or asyncio.Event()).wait())
    slow = asyncio.get_running_loop().call_later(
        5.0, lambda: log.warning("%s: NATS at %s not reachable yet, still trying", name, url)
    )
    try:
        await asyncio.wait({attempt, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        slow.cancel()
        waiter.cancel()
    if not attempt.done():
        attempt.cancel()
        stats["stopped_before_connecting"] += 1
        raise Stopped(f"{name}: asked to stop before NATS at {url} answered")
    return attempt.result()


class Stopped(Exception):
    """The role was asked to stop while it still waited for the server."""


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
                # Asked to stop while the server is away: what is not published or acknowledged yet comes again
                # (a gateway's file from the start, deduplicated; a consumer's messages by redelivery).
                raise Stopped(f"{what}: stopped while NATS was unreachable") from exc
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
        try:
            return await main(stop)
        except Stopped as exc:
            log.warning("%s", exc)
            return Counter({"stopped_before_connecting": 1})

    stats = asyncio.run(runner())
    print(json.dumps({"stats": dict(stats)}), flush=True)
    sys.stderr.flush()
    return 0
