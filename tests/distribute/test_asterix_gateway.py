"""A radar data feed over UDP: the simulator's CAT048/CAT034 bytes → ``airpicture gateway --asterix-udp`` → NATS
→ ``airpicture tracker-node`` → tracks, each role a separate process on loopback."""

import time
from collections import Counter

import pyarrow.compute as pc
import pytest

from airpicture.core.sensors import save_sensors
from airpicture.decode.asterix import AsterixDecoder
from airpicture.distribute.transport import MEAS_STREAM, PICTURE_STREAM
from airpicture.record.recording import Recording
from airpicture.sources.asterix_udp import AsterixUdpSender
from tests.distribute.conftest import free_port
from tests.distribute.roles import final_stats, start_role, stop_role, wait_for_stream_messages, wait_until_drained

track = pytest.importorskip("airpicture.track")
pytestmark = pytest.mark.nats

SEND_S = 25  # seconds of radar data sent at real time (15 s left only 3 aircraft on 4 plots in one CI run)
GARBAGE = [b"\x30\x00\x40" + b"\xff" * 10, b"\x30\x00\x02", b"not ASTERIX at all"]


def _radar_scenario(start_time_s: float):
    from airpicture.sim import build_scenario

    scenario = build_scenario("niger", seed=3, start_time_s=start_time_s, horizon_s=120.0, n_aircraft=400.0)
    names = {
        (model.sac, model.sic): scenario.sensors[index].id
        for index, model in scenario.models
        if hasattr(model, "sac") and hasattr(model, "sic")
    }
    radars = [s for s in scenario.sensors if s.id in names.values()]
    return scenario, names, radars


def test_an_asterix_radar_feed_reaches_the_tracker_node_through_a_gateway(nats_server, tmp_path):
    # Data time runs with the wall clock, as from a live radar: the gateway slices by the time of reception.
    scenario, names, radars = _radar_scenario(time.time() + 5.0)
    assert len(radars) >= 2
    save_sensors(radars, tmp_path / "radars.json")
    port = free_port()
    radar_args = [a for (sac, sic), sensor in names.items() for a in ("--radar", f"{sac}/{sic}={sensor}")]
    ids = ",".join(s.id for s in radars)
    url = nats_server.url
    gateway = start_role(
        "gateway", "--nats", url, "--sensor", ids, "--asterix-udp", f"127.0.0.1:{port}", *radar_args, log_dir=tmp_path
    )
    tracker = start_role(
        "tracker-node", "--nats", url, "--sensors", str(tmp_path / "radars.json"), "--audit", log_dir=tmp_path
    )
    recorder = start_role("recorder", "--nats", url, "--db", str(tmp_path / "rec.duckdb"), log_dir=tmp_path)
    # The gateway is listening once it publishes its (empty) slices.
    wait_for_stream_messages(url, MEAS_STREAM, 2 * len(radars), timeout_s=60)
    sent: list[bytes] = []
    with AsterixUdpSender("127.0.0.1", port) as sender:
        for time_s, feeds, _truth in scenario.stream_frames(1.0):
            if time_s < time.time():
                continue  # steps the set-up took: not sent, so not expected
            time.sleep(max(0.0, time_s - time.time()))
            for feed in feeds:
                if feed.format == "asterix":
                    sender.send(feed.data)
                    sent.append(feed.data)
            # Bad input on the radar port, between good datagrams: counted by the gateway, costing nothing else.
            sender.sock.sendto(GARBAGE[len(sent) % len(GARBAGE)], ("127.0.0.1", port))
            if len(sent) >= SEND_S * len(radars):
                break
    time.sleep(2.0)  # the last slice closes on the gateway's clock
    gateway_stats = final_stats(stop_role(gateway))
    wait_until_drained(url, MEAS_STREAM, "tracker", timeout_s=60)
    tracker_stats = final_stats(stop_role(tracker))
    wait_until_drained(url, PICTURE_STREAM, "recorder", timeout_s=60)
    stop_role(recorder)

    # What the same bytes decode to here: every decoded plot crossed UDP, NATS and the tracker node.
    expected = AsterixDecoder(sensor_names=names).decode_payloads(sent, [time.time()] * len(sent))
    assert expected.num_rows > 50
    assert gateway_stats["asterix_blocks_undecodable"] >= SEND_S
    assert gateway_stats["rows_published"] == expected.num_rows
    assert gateway_stats.get("rows_of_other_sensors_not_published", 0) == 0
    assert tracker_stats["rows_received"] == expected.num_rows
    assert tracker_stats.get("rows_from_unexpected_sensor", 0) == 0
    with Recording(tmp_path / "rec.duckdb") as rec:
        tracks = rec.rows("tracks")
        assert rec.rows("measurements").num_rows == expected.num_rows
    # Tracks: every Mode S aircraft the radars painted on most scans is tracked under its address.
    plots = Counter(a for a in expected.column("icao24").to_pylist() if a)
    well_seen = {a for a, n in plots.items() if n >= 4}
    confirmed = tracks.filter(pc.equal(tracks.column("status"), "confirmed"))
    tracked = set(confirmed.column("icao24").drop_null().to_pylist())
    assert len(well_seen) >= 4
    assert len(well_seen & tracked) >= 0.8 * len(well_seen)
