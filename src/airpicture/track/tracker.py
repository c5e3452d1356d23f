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

from airpicture.core.geodesy import NIGER_PLANE_CENTRE, SystemPlane
from airpicture.core.schema import SYSTEM_TRACK
from airpicture.core.sensors import Sensor
from airpicture.core.units import EARTH_RADIUS_M, M_TO_FT, MPS_TO_FPM, MPS_TO_KT
from airpicture.track import kernels, kernels_round
from airpicture.track.associator import gnn_assign
from airpicture.track.config import TrackerConfig
from airpicture.track.deleter import life_cycle, sensor_periods
from airpicture.track.gater import gate, predict_pairs
from airpicture.track.initiator import new_track_model_probabilities, start_tracks
from airpicture.track.measurement import (
    KIND_CODES,
    MeasurementBatch,
    MeasurementConverter,
    format_icao24,
)
from airpicture.track.quiet_twin import QuietTwin
from airpicture.track.reorder import ReorderWindow
from airpicture.track.store import COASTING, CONFIRMED, FREE, LOST, STATUS_NAMES, TENTATIVE, TrackStore
from airpicture.track.updater import innovation, inverse_2x2, mahalanobis_2
from airpicture.track.vertical import update_altitude

_PSR = KIND_CODES["psr"]


def default_plane(sensors: list[Sensor]) -> SystemPlane:
    """A plane centred on the sensors (or on Niger when there are none)."""
    if not sensors:
        return SystemPlane(*NIGER_PLANE_CENTRE)
    return SystemPlane(float(np.mean([s.lat_deg for s in sensors])), float(np.mean([s.lon_deg for s in sensors])))


def _any_text(a: NDArray[np.str_]) -> bool:
    """Whether a fixed-width numpy text array holds any non-empty string: its UTF-32 code points are all zero
    otherwise (~1 µs; comparing with "" and reducing costs ~3 µs, and a slice of radar plots never has any)."""
    return a.size > 0 and np.count_nonzero(np.ascontiguousarray(a).view(np.uint32)) > 0


