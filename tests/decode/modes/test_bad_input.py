"""Bad input never raises to the caller and never hangs: random bytes, damaged Beast, garbage text lines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airpicture.decode.modes import ModeSDecoder, encode
from airpicture.decode.modes.crc import crc24
from airpicture.sources.beast import BeastParser, encode_beast
from airpicture.sources.frames import ModeSFrames, frames_from_hex
from airpicture.sources.sbs import read_sbs
from airpicture.sources.text import read_avr, read_rawcsv

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_sane(table, n_in: int) -> None:
    assert table.num_rows <= n_in
    lat = table.column("lat_deg").to_numpy(zero_copy_only=False)
    lat = lat[~np.isnan(lat.astype(float))] if lat.size else lat
    assert np.all(np.abs(lat.astype(float)) <= 90.0)


@pytest.mark.timeout(120)
@FAST
@given(st.binary(min_size=0, max_size=14 * 64), st.lists(st.sampled_from([0, 1, 2, 5, 7, 13, 14, 20]), max_size=64))
def test_random_bytes_as_frames_never_raise(blob, lengths):
    n = min(len(blob) // 14, len(lengths))
    data = np.frombuffer(blob[: n * 14], dtype=np.uint8).reshape(n, 14).copy()
    frames = ModeSFrames(
        np.arange(n, dtype=float), data, np.array(lengths[:n], dtype=np.uint8), np.full(n, np.nan, np.float32)
    )
    decoder = ModeSDecoder(reference_lat_lon=(13.5, 2.1), correct_one_bit=True)
    table = decoder.decode(frames)
    _assert_sane(table, n)
    assert sum(decoder.rejected.get(k, 0) for k in ("crc", "unsupported_df", "truncated", "mode_ac")) <= n


@pytest.mark.timeout(120)
@FAST
@given(st.lists(st.binary(min_size=11, max_size=11), min_size=1, max_size=80), st.integers(0, 2**32 - 1))
def test_random_messages_with_valid_parity_decode_without_error(bodies, seed):
    """Every ADS-B type code with random content (valid CRC, so nothing is filtered before the field decoders)."""
    rng = np.random.default_rng(seed)
    data = np.zeros((len(bodies), 14), dtype=np.uint8)
    data[:, :11] = np.frombuffer(b"".join(bodies), dtype=np.uint8).reshape(-1, 11)
    df = rng.choice([17, 18, 20, 21], size=len(bodies))
    data[:, 0] = (df << 3) | (data[:, 0] & 0x7)
    data[:, 1:4] = rng.integers(0, 4, size=(len(bodies), 3))  # a handful of aircraft so CPR pairs form
    parity = crc24(data, 11)
    data[:, 11] = parity >> 16
    data[:, 12] = (parity >> 8) & 0xFF
    data[:, 13] = parity & 0xFF
    frames = ModeSFrames(
        np.sort(rng.uniform(0, 30, len(bodies))),
        data,
        np.full(len(bodies), 14, np.uint8),
        np.full(len(bodies), np.nan, np.float32),
    )
    decoder = ModeSDecoder(reference_lat_lon=(13.5, 2.1))
    _assert_sane(decoder.decode(frames), len(bodies))
    _assert_sane(decoder.decode(frames), len(bodies))


@pytest.mark.timeout(120)
@FAST
@given(st.binary(max_size=4096), st.integers(1, 97))
def test_beast_parser_survives_random_bytes_in_random_chunks(blob, chunk):
    parser = BeastParser()
    decoder = ModeSDecoder()
    for start in range(0, len(blob), chunk):
        decoder.decode(parser.feed(blob[start : start + chunk]))
    decoder.decode(parser.feed(b"", final=True))


@pytest.mark.timeout(120)
@FAST
@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_damaged_beast_streams_lose_only_the_damaged_frames(seed, n_damage):
    rng = np.random.default_rng(seed)
    n = 200
    icao = rng.integers(1, 1 << 24, n).astype(np.uint32)
    frames = ModeSFrames.from_arrays(encode.adsb_airborne_velocity(icao, 420.0, 33.0, 0.0), np.arange(n) * 0.01)
    stream = bytearray(encode_beast(frames))
    for _ in range(n_damage):  # cut bytes out (truncation, broken escapes) or insert stray 0x1A
        pos = int(rng.integers(0, len(stream)))
        if rng.random() < 0.5:
            del stream[pos : pos + int(rng.integers(1, 10))]
        else:
            stream.insert(pos, 0x1A)
    parser = BeastParser()
    got = parser.feed(bytes(stream), final=True)
    decoder = ModeSDecoder()
    table = decoder.decode(got)
    # Every checked (DF17) frame is one of the originals: the CRC filters whatever the damage produced. Garbage
    # that happens to start with an Address/Parity DF cannot be checked; it is decoded, flagged unverified.
    es = table.filter(table.column("df").to_numpy() == 17)
    assert set(es.column("icao24").to_pylist()) <= {f"{a:06x}" for a in icao}
    others = table.filter(table.column("df").to_numpy() != 17)
    assert not any(others.column("icao_verified").to_pylist())
    # ...and the frames away from the damage survive.
    assert es.num_rows >= n - 3 * n_damage


@pytest.mark.timeout(120)
@FAST
@given(st.lists(st.text(max_size=60) | st.sampled_from([";", "*;", "@;", "<;", ",", "\ufeff", "*8D;"]), max_size=50))
def test_garbage_text_lines_are_counted_never_fatal(lines):
    for reader in (read_avr, read_rawcsv):
        rejected: dict[str, int] = {}
        for frames in reader(lines, rejected=rejected):
            ModeSDecoder().decode(frames)
    rejected = {}
    for _ in read_sbs(lines, rejected=rejected):
        pass
    frames_from_hex(lines, 0.0)


@pytest.mark.timeout(120)
@FAST
@given(st.lists(st.integers(1, 600), min_size=1, max_size=12), st.integers(0, 2**32 - 1))
def test_beast_stream_split_anywhere_gives_the_same_frames(cuts, seed):
    rng = np.random.default_rng(seed)
    n = 40
    icao = rng.choice(np.array([0x1A1A1A, 0x001A00, 0x0D0001, 0x1A0000], dtype=np.uint32), n)  # many escapes
    frames = ModeSFrames.concat(
        [
            ModeSFrames.from_arrays(encode.adsb_airborne_velocity(icao, 300.0, 26.0, 0.0), np.arange(n) * 0.001),
            ModeSFrames.from_arrays(encode.df4_altitude(icao, 2600.0), 1.0 + np.arange(n) * 0.001),
        ]
    )
    stream = encode_beast(frames)
    positions = sorted({min(c * 7, len(stream)) for c in cuts})
    parser = BeastParser()
    pieces, start = [], 0
    for end in [*positions, len(stream)]:
        pieces.append(parser.feed(stream[start:end]))
        start = end
    pieces.append(parser.feed(b"", final=True))
    got = ModeSFrames.concat(pieces)
    assert (got.data == frames.data).all() and (got.length == frames.length).all()
    assert parser.rejected == {}
