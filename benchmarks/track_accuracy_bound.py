"""How close the tracker is to the best possible filter on the benchmark square (Cartesian or polar plots).

Issue 3 sets accuracy targets for the tracker on the benchmark square (filtered position RMS ≤ 120 / 150 m and
velocity RMS ≤ 10 / 25 m/s, straight / turning). This script asks what *any* filter could reach on the same plots:
a Rao-Blackwellised particle filter that knows how the square's aircraft fly. Each particle carries one history of
legs (straight, or a coordinated turn at a constant rate) drawn from a prior; given the legs, the motion is linear,
so each particle holds an exact Kalman filter of ``[x, y, vx, vy]`` (a little white-acceleration noise ``q`` lets a
particle absorb a turn rate that is close but not equal to the truth). With enough particles its posterior mean is
the minimum-mean-square-error estimate under that prior: no causal filter with that knowledge does better. It is
given perfect association (each aircraft's own plots, no clutter), which only helps it. With ``--polar`` the plots
are the polar ones (σ 100 m in range, 0.05 deg in azimuth), converted to the plane as the tracker converts them and
filtered with their exact covariance.

Three priors, from most to least knowledge of the scenario:

- ``exact``: the square's own generator (``airpicture.sim.square``): straight legs of U(30, 120) s, turns at
  U(1, 3) deg/s either way for U(30, 180) deg of heading, 35 % of legs turns, legs changing on whole seconds;
- ``rates``: turn rates U(1, 3) deg/s, but memoryless legs (exponential, mean 75 s straight / 50 s turning);
- ``generic``: memoryless legs and turn rates U(0.5, 4) deg/s (what a tracker can assume of real traffic).

The leg end is re-drawn from its prior (truncated at the time already flown) at every plot, an exact move that
keeps the particles diverse. airpicture's tracker runs on the same plots (all of them, clutter included) and both
are scored the same way: every update of a confirmed track at its plot's time, against that plot's aircraft's truth
interpolated to the time, after the first 32 s, turning when the truth turns faster than 0.5 deg/s (as
``airpicture.evaluate.filtered_errors``; here the aircraft of an update is its plot's, not the evaluation's match).

    .venv/bin/python benchmarks/track_accuracy_bound.py                      # 60 aircraft of N = 500, ~8 CPU-min
    .venv/bin/python benchmarks/track_accuracy_bound.py --aircraft 20 --particles 4000 --priors exact
    .venv/bin/python benchmarks/track_accuracy_bound.py --polar --aircraft 200 --particles 16000 --priors rates
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# This script's folder would shadow packages numba imports if a benchmark there shared a name with one.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from numba import njit  # noqa: E402
from pyproj import Geod  # noqa: E402

from airpicture.core.geodesy import ground_range_from_slant  # noqa: E402
from airpicture.core.units import FT_TO_M, KT_TO_MPS  # noqa: E402
from airpicture.evaluate.metrics import leg_phase  # noqa: E402
from airpicture.sim.square import square_scenario  # noqa: E402
from airpicture.track import Tracker, TrackerConfig  # noqa: E402
from airpicture.track.measurement import MeasurementConverter  # noqa: E402

SCAN_S = 4.0
WARMUP_S = 32.0
SIGMA_M = 150.0
START_S = 1_767_225_600.0  # square_scenario's default start time
#: (turn-rate low, high deg/s, memoryless legs?) per prior.
PRIORS = {"exact": (1.0, 3.0, False), "rates": (1.0, 3.0, True), "generic": (0.5, 4.0, True)}
MEAN_STRAIGHT_S, MEAN_TURN_S, TURN_SHARE = 75.0, 50.0, 0.35


@njit(cache=True)
def _predict(m, p, rate, tau, q, f, tmp):
    """Coordinated turn at ``rate`` (rad/s, positive clockwise as in the square) over ``tau``, in place, plus
    white-acceleration noise ``q``."""
    a = -rate
    if abs(a) < 1e-12:
        s, c, f02, f03, f12, f13 = 0.0, 1.0, tau, 0.0, 0.0, tau
    else:
        s, c = np.sin(a * tau), np.cos(a * tau)
        f02, f03, f12, f13 = s / a, -(1.0 - c) / a, (1.0 - c) / a, s / a
    x, y, vx, vy = m[0], m[1], m[2], m[3]
    m[0] = x + f02 * vx + f03 * vy
    m[1] = y + f12 * vx + f13 * vy
    m[2] = c * vx - s * vy
    m[3] = s * vx + c * vy
    f[0, 2], f[0, 3], f[1, 2], f[1, 3] = f02, f03, f12, f13
    f[2, 2], f[2, 3], f[3, 2], f[3, 3] = c, -s, s, c
    for i in range(4):
        for j in range(4):
            acc = 0.0
            for k in range(4):
                acc += f[i, k] * p[k, j]
            tmp[i, j] = acc
    for i in range(4):
        for j in range(4):
            acc = 0.0
            for k in range(4):
                acc += tmp[i, k] * f[j, k]
            p[i, j] = acc
    t3, t2, t1 = q * tau**3 / 3.0, q * tau**2 / 2.0, q * tau
    p[0, 0] += t3 + 1e-9
    p[1, 1] += t3 + 1e-9
    p[2, 2] += t1 + 1e-9
    p[3, 3] += t1 + 1e-9
    p[0, 2] += t2
    p[2, 0] += t2
    p[1, 3] += t2
    p[3, 1] += t2


@njit(cache=True)
def _leg_bounds(rate):
    """Shortest and longest duration (s) of a leg flown at ``rate`` under the exact prior."""
    if rate == 0.0:
        return 30.0, 120.0
    return np.radians(30.0) / abs(rate), np.radians(180.0) / abs(rate)


@njit(cache=True)
def _new_leg(k, i, rate, start, end, rate_lo, rate_hi, memoryless):
    start[i] = k
    if np.random.random() < TURN_SHARE:
        r = np.radians(np.random.uniform(rate_lo, rate_hi)) * (1.0 if np.random.random() < 0.5 else -1.0)
        rate[i] = r
        if memoryless:
            end[i] = k + np.random.exponential(MEAN_TURN_S)
        else:
            end[i] = k + np.radians(np.random.uniform(30.0, 180.0)) / abs(r)
    else:
        rate[i] = 0.0
        end[i] = k + (np.random.exponential(MEAN_STRAIGHT_S) if memoryless else np.random.uniform(30.0, 120.0))


@njit(cache=True)
def particle_filter(t, z, cov, n_p, seed, q, rate_lo, rate_hi, memoryless):
    """Posterior mean ``[x, y, vx, vy]`` at each plot of one aircraft (plane metres, seconds from the square's
    start; every aircraft starts a leg at 0, as in the generator); plot k at ``z[k]`` with covariance ``cov[k]``."""
    np.random.seed(seed)
    f, tmp = np.eye(4), np.zeros((4, 4))
    out = np.empty((t.size, 4))
    ms, ps = np.zeros((n_p, 4)), np.zeros((n_p, 4, 4))
    rate, start, end, logw = np.zeros(n_p), np.zeros(n_p), np.zeros(n_p), np.zeros(n_p)
    for i in range(n_p):
        _new_leg(0.0, i, rate, start, end, rate_lo, rate_hi, memoryless)
        ms[i, 0], ms[i, 1] = z[0, 0], z[0, 1]
        ps[i, 0, 0], ps[i, 0, 1], ps[i, 1, 0], ps[i, 1, 1] = cov[0, 0, 0], cov[0, 0, 1], cov[0, 1, 0], cov[0, 1, 1]
        ps[i, 2, 2] = ps[i, 3, 3] = 190.0**2  # speeds of 120-260 m/s in any direction
    t_prev = t[0]
    for k in range(t.size):
        tk = t[k]
        if k > 0:
            for i in range(n_p):
                m, p, tc = ms[i], ps[i], t_prev
                b = np.floor(tc) + 1.0
                while b <= tk:  # legs change on whole seconds
                    _predict(m, p, rate[i], b - tc, q, f, tmp)
                    tc = b
                    if b >= end[i]:
                        _new_leg(b, i, rate, start, end, rate_lo, rate_hi, memoryless)
                    b += 1.0
                _predict(m, p, rate[i], tk - tc, q, f, tmp)
                s00, s11, s01 = p[0, 0] + cov[k, 0, 0], p[1, 1] + cov[k, 1, 1], p[0, 1] + cov[k, 0, 1]
                det = s00 * s11 - s01 * s01
                i00, i11, i01 = s11 / det, s00 / det, -s01 / det
                v0, v1 = z[k, 0] - m[0], z[k, 1] - m[1]
                logw[i] += -0.5 * (v0 * (i00 * v0 + i01 * v1) + v1 * (i01 * v0 + i11 * v1)) - 0.5 * np.log(det)
                p0, p1 = p[0].copy(), p[1].copy()
                for r in range(4):
                    k0 = p0[r] * i00 + p1[r] * i01
                    k1 = p0[r] * i01 + p1[r] * i11
                    m[r] += k0 * v0 + k1 * v1
                    for c in range(4):
                        p[r, c] -= k0 * p0[c] + k1 * p1[c]
        t_prev = tk
        w = np.exp(logw - logw.max())
        w /= w.sum()
        for r in range(4):
            out[k, r] = (w * ms[:, r]).sum()
        if 1.0 / (w * w).sum() < 0.5 * n_p:  # systematic resampling
            cw = np.cumsum(w)
            u0 = np.random.random() / n_p
            idx = np.empty(n_p, dtype=np.int64)
            j = 0
            for i in range(n_p):
                while j < n_p - 1 and cw[j] < u0 + i / n_p:
                    j += 1
                idx[i] = j
            ms, ps = ms[idx].copy(), ps[idx].copy()
            rate, start, end = rate[idx].copy(), start[idx].copy(), end[idx].copy()
            logw[:] = 0.0
        else:
            logw -= logw.max()
        # Re-draw each leg's end from its prior given that it has not ended by the last whole second.
        last = np.floor(tk)
        for i in range(n_p):
            if memoryless:
                end[i] = last + 1e-6 + np.random.exponential(MEAN_TURN_S if rate[i] != 0.0 else MEAN_STRAIGHT_S)
            else:
                lo, hi = _leg_bounds(rate[i])
                lo = max(lo, last - start[i])
                if hi > lo:
                    end[i] = max(start[i] + np.random.uniform(lo, hi), last + 1e-6)
    return out


class Truth:
    """The square's truth per aircraft in the system plane (positions, plane velocities, turn rate)."""

    def __init__(self, scenario) -> None:
        tr = scenario.truth
        self.id = tr.column("target_id").to_numpy()
        self.t = tr.column("time_s").to_numpy() - START_S
        self.x, self.y = scenario.plane.to_xy(tr.column("lat_deg").to_numpy(), tr.column("lon_deg").to_numpy())
        self.rate = np.abs(tr.column("turn_rate_dps").to_numpy())
        self.since_leg_s, self.first_leg = leg_phase(tr)

    def errors(self, aircraft: int, t: np.ndarray, est: np.ndarray) -> np.ndarray:
        """(position error m, velocity error m/s, turning, judged, seconds since the leg began, first leg) per
        estimate; plane velocities of the truth by central differences of its 1 s positions (exact direction on a
        turn, speed within 0.05 %)."""
        sel = self.id == aircraft
        tt, x, y, rate = self.t[sel], self.x[sel], self.y[sel], self.rate[sel]
        since, first = self.since_leg_s[sel], self.first_leg[sel]
        vx, vy = np.gradient(x, tt), np.gradient(y, tt)
        k = np.clip(np.searchsorted(tt, t) - 1, 0, tt.size - 2)
        w = (t - tt[k]) / (tt[k + 1] - tt[k])

        def at(v):
            return v[k] + w * (v[k + 1] - v[k])

        pos = np.hypot(est[:, 0] - at(x), est[:, 1] - at(y))
        vel = np.hypot(est[:, 2] - at(vx), est[:, 3] - at(vy))
        judged = (t >= WARMUP_S) & (t <= tt[-1]) & (pos <= 2000.0)
        return np.stack([pos, vel, rate[k] > 0.5, judged, since[k] + (t - tt[k]), first[k]], axis=1)


