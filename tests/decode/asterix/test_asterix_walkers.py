"""The lock-step (numpy) and plain-Python record walkers agree exactly on every sample."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.conftest import shared_file

from airpicture.decode.asterix import AsterixDecoder, parse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from asterix_reference import SAMPLES, datagrams

SMALL = sorted(name for name in SAMPLES if not name.startswith("upc_lebl"))


@pytest.mark.parametrize("name", SMALL)
def test_numpy_and_python_walkers_give_identical_rows(name, monkeypatch):
    payloads = datagrams(shared_file("asterix", *name.split("/")))
    data = [p for p, _ in payloads]
    times = [1.7e9 if t is None else t for _, t in payloads]
    monkeypatch.setattr(parse, "SCALAR_LANES", 0)
    vector = AsterixDecoder(SAMPLES[name]).decode_payloads(data, times)
    monkeypatch.setattr(parse, "SCALAR_LANES", 1 << 30)
    scalar = AsterixDecoder(SAMPLES[name]).decode_payloads(data, times)
    assert vector.num_rows > 0
    assert vector.equals(scalar)
