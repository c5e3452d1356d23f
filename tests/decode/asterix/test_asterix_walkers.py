"""The lock-step (numpy) and plain-Python record walkers of the vectorised path agree exactly on every sample.

Small calls are decoded by the small-call path (small.py) unless small.SMALL_BYTES is 0, as here; that path is
compared with this one in test_asterix_small_path.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.conftest import shared_file

from airpicture.decode.asterix import AsterixDecoder, parse, small

sys.path.insert(0, str(Path(__file__).resolve().parent))
from asterix_reference import SAMPLES, datagrams

SMALL = sorted(name for name in SAMPLES if not name.startswith("upc_lebl"))


@pytest.mark.parametrize("name", SMALL)
def test_numpy_and_python_walkers_give_identical_rows(name, monkeypatch):
    payloads = datagrams(shared_file("asterix", *name.split("/")))
    data = [p for p, _ in payloads]
    times = [1.7e9 if t is None else t for _, t in payloads]
    monkeypatch.setattr(small, "SMALL_BYTES", 0)
    monkeypatch.setattr(parse, "SCALAR_LANES", 0)
    vector = AsterixDecoder(SAMPLES[name]).decode_payloads(data, times)
    monkeypatch.setattr(parse, "SCALAR_LANES", 1 << 30)
    scalar = AsterixDecoder(SAMPLES[name]).decode_payloads(data, times)
    assert vector.num_rows > 0
    assert vector.equals(scalar)


@pytest.mark.parametrize("name", SMALL)
def test_numpy_and_python_field_readers_give_identical_rows_and_counts(name, monkeypatch):
    """A datagram's few records are read and validated in plain Python (SCALAR_RECORDS); that path must give the
    same rows, errors and warnings as the numpy path, one call per datagram as a live feed decodes them."""
    payloads = datagrams(shared_file("asterix", *name.split("/")))[:200]
    monkeypatch.setattr(small, "SMALL_BYTES", 0)

    def decode_each(scalar_records: int) -> tuple:
        monkeypatch.setattr(parse, "SCALAR_RECORDS", scalar_records)
        decoder = AsterixDecoder(SAMPLES[name])
        tables = [decoder.decode(p, 1.7e9 if t is None else t) for p, t in payloads]
        return tables, dict(decoder.errors), dict(decoder.warnings)

    vector, vector_errors, vector_warnings = decode_each(0)
    scalar, scalar_errors, scalar_warnings = decode_each(1 << 30)
    assert sum(t.num_rows for t in vector) > 0
    assert all(v.equals(s) for v, s in zip(vector, scalar, strict=True))
    assert (vector_errors, vector_warnings) == (scalar_errors, scalar_warnings)


def test_decoders_in_several_threads_give_the_same_rows_as_one():
    """Field reads share per-buffer word views; each thread must read its own buffer, never another's."""
    from concurrent.futures import ThreadPoolExecutor

    names = ["croatiacontrol/asterix_sample_data_cat_034_048.pcap", "croatiacontrol/install_sample_data_asterix.pcap"]
    inputs = []
    for name in names:
        payloads = datagrams(shared_file("asterix", *name.split("/")))
        inputs.append((SAMPLES[name], [p for p, _ in payloads], [t for _, t in payloads]))
    expected = [AsterixDecoder(ed).decode_payloads(data, times) for ed, data, times in inputs]

    def decode(k: int):
        ed, data, times = inputs[k % 2]
        return k % 2, AsterixDecoder(ed).decode_payloads(data, times)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(decode, range(24)))
    assert all(table.equals(expected[k]) for k, table in results)