def _rms(e: np.ndarray) -> tuple[float, float, float, float]:
    e = e[e[:, 3] > 0]
    st, tu = e[:, 2] == 0, e[:, 2] > 0

    def r(v):
        return float(np.sqrt(np.mean(v**2))) if v.size else float("nan")

    return r(e[st, 0]), r(e[tu, 0]), r(e[st, 1]), r(e[tu, 1])


#: Leg phases (seconds since the truth's current leg began) of the breakdown, as ``track_accuracy.py --phases``.
PHASES = ((0.0, 8.0), (8.0, 16.0), (16.0, 32.0), (32.0, 64.0), (64.0, np.inf))


def phase_rows(e: np.ndarray) -> list[tuple[str, int, float, float]]:
    """(phase, updates, position RMS m, velocity RMS m/s) per leg phase: turns by time into the turn, straight
    flight by time since the last turn ended, and straight first legs (no turn before them) apart."""
    e = e[e[:, 3] > 0]
    out = []
    for turning, what in ((1.0, "turn, {}–{} s in"), (0.0, "straight, {}–{} s after a turn")):
        for lo, hi in PHASES:
            sel = (e[:, 2] == turning) & (e[:, 4] >= lo) & (e[:, 4] < hi) & ((e[:, 5] == 0) | (turning > 0))
            name = what.format(f"{lo:.0f}", "" if np.isinf(hi) else f"{hi:.0f}").replace("–  s", "+ s")
            if sel.any():
                out.append((name.replace("– s", "+ s"), int(sel.sum()), *_rms_pair(e[sel])))
    sel = (e[:, 2] == 0) & (e[:, 5] > 0)
    if sel.any():
        out.append(("straight, first leg", int(sel.sum()), *_rms_pair(e[sel])))
    return out


