"""ASTERIX over UDP on the loopback: unicast and multicast, CAT048 in, CAT062 out."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from airpicture.core.schema import MEASUREMENT, SYSTEM_TRACK, table_from_columns
from airpicture.decode.asterix import encode_cat048
from airpicture.decode.asterix.udp import AsterixUdpFeed, Cat062Publisher
from airpicture.sources.asterix_udp import AsterixUdpReceiver, AsterixUdpSender, datagrams_of


def _plots(n: int):
    return table_from_columns(
        MEASUREMENT,
        {
            "time_s": 1.7e9 + np.arange(n, dtype=float),
            "kind": ["ssr"] * n,
            "range_m": np.linspace(1e4, 3e5, n),
            "azimuth_deg": np.linspace(0, 350, n),
            "squawk": [f"{i:04o}" for i in range(n)],
            "alt_baro_ft": np.full(n, 20000.0),
        },
    )


def _poll_until(feed: AsterixUdpFeed, n: int, tries: int = 30):
    rows = []
    for _ in range(tries):
        t = feed.poll(0.1)
        rows.extend(t.to_pylist())
        if len(rows) >= n:
            break
    return rows


def test_datagrams_never_split_a_block_and_stay_under_the_mtu():
    data = encode_cat048(_plots(500), sac=1, sic=2, max_block_bytes=700)
    grams = datagrams_of(data)
    assert b"".join(grams) == data
    assert all(len(g) <= 1472 for g in grams)
    assert len(grams) > 1


def test_unicast_plots_arrive_decoded_with_their_receive_date():
    receiver = AsterixUdpReceiver(port=0)
    feed = AsterixUdpFeed(receiver)
    with receiver, AsterixUdpSender("127.0.0.1", receiver.port) as sender:
        sender.send(encode_cat048(_plots(200), sac=1, sic=2))
        rows = _poll_until(feed, 200)
    assert len(rows) == 200
    assert [r["squawk"] for r in rows] == [f"{i:04o}" for i in range(200)]
    assert {r["sensor"] for r in rows} == {"asterix-1-2"}
    assert all(abs(r["time_of_day_s"] - (1.7e9 + i) % 86400) < 0.01 for i, r in enumerate(rows))
    assert feed.decoder.errors == {}


def test_multicast_system_tracks_round_trip_through_the_cat062_publisher():
    group = "239.255.42.99"
    try:
        receiver = AsterixUdpReceiver(port=0, group=group, interface="127.0.0.1")
    except OSError as exc:  # no multicast route on this host
        pytest.skip(f"multicast unavailable here: {exc}")
    feed = AsterixUdpFeed(receiver)
    tracks = table_from_columns(
        SYSTEM_TRACK,
        {
            "time_s": np.full(3, 1.7e9),
            "track_id": [7, 8, 9],
            "lat_deg": [13.5, 14.0, 12.1],
            "lon_deg": [2.1, 1.0, 3.3],
            "alt_ft": [35000.0, 12000.0, 800.0],
            "ground_speed_kt": [450.0, 250.0, 120.0],
            "track_deg": [90.0, 270.0, 5.0],
            "status": ["confirmed", "coasting", "tentative"],
            "icao24": ["0a0001", None, "0a0003"],
            "callsign": ["NIG101", None, None],
            "squawk": ["2000", "7700", None],
        },
    )
    with receiver, AsterixUdpSender(group, receiver.port, interface="127.0.0.1") as sender:
        try:
            Cat062Publisher(sender, sac=96, sic=1).publish(tracks)
        except OSError as exc:
            pytest.skip(f"multicast send unavailable here: {exc}")
        rows = _poll_until(feed, 3, tries=10)
    if not rows:
        pytest.skip("multicast loopback delivers nothing on this host")
    assert [r["track_id"] for r in rows] == [7, 8, 9]
    assert [r["status"] for r in rows] == ["confirmed", "coasting", "tentative"]
    assert [r["icao24"] for r in rows] == ["0a0001", None, "0a0003"]
    assert [r["squawk"] for r in rows] == ["2000", "7700", None]
    np.testing.assert_allclose([r["lat_deg"] for r in rows], [13.5, 14.0, 12.1], atol=180 / 2**25)
    np.testing.assert_allclose([r["alt_ft"] for r in rows], [35000.0, 12000.0, 800.0], atol=12.5)
    np.testing.assert_allclose([r["ground_speed_kt"] for r in rows], [450.0, 250.0, 120.0], atol=1.0)


def test_receiver_listens_on_loopback_by_default():
    with AsterixUdpReceiver(port=0) as receiver:
        assert receiver.sock.getsockname()[0] == "127.0.0.1"
        assert receiver.sock.type == socket.SOCK_DGRAM
