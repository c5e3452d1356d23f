"""All tracks as one structure of arrays: a slot per track, reused after deletion, capacity grown by doubling.

Holding tracks this way (rather than one object per track, as Stone Soup does) is what lets every stage of the
tracker run as a handful of numpy calls over all tracks at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.track import kernels
from airpicture.track.predictor import N_KINEMATIC, N_STATE

FREE, TENTATIVE, CONFIRMED, COASTING, LOST = 0, 1, 2, 3, 4
#: LOST tracks are out of the picture (dropped after missed scans) but kept ``memory_s`` so that the aircraft, if
#: seen again, gets its old track number back; they are never output.
STATUS_NAMES = np.array(["", "tentative", "confirmed", "coasting", "lost"], dtype=object)
#: Turn-rate prior (1σ, rad/s) of a state started without one: airliners turn at up to ~3 deg/s (rate one).
INIT_TURN_RATE_SIGMA_RPS = float(np.radians(1.5))
_NO_SENSOR = np.empty(0, np.int32)


class TrackStore:
    """Track state and bookkeeping, indexed by slot. ``status == FREE`` marks an unused slot."""

    def __init__(
        self,
        capacity: int = 256,
        n_sensors: int = 1,
        n_models: int = 3,
        init_turn_rate_sigma_rps: float = INIT_TURN_RATE_SIGMA_RPS,
    ) -> None:
        self.n_models = n_models
        self.init_turn_rate_sigma_rps = init_turn_rate_sigma_rps
        self.capacity = 0
        self.n_sensors = max(n_sensors, 1)
        self._free: list[int] = []
        self.next_track_id = 1
        self._allocate(capacity)

    # Horizontal IMM state per model ([x, y, vx, vy, ω]), the time it refers to, and the model probabilities.
    x: NDArray[np.float64]
    p: NDArray[np.float64]
    mu: NDArray[np.float64]
    # The moment-matched combination of the models, kinematic part [x, y, vx, vy] only (kept up to date at every
    # update: gating, merging and output use it).
    xc: NDArray[np.float64]
    pc: NDArray[np.float64]
    time_s: NDArray[np.float64]
    # Vertical filter: altitude, vertical rate, covariance (p00, p01, p11), time of the last altitude.
    alt_m: NDArray[np.float64]
    vrate_mps: NDArray[np.float64]
    palt: NDArray[np.float64]
    alt_time_s: NDArray[np.float64]
    # Life.
    status: NDArray[np.int8]
    track_id: NDArray[np.int64]
    hits: NDArray[np.int32]
    created_s: NDArray[np.float64]
    # Identity learned from reports.
    icao24: NDArray[np.int64]
    callsign: NDArray[np.str_]
    squawk: NDArray[np.str_]
    cooperative: NDArray[np.bool_]
    # Last update time by each sensor (sources, expected update interval).
    sensor_time_s: NDArray[np.float64]

    def _allocate(self, capacity: int) -> None:
        old = self.capacity
        spec: dict[str, tuple[tuple[int, ...], object, object]] = {
            "x": ((self.n_models, N_STATE), np.float64, 0.0),
            "p": ((self.n_models, N_STATE, N_STATE), np.float64, 0.0),
            "mu": ((self.n_models,), np.float64, 0.0),
            "xc": ((N_KINEMATIC,), np.float64, 0.0),
            "pc": ((N_KINEMATIC, N_KINEMATIC), np.float64, 0.0),
            "time_s": ((), np.float64, np.nan),
            "alt_m": ((), np.float64, np.nan),
            "vrate_mps": ((), np.float64, 0.0),
            "palt": ((3,), np.float64, 0.0),
            "alt_time_s": ((), np.float64, np.nan),
            "status": ((), np.int8, FREE),
            "track_id": ((), np.int64, -1),
            "hits": ((), np.int32, 0),
            "created_s": ((), np.float64, np.nan),
            "icao24": ((), np.int64, -1),
            "callsign": ((), "<U8", ""),
            "squawk": ((), "<U4", ""),
            "cooperative": ((), np.bool_, False),
            "sensor_time_s": ((self.n_sensors,), np.float64, -np.inf),
        }
        for name, (shape, dtype, fill) in spec.items():
            new = np.full((capacity, *shape), fill, dtype=dtype)
            if old:
                new[:old] = getattr(self, name)
            setattr(self, name, new)
        self._free.extend(range(capacity - 1, old - 1, -1))
        self.capacity = capacity

    def ensure_sensors(self, n_sensors: int) -> None:
        if n_sensors > self.n_sensors:
            grown = np.full((self.capacity, n_sensors), -np.inf)
            grown[:, : self.n_sensors] = self.sensor_time_s
            self.sensor_time_s = grown
            self.n_sensors = n_sensors

    def allocate(self, n: int) -> NDArray[np.int64]:
        """Reserve ``n`` slots with fresh track numbers (status still FREE: the caller sets it)."""
        if n > len(self._free):
            self._allocate(max(2 * self.capacity, self.capacity + n))
        slots = np.array([self._free.pop() for _ in range(n)], dtype=np.int64)
        self.track_id[slots] = np.arange(self.next_track_id, self.next_track_id + n)
        self.next_track_id += n
        return slots

    def release(self, slots: NDArray[np.int64]) -> None:
        if slots.size == 0:
            return
        self.status[slots] = FREE
        self.track_id[slots] = -1
        self.icao24[slots] = -1
        self.callsign[slots] = ""
        self.squawk[slots] = ""
        self.cooperative[slots] = False
        self.hits[slots] = 0
        self.alt_m[slots] = np.nan
        self.alt_time_s[slots] = np.nan
        self.vrate_mps[slots] = 0.0
        self.sensor_time_s[slots] = -np.inf
        self._free.extend(slots.tolist())

    def set_state(self, slots: NDArray[np.int64], x, p, mu) -> None:
        """Write the models' state and refresh the combined estimate. A kinematic state (..., 4) — a track started
        from one report — gets ω = 0 with the turn-rate prior."""
        kernels.set_state(
            self.x, self.p, self.mu, self.xc, self.pc, np.ascontiguousarray(slots, dtype=np.int64),
            np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(p, dtype=np.float64),
            np.ascontiguousarray(mu, dtype=np.float64), self.init_turn_rate_sigma_rps**2,
        )  # fmt: skip

    def start(
        self,
        slots: NDArray[np.int64],
        time_s: NDArray[np.float64],
        xy_m: NDArray[np.float64],
        r_m2: NDArray[np.float64],
        speed_sigma_mps: float,
        mu: NDArray[np.float64],
        rows: NDArray[np.int64] | None = None,
        sensor: NDArray[np.int32] | None = None,
    ) -> None:
        """Start tentative tracks in ``slots`` (from :meth:`allocate`), one per report ``rows`` of the report arrays
        (all of them by default): every model at the report with zero velocity (σ ``speed_sigma_mps`` per axis) and
        zero turn rate (the turn-rate prior), model probabilities ``mu`` (M,); with ``sensor`` (per report), the
        sensor's update time too. One compiled pass (state, combined estimate, times, status, hits)."""
        time_s = np.ascontiguousarray(time_s, dtype=np.float64)
        kernels.start_tracks(
            self.x, self.p, self.mu, self.xc, self.pc, self.time_s, self.created_s, self.status, self.hits,
            self.sensor_time_s, np.ascontiguousarray(slots, dtype=np.int64),
            np.arange(time_s.size, dtype=np.int64) if rows is None else np.ascontiguousarray(rows, dtype=np.int64),
            time_s, np.ascontiguousarray(xy_m, dtype=np.float64), np.ascontiguousarray(r_m2, dtype=np.float64),
            _NO_SENSOR if sensor is None else np.ascontiguousarray(sensor, dtype=np.int32),
            float(speed_sigma_mps) ** 2, self.init_turn_rate_sigma_rps**2, np.ascontiguousarray(mu, dtype=np.float64),
        )  # fmt: skip

    def live(self) -> NDArray[np.int64]:
        return np.nonzero(self.status != FREE)[0]

    @property
    def n_live(self) -> int:
        return int(np.count_nonzero(self.status != FREE))
