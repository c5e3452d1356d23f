"""Track quality against truth, in the spirit of EUROCONTROL's ESASSP, plus GOSPA.

At evaluation epochs (every ``period_s`` of the truth's time grid), each system track's latest row no older than
``max_age_s`` is extrapolated to the epoch; confirmed and coasting tracks are matched one-to-one to the truth
aircraft by an optimal assignment on squared distance, pairs farther than ``c`` apart being no match. Epochs after
the track file's last row (plus ``max_age_s``) are not judged: the tracker was not asked for them. From the
matches:

- **GOSPA** (García-Fernández et al., p = 2, c = 2 km, α = 2) per epoch::

      d_GOSPA = ( Σ_matched d_i² + c²/2 · (missed + false) )^{1/2}

  averaged over epochs, also as GOSPA/√N with N the truth aircraft of the epoch, and its breakdown
  (:func:`gospa_breakdown`: localisation, missed and false terms, the missed and false epochs by cause);
- **horizontal position RMS** and **velocity RMS** over matched pairs, split *straight* / *turning* (truth turn
  rate above 0.5 deg/s);
- **probability of update** (ESASSP): the share of matched track-epochs whose last update is at most
  ``update_period_s`` old;
- **completeness** (share of truth epochs with a matched track), **false** tracks (confirmed tracks never matched
  on at least half of their epochs) and **duplicate** track-epochs (unmatched tracks within c of a tracked aircraft);
- **continuity**: identity switches (changes of the matched track number of one aircraft) and track numbers per
  aircraft, counted on a *persistent* correspondence (CLEAR-MOT, Bernardin & Stiefelhagen 2008): an aircraft keeps
  the track it was matched to at the previous epoch while that track is still within c of it, and only the others
  are re-assigned. The per-epoch optimal assignment (used for GOSPA and the errors) swaps two tracks whenever two
  aircraft pass closer than the tracks' errors, though neither track changed aircraft; counted on it, those swaps
  are reported as ``swaps_optimal_per_aircraft``. **drop latency** of departed aircraft (last appearance of its
  track after its last truth).

Everything per target class (cooperative / primary-only) as well as overall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from airpicture.core.geodesy import SystemPlane
from airpicture.core.schema import float_column
from airpicture.core.units import KT_TO_MPS
from airpicture.track.associator import gnn_assign


@dataclass
class EvaluationConfig:
    c_m: float = 2000.0
    period_s: float = 4.0
    max_age_s: float = 12.0
    update_period_s: float = 5.0
    turn_threshold_dps: float = 0.5
    #: Truth epochs ignored at the start while tracks initiate (seconds after the first truth).
    warmup_s: float = 0.0


@dataclass
class Matches:
    """One row per truth aircraft and epoch (matched or not)."""

    epoch_s: NDArray[np.float64]
    target_id: NDArray[np.int64]
    track_id: NDArray[np.int64]  # -1 when unmatched (per-epoch optimal assignment)
    pos_err_m: NDArray[np.float64]
    vel_err_mps: NDArray[np.float64]
    turning: NDArray[np.bool_]
    cooperative: NDArray[np.bool_]
    updated: NDArray[np.bool_]
    #: The track each aircraft is matched to by the persistent (CLEAR-MOT) correspondence, -1 when none.
    continuity_track_id: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    gospa_m: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    gospa_n: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    #: Per epoch, the GOSPA terms: Σ matched d² (m²), missed aircraft, unmatched (false) tracks.
    gospa_loc_m2: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    gospa_missed: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    gospa_false: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    #: Missed aircraft-epochs before the aircraft's first match (initiation) and after it (gaps).
    n_missed_initiation: int = 0
    n_missed_gap: int = 0
    #: Unmatched track-epochs by what the track is: one that followed an aircraft now departed, one that has
    #: followed a present aircraft (a duplicate, or a track strayed beyond c), one never matched (clutter).
    n_false_departed: int = 0
    n_false_strayed: int = 0
    n_false_never_matched: int = 0
    #: Evaluation epochs left out because they come after the track file's last row (plus ``max_age_s``).
    epochs_after_track_end: int = 0
    #: GOSPA's cut-off c (m): a missed aircraft or false track costs c²/2 per epoch.
    c_m: float = 2000.0
    n_false_epochs: int = 0
    n_duplicate_epochs: int = 0
    n_track_epochs: int = 0
    false_tracks: int = 0
    confirmed_tracks: int = 0
    drop_latency_s: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    #: Per aircraft appearing after the start: time from its first (covered) truth epoch to its first match.
    initiation_delay_s: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))


def _int_column(table: pa.Table, name: str) -> NDArray[np.int64]:
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.int64)


def _velocity(speed_kt, track_deg):
    v = np.nan_to_num(speed_kt) * KT_TO_MPS
    a = np.radians(np.nan_to_num(track_deg))
    return np.stack([v * np.sin(a), v * np.cos(a)], axis=1)


def _turn_rate(truth: pa.Table) -> NDArray[np.float64]:
    if "turn_rate_dps" in truth.column_names:
        return np.abs(np.nan_to_num(float_column(truth, "turn_rate_dps")))
    tid, t, hdg = _int_column(truth, "target_id"), float_column(truth, "time_s"), float_column(truth, "track_deg")
    order = np.lexsort((t, tid))
    rate = np.zeros(t.size)
    d_h = (np.diff(hdg[order]) + 180.0) % 360.0 - 180.0
    d_t = np.diff(t[order])
    same = np.diff(tid[order]) == 0
    r = np.where(same & (d_t > 0), np.abs(d_h) / np.maximum(d_t, 1e-9), 0.0)
    rate[order[1:]] = r
    return rate


def coverage_mask(truth: pa.Table, measurements: pa.Table, window_s: float = 12.0) -> NDArray[np.bool_]:
    """Truth rows whose aircraft produced a positioned measurement within the last ``window_s`` (in coverage).

    Needs the simulator's ``target_id`` on the measurements; a tracker cannot be blamed for an aircraft no sensor
    sees. Measurements without position (e.g. ADS-B velocity or identity messages) do not count.
    """
    if "target_id" not in measurements.column_names:
        return np.ones(truth.num_rows, bool)
    m_id = measurements.column("target_id").to_numpy(zero_copy_only=False)
    m_id = np.where(np.isfinite(m_id.astype(np.float64)), m_id, -1).astype(np.int64)
    has_pos = np.isfinite(float_column(measurements, "lat_deg")) | np.isfinite(float_column(measurements, "range_m"))
    keep = (m_id >= 0) & has_pos
    m_id, m_t = m_id[keep], float_column(measurements, "time_s")[keep]
    t_id, t_t = _int_column(truth, "target_id"), float_column(truth, "time_s")
    # One sorted key per (aircraft, time): the latest measurement at or before each truth row.
    span = max(float(np.nanmax(np.r_[m_t, t_t]) - np.nanmin(np.r_[m_t, t_t])), 1.0) + 2 * window_s
    t_min = float(np.nanmin(np.r_[m_t, t_t])) - window_s
    m_key = m_id * span + (m_t - t_min)
    order = np.argsort(m_key)
    m_key, m_id_sorted = m_key[order], m_id[order]
    t_key = t_id * span + (t_t - t_min)
    pos = np.searchsorted(m_key, t_key, side="right") - 1
    ok = pos >= 0
    prev = np.where(ok, pos, 0)
    return ok & (m_id_sorted[prev] == t_id) & ((t_key - m_key[prev]) <= window_s)


def match(
    truth: pa.Table, tracks: pa.Table, config: EvaluationConfig | None = None, covered: NDArray[np.bool_] | None = None
) -> Matches:
    """Match tracks to truth at the evaluation epochs (``covered``: truth rows to count, see coverage_mask)."""
    cfg = config or EvaluationConfig()
    grid = np.unique(float_column(truth, "time_s"))
    if covered is not None:
        truth = truth.filter(pa.array(covered))
    t_time = float_column(truth, "time_s")
    t_lat, t_lon = float_column(truth, "lat_deg"), float_column(truth, "lon_deg")
    plane = SystemPlane(float(np.nanmean(t_lat)), float(np.nanmean(t_lon)))
    tx, ty = plane.to_xy(t_lat, t_lon)
    t_vel = _velocity(float_column(truth, "ground_speed_kt"), float_column(truth, "track_deg"))
    t_id = _int_column(truth, "target_id")
    t_coop = (
        truth.column("cooperative").to_numpy(zero_copy_only=False).astype(bool)
        if "cooperative" in truth.column_names
        else np.ones(truth.num_rows, bool)
    )
    t_turn = _turn_rate(truth) > cfg.turn_threshold_dps

    status = np.asarray(tracks.column("status").to_numpy(zero_copy_only=False), dtype=object)
    firm = status != "tentative"
    k_time = float_column(tracks, "time_s")[firm]
    k_id = _int_column(tracks, "track_id")[firm]
    kx, ky = plane.to_xy(float_column(tracks, "lat_deg")[firm], float_column(tracks, "lon_deg")[firm])
    k_vel = _velocity(float_column(tracks, "ground_speed_kt")[firm], float_column(tracks, "track_deg")[firm])
    k_last = float_column(tracks, "last_update_s")[firm] if "last_update_s" in tracks.column_names else k_time.copy()
    order = np.argsort(k_time, kind="stable")
    k_time, k_id, kx, ky, k_vel, k_last = k_time[order], k_id[order], kx[order], ky[order], k_vel[order], k_last[order]

    step = max(1, round(float(cfg.period_s / np.median(np.diff(grid))))) if grid.size > 1 else 1
    epochs = grid[::step]
    epochs = epochs[epochs >= grid[0] + cfg.warmup_s]
    if k_time.size:
        # Epochs after the track file ends (e.g. truth written to 600 s, periodic output up to 596 s) are outside
        # what the tracker was asked for: judging them would count every aircraft as missed there.
        beyond = epochs > k_time[-1] + cfg.max_age_s + 1e-6
        skipped_after_end = int(np.count_nonzero(beyond))
        epochs = epochs[~beyond]
    else:
        skipped_after_end = 0
    t_order = np.argsort(t_time, kind="stable")
    t_sorted_time = t_time[t_order]

    out: dict[str, list] = {k: [] for k in ("epoch", "target", "track", "keep", "pos", "vel", "turn", "coop", "upd")}
    # The persistent correspondence of the previous epoch: aircraft (sorted) → track number.
    prev_target, prev_track = np.empty(0, np.int64), np.empty(0, np.int64)
    gospa, gospa_n, gospa_terms = [], [], []
    # Tracks ever matched, and the aircraft they were last matched to (for the false-epoch breakdown).
    ever_track: dict[int, int] = {}
    ever_target: set[int] = set()
    n_missed_init = n_missed_gap = 0
    n_false_dep = n_false_strayed = n_false_never = 0
    n_false = n_dup = n_track_epochs = 0
    track_epochs: dict[str, list] = {"id": [], "matched": []}
    present: dict[str, list] = {"id": [], "epoch": []}
    c2 = cfg.c_m**2
    for e in epochs:
        lo, hi = np.searchsorted(t_sorted_time, [e - 1e-6, e + 1e-6])
        ti = t_order[lo:hi]
        a, b = np.searchsorted(k_time, [e - cfg.max_age_s, e + 1e-6])
        rows = np.arange(a, b)
        if rows.size:
            # The latest row of each track in the window.
            _, last = np.unique(k_id[rows][::-1], return_index=True)
            rows = rows[::-1][last]
        dt = e - k_time[rows]
        px, py = kx[rows] + k_vel[rows, 0] * dt, ky[rows] + k_vel[rows, 1] * dt
        n_track_epochs += rows.size
        present["id"].append(k_id[rows])
        present["epoch"].append(np.full(rows.size, e))
        tk = np.full(ti.size, -1, np.int64)
        keep = np.full(ti.size, -1, np.int64)
        pos_err = np.full(ti.size, np.nan)
        vel_err = np.full(ti.size, np.nan)
        upd = np.zeros(ti.size, bool)
        matched_rows = np.zeros(rows.size, bool)
        if ti.size and rows.size:
            coo = cKDTree(np.stack([tx[ti], ty[ti]], 1)).sparse_distance_matrix(
                cKDTree(np.stack([px, py], 1)), cfg.c_m, output_type="coo_matrix"
            )
            i, j, d = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
            keep[:] = _persistent_assignment(i, j, d, t_id[ti], k_id[rows], prev_target, prev_track)
            sel = gnn_assign(i, j, d * d)
            i, j, d = i[sel], j[sel], d[sel]
            tk[i] = k_id[rows[j]]
            pos_err[i] = d
            vel_err[i] = np.hypot(*(k_vel[rows[j]] - t_vel[ti[i]]).T)
            upd[i] = (e - k_last[rows[j]]) <= cfg.update_period_s
            matched_rows[j] = True
            near_truth = np.zeros(rows.size, bool)
            near_truth[coo.col[np.isin(coo.row, i)]] = True
            n_dup += int(np.count_nonzero(~matched_rows & near_truth))
            n_false += int(np.count_nonzero(~matched_rows & ~near_truth))
        else:
            n_false += rows.size
        track_epochs["id"].append(k_id[rows])
        track_epochs["matched"].append(matched_rows)
        missed = int(np.count_nonzero(tk < 0))
        false = int(rows.size - np.count_nonzero(matched_rows))
        loc = float(np.nansum(pos_err**2))
        gospa.append(np.sqrt(loc + c2 / 2.0 * (missed + false)))
        gospa_n.append(ti.size)
        gospa_terms.append((loc, missed, false))
        if missed:
            seen_before = np.fromiter((int(a) in ever_target for a in t_id[ti][tk < 0]), bool)
            n_missed_gap += int(np.count_nonzero(seen_before))
            n_missed_init += int(seen_before.size - np.count_nonzero(seen_before))
        if false:
            present_now = set(t_id[ti].tolist())
            for tr_id in k_id[rows][~matched_rows].tolist():
                last_target = ever_track.get(tr_id)
                if last_target is None:
                    n_false_never += 1
                elif last_target in present_now:
                    n_false_strayed += 1
                else:
                    n_false_dep += 1
        hit = tk >= 0
        if hit.any():
            ever_target.update(t_id[ti[hit]].tolist())
            ever_track.update(zip(tk[hit].tolist(), t_id[ti[hit]].tolist(), strict=True))
        out["epoch"].append(np.full(ti.size, e))
        out["target"].append(t_id[ti])
        out["track"].append(tk)
        out["keep"].append(keep)
        kept = keep >= 0
        order_kept = np.argsort(t_id[ti][kept], kind="stable")
        prev_target, prev_track = t_id[ti][kept][order_kept], keep[kept][order_kept]
        out["pos"].append(pos_err)
        out["vel"].append(vel_err)
        out["turn"].append(t_turn[ti])
        out["coop"].append(t_coop[ti])
        out["upd"].append(upd)

    def cat(key, dtype=None):
        parts = out[key]
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)

    m = Matches(
        epoch_s=cat("epoch", np.float64),
        target_id=cat("target", np.int64),
        track_id=cat("track", np.int64),
        continuity_track_id=cat("keep", np.int64),
        pos_err_m=cat("pos", np.float64),
        vel_err_mps=cat("vel", np.float64),
        turning=cat("turn", bool),
        cooperative=cat("coop", bool),
        updated=cat("upd", bool),
        gospa_m=np.array(gospa),
        gospa_n=np.array(gospa_n),
        gospa_loc_m2=np.array([g[0] for g in gospa_terms]),
        gospa_missed=np.array([g[1] for g in gospa_terms], np.int64),
        gospa_false=np.array([g[2] for g in gospa_terms], np.int64),
        c_m=cfg.c_m,
        epochs_after_track_end=skipped_after_end,
        n_missed_initiation=n_missed_init,
        n_missed_gap=n_missed_gap,
        n_false_departed=n_false_dep,
        n_false_strayed=n_false_strayed,
        n_false_never_matched=n_false_never,
        n_false_epochs=n_false,
        n_duplicate_epochs=n_dup,
        n_track_epochs=n_track_epochs,
    )
    # False tracks: confirmed track numbers matched on fewer than half of the epochs they are present.
    if track_epochs["id"]:
        ids = np.concatenate(track_epochs["id"])
        hit = np.concatenate(track_epochs["matched"])
        uniq, inv = np.unique(ids, return_inverse=True)
        frac = np.bincount(inv, weights=hit) / np.maximum(np.bincount(inv), 1)
        m.false_tracks = int(np.count_nonzero(frac < 0.5))
        m.confirmed_tracks = int(uniq.size)
    # Drop latency: targets whose truth ends well before the data end.
    if m.epoch_s.size and present["id"]:
        pid, pep = np.concatenate(present["id"]), np.concatenate(present["epoch"])
        last_present = {}
        if pid.size:
            order_p = np.lexsort((pep, pid))
            ends = np.r_[np.flatnonzero(np.diff(pid[order_p])), pid.size - 1]
            last_present = dict(zip(pid[order_p][ends].tolist(), pep[order_p][ends].tolist(), strict=True))
        t_end = epochs[-1]
        lat = []
        matched = m.track_id >= 0
        o = np.lexsort((m.epoch_s, m.target_id))
        tgt, ep, trk, mt = m.target_id[o], m.epoch_s[o], m.track_id[o], matched[o]
        ends = np.r_[np.flatnonzero(np.diff(tgt)), tgt.size - 1]
        starts = np.r_[0, ends[:-1] + 1]
        # The aircraft's last truth time on the truth's own (finer) grid, not the evaluation epoch before it.
        last_seen: dict[int, float] = {}
        if t_id.size:
            o_t = np.lexsort((t_time, t_id))
            e_t = np.r_[np.flatnonzero(np.diff(t_id[o_t])), t_id.size - 1]
            last_seen = dict(zip(t_id[o_t][e_t].tolist(), t_time[o_t][e_t].tolist(), strict=True))
        for s0, s1 in zip(starts.tolist(), ends.tolist(), strict=True):
            last_truth = last_seen.get(int(tgt[s0]), ep[s1])
            if last_truth > t_end - 30.0:
                continue
            sel = np.flatnonzero(mt[s0 : s1 + 1])
            if sel.size == 0:
                continue
            track = int(trk[s0 + sel[-1]])
            lat.append(last_present.get(track, last_truth) - last_truth)
        m.drop_latency_s = np.array(lat)
        delays = []
        t_start = epochs[0]
        for s0, s1 in zip(starts.tolist(), ends.tolist(), strict=True):
            first = ep[s0]
            if first <= t_start + 1e-6:
                continue  # already there when the evaluation started
            sel = np.flatnonzero(mt[s0 : s1 + 1])
            delays.append(ep[s0 + sel[0]] - first if sel.size else ep[s1] - first)
        m.initiation_delay_s = np.array(delays)
    return m


def _persistent_assignment(
    i: NDArray[np.int64],
    j: NDArray[np.int64],
    d: NDArray[np.float64],
    target_of_i: NDArray[np.int64],
    track_of_j: NDArray[np.int64],
    prev_target: NDArray[np.int64],
    prev_track: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Track number per aircraft row under CLEAR-MOT: last epoch's pairs still within c first, then optimal.

    ``(i, j, d)`` are the pairs within c (aircraft row, track row, distance); ``prev_target`` (sorted) and
    ``prev_track`` the previous epoch's correspondence. Returns the matched track number per aircraft row, -1 if none.
    """
    out = np.full(target_of_i.size, -1, np.int64)
    if i.size == 0:
        return out
    held = np.zeros(i.size, bool)
    if prev_target.size:
        tgt = target_of_i[i]
        pos = np.minimum(np.searchsorted(prev_target, tgt), prev_target.size - 1)
        held = (prev_target[pos] == tgt) & (prev_track[pos] == track_of_j[j])
    out[i[held]] = track_of_j[j[held]]
    taken_i = np.zeros(target_of_i.size, bool)
    taken_i[i[held]] = True
    taken_j = np.zeros(int(j.max()) + 1, bool)
    taken_j[j[held]] = True
    free = ~taken_i[i] & ~taken_j[j]
    sel = np.flatnonzero(free)[gnn_assign(i[free], j[free], d[free] ** 2)]
    out[i[sel]] = track_of_j[j[sel]]
    return out


