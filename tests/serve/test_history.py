"""The picture server's history mount: the replay timeline's extent and past snapshots, from a recording the live
chain made, served without holding up the live picture."""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
import urllib.request

import pytest

from airpicture.app.chain import LiveChain
from airpicture.serve import PictureServer

T0 = 1_800_000_000.0


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def served_chain(tmp_path_factory):
    """40 s of the Niger scenario through the chain (5 s steps) into a recorder, the server listening meanwhile."""
    from airpicture.record.recorder import Recorder
    from airpicture.sim import build_scenario

    scenario = build_scenario("niger", start_time_s=T0, horizon_s=120.0)
    names = {(m.sac, m.sic): scenario.sensors[i].id for i, m in scenario.models if hasattr(m, "sac")}
    server = PictureServer(port=0)
    server.start()
    recorder = Recorder(tmp_path_factory.mktemp("rec") / "chain.duckdb")
    chain = LiveChain(scenario.sensors, server, recorder=recorder, asterix_sensor_names=names)
    for time_s, feeds, _truth in scenario.stream_frames(5.0):
        for feed in feeds:
            chain.ingest_feed(feed.sensor, feed.format, feed.data, time_s, feed.first_time_s)
        chain.tick(time_s)
        if time_s - T0 >= 40:
            break
    recorder.flush()
    yield server, chain
    chain.close()
    server.stop()


def test_a_chain_with_a_recorder_tells_displays_the_history_is_there(served_chain):
    server, _ = served_chain
    assert get_json(f"{server.url}api/config")["history_enabled"] is True
    assert PictureServer(port=0).history_enabled is False


def test_extent_gives_the_recorded_range_of_the_tracks(served_chain):
    server, _ = served_chain
    extent = {row["table_name"]: row for row in get_json(f"{server.url}api/history/extent")}
    tracks = extent["tracks"]
    assert tracks["rows"] > 100
    assert T0 <= tracks["min_time_s"] < tracks["max_time_s"] <= T0 + 45


def test_snapshot_gives_the_past_picture_not_the_live_one(served_chain):
    server, _ = served_chain
    live = {row["track_id"]: row for row in get_json(f"{server.url}api/tracks")}
    past_rows = get_json(f"{server.url}api/history/snapshot?t={T0 + 15}&max_age_s=10")
    past = {row["track_id"]: row for row in past_rows}
    assert len(past) >= 10
    assert all(T0 + 5 < row["time_s"] <= T0 + 15 for row in past_rows)
    common = set(live) & set(past)
    assert common
    # 25 s apart the aircraft have moved: the snapshot is the recorded past, not a copy of the live picture.
    moved = [
        i
        for i in common
        if abs(live[i]["lat_deg"] - past[i]["lat_deg"]) + abs(live[i]["lon_deg"] - past[i]["lon_deg"]) > 1e-3
    ]
    assert len(moved) >= 0.5 * len(common)


def test_a_snapshot_without_a_time_is_a_clear_400(served_chain):
    server, _ = served_chain
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{server.url}api/history/snapshot", timeout=10)
    assert error.value.code == 400
    assert "needs t" in json.loads(error.value.read())["error"]


def test_a_slow_history_query_never_holds_up_the_live_picture():
    from airpicture.record.api import history_router

    release = threading.Event()

    class SlowRecording:
        def extent(self):
            release.wait(5.0)  # a DuckDB scan of a long recording, blocking its thread
            from airpicture.core.schema import SYSTEM_TRACK

            return SYSTEM_TRACK.empty_table()

    server = PictureServer(port=0)
    server.mount_history(history_router(SlowRecording()))
    with server, concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(get_json, f"{server.url}api/history/extent")
        time.sleep(0.2)
        started = time.monotonic()
        health = get_json(f"{server.url}healthz")
        answered_s = time.monotonic() - started
        release.set()
        assert slow.result(timeout=10) == []
    assert health["status"] == "ok"
    assert answered_s < 1.0