def _rank_within(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """0, 1, 2… for the successive occurrences of each key (input already in time order)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    start = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
    group_start = np.maximum.accumulate(np.where(start, np.arange(keys.size), 0))
    rank = np.empty(keys.size, np.int64)
    rank[order] = np.arange(keys.size) - group_start
    return rank


#: Earth radius with standard refraction (4/3 R), as ``core.geodesy.ground_range_from_slant`` takes it.
_REFRACTED_EARTH_M = 4.0 / 3.0 * EARTH_RADIUS_M
_OUTPUT_SCHEMA = SYSTEM_TRACK.append(pa.field("last_update_s", pa.float64()))
_EMPTY_OUTPUT = _OUTPUT_SCHEMA.empty_table()
_NO_INDEX = np.empty(0, np.int64)
#: First eccentricity of the WGS-84 ellipsoid (the system plane's).
_WGS84_E = 0.0818191908426215


def _conformal_lat(phi_rad: NDArray[np.float64], e: float) -> NDArray[np.float64]:
    """Conformal latitude χ of geodetic latitude φ:
    tan(π/4 + χ/2) = tan(π/4 + φ/2) ((1 − e sin φ)/(1 + e sin φ))^(e/2)."""
    es = e * np.sin(phi_rad)
    return 2.0 * np.arctan(np.tan(np.pi / 4 + phi_rad / 2) * ((1.0 - es) / (1.0 + es)) ** (e / 2)) - np.pi / 2


#: (name, Arrow type, "f" float / "s" string / "o" other) per output column, resolved once (iterating a schema
#: builds its field objects anew each time).
_OUTPUT_SPEC = [
    (f.name, f.type, "f" if pa.types.is_floating(f.type) else "s" if pa.types.is_string(f.type) else "o")
    for f in _OUTPUT_SCHEMA
]
#: Column names for ``Table.from_arrays`` (the output schema has no metadata and every field nullable, so names
#: give the same schema as passing it, ~7 µs less: no per-field comparison).
_OUTPUT_NAMES = list(_OUTPUT_SCHEMA.names)
#: Which track statuses a snapshot shows, indexed by status code (one lookup instead of three comparisons).
_SHOWN = np.zeros(max(FREE, TENTATIVE, CONFIRMED, COASTING, LOST) + 1, dtype=bool)
_SHOWN[[CONFIRMED, COASTING]] = True
_SHOWN_TENTATIVE = _SHOWN.copy()
_SHOWN_TENTATIVE[TENTATIVE] = True


_NULLS: dict[tuple[int, pa.DataType], pa.Array] = {}
_FLOAT64, _INT64, _STRING, _BOOL = pa.float64(), pa.int64(), pa.string(), pa.bool_()


def _floats(a: NDArray[np.float64]) -> pa.Array:
    """A float column, NaN as null."""
    return pa.array(a, type=_FLOAT64, from_pandas=True)


def _text(a: NDArray[np.str_], n: int) -> pa.Array:
    """A fixed-width numpy text column, "" as null (all-empty: the cached null column, ~30 µs less)."""
    empty = a == ""
    if empty.all():
        return _nulls(n, _STRING)
    return pa.array(a, type=_STRING, mask=empty) if empty.any() else pa.array(a, _STRING)


def _nulls(n: int, kind_type: pa.DataType) -> pa.Array:
    """An all-null column (``pa.nulls`` costs ~4 µs a call; a snapshot has up to six; they are immutable, so one
    per length and type is reused)."""
    key = (n, kind_type)
    a = _NULLS.get(key)
    if a is None:
        if len(_NULLS) > 256:
            _NULLS.clear()
        a = _NULLS[key] = pa.nulls(n, kind_type)
    return a


def _track_table(cols: dict[str, object], n: int) -> pa.Table:
    """SystemTrack rows (plus ``last_update_s``) straight from the tracker's arrays: NaN → null, "" → null.

    One Arrow conversion per column and nothing per row: floats with NaN as null (``from_pandas``), fixed-width
    numpy strings with "" masked (all-empty ones as a null column: ~30 µs less each), object arrays (None already
    null) as they are, Arrow arrays as given.
    """
    arrays = []
    for name, kind_type, kind in _OUTPUT_SPEC:
        v = cols.get(name)
        if v is None or n == 0:
            arrays.append(_nulls(n, kind_type))
        elif isinstance(v, pa.Array):
            arrays.append(v)
        elif kind == "f":
            arrays.append(pa.array(np.asarray(v, dtype=np.float64), type=kind_type, from_pandas=True))
        elif kind == "s":
            a = np.asarray(v)
            if a.dtype.kind == "U":
                empty = a == ""
                if empty.all():
                    arrays.append(_nulls(n, kind_type))
                else:
                    arrays.append(pa.array(a, type=kind_type, mask=empty) if empty.any() else pa.array(a, kind_type))
            else:
                arrays.append(pa.array(a, type=kind_type, from_pandas=True))
        else:
            arrays.append(pa.array(np.asarray(v), type=kind_type))
    return pa.Table.from_arrays(arrays, names=_OUTPUT_NAMES)


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
        self,
        sensors: list[Sensor],
        plane: SystemPlane | None = None,
        config: TrackerConfig | None = None,
        update_rows: bool = True,
    ) -> None:
        """``update_rows=False``: ``process``/``flush`` return no per-update rows (for callers that output periodic
        snapshots only, e.g. ``airpicture track --output-period``): the rows are then never built."""
        self.config = config or TrackerConfig()
        self.update_rows = update_rows
        self.plane = plane or default_plane(sensors)
        self.converter = MeasurementConverter(sensors, self.plane, self.config)
        self._models = self.config.motion_models()
        cfg = self.config
        self._quiet_twin = (
            QuietTwin(self._models, cfg.quiet_twin_threshold, cfg.quiet_twin_nis, cfg.quiet_twin_q_m2s3)
            if cfg.quiet_twin
            else None
        )
        kernels.warm_up()  # the compiled kernels' one-time load (or first compile) happens here, not in process()
        self.store = TrackStore(n_sensors=max(len(sensors), 1), n_models=self._models.n)
        self._new_track_mu = new_track_model_probabilities(cfg, self._models.n)  # (once: ~5 µs per call)
        self._q_min = float(self._models.q.min())  # the snapshot's spread grows as the quietest model's
        self._nan_alt = np.empty(0)
        self.window = ReorderWindow(self.config.reorder_window_s, self.config.max_future_s)
        self._icao_keys = np.empty(0, np.int64)
        self._icao_slots = np.empty(0, np.int64)
        self._counts: Counter[str] = Counter()
        self._log = _UpdateLog()
        self._pending_rows: list[dict[str, np.ndarray]] = []
        #: "sources" text per bit mask of sensor indices (sensor names are only ever appended, so it stays valid).
        self._sources_text: dict[int, str | None] = {}
        self._sources_lut = np.empty(0, dtype=object)
        self._slice_cache = (-1, 1.0)
        self._sources_known = np.empty(0, dtype=bool)
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

    def process(self, measurements: pa.Table, until_s: float = -np.inf) -> pa.Table:
        """Take a batch of Measurement rows; return SystemTrack rows for the updates the batch released.

        ``until_s``: the feed is complete up to this time, so release the re-order window up to it as well (as
        ``flush(until_s)`` would) in the same processing step — one pass instead of two.
        """
        batch = self.converter.convert(measurements)
        self._counts["measurements_in"] += measurements.num_rows
        self._run(self.window.push(batch, until_s))
        return self._emit()

    def flush(self, until_s: float = np.inf) -> pa.Table:
        """Release the re-order window up to ``until_s`` (all of it by default), e.g. at the end of a file."""
        self._run(self.window.release(until_s))
        return self._emit()

    def snapshot(self, time_s: float, include_tentative: bool = False) -> pa.Table:
        """Every live (confirmed or coasting, optionally tentative) track extrapolated to ``time_s``."""
        st, cfg = self.store, self.config
        # The life rule at time_s itself, so a track due to be dropped before time_s is not shown; with each
        # shown track's expected interval and recent sensors (one compiled pass over the store).
        live, interval, masks = kernels.shown_tracks(
            st.status, _SHOWN_TENTATIVE if include_tentative else _SHOWN, st.time_s, st.sensor_time_s,
            sensor_periods(st, self.converter.site_period), float(time_s), float(cfg.sources_memory_s),
            float(cfg.report_interval_s), float(cfg.delete_after_intervals),
        )  # fmt: skip
        # Each model's mean moved by its own motion (a turn keeps turning), weighted by the model probabilities;
        # the spread grows as the quiet model's would. No mixing: this is output, not filtering.
        xc, sigma, alt, vrate, coasting = kernels.snapshot_state(
            st.x, st.mu, st.pc, st.time_s, st.status, st.alt_m, st.vrate_mps, st.alt_time_s, live,
            interval, float(time_s), self._q_min, float(cfg.coast_after_intervals),
        )  # fmt: skip
        if live.size == 0:
            return _EMPTY_OUTPUT
        meta = self._meta(live, time_s, snapshot=True, masks=masks)
        lat, lon, speed, track = self._geography(xc[:, :2], xc[:, 2:])
        # The output columns in schema order, each converted once with its known type (no per-column dispatch).
        n = live.size
        return pa.Table.from_arrays(
            [
                _floats(np.full(n, float(time_s))), pa.array(meta["track_id"], type=_INT64),
                _floats(lat), _floats(lon), _floats(alt * M_TO_FT), _floats(speed * MPS_TO_KT), _floats(track),
                _floats(vrate * MPS_TO_FPM), _floats(sigma),
                pa.array(STATUS_NAMES[np.where(coasting, COASTING, st.status[live])], type=_STRING),
                pa.array(meta["sources"], type=_STRING, from_pandas=True),
                _nulls(n, _STRING) if meta["icao24"] is None else _text(meta["icao24"], n),
                _text(meta["callsign"], n), _text(meta["squawk"], n), pa.array(meta["cooperative"], type=_BOOL),
                _nulls(n, _STRING), _floats(meta["last_update_s"]),
            ],
            names=_OUTPUT_NAMES,
        )  # fmt: skip

    # ------------------------------------------------------------------------------------------------ processing
    def _run(self, batch: MeasurementBatch) -> None:
        n = len(batch)
        if n == 0:
            return
        self._counts["measurements_processed"] += n
        self.store.ensure_sensors(len(self.converter.sensors))
        t = batch.time_s
        slice_s = self._slice_s()
        if float(t[-1] - t[0]) / slice_s < 1.0:  # (time-ordered) one slice: the usual live step of one scan
            parts = [_NO_INDEX]
        else:
            slice_index = np.floor((t - t[0]) / slice_s).astype(np.int64)
            parts = np.split(np.arange(n), np.flatnonzero(np.diff(slice_index)) + 1)
        for part in parts:
            b = batch.take(part) if part.size not in (0, n) else batch
            self._slice(b)
            self.time_s = max(self.time_s, float(b.time_s[-1]))
            self._manage(self.time_s)

    def _slice_s(self) -> float:
        """The processing slice: ``config.slice_s``, else the shortest radar rotation period (a radar's plots of
        one aircraft are a rotation apart; the rare second plot in a slice gets a second association round)."""
        if self.config.slice_s is not None:
            return float(self.config.slice_s)
        n = len(self.converter.sensors)
        if self._slice_cache[0] != n:
            periods = [s.rotation_period_s for s in self.converter.sensors if s is not None and s.is_radar]
            periods = [p for p in periods if p]
            self._slice_cache = (n, min(periods) if periods else 1.0)
        return self._slice_cache[1]

    def _slice(self, b: MeasurementBatch) -> None:
        ident = b.icao24 >= 0
        if ident.any():
            self._identity_reports(b.take(np.nonzero(ident)[0]))
            plots = ~ident & b.has_position
        else:
            plots = b.has_position
        if plots.any():
            sensors = b.sensor[plots]
            if plots.all() and (sensors == sensors[0]).all():
                self._anonymous_plots(b)  # one radar's plots only: the slice as it is (it is ours to modify)
                return
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
            fresh_slots = start_tracks(
                self.store, b.time_s[fresh], b.xy_m[fresh], b.r_m2[fresh], cfg, self._new_track_mu
            )
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
        cfg = self.config
        pairs = gate(st, anon, sub.time_s, sub.xy_m, sub.r_m2, self._models, cfg.gate_chi2, cfg.max_gate_radius_m)
        if pairs.track_slot.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        chosen = pairs.take(gnn_assign(pairs.track_slot, pairs.plot, pairs.cost))
        self._apply_update(chosen, sub)
        return chosen.track_slot, idx[chosen.plot]

    def _identity_update(self, b: MeasurementBatch, sel: NDArray[np.int64], slots: NDArray[np.int64]) -> None:
        cfg, st = self.config, self.store
        t = b.time_s[sel]
        restart = (t - st.time_s[slots]) > cfg.identity_restart_after_s
        xp, pp, cbar = predict_pairs(st, slots, t, self._models)
        xc, pc = kernels.combine(xp, pp, cbar, 2)
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
                        "icao24": format_icao24(b.icao24[f]).astype(object),
                        "track_id": st.track_id[slots[failed]],
                        "mahalanobis2": d2[failed],
                    }
                )
            )
            if len(self.flagged) > 1000:
                self.flagged = self.flagged[-1000:]
        if ok.any():
            x, p, mu = kernels.imm_update(xp[ok], pp[ok], cbar[ok], b.xy_m[sel[ok]], b.r_m2[sel[ok]])
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
        """One sensor's plots without identity in one slice: GNN over all live tracks, then new tentative tracks.

        A slice may span a whole rotation, so an aircraft can leave two plots of one radar in it (when it moves
        against the antenna's rotation, or when the slice is longer than a rotation). A plot at least half a
        rotation after the slice's first plot ("late") may be such a second plot: if the first round leaves it
        over, it does not start a track at once but gets a second round against the tracks updated or started in
        this slice by a plot at least half a rotation older; only what is still left over starts tracks.
        """
        st = self.store
        half_period = 0.5 * float(self.converter.site_period[b.sensor[0]])
        slots, plots, assigned, blocked = self._gnn_round(b, np.arange(len(b)), st.live(), 0.0)
        late = b.time_s >= b.time_s[0] + half_period  # time-ordered: b.time_s[0] is the earliest
        early_start = np.nonzero(~assigned & ~blocked & ~late)[0]
        new = self._start_tracks(b, early_start)
        slots, plots = np.concatenate([slots, new]), np.concatenate([plots, early_start])
        second = np.nonzero(~assigned & late)[0]
        if second.size and slots.size:
            # (the slots are distinct here, see below: sorting them is their np.unique at a fifth of the cost)
            second, partners = self._second_plot_candidates(b, second, np.sort(slots), half_period)
        # The first round's slots are distinct (one plot per track) and new tracks take fresh slots: only a second
        # round can update a slot twice.
        unique = True
        if second.size and slots.size and partners.size:
            s2, p2, a2, b2 = self._gnn_round(b, second, partners, half_period)
            slots, plots = np.concatenate([slots, s2]), np.concatenate([plots, p2])
            assigned |= a2
            blocked |= b2
            unique = s2.size == 0
        late_start = np.nonzero(~assigned & ~blocked & late)[0]
        new = self._start_tracks(b, late_start)
        slots, plots = np.concatenate([slots, new]), np.concatenate([plots, late_start])
        self._counts["plots_unassigned"] += int(np.count_nonzero(~assigned))
        if slots.size:
            # Identity and altitude in one step each; a slot updated twice (second round) takes both in time order.
            self._commit_meta(slots, b, plots)
            self._altitudes(slots, b, plots, unique=unique or slots.size == np.unique(slots).size)

    def _second_plot_candidates(
        self, b: MeasurementBatch, idx: NDArray[np.int64], slots: NDArray[np.int64], half_period: float
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Plots ``idx`` and tracks ``slots`` that could be the same aircraft seen a rotation apart: the plot at
        least half a rotation after the track's time and within reach of it (350 m/s from a track without a
        velocity yet, plus 3 km). A plain distance matrix: leftover plots are few (mostly clutter), and this keeps
        the second round — gating, assignment — for the rare slices that need it."""
        if idx.size * slots.size > 250_000:
            return idx, slots
        st = self.store
        near_plot, near_slot = kernels.second_plot_candidates(
            b.time_s, b.xy_m, idx, st.xc, st.time_s, slots, float(half_period)
        )
        return idx[near_plot], slots[near_slot]

    def _start_tracks(self, b: MeasurementBatch, idx: NDArray[np.int64]) -> NDArray[np.int64]:
        if idx.size == 0:
            return _NO_INDEX
        new = start_tracks(
            self.store, b.time_s, b.xy_m, b.r_m2, self.config, self._new_track_mu, rows=idx, sensor=b.sensor
        )
        if self.update_rows:
            self._log_state(new, b.time_s[idx])
        self._counts["tracks_started"] += idx.size
        return new

    def _gnn_round(
        self, b: MeasurementBatch, idx: NDArray[np.int64], candidates: NDArray[np.int64], min_gap_s: float
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
        """Gate plots ``idx`` of ``b`` against tracks ``candidates`` (only pairs whose times differ by more than
        ``min_gap_s``), assign by GNN and update. Returns (updated slots, their plots, assigned mask, blocked mask:
        inside a gate of a track that is neither tentative nor lost) with masks over all of ``b``."""
        cfg, st = self.config, self.store
        assigned = np.zeros(len(b), dtype=bool)
        blocked = np.zeros(len(b), dtype=bool)
        sub = b if idx.size == len(b) else b.take(idx)
        pairs = gate(
            st,
            candidates,
            sub.time_s,
            sub.xy_m,
            sub.r_m2,
            self._models,
            cfg.gate_chi2,
            cfg.max_gate_radius_m,
            min_gap_s,
        )
        if pairs.track_slot.size == 0:
            return _NO_INDEX, _NO_INDEX, assigned, blocked
        # Weak (tentative/lost) tracks pay a penalty; plots in a firm track's gate are blocked from starting tracks.
        cost, distinct = kernels.pair_costs(
            pairs.track_slot, pairs.plot, pairs.cost, st.status, float(cfg.tentative_cost), len(sub), idx, blocked
        )
        if self._any_squawk(sub):
            sq_t, sq_p = st.squawk[pairs.track_slot], sub.squawk[pairs.plot]
            cost += np.where((sq_t != "") & (sq_p != "") & (sq_t != sq_p), cfg.squawk_mismatch_cost, 0.0)
        chosen = pairs if distinct else pairs.take(gnn_assign(pairs.track_slot, pairs.plot, cost))
        if chosen.track_slot.size == 0:
            return _NO_INDEX, _NO_INDEX, assigned, blocked
        self._apply_update(chosen, sub, refine=True)
        plots = idx[chosen.plot]
        if sub is not b:
            # The refined plot positions are the ones the meta/altitude steps and any later step see.
            b.xy_m[plots], b.r_m2[plots] = sub.xy_m[chosen.plot], sub.r_m2[chosen.plot]
        assigned[plots] = True
        return chosen.track_slot, plots, assigned, blocked

    @staticmethod
    def _any_squawk(b: MeasurementBatch) -> bool:
        return _any_text(b.squawk)

    def _apply_update(self, pairs, b: MeasurementBatch, refine: bool = False) -> None:
        """The IMM step (mixing, prediction, update, combined estimate) of each chosen pair, the track's hit and its
        sensor's update time, in one compiled call that writes the store (each track and each plot appears at most
        once among the chosen pairs); then the quiet twin. ``refine``: polar plots converted with the assumed
        altitude are first re-converted with their track's altitude (``measurement.refine_with_altitude``)."""
        slots = pairs.track_slot
        if slots.size == 0:
            return
        st, cfg = self.store, self.config
        t, z, r = kernels_round.update_chosen(
            st.x, st.p, st.mu, st.xc, st.pc, st.time_s, st.hits, st.sensor_time_s,
            st.alt_m if refine else self._no_altitude(st), slots, np.ascontiguousarray(pairs.plot, dtype=np.int64),
            b.time_s, b.xy_m, b.r_m2, b.sensor, b.slant_m, b.site_xy_m, b.site_alt_m, float(cfg.assumed_alt_m),
            float(cfg.assumed_alt_sigma_m), _REFRACTED_EARTH_M, *self._models.kernel_args,
        )  # fmt: skip
        if self._quiet_twin is not None:
            self._quiet_twin.after_update(st, slots, t, z, r)
        self._counts["updates"] += slots.size
        self._log_state(slots, t)

    def _no_altitude(self, st: TrackStore) -> NDArray[np.float64]:
        """All-NaN track altitudes (a round without refinement), kept at the store's capacity."""
        if self._nan_alt.size != st.capacity:
            self._nan_alt = np.full(st.capacity, np.nan)
        return self._nan_alt

    def _store_state(self, slots, t, x, p, mu, sensor) -> None:
        st = self.store
        st.set_state(slots, x, p, mu)
        st.time_s[slots] = t
        st.hits[slots] += 1
        st.sensor_time_s[slots, sensor] = t
        self._counts["updates"] += slots.size
        self._log_state(slots, t)

    def _log_state(self, slots: NDArray[np.int64], t: NDArray[np.float64]) -> None:
        if not self.update_rows:
            return
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
        if _any_text(b.callsign):
            cs = b.callsign[idx]
            has_cs = cs != ""
            st.callsign[slots[has_cs]] = cs[has_cs]
        if _any_text(b.squawk):
            sq = b.squawk[idx]
            has_sq = sq != ""
            st.squawk[slots[has_sq]] = sq[has_sq]
        coop = b.kind[idx] != _PSR
        st.cooperative[slots[coop]] = True

    def _altitudes(
        self, slots: NDArray[np.int64], b: MeasurementBatch, idx: NDArray[np.int64], unique: bool = False
    ) -> None:
        """Altitude reports into the vertical filter; a slot with several reports takes them rank by rank (in
        time order). ``unique``: the caller knows every slot appears once."""
        has = np.isfinite(b.alt_m[idx])
        if not has.any():
            return
        if not has.all():
            slots, idx = slots[has], idx[has]
        cfg = self.config
        if unique:
            garbles = update_altitude(self.store, slots, b.time_s[idx], b.alt_m[idx], cfg.sigma_alt_m, cfg.q_alt_m2s3)
            if garbles:
                self._counts["altitude_garbled"] += garbles
            return
        rank = _rank_within(slots)
        for r in range(int(rank.max()) + 1):
            sel = rank == r
            garbles = update_altitude(
                self.store, slots[sel], b.time_s[idx[sel]], b.alt_m[idx[sel]], cfg.sigma_alt_m, cfg.q_alt_m2s3
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
        if gone.size:
            self._unregister(gone[st.icao24[gone] >= 0])
            st.release(gone)
        if self._icao_keys.size:  # only a track with a Mode S address (registered there) can absorb another
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
        near = cKDTree(pos_a).sparse_distance_matrix(cKDTree(pos_b), cfg.merge_radius_m, output_type="ndarray")
        if near.size == 0:
            return
        i, j = near["i"].astype(np.int64), near["j"].astype(np.int64)
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
    def _meta(
        self, slots: NDArray[np.int64], now_s: float, snapshot: bool = False, masks: NDArray[np.int64] | None = None
    ) -> dict[str, object]:
        """Identity, status and sources of ``slots``. For a snapshot (one table, not concatenated with others) an
        address column without any address is None (a null column, as an all-"" one becomes) and the status is
        left to the caller, which overrides it with coasting. ``masks``: the recent sensors' bit masks when the
        caller has them already (``kernels.shown_tracks``)."""
        st = self.store
        icao24: NDArray[np.str_] | None = None
        if not snapshot or (slots.size and st.icao24[slots].max() >= 0):
            icao24 = format_icao24(st.icao24[slots])
        n_s = st.sensor_time_s.shape[1]
        if masks is None or n_s > 62:
            recent = st.sensor_time_s[slots] > now_s - self.config.sources_memory_s
        names = self.converter.sensor_ids
        if n_s <= 16:
            # Sensor sets as bit masks, their text from a table filled on first sight (2^n_s entries at most).
            mask = recent.astype(np.int64) @ (np.int64(1) << np.arange(n_s, dtype=np.int64)) if masks is None else masks
            if self._sources_lut.size != 1 << n_s:
                self._sources_lut = np.full(1 << n_s, None, dtype=object)
                self._sources_known = np.zeros(1 << n_s, dtype=bool)
            unknown = ~self._sources_known[mask]
            if unknown.any():
                for m in np.unique(mask[unknown]).tolist():
                    self._sources_lut[m] = ",".join(names[k] for k in range(n_s) if (m >> k) & 1) or None
                    self._sources_known[m] = True
            sources = self._sources_lut[mask]
        elif n_s <= 62:
            mask = recent.astype(np.int64) @ (np.int64(1) << np.arange(n_s, dtype=np.int64)) if masks is None else masks
            uniq, inv = np.unique(mask, return_inverse=True)
            cache = self._sources_text
            if len(cache) > 4096:
                cache.clear()
            text = np.empty(uniq.size, dtype=object)
            for i, m in enumerate(uniq.tolist()):
                if m not in cache:
                    cache[m] = ",".join(names[k] for k in range(n_s) if (m >> k) & 1) or None
                text[i] = cache[m]
            sources = text[inv.reshape(-1)]
        else:
            sources = np.array([",".join(names[k] for k in np.nonzero(r)[0]) for r in recent], dtype=object)
        return {
            "status": None if snapshot else STATUS_NAMES[st.status[slots]],
            "sources": sources,
            "icao24": icao24,
            # (indexing with an integer array already copies)
            "callsign": st.callsign[slots],
            "squawk": st.squawk[slots],
            "cooperative": st.cooperative[slots],
            "track_id": st.track_id[slots],
            "last_update_s": st.time_s[slots],
        }

    def _geography(self, pos, vel) -> tuple[NDArray[np.float64], ...]:
        """Latitude, longitude (deg), ground speed (m/s) and track over the ground (deg) of plane states."""
        # Ground speed and track over the ground from true north: grid north turns away from true north by the
        # meridian convergence (about 1° at 500 km from the plane's centre).
        return self.converter.projection.to_ground(pos, vel, EARTH_RADIUS_M)

    def _columns(self, t, pos, vel, sigma, alt_m, vrate_mps, meta) -> dict[str, object]:
        lat, lon, speed, track = self._geography(pos, vel)
        return {
            "time_s": t,
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_ft": alt_m * M_TO_FT,
            "ground_speed_kt": speed * MPS_TO_KT,
            "track_deg": track,
            "vertical_rate_fpm": vrate_mps * MPS_TO_FPM,
            "sigma_h_m": sigma,
            **meta,
        }

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
        alt = self.store.alt_m[slots]
        vrate = np.where(np.isfinite(alt), self.store.vrate_mps[slots], np.nan)
        cols = self._columns(log["time_s"], pos, vel, log["sigma"], alt, vrate, self._meta(slots, now_s))
        self._pending_rows.append(cols)

    def _emit(self) -> pa.Table:
        if not self._pending_rows:
            return _EMPTY_OUTPUT
        parts = self._pending_rows
        self._pending_rows = []
        cols = {}
        for k in parts[0]:
            vals = [p[k] for p in parts]
            cols[k] = [x for v in vals for x in v] if isinstance(vals[0], list) else np.concatenate(vals)
        return _track_table(cols, len(cols["time_s"]))
