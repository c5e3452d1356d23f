"""Sensor models: radars, ADS-B receivers and multilateration, each observing the whole fleet in one call per step.

Every model takes the fleet's state at both ends of a step (:class:`~airpicture.sim.traffic.Kinematics`) and
returns :class:`Rows`, a structure of arrays with one entry per measurement; the scenario joins the rows of all
sensors, sorts them by time and turns them into one Measurement table. Events inside a step (a beam crossing, a
squitter) are timed exactly and the aircraft's state at that instant is interpolated between the step's ends.

Line of sight uses a 4/3 earth (standard refraction): a target is visible when the central angle between sensor and
target on the effective earth of radius ``k·R`` is below the sum of both radio horizons,
``θ ≤ acos(kR/(kR+h_s)) + acos(kR/(kR+h_t))``. Terrain is not modelled here (the coverage stage does that).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from airpicture.core.geodesy import haversine_m, initial_bearing_deg, slant_range_from_ground
from airpicture.core.schema import MEASUREMENT_KINDS
from airpicture.core.sensors import Sensor
from airpicture.core.units import EARTH_RADIUS_M, M_TO_FT, MPS_TO_FPM, MPS_TO_KT
from airpicture.sim.traffic import XPDR_ADSB, XPDR_MODE_AC, XPDR_MODE_S, Fleet, Kinematics

K_REFRACTION = 4.0 / 3.0
SPEED_OF_LIGHT_MPS = 299_792_458.0
KIND_CODE = {k: i for i, k in enumerate(MEASUREMENT_KINDS)}

#: Identity flags of a row: which of the aircraft's identity fields the message carries.
HAS_ICAO, HAS_CALLSIGN, HAS_SQUAWK = 1, 2, 4

#: ADS-B NACp → 95 % horizontal accuracy bound EPU (m), DO-260B table.
NACP_EPU_M = {11: 3.0, 10: 10.0, 9: 30.0, 8: 92.6, 7: 185.2, 6: 555.6, 5: 926.0, 4: 1852.0}
#: A circular 2-D Gaussian holds 95 % of its mass within 2.448 σ (σ per axis).
EPU_TO_SIGMA = 1.0 / 2.4477


def nacp_sigma_m(nacp: NDArray) -> NDArray:
    """Per-axis 1-σ position error consistent with a NACp (the error the simulator draws and reports)."""
    table = np.full(16, np.nan)
    for k, v in NACP_EPU_M.items():
        table[k] = v * EPU_TO_SIGMA
    return table[np.clip(np.asarray(nacp, dtype=np.intp), 0, 15)]


ROW_FIELDS: dict[str, type] = {
    "time_s": np.float64,
    "sensor": np.int32,  # index into the scenario's sensor list
    "kind": np.int8,  # index into MEASUREMENT_KINDS
    "aircraft": np.int64,  # fleet index; -1 for clutter
    "lat_deg": np.float64,
    "lon_deg": np.float64,
    "range_m": np.float64,
    "azimuth_deg": np.float64,
    "alt_baro_ft": np.float64,
    "ground_speed_kt": np.float64,
    "track_deg": np.float64,
    "vertical_rate_fpm": np.float64,
    "sigma_h_m": np.float64,
    "nacp": np.float64,  # NaN = null
    "nic": np.float64,
    "tc": np.float64,  # ADS-B type code, NaN for non-ADS-B rows
    "ident": np.int8,  # HAS_* flags
    "emergency": np.int8,  # index into traffic.EMERGENCIES; 0 = none
    "cpr_odd": np.bool_,  # which CPR format an ADS-B position was sent in (for frame encoding)
    "selected_alt_ft": np.float64,  # ADS-B target state (TC 29): the autopilot's selected altitude
}


def _default(name: str, n: int) -> NDArray:
    dtype = np.dtype(ROW_FIELDS[name])
    fill = np.nan if dtype.kind == "f" else (-1 if name == "aircraft" else 0)
    return np.full(n, fill, dtype=dtype)


@dataclass
class Rows:
    """Measurements of one or more sensors as parallel arrays (see :data:`ROW_FIELDS`).

    Columns a model does not set are absent until :meth:`concat` fills them with nulls (NaN) or zeros, once per
    step rather than once per model call.
    """

    cols: dict[str, NDArray]
    n: int

    @classmethod
    def make(cls, n: int, **values: object) -> Rows:
        cols: dict[str, NDArray] = {}
        for name, v in values.items():
            if v is None:
                continue
            dtype = ROW_FIELDS[name]
            cols[name] = np.full(n, v, dtype=dtype) if np.ndim(v) == 0 else np.asarray(v, dtype=dtype)
        return cls(cols, n)

    @classmethod
    def concat(cls, parts: list[Rows]) -> Rows:
        parts = [p for p in parts if p.n]
        n = sum(p.n for p in parts)
        cols = {
            name: np.concatenate([p.cols[name] if name in p.cols else _default(name, p.n) for p in parts])
            if parts
            else _default(name, 0)
            for name in ROW_FIELDS
        }
        return cls(cols, n)

    def take(self, idx: NDArray) -> Rows:
        return Rows({k: v[idx] for k, v in self.cols.items()}, len(idx))

    def __len__(self) -> int:
        return self.n


def line_of_sight(ground_m: NDArray, sensor_alt_m: float | NDArray, target_alt_m: NDArray) -> NDArray[np.bool_]:
    """True where the target is above the radio horizon of a 4/3 earth (terrain ignored)."""
    re = K_REFRACTION * EARTH_RADIUS_M
    h_s = np.maximum(sensor_alt_m, 0.0)
    h_t = np.maximum(target_alt_m, 0.0)
    horizon = np.arccos(re / (re + h_s)) + np.arccos(re / (re + h_t))
    return ground_m / re <= horizon


def _quantise(values: NDArray, step: float) -> NDArray:
    return np.round(values / step) * step


def _eligible(fleet: Fleet, k0: Kinematics, k1: Kinematics) -> NDArray[np.bool_]:
    """Real aircraft in flight over the whole step (a ghost has no body a radar could see)."""
    return k0.active & k1.active & (fleet.ghost_receiver < 0)


@dataclass
class RadarModel:
    """A rotating radar: primary (skin echo), secondary (transponder reply, Mode S) or both on one antenna.

    The beam points at azimuth ``360°·(t − north_time_s)/T``; each target is plotted at the instant the beam
    crosses it, with range/azimuth noise from the sensor description. PSR and SSR detections are independent
    Bernoulli draws; when both see the target the plot is a combined ``psr_ssr`` plot carrying the reply's
    identity and Mode C/S altitude. Clutter arrives as a Poisson number of primary-only plots per scan, spread
    uniformly over the covered area and stamped with the beam's time at their azimuth.
    """

    sensor: Sensor
    sac: int = 0
    sic: int = 1
    pd_psr: float = 0.9
    pd_ssr: float = 0.98
    psr_range_max_m: float = 185e3
    ssr_range_max_m: float = 460e3
    clutter_per_scan: float = 5.0
    range_min_m: float = 1000.0
    north_time_s: float = 0.0
    _last_hit: NDArray | None = field(default=None, repr=False)

    @property
    def period_s(self) -> float:
        assert self.sensor.rotation_period_s is not None
        return float(self.sensor.rotation_period_s)

    @property
    def has_psr(self) -> bool:
        return self.sensor.kind in ("psr", "psr_ssr")

    @property
    def has_ssr(self) -> bool:
        return self.sensor.kind in ("ssr", "psr_ssr", "modes")

    def beam_azimuth_deg(self, time_s: NDArray | float) -> NDArray:
        return (360.0 * (np.asarray(time_s) - self.north_time_s) / self.period_s) % 360.0

    def observe(
        self, sensor_index: int, fleet: Fleet, k0: Kinematics, k1: Kinematics, rng: np.random.Generator
    ) -> Rows:
        t0, t1 = k0.time_s, k1.time_s
        dt = t1 - t0
        if self._last_hit is None or len(self._last_hit) != fleet.n:
            self._last_hit = np.full(fleet.n, -np.inf)
        s = self.sensor
        reach = max(self.psr_range_max_m if self.has_psr else 0.0, self.ssr_range_max_m if self.has_ssr else 0.0)
        cand = np.flatnonzero(_eligible(fleet, k0, k1) & _near(fleet, k0, s, reach))
        az0 = initial_bearing_deg(s.lat_deg, s.lon_deg, k0.lat_deg[cand], k0.lon_deg[cand])
        az1 = initial_bearing_deg(s.lat_deg, s.lon_deg, k1.lat_deg[cand], k1.lon_deg[cand])
        az_rate = ((az1 - az0 + 180.0) % 360.0 - 180.0) / dt
        beam_rate = 360.0 / self.period_s
        lag_deg = (az0 - self.beam_azimuth_deg(t0)) % 360.0
        t_cross = t0 + lag_deg / (beam_rate - az_rate)
        hit = (t_cross < t1) & (t_cross - self._last_hit[cand] > 0.5 * self.period_s)
        idx, t_cross = cand[hit], t_cross[hit]
        self._last_hit[idx] = t_cross
        k = k0.at(k1, idx, t_cross)
        ground = haversine_m(s.lat_deg, s.lon_deg, k.lat_deg, k.lon_deg)
        slant = slant_range_from_ground(ground, k.alt_m, s.alt_m, K_REFRACTION)
        visible = line_of_sight(ground, s.alt_m, k.alt_m) & (slant >= self.range_min_m)
        n = len(idx)
        draw_psr, draw_ssr = rng.random(n), rng.random(n)
        psr = self.has_psr & visible & (slant <= self.psr_range_max_m) & (draw_psr < self.pd_psr)
        xpdr = fleet.xpdr[idx]
        ssr = self.has_ssr & visible & (slant <= self.ssr_range_max_m) & (xpdr >= XPDR_MODE_AC)
        ssr &= draw_ssr < self.pd_ssr
        seen = psr | ssr
        kind = np.where(psr & ssr, KIND_CODE["psr_ssr"], np.where(ssr, KIND_CODE["ssr"], KIND_CODE["psr"]))
        sel = np.flatnonzero(seen)
        sig_r = float(s.sigma_range_m or 0.0)
        sig_a = float(s.sigma_azimuth_deg or 0.0)
        az_true = initial_bearing_deg(s.lat_deg, s.lon_deg, k.lat_deg[sel], k.lon_deg[sel])
        modes = xpdr[sel] >= XPDR_MODE_S
        ssr_sel = ssr[sel]
        alt_ft = k.alt_m[sel] * M_TO_FT
        alt_ft = np.where(modes, _quantise(alt_ft, 25.0), _quantise(alt_ft, 100.0))
        ident = np.where(ssr_sel, HAS_SQUAWK, 0) | np.where(ssr_sel & modes, HAS_ICAO | HAS_CALLSIGN, 0)
        emergency = np.where(ssr_sel, _squawk_emergency(fleet.squawk[idx[sel]]), 0)
        plots = Rows.make(
            len(sel),
            time_s=t_cross[sel],
            sensor=sensor_index,
            kind=kind[sel],
            aircraft=idx[sel],
            range_m=slant[sel] + rng.normal(0.0, sig_r, len(sel)),
            azimuth_deg=(az_true + rng.normal(0.0, sig_a, len(sel))) % 360.0,
            alt_baro_ft=np.where(ssr_sel, alt_ft, np.nan),
            ident=ident,
            emergency=emergency,
        )
        return Rows.concat([plots, self._clutter(sensor_index, t0, t1, rng)])

    def _clutter(self, sensor_index: int, t0: float, t1: float, rng: np.random.Generator) -> Rows:
        if not self.has_psr or self.clutter_per_scan <= 0:
            return Rows.make(0)
        n = int(rng.poisson(self.clutter_per_scan * (t1 - t0) / self.period_s))
        times = np.sort(t0 + (t1 - t0) * rng.random(n))
        r2 = self.range_min_m**2 + (self.psr_range_max_m**2 - self.range_min_m**2) * rng.random(n)
        return Rows.make(
            n,
            time_s=times,
            sensor=sensor_index,
            kind=KIND_CODE["psr"],
            range_m=np.sqrt(r2),
            azimuth_deg=self.beam_azimuth_deg(times),
        )


def _plane_xy(fleet: Fleet, lat_deg, lon_deg) -> tuple[NDArray, NDArray]:
    x, y = fleet.plane.to_xy(lat_deg, lon_deg)
    return np.atleast_1d(x), np.atleast_1d(y)


def _near(fleet: Fleet, k: Kinematics, sensor: Sensor, range_m: float) -> NDArray[np.bool_]:
    """Cheap pre-filter in the plane (whose scale is ≥ 1, so no aircraft in range is dropped)."""
    sx, sy = _plane_xy(fleet, sensor.lat_deg, sensor.lon_deg)
    reach = range_m * 1.05 + 5e3
    return (k.x_m - sx[0]) ** 2 + (k.y_m - sy[0]) ** 2 <= reach * reach


def _squawk_emergency(squawk: NDArray) -> NDArray:
    """Mode 3/A emergency meaning (index into EMERGENCIES): 7500 unlawful, 7600 nordo, 7700 general."""
    return np.select([squawk == 7700, squawk == 7600, squawk == 7500], [1, 4, 5], 0).astype(np.int8)


class _Squitters:
    """Per-aircraft transmission schedule of one message type: jittered periods, as a transponder does."""

    def __init__(self, n: int, period_lo_s: float, period_hi_s: float) -> None:
        self.lo, self.hi = period_lo_s, period_hi_s
        self.next_s = np.full(n, np.nan)

    def due(self, eligible: NDArray[np.bool_], t0: float, t1: float, rng: np.random.Generator, fast=None):
        """(aircraft, time, rank) of every transmission in [t0, t1); rank r = the aircraft's r-th in this step.

        ``fast`` aircraft use a five times shorter period (status messages during an emergency).
        """
        fresh = eligible & (np.isnan(self.next_s) | (self.next_s < t0))
        self.next_s[fresh] = t0 + self.hi * rng.random(int(fresh.sum()))
        self.next_s[~eligible] = np.nan
        idx_parts, time_parts, rank_parts = [], [], []
        while True:
            i = np.flatnonzero(eligible & (self.next_s < t1))
            if len(i) == 0:
                break
            rank_parts.append(np.full(len(i), len(idx_parts)))
            idx_parts.append(i)
            time_parts.append(self.next_s[i].copy())
            period = self.lo + (self.hi - self.lo) * rng.random(len(i))
            if fast is not None:
                period = np.where(fast[i], period / 5.0, period)
            self.next_s[i] += period
        if not idx_parts:
            return np.zeros(0, dtype=np.intp), np.zeros(0), np.zeros(0, dtype=np.intp)
        return np.concatenate(idx_parts), np.concatenate(time_parts), np.concatenate(rank_parts)


@dataclass
class AdsbNetwork:
    """ADS-B receivers (one Sensor each), observed together so one squitter reaches every receiver in view.

    Message rates follow DO-260B: airborne position and velocity every 0.4–0.6 s, identification every 4.8–5.2 s,
    aircraft status (Mode A code, emergency) every 4.8–5.2 s and five times as often during an emergency. A
    position carries the aircraft's GNSS error, drawn once per squitter with the σ its NACp implies, so receivers
    that hear the same squitter agree. Each reception is lost at random (``p_receive`` near the receiver, falling
    linearly to half of it at the edge of range) and is stamped with the propagation delay.
    """

    sensors: list[Sensor]
    p_receive: float = 0.9
    _sched: dict[str, _Squitters] = field(default_factory=dict, repr=False)
    _odd: NDArray | None = field(default=None, repr=False)
    _rx_xy: tuple[NDArray, NDArray] | None = field(default=None, repr=False)
    _emergency: NDArray | None = field(default=None, repr=False)
    #: Draws for the operational status (TC 31) and target state (TC 29) messages: their own generator, so adding
    #: them left every other message of a seed unchanged.
    _rng_status: np.random.Generator | None = field(default=None, repr=False)

    def observe(
        self, sensor_offset: int, fleet: Fleet, k0: Kinematics, k1: Kinematics, rng: np.random.Generator
    ) -> Rows:
        t0, t1 = k0.time_s, k1.time_s
        rng_main = rng
        if not self._sched:
            self._sched = {
                "position": _Squitters(fleet.n, 0.4, 0.6),
                "velocity": _Squitters(fleet.n, 0.4, 0.6),
                "identification": _Squitters(fleet.n, 4.8, 5.2),
                "status": _Squitters(fleet.n, 4.8, 5.2),
                "operational": _Squitters(fleet.n, 4.8, 5.2),
                "target_state": _Squitters(fleet.n, 1.2, 1.3),
            }
            self._odd = rng.random(fleet.n) < 0.5
            self._rng_status = np.random.default_rng(int(fleet.icao24.astype(np.int64).sum()) + fleet.n)
        assert self._odd is not None
        on_air = k0.active & k1.active & (fleet.xpdr >= XPDR_ADSB)
        # A new emergency is broadcast at once, not at the next routine status message.
        if self._emergency is None:
            self._emergency = fleet.emergency.copy()
        changed = np.flatnonzero(fleet.emergency != self._emergency)
        self._sched["status"].next_s[changed] = t0 + 0.2 * rng.random(len(changed))
        self._emergency = fleet.emergency.copy()
        pair_ac, pair_rx, pair_p, pair_ground = self._links(fleet, k0, on_air)
        # Links sorted by aircraft: aircraft i's links are pair[start[i] : start[i] + count[i]].
        count = np.bincount(pair_ac, minlength=fleet.n)
        start = np.cumsum(count) - count
        on_air &= count > 0
        parts = []
        fast = fleet.emergency > 0
        messages = ((11.0, "position"), (19.0, "velocity"), (4.0, "identification"), (28.0, "status"),
                    (31.0, "operational"), (29.0, "target_state"))  # fmt: skip
        for tc, name in messages:
            rng = self._rng_status if name in ("operational", "target_state") else rng_main
            ac, t, rank = self._sched[name].due(on_air, t0, t1, rng, fast if name == "status" else None)
            if len(ac) == 0:
                continue
            cnt = count[ac]
            tx = np.repeat(np.arange(len(ac)), cnt)
            first = np.cumsum(cnt) - cnt
            pair = np.repeat(start[ac] - first, cnt) + np.arange(len(tx))
            got = rng.random(len(pair)) < pair_p[pair]
            tx, pair = tx[got], pair[got]
            rows = self._rows(name, tc, ac, t, rank, fleet, k0, k1, rng).take(tx)
            rows.cols["sensor"] = (sensor_offset + pair_rx[pair]).astype(np.int32)
            rows.cols["time_s"] = t[tx] + pair_ground[pair] / SPEED_OF_LIGHT_MPS
            parts.append(rows)
        return Rows.concat(parts)

    def _links(self, fleet: Fleet, k: Kinematics, on_air: NDArray[np.bool_]):
        """Every (aircraft, receiver) pair that can hear each other now, sorted by aircraft, with the reception
        probability and ground range. A ghost is heard by its one receiver only, whatever the geometry."""
        if self._rx_xy is None:
            lat = np.array([s.lat_deg for s in self.sensors])
            lon = np.array([s.lon_deg for s in self.sensors])
            self._rx_xy = _plane_xy(fleet, lat, lon)
        rx_x, rx_y = self._rx_xy
        rx_lat = np.array([s.lat_deg for s in self.sensors])
        rx_lon = np.array([s.lon_deg for s in self.sensors])
        rx_alt = np.array([s.alt_m for s in self.sensors])
        rx_max = np.array([s.range_max_m or 400e3 for s in self.sensors])
        real = np.flatnonzero(on_air & (fleet.ghost_receiver < 0))
        reach = rx_max * 1.05 + 5e3
        near = (k.x_m[real, None] - rx_x[None, :]) ** 2 + (k.y_m[real, None] - rx_y[None, :]) ** 2 <= reach**2
        i, rx = np.nonzero(near)
        ac = real[i]
        ground = haversine_m(k.lat_deg[ac], k.lon_deg[ac], rx_lat[rx], rx_lon[rx])
        ok = line_of_sight(ground, rx_alt[rx], k.alt_m[ac]) & (ground <= rx_max[rx])
        ac, rx, ground = ac[ok], rx[ok], ground[ok]
        p = self.p_receive * (1.0 - 0.5 * np.clip(ground / rx_max[rx], 0.0, 1.0))
        ghosts = np.flatnonzero(on_air & (fleet.ghost_receiver >= 0))
        g_rx = fleet.ghost_receiver[ghosts].astype(np.intp)
        ac = np.concatenate([ac, ghosts])
        rx = np.concatenate([rx, g_rx])
        p = np.concatenate([p, np.full(len(ghosts), self.p_receive)])
        ground = np.concatenate([ground, haversine_m(k.lat_deg[ghosts], k.lon_deg[ghosts], rx_lat[g_rx], rx_lon[g_rx])])
        order = np.argsort(ac, kind="stable")
        return ac[order], rx[order], p[order], ground[order]

    def _rows(self, name: str, tc: float, ac: NDArray, t: NDArray, rank: NDArray, fleet: Fleet, k0, k1, rng) -> Rows:
        """One row per transmission (before reception), with the aircraft's broadcast content."""
        n = len(ac)
        ident = HAS_ICAO | HAS_CALLSIGN | HAS_SQUAWK
        common = dict(time_s=t, kind=KIND_CODE["adsb"], aircraft=ac, tc=tc, ident=ident)
        if name == "operational":
            k = k0.at(k1, ac, t)
            nacp, _nic = fleet.gnss_quality(ac, k.lat_deg, k.lon_deg, t)
            return Rows.make(n, **common, nacp=nacp)
        if name == "target_state":
            k = k0.at(k1, ac, t)
            nacp, _nic = fleet.gnss_quality(ac, k.lat_deg, k.lon_deg, t)
            # TC 29 carries the selected altitude in 32-ft steps.
            return Rows.make(
                n, **common, nacp=nacp, selected_alt_ft=_quantise(fleet.selected_alt_m[ac] * M_TO_FT, 32.0)
            )
        if name == "position":
            k = k0.at(k1, ac, t)
            nacp, nic = fleet.gnss_quality(ac, k.lat_deg, k.lon_deg, t)
            sigma = nacp_sigma_m(nacp)
            north = rng.normal(0.0, 1.0, n) * sigma
            east = rng.normal(0.0, 1.0, n) * sigma
            lat = k.lat_deg + np.degrees(north / EARTH_RADIUS_M)
            lon = k.lon_deg + np.degrees(east / (EARTH_RADIUS_M * np.cos(np.radians(k.lat_deg))))
            assert self._odd is not None
            # Transponders alternate even/odd CPR formats: the r-th squitter of an aircraft in this step flips r times.
            odd = self._odd[ac] ^ (rank % 2 == 1)
            flips = np.bincount(ac, minlength=fleet.n) % 2 == 1
            self._odd ^= flips
            return Rows.make(
                n,
                **common,
                lat_deg=lat,
                lon_deg=lon,
                alt_baro_ft=_quantise(k.alt_m * M_TO_FT, 25.0),
                sigma_h_m=sigma,
                nacp=nacp,
                nic=nic,
                cpr_odd=odd,
            )
        if name == "velocity":
            k = k0.at(k1, ac, t)
            vn = k.ground_speed_mps * np.cos(np.radians(k.track_deg)) + rng.normal(0.0, 1.2, n)
            ve = k.ground_speed_mps * np.sin(np.radians(k.track_deg)) + rng.normal(0.0, 1.2, n)
            vn_kt, ve_kt = _quantise(vn * MPS_TO_KT, 1.0), _quantise(ve * MPS_TO_KT, 1.0)
            return Rows.make(
                n,
                **common,
                ground_speed_kt=np.hypot(vn_kt, ve_kt),
                track_deg=np.degrees(np.arctan2(ve_kt, vn_kt)) % 360.0,
                vertical_rate_fpm=_quantise(k.vertical_rate_mps * MPS_TO_FPM, 64.0),
            )
        if name == "status":
            return Rows.make(n, **common, emergency=fleet.emergency[ac])
        return Rows.make(n, **common)


