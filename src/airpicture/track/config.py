"""Tracker parameters, in SI units, with the reasons for their defaults.

One ``TrackerConfig`` per tracker; an airspace whose traffic differs (a TMA against en-route) gets its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    #: The IMM's model bank, one (q m²/s³, turn rate deg/s, mean sojourn s) per model. q is the power spectral
    #: density of the white acceleration; a turn rate of 0 is near-constant velocity (positive turns left). Cruise
    #: wanders by cm/s², so the quiet model smooths hard; four fixed-rate coordinated turns (±1.2 and ±2.5 deg/s)
    #: bracket the 1–3 deg/s turns of airliners; the high-noise model takes turn entries and speed changes. A 20 s
    #: sojourn in the turn models keeps a turn model through a turn yet lets go soon after the turn ends.
    models: tuple[tuple[float, float, float], ...] = (
        (0.05, 0.0, 200.0),
        (2.0, 1.2, 20.0),
        (2.0, -1.2, 20.0),
        (2.0, 2.5, 20.0),
        (2.0, -2.5, 20.0),
        (40.0, 0.0, 6.0),
    )
    #: Relative weights of where each model goes when it is left (row: from, column: to, in the order of
    #: ``models``; the diagonal is ignored). None: to the others equally. Straight flight enters a turn through the
    #: high-noise model as often as directly; a turn ends into straight flight or changes rate in the same direction,
    #: never reverses at once (a reversal passes through straight flight). Measured on the benchmark square against
    #: equal switching: position RMS in turns −5 %, velocity RMS in turns −11 % (docs/tracker.md).
    model_switch_weights: tuple[tuple[float, ...], ...] | None = (
        (0.0, 1.0, 1.0, 1.0, 1.0, 2.0),
        (1.0, 0.0, 0.0, 0.5, 0.0, 1.0),
        (1.0, 0.0, 0.0, 0.0, 0.5, 1.0),
        (1.0, 0.5, 0.0, 0.0, 0.0, 1.0),
        (1.0, 0.0, 0.5, 0.0, 0.0, 1.0),
        (1.0, 1.0, 1.0, 1.0, 1.0, 0.0),
    )
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

    def model_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(q m²/s³, turn rate rad/s, sojourn s) arrays of the IMM model bank."""
        bank = np.asarray(self.models, dtype=np.float64).reshape(-1, 3)
        return bank[:, 0].copy(), np.radians(bank[:, 1]), bank[:, 2].copy()

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
