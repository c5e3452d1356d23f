"""ASTERIX codec: table-driven decoding and encoding of EUROCONTROL surveillance data.

Public API (INTERFACES.md): :class:`AsterixDecoder`, :func:`decode_file`, and the encoders in :mod:`.encode`.
"""

from __future__ import annotations

from airpicture.decode.asterix.decoder import AsterixDecoder
from airpicture.decode.asterix.encode import (
    encode_cat021,
    encode_cat034_north_marker,
    encode_cat048,
    encode_cat062,
)
from airpicture.decode.asterix.files import decode_file

__all__ = [
    "AsterixDecoder",
    "decode_file",
    "encode_cat021",
    "encode_cat034_north_marker",
    "encode_cat048",
    "encode_cat062",
]
