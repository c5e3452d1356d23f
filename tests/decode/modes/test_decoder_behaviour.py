"""Behaviours of the stateful decoder: local decoding, plausibility, repairs, Comm-B inference, bounded state."""

from __future__ import annotations

import numpy as np

from airpicture.core.geodesy import haversine_m
from airpicture.decode.modes import ModeSDecoder, encode
from airpicture.decode.modes._fields import me_to_bytes, put_me
from airpicture.decode.modes.crc import crc24
from airpicture.sources.frames import ModeSFrames, frames_from_hex

DRRN = (13.4815, 2.1836)  # Niamey Diori Hamani


def _decode(decoder: ModeSDecoder, frames: np.ndarray, times) -> dict:
    return decoder.decode(ModeSFrames.from_arrays(frames, times)).to_pydict()


def _es_frame(icao: int, me: np.ndarray) -> np.ndarray:
    frames = np.zeros((me.size, 14), dtype=np.uint8)
    frames[:, 0] = (17 << 3) | 5
    frames[:, 1:4] = [(icao >> 16) & 0xFF, (icao >> 8) & 0xFF, icao & 0xFF]
    frames[:, 4:11] = me_to_bytes(me)
    parity = crc24(frames, 11)
    frames[:, 11], frames[:, 12], frames[:, 13] = parity >> 16, (parity >> 8) & 0xFF, parity & 0xFF
    return frames


def test_surface_position_uses_last_airborne_position():
    decoder = ModeSDecoder()  # no receiver reference at all
    icao = 0x0D0101
    approach = np.concatenate(
        [
            encode.adsb_airborne_position(icao, 13.47, 2.17, 800.0, False),
            encode.adsb_airborne_position(icao, 13.4705, 2.1705, 700.0, True),
        ]
    )
    _decode(decoder, approach, [0.0, 1.0])
    landed = encode.adsb_surface_position(icao, DRRN[0], DRRN[1], 20.0, 45.0, True)
    out = _decode(decoder, landed, [40.0])
    assert out["surface"] == [True]
    assert haversine_m(DRRN[0], DRRN[1], out["lat_deg"][0], out["lon_deg"][0]) < 5.0


def test_impossible_position_jump_is_dropped_and_counted():
    decoder = ModeSDecoder()
    icao = 0x0D0202
    t = np.arange(12.0)
    lat = 13.0 + 0.001 * t
    lon = 2.0 + 0.001 * t
    lat[6] += 1.5  # one report 166 km away, one second after the previous
    frames = encode.adsb_airborne_position(icao, lat, lon, 30000.0, (np.arange(12) % 2).astype(bool))
    out = _decode(decoder, frames, t)
    assert out["lat_deg"][6] is None
    assert decoder.rejected["position_speed_check"] >= 1
    good = [i for i in range(1, 12) if i != 6 and i != 7]  # frame 7 pairs with the bad one: no global fix either
    got = np.array([out["lat_deg"][i] for i in good], dtype=float)
    assert np.all(np.isfinite(got)) and np.allclose(got, lat[good], atol=1e-4)


def test_one_bit_errors_are_repaired_only_when_asked_and_counted():
    frames = encode.adsb_airborne_velocity(np.array([0x0D0303, 0x0D0304], dtype=np.uint32), 250.0, 180.0, 0.0)
    frames[0, 7] ^= 0x10  # one wrong bit in the ME field
    frames[1, 2] ^= 0x01  # one wrong bit in the address
    plain = ModeSDecoder()
    assert _decode(plain, frames, [0.0, 0.0])["icao24"] == []
    assert plain.rejected == {"crc": 2}
    fixing = ModeSDecoder(correct_one_bit=True)
    out = _decode(fixing, frames.copy(), [0.0, 0.0])
    assert out["icao24"] == ["0d0303", "0d0304"]
    assert out["ground_speed_kt"] == [250.0, 250.0]
    assert fixing.stats["corrected_one_bit"] == 2 and fixing.rejected == {}


