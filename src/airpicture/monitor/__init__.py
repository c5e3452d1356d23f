"""Monitors: the airspace model and the alerts that tell an operator, early, when something needs a human.

Public API (INTERFACES.md): :class:`Airspace` and its loaders, :func:`default_niger_airspace`, :class:`MonitorSet`.
"""

from airpicture.monitor.airspace import (
    Airspace,
    AirspaceError,
    Schedule,
    Volume,
    default_niger_airspace,
    load_airspace,
    volumes_from_geojson,
)
from airpicture.monitor.config import MonitorConfig
from airpicture.monitor.monitor_set import ALERT_EVENT, MonitorSet

__all__ = [
    "ALERT_EVENT",
    "Airspace",
    "AirspaceError",
    "MonitorConfig",
    "MonitorSet",
    "Schedule",
    "Volume",
    "default_niger_airspace",
    "load_airspace",
    "volumes_from_geojson",
]
