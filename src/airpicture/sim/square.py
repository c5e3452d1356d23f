"""The tracker benchmark scenario: N aircraft in a 1,000 km square seen by one rotating radar at its centre.

This is the scenario of the tracker-vs-Stone-Soup benchmark (issue 3), kept deliberately simple so both trackers
see exactly the same plots:

- aircraft start uniformly in the square at 3–12 km altitude, 120–260 m/s, random heading; 20 % climb or descend;
- each aircraft flies legs: 65 % straight (30–120 s), 35 % coordinated turns of 1–3 deg/s (30–180 deg of heading);
- an aircraft that leaves the square has *departed*: no more plots and no more truth;
- one radar at the centre rotates clockwise from north in ``scan_period_s`` (4 s): every plot is time-stamped at the
  instant the beam crosses the aircraft's azimuth, so plots of one scan carry 4 s of different times;
- detection probability ``pd`` (0.9), Poisson clutter (mean 5 per scan) uniform in the square;
- plots are Mode A/C radar plots (kind ``ssr``, Mode C altitude, no Mode S address): either Cartesian positions
  (``lat_deg``/``lon_deg`` with ``sigma_h_m`` = 150 m per axis) or polar (slant ``range_m`` with sigma 100 m and
  ``azimuth_deg`` with sigma 0.05 deg).

Truth is written every second (TRUTH schema plus ``turn_rate_dps``). Positions are generated in the system plane
centred on the radar and mapped to WGS-84 once, so the polar plots are the exact inverse of the tracker's
slant-range conversion (spherical, 4/3 earth).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyproj import Geod

from airpicture.core.geodesy import SystemPlane, haversine_m, initial_bearing_deg, slant_range_from_ground
from airpicture.core.schema import MEASUREMENT, TRUTH, table_from_columns
from airpicture.core.sensors import Sensor
from airpicture.core.units import M_TO_FT, MPS_TO_FPM, MPS_TO_KT

#: Radar site of the benchmark (Niamey, so the plane is the kind the system uses; any site would do).
SQUARE_CENTRE = (13.48, 2.17)
RADAR_ID = "radar"


@dataclass
class SquareScenario:
    """Plots, truth and the sensor of one benchmark run."""

    measurements: pa.Table
    truth: pa.Table
    sensors: list[Sensor]
    plane: SystemPlane
    scan_period_s: float
    n_aircraft: int
    polar: bool


def _ground_velocity(plane, x, y, vx, vy):
    """True ground speed (m/s) and track (deg from true north) of plane velocities: the WGS-84 geodesic length and
    azimuth of the 1 s chord centred on each point. The aircraft fly in the stereographic plane, whose speeds are
    k times ground speeds and whose grid north turns from true north by the meridian convergence (up to ~1 deg
    at the square's edge); the truth must state what a SystemTrack states, the velocity over the ground."""
    lat0, lon0 = plane.to_latlon(x - 0.5 * vx, y - 0.5 * vy)
    lat1, lon1 = plane.to_latlon(x + 0.5 * vx, y + 0.5 * vy)
    azimuth, _, distance = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)
    return np.asarray(distance), np.asarray(azimuth) % 360.0


def _propagate(x, y, vx, vy, omega, tau):
    """Exact coordinated-turn (constant speed, constant turn rate) motion over ``tau`` seconds, vectorised."""
    small = np.abs(omega) < 1e-9
    w = np.where(small, 1.0, omega)
    s, c = np.sin(w * tau), np.cos(w * tau)
    xn = np.where(small, x + vx * tau, x + (vx * s - vy * (1 - c)) / w)
    yn = np.where(small, y + vy * tau, y + (vx * (1 - c) + vy * s) / w)
    vxn = np.where(small, vx, vx * c - vy * s)
    vyn = np.where(small, vy, vx * s + vy * c)
    return xn, yn, vxn, vyn


