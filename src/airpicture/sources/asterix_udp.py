"""ASTERIX over UDP: unicast and multicast receiver and sender (raw datagrams; decoding is the decode stage's).

Radars, multilateration systems and trackers send ASTERIX data blocks in UDP datagrams, usually to a multicast
group. The receiver hands over whatever arrived in a short time slice at once (the decoder's cost is per call, so
batching datagrams keeps it cheap at any rate), each datagram with its receive time, which gives the time of day
in the records its date. :mod:`airpicture.decode.asterix.udp` joins this to the decoder and the CAT062 encoder.

Listens on 127.0.0.1 unless told otherwise; joining a multicast group uses the given local interface address.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator

#: Largest datagram we build when sending: fits an Ethernet frame without IP fragmentation.
MAX_DATAGRAM = 1472


class AsterixUdpReceiver:
    """Receive ASTERIX datagrams on ``port`` (unicast on ``host``, or multicast ``group`` via ``interface``)."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        group: str | None = None,
        interface: str = "127.0.0.1",
    ):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        if group is not None:
            self.sock.bind((group, port))
            mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(interface))
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        else:
            self.sock.bind((host, port))
        self.port = self.sock.getsockname()[1]
        self.datagrams = 0

    def receive(self, slice_s: float = 0.1, max_datagrams: int = 100_000) -> tuple[list[bytes], list[float]]:
        """The datagrams that arrive within ``slice_s`` seconds and their receive times (epoch s)."""
        payloads: list[bytes] = []
        times: list[float] = []
        deadline = time.monotonic() + slice_s
        while len(payloads) < max_datagrams:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65535)
            except (TimeoutError, BlockingIOError):
                break
            payloads.append(data)
            times.append(time.time())
        self.datagrams += len(payloads)
        return payloads, times

    def __iter__(self) -> Iterator[tuple[list[bytes], list[float]]]:
        while True:
            payloads, times = self.receive()
            if payloads:
                yield payloads, times

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> AsterixUdpReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def datagrams_of(blocks: bytes, max_datagram: int = MAX_DATAGRAM) -> list[bytes]:
    """Pack back-to-back data blocks into datagrams of at most ``max_datagram`` octets (never splitting a block)."""
    out: list[bytes] = []
    start = p = 0
    while p + 3 <= len(blocks):
        length = (blocks[p + 1] << 8) | blocks[p + 2]
        if length < 3:
            raise ValueError(f"malformed data block at octet {p}")
        if p + length - start > max_datagram and p > start:
            out.append(blocks[start:p])
            start = p
        p += length
    if start < len(blocks):
        out.append(blocks[start:])
    return out


class AsterixUdpSender:
    """Send ASTERIX data blocks to ``host:port`` (a multicast group works too: ``ttl`` and ``interface`` apply)."""

    def __init__(self, host: str, port: int, ttl: int = 1, interface: str | None = None):
        self.address = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        if interface is not None:
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
        self.datagrams = 0

    def send(self, blocks: bytes) -> int:
        """Send data blocks, as few datagrams as fit; returns the number of datagrams."""
        grams = datagrams_of(blocks)
        for g in grams:
            self.sock.sendto(g, self.address)
        self.datagrams += len(grams)
        return len(grams)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> AsterixUdpSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
