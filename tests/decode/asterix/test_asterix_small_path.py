"""The small-call path (plain Python, decode/asterix/small.py) and the vectorised path give identical results."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_file

from airpicture.decode.asterix import AsterixDecoder, encode_cat048, small

sys.path.insert(0, str(Path(__file__).resolve().parent))
from asterix_reference import SAMPLES, datagrams


def _decode(name: str, small_bytes: int, per_datagram: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(small, "SMALL_BYTES", small_bytes)
    payloads = datagrams(shared_file("asterix", *name.split("/")))
    if per_datagram:
        payloads = payloads[:300]
    data = [p for p, _ in payloads]
    times = [1.7e9 if t is None else t for _, t in payloads]
    decoder = AsterixDecoder(SAMPLES[name])
    if per_datagram:
        tables = [decoder.decode(p, t) for p, t in zip(data, times, strict=True)]
    else:
        tables = [decoder.decode_payloads(data, times)]
    counts = (
        dict(decoder.errors), dict(decoder.warnings), dict(decoder.unsupported), dict(decoder.undecoded),
        decoder.records_decoded, decoder.blocks_decoded,
    )  # fmt: skip
    return tables, counts


@pytest.mark.parametrize("per_datagram", [False, True], ids=["whole", "per-datagram"])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_small_path_gives_the_vectorised_tables_and_counts(name, per_datagram, monkeypatch):
    vector, vector_counts = _decode(name, 0, per_datagram, monkeypatch)
    scalar, scalar_counts = _decode(name, 1 << 30, per_datagram, monkeypatch)
    assert sum(t.num_rows for t in vector) > 0
    assert len(vector) == len(scalar)
    assert all(v.equals(s) for v, s in zip(vector, scalar, strict=True))
    assert vector_counts == scalar_counts


def test_small_path_decodes_the_radar_capture_itself(monkeypatch):
    """The path must actually take the real radar capture (CAT034/048), not hand it to the vectorised path."""
    taken = []
    real = small.decode_small
    monkeypatch.setattr(small, "decode_small", lambda dec, seg: taken.append(real(dec, seg)) or taken[-1])
    payloads = datagrams(shared_file("asterix", "croatiacontrol", "asterix_sample_data_cat_034_048.pcap"))
    decoder = AsterixDecoder()
    table = decoder.decode_payloads([p for p, _ in payloads], [t for _, t in payloads])
    assert len(taken) == 1 and taken[0] is not None
    assert table.num_rows == 162 and decoder.error_count == 0


def test_damaged_blocks_are_counted_as_by_the_vectorised_path(monkeypatch):
    """Any decode error sends the call to the vectorised path, which counts it per block: same rows, same counts."""
    rng = np.random.default_rng(5)
    table = AsterixDecoder().decode(encode_cat048_sample())
    data = bytearray(encode_cat048_sample())
    results = []
    for small_bytes in (0, 1 << 30):
        monkeypatch.setattr(small, "SMALL_BYTES", small_bytes)
        decoder = AsterixDecoder()
        tables = []
        for k in range(40):
            damaged = bytearray(data)
            damaged[int(rng.integers(3, len(data)))] = int(rng.integers(0, 256))
            tables.append(decoder.decode(bytes(damaged), 1.7e9 + k))
        results.append((tables, dict(decoder.errors), dict(decoder.warnings)))
        rng = np.random.default_rng(5)
    (vector, vector_errors, vector_warnings), (scalar, scalar_errors, scalar_warnings) = results
    assert table.num_rows == 60
    assert sum(vector_errors.values()) > 0
    assert all(v.equals(s) for v, s in zip(vector, scalar, strict=True))
    assert (vector_errors, vector_warnings) == (scalar_errors, scalar_warnings)


def encode_cat048_sample() -> bytes:
    from airpicture.core.schema import MEASUREMENT, table_from_columns

    n = 60
    rng = np.random.default_rng(1)
    kinds = np.array(["modes", "ssr", "psr_ssr", "psr"])[np.arange(n) % 4]
    rows = table_from_columns(
        MEASUREMENT,
        {
            "time_s": 1.7e9 + np.sort(rng.uniform(0, 60, n)),
            "kind": kinds,
            "range_m": rng.uniform(5e3, 4.5e5, n),
            "azimuth_deg": rng.uniform(0, 360, n),
            "squawk": [None if k == "psr" else f"{i * 37 % 4096:04o}" for i, k in enumerate(kinds)],
            "alt_baro_ft": np.where(kinds == "psr", np.nan, 1000.0 + np.arange(n) * 100.0),
            "icao24": [f"{0x3C0000 + i:06x}" if k == "modes" else None for i, k in enumerate(kinds)],
            "callsign": [f"AFR{100 + i}" if k == "modes" else None for i, k in enumerate(kinds)],
        },
    )
    return encode_cat048(rows, sac=25, sic=7, max_block_bytes=300)
