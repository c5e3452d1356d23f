"""Two site gateways, a tracker node and a recorder in separate processes against the one-process run."""

import asyncio
import json
import signal
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airpicture.core import schema
from airpicture.core.sensors import save_sensors
from airpicture.core.tableio import write_table
from airpicture.distribute.merge import time_slices
from airpicture.distribute.transport import MEAS_STREAM, PICTURE_STREAM
from airpicture.record.recording import Recording
from airpicture.record.tables import conform_payload
from tests.distribute.roles import (
    final_stats,
    read_lines,
    start_role,
    stop_role,
    wait_until_drained,
)
from tests.record.scenario import niger_steps

track = pytest.importorskip("airpicture.track")
if not hasattr(track, "Tracker"):
    pytest.skip("airpicture.track.Tracker has not landed", allow_module_level=True)

pytestmark = pytest.mark.nats
COMPARED = [n for n in schema.SYSTEM_TRACK.names if n != "flight_plan"]


def _scenario_files(tmp_path, seconds: int):
    sensors, steps = niger_steps()
    measurements = pa.concat_tables(steps[:seconds])
    write_table(measurements, tmp_path / "measurements.parquet")
    save_sensors(sensors, tmp_path / "sensors.json")
    ids = [s.id for s in sensors]
    # Two sites: the radars and half the receivers at one gateway, the rest at the other.
    return sensors, measurements, [",".join(ids[0::2]), ",".join(ids[1::2])]


def _one_process_tracks(sensors, measurements: pa.Table) -> pa.Table:
    tracker = track.Tracker(sensors)
    conformed = conform_payload("measurements", measurements)
    out = [tracker.process(piece) for _, piece in time_slices(conformed, 1.0)]
    out.append(tracker.flush())
    return pa.concat_tables(out)


def _start_chain(server, tmp_path, sites, speed: str | None = None):
    args = ["--speed", speed] if speed else []
    recorder = start_role("recorder", "--nats", server.url, "--db", str(tmp_path / "rec.duckdb"), log_dir=tmp_path)
    tracker = start_role(
        "tracker-node",
        "--nats",
        server.url,
        "--sensors",
        str(tmp_path / "sensors.json"),
        "--audit",
        "--ack-wait-s",
        "10",
        # Process start-up under load can skew the gateways by seconds: a long wait keeps the slices whole here
        # (the timeout itself is tested in test_codec_and_merge.py).
        "--max-wait-s",
        "60",
        log_dir=tmp_path,
    )
    gateways = [
        start_role(
            "gateway",
            "--nats",
            server.url,
            "--sensor",
            site,
            "--measurements",
            str(tmp_path / "measurements.parquet"),
            *args,
            log_dir=tmp_path,
        )
        for site in sites
    ]
    return recorder, tracker, gateways


def test_gateways_tracker_and_recorder_in_separate_processes_give_the_one_process_tracks(nats_server, tmp_path):
    sensors, measurements, sites = _scenario_files(tmp_path, seconds=20)
    recorder, tracker, gateways = _start_chain(nats_server, tmp_path, sites)
    for g in gateways:
        stop_role(g, sig=None, timeout_s=120)
    wait_until_drained(nats_server.url, MEAS_STREAM, "tracker", timeout_s=120)
    tracker_lines = stop_role(tracker)
    wait_until_drained(nats_server.url, PICTURE_STREAM, "recorder", timeout_s=60)
    stop_role(recorder)
    stats = final_stats(tracker_lines)
    assert stats["rows_processed"] == measurements.num_rows
    assert stats.get("slices_released_on_timeout", 0) == 0 and stats.get("late_rows", 0) == 0
    with Recording(tmp_path / "rec.duckdb") as rec:
        distributed = rec.rows("tracks").drop_columns(["seq", "batch"])
        assert rec.rows("measurements").num_rows == measurements.num_rows
    expected = _one_process_tracks(sensors, measurements)
    assert distributed.num_rows == expected.num_rows > 500
    assert distributed.select(COMPARED).equals(expected.select(COMPARED))


