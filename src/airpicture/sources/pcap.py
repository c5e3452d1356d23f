"""pcap / pcapng reader for recorded surveillance feeds: Ethernet (VLAN), Linux cooked, raw IP, loopback → UDP payloads.

Radar and tracker recordings are usually packet captures of UDP (often multicast) ASTERIX. This reader returns the
UDP payloads with their capture times; anything it cannot unwrap (TCP, IP fragments, unknown link types) is counted
in :attr:`PcapPayloads.skipped` by reason, never raised.

Some recorders wrap ASTERIX in their own framing inside the UDP payload. :func:`unwrap_asterix` recognises the
ORADIS framing (a 6-octet header with a 2-octet length before each data block) and a constant vendor header in front
of back-to-back data blocks (as in some sample captures), and counts which one it used. :func:`read_gps_framed`
reads GPS-framed recording files (a file header, then each data block with a receive-time trailer).
"""

from __future__ import annotations

import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"

LINK_NULL, LINK_ETHERNET, LINK_RAW, LINK_LINUX_SLL = 0, 1, 101, 113
LINK_IPV4, LINK_IPV6, LINK_LINUX_SLL2 = 228, 229, 276


@dataclass
class PcapPayloads:
    """UDP payloads of a capture, in capture order."""

    payloads: list[bytes] = field(default_factory=list)
    times_s: list[float] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def is_capture(head: bytes) -> bool:
    return head[:4] in PCAP_MAGICS or head[:4] == PCAPNG_MAGIC


def read_pcap(path: str | Path | bytes) -> PcapPayloads:
    """All UDP payloads of a pcap or pcapng file (or its bytes)."""
    data = path if isinstance(path, bytes | bytearray) else Path(path).read_bytes()
    out = PcapPayloads()
    if data[:4] == PCAPNG_MAGIC:
        _read_pcapng(bytes(data), out)
    elif data[:4] in PCAP_MAGICS:
        _read_pcap(bytes(data), out)
    else:
        out.skipped["not a pcap/pcapng file"] += 1
    return out


def _read_pcap(data: bytes, out: PcapPayloads) -> None:
    endian, resolution = PCAP_MAGICS[data[:4]]
    if len(data) < 24:
        out.skipped["truncated pcap header"] += 1
        return
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    rec = struct.Struct(endian + "IIII")
    p = 24
    while p + 16 <= len(data):
        sec, frac, caplen, _origlen = rec.unpack_from(data, p)
        p += 16
        if p + caplen > len(data):
            out.skipped["truncated packet record"] += 1
            break
        _add_frame(data[p : p + caplen], linktype, sec + frac * resolution, out)
        p += caplen


def _read_pcapng(data: bytes, out: PcapPayloads) -> None:
    p = 0
    endian = "<"
    interfaces: list[tuple[int, float]] = []
    while p + 12 <= len(data):
        btype = struct.unpack_from(endian + "I", data, p)[0]
        if btype == 0x0A0D0D0A:
            endian = "<" if data[p + 8 : p + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            interfaces = []
        blen = struct.unpack_from(endian + "I", data, p + 4)[0]
        if blen < 12 or p + blen > len(data):
            out.skipped["truncated pcapng block"] += 1
            break
        body = data[p + 8 : p + blen - 4]
        if btype == 1:  # interface description
            linktype = struct.unpack_from(endian + "H", body, 0)[0]
            interfaces.append((linktype, _if_tsresol(body[8:], endian)))
        elif btype == 6 and len(body) >= 20:  # enhanced packet
            iface, hi, lo, caplen = struct.unpack_from(endian + "IIII", body, 0)
            if iface < len(interfaces):
                linktype, res = interfaces[iface]
                _add_frame(body[20 : 20 + caplen], linktype, ((hi << 32) | lo) * res, out)
            else:
                out.skipped["packet on an undeclared interface"] += 1
        elif btype == 3 and interfaces:  # simple packet
            _add_frame(body[4:], interfaces[0][0], float("nan"), out)
        p += blen


def _if_tsresol(options: bytes, endian: str) -> float:
    q = 0
    while q + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, q)
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = options[q + 4]
            return 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0**-v
        q += 4 + ((length + 3) & ~3)
    return 1e-6


