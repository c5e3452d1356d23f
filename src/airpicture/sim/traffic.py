"""Aircraft trajectories: a fleet held as arrays (one slot per aircraft), advanced by one vectorised call per step.

Kinematics run in the core :class:`~airpicture.core.geodesy.SystemPlane` (stereographic, conformal): the heading
of a velocity is the same angle in the plane as on the earth once the grid convergence is added, and a ground
distance becomes ``k`` times longer in the plane, with the stereographic scale ``k = 1 + ρ²/4R²``. Moving each
aircraft by ``k·V·dt`` therefore keeps its true ground speed exact across a 3,000 km area. Routes are lists of
waypoints; long legs are cut into great-circle segments (:func:`great_circle_points`), so an aircraft flying
straight legs in the plane follows the great circle to within a few hundred metres.

Lateral guidance is "direct to the active waypoint" with fly-by turns: the waypoint is passed when the aircraft is
within the turn's lead distance ``R·tan(Δχ/2)``, and the heading changes at most at the bank-limited rate
``ω = min(3°/s, g·tan(φ_max)/V)`` (a coordinated turn: a jet at 450 kt and 25° bank turns at about 1.1°/s, a light
aircraft at rate one, 3°/s). Vertical guidance climbs at a class- and altitude-dependent rate to the cruise level,
and for an arrival follows a 3° path to the destination's elevation. Speed follows a schedule by altitude
(approach speed near the ground, 250 kt below FL100, cruise speed at the cruise level) with limited acceleration.
There is no wind: ground speed is true airspeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from pyproj import Proj

from airpicture.core.geodesy import SystemPlane, haversine_m
from airpicture.core.units import EARTH_RADIUS_M, FPM_TO_MPS, FT_TO_M, KT_TO_MPS

G_MPS2 = 9.80665
STANDARD_RATE_RAD_S = np.radians(3.0)
GLIDE_PATH_RAD = np.radians(3.0)

#: Transponder equipage, in increasing capability. An aircraft whose transponder is switched off becomes NONE.
XPDR_NONE, XPDR_MODE_AC, XPDR_MODE_S, XPDR_ADSB = 0, 1, 2, 3
#: ADS-B / Mode 3/A emergency meanings (schema ``emergency``); index 0 is "no emergency".
EMERGENCIES = (None, "general", "lifeguard", "minfuel", "nordo", "unlawful", "downed", "reserved")


@dataclass(frozen=True)
class AircraftClass:
    """Performance of a class of aircraft (typical figures, not one type's manual)."""

    name: str
    cruise_tas_kt: tuple[float, float]
    cruise_alt_ft: tuple[float, float]
    approach_kt: float
    climb_fpm: float  # initial climb rate near the ground; it falls with altitude
    descent_fpm: float  # largest descent rate used
    bank_max_deg: float
    accel_mps2: float


JET = AircraftClass("jet", (440.0, 490.0), (30000.0, 39000.0), 150.0, 2800.0, 3500.0, 25.0, 0.6)
TURBOPROP = AircraftClass("turboprop", (250.0, 300.0), (17000.0, 25000.0), 120.0, 1800.0, 2000.0, 25.0, 0.5)
GA = AircraftClass("ga", (110.0, 150.0), (4500.0, 9500.0), 75.0, 700.0, 800.0, 30.0, 0.4)
CLASSES = (JET, TURBOPROP, GA)


def great_circle_points(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, spacing_m: float):
    """Points along the great circle from 1 to 2 (both included), about ``spacing_m`` apart."""
    p1 = _unit_vector(lat1_deg, lon1_deg)
    p2 = _unit_vector(lat2_deg, lon2_deg)
    omega = float(np.arccos(np.clip(p1 @ p2, -1.0, 1.0)))
    n = max(1, int(np.ceil(omega * EARTH_RADIUS_M / spacing_m)))
    f = np.linspace(0.0, 1.0, n + 1)
    if omega < 1e-12:
        pts = np.repeat(p1[None, :], n + 1, axis=0)
    else:
        pts = (np.sin((1 - f) * omega)[:, None] * p1 + np.sin(f * omega)[:, None] * p2) / np.sin(omega)
    lat = np.degrees(np.arcsin(np.clip(pts[:, 2], -1, 1)))
    lon = np.degrees(np.arctan2(pts[:, 1], pts[:, 0]))
    return lat, lon


def _unit_vector(lat_deg: float, lon_deg: float) -> NDArray[np.float64]:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def plane_scale(x_m: NDArray, y_m: NDArray) -> NDArray:
    """Point scale of the stereographic plane (sphere formula), ≥ 1: plane metres per ground metre."""
    return 1.0 + (x_m * x_m + y_m * y_m) / (4.0 * EARTH_RADIUS_M * EARTH_RADIUS_M)


@cache
def _proj(lat0_deg: float, lon0_deg: float) -> Proj:
    return Proj(f"+proj=stere +lat_0={lat0_deg} +lon_0={lon0_deg} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m")


def grid_convergence_rad(plane: SystemPlane, lat_deg: NDArray, lon_deg: NDArray) -> NDArray:
    """True bearing of grid north at each point (add it to a plane heading to get a true heading).

    PROJ's exact meridian convergence of the plane's projection (ellipsoidal): a spherical shortcut was off by
    up to 0.2° at 1,000 km from the centre, which a tracker would read as a cross-track velocity error.
    """
    factors = _proj(plane.lat0_deg, plane.lon0_deg).get_factors(lon_deg, lat_deg)
    return np.radians(np.asarray(factors.meridian_convergence, dtype=np.float64))


def wrap_pi(a: NDArray) -> NDArray:
    return (a + np.pi) % (2 * np.pi) - np.pi


@dataclass
class Kinematics:
    """The fleet's state at one instant, as the sensors and the truth see it (WGS-84, aviation units in names)."""

    time_s: float
    active: NDArray[np.bool_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    alt_m: NDArray[np.float64]
    ground_speed_mps: NDArray[np.float64]
    track_deg: NDArray[np.float64]
    vertical_rate_mps: NDArray[np.float64]
    x_m: NDArray[np.float64]  # system-plane position, for cheap range pre-filters
    y_m: NDArray[np.float64]

    def at(self, other: Kinematics, idx: NDArray[np.intp], time_s: NDArray[np.float64]) -> Kinematics:
        """State of aircraft ``idx`` at ``time_s`` (between self and ``other``), by linear interpolation.

        Over one step (≤ 1 s) a turning aircraft leaves the chord by under 2 m, far below any sensor's noise.
        """
        dt = other.time_s - self.time_s
        f = (np.asarray(time_s) - self.time_s) / dt if dt > 0 else np.zeros(len(idx))

        def lerp(a: NDArray, b: NDArray) -> NDArray:
            return a[idx] + (b[idx] - a[idx]) * f

        dtrack = (other.track_deg[idx] - self.track_deg[idx] + 180.0) % 360.0 - 180.0
        return Kinematics(
            time_s=float("nan"),
            active=self.active[idx] & other.active[idx],
            lat_deg=lerp(self.lat_deg, other.lat_deg),
            lon_deg=lerp(self.lon_deg, other.lon_deg),
            alt_m=lerp(self.alt_m, other.alt_m),
            ground_speed_mps=lerp(self.ground_speed_mps, other.ground_speed_mps),
            track_deg=(self.track_deg[idx] + dtrack * f) % 360.0,
            vertical_rate_mps=lerp(self.vertical_rate_mps, other.vertical_rate_mps),
            x_m=lerp(self.x_m, other.x_m),
            y_m=lerp(self.y_m, other.y_m),
        )


class Fleet:
    """All aircraft of a scenario as parallel arrays; routes padded to the longest.

    Identity (``icao24``, ``callsign``, ``squawk``) and equipage (``xpdr``, ``nacp``) live here too, so the sensor
    models read one place. An aircraft is *active* from ``start_time_s`` until it lands or leaves the area.
    """

    def __init__(
        self,
        plane: SystemPlane,
        *,
        route_x_m: NDArray,
        route_y_m: NDArray,
        n_waypoints: NDArray,
        cls: NDArray,
        cruise_alt_m: NDArray,
        cruise_tas_mps: NDArray,
        start_time_s: NDArray,
        lands: NDArray,
        cyclic: NDArray,
        dest_elev_m: NDArray,
        icao24: NDArray,
        callsign: list[str | None],
        squawk: NDArray,
        xpdr: NDArray,
        nacp: NDArray,
        ghost_receiver: NDArray | None = None,
    ) -> None:
        self.plane = plane
        n = len(cls)
        self.n = n
        self.target_id = np.arange(n, dtype=np.int64)
        self.wp_x = np.asarray(route_x_m, dtype=np.float64)
        self.wp_y = np.asarray(route_y_m, dtype=np.float64)
        self.n_wp = np.asarray(n_waypoints, dtype=np.intp)
        self.cls = np.asarray(cls, dtype=np.int8)
        self.cruise_alt_m = np.asarray(cruise_alt_m, dtype=np.float64)
        self.cruise_tas_mps = np.asarray(cruise_tas_mps, dtype=np.float64)
        self.start_time_s = np.asarray(start_time_s, dtype=np.float64)
        self.lands = np.asarray(lands, dtype=bool)
        self.cyclic = np.asarray(cyclic, dtype=bool)
        self.dest_elev_m = np.asarray(dest_elev_m, dtype=np.float64)
        self.icao24 = np.asarray(icao24, dtype=np.uint32)
        self.callsign = list(callsign)
        self.squawk = np.asarray(squawk, dtype=np.int32)  # octal digits written as a decimal int (7700); -1 none
        self.xpdr = np.asarray(xpdr, dtype=np.int8)
        self.nacp = np.asarray(nacp, dtype=np.int8)
        self.emergency = np.zeros(n, dtype=np.int8)
        self.ghost_receiver = (
            np.full(n, -1, dtype=np.int32) if ghost_receiver is None else np.asarray(ghost_receiver, np.int32)
        )
        # Performance, looked up once per aircraft from its class.
        self.approach_mps = np.array([c.approach_kt for c in CLASSES])[self.cls] * KT_TO_MPS
        self.climb0_mps = np.array([c.climb_fpm for c in CLASSES])[self.cls] * FPM_TO_MPS
        self.descent_max_mps = np.array([c.descent_fpm for c in CLASSES])[self.cls] * FPM_TO_MPS
        self.turn_rate_bank = G_MPS2 * np.tan(np.radians(np.array([c.bank_max_deg for c in CLASSES])[self.cls]))
        self.accel_mps2 = np.array([c.accel_mps2 for c in CLASSES])[self.cls]
        self._prepare_routes()
        # Dynamic state.
        self.x = np.zeros(n)
        self.y = np.zeros(n)
        self.alt_m = np.zeros(n)
        self.psi = np.zeros(n)  # grid heading, rad clockwise from grid north
        self.gs_mps = np.zeros(n)
        self.vr_mps = np.zeros(n)
        self.k = np.ones(n, dtype=np.intp)  # active waypoint
        self.active = np.zeros(n, dtype=bool)
        self.done = np.zeros(n, dtype=bool)
        self.identity_version = 0  # bumped whenever squawk/emergency/xpdr change, so cached strings refresh
        #: Probability of a new cruise level at each waypoint (the stress scenario keeps its traffic manoeuvring).
        self.level_change_probability = 0.0
        #: The altitude selected on the autopilot (ADS-B target state, Mode S BDS 4,0): the cruise level, or for
        #: an arrival on its descent the approach altitude. Set by :meth:`advance`.
        self.selected_alt_m = self.cruise_alt_m.copy()
        #: GNSS interference: (lat, lon, radius m, start s, end s, NACp, NIC) regions where receivers degrade.
        self.gnss_interference: list[tuple[float, float, float, float, float, int, int]] = []

    # -- routes -------------------------------------------------------------------------------------------------

    def _prepare_routes(self) -> None:
        n, m = self.wp_x.shape
        j = np.arange(m)[None, :]
        valid = j < self.n_wp[:, None]
        nxt = np.where(self.cyclic[:, None], (j + 1) % np.maximum(self.n_wp[:, None], 1), np.minimum(j + 1, m - 1))
        rows = np.arange(n)[:, None]
        dx = self.wp_x[rows, nxt] - self.wp_x
        dy = self.wp_y[rows, nxt] - self.wp_y
        last = j >= self.n_wp[:, None] - 1
        leg = np.where(valid & (~last | self.cyclic[:, None]), np.hypot(dx, dy), 0.0)
        #: course of the leg leaving waypoint j (grid, rad); the last waypoint keeps its inbound course.
        course_out = np.arctan2(dx, dy)
        prev = np.maximum(j - 1, 0)
        course_in = np.where(j > 0, course_out[rows, prev], course_out)
        if self.cyclic.any():
            cyc_in = course_out[rows, np.maximum(self.n_wp[:, None] - 1, 0)]
            course_in = np.where(self.cyclic[:, None] & (j == 0), cyc_in, course_in)
        course_out = np.where(last & ~self.cyclic[:, None], course_in, course_out)
        self.turn_angle = np.abs(wrap_pi(course_out - course_in))
        # Route length still to fly after waypoint j (plane metres), for the descent path.
        self.remaining_after = np.cumsum(leg[:, ::-1], axis=1)[:, ::-1]
        self.leg_course = course_out

    def place_on_route(self, idx: NDArray[np.intp], along_m: NDArray, depart_elev_m: NDArray) -> None:
        """Put aircraft ``idx`` ``along_m`` plane metres along their routes, in a consistent flight state.

        Used for traffic already airborne when the scenario starts: the altitude is the lower of the climb
        profile from the departure, the cruise level and the 3° descent path to the destination.
        """
        if len(idx) == 0:
            return
        wx, wy = self.wp_x[idx], self.wp_y[idx]
        seg = np.hypot(np.diff(wx, axis=1), np.diff(wy, axis=1))
        seg = np.where(np.arange(seg.shape[1])[None, :] < (self.n_wp[idx] - 1)[:, None], seg, 0.0)
        cum = np.concatenate([np.zeros((len(idx), 1)), np.cumsum(seg, axis=1)], axis=1)
        total = cum[np.arange(len(idx)), self.n_wp[idx] - 1]
        s = np.clip(along_m, 0.0, np.maximum(total - 1.0, 0.0))
        leg = np.clip((cum <= s[:, None]).sum(axis=1) - 1, 0, np.maximum(self.n_wp[idx] - 2, 0))
        r = np.arange(len(idx))
        seg_len = np.maximum(seg[r, leg], 1e-9)
        f = (s - cum[r, leg]) / seg_len
        x = wx[r, leg] + f * (wx[r, leg + 1] - wx[r, leg])
        y = wy[r, leg] + f * (wy[r, leg + 1] - wy[r, leg])
        self.x[idx], self.y[idx] = x, y
        self.k[idx] = leg + 1
        self.psi[idx] = np.arctan2(wx[r, leg + 1] - wx[r, leg], wy[r, leg + 1] - wy[r, leg])
        climb_alt = depart_elev_m + s * np.tan(np.radians(4.0))
        descent_alt = np.where(self.lands[idx], self.dest_elev_m[idx] + (total - s) * np.tan(GLIDE_PATH_RAD), np.inf)
        alt = np.minimum(np.minimum(climb_alt, descent_alt), self.cruise_alt_m[idx])
        self.alt_m[idx] = alt
        self.gs_mps[idx] = self._speed_schedule(idx, alt)
        self.vr_mps[idx] = 0.0

    def _speed_schedule(self, idx: NDArray[np.intp] | slice, alt_m: NDArray) -> NDArray:
        approach = self.approach_mps[idx]
        cruise = self.cruise_tas_mps[idx]
        frac = np.clip(alt_m / np.maximum(self.cruise_alt_m[idx], 1.0), 0.0, 1.0)
        target = approach + (cruise - approach) * np.sqrt(frac)
        below_fl100 = alt_m < 10000.0 * FT_TO_M
        target = np.where(below_fl100, np.minimum(target, 250.0 * KT_TO_MPS), target)
        # Near the ground (above the destination for an arrival): down to the approach speed at the runway.
        height = alt_m - np.where(self.lands[idx], self.dest_elev_m[idx], 0.0)
        terminal = approach + (250.0 * KT_TO_MPS - approach) * np.clip(height / (5000.0 * FT_TO_M), 0.0, 1.0)
        return np.where(height < 5000.0 * FT_TO_M, np.minimum(target, np.maximum(terminal, approach)), target)

    # -- dynamics -----------------------------------------------------------------------------------------------

    def activate(self, time_s: float) -> NDArray[np.intp]:
        """Aircraft whose start time has come become active (they were placed at their start point)."""
        new = ~self.active & ~self.done & (self.start_time_s <= time_s + 1e-9)
        self.active |= new
        return np.flatnonzero(new)

    def advance(self, dt_s: float, rng: np.random.Generator | None = None) -> None:
        """Move every active aircraft by ``dt_s``: guidance, bank-limited turn, speed and vertical profile."""
        a = np.flatnonzero(self.active)
        if len(a) == 0:
            return
        x, y, k = self.x[a], self.y[a], self.k[a]
        wx, wy = self.wp_x[a, k], self.wp_y[a, k]
        dx, dy = wx - x, wy - y
        dist = np.hypot(dx, dy)
        v = self.gs_mps[a]
        scale = plane_scale(x, y)
        omega = np.minimum(STANDARD_RATE_RAD_S, self.turn_rate_bank[a] / np.maximum(v, 30.0))
        radius = v * scale / omega
        lead = np.minimum(radius * np.tan(np.minimum(self.turn_angle[a, k], np.radians(150.0)) / 2.0), 30e3)
        last = k >= self.n_wp[a] - 1
        reach = np.maximum(lead, 1.5 * v * scale * dt_s)
        passed = dist <= reach
        # Past the last waypoint: an arrival has landed, an overflight has left the area; cyclic routes wrap.
        finish = passed & last & ~self.cyclic[a]
        step_on = passed & ~finish
        k = np.where(step_on, np.where(last, 0, k + 1), k)
        self.k[a] = k
        if rng is not None and step_on.any():
            self._on_waypoint(a[step_on], rng)
        wx, wy = self.wp_x[a, k], self.wp_y[a, k]
        psi_cmd = np.arctan2(wx - x, wy - y)
        dpsi = np.clip(wrap_pi(psi_cmd - self.psi[a]), -omega * dt_s, omega * dt_s)
        psi_mid = self.psi[a] + dpsi / 2.0
        # Speed schedule and vertical profile.
        rem = np.hypot(wx - x, wy - y) + self.remaining_after[a, k]
        lands = self.lands[a]
        path_alt = np.where(lands, self.dest_elev_m[a] + rem / scale * np.tan(GLIDE_PATH_RAD), np.inf)
        on_path = path_alt < self.cruise_alt_m[a]
        target_alt = np.minimum(self.cruise_alt_m[a], path_alt)
        alt = self.alt_m[a]
        feed = np.where(on_path, -v * np.tan(GLIDE_PATH_RAD), 0.0)
        climb_max = self.climb0_mps[a] * np.clip(1.0 - 0.7 * alt / np.maximum(self.cruise_alt_m[a], 1.0), 0.25, 1.0)
        vr_cmd = np.clip(feed + (target_alt - alt) / 15.0, -self.descent_max_mps[a], climb_max)
        vr = self.vr_mps[a]
        vr_new = vr + np.clip(vr_cmd - vr, -0.5 * dt_s, 0.5 * dt_s)
        v_cmd = self._speed_schedule(a, alt)
        v_new = v + np.clip(v_cmd - v, -self.accel_mps2[a] * dt_s, self.accel_mps2[a] * dt_s)
        v_mid = 0.5 * (v + v_new)
        self.x[a] = x + v_mid * scale * np.sin(psi_mid) * dt_s
        self.y[a] = y + v_mid * scale * np.cos(psi_mid) * dt_s
        self.psi[a] = wrap_pi(self.psi[a] + dpsi)
        self.gs_mps[a] = v_new
        self.vr_mps[a] = vr_new
        approach_m = np.ceil((self.dest_elev_m[a] + 3000.0 * FT_TO_M) / (100.0 * FT_TO_M)) * 100.0 * FT_TO_M
        self.selected_alt_m[a] = np.where(on_path, np.minimum(approach_m, self.cruise_alt_m[a]), self.cruise_alt_m[a])
        self.alt_m[a] = np.maximum(alt + 0.5 * (vr + vr_new) * dt_s, 0.0)
        ended = a[finish]
        self.active[ended] = False
        self.done[ended] = True

    def _on_waypoint(self, idx: NDArray[np.intp], rng: np.random.Generator) -> None:
        """At a waypoint, some aircraft are given a new cruise level within their class's band."""
        if self.level_change_probability <= 0.0:
            return
        draw = rng.random(len(idx))
        change = idx[draw < self.level_change_probability]
        lo = np.array([c.cruise_alt_ft[0] for c in CLASSES])[self.cls[change]]
        hi = np.array([c.cruise_alt_ft[1] for c in CLASSES])[self.cls[change]]
        levels_ft = np.round((lo + (hi - lo) * rng.random(len(change))) / 1000.0) * 1000.0
        self.cruise_alt_m[change] = levels_ft * FT_TO_M

    def gnss_quality(self, ac: NDArray[np.intp], lat_deg: NDArray, lon_deg: NDArray, time_s: NDArray):
        """(NACp, NIC) each aircraft broadcasts at its position and time: its own, or a jammed region's."""
        nacp = self.nacp[ac].astype(np.float64)
        nic = np.where(nacp >= 8, 8.0, 7.0)
        for lat0, lon0, radius_m, start_s, end_s, j_nacp, j_nic in self.gnss_interference:
            hit = (time_s >= start_s) & (time_s < end_s) & (haversine_m(lat0, lon0, lat_deg, lon_deg) <= radius_m)
            nacp = np.where(hit, np.minimum(nacp, j_nacp), nacp)
            nic = np.where(hit, np.minimum(nic, j_nic), nic)
        return nacp, nic

    def kinematics(self, time_s: float) -> Kinematics:
        """The fleet's state now, in WGS-84 (one projection call for all aircraft)."""
        lat, lon = self.plane.to_latlon(self.x, self.y)
        gamma = grid_convergence_rad(self.plane, lat, lon)
        return Kinematics(
            time_s=time_s,
            active=self.active.copy(),
            lat_deg=lat,
            lon_deg=lon,
            alt_m=self.alt_m.copy(),
            ground_speed_mps=self.gs_mps.copy(),
            track_deg=np.degrees(self.psi + gamma) % 360.0,
            vertical_rate_mps=self.vr_mps.copy(),
            x_m=self.x.copy(),
            y_m=self.y.copy(),
        )
