"""The history HTTP API, a Starlette Router the picture server mounts (``Mount("/api/history", routes=...)``).

Routes (all GET; ``from``/``to`` are epoch seconds or ISO 8601 UTC; ``format`` json | geojson | parquet):
``/extent`` rows and time span per table (the replay timeline's range);
``/snapshot?t=&max_age_s=`` the picture at a past instant (what the timeline shows when scrubbed);
``/aircraft/{ident}?from=&to=&source=tracks|measurements`` where was aircraft X;
``/volume?volume=fir|bbox:...|<zone name>&from=&to=&alt_min_ft=&alt_max_ft=`` tracks inside a volume;
``/alerts?kind=&state=&from=&to=`` alert events.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from airpicture.record.formats import FORMATS, parse_time, render
from airpicture.record.recording import Recording
from airpicture.record.volumes import volume_from_spec

_MEDIA = {"json": "application/json", "geojson": "application/geo+json", "parquet": "application/vnd.apache.parquet"}


def _float(request: Request, name: str) -> float | None:
    value = request.query_params.get(name)
    return None if value in (None, "") else float(value)


def history_router(recording: Recording | Callable[[], Recording]) -> Router:
    """Routes over ``recording`` (or a function returning the current one, e.g. ``recorder.recording``)."""

    def current() -> Recording:
        return recording() if callable(recording) else recording

    def respond(table, request: Request) -> Response:
        fmt = request.query_params.get("format", "json")
        if fmt not in FORMATS:
            return JSONResponse({"error": f"format must be one of {', '.join(FORMATS)}"}, status_code=400)
        return Response(render(table, fmt), media_type=_MEDIA[fmt])

    def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                return handler(request)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)

        return endpoint

    def extent(request: Request) -> Response:
        return respond(current().extent(), request)

    def snapshot(request: Request) -> Response:
        t = parse_time(request.query_params.get("t"))
        if t is None:
            raise ValueError("snapshot needs t (epoch s or ISO 8601)")
        return respond(current().snapshot(t, _float(request, "max_age_s") or 30.0), request)

    def aircraft(request: Request) -> Response:
        q = request.query_params
        table = current().aircraft(
            request.path_params["ident"], parse_time(q.get("from")), parse_time(q.get("to")), q.get("source", "tracks")
        )
        return respond(table, request)

    def volume(request: Request) -> Response:
        q = request.query_params
        geometry = volume_from_spec(q.get("volume", "fir"))
        table = current().in_volume(
            geometry,
            parse_time(q.get("from")),
            parse_time(q.get("to")),
            _float(request, "alt_min_ft"),
            _float(request, "alt_max_ft"),
        )
        return respond(table, request)

    def alerts(request: Request) -> Response:
        q = request.query_params
        table = current().alerts(q.get("kind"), parse_time(q.get("from")), parse_time(q.get("to")), q.get("state"))
        return respond(table, request)

    return Router(
        routes=[
            Route("/extent", guarded(extent)),
            Route("/snapshot", guarded(snapshot)),
            Route("/aircraft/{ident}", guarded(aircraft)),
            Route("/volume", guarded(volume)),
            Route("/alerts", guarded(alerts)),
        ]
    )
