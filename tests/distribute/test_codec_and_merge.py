import math

import numpy as np
import pyarrow as pa
import pytest

from airpicture.distribute import codec
from airpicture.distribute.merge import SliceMerger, time_slices
from tests.record.traffic import measurement_batch

T0 = 1_780_000_000.0


def test_a_table_crosses_the_wire_unchanged_with_or_without_compression():
    table = measurement_batch(T0, n_aircraft=20)
    for compression in (None, "zstd", "lz4"):
        back = codec.decode("airpicture.meas.rx1", codec.encode(table, compression))
        assert back.column("icao24").to_pylist() == table.column("icao24").to_pylist()
        assert back.column("time_s").to_pylist() == table.column("time_s").to_pylist()


def test_foreign_payloads_are_named_clearly():
    with pytest.raises(codec.ForeignMessage, match="not an Arrow IPC stream"):
        codec.decode("airpicture.meas.rx1", b'{"lat": 13.5}')
    with pytest.raises(codec.ForeignMessage, match="lacks required column"):
        codec.decode("airpicture.tracks", codec.encode(pa.table({"x": [1.0]})))
    with pytest.raises(codec.ForeignMessage, match="contract says double"):
        codec.decode("airpicture.meas.rx1", codec.encode(pa.table({"time_s": ["yesterday"]})))
    with pytest.raises(codec.ForeignMessage, match="not an airpicture subject"):
        codec.decode("weather.metar", codec.encode(measurement_batch(T0)))


def test_big_tables_are_split_below_the_nats_message_limit():
    table = pa.concat_tables([measurement_batch(T0 + k, n_aircraft=500, seed=k) for k in range(30)])
    pieces = codec.split_for_wire(table, max_bytes=256 * 1024)
    assert len(pieces) > 1
    assert all(len(codec.encode(p)) < 400 * 1024 for p in pieces)
    assert sum(p.num_rows for p in pieces) == table.num_rows


def _two_sensor_messages(seconds: int = 6) -> list[tuple[str, pa.Table, float]]:
    msgs = []
    for sensor, seed in (("rx1", 1), ("rx2", 2)):
        for k in range(seconds):
            msgs.append(
                (sensor, measurement_batch(T0 + k, n_aircraft=7, sensor=sensor, seed=seed * 100 + k), T0 + k + 1)
            )
    return msgs


def test_slices_are_the_same_whatever_the_arrival_order_and_match_the_one_process_cut():
    msgs = _two_sensor_messages()
    reference = list(time_slices(pa.concat_tables([m[1] for m in msgs]), 1.0))
    rng = np.random.default_rng(3)
    for trial in range(3):
        # Interleave the two sensors randomly, keeping each sensor's own order (as JetStream does per subject).
        order = sorted(range(len(msgs)), key=lambda i: (rng.uniform() if trial else 0, msgs[i][2]))
        by_sensor = {"rx1": [m for m in msgs if m[0] == "rx1"], "rx2": [m for m in msgs if m[0] == "rx2"]}
        picks = [msgs[i][0] for i in order]
        merger = SliceMerger(["rx1", "rx2"], clock=lambda: 0.0)
        out = []
        for i, sensor in enumerate(picks):
            _, table, wm = by_sensor[sensor].pop(0)
            merger.add(sensor, table, wm, i)
            out += [s for s in merger.ready() if s.table.num_rows]
        merger.add("rx1", measurement_batch(T0, 0)[:0], math.inf, "end1")
        merger.add("rx2", measurement_batch(T0, 0)[:0], math.inf, "end2")
        out += [s for s in merger.ready() if s.table.num_rows]
        assert [s.start_s for s in out] == [start for start, _ in reference]
        for got, (_, want) in zip(out, reference, strict=True):
            assert got.table.equals(want)


def test_a_slice_waits_for_every_gateway_then_its_messages_can_be_acknowledged():
    merger = SliceMerger(["rx1", "rx2"], clock=lambda: 0.0)
    merger.add("rx1", measurement_batch(T0, 5, "rx1"), T0 + 1, "a")
    assert merger.ready() == []  # rx2 has said nothing yet
    merger.add("rx2", measurement_batch(T0, 5, "rx2"), T0 + 1, "b")
    (released,) = merger.ready()
    assert released.start_s == T0
    assert released.table.num_rows == 10
    assert sorted(released.tokens) == ["a", "b"]


def test_a_silent_gateway_delays_a_slice_by_max_wait_only_and_late_rows_are_kept():
    now = [0.0]
    merger = SliceMerger(["rx1", "rx2"], max_wait_s=5.0, clock=lambda: now[0])
    merger.add("rx1", measurement_batch(T0, 5, "rx1"), T0 + 1, "a")
    now[0] = 4.9
    assert merger.ready() == []
    now[0] = 5.1
    (released,) = merger.ready()
    assert released.table.num_rows == 5 and released.tokens == ["a"]
    assert merger.stats["slices_released_on_timeout"] == 1
    merger.add("rx2", measurement_batch(T0, 5, "rx2"), T0 + 1, "late")
    merger.add("rx1", measurement_batch(T0 + 1, 5, "rx1"), T0 + 2, "c")
    merger.add("rx2", measurement_batch(T0 + 1, 5, "rx2"), T0 + 2, "d")
    (released,) = merger.ready()
    assert merger.stats["late_rows"] == 5
    assert released.table.num_rows == 15
    assert sorted(released.tokens) == ["c", "d", "late"]


def test_a_tracker_node_knows_which_stream_messages_its_state_holds_out_of_order_too():
    from airpicture.core.sensors import Sensor
    from airpicture.distribute.nodes import TrackerNode

    class NoTracker:  # the bookkeeping under test does not track
        def process(self, measurements):
            return measurements

    receiver = Sensor(id="rx", kind="adsb", lat_deg=13.5, lon_deg=2.1)
    node = TrackerNode("nats://127.0.0.1:9", [receiver], tracker=NoTracker())
    for seq in (10, 11, 12, 14, 15):  # 13 was never delivered (a message the stream no longer holds)
        node._delivered.append(seq)
    node._mark_done(11)
    node._mark_done(14)
    assert node._floor == 0 and node._already_tracked(11) and not node._already_tracked(10)
    node._mark_done(10)
    assert node._floor == 11 and not node._already_tracked(12)
    node._mark_done(12)
    assert node._floor == 14 and node._done == set()
    assert node._already_tracked(13) and node._already_tracked(14) and not node._already_tracked(15)