@dataclass
class MlatModel:
    """A multilateration cluster: ground sites timing Mode S transmissions; one fix per aircraft per second.

    A fix needs four sites in line of sight. Its error grows with distance from the cluster's centroid as the
    geometry (GDOP) degrades: ``σ = σ₀·(1 + (d/b)²)``, ``b`` the cluster's baseline, capped at ``sigma_max_m``.
    Mode S transponders without ADS-B are located too (replies and acquisition squitters).
    """

    sensor: Sensor  # the cluster as one sensor (centroid position, σ₀, range)
    sites: list[tuple[float, float, float]]  # (lat_deg, lon_deg, alt_m)
    baseline_m: float = 40e3
    site_range_max_m: float = 350e3
    p_fix: float = 0.95
    sigma_max_m: float = 3000.0
    _sched: _Squitters | None = field(default=None, repr=False)

    def observe(
        self, sensor_index: int, fleet: Fleet, k0: Kinematics, k1: Kinematics, rng: np.random.Generator
    ) -> Rows:
        if self._sched is None:
            self._sched = _Squitters(fleet.n, 0.95, 1.05)
        eligible = _eligible(fleet, k0, k1) & (fleet.xpdr >= XPDR_MODE_S)
        eligible &= _near(fleet, k0, self.sensor, self.site_range_max_m + self.baseline_m)
        cand = np.flatnonzero(eligible)
        lat = np.array([s[0] for s in self.sites])
        lon = np.array([s[1] for s in self.sites])
        alt = np.array([s[2] for s in self.sites])
        ground = haversine_m(k0.lat_deg[cand, None], k0.lon_deg[cand, None], lat[None, :], lon[None, :])
        n_sites = (line_of_sight(ground, alt[None, :], k0.alt_m[cand, None]) & (ground <= self.site_range_max_m)).sum(1)
        eligible[cand[n_sites < 4]] = False
        ac, t, _ = self._sched.due(eligible, k0.time_s, k1.time_s, rng)
        keep = rng.random(len(ac)) < self.p_fix
        ac, t = ac[keep], t[keep]
        k = k0.at(k1, ac, t)
        d = haversine_m(self.sensor.lat_deg, self.sensor.lon_deg, k.lat_deg, k.lon_deg)
        sigma0 = float(self.sensor.sigma_h_m or 30.0)
        sigma = np.minimum(sigma0 * (1.0 + (d / self.baseline_m) ** 2), self.sigma_max_m)
        north = rng.normal(0.0, 1.0, len(ac)) * sigma
        east = rng.normal(0.0, 1.0, len(ac)) * sigma
        return Rows.make(
            len(ac),
            time_s=t,
            sensor=sensor_index,
            kind=KIND_CODE["mlat"],
            aircraft=ac,
            lat_deg=k.lat_deg + np.degrees(north / EARTH_RADIUS_M),
            lon_deg=k.lon_deg + np.degrees(east / (EARTH_RADIUS_M * np.cos(np.radians(k.lat_deg)))),
            alt_baro_ft=_quantise(k.alt_m * M_TO_FT, 25.0),
            sigma_h_m=sigma,
            ident=HAS_ICAO | HAS_SQUAWK,
        )
