"""Per-aircraft decoder state as numpy columns keyed by 24-bit address, with expiry so memory stays bounded.

A live receiver hears a few hundred aircraft; a noisy one also "hears" thousands of addresses recovered from
corrupted Address/Parity replies. So slots are created only for addresses proven by a checked parity (DF11, DF17,
DF18), the others are only looked up, and slots not heard for ``ttl_s`` are dropped at most every ``sweep_s``.

Lookup is a binary search over the sorted address column, so a batch of frames is resolved to slots in one call.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: column name → (dtype, fill value for a new slot)
COLUMNS: dict[str, tuple[type, float | int | bool]] = {
    "address": (np.uint32, 0),
    "last_seen_s": (np.float64, -np.inf),
    # last accepted position
    "pos_t": (np.float64, -np.inf),
    "pos_lat": (np.float64, np.nan),
    "pos_lon": (np.float64, np.nan),
    # last even and odd CPR reports (raw), for pairing across batches
    "even_t": (np.float64, -np.inf),
    "even_lat": (np.int64, 0),
    "even_lon": (np.int64, 0),
    "even_surface": (np.bool_, False),
    "odd_t": (np.float64, -np.inf),
    "odd_lat": (np.int64, 0),
    "odd_lon": (np.int64, 0),
    "odd_surface": (np.bool_, False),
    # ADS-B quality (operational status, target state)
    "adsb_version": (np.int8, -1),
    "nic_a": (np.int8, 0),
    "nacp": (np.int8, -1),
    # identity memory
    "callsign_bits": (np.uint64, 0),
    "squawk": (np.int16, -1),
    # kinematics for Comm-B 5,0 / 6,0 disambiguation
    "kin_t": (np.float64, -np.inf),
    "ground_speed_kt": (np.float64, np.nan),
    "track_deg": (np.float64, np.nan),
    "heading_deg": (np.float64, np.nan),
}


class AircraftState:
    """Structure-of-arrays keyed by address. ``cols[name][slot]``."""

    def __init__(self, ttl_s: float = 300.0, sweep_s: float = 30.0, capacity: int = 1024) -> None:
        self.ttl_s = ttl_s
        self.sweep_s = sweep_s
        self.size = 0
        self.cols: dict[str, NDArray] = {
            name: np.full(capacity, fill, dtype=dtype) for name, (dtype, fill) in COLUMNS.items()
        }
        self._sorted_addr = np.zeros(0, dtype=np.uint32)
        self._sorted_slot = np.zeros(0, dtype=np.int64)
        self._last_sweep_s = -np.inf

    def __len__(self) -> int:
        return self.size

    def lookup(self, address: NDArray[np.uint32]) -> NDArray[np.int64]:
        """Slot of each address, -1 where unknown."""
        if self._sorted_addr.size == 0:
            return np.full(address.shape, -1, dtype=np.int64)
        idx = np.searchsorted(self._sorted_addr, address)
        idx = np.minimum(idx, self._sorted_addr.size - 1)
        found = self._sorted_addr[idx] == address
        return np.where(found, self._sorted_slot[idx], -1)

    def ensure(self, address: NDArray[np.uint32]) -> NDArray[np.int64]:
        """Slot of each address, creating slots for new ones."""
        slots = self.lookup(address)
        missing = slots < 0
        if missing.any():
            new = np.unique(address[missing])
            self._grow(self.size + new.size)
            new_slots = np.arange(self.size, self.size + new.size)
            for name, (_, fill) in COLUMNS.items():
                self.cols[name][new_slots] = fill
            self.cols["address"][new_slots] = new
            self.size += new.size
            self._reindex()
            slots = self.lookup(address)
        return slots

    def _grow(self, needed: int) -> None:
        capacity = self.cols["address"].size
        if needed <= capacity:
            return
        new_capacity = max(needed, capacity * 2)
        for name, (dtype, fill) in COLUMNS.items():
            grown = np.full(new_capacity, fill, dtype=dtype)
            grown[: self.size] = self.cols[name][: self.size]
            self.cols[name] = grown

    def _reindex(self) -> None:
        addr = self.cols["address"][: self.size]
        order = np.argsort(addr, kind="stable")
        self._sorted_addr = addr[order]
        self._sorted_slot = order.astype(np.int64)

    def expire(self, now_s: float) -> int:
        """Drop aircraft not heard for ``ttl_s`` (at most once per ``sweep_s``); returns how many were dropped."""
        if now_s - self._last_sweep_s < self.sweep_s:
            return 0
        self._last_sweep_s = now_s
        keep = self.cols["last_seen_s"][: self.size] >= now_s - self.ttl_s
        dropped = int(self.size - keep.sum())
        if dropped:
            kept = np.nonzero(keep)[0]
            for name in COLUMNS:
                col = self.cols[name]
                col[: kept.size] = col[kept]
            self.size = kept.size
            self._reindex()
        return dropped
