import numpy as np
import pyarrow as pa
import pytest

from airpicture.core import bus, geodesy, schema, tableio
from airpicture.core.geography import niamey_fir, niger_aerodromes, niger_border
from airpicture.core.sensors import Sensor, load_sensors, save_sensors


def test_table_from_columns_turns_nan_into_null_and_fills_missing_columns():
    t = schema.table_from_columns(
        schema.MEASUREMENT,
        {
            "time_s": np.array([1.0, 2.0]),
            "alt_baro_ft": np.array([np.nan, 35000.0]),
            "nacp": np.array([np.nan, 9.0]),
            "df": np.array([17, 4], dtype=np.uint8),
        },
    )
    assert t.schema.names[: len(schema.MEASUREMENT)] == schema.MEASUREMENT.names
    assert t.column("alt_baro_ft").to_pylist() == [None, 35000.0]
    assert t.column("nacp").to_pylist() == [None, 9]
    assert t.column("icao24").null_count == 2
    assert t.column("df").to_pylist() == [17, 4]


def test_parquet_and_jsonl_round_trip(tmp_path):
    t = schema.table_from_columns(schema.MEASUREMENT, {"time_s": [1.5], "icao24": ["406b90"], "sensor": ["rx1"]})
    for name in ("m.parquet", "m.jsonl"):
        tableio.write_table(t, tmp_path / name)
        back = tableio.read_table(tmp_path / name)
        assert back.column("icao24").to_pylist() == ["406b90"]
        assert back.column("time_s").to_pylist() == [1.5]


def test_system_plane_round_trip_and_scale():
    plane = geodesy.SystemPlane(*geodesy.NIGER_PLANE_CENTRE)
    lat = np.array([13.4815, 16.9600, 17.0])
    lon = np.array([2.1836, 7.9883, 5.0])
    x, y = plane.to_xy(lat, lon)
    assert abs(x[2]) < 1e-6 and abs(y[2]) < 1e-6
    lat2, lon2 = plane.to_latlon(x, y)
    np.testing.assert_allclose(lat2, lat, atol=1e-9)
    np.testing.assert_allclose(lon2, lon, atol=1e-9)
    # Niamey to Agadez: plane distance within 0.5 % of the great-circle distance.
    d_plane = np.hypot(x[1] - x[0], y[1] - y[0])
    d_gc = geodesy.haversine_m(lat[0], lon[0], lat[1], lon[1])
    assert abs(d_plane / d_gc - 1) < 0.005


def test_slant_and_ground_range_are_inverse():
    ground = np.array([1e3, 1e5, 3e5])
    alt = np.array([300.0, 10000.0, 12000.0])
    slant = geodesy.slant_range_from_ground(ground, alt, 20.0)
    np.testing.assert_allclose(geodesy.ground_range_from_slant(slant, alt, 20.0), ground, rtol=1e-9)
    assert np.all(slant > ground)


def test_destination_and_bearing_agree():
    lat, lon = geodesy.destination(13.48, 2.18, 45.0, 100e3)
    assert geodesy.haversine_m(13.48, 2.18, lat, lon) == pytest.approx(100e3, rel=1e-9)
    assert geodesy.initial_bearing_deg(13.48, 2.18, lat, lon) == pytest.approx(45.0, abs=1e-6)


def test_sensors_json_round_trip_and_validation(tmp_path):
    s = [Sensor("rad1", "psr_ssr", 13.48, 2.18, 230.0, rotation_period_s=4.0, sigma_range_m=60.0)]
    save_sensors(s, tmp_path / "s.json")
    assert load_sensors(tmp_path / "s.json") == s
    with pytest.raises(ValueError, match="kind"):
        Sensor("x", "sonar", 0, 0)


def test_bus_matches_nats_wildcards_and_survives_a_failing_handler():
    b = bus.InProcessBus()
    got = []
    b.subscribe("airpicture.meas.>", lambda s, t: got.append(s))
    b.subscribe("airpicture.meas.*", lambda s, t: 1 / 0)
    b.publish(bus.measurement_subject("rx1"), pa.table({"a": [1]}))
    b.publish(bus.TRACKS, pa.table({"a": [1]}))
    assert got == ["airpicture.meas.rx1"]
    assert b.handler_errors == 1


def test_geography_is_shipped():
    assert niamey_fir().is_valid and niger_border().is_valid
    assert len(niger_aerodromes()) >= 20
    assert any(a.icao == "DRRN" for a in niger_aerodromes())
