import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely.geometry
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from airpicture import cli
from airpicture.core import bus, schema
from airpicture.record.api import history_router
from airpicture.record.recorder import Recorder
from airpicture.record.recording import Recording
from airpicture.record.replay import replay
from tests.record.scenario import START_S, by_sensor, niger_steps

track = pytest.importorskip("airpicture.track")
if not hasattr(track, "Tracker"):
    pytest.skip("airpicture.track.Tracker has not landed", allow_module_level=True)

COMPARED = [n for n in schema.SYSTEM_TRACK.names if n != "flight_plan"]


@pytest.fixture(scope="module")
def live_run(tmp_path_factory):
    """The one-process live chain: per-sensor messages on the bus → Tracker → tracks, everything recorded."""
    sensors, steps = niger_steps()
    db = tmp_path_factory.mktemp("live") / "live.duckdb"
    local = bus.InProcessBus()
    recorder = Recorder(db)
    local.subscribe(">", recorder.append)
    tracker = track.Tracker(sensors)
    live_tracks = []

    def track_handler(subject: str, table: pa.Table) -> None:
        out = tracker.process(table)
        if out.num_rows:
            live_tracks.append(out)
            local.publish(bus.TRACKS, out)

    local.subscribe(f"{bus.MEASUREMENTS}.>", track_handler)
    for step in steps:
        for sensor, table in by_sensor(step):
            local.publish(bus.measurement_subject(sensor), table)
    final = tracker.flush()
    if final.num_rows:
        live_tracks.append(final)
        local.publish(bus.TRACKS, final)
    alert = schema.table_from_columns(
        schema.ALERT,
        {
            "alert_id": [1],
            "kind": ["emergency"],
            "severity": ["high"],
            "track_ids": [[1]],
            "time_raised_s": [START_S + 30.0],
            "state": ["raised"],
        },
    )
    local.publish(bus.ALERTS, alert)
    recorder.close()
    assert local.handler_errors == 0
    return sensors, db, pa.concat_tables(live_tracks)


def test_replay_with_the_same_settings_reproduces_the_live_tracks(live_run):
    sensors, db, live_tracks = live_run
    replayed = []
    with Recording(db) as rec:
        stats = replay(rec, lambda subject, table: replayed.append(table), tracker=track.Tracker(sensors))
    got = pa.concat_tables(replayed)
    assert stats["rows_meas"] == sum(t.num_rows for t in niger_steps()[1])
    assert got.num_rows == live_tracks.num_rows > 1000
    assert got.select(COMPARED).equals(live_tracks.select(COMPARED))


def test_replay_with_new_settings_gives_other_tracks(live_run):
    sensors, db, live_tracks = live_run
    stricter = track.TrackerConfig(confirm_hits_identity=6, confirm_hits_plots=6)
    replayed = []
    with Recording(db) as rec:
        replay(rec, lambda s, t: replayed.append(t), to_s=START_S + 30, tracker=track.Tracker(sensors, config=stricter))
    got = pa.concat_tables(replayed)
    live_part = live_tracks.filter(pa.compute.less(live_tracks["time_s"], START_S + 30))
    confirmed = [t["status"].to_pylist().count("confirmed") for t in (got, live_part)]
    assert confirmed[0] < confirmed[1]


