"""Track ↔ flight-plan correlation: address, then callsign, then discrete SSR code; duplicate codes."""

from __future__ import annotations

from airpicture.core.schema import SYSTEM_TRACK, table_from_columns
from airpicture.identify import FlightPlanStore, correlate

PLANS = """
(FPL-RAM521/A2301-IS-B738/M-S/C-GMMN0100-N0450F350 DCT-DRRN0500-CODE/020123 REG/CNROA)
(FPL-AFR1234/A2302-IS-A320/M-S/C-LFPG0800-N0450F350 DCT-DRRN0500-0)
(FPL-SOLO1/A4455-VG-C208/L-S/C-DRRN0800-N0160A095 DCT-DRRM0200-0)
(FPL-DUP1/A6001-IS-C208/L-S/C-DRRN0800-N0160A095 DCT-DRRM0200-0)
(FPL-DUP2/A6001-IS-C208/L-S/C-DRZA0800-N0160A095 DCT-DRRM0200-0)
"""


def tracks(rows: list[dict]):
    cols = {k: [r.get(k) for r in rows] for k in ("track_id", "icao24", "callsign", "squawk")}
    return table_from_columns(SYSTEM_TRACK, cols, len(rows))


def test_tracks_correlate_by_address_then_callsign_then_discrete_code():
    store = FlightPlanStore()
    assert store.apply(PLANS) == []
    t = tracks([
        {"track_id": 1, "icao24": "020123", "callsign": "WRONG", "squawk": "7000"},  # address wins
        {"track_id": 2, "icao24": "3a0000", "callsign": "AFR1234 ", "squawk": "1000"},  # callsign
        {"track_id": 3, "icao24": None, "callsign": None, "squawk": "4455"},  # Mode A only: discrete code
        {"track_id": 4, "icao24": None, "callsign": None, "squawk": "6001"},  # code shared by two plans
        {"track_id": 5, "icao24": None, "callsign": None, "squawk": "2000"},  # conspicuity code
    ])  # fmt: skip
    out = correlate(t, store)
    assert out["flight_plan"].to_pylist() == [
        "RAM521-GMMN-DRRN", "AFR1234-LFPG-DRRN", "SOLO1-DRRN-DRRM", None, None]  # fmt: skip
    assert out["correlation"].to_pylist() == ["address", "callsign", "ssr_code", None, None]


def test_two_tracks_squawking_the_same_code_are_flagged_and_not_correlated_by_it():
    store = FlightPlanStore()
    store.apply(PLANS)
    t = tracks([
        {"track_id": 1, "squawk": "4455"}, {"track_id": 2, "squawk": "4455"}, {"track_id": 3, "squawk": "7000"},
        {"track_id": 4, "squawk": "7000"},
    ])  # fmt: skip
    out = correlate(t, store)
    assert out["duplicate_squawk"].to_pylist() == [True, True, False, False]
    assert out["flight_plan"].to_pylist() == [None, None, None, None]


def test_cancelled_plans_do_not_correlate_and_existing_correlations_are_kept():
    store = FlightPlanStore()
    store.apply(PLANS)
    store.apply("(CNL-AFR1234-LFPG0800-DRRN)")
    t = tracks([{"track_id": 1, "callsign": "AFR1234"}])
    assert correlate(t, store)["flight_plan"].to_pylist() == [None]
    kept = t.set_column(t.column_names.index("flight_plan"), "flight_plan", [["MANUAL-1"]])
    assert correlate(kept, store)["flight_plan"].to_pylist() == ["MANUAL-1"]
