"""Live feeds for ``airpicture run``: each sensor's input in its own thread, into one queue the chain drains.

Beast TCP (readsb/dump1090 port 30005) through :class:`airpicture.sources.beast.BeastTcpSource`; SBS TCP (port 30003)
as text lines through :func:`airpicture.sources.sbs.read_sbs`; ASTERIX over UDP (unicast or multicast), one datagram
per item. A feed that cannot connect retries with back-off and says so in the log; it never stops the others.
"""

from __future__ import annotations

import logging
import queue
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedItem:
    """One unit of input: ``kind`` is "frames" (ModeSFrames), "measurements" (Arrow table) or "asterix" (bytes)."""

    sensor: str
    kind: str
    payload: Any
    receive_time_s: float


class Feed(threading.Thread):
    """Base class: a daemon thread that puts :class:`FeedItem` into ``out`` until ``stop()``."""

    def __init__(self, sensor: str, out: queue.Queue[FeedItem]) -> None:
        super().__init__(name=f"feed-{sensor}", daemon=True)
        self.sensor = sensor
        self.out = out
        self.stopping = threading.Event()
        self.items = 0

    def emit(self, kind: str, payload: Any) -> None:
        try:
            self.out.put_nowait(FeedItem(self.sensor, kind, payload, time.time()))
            self.items += 1
        except queue.Full:
            log.warning("feed %s: the chain is behind, input dropped (counted)", self.sensor)

    def stop(self) -> None:
        self.stopping.set()


class BeastFeed(Feed):
    def __init__(self, sensor: str, out: queue.Queue[FeedItem], host: str, port: int) -> None:
        super().__init__(sensor, out)
        from airpicture.sources.beast import BeastTcpSource

        self.source = BeastTcpSource(host, port, sensor=sensor)

    def run(self) -> None:
        for frames in self.source.batches():
            if self.stopping.is_set():
                break
            if len(frames):
                self.emit("frames", frames)

    def stop(self) -> None:
        super().stop()
        self.source.stop()


class SbsFeed(Feed):
    """SBS-1 BaseStation text over TCP, one batch of lines every ``slice_s``; reconnects with back-off."""

    def __init__(self, sensor: str, out: queue.Queue[FeedItem], host: str, port: int, slice_s: float = 0.5) -> None:
        super().__init__(sensor, out)
        self.host, self.port, self.slice_s = host, port, slice_s
        self.rejected: dict[str, int] = {}

    def run(self) -> None:
        from airpicture.sources.sbs import read_sbs

        backoff = 0.5
        while not self.stopping.is_set():
            try:
                with socket.create_connection((self.host, self.port), timeout=5.0) as sock:
                    log.info("feed %s: connected to SBS %s:%d", self.sensor, self.host, self.port)
                    backoff = 0.5
                    sock.settimeout(self.slice_s)
                    pending = b""
                    while not self.stopping.is_set():
                        try:
                            chunk = sock.recv(65536)
                        except TimeoutError:
                            chunk = b""
                        else:
                            if not chunk:
                                raise ConnectionError("peer closed the connection")
                        pending += chunk
                        *lines, pending = pending.split(b"\n")
                        text = [line.decode("ascii", "replace") for line in lines if line.strip()]
                        for table in read_sbs(text, sensor=self.sensor, rejected=self.rejected):
                            if table.num_rows:
                                self.emit("measurements", table)
            except OSError as error:
                log.warning("feed %s: SBS %s:%d unavailable (%s); retrying in %.1f s",
                            self.sensor, self.host, self.port, error, backoff)  # fmt: skip
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 30.0)


class AsterixUdpFeed(Feed):
    """ASTERIX datagrams on a UDP port (``group`` joins a multicast group)."""

    def __init__(
        self, sensor: str, out: queue.Queue[FeedItem], port: int, bind: str = "127.0.0.1", group: str | None = None
    ) -> None:
        super().__init__(sensor, out)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((group or bind, port))
        if group:
            request = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(bind))
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, request)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                data, _ = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError as error:
                log.warning("feed %s: UDP receive failed: %s", self.sensor, error)
                self.stopping.wait(1.0)
                continue
            self.emit("asterix", data)
        self.sock.close()
