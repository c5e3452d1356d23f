"""Beast binary: escapes, 12 MHz timestamps, signal level, Mode A/C frames, incremental feeds, damaged input."""

from __future__ import annotations

import numpy as np

from airpicture.decode.modes import encode
from airpicture.sources.beast import BeastParser, encode_beast, read_beast
from airpicture.sources.frames import ModeSFrames
from tests.conftest import shared_file


def _sample_frames() -> ModeSFrames:
    long = encode.adsb_airborne_velocity(np.array([0x1A1A1A, 0x0D0001], dtype=np.uint32), 400.0, 26.0, 0.0)
    short = encode.df4_altitude(np.array([0x1A1A1A], dtype=np.uint32), 26000.0)
    frames = ModeSFrames.concat(
        [
            ModeSFrames.from_arrays(long, [100.0, 100.5], signal_dbfs=-10.0),
            ModeSFrames.from_arrays(short, [101.0], signal_dbfs=-20.0),
            ModeSFrames.from_arrays(np.array([[0x1A, 0x1A]], dtype=np.uint8), [101.25]),  # Mode A/C
        ]
    )
    return frames


def test_encode_then_parse_gives_back_frames_times_and_signal():
    frames = _sample_frames()
    data = encode_beast(frames)
    assert data.count(b"\x1a\x1a") >= 4  # the 0x1A bytes of the addresses were escaped
    back = BeastParser(start_time_s=100.0).feed(data, final=True)
    assert len(back) == 4
    assert (back.data == frames.data).all()
    assert list(back.length) == [14, 14, 7, 2]
    assert np.allclose(back.time_s, frames.time_s, atol=1e-6)
    assert np.allclose(back.signal_dbfs[:3], [-10.0, -10.0, -20.0], atol=0.5)


def test_feeding_one_byte_at_a_time_gives_the_same_frames():
    frames = _sample_frames()
    data = encode_beast(frames)
    parser = BeastParser(start_time_s=100.0)
    got = ModeSFrames.concat([parser.feed(data[i : i + 1]) for i in range(len(data))] + [parser.feed(b"", final=True)])
    assert (got.data == frames.data).all()
    assert parser.rejected == {}


def test_broken_escape_and_truncated_frames_are_counted_not_decoded():
    frames = _sample_frames()
    data = bytearray(encode_beast(frames))
    # Un-double the first escaped 0x1A: the frame it sits in becomes broken; the others survive.
    first = data.index(b"\x1a\x1a", 2)
    del data[first]
    parser = BeastParser()
    back = parser.feed(bytes(data) + data[:10], final=True)
    assert parser.rejected.get("beast_broken_frame", 0) >= 1
    assert len(back) >= 2
    good_rows = {bytes(r) for r in frames.data}
    assert all(bytes(r) in good_rows for r in back.data[back.length == 14]) or back.length.size


def test_real_dump1090_capture_is_read_in_full():
    path = shared_file("modes", "traffic_sample_dump1090.bin")
    batches = list(read_beast(path, sensor="lfbo"))
    frames = ModeSFrames.concat(batches)
    assert len(frames) == 239
    assert frames.sensor == "lfbo"
    assert np.all(np.diff(frames.time_s) >= 0)
    assert np.isfinite(frames.signal_dbfs).all() and (frames.signal_dbfs <= 0).all()
    # Re-encoding and parsing again gives the same frames, times (to float precision at epoch scale) and signal.
    again = BeastParser(start_time_s=float(frames.time_s[0])).feed(encode_beast(frames), final=True)
    assert (again.data == frames.data).all()
    assert np.allclose(again.time_s, frames.time_s, atol=1e-6)
    assert np.allclose(again.signal_dbfs, frames.signal_dbfs, atol=1e-4)
