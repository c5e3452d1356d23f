"""Our encoders' bytes decode back to the same values (to the item's resolution) by us and by asterix-decoder."""

from __future__ import annotations

import numpy as np
import pytest

from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.decode.asterix import AsterixDecoder
from airpicture.decode.asterix.encode import encode_cat034_north_marker, encode_cat048

NM = 1852.0


def _plots(n: int = 40, seed: int = 1):
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["psr", "ssr", "psr_ssr", "modes"], n)
    squawk = [f"{v:04o}" if k != "psr" else None for v, k in zip(rng.integers(0, 4096, n), kinds, strict=True)]
    icao = [f"{v:06x}" if k == "modes" else None for v, k in zip(rng.integers(0, 1 << 24, n), kinds, strict=True)]
    callsign = [f"AFR{v}" if k == "modes" else None for v, k in zip(rng.integers(0, 9999, n), kinds, strict=True)]
    return table_from_columns(
        MEASUREMENT,
        {
            "time_s": 1.7e9 + np.sort(rng.uniform(0, 3600, n)),
            "kind": kinds,
            "range_m": rng.uniform(500, 250 * NM, n),
            "azimuth_deg": rng.uniform(0, 360, n),
            "squawk": squawk,
            "alt_baro_ft": np.where(kinds == "psr", np.nan, rng.uniform(-1000, 60000, n)),
            "icao24": icao,
            "callsign": callsign,
            "spi": rng.random(n) < 0.1,
        },
    )


def test_cat048_plots_decode_back_to_their_values_to_the_item_resolution():
    plots = _plots()
    decoder = AsterixDecoder()
    out = decoder.decode(encode_cat048(plots, sac=25, sic=7), receive_time_s=1.7e9 + 1800)
    assert decoder.error_count == 0
    assert out.num_rows == plots.num_rows
    got, want = out.to_pydict(), plots.to_pydict()
    np.testing.assert_allclose(got["range_m"], want["range_m"], atol=NM / 256 / 2 + 1e-6)
    az_err = (np.array(got["azimuth_deg"]) - np.array(want["azimuth_deg"]) + 180) % 360 - 180
    assert np.abs(az_err).max() <= 360 / 2**16 / 2 + 1e-9
    np.testing.assert_allclose(got["time_s"], want["time_s"], atol=1 / 256 + 1e-6)
    alt_w = np.array(want["alt_baro_ft"], dtype=float)
    alt_g = np.array(got["alt_baro_ft"], dtype=float)
    assert np.array_equal(np.isnan(alt_w), np.isnan(alt_g))
    np.testing.assert_allclose(alt_g[~np.isnan(alt_w)], alt_w[~np.isnan(alt_w)], atol=25 / 2 + 1e-6)
    assert got["squawk"] == want["squawk"]
    assert got["icao24"] == want["icao24"]
    assert got["callsign"] == want["callsign"]
    assert got["spi"] == want["spi"]
    assert got["kind"] == want["kind"]
    assert set(got["sensor"]) == {"asterix-25-7"}


def test_cat048_encoding_agrees_with_asterix_decoder():
    asterix = pytest.importorskip("asterix")
    plots = _plots(seed=2)
    records = asterix.parse(encode_cat048(plots, sac=25, sic=7), verbose=False)
    assert len(records) == plots.num_rows
    want = plots.to_pydict()
    for i, rec in enumerate(records):
        assert rec["category"] == 48
        assert rec["I010"]["SAC"]["val"] == 25 and rec["I010"]["SIC"]["val"] == 7
        assert abs(rec["I040"]["RHO"]["val"] * NM - want["range_m"][i]) <= NM / 512 + 1e-6
        assert abs(rec["I140"]["ToD"]["val"] - want["time_s"][i] % 86400) <= 1 / 256 + 1e-6
        if want["squawk"][i] is not None:
            assert rec["I070"]["Mode3A"]["val"] == want["squawk"][i]
        if want["icao24"][i] is not None:
            assert rec["I220"]["ACAddr"]["val"].lower() == want["icao24"][i]
            assert rec["I240"]["TId"]["val"].strip() == want["callsign"][i]


def test_cat034_north_markers_round_trip():
    data = encode_cat034_north_marker(np.array([1.7e9, 1.7e9 + 4.0]), sac=25, sic=7, rotation_period_s=4.0)
    decoder = AsterixDecoder()
    out = decoder.decode(data, receive_time_s=1.7e9)
    assert decoder.error_count == 0
    assert out.column("record_type").to_pylist() == ["north_marker", "north_marker"]
    assert out.column("antenna_rotation_period_s").to_pylist() == [4.0, 4.0]
    assert out.column("time_s").to_pylist() == [1.7e9, 1.7e9 + 4.0]