def _add_frame(frame: bytes, linktype: int, time_s: float, out: PcapPayloads) -> None:
    ip = _ip_packet(frame, linktype)
    if ip is None:
        # Not an IP frame we understand: keep the bytes, :func:`unwrap_asterix` may still find ASTERIX in them.
        out.skipped["non-IP frame passed on as payload"] += 1
        out.payloads.append(frame)
        out.times_s.append(time_s)
        out.ports.append(-1)
        return
    udp = _udp_payload(ip, out)
    if udp is not None:
        payload, port = udp
        out.payloads.append(payload)
        out.times_s.append(time_s)
        out.ports.append(port)


def _ip_packet(frame: bytes, linktype: int) -> bytes | None:
    if linktype == LINK_ETHERNET:
        if len(frame) < 14:
            return None
        ethertype, p = struct.unpack_from(">H", frame, 12)[0], 14
        while ethertype in (0x8100, 0x88A8) and len(frame) >= p + 4:
            ethertype, p = struct.unpack_from(">H", frame, p + 2)[0], p + 4
        return frame[p:] if ethertype in (0x0800, 0x86DD) else None
    if linktype == LINK_LINUX_SLL:
        return frame[16:] if len(frame) >= 16 and frame[14:16] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype == LINK_LINUX_SLL2:
        return frame[20:] if len(frame) >= 20 and frame[0:2] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype in (LINK_RAW, LINK_IPV4, LINK_IPV6):
        return frame
    if linktype == LINK_NULL:
        return frame[4:] if len(frame) >= 4 else None
    return None


def _udp_payload(ip: bytes, out: PcapPayloads) -> tuple[bytes, int] | None:
    if not ip:
        out.skipped["empty IP packet"] += 1
        return None
    version = ip[0] >> 4
    if version == 4:
        ihl = (ip[0] & 0x0F) * 4
        if len(ip) < ihl or ihl < 20:
            out.skipped["truncated IPv4 header"] += 1
            return None
        total = struct.unpack_from(">H", ip, 2)[0]
        frag = struct.unpack_from(">H", ip, 6)[0]
        if frag & 0x3FFF:
            out.skipped["fragmented IP datagram"] += 1
            return None
        proto, body = ip[9], ip[ihl : max(total, ihl)]
    elif version == 6 and len(ip) >= 40:
        proto, body = ip[6], ip[40 : 40 + struct.unpack_from(">H", ip, 4)[0]]
    else:
        out.skipped["not IPv4/IPv6"] += 1
        return None
    if proto != 17:
        out.skipped["not UDP"] += 1
        return None
    if len(body) < 8:
        out.skipped["truncated UDP header"] += 1
        return None
    dport, length = struct.unpack_from(">HH", body, 2)
    return body[8 : max(8, min(length, len(body)))], dport


def _chains(payload: bytes, start: int) -> bool:
    """Do ASTERIX data blocks chain from ``start`` exactly to the end of ``payload``?"""
    p = start
    n = 0
    while p + 3 <= len(payload):
        length = (payload[p + 1] << 8) | payload[p + 2]
        if length < 3 or payload[p] == 0:
            return False
        p += length
        n += 1
    return n > 0 and p == len(payload)


def _oradis_blocks(payload: bytes) -> list[bytes] | None:
    """ORADIS: [u16 length incl. 6-octet header][4 octets][ASTERIX block] repeated; None if it does not fit."""
    blocks, p = [], 0
    while p + 9 <= len(payload):
        total = (payload[p] << 8) | payload[p + 1]
        inner = payload[p + 6 : p + total]
        if total < 9 or p + total > len(payload) or ((inner[1] << 8) | inner[2]) != len(inner):
            return None
        blocks.append(inner)
        p += total
    return blocks if blocks and p == len(payload) else None


def unwrap_asterix(payload: bytes, framing: Counter | None = None, max_header: int = 64) -> bytes:
    """The ASTERIX data blocks inside one datagram, whatever of the known framings wraps them."""
    if _chains(payload, 0):
        return payload
    oradis = _oradis_blocks(payload)
    if oradis is not None:
        if framing is not None:
            framing["oradis"] += 1
        return b"".join(oradis)
    for k in range(1, min(max_header, len(payload) - 3) + 1):
        if _chains(payload, k):
            if framing is not None:
                framing[f"{k}-octet header"] += 1
            return payload[k:]
    if framing is not None:
        framing["unrecognised (decoded as is)"] += 1
    return payload