def _rms_pair(e: np.ndarray) -> tuple[float, float]:
    return float(np.sqrt(np.mean(e[:, 0] ** 2))), float(np.sqrt(np.mean(e[:, 1] ** 2)))


def phase_plot(results: list[tuple[str, np.ndarray]], path: str, plots: str) -> None:
    """Position and velocity RMS by leg phase, one bar per filter (PNG); ``plots`` names the kind of plots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r[0] for r in phase_rows(results[0][1])]
    fig, ax = plt.subplots(2, 1, figsize=(12, 7.5), sharex=True)
    width = 0.8 / len(results)
    for i, (label, e) in enumerate(results):
        rows = {r[0]: r for r in phase_rows(e)}
        xs = np.arange(len(names)) + (i - (len(results) - 1) / 2) * width
        ax[0].bar(xs, [rows[n][2] if n in rows else np.nan for n in names], width, label=label)
        ax[1].bar(xs, [rows[n][3] if n in rows else np.nan for n in names], width, label=label)
    ax[0].set_ylabel("position RMS (m)")
    ax[1].set_ylabel("velocity RMS (m/s)")
    ax[1].set_xticks(np.arange(len(names)), names, rotation=30, ha="right")
    ax[0].legend(fontsize=8)
    ax[0].set_title(f"Filtered error by leg phase, {plots}: airpicture's IMM against the particle-filter reference")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def tracker_errors(scenario, truth: Truth, aircraft: np.ndarray) -> tuple[np.ndarray, float]:
    """airpicture's tracker on all the plots (clutter too); its updates of confirmed tracks scored per plot."""
    m = scenario.measurements
    plot_truth, plot_t = m.column("truth_id").to_numpy(), m.column("time_s").to_numpy()
    plots = m.drop(["truth_id"])
    tracker = Tracker(scenario.sensors, plane=scenario.plane)
    grid = np.arange(np.floor(plot_t[0]), plot_t[-1], SCAN_S)
    edges = np.searchsorted(plot_t, grid)
    c0 = time.process_time()
    rows = pa.concat_tables(
        [
            tracker.process(plots.slice(a, b - a), until_s=g)
            for a, b, g in zip(edges[:-1], edges[1:], grid[1:], strict=True)
        ]
    )
    cpu = time.process_time() - c0
    t = rows.column("time_s").to_numpy()
    status = np.asarray(rows.column("status").to_numpy(zero_copy_only=False), dtype=object)
    update = (np.abs(rows.column("last_update_s").to_numpy() - t) < 1e-9) & (status != "tentative")
    at = np.clip(np.searchsorted(plot_t, t), 0, plot_t.size - 1)
    own = np.where(update & (np.abs(plot_t[at] - t) < 1e-9), plot_truth[at], -1)
    lat, lon = rows.column("lat_deg").to_numpy(), rows.column("lon_deg").to_numpy()
    x, y = scenario.plane.to_xy(lat, lon)
    # A track states its velocity over the ground (true north, metres on the ellipsoid); the truth and the particles
    # live in the plane, whose grid north turns from true north by up to ~1 deg in the square and whose scale is not
    # quite 1: the plane velocity is the plane chord of the 1 s geodesic centred on the track's position.
    half = 0.5 * rows.column("ground_speed_kt").to_numpy() * KT_TO_MPS
    track_deg = rows.column("track_deg").to_numpy()
    geod = Geod(ellps="WGS84")
    lon1, lat1, _ = geod.fwd(lon, lat, track_deg, half)
    lon0, lat0, _ = geod.fwd(lon, lat, track_deg + 180.0, half)
    x1, y1 = scenario.plane.to_xy(lat1, lon1)
    x0, y0 = scenario.plane.to_xy(lat0, lon0)
    est = np.stack([x, y, x1 - x0, y1 - y0], axis=1)
    out = [truth.errors(a, t[own == a] - START_S, est[own == a]) for a in aircraft if (own == a).any()]
    return np.concatenate(out), cpu


