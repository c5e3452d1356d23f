"""``stream_frames``: ADS-B as real Beast/DF17 frames and radar plots as real ASTERIX, decoded by the real decoders."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from airpicture.core.geodesy import haversine_m
from airpicture.decode.asterix import AsterixDecoder
from airpicture.decode.modes import ModeSDecoder
from airpicture.sim import build_scenario
from airpicture.sources.beast import BeastParser
from tests.sim.conftest import column


def _twin_steps(n_steps: int = 3):
    frames = build_scenario("niger", seed=3).stream_frames(10.0)
    plain = build_scenario("niger", seed=3).stream(10.0)
    return [next(frames) for _ in range(n_steps)], [next(plain) for _ in range(n_steps)]


def test_adsb_frames_decode_back_to_the_simulated_measurements():
    framed, plain = _twin_steps()
    decoder = ModeSDecoder(sensor="adsb-drrn", reference_lat_lon=(13.48, 2.18))
    decoded, expected = [], []
    for (t1, feeds, _), step in zip(framed, plain, strict=True):
        assert t1 == step.time_s
        feed = next(f for f in feeds if f.sensor == "adsb-drrn")
        assert feed.format == "beast"
        frames = BeastParser(feed.sensor, start_time_s=feed.first_time_s).feed(feed.data, final=True)
        decoded.append(decoder.decode(frames))
        m = step.measurements
        expected.append(m.filter(pc.equal(m.column("sensor"), "adsb-drrn")))
    assert decoder.rejected == {} or sum(decoder.rejected.values()) == 0
    got = decoded
    n_got = sum(t.num_rows for t in got)
    n_expected = sum(t.num_rows for t in expected)
    assert n_got == n_expected  # one decoded row per simulated message, none rejected
    got_t = np.concatenate([column(t, "time_s") for t in got])
    exp_t = np.concatenate([column(t, "time_s") for t in expected])
    assert np.abs(np.sort(got_t) - np.sort(exp_t)).max() < 1e-6
    # Positions after the first CPR pair agree to the CPR resolution (≈ 5 m).
    last = got[-1]
    exp = expected[-1]
    pos = ~np.isnan(column(last, "lat_deg"))
    exp_pos = column(exp, "tc") == 11
    assert pos.sum() == exp_pos.sum() > 50
    order_g = np.lexsort((column(last, "time_s")[pos], column(last, "icao24")[pos]))
    order_e = np.lexsort((column(exp, "time_s")[exp_pos], column(exp, "icao24")[exp_pos]))
    d = haversine_m(column(last, "lat_deg")[pos][order_g], column(last, "lon_deg")[pos][order_g],
                    column(exp, "lat_deg")[exp_pos][order_e], column(exp, "lon_deg")[exp_pos][order_e])  # fmt: skip
    assert np.percentile(d, 99) < 10.0
    assert set(column(last, "callsign")) - {None} <= set(column(exp, "callsign"))


def test_radar_plots_travel_as_asterix_cat048_with_cat034_north_markers():
    framed, plain = _twin_steps()
    decoder = AsterixDecoder()
    for (t1, feeds, _), step in zip(framed, plain, strict=True):
        feed = next(f for f in feeds if f.sensor == "niamey-psr-ssr")
        assert feed.format == "asterix"
        table = decoder.decode(feed.data, receive_time_s=t1)
        cat = column(table, "category")
        plots = table.filter(pc.equal(table.column("category"), 48))
        m = step.measurements
        exp = m.filter(pc.equal(m.column("sensor"), "niamey-psr-ssr"))
        assert plots.num_rows == exp.num_rows
        assert (cat == 34).sum() in (1, 2)  # a 6 s antenna starts one or two revolutions in 10 s
        assert np.abs(column(plots, "range_m") - column(exp, "range_m")).max() < 8.0  # 1/256 NM
        daz = (column(plots, "azimuth_deg") - column(exp, "azimuth_deg") + 180) % 360 - 180
        assert np.abs(daz).max() < 0.01
        assert np.abs(column(plots, "time_s") - column(exp, "time_s")).max() <= 1 / 128  # ToD resolution
        assert list(column(plots, "kind")) == list(column(exp, "kind"))
        assert list(column(plots, "squawk")) == list(column(exp, "squawk"))
    assert sum(decoder.errors.values()) == 0
