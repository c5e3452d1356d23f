"""Mode S / ADS-B decoding: vectorised over batches of frames, stateful across batches.

``ModeSDecoder`` turns :class:`airpicture.sources.frames.ModeSFrames` into Measurement rows; :mod:`.encode` is
the inverse (used by the simulator and tests).
"""

from airpicture.decode.modes.decoder import OUTPUT_SCHEMA, ModeSDecoder

__all__ = ["OUTPUT_SCHEMA", "ModeSDecoder"]
