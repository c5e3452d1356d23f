import numpy as np
import pyarrow.parquet as pq

from airpicture.cli import main
from airpicture.core.sensors import save_sensors
from airpicture.core.tableio import write_table
from airpicture.sim.square import square_scenario


def _files(tmp_path):
    sc = square_scenario(10, 120.0, polar=True, seed=2)
    # The file arrives shuffled: the command must put it in time order itself.
    rng = np.random.default_rng(0)
    write_table(sc.measurements.take(rng.permutation(sc.measurements.num_rows)), tmp_path / "m.parquet")
    save_sensors(sc.sensors, tmp_path / "sensors.json")
    return sc


def test_track_command_writes_one_row_per_update(tmp_path):
    _files(tmp_path)
    args = ["track", str(tmp_path / "m.parquet"), "--sensors", str(tmp_path / "sensors.json")]
    assert main([*args, "--out", str(tmp_path / "t.parquet")]) == 0
    t = pq.read_table(tmp_path / "t.parquet")
    assert t.num_rows > 300
    times = t.column("time_s").to_numpy()
    assert np.any(times % 1.0 != 0.0)  # update times are plot times, not a grid
    assert set(t.column("status").to_pylist()) <= {"tentative", "confirmed", "coasting"}


def test_track_command_periodic_output_is_on_whole_multiples_of_the_period(tmp_path):
    sc = _files(tmp_path)
    args = ["track", str(tmp_path / "m.parquet"), "--sensors", str(tmp_path / "sensors.json")]
    assert main([*args, "--out", str(tmp_path / "p.parquet"), "--output-period", "5"]) == 0
    t = pq.read_table(tmp_path / "p.parquet")
    times = t.column("time_s").to_numpy()
    assert np.all(times % 5.0 == 0.0)
    assert "tentative" not in set(t.column("status").to_pylist())
    # Ten aircraft: at the end about ten confirmed tracks, one per aircraft.
    last = t.filter(t.column("time_s").to_numpy() == times.max())
    assert 8 <= last.num_rows <= 11
    assert sc.truth.num_rows > 0
