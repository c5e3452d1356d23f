"""Infringement look-ahead: straight and turning predictions, vertical limits, schedules."""

from __future__ import annotations

import pyarrow as pa
import shapely

from airpicture.core.geodesy import destination
from airpicture.monitor import Airspace, MonitorSet, Schedule, Volume
from tests.monitor.synth import T0, Flight, fly

LAT, LON = 15.0, 3.0


def zone(lat: float, lon: float, half_deg: float = 0.05, **kwargs) -> Volume:
    box = shapely.box(lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg)
    return Volume(kwargs.pop("name", "ZONE"), kwargs.pop("kind", "restricted"), box, **kwargs)


def infringements(flights: list[Flight], volumes: list[Volume], duration_s: float = 200.0, t0: float = T0) -> list:
    monitors = MonitorSet(Airspace(volumes))
    events = pa.concat_tables([monitors.update(t, now) for now, t in fly(flights, duration_s, t0=t0)])
    return [r for r in events.to_pylist() if r["kind"] == "airspace_infringement"]


def test_straight_entry_is_predicted_with_its_time():
    # Zone edge 30 km east of the aircraft at 300 kt (154 m/s): entry after ~195 s... put it 15 km away: ~97 s.
    z_lat, z_lon = destination(LAT, LON, 90.0, 15_000.0 + 0.05 * 111_000 * 0.966)
    events = infringements([Flight(LAT, LON, 9000.0, 300.0, 90.0)], [zone(float(z_lat), float(z_lon))])
    raised = events[0]
    assert raised["state"] == "raised" and raised["volume"] == "ZONE"
    assert abs(raised["time_predicted_s"] - (T0 + 15_000 / (300 * 1852 / 3600))) <= 6.0
    assert raised["time_predicted_s"] - raised["time_raised_s"] >= 60.0


def test_a_turn_toward_the_zone_is_caught_by_the_turning_prediction():
    # Heading north at 250 kt, turning right at 1.5°/s: the arc reaches a zone 8 km east, 8 km north.
    z_lat, z_lon = destination(LAT, LON, 45.0, 11_300.0)
    volumes = [zone(float(z_lat), float(z_lon), 0.02)]
    turning = infringements([Flight(LAT, LON, 9000.0, 250.0, 0.0, turn_deg_s=1.5)], volumes, 40.0)
    assert turning and turning[0]["time_predicted_s"] is not None
    straight = infringements([Flight(LAT, LON, 9000.0, 250.0, 0.0)], volumes, 40.0)
    assert not straight


def test_vertical_limits_and_climbs_are_respected():
    z_lat, z_lon = destination(LAT, LON, 90.0, 20_000.0)
    high = zone(float(z_lat), float(z_lon), floor_ft=10000.0, ceiling_ft=20000.0)
    # Level below the floor: no alert. Climbing into it: alert.
    assert not infringements([Flight(LAT, LON, 8000.0, 300.0, 90.0)], [high], 60.0)
    assert infringements([Flight(LAT, LON, 8000.0, 300.0, 90.0, vertical_rate_fpm=2000.0)], [high], 60.0)


def test_inactive_scheduled_zone_does_not_alert():
    # T0 is a Wednesday 10:00 UTC.
    z_lat, z_lon = destination(LAT, LON, 90.0, 15_000.0)
    weekend = zone(float(z_lat), float(z_lon), schedule=Schedule.parse("SAT-SUN 0000-2400"))
    weekday = zone(float(z_lat), float(z_lon), name="WEEKDAY", schedule=Schedule.parse("MON-FRI 0800-1600"))
    assert not infringements([Flight(LAT, LON, 9000.0, 300.0, 90.0)], [weekend], 120.0)
    assert infringements([Flight(LAT, LON, 9000.0, 300.0, 90.0)], [weekday], 120.0)


def test_fir_and_tma_are_not_watched_by_default():
    z_lat, z_lon = destination(LAT, LON, 90.0, 15_000.0)
    tma = zone(float(z_lat), float(z_lon), kind="tma")
    assert not infringements([Flight(LAT, LON, 9000.0, 300.0, 90.0)], [tma], 120.0)
