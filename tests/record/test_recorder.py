import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airpicture.core import schema
from airpicture.record.recorder import Recorder, RecorderConfig, RecordingError, segment_dir
from airpicture.record.recording import Recording
from tests.conftest import REPO
from tests.record.traffic import measurement_batch, track_batch

T0 = 1_780_000_000.0

# A recorder process that records one synthetic batch of 50 measurements every 20 ms and, after each append has
# returned, prints the batch's first time_s and the wall clock, so the parent knows what was handed over and when.
# argv[3] "timer": the shipped 1 s flush timer; "once": one flush after the fifth batch and none after it, so the kill
# always finds batches in DuckDB and batches only in the write-ahead (a timer flush just before the kill could
# otherwise leave nothing to recover on a loaded machine).
_WRITER = """
import sys, time
from airpicture.record.recorder import Recorder, RecorderConfig
from tests.record.traffic import measurement_batch
timer = sys.argv[3] == "timer"
rec = Recorder(sys.argv[1], RecorderConfig(flush_interval_s=1.0 if timer else 3600.0, write_ahead=sys.argv[2] == "1"))
k = 0
while True:
    t0 = {t0} + k
    rec.append("airpicture.meas.rx1", measurement_batch(t0, seed=k))
    if not timer and k == 4:
        rec.flush()
    print(t0, time.time(), flush=True)
    k += 1
    time.sleep(0.02)
""".replace("{t0}", repr(T0))


def _record_then_kill(path, write_ahead: bool, seconds: float, flush: str = "timer") -> list[tuple[float, float]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), "1" if write_ahead else "0", flush],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        handed_over: list[tuple[float, float]] = []
        assert proc.stdout is not None
        deadline = None
        while deadline is None or time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            t0, wall = line.split()
            handed_over.append((float(t0), float(wall)))
            deadline = deadline or time.monotonic() + seconds  # counted from the first append, not interpreter start
        # While the writer holds the file, a reader in another process gets a clear error, not a hang.
        with pytest.raises(RecordingError, match="open for writing by another process"):
            Recording(path)
        proc.send_signal(signal.SIGKILL)
        killed_at = time.time()
        proc.wait(timeout=10)
        # Lines printed before the kill and not yet read are appends that returned too.
        for line in proc.stdout.read().splitlines():
            t0, wall = line.split()
            handed_over.append((float(t0), float(wall)))
    finally:
        if proc.poll() is None:  # a failed assertion above must not leave the writer running
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    handed_over.append((np.nan, killed_at))
    return handed_over


def test_kill_9_mid_stream_loses_nothing_that_append_returned(tmp_path):
    path = tmp_path / "rec.duckdb"
    handed_over = _record_then_kill(path, write_ahead=True, seconds=3.0, flush="once")
    batches = [t0 for t0, _ in handed_over[:-1]]
    assert len(batches) >= 10
    with Recording(path) as rec:
        rows = rec.rows("measurements")
        # Everything appended since the flush after the fifth batch came back from the write-ahead segments.
        assert rec.recovered_rows >= 50 * (len(batches) - 5)
    got = np.unique(np.floor(rows.column("time_s").to_numpy()))
    assert np.array_equal(got, np.array(batches))
    assert rows.num_rows == 50 * len(batches)
    assert not any(segment_dir(path).iterdir())


def test_kill_9_without_write_ahead_loses_at_most_the_last_second(tmp_path):
    path = tmp_path / "rec.duckdb"
    handed_over = _record_then_kill(path, write_ahead=False, seconds=3.0)
    killed_at = handed_over[-1][1]
    with Recording(path) as rec:
        got = set(np.floor(rec.rows("measurements").column("time_s").to_numpy()).tolist())
    before_last_second = [t0 for t0, wall in handed_over[:-1] if wall < killed_at - 1.1]
    assert before_last_second
    assert set(before_last_second) <= got


def test_torn_write_ahead_segment_keeps_the_whole_batches_and_counts_the_tear(tmp_path):
    path = tmp_path / "rec.duckdb"
    rec = Recorder(path, RecorderConfig(background_flush=False))
    for k in range(3):
        rec.append("airpicture.meas.rx1", measurement_batch(T0 + k, seed=k))
    # Simulate a crash mid-write: leave the process without flushing, then chop the segment's last bytes.
    rec._segment.close(fsync=False)
    seg = rec._segment.path("measurements")
    rec.con.close()
    data = seg.read_bytes()
    seg.write_bytes(data[: len(data) - 300])
    with Recording(path) as back:
        assert back.torn_segments == 1
        times = np.floor(back.rows("measurements").column("time_s").to_numpy())
    assert sorted(set(times.tolist())) == [T0, T0 + 1]


def test_corrupt_or_truncated_recording_gives_a_clear_error(tmp_path):
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(os.urandom(100_000))
    with pytest.raises(RecordingError, match="not a readable airpicture recording"):
        Recording(garbage)
    good = tmp_path / "good.duckdb"
    with Recorder(good) as rec:
        rec.append("airpicture.meas.rx1", measurement_batch(T0))
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(RecordingError, match="not a readable airpicture recording"):
        Recording(truncated)
    with pytest.raises(RecordingError, match="no such recording"):
        Recording(tmp_path / "absent.duckdb")


