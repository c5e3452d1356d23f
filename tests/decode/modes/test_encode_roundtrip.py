"""Encoder → decoder round trips: what the simulator emits is what the decoder reads back."""

from __future__ import annotations

import numpy as np

from airpicture.core.geodesy import haversine_m
from airpicture.decode.modes import ModeSDecoder, encode
from airpicture.decode.modes.crc import syndrome
from airpicture.sources.frames import ModeSFrames

RNG = np.random.default_rng(7)


def _decode(frames: np.ndarray, time_s, decoder: ModeSDecoder | None = None):
    decoder = decoder or ModeSDecoder()
    return decoder.decode(ModeSFrames.from_arrays(frames, time_s)).to_pydict(), decoder


def test_encoded_extended_squitters_have_zero_syndrome():
    icao = RNG.integers(1, 1 << 24, 50).astype(np.uint32)
    frames = encode.adsb_airborne_velocity(icao, 300.0, 45.0, 0.0)
    assert (syndrome(frames, 14) == 0).all()
    short = encode.df4_altitude(icao, 12000.0)
    assert (syndrome(short, 7) == icao).all()


def test_identification_round_trip():
    callsigns = ["AFR1234", "ASKY12", "ET908", "N12345"]
    frames = encode.adsb_identification(
        np.array([0x0D1234, 0x0D2345, 0x0D3456, 0xA00001]), callsigns, ["A3", "A3", "A5", "B1"]
    )
    out, _ = _decode(frames, np.arange(4.0))
    assert out["callsign"] == callsigns
    assert out["icao24"] == ["0d1234", "0d2345", "0d3456", "a00001"]
    assert out["tc"] == [4, 4, 4, 3]
    assert out["category"] == [3, 3, 5, 1]


def test_airborne_position_pairs_decode_within_cpr_resolution_anywhere():
    n = 400
    lat = RNG.uniform(-85, 85, n)
    lon = RNG.uniform(-180, 180, n)
    icao = np.arange(1, n + 1, dtype=np.uint32) + 0x100000
    even = encode.adsb_airborne_position(icao, lat, lon, 35000.0, False)
    odd = encode.adsb_airborne_position(icao, lat, lon, 35000.0, True)
    frames = np.concatenate([even, odd])
    times = np.concatenate([np.zeros(n), np.ones(n)])
    out, _decoder = _decode(frames, times)
    got_lat = np.array(out["lat_deg"][n:], dtype=float)
    got_lon = np.array(out["lon_deg"][n:], dtype=float)
    err = haversine_m(lat, lon, got_lat, got_lon)
    assert np.isfinite(err).mean() > 0.97  # pairs straddling a latitude-zone boundary cannot be decoded globally
    assert np.nanmax(err) < 10.0
    assert out["alt_baro_ft"][0] == 35000.0


def test_local_decoding_follows_an_aircraft_after_the_first_pair():
    # A track flown north-east at ~480 kt, one report a second, alternating even/odd.
    t = np.arange(60.0)
    lat = 13.5 + 0.002 * t
    lon = 2.1 + 0.002 * t
    odd = (np.arange(60) % 2).astype(bool)
    frames = encode.adsb_airborne_position(0x0D0001, lat, lon, 33000.0, odd)
    decoder = ModeSDecoder()
    # Feed in batches of 7 frames so positions also chain across calls.
    got = []
    for start in range(0, 60, 7):
        out, _ = _decode(frames[start : start + 7], t[start : start + 7], decoder)
        got.extend(zip(out["lat_deg"], out["lon_deg"], strict=True))
    got_lat = np.array([g[0] if g[0] is not None else np.nan for g in got])
    got_lon = np.array([g[1] if g[1] is not None else np.nan for g in got])
    assert np.isnan(got_lat[0]) and np.isfinite(got_lat[1:]).all()
    assert np.nanmax(haversine_m(lat[1:], lon[1:], got_lat[1:], got_lon[1:])) < 10.0


def test_velocity_round_trip():
    gs = np.array([120.0, 450.0, 250.0, 1500.0])
    track = np.array([0.0, 95.0, 271.0, 180.0])
    vr = np.array([0.0, -1500.0, 2496.0, 640.0])
    out, _ = _decode(encode.adsb_airborne_velocity(0x0D0001, gs, track, vr), np.arange(4.0))
    assert np.allclose(out["ground_speed_kt"], gs, atol=4 * 0.71)
    assert np.allclose(out["track_deg"], track, atol=0.6)
    assert np.allclose(out["vertical_rate_fpm"], vr, atol=32)


def test_surveillance_replies_and_emergency_round_trip():
    icao = np.array([0x0D0001, 0x0D0002], dtype=np.uint32)
    out, _ = _decode(encode.df4_altitude(icao, np.array([1200.0, 38000.0])), [0.0, 0.0])
    assert out["alt_baro_ft"] == [1200.0, 38000.0]
    assert out["icao24"] == ["0d0001", "0d0002"]
    out, _ = _decode(encode.df5_identity(icao, np.array([1234, 7500])), [0.0, 0.0])
    assert out["squawk"] == ["1234", "7500"]
    assert out["emergency"] == [None, "unlawful"]
    out, _ = _decode(encode.adsb_emergency_status(icao, np.array([7700, 2000]), ["general", "minfuel"]), [0.0, 0.0])
    assert out["squawk"] == ["7700", "2000"]
    assert out["emergency"] == ["general", "minfuel"]
    out, _ = _decode(encode.df11_all_call(icao), [0.0, 0.0])
    assert out["icao24"] == ["0d0001", "0d0002"] and out["df"] == [11, 11]
    out, _ = _decode(encode.df20_bds20(icao, 35000.0, ["ETH908", "RAM521"]), [0.0, 0.0])
    assert out["callsign"] == ["ETH908", "RAM521"] and out["bds"] == ["2,0", "2,0"]


def test_surface_position_needs_and_uses_a_nearby_reference():
    # Niamey Diori Hamani (DRRN) apron.
    lat = np.array([13.4815, 13.4816])
    lon = np.array([2.1836, 2.1838])
    frames = encode.adsb_surface_position(0x0D0009, lat, lon, 12.0, 90.0, np.array([False, True]))
    out, _ = _decode(frames, [0.0, 1.0])
    assert out["lat_deg"] == [None, None]  # no reference: a surface pair has four candidate positions
    out, _ = _decode(frames, [0.0, 1.0], ModeSDecoder(reference_lat_lon=(13.48, 2.17)))
    assert out["surface"] == [True, True]
    assert haversine_m(lat[1], lon[1], out["lat_deg"][1], out["lon_deg"][1]) < 3.0
    assert abs(out["ground_speed_kt"][1] - 12.0) <= 0.5
    assert abs(out["track_deg"][1] - 90.0) <= 2.9


def test_operational_status_gives_nic_and_sigma_to_later_positions():
    icao = 0x0D0042
    decoder = ModeSDecoder()
    _decode(encode.adsb_operational_status(icao, version=2, nacp=10, sil=3), [0.0], decoder)
    pos = np.concatenate(
        [
            encode.adsb_airborne_position(icao, 13.0, 2.0, 30000.0, False),
            encode.adsb_airborne_position(icao, 13.0, 2.0, 30000.0, True),
        ]
    )
    out, _ = _decode(pos, [1.0, 2.0], decoder)
    assert out["nic"][1] == 8  # TC 11 without supplements
    assert abs(out["sigma_h_m"][1] - 10.0 / 2.45) < 1e-9
