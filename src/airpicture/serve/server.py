"""The picture server: REST for the current picture, one WebSocket stream for every display, the static client.

Starlette on uvicorn (both already in the lock; ``benchmarks/picture_server.py`` measures the stack). Threads:
the producer (the live chain) calls :meth:`PictureServer.publish_tracks` from its own thread; the quantisation and the
binary encoding happen there, once per update. The encoded frame is handed to the server's event loop, which puts
the same ``bytes`` object into each client's bounded queue. A client whose queue is full is behind by more than
``max_queued_frames`` updates: it is dropped (and told why) so it never holds the others back.

Endpoints: ``GET /api/tracks`` (SystemTrack fields, JSON), ``GET /api/tracks/{track_id}`` (one track with its
per-sensor last update), ``GET /api/alerts`` (active alerts), ``POST /api/alerts/{alert_id}/acknowledge`` (needs the
operator token; disabled when none is configured), ``GET /api/config`` (display settings and map layers),
``GET /healthz``, ``WS /ws`` (binary frames from :mod:`airpicture.serve.encoding` and JSON text messages for alerts),
and the web client at ``/``. With a recording, :meth:`PictureServer.mount_history` adds the history API of
:mod:`airpicture.record.api` under ``/api/history/`` (the replay timeline's extent and past snapshots).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, Router, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from airpicture.core.schema import ALERT, SYSTEM_TRACK, conform
from airpicture.serve.encoding import PictureState, encode_changes, encode_snapshot, state_from_tracks

log = logging.getLogger(__name__)

#: Largest message a display may send; anything bigger is hostile or broken.
MAX_CLIENT_MESSAGE_BYTES = 4096
ALERT_EXTRA_COLUMNS = ("state", "message", "icao24", "callsign", "acknowledged_by")


def table_rows(table: pa.Table) -> list[dict[str, Any]]:
    """Rows of a table as JSON-ready dicts (NaN as null)."""
    rows = table.to_pylist()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                row[key] = None
    return rows


def static_dir() -> str:
    return str(resources.files("airpicture.serve").joinpath("static"))


@dataclass
class ServerStats:
    """Counters exposed by ``/healthz``: what was sent and why clients were refused or dropped."""

    frames_published: int = 0
    encode_cpu_s: float = 0.0
    clients_connected: int = 0
    clients_total: int = 0
    clients_refused_full: int = 0
    clients_dropped_slow: int = 0
    client_messages_rejected: int = 0
    bytes_sent: int = 0
    frame_bytes_last: int = 0
    rejected: dict[str, int] = field(default_factory=dict)

    def reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1


class _Client:
    """One display: its queue of encoded frames and the task that sends them."""

    def __init__(self, websocket: WebSocket, max_queued: int, number: int) -> None:
        self.websocket = websocket
        self.queue: asyncio.Queue[bytes | str | None] = asyncio.Queue(maxsize=max_queued)
        self.number = number
        peer = websocket.client
        self.peer = f"{peer.host}:{peer.port}" if peer else "?"
        self.dropped = False
        self.sender: asyncio.Task[None] | None = None

    def offer(self, message: bytes | str) -> bool:
        try:
            self.queue.put_nowait(message)
            return True
        except asyncio.QueueFull:
            return False


class PictureServer:
    """HTTP + WebSocket air-picture server.

    ``publish_tracks(table)`` takes the complete current picture (every live SystemTrack, e.g. ``Tracker.snapshot``):
    tracks absent from it are removed from the displays. ``publish_alerts(table)`` takes the active alerts
    (ALERT columns plus ``state``, ``message``, ``icao24``, ``callsign``). Both may be called from any thread.
    ``on_acknowledge(alert_id, operator) -> bool`` is called when an operator acknowledges an alert; acknowledging is
    possible only when ``operator_token`` is set (never open by default).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8080,
        *,
        operator_token: str | None = None,
        on_acknowledge: Callable[[int, str], bool] | None = None,
        display_config: dict[str, Any] | None = None,
        max_clients: int = 256,
        max_queued_frames: int = 4,
        log_level: str = "warning",
    ) -> None:
        self.host = host
        self.port = port
        self.operator_token = operator_token or None
        self.on_acknowledge = on_acknowledge
        self.display_config = display_config or {}
        self.max_clients = max_clients
        self.max_queued_frames = max_queued_frames
        self.log_level = log_level
        self.stats = ServerStats()
        self._lock = threading.Lock()
        self._state = PictureState()
        self._loop_state = self._state
        self._snapshot_cache: tuple[int, bytes] | None = None
        self._alerts = ALERT.empty_table()
        self._alerts_message = json.dumps({"type": "alerts", "alerts": []})
        self._acknowledged: dict[int, str] = {}
        self._sensor_last_s: dict[str, np.ndarray] = {}
        self._clients: set[_Client] = set()
        self._client_numbers = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.started_time_s = time.time()
        self.history_enabled = False
        self.app = self._build_app()

    # ----------------------------------------------------------------- producer side (any thread)
    def publish_tracks(self, table: pa.Table, time_s: float | None = None) -> None:
        """Replace the picture with ``table`` (every live track) and stream the changes to every display."""
        cpu0 = time.process_time()
        table = conform(table, SYSTEM_TRACK) if table.num_rows else SYSTEM_TRACK.empty_table()
        with self._lock:
            previous = self._state
            current = state_from_tracks(table, time_s)
            self._sensor_last_s = self._sensor_times(previous, current)
            frame = encode_changes(previous, current)
            self._state = current
            self.stats.frames_published += 1
            self.stats.frame_bytes_last = len(frame)
            # Inside the lock: frames reach the event loop in the order they were encoded (deltas depend on it).
            self._to_loop(self._broadcast_frame, current, frame)
        self.stats.encode_cpu_s += time.process_time() - cpu0

    def publish_alerts(self, table: pa.Table) -> None:
        """Replace the active-alert list; displays receive it as one JSON message (sent only when it changed)."""
        table = conform(table, ALERT) if table.num_rows else ALERT.empty_table()
        rows = table_rows(table)
        for row in rows:
            row.setdefault("state", "raised")
            if row.get("alert_id") in self._acknowledged and row.get("state") != "acknowledged":
                row["state"] = "acknowledged"
                row["acknowledged_by"] = self._acknowledged[row["alert_id"]]
        rows.sort(key=lambda r: r.get("time_raised_s") or 0.0, reverse=True)
        message = msgspec.json.encode({"type": "alerts", "alerts": rows}).decode()
        with self._lock:
            self._alerts = table
            self._alert_rows = rows
            changed = message != self._alerts_message
            self._alerts_message = message
        if changed:
            self._to_loop(self._broadcast_text, message)

    def set_display_config(self, config: dict[str, Any]) -> None:
        """Replace the map layers and settings; open displays are told to fetch them again."""
        self.display_config = config
        self._to_loop(self._broadcast_text, json.dumps({"type": "config"}))

    def mount_history(self, router: Router) -> None:
        """Serve a recording's history API (``airpicture.record.api.history_router``) under ``/api/history/``.

        Its endpoints are plain functions, which Starlette runs in its thread pool: a DuckDB query never holds the
        event loop that streams the live picture. Displays learn of it from ``/api/config`` (``history_enabled``).
        """
        for handler in router.routes:
            endpoint = getattr(handler, "endpoint", None)
            if endpoint is not None and asyncio.iscoroutinefunction(endpoint):
                raise ValueError(f"history endpoint {handler.path} is async: it would run DuckDB on the event loop")
        self.app.router.routes.insert(0, Mount("/api/history", app=router, name="history"))
        self.history_enabled = True
        self._to_loop(self._broadcast_text, json.dumps({"type": "config"}))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    # ----------------------------------------------------------------- life cycle
    def start(self, timeout_s: float = 10.0) -> None:
        """Serve in a background thread (returns once the socket listens)."""
        import uvicorn

        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level=self.log_level,
            ws="websockets-sansio",
            ws_max_size=MAX_CLIENT_MESSAGE_BYTES,
            # One encoding for every display: never compress per client (permessage-deflate costs CPU per socket).
            ws_per_message_deflate=False,
            ws_ping_interval=20.0,
            ws_ping_timeout=20.0,
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="picture-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive():
                raise OSError(f"picture server could not listen on {self.host}:{self.port} (see the log above)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"picture server did not start within {timeout_s} s")
            time.sleep(0.02)
        if self.port == 0:
            sockets = self._server.servers[0].sockets
            self.port = sockets[0].getsockname()[1]
        log.info("picture server listening on %s", self.url)

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        if self._loop is not None and self._loop.is_running():
            self._to_loop(self._close_all)
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._server = None

    def __enter__(self) -> PictureServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- event-loop side
    def _to_loop(self, callback: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(callback, *args)
        elif callback == self._broadcast_frame:
            self._loop_state = args[0]

    def _broadcast_frame(self, state: PictureState, frame: bytes) -> None:
        self._loop_state = state
        self._offer_all(frame)

    def _broadcast_text(self, message: str) -> None:
        self._offer_all(message)

    def _offer_all(self, message: bytes | str) -> None:
        for client in list(self._clients):
            if not client.offer(message):
                self._drop(client, f"{client.queue.qsize()} updates behind (slow reader)")

    def _drop(self, client: _Client, why: str) -> None:
        if client.dropped:
            return
        client.dropped = True
        self.stats.clients_dropped_slow += 1
        log.warning("display %d at %s dropped: %s", client.number, client.peer, why)
        self._clients.discard(client)
        while not client.queue.empty():
            client.queue.get_nowait()
        client.queue.put_nowait(None)
        if client.sender is not None:
            # The sender may be stuck writing to a socket nobody reads: stop it where it is.
            client.sender.cancel()

    def _close_all(self) -> None:
        for client in list(self._clients):
            self._clients.discard(client)
            with contextlib.suppress(asyncio.QueueFull):
                client.queue.put_nowait(None)

    def _snapshot(self) -> bytes:
        state = self._loop_state
        cached = self._snapshot_cache
        if cached is None or cached[0] != id(state):
            cached = (id(state), encode_snapshot(state))
            self._snapshot_cache = cached
        return cached[1]

    async def _stream(self, websocket: WebSocket) -> None:
        self._loop = asyncio.get_running_loop()
        if len(self._clients) >= self.max_clients:
            self.stats.clients_refused_full += 1
            log.warning("display refused: %d displays already connected (max_clients)", len(self._clients))
            await websocket.close(code=1013, reason="server full, try again later")
            return
        await websocket.accept()
        self._client_numbers += 1
        client = _Client(websocket, self.max_queued_frames, self._client_numbers)
        self.stats.clients_total += 1
        client.offer(self._snapshot())
        client.offer(self._alerts_message)
        self._clients.add(client)
        self.stats.clients_connected = len(self._clients)
        log.info("display %d connected from %s (%d displays)", client.number, client.peer, len(self._clients))
        sender = client.sender = asyncio.create_task(self._send_loop(client))
        receiver = asyncio.create_task(self._receive_loop(client))
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._clients.discard(client)
            self.stats.clients_connected = len(self._clients)
            for task in (sender, receiver):
                task.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)
            if client.dropped:
                await self._close_quietly(websocket, 1008, "too slow: dropped to protect the other displays")
            log.info("display %d at %s disconnected", client.number, client.peer)

    async def _close_quietly(self, websocket: WebSocket, code: int, reason: str) -> None:
        """Say why, if the socket still drains; otherwise cut the connection so its buffers are freed."""
        try:
            await asyncio.wait_for(websocket.close(code=code, reason=reason), timeout=1.0)
            return
        except (TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
            pass
        server_state = getattr(self._server, "server_state", None)
        for connection in list(getattr(server_state, "connections", ())):
            if getattr(connection, "scope", None) is websocket.scope:
                connection.transport.abort()

    async def _send_loop(self, client: _Client) -> None:
        ws = client.websocket
        while True:
            message = await client.queue.get()
            if message is None:
                return
            if isinstance(message, bytes):
                await ws.send_bytes(message)
            else:
                await ws.send_text(message)
            self.stats.bytes_sent += len(message)

    async def _receive_loop(self, client: _Client) -> None:
        """Displays have nothing to say on the stream but ``ping``; anything else is counted, logged and ignored."""
        ws = client.websocket
        while True:
            try:
                message = await ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                code = message.get("code")
                if code == 1009:
                    self._reject(client, "message too big")
                return
            text = message.get("text")
            if text is None:
                self._reject(client, "binary message")
                continue
            try:
                request = json.loads(text)
            except ValueError:
                self._reject(client, "malformed JSON")
                continue
            if not isinstance(request, dict) or request.get("type") != "ping":
                self._reject(client, "unknown request")
                continue
            client.offer(json.dumps({"type": "pong", "time_s": time.time()}))

    def _reject(self, client: _Client, reason: str) -> None:
        self.stats.client_messages_rejected += 1
        self.stats.reject(reason)
        log.warning("display %d at %s sent a rejected message: %s", client.number, client.peer, reason)

    # ----------------------------------------------------------------- HTTP
    def _sensor_times(self, previous: PictureState, current: PictureState) -> dict[str, np.ndarray]:
        """Per sensor, the last time each track listed it among its sources (carried over by track id)."""
        table = current.table
        out: dict[str, np.ndarray] = {}
        n = len(current)
        if table is None or n == 0:
            return out
        pos = np.searchsorted(previous.track_ids, current.track_ids)
        pos_c = np.minimum(pos, max(len(previous) - 1, 0))
        existed = (pos < len(previous)) & (previous.track_ids[pos_c] == current.track_ids) if len(previous) else None
        times = table.column("time_s").to_numpy(zero_copy_only=False).astype(np.float64)
        sources = pc.fill_null(table.column("sources"), "").combine_chunks().dictionary_encode()
        indices = sources.indices.to_numpy(zero_copy_only=False)
        sensor_rows: dict[str, np.ndarray] = {}
        for code, combo in enumerate(sources.dictionary.to_pylist()):
            for sensor in filter(None, (s.strip() for s in combo.split(","))):
                mask = indices == code
                sensor_rows[sensor] = sensor_rows[sensor] | mask if sensor in sensor_rows else mask
        for sensor in set(self._sensor_last_s) | set(sensor_rows):
            last = np.full(n, np.nan)
            before = self._sensor_last_s.get(sensor)
            if before is not None and existed is not None:
                last[existed] = before[pos_c[existed]]
            mask = sensor_rows.get(sensor)
            if mask is not None:
                last[mask] = times[mask]
            if np.isfinite(last).any():
                out[sensor] = last
        return out

    def _build_app(self) -> Starlette:
        routes = [
            Route("/", self._index),
            Route("/healthz", self._healthz),
            Route("/api/tracks", self._tracks),
            Route("/api/tracks/{track_id:int}", self._track),
            Route("/api/alerts", self._alerts_endpoint),
            Route("/api/alerts/{alert_id:int}/acknowledge", self._acknowledge, methods=["POST"]),
            Route("/api/config", self._config),
            WebSocketRoute("/ws", self._stream),
            Mount("/static", app=StaticFiles(directory=static_dir()), name="static"),
        ]
        return Starlette(routes=routes)

    async def _index(self, request: Request) -> Response:
        return FileResponse(f"{static_dir()}/index.html", headers={"Cache-Control": "no-cache"})

    async def _healthz(self, request: Request) -> Response:
        stats = self.stats
        body = {
            "status": "ok",
            "tracks": len(self._state),
            "picture_time_s": self._state.time_s or None,
            "uptime_s": round(time.time() - self.started_time_s, 1),
            "frames_published": stats.frames_published,
            "frame_bytes_last": stats.frame_bytes_last,
            "encode_cpu_s": round(stats.encode_cpu_s, 4),
            "clients_connected": len(self._clients),
            "clients_total": stats.clients_total,
            "clients_refused_full": stats.clients_refused_full,
            "clients_dropped_slow": stats.clients_dropped_slow,
            "client_messages_rejected": stats.client_messages_rejected,
            "rejected": dict(stats.rejected),
            "bytes_sent": stats.bytes_sent,
            "acknowledge_enabled": self.operator_token is not None,
        }
        return JSONResponse(body)

    async def _tracks(self, request: Request) -> Response:
        table = self._state.table
        rows = table_rows(table) if table is not None else []
        return Response(msgspec.json.encode(rows), media_type="application/json")

    async def _track(self, request: Request) -> Response:
        state = self._state
        track_id = int(request.path_params["track_id"])
        i = int(np.searchsorted(state.track_ids, track_id))
        if state.table is None or i >= len(state) or int(state.track_ids[i]) != track_id:
            return JSONResponse({"error": f"no live track {track_id}"}, status_code=404)
        row = table_rows(state.table.slice(i, 1))[0]
        sensor_times = self._sensor_last_s
        row["sensor_last_update_s"] = {
            sensor: float(times[i]) for sensor, times in sorted(sensor_times.items()) if np.isfinite(times[i])
        }
        row["age_s"] = max(0.0, state.time_s - (row.get("time_s") or state.time_s))
        return Response(msgspec.json.encode(row), media_type="application/json")

    async def _alerts_endpoint(self, request: Request) -> Response:
        return Response(self._alerts_message.encode(), media_type="application/json")

    async def _acknowledge(self, request: Request) -> Response:
        if self.operator_token is None:
            return JSONResponse(
                {"error": "acknowledging is disabled: the server has no operator token configured"}, status_code=403
            )
        supplied = request.headers.get("authorization", "")
        expected = f"Bearer {self.operator_token}"
        if not hmac.compare_digest(supplied.encode(), expected.encode()):
            log.warning("acknowledge refused from %s: wrong or missing operator token", request.client)
            return JSONResponse({"error": "wrong or missing operator token"}, status_code=401)
        try:
            body = await request.json()
        except ValueError:
            body = {}
        operator = str(body.get("operator") or "operator")[:64] if isinstance(body, dict) else "operator"
        alert_id = int(request.path_params["alert_id"])
        known = {row.get("alert_id") for row in getattr(self, "_alert_rows", [])}
        if alert_id not in known:
            return JSONResponse({"error": f"no active alert {alert_id}"}, status_code=404)
        accepted = True
        if self.on_acknowledge is not None:
            accepted = bool(await asyncio.to_thread(self.on_acknowledge, alert_id, operator))
        if not accepted:
            return JSONResponse({"error": f"alert {alert_id} could not be acknowledged"}, status_code=409)
        self._acknowledged[alert_id] = operator
        log.info("alert %d acknowledged by %s", alert_id, operator)
        self.publish_alerts(self._alerts)
        return JSONResponse({"alert_id": alert_id, "state": "acknowledged", "operator": operator})

    async def _config(self, request: Request) -> Response:
        body = dict(self.display_config)
        body["acknowledge_enabled"] = self.operator_token is not None
        body["history_enabled"] = self.history_enabled
        return Response(msgspec.json.encode(body), media_type="application/json")