def _identity_figures(
    m: Matches, mask: NDArray[np.bool_], track_id: NDArray[np.int64] | None = None
) -> tuple[int, float, int]:
    """Identity switches, track numbers per aircraft and aircraft count on ``track_id`` (default: continuity)."""
    track_id = m.continuity_track_id if track_id is None else track_id
    sel = mask & (track_id >= 0)
    tgt, ep, trk = m.target_id[sel], m.epoch_s[sel], track_id[sel]
    if tgt.size == 0:
        return 0, float("nan"), 0
    o = np.lexsort((ep, tgt))
    tgt, trk = tgt[o], trk[o]
    same_target = np.diff(tgt) == 0
    switches = int(np.count_nonzero(same_target & (np.diff(trk) != 0)))
    pairs = np.unique(np.stack([tgt, trk], 1), axis=0)
    n_targets = np.unique(tgt).size
    return switches, pairs.shape[0] / n_targets, n_targets


def _rms(values: NDArray[np.float64]) -> float:
    v = values[np.isfinite(values)]
    return float(np.sqrt(np.mean(v * v))) if v.size else float("nan")


def gospa_breakdown(m: Matches) -> dict[str, float]:
    """GOSPA² per aircraft-epoch split into its localisation, missed and false terms (m², pooled over epochs: they
    add up to ``gospa_pooled_per_sqrt_n_m``²), with the missed and false epochs by cause.

    With c = 2 km every missed or false aircraft-epoch costs c²/2 = 2·10⁶ m²: a 1 % missed rate alone adds as much
    as 140 m of localisation error, so this says whether a GOSPA excess is accuracy, initiation, deletion or clutter.
    """
    n = max(int(m.gospa_n.sum()), 1)
    half_c2 = 0.5 * m.c_m**2
    loc = float(m.gospa_loc_m2.sum()) / n
    missed = half_c2 * float(m.gospa_missed.sum()) / n
    false = half_c2 * float(m.gospa_false.sum()) / n
    return {
        "gospa_pooled_per_sqrt_n_m": float(np.sqrt(loc + missed + false)),
        "gospa_loc_m2": loc,
        "gospa_missed_m2": missed,
        "gospa_false_m2": false,
        "missed_rate": float(m.gospa_missed.sum()) / n,
        "false_rate": float(m.gospa_false.sum()) / n,
        "epochs_after_track_end": m.epochs_after_track_end,
        "missed_initiation_epochs": m.n_missed_initiation,
        "missed_gap_epochs": m.n_missed_gap,
        "false_departed_epochs": m.n_false_departed,
        "false_strayed_epochs": m.n_false_strayed,
        "false_never_matched_epochs": m.n_false_never_matched,
    }


