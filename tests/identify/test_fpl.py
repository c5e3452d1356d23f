"""ICAO flight plan messages: fields, amendments, errors that name the field, route expansion."""

from __future__ import annotations

import pytest

from airpicture.identify import FlightPlanStore, expand_route

FPL = """ZCZC header line outside the brackets is ignored
(FPL-ABC123/A4521-IS
-B738/M-SDFGRWY/S
-DNAA0800
-N0450F350 DCT 1530N00500E UA600 DCT DRRN/N0400F250 DCT
-DRRN0130 DRRM
-PBN/B1 REG/5N-ABC CODE/4CA123 DOF/260126)
"""


def test_fpl_fields_7_8_9_13_15_16_18_are_read():
    store = FlightPlanStore()
    assert store.apply(FPL) == []
    (plan,) = store.plans.values()
    assert (plan.aircraft_id, plan.ssr_code, plan.flight_rules, plan.flight_type) == ("ABC123", "4521", "I", "S")
    assert (plan.aircraft_type, plan.wake, plan.equipment) == ("B738", "M", "SDFGRWY/S")
    assert (plan.departure, plan.eobt, plan.destination, plan.eet, plan.alternates) == (
        "DNAA", "0800", "DRRN", "0130", ("DRRM",))  # fmt: skip
    assert plan.mode_s_address == "4ca123" and plan.registration == "5NABC" and plan.other["DOF"] == "260126"
    assert plan.plan_id == "ABC123-DNAA-DRRN-260126"
    names = [p.name for p in plan.route.points]
    assert names == ["DNAA", "1530N00500E", "DRRN", "DRRN"]
    assert plan.route.points[1].lat_deg == pytest.approx(15.5) and plan.route.points[1].lon_deg == pytest.approx(5.0)
    # The level change at DRRN applies from there on; the airway cannot be expanded without an AIP and is reported.
    assert [p.level_ft for p in plan.route.points] == [35000.0, 35000.0, 25000.0, 25000.0]
    assert plan.route.unknown == ["UA600"]


def test_chg_dla_arr_and_cnl_update_the_plan():
    store = FlightPlanStore()
    store.apply(FPL)
    assert store.apply("(CHG-ABC123-DNAA0800-DRRN-DOF/260126-15/N0450F370 DCT 1530N00500E DCT)") == []
    (plan,) = store.plans.values()
    assert plan.route.cruise_level_ft == 37000.0 and plan.status == "changed" and plan.route.unknown == []
    assert store.apply("(DLA-ABC123-DNAA0930-DRRN-DOF/260126)") == []
    assert plan.eobt == "0930" and plan.status == "delayed" and plan.active
    assert store.apply("(ARR-ABC123-DNAA-DRRN1012)") == []
    assert plan.status == "arrived" and plan.arrival_time == "1012" and not plan.active
    store.apply("(FPL-XYZ9-IN-C208/L-S/C-DRRN0700-N0160A095 DCT DRRM-DRRM0200-0)")
    assert store.apply("(CNL-XYZ9-DRRN0700-DRRM)") == []
    assert store.plans["XYZ9-DRRN-DRRM"].status == "cancelled"


def test_messages_with_errors_are_reported_by_field_and_the_rest_loads():
    text = """
(FPL-BAD13-IS-B738/M-S/C-DRRN08-N0450F350 DCT-DRRM0100-0)
(FPL-BAD15-IS-B738/M-S/C-DRRN0800-450F350 DCT-DRRM0100-0)
(FPL-BAD18-IS-B738/M-S/C-DRRN0800-N0450F350 DCT-DRRM0100-CODE/XYZ)
(FPL-BAD9-IS-B738-S/C-DRRN0800-N0450F350 DCT-DRRM0100-0)
(FPL-GOOD1-IS-B738/M-S/C-DRRN0800-N0450F350 DCT 15N005E DCT-DRZA0100-0)
(CNL-NOBODY-DRRN0800-DRRM)
(XYZ-GOOD1-DRRN0800-DRZA)
"""
    store = FlightPlanStore()
    problems = store.apply(text)
    assert list(store.plans) == ["GOOD1-DRRN-DRZA"]
    assert len(problems) == 6
    assert "BAD13" in problems[0] and "field 13" in problems[0]
    assert "BAD15" in problems[1] and "field 15" in problems[1]
    assert "BAD18" in problems[2] and "field 18" in problems[2] and "CODE/XYZ" in problems[2]
    assert "BAD9" in problems[3] and "field 9" in problems[3]
    assert "NOBODY" in problems[4] and "no flight plan" in problems[4]
    assert "XYZ" in problems[5] and "message type" in problems[5]


def test_route_expansion_places_latlon_points_and_aerodromes_and_reports_unknown_names():
    route = expand_route("N0120A065 DCT 14N002E GAO DCT 1330N00230E DRRL", "DRRN", "DRRM", points={"GAO": (16.2, -0.0)})
    assert [p.name for p in route.points] == ["DRRN", "14N002E", "GAO", "1330N00230E", "DRRL", "DRRM"]
    assert route.points[3].lat_deg == pytest.approx(13.5) and route.points[3].lon_deg == pytest.approx(2.5)
    assert route.cruise_level_ft == 6500.0
    unknown = expand_route("N0450F350 DCT BIKAB UG859 9999N00000E DCT", "DRRN", "ZZZZ")
    assert unknown.unknown == ["BIKAB", "UG859", "9999N00000E"]
    with pytest.raises(ValueError, match="speed and level"):
        expand_route("DCT DRRM", "DRRN", "DRRM")


def test_duplicate_ssr_codes_across_active_plans_are_detected():
    store = FlightPlanStore()
    store.apply("(FPL-AAA1/A2301-IS-B738/M-S/C-DRRN0800-N0450F350 DCT-DRRM0100-0)"
                "(FPL-BBB2/A2301-IS-B738/M-S/C-DRZA0800-N0450F350 DCT-DRRN0100-0)"
                "(FPL-CCC3/A2302-IS-B738/M-S/C-DRZA0800-N0450F350 DCT-DRRN0100-0)")  # fmt: skip
    assert store.duplicate_codes() == {"2301": ["AAA1-DRRN-DRRM", "BBB2-DRZA-DRRN"]}
