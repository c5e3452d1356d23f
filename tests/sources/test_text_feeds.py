"""AVR, rawcsv and SBS text feeds: the real files read in full, the common variants, garbage counted."""

from __future__ import annotations

import numpy as np

from airpicture.decode.modes import ModeSDecoder, encode
from airpicture.sources.frames import ModeSFrames, frames_from_hex
from airpicture.sources.sbs import read_sbs
from airpicture.sources.text import read_avr, read_rawcsv
from tests.conftest import shared_file


def test_real_rawcsv_files_are_read_in_full():
    expected = {
        "pymodes_sample_data_adsb.csv": 2000,  # time,"hex","icao",typecode (quoted, extra columns)
        "pymodes_sample_data_commb_df20.csv": 5000,  # BOM, time,icao,hex
        "pymodes_sample_data_commb_df21.csv": 5000,
        "rs1090_short_flights.csv": 486,  # timestamp,hex
    }
    for name, lines in expected.items():
        rejected: dict[str, int] = {}
        frames = ModeSFrames.concat(list(read_rawcsv(shared_file("modes", name), rejected=rejected)))
        assert len(frames) == lines and rejected == {}, name
        assert (frames.length == 14).all()
        assert np.all(frames.time_s > 1.4e9)


def test_frame_length_comes_from_the_downlink_format_not_the_text():
    # A 56-bit DF4 padded to 28 hex digits, as some files write it, is a 7-byte frame.
    short = bytes(encode.df4_altitude(0x0D0001, 5000.0)[0]).hex().upper()
    parsed = frames_from_hex([short + "0" * 14, short, short[:10]], [0.0, 1.0, 2.0])
    assert list(parsed.frames.length) == [7, 7]
    assert parsed.rejected == {"truncated": 1}
    table = ModeSDecoder().decode(parsed.frames)
    assert table.column("alt_baro_ft").to_pylist() == [5000.0, 5000.0]


def test_avr_variants_and_garbage_lines():
    frame = bytes(encode.adsb_airborne_velocity(0x0D0001, 300.0, 90.0, 0.0)[0]).hex().upper()
    text = "\n".join(
        [
            f"*{frame};",
            f"@000000B71B00{frame};",  # the first counter sets the time base
            f"%000001312D00{frame};",
            f"<000001C9C380FF{frame};\r",
            f"*{frame.lower()}",
            "*NOT HEX;",
            "hello",
            f"@00ZZ00000000{frame};",
            "",
        ]
    )
    rejected: dict[str, int] = {}
    frames = ModeSFrames.concat(list(read_avr(text, start_time_s=100.0, rejected=rejected)))
    assert len(frames) == 5
    assert rejected == {"bad_line": 3}
    assert np.allclose(frames.time_s, [100.0, 100.0, 100.666666, 101.5, 101.5], atol=1e-5)
    assert np.isclose(frames.signal_dbfs[3], 0.0)
    out = ModeSDecoder().decode(frames)
    assert out.column("ground_speed_kt").to_pylist() == [300.0] * 5


def test_sbs_lines_become_measurements():
    text = "\n".join(
        [
            "MSG,1,1,1,0D0001,1,2024/03/01,10:00:00.000,2024/03/01,10:00:00.000,ETH908  ,,,,,,,,,,,0",
            "MSG,3,1,1,0D0001,1,2024/03/01,10:00:01.500,2024/03/01,10:00:01.500,,37000,,,13.5,2.1,,,0,0,0,0",
            "MSG,4,1,1,0D0001,1,2024/03/01,10:00:02.000,2024/03/01,10:00:02.000,,,450,88.5,,,-640,,,,,0",
            "MSG,6,1,1,0D0001,1,2024/03/01,10:00:03.000,2024/03/01,10:00:03.000,,,,,,,,7700,-1,-1,0,0",
            "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM",
            "MSG,x,broken",
        ]
    )
    rejected: dict[str, int] = {}
    table = next(read_sbs(text, sensor="sbs1", rejected=rejected))
    assert rejected == {"not_msg": 1, "bad_line": 1}
    rows = table.to_pylist()
    assert [r["kind"] for r in rows] == ["adsb", "adsb", "adsb", "modes"]
    assert rows[0]["callsign"] == "ETH908" and rows[0]["icao24"] == "0d0001"
    assert rows[1]["lat_deg"] == 13.5 and rows[1]["alt_baro_ft"] == 37000.0
    assert rows[1]["time_s"] == 1709287201.5
    assert rows[2]["ground_speed_kt"] == 450.0 and rows[2]["vertical_rate_fpm"] == -640.0
    assert rows[3]["squawk"] == "7700" and rows[3]["emergency"] == "general"
