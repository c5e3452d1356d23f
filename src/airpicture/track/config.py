"""Tracker parameters, in SI units, with the reasons for their defaults.

One ``TrackerConfig`` per tracker; an airspace whose traffic differs (a TMA against en-route) gets its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airpicture.track.predictor import MotionModels


@dataclass
class TrackerConfig:
    """Every tunable of the tracker (defaults tuned on the benchmark square and the Niger scenario)."""

    # --- time ---------------------------------------------------------------------------------------------------
    #: Measurements wait this long behind the newest time seen so late arrivals can still be put in order.
    reorder_window_s: float = 2.0
    #: Released measurements are processed in slices of this length; a track may get at most one plot per radar per
    #: slice, so the slice must stay under every radar's rotation period. None: 0.9 × the shortest rotation period
    #: of the known radars (1 s without radars). Longer slices mean fewer, larger vectorised steps.
    slice_s: float | None = None
    #: A measurement more than this ahead of the sensors' consensus time comes from a wrong clock and is rejected.
    max_future_s: float = 30.0

    # --- motion models (IMM) --------------------------------------------------------------------------------------
    #: The IMM's model bank, one (q m²/s³, turn rate deg/s or None, mean sojourn s, turn-rate noise (deg/s)²/s) per
    #: model. q is the power spectral density of the white acceleration. A turn rate pins the model's ω (0: near-
    #: constant velocity, NCV; positive turns left); None makes it a coordinated-turn EKF that estimates ω, which
    #: then wanders as a random walk of the given density. The bank, in order:
    #:
    #: - a quiet NCV (cruise wanders by cm/s²); its 500 s sojourn keeps the manoeuvre models' probability low in
    #:   straight flight, where every bit of it leaks their spread into the quiet model at each mixing (measured on
    #:   the benchmark square: straight-flight position RMS 133 → 126 m against 200 s, turns unchanged);
    #: - four fixed-rate turns (±1.2, ±2.5 deg/s) that catch a turn entry in one or two scans, with the right sign;
    #:   q = 0.5, not 2: the rate between two fixed rates is the estimated turn's job, and a fixed-rate model with
    #:   little noise tells a turn from noise sooner (benchmark square, N = 500: filtered turning position RMS
    #:   155.6 → 154.7 m Cartesian, 215.6 → 213.8 m polar; GOSPA/√N −0.5 / −1.3 m);
    #: - a high-noise NCV for turn exits and speed changes (q 20: at q 5 the square's turns gain 1 % more, but a
    #:   2.5 m/s² speed change is followed 40 % worse);
    #: - a coordinated-turn EKF with its turn rate estimated and almost constant (q_ω = 0.001 (deg/s)²/s), which the
    #:   fixed-rate models hand the turn to: it flies the turn at its own rate instead of between two fixed rates.
    models: tuple[tuple[float, float | None, float, float], ...] = (
        (0.05, 0.0, 500.0, 0.0),
        (0.5, 1.2, 20.0, 0.0),
        (0.5, -1.2, 20.0, 0.0),
        (0.5, 2.5, 20.0, 0.0),
        (0.5, -2.5, 20.0, 0.0),
        (20.0, 0.0, 6.0, 0.0),
        (0.05, None, 30.0, 0.001),
    )
    #: Relative weights of where each model goes when it is left (row: from, column: to, in the order of
    #: ``models``; the diagonal is ignored). None: to the others equally. Straight flight enters a turn through a
    #: fixed-rate model or the high-noise model more than directly through the estimated turn; a fixed-rate turn
    #: goes on mostly into the estimated turn, ends into straight flight or the high-noise model, or changes rate
    #: in the same direction, never reverses at once; the estimated turn ends into straight flight or the
    #: high-noise model and rarely falls back to a fixed rate (each such step mixes a wrong rate into it).
    model_switch_weights: tuple[tuple[float, ...], ...] | None = (
        (0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.5),
        (1.0, 0.0, 0.0, 0.5, 0.0, 1.0, 2.0),
        (1.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.0),
        (1.0, 0.5, 0.0, 0.0, 0.0, 1.0, 2.0),
        (1.0, 0.0, 0.5, 0.0, 0.0, 1.0, 2.0),
        (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0),
        (1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 0.0),
    )
    #: A new track starts with the model probabilities the switching chain spends its time in (its stationary
    #: distribution: ~86 % quiet straight flight with the default bank) instead of all models equal.
    prior_model_probabilities: bool = True
    #: A non-interacting copy of the quiet straight-flight model per track (:mod:`airpicture.track.quiet_twin`)
    #: takes that model's place while its probability is at least ``quiet_twin_threshold`` and the twin's own
    #: innovation is plausible (NIS below ``quiet_twin_nis``): the IMM's mixing no longer leaks the manoeuvre
    #: models' spread into straight flight. Benchmark square, N = 500: picture straight-flight position RMS
    #: 124 → 119 m Cartesian, 182 → 176 m polar; GOSPA/√N −3 m; turns and identity unchanged (thresholds 0.1–0.5
    #: within 1 m of each other).
    quiet_twin: bool = True
    quiet_twin_threshold: float = 0.3
    quiet_twin_nis: float = 16.0
    #: The twin's acceleration density (m²/s³; None: the quiet model's q). 0.01 lets cruise speed wander by
    #: ~1 m/s per 100 s (wind, autopilot); the twin is used only while the IMM and its own innovations say
    #: straight flight. N = 500: straight position RMS 119 → 117 m Cartesian, 176 → 174 m polar against q = 0.05.
    quiet_twin_q_m2s3: float | None = 0.01
    #: Velocity prior (per axis) of a track started from one plot: an aircraft may fly any way at up to ~300 m/s.
    init_speed_sigma_mps: float = 180.0

    # --- association -----------------------------------------------------------------------------------------------
    #: Mahalanobis gate for plots without identity (chi² with 2 degrees of freedom). Wide, because a filter lags in
    #: turn transitions; global nearest neighbour with the log-likelihood cost settles the competition. At 40 a
    #: turning aircraft after a missed plot fell outside its gate and started a second track: 100 cut identity
    #: switches at N = 2,000 on the benchmark square from 0.034 to ~0.02 per aircraft for ~5 % more CPU.
    gate_chi2: float = 100.0
    #: Kinematic gate for reports that carry a Mode S address; failing it flags the report (spoofing, corruption).
    identity_gate_chi2: float = 60.0
    #: An address-matched track not updated for this long is re-started from the report instead of gated.
    identity_restart_after_s: float = 60.0
    #: Extra assignment cost of a tentative track, so a confirmed track wins a plot both could take.
    tentative_cost: float = 20.0
    #: Extra assignment cost when the plot's Mode 3/A code differs from the track's.
    squawk_mismatch_cost: float = 30.0
    #: Largest gate radius looked at in the plane (m); bounds the spatial search.
    max_gate_radius_m: float = 30_000.0

    # --- track life ----------------------------------------------------------------------------------------------
    #: M of M-of-N confirmation: plots for a track without identity, reports for one with a Mode S address.
    confirm_hits_plots: int = 3
    confirm_hits_identity: int = 2
    #: Multiples of the track's expected update interval without update before coasting / deletion. 3.1 drops a
    #: confirmed track just after its third missed radar scan; 2.1 drops a tentative track at its second.
    coast_after_intervals: float = 1.5
    delete_after_intervals: float = 3.1
    tentative_delete_after_intervals: float = 2.1
    #: Expected interval between reports for ADS-B and multilateration (radars use their rotation period).
    report_interval_s: float = 4.0
    #: A dropped confirmed track is remembered this long; a new track that confirms on its extrapolated path takes
    #: its track number back (track continuity through a run of missed detections).
    memory_s: float = 60.0
    #: Updates in a row that bring a dropped (lost) track back into the picture with its old number. One: the
    #: plot lies in the lost track's own gate and no confirmed track took it (a lost track pays ``tentative_cost``
    #: in the assignment). On the benchmark square (N = 500) 1 instead of 2 halves the aircraft-epochs missed
    #: after a run of three missed scans (129 → 65) and lowers GOSPA/√N by 4–5 m; false tracks unchanged.
    recover_hits: int = 1
    #: Chi² (4 degrees of freedom) on position and velocity below which a track with a Mode S address and a track
    #: without one are the same aircraft and merge into one system track.
    merge_chi2: float = 14.0
    merge_radius_m: float = 5_000.0

    # --- measurement models ----------------------------------------------------------------------------------------
    #: 1-sigma per axis when a report says nothing about its accuracy.
    default_sigma_h_m: float = 150.0
    #: Altitude assumed to convert a polar plot without Mode C (and its spread, which widens the range error);
    #: once the plot is associated with a track that has an altitude, the plot is converted again with it.
    assumed_alt_m: float = 3_000.0
    assumed_alt_sigma_m: float = 3_000.0
    #: Reports farther than this from the plane's centre are absurd.
    max_plane_radius_m: float = 4_000_000.0

    # --- vertical --------------------------------------------------------------------------------------------------
    #: 1-sigma of a pressure-altitude report (25 ft Mode S quantisation, 100 ft Mode C).
    sigma_alt_m: float = 15.0
    #: Vertical acceleration spectral density (m²/s³) of the altitude filter.
    q_alt_m2s3: float = 0.5

    # --- output ----------------------------------------------------------------------------------------------------
    #: A sensor counts in a track's ``sources`` while it updated the track within this time.
    sources_memory_s: float = 30.0

    def model_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(q m²/s³, pinned turn rate rad/s or NaN where estimated, sojourn s, turn-rate noise rad²/s³) arrays of
        the IMM model bank; a model given as (q, rate, sojourn) has no turn-rate noise."""
        rows = [tuple(m) + (0.0,) * (4 - len(m)) for m in self.models]
        if not rows or any(len(r) != 4 for r in rows):
            raise ValueError("models: one (q, turn rate deg/s or None, sojourn s[, turn-rate noise]) per model")
        bank = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float64)
        if (bank[:, 0] < 0).any() or (bank[:, 2] <= 0).any() or (bank[:, 3] < 0).any():
            raise ValueError("models: q and turn-rate noise must be >= 0 and sojourn times > 0")
        return bank[:, 0].copy(), np.radians(bank[:, 1]), bank[:, 2].copy(), np.radians(np.radians(bank[:, 3]))

    def motion_models(self) -> MotionModels:
        """The model bank as the arrays the predictor works on."""
        q, omega, sojourn, q_omega = self.model_arrays()
        return MotionModels(q, omega, sojourn, self.switch_matrix(), q_omega)

    def switch_matrix(self) -> np.ndarray | None:
        """Row-normalised ``model_switch_weights`` with a zero diagonal, or None (leave towards the others equally)."""
        if self.model_switch_weights is None:
            return None
        w = np.asarray(self.model_switch_weights, dtype=np.float64)
        m = len(self.models)
        if w.shape != (m, m) or (w < 0).any():
            raise ValueError(
                f"model_switch_weights must be a non-negative {m}x{m} matrix (one row and column per model); "
                "None switches towards the other models equally"
            )
        w = w.copy()
        np.fill_diagonal(w, 0.0)
        rows = w.sum(axis=1, keepdims=True)
        if (rows <= 0).any():
            raise ValueError("every model must be able to go to another one")
        return w / rows