def plots_in_plane(scenario) -> tuple[np.ndarray, np.ndarray]:
    """Every plot's position (n, 2) and covariance (n, 2, 2) in the system plane, in the scenario's row order.

    Cartesian plots: σ 150 m per axis. Polar plots: converted as the tracker converts them (with the plot's Mode C
    altitude), the covariance the conversion's cross-range variance and the range variance mapped to the ground,
    (σ_ρ·ρ/g)², without the tracker's allowance for an uncertain altitude (the reference only gains from it).
    """
    m = scenario.measurements
    if not scenario.polar:
        x, y = scenario.plane.to_xy(m.column("lat_deg").to_numpy(), m.column("lon_deg").to_numpy())
        r = np.zeros((m.num_rows, 2, 2))
        r[:, 0, 0] = r[:, 1, 1] = SIGMA_M**2
        return np.stack([x, y], 1), r
    config = TrackerConfig()
    batch = MeasurementConverter(scenario.sensors, scenario.plane, config).convert(m.drop(["truth_id"]))
    if len(batch) != m.num_rows:
        raise RuntimeError(f"{m.num_rows - len(batch)} plots rejected by the conversion")
    # Every square plot has Mode C, so the conversion already used the plot's own altitude.
    alt = m.column("alt_baro_ft").to_numpy() * FT_TO_M
    slant, site = m.column("range_m").to_numpy(), scenario.sensors[0]
    if np.isfinite(batch.slant_m).any():
        raise RuntimeError("polar plots without Mode C altitude")
    rx, ry = scenario.plane.to_xy(site.lat_deg, site.lon_deg)
    d = batch.xy_m - np.array([float(rx), float(ry)])
    norm = np.hypot(d[:, 0], d[:, 1])
    ux, uy = d[:, 0] / norm, d[:, 1] / norm
    r = batch.r_m2
    var_c = r[:, 0, 0] * uy * uy - 2 * r[:, 0, 1] * ux * uy + r[:, 1, 1] * ux * ux
    ground = ground_range_from_slant(slant, alt, site.alt_m)
    var_g = (site.sigma_range_m * slant / np.maximum(ground, 1.0)) ** 2
    out = np.empty_like(r)
    out[:, 0, 0] = var_g * ux * ux + var_c * uy * uy
    out[:, 1, 1] = var_g * uy * uy + var_c * ux * ux
    out[:, 0, 1] = out[:, 1, 0] = (var_g - var_c) * ux * uy
    return batch.xy_m.copy(), out


