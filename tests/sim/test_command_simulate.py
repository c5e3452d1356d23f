"""``airpicture simulate`` writes the contract files."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from airpicture.cli import main
from airpicture.core.schema import MEASUREMENT, TRUTH
from airpicture.core.sensors import load_sensors


def test_simulate_writes_measurements_truth_and_sensors(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["simulate", "--scenario", "niger", "--duration", "30", "--seed", "2", "--out", str(out)]) == 0
    meas = pq.read_table(out / "measurements.parquet")
    truth = pq.read_table(out / "truth.parquet")
    assert set(MEASUREMENT.names) <= set(meas.column_names) and meas.num_rows > 5000
    assert set(TRUTH.names) <= set(truth.column_names) and truth.num_rows > 40 * 30
    sensors = load_sensors(out / "sensors.json")
    assert {s.kind for s in sensors} == {"psr_ssr", "ssr", "adsb", "mlat"}
    events = json.loads((out / "events.json").read_text())
    assert {e["kind"] for e in events} >= {"emergency", "transponder_off", "spoofing", "stca"}
    err = capsys.readouterr().err
    assert "simulate niger:" in err and "30/30 s" in err


def test_simulate_rejects_stress_options_on_niger(tmp_path, capsys):
    argv = ["simulate", "--scenario", "niger", "--duration", "5", "--radars", "3", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "stress scenario only" in capsys.readouterr().err


def test_simulate_rejects_a_non_positive_duration(tmp_path, capsys):
    argv = ["simulate", "--scenario", "stress", "--duration", "0", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "--duration must be positive" in capsys.readouterr().err
