"""Two site gateways, a tracker node and a recorder in separate processes against the one-process run."""

import asyncio
import json
import signal
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airpicture.core.sensors import save_sensors
from airpicture.core.tableio import write_table
from airpicture.distribute.command_tracker_node import slice_digest
from airpicture.distribute.merge import time_slices
from airpicture.distribute.transport import MEAS_STREAM, PICTURE_STREAM
from airpicture.record.recording import Recording
from airpicture.record.tables import conform_payload
from tests.distribute.roles import (
    final_stats,
    read_lines,
    start_role,
    stop_role,
    stream_messages,
    wait_until_drained,
)
from tests.record.compare import assert_same_tracks
from tests.record.scenario import niger_steps

track = pytest.importorskip("airpicture.track")
if not hasattr(track, "Tracker"):
    pytest.skip("airpicture.track.Tracker has not landed", allow_module_level=True)

pytestmark = pytest.mark.nats


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


def _start_tracker(server, tmp_path, state=None):
    return start_role(
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
        *(["--state", str(state)] if state else []),
        log_dir=tmp_path,
    )


def _start_chain(server, tmp_path, sites, speed: str | None = None, state=None):
    args = ["--speed", speed] if speed else []
    recorder = start_role("recorder", "--nats", server.url, "--db", str(tmp_path / "rec.duckdb"), log_dir=tmp_path)
    tracker = _start_tracker(server, tmp_path, state)
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
    assert_same_tracks(distributed, expected)


@pytest.mark.slow
def test_a_tracker_node_stopped_30_s_gets_every_measurement_and_resumes_its_tracks_and_numbers(nats_server, tmp_path):
    """The Must-show outage, at full length: about 55 s of wall time (30 s of it the tracker node's absence)."""
    sensors, measurements, sites = _scenario_files(tmp_path, seconds=60)
    state = tmp_path / "tracker.state"
    # 60 s of data at 1.5x: the gateways publish for 40 s; the tracker node is killed after 6 slices (kill -9,
    # mid-stream) and stays away 30 s while they go on publishing, then a new one starts on the same state file.
    recorder, tracker, gateways = _start_chain(nats_server, tmp_path, sites, speed="1.5", state=state)
    first = read_lines(tracker, 6)
    first += stop_role(tracker, sig=signal.SIGKILL)
    stored_at_kill = stream_messages(nats_server.url, MEAS_STREAM)
    time.sleep(30.0)
    stored_at_restart = stream_messages(nats_server.url, MEAS_STREAM)
    tracker = _start_tracker(nats_server, tmp_path, state)
    for g in gateways:
        gateway_stats = stop_role(g, sig=None, timeout_s=120)
        assert final_stats(gateway_stats)["rows_published"] > 0
    wait_until_drained(nats_server.url, MEAS_STREAM, "tracker", timeout_s=120)
    second = stop_role(tracker)
    wait_until_drained(nats_server.url, PICTURE_STREAM, "recorder", timeout_s=60)
    stop_role(recorder)
    stats = final_stats(second)
    # The gateways kept publishing while the tracker node was away: JetStream held it all.
    assert stored_at_restart - stored_at_kill > 20 * len(sensors)
    assert stats["checkpoint_resumed_after_stream_seq"] > 0
    # No measurement lost: every one-second slice of the published data was tracked whole (same rows, same order,
    # by their digest), by the first run or, after the outage, by the second; none twice into the state.
    done: dict[float, tuple[int, str]] = {}
    for line in [*first, *second]:
        if "slice_start_s" in line:
            got = (line["rows"], line["digest"])
            assert done.setdefault(line["slice_start_s"], got) == got
    conformed = conform_payload("measurements", measurements)
    expected = {start: (piece.num_rows, slice_digest(piece)) for start, piece in time_slices(conformed, 1.0)}
    assert done == expected
    first_slices = {line["slice_start_s"] for line in first if "slice_start_s" in line}
    second_slices = {line["slice_start_s"] for line in second if "slice_start_s" in line}
    assert len(first_slices) >= 6 and len(second_slices) > 30
    assert stats["rows_processed"] + sum(expected[k][0] for k in first_slices - second_slices) == measurements.num_rows
    # Tracks resume with their numbers: the recorded picture equals, column for column, one Tracker that never
    # stopped, fed the same data (a slice re-published after the last checkpoint was dropped as a duplicate).
    with Recording(tmp_path / "rec.duckdb") as rec:
        distributed = rec.rows("tracks").drop_columns(["seq", "batch"])
    reference = _one_process_tracks(sensors, measurements)
    assert_same_tracks(distributed, reference)
    before = set(distributed.filter(pc.less(distributed["time_s"], min(second_slices)))["track_id"].to_pylist())
    after = set(distributed.filter(pc.greater(distributed["time_s"], min(second_slices) + 1))["track_id"].to_pylist())
    assert len(before & after) > 20
    print(
        json.dumps(
            {
                "first_run_slices": len(first_slices),
                "second_run_slices": len(second_slices),
                "tracks_continued": len(before & after),
                "stored_during_outage": stored_at_restart - stored_at_kill,
            }
        )
    )


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


