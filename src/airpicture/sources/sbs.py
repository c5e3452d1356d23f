"""SBS / BaseStation CSV (the port-30003 feed of dump1090/readsb): already decoded text → Measurement tables.

``MSG,type,session,aircraft,HEXIDENT,flight,date_gen,time_gen,date_log,time_log,callsign,altitude,ground_speed,
track,lat,lon,vertical_rate,squawk,alert,emergency,spi,is_on_ground``. Message types 1-4 come from ADS-B (1 ident,
2 surface position, 3 airborne position, 4 velocity), 5-8 from Mode S surveillance/all-call replies. Flags are
``-1`` for true. Times are the generated date and time, taken as UTC. Lines that are not MSG records (SEL, ID,
AIR, STA, CLK) or are malformed are counted, not fatal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.sources.text import _count, _lines

BATCH_LINES = 100_000
_SQUAWK_EMERGENCY = {"7500": "unlawful", "7600": "nordo", "7700": "general"}
_EPOCH_CACHE: dict[str, float] = {}


def _epoch(date: str, clock: str) -> float:
    """``2024/01/31`` + ``12:00:00.123`` (UTC) → epoch seconds; the date part is cached (one per day)."""
    day = _EPOCH_CACHE.get(date)
    if day is None:
        day = datetime.strptime(date.replace("-", "/"), "%Y/%m/%d").replace(tzinfo=UTC).timestamp()
        if len(_EPOCH_CACHE) > 1000:
            _EPOCH_CACHE.clear()
        _EPOCH_CACHE[date] = day
    h, m, s = clock.split(":")
    return day + int(h) * 3600 + int(m) * 60 + float(s)


def _num(text: str) -> float:
    try:
        return float(text) if text else np.nan
    except ValueError:
        return np.nan


def _float_array(values: list[float]) -> pa.Array:
    arr = np.array(values, dtype=np.float64)
    return pa.array(arr, mask=np.isnan(arr))


def read_sbs(
    source: str | os.PathLike | Iterable[str], sensor: str = "rx", rejected: dict[str, int] | None = None
) -> Iterator[pa.Table]:
    """Measurement tables (plus ``msg_type``), one row per MSG line, in input order."""
    rows: dict[str, list] = {
        k: []
        for k in (
            "time_s",
            "kind",
            "lat_deg",
            "lon_deg",
            "alt_baro_ft",
            "icao24",
            "callsign",
            "squawk",
            "ground_speed_kt",
            "track_deg",
            "vertical_rate_fpm",
            "emergency",
            "spi",
            "msg_type",
            "on_ground",
        )
    }

    def flush() -> pa.Table:
        table = table_from_columns(
            MEASUREMENT,
            {
                **{
                    k: _float_array(rows[k])
                    for k in (
                        "time_s",
                        "lat_deg",
                        "lon_deg",
                        "alt_baro_ft",
                        "ground_speed_kt",
                        "track_deg",
                        "vertical_rate_fpm",
                    )
                },
                "sensor": sensor,
                "kind": pa.array(rows["kind"], pa.string()),
                "icao24": pa.array(rows["icao24"], pa.string()),
                "callsign": pa.array(rows["callsign"], pa.string()),
                "squawk": pa.array(rows["squawk"], pa.string()),
                "emergency": pa.array(rows["emergency"], pa.string()),
                "spi": pa.array(rows["spi"], pa.bool_()),
                "msg_type": pa.array(rows["msg_type"], pa.int8()),
                "on_ground": pa.array(rows["on_ground"], pa.bool_()),
            },
        )
        for values in rows.values():
            values.clear()
        return table

    for raw in _lines(source):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        f = line.split(",")
        if f[0] != "MSG":
            _count(rejected, "not_msg" if f[0] in ("SEL", "ID", "AIR", "STA", "CLK") else "bad_line")
            continue
        if len(f) < 22:
            f += [""] * (22 - len(f))
        try:
            msg_type = int(f[1])
            address = int(f[4], 16)
            time_s = _epoch(f[6] or f[8], f[7] or f[9])
        except ValueError:
            _count(rejected, "bad_line")
            continue
        if not 1 <= msg_type <= 8 or not 0 <= address < (1 << 24) or len(f[4].strip()) > 6:
            _count(rejected, "bad_line")
            continue
        squawk = f[17].strip()
        squawk = (
            squawk.zfill(4)
            if squawk.isdigit() and len(squawk) <= 4 and "8" not in squawk and "9" not in squawk
            else None
        )
        emergency = None
        if f[19].strip() == "-1":
            emergency = _SQUAWK_EMERGENCY.get(squawk or "", "general")
        rows["time_s"].append(time_s)
        rows["kind"].append("adsb" if msg_type <= 4 else "modes")
        rows["lat_deg"].append(_num(f[14]))
        rows["lon_deg"].append(_num(f[15]))
        rows["alt_baro_ft"].append(_num(f[11]))
        rows["icao24"].append(f"{address:06x}")
        rows["callsign"].append(f[10].strip() or None)
        rows["squawk"].append(squawk)
        rows["ground_speed_kt"].append(_num(f[12]))
        rows["track_deg"].append(_num(f[13]))
        rows["vertical_rate_fpm"].append(_num(f[16]))
        rows["emergency"].append(emergency)
        rows["spi"].append(f[20].strip() == "-1" if f[20].strip() else None)
        rows["msg_type"].append(msg_type)
        rows["on_ground"].append(f[21].strip() == "-1" if f[21].strip() else None)
        if len(rows["time_s"]) >= BATCH_LINES:
            yield flush()
    if rows["time_s"]:
        yield flush()