def summarise(m: Matches) -> dict[str, dict[str, float]]:
    """The quality figures overall and per class, as nested dicts of plain numbers."""
    classes = {"all": np.ones(m.target_id.size, bool), "cooperative": m.cooperative, "primary_only": ~m.cooperative}
    out: dict[str, dict[str, float]] = {}
    for name, mask in classes.items():
        if not mask.any() and name != "all":
            continue
        matched = mask & (m.track_id >= 0)
        straight, turning = matched & ~m.turning, matched & m.turning
        switches, ids_per, n_targets = _identity_figures(m, mask)
        swaps_optimal, _, _ = _identity_figures(m, mask, m.track_id)
        out[name] = {
            "aircraft": n_targets,
            "truth_epochs": int(mask.sum()),
            "completeness": float(matched.sum() / max(mask.sum(), 1)),
            "pos_rms_m": _rms(m.pos_err_m[matched]),
            "pos_rms_straight_m": _rms(m.pos_err_m[straight]),
            "pos_rms_turning_m": _rms(m.pos_err_m[turning]),
            "vel_rms_mps": _rms(m.vel_err_mps[matched]),
            "vel_rms_straight_mps": _rms(m.vel_err_mps[straight]),
            "vel_rms_turning_mps": _rms(m.vel_err_mps[turning]),
            "prob_update": float(m.updated[matched].mean()) if matched.any() else float("nan"),
            "identity_switches": switches,
            "switches_per_aircraft": switches / max(n_targets, 1),
            "track_ids_per_aircraft": ids_per,
            "swaps_optimal_per_aircraft": swaps_optimal / max(n_targets, 1),
        }
    n = np.maximum(m.gospa_n, 1)
    out["all"].update(
        {
            "gospa_m": float(np.mean(m.gospa_m)) if m.gospa_m.size else float("nan"),
            "gospa_per_sqrt_n_m": float(np.mean(m.gospa_m / np.sqrt(n))) if m.gospa_m.size else float("nan"),
            **gospa_breakdown(m),
            "false_track_epochs": m.n_false_epochs,
            "duplicate_track_epochs": m.n_duplicate_epochs,
            "false_track_rate": m.n_false_epochs / max(m.n_track_epochs, 1),
            "duplicate_rate": m.n_duplicate_epochs / max(m.n_track_epochs, 1),
            "false_tracks": m.false_tracks,
            "confirmed_tracks": m.confirmed_tracks,
            "departed_aircraft": int(m.drop_latency_s.size),
            "drop_latency_max_s": float(m.drop_latency_s.max()) if m.drop_latency_s.size else float("nan"),
            "new_aircraft": int(m.initiation_delay_s.size),
            "initiation_delay_max_s": float(m.initiation_delay_s.max()) if m.initiation_delay_s.size else float("nan"),
        }
    )
    return out


