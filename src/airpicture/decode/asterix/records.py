"""From decoded ASTERIX fields to airpicture rows: Measurement names, SystemTrack names and sensor status.

Every function here takes a :class:`FieldReader` over the records of one category edition and returns numpy
columns (SI or the contract's aviation units at the edge, as DESIGN.md names them), all vectorised.

Row types (column ``record_type``): ``plot`` and ``track`` (radar, CAT001/048), ``mlat``/``smr`` (CAT010),
``adsb`` (CAT021), ``north_marker``/``sector_crossing``/``status`` (CAT002/034/065 sensor or service status, no
position, ``kind`` null) and ``system_track`` (CAT062, also carrying the SystemTrack names).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from airpicture.decode.asterix.parse import FieldReader

NM_M = 1852.0
FT_M = 0.3048
KT_MS = NM_M / 3600.0
Columns = dict[str, np.ndarray]


def _f(reader: FieldReader, slot: str, name: str) -> np.ndarray:
    """Float values with NaN where the item is absent."""
    v, present = reader.get(slot, name)
    out = np.asarray(v, dtype=np.float64).copy()
    out[~present] = np.nan
    return out


def _i(reader: FieldReader, slot: str, name: str, fill: int = -1) -> np.ndarray:
    v, present = reader.get(slot, name)
    return np.where(present, v, fill).astype(np.int64)


def squawk_text(reader: FieldReader, slot: str, name: str, valid_field: str | None = "V") -> np.ndarray:
    """Mode 3/A code as 4 octal digits ('' when absent or flagged invalid)."""
    code, present = reader.get(slot, name)
    ok = present.copy()
    if valid_field is not None:
        v, _ = reader.get(slot, valid_field)
        ok &= np.asarray(v) == 0
    return _octal4(np.asarray(code, dtype=np.int64), ok)


def _octal4(code: np.ndarray, ok: np.ndarray) -> np.ndarray:
    d = np.stack([(code >> s) & 7 for s in (9, 6, 3, 0)], axis=1).astype(np.uint8) + ord("0")
    text = np.ascontiguousarray(d).view("S4").ravel().astype("U4")
    return np.where(ok, text, "")


def icao_text(reader: FieldReader, slot: str, name: str) -> np.ndarray:
    addr, present = reader.get(slot, name)
    return _hex6(np.asarray(addr, dtype=np.int64), present)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex6(addr: np.ndarray, ok: np.ndarray) -> np.ndarray:
    d = _HEX[np.stack([(addr >> s) & 15 for s in (20, 16, 12, 8, 4, 0)], axis=1)]
    text = np.ascontiguousarray(d).view("S6").ravel().astype("U6")
    return np.where(ok, text, "")


def callsign_text(reader: FieldReader, slot: str, name: str) -> np.ndarray:
    v, present = reader.get(slot, name)
    return np.where(present, np.char.strip(np.asarray(v, dtype=str)), "")


_EMERGENCY_SQUAWK = {"7500": "unlawful", "7600": "nordo", "7700": "general"}


def emergency_from_squawk(squawk: np.ndarray) -> np.ndarray:
    out = np.full(len(squawk), "", dtype="<U10")
    for code, meaning in _EMERGENCY_SQUAWK.items():
        out[squawk == code] = meaning
    return out


def _flag(reader: FieldReader, slot: str, name: str) -> np.ndarray:
    """A one-bit flag as float (1.0/0.0, NaN absent) so that absence becomes null in a bool column."""
    return _f(reader, slot, name)


def _tod(reader: FieldReader, slot: str, name: str) -> np.ndarray:
    return _f(reader, slot, name)


def _sensor_ids(reader: FieldReader) -> tuple[np.ndarray, np.ndarray]:
    return _i(reader, "010", "SAC"), _i(reader, "010", "SIC")


# ---------------------------------------------------------------------------------------------------- CAT048


_CAT048_KIND = np.array(["", "psr", "ssr", "psr_ssr", "modes", "modes", "psr_ssr", "psr_ssr", ""], dtype="<U7")


def cat048(reader: FieldReader) -> Columns:
    """Monoradar target reports: polar plot position, Mode 3/A, flight level, Mode S address and identity."""
    sac, sic = _sensor_ids(reader)
    typ = _i(reader, "020", "TYP", fill=8)
    squawk = squawk_text(reader, "070", "Mode3A")
    fl = _f(reader, "090", "FL")
    fl_valid = _i(reader, "090", "V", fill=1) == 0
    gs = _f(reader, "200", "CGS") * 3600.0
    rtype = np.where(reader.present("161") | reader.present("170"), "track", "plot")
    return {
        "category": np.full(reader.layout.n, 48, dtype=np.int64),
        "sac": sac,
        "sic": sic,
        "time_of_day_s": _tod(reader, "140", "ToD"),
        "kind": _CAT048_KIND[typ],
        "record_type": rtype,
        "range_m": _f(reader, "040", "RHO") * NM_M,
        "azimuth_deg": _f(reader, "040", "THETA"),
        "x_m": _f(reader, "042", "X") * NM_M,
        "y_m": _f(reader, "042", "Y") * NM_M,
        "alt_baro_ft": np.where(fl_valid, fl * 100.0, np.nan),
        "squawk": squawk,
        "emergency": emergency_from_squawk(squawk),
        "icao24": icao_text(reader, "220", "ACAddr"),
        "callsign": callsign_text(reader, "240", "TId"),
        "track_number": _i(reader, "161", "Tn"),
        "ground_speed_kt": gs,
        "track_deg": _f(reader, "200", "CHdg"),
        "spi": _flag(reader, "020", "SPI"),
        "simulated": _flag(reader, "020", "SIM"),
    }


# ---------------------------------------------------------------------------------------------------- CAT034

_CAT034_TYPE = np.array(
    ["", "north_marker", "sector_crossing", "geographical_filtering", "jamming_strobe", "solar_storm",
     "ssr_jamming_strobe", "mode_s_jamming_strobe", ""], dtype="<U24",
)  # fmt: skip


def _status_base(reader: FieldReader, category: int, msg_type: np.ndarray) -> Columns:
    sac, sic = _sensor_ids(reader)
    n = reader.layout.n
    return {
        "category": np.full(n, category, dtype=np.int64),
        "sac": sac,
        "sic": sic,
        "record_type": msg_type,
        "message_type": msg_type,
    }


def cat034(reader: FieldReader) -> Columns:
    """Radar service messages → sensor status rows (north marker, sector crossing, filters, jamming)."""
    code = np.clip(_i(reader, "000", "MsgTyp", fill=8), 0, 8)
    cols = _status_base(reader, 34, _CAT034_TYPE[code])
    cols["time_of_day_s"] = _tod(reader, "030", "ToD")
    cols["sector_azimuth_deg"] = _f(reader, "020", "Azi")
    cols["antenna_rotation_period_s"] = _f(reader, "041", "RotS")
    nogo = _f(reader, "050/COM", "NOGO")
    cols["operational"] = np.where(np.isnan(nogo), np.nan, (nogo == 0).astype(float))
    cols["sensor_lat_deg"] = _f(reader, "120", "LAT")
    cols["sensor_lon_deg"] = _f(reader, "120", "LON")
    return cols


CONVERTERS: dict[int, Callable[[FieldReader], Columns]] = {34: cat034, 48: cat048}
