"""Identification: flight plans (ICAO FPL/CHG/DLA/CNL/ARR), route expansion and track ↔ plan correlation."""

from airpicture.identify.correlate import correlate, duplicate_squawks
from airpicture.identify.fpl import FlightPlan, FlightPlanStore, FplError, parse_fpl
from airpicture.identify.route import Route, RoutePoint, expand_route

__all__ = [
    "FlightPlan",
    "FlightPlanStore",
    "FplError",
    "Route",
    "RoutePoint",
    "correlate",
    "duplicate_squawks",
    "expand_route",
    "parse_fpl",
]
