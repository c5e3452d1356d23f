"""The picture server over real sockets: REST, the WebSocket stream, acknowledging, and hostile or slow clients."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time

import httpx
import numpy as np
import pytest
import websockets

from airpicture.serve import PictureServer
from airpicture.serve.encoding import KIND_CHANGES, KIND_SNAPSHOT, decode_frame
from tests.browser.picture_fixture import emergency_alert
from tests.serve.traffic import MovingTraffic

T0 = 1_800_000_000.0


@pytest.fixture
def server():
    srv = PictureServer(port=0, operator_token="s3cret", max_queued_frames=2)
    srv.start()
    yield srv
    srv.stop()


def ws_url(srv: PictureServer) -> str:
    return f"ws://127.0.0.1:{srv.port}/ws"


def test_rest_serves_tracks_alerts_and_health(server):
    traffic = MovingTraffic(30, start_time_s=T0)
    server.publish_tracks(traffic.at(T0))
    server.publish_tracks(traffic.at(T0 + 1))
    server.publish_alerts(emergency_alert(T0))
    with httpx.Client(base_url=server.url) as http:
        tracks = http.get("/api/tracks").json()
        assert len(tracks) == 30
        assert set(tracks[0]) >= {
            "time_s",
            "track_id",
            "lat_deg",
            "lon_deg",
            "alt_ft",
            "status",
            "sources",
            "cooperative",
        }
        assert tracks[0]["time_s"] == T0 + 1
        one = http.get("/api/tracks/1").json()
        assert one["callsign"] == "NIG700"
        assert one["sensor_last_update_s"] == {"adsb-niamey": T0 + 1, "psr_ssr-niamey": T0 + 1}
        assert http.get("/api/tracks/12345").status_code == 404
        alerts = http.get("/api/alerts").json()["alerts"]
        assert alerts[0]["kind"] == "emergency" and alerts[0]["track_ids"] == [1]
        health = http.get("/healthz").json()
        assert health["status"] == "ok" and health["tracks"] == 30 and health["frames_published"] == 2
        assert http.get("/").status_code == 200
        assert "airpicture" in http.get("/static/js/app.js").text


def test_the_per_sensor_last_update_is_kept_when_a_sensor_stops_contributing(server):
    traffic = MovingTraffic(3, start_time_s=T0)
    server.publish_tracks(traffic.at(T0))
    later = traffic.at(T0 + 5)
    later = later.set_column(later.schema.get_field_index("sources"), "sources", [["adsb-niamey"] * 3])
    server.publish_tracks(later)
    one = httpx.get(server.url + "api/tracks/2").json()
    assert one["sensor_last_update_s"] == {"adsb-niamey": T0 + 5, "psr_ssr-niamey": T0}


async def test_stream_sends_a_snapshot_then_changes_and_removals(server):
    traffic = MovingTraffic(40, start_time_s=T0)
    server.publish_tracks(traffic.at(T0))
    async with websockets.connect(ws_url(server)) as ws:
        snapshot = decode_frame(await ws.recv())
        assert snapshot["kind"] == KIND_SNAPSHOT and len(snapshot["track_id"]) == 40
        assert json.loads(await ws.recv()) == {"type": "alerts", "alerts": []}
        table = traffic.at(T0 + 1)
        server.publish_tracks(table.filter(table.column("track_id").to_numpy() != 7))
        changes = decode_frame(await asyncio.wait_for(ws.recv(), 5))
        assert changes["kind"] == KIND_CHANGES
        assert changes["removed"].tolist() == [7]
        assert len(changes["track_id"]) == 39 and len(changes["ident"]) == 0
        server.publish_alerts(emergency_alert(T0))
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] == "alerts" and message["alerts"][0]["callsign"] == "NIG700"


def test_acknowledge_is_refused_without_a_configured_token():
    acknowledged = []
    with PictureServer(port=0, on_acknowledge=lambda a, o: acknowledged.append(a) or True) as srv:
        srv.publish_alerts(emergency_alert(T0))
        response = httpx.post(srv.url + "api/alerts/1/acknowledge", json={"operator": "x"})
        assert response.status_code == 403
        assert "no operator token" in response.json()["error"]
        assert httpx.get(srv.url + "api/config").json()["acknowledge_enabled"] is False
    assert acknowledged == []


async def test_acknowledge_needs_the_token_and_reaches_the_monitors_and_the_displays(server):
    calls = []
    server.on_acknowledge = lambda alert_id, operator: calls.append((alert_id, operator)) or True
    server.publish_alerts(emergency_alert(T0))
    async with websockets.connect(ws_url(server)) as ws, httpx.AsyncClient(base_url=server.url) as http:
        await ws.recv()
        assert json.loads(await ws.recv())["alerts"][0]["state"] == "raised"
        wrong = await http.post(
            "/api/alerts/1/acknowledge", json={"operator": "amadou"}, headers={"Authorization": "Bearer no"}
        )
        assert wrong.status_code == 401
        missing = await http.post(
            "/api/alerts/42/acknowledge", json={"operator": "amadou"}, headers={"Authorization": "Bearer s3cret"}
        )
        assert missing.status_code == 404
        ok = await http.post(
            "/api/alerts/1/acknowledge", json={"operator": "amadou"}, headers={"Authorization": "Bearer s3cret"}
        )
        assert ok.status_code == 200
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["alerts"][0]["state"] == "acknowledged"
        assert message["alerts"][0]["acknowledged_by"] == "amadou"
    assert calls == [(1, "amadou")]


async def test_hostile_messages_are_counted_logged_and_the_others_keep_streaming(server, caplog):
    caplog.set_level(logging.WARNING, logger="airpicture.serve.server")
    traffic = MovingTraffic(10, start_time_s=T0)
    server.publish_tracks(traffic.at(T0))
    async with websockets.connect(ws_url(server)) as good, websockets.connect(ws_url(server), max_size=None) as bad:
        for ws in (good, bad):
            await ws.recv()
            await ws.recv()
        await bad.send("{not json")
        await bad.send(b"\x00\x01binary")
        await bad.send(json.dumps({"type": "subscribe", "everything": True}))
        await bad.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(bad.recv(), 5))["type"] == "pong"
        await bad.send("x" * 100_000)  # over the 4 KiB limit: the server closes this connection
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for _ in range(5):
                await asyncio.wait_for(bad.recv(), 5)
        assert closed.value.rcvd.code == 1009
        server.publish_tracks(traffic.at(T0 + 1))
        assert decode_frame(await asyncio.wait_for(good.recv(), 5))["kind"] == KIND_CHANGES
    assert server.stats.rejected == {
        "malformed JSON": 1,
        "binary message": 1,
        "unknown request": 1,
        "message too big": 1,
    }
    assert "malformed JSON" in caplog.text and "binary message" in caplog.text


async def test_a_client_that_never_reads_is_dropped_and_never_blocks_the_others(server, caplog):
    caplog.set_level(logging.WARNING, logger="airpicture.serve.server")
    traffic = MovingTraffic(10_000, start_time_s=T0)
    server.publish_tracks(traffic.at(T0))
    # A raw socket that completes the handshake and then never reads a byte.
    stuck = socket.create_connection(("127.0.0.1", server.port))
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.sendall(
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    try:
        async with websockets.connect(ws_url(server), max_size=None) as good:
            await good.recv()
            await good.recv()
            received = 0
            deadline = time.monotonic() + 60
            for i in range(1, 60):
                server.publish_tracks(traffic.at(T0 + i))
                frame = decode_frame(await asyncio.wait_for(good.recv(), 10))
                assert frame["time_s"] == T0 + i
                received += 1
                if server.stats.clients_dropped_slow:
                    break
                assert time.monotonic() < deadline
            assert server.stats.clients_dropped_slow == 1
            # The good client got every update, in order, while the stuck one was dropped.
            assert received >= 3
            server.publish_tracks(traffic.at(T0 + 100))
            assert decode_frame(await asyncio.wait_for(good.recv(), 10))["time_s"] == T0 + 100
    finally:
        stuck.close()
    assert "slow reader" in caplog.text


async def test_two_hundred_displays_connecting_at_once_all_get_the_picture(caplog):
    caplog.set_level(logging.WARNING, logger="airpicture.serve.server")
    with PictureServer(port=0, max_clients=180) as srv:
        srv.publish_tracks(MovingTraffic(500, start_time_s=T0).at(T0))

        async def display():
            try:
                async with websockets.connect(f"ws://127.0.0.1:{srv.port}/ws", open_timeout=30) as ws:
                    frame = decode_frame(await asyncio.wait_for(ws.recv(), 30))
                    await asyncio.wait_for(ws.recv(), 30)
                    return len(frame["track_id"])
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else -1
            except websockets.InvalidStatus as refused:
                return refused.response.status_code

        results = await asyncio.gather(*(display() for _ in range(200)))
        served = sum(1 for r in results if r == 500)
        refused = [r for r in results if r != 500]
        assert served >= 180 - 5 and served + len(refused) == 200
        assert srv.stats.clients_refused_full == len(refused) and len(refused) >= 20
        health = httpx.get(srv.url + "healthz").json()
        assert health["status"] == "ok" and health["clients_refused_full"] == len(refused)
        assert np.all(np.isin(refused, [1013, 403]))
    assert caplog.text.count("displays already connected (max_clients)") == len(refused)


async def test_new_map_layers_reach_open_displays(server):
    async with websockets.connect(ws_url(server)) as ws:
        await ws.recv()
        await ws.recv()
        server.set_display_config({"title": "Niamey FIR", "layers": {"sensors": [{"id": "agadez-ssr"}]}})
        assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "config"}
        async with httpx.AsyncClient(base_url=server.url) as http:
            config = (await http.get("/api/config")).json()
    assert config["layers"]["sensors"] == [{"id": "agadez-ssr"}] and config["acknowledge_enabled"] is True