#: An alternative IMM bank, more accurate in turns and slower: the quiet NCV, twelve quiet fixed turn rates
#: ±1.0, 1.4, 1.8, 2.2, 2.6, 3.0 deg/s (q 0.05, 25 s sojourn; a turn goes on at the next rate up or down in the same
#: direction, 0.3, ends into straight flight or the high-noise model, 1 each, or hands over to the estimated turn,
#: 0.5), the high-noise NCV and the estimated-turn EKF (for rates the grid does not hold). Each rate keeps its own
#: state through a steady turn and accumulates the evidence of many scans, as the particles of a Bayes filter do.
#: On the benchmark square (N = 50 / 500 / 2,000) against the default bank: filtered turning position 152.8 / 154.7 /
#: 155.3 → 150.3 / 152.3 / 152.8 m, turning velocity 27.1 / 26.9 / 27.1 → 26.4 / 26.4 / 26.5 m/s, polar GOSPA/√N
#: 220.1 / 220.1 / 224.3 → 216.7 / 217.2 / 221.5 m, straight flight within ±0.1 m/s; a 4 / 5 deg/s turn 166 / 197 m
#: against 178 / 225 m. Cost: the IMM step over 15 models instead of 7, 21–27 % of the tracker's CPU at N = 50–500
#: (docs/tracker.md, "A denser bank of quiet turn rates"). Use: ``TrackerConfig(**TURN_RATE_GRID_BANK)``.
TURN_RATE_GRID_BANK: dict[str, tuple] = {
    "models": (
        (0.05, 0.0, 500.0, 0.0),
        *((0.05, sign * rate, 25.0, 0.0) for rate in (1.0, 1.4, 1.8, 2.2, 2.6, 3.0) for sign in (1.0, -1.0)),
        (20.0, 0.0, 6.0, 0.0),
        (0.05, None, 30.0, 0.001),
    ),
    "model_switch_weights": (
        (0.0, *([1.0 / 3.0] * 12), 2.0, 0.5),
        *((1.0, *(0.3 if j != i and abs(j - i) == 2 else 0.0 for j in range(12)), 1.0, 0.5) for i in range(12)),
        (*([1.0] * 13), 0.0, 1.0),
        (1.0, *([0.1 / 3.0] * 12), 1.0, 0.0),
    ),
}
