"""The live chain on the simulated Niger scenario: real frames in, the tracker's picture and alerts out."""

from __future__ import annotations

import numpy as np
import pytest

from airpicture.app.chain import LiveChain
from airpicture.core.geodesy import haversine_m
from airpicture.serve import PictureServer
from airpicture.serve.encoding import PictureMirror

T0 = 1_800_000_000.0


@pytest.fixture(scope="module")
def run_chain(tmp_path_factory):
    """90 s of the Niger scenario through decoders, tracker, monitors and recorder, in 5 s steps (not real time).

    The scripted emergency (at +120 s) is checked end to end, through the browser, by tests/browser/test_demo.py.
    """
    from airpicture.monitor import default_niger_airspace
    from airpicture.record.recorder import Recorder
    from airpicture.sim import build_scenario

    scenario = build_scenario("niger", start_time_s=T0, horizon_s=600.0)
    server = PictureServer(port=0)  # not started: the chain publishes into its state and encoder
    names = {(m.sac, m.sic): scenario.sensors[i].id for i, m in scenario.models if hasattr(m, "sac")}
    recorder = Recorder(tmp_path_factory.mktemp("rec") / "chain.duckdb")
    chain = LiveChain(
        scenario.sensors, server, airspace=default_niger_airspace(), recorder=recorder, asterix_sensor_names=names
    )
    frames = []
    import airpicture.serve.server as server_module

    encode_changes = server_module.encode_changes

    def keep_frame(previous, current):  # what every display receives
        frames.append(encode_changes(previous, current))
        return frames[-1]

    server_module.encode_changes = keep_frame
    truth_parts = []
    for time_s, feeds, truth in scenario.stream_frames(5.0):
        for feed in feeds:
            chain.ingest_feed(feed.sensor, feed.format, feed.data, time_s, feed.first_time_s)
        chain.tick(time_s)
        truth_parts.append(truth)
        if time_s - T0 >= 90:
            break
    server_module.encode_changes = encode_changes
    picture = server._state.table
    result = {
        "scenario": scenario,
        "chain": chain,
        "server": server,
        "picture": picture,
        "truth": truth_parts[-1],
        "frames": list(frames),
        "bus_errors": chain.bus.handler_errors,
        "recorder_stats": dict(recorder.stats),
    }
    chain.close()
    return result


def test_the_picture_is_the_trackers_and_follows_the_aircraft(run_chain):
    picture, truth = run_chain["picture"], run_chain["truth"]
    times = truth.column("time_s").to_numpy()
    truth = truth.filter(times == times.max())
    assert picture.num_rows >= 0.6 * truth.num_rows
    assert set(picture.column("status").to_pylist()) <= {"confirmed", "coasting"}
    # Each track with an address lies near the aircraft with that address (the tracker, not a copy of the truth).
    tracks = {r["icao24"]: r for r in picture.to_pylist() if r["icao24"]}
    aircraft = {r["icao24"]: r for r in truth.to_pylist() if r["icao24"]}
    common = sorted(set(tracks) & set(aircraft))
    assert len(common) >= 20
    error_m = haversine_m(
        [tracks[a]["lat_deg"] for a in common],
        [tracks[a]["lon_deg"] for a in common],
        [aircraft[a]["lat_deg"] for a in common],
        [aircraft[a]["lon_deg"] for a in common],
    )
    assert np.median(error_m) < 2_000
    assert "track_id" in picture.column_names and "target_id" not in picture.column_names


def test_sources_name_the_real_sensors_after_decoding_their_frames(run_chain):
    sources = {s for row in run_chain["picture"].column("sources").to_pylist() if row for s in row.split(",")}
    sensor_ids = {s.id for s in run_chain["scenario"].sensors}
    assert sources <= sensor_ids
    assert {"niamey-psr-ssr"} <= sources and any(s.startswith("adsb-") for s in sources)


def test_alerts_from_the_monitors_reach_the_server(run_chain):
    active = run_chain["chain"].monitors.active().to_pylist()
    assert active, "the scripted spoofing ghost (+60 s) and primary-only aircraft raise alerts within 90 s"
    served = {a["alert_id"]: a for a in run_chain["server"]._alert_rows}
    assert set(served) == {a["alert_id"] for a in active}


def test_every_published_frame_rebuilds_the_servers_picture(run_chain):
    mirror = PictureMirror()
    assert len(run_chain["frames"]) >= 18
    for frame in run_chain["frames"]:  # the first is relative to the empty picture
        mirror.apply(frame)
    picture = run_chain["picture"]
    assert sorted(mirror.tracks) == sorted(picture.column("track_id").to_pylist())
    first = picture.slice(0, 1).to_pylist()[0]
    assert mirror.tracks[first["track_id"]]["lat_e5"] == round(first["lat_deg"] * 1e5)


def test_the_bus_carries_measurements_tracks_and_alerts_to_the_recorder(run_chain):
    assert run_chain["bus_errors"] == 0
    stats = run_chain["recorder_stats"]
    assert stats.get("rejected_unknown_subject", 0) == 0
    assert sum(v for k, v in stats.items() if "rows" in k or "messages" in k) > 0


def test_an_operator_acknowledgement_reaches_the_monitors_on_the_next_tick(run_chain):
    chain = run_chain["chain"]
    active = chain.monitors.active()
    alert_id = int(active.column("alert_id")[0].as_py())
    assert chain._on_acknowledge(alert_id, "moussa") is True
    chain.tick(run_chain["server"]._state.time_s + 1.0)
    row = next(r for r in chain.monitors.active().to_pylist() if r["alert_id"] == alert_id)
    assert row["state"] == "acknowledged"