def test_foreign_schema_and_unknown_subject_are_counted_and_nothing_else_is_lost(tmp_path):
    path = tmp_path / "rec.duckdb"
    with Recorder(path) as rec:
        rec.append("airpicture.meas.rx1", measurement_batch(T0))
        rec.append("airpicture.tracks", pa.table({"foo": [1, 2]}))
        rec.append("airpicture.tracks", pa.table({"time_s": ["noon"], "track_id": [1]}))
        rec.append("weather.metar", measurement_batch(T0 + 1))
        rec.append("airpicture.tracks", track_batch(T0, [7], [13.5], [2.1]))
        rec.append("airpicture.meas.rx1", measurement_batch(T0 + 1))
        stats = dict(rec.stats)
    assert stats["rejected_foreign_schema"] == 2
    assert stats["rejected_unknown_subject"] == 1
    with Recording(path) as back:
        assert back.rows("measurements").num_rows == 100
        assert back.rows("tracks").column("track_id").to_pylist() == [7]


def test_measurement_without_sensor_takes_it_from_the_subject(tmp_path):
    path = tmp_path / "rec.duckdb"
    with Recorder(path) as rec:
        batch = measurement_batch(T0).drop_columns(["sensor"])
        rec.append("airpicture.meas.radar_niamey", batch)
    with Recording(path) as back:
        assert set(back.rows("measurements").column("sensor").to_pylist()) == {"radar_niamey"}


def test_retention_archives_old_rows_as_hourly_parquet_then_deletes_them(tmp_path):
    path = tmp_path / "rec.duckdb"
    archive = tmp_path / "archive"
    config = RecorderConfig(
        retention_s={"measurements": 5000.0, "tracks": None, "alerts": None},
        archive_dir=archive,
        background_flush=False,
    )
    with Recorder(path, config) as rec:
        for hour in range(3):
            rec.append("airpicture.meas.rx1", measurement_batch(T0 + hour * 3600.0 + 60.0, seed=hour))
            rec.append("airpicture.tracks", track_batch(T0 + hour * 3600.0, [1], [13.0], [2.0]))
        rec.flush()
        deleted = rec.apply_retention()
    assert deleted == {"measurements": 50}
    with Recording(path) as back:
        kept = back.rows("measurements").column("time_s").to_numpy()
        assert kept.min() >= T0 + 3600.0 + 60.0
        assert back.rows("tracks").num_rows == 3
    hours = sorted(p.name for p in (archive / "measurements").iterdir())
    assert hours == ["hour=2026-05-28T20"]
    archived = pq.read_table(archive / "measurements" / hours[0])
    assert archived.num_rows == 50


def test_messages_come_back_in_the_original_order_and_batches(tmp_path):
    path = tmp_path / "rec.duckdb"
    sent = []
    with Recorder(path) as rec:
        for k in range(4):
            for subject, table in (
                (f"airpicture.meas.rx{k % 2}", measurement_batch(T0 + k, n_aircraft=5 + k, sensor=f"rx{k % 2}")),
                ("airpicture.tracks", track_batch(T0 + k, [1, 2], [13.0, 14.0], [2.0, 3.0])),
            ):
                rec.append(subject, table)
                sent.append((subject, table))
        alert = schema.table_from_columns(
            schema.ALERT,
            {
                "alert_id": [1],
                "kind": ["emergency"],
                "track_ids": [[1]],
                "time_raised_s": [T0 + 2.5],
                "state": ["raised"],
            },
        )
        rec.append("airpicture.alerts", alert)
        sent.append(("airpicture.alerts", alert))
    with Recording(path) as back:
        got = list(back.messages(batches_per_read=3))
    assert [s for s, _ in got] == [s for s, _ in sent]
    for (_, a), (_, b) in zip(got, sent, strict=True):
        assert a.num_rows == b.num_rows
        first = b.column_names[0]
        assert a.column(first).to_pylist() == b.column(first).to_pylist()
    assert got[0][1].column("icao24").to_pylist() == sent[0][1].column("icao24").to_pylist()
    with Recording(path) as back:
        window = list(back.messages(tables=["tracks"], from_s=T0 + 1, to_s=T0 + 3))
    assert [t.column("time_s")[0].as_py() for _, t in window] == [T0 + 1, T0 + 2]


def test_every_command_refuses_a_corrupt_or_truncated_recording_clearly_and_leaves_it_untouched(tmp_path, capsys):
    from airpicture import cli

    good = tmp_path / "good.duckdb"
    with Recorder(good) as rec:
        rec.append("airpicture.meas.rx1", measurement_batch(T0))
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(os.urandom(100_000))
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(good.read_bytes()[:5000])
    for path in (garbage, truncated):
        before = path.read_bytes()
        for argv in (
            ["history", str(path), "info"],
            ["replay", str(path)],
            # The recorder role opens its file before it ever reaches for NATS (nothing is consumed meanwhile).
            ["recorder", "--nats", "nats://127.0.0.1:9", "--db", str(path)],
        ):
            assert cli.main(argv) == 1, argv
            assert "not a readable airpicture recording" in capsys.readouterr().err, argv
        assert path.read_bytes() == before