def evaluate(truth: pa.Table, tracks: pa.Table, config: EvaluationConfig | None = None) -> dict[str, dict[str, float]]:
    return summarise(match(truth, tracks, config))


def leg_phase(truth: pa.Table, turn_threshold_dps: float = 0.5) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Per truth row: seconds since the aircraft's current leg began (a leg is a run of rows that all turn faster,
    or all not faster, than ``turn_threshold_dps``) and whether that leg is the aircraft's first (no manoeuvre
    before it). Why: the tracker's error is set by the time since the last change of manoeuvre (turn entry or
    exit), so the error by this phase says where the error is."""
    t, tid = float_column(truth, "time_s"), _int_column(truth, "target_id")
    turning = _turn_rate(truth) > turn_threshold_dps
    o = np.lexsort((t, tid))
    to, ido, turn_o = t[o], tid[o], turning[o]
    index = np.arange(to.size)
    first_row = np.r_[True, ido[1:] != ido[:-1]] if to.size else np.zeros(0, np.bool_)
    leg_start = first_row | np.r_[True, turn_o[1:] != turn_o[:-1]] if to.size else first_row
    start = np.maximum.accumulate(np.where(leg_start, index, 0))
    aircraft_start = np.maximum.accumulate(np.where(first_row, index, 0))
    since = np.empty(t.size)
    first = np.empty(t.size, np.bool_)
    since[o] = to - to[start]
    first[o] = start == aircraft_start
    return since, first


def filtered_error_rows(
    truth: pa.Table, update_rows: pa.Table, m: Matches, config: EvaluationConfig | None = None
) -> dict[str, NDArray] | None:
    """Per update row, the error of the *filtered* estimate (see :func:`filtered_errors`): arrays ``time_s``,
    ``target_id``, ``lat_deg``, ``lon_deg`` (the estimate), ``pos_err_m``, ``vel_err_mps``, ``turning``,
    ``since_leg_s`` and ``first_leg`` (:func:`leg_phase` of the truth row just before the update), for the rows
    with an aircraft; None when there are none. Errors beyond c are kept (the summary leaves them out)."""
    cfg = config or EvaluationConfig()
    if "last_update_s" not in update_rows.column_names or m.epoch_s.size == 0:
        return None
    k_time = float_column(update_rows, "time_s")
    status = np.asarray(update_rows.column("status").to_numpy(zero_copy_only=False), dtype=object)
    row = (np.abs(float_column(update_rows, "last_update_s") - k_time) < 1e-6) & (status != "tentative")
    if not row.any():
        return None
    epochs = np.unique(m.epoch_s)
    # Only the evaluated span (warm-up and the time after the last epoch are not judged).
    row &= (k_time >= epochs[0] - 0.5 * cfg.period_s) & (k_time <= epochs[-1] + 0.5 * cfg.period_s)
    k_time, k_id = k_time[row], _int_column(update_rows, "track_id")[row]
    if k_time.size == 0:
        return None
    # Track → aircraft at the nearest epoch, from the persistent correspondence.
    pos = np.clip(np.searchsorted(epochs, k_time), 1, epochs.size - 1)
    nearest = np.where(np.abs(epochs[pos - 1] - k_time) <= np.abs(epochs[pos] - k_time), pos - 1, pos)
    nearest = np.where(epochs.size > 1, nearest, 0)
    held = m.continuity_track_id >= 0
    span = int(max(k_id.max(), m.continuity_track_id.max(), 0)) + 1
    pair_key = np.searchsorted(epochs, m.epoch_s[held]) * span + m.continuity_track_id[held]
    order = np.argsort(pair_key)
    pair_key, pair_target = pair_key[order], m.target_id[held][order]
    want = nearest * span + k_id
    at = np.clip(np.searchsorted(pair_key, want), 0, max(pair_key.size - 1, 0))
    found = (pair_key.size > 0) & (pair_key[at] == want)
    if not found.any():
        return None
    target = pair_target[at][found]
    k_time = k_time[found]
    lat, lon = float_column(update_rows, "lat_deg")[row][found], float_column(update_rows, "lon_deg")[row][found]
    k_vel = _velocity(
        float_column(update_rows, "ground_speed_kt")[row][found], float_column(update_rows, "track_deg")[row][found]
    )
    # Truth of that aircraft, linearly interpolated between its rows around the update time.
    t_time, t_id = float_column(truth, "time_s"), _int_column(truth, "target_id")
    t_lat, t_lon = float_column(truth, "lat_deg"), float_column(truth, "lon_deg")
    plane = SystemPlane(float(np.nanmean(t_lat)), float(np.nanmean(t_lon)))
    tx, ty = plane.to_xy(t_lat, t_lon)
    t_vel = _velocity(float_column(truth, "ground_speed_kt"), float_column(truth, "track_deg"))
    t_turn = _turn_rate(truth) > cfg.turn_threshold_dps
    o = np.lexsort((t_time, t_id))
    t0 = float(np.nanmin(t_time))
    t_span = float(np.nanmax(t_time)) - t0 + 10.0
    t_key = t_id[o] * t_span + (t_time[o] - t0)
    q_key = target * t_span + (k_time - t0)
    hi = np.clip(np.searchsorted(t_key, q_key), 1, max(t_key.size - 1, 1))
    lo = hi - 1
    same = (t_id[o][lo] == target) & (t_id[o][hi] == target) & (t_time[o][lo] <= k_time) & (k_time <= t_time[o][hi])
    if not same.any():
        return None
    lo, hi, k_time, lat, lon, k_vel = lo[same], hi[same], k_time[same], lat[same], lon[same], k_vel[same]
    a, b = o[lo], o[hi]
    w = (k_time - t_time[a]) / np.maximum(t_time[b] - t_time[a], 1e-9)
    kx, ky = plane.to_xy(lat, lon)
    ex = kx - (tx[a] + w * (tx[b] - tx[a]))
    ey = ky - (ty[a] + w * (ty[b] - ty[a]))
    ev = k_vel - (t_vel[a] + w[:, None] * (t_vel[b] - t_vel[a]))
    since, first = leg_phase(truth, cfg.turn_threshold_dps)
    return {
        "time_s": k_time, "target_id": target[same], "lat_deg": lat, "lon_deg": lon,
        "pos_err_m": np.hypot(ex, ey), "vel_err_mps": np.hypot(ev[:, 0], ev[:, 1]), "turning": t_turn[a],
        "since_leg_s": since[a], "first_leg": first[a],
    }  # fmt: skip


def filtered_errors(
    truth: pa.Table, update_rows: pa.Table, m: Matches, config: EvaluationConfig | None = None
) -> dict[str, float]:
    """Error of the *filtered* estimate: every update row (a track's state at the time of the report that updated
    it, ``last_update_s == time_s``) against its aircraft's truth interpolated to that time.

    The picture figures of :func:`match` judge tracks extrapolated to the evaluation epochs: a rotating radar's
    plots are up to one scan old there, so they include up to one scan of prediction. This is the filter's own
    accuracy at its update instants. The aircraft of a row is the one its track is matched to (persistent
    correspondence) at the nearest evaluation epoch; rows of tracks matched to no aircraft there are left out.
    """
    cfg = config or EvaluationConfig()
    keys = ("filtered_updates", "filtered_pos_rms_straight_m", "filtered_pos_rms_turning_m",
            "filtered_vel_rms_straight_mps", "filtered_vel_rms_turning_mps")  # fmt: skip
    out = dict.fromkeys(keys, float("nan"))
    out["filtered_updates"] = 0
    rows = filtered_error_rows(truth, update_rows, m, cfg)
    if rows is None:
        return out
    pos_err, vel_err, turn = rows["pos_err_m"], rows["vel_err_mps"], rows["turning"]
    ok = pos_err <= cfg.c_m
    out["filtered_updates"] = int(np.count_nonzero(ok))
    out["filtered_pos_rms_straight_m"] = _rms(pos_err[ok & ~turn])
    out["filtered_pos_rms_turning_m"] = _rms(pos_err[ok & turn])
    out["filtered_vel_rms_straight_mps"] = _rms(vel_err[ok & ~turn])
    out["filtered_vel_rms_turning_mps"] = _rms(vel_err[ok & turn])
    return out
