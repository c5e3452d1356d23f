"""Bad input: a clear counted error per data block, the rest of the stream still decoded, nothing raised, no hang."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.decode.asterix import AsterixDecoder, encode_cat048, encode_cat062

INTERNAL = "internal decoder error"


def _plots(n: int) -> bytes:
    t = table_from_columns(
        MEASUREMENT,
        {
            "time_s": 1.7e9 + np.arange(n, dtype=float),
            "kind": ["modes"] * n,
            "range_m": np.linspace(1e4, 3e5, n),
            "azimuth_deg": np.linspace(0, 350, n),
            "squawk": ["1234"] * n,
            "alt_baro_ft": np.full(n, 35000.0),
            "icao24": ["3c660c"] * n,
            "callsign": ["DLH65A"] * n,
        },
    )
    return encode_cat048(t, sac=1, sic=2, max_block_bytes=200)


GOOD = _plots(30)  # several data blocks of a few records each


def _blocks(data: bytes) -> list[bytes]:
    out, p = [], 0
    while p < len(data):
        n = (data[p + 1] << 8) | data[p + 2]
        out.append(data[p : p + n])
        p += n
    return out


def _block(cat: int, body: bytes) -> bytes:
    return bytes([cat]) + (len(body) + 3).to_bytes(2, "big") + body


def test_good_stream_decodes_completely():
    dec = AsterixDecoder()
    assert dec.decode(GOOD).num_rows == 30 and dec.errors == {}


def test_bad_block_between_good_ones_is_counted_and_the_others_still_decode():
    blocks = _blocks(GOOD)
    first, rest = blocks[0], blocks[1:]
    n_first = AsterixDecoder().decode(first).num_rows
    # An FSPEC that never ends (FX set on every octet) inside an otherwise valid block.
    bad = _block(48, b"\xff" * 40)
    dec = AsterixDecoder()
    out = dec.decode(first + bad + b"".join(rest))
    assert out.num_rows == 30
    assert dec.errors == {"CAT048 ?: FSPEC longer than the UAP": 1} or sum(dec.errors.values()) == 1
    assert INTERNAL not in dec.errors
    assert n_first > 0


def test_extended_item_that_never_ends_is_an_error():
    # FSPEC: I010 and I020 (FRN 1, 3); I020 with FX set on every octet.
    body = bytes([0b1010_0000]) + b"\x01\x02" + b"\x01" * 20
    dec = AsterixDecoder()
    assert dec.decode(_block(48, body) + GOOD).num_rows == 30
    assert list(dec.errors) == ["CAT048 1/2 ed1.21: extended item longer than its definition"]


def test_repetition_count_beyond_the_block_is_an_error():
    # FSPEC: I010 and I250 (FRN 1 and 10): REP = 255 eight-octet elements in a block of a few octets.
    body = bytes([0b1000_0001, 0b0010_0000]) + b"\x01\x02" + b"\xff" + b"\x00" * 8
    dec = AsterixDecoder()
    assert dec.decode(_block(48, body) + GOOD).num_rows == 30
    assert list(dec.errors) == ["CAT048 1/2 ed1.21: record overruns the block"]


def test_block_length_beyond_the_data_is_counted():
    data = GOOD[:-5]  # the last block is cut short
    dec = AsterixDecoder()
    out = dec.decode(data)
    n_last = AsterixDecoder().decode(_blocks(GOOD)[-1]).num_rows
    assert out.num_rows == 30 - n_last
    assert dec.errors == {"data block LEN beyond the data": 1}


def test_block_shorter_than_its_records_is_counted_per_block():
    blocks = _blocks(GOOD)
    short = bytearray(blocks[0])
    short[1:3] = (len(short) - 1).to_bytes(2, "big")  # LEN one octet short: the last record overruns
    dec = AsterixDecoder()
    # A LEN one short leaves one stray octet in front of the next block, which is then misframed; datagrams
    # (one per block) are independent, so decode them as such.
    out = dec.decode_payloads([bytes(short[:-1]), *blocks[1:]])
    assert out.num_rows == 30 - AsterixDecoder().decode(blocks[0]).num_rows
    assert list(dec.errors) == ["CAT048 1/2 ed1.21: record overruns the block"]


def test_leftover_octets_after_the_last_record_are_an_error():
    block = _blocks(GOOD)[0]
    padded = bytearray(block + b"\x00")
    padded[1:3] = len(padded).to_bytes(2, "big")
    dec = AsterixDecoder()
    assert dec.decode(bytes(padded)).num_rows == 0
    assert list(dec.errors) == ["CAT048 1/2 ed1.21: record with no items"]


def test_block_length_below_three_stops_the_segment_and_is_counted():
    dec = AsterixDecoder()
    out = dec.decode_payloads([b"\x30\x00\x01\x00", GOOD])
    assert out.num_rows == 30
    assert dec.errors == {"data block LEN below 3": 1}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_never_raise(data):
    dec = AsterixDecoder()
    out = dec.decode(data, receive_time_s=1.7e9)
    assert out.num_rows >= 0
    assert INTERNAL not in dec.errors


TRACKS = encode_cat062(
    table_from_columns(
        __import__("airpicture.core.schema", fromlist=["SYSTEM_TRACK"]).SYSTEM_TRACK,
        {
            "time_s": 1.7e9 + np.arange(12.0),
            "track_id": np.arange(12),
            "lat_deg": np.full(12, 13.5),
            "lon_deg": np.full(12, 2.1),
            "alt_ft": np.full(12, 30000.0),
            "ground_speed_kt": np.full(12, 420.0),
            "track_deg": np.full(12, 90.0),
            "status": ["confirmed"] * 12,
            "icao24": ["0a0000"] * 12,
            "squawk": ["2000"] * 12,
        },
    ),
    sac=96,
    sic=1,
    max_block_bytes=120,
)
STREAM = GOOD + TRACKS


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_corrupting_one_block_loses_at_most_that_block(data):
    blocks = _blocks(STREAM)
    k = data.draw(st.integers(0, len(blocks) - 1))
    block = bytearray(blocks[k])
    pos = data.draw(st.integers(3, len(block) - 1))  # keep CAT and LEN: the framing survives
    block[pos] = data.draw(st.integers(0, 255))
    payloads = [*blocks[:k], bytes(block), *blocks[k + 1 :]]
    dec = AsterixDecoder()
    out = dec.decode_payloads(payloads)
    lost = AsterixDecoder().decode(blocks[k]).num_rows
    assert INTERNAL not in dec.errors
    assert out.num_rows >= 30 + 12 - lost
    assert sum(dec.errors.values()) <= 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(STREAM) - 1))
def test_truncated_stream_keeps_every_complete_block(cut):
    dec = AsterixDecoder()
    out = dec.decode(STREAM[:cut])
    p = complete = 0
    while p + 3 <= cut and p + ((STREAM[p + 1] << 8) | STREAM[p + 2]) <= cut:
        complete += AsterixDecoder().decode(STREAM[p : p + ((STREAM[p + 1] << 8) | STREAM[p + 2])]).num_rows
        p += (STREAM[p + 1] << 8) | STREAM[p + 2]
    assert out.num_rows == complete
    assert INTERNAL not in dec.errors
    assert sum(dec.errors.values()) == (1 if p < cut else 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=80))
def test_random_field_sequencing_with_random_content_never_raises_and_spares_the_next_blocks(body):
    # a CAT001 record naming FRN 1-4 and Random Field Sequencing, whatever follows, then good CAT048 blocks
    dec = AsterixDecoder()
    out = dec.decode(_block(1, bytes([0xF1, 0x01, 0x02]) + body) + GOOD, receive_time_s=1.7e9)
    assert INTERNAL not in dec.errors
    assert (out.column("category").to_numpy() == 48).sum() == 30


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_gps_framing_reader_never_raises_on_random_content(tail):
    from airpicture.sources.pcap import GPS_HEADER_OCTETS, read_gps_framed

    got = read_gps_framed(b"\xcd" * GPS_HEADER_OCTETS + tail)
    assert got is None or all(len(b) >= 3 for b in got.blocks)
