"""ASTERIX codec: table-driven decoding and encoding of EUROCONTROL surveillance data.

Public API (INTERFACES.md): :class:`AsterixDecoder`, :func:`decode_file`, and the encoders in :mod:`.encode`.
"""

from __future__ import annotations

from airpicture.decode.asterix.decoder import AsterixDecoder

__all__ = ["AsterixDecoder"]
