"""Multi-sensor multi-target tracking (see docs/tracker.md): ``Tracker``, ``TrackerConfig``."""

from airpicture.track.config import TrackerConfig
from airpicture.track.tracker import Tracker

__all__ = ["Tracker", "TrackerConfig"]