def test_recorded_tracks_play_back_as_they_were_with_pacing(live_run):
    _, db, live_tracks = live_run
    played, sleeps, now = [], [], [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    with Recording(db) as rec:
        replay(
            rec,
            lambda s, t: played.append((s, t)),
            from_s=START_S + 10,
            to_s=START_S + 20,
            speed=10.0,
            sleep=sleep,
            clock=lambda: now[0],
        )
    tracks = pa.concat_tables([t for s, t in played if s == bus.TRACKS])
    t = tracks.column("time_s").to_numpy()
    assert t.min() >= START_S + 10 and t.max() < START_S + 20
    expected = live_tracks.filter(
        pa.compute.and_(
            pa.compute.greater_equal(live_tracks["time_s"], START_S + 10),
            pa.compute.less(live_tracks["time_s"], START_S + 20),
        )
    )
    assert tracks.num_rows == expected.num_rows
    # 10 s of data at 10x: the last message goes out about one second after the first.
    assert 0.8 < sum(sleeps) < 1.0


def test_history_where_was_an_aircraft_and_what_was_inside_a_volume(live_run):
    _, db, live_tracks = live_run
    with_icao = live_tracks.filter(live_tracks["icao24"].is_valid())
    icao = with_icao["icao24"][0].as_py()
    with Recording(db) as rec:
        path = rec.aircraft(icao.upper(), START_S + 20, START_S + 60)
        expected = with_icao.filter(pa.compute.equal(with_icao["icao24"], icao))
        t = expected["time_s"].to_numpy()
        assert path.num_rows == int(((t >= START_S + 20) & (t < START_S + 60)).sum()) > 0
        assert np.all(np.diff(path["time_s"].to_numpy()) >= 0)
        raw = rec.aircraft(icao, source="measurements")
        assert raw.num_rows > 0 and set(raw["icao24"].to_pylist()) == {icao}
        lat, lon = live_tracks["lat_deg"].to_numpy(), live_tracks["lon_deg"].to_numpy()
        box = shapely.geometry.box(
            np.nanmedian(lon) - 1, np.nanmedian(lat) - 1, np.nanmedian(lon) + 1, np.nanmedian(lat) + 1
        )
        inside = rec.in_volume(box)
        expected_inside = (
            (lon > np.nanmedian(lon) - 1)
            & (lon < np.nanmedian(lon) + 1)
            & (lat > np.nanmedian(lat) - 1)
            & (lat < np.nanmedian(lat) + 1)
        )
        assert inside.num_rows == int(expected_inside.sum()) > 0
        snap = rec.snapshot(START_S + 45, max_age_s=10)
        assert snap.num_rows == len(set(snap["track_id"].to_pylist())) > 0
        assert snap["time_s"].to_numpy().max() <= START_S + 45


def test_history_http_api_serves_json_geojson_and_parquet(live_run):
    _, db, live_tracks = live_run
    with Recording(db) as rec:
        app = Starlette(routes=[Mount("/api/history", routes=history_router(rec).routes)])
        client = TestClient(app)
        extent = client.get("/api/history/extent").json()
        assert {e["table_name"]: e["rows"] for e in extent}["tracks"] == live_tracks.num_rows
        icao = live_tracks.filter(live_tracks["icao24"].is_valid())["icao24"][0].as_py()
        geo = client.get(f"/api/history/aircraft/{icao}", params={"format": "geojson"}).json()
        assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "LineString"
        body = client.get("/api/history/volume", params={"volume": "fir", "format": "parquet"}).content
        assert pq.read_table(pa.BufferReader(body)).num_rows > 0
        alerts = client.get("/api/history/alerts", params={"kind": "emergency"}).json()
        assert [a["alert_id"] for a in alerts] == [1]
        assert client.get("/api/history/alerts", params={"kind": "stca"}).json() == []
        bad = client.get("/api/history/snapshot", params={"t": "yesterday"})
        assert bad.status_code == 400 and "ISO 8601" in bad.json()["error"]
        snap = client.get("/api/history/snapshot", params={"t": START_S + 45}).json()
        assert len(snap) > 0


def test_history_and_replay_commands(live_run, tmp_path, capsys):
    _, db, live_tracks = live_run
    assert cli.main(["history", str(db), "alerts", "--kind", "emergency"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["kind"] == "emergency"
    out = tmp_path / "fir.geojson"
    assert cli.main(["history", str(db), "volume", "fir", "--format", "geojson", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["features"]
    assert cli.main(["history", str(db), "export", str(tmp_path / "pq")]) == 0
    assert pq.read_table(tmp_path / "pq" / "tracks").num_rows == live_tracks.num_rows
    replayed = tmp_path / "replayed.parquet"
    assert cli.main(["replay", str(db), "--out", str(replayed)]) == 0
    assert pq.read_table(replayed).num_rows == live_tracks.num_rows
    assert cli.main(["history", str(tmp_path / "nope.duckdb"), "info"]) == 1
    assert "no such recording" in capsys.readouterr().err
