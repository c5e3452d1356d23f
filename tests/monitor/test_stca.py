"""STCA: level-off awareness, climb-through, per-volume minima, persistence."""

from __future__ import annotations

import pyarrow as pa

from airpicture.core.geodesy import destination
from airpicture.monitor import Airspace, MonitorSet, Volume
from airpicture.monitor.config import MonitorConfig, StcaConfig
from tests.monitor.synth import Flight, fly

LAT, LON = 16.0, 6.0


def stca_events(flights: list[Flight], duration_s: float = 240.0, airspace: Airspace | None = None, **cfg) -> list:
    config = MonitorConfig(stca=StcaConfig(**cfg))
    monitors = MonitorSet(airspace or Airspace([]), config)
    events = pa.concat_tables([monitors.update(t, now) for now, t in fly(flights, duration_s)])
    return [r for r in events.to_pylist() if r["kind"] == "stca"]


def head_on(alt_a: float, alt_b: float, distance_nm: float = 60.0, **b_kwargs) -> list[Flight]:
    lat_b, lon_b = destination(LAT, LON, 90.0, distance_nm * 1852.0)
    return [Flight(LAT, LON, alt_a, 420.0, 90.0), Flight(float(lat_b), float(lon_b), alt_b, 420.0, 270.0, **b_kwargs)]


def test_head_on_at_the_same_level_is_alerted_with_the_time_of_loss():
    events = stca_events(head_on(30000.0, 30000.0))
    raised = [r for r in events if r["state"] == "raised"]
    assert len(raised) == 1 and raised[0]["track_ids"] == [0, 1]
    # 60 NM at 840 kt closure: 5 NM reached after 55/840 h = 236 s.
    assert abs(raised[0]["time_predicted_s"] - (raised[0]["time_raised_s"] + 0)) <= 125.0
    assert raised[0]["time_predicted_s"] - 1_736_935_200.0 >= 225.0


def test_adjacent_levels_1000_ft_apart_are_not_a_conflict():
    assert not stca_events(head_on(30000.0, 31000.0))


def test_climb_levelling_off_1000_ft_below_traffic_is_not_alerted():
    # B climbs at 1500 fpm from FL280 and levels at FL290 (t = 40 s) under A at FL300, passing head-on at 80–120 s:
    # linear prediction sees B through FL300 while they pass.
    flights = head_on(30000.0, 28000.0, distance_nm=24.0, vertical_rate_fpm=1500.0, level_off_ft=29000.0)
    assert not stca_events(flights)
    # Without the level-off hypothesis the same encounter is alerted: the filter is what removes it.
    assert stca_events(flights, level_off=False)


def test_climb_through_the_level_of_oncoming_traffic_is_alerted_before_separation_is_lost():
    # B climbs at 1000 fpm through FL300 just as it passes head-on under A (horizontal loss 236–278 s).
    events = stca_events(head_on(30000.0, 25700.0, vertical_rate_fpm=1000.0, level_off_ft=34000.0), 300.0)
    raised = [r for r in events if r["state"] == "raised"]
    assert len(raised) == 1
    assert raised[0]["time_raised_s"] - 1_736_935_200.0 < 236.0


def test_per_volume_minima_apply_inside_the_volume():
    # Parallel aircraft 4 NM apart at the same level: a conflict under 5 NM, not under a 3-NM TMA minimum.
    lat_b, lon_b = destination(LAT, LON, 0.0, 4 * 1852.0)
    flights = [Flight(LAT, LON, 9000.0, 250.0, 90.0), Flight(float(lat_b), float(lon_b), 9000.0, 250.0, 90.0)]
    assert stca_events(flights, 60.0)
    import shapely

    tma = Volume("TMA", "tma", shapely.box(LON - 2, LAT - 2, LON + 2, LAT + 2), 2500.0, 24500.0,
                 stca_horizontal_nm=3.0)  # fmt: skip
    assert not stca_events(flights, 60.0, airspace=Airspace([tma]))


def test_a_single_cycle_conflict_is_filtered_by_persistence():
    flights = head_on(30000.0, 30000.0)
    monitors = MonitorSet(Airspace([]))
    snapshots = fly(flights, 200.0)
    now, t = snapshots[-10]
    first = monitors.update(t, now)
    assert not [r for r in first.to_pylist() if r["kind"] == "stca"]
