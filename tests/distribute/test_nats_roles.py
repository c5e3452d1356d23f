"""Gateways, recorder and bridge as separate processes over a real nats-server on loopback."""

import asyncio
import contextlib
import time

import nats
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airpicture.core import bus
from airpicture.core.tableio import write_table
from airpicture.distribute import codec
from airpicture.distribute.merge import time_slices
from airpicture.distribute.nodes import Gateway, NatsToBus, RecorderNode
from airpicture.distribute.transport import MEAS_STREAM, PICTURE_STREAM, ensure_streams
from airpicture.record.recording import Recording
from tests.distribute.conftest import NATS_SERVER, NatsServer, free_port
from tests.distribute.roles import final_stats, start_role, stop_role, wait_for_stream_messages, wait_until_drained
from tests.record.traffic import measurement_batch, track_batch

pytestmark = pytest.mark.nats

T0 = 1_780_000_000.0


def _site_files(tmp_path, seconds: int = 20) -> tuple[pa.Table, list]:
    tables = []
    for sensor, seed in (("rx_niamey", 1), ("rx_agadez", 2)):
        tables.append(
            pa.concat_tables(
                [measurement_batch(T0 + k, n_aircraft=30, sensor=sensor, seed=seed * 1000 + k) for k in range(seconds)]
            )
        )
    everything = pa.concat_tables(tables)
    path = tmp_path / "measurements.parquet"
    write_table(everything, path)
    return everything, path


async def _publish_foreign(url: str) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await ensure_streams(js)
    await js.publish("airpicture.meas.rx_niamey", b"this is not arrow")
    await js.publish("airpicture.tracks", codec.encode(pa.table({"speed": [1.0]})))
    await nc.close()


def _recorded_rows(db) -> dict[str, int]:
    with Recording(db) as rec:
        rows = rec.rows("measurements")
    sensors = rows.column("sensor").to_pylist()
    return {s: sensors.count(s) for s in set(sensors)}


def test_two_gateways_and_a_recorder_lose_nothing_and_count_foreign_messages(nats_server, tmp_path):
    everything, path = _site_files(tmp_path)
    db = tmp_path / "rec.duckdb"
    recorder = start_role("recorder", "--nats", nats_server.url, "--db", str(db), log_dir=tmp_path)
    gateways = [
        start_role("gateway", "--nats", nats_server.url, "--sensor", s, "--measurements", str(path), log_dir=tmp_path)
        for s in ("rx_niamey", "rx_agadez")
    ]
    asyncio.run(_publish_foreign(nats_server.url))
    gateway_stats = [final_stats(stop_role(g, sig=None, timeout_s=60)) for g in gateways]
    assert [s["rows_published"] for s in gateway_stats] == [600, 600]
    wait_until_drained(nats_server.url, MEAS_STREAM, "recorder")
    wait_until_drained(nats_server.url, PICTURE_STREAM, "recorder")
    stats = final_stats(stop_role(recorder))
    assert stats["rejected_foreign_messages"] == 2
    assert _recorded_rows(db) == {"rx_niamey": 600, "rx_agadez": 600}
    with Recording(db) as rec:
        recorded = rec.rows("measurements").sort_by([("sensor", "ascending"), ("time_s", "ascending")])
    expected = everything.sort_by([("sensor", "ascending"), ("time_s", "ascending")])
    assert recorded.column("icao24").to_pylist() == expected.column("icao24").to_pylist()
    assert recorded.column("lat_deg").to_pylist() == expected.column("lat_deg").to_pylist()


def test_a_nats_server_that_goes_away_and_comes_back_loses_no_measurement(nats_server, tmp_path):
    everything, _ = _site_files(tmp_path, seconds=24)
    db = tmp_path / "rec.duckdb"
    gateway_stats, recorder_stats = asyncio.run(_outage_run(nats_server, everything, db))
    assert recorder_stats["nats_reconnects"] >= 1
    assert all(s["nats_reconnects"] >= 1 for s in gateway_stats)
    assert sum(s["rows_published"] for s in gateway_stats) == 1440
    assert _recorded_rows(db) == {"rx_niamey": 720, "rx_agadez": 720}


