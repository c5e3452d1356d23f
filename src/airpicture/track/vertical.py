"""Vertical tracking: a two-state Kalman filter on pressure altitude, separate from the horizontal IMM.

Barometric altitude (Mode C, Mode S, ADS-B) is quantised and flown in levels, so ARTAS-style trackers keep it apart
from the horizontal plane. State ``[h_m, ḣ_mps]`` with white vertical acceleration of density q::

    h ← h + Δt ḣ,   P ← F P Fᵀ + q [[Δt³/3, Δt²/2], [Δt²/2, Δt]],
    K = P Hᵀ / (P₀₀ + r),   H = [1 0].

A report more than ``max(6σ, 500 m)`` off the prediction is a garble and is rejected (counted), unless the track
has had no altitude for 30 s (then the filter restarts). All scalar formulas, vectorised over tracks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.track import kernels
from airpicture.track.store import TrackStore


def update_altitude(
    store: TrackStore,
    slots: NDArray[np.int64],
    time_s: NDArray[np.float64],
    alt_m: NDArray[np.float64],
    sigma_m: float,
    q_m2s3: float,
) -> int:
    """Fuse one altitude report per slot (slots must be unique); returns the number rejected as garbles.

    The formulas above run as one compiled pass over the reports (:func:`airpicture.track.kernels.update_altitude`:
    ~30 numpy calls per slice were most of this filter's time at small N)."""
    return kernels.update_altitude(
        store.alt_m, store.vrate_mps, store.palt, store.alt_time_s,
        np.ascontiguousarray(slots, dtype=np.int64), np.ascontiguousarray(time_s, dtype=np.float64),
        np.ascontiguousarray(alt_m, dtype=np.float64), float(sigma_m), float(q_m2s3),
    )  # fmt: skip
