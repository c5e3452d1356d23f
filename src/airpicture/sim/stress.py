"""The stress scenario: any number of aircraft over a wide square, for capacity tests of the tracker.

Aircraft fly closed circuits of random waypoints (80–300 km legs, turns up to ±100°) inside the square, so their
number stays constant however long the run, and a third of them change level at each waypoint, so the traffic
keeps climbing, descending and turning. Radars and ADS-B receivers sit on regular grids over the square.
"""

from __future__ import annotations

import math

import numpy as np

from airpicture.core.geodesy import NIGER_PLANE_CENTRE, SystemPlane
from airpicture.core.sensors import Sensor
from airpicture.core.units import FT_TO_M, KT_TO_MPS, NM_TO_M
from airpicture.sim.niger import DEFAULT_START_TIME_S
from airpicture.sim.scenario import Scenario
from airpicture.sim.sensor_models import AdsbNetwork, RadarModel
from airpicture.sim.traffic import CLASSES, XPDR_ADSB, XPDR_MODE_AC, XPDR_MODE_S, XPDR_NONE, Fleet

#: Radar rotation periods used in turn (s): terminal and en-route radars.
ROTATION_PERIODS_S = (4.0, 5.0, 8.0, 10.0, 12.0, 6.0)


def _grid(n: int, half_m: float) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points spread over the square [-half, half]², on the smallest near-square grid that holds them."""
    if n <= 0:
        return np.zeros(0), np.zeros(0)
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    xs = (np.arange(cols) + 0.5) / cols * 2 * half_m - half_m
    ys = (np.arange(rows) + 0.5) / rows * 2 * half_m - half_m
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel()[:n], gy.ravel()[:n]


def build_stress(
    seed: int = 0,
    start_time_s: float | None = None,
    *,
    n_aircraft: int = 10_000,
    n_radars: int = 4,
    n_receivers: int = 20,
    area: float = 3000.0,
    centre: tuple[float, float] = NIGER_PLANE_CENTRE,
    n_waypoints: int = 8,
    dt_s: float = 1.0,
    truth_period_s: float = 1.0,
    clutter_per_scan: float = 20.0,
    events: bool = False,
) -> Scenario:
    """``n_aircraft`` over a square of side ``area`` km centred on ``centre``; ``events`` is accepted and unused."""
    if n_aircraft < 1 or n_radars < 0 or n_receivers < 0 or not area > 0 or n_waypoints < 2:
        raise ValueError(
            f"stress scenario needs n_aircraft ≥ 1, n_radars ≥ 0, n_receivers ≥ 0, area > 0 km, n_waypoints ≥ 2 "
            f"(got {n_aircraft}, {n_radars}, {n_receivers}, {area}, {n_waypoints})"
        )
    rng = np.random.default_rng(seed)
    t0 = DEFAULT_START_TIME_S if start_time_s is None else float(start_time_s)
    plane = SystemPlane(*centre)
    half = area * 1e3 / 2.0
    n = int(n_aircraft)
    cls = rng.choice(3, size=n, p=[0.7, 0.2, 0.1]).astype(np.int8)
    # Random circuits: each leg turns by up to ±100° from the previous one and is reflected into the square.
    wx, wy = np.zeros((n, n_waypoints)), np.zeros((n, n_waypoints))
    wx[:, 0], wy[:, 0] = rng.uniform(-half, half, n), rng.uniform(-half, half, n)
    heading = rng.uniform(0, 2 * np.pi, n)
    for j in range(1, n_waypoints):
        heading = heading + np.radians(rng.uniform(-100.0, 100.0, n))
        leg = rng.uniform(80e3, 300e3, n)
        x = wx[:, j - 1] + leg * np.sin(heading)
        y = wy[:, j - 1] + leg * np.cos(heading)
        wx[:, j] = np.where(np.abs(x) > half, np.sign(x) * 2 * half - x, x)
        wy[:, j] = np.where(np.abs(y) > half, np.sign(y) * 2 * half - y, y)
    lo_alt = np.array([c.cruise_alt_ft[0] for c in CLASSES])[cls]
    hi_alt = np.array([c.cruise_alt_ft[1] for c in CLASSES])[cls]
    lo_v = np.array([c.cruise_tas_kt[0] for c in CLASSES])[cls]
    hi_v = np.array([c.cruise_tas_kt[1] for c in CLASSES])[cls]
    draw = rng.random(n)
    xpdr = np.select([draw < 0.85, draw < 0.95, draw < 0.99], [XPDR_ADSB, XPDR_MODE_S, XPDR_MODE_AC], XPDR_NONE)
    digits = rng.integers(0, 8, (n, 4))
    digits[:, 0] = rng.integers(1, 7, n)
    squawk = (digits @ np.array([1000, 100, 10, 1])).astype(np.int32)  # octal digits, e.g. 4213
    icao = rng.choice(0xFFFFFE, size=n, replace=False).astype(np.uint32) + 1
    fleet = Fleet(
        plane,
        route_x_m=wx,
        route_y_m=wy,
        n_waypoints=np.full(n, n_waypoints),
        cls=cls,
        cruise_alt_m=np.round((lo_alt + (hi_alt - lo_alt) * rng.random(n)) / 1000.0) * 1000.0 * FT_TO_M,
        cruise_tas_mps=(lo_v + (hi_v - lo_v) * rng.random(n)) * KT_TO_MPS,
        start_time_s=np.full(n, t0),
        lands=np.zeros(n, dtype=bool),
        cyclic=np.ones(n, dtype=bool),
        dest_elev_m=np.zeros(n),
        icao24=np.where(xpdr >= XPDR_MODE_S, icao, 0),
        callsign=[f"SIM{i:05d}" for i in range(n)],
        squawk=squawk,
        xpdr=xpdr,
        nacp=rng.choice([7, 8, 9, 10], size=n, p=[0.05, 0.45, 0.35, 0.15]),
    )
    fleet.level_change_probability = 0.3
    first_leg = np.hypot(wx[:, 1] - wx[:, 0], wy[:, 1] - wy[:, 0])
    fleet.place_on_route(np.arange(n), first_leg * rng.random(n), np.full(n, np.inf))
    # Start some aircraft off their level so there is vertical traffic from the first second.
    climbing = rng.random(n) < 0.2
    fleet.alt_m[climbing] *= rng.uniform(0.5, 0.95, int(climbing.sum()))

    sensors: list[Sensor] = []
    models = []
    rx, ry = _grid(n_radars, half * 0.75)
    rlat, rlon = plane.to_latlon(rx, ry)
    for i in range(n_radars):
        s = Sensor(
            f"radar-{i + 1:02d}", "psr_ssr", float(rlat[i]), float(rlon[i]), 300.0,
            rotation_period_s=ROTATION_PERIODS_S[i % len(ROTATION_PERIODS_S)], sigma_range_m=60.0,
            sigma_azimuth_deg=0.07, range_max_m=250 * NM_TO_M,
        )  # fmt: skip
        sensors.append(s)
        model = RadarModel(s, sac=0, sic=i + 1, psr_range_max_m=100 * NM_TO_M, ssr_range_max_m=250 * NM_TO_M,
                           clutter_per_scan=clutter_per_scan, north_time_s=float(rng.uniform(0, 12)))  # fmt: skip
        models.append((i, model))
    gx, gy = _grid(n_receivers, half * 0.9)
    glat, glon = plane.to_latlon(gx, gy)
    receivers = [
        Sensor(f"adsb-{j + 1:03d}", "adsb", float(glat[j]), float(glon[j]), 320.0, range_max_m=400e3)
        for j in range(n_receivers)
    ]
    if receivers:
        models.append((len(sensors), AdsbNetwork(receivers, p_receive=0.9)))
        sensors.extend(receivers)
    return Scenario(
        "stress", plane=plane, fleet=fleet, sensors=sensors, models=models, start_time_s=t0, rng=rng,
        dt_s=dt_s, truth_period_s=truth_period_s,
    )  # fmt: skip
