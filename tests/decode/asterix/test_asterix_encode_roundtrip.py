"""Our encoders' bytes decode back to the same values (to the item's resolution) by us and by asterix-decoder."""

from __future__ import annotations

import numpy as np
import pytest

from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.decode.asterix import AsterixDecoder
from airpicture.decode.asterix.encode import encode_cat021, encode_cat034_north_marker, encode_cat048, encode_cat062

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


def _tracks(n: int = 30, seed: int = 5):
    from airpicture.core.schema import SYSTEM_TRACK

    rng = np.random.default_rng(seed)
    return table_from_columns(
        SYSTEM_TRACK,
        {
            "time_s": 1.7e9 + np.sort(rng.uniform(0, 3600, n)),
            "track_id": rng.integers(0, 60000, n),
            "lat_deg": rng.uniform(-60, 60, n),
            "lon_deg": rng.uniform(-179, 179, n),
            "alt_ft": rng.uniform(-1000, 45000, n),
            "ground_speed_kt": rng.uniform(60, 600, n),
            "track_deg": rng.uniform(0, 360, n),
            "vertical_rate_fpm": rng.uniform(-4000, 4000, n),
            "sigma_h_m": rng.uniform(10, 1000, n),
            "status": rng.choice(["tentative", "confirmed", "coasting"], n),
            "icao24": [f"{v:06x}" for v in rng.integers(0, 1 << 24, n)],
            "callsign": [f"NIG{v}" for v in rng.integers(0, 999, n)],
            "squawk": [f"{v:04o}" for v in rng.integers(0, 4096, n)],
        },
    )


def test_cat062_system_tracks_round_trip_through_ours_and_asterix_decoder():
    tracks = _tracks()
    data = encode_cat062(tracks, sac=96, sic=1)
    decoder = AsterixDecoder()
    out = decoder.decode(data, receive_time_s=1.7e9 + 1800)
    assert decoder.error_count == 0 and out.num_rows == tracks.num_rows
    got, want = out.to_pydict(), tracks.to_pydict()
    assert got["track_id"] == want["track_id"]
    assert got["status"] == want["status"]
    assert got["icao24"] == want["icao24"]
    assert got["callsign"] == want["callsign"]
    assert got["squawk"] == want["squawk"]
    np.testing.assert_allclose(got["lat_deg"], want["lat_deg"], atol=180 / 2**25)
    np.testing.assert_allclose(got["lon_deg"], want["lon_deg"], atol=180 / 2**25)
    np.testing.assert_allclose(got["alt_ft"], want["alt_ft"], atol=12.5 + 1e-6)
    np.testing.assert_allclose(got["vertical_rate_fpm"], want["vertical_rate_fpm"], atol=3.125 + 1e-6)
    np.testing.assert_allclose(got["sigma_h_m"], want["sigma_h_m"], atol=0.25 + 1e-6)
    np.testing.assert_allclose(got["ground_speed_kt"], want["ground_speed_kt"], atol=0.5)
    trk_err = (np.array(got["track_deg"]) - np.array(want["track_deg"]) + 180) % 360 - 180
    speed_ms = np.array(want["ground_speed_kt"]) * 1852 / 3600
    assert (np.abs(trk_err) <= np.degrees(0.125 * np.sqrt(2) / speed_ms) + 1e-9).all()  # vx, vy to 0.25 m/s
    np.testing.assert_allclose(got["time_s"], want["time_s"], atol=1 / 256)

    asterix = pytest.importorskip("asterix")
    theirs = asterix.parse(data, verbose=False)
    assert len(theirs) == tracks.num_rows
    for rec, lat, tid, icao in zip(theirs, want["lat_deg"], want["track_id"], want["icao24"], strict=True):
        assert abs(rec["I105"]["Lat"]["val"] - lat) <= 180 / 2**25
        assert rec["I040"]["TrkN"]["val"] == tid
        assert rec["I380"]["ADR"]["ADR"]["val"].lower() == icao


def test_cat021_adsb_reports_round_trip_through_ours_and_asterix_decoder():
    rng = np.random.default_rng(9)
    n = 25
    reports = table_from_columns(
        MEASUREMENT,
        {
            "time_s": 1.7e9 + np.sort(rng.uniform(0, 3600, n)),
            "kind": ["adsb"] * n,
            "lat_deg": rng.uniform(-80, 80, n),
            "lon_deg": rng.uniform(-179, 179, n),
            "alt_baro_ft": rng.uniform(-1000, 45000, n),
            "alt_geo_ft": rng.uniform(-1000, 45000, n),
            "icao24": [f"{v:06x}" for v in rng.integers(0, 1 << 24, n)],
            "callsign": [f"AFR{v}" for v in rng.integers(0, 999, n)],
            "squawk": [f"{v:04o}" for v in rng.integers(0, 4096, n)],
            "ground_speed_kt": rng.uniform(0, 600, n),
            "track_deg": rng.uniform(0, 360, n),
            "vertical_rate_fpm": rng.uniform(-4000, 4000, n),
            "nacp": rng.integers(0, 12, n),
            "nic": rng.integers(0, 12, n),
            "emergency": rng.choice(["general", "nordo", None], n),
        },
    )
    data = encode_cat021(reports, sac=0, sic=5)
    decoder = AsterixDecoder()
    out = decoder.decode(data, receive_time_s=1.7e9 + 1800)
    assert decoder.error_count == 0 and out.num_rows == n
    got, want = out.to_pydict(), reports.to_pydict()
    for key in ("icao24", "callsign", "squawk", "nacp", "nic", "emergency", "kind"):
        assert got[key] == want[key], key
    np.testing.assert_allclose(got["lat_deg"], want["lat_deg"], atol=180 / 2**30)
    np.testing.assert_allclose(got["alt_baro_ft"], want["alt_baro_ft"], atol=12.5 + 1e-6)
    np.testing.assert_allclose(got["alt_geo_ft"], want["alt_geo_ft"], atol=3.125 + 1e-6)
    np.testing.assert_allclose(got["ground_speed_kt"], want["ground_speed_kt"], atol=2**-14 * 3600 / 2 + 1e-6)
    np.testing.assert_allclose(got["time_s"], want["time_s"], atol=1 / 256)

    asterix = pytest.importorskip("asterix")
    theirs = asterix.parse(data, verbose=False)
    assert len(theirs) == n
    for rec, lat, icao, cs in zip(theirs, want["lat_deg"], want["icao24"], want["callsign"], strict=True):
        assert abs(rec["I131"]["Lat"]["val"] - lat) <= 180 / 2**30 + 1e-9
        assert rec["I080"]["TAddr"]["val"].lower() == icao
        assert rec["I170"]["TId"]["val"].strip() == cs
