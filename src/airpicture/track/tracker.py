"""The multi-sensor tracker: composition of the parts, one vectorised call per stage per time slice.

Per released time slice (``slice_s``, in time order behind the re-order window):

1. reports with a Mode S address go to the track holding that address; the IMM prediction to the report's time
   must pass a kinematic gate (``identity_gate_chi2``) or the report is flagged and not fused. A new address first
   tries to adopt a confirmed track without identity (the same aircraft, seen before by a primary radar), else
   starts a track. Several reports of one aircraft in a slice are fused in time order, rank by rank;
2. plots without identity, sensor by sensor: gating, then global nearest neighbour over all tracks (so a primary
   plot of an ADS-B aircraft updates the same system track); plots left over start tentative tracks;
3. altitude reports update the vertical filter;
4. track life (:mod:`deleter`), track-number recovery (:mod:`initiator`), and the merge of a track with a Mode S
   address and a track without one when position and velocity agree (one system track per aircraft).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from airpicture.core.geodesy import NIGER_PLANE_CENTRE, SystemPlane, initial_bearing_deg
from airpicture.core.schema import SYSTEM_TRACK
from airpicture.core.sensors import Sensor
from airpicture.core.units import EARTH_RADIUS_M, M_TO_FT, MPS_TO_FPM, MPS_TO_KT
from airpicture.track.associator import gnn_assign
from airpicture.track.config import TrackerConfig
from airpicture.track.deleter import expected_interval_s, life_cycle
from airpicture.track.gater import candidate_pairs, predict_pairs, score_pairs
from airpicture.track.initiator import start_tracks
from airpicture.track.measurement import (
    KIND_CODES,
    MeasurementBatch,
    MeasurementConverter,
    format_icao24,
    refine_with_altitude,
)
from airpicture.track.predictor import MotionModels, combine, transition
from airpicture.track.reorder import ReorderWindow
from airpicture.track.store import CONFIRMED, FREE, LOST, STATUS_NAMES, TENTATIVE, TrackStore
from airpicture.track.updater import imm_update, innovation, inverse_2x2, mahalanobis_2
from airpicture.track.vertical import update_altitude

_PSR = KIND_CODES["psr"]


def default_plane(sensors: list[Sensor]) -> SystemPlane:
    """A plane centred on the sensors (or on Niger when there are none)."""
    if not sensors:
        return SystemPlane(*NIGER_PLANE_CENTRE)
    return SystemPlane(float(np.mean([s.lat_deg for s in sensors])), float(np.mean([s.lon_deg for s in sensors])))


def _rank_within(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """0, 1, 2… for the successive occurrences of each key (input already in time order)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    start = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_start = np.maximum.accumulate(np.where(start, np.arange(keys.size), 0))
    rank = np.empty(keys.size, np.int64)
    rank[order] = np.arange(keys.size) - group_start
    return rank


_OUTPUT_SCHEMA = SYSTEM_TRACK.append(pa.field("last_update_s", pa.float64()))


def _track_table(cols: dict[str, object], n: int) -> pa.Table:
    """SystemTrack rows (plus ``last_update_s``) straight from the tracker's arrays: NaN → null, "" → null."""
    arrays = []
    for field in _OUTPUT_SCHEMA:
        v = cols.get(field.name)
        if v is None:
            arrays.append(pa.nulls(n, field.type))
        elif pa.types.is_floating(field.type):
            a = np.asarray(v, dtype=np.float64)
            arrays.append(pa.array(a, mask=np.isnan(a), type=field.type))
        elif pa.types.is_string(field.type):
            a = np.asarray(v, dtype=object)
            if a.size and isinstance(a[0], str):
                a = np.where(a == "", None, a)
            arrays.append(pa.array(a, type=field.type, from_pandas=True))
        else:
            arrays.append(pa.array(np.asarray(v), type=field.type))
    return pa.Table.from_arrays(arrays, schema=_OUTPUT_SCHEMA)