async def _outage_run(server: NatsServer, everything: pa.Table, db) -> tuple[list, dict]:
    """Roles in this process (they are the same coroutines the commands run); the server dies for 1.5 s mid-run."""
    stop_recorder, never = asyncio.Event(), asyncio.Event()
    recorder = asyncio.create_task(RecorderNode(server.url, db).run(stop_recorder))
    gateways = []
    for sensor in ("rx_niamey", "rx_agadez"):
        rows = everything.filter(pc.equal(everything.column("sensor"), sensor))
        # 24 one-second slices at 6x: about 4 s of publishing.
        gateways.append(asyncio.create_task(Gateway(server.url, sensor, time_slices(rows, 1.0), speed=6.0).run(never)))
    await asyncio.to_thread(wait_for_stream_messages, server.url, MEAS_STREAM, 8)
    await asyncio.to_thread(server.stop)
    await asyncio.sleep(1.5)
    await asyncio.to_thread(server.start)
    gateway_stats = await asyncio.wait_for(asyncio.gather(*gateways), 60)
    await asyncio.to_thread(wait_until_drained, server.url, MEAS_STREAM, "recorder")
    stop_recorder.set()
    return list(gateway_stats), await recorder


def test_tracks_reach_a_second_centre_through_a_leaf_node(tmp_path):
    if NATS_SERVER is None:
        pytest.skip("nats-server is not installed (Debian package nats-server)")
    hub = NatsServer(tmp_path / "niamey")
    hub.config_path.write_text(
        hub.config_path.read_text() + f"leafnodes {{ listen: 127.0.0.1:{(leaf_port := free_port())} }}\n"
    )
    leaf = NatsServer(tmp_path / "bamako", jetstream=False)
    leaf.config_path.write_text(
        leaf.config_path.read_text() + f'leafnodes {{ remotes = [ {{ url: "nats://127.0.0.1:{leaf_port}" }} ] }}\n'
    )
    hub.start()
    leaf.start()
    try:
        received = asyncio.run(_leaf_round_trip(hub.url, leaf.url))
    finally:
        leaf.stop()
        hub.stop()
    assert [t.column("track_id").to_pylist() for t in received] == [[1, 2]]


async def _leaf_round_trip(hub_url: str, leaf_url: str) -> list[pa.Table]:
    centre_bus = bus.InProcessBus()
    received: list[pa.Table] = []
    centre_bus.subscribe(bus.TRACKS, lambda subject, table: received.append(table))
    bridge = NatsToBus(leaf_url, centre_bus)
    stop = asyncio.Event()
    task = asyncio.create_task(bridge.run(stop))
    nc = await nats.connect(hub_url)
    deadline = time.monotonic() + 10
    # The leaf link takes a moment to come up and propagate interest: publish until the centre hears one.
    while not received and time.monotonic() < deadline:
        await nc.publish(bus.TRACKS, codec.encode(track_batch(T0, [1, 2], [13.5, 14.0], [2.1, 3.0])))
        await nc.flush()
        await asyncio.sleep(0.2)
    await nc.publish(bus.TRACKS, b"\x00garbage")
    await nc.flush()
    await asyncio.sleep(0.3)
    stop.set()
    stats = await task
    await nc.close()
    assert stats["rejected_foreign_messages"] == 1
    return received[:1]


def test_tracks_leave_as_asterix_cat062_for_a_centre_that_is_not_airpicture(nats_server):
    decoded = asyncio.run(_cat062_round_trip(nats_server.url))
    assert decoded.num_rows == 2
    assert sorted(decoded.column("track_number").to_pylist()) == [1, 2]
    lat = sorted(decoded.column("lat_deg").to_pylist())
    assert abs(lat[0] - 13.5) < 1e-4 and abs(lat[1] - 14.0) < 1e-4
    assert set(decoded.column("sac").to_pylist()) == {60}


