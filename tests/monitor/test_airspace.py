"""Airspace model: GeoJSON and OpenAir loading, vertical limits, schedules, bad input, the Niger configuration."""

from __future__ import annotations

import json

import numpy as np
import pytest

from airpicture.monitor import AirspaceError, Schedule, default_niger_airspace, load_airspace, volumes_from_geojson
from airpicture.monitor.airspace import parse_vertical_limit
from airpicture.monitor.openair import volumes_from_openair


def feature(name: str, ring: list, **props) -> dict:
    return {"type": "Feature", "properties": {"name": name, "kind": "restricted", **props},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


SQUARE = [[1.0, 14.0], [1.5, 14.0], [1.5, 14.5], [1.0, 14.5], [1.0, 14.0]]


@pytest.mark.parametrize(
    ("text", "feet"),
    [("FL95", 9500.0), ("FL 245", 24500.0), ("SFC", -np.inf), ("GND", -np.inf), ("UNL", np.inf),
     ("3500 ft", 3500.0), ("3500ft AMSL", 3500.0), (1200, 1200.0), ("1000 m", 1000 / 0.3048)],
)  # fmt: skip
def test_vertical_limits_are_read_in_feet_flight_levels_and_sfc_unl(text, feet):
    assert parse_vertical_limit(text) == pytest.approx(feet)


def test_geojson_volumes_load_with_their_limits_and_bad_ones_are_reported_by_name(tmp_path):
    bowtie = [[2.0, 14.0], [2.5, 14.5], [2.5, 14.0], [2.0, 14.5], [2.0, 14.0]]
    open_ring = [[3.0, 14.0], [3.5, 14.0], [3.5, 14.5], [3.0, 14.5]]
    doc = {"type": "FeatureCollection", "features": [
        feature("GOOD R", SQUARE, floor_ft="SFC", ceiling_ft="FL195"),
        feature("BOWTIE", bowtie, floor_ft=0, ceiling_ft=5000),
        feature("OPEN", open_ring, floor_ft=0, ceiling_ft=5000),
        feature("UPSIDE DOWN", SQUARE, floor_ft="FL200", ceiling_ft="FL100"),
        feature("BAD KIND", SQUARE, kind="restrictedd"),
        feature("GOOD D", SQUARE, kind="danger", floor_ft=2000, ceiling_ft="UNL", schedule="MON-FRI 0800-1600"),
    ]}  # fmt: skip
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(doc))
    airspace = load_airspace(path)
    assert list(airspace.names) == ["GOOD R", "GOOD D"]
    assert airspace.ceiling_ft[0] == 19500.0 and airspace.floor_ft[0] == -np.inf
    problems = " | ".join(airspace.problems)
    assert "'BOWTIE'" in problems and "Self-intersection" in problems
    assert "'OPEN'" in problems and "open" in problems
    assert "'UPSIDE DOWN'" in problems and "floor 20000 ft is above ceiling 10000 ft" in problems
    assert "'BAD KIND'" in problems and "restrictedd" in problems
    assert len(airspace.problems) == 4


def test_weekly_and_explicit_schedules_activate_volumes_only_inside_their_windows():
    weekly = Schedule.parse("MON-FRI 0800-1600")
    wednesday_10 = 1_736_935_200.0  # 2025-01-15 10:00 UTC
    saturday_10 = wednesday_10 + 3 * 86400
    wednesday_17 = wednesday_10 + 7 * 3600
    assert weekly.active_at(np.array([wednesday_10, saturday_10, wednesday_17])).tolist() == [True, False, False]
    window = Schedule.parse({"from": "2025-01-15T09:00:00Z", "to": "2025-01-15T11:00:00Z"})
    assert window.active_at(np.array([wednesday_10, wednesday_17])).tolist() == [True, False]
    overnight = Schedule.parse("SAT 2200-0200")
    assert overnight.active_at(np.array([saturday_10 + 13 * 3600, saturday_10 + 15 * 3600])).tolist() == [True, True]
    with pytest.raises(AirspaceError, match=r"'X'.*MON-FRI"):
        Schedule.parse("weekdays", volume="X")


def test_openair_records_become_volumes_with_arcs_and_circles():
    text = """
* illustrative
AC R
AN TEST R
AL SFC
AH FL100
DP 14:00:00 N 001:00:00 E
DP 14:00:00 N 002:00:00 E
DP 15:00:00 N 002:00:00 E
AC Q
AN CIRCLE
AL 2000ft
AH FL150
V X=13:30:00 N 002:10:00 E
DC 5
AC P
AN BROKEN
AL FL50
AH FL20
DP 14:00:00 N 001:00:00 E
DP 14:00:00 N 002:00:00 E
DP 15:00:00 N 002:00:00 E
"""
    volumes, problems = volumes_from_openair(text)
    assert [(v.name, v.kind) for v in volumes] == [("TEST R", "restricted"), ("CIRCLE", "danger")]
    assert volumes[0].ceiling_ft == 10000.0 and volumes[1].floor_ft == 2000.0
    # A 5 NM circle: area within 1 % of π r² (in degrees², at 13.5°N).
    r_lat = 5 / 60
    expected = np.pi * r_lat * r_lat / np.cos(np.radians(13.5))
    assert volumes[1].polygon.area == pytest.approx(expected, rel=0.01)
    assert len(problems) == 1 and "'BROKEN'" in problems[0] and "above ceiling" in problems[0]


def test_niger_configuration_has_the_fir_the_border_and_zones_marked_illustrative():
    airspace = default_niger_airspace()
    kinds = dict(zip(airspace.names, airspace.kinds, strict=True))
    assert kinds["NIAMEY FIR"] == "fir" and kinds["NIGER BORDER"] == "border"
    zones = [v for v in airspace.volumes if v.kind not in ("fir", "border")]
    assert len(zones) >= 5
    assert all(v.illustrative and "ILLUSTRATIVE" in v.name.upper() for v in zones)
    # The FIR covers about 1.7 million km² (a check that the right polygon was loaded and projected).
    assert airspace.polygons_xy[list(airspace.names).index("NIAMEY FIR")].area / 1e6 == pytest.approx(1.7e6, rel=0.08)


def test_the_simulators_scripted_zone_is_part_of_the_niger_configuration():
    sim = pytest.importorskip("airpicture.sim.niger")
    ours = default_niger_airspace()
    for zone in sim.ILLUSTRATIVE_ZONES:
        volumes, problems = volumes_from_geojson({"type": "FeatureCollection", "features": [zone]})
        assert not problems
        mine = ours.by_name(volumes[0].name)
        assert mine.polygon.equals(volumes[0].polygon) and mine.kind == volumes[0].kind
        assert (mine.floor_ft, mine.ceiling_ft) == (max(volumes[0].floor_ft, 0.0), volumes[0].ceiling_ft)
