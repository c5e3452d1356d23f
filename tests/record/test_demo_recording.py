"""A real demo run recorded, killed with SIGKILL mid-stream, reopened, and re-tracked to the same pictures."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airpicture import cli
from airpicture.core import schema
from airpicture.record.recording import Recording
from tests.conftest import REPO
from tests.distribute.conftest import free_port
from tests.record.compare import assert_same_tracks
from tests.record.demo_process import digest

track = pytest.importorskip("airpicture.track")
pytest.importorskip("airpicture.monitor")

STREAM_S = 8.0  # wall seconds of streaming before the kill (×4: a picture per wall second, 4 simulated seconds each)


def _run_demo_and_kill(db) -> tuple[list[dict], float]:
    """Start the demo process, let it stream, SIGKILL it; every witness line it printed, and the kill's wall time."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.record.demo_process", str(db), str(free_port()), "4"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    lines: list[dict] = []
    streaming, armed = threading.Event(), threading.Event()
    killed_at: list[float] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            item = json.loads(line)
            if item.get("streaming"):
                streaming.set()
                continue
            lines.append(item)
            if armed.is_set() and not killed_at:
                # Mid-stream: in the middle of one picture's burst of messages, between two recorder flushes.
                proc.send_signal(signal.SIGKILL)
                killed_at.append(time.time())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert streaming.wait(120), "the demo process did not start streaming"
        time.sleep(STREAM_S)
        assert proc.poll() is None, "the demo process ended by itself"
        armed.set()
        proc.wait(timeout=30)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return lines, killed_at[0]


def test_a_demo_run_killed_mid_stream_reopens_whole_and_replays_to_the_live_pictures(tmp_path):
    db = tmp_path / "demo.duckdb"
    handed_over, killed_at = _run_demo_and_kill(db)
    subjects = {line["subject"].split(".")[1] for line in handed_over}
    assert {"meas", "tracks"} <= subjects and len(handed_over) > 50
    with Recording(db) as rec:
        recorded = list(rec.messages())
        recovered = rec.recovered_rows
        live_pictures = [t for s, t in recorded if s == "airpicture.tracks"]
        # Everything handed to the recorder more than a second before the kill is there, message for message.
        # (The write-ahead keeps more: every append that returned, which the witness line follows.)
        before_last_second = [line for line in handed_over if line["wall_s"] < killed_at - 1.0]
        assert len(before_last_second) > 40
        assert len(recorded) >= len(handed_over)
        for line, (subject, table) in zip(handed_over, recorded, strict=False):
            assert (subject, table.num_rows, digest(subject, table)) == (line["subject"], line["rows"], line["digest"])
    # Replay with the same settings (the command a user runs): the live chain's pictures, column for column.
    out = tmp_path / "replayed.parquet"
    sensors = db.with_name("sensors.json")
    assert cli.main(["replay", str(db), "--retrack", "--pictures", "--sensors", str(sensors), "--out", str(out)]) == 0
    replayed = schema.conform(pq.read_table(out), schema.SYSTEM_TRACK)
    live = pa.concat_tables(live_pictures)
    assert len(live_pictures) >= 5 and live.num_rows > 100
    assert_same_tracks(replayed, live)
    print(
        json.dumps({"messages_handed_over": len(handed_over), "recorded": len(recorded), "rows_recovered": recovered})
    )
