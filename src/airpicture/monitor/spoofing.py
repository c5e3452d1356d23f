"""``spoofing``: an ADS-B position that the other sensors or physics contradict.

Four independent checks, each vectorised over one batch of measurements (reasons are combined per address):

- **ghost** — the claimed position lies in solid radar coverage (beyond the cone of silence, within
  ``coverage_fraction`` of a radar's range and its radio horizon, above ``min_alt_ft``), yet for a whole window
  (``ghost_window_s``, at least ``ghost_scans`` rotations of the radar; ``ghost_scans_confirmed`` once a plot has
  confirmed the address, so a real aircraft's run of missed scans is not a ghost) no radar or MLAT plot came within
  ``ghost_radius_m`` of where the target claims to be (claim extrapolated to each plot's time). A real aircraft
  reflects, replies and is multilaterated; a spoofer's phantom does none of these.
- **jumps** — consecutive positions of one address imply more than ``max_speed_kt`` over more than
  ``jump_min_m``; three in a minute (one bad CPR decode makes two, out and back, and is not spoofing).
- **radar disagreement** — a Mode S radar or MLAT plot of the same address sits farther than
  ``max(disagree_m, disagree_sigma·σ)`` from the ADS-B claim extrapolated to the plot's time, twice in a minute.
- **beyond receiver range** — the receiver that heard it could not have: the claim is farther than
  ``range_margin`` × min(receiver range, radio horizon of the claimed altitude).

Without measurements (offline from a track file), a ghost is a track fed only by ADS-B/MLAT receivers inside
radar coverage for ``ghost_window_s``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from airpicture.core.geodesy import haversine_m, polar_to_latlon
from airpicture.core.sensors import Sensor
from airpicture.core.units import EARTH_RADIUS_M, FT_TO_M, KT_TO_MPS
from airpicture.monitor.book import WARNING, Conditions
from airpicture.monitor.config import SpoofingConfig
from airpicture.monitor.frame import KeyedMemory, MeasurementBatch, TrackFrame
from airpicture.monitor.plane import MonitorPlane

RADAR_KINDS = ("psr", "ssr", "psr_ssr", "modes")
#: Plots whose position the target does not choose: radar (range/azimuth) and multilateration (time differences).
INDEPENDENT_KINDS = (*RADAR_KINDS, "mlat")
_REASONS = ("ghost", "jumps", "radar disagreement", "beyond receiver range")
_TRACK_KEY = np.int64(1) << 41
_K_EFF = 4.0 / 3.0


def radio_horizon_m(alt_m: NDArray, sensor_alt_m: float) -> NDArray[np.float64]:
    """Line-of-sight limit over a smooth 4/3 earth between a sensor and a target at ``alt_m``."""
    re = _K_EFF * EARTH_RADIUS_M
    return np.sqrt(2 * re * np.maximum(alt_m, 0.0)) + np.sqrt(2 * re * max(sensor_alt_m, 0.0))


class SpoofingMonitor:
    kind = "spoofing"

    def __init__(self, plane: MonitorPlane, config: SpoofingConfig, sensors: list[Sensor]) -> None:
        self.plane = plane
        self.config = config
        self.sensors = {s.id: s for s in sensors}
        self.radars = [s for s in sensors if s.kind in RADAR_KINDS and s.range_max_m]
        self.receivers = [s for s in sensors if s.kind not in RADAR_KINDS]
        self._receiver_ids = pa.array([s.id for s in self.receivers], pa.string())
        self._receiver_lat = np.array([s.lat_deg for s in self.receivers], dtype=np.float64)
        self._receiver_lon = np.array([s.lon_deg for s in self.receivers], dtype=np.float64)
        self._receiver_alt = np.array([s.alt_m for s in self.receivers], dtype=np.float64)
        self._receiver_range = np.array([s.range_max_m or np.inf for s in self.receivers], dtype=np.float64)
        #: Per address: last ADS-B claim and the checks' evidence.
        self.claims = KeyedMemory(
            ("time_s", "x_m", "y_m", "lat_deg", "lon_deg", "vx", "vy", "alt_m", "in_cov_since_s", "last_match_s",
             "first_s", "window_s")
        )  # fmt: skip
        self.evidence = KeyedMemory(("jump_times", "jump_n", "disagree_n", "disagree_t", "range_t", "worst"))
        self._saw_measurements = False
        self._flags: dict[int, set[str]] = {}
        self.track_memory = KeyedMemory(("in_cov_since_s", "last_seen_s"))

    # --- coverage --------------------------------------------------------------------------------------------
    def in_radar_coverage(self, lat: NDArray, lon: NDArray, alt_m: NDArray) -> NDArray[np.bool_]:
        return self.radar_coverage(lat, lon, alt_m)[0]

    def radar_coverage(self, lat: NDArray, lon: NDArray, alt_m: NDArray) -> tuple[NDArray[np.bool_], NDArray]:
        """(in solid coverage of some radar, shortest rotation period among the radars covering, s).

        Solid coverage: beyond ``min_range_m`` (cone of silence, ground clutter), within ``coverage_fraction`` of
        the range and the radio horizon, and at or above ``min_alt_ft`` (low targets are masked and filtered).
        """
        cfg = self.config
        cov = np.zeros(len(lat), bool)
        period = np.full(len(lat), np.inf)
        high = ~(alt_m < cfg.min_alt_ft * FT_TO_M)
        for s in self.radars:
            d = haversine_m(s.lat_deg, s.lon_deg, lat, lon)
            horizon = np.where(np.isfinite(alt_m), radio_horizon_m(np.nan_to_num(alt_m), s.alt_m), np.inf)
            inside = (
                high & (d >= cfg.min_range_m) & (d <= cfg.coverage_fraction * float(s.range_max_m)) & (d <= horizon)
            )
            cov |= inside
            period = np.where(inside, np.minimum(period, s.rotation_period_s or 5.0), period)
        return cov, period

    # --- measurements ---------------------------------------------------------------------------------------
    def _plot_positions(self, mb: MeasurementBatch, rows: NDArray[np.intp]) -> tuple[NDArray, NDArray]:
        m = mb.table
        lat = mb.f("lat_deg")[rows]
        lon = mb.f("lon_deg")[rows]
        polar = ~np.isfinite(lat) & np.isfinite(mb.f("range_m")[rows])
        if polar.any():
            rng = mb.f("range_m")[rows]
            az = mb.f("azimuth_deg")[rows]
            alt = mb.f("alt_baro_ft")[rows]
            alt_m = np.where(np.isfinite(alt), alt, self.config.psr_assumed_alt_ft) * FT_TO_M
            sensor = m.column("sensor").take(pa.array(rows)).to_numpy(zero_copy_only=False)
            for sid in np.unique(sensor[polar].astype(str)):
                s = self.sensors.get(sid)
                if s is None:
                    continue
                sel = polar & (sensor == sid)
                lat[sel], lon[sel] = polar_to_latlon(s.lat_deg, s.lon_deg, s.alt_m, rng[sel], az[sel], alt_m[sel])
        return lat, lon

    def observe(self, mb: MeasurementBatch | None, now_s: float) -> None:
        cfg = self.config
        if mb is None or not mb.n:
            self._expire(now_s)
            return
        self._saw_measurements = True
        m = mb.table
        t_all = mb.f("time_s")
        is_adsb = mb.is_adsb
        is_radar = mb.kind_in(*RADAR_KINDS)
        is_mlat = mb.kind_in("mlat")
        icao_all = mb.icao

        # Radar and MLAT plots of this batch: matched against the claims below (ghost check).
        radar_rows = np.flatnonzero(is_radar.astype(bool) | is_mlat)
        if len(radar_rows):
            plat, plon = self._plot_positions(mb, radar_rows)
            ok = np.isfinite(plat) & np.isfinite(plon)
            px, py = self.plane.to_xy(plat[ok], plon[ok])
            plots = np.column_stack([t_all[radar_rows][ok], px, py])
        else:
            plots = np.zeros((0, 3))

        lat_all, lon_all = mb.f("lat_deg"), mb.f("lon_deg")
        rows = mb.sorted_rows(is_adsb & (icao_all >= 0) & np.isfinite(lat_all) & np.isfinite(lon_all))
        icao, t = icao_all[rows], t_all[rows]
        lat, lon = lat_all[rows], lon_all[rows]
        alt_ft = mb.f("alt_baro_ft")[rows]
        alt_ft = np.where(np.isfinite(alt_ft), alt_ft, mb.f("alt_geo_ft")[rows])
        alt_m = alt_ft * FT_TO_M
        x, y = self.plane.to_xy(lat, lon)

        # Beyond receiver range.
        if len(rows) and self.receivers:
            sensor = m.column("sensor").take(pa.array(rows))
            ridx = pc.fill_null(pc.index_in(sensor, value_set=self._receiver_ids), -1).to_numpy(zero_copy_only=False)
            known = ridx >= 0
            r = np.maximum(ridx, 0)
            r_lat, r_lon = self._receiver_lat[r], self._receiver_lon[r]
            r_alt, r_max = self._receiver_alt[r], self._receiver_range[r]
            re = _K_EFF * EARTH_RADIUS_M
            horizon = np.where(
                np.isfinite(alt_m),
                np.sqrt(2 * re * np.maximum(np.nan_to_num(alt_m), 0)) + np.sqrt(2 * re * np.maximum(r_alt, 0)),
                np.inf,
            )
            limit = cfg.range_margin * np.minimum(r_max, horizon)
            d = haversine_m(r_lat, r_lon, lat, lon)
            beyond = known & np.isfinite(limit) & (d > limit)
            if beyond.any():
                self.evidence.put(icao[beyond], range_t=t[beyond], worst=d[beyond] / 1000.0)

        # Impossible jumps: consecutive claims of one address, the last claim of earlier batches first.
        if len(rows):
            p_t = self.claims.get(icao, "time_s")
            p_x, p_y = self.claims.get(icao, "x_m"), self.claims.get(icao, "y_m")
            first_of = np.append(True, icao[1:] != icao[:-1])
            prev_t = np.where(first_of, p_t, np.append(np.nan, t[:-1]))
            prev_x = np.where(first_of, p_x, np.append(np.nan, x[:-1]))
            prev_y = np.where(first_of, p_y, np.append(np.nan, y[:-1]))
            dist = np.hypot(x - prev_x, y - prev_y)
            dt = t - prev_t
            with np.errstate(invalid="ignore", divide="ignore"):
                speed_kt = dist / np.maximum(dt, 1e-3) / KT_TO_MPS
            jump = (dist > cfg.jump_min_m) & (speed_kt > cfg.max_speed_kt) & (dt < 60.0)
            if jump.any():
                j_icao, j_t = icao[jump], t[jump]
                counts = np.bincount(np.unique(j_icao, return_inverse=True)[1])
                u = np.unique(j_icao)
                last_t = self.evidence.get(u, "jump_times")
                prev_n = np.where(now_s - last_t <= 60.0, self.evidence.get(u, "jump_n", 0.0), 0.0)
                last_jump = np.maximum.reduceat(j_t, np.flatnonzero(np.append(True, j_icao[1:] != j_icao[:-1])))
                self.evidence.put(u, jump_times=last_jump, jump_n=prev_n + counts)

        # Latest claim per address.
        last = np.append(icao[1:] != icao[:-1], True) if len(rows) else np.zeros(0, bool)
        u_icao = icao[last]
        cov, period = self.radar_coverage(lat[last], lon[last], alt_m[last])
        confirmed = np.isfinite(self.claims.get(u_icao, "last_match_s"))
        scans = np.where(confirmed, cfg.ghost_scans_confirmed, cfg.ghost_scans)
        window = np.where(cov, np.maximum(cfg.ghost_window_s, scans * period), np.nan)
        since = self.claims.get(u_icao, "in_cov_since_s")
        since = np.where(cov, np.where(np.isfinite(since), since, t[last]), np.nan)
        first_s = self.claims.get(u_icao, "first_s")
        first_s = np.where(np.isfinite(first_s), first_s, t[last])
        self.claims.put(
            u_icao, time_s=t[last], x_m=x[last], y_m=y[last], lat_deg=lat[last], lon_deg=lon[last], alt_m=alt_m[last],
            in_cov_since_s=since,
            first_s=first_s, window_s=window,
        )  # fmt: skip
        # Velocity reports (ADS-B velocity messages carry no position): latest per address, at the claim.
        gs_all = mb.f("ground_speed_kt")
        vrows = mb.sorted_rows(is_adsb & (icao_all >= 0) & np.isfinite(gs_all))
        if len(vrows):
            v_icao = icao_all[vrows]
            vlast = vrows[np.append(v_icao[1:] != v_icao[:-1], True)]
            v_icao = icao_all[vlast]
            known = np.isfinite(self.claims.get(v_icao, "time_s"))
            v_icao, vlast = v_icao[known], vlast[known]
            c_lat, c_lon = self.claims.get(v_icao, "lat_deg"), self.claims.get(v_icao, "lon_deg")
            vx_, vy_ = self.plane.velocity_xy(c_lat, c_lon, gs_all[vlast], np.nan_to_num(mb.f("track_deg")[vlast]))
            self.claims.put(v_icao, vx=vx_, vy=vy_)

        # Ghost: each new plot confirms the claims it is near (claim extrapolated to the plot's time).
        c = self.claims
        live = np.flatnonzero(c.values["time_s"] >= now_s - 2 * cfg.ghost_window_s)
        if len(plots) and len(live) and self.radars:
            cx, cy = c.values["x_m"][live], c.values["y_m"][live]
            cvx, cvy = np.nan_to_num(c.values["vx"][live]), np.nan_to_num(c.values["vy"][live])
            ct = c.values["time_s"][live]
            reach = cfg.ghost_radius_m + float(np.hypot(cvx, cvy).max()) * 2 * cfg.ghost_window_s
            k = min(8, len(live))
            tree = cKDTree(np.column_stack([cx, cy]), balanced_tree=False, compact_nodes=False)
            _, nn = tree.query(plots[:, 1:], k=k, distance_upper_bound=reach)
            nn = nn.reshape(len(plots), k)
            valid = nn < len(live)
            nn_c = np.where(valid, nn, 0)
            dtp = plots[:, 0:1] - ct[nn_c]
            ex = cx[nn_c] + cvx[nn_c] * dtp
            ey = cy[nn_c] + cvy[nn_c] * dtp
            near = valid & (np.hypot(plots[:, 1:2] - ex, plots[:, 2:3] - ey) <= cfg.ghost_radius_m)
            if near.any():
                pi, ci = np.nonzero(near)
                best = np.full(len(live), -np.inf)
                np.maximum.at(best, nn_c[pi, ci], plots[pi, 0])
                matched = best > -np.inf
                old = c.values["last_match_s"][live[matched]]
                c.values["last_match_s"][live[matched]] = np.fmax(old, best[matched])

        # Radar / MLAT plots carrying an address: compare with the claim.
        addressed = np.flatnonzero((is_radar.astype(bool) | is_mlat) & (icao_all >= 0))
        if len(addressed) and len(self.claims.keys):
            a_icao = icao_all[addressed]
            a_lat, a_lon = self._plot_positions(mb, addressed)
            ok = np.isfinite(a_lat)
            ax, ay = self.plane.to_xy(np.where(ok, a_lat, 0), np.where(ok, a_lon, 0))
            c_t = self.claims.get(a_icao, "time_s")
            dtp = t_all[addressed] - c_t
            ex = self.claims.get(a_icao, "x_m") + self.claims.get(a_icao, "vx", 0.0) * dtp
            ey = self.claims.get(a_icao, "y_m") + self.claims.get(a_icao, "vy", 0.0) * dtp
            sigma = np.nan_to_num(mb.f("sigma_h_m")[addressed], nan=0.0)
            limit = np.maximum(cfg.disagree_m, cfg.disagree_sigma * sigma)
            off = ok & (np.abs(dtp) <= 10.0) & (np.hypot(ax - ex, ay - ey) > limit)
            if off.any():
                o_icao = a_icao[off]
                u, counts = np.unique(o_icao, return_counts=True)
                last_t = self.evidence.get(u, "disagree_t")
                prev_n = np.where(now_s - last_t <= 60.0, self.evidence.get(u, "disagree_n", 0.0), 0.0)
                self.evidence.put(u, disagree_t=np.full(len(u), now_s), disagree_n=prev_n + counts)
        self._expire(now_s)

    def _expire(self, now_s: float) -> None:
        self.claims.drop_older("time_s", now_s - 300.0)

    # --- conditions -----------------------------------------------------------------------------------------
    def evaluate(self, frame: TrackFrame) -> Conditions:
        cfg = self.config
        now = frame.now_s
        keys_list, reasons_list = [], []
        if self._saw_measurements:
            c = self.claims
            # Still claiming, and claiming for a whole window since coverage began or a radar last confirmed it.
            claim_t = c.values["time_s"]
            since = np.fmax(c.values["in_cov_since_s"], c.values["last_match_s"])
            ghost = (
                (claim_t >= now - 10.0)
                & np.isfinite(c.values["in_cov_since_s"])
                & (claim_t - since >= c.values["window_s"])
            )
            ev = self.evidence
            jumps = (now - ev.values["jump_times"] <= 60.0) & (ev.values["jump_n"] >= 3)
            disagree = (now - ev.values["disagree_t"] <= 60.0) & (ev.values["disagree_n"] >= 2)
            beyond = now - ev.values["range_t"] <= 60.0
            for r, (keys, mask) in enumerate(
                ((c.keys, ghost), (ev.keys, jumps), (ev.keys, disagree), (ev.keys, beyond))
            ):
                keys_list.append(keys[mask])
                reasons_list.append(np.full(int(mask.sum()), r))
        elif self.radars:
            # Track-based ghost: fed only by receivers, inside radar coverage.
            kinds = {sid: s.kind for sid, s in self.sensors.items()}
            total, _primary, radar = frame.source_kinds(kinds)
            receiver_only = (total > 0) & (radar == 0) & frame.valid
            cov = receiver_only & self.in_radar_coverage(frame.lat_deg, frame.lon_deg, frame.alt_m)
            since = self.track_memory.get(frame.track_id, "in_cov_since_s")
            since = np.where(cov, np.where(np.isfinite(since), since, frame.time_s), np.nan)
            self.track_memory.put(frame.track_id, in_cov_since_s=since, last_seen_s=np.full(frame.n, now))
            self.track_memory.drop_older("last_seen_s", now - 600.0)
            ghost = cov & (now - since >= cfg.ghost_window_s)
            keys = np.where(frame.icao24_int >= 0, frame.icao24_int, frame.track_id | _TRACK_KEY)
            keys_list.append(keys[ghost])
            reasons_list.append(np.zeros(int(ghost.sum()), int))
        if not keys_list or not sum(len(k) for k in keys_list):
            return Conditions.empty()
        keys = np.concatenate(keys_list)
        reasons = np.concatenate(reasons_list)
        order = np.argsort(keys, kind="stable")
        keys, reasons = keys[order], reasons[order]
        starts = np.flatnonzero(np.append(True, keys[1:] != keys[:-1]))
        u_keys = keys[starts]
        reason_bits = np.bitwise_or.reduceat(1 << reasons, starts)
        # Tracks of each address.
        order_t = np.argsort(frame.icao24_int, kind="stable")
        sorted_icao = frame.icao24_int[order_t]
        pos = np.searchsorted(sorted_icao, u_keys)
        hit = (pos < frame.n) & (sorted_icao[np.minimum(pos, max(frame.n - 1, 0))] == u_keys) if frame.n else pos < 0
        track_of = (
            np.where(hit, frame.track_id[order_t][np.minimum(pos, frame.n - 1)], -1)
            if frame.n
            else np.full(len(u_keys), -1, np.int64)
        )
        track_of = np.where(u_keys >= _TRACK_KEY, u_keys & (_TRACK_KEY - 1), track_of)
        worst = self.evidence.get(u_keys, "worst")

        def messages(sel: NDArray[np.intp]) -> list[str]:
            out = []
            for s in sel:
                why = [_REASONS[b] for b in range(len(_REASONS)) if reason_bits[s] >> b & 1]
                if reason_bits[s] >> 3 & 1 and np.isfinite(worst[s]):
                    why[-1] += f" ({worst[s]:.0f} km from the receiver)"
                who = f"{int(u_keys[s]):06x}" if u_keys[s] < _TRACK_KEY else f"track {track_of[s]}"
                out.append(f"{who}: ADS-B position not credible: {', '.join(why)}")
            return out

        return Conditions(
            keys=u_keys, severity=np.full(len(u_keys), WARNING, np.int8), track_ids=track_of[:, None],
            messages=messages,
        )  # fmt: skip
