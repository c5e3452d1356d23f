"""Multi-scan evidence against straight flight in a turn: an experiment on the IMM, measured and not kept.

On the benchmark square the IMM's turning error sits in steady turns, where the straight models (quiet and
high-noise NCV, turn rate pinned to 0) keep ~20 % of the probability: one σ 150 m plot per 4 s barely tells a
2 deg/s turn from straight flight, and the switching chain refills them at every step. A particle filter keeps
each hypothesis' history and accumulates evidence over many scans. This script gives the IMM that memory without
changing the tracker: each pinned model gets a *probe* — a non-interacting Kalman filter at the model's pinned
turn rate (ω = 0: near-constant velocity), restarted from the IMM's combined estimate — and a Page CUSUM on the
probe's innovations (log-likelihood ratio of an innovation covariance inflated ``inflation`` times against the
probe's own: ``g ← max(0, g + ½ NIS (1 − 1/c) − ln c)``, drift −0.64 per scan on straight flight at c = 4). An
alarm (``g > threshold``) rejects "this model all along since the probe's restart"; the probe then restarts.
Two actions on the model probabilities after the IMM update (before the next mixing):

- ``hold``: the alarmed models' probabilities × ``cut`` at the alarm and the ``hold`` updates after it (a crude
  turn-regime flag);
- ``stale``: only the share of the model's mass that *predates the probe's restart* is removed, the share the
  alarm actually rejects. Under the IMM's own switching chain that share follows
  ``φ_j(n) = π_jj(Δt) φ_j(n−1) μ_j(n−1) / c̄_j(n)`` (reset to 1 at each restart); the mass that entered the model
  since (e.g. a turn that has just ended) is kept.

The runs hook the experiment onto the quiet twin's step (a subclass of ``QuietTwin``; the tracker is unchanged),
so "--variants none" reproduces ``track_accuracy.py``'s figures. ``--chain`` runs a Monte Carlo of steady turns
(60 aircraft: straight 60 s, 1.8 deg/s for 180 s, straight 60 s; σ 150 m, 4 s) with the default tracker and
prints, per phase, the mean model probabilities and the share of each that has stayed in its model for at least
k scans (the most any multi-scan test of "this model for k scans" could remove).

    .venv/bin/python benchmarks/track_turn_evidence.py                       # N = 500 Cartesian, all variants
    .venv/bin/python benchmarks/track_turn_evidence.py --chain --variants none
    .venv/bin/python benchmarks/track_turn_evidence.py --modes polar --variants none stale-h3
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This script's folder holds benchmarks/coverage.py, which would shadow the `coverage` package numba imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from numba import njit  # noqa: E402

from airpicture.core.geodesy import SystemPlane  # noqa: E402
from airpicture.core.schema import MEASUREMENT, table_from_columns  # noqa: E402
from airpicture.core.sensors import Sensor  # noqa: E402
from airpicture.track import Tracker, TrackerConfig  # noqa: E402
from airpicture.track import tracker as tracker_module  # noqa: E402
from airpicture.track.kernels import _turn_terms  # noqa: E402
from airpicture.track.predictor import MotionModels, switching_matrix  # noqa: E402
from airpicture.track.quiet_twin import QuietTwin, combine_slot  # noqa: E402

#: name: (models probed: "straight" = pinned to ω = 0, "pinned" = every pinned model; action; probe q m²/s³;
#: inflation c; CUSUM threshold; cut; hold updates)
VARIANTS = {
    "none": None,
    "hold-h5": ("straight", "hold", 0.01, 4.0, 5.0, 0.5, 3),
    "hold-h12": ("straight", "hold", 0.01, 4.0, 12.0, 0.5, 3),
    "hold-cut0.7": ("straight", "hold", 0.01, 4.0, 5.0, 0.7, 3),
    "hold-1": ("straight", "hold", 0.01, 4.0, 5.0, 0.5, 1),
    "hold-1-cut0.7": ("straight", "hold", 0.01, 4.0, 5.0, 0.7, 1),
    "stale-h5": ("straight", "stale", 0.01, 4.0, 5.0, 1.0, 0),
    "stale-h3": ("straight", "stale", 0.01, 4.0, 3.0, 1.0, 0),
    "stale-h2": ("straight", "stale", 0.01, 4.0, 2.0, 1.0, 0),
    "stale-pinned-h5": ("pinned", "stale", 0.05, 4.0, 5.0, 1.0, 0),
    "stale-pinned-h3": ("pinned", "stale", 0.05, 4.0, 3.0, 1.0, 0),
    # ("age", scans, χ² threshold): p = 0.01 / 0.001 of χ²(2 · scans)
    "age2-p01": ("age", 2, 13.28),
    "age2-p001": ("age", 2, 18.47),
    "age3-p01": ("age", 3, 16.81),
    "age3-p001": ("age", 3, 22.46),
    "age4-p001": ("age", 4, 26.12),
}


class ModelEvidence:
    """Probes, CUSUMs and the stale-share recursion of one tracker (arrays per track slot, grown with the store)."""

    def __init__(self, models: MotionModels, variant: tuple) -> None:
        probed, action, self.q, self.inflation, self.threshold, self.cut, self.hold = variant
        self.probed = np.ascontiguousarray(
            models.pinned & (models.omega == 0.0) if probed == "straight" else models.pinned, dtype=np.bool_
        )
        self.stale = action == "stale"
        self.omega = np.where(models.pinned, models.omega, 0.0)
        self.sojourn = np.ascontiguousarray(models.sojourn_s, dtype=np.float64)
        m = models.n
        self.equal = models.switch_to is None
        self.switch = np.zeros((m, m)) if self.equal else np.ascontiguousarray(models.switch_to, dtype=np.float64)
        self.m, self.capacity = m, 0
        #: per model: alarms, the model's probability summed at its alarms, and its stale share summed there
        self.alarms = np.zeros((m, 3))

    def _grow(self, capacity: int) -> None:
        old, m = self.capacity, self.m
        for name, shape, fill, dtype in (
            ("x", (m, 4), 0.0, np.float64),
            ("p", (m, 4, 4), 0.0, np.float64),
            ("time_s", (), np.nan, np.float64),
            ("owner", (), -1, np.int64),
            ("g", (m,), 0.0, np.float64),
            ("left", (m,), 0, np.int64),
            ("prev_mu", (m,), 0.0, np.float64),
            ("phi", (m,), 1.0, np.float64),
        ):
            new = np.full((capacity, *shape), fill, dtype=dtype)
            if old:
                new[:old] = getattr(self, name)
            setattr(self, name, new)
        self.capacity = capacity

    def after_update(self, store, slots, time_s, z, r) -> None:
        if slots.size == 0:
            return
        if store.capacity > self.capacity:
            self._grow(store.capacity)
        _evidence_step(
            np.ascontiguousarray(slots, dtype=np.int64), np.ascontiguousarray(time_s, dtype=np.float64),
            np.ascontiguousarray(z, dtype=np.float64), np.ascontiguousarray(r, dtype=np.float64),
            store.x, store.p, store.mu, store.xc, store.pc, store.track_id, store.icao24,
            self.x, self.p, self.time_s, self.owner, self.g, self.left, self.prev_mu, self.phi,
            self.probed, self.omega, self.sojourn, self.switch, self.equal, self.stale,
            self.q, self.inflation, self.threshold, self.cut, self.hold, self.alarms,
        )  # fmt: skip


@njit(cache=True)
def _evidence_step(
    slots, time_s, z, r, sx, sp, smu, sxc, spc, strack, sicao, tx, tp, tt, towner, tg, tleft, pmu, phi,
    probed, omega, sojourn, switch_to, equal_switch, stale, q, inflation, threshold, cut, hold, alarms,
):  # fmt: skip
    """Per updated slot: stale-share recursion, probe Kalman step at each probed model's pinned rate, CUSUM,
    then the action on the model probabilities and the restarts (from the combined estimate)."""
    m = smu.shape[1]
    f = np.zeros((4, 4))
    fp = np.empty((4, 4))
    xp = np.empty(4)
    pp = np.empty((4, 4))
    log_c = math.log(inflation)
    gain = 0.5 * (1.0 - 1.0 / inflation)
    restart = np.zeros(m, np.bool_)
    for i in range(slots.size):
        s = slots[i]
        dt = time_s[i] - tt[s]
        start = towner[s] != strack[s] or not np.isfinite(dt) or sicao[s] >= 0
        changed = False
        for j in range(m):
            restart[j] = start
        if not start:
            ad = abs(dt)
            for j in range(m):
                if not probed[j]:
                    continue
                cb = 0.0
                for k in range(m):
                    leave = 1.0 - math.exp(-ad / sojourn[k])
                    pkj = leave / (m - 1) if equal_switch else leave * switch_to[k, j]
                    if k == j:
                        pkj = 1.0 - leave
                    cb += pkj * pmu[s, k]
                phi[s, j] = min(1.0, math.exp(-ad / sojourn[j]) * phi[s, j] * pmu[s, j] / max(cb, 1e-300))
                sn, cs, a1, b1, _, _ = _turn_terms(omega[j] * dt)
                f[0, 0] = 1.0
                f[1, 1] = 1.0
                f[0, 2] = a1 * dt
                f[0, 3] = -b1 * dt
                f[1, 2] = b1 * dt
                f[1, 3] = a1 * dt
                f[2, 2] = cs
                f[2, 3] = -sn
                f[3, 2] = sn
                f[3, 3] = cs
                for u in range(4):
                    acc = 0.0
                    for v in range(4):
                        acc += f[u, v] * tx[s, j, v]
                    xp[u] = acc
                for u in range(4):
                    for v in range(4):
                        acc = 0.0
                        for w in range(4):
                            acc += f[u, w] * tp[s, j, w, v]
                        fp[u, v] = acc
                for u in range(4):
                    for v in range(4):
                        acc = 0.0
                        for w in range(4):
                            acc += fp[u, w] * f[v, w]
                        pp[u, v] = acc
                qa = q * ad
                for u in range(2):
                    pp[u, u] += qa * ad * ad / 3.0
                    pp[u, u + 2] += qa * dt / 2.0
                    pp[u + 2, u] += qa * dt / 2.0
                    pp[u + 2, u + 2] += qa
                s00 = pp[0, 0] + r[i, 0, 0]
                s01 = pp[0, 1] + r[i, 0, 1]
                s11 = pp[1, 1] + r[i, 1, 1]
                det = max(s00 * s11 - s01 * s01, 1e-12)
                i00, i01, i11 = s11 / det, -s01 / det, s00 / det
                nu0 = z[i, 0] - xp[0]
                nu1 = z[i, 1] - xp[1]
                nis = nu0 * nu0 * i00 + 2.0 * nu0 * nu1 * i01 + nu1 * nu1 * i11
                tg[s, j] = max(0.0, tg[s, j] + gain * nis - log_c)
                if tg[s, j] > threshold:
                    alarms[j, 0] += 1.0
                    alarms[j, 1] += smu[s, j]
                    alarms[j, 2] += smu[s, j] * phi[s, j]
                    restart[j] = True
                    if stale:
                        smu[s, j] = max(smu[s, j] * (1.0 - cut * phi[s, j]), 1e-4)
                        changed = True
                    else:
                        tleft[s, j] = hold + 1
                    continue
                for u in range(4):
                    k0 = pp[u, 0] * i00 + pp[u, 1] * i01
                    k1 = pp[u, 0] * i01 + pp[u, 1] * i11
                    tx[s, j, u] = xp[u] + k0 * nu0 + k1 * nu1
                    for v in range(4):
                        tp[s, j, u, v] = pp[u, v] - (k0 * pp[0, v] + k1 * pp[1, v])
                for u in range(4):
                    for v in range(u + 1, 4):
                        w2 = 0.5 * (tp[s, j, u, v] + tp[s, j, v, u])
                        tp[s, j, u, v] = w2
                        tp[s, j, v, u] = w2
        for j in range(m):
            if start:
                tleft[s, j] = 0
            if tleft[s, j] > 0:
                smu[s, j] *= cut
                tleft[s, j] -= 1
                changed = True
        if changed:
            tot = 0.0
            for j in range(m):
                tot += smu[s, j]
            for j in range(m):
                smu[s, j] /= tot
            combine_slot(sx, sp, smu, sxc, spc, s)
        for j in range(m):
            if probed[j] and restart[j]:
                for u in range(4):
                    tx[s, j, u] = sxc[s, u]
                    for v in range(4):
                        tp[s, j, u, v] = spc[s, u, v]
                tg[s, j] = 0.0
                phi[s, j] = 1.0
            pmu[s, j] = smu[s, j]
        tt[s] = time_s[i]
        towner[s] = strack[s]


def hooked_twin(variant: tuple | None, made: list):
    """A QuietTwin that runs the experiment after its own step (``made`` collects the experiments)."""

    class Hooked(QuietTwin):
        def __init__(self, models, *args, **kwargs) -> None:
            super().__init__(models, *args, **kwargs)
            if variant is None:
                self.evidence = None
            elif variant[0] == "age":
                self.evidence = AgeEvidence(models, variant[1], variant[2])
            else:
                self.evidence = ModelEvidence(models, variant)
            made.append(self.evidence)

        def after_update(self, store, slots, time_s, z, r) -> None:
            super().after_update(store, slots, time_s, z, r)
            if self.evidence is not None:
                self.evidence.after_update(store, slots, time_s, z, r)

    return Hooked


def square_runs(args) -> None:
    spec = importlib.util.spec_from_file_location("track_accuracy", HERE / "track_accuracy.py")
    accuracy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(accuracy)
    head = f"{'variant':<18}{'input':<18}{'GOSPA/√N':>9}{'filt pos str/turn m':>21}{'filt vel str/turn m/s':>23}"
    print(head + f"{'pic pos str/turn':>18}{'id sw':>7}{'ids':>7}{'drop s':>7}  alarms (first probe: μ, stale μ)")
    for name in args.variants:
        for mode in args.modes:
            made: list = []
            tracker_module.QuietTwin = hooked_twin(VARIANTS[name], made)
            try:
                f = accuracy.figures(args.n, mode == "polar", 600.0, 1, TrackerConfig())
            finally:
                tracker_module.QuietTwin = QuietTwin
            ev = made[0] if made else None
            note = ""
            if isinstance(ev, AgeEvidence):
                a = ev.alarms
                note = f"tests {a[0]:.0f}, rejected {a[1]:.0f}, straight μ removed {a[2] / max(a[1], 1):.3f} each"
            elif ev is not None:
                a = ev.alarms
                j = int(np.flatnonzero(ev.probed)[0])
                note = f"{int(a[:, 0].sum())} ({a[j, 1] / max(a[j, 0], 1):.3f}, {a[j, 2] / max(a[j, 0], 1):.3f})"
            print(
                f"{name:<18}{f'N={args.n} {mode}':<18}{f['gospa_per_sqrt_n_m']:>9.2f}"
                f"{f['filtered_pos_rms_straight_m']:>11.2f}/{f['filtered_pos_rms_turning_m']:<9.2f}"
                f"{f['filtered_vel_rms_straight_mps']:>13.3f}/{f['filtered_vel_rms_turning_mps']:<9.3f}"
                f"{f['pos_rms_straight_m']:>11.1f}/{f['pos_rms_turning_m']:<6.1f}{f['switches_per_aircraft']:>7.3f}"
                f"{f['track_ids_per_aircraft']:>7.3f}{f['drop_latency_max_s']:>7.0f}  {note}",
                flush=True,
            )


T0_S = 1_767_225_600.0


def steady_turns(seed: int = 7):
    """60 aircraft 150 km apart at 200 m/s: straight 60 s, a 1.8 deg/s turn (either way) for 180 s, straight 60 s;
    one σ 150 m plot every 4 s each. Returns the plots and the truth (time, x, y, vx, vy) per aircraft."""
    plane = SystemPlane(13.5, 2.1)
    rng = np.random.default_rng(seed)
    tables, truth = [], []
    ts = np.arange(0.0, 300.0, 0.5)
    for k in range(60):
        rate = np.where((ts >= 60) & (ts < 240), math.radians(1.8) * (1 if k % 2 else -1), 0.0)
        heading = rng.uniform(0, 2 * np.pi) + np.concatenate([[0.0], np.cumsum(rate[:-1] * 0.5)])
        vx, vy = 200.0 * np.cos(heading), 200.0 * np.sin(heading)
        x = (k % 8) * 150e3 - 500e3 + np.concatenate([[0.0], np.cumsum(vx[:-1] * 0.5)])
        y = (k // 8) * 150e3 - 500e3 + np.concatenate([[0.0], np.cumsum(vy[:-1] * 0.5)])
        truth.append(np.stack([x, y, vx, vy]))
        tp = np.arange(rng.uniform(0, 4), 299.0, 4.0)
        lat, lon = plane.to_latlon(
            np.interp(tp, ts, x) + rng.normal(0, 150, tp.size), np.interp(tp, ts, y) + rng.normal(0, 150, tp.size)
        )
        n = tp.size
        tables.append(table_from_columns(
            MEASUREMENT,
            {"time_s": T0_S + tp, "sensor": np.full(n, "radar"), "kind": np.full(n, "psr"), "lat_deg": lat,
             "lon_deg": lon, "sigma_h_m": np.full(n, 150.0)},
            n,
        ))  # fmt: skip
    table = pa.concat_tables(tables)
    return plane, table.take(np.argsort(table.column("time_s").to_numpy())), ts, np.array(truth)


def run_steady_turns(zeroed: list[int] | None = None):
    """The default tracker on :func:`steady_turns`; ``zeroed``: models whose probability an *oracle* sets to 1e-4
    after every update between 64 s into the turn and its end. Returns per update (track, time, μ, xc)."""
    plane, table, _, _ = steady_turns()
    radar = Sensor("radar", "psr", 13.5, 2.1, rotation_period_s=4.0, sigma_range_m=60.0, sigma_azimuth_deg=0.07)
    log: list = []

    class Logged(QuietTwin):
        def after_update(self, store, slots, time_s, z, r) -> None:
            super().after_update(store, slots, time_s, z, r)
            for s, t in zip(slots, time_s, strict=True):
                if zeroed and 124.0 <= t - T0_S < 240.0:
                    mu = store.mu[s]
                    mu[zeroed] = 1e-4
                    mu /= mu.sum()
                    store.xc[s] = mu @ store.x[s, :, :4]
                    d = store.x[s, :, :4] - store.xc[s]
                    store.pc[s] = np.einsum("j,jab->ab", mu, store.p[s, :, :4, :4] + d[:, :, None] * d[:, None, :])
                log.append((int(store.track_id[s]), t - T0_S, store.mu[s].copy(), store.xc[s].copy()))

    tracker_module.QuietTwin = Logged
    try:
        tracker = Tracker([radar], plane=plane, config=TrackerConfig())
    finally:
        tracker_module.QuietTwin = QuietTwin
    times = table.column("time_s").to_numpy()
    for g in np.arange(T0_S + 4.0, T0_S + 300.0 + 1e-9, 4.0):
        tracker.process(table.filter(pa.array((times >= g - 4.0) & (times < g))), until_s=g)
    return log


PHASES = ((60, 92, "turn, 0-32 s in"), (92, 124, "turn, 32-64 s in"), (124, 240, "turn, > 64 s in"),
          (240, 272, "straight, 0-32 s after"), (272, 300, "straight, 32-60 s after"))  # fmt: skip


def chain_shares() -> None:
    """Steady-turn Monte Carlo: model probabilities and their age in the model (default tracker), and the errors
    of the default tracker against oracles that remove the straight (and fixed-rate) models in the steady turn."""
    bank = TrackerConfig().motion_models()
    pi = switching_matrix(np.array([4.0]), bank.sojourn_s, bank.switch_to)[0]
    ages = (1, 2, 3, 4, 6)
    _, _, ts, truth = steady_turns()
    names = ["quiet", "+1.2", "-1.2", "+2.5", "-2.5", "high", "CT-EKF"][: bank.n]
    straight = np.flatnonzero(bank.pinned & (bank.omega == 0.0)).tolist()
    for label, zeroed in (
        ("default", None),
        ("oracle: straight models zeroed > 64 s into the turn", straight),
        ("oracle: straight and fixed-rate models zeroed > 64 s into the turn", np.flatnonzero(bank.pinned).tolist()),
    ):
        log = run_steady_turns(zeroed)
        t = np.array([e[1] for e in log])
        xc = np.array([e[3] for e in log])
        # Truth at each update time (0.5 s grid, linear), the aircraft nearest the estimate (150 km apart).
        g = np.clip(t / 0.5, 0, ts.size - 1.000001)
        lo_i, w = g.astype(int), (g % 1.0)[None, None, :]
        here = truth[:, :, lo_i] * (1 - w) + truth[:, :, lo_i + 1] * w  # (aircraft, 4, updates)
        k = np.argmin(np.hypot(here[:, 0] - xc[:, 0], here[:, 1] - xc[:, 1]), axis=0)
        near = here[k, :, np.arange(t.size)]  # (updates, 4)
        err_pos = np.hypot(*(near[:, :2] - xc[:, :2]).T)
        err_vel = np.hypot(*(near[:, 2:] - xc[:, 2:]).T)
        print(f"# {label}: filtered RMS by phase")
        for lo, hi, phase in PHASES:
            sel = (t >= lo) & (t < hi)
            pos, vel = np.sqrt((err_pos[sel] ** 2).mean()), np.sqrt((err_vel[sel] ** 2).mean())
            print(f"#   {phase:<26}{pos:7.1f} m{vel:7.1f} m/s")
        if zeroed is not None:
            continue
        rows_t, rows_mu, rows_old = [], [], []
        for tid in sorted({e[0] for e in log}):
            seq = [(e[1], e[2]) for e in log if e[0] == tid]
            frac = np.ones((max(ages) + 1, bank.n))
            for n in range(1, len(seq)):
                prev, mu = seq[n - 1][1], seq[n][1]
                new = np.ones_like(frac)
                new[1:] = np.minimum(np.diag(pi) * prev * frac[:-1] / (prev @ pi), 1.0)
                frac = new
                rows_t.append(seq[n][0])
                rows_mu.append(mu)
                rows_old.append(mu * frac)
        tm, mu, old = np.array(rows_t), np.array(rows_mu), np.array(rows_old)
        print("# default: mean model probabilities, and the share of each that has stayed in its model >= k scans")
        for lo, hi, phase in PHASES[1:3] + PHASES[4:]:
            sel = (tm >= lo) & (tm < hi)
            shares = " ".join(f"{n}={v:.3f}" for n, v in zip(names, mu[sel].mean(0), strict=True))
            print(f"#   {phase} ({sel.sum()} updates): {shares}")
            for k in ages:
                shares = " ".join(f"{n}={v:.3f}" for n, v in zip(names, old[sel, k].mean(0), strict=True))
                print(f"#       in it >= {k} scans: {shares}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--modes", nargs="+", default=["cartesian"])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--chain", action="store_true", help="the steady-turn Monte Carlo of model-probability ages")
    args = ap.parse_args()
    print(f"# {' '.join(sys.argv)}", flush=True)
    if args.chain:
        chain_shares()
    square_runs(args)
    print("# reproduce: .venv/bin/python benchmarks/track_turn_evidence.py " + " ".join(sys.argv[1:]))
    return 0


class AgeEvidence:
    """Variant 'age': a ring of ``age`` straight probes per track, staggered one update apart, so that at every
    update one probe has flown straight for exactly ``age`` updates from the combined estimate of then. Its summed
    NIS tests "straight for the last ``age`` scans" (χ² with 2·age degrees of freedom, threshold ``chi2``); when
    rejected, the share of each straight model's mass that has been in it for at least ``age`` scans (the IMM's
    own chain: ``f_k(n) = π_jj μ_j(n−1) f_(k−1)(n−1) / c̄_j(n)``) is removed. Then that probe restarts."""

    def __init__(self, models: MotionModels, age: int, chi2: float, q: float = 0.01) -> None:
        self.straight = np.ascontiguousarray(models.pinned & (models.omega == 0.0), dtype=np.bool_)
        self.sojourn = np.ascontiguousarray(models.sojourn_s, dtype=np.float64)
        m = models.n
        self.equal = models.switch_to is None
        self.switch = np.zeros((m, m)) if self.equal else np.ascontiguousarray(models.switch_to, dtype=np.float64)
        self.m, self.age, self.chi2, self.q, self.capacity = m, age, chi2, q, 0
        #: tests, rejections, straight probability removed
        self.alarms = np.zeros(3)

    def _grow(self, capacity: int) -> None:
        old, m, a = self.capacity, self.m, self.age
        for name, shape, fill, dtype in (
            ("x", (a, 4), 0.0, np.float64),
            ("p", (a, 4, 4), 0.0, np.float64),
            ("nis", (a,), 0.0, np.float64),
            ("count", (a,), 0, np.int64),
            ("time_s", (), np.nan, np.float64),
            ("owner", (), -1, np.int64),
            ("prev_mu", (m,), 0.0, np.float64),
            ("frac", (m, a + 1), 1.0, np.float64),
        ):
            new = np.full((capacity, *shape), fill, dtype=dtype)
            if old:
                new[:old] = getattr(self, name)
            setattr(self, name, new)
        self.capacity = capacity

    def after_update(self, store, slots, time_s, z, r) -> None:
        if slots.size == 0:
            return
        if store.capacity > self.capacity:
            self._grow(store.capacity)
        _age_step(
            np.ascontiguousarray(slots, dtype=np.int64), np.ascontiguousarray(time_s, dtype=np.float64),
            np.ascontiguousarray(z, dtype=np.float64), np.ascontiguousarray(r, dtype=np.float64),
            store.x, store.p, store.mu, store.xc, store.pc, store.track_id, store.icao24,
            self.x, self.p, self.nis, self.count, self.time_s, self.owner, self.prev_mu, self.frac,
            self.straight, self.sojourn, self.switch, self.equal, self.q, self.chi2, self.alarms,
        )  # fmt: skip


@njit(cache=True)
def _age_step(
    slots, time_s, z, r, sx, sp, smu, sxc, spc, strack, sicao, tx, tp, tnis, tcount, tt, towner, pmu, frac,
    straight, sojourn, switch_to, equal_switch, q, chi2, stats,
):  # fmt: skip
    """Per updated slot: age shares of the straight models, the probe ring's Kalman steps, the due probe's test."""
    m = smu.shape[1]
    n_age = tcount.shape[1]
    for i in range(slots.size):
        s = slots[i]
        dt = time_s[i] - tt[s]
        start = towner[s] != strack[s] or not np.isfinite(dt) or sicao[s] >= 0
        if start:
            for b in range(n_age):
                tcount[s, b] = -b
            for j in range(m):
                for k in range(n_age + 1):
                    frac[s, j, k] = 1.0
        else:
            ad = abs(dt)
            for j in range(m):
                if not straight[j]:
                    continue
                cb = 0.0
                for k in range(m):
                    leave = 1.0 - math.exp(-ad / sojourn[k])
                    pkj = leave / (m - 1) if equal_switch else leave * switch_to[k, j]
                    if k == j:
                        pkj = 1.0 - leave
                    cb += pkj * pmu[s, k]
                stay = math.exp(-ad / sojourn[j]) * pmu[s, j] / max(cb, 1e-300)
                for k in range(n_age, 0, -1):
                    frac[s, j, k] = min(1.0, stay * frac[s, j, k - 1])
                frac[s, j, 0] = 1.0
            for b in range(n_age):
                if tcount[s, b] < 0:
                    continue
                x = tx[s, b]
                p = tp[s, b]
                # NCV prediction.
                x0 = x[0] + dt * x[2]
                x1 = x[1] + dt * x[3]
                p00 = p[0, 0] + 2 * dt * p[0, 2] + dt * dt * p[2, 2] + q * ad * ad * ad / 3.0
                p01 = p[0, 1] + dt * (p[0, 3] + p[2, 1]) + dt * dt * p[2, 3]
                p11 = p[1, 1] + 2 * dt * p[1, 3] + dt * dt * p[3, 3] + q * ad * ad * ad / 3.0
                p02 = p[0, 2] + dt * p[2, 2] + q * ad * dt / 2.0
                p03 = p[0, 3] + dt * p[2, 3]
                p12 = p[1, 2] + dt * p[3, 2]
                p13 = p[1, 3] + dt * p[3, 3] + q * ad * dt / 2.0
                p22 = p[2, 2] + q * ad
                p23 = p[2, 3]
                p33 = p[3, 3] + q * ad
                pp = np.array([[p00, p01, p02, p03], [p01, p11, p12, p13], [p02, p12, p22, p23], [p03, p13, p23, p33]])
                xp = np.array([x0, x1, x[2], x[3]])
                s00 = p00 + r[i, 0, 0]
                s01 = p01 + r[i, 0, 1]
                s11 = p11 + r[i, 1, 1]
                det = max(s00 * s11 - s01 * s01, 1e-12)
                i00, i01, i11 = s11 / det, -s01 / det, s00 / det
                nu0 = z[i, 0] - x0
                nu1 = z[i, 1] - x1
                tnis[s, b] += nu0 * nu0 * i00 + 2.0 * nu0 * nu1 * i01 + nu1 * nu1 * i11
                for u in range(4):
                    k0 = pp[u, 0] * i00 + pp[u, 1] * i01
                    k1 = pp[u, 0] * i01 + pp[u, 1] * i11
                    x[u] = xp[u] + k0 * nu0 + k1 * nu1
                    for v in range(4):
                        p[u, v] = pp[u, v] - (k0 * pp[0, v] + k1 * pp[1, v])
                tcount[s, b] += 1
        for b in range(n_age):
            due = tcount[s, b] == n_age
            if due:
                stats[0] += 1.0
                if tnis[s, b] > chi2:
                    stats[1] += 1.0
                    tot = 0.0
                    for j in range(m):
                        if straight[j]:
                            removed = smu[s, j] * frac[s, j, n_age]
                            stats[2] += removed
                            smu[s, j] = max(smu[s, j] - removed, 1e-4)
                        tot += smu[s, j]
                    for j in range(m):
                        smu[s, j] /= tot
                    combine_slot(sx, sp, smu, sxc, spc, s)
            if due or tcount[s, b] <= 0:
                if tcount[s, b] < 0 and not start:
                    tcount[s, b] += 1
                if tcount[s, b] == 0 or due:
                    for u in range(4):
                        tx[s, b, u] = sxc[s, u]
                        for v in range(4):
                            tp[s, b, u, v] = spc[s, u, v]
                    tnis[s, b] = 0.0
                    tcount[s, b] = 0
        for j in range(m):
            pmu[s, j] = smu[s, j]
        tt[s] = time_s[i]
        towner[s] = strack[s]


if __name__ == "__main__":
    raise SystemExit(main())
