"""Whole files: raw ASTERIX (.ast/.raw/.bin: back-to-back data blocks), GPS-framed recordings (a 2,200-octet header,
a 10-octet time trailer after every block) and pcap/pcapng captures of ASTERIX over UDP."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

import pyarrow as pa

from airpicture.decode.asterix.decoder import AsterixDecoder, EditionKey
from airpicture.sources.pcap import is_capture, read_gps_framed, read_pcap, unwrap_capture

#: Datagrams (captures) or octets (raw files) handed to the decoder at once: big enough that numpy's per-call cost
#: vanishes, small enough that memory stays flat on long recordings.
CHUNK_DATAGRAMS = 200_000
CHUNK_OCTETS = 64 << 20


def decode_file(
    path: str | Path,
    editions: Mapping[EditionKey, str] | None = None,
    reference_date_s: float | None = None,
    decoder: AsterixDecoder | None = None,
    report: TextIO | None = sys.stderr,
) -> Iterator[pa.Table]:
    """Decode a raw ASTERIX file or a capture into Measurement-named tables (in input order), counting problems.

    Capture times give each record its date; raw files carry none, so ``reference_date_s`` (UTC midnight, epoch s)
    dates them, else time_s is the time of day on 1970-01-01 (GPS-framed recordings give receive times of day on
    that same day). A summary of what could not be decoded goes to
    ``report`` (stderr by default) at the end.
    """
    path = Path(path)
    dec = decoder or AsterixDecoder(editions, reference_date_s=reference_date_s)
    framing: Counter = Counter()
    skipped: Counter = Counter()
    with path.open("rb") as fh:
        head = fh.read(4)
    if is_capture(head):
        cap = read_pcap(path)
        skipped.update(cap.skipped)
        payloads = unwrap_capture(cap.payloads, framing)
        for i in range(0, len(payloads), CHUNK_DATAGRAMS):
            yield dec.decode_payloads(payloads[i : i + CHUNK_DATAGRAMS], cap.times_s[i : i + CHUNK_DATAGRAMS])
    else:
        data = path.read_bytes()
        gps = read_gps_framed(data)
        if gps is not None:  # a GPS-framed recording: each block with its receive time of day
            framing["GPS-framed blocks"] += len(gps.blocks)
            skipped.update(gps.skipped)
            day_s = reference_date_s or 0.0
            for i in range(0, len(gps.blocks), CHUNK_DATAGRAMS):
                times = [day_s + t for t in gps.time_of_day_s[i : i + CHUNK_DATAGRAMS]]
                yield dec.decode_payloads(gps.blocks[i : i + CHUNK_DATAGRAMS], times)
        else:
            for chunk in _raw_chunks(data):
                yield dec.decode(chunk)
    if report is not None:
        report.write(summary(dec, framing, skipped, path.name) + "\n")


def _raw_chunks(data: bytes) -> Iterator[bytes]:
    """Split a raw file on data-block boundaries into chunks of about CHUNK_OCTETS (one chunk if framing breaks)."""
    start = p = 0
    n = len(data)
    while p + 3 <= n:
        length = (data[p + 1] << 8) | data[p + 2]
        if length < 3:
            break
        if p + length - start > CHUNK_OCTETS and p > start:
            yield data[start:p]
            start = p
        p += length
    if start < n:
        yield data[start:]


def summary(dec: AsterixDecoder, framing: Counter, skipped: Counter, name: str) -> str:
    parts = [f"asterix {name}: {dec.records_decoded} records from {dec.blocks_decoded} data blocks"]
    if dec.errors:
        parts.append("decode errors (blocks): " + ", ".join(f"{k} ×{v}" for k, v in sorted(dec.errors.items())))
    if dec.warnings:
        parts.append("warnings (blocks): " + ", ".join(f"{k} ×{v}" for k, v in sorted(dec.warnings.items())))
    if dec.undecoded:
        skipped_fields = ", ".join(f"{k} ×{v}" for k, v in sorted(dec.undecoded.items()))
        parts.append(f"fields skipped by length (records): {skipped_fields}")
    if dec.unsupported:
        cats = ", ".join(f"CAT{k:03d} ×{v}" for k, v in sorted(dec.unsupported.items()))
        parts.append(f"unsupported categories (blocks): {cats}")
    if framing:
        parts.append("framing: " + ", ".join(f"{k} ×{v}" for k, v in sorted(framing.items())))
    if skipped:
        parts.append("capture: " + ", ".join(f"{k} ×{v}" for k, v in sorted(skipped.items())))
    return "; ".join(parts)