def test_a_server_away_5_s_and_foreign_messages_cost_nothing_but_counted_rejections(nats_server, tmp_path):
    """The server dies for 5 s mid-stream; foreign payloads sit on the measurement and track subjects; the tracker
    node's checkpoint file is garbage from the start. Each is counted and logged, and the picture is still exactly
    the one-process picture."""
    sensors, measurements, sites = _scenario_files(tmp_path, seconds=24)
    state = tmp_path / "tracker.state"
    state.write_bytes(b"\x80\x05 this is no checkpoint")
    db = tmp_path / "rec.duckdb"
    gateway_stats, tracker_stats, recorder_stats = asyncio.run(
        _outage_chain(nats_server, sensors, measurements, sites, db, state, sites[0].split(",")[0])
    )
    assert all(s["nats_reconnects"] >= 1 for s in [*gateway_stats, tracker_stats, recorder_stats])
    assert sum(s["rows_published"] for s in gateway_stats) == measurements.num_rows
    assert tracker_stats["checkpoint_unreadable"] == 1
    assert tracker_stats["rejected_foreign_messages"] == 2
    assert tracker_stats["rows_processed"] == measurements.num_rows
    assert recorder_stats["rejected_foreign_messages"] == 3
    with Recording(db) as rec:
        assert rec.rows("measurements").num_rows == measurements.num_rows
        distributed = rec.rows("tracks").drop_columns(["seq", "batch"])
    expected = _one_process_tracks(sensors, measurements)
    assert distributed.num_rows == expected.num_rows > 500
    assert_same_tracks(distributed, expected)


async def _outage_chain(server, sensors, measurements, sites, db, state, sensor) -> tuple[list, dict, dict]:
    """Gateways (24 s of data at 4x), tracker node and recorder as coroutines here; the server away 5 s."""
    import nats

    from airpicture.distribute import codec
    from airpicture.distribute.nodes import Gateway, RecorderNode, TrackerNode
    from airpicture.distribute.transport import ensure_streams
    from tests.distribute.roles import wait_for_stream_messages

    stop = asyncio.Event()
    recorder = asyncio.create_task(RecorderNode(server.url, db).run(stop))
    tracker = asyncio.create_task(TrackerNode(server.url, sensors, max_wait_s=60.0, state_path=state).run(stop))
    gateways = []
    for site in sites:
        ids = site.split(",")
        rows = measurements.filter(pc.is_in(measurements.column("sensor"), pa.array(ids)))
        gateways.append(Gateway(server.url, ids, time_slices(rows, 1.0), speed=4.0).run(asyncio.Event()))
    published = asyncio.gather(*gateways)
    await asyncio.to_thread(wait_for_stream_messages, server.url, MEAS_STREAM, 4 * len(sensors))
    nc = await nats.connect(server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    await js.publish(f"airpicture.meas.{sensor}", b"\x00\x01 not an Arrow stream")
    await js.publish(f"airpicture.meas.{sensor}", codec.encode(pa.table({"speed_kt": [250.0]})))
    await js.publish("airpicture.tracks", codec.encode(pa.table({"time_s": ["noon"], "track_id": [1]})))
    await nc.close()
    await asyncio.to_thread(server.stop)
    await asyncio.sleep(5.0)
    await asyncio.to_thread(server.start)
    gateway_stats = await asyncio.wait_for(published, 120)
    await asyncio.to_thread(wait_until_drained, server.url, MEAS_STREAM, "tracker", 120)
    await asyncio.to_thread(wait_until_drained, server.url, PICTURE_STREAM, "recorder", 60)
    stop.set()
    return list(gateway_stats), await tracker, await recorder
