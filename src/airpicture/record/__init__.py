"""Recording, replay and history (docs/recording.md): ``Recorder`` writes, ``Recording`` reads."""

from airpicture.record.recorder import Recorder, RecorderConfig, RecordingError
from airpicture.record.recording import Recording

__all__ = ["Recorder", "RecorderConfig", "Recording", "RecordingError"]
