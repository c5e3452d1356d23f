"""``stca``: short-term conflict alert — two aircraft predicted to lose separation within the look-ahead.

Pipeline, all vectorised over tracks and pairs:

1. **Coarse pairs.** A k-d tree over positions at mid look-ahead, altitude scaled: two aircraft that come within
   H and V at some time in [0, T] are within ``H + v_max·T`` horizontally and ``V + |Δż|·T/2`` vertically at T/2.
2. **Linear filter.** Constant-velocity relative motion: the times where the horizontal distance is below H solve
   ``|Δp + Δv t|² < H²``; the times where the vertical distance is below V' (= V − tolerance) solve
   ``|Δz + Δż t| < V'``. A conflict needs the two intervals to overlap inside [0, T].
3. **Level-off filter** (vertical-rate aware). A climbing or descending aircraft may stop at the next 1000-ft
   level; the pair is alerted only if the conflict also exists when each vertically moving aircraft levels off
   there. This removes the classic nuisance of an aircraft levelling 1000 ft below another. Checked on a
   ``step_s`` time grid for the few pairs left.
4. **Persistence.** The book raises only after the conflict was predicted on ``raise_after_cycles`` consecutive
   cycles, so one noisy heading does not alert parallel traffic.

Separation minima default to 5 NM / 1000 ft; a volume may carry its own (``stca_horizontal_nm``,
``stca_vertical_ft``) and a pair uses the smaller minima of the volumes its two aircraft are in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from airpicture.core.units import FPM_TO_MPS, FT_TO_M, M_TO_FT, NM_TO_M
from airpicture.monitor.airspace import Airspace
from airpicture.monitor.book import CRITICAL, WARNING, Conditions
from airpicture.monitor.config import StcaConfig
from airpicture.monitor.frame import KeyedMemory, MeasurementBatch, TrackFrame

_LEVEL_M = 1000.0 * FT_TO_M
_SQRT2 = float(np.sqrt(2.0)) + 1e-9


def horizontal_interval(
    dx: NDArray, dy: NDArray, dvx: NDArray, dvy: NDArray, h_m: NDArray
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """[t_in, t_out] where the relative distance is below ``h_m`` (empty: t_in > t_out)."""
    a = dvx * dvx + dvy * dvy
    b = 2.0 * (dx * dvx + dy * dvy)
    c = dx * dx + dy * dy - h_m * h_m
    disc = b * b - 4.0 * a * c
    still = a < 1e-9
    root = np.sqrt(np.maximum(disc, 0.0))
    safe_a = np.where(still, 1.0, a)
    t_in = np.where(still, np.where(c < 0, -np.inf, np.inf), (-b - root) / (2.0 * safe_a))
    t_out = np.where(still, np.where(c < 0, np.inf, -np.inf), (-b + root) / (2.0 * safe_a))
    none = ~still & (disc < 0)
    return np.where(none, np.inf, t_in), np.where(none, -np.inf, t_out)


def vertical_interval(dz: NDArray, dvz: NDArray, v_m: NDArray) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """[t_in, t_out] where ``|dz + dvz·t| < v_m``."""
    still = np.abs(dvz) < 1e-6
    safe = np.where(still, 1.0, dvz)
    t1 = (-v_m - dz) / safe
    t2 = (v_m - dz) / safe
    inside = np.abs(dz) < v_m
    t_in = np.where(still, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    t_out = np.where(still, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    return t_in, t_out


def level_off_altitude(alt_m: NDArray, vz_mps: NDArray, level_rate_mps: float, margin_m: float) -> NDArray:
    """The next 1000-ft level in the direction of vertical motion (the current altitude for level flight)."""
    up = np.ceil((alt_m + margin_m) / _LEVEL_M) * _LEVEL_M
    down = np.floor((alt_m - margin_m) / _LEVEL_M) * _LEVEL_M
    return np.where(vz_mps > level_rate_mps, up, np.where(vz_mps < -level_rate_mps, down, alt_m))


class StcaMonitor:
    kind = "stca"

    def __init__(self, airspace: Airspace, config: StcaConfig) -> None:
        self.airspace = airspace
        self.config = config
        self.minima_idx, self.minima_h_m, self.minima_v_ft = airspace.stca_minima
        #: Selected altitude per Mode S address (ADS-B TC 29 / BDS 4,0 ``selected_alt_ft`` in the measurements).
        self.selected = KeyedMemory(("time_s", "alt_ft"))
        #: Keys of the pairs alerted now (set by the MonitorSet before each evaluate), for the hysteresis.
        self.alerted_keys = np.zeros(0, np.int64)

    def observe(self, mb: MeasurementBatch | None) -> None:
        """Keep the latest selected altitude of each address (held ``selected_hold_s``)."""
        if mb is None or not mb.n or "selected_alt_ft" not in mb.table.column_names:
            return
        alt = mb.f("selected_alt_ft")
        rows = mb.sorted_rows(np.isfinite(alt) & (mb.icao >= 0))
        if len(rows):
            self.selected.put(mb.icao[rows], time_s=mb.f("time_s")[rows], alt_ft=alt[rows])

    def _selected_alt_m(self, frame: TrackFrame, idx: NDArray[np.intp]) -> NDArray[np.float64]:
        """Selected altitude (m) of the tracks ``idx``: a track column if the tracker gives one, else the latest
        broadcast of the track's address within ``selected_hold_s``; NaN when unknown."""
        if "selected_alt_ft" in frame.table.column_names:
            from airpicture.core.schema import float_column

            return float_column(frame.table, "selected_alt_ft")[idx] * FT_TO_M
        self.selected.drop_older("time_s", frame.now_s - self.config.selected_hold_s)
        if not len(self.selected.keys):
            return np.full(len(idx), np.nan)
        icao = frame.icao24_int[idx]
        alt = self.selected.get(icao, "alt_ft")
        return np.where(icao >= 0, alt, np.nan) * FT_TO_M

    def _track_minima(self, frame: TrackFrame, idx: NDArray[np.intp]) -> tuple[NDArray, NDArray]:
        cfg = self.config
        h = np.full(len(idx), cfg.horizontal_nm * NM_TO_M)
        v = np.full(len(idx), cfg.vertical_ft)
        if not len(self.minima_idx) or not len(idx):
            return h, v
        import shapely

        alt_ft = frame.alt_m[idx] * M_TO_FT
        for j, vol in enumerate(self.minima_idx):
            inside = shapely.contains_xy(self.airspace.polygons_xy[vol], frame.x_m[idx], frame.y_m[idx])
            inside &= (alt_ft >= self.airspace.floor_ft[vol]) & (alt_ft <= self.airspace.ceiling_ft[vol])
            if np.isfinite(self.minima_h_m[j]):
                h = np.where(inside, np.minimum(h, self.minima_h_m[j]), h)
            if np.isfinite(self.minima_v_ft[j]):
                v = np.where(inside, np.minimum(v, self.minima_v_ft[j]), v)
        return h, v

    def _candidate_pairs(self, x, y, vx, vy, z, vz, h_track, v_track_ft) -> NDArray[np.intp]:
        """Pairs that may conflict within the look-ahead, from k-d trees over mid-look-ahead positions.

        Coordinates are scaled so that one unit is the horizontal reach ``H + v_max·T`` and the vertical reach
        ``V + |ż|_max·T`` (a conflict needs |Δz_mid| < V + |Δż|·T/2). A Euclidean ball of radius √2 holds that
        box and is several times faster to search than the Chebyshev box itself.
        """
        T = self.config.look_ahead_s
        r = float(h_track.max() + np.hypot(vx, vy).max() * T)
        v_max = float(v_track_ft.max()) * FT_TO_M
        xm, ym, zm = (x + vx * T / 2) / r, (y + vy * T / 2) / r, z + vz * T / 2
        reach_v = v_max + float(np.abs(vz).max()) * T  # |Δz_mid| bound for any pair
        tree = cKDTree(np.column_stack([xm, ym, zm / reach_v]), balanced_tree=False, compact_nodes=False)
        return tree.query_pairs(_SQRT2, output_type="ndarray").astype(np.intp)

    def evaluate(self, frame: TrackFrame) -> Conditions:
        cfg = self.config
        T = cfg.look_ahead_s
        idx = np.flatnonzero(
            frame.valid & frame.confirmed & np.isfinite(frame.alt_m) & (frame.ground_speed_kt >= cfg.min_speed_kt)
        )
        if len(idx) < 2:
            return Conditions.empty()
        x, y, vx, vy = frame.x_m[idx], frame.y_m[idx], frame.vx[idx], frame.vy[idx]
        z, vz = frame.alt_m[idx], frame.vz_mps[idx]
        level_rate = cfg.level_rate_fpm * FPM_TO_MPS
        vz = np.where(np.abs(vz) < level_rate, 0.0, vz)
        h_track, v_track_ft = self._track_minima(frame, idx)
        pairs = self._candidate_pairs(x, y, vx, vy, z, vz, h_track, v_track_ft)
        if not len(pairs):
            return Conditions.empty()
        i, j = pairs[:, 0], pairs[:, 1]
        # Cheap vertical bound before any geometry: every predicted path stays between the current altitude and
        # the linear one, so |Δz(t) − Δz(T/2)| ≤ (|ż_i| + |ż_j|)·T/2.
        # Per aircraft first (mid-time altitude, half-swing), then two gathers per pair.
        z_mid, swing = z + vz * (T / 2), np.abs(vz) * (T / 2)
        uniform_v = bool((v_track_ft == v_track_ft[0]).all())  # no per-volume minima in play: a scalar
        if uniform_v:
            reach = (float(v_track_ft[0]) - cfg.vertical_tolerance_ft) * FT_TO_M + swing
            near_v = np.abs(z_mid[j] - z_mid[i]) <= reach[i] + swing[j]
            i, j = i[near_v], j[near_v]
            v_m = np.full(len(i), (float(v_track_ft[0]) - cfg.vertical_tolerance_ft) * FT_TO_M)
        else:
            v_m = (np.minimum(v_track_ft[i], v_track_ft[j]) - cfg.vertical_tolerance_ft) * FT_TO_M
            near_v = np.abs(z_mid[j] - z_mid[i]) <= v_m + swing[i] + swing[j]
            i, j, v_m = i[near_v], j[near_v], v_m[near_v]
        dz = z[j] - z[i]
        dvz = vz[j] - vz[i]
        h_m = np.minimum(h_track[i], h_track[j])
        hi, ho = horizontal_interval(x[j] - x[i], y[j] - y[i], vx[j] - vx[i], vy[j] - vy[i], h_m)
        vi, vo = vertical_interval(dz, dvz, v_m)
        # Two level aircraft: the linear intervals are exact. A pair with a climb or descent: horizontal interval
        # now, vertical profile on the time grid below.
        vertical = (vz[i] != 0.0) | (vz[j] != 0.0)
        t_in = np.maximum.reduce([hi, np.where(vertical, 0.0, vi), np.zeros_like(hi)])
        t_out = np.minimum.reduce([ho, np.where(vertical, T, vo), np.full_like(ho, T)])
        # For a climb or descent, any predicted profile stays between the current altitude and the linear one, so
        # the two envelopes at the end of the horizontal window must come within V (a cheap necessary test).
        t_end = np.clip(t_out, 0.0, T)
        zi0, zi1 = z[i], z[i] + vz[i] * t_end
        zj0, zj1 = z[j], z[j] + vz[j] * t_end
        gap = np.maximum(np.minimum(zi0, zi1) - np.maximum(zj0, zj1), np.minimum(zj0, zj1) - np.maximum(zi0, zi1))
        hit = (t_in <= t_out) & (~vertical | (gap < v_m))
        i, j, t_in, h_m, v_m, vertical = i[hit], j[hit], t_in[hit], h_m[hit], v_m[hit], vertical[hit]
        if vertical.any():
            lp = ~vertical
            i_l, j_l, t_l, h_l, v_l = i[lp], j[lp], t_in[lp], h_m[lp], v_m[lp]
            i, j, t_in, h_m, v_m = i[vertical], j[vertical], t_in[vertical], h_m[vertical], v_m[vertical]
            ts = np.arange(0.0, T + cfg.step_s / 2, cfg.step_s)
            # Predicted vertical profile: linear, but stopping at the selected altitude when the aircraft
            # broadcasts one ahead of it (ADS-B target state, Mode S BDS 4,0): then a climb *through* another's
            # level is seen as early as the geometry allows, and a level-off below it is not a conflict.
            margin_m = cfg.level_off_margin_ft * FT_TO_M
            sel_m = self._selected_alt_m(frame, idx)
            toward = np.isfinite(sel_m) & (((vz > 0) & (sel_m > z + margin_m)) | ((vz < 0) & (sel_m < z - margin_m)))
            stop = np.where(toward, sel_m, np.where(vz > 0, np.inf, -np.inf))

            def zpath(k: NDArray[np.intp], limit: NDArray) -> NDArray:
                lin = z[k, None] + vz[k, None] * ts[None, :]
                return np.where(vz[k, None] > 0, np.minimum(lin, limit[k, None]), np.maximum(lin, limit[k, None]))

            if cfg.level_off:
                # Without a selected altitude, the aircraft may level off at the next 1000-ft level: alert only if
                # the conflict exists under that hypothesis too — unless the pair is already alerted (hysteresis:
                # a standing alert is not dropped because the hypothesis changes as a level is passed). Tested
                # first, on the vertical profile alone: it removes most pairs before the horizontal grid.
                guess = np.where(toward, stop, level_off_altitude(z, vz, level_rate, margin_m))
                ta, tb = frame.track_id[idx[i]], frame.track_id[idx[j]]
                pair_keys = ((np.minimum(ta, tb) & 0xFFFFFFFF) << 32) | (np.maximum(ta, tb) & 0xFFFFFFFF)
                standing = np.isin(pair_keys, self.alerted_keys)
                under_guess = np.abs(zpath(j, guess) - zpath(i, guess)) < v_m[:, None]
                maybe = standing | under_guess.any(axis=1)
                under_guess |= standing[:, None]
                under_guess = under_guess[maybe]
                i, j, t_in, h_m, v_m = (a[maybe] for a in (i, j, t_in, h_m, v_m))
            dxt = (x[j] - x[i])[:, None] + (vx[j] - vx[i])[:, None] * ts[None, :]
            dyt = (y[j] - y[i])[:, None] + (vy[j] - vy[i])[:, None] * ts[None, :]
            conflict = (dxt * dxt + dyt * dyt < (h_m * h_m)[:, None]) & (
                np.abs(zpath(j, stop) - zpath(i, stop)) < v_m[:, None]
            )
            if cfg.level_off:
                conflict &= under_guess
            keep = conflict.any(axis=1)
            t_grid = ts[np.argmax(conflict, axis=1)]
            i, j, h_m, v_m = i[keep], j[keep], h_m[keep], v_m[keep]
            t_in = np.maximum(t_in[keep], t_grid[keep])
            i, j, t_in = np.concatenate([i_l, i]), np.concatenate([j_l, j]), np.concatenate([t_l, t_in])
            h_m, v_m = np.concatenate([h_l, h_m]), np.concatenate([v_l, v_m])
        if not len(i):
            return Conditions.empty()
        ta, tb = frame.track_id[idx[i]], frame.track_id[idx[j]]
        lo, hi_id = np.minimum(ta, tb), np.maximum(ta, tb)
        keys = ((lo & 0xFFFFFFFF) << 32) | (hi_id & 0xFFFFFFFF)
        now = frame.now_s
        in_loss = t_in <= 0.0
        time_pred = np.where(in_loss, np.nan, now + t_in)
        severity = np.where(t_in <= cfg.critical_within_s, CRITICAL, WARNING).astype(np.int8)
        ii, jj = idx[i], idx[j]
        cpa_h = _cpa_distance(frame, ii, jj, T)
        tolerance_ft = cfg.vertical_tolerance_ft

        def messages(sel: NDArray[np.intp]) -> list[str]:
            out = []
            for s in sel:
                a, b = ii[s], jj[s]
                names = f"{_label(frame, a)} / {_label(frame, b)}"
                when = "separation lost now" if in_loss[s] else f"loss of separation in {t_in[s]:.0f} s"
                out.append(
                    f"{names}: {when}; min {cpa_h[s] / NM_TO_M:.1f} NM, "
                    f"{abs(frame.alt_ft[a] - frame.alt_ft[b]):.0f} ft apart now "
                    f"(minima {h_m[s] / NM_TO_M:.1f} NM / {v_m[s] * M_TO_FT + tolerance_ft:.0f} ft)"
                )
            return out

        return Conditions(
            keys=keys,
            severity=severity,
            track_ids=np.column_stack([lo, hi_id]),
            time_predicted_s=time_pred,
            messages=messages,
        )


def _cpa_distance(frame: TrackFrame, a: NDArray, b: NDArray, horizon_s: float) -> NDArray[np.float64]:
    dx, dy = frame.x_m[b] - frame.x_m[a], frame.y_m[b] - frame.y_m[a]
    dvx, dvy = frame.vx[b] - frame.vx[a], frame.vy[b] - frame.vy[a]
    v2 = dvx * dvx + dvy * dvy
    t = np.clip(-(dx * dvx + dy * dvy) / np.where(v2 > 1e-9, v2, 1.0), 0.0, horizon_s)
    return np.hypot(dx + dvx * t, dy + dvy * t)


def _label(frame: TrackFrame, i: int) -> str:
    cs = frame.callsign[i]
    return f"{cs.strip()} (track {frame.track_id[i]})" if cs else f"track {frame.track_id[i]}"
