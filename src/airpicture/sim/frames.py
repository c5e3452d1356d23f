"""Encoded output: the simulator's ADS-B receptions as Beast frames and its radar plots as ASTERIX, per step.

This is what lets the live chain run through the real decoders: each ADS-B receiver's step becomes one Beast
buffer of DF17 frames (identification, airborne position in alternating CPR formats, velocity, emergency/status)
built by the Mode S encoder, and each radar's step becomes CAT048 target reports plus a CAT034 north marker for
every antenna revolution that starts in the step. Frames carry what the simulated message carried (noisy
position, quantised altitude and velocity), so decoding them gives back the Measurement rows up to the encodings'
resolution (CPR ≈ 5 m, 25 ft, 1 kt, 64 fpm; ASTERIX 1/256 NM and 360/2¹⁶ degrees).

Beast time stamps: the 12 MHz counter counts from the scenario's start time, and each :class:`RawFeed` carries
``first_time_s``, the time of its first frame, so ``BeastParser(sensor, start_time_s=feed.first_time_s)`` gives
back the exact reception times. Multilateration positions have no frame format here (a real MLAT server emits
positions, not receiver frames): they are in :meth:`Scenario.stream` only.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airpicture.decode.asterix.encode import encode_cat034_north_marker, encode_cat048
from airpicture.decode.modes import encode as modes
from airpicture.decode.modes._fields import me_to_bytes, put_me
from airpicture.decode.modes.crc import crc24
from airpicture.sim.scenario import RawFeed, Scenario
from airpicture.sim.sensor_models import KIND_CODE, AdsbNetwork, RadarModel, Rows
from airpicture.sources.beast import CLOCK_HZ, encode_beast
from airpicture.sources.frames import ModeSFrames

#: ADS-B emitter category by aircraft class (jet, turboprop, light aircraft): set A codes 3, 2, 1.
CATEGORY_BY_CLASS = ("A3", "A2", "A1")


#: Airborne position type code for a NIC (versions 1-2, supplements 0): the decoder maps it back.
POSITION_TC_BY_NIC = np.array([18, 17, 16, 16, 15, 14, 13, 12, 11, 11, 10, 9])


def target_state_frames(icao24: np.ndarray, selected_alt_ft: np.ndarray, nacp: np.ndarray) -> np.ndarray:
    """DF17 TC 29 subtype 1 (target state and status, version 2): MCP/FCU selected altitude and NACp.

    ME 1-5 TC | 6-7 subtype 1 | 9 selected altitude type (0 = MCP/FCU) | 10-20 (altitude / 32 ft) + 1 | 21-29
    baro setting (0 = no data) | 40-43 NACp | 45-46 SIL (3) | 47 mode bits valid (0).
    """
    n = len(icao24)
    address = np.asarray(icao24, dtype=np.uint32)
    alt = np.where(np.isfinite(selected_alt_ft), np.round(np.nan_to_num(selected_alt_ft) / 32.0) + 1, 0)
    me = (
        put_me(np.full(n, 29), 1, 5)
        | put_me(np.full(n, 1), 6, 2)
        | put_me(np.clip(alt, 0, 2047).astype(np.int64), 10, 11)
        | put_me(np.clip(nacp, 0, 15), 40, 4)
        | put_me(np.full(n, 3), 45, 2)
    )
    frames = np.zeros((n, 14), dtype=np.uint8)
    frames[:, 0] = (17 << 3) | 5
    frames[:, 1], frames[:, 2], frames[:, 3] = (address >> 16) & 0xFF, (address >> 8) & 0xFF, address & 0xFF
    frames[:, 4:11] = me_to_bytes(me)
    parity = crc24(frames, 11)
    frames[:, 11], frames[:, 12], frames[:, 13] = (parity >> 16) & 0xFF, (parity >> 8) & 0xFF, parity & 0xFF
    return frames


def adsb_frames(scenario: Scenario, rows: Rows, sensor_id: str) -> ModeSFrames:
    """The DF17 frames behind one receiver's ADS-B rows (rows already restricted to that receiver)."""
    c = rows.cols
    ac = c["aircraft"]
    icao = scenario.fleet.icao24[ac]
    tc = c["tc"]
    parts = []
    # Airborne position: the type code carries the NIC (DO-260B: TC 11 ↔ NIC 8, 12 ↔ 7, 15 ↔ 4, ...).
    pos = np.flatnonzero(tc == 11)
    pos_tc = POSITION_TC_BY_NIC[np.clip(np.nan_to_num(c["nic"][pos], nan=8.0).astype(int), 0, 11)]
    for code in np.unique(pos_tc):
        sel = pos[pos_tc == code]
        f = modes.adsb_airborne_position(
            icao[sel], c["lat_deg"][sel], c["lon_deg"][sel], c["alt_baro_ft"][sel], c["cpr_odd"][sel], tc=int(code)
        )
        parts.append(ModeSFrames.from_arrays(f, c["time_s"][sel], sensor=sensor_id))
    sel = np.flatnonzero(tc == 19)
    if len(sel):
        f = modes.adsb_airborne_velocity(
            icao[sel], c["ground_speed_kt"][sel], c["track_deg"][sel], c["vertical_rate_fpm"][sel]
        )
        parts.append(ModeSFrames.from_arrays(f, c["time_s"][sel], sensor=sensor_id))
    sel = np.flatnonzero(tc == 4)
    if len(sel):
        callsigns = [scenario.fleet.callsign[i] or "" for i in ac[sel].tolist()]
        category = np.array(CATEGORY_BY_CLASS)[scenario.fleet.cls[ac[sel]]]
        f = modes.adsb_identification(icao[sel], callsigns, category)
        parts.append(ModeSFrames.from_arrays(f, c["time_s"][sel], sensor=sensor_id))
    sel = np.flatnonzero((tc == 28) & (scenario.fleet.squawk[ac] >= 0))
    if len(sel):
        f = modes.adsb_emergency_status(icao[sel], scenario.fleet.squawk[ac[sel]], c["emergency"][sel].astype(int))
        parts.append(ModeSFrames.from_arrays(f, c["time_s"][sel], sensor=sensor_id))
    sel = np.flatnonzero(tc == 31)
    if len(sel):
        f = modes.adsb_operational_status(icao[sel], version=2, nacp=c["nacp"][sel].astype(np.int64))
        parts.append(ModeSFrames.from_arrays(f, c["time_s"][sel], sensor=sensor_id))
    sel = np.flatnonzero(tc == 29)
    if len(sel):
        f = target_state_frames(icao[sel], c["selected_alt_ft"][sel], c["nacp"][sel].astype(np.int64))
        parts.append(ModeSFrames.from_arrays(f, c["time_s"][sel], sensor=sensor_id))
    frames = ModeSFrames.concat(parts, sensor=sensor_id)
    return frames.take(np.argsort(frames.time_s, kind="stable"))


