"""pcap / pcapng reading: UDP payloads out of Ethernet (with VLAN) IPv4 frames, everything else counted."""

from __future__ import annotations

import struct

import numpy as np

from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.decode.asterix import AsterixDecoder, decode_file, encode_cat048
from airpicture.sources.pcap import GPS_HEADER_OCTETS, read_gps_framed, read_pcap, unwrap_asterix, unwrap_capture
from tests.conftest import shared_file


def _udp_frame(payload: bytes, vlan: bool = False, proto: int = 17, frag: int = 0) -> bytes:
    udp = struct.pack(">HHHH", 40000, 8600, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, frag, 64, proto, 0, b"\x0a\0\0\1", b"\xef\1\1\1") + udp
    eth = b"\x01\x00\x5e\x01\x01\x01" + b"\x02" * 6
    if vlan:
        eth += b"\x81\x00\x00\x64"
    return eth + b"\x08\x00" + ip


def _pcap(frames: list[tuple[float, bytes]]) -> bytes:
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for t, f in frames:
        out += struct.pack("<IIII", int(t), round((t % 1) * 1e6), len(f), len(f)) + f
    return out


def _pcapng(frames: list[tuple[float, bytes]]) -> bytes:
    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535))
    for t, f in frames:
        ts = round(t * 1e6)
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    return out


def _table(n: int):
    return table_from_columns(
        MEASUREMENT,
        {"time_s": 1.7e9 + np.arange(n, dtype=float), "kind": ["ssr"] * n, "range_m": np.full(n, 5e4),
         "azimuth_deg": np.arange(n, dtype=float), "squawk": ["1200"] * n},
    )  # fmt: skip


def _asterix(n: int = 5) -> bytes:
    return encode_cat048(_table(n), sac=3, sic=4)


def test_pcap_gives_udp_payloads_with_times_and_counts_the_rest():
    a = _asterix()
    frames = [
        (1.7e9 + 0.25, _udp_frame(a)),
        (1.7e9 + 0.5, _udp_frame(a, vlan=True)),
        (1.7e9 + 0.75, _udp_frame(a, proto=6)),
        (1.7e9 + 1.0, _udp_frame(a, frag=0x2000)),
    ]
    cap = read_pcap(_pcap(frames))
    assert cap.payloads == [a, a]
    assert cap.times_s == [1.7e9 + 0.25, 1.7e9 + 0.5]
    assert cap.ports == [8600, 8600]
    assert cap.skipped == {"not UDP": 1, "fragmented IP datagram": 1}


def test_pcapng_reads_the_same_payloads():
    a = _asterix()
    cap = read_pcap(_pcapng([(1.7e9 + 0.5, _udp_frame(a)), (1.7e9 + 1.5, _udp_frame(a, vlan=True))]))
    assert cap.payloads == [a, a]
    np.testing.assert_allclose(cap.times_s, [1.7e9 + 0.5, 1.7e9 + 1.5])


def test_capture_decodes_with_capture_dates(tmp_path):
    path = tmp_path / "radar.pcapng"
    path.write_bytes(_pcapng([(1.7e9 + 10.0, _udp_frame(_asterix(5)))]))
    rows = [r for t in decode_file(path, report=None) for r in t.to_pylist()]
    assert len(rows) == 5
    np.testing.assert_allclose([r["time_s"] for r in rows], 1.7e9 + np.arange(5.0), atol=1 / 128)


def test_truncated_capture_is_counted_not_raised():
    data = _pcap([(1.7e9, _udp_frame(_asterix()))])
    cap = read_pcap(data[:-10])
    assert cap.payloads == [] and cap.skipped == {"truncated packet record": 1}
    assert read_pcap(b"garbage").skipped == {"not a pcap/pcapng file": 1}


def test_oradis_framing_is_unwrapped():
    a = _asterix(3)
    framed = (len(a) + 6).to_bytes(2, "big") + b"\x02\xbb\x40\x35" + a
    assert unwrap_asterix(framed) == a
    assert unwrap_capture([framed, a]) == [a, a]


def test_oradis_sample_capture_decodes():
    path = shared_file("asterix", "croatiacontrol", "install_sample_data_cat_001_002.pcap")
    decoder = AsterixDecoder()
    rows = [r for t in decode_file(path, decoder=decoder, report=None) for r in t.to_pylist()]
    assert decoder.errors == {}
    assert [r["category"] for r in rows].count(1) == 7 and [r["category"] for r in rows].count(2) == 1


def _gps_framed(blocks: list[bytes], times_of_day_s: list[float]) -> bytes:
    out = b"\xcd" * GPS_HEADER_OCTETS
    for block, t in zip(blocks, times_of_day_s, strict=True):
        out += block + b"\x11\xd2\x8f\x0a\x00\x00" + round(t * 128).to_bytes(3, "big") + b"\x00"
    return out


def _single_blocks(data: bytes) -> list[bytes]:
    out, p = [], 0
    while p < len(data):
        length = (data[p + 1] << 8) | data[p + 2]
        out.append(data[p : p + length])
        p += length
    return out


def test_gps_framed_recording_gives_blocks_with_receive_times_and_keeps_blocks_before_a_break():
    blocks = _single_blocks(encode_cat048(_table(6), sac=3, sic=4, max_block_bytes=40))
    assert len(blocks) >= 3
    times = [100.0 + k for k in range(len(blocks))]
    data = _gps_framed(blocks, times)
    gps = read_gps_framed(data)
    assert gps is not None and gps.blocks == blocks and gps.time_of_day_s == times and not gps.skipped
    cut = read_gps_framed(data[:-5])  # the last block's trailer cut short
    assert cut is not None and cut.blocks == blocks[:-1]
    assert cut.skipped == {"GPS framing broken: rest of the file": 1}
    assert read_gps_framed(b"".join(blocks)) is None  # a raw file is not GPS-framed


def test_gps_framed_sample_decodes_with_trailer_times(tmp_path):
    path = shared_file("asterix", "croatiacontrol", "install_sample_data_parsegps.gps")
    decoder = AsterixDecoder()
    rows = [r for t in decode_file(path, decoder=decoder, report=None) for r in t.to_pylist()]
    assert decoder.errors == {} and len(rows) == 18
    assert {r["category"] for r in rows} == {34, 48} and {(r["sac"], r["sic"]) for r in rows} == {(20, 193)}
    # every record's time of day is shortly before the receive time of day its block's trailer gives
    gps = read_gps_framed(path.read_bytes())
    assert gps is not None and 0.0 < gps.time_of_day_s[0] - rows[0]["time_of_day_s"] < 1.0