def test_a_stopped_tracker_node_gets_every_measurement_again_and_tracks_resume(nats_server, tmp_path):
    _sensors, measurements, sites = _scenario_files(tmp_path, seconds=40)
    # 40 s of data at 4x: 10 s of publishing; the tracker node is killed after 10 slices and is away 5 s.
    recorder, tracker, gateways = _start_chain(nats_server, tmp_path, sites, speed="4")
    first = read_lines(tracker, 10)
    first += stop_role(tracker, sig=signal.SIGKILL)
    time.sleep(5.0)
    tracker = start_role(
        "tracker-node",
        "--nats",
        nats_server.url,
        "--sensors",
        str(tmp_path / "sensors.json"),
        "--audit",
        "--max-wait-s",
        "60",
        log_dir=tmp_path,
    )
    for g in gateways:
        stop_role(g, sig=None, timeout_s=120)
    wait_until_drained(nats_server.url, MEAS_STREAM, "tracker", timeout_s=120)
    second = stop_role(tracker)
    wait_until_drained(nats_server.url, PICTURE_STREAM, "recorder", timeout_s=60)
    stop_role(recorder)
    assert final_stats(second)["resumed_after_stream_seq"] > 0
    # Every one-second slice of the data was processed whole by one run or the other: nothing lost.
    done: dict[float, int] = {}
    for line in [*first, *second]:
        if "slice_start_s" in line:
            done[line["slice_start_s"]] = max(done.get(line["slice_start_s"], 0), line["rows"])
    expected = {start: piece.num_rows for start, piece in time_slices(measurements, 1.0)}
    assert done == expected
    first_slices = [line["slice_start_s"] for line in first if "slice_start_s" in line]
    assert 0 < len(first_slices) < len(expected)
    # Tracks resume: the recorder holds tracks from after the gap, up to the end of the data.
    with Recording(tmp_path / "rec.duckdb") as rec:
        tracks = rec.rows("tracks")
    t = tracks.column("time_s").to_numpy()
    end = pc.max(measurements.column("time_s")).as_py()
    assert (t > max(first_slices) + 10).sum() > 100
    assert t.max() > end - 5
    print(json.dumps({"first_run_slices": len(first_slices), "slices": len(expected)}))


def test_a_tracker_node_with_monitors_publishes_the_one_process_alerts(nats_server, tmp_path):
    monitor = pytest.importorskip("airpicture.monitor")
    sensors, measurements, sites = _scenario_files(tmp_path, seconds=30)
    asyncio.run(_in_process_chain(nats_server, sensors, measurements, sites, tmp_path / "rec.duckdb", monitor))
    tracker = track.Tracker(sensors)
    monitors = monitor.MonitorSet(monitor.default_niger_airspace())
    expected = []
    for start, piece in time_slices(conform_payload("measurements", measurements), 1.0):
        tracker.process(piece)
        expected.append(monitors.update(tracker.snapshot(start + 1.0), start + 1.0, piece))
    expected = pa.concat_tables(expected)
    with Recording(tmp_path / "rec.duckdb") as rec:
        alerts = rec.rows("alerts")
    assert expected.num_rows > 0
    for column in ("alert_id", "kind", "state", "track_ids", "time_raised_s"):
        assert alerts.column(column).to_pylist() == expected.column(column).to_pylist()


async def _in_process_chain(server, sensors, measurements, sites, db, monitor) -> None:
    """The roles' coroutines in this process (the commands run the same ones), without pacing."""
    from airpicture.distribute.nodes import Gateway, RecorderNode, TrackerNode

    stop = asyncio.Event()
    recorder = asyncio.create_task(RecorderNode(server.url, db).run(stop))
    monitors = monitor.MonitorSet(monitor.default_niger_airspace())
    node = TrackerNode(server.url, sensors, max_wait_s=60.0, monitors=monitors)
    tracker = asyncio.create_task(node.run(stop))
    gateways = []
    for site in sites:
        ids = site.split(",")
        rows = measurements.filter(pc.is_in(measurements.column("sensor"), pa.array(ids)))
        gateways.append(Gateway(server.url, ids, time_slices(rows, 1.0)).run(asyncio.Event()))
    await asyncio.gather(*gateways)
    await asyncio.to_thread(wait_until_drained, server.url, MEAS_STREAM, "tracker")
    await asyncio.to_thread(wait_until_drained, server.url, PICTURE_STREAM, "recorder")
    stop.set()
    await asyncio.gather(recorder, tracker)