async def _cat062_round_trip(url: str) -> pa.Table:
    import socket

    from airpicture.decode.asterix import AsterixDecoder
    from airpicture.distribute.nodes import Cat062Bridge

    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.setblocking(False)
    bridge = Cat062Bridge(url, receiver.getsockname(), sac=60, sic=1)
    stop = asyncio.Event()
    task = asyncio.create_task(bridge.run(stop))
    nc = await nats.connect(url)
    await asyncio.sleep(0.5)  # the bridge subscribes
    await nc.publish(bus.TRACKS, b"not arrow")
    await nc.publish(
        bus.TRACKS, codec.encode(track_batch(T0, [1, 2], [13.5, 14.0], [2.1, 3.0], icao24=["0ac001", None]))
    )
    await nc.flush()
    datagrams = []
    deadline = time.monotonic() + 10
    while not datagrams and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        with contextlib.suppress(BlockingIOError):
            datagrams.append(receiver.recv(65536))
    stop.set()
    stats = await task
    await nc.close()
    receiver.close()
    assert stats["rejected_foreign_messages"] == 1
    return AsterixDecoder().decode(b"".join(datagrams), T0)


def test_a_role_asked_to_stop_while_no_server_answers_stops_and_keeps_its_recording(tmp_path):
    from tests.distribute.conftest import free_port

    db = tmp_path / "rec.duckdb"
    recorder = start_role("recorder", "--nats", f"nats://127.0.0.1:{free_port()}", "--db", str(db), log_dir=tmp_path)
    deadline = time.monotonic() + 60
    while not db.exists() and time.monotonic() < deadline:  # the role is up once it has opened its recording
        time.sleep(0.2)
    time.sleep(1.0)
    stats = final_stats(stop_role(recorder, timeout_s=30))
    assert stats == {"stopped_before_connecting": 1}
    with Recording(db) as rec:
        assert rec.rows("measurements").num_rows == 0


def test_a_live_beast_receiver_reaches_jetstream_decoded(nats_server):
    import numpy as np

    from airpicture.decode.modes import encode
    from airpicture.sources.beast import encode_beast
    from airpicture.sources.frames import ModeSFrames

    icao = np.arange(0x0AC000, 0x0AC000 + 20, dtype=np.uint32)
    callsigns = [f"NGR{i:03d}" for i in range(20)]
    data = np.concatenate([encode.adsb_identification(icao, callsigns, "A3")] * 3)
    n = len(data)
    frames = ModeSFrames(np.full(n, T0), data, np.full(n, 14, np.uint8), np.full(n, np.nan, np.float32), "rx-live")
    identified = asyncio.run(_live_beast_round_trip(nats_server.url, encode_beast(frames)))
    assert identified == {f"{a:06x}": c for a, c in zip(icao.tolist(), callsigns, strict=True)}


async def _live_beast_round_trip(url: str, beast: bytes) -> dict[str, str]:
    import socket
    import threading

    from airpicture.distribute.nodes import Gateway, beast_measurements, live_slices

    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:  # a receiver's Beast port: sends its frames, then stays connected
        conn, _ = listener.accept()
        conn.sendall(beast)
        done.wait(30)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    batches = beast_measurements("127.0.0.1", listener.getsockname()[1], "rx-live", None)
    stop = asyncio.Event()
    gateway = asyncio.create_task(Gateway(url, ["rx-live"], live_slices(batches, 1.0), live=True).run(stop))
    nc = await nats.connect(url)
    identified: dict[str, str] = {}
    deadline = time.monotonic() + 30
    await asyncio.to_thread(wait_for_stream_messages, url, MEAS_STREAM, 1)
    sub = await nc.jetstream().pull_subscribe("airpicture.meas.rx-live", durable="probe", stream=MEAS_STREAM)
    while len(identified) < 20 and time.monotonic() < deadline:
        try:
            msgs = await sub.fetch(50, timeout=1.0)
        except nats.errors.TimeoutError:
            continue
        for msg in msgs:
            table = codec.decode(msg.subject, msg.data)
            for a, c in zip(table["icao24"].to_pylist(), table["callsign"].to_pylist(), strict=True):
                if a and c:
                    identified[a] = c.strip()
            await msg.ack()
    stop.set()
    done.set()
    await asyncio.wait_for(gateway, 10)
    await nc.close()
    listener.close()
    return identified