def square_scenario(
    n_aircraft: int,
    duration_s: float = 600.0,
    *,
    polar: bool = False,
    seed: int = 0,
    start_time_s: float = 1_767_225_600.0,
    half_width_m: float = 500_000.0,
    scan_period_s: float = 4.0,
    pd: float = 0.9,
    clutter_per_scan: float = 5.0,
    turn_fraction: float = 0.35,
    sigma_xy_m: float = 150.0,
    sigma_range_m: float = 100.0,
    sigma_azimuth_deg: float = 0.05,
) -> SquareScenario:
    """Build the benchmark scenario; the same ``seed`` gives the same truth for Cartesian and polar plots."""
    rng = np.random.default_rng(seed)
    plane = SystemPlane(*SQUARE_CENTRE)
    n = int(n_aircraft)
    steps = int(np.ceil(duration_s)) + 1
    # Aircraft state on a 1 s grid: x, y, vx, vy, turn rate, altitude, vertical rate.
    x = rng.uniform(-half_width_m, half_width_m, n)
    y = rng.uniform(-half_width_m, half_width_m, n)
    speed = rng.uniform(120.0, 260.0, n)
    heading = rng.uniform(0, 2 * np.pi, n)
    vx, vy = speed * np.sin(heading), speed * np.cos(heading)
    alt = rng.uniform(3000.0, 12000.0, n)
    vrate = np.where(rng.random(n) < 0.2, rng.choice([-7.0, 7.0], n), 0.0)
    omega = np.zeros(n)
    leg_end = np.zeros(n)
    inside = np.ones(n, dtype=bool)
    grid = np.empty((steps, 7, n))
    alive = np.empty((steps, n), dtype=bool)
    for k in range(steps):
        t = float(k)
        new_leg = t >= leg_end
        if new_leg.any():
            m = int(new_leg.sum())
            turn = rng.random(m) < turn_fraction
            rate = np.radians(rng.uniform(1.0, 3.0, m)) * rng.choice([-1.0, 1.0], m)
            turn_dur = np.radians(rng.uniform(30.0, 180.0, m)) / np.abs(rate)
            omega[new_leg] = np.where(turn, rate, 0.0)
            leg_end[new_leg] = t + np.where(turn, turn_dur, rng.uniform(30.0, 120.0, m))
        inside &= (np.abs(x) <= half_width_m) & (np.abs(y) <= half_width_m)
        grid[k] = (x, y, vx, vy, omega, alt, vrate)
        alive[k] = inside
        # Positive omega turns right (clockwise seen from above) in an x-east / y-north frame: negate for maths.
        x, y, vx, vy = _propagate(x, y, vx, vy, -omega, 1.0)
        alt = np.clip(alt + vrate, 1000.0, 13000.0)
        vrate = np.where((alt <= 1000.0) | (alt >= 13000.0), 0.0, vrate)

    def state_at(t_rel: np.ndarray, idx: np.ndarray):
        k = np.clip(np.floor(t_rel).astype(np.int64), 0, steps - 1)
        tau = t_rel - k
        g = grid[k, :, idx]
        px, py, pvx, pvy = _propagate(g[:, 0], g[:, 1], g[:, 2], g[:, 3], -g[:, 4], tau)
        return px, py, pvx, pvy, g[:, 5] + g[:, 6] * tau, alive[k, idx]

    # Plots: one radar scan every scan_period_s; the beam points north at the start of each scan, turns clockwise.
    n_scans = int(duration_s // scan_period_s)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("t", "x", "y", "alt", "truth")}
    for s in range(n_scans):
        t0 = s * scan_period_s
        idx = np.nonzero(alive[min(int(t0), steps - 1)])[0]
        t_cross = np.full(idx.size, t0)
        for _ in range(3):
            px, py, *_rest = state_at(t_cross, idx)
            az = np.degrees(np.arctan2(px, py)) % 360.0
            t_cross = t0 + az / 360.0 * scan_period_s
        px, py, _, _, palt, palive = state_at(t_cross, idx)
        seen = palive & (rng.random(idx.size) < pd) & (t_cross <= duration_s)
        cols["t"].append(t_cross[seen])
        cols["x"].append(px[seen])
        cols["y"].append(py[seen])
        cols["alt"].append(palt[seen])
        cols["truth"].append(idx[seen])
        n_clutter = rng.poisson(clutter_per_scan)
        cx = rng.uniform(-half_width_m, half_width_m, n_clutter)
        cy = rng.uniform(-half_width_m, half_width_m, n_clutter)
        cols["t"].append(t0 + (np.degrees(np.arctan2(cx, cy)) % 360.0) / 360.0 * scan_period_s)
        cols["x"].append(cx)
        cols["y"].append(cy)
        cols["alt"].append(rng.uniform(1000.0, 12000.0, n_clutter))
        cols["truth"].append(np.full(n_clutter, -1))
    t = np.concatenate(cols["t"])
    order = np.argsort(t, kind="stable")
    t = t[order]
    px, py = np.concatenate(cols["x"])[order], np.concatenate(cols["y"])[order]
    palt = np.concatenate(cols["alt"])[order]
    truth_id = np.concatenate(cols["truth"])[order]
    lat, lon = plane.to_latlon(px, py)
    sensor = Sensor(
        id=RADAR_ID,
        kind="ssr",
        lat_deg=SQUARE_CENTRE[0],
        lon_deg=SQUARE_CENTRE[1],
        alt_m=0.0,
        rotation_period_s=scan_period_s,
        sigma_range_m=sigma_range_m,
        sigma_azimuth_deg=sigma_azimuth_deg,
        sigma_h_m=sigma_xy_m,
        range_max_m=half_width_m * np.sqrt(2.0) + 10_000.0,
    )
    m = t.size
    columns: dict[str, object] = {
        "time_s": start_time_s + t,
        "sensor": np.full(m, RADAR_ID),
        "kind": np.full(m, "ssr"),
        "alt_baro_ft": np.round(palt * M_TO_FT / 25.0) * 25.0,
        "truth_id": truth_id,
    }
    if polar:
        ground = haversine_m(sensor.lat_deg, sensor.lon_deg, lat, lon)
        slant = slant_range_from_ground(ground, palt, sensor.alt_m)
        azimuth = initial_bearing_deg(sensor.lat_deg, sensor.lon_deg, lat, lon)
        columns["range_m"] = slant + rng.normal(0.0, sigma_range_m, m)
        columns["azimuth_deg"] = (azimuth + rng.normal(0.0, sigma_azimuth_deg, m)) % 360.0
    else:
        nlat, nlon = plane.to_latlon(px + rng.normal(0.0, sigma_xy_m, m), py + rng.normal(0.0, sigma_xy_m, m))
        columns["lat_deg"] = nlat
        columns["lon_deg"] = nlon
        columns["sigma_h_m"] = np.full(m, sigma_xy_m)
    measurements = table_from_columns(MEASUREMENT, columns, m)

    # Truth every second while inside the square.
    kk, ii = np.nonzero(alive)
    g = grid[kk, :, ii]
    tlat, tlon = plane.to_latlon(g[:, 0], g[:, 1])
    ground_speed_mps, track_deg = _ground_velocity(plane, g[:, 0], g[:, 1], g[:, 2], g[:, 3])
    truth = table_from_columns(
        TRUTH,
        {
            "time_s": start_time_s + kk.astype(np.float64),
            "target_id": ii.astype(np.int64),
            "lat_deg": tlat,
            "lon_deg": tlon,
            "alt_ft": g[:, 5] * M_TO_FT,
            "ground_speed_kt": ground_speed_mps * MPS_TO_KT,
            "track_deg": track_deg,
            "vertical_rate_fpm": g[:, 6] * MPS_TO_FPM,
            "cooperative": np.ones(ii.size, dtype=bool),
            "turn_rate_dps": np.degrees(g[:, 4]),
        },
        ii.size,
    )
    return SquareScenario(measurements, truth, [sensor], plane, scan_period_s, n, polar)
