"""Live ASTERIX: decode what a UDP receiver collects, and publish our system tracks as periodic CAT062."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from airpicture.decode.asterix.decoder import AsterixDecoder
from airpicture.decode.asterix.encode import MAX_BLOCK_BYTES, encode_cat062
from airpicture.sources.asterix_udp import AsterixUdpReceiver, AsterixUdpSender


class AsterixUdpFeed:
    """A receiver and a decoder: each :meth:`poll` decodes one time slice of datagrams into Measurement rows."""

    def __init__(self, receiver: AsterixUdpReceiver, decoder: AsterixDecoder | None = None):
        self.receiver = receiver
        self.decoder = decoder or AsterixDecoder()

    def poll(self, slice_s: float = 0.1) -> pa.Table:
        payloads, times = self.receiver.receive(slice_s)
        return self.decoder.decode_payloads(payloads, times)

    def __iter__(self) -> Iterator[pa.Table]:
        for payloads, times in self.receiver:
            table = self.decoder.decode_payloads(payloads, times)
            if table.num_rows:
                yield table


class Cat062Publisher:
    """Our system tracks as CAT062 to other centres: :meth:`publish` once per output period.

    ``sac``/``sic`` identify this centre. Callable with the bus handler signature ``(subject, table)``, so it can
    subscribe to ``airpicture.tracks`` directly.
    """

    def __init__(self, sender: AsterixUdpSender, sac: int, sic: int, service_id: int | None = None):
        self.sender = sender
        self.sac, self.sic, self.service_id = sac, sic, service_id
        self.tracks_sent = 0

    def publish(self, tracks: pa.Table) -> int:
        """Encode and send; returns the number of datagrams."""
        if tracks.num_rows == 0:
            return 0
        data = encode_cat062(tracks, self.sac, self.sic, service_id=self.service_id, max_block_bytes=MAX_BLOCK_BYTES)
        self.tracks_sent += tracks.num_rows
        return self.sender.send(data)

    def __call__(self, subject: str, table: pa.Table) -> None:
        self.publish(table)