def _header_length(payload: bytes, max_header: int) -> int | None:
    for k in range(1, min(max_header, len(payload) - 3) + 1):
        if _chains(payload, k):
            return k
    return None


def unwrap_capture(payloads: list[bytes], framing: Counter | None = None, max_header: int = 64) -> list[bytes]:
    """The ASTERIX data blocks of every datagram of one capture.

    Like :func:`unwrap_asterix`, and in addition learns a vendor header length common to the capture: a datagram
    that does not chain to its end (a trailer after the blocks) is cut after the header and its trailing octets are
    dropped and counted, instead of being decoded as garbage.
    """
    framing = Counter() if framing is None else framing
    out: list[bytes | None] = []
    headers: Counter = Counter()
    for p in payloads:
        if _chains(p, 0):
            out.append(p)
            continue
        oradis = _oradis_blocks(p)
        if oradis is not None:
            framing["oradis"] += 1
            out.append(b"".join(oradis))
            continue
        k = _header_length(p, max_header)
        if k is not None:
            headers[k] += 1
            framing[f"{k}-octet header"] += 1
            out.append(p[k:])
        else:
            out.append(None)
    header = headers.most_common(1)[0][0] if headers else None
    result: list[bytes] = []
    for p, o in zip(payloads, out, strict=True):
        if o is not None:
            result.append(o)
            continue
        if header is not None:
            end = q = header
            while q + 3 <= len(p) and p[q] != 0:
                length = (p[q + 1] << 8) | p[q + 2]
                if length < 3 or q + length > len(p):
                    break
                q += length
                end = q
            if end > header:
                framing[f"{header}-octet header, trailing octets dropped"] += 1
                result.append(p[header:end])
                continue
        framing["unrecognised (decoded as is)"] += 1
        result.append(p)
    return result


#: GPS-framed recordings (a recorder format; asterix-decoder reads it with its GPS option): a 2,200-octet file
#: header, then every data block followed by 10 octets of which octets 6 to 8 are the receive time of day in 1/128 s.
GPS_HEADER_OCTETS = 2200
GPS_TRAILER_OCTETS = 10


@dataclass
class GpsFramed:
    """Data blocks of a GPS-framed recording with their receive times of day (s)."""

    blocks: list[bytes] = field(default_factory=list)
    time_of_day_s: list[float] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def read_gps_framed(data: bytes) -> GpsFramed | None:
    """The data blocks of a GPS-framed recording, or None when ``data`` is not one.

    It is one when the data do not start with a data block (the header is filler) and data blocks, each followed
    by its 10-octet trailer, chain from octet 2,200 on. A break later in the file (a truncated recording) ends the
    blocks there and is counted in ``skipped``; the blocks before it are kept.
    """
    n = len(data)
    first_ok = n >= 3 and 3 <= ((data[1] << 8) | data[2]) <= n and data[0] != 0
    if first_ok and _chains_raw(data):
        return None  # plain back-to-back data blocks
    out = GpsFramed()
    p = GPS_HEADER_OCTETS
    while p < n:
        length = ((data[p + 1] << 8) | data[p + 2]) if p + 3 <= n else 0
        if length < 3 or data[p] == 0 or p + length + GPS_TRAILER_OCTETS > n:
            if not out.blocks:
                return None
            out.skipped["GPS framing broken: rest of the file"] += 1
            break
        trailer = data[p + length : p + length + GPS_TRAILER_OCTETS]
        out.blocks.append(data[p : p + length])
        out.time_of_day_s.append(((trailer[6] << 16) | (trailer[7] << 8) | trailer[8]) / 128.0)
        p += length + GPS_TRAILER_OCTETS
    return out if out.blocks else None


def _chains_raw(data: bytes) -> bool:
    """Do data blocks chain over the whole of ``data`` (a raw ASTERIX file)?"""
    p, n = 0, len(data)
    while p + 3 <= n:
        length = (data[p + 1] << 8) | data[p + 2]
        if length < 3 or p + length > n:
            return False
        p += length
    return p == n