class _UpdateLog:
    """Per-update output rows gathered during a ``process`` call."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, **cols: np.ndarray) -> None:
        self.parts.append(cols)

    def take(self) -> dict[str, np.ndarray] | None:
        if not self.parts:
            return None
        out = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        self.parts = []
        return out


class Tracker:
    """Multi-sensor, multi-target tracker over Measurement tables (see module docstring)."""

    def __init__(
        self, sensors: list[Sensor], plane: SystemPlane | None = None, config: TrackerConfig | None = None
    ) -> None:
        self.config = config or TrackerConfig()
        self.plane = plane or default_plane(sensors)
        self.converter = MeasurementConverter(sensors, self.plane, self.config)
        q, omega, sojourn = self.config.model_arrays()
        self._models = MotionModels(q, omega, sojourn, self.config.switch_matrix())
        self._model_args = (q, sojourn, omega)
        self.store = TrackStore(n_sensors=max(len(sensors), 1), n_models=self._models.n)
        self.window = ReorderWindow(self.config.reorder_window_s, self.config.max_future_s)
        self._icao_keys = np.empty(0, np.int64)
        self._icao_slots = np.empty(0, np.int64)
        self._counts: Counter[str] = Counter()
        self._log = _UpdateLog()
        self._pending_rows: list[dict[str, np.ndarray]] = []
        self.flagged: list[pa.Table] = []
        self.time_s = -np.inf

    # ------------------------------------------------------------------------------------------------ public API
    @property
    def stats(self) -> dict[str, int]:
        """Counted rejections by reason, and activity counters."""
        out: Counter[str] = Counter()
        out.update(self.converter.rejected)
        out.update(self.window.rejected)
        out.update(self._counts)
        out["live_tracks"] = self.store.n_live
        return dict(out)

    def process(self, measurements: pa.Table) -> pa.Table:
        """Take a batch of Measurement rows; return SystemTrack rows for the updates the batch released."""
        batch = self.converter.convert(measurements)
        self._counts["measurements_in"] += measurements.num_rows
        self._run(self.window.push(batch))
        return self._emit()

    def flush(self, until_s: float = np.inf) -> pa.Table:
        """Release the re-order window up to ``until_s`` (all of it by default), e.g. at the end of a file."""
        self._run(self.window.release(until_s))
        return self._emit()

    def snapshot(self, time_s: float, include_tentative: bool = False) -> pa.Table:
        """Every live (confirmed or coasting, optionally tentative) track extrapolated to ``time_s``."""
        st = self.store
        live = st.live()
        live = live[st.status[live] != LOST]
        if not include_tentative:
            live = live[st.status[live] != TENTATIVE]
        # The life rule at time_s itself, so a track due to be dropped before time_s is not shown.
        interval = expected_interval_s(st, live, time_s, self.converter.site_period, self.config)
        keep = (time_s - st.time_s[live]) <= self.config.delete_after_intervals * interval
        live, interval = live[keep], interval[keep]
        coasting = (st.status[live] != TENTATIVE) & (
            (time_s - st.time_s[live]) > self.config.coast_after_intervals * interval
        )
        dt = time_s - st.time_s[live]
        # Each model's mean moved by its own motion (a turn keeps turning), weighted by the model probabilities;
        # the spread grows as the quiet model's would. No mixing: this is output, not filtering.
        f = transition(dt, self._models.omega)
        xc = np.einsum("nm,nms->ns", st.mu[live], (f @ st.x[live][..., None])[..., 0])
        pc = st.pc[live]
        pos = xc[:, :2]
        q0 = float(self._models.q.min())
        var = 0.5 * (pc[:, 0, 0] + pc[:, 1, 1]) + dt * dt * 0.5 * (pc[:, 2, 2] + pc[:, 3, 3]) + q0 * np.abs(dt) ** 3 / 3
        alt = st.alt_m[live] + st.vrate_mps[live] * np.clip(time_s - st.alt_time_s[live], 0.0, 60.0)
        meta = self._meta(live, time_s)
        meta["status"] = np.where(coasting, "coasting", meta["status"])
        cols = self._columns(np.full(live.size, float(time_s)), pos, xc[:, 2:], np.sqrt(var), alt, live, meta)
        return _track_table(cols, live.size)

    # ------------------------------------------------------------------------------------------------ processing
    def _run(self, batch: MeasurementBatch) -> None:
        n = len(batch)
        if n == 0:
            return
        self._counts["measurements_processed"] += n
        self.store.ensure_sensors(len(self.converter.sensors))
        t = batch.time_s
        slice_index = np.floor((t - t[0]) / self._slice_s()).astype(np.int64)
        bounds = np.flatnonzero(np.diff(slice_index)) + 1
        for part in np.split(np.arange(n), bounds):
            b = batch.take(part) if part.size != n else batch
            self._slice(b)
            self.time_s = max(self.time_s, float(b.time_s[-1]))
            self._manage(self.time_s)

    def _slice_s(self) -> float:
        if self.config.slice_s is not None:
            return float(self.config.slice_s)
        periods = [s.rotation_period_s for s in self.converter.sensors if s is not None and s.is_radar]
        periods = [p for p in periods if p]
        return 0.9 * min(periods) if periods else 1.0

    def _slice(self, b: MeasurementBatch) -> None:
        ident = b.icao24 >= 0
        if ident.any():
            self._identity_reports(b.take(np.nonzero(ident)[0]))
        plots = ~ident & b.has_position
        if plots.any():
            sensors = b.sensor[plots]
            for s in np.unique(sensors).tolist():
                self._anonymous_plots(b.take(np.nonzero(plots & (b.sensor == s))[0]))

    # Mode S address → slot, as sorted arrays (searchsorted, no dict per message).
    def _lookup(self, icao: NDArray[np.int64]) -> NDArray[np.int64]:
        if self._icao_keys.size == 0:
            return np.full(icao.size, -1, np.int64)
        pos = np.clip(np.searchsorted(self._icao_keys, icao), 0, self._icao_keys.size - 1)
        return np.where(self._icao_keys[pos] == icao, self._icao_slots[pos], -1)

    def _register(self, icao: NDArray[np.int64], slots: NDArray[np.int64]) -> None:
        self.store.icao24[slots] = icao
        keys = np.concatenate([self._icao_keys, icao])
        vals = np.concatenate([self._icao_slots, slots])
        order = np.argsort(keys, kind="stable")
        self._icao_keys, self._icao_slots = keys[order], vals[order]

    def _unregister(self, slots: NDArray[np.int64]) -> None:
        if slots.size == 0 or self._icao_keys.size == 0:
            return
        keep = ~np.isin(self._icao_slots, slots)
        self._icao_keys, self._icao_slots = self._icao_keys[keep], self._icao_slots[keep]

    def _identity_reports(self, b: MeasurementBatch) -> None:
        cfg = self.config
        slots = self._lookup(b.icao24)
        used = np.zeros(len(b), dtype=bool)
        new = np.nonzero((slots < 0) & b.has_position)[0]
        if new.size:
            _, first = np.unique(b.icao24[new], return_index=True)
            first = new[first]
            used[first] = True
            adopted_slots, adopted = self._adopt(b, first)
            fresh = np.setdiff1d(first, adopted)
            fresh_slots = start_tracks(self.store, b.time_s[fresh], b.xy_m[fresh], b.r_m2[fresh], cfg)
            self.store.sensor_time_s[fresh_slots, b.sensor[fresh]] = b.time_s[fresh]
            self._register(b.icao24[fresh], fresh_slots)
            self._register(b.icao24[adopted], adopted_slots)
            self._commit_meta(fresh_slots, b, fresh)
            self._altitudes(fresh_slots, b, fresh)
            self._altitudes(adopted_slots, b, adopted)
            self._log_state(fresh_slots, b.time_s[fresh])
            self._counts["tracks_started"] += fresh.size
            self._counts["identity_adopted"] += adopted.size
            slots = self._lookup(b.icao24)
        known = (slots >= 0) & ~used
        self._counts["identity_without_track"] += int(np.count_nonzero((slots < 0) & ~b.has_position))
        # Horizontal updates, rank by rank so each track sees its reports in time order.
        pos_idx = np.nonzero(known & b.has_position)[0]
        if pos_idx.size:
            rank = _rank_within(slots[pos_idx])
            for r in range(int(rank.max()) + 1):
                sel = pos_idx[rank == r]
                self._identity_update(b, sel, slots[sel])
        meta_idx = np.nonzero(known)[0]
        self._commit_meta(slots[meta_idx], b, meta_idx)
        self._altitudes(slots[meta_idx], b, meta_idx)

    def _adopt(self, b: MeasurementBatch, idx: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """First report of a new address → a confirmed track without identity it fits (the same aircraft)."""
        st = self.store
        anon = st.live()
        anon = anon[(st.icao24[anon] < 0) & (st.status[anon] != TENTATIVE) & (st.status[anon] != LOST)]
        if anon.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        sub = b.take(idx)
        ts, pj = candidate_pairs(st, anon, sub.time_s, sub.xy_m, self.config.gate_chi2, self.config.max_gate_radius_m)
        if ts.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        pairs = score_pairs(st, ts, pj, sub.time_s, sub.xy_m, sub.r_m2, self._models)
        g = np.nonzero(pairs.d2 < self.config.gate_chi2)[0]
        pairs = pairs.take(g)
        chosen = pairs.take(gnn_assign(pairs.track_slot, pairs.plot, pairs.cost))
        self._apply_update(chosen, sub)
        return chosen.track_slot, idx[chosen.plot]

    def _identity_update(self, b: MeasurementBatch, sel: NDArray[np.int64], slots: NDArray[np.int64]) -> None:
        cfg, st = self.config, self.store
        t = b.time_s[sel]
        restart = (t - st.time_s[slots]) > cfg.identity_restart_after_s
        xp, pp, cbar = predict_pairs(st, slots, t, self._models)
        xc, pc = combine(xp, pp, cbar)
        nu, _s, s_inv, _det = innovation(xc, pc, b.xy_m[sel], b.r_m2[sel])
        d2 = mahalanobis_2(nu, s_inv)
        ok = (d2 < cfg.identity_gate_chi2) & ~restart
        failed = ~ok & ~restart
        if failed.any():
            self._counts["identity_gate_failed"] += int(failed.sum())
            f = sel[failed]
            self.flagged.append(
                pa.table(
                    {
                        "time_s": b.time_s[f],
                        "sensor": [self.converter.sensor_ids[i] for i in b.sensor[f].tolist()],
                        "icao24": format_icao24(b.icao24[f]),
                        "track_id": st.track_id[slots[failed]],
                        "mahalanobis2": d2[failed],
                    }
                )
            )
            if len(self.flagged) > 1000:
                self.flagged = self.flagged[-1000:]
        if ok.any():
            x, p, mu = imm_update(xp[ok], pp[ok], cbar[ok], b.xy_m[sel[ok]], b.r_m2[sel[ok]])
            self._store_state(slots[ok], t[ok], x, p, mu, b.sensor[sel[ok]])
        if restart.any():
            rs, ri = slots[restart], sel[restart]
            x = np.zeros((rs.size, 4))
            x[:, :2] = b.xy_m[ri]
            p = np.zeros((rs.size, 4, 4))
            p[:, :2, :2] = b.r_m2[ri]
            p[:, 2, 2] = p[:, 3, 3] = cfg.init_speed_sigma_mps**2
            m = st.n_models
            st.set_state(rs, np.repeat(x[:, None], m, 1), np.repeat(p[:, None], m, 1), np.full((rs.size, m), 1 / m))
            st.time_s[rs] = b.time_s[ri]
            st.sensor_time_s[rs, b.sensor[ri]] = b.time_s[ri]
            self._log_state(rs, b.time_s[ri])
            self._counts["identity_restarted"] += int(restart.sum())

    def _anonymous_plots(self, b: MeasurementBatch) -> None:
        cfg, st = self.config, self.store
        live = st.live()
        ts, pj = candidate_pairs(st, live, b.time_s, b.xy_m, cfg.gate_chi2, cfg.max_gate_radius_m)
        assigned_plot = np.zeros(len(b), dtype=bool)
        blocked = np.zeros(len(b), dtype=bool)
        if ts.size:
            pairs = score_pairs(st, ts, pj, b.time_s, b.xy_m, b.r_m2, self._models)
            pairs = pairs.take(np.nonzero(pairs.d2 < cfg.gate_chi2)[0])
            weak = (st.status[pairs.track_slot] == TENTATIVE) | (st.status[pairs.track_slot] == LOST)
            cost = pairs.cost + np.where(weak, cfg.tentative_cost, 0.0)
            sq_t, sq_p = st.squawk[pairs.track_slot], b.squawk[pairs.plot]
            cost += np.where((sq_t != "") & (sq_p != "") & (sq_t != sq_p), cfg.squawk_mismatch_cost, 0.0)
            blocked[pairs.plot[~weak]] = True
            chosen = pairs.take(gnn_assign(pairs.track_slot, pairs.plot, cost))
            refine_with_altitude(b, chosen.plot, st.alt_m[chosen.track_slot], cfg)
            self._apply_update(chosen, b)
            assigned_plot[chosen.plot] = True
            self._commit_meta(chosen.track_slot, b, chosen.plot)
            self._altitudes(chosen.track_slot, b, chosen.plot)
        start = np.nonzero(~assigned_plot & ~blocked)[0]
        self._counts["plots_unassigned"] += int(np.count_nonzero(~assigned_plot))
        if start.size:
            slots = start_tracks(st, b.time_s[start], b.xy_m[start], b.r_m2[start], cfg)
            st.sensor_time_s[slots, b.sensor[start]] = b.time_s[start]
            self._commit_meta(slots, b, start)
            self._altitudes(slots, b, start)
            self._log_state(slots, b.time_s[start])
            self._counts["tracks_started"] += start.size

    def _apply_update(self, pairs, b: MeasurementBatch) -> None:
        if pairs.track_slot.size == 0:
            return
        xp, pp, cbar = predict_pairs(self.store, pairs.track_slot, b.time_s[pairs.plot], self._models)
        x, p, mu = imm_update(xp, pp, cbar, b.xy_m[pairs.plot], b.r_m2[pairs.plot])
        self._store_state(pairs.track_slot, b.time_s[pairs.plot], x, p, mu, b.sensor[pairs.plot])

    def _store_state(self, slots, t, x, p, mu, sensor) -> None:
        st = self.store
        st.set_state(slots, x, p, mu)
        st.time_s[slots] = t
        st.hits[slots] += 1
        st.sensor_time_s[slots, sensor] = t
        self._counts["updates"] += slots.size
        self._log_state(slots, t)

    def _log_state(self, slots: NDArray[np.int64], t: NDArray[np.float64]) -> None:
        st = self.store
        xc, pc = st.xc[slots], st.pc[slots]
        self._log.add(
            slot=slots,
            time_s=t,
            x=xc[:, 0],
            y=xc[:, 1],
            vx=xc[:, 2],
            vy=xc[:, 3],
            sigma=np.sqrt(0.5 * (pc[:, 0, 0] + pc[:, 1, 1])),
        )

    def _commit_meta(self, slots: NDArray[np.int64], b: MeasurementBatch, idx: NDArray[np.int64]) -> None:
        st = self.store
        cs, sq = b.callsign[idx], b.squawk[idx]
        has_cs, has_sq = cs != "", sq != ""
        st.callsign[slots[has_cs]] = cs[has_cs]
        st.squawk[slots[has_sq]] = sq[has_sq]
        coop = b.kind[idx] != _PSR
        st.cooperative[slots[coop]] = True

    def _altitudes(self, slots: NDArray[np.int64], b: MeasurementBatch, idx: NDArray[np.int64]) -> None:
        has = np.isfinite(b.alt_m[idx])
        if not has.any():
            return
        slots, idx = slots[has], idx[has]
        rank = _rank_within(slots)
        for r in range(int(rank.max()) + 1):
            sel = rank == r
            garbles = update_altitude(
                self.store,
                slots[sel],
                b.time_s[idx[sel]],
                b.alt_m[idx[sel]],
                self.config.sigma_alt_m,
                self.config.q_alt_m2s3,
            )
            if garbles:
                self._counts["altitude_garbled"] += garbles

    # ------------------------------------------------------------------------------------------------ track life
    def _manage(self, now_s: float) -> None:
        cfg, st = self.config, self.store
        confirmed, drop_tentative, drop_firm, recovered, forget = life_cycle(st, now_s, self.converter.site_period, cfg)
        self._counts["tracks_confirmed"] += confirmed.size
        self._counts["tracks_dropped"] += drop_firm.size
        self._counts["track_numbers_recovered"] += recovered.size
        self._finalise_rows(now_s)
        gone = np.concatenate([drop_tentative, forget])
        self._unregister(gone[st.icao24[gone] >= 0])
        st.release(gone)
        self._merge(now_s)

    def _merge(self, now_s: float) -> None:
        """One system track per aircraft: fold a track without identity into the Mode S track it duplicates."""
        cfg, st = self.config, self.store
        live = st.live()
        live = live[(st.status[live] != TENTATIVE) & (st.status[live] != LOST)]
        ident = live[st.icao24[live] >= 0]
        anon = live[st.icao24[live] < 0]
        if ident.size == 0 or anon.size == 0:
            return
        xa, pa_ = st.xc[ident], st.pc[ident]
        xb, pb = st.xc[anon], st.pc[anon]
        pos_a = xa[:, :2] + xa[:, 2:] * (now_s - st.time_s[ident])[:, None]
        pos_b = xb[:, :2] + xb[:, 2:] * (now_s - st.time_s[anon])[:, None]
        coo = cKDTree(pos_a).sparse_distance_matrix(cKDTree(pos_b), cfg.merge_radius_m, output_type="coo_matrix")
        if coo.nnz == 0:
            return
        i, j = coo.row.astype(np.int64), coo.col.astype(np.int64)
        dpos = pos_a[i] - pos_b[j]
        dvel = xa[i, 2:] - xb[j, 2:]
        var_p = pa_[i, :2, :2] + pb[j, :2, :2] + np.eye(2) * 100.0**2
        var_v = pa_[i, 2:, 2:] + pb[j, 2:, 2:] + np.eye(2) * 5.0**2
        d2 = mahalanobis_2(dpos, inverse_2x2(var_p)[0]) + mahalanobis_2(dvel, inverse_2x2(var_v)[0])
        ok = d2 < cfg.merge_chi2
        if not ok.any():
            return
        chosen = gnn_assign(i[ok], j[ok], d2[ok])
        keep_slot, gone_slot = ident[i[ok][chosen]], anon[j[ok][chosen]]
        # The surviving system track keeps the older track number and every sensor's contribution.
        older = st.created_s[gone_slot] < st.created_s[keep_slot]
        st.track_id[keep_slot[older]] = st.track_id[gone_slot[older]]
        st.created_s[keep_slot] = np.minimum(st.created_s[keep_slot], st.created_s[gone_slot])
        st.sensor_time_s[keep_slot] = np.maximum(st.sensor_time_s[keep_slot], st.sensor_time_s[gone_slot])
        st.status[keep_slot] = CONFIRMED
        st.release(gone_slot)
        self._counts["tracks_merged"] += keep_slot.size

    # ------------------------------------------------------------------------------------------------ output
    def _meta(self, slots: NDArray[np.int64], now_s: float) -> dict[str, object]:
        st = self.store
        recent = st.sensor_time_s[slots] > now_s - self.config.sources_memory_s
        n_s = recent.shape[1]
        names = self.converter.sensor_ids
        if n_s <= 62:
            mask = (recent.astype(np.int64) << np.arange(n_s, dtype=np.int64)).sum(axis=1)
            uniq, inv = np.unique(mask, return_inverse=True)
            text = np.array(
                [",".join(names[k] for k in range(n_s) if (m >> k) & 1) or None for m in uniq.tolist()], dtype=object
            )
            sources = text[inv.reshape(-1)]
        else:
            sources = np.array([",".join(names[k] for k in np.nonzero(r)[0]) for r in recent], dtype=object)
        return {
            "status": STATUS_NAMES[st.status[slots]],
            "sources": sources,
            "icao24": format_icao24(st.icao24[slots]),
            "callsign": st.callsign[slots].copy(),
            "squawk": st.squawk[slots].copy(),
            "cooperative": st.cooperative[slots].copy(),
            "track_id": st.track_id[slots].copy(),
            "last_update_s": st.time_s[slots].copy(),
        }

    def _columns(self, t, pos, vel, sigma, alt_m, slots, meta) -> dict[str, object]:
        lat, lon = self.plane.to_latlon(pos[:, 0], pos[:, 1])
        # Stereographic scale factor k ≈ 1 + r²/4R²: plane speeds are k times ground speeds.
        k = 1.0 + (pos[:, 0] ** 2 + pos[:, 1] ** 2) / (4.0 * EARTH_RADIUS_M**2)
        speed = np.hypot(vel[:, 0], vel[:, 1]) / k
        st = self.store
        return {
            "time_s": t,
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_ft": alt_m * M_TO_FT,
            "ground_speed_kt": speed * MPS_TO_KT,
            "track_deg": self._true_track_deg(pos, vel, lat, lon),
            "vertical_rate_fpm": np.where(np.isfinite(st.alt_m[slots]), st.vrate_mps[slots] * MPS_TO_FPM, np.nan),
            "sigma_h_m": sigma,
            **meta,
        }

    def _true_track_deg(self, pos, vel, lat, lon):
        """Track over the ground from true north: the plane's grid north turns away from true north by the
        meridian convergence (about 1° at 500 km from the plane's centre), so the bearing is taken on the sphere
        from the position to a point 100 m ahead along the velocity."""
        speed = np.hypot(vel[:, 0], vel[:, 1])
        grid = np.degrees(np.arctan2(vel[:, 0], vel[:, 1])) % 360.0
        moving = speed > 0.1
        if not moving.any():
            return grid
        ahead = pos[moving] + vel[moving] * (100.0 / speed[moving])[:, None]
        lat2, lon2 = self.plane.to_latlon(ahead[:, 0], ahead[:, 1])
        grid[moving] = initial_bearing_deg(lat[moving], lon[moving], lat2, lon2)
        return grid

    def _finalise_rows(self, now_s: float) -> None:
        log = self._log.take()
        if log is None:
            return
        slots = log["slot"]
        alive = (self.store.status[slots] != FREE) & (self.store.status[slots] != LOST)
        if not alive.all():
            log = {k: v[alive] for k, v in log.items()}
            slots = log["slot"]
        pos = np.stack([log["x"], log["y"]], axis=1)
        vel = np.stack([log["vx"], log["vy"]], axis=1)
        cols = self._columns(
            log["time_s"], pos, vel, log["sigma"], self.store.alt_m[slots], slots, self._meta(slots, now_s)
        )
        self._pending_rows.append(cols)

    def _emit(self) -> pa.Table:
        if not self._pending_rows:
            return _track_table({}, 0)
        parts = self._pending_rows
        self._pending_rows = []
        cols = {}
        for k in parts[0]:
            vals = [p[k] for p in parts]
            cols[k] = [x for v in vals for x in v] if isinstance(vals[0], list) else np.concatenate(vals)
        return _track_table(cols, len(cols["time_s"]))
