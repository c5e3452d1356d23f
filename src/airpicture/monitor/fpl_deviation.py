"""``fpl_deviation``: a track correlated with a flight plan that leaves its route or flies the wrong level.

- **Route**: distance from the planned route (the expanded field 15, legs densified along great circles every
  50 km, in the monitors' plane) above ``lateral_nm``.
- **Level**: in level flight (|vertical rate| < ``level_rate_fpm``), farther than ``terminal_nm`` from departure
  and destination, more than ``level_ft`` from the level planned for that part of the route (field 15 speed/level
  groups, including changes at points).

Route geometry is built once per flight plan (and rebuilt when a CHG changes it); the per-cycle work is two
vectorised shapely calls over the correlated tracks.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import NDArray

from airpicture.core.geodesy import destination, haversine_m, initial_bearing_deg
from airpicture.core.units import NM_TO_M
from airpicture.identify.fpl import FlightPlan, FlightPlanStore
from airpicture.monitor.book import INFO, WARNING, Conditions
from airpicture.monitor.config import FplDeviationConfig
from airpicture.monitor.frame import TrackFrame
from airpicture.monitor.plane import MonitorPlane

_LEG_STEP_M = 50_000.0
_PLAN_STRIDE = 1e9  # metres; separates plans in one sorted array of along-route distances


def _densify(lat: NDArray, lon: NDArray, level: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    out_lat, out_lon, out_lvl = [lat[0]], [lon[0]], [level[0]]
    for k in range(len(lat) - 1):
        d = float(haversine_m(lat[k], lon[k], lat[k + 1], lon[k + 1]))
        n = max(1, int(np.ceil(d / _LEG_STEP_M)))
        if n > 1:
            brg = float(initial_bearing_deg(lat[k], lon[k], lat[k + 1], lon[k + 1]))
            steps = np.arange(1, n) * d / n
            la, lo = destination(np.full(n - 1, lat[k]), np.full(n - 1, lon[k]), brg, steps)
            out_lat.extend(la.tolist())
            out_lon.extend(lo.tolist())
            out_lvl.extend([level[k + 1]] * (n - 1))
        out_lat.append(lat[k + 1])
        out_lon.append(lon[k + 1])
        out_lvl.append(level[k + 1])
    return np.array(out_lat), np.array(out_lon), np.array(out_lvl, dtype=np.float64)


class FplDeviationMonitor:
    kind = "fpl_deviation"

    def __init__(self, plane: MonitorPlane, config: FplDeviationConfig, store: FlightPlanStore) -> None:
        self.plane = plane
        self.config = config
        self.store = store
        self._version = -1
        self._build()

    def _build(self) -> None:
        plans: list[FlightPlan] = [p for p in self.store.active() if len(p.route.points) >= 2]
        self._version = self.store.version
        self.plan_ids = pa.array([p.plan_id for p in plans], pa.string())
        geoms, along, levels, ends = [], [], [], []
        for k, p in enumerate(plans):
            lat = np.array([q.lat_deg for q in p.route.points])
            lon = np.array([q.lon_deg for q in p.route.points])
            lvl = np.array([np.nan if q.level_ft is None else q.level_ft for q in p.route.points])
            lat, lon, lvl = _densify(lat, lon, lvl)
            x, y = self.plane.to_xy(lat, lon)
            geoms.append(shapely.linestrings(np.column_stack([x, y])))
            seg = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
            along.append(k * _PLAN_STRIDE + seg)
            levels.append(lvl)
            ends.append((x[0], y[0], x[-1], y[-1]))
        self.routes = np.array(geoms, dtype=object)
        self.along = np.concatenate(along) if along else np.zeros(0)
        self.levels = np.concatenate(levels) if levels else np.zeros(0)
        self.ends = np.array(ends, dtype=np.float64).reshape(-1, 4)

    def evaluate(self, frame: TrackFrame) -> Conditions:
        cfg = self.config
        if self.store.version != self._version:
            self._build()
        if not len(self.routes) or not frame.n:
            return Conditions.empty()
        idx = pc.index_in(pa.array(frame.flight_plan, pa.string()), value_set=self.plan_ids)
        plan = pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        rows = np.flatnonzero((plan >= 0) & frame.valid)
        if not len(rows):
            return Conditions.empty()
        k = plan[rows]
        px, py = frame.x_m[rows], frame.y_m[rows]
        pts = shapely.points(px, py)
        lateral_m = shapely.distance(self.routes[k], pts)
        along = shapely.line_locate_point(self.routes[k], pts)
        vertex = np.searchsorted(self.along, k * _PLAN_STRIDE + along, side="right")
        planned = self.levels[np.clip(vertex, 0, len(self.levels) - 1)]
        from_dep = np.hypot(px - self.ends[k, 0], py - self.ends[k, 1])
        from_dest = np.hypot(px - self.ends[k, 2], py - self.ends[k, 3])
        cruise = (np.minimum(from_dep, from_dest) > cfg.terminal_nm * NM_TO_M) & (
            np.abs(frame.vertical_rate_fpm[rows]) < cfg.level_rate_fpm
        )
        alt = frame.alt_ft[rows]
        off_level = cruise & np.isfinite(planned) & np.isfinite(alt) & (np.abs(alt - planned) > cfg.level_ft)
        off_route = lateral_m > cfg.lateral_nm * NM_TO_M
        kinds = np.concatenate([np.ones(int(off_route.sum()), np.int64), np.full(int(off_level.sum()), 2)])
        sel = np.concatenate([np.flatnonzero(off_route), np.flatnonzero(off_level)])
        if not len(sel):
            return Conditions.empty()
        tracks = rows[sel]
        keys = (frame.track_id[tracks] << 2) | kinds
        plan_names = np.asarray(frame.flight_plan[tracks], dtype=object)
        lat_nm = lateral_m[sel] / NM_TO_M
        alt_s, planned_s = alt[sel], planned[sel]

        def messages(s_idx: NDArray[np.intp]) -> list[str]:
            out = []
            for s in s_idx:
                who = (frame.callsign[tracks[s]] or "").strip() or f"track {frame.track_id[tracks[s]]}"
                if kinds[s] == 1:
                    out.append(f"{who}: {lat_nm[s]:.1f} NM off the route of flight plan {plan_names[s]}")
                else:
                    out.append(
                        f"{who}: at {alt_s[s]:.0f} ft, flight plan {plan_names[s]} gives {planned_s[s]:.0f} ft here"
                    )
            return out

        return Conditions(
            keys=keys,
            severity=np.where(kinds == 1, WARNING, INFO).astype(np.int8),
            track_ids=frame.track_id[tracks][:, None],
            volume=plan_names,
            messages=messages,
        )
