"""The Beast TCP client survives the receiver going away (and not being there yet) and reconnects."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest

from airpicture.decode.modes import ModeSDecoder, encode
from airpicture.sources.beast import BeastTcpSource, encode_beast
from airpicture.sources.frames import ModeSFrames


def _payload(address: int, n: int) -> bytes:
    icao = np.full(n, address, dtype=np.uint32)
    return encode_beast(ModeSFrames.from_arrays(encode.adsb_airborne_velocity(icao, 300.0, 10.0, 0.0), 0.0))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.timeout(60)
def test_beast_tcp_source_reconnects_after_the_peer_goes_away():
    port = _free_port()
    sessions = [_payload(0x0D0001, 30), _payload(0x0D0002, 30)]
    stop = threading.Event()

    def receiver() -> None:
        time.sleep(0.3)  # not listening yet: the client's first attempts are refused
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))
            server.listen(1)
            server.settimeout(10)
            for payload in sessions:
                conn, _ = server.accept()
                with conn:
                    # Half a frame first, the rest later: the client must stitch reads together.
                    conn.sendall(payload[:13])
                    time.sleep(0.1)
                    conn.sendall(payload[13:])
                    time.sleep(0.2)
                # the peer goes away here
            stop.wait(5)

    thread = threading.Thread(target=receiver, daemon=True)
    thread.start()
    source = BeastTcpSource("127.0.0.1", port, sensor="rx1", slice_s=0.05, min_backoff_s=0.05, max_backoff_s=0.2)
    decoder = ModeSDecoder(sensor="rx1")
    seen: list[str] = []
    deadline = time.monotonic() + 30
    for batch in source:
        seen.extend(decoder.decode(batch).column("icao24").to_pylist())
        if len(seen) >= 60 or time.monotonic() > deadline:
            source.stop()
    stop.set()
    assert seen.count("0d0001") == 30 and seen.count("0d0002") == 30
    assert source.connections == 2 and source.disconnects >= 1
