"""``airspace_infringement``: a track inside a watched volume now, or predicted to enter it within the look-ahead.

Two lateral predictions per track, both from the current state: a straight line (constant ground velocity) and,
when the track is turning faster than ``turn_rate_min_deg_s``, an arc at the measured turn rate (capped at a
rate-one turn, 3°/s). Vertically the aircraft follows its vertical rate. Candidates come from one STRtree query
of all predicted paths against all watched volumes (bounding boxes, then prepared-polygon ``intersects``).

For a straight path the lateral entry and exit are exact: the distances from the aircraft to the nearest and
farthest point of the path's intersection with the polygon, divided by the speed. They are intersected with the
vertical window (floor ≤ altitude + rate·t ≤ ceiling), and the volume must be active at the entry time. Arcs
(few tracks turn at any moment) are searched every ``step_s``. ``time_predicted_s`` is the first instant inside;
it is null for an aircraft already in.

Hysteresis: raised after ``raise_after_cycles`` consecutive cycles; cleared ``clear_after_s`` after the track is
neither inside nor predicted in.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

from airpicture.core.units import FT_TO_M
from airpicture.monitor.airspace import Airspace
from airpicture.monitor.book import CRITICAL, WARNING, Conditions
from airpicture.monitor.config import InfringementConfig
from airpicture.monitor.frame import KeyedMemory, TrackFrame

VOLUME_KEY_BITS = 16


def arc_offsets(
    vx: NDArray, vy: NDArray, omega_rad_s: NDArray, t_s: NDArray
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Displacement after ``t`` at constant speed turning at ``omega`` (positive = clockwise, a right turn).

    ∫₀ᵗ R(−ωτ) v dτ = [S·vx + C·vy, −C·vx + S·vy] with S = sin(ωt)/ω, C = (1 − cos ωt)/ω.
    Shapes broadcast: ``vx``, ``vy``, ``omega`` as [n, 1] against ``t`` as [k].
    """
    wt = omega_rad_s * t_s
    small = np.abs(omega_rad_s) < 1e-6
    safe = np.where(small, 1.0, omega_rad_s)
    s = np.where(small, t_s, np.sin(wt) / safe)
    c = np.where(small, 0.5 * omega_rad_s * t_s * t_s, (1.0 - np.cos(wt)) / safe)
    return s * vx + c * vy, -c * vx + s * vy


