"""The Niger scenario: traffic over the Niamey FIR seen by the sensors a Niger deployment could have.

Traffic flies real aerodrome-to-aerodrome routes (positions from ``airportsdata`` through
:mod:`airpicture.core.geography`): domestic links between Niamey, Agadez, Zinder, Maradi, Tahoua, Diffa and Arlit;
flights to Niamey from Europe, North Africa and the Gulf of Guinea; trans-Saharan overflights between
Paris/Algiers/Tripoli/Casablanca/Istanbul and Lagos/Abuja/Cotonou/Lomé/Accra; and west–east routes between
Dakar/Bamako/Abidjan and N'Djamena/Khartoum/Addis Ababa. Routes are great circles between their listed points,
cut to a 1,400 km circle around the system plane's centre; traffic outside it is not simulated.

Callsigns, ICAO addresses (drawn from each operator's state allocation block), squawks, transponder equipage and
the sensor sites are **illustrative**: plausible for the region, not copied from any real schedule or AIP. So is
the restricted zone in :data:`ILLUSTRATIVE_ZONES` (Niger's ENR 5.1 areas are not published openly).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
import shapely.geometry
from numpy.typing import NDArray

from airpicture.core.geodesy import NIGER_PLANE_CENTRE, SystemPlane, haversine_m
from airpicture.core.geography import aerodrome
from airpicture.core.sensors import Sensor
from airpicture.core.units import FT_TO_M, KT_TO_MPS, NM_TO_M
from airpicture.sim.deconflict import deconflict, semicircular_levels_ft
from airpicture.sim.scenario import IdentityChange, Scenario, ScriptedEvent
from airpicture.sim.sensor_models import AdsbNetwork, MlatModel, RadarModel
from airpicture.sim.traffic import (
    CLASSES,
    EMERGENCIES,
    GA,
    JET,
    TURBOPROP,
    XPDR_ADSB,
    XPDR_MODE_AC,
    XPDR_MODE_S,
    XPDR_NONE,
    AircraftClass,
    Fleet,
    great_circle_points,
    plane_scale,
)

#: 2025-01-15 10:00:00 UTC: the default, fixed start (a deterministic epoch; pass ``start_time_s`` for live use).
DEFAULT_START_TIME_S = 1736935200.0
AREA_RADIUS_M = 1400e3

#: Illustrative airspace for the demo and the infringement event. NOT an AIP extract: Niger's restricted, danger
#: and prohibited areas are not published in open sources.
ILLUSTRATIVE_ZONES: list[dict] = [
    {
        "type": "Feature",
        "properties": {
            "name": "DRR-R1 ILLUSTRATIVE (not a real area)",
            "kind": "restricted",
            "floor_ft": 0.0,
            "ceiling_ft": 6500.0,
            "illustrative": True,
        },
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [1.90, 13.66],
                    [1.97, 13.63],
                    [2.04, 13.67],
                    [2.04, 13.75],
                    [1.97, 13.79],
                    [1.90, 13.76],
                    [1.90, 13.66],
                ]
            ],
        },
    }
]


@dataclass(frozen=True)
class Operator:
    designator: str  # ICAO three-letter designator used as the callsign prefix
    address_block: tuple[int, int]  # the state's ICAO 24-bit address allocation


OPERATORS = {
    "AFR": Operator("AFR", (0x380000, 0x3BFFFF)),  # France
    "RAM": Operator("RAM", (0x020000, 0x027FFF)),  # Morocco
    "DAH": Operator("DAH", (0x0A0000, 0x0A7FFF)),  # Algeria
    "AAW": Operator("AAW", (0x018000, 0x01FFFF)),  # Libya
    "THY": Operator("THY", (0x4B8000, 0x4BFFFF)),  # Türkiye
    "ETH": Operator("ETH", (0x040000, 0x040FFF)),  # Ethiopia
    "SKK": Operator("SKK", (0x088000, 0x088FFF)),  # ASKY (Togo)
    "VRE": Operator("VRE", (0x038000, 0x038FFF)),  # Air Côte d'Ivoire
    "VBW": Operator("VBW", (0x09C000, 0x09CFFF)),  # Air Burkina
    "NIN": Operator("NIN", (0x062000, 0x062FFF)),  # Niger Airlines (Niger)
    "MSR": Operator("MSR", (0x010000, 0x017FFF)),  # EgyptAir
    "TUI": Operator("TUI", (0x448000, 0x44FFFF)),  # TUI (Belgium)
    "APK": Operator("APK", (0x064000, 0x064FFF)),  # Air Peace (Nigeria)
    "SEN": Operator("SEN", (0x070000, 0x070FFF)),  # Air Sénégal
    "5U": Operator("5U", (0x062000, 0x062FFF)),  # Niger-registered general aviation (callsign = registration)
}


@dataclass(frozen=True)
class RouteTemplate:
    """A city pair (with its turning points), flown both ways by ``operators`` with ``per_hour`` flights each way."""

    points: tuple[str, ...]
    operators: tuple[str, ...]
    per_hour: float
    classes: tuple[AircraftClass, ...] = (JET,)


ROUTES: tuple[RouteTemplate, ...] = (
    # Domestic (via turning points).
    RouteTemplate(("DRRN", "DRRT", "DRZA"), ("NIN",), 0.5, (TURBOPROP, JET)),
    RouteTemplate(("DRRN", "DRRB", "DRRM", "DRZR"), ("NIN",), 0.5, (TURBOPROP, JET)),
    RouteTemplate(("DRRN", "DRRC", "DRRM"), ("NIN",), 0.3, (TURBOPROP,)),
    RouteTemplate(("DRRN", "DRRT"), ("NIN",), 0.3, (TURBOPROP,)),
    RouteTemplate(("DRZA", "DRZT", "DRZR"), ("NIN",), 0.3, (TURBOPROP,)),
    RouteTemplate(("DRZR", "DRZG", "DRZF"), ("NIN",), 0.2, (TURBOPROP,)),
    RouteTemplate(("DRZA", "DRZL"), ("NIN",), 0.2, (TURBOPROP,)),
    # International to/from Niamey.
    RouteTemplate(("LFPG", "DAAT", "DRRN"), ("AFR",), 0.3),
    RouteTemplate(("GMMN", "DRRN"), ("RAM",), 0.3),
    RouteTemplate(("DAAG", "DAAT", "DRRN"), ("DAH",), 0.3),
    RouteTemplate(("LTFM", "DRRN"), ("THY",), 0.2),
    RouteTemplate(("HAAB", "FTTJ", "DRRN"), ("ETH",), 0.3),
    RouteTemplate(("DXXX", "DRRN"), ("SKK",), 0.5, (JET, TURBOPROP)),
    RouteTemplate(("DIAP", "DFFD", "DRRN"), ("VRE",), 0.4),
    RouteTemplate(("DFFD", "DRRN"), ("VBW",), 0.3, (TURBOPROP, JET)),
    RouteTemplate(("DNMM", "DRRN"), ("APK",), 0.3),
    # Trans-Saharan overflights.
    RouteTemplate(("LFPG", "DAAT", "DNMM"), ("AFR",), 0.6),
    RouteTemplate(("LFPG", "DNAA"), ("AFR",), 0.4),
    RouteTemplate(("LFPG", "DBBB"), ("AFR",), 0.3),
    RouteTemplate(("EBBR", "DGAA"), ("TUI",), 0.3),
    RouteTemplate(("DAAG", "DAAT", "DNAA"), ("DAH",), 0.3),
    RouteTemplate(("HLLT", "DNMM"), ("AAW",), 0.3),
    RouteTemplate(("HLLT", "DGAA"), ("AAW",), 0.2),
    RouteTemplate(("GMMN", "DNAA"), ("RAM",), 0.4),
    RouteTemplate(("GMMN", "DNKN"), ("RAM",), 0.2),
    RouteTemplate(("LTFM", "DNMM"), ("THY",), 0.5),
    RouteTemplate(("LTFM", "DXXX"), ("THY",), 0.3),
    RouteTemplate(("HECA", "DNMM"), ("MSR",), 0.4),
    RouteTemplate(("HECA", "DGAA"), ("MSR",), 0.3),
    # West–east.
    RouteTemplate(("GOBD", "GABS", "FTTJ"), ("SEN", "SKK"), 0.3),
    RouteTemplate(("GABS", "HSSK"), ("ETH",), 0.3),
    RouteTemplate(("GOBD", "HAAB"), ("ETH",), 0.4),
    RouteTemplate(("DIAP", "FTTJ"), ("VRE",), 0.3),
    RouteTemplate(("DFFD", "DRRN", "FTTJ"), ("SKK",), 0.3),
    # General aviation, Niger-registered.
    RouteTemplate(("DRRN", "DRRD"), ("5U",), 0.4, (GA,)),
    RouteTemplate(("DRRN", "DRRE"), ("5U",), 0.3, (GA,)),
    RouteTemplate(("DRRM", "DRZR"), ("5U",), 0.3, (GA,)),
)


@cache
def _airports() -> dict:
    import airportsdata

    return airportsdata.load("ICAO")


@cache
def _aero_point(code: str) -> tuple[float, float, float]:
    """(lat, lon, elevation m) of an aerodrome: Niger's from core.geography, others from one cached table load
    (``geography.aerodrome`` reloads the whole airportsdata table per foreign code, 0.2 s each)."""
    if code.startswith("DR"):
        a = aerodrome(code)
        return a.lat_deg, a.lon_deg, a.elevation_ft * FT_TO_M
    row = _airports()[code]
    return float(row["lat"]), float(row["lon"]), float(row["elevation"]) * FT_TO_M


@dataclass
class _Route:
    lat: NDArray
    lon: NDArray
    departs: bool
    lands: bool
    origin_elev_m: float
    dest_elev_m: float
    length_m: float


def build_route(points: list[tuple[float, float, float]], centre: tuple[float, float], radius_m: float) -> _Route:
    """Great-circle legs between ``points`` (lat, lon, elevation), cut to the simulated circle.

    Waypoints are the turning points plus one every ~250 km on long legs (airways' intermediate fixes), so the
    straight legs flown in the plane stay within a few hundred metres of the great circle.
    """
    lat_all, lon_all, keep = [], [], []
    for i in range(len(points) - 1):
        la, lo = great_circle_points(points[i][0], points[i][1], points[i + 1][0], points[i + 1][1], 25e3)
        start = 0 if i == 0 else 1
        lat_all.append(la[start:])
        lon_all.append(lo[start:])
        k = np.zeros(len(la) - start, dtype=bool)
        k[::10] = True
        k[-1] = True
        if start == 0:
            k[0] = True
        keep.append(k)
    lat, lon, sel = np.concatenate(lat_all), np.concatenate(lon_all), np.concatenate(keep)
    inside = haversine_m(centre[0], centre[1], lat, lon) <= radius_m
    if not inside.any():
        raise ValueError("route does not cross the simulated area")
    i0, i1 = int(np.argmax(inside)), int(len(inside) - 1 - np.argmax(inside[::-1]))
    sel = sel.copy()
    sel[i0] = sel[i1] = True
    pick = np.flatnonzero(sel[i0 : i1 + 1]) + i0
    lat, lon = lat[pick], lon[pick]
    length = float(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum())
    return _Route(lat, lon, i0 == 0, i1 == len(inside) - 1, points[0][2], points[-1][2], length)


class _FleetBuilder:
    """Collects flights one by one (build time only), then hands the arrays to :class:`Fleet`."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.flights: list[dict] = []
        self.used_addresses: set[int] = set()
        self.used_callsigns: set[str] = set()

    def address(self, operator: Operator) -> int:
        lo, hi = operator.address_block
        while True:
            a = int(self.rng.integers(lo, hi + 1))
            if a not in self.used_addresses:
                self.used_addresses.add(a)
                return a

    def callsign(self, operator: Operator) -> str:
        while True:
            if operator.designator == "5U":
                cs = "5U" + "".join(chr(65 + int(v)) for v in self.rng.integers(0, 26, 3))
            else:
                cs = f"{operator.designator}{int(self.rng.integers(1, 1000))}"
            if cs not in self.used_callsigns:
                self.used_callsigns.add(cs)
                return cs

    def squawk(self) -> int:
        while True:
            digits = self.rng.integers(0, 8, 4)
            code = int("".join(str(int(d)) for d in digits))
            if code >= 1000 and code not in (1200, 2000, 7000, 7500, 7600, 7700, 7777):
                return code

    def add(
        self,
        route_lat: NDArray,
        route_lon: NDArray,
        *,
        cls: AircraftClass,
        operator: str,
        start_time_s: float,
        along_m: float,
        departs: bool,
        lands: bool,
        origin_elev_m: float,
        dest_elev_m: float,
        cruise_alt_ft: float | None = None,
        cruise_tas_kt: float | None = None,
        xpdr: int | None = None,
        nacp: int | None = None,
        callsign: str | None = None,
        squawk: int | None = None,
        ghost_receiver: int = -1,
        course_deg: float | None = None,
        scripted: bool = False,
        route_codes: tuple[str, ...] = (),
        filed_route: str | None = None,
        initial_alt_ft: float | None = None,
    ) -> int:
        rng = self.rng
        op = OPERATORS[operator]
        if xpdr is None:
            draw = rng.random()
            if cls is GA:
                xpdr = XPDR_ADSB if draw < 0.4 else (XPDR_MODE_S if draw < 0.7 else XPDR_MODE_AC)
            else:
                xpdr = XPDR_ADSB if draw < 0.88 else (XPDR_MODE_S if draw < 0.97 else XPDR_MODE_AC)
        if nacp is None:
            nacp = int(rng.choice([7, 8, 9, 10], p=[0.05, 0.45, 0.35, 0.15]))
        if cruise_alt_ft is None and course_deg is not None:
            levels = semicircular_levels_ft(CLASSES.index(cls), course_deg)
            cruise_alt_ft = levels[min(int(rng.random() * len(levels)), len(levels) - 1)]
        elif cruise_alt_ft is None:
            lo, hi = cls.cruise_alt_ft
            cruise_alt_ft = float(np.round((lo + (hi - lo) * rng.random()) / 1000.0) * 1000.0)
        if cruise_tas_kt is None:
            lo, hi = cls.cruise_tas_kt
            cruise_tas_kt = float(lo + (hi - lo) * rng.random())
        self.flights.append(
            dict(
                lat=np.asarray(route_lat),
                lon=np.asarray(route_lon),
                cls=CLASSES.index(cls),
                start_time_s=start_time_s,
                along_m=along_m,
                depart_elev_m=origin_elev_m if departs else np.inf,
                lands=lands,
                dest_elev_m=dest_elev_m,
                cruise_alt_m=cruise_alt_ft * FT_TO_M,
                cruise_tas_mps=cruise_tas_kt * KT_TO_MPS,
                icao24=self.address(op) if xpdr >= XPDR_MODE_S else 0,
                callsign=callsign or self.callsign(op),
                squawk=squawk if squawk is not None else (7000 if cls is GA else self.squawk()),
                xpdr=xpdr,
                nacp=nacp,
                ghost_receiver=ghost_receiver,
                scripted=scripted,
                route_codes=tuple(route_codes),
                filed_route=filed_route,
                initial_alt_m=np.nan if initial_alt_ft is None else initial_alt_ft * FT_TO_M,
                cruise_tas_kt=cruise_tas_kt,
                cls_obj=cls,
            )
        )
        return len(self.flights) - 1

    def build(self, plane: SystemPlane) -> Fleet:
        n = len(self.flights)
        m = max(len(f["lat"]) for f in self.flights)
        wx, wy = np.zeros((n, m)), np.zeros((n, m))
        for i, f in enumerate(self.flights):
            x, y = plane.to_xy(f["lat"], f["lon"])
            wx[i, : len(x)], wy[i, : len(y)] = x, y
            wx[i, len(x) :], wy[i, len(y) :] = x[-1], y[-1]

        def col(name: str) -> NDArray:
            return np.array([f[name] for f in self.flights])

        fleet = Fleet(
            plane,
            route_x_m=wx,
            route_y_m=wy,
            n_waypoints=np.array([len(f["lat"]) for f in self.flights]),
            cls=col("cls"),
            cruise_alt_m=col("cruise_alt_m"),
            cruise_tas_mps=col("cruise_tas_mps"),
            start_time_s=col("start_time_s"),
            lands=col("lands"),
            cyclic=np.zeros(n, dtype=bool),
            dest_elev_m=col("dest_elev_m"),
            icao24=col("icao24"),
            callsign=[f["callsign"] for f in self.flights],
            squawk=col("squawk"),
            xpdr=col("xpdr"),
            nacp=col("nacp"),
            ghost_receiver=col("ghost_receiver"),
        )
        # Along-route distances are ground metres; the plane stretches them by its scale (≤ 1.3 % here).
        scale = plane_scale(wx[:, 0], wy[:, 0])
        self.along_plane_m = col("along_m") * scale
        self.depart_elev_m = col("depart_elev_m")
        self.scripted = col("scripted").astype(bool)
        fleet.place_on_route(np.arange(n), self.along_plane_m, self.depart_elev_m)
        initial = col("initial_alt_m")
        start_alt = np.flatnonzero(np.isfinite(initial))
        fleet.alt_m[start_alt] = initial[start_alt]
        return fleet


def niger_sensors() -> tuple[list[Sensor], list[RadarModel], AdsbNetwork, MlatModel]:
    """The sensors of the scenario (illustrative sites): 2 radars, 8 ADS-B receivers, a 5-site MLAT cluster."""
    n_lat, n_lon, n_elev = _aero_point("DRRN")
    a_lat, a_lon, a_elev = _aero_point("DRZA")
    niamey = Sensor(
        "niamey-psr-ssr", "psr_ssr", n_lat, n_lon, n_elev + 20.0, rotation_period_s=6.0,
        sigma_range_m=60.0, sigma_azimuth_deg=0.07, range_max_m=250 * NM_TO_M,
    )  # fmt: skip
    agadez = Sensor(
        "agadez-ssr", "ssr", a_lat, a_lon, a_elev + 20.0, rotation_period_s=10.0,
        sigma_range_m=70.0, sigma_azimuth_deg=0.08, range_max_m=250 * NM_TO_M,
    )  # fmt: skip
    radars = [
        RadarModel(niamey, sac=97, sic=1, pd_psr=0.9, pd_ssr=0.98, psr_range_max_m=100 * NM_TO_M,
                   ssr_range_max_m=250 * NM_TO_M, clutter_per_scan=5.0, north_time_s=0.0),
        RadarModel(agadez, sac=97, sic=2, pd_psr=0.0, pd_ssr=0.97, psr_range_max_m=0.0,
                   ssr_range_max_m=250 * NM_TO_M, clutter_per_scan=0.0, north_time_s=3.0),
    ]  # fmt: skip
    receivers = []
    for code in ("DRRN", "DRZA", "DRZR", "DRRM", "DRRT", "DRZF", "DRZL", "DRRI"):
        lat, lon, elev = _aero_point(code)
        receivers.append(Sensor(f"adsb-{code.lower()}", "adsb", lat, lon, elev + 15.0, range_max_m=400e3))
    sites = [
        (n_lat, n_lon, n_elev + 15.0),
        (13.5128, 2.1128, 225.0),  # Niamey city
        (13.3087, 2.3392, 200.0),  # Kollo
        (13.6300, 2.3900, 230.0),  # Hamdallaye
        (13.4000, 1.8800, 210.0),  # west of the river
    ]
    c_lat = float(np.mean([s[0] for s in sites]))
    c_lon = float(np.mean([s[1] for s in sites]))
    mlat_sensor = Sensor("mlat-niamey", "mlat", c_lat, c_lon, 220.0, sigma_h_m=30.0, range_max_m=350e3)
    mlat = MlatModel(mlat_sensor, sites, baseline_m=30e3)
    return [niamey, agadez, *receivers, mlat_sensor], radars, AdsbNetwork(receivers, p_receive=0.9), mlat


def build_niger(
    seed: int = 0,
    start_time_s: float | None = None,
    *,
    events: bool = True,
    n_aircraft: float = 60.0,
    horizon_s: float = 86400.0,
    primary_only: int = 1,
    dt_s: float = 1.0,
    truth_period_s: float = 1.0,
    deconflict_s: float = 3600.0,
    extra_events: str | tuple[str, ...] = (),
) -> Scenario:
    """The Niger scenario: about ``n_aircraft`` airborne at once, traffic scheduled ``horizon_s`` ahead.

    ``primary_only`` light aircraft without transponder fly out of Niamey inside the primary radar's cover (one
    by default, as the brief has it; more give the primary-only target class a sample to be evaluated on).
    Background traffic cruises at semicircular levels and is pre-checked over the first ``deconflict_s`` seconds
    so that it keeps 5 NM / 1000 ft (see :mod:`airpicture.sim.deconflict`); 0 turns the pre-check off.
    ``extra_events`` adds scripted events beyond the standard six (names in :data:`EXTRA_EVENTS`, or ``"all"``);
    they are opt-in so that the standard scenario of a seed stays the same.
    """
    extra = EXTRA_EVENTS if extra_events == "all" else tuple(extra_events)
    unknown = sorted(set(extra) - set(EXTRA_EVENTS))
    if unknown:
        raise ValueError(f"niger scenario: unknown extra events {unknown}; choose from {', '.join(EXTRA_EVENTS)}")
    if primary_only < 0 or n_aircraft < 0 or horizon_s < 0 or not dt_s > 0 or not truth_period_s > 0:
        raise ValueError("niger scenario: counts and horizon must be ≥ 0, dt_s and truth_period_s > 0")
    rng = np.random.default_rng(seed)
    t0 = DEFAULT_START_TIME_S if start_time_s is None else float(start_time_s)
    plane = SystemPlane(*NIGER_PLANE_CENTRE)
    builder = _FleetBuilder(rng)
    routes = []
    route_codes = []
    for tpl in ROUTES:
        pts = [_aero_point(c) for c in tpl.points]
        for way, codes in ((pts, tpl.points), (pts[::-1], tpl.points[::-1])):
            routes.append((tpl, build_route(way, NIGER_PLANE_CENTRE, AREA_RADIUS_M)))
            route_codes.append(codes)
    # Overall course of each route across the area (plane grid ≈ true within a few degrees), for the levels.
    courses = []
    for _, r in routes:
        x, y = plane.to_xy(r.lat[[0, -1]], r.lon[[0, -1]])
        courses.append(float(np.degrees(np.arctan2(x[1] - x[0], y[1] - y[0])) % 360.0))
    # Mean flight time per route from its class mix; flight rates scaled so about n_aircraft fly at once.
    durations = np.array([r.length_m / (0.85 * np.mean([c.cruise_tas_kt[0] for c in t.classes]) * KT_TO_MPS)
                          for t, r in routes])  # fmt: skip
    rates = np.array([t.per_hour / 3600.0 for t, _ in routes])
    rates *= n_aircraft / float((rates * durations).sum())
    for (tpl, route), rate, dur, course, codes in zip(routes, rates, durations, courses, route_codes, strict=True):
        # A timetable: departures at the route's mean interval with ±30 % jitter (so the number airborne at any
        # moment stays close to n_aircraft, as a schedule keeps it, rather than swinging like a Poisson count).
        interval = 1.0 / rate
        slots = np.arange(t0 - dur + interval * rng.random(), t0 + horizon_s, interval)
        for start in np.sort(slots + interval * rng.uniform(-0.3, 0.3, len(slots))):
            cls = tpl.classes[int(rng.integers(len(tpl.classes)))]
            op = tpl.operators[int(rng.integers(len(tpl.operators)))]
            along = max(0.0, (t0 - start) / dur) * route.length_m
            builder.add(
                route.lat, route.lon, cls=cls, operator=op, start_time_s=max(start, t0), along_m=along,
                departs=route.departs, lands=route.lands, origin_elev_m=route.origin_elev_m,
                dest_elev_m=route.dest_elev_m, course_deg=course, route_codes=codes,
            )  # fmt: skip
    sensors, radars, adsb, mlat = niger_sensors()
    scripted, changes = _scripted(builder, plane, t0, sensors, adsb, events)
    _more_primary_only(builder, t0, primary_only - 1)
    extra_scripted, extra_changes = _extra_events(builder, plane, t0, extra)
    scripted += extra_scripted
    changes += extra_changes
    fleet = builder.build(plane)
    for e in extra_scripted:
        if e.kind == "gnss_interference":
            d = e.detail
            fleet.gnss_interference.append(
                (d["lat_deg"], d["lon_deg"], d["radius_m"], e.time_s, d["until_s"], d["nacp"], d["nic"])
            )
    resolution = deconflict(fleet, t0, builder.scripted, builder.along_plane_m, builder.depart_elev_m,
                            window_s=deconflict_s)  # fmt: skip
    sensor_index = {s.id: i for i, s in enumerate(sensors)}
    models = [(sensor_index[r.sensor.id], r) for r in radars]
    models.append((sensor_index[adsb.sensors[0].id], adsb))
    models.append((sensor_index[mlat.sensor.id], mlat))
    scenario = Scenario(
        "niger", plane=plane, fleet=fleet, sensors=sensors, models=models, start_time_s=t0, rng=rng,
        events=[_with_icao(e, fleet) for e in scripted], changes=changes, dt_s=dt_s, truth_period_s=truth_period_s,
        extra={"zones": ILLUSTRATIVE_ZONES, "deconfliction": resolution},
    )  # fmt: skip
    scenario.flight_plans = flight_plan_messages(builder, fleet, t0)
    return scenario


def _with_icao(event: ScriptedEvent, fleet: Fleet) -> ScriptedEvent:
    """The event's ICAO address: its aircraft's, or for a spoofing event the address the ghost broadcasts."""
    slot = event.target_id if event.target_id is not None else event.detail.get("ghost")
    if slot is None or event.icao24 is not None:
        return event
    a = int(fleet.icao24[slot])
    return ScriptedEvent(event.kind, event.time_s, event.target_id, f"{a:06x}" if a else None, event.detail)


def _straight(plane: SystemPlane, through: tuple[float, float], track_deg: float, before_m: float, after_m: float):
    """Two-point route crossing ``through`` on a (plane) heading, ``before_m`` ground metres before it."""
    x, y = plane.to_xy(through[0], through[1])
    s = float(plane_scale(x, y))
    u = np.array([np.sin(np.radians(track_deg)), np.cos(np.radians(track_deg))])
    xs = np.array([x - u[0] * before_m * s, x + u[0] * after_m * s])
    ys = np.array([y - u[1] * before_m * s, y + u[1] * after_m * s])
    return plane.to_latlon(xs, ys)


#: Aerodromes within the Niamey primary radar's cover that non-transponder light aircraft fly to.
PRIMARY_ONLY_DESTINATIONS = ("DRRL", "DRRU", "DRRE", "DRRC", "DRRP", "DRRD")


def _more_primary_only(builder: _FleetBuilder, t0: float, count: int) -> None:
    """``count`` more light aircraft with no transponder, Niamey → a nearby aerodrome, already airborne."""
    n = _aero_point("DRRN")
    for i in range(max(count, 0)):
        d = _aero_point(PRIMARY_ONLY_DESTINATIONS[i % len(PRIMARY_ONLY_DESTINATIONS)])
        lat, lon = great_circle_points(n[0], n[1], d[0], d[1], 200e3)
        builder.add(lat, lon, cls=GA, operator="5U", start_time_s=t0, along_m=float(builder.rng.uniform(10e3, 40e3)),
                    departs=True, lands=True, origin_elev_m=n[2], dest_elev_m=d[2],
                    cruise_alt_ft=float(builder.rng.choice([3500.0, 4500.0, 5500.0, 6500.0])),
                    cruise_tas_kt=float(builder.rng.uniform(100.0, 130.0)), xpdr=XPDR_NONE, scripted=True)  # fmt: skip


def _scripted(builder: _FleetBuilder, plane: SystemPlane, t0: float, sensors, adsb: AdsbNetwork, events: bool):
    """The scripted aircraft and what happens to them. The primary-only GA aircraft is always there."""
    out: list[ScriptedEvent] = []
    changes: list[IdentityChange] = []
    # A light aircraft with no transponder, Niamey → Dosso, inside the primary radar's cover all the way.
    n = _aero_point("DRRN")
    d = _aero_point("DRRD")
    lat, lon = great_circle_points(n[0], n[1], d[0], d[1], 200e3)
    builder.add(lat, lon, cls=GA, operator="5U", start_time_s=t0, along_m=25e3, departs=True, lands=True,
                origin_elev_m=n[2], dest_elev_m=d[2], cruise_alt_ft=5500.0, cruise_tas_kt=115.0, xpdr=XPDR_NONE,
                callsign="5UAGN", scripted=True)  # fmt: skip
    if not events:
        return out, changes
    level = dict(
        departs=False, lands=False, origin_elev_m=0.0, dest_elev_m=0.0, along_m=0.0, start_time_s=t0, scripted=True
    )

    # 1. Emergency: an arrival from Casablanca squawks 7700 and broadcasts an ADS-B general emergency.
    lat, lon = _straight(plane, (15.2, 2.6), 190.0, 0.0, 190e3)
    e1 = builder.add(lat, lon, cls=JET, operator="RAM", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=33000.0,
                     cruise_tas_kt=460.0, **level)  # fmt: skip
    changes.append(IdentityChange(t0 + 120.0, e1, squawk=7700, emergency=EMERGENCIES.index("general")))
    out.append(ScriptedEvent("emergency", t0 + 120.0, e1, None, {"squawk": "7700", "emergency": "general"}))

    # 2. ADS-B emergency/priority status only (minimum fuel), Mode A code unchanged.
    lat, lon = _straight(plane, (12.0, 1.8), 10.0, 0.0, 250e3)
    e2 = builder.add(lat, lon, cls=JET, operator="SKK", xpdr=XPDR_ADSB, nacp=8, cruise_alt_ft=35000.0,
                     cruise_tas_kt=450.0, **level)  # fmt: skip
    changes.append(IdentityChange(t0 + 240.0, e2, emergency=EMERGENCIES.index("minfuel")))
    out.append(ScriptedEvent("emergency", t0 + 240.0, e2, None, {"emergency": "minfuel", "adsb_only": True}))

    # 3. Transponder switched off mid-flight: ADS-B, SSR and MLAT stop; the primary radar keeps it.
    lat, lon = _straight(plane, (13.55, 2.75), 80.0, 0.0, 300e3)
    e3 = builder.add(lat, lon, cls=TURBOPROP, operator="NIN", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=18000.0,
                     cruise_tas_kt=260.0, **level)  # fmt: skip
    changes.append(IdentityChange(t0 + 180.0, e3, xpdr=XPDR_NONE))
    out.append(ScriptedEvent("transponder_off", t0 + 180.0, e3, None, {}))

    # 4. Infringement: a light aircraft flies into the illustrative restricted zone 300 s after the start.
    zone = ILLUSTRATIVE_ZONES[0]
    poly = shapely.geometry.shape(zone["geometry"])
    tpl_lat, tpl_lon = great_circle_points(13.45, 2.20, 14.2, 1.467, 10.0)
    entry = int(np.argmax(shapely.contains_xy(poly, tpl_lon, tpl_lat)))  # to within 10 m, 0.2 s
    entry_lat, entry_lon = float(tpl_lat[entry]), float(tpl_lon[entry])
    track = float(np.degrees(np.arctan2(*np.subtract(plane.to_xy(14.2, 1.467), plane.to_xy(13.45, 2.20)))))
    gs_kt = 120.0
    lat, lon = _straight(plane, (entry_lat, entry_lon), track, 300.0 * gs_kt * KT_TO_MPS, 60e3)
    e4 = builder.add(lat, lon, cls=GA, operator="5U", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=4500.0,
                     cruise_tas_kt=gs_kt, **level)  # fmt: skip
    out.append(ScriptedEvent("airspace_infringement", t0 + 300.0, e4, None,
                             {"zone": zone["properties"]["name"], "entry_lat_deg": entry_lat,
                              "entry_lon_deg": entry_lon}))  # fmt: skip

    # 5. Spoofed ADS-B: a ghost heard by the Niamey receiver only, with no aircraft (and no radar echo) behind it.
    ghost_rx = next(i for i, s in enumerate(adsb.sensors) if s.id == "adsb-drrn")
    start_s, end_s, ghost_kt = 60.0, 540.0, 450.0
    lat, lon = _straight(plane, (13.9, 3.6), 260.0, 0.0, (end_s - start_s) * ghost_kt * KT_TO_MPS)
    e5 = builder.add(lat, lon, cls=JET, operator="AFR", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=35000.0,
                     cruise_tas_kt=ghost_kt, callsign="AFR1999", ghost_receiver=ghost_rx,
                     **{**level, "start_time_s": t0 + start_s})  # fmt: skip
    out.append(ScriptedEvent("spoofing", t0 + start_s, None, None,
                             {"ghost": e5, "receiver": "adsb-drrn", "until_s": t0 + end_s}))  # fmt: skip

    # 6. Two jets converging at FL350 (STCA): closest approach 1.5 NM at t0 + 420 s.
    cpa_s, gs_a, gs_b, miss_m = 420.0, 460.0, 470.0, 1.5 * NM_TO_M
    centre = (15.6, 4.4)
    lat, lon = _straight(plane, centre, 20.0, cpa_s * gs_a * KT_TO_MPS, 400e3)
    a = builder.add(lat, lon, cls=JET, operator="AFR", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=35000.0,
                    cruise_tas_kt=gs_a, **level)  # fmt: skip
    # B crosses A's line so that at A's crossing time it is `miss_m` from A, perpendicular to the relative motion.
    ua = np.array([np.sin(np.radians(20.0)), np.cos(np.radians(20.0))])
    ub = np.array([np.sin(np.radians(140.0)), np.cos(np.radians(140.0))])
    rel = ub * gs_b - ua * gs_a
    perp = np.array([rel[1], -rel[0]]) / np.hypot(*rel)
    cx, cy = plane.to_xy(*centre)
    s = float(plane_scale(cx, cy))
    b_lat, b_lon = plane.to_latlon(cx + perp[0] * miss_m * s, cy + perp[1] * miss_m * s)
    lat, lon = _straight(plane, (float(b_lat), float(b_lon)), 140.0, cpa_s * gs_b * KT_TO_MPS, 400e3)
    b = builder.add(lat, lon, cls=JET, operator="ETH", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=35000.0,
                    cruise_tas_kt=gs_b, **level)  # fmt: skip
    out.append(ScriptedEvent("stca", t0 + cpa_s, a, None,
                             {"other_target_id": b, "min_separation_m": miss_m, "level_ft": 35000.0}))  # fmt: skip
    return out, changes


#: Scripted events that are not in the standard scenario; ask for them with ``extra_events``.
EXTRA_EVENTS = ("gnss_interference", "fpl_deviation", "stca_climb_through", "stca_level_off")

#: ICAO aircraft type designator and wake category written in the flight plans, per class (illustrative).
FPL_TYPE = {"jet": ("B738", "M"), "turboprop": ("AT76", "M"), "ga": ("C172", "L")}


def _latlon_text(lat: float, lon: float) -> str:
    """Field 15 significant point in degrees and minutes: 1530N00500E."""
    la, lo = abs(lat), abs(lon)
    lat_d, lat_m = int(la), int(np.round((la - int(la)) * 60))
    lon_d, lon_m = int(lo), int(np.round((lo - int(lo)) * 60))
    if lat_m == 60:
        lat_d, lat_m = lat_d + 1, 0
    if lon_m == 60:
        lon_d, lon_m = lon_d + 1, 0
    return f"{lat_d:02d}{lat_m:02d}{'N' if lat >= 0 else 'S'}{lon_d:03d}{lon_m:02d}{'E' if lon >= 0 else 'W'}"


def _hhmm(time_s: float) -> str:
    t = int(time_s) % 86400
    return f"{t // 3600:02d}{t % 3600 // 60:02d}"


def flight_plan_messages(builder: _FleetBuilder, fleet: Fleet, t0: float) -> str:
    """ICAO FPL messages (Doc 4444 Appendix 3) for every scheduled flight that was not removed.

    Field 7 callsign and SSR code, 8 IS (VG for light aircraft), 9 type/wake, 10 equipment, 13 departure and EOBT,
    15 cruise speed and level with the route's turning points (aerodromes; the flown legs are great circles
    between them, as the expanded plan is), 16 destination and EET, 18 ``CODE/`` (Mode S address) and ``DOF/``.
    A flight with a ``filed_route`` files that route instead (the flight-plan deviation event); a scripted flight
    between two points files them (``ZZZZ`` aerodromes, ``DEP/``/``DEST/`` in field 18).
    """
    import time as _time

    out = []
    for i, f in enumerate(builder.flights):
        if fleet.done[i] or fleet.ghost_receiver[i] >= 0:
            continue
        cls = f["cls_obj"]
        ac_type, wake = FPL_TYPE[cls.name]
        level_ft = fleet.cruise_alt_m[i] / FT_TO_M
        vfr = cls.name == "ga"
        level = f"A{int(np.round(level_ft / 100)):03d}" if vfr else f"F{int(np.round(level_ft / 100)):03d}"
        speed = f"N{int(np.round(f['cruise_tas_kt'])):04d}"
        item18 = []
        if f["filed_route"] is not None:
            dep, dest, body = f["filed_route"]
        elif not f["route_codes"]:
            # A scripted flight between two points, not aerodromes: ZZZZ with DEP/ and DEST/ in field 18.
            first, last = _latlon_text(f["lat"][0], f["lon"][0]), _latlon_text(f["lat"][-1], f["lon"][-1])
            dep, dest, body = "ZZZZ", "ZZZZ", f"DCT {first} DCT {last} DCT"
            item18 += [f"DEP/{first}", f"DEST/{last}"]
        else:
            codes = f["route_codes"]
            dep, dest = codes[0], codes[-1]
            body = " ".join(["DCT", *[f"{c} DCT" for c in codes[1:-1]]])
        tas = max(f["cruise_tas_kt"] * KT_TO_MPS, 1.0)
        # Departure time: when the flight would have left its aerodrome (before the start for traffic en route).
        eobt = fleet.start_time_s[i] - f["along_m"] / (0.85 * tas)  # (after any hold of the pre-check)
        squawk = f["squawk"]
        code = f"/A{squawk:04d}" if 0 <= squawk <= 7777 and f["xpdr"] >= XPDR_MODE_AC else ""
        if f["icao24"]:
            item18.append(f"CODE/{f['icao24']:06X}")
        item18.append("DOF/" + _time.strftime("%y%m%d", _time.gmtime(eobt)))
        equipment = "SDFGRWY/LB1" if f["xpdr"] >= XPDR_ADSB else ("SDFGRWY/S" if f["xpdr"] >= XPDR_MODE_AC else "S/N")
        out.append(
            f"(FPL-{f['callsign']}{code}-{'VG' if vfr else 'IS'}-{ac_type}/{wake}-{equipment}-{dep}{_hhmm(eobt)}"
            f"-{speed}{level} {body}-{dest}0200-{' '.join(item18)})"
        )
    return "\n".join(out) + ("\n" if out else "")


def _offset(plane: SystemPlane, lat: float, lon: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    x, y = plane.to_xy(lat, lon)
    s = float(plane_scale(x, y))
    b = np.radians(bearing_deg)
    la, lo = plane.to_latlon(x + np.sin(b) * distance_m * s, y + np.cos(b) * distance_m * s)
    return float(la), float(lo)


def _extra_events(builder: _FleetBuilder, plane: SystemPlane, t0: float, names: tuple[str, ...]):
    """The opt-in scripted events (:data:`EXTRA_EVENTS`)."""
    out: list[ScriptedEvent] = []
    changes: list[IdentityChange] = []
    level = dict(departs=False, lands=False, origin_elev_m=0.0, dest_elev_m=0.0, along_m=0.0, start_time_s=t0,
                 scripted=True)  # fmt: skip
    if "gnss_interference" in names:
        # GNSS jamming around Niamey for five minutes: receivers inside broadcast NACp 5 / NIC 4 (EPU < 0.5 NM),
        # in their position, operational status (TC 31) and target state (TC 29) messages.
        out.append(ScriptedEvent("gnss_interference", t0 + 120.0, None, None,
                                 {"lat_deg": 13.6, "lon_deg": 2.6, "radius_m": 250e3, "until_s": t0 + 420.0,
                                  "nacp": 5, "nic": 4}))  # fmt: skip
    if "fpl_deviation" in names:
        # A Casablanca–Abuja flight files a straight route between two points at FL350 but flies a dog-leg 30 km
        # to the side of it and back: off its route by more than 10 NM from about +230 s to about +510 s.
        p1 = (16.0, 3.4)
        course = 135.0
        p2 = _offset(plane, *p1, course, 170e3)
        p3 = _offset(plane, *p2, course, 150e3)
        mid = _offset(plane, *p1, course, 85e3)
        dev = _offset(plane, *mid, course - 90.0, 30e3)
        filed = ("GMMN", "DNAA", f"DCT {_latlon_text(*p1)} DCT {_latlon_text(*p3)} DCT")
        lat = np.array([p1[0], dev[0], p2[0], p3[0]])
        lon = np.array([p1[1], dev[1], p2[1], p3[1]])
        # The filed points are rounded to whole minutes: fly exactly through them.
        from airpicture.identify.route import latlon_point

        (lat[0], lon[0]), (lat[3], lon[3]) = latlon_point(_latlon_text(*p1)), latlon_point(_latlon_text(*p3))
        k = builder.add(lat, lon, cls=JET, operator="RAM", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=35000.0,
                        cruise_tas_kt=450.0, filed_route=filed, **level)  # fmt: skip
        out.append(ScriptedEvent("fpl_deviation", t0 + 230.0, k, None,
                                 {"lateral_m": 30e3, "back_on_route_s": t0 + 510.0, "kind": "route"}))  # fmt: skip
    for name, centre, selected_ft in (("stca_climb_through", (15.2, 4.0), 36000.0),
                                      ("stca_level_off", (14.3, 6.6), 33000.0)):  # fmt: skip
        if name not in names:
            continue
        # A level at FL340 eastbound; B northbound climbing from FL300 to ``selected_ft`` (in its ADS-B target
        # state), both over ``centre`` about 235 s after the start, when B (climbing ~1,000 fpm) passes FL340:
        # through that level (a real loss of separation) or levelling off 1,000 ft below it (none).
        cross_s, gs = 235.0, 450.0
        lat, lon = _straight(plane, centre, 90.0, cross_s * gs * KT_TO_MPS, 200e3)
        a = builder.add(lat, lon, cls=JET, operator="THY", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=34000.0,
                        cruise_tas_kt=gs, **level)  # fmt: skip
        lat, lon = _straight(plane, centre, 0.0, cross_s * gs * KT_TO_MPS, 200e3)
        b = builder.add(lat, lon, cls=JET, operator="ETH", xpdr=XPDR_ADSB, nacp=9, cruise_alt_ft=selected_ft,
                        cruise_tas_kt=gs, initial_alt_ft=30000.0, **level)  # fmt: skip
        detail = {"other_target_id": a, "level_ft": 34000.0, "selected_alt_ft": selected_ft}
        out.append(ScriptedEvent(name, t0 + cross_s, b, None, detail))
    return out, changes
