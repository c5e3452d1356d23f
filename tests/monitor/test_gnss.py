"""GNSS interference: a jammed region over the simulated Niger traffic is mapped and alerted, then clears."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airpicture.core.geodesy import haversine_m
from airpicture.monitor import MonitorSet, default_niger_airspace
from tests.monitor.simtracks import Cycle

JAMMER = (13.6, 2.6)  # near Niamey, where traffic converges
RADIUS_M = 250_000.0


def jammed(cycles: list[Cycle], start_s: float, end_s: float) -> list[Cycle]:
    """ADS-B reports inside the jammer's reach between start and end carry NACp 0 / NIC 0."""
    out = []
    for c in cycles:
        m = c.measurements
        if start_s <= c.now_s <= end_s:
            lat = m["lat_deg"].to_numpy(zero_copy_only=False)
            lon = m["lon_deg"].to_numpy(zero_copy_only=False)
            icao = m["icao24"].to_numpy(zero_copy_only=False)
            near = np.nan_to_num(haversine_m(JAMMER[0], JAMMER[1], lat, lon), nan=np.inf) < RADIUS_M
            hit = pa.array(np.isin(icao, np.unique(icao[near & (icao != None)])))  # noqa: E711
            adsb = pc.and_(hit, pc.equal(m["kind"], "adsb"))
            for name in ("nacp", "nic"):
                col = pc.if_else(adsb, pa.scalar(0, m.schema.field(name).type), m[name])
                m = m.set_column(m.column_names.index(name), name, col)
        out.append(Cycle(c.now_s, c.tracks, m, c.truth))
    return out


def test_jammed_region_is_alerted_with_its_aircraft_and_clears_after_the_jamming(niger_events):
    scenario, cycles = niger_events
    t0 = scenario.start_time_s
    start_s, end_s = t0 + 100.0, t0 + 380.0
    monitors = MonitorSet(default_niger_airspace(), sensors=scenario.sensors)
    events = pa.concat_tables(
        [monitors.update(c.tracks, c.now_s, c.measurements) for c in jammed(cycles, start_s, end_s)]
    )
    gnss = [r for r in events.to_pylist() if r["kind"] == "gnss_interference"]
    raised = [r for r in gnss if r["state"] == "raised"]
    assert len(raised) == 1, gnss
    assert start_s < raised[0]["time_raised_s"] <= start_s + 30.0
    assert len(raised[0]["track_ids"]) >= 3
    lat, lon = (float(v[:-1]) for v in raised[0]["volume"].split()[2:4])
    assert haversine_m(JAMMER[0], JAMMER[1], lat, lon) < RADIUS_M
    cleared = [r for r in gnss if r["state"] == "cleared"]
    assert len(cleared) == 1 and end_s < cleared[0]["time_cleared_s"] <= end_s + 200.0


def test_the_gnss_layer_is_geojson_with_counts_and_no_region_flagged_without_jamming(niger_events):
    scenario, cycles = niger_events
    monitors = MonitorSet(default_niger_airspace(), sensors=scenario.sensors)
    events = [monitors.update(c.tracks, c.now_s, c.measurements) for c in cycles[:40]]
    assert not [r for e in events for r in e.to_pylist() if r["kind"] == "gnss_interference"]
    layer = monitors.gnss_layer()
    assert layer["type"] == "FeatureCollection" and layer["features"]
    props = [f["properties"] for f in layer["features"]]
    assert sum(p["aircraft"] for p in props) >= 10
    assert not any(p["flagged"] for p in props)
