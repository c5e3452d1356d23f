"""``airpicture decode``: the contract command on the real files (jsonl and parquet, counts on stderr)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from airpicture.cli import main
from tests.conftest import shared_file


def test_decode_beast_capture_to_jsonl_one_row_per_frame_in_order(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    path = shared_file("modes", "traffic_sample_dump1090.bin")
    assert main(["decode", str(path), "--format", "beast", "--ref", "43.6,1.45", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 239
    assert [r["time_s"] for r in rows] == sorted(r["time_s"] for r in rows)
    assert {"time_s", "sensor", "kind", "icao24", "alt_baro_ft", "squawk", "df", "tc"} <= set(rows[0])
    assert {r["df"] for r in rows} == {0, 4, 5, 11, 16, 17, 20, 21}
    assert sum(r["lat_deg"] is not None for r in rows) == 3
    assert "239 rows" in capsys.readouterr().err


def test_decode_rawcsv_to_parquet_and_garbage_is_counted(tmp_path, capsys):
    src = tmp_path / "feed.csv"
    good = shared_file("modes", "rs1090_short_flights.csv").read_text().splitlines()[:50]
    src.write_text("\n".join([*good[:25], "garbage,line", "1753827790.0,8DADA5265851E6616376C2EB4460", *good[25:]]))
    out = tmp_path / "out.parquet"
    assert main(["decode", str(src), "--format", "rawcsv", "--out", str(out)]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 50
    assert table.column("icao24").null_count == 0 and "ada526" in set(table.column("icao24").to_pylist())
    err = capsys.readouterr().err
    assert "bad_line=1" in err and "crc=1" in err


def test_decode_refuses_a_bad_reference_and_a_missing_file(tmp_path, capsys):
    assert main(["decode", str(tmp_path / "nope.bin"), "--format", "beast", "--out", str(tmp_path / "o.jsonl")]) == 2
    try:
        main(["decode", "x", "--format", "beast", "--ref", "95,1", "--out", "o.jsonl"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not a position on Earth" in capsys.readouterr().err


def test_decode_avr_and_sbs_files(tmp_path, capsys):
    from airpicture.decode.modes import encode

    frames = [bytes(f).hex().upper() for f in encode.adsb_identification([0x0D0001, 0x0D0002], ["ETH908", "RAM521"])]
    avr = tmp_path / "feed.avr"
    avr.write_text(f"@000000000000{frames[0]};\n@000000B71B00{frames[1]};\nnoise\n")
    out = tmp_path / "avr.jsonl"
    assert main(["decode", str(avr), "--format", "avr", "--start-time", "1700000000", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["callsign"] for r in rows] == ["ETH908", "RAM521"]
    assert [r["time_s"] for r in rows] == [1700000000.0, 1700000001.0]
    assert "bad_line=1" in capsys.readouterr().err

    sbs = tmp_path / "feed.sbs"
    sbs.write_text("MSG,3,1,1,0D0001,1,2024/03/01,10:00:01.500,2024/03/01,10:00:01.500,,37000,,,13.5,2.1,,,0,0,0,0\n")
    out = tmp_path / "sbs.parquet"
    assert main(["decode", str(sbs), "--format", "sbs", "--sensor", "port30003", "--out", str(out)]) == 0
    table = pq.read_table(out)
    assert table.column("sensor").to_pylist() == ["port30003"]
    assert table.column("lat_deg").to_pylist() == [13.5]
