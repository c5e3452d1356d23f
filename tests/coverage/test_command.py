"""``airpicture coverage``: the Niger example end to end, and bad input reported while the rest is computed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airpicture.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_niger_example_reports_fl100_200_300_with_maps_and_layers(tmp_path, capsys) -> None:
    out = tmp_path / "cov"
    code = main(
        [
            "coverage", "--config", str(REPO / "examples" / "coverage_niger.toml"), "--levels", "100,200,300",
            "--out", str(out), "--no-progress",
        ]
    )  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    rows = {(r["level_fl"], r["area"]): r for r in summary["levels"]}
    assert set(rows) == {(lv, a) for lv in (100.0, 200.0, 300.0) for a in ("FIR", "Niger")}
    assert rows[(100.0, "FIR")]["area_km2"] == pytest.approx(1.70e6, rel=0.01)  # the Niamey FIR
    assert rows[(100.0, "Niger")]["area_km2"] == pytest.approx(1.185e6, rel=0.02)  # Niger: 1,186,408 km²
    fir = [rows[(lv, "FIR")]["covered_1_pct"] for lv in (100.0, 200.0, 300.0)]
    assert 0 < fir[0] < fir[1] < fir[2] < 100  # higher levels are seen farther
    assert rows[(300.0, "Niger")]["covered_1_pct"] > rows[(300.0, "FIR")]["covered_1_pct"]  # sensors are in Niger
    # The terrain comes from the GLOBE package; the part west of 0°E is said to be flat fallback.
    assert "GLOBE" in summary["terrain"]
    assert any("west of 0°E" in m for m in summary["messages"])
    for name in ("report.md", "coverage.geojson", "coverage_layer.geojson", "coverage_FL200.png"):
        assert (out / name).stat().st_size > 1000
    assert (out / "coverage_FL200.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "| FL200 | FIR |" in report and "NIM-MSSR" in report
    assert "FL200 FIR" in capsys.readouterr().out


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_CONFIG = """
title = "bad input"
[model]
grid_step_arcmin = 4
bearing_step_deg = 1
range_step_m = 3000
[terrain]
source = "globe"
[[sensors]]
id = "NIM"
kind = "adsb"
aerodrome = "DRRN"
[[sensors]]
id = "ouaga-west"
kind = "adsb"
lat_deg = 12.35
lon_deg = -1.51
[[sensors]]
id = "nowhere"
kind = "adsb"
aerodrome = "ZZZZ"
[[sensors]]
id = "negative"
kind = "ssr"
lat_deg = 14.0
lon_deg = 3.0
range_max_m = -10
[candidates]
grid_step_deg = 0
aerodromes = false
"""


def test_bad_input_is_reported_and_the_rest_computed(tmp_path, capsys) -> None:
    config = _write(tmp_path / "bad.toml", BAD_CONFIG)
    out = tmp_path / "out"
    code = main(
        [
            "coverage", "--config", str(config), "--levels", "FL010,200,abc", "--out", str(out), "--propose", "3",
            "--no-maps", "--no-progress",
        ]
    )  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "'nowhere'" in err and "unknown aerodrome" in err
    assert "'negative'" in err and "range_max_m must be positive" in err
    assert "'ouaga-west'" in err and "outside the terrain grid" in err  # west of 0°E: no GLOBE data
    assert "FL010" in err and "below the terrain" in err
    assert "'abc' is not a number" in err
    assert "no candidate sites" in err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sensors"] == ["NIM", "ouaga-west"]
    assert summary["proposal"]["sites"] == [] and summary["proposal"]["after_pct"] == summary["proposal"]["before_pct"]
    fl200 = {r["area"]: r for r in summary["levels"] if r["level_fl"] == 200.0}
    assert fl200["FIR"]["covered_1_km2"] > 0
    assert summary["sensor_area_km2"]["FL200"]["ouaga-west"] > 100_000


def test_unreadable_config_is_a_clear_error(tmp_path, capsys) -> None:
    config = _write(tmp_path / "broken.toml", "[[sensors]\nid = ")
    assert main(["coverage", "--config", str(config), "--out", str(tmp_path / "o")]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_sensors_json_is_accepted_as_a_config(tmp_path) -> None:
    sensors = [{"id": "rx", "kind": "adsb", "lat_deg": 13.48, "lon_deg": 2.18, "alt_m": 240.0, "range_max_m": 300000}]
    config = _write(tmp_path / "sensors.json", json.dumps(sensors))
    out = tmp_path / "o"
    code = main(
        ["coverage", "--config", str(config), "--levels", "200", "--out", str(out), "--no-maps", "--no-progress",
         "--terrain", "flat"]
    )  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sensors"] == ["rx"] and summary["terrain"].startswith("flat earth")


def test_observed_outline_from_an_airpicture_recording(tmp_path) -> None:
    import numpy as np

    from airpicture.core.geodesy import destination
    from airpicture.core.schema import MEASUREMENT, table_from_columns
    from airpicture.record.recorder import Recorder

    rng = np.random.default_rng(2)
    n = 400
    lat, lon = destination(13.48, 2.18, rng.uniform(0, 360, n), rng.uniform(5_000, 300_000, n))
    table = table_from_columns(
        MEASUREMENT,
        {
            "time_s": np.arange(n, dtype=float), "sensor": "NIM-ADSB", "kind": "adsb", "lat_deg": lat,
            "lon_deg": lon, "alt_baro_ft": rng.uniform(25_000, 39_000, n),
            "icao24": [f"{i % 40:06x}" for i in range(n)],
        },
    )  # fmt: skip
    recorder = Recorder(tmp_path / "rec.duckdb")
    recorder.append("airpicture.meas.NIM-ADSB", table)
    recorder.close()
    config = _write(
        tmp_path / "c.toml",
        '[model]\ngrid_step_arcmin = 6\nbearing_step_deg = 2\nrange_step_m = 5000\n[terrain]\nsource = "flat"\n'
        '[[sensors]]\nid = "NIM-ADSB"\nkind = "adsb"\naerodrome = "DRRN"\n',
    )
    out = tmp_path / "o"
    code = main(
        ["coverage", "--config", str(config), "--levels", "300", "--out", str(out), "--no-progress",
         "--observed", str(tmp_path / "rec.duckdb")]
    )  # fmt: skip
    assert code == 0
    observed = json.loads((out / "summary.json").read_text())["observed"]
    assert [o["sensor"] for o in observed] == ["NIM-ADSB"]
    assert observed[0]["position"]["method"] == "configured" and observed[0]["n_positions"] == n
    assert observed[0]["disagreements"] == []  # all positions lie inside the 300 km the receiver sees at FL250+
    assert (out / "outline_NIM-ADSB.png").stat().st_size > 1000