def filter_errors(scenario, truth: Truth, aircraft: np.ndarray, prior: str, particles: int, q: float):
    m = scenario.measurements
    plot_truth, plot_t = m.column("truth_id").to_numpy(), m.column("time_s").to_numpy() - START_S
    xy, r = plots_in_plane(scenario)
    rate_lo, rate_hi, memoryless = PRIORS[prior]
    out = []
    c0 = time.process_time()
    for n, a in enumerate(aircraft):
        sel = plot_truth == a
        if sel.sum() < 3:
            continue
        t = plot_t[sel]
        est = particle_filter(t, xy[sel], r[sel], particles, 1000 + int(a), q, rate_lo, rate_hi, memoryless)
        out.append(truth.errors(int(a), t, est))
        print(f"\r  {prior} prior, {particles} particles: aircraft {n + 1}/{aircraft.size}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return np.concatenate(out), time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="aircraft in the square (as track_accuracy.py)")
    ap.add_argument("--aircraft", type=int, default=60, help="how many of them to filter (the first ones)")
    ap.add_argument("--particles", type=int, nargs="+", default=[4000, 16000])
    ap.add_argument("--priors", nargs="+", default=["exact", "rates", "generic"], choices=list(PRIORS))
    ap.add_argument("--q", type=float, default=0.1, help="particles' white-acceleration density, m²/s³")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--polar", action="store_true", help="polar plots (σ 100 m, 0.05 deg) instead of Cartesian")
    ap.add_argument("--plot", metavar="PNG", help="also draw the error by leg phase of every filter")
    args = ap.parse_args()

    scenario = square_scenario(args.n, 600.0, polar=args.polar, seed=args.seed)
    truth = Truth(scenario)
    aircraft = np.arange(min(args.aircraft, args.n))
    rows, results = [], []
    e, cpu = tracker_errors(scenario, truth, aircraft)
    rows.append(("airpicture tracker (IMM)", "", int((e[:, 3] > 0).sum()), *_rms(e), cpu))
    results.append(("airpicture IMM", e))
    for prior in args.priors:
        for particles in args.particles:
            e, cpu = filter_errors(scenario, truth, aircraft, prior, particles, args.q)
            rows.append((f"particle filter, {prior} prior", particles, int((e[:, 3] > 0).sum()), *_rms(e), cpu))
            results.append((f"PF {prior}, {particles}", e))
    plots = "polar σ 100 m / 0.05 deg" if args.polar else f"Cartesian σ {SIGMA_M:.0f} m"
    print(f"\nBenchmark square N = {args.n}, seed {args.seed}, {plots}; aircraft 0–{aircraft[-1]}; "
          f"particles' q = {args.q} m²/s³")  # fmt: skip
    print(
        "| filter | particles | updates | pos RMS straight m | pos RMS turning m | vel RMS straight m/s "
        "| vel RMS turning m/s | CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, parts, n_upd, ps, pt, vs, vt, cpu in rows:
        print(f"| {name} | {parts} | {n_upd} | {ps:.1f} | {pt:.1f} | {vs:.2f} | {vt:.2f} | {cpu:.0f} |")
    print("| issue 3 target | | | 120 | 150 | 10 | 25 | |")
    print("\nBy leg phase, position RMS m / velocity RMS m/s (updates):")
    print("| phase | " + " | ".join(label for label, _ in results) + " |")
    print("|---|" + "---|" * len(results))
    per = [{r[0]: r for r in phase_rows(e)} for _, e in results]
    for name, n_upd, _, _ in phase_rows(results[0][1]):
        cells = [f"{p[name][2]:.0f} / {p[name][3]:.1f}" if name in p else "" for p in per]
        print(f"| {name} ({n_upd}) | " + " | ".join(cells) + " |")
    if args.plot:
        phase_plot(results, args.plot, f"N = {args.n}, {plots}")
        print(f"\nPlot: {args.plot}")
    print("\nReproduce: .venv/bin/python benchmarks/track_accuracy_bound.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
