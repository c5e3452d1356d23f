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
    plans = (out / "flight_plans.txt").read_text()
    assert plans.count("(FPL-") > 100


def test_simulate_takes_the_opt_in_events_by_name(tmp_path):
    out = tmp_path / "run"
    argv = ["simulate", "--scenario", "niger", "--duration", "2", "--no-events", "--out", str(out),
            "--extra-events", "gnss_interference,stca_level_off"]  # fmt: skip
    assert main(argv) == 0
    events = json.loads((out / "events.json").read_text())
    assert sorted(e["kind"] for e in events) == ["gnss_interference", "stca_level_off"]
    argv[-1] = "no_such_event"
    assert main(argv) == 2


def test_simulate_rejects_stress_options_on_niger(tmp_path, capsys):
    argv = ["simulate", "--scenario", "niger", "--duration", "5", "--radars", "3", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "stress scenario only" in capsys.readouterr().err


def test_simulate_rejects_a_non_positive_duration(tmp_path, capsys):
    argv = ["simulate", "--scenario", "stress", "--duration", "0", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "--duration must be positive" in capsys.readouterr().err