def test_state_expires_aircraft_not_heard_for_the_ttl():
    decoder = ModeSDecoder(state_ttl_s=60.0)
    icao = np.arange(1, 501, dtype=np.uint32)
    _decode(decoder, encode.df11_all_call(icao), np.zeros(500))
    assert len(decoder.state) == 500
    _decode(decoder, encode.df11_all_call(np.array([7], dtype=np.uint32)), [100.0])
    assert len(decoder.state) == 1
    assert decoder.aircraft().column("icao24").to_pylist() == ["000007"]


def test_comm_b_5_0_or_6_0_is_decided_by_the_known_velocity():
    # A real DF20 reply that passes both the BDS 5,0 and 6,0 tests (aircraft 4CA6E3).
    reply = "A0001117901A2F2B21C000B31B62"
    icao = 0x4CA6E3
    alone = ModeSDecoder()
    parsed = frames_from_hex([reply], [10.0]).frames
    assert alone.decode(parsed).column("bds").to_pylist() == ["ambiguous"]
    informed = ModeSDecoder()
    # ADS-B says 344 kt on track 229°: the 5,0 reading (344 kt, 229.0°) fits.
    _decode(informed, encode.adsb_airborne_velocity(icao, 344.0, 229.0, 0.0), [5.0])
    out = informed.decode(parsed).to_pydict()
    assert out["bds"] == ["5,0"]
    assert out["ground_speed_kt"] == [344.0]
    assert abs(out["track_deg"][0] - 229.04296875) < 1e-9


def test_operational_status_meaning_depends_on_the_version():
    icao = np.array([0x0D0401, 0x0D0402], dtype=np.uint32)
    out = _decode(ModeSDecoder(), encode.adsb_operational_status(icao, version=np.array([0, 2]), nacp=9, sil=3), [0, 0])
    assert out["adsb_version"] == [0, 2]
    assert out["nacp"] == [None, 9]  # version 0 has no NACp in these bits
    assert out["sil"] == [None, 3]


def test_target_state_and_status_selected_altitude_and_baro_setting():
    me = (
        put_me(np.array([29]), 1, 5)
        | put_me(np.array([1]), 6, 2)
        | put_me(np.array([35008 // 32 + 1]), 10, 11)
        | put_me(np.array([round((1013.6 - 800) / 0.8) + 1]), 21, 9)
        | put_me(np.array([1]), 30, 1)
        | put_me(np.array([128]), 31, 9)
        | put_me(np.array([10]), 40, 4)
    )
    out = _decode(ModeSDecoder(), _es_frame(0x0D0501, me), [0.0])
    assert out["tc"] == [29]
    assert out["selected_alt_ft"] == [35008.0]
    assert abs(out["baro_setting_hpa"][0] - 1013.6) < 0.4
    assert out["selected_heading_deg"] == [90.0]
    assert out["heading_deg"] == [None]  # a selected heading is an intention, not where the nose points
    assert out["nacp"] == [10]


def test_airborne_local_decoding_from_the_receiver_only_within_a_declared_range():
    # A single odd report (no pair, no history): placed from the receiver only when its range is declared < 180 NM.
    frame = encode.adsb_airborne_position(0x0D0601, 14.2, 1.6, 25000.0, True)
    out = _decode(ModeSDecoder(reference_lat_lon=DRRN), frame, [0.0])
    assert out["lat_deg"] == [None]
    decoder = ModeSDecoder(reference_lat_lon=DRRN, receiver_range_nm=150.0)
    out = _decode(decoder, frame, [0.0])
    assert haversine_m(14.2, 1.6, out["lat_deg"][0], out["lon_deg"][0]) < 10.0
    assert decoder.stats["positions_receiver"] == 1


def test_one_bit_repair_does_not_touch_the_callers_frames():
    frames = encode.adsb_airborne_velocity(0x0D0701, 250.0, 180.0, 0.0)
    frames[0, 7] ^= 0x10
    batch = ModeSFrames.from_arrays(frames, [0.0])
    before = batch.data.copy()
    ModeSDecoder(correct_one_bit=True).decode(batch)
    assert (batch.data == before).all()