def _north_crossings(model: RadarModel, t0: float, t1: float) -> np.ndarray:
    period = model.period_s
    first = np.ceil((t0 - model.north_time_s) / period - 1e-9)
    times = model.north_time_s + np.arange(first, np.ceil((t1 - model.north_time_s) / period - 1e-9)) * period
    return times[(times >= t0) & (times < t1)]


def stream_frames(scenario: Scenario, step_s: float) -> Iterator[tuple[float, list[RawFeed], pa.Table]]:
    """Per step: (end time, one RawFeed per ADS-B receiver and per radar that produced data, truth samples)."""
    radars = {index: m for index, m in scenario.models if isinstance(m, RadarModel)}
    adsb_indices = [
        index + j for index, m in scenario.models if isinstance(m, AdsbNetwork) for j in range(len(m.sensors))
    ]
    ids = [s.id for s in scenario.sensors]
    for t0, t1, rows, truth in scenario.stream_rows(step_s):
        feeds: list[RawFeed] = []
        sensor = rows.cols["sensor"]
        adsb = rows.cols["kind"] == KIND_CODE["adsb"]
        for index in adsb_indices:
            mine = np.flatnonzero(adsb & (sensor == index))
            if len(mine) == 0:
                continue
            frames = adsb_frames(scenario, rows.take(mine), ids[index])
            counter = round((frames.time_s[0] - scenario.start_time_s) * CLOCK_HZ)
            feeds.append(RawFeed(ids[index], "beast", encode_beast(frames, counter), float(frames.time_s[0])))
        if radars:
            table = scenario.measurements_table(rows)
            sensor_col = table.column("sensor")
        for index, model in radars.items():
            north = _north_crossings(model, t0, t1)
            plots = table.filter(pc.equal(sensor_col, ids[index]))
            if plots.num_rows == 0 and len(north) == 0:
                continue
            data = b""
            # North markers interleave with the plots in time, as a radar sends them.
            edges = [t0, *north.tolist(), t1]
            times = plots.column("time_s").to_numpy()
            for k in range(len(edges) - 1):
                if k > 0:
                    data += encode_cat034_north_marker(edges[k], model.sac, model.sic, model.period_s)
                chunk = plots.filter(pa.array((times >= edges[k]) & (times < edges[k + 1])))
                data += encode_cat048(chunk, model.sac, model.sic)
            first = float(min(times.min() if len(times) else np.inf, north.min() if len(north) else np.inf))
            feeds.append(RawFeed(ids[index], "asterix", data, first))
        yield t1, feeds, truth
