"""Mode S CRC-24 (generator 0xFFF409), vectorised over a batch of frames.

Every Mode S reply ends in a 24-bit parity field. For DF17/18 (and DF11 with interrogator code 0) it equals the CRC
of the bits before it, so ``syndrome == 0`` proves the frame. For DF0/4/5/16/20/21 the transponder XORs its address
into the parity (Address/Parity, AP), so the syndrome *is* the address: it cannot be checked, only recovered.

The CRC is table-driven two bytes at a time, and each step runs on a whole column of frames at once, so the Python
loop has 2 or 6 iterations per batch, not per frame.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

GENERATOR = 0xFFF409


def _byte_table() -> NDArray[np.uint32]:
    table = np.zeros(256, dtype=np.uint32)
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = ((crc << 1) ^ GENERATOR) if crc & 0x800000 else (crc << 1)
        table[byte] = crc & 0xFFFFFF
    return table


_TABLE = _byte_table()


def _pair_table() -> NDArray[np.uint32]:
    """CRC step for two bytes at once (65,536 entries): the byte table applied twice to every 16-bit value."""
    state = np.arange(65536, dtype=np.uint32) << 8
    for _ in range(2):
        state = ((state << 8) & 0xFFFFFF) ^ _TABLE[(state >> 16) & 0xFF]
    return state.astype(np.uint32)


_PAIR_TABLE = _pair_table()


def crc24(data: NDArray[np.uint8], n_bytes: int) -> NDArray[np.uint32]:
    """CRC-24 of the first ``n_bytes`` bytes of each row of ``data`` (uint8[n, >=n_bytes]), two bytes a step."""
    crc = np.zeros(data.shape[0], dtype=np.uint32)
    i = 0
    while i + 2 <= n_bytes:
        word = (data[:, i].astype(np.uint32) << 8) | data[:, i + 1]
        crc = ((crc << 16) & 0xFFFFFF) ^ _PAIR_TABLE[((crc >> 8) ^ word) & 0xFFFF]
        i += 2
    if i < n_bytes:
        crc = ((crc << 8) & 0xFFFFFF) ^ _TABLE[((crc >> 16) ^ data[:, i]) & 0xFF]
    return crc


def parity_field(data: NDArray[np.uint8], n_bytes_total: int) -> NDArray[np.uint32]:
    """The last three bytes of each frame (the PI or AP field), as uint32."""
    p = data[:, n_bytes_total - 3 : n_bytes_total].astype(np.uint32)
    return (p[:, 0] << 16) | (p[:, 1] << 8) | p[:, 2]


def syndrome(data: NDArray[np.uint8], n_bytes_total: int) -> NDArray[np.uint32]:
    """CRC of the frame body XOR its parity field: 0 for a clean DF17/18, the address for AP formats."""
    return crc24(data, n_bytes_total - 3) ^ parity_field(data, n_bytes_total)


def _single_bit_syndromes() -> tuple[NDArray[np.uint32], NDArray[np.int16]]:
    """Syndrome of a one-bit error at each bit of a 112-bit frame, sorted, for vectorised look-up.

    The CRC is linear, so the syndrome of a damaged frame is the XOR of its clean syndrome (0 for DF17/18) and
    that of the error pattern alone. The first 5 bits (the DF) are never "corrected": turning one DF into another
    is how noise becomes a ghost aircraft.
    """
    bits = np.arange(5, 112)
    frames = np.zeros((bits.size, 14), dtype=np.uint8)
    frames[np.arange(bits.size), bits // 8] = (0x80 >> (bits % 8)).astype(np.uint8)
    syn = syndrome(frames, 14)
    order = np.argsort(syn)
    return syn[order], bits[order].astype(np.int16)


_ONE_BIT_SYNDROMES, _ONE_BIT_POSITIONS = _single_bit_syndromes()


def one_bit_error_position(syn: NDArray[np.uint32]) -> NDArray[np.int16]:
    """Bit position (0 = first bit of the frame) of the single-bit error that explains each syndrome, or -1."""
    idx = np.searchsorted(_ONE_BIT_SYNDROMES, syn)
    idx = np.minimum(idx, _ONE_BIT_SYNDROMES.size - 1)
    found = (_ONE_BIT_SYNDROMES[idx] == syn) & (syn != 0)
    return np.where(found, _ONE_BIT_POSITIONS[idx], -1).astype(np.int16)