def _member(values: NDArray[np.int64], sorted_keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """``np.isin`` for a sorted key array, by binary search (no hashing of both arrays every cycle)."""
    if not len(sorted_keys):
        return np.zeros(len(values), bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[pos] == values


class BoxGrid:
    """Bounding boxes of static polygons hashed into a uniform grid, queried with many boxes in one numpy pass.

    Replaces an STRtree query per cycle for the straight paths and current positions: those need no shapely
    geometry at all (building 10,000 points and lines per cycle costs more than the query). Each (query box,
    volume box) pair is reported once — in the cell holding the lower-left corner of the two boxes' overlap.
    """

    def __init__(self, bounds: NDArray[np.float64], cell_m: float) -> None:
        self.bounds = np.asarray(bounds, dtype=np.float64).reshape(-1, 4)
        self.cell_m = float(cell_m)
        if not len(self.bounds):
            self.origin = np.zeros(2)
            self.shape = (0, 0)
            self.cell_start = np.zeros(1, np.int64)
            self.cell_items = np.zeros(0, np.int64)
            return
        self.origin = self.bounds[:, :2].min(axis=0)
        top = self.bounds[:, 2:].max(axis=0)
        self.shape = tuple((np.floor((top - self.origin) / self.cell_m).astype(np.int64) + 1).tolist())
        c0, c1 = self._cells(self.bounds[:, 0], self.bounds[:, 1]), self._cells(self.bounds[:, 2], self.bounds[:, 3])
        item, cell = self._expand(c0, c1)
        order = np.argsort(cell, kind="stable")
        n_cells = self.shape[0] * self.shape[1]
        self.cell_items = item[order]
        self.cell_start = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=n_cells))]).astype(np.int64)

    def _cells(self, x: NDArray, y: NDArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        cx = np.clip(np.floor((x - self.origin[0]) / self.cell_m), 0, self.shape[0] - 1).astype(np.int64)
        cy = np.clip(np.floor((y - self.origin[1]) / self.cell_m), 0, self.shape[1] - 1).astype(np.int64)
        return cx, cy

    def _expand(self, c0, c1) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(box index, flat cell) for every cell of every box's cell range."""
        nx, ny = c1[0] - c0[0] + 1, c1[1] - c0[1] + 1
        count = nx * ny
        box = np.repeat(np.arange(len(nx)), count)
        k = np.arange(len(box)) - np.repeat(np.cumsum(count) - count, count)
        cx = c0[0][box] + k % nx[box]
        cy = c0[1][box] + k // nx[box]
        return box, cx * self.shape[1] + cy

    def query(self, minx: NDArray, miny: NDArray, maxx: NDArray, maxy: NDArray) -> tuple[NDArray, NDArray]:
        """(query index, item index) of every pair of overlapping boxes."""
        empty = np.zeros(0, np.intp), np.zeros(0, np.intp)
        if not len(self.cell_items) or not len(minx):
            return empty
        b = self.bounds
        gx1 = self.origin[0] + self.shape[0] * self.cell_m
        gy1 = self.origin[1] + self.shape[1] * self.cell_m
        q = np.flatnonzero((maxx >= self.origin[0]) & (minx <= gx1) & (maxy >= self.origin[1]) & (miny <= gy1))
        if not len(q):
            return empty
        box, cell = self._expand(self._cells(minx[q], miny[q]), self._cells(maxx[q], maxy[q]))
        start = self.cell_start[cell]
        count = self.cell_start[cell + 1] - start
        pair_box = np.repeat(box, count)
        k = np.arange(len(pair_box)) - np.repeat(np.cumsum(count) - count, count)
        item = self.cell_items[np.repeat(start, count) + k]
        pair_cell = np.repeat(cell, count)
        qi = q[pair_box]
        overlap = (minx[qi] <= b[item, 2]) & (maxx[qi] >= b[item, 0])
        overlap &= (miny[qi] <= b[item, 3]) & (maxy[qi] >= b[item, 1])
        qi, item, pair_cell = qi[overlap], item[overlap], pair_cell[overlap]
        rx, ry = self._cells(np.maximum(minx[qi], b[item, 0]), np.maximum(miny[qi], b[item, 1]))
        once = rx * self.shape[1] + ry == pair_cell
        return qi[once].astype(np.intp), item[once].astype(np.intp)


class TurnRateEstimator:
    """Turn rate from the change of track angle between cycles, per track id (sorted-array memory)."""

    def __init__(self) -> None:
        self.memory = KeyedMemory(("track_deg", "time_s", "rate"))

    def update(self, frame: TrackFrame) -> NDArray[np.float64]:
        prev_trk = self.memory.get(frame.track_id, "track_deg")
        prev_t = self.memory.get(frame.track_id, "time_s")
        prev_rate = self.memory.get(frame.track_id, "rate", 0.0)
        dt = frame.time_s - prev_t
        dtrk = (frame.track_deg - prev_trk + 540.0) % 360.0 - 180.0
        fresh = np.isfinite(dt) & (dt >= 0.5) & (dt <= 30.0) & (frame.ground_speed_kt > 30)
        rate = np.where(fresh, dtrk / np.where(fresh, dt, 1.0), np.where(dt < 0.5, prev_rate, 0.0))
        rate = np.nan_to_num(rate)
        moved = ~(dt < 0.5)  # keep the old reference until enough time passed for a stable difference
        self.memory.put(
            frame.track_id[moved],
            track_deg=frame.track_deg[moved],
            time_s=frame.time_s[moved],
            rate=rate[moved],
        )
        self.memory.drop_older("time_s", frame.now_s - 600.0)
        return rate


class InfringementMonitor:
    kind = "airspace_infringement"

    def __init__(self, airspace: Airspace, config: InfringementConfig) -> None:
        self.airspace = airspace
        self.config = config
        self.volume_idx = airspace.indices(config.kinds)
        self.polygons = airspace.polygons_xy[self.volume_idx]
        self.tree = shapely.STRtree(self.polygons)
        self.grid = BoxGrid(shapely.bounds(self.polygons), cell_m=40_000.0)
        # Bounding circle per polygon (centre of its box, farthest vertex): a cheap exact reject for paths that
        # cross the box's corner but miss the polygon, before the edge-by-edge intersection.
        b = shapely.bounds(self.polygons).reshape(-1, 4)
        self.centre = np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])
        coords, owner = shapely.get_coordinates(self.polygons, return_index=True)
        radius = np.zeros(len(self.polygons))
        if len(coords):
            np.maximum.at(radius, owner, np.hypot(*(coords - self.centre[owner]).T))
        self.radius = radius
        self.turns = TurnRateEstimator()
        self.kinds = airspace.kinds[self.volume_idx]
        self.serious = np.array([k in ("prohibited", "restricted") for k in self.kinds], dtype=bool)
        # Every ring edge of every watched polygon, grouped by volume, for exact straight-line crossings.
        edges, counts = [], []
        for poly in self.polygons:
            rings = shapely.get_rings(poly)
            segs = [np.column_stack([c[:-1], c[1:]]) for c in (shapely.get_coordinates(r) for r in rings)]
            e = np.concatenate(segs) if segs else np.zeros((0, 4))
            edges.append(e)
            counts.append(len(e))
        self.edges = np.concatenate(edges) if edges else np.zeros((0, 4))
        self.edge_x0, self.edge_y0 = self.edges[:, 0].copy(), self.edges[:, 1].copy()
        self.edge_dx, self.edge_dy = self.edges[:, 2] - self.edges[:, 0], self.edges[:, 3] - self.edges[:, 1]
        self.edge_count = np.array(counts, dtype=np.int64)
        self.edge_start = np.concatenate([[0], np.cumsum(self.edge_count)[:-1]]).astype(np.int64)

    def _straight_crossings(
        self, frame: TrackFrame, st: NDArray[np.intp], lv: NDArray[np.intp], horizon_s: float
    ) -> tuple[NDArray, NDArray, NDArray[np.bool_]]:
        """First lateral interval inside polygon ``lv`` along each track's straight path over the horizon.

        Path P(u) = P0 + u·d (u in [0, 1] over the horizon) against every polygon edge E1 + v·e: u = (q × e)/(d × e),
        v = (q × d)/(d × e) with q = E1 − P0. The first inside interval starts at 0 if P0 is inside, else at the
        first crossing, and ends at the next crossing (or the horizon). Returns (t_in, t_out, touches).
        """
        n = len(st)
        if not n:
            z = np.zeros(0)
            return z, z, np.zeros(0, bool)
        counts = self.edge_count[lv]
        bounds = np.cumsum(counts) - counts
        pair = np.repeat(np.arange(n, dtype=np.int32), counts)
        edge = np.arange(len(pair)) + np.repeat(self.edge_start[lv] - bounds, counts)
        # Per pair first (n), then gathered to edges (sum of counts): fewer passes over the long arrays.
        dx_p, dy_p = frame.vx[st] * horizon_s, frame.vy[st] * horizon_s
        dx, dy = dx_p[pair], dy_p[pair]
        ex, ey = self.edge_dx[edge], self.edge_dy[edge]
        qx = self.edge_x0[edge] - frame.x_m[st][pair]
        qy = self.edge_y0[edge] - frame.y_m[st][pair]
        den = dx * ey - dy * ex
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (qx * ey - qy * ex) / den
            v = (qx * dy - qy * dx) / den
        cross = (np.abs(den) > 1e-9) & (u >= 0) & (u <= 1) & (v >= 0) & (v < 1)
        u = np.where(cross, u, np.inf)
        u1 = np.minimum.reduceat(u, bounds)
        u_rest = np.where(u <= u1[pair], np.inf, u)
        u2 = np.minimum.reduceat(u_rest, bounds)
        start_in = shapely.contains_xy(self.polygons[lv], frame.x_m[st], frame.y_m[st])
        u_in = np.where(start_in, 0.0, u1)
        u_out = np.minimum(np.where(start_in, u1, u2), 1.0)
        touches = start_in | np.isfinite(u1)
        return u_in * horizon_s, u_out * horizon_s, touches

    def evaluate(self, frame: TrackFrame) -> Conditions:
        cfg = self.config
        turn_rate = self.turns.update(frame)
        if not len(self.volume_idx) or not frame.n:
            return Conditions.empty()
        now = frame.now_s
        T = cfg.look_ahead_s
        ok = frame.valid
        alt_unknown = ~np.isfinite(frame.alt_m)
        alt_m = np.where(alt_unknown, 0.0, frame.alt_m)
        floor_m = self.airspace.floor_ft[self.volume_idx] * FT_TO_M
        ceiling_m = self.airspace.ceiling_ft[self.volume_idx] * FT_TO_M

        # Inside now: bounding boxes from the grid, the vertical limits, then prepared point-in-polygon.
        track_i = np.flatnonzero(ok)
        px, py = frame.x_m[track_i], frame.y_m[track_i]
        hit_t, hit_v = self.grid.query(px, py, px, py)
        hit_t = track_i[hit_t]
        vert = alt_unknown[hit_t] | ((alt_m[hit_t] >= floor_m[hit_v]) & (alt_m[hit_t] <= ceiling_m[hit_v]))
        hit_t, hit_v = hit_t[vert], hit_v[vert]
        lateral = shapely.contains_xy(self.polygons[hit_v], frame.x_m[hit_t], frame.y_m[hit_t])
        inside = lateral & self.airspace.active_at(self.volume_idx[hit_v], np.full(len(hit_v), now))
        cur_t, cur_v = hit_t[inside], hit_v[inside]
        inside_keys = (cur_t.astype(np.int64) << VOLUME_KEY_BITS) | cur_v

        # Predicted, straight: the path's bounding box against the grid, the vertical window of the linear
        # climb/descent (cheap, drops most pairs), then the exact lateral entry from the polygon's edges.
        moving = np.flatnonzero(ok & (frame.ground_speed_kt >= cfg.min_speed_kt))
        x0, y0 = frame.x_m[moving], frame.y_m[moving]
        x1, y1 = x0 + frame.vx[moving] * T, y0 + frame.vy[moving] * T
        li, lv = self.grid.query(np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1))
        st = moving[li]
        # Distance from the circle's centre to the path segment.
        px, py = frame.x_m[st], frame.y_m[st]
        dx, dy = frame.vx[st] * T, frame.vy[st] * T
        cx, cy = self.centre[lv, 0] - px, self.centre[lv, 1] - py
        u = np.clip((cx * dx + cy * dy) / np.maximum(dx * dx + dy * dy, 1e-9), 0.0, 1.0)
        near = np.hypot(cx - u * dx, cy - u * dy) <= self.radius[lv]
        st, lv = st[near], lv[near]
        vz = frame.vz_mps[st]
        z0 = alt_m[st]
        fl, cl = floor_m[lv], ceiling_m[lv]
        with np.errstate(divide="ignore", invalid="ignore"):
            ta = (fl - z0) / vz
            tb = (cl - z0) / vz
        level = np.abs(vz) < 1e-6
        within = (z0 >= fl) & (z0 <= cl)
        t_v_in = np.where(level, np.where(within, 0.0, np.inf), np.minimum(ta, tb))
        t_v_out = np.where(level, np.where(within, np.inf, -np.inf), np.maximum(ta, tb))
        t_v_in = np.where(alt_unknown[st], 0.0, t_v_in)
        t_v_out = np.where(alt_unknown[st], np.inf, t_v_out)
        inside_keys = np.sort(inside_keys)
        keep = (np.maximum(t_v_in, 0.0) <= np.minimum(t_v_out, T)) & ~_member(
            (st.astype(np.int64) << VOLUME_KEY_BITS) | lv, inside_keys
        )
        st, lv, t_v_in, t_v_out = st[keep], lv[keep], t_v_in[keep], t_v_out[keep]
        t_lat_in, t_lat_out, touch = self._straight_crossings(frame, st, lv, T)
        st, lv, t_lat_in, t_lat_out = st[touch], lv[touch], t_lat_in[touch], t_lat_out[touch]
        t_v_in, t_v_out = t_v_in[touch], t_v_out[touch]
        t_in = np.maximum.reduce([t_lat_in, t_v_in, np.zeros_like(t_lat_in)])
        t_out = np.minimum.reduce([t_lat_out, t_v_out, np.full_like(t_lat_out, T)])
        hit = t_in <= t_out
        hit[hit] = self.airspace.active_at(self.volume_idx[lv[hit]], now + t_in[hit])
        s_t, s_v, s_time = st[hit], lv[hit], now + np.maximum(t_in[hit], cfg.step_s)

        # Predicted, turning: arcs at the measured turn rate, searched every step_s (few tracks turn at once).
        omega_deg = np.clip(turn_rate, -cfg.turn_rate_max_deg_s, cfg.turn_rate_max_deg_s)
        turning = np.flatnonzero(ok & (frame.ground_speed_kt >= cfg.min_speed_kt)
                                 & (np.abs(omega_deg) >= cfg.turn_rate_min_deg_s))  # fmt: skip
        a_t, a_v, a_time = turning[:0], turning[:0], np.zeros(0)
        if len(turning):
            omega = np.radians(omega_deg[turning])
            t_vertices = np.linspace(0.0, T, 9)
            dx, dy = arc_offsets(frame.vx[turning, None], frame.vy[turning, None], omega[:, None], t_vertices[None, :])
            coords = np.stack([(frame.x_m[turning, None] + dx).ravel(), (frame.y_m[turning, None] + dy).ravel()], 1)
            arcs = shapely.linestrings(coords, indices=np.repeat(np.arange(len(turning)), len(t_vertices)))
            ai, av = self.tree.query(arcs)
            keep = ~_member((turning[ai].astype(np.int64) << VOLUME_KEY_BITS) | av, inside_keys)
            ai, av = ai[keep], av[keep]
            touch = shapely.intersects(self.polygons[av], arcs[ai])
            ai, av = ai[touch], av[touch]
            if len(ai):
                ct = turning[ai]
                ts = np.arange(cfg.step_s, T + cfg.step_s / 2, cfg.step_s)
                ddx, ddy = arc_offsets(frame.vx[ct, None], frame.vy[ct, None], omega[ai, None], ts[None, :])
                polys = np.repeat(self.polygons[av], len(ts)).reshape(len(ct), len(ts))
                lat_in = shapely.contains_xy(polys, frame.x_m[ct, None] + ddx, frame.y_m[ct, None] + ddy)
                z = alt_m[ct, None] + frame.vz_mps[ct, None] * ts[None, :]
                vertical = alt_unknown[ct, None] | ((z >= floor_m[av, None]) & (z <= ceiling_m[av, None]))
                # Activity of every (volume, time) in one vectorised call (not one Python call per volume).
                active = self.airspace.active_at(
                    np.repeat(self.volume_idx[av], len(ts)), np.tile(now + ts, len(av))
                ).reshape(len(av), len(ts))
                inside_t = lat_in & vertical & active
                anyin = inside_t.any(axis=1)
                first = np.argmax(inside_t, axis=1)
                a_t, a_v, a_time = ct[anyin], av[anyin], now + ts[first[anyin]]
        pred_t = np.concatenate([s_t, a_t])
        pred_v = np.concatenate([s_v, a_v])
        pred_time = np.concatenate([s_time, a_time])

        # Merge: current wins over predicted; earliest prediction per (track, volume).
        all_t = np.concatenate([cur_t, pred_t])
        all_v = np.concatenate([cur_v, pred_v])
        all_time = np.concatenate([np.full(len(cur_t), np.nan), pred_time])
        if not len(all_t):
            return Conditions.empty()
        gvol = self.volume_idx[all_v]
        keys = (frame.track_id[all_t] << VOLUME_KEY_BITS) | gvol
        order = np.lexsort((np.nan_to_num(all_time, nan=-np.inf), keys))
        keys, all_t, all_v, all_time, gvol = keys[order], all_t[order], all_v[order], all_time[order], gvol[order]
        first = np.append(True, keys[1:] != keys[:-1])
        keys, all_t, all_v, all_time, gvol = keys[first], all_t[first], all_v[first], all_time[first], gvol[first]
        current = np.isnan(all_time)
        serious = self.serious[all_v]
        severity = np.where(current & serious, CRITICAL, WARNING).astype(np.int8)
        names = self.airspace.names[gvol]
        alt_ft_now = frame.alt_ft[all_t]

        def messages(idx: NDArray[np.intp]) -> list[str]:
            out = []
            for i in idx:
                alt = "altitude unknown" if not np.isfinite(alt_ft_now[i]) else f"{alt_ft_now[i]:.0f} ft"
                if current[i]:
                    out.append(f"inside {names[i]} ({self.kinds[all_v[i]]}) at {alt}")
                else:
                    out.append(f"predicted to enter {names[i]} in {all_time[i] - now:.0f} s ({alt} now)")
            return out

        return Conditions(
            keys=keys,
            severity=severity,
            track_ids=frame.track_id[all_t][:, None],
            volume=names,
            time_predicted_s=all_time,
            messages=messages,
        )


__all__ = ["InfringementMonitor", "TurnRateEstimator", "arc_offsets"]
