"""The offline command: a track file in, alert events out; bad airspace volumes and FPLs are reported, not fatal."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from airpicture.cli import main
from airpicture.core.tableio import write_table
from airpicture.monitor import default_niger_airspace
from tests.monitor.synth import Flight, fly


def test_monitor_command_writes_alert_events_and_reports_bad_input(tmp_path, capsys):
    snapshots = fly([Flight(15.0, 3.0, 30000.0, 300.0, 90.0, squawk="7700"), Flight(15.5, 3.0, 30000.0, 300.0, 90.0)],
                    120.0, step_s=2.0)  # fmt: skip
    tracks = tmp_path / "tracks.parquet"
    write_table(pa.concat_tables([t for _, t in snapshots]), tracks)
    zones = default_niger_airspace().to_geojson()
    broken = {"name": "BROKEN", "kind": "danger", "floor_ft": 9000, "ceiling_ft": 1000}
    ring = [[0, 0], [1, 0], [1, 1], [0, 0]]
    zones["features"].append(
        {"type": "Feature", "properties": broken, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    )
    airspace = tmp_path / "zones.geojson"
    airspace.write_text(json.dumps(zones))
    plans = tmp_path / "plans.txt"
    plans.write_text("(FPL-TST001-IS-B738/M-S/C-DRRN0800-N0450F300 DCT-DRZA0200-0)\n(FPL-BAD-IS-B738/M)\n")
    config = tmp_path / "monitor.toml"
    config.write_text("[emergency]\nraise_after_cycles = 1\n")
    out = tmp_path / "alerts.parquet"
    code = main(["monitor", str(tracks), "--airspace", str(airspace), "--config", str(config),
                 "--flight-plans", str(plans), "--out", str(out), "--period", "4"])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "'BROKEN'" in err and "above ceiling" in err
    assert "BAD" in err and "fields" in err and "flight plans: 1 loaded" in err
    alerts = pq.read_table(out).to_pylist()
    emergencies = [a for a in alerts if a["kind"] == "emergency"]
    assert [a["state"] for a in emergencies] == ["raised"] and emergencies[0]["track_ids"] == [0]
    assert emergencies[0]["time_raised_s"] == snapshots[0][0]
    assert "emergency: 1 raised" in err


def test_monitor_command_rejects_an_unknown_setting_clearly(tmp_path, capsys):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"stca": {"horizontal_nmi": 3}}))
    tracks = tmp_path / "t.parquet"
    write_table(fly([Flight(15.0, 3.0, 30000.0, 300.0, 90.0)], 4.0)[0][1], tracks)
    airspace = tmp_path / "zones.geojson"
    airspace.write_text(json.dumps(default_niger_airspace().to_geojson()))
    code = main(["monitor", str(tracks), "--airspace", str(airspace), "--config", str(config),
                 "--out", str(tmp_path / "a.parquet")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "config.stca: unknown setting(s) horizontal_nmi" in err and "horizontal_nm" in err
