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
    if v.dtype == np.float64:  # absent values are NaN already; the reader's arrays are read-only, so share it
        return v
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


#: Up to this many records, text columns are formatted in plain Python (a datagram, a 100 ms slice of a radar feed):
#: numpy's text functions cost tens of microseconds a call whatever the length.
SMALL = 64


def _octal4(code: np.ndarray, ok: np.ndarray) -> np.ndarray:
    if len(code) <= SMALL:
        return np.array([f"{c:04o}" if k else "" for c, k in zip(code.tolist(), ok.tolist(), strict=True)], dtype="<U4")
    d = np.stack([(code >> s) & 7 for s in (9, 6, 3, 0)], axis=1).astype(np.uint8) + ord("0")
    text = np.ascontiguousarray(d).view("S4").ravel().astype("U4")
    return np.where(ok, text, "")


def icao_text(reader: FieldReader, slot: str, name: str) -> np.ndarray:
    addr, present = reader.get(slot, name)
    return _hex6(np.asarray(addr, dtype=np.int64), present)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex6(addr: np.ndarray, ok: np.ndarray) -> np.ndarray:
    if len(addr) <= SMALL:
        return np.array([f"{a:06x}" if k else "" for a, k in zip(addr.tolist(), ok.tolist(), strict=True)], dtype="<U6")
    d = _HEX[np.stack([(addr >> s) & 15 for s in (20, 16, 12, 8, 4, 0)], axis=1)]
    text = np.ascontiguousarray(d).view("S6").ravel().astype("U6")
    return np.where(ok, text, "")


def callsign_text(reader: FieldReader, slot: str, name: str) -> np.ndarray:
    v, present = reader.get(slot, name)
    if len(v) <= SMALL:
        raw = np.asarray(v, dtype=str)
        text = [c.strip() if k else "" for c, k in zip(raw.tolist(), present.tolist(), strict=True)]
        return np.array(text, dtype=raw.dtype)
    return np.where(present, np.char.strip(np.asarray(v, dtype=str)), "")


_EMERGENCY_SQUAWK = {"7500": "unlawful", "7600": "nordo", "7700": "general"}


def emergency_from_squawk(squawk: np.ndarray) -> np.ndarray:
    if len(squawk) <= SMALL:
        return np.array([_EMERGENCY_SQUAWK.get(s, "") for s in squawk.tolist()], dtype="<U10")
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


def _first(*candidates: np.ndarray) -> np.ndarray:
    """Element-wise first non-NaN of float arrays (or first non-empty of string arrays)."""
    out = candidates[0].copy()
    for c in candidates[1:]:
        if out.dtype.kind == "f":
            fill = np.isnan(out)
        else:
            fill = out == ""
            if c.dtype.itemsize > out.dtype.itemsize:
                out = out.astype(c.dtype)
        out[fill] = c[fill]
    return out


def _speed_track(vx: np.ndarray, vy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cartesian velocity (m/s, x east, y north) → ground speed (kt) and track (deg true)."""
    return np.hypot(vx, vy) / KT_MS, np.mod(np.degrees(np.arctan2(vx, vy)), 360.0)


def _edition(reader: FieldReader) -> str:
    return reader.layout.edition.edition


# ---------------------------------------------------------------------------------------------------- CAT001

_SSRPSR_KIND = np.array(["", "psr", "ssr", "psr_ssr", ""], dtype="<U7")


def cat001(reader: FieldReader) -> Columns:
    """Monoradar plots and tracks (the older radar category): polar position, Mode 3/A, Mode C."""
    sac, sic = _sensor_ids(reader)
    n = reader.layout.n
    is_track = _i(reader, "020", "TYP", fill=0) == 1
    fl = _f(reader, "090", "FL")
    return {
        "category": np.full(n, 1, dtype=np.int64),
        "sac": sac,
        "sic": sic,
        "time_of_day_s": np.full(n, np.nan),
        "truncated_time_of_day_s": _f(reader, "141", "TToD"),
        "kind": _SSRPSR_KIND[_i(reader, "020", "SSRPSR", fill=4)],
        "record_type": np.where(is_track, "track", "plot"),
        "range_m": _f(reader, "040", "RHO") * NM_M,
        "azimuth_deg": _f(reader, "040", "THETA"),
        "x_m": _f(reader, "042", "X") * NM_M,
        "y_m": _f(reader, "042", "Y") * NM_M,
        "alt_baro_ft": np.where(_i(reader, "090", "V", fill=1) == 0, fl * 100.0, np.nan),
        "squawk": (sq := squawk_text(reader, "070", "Mode3A")),
        "emergency": emergency_from_squawk(sq),
        "track_number": _i(reader, "161", "TPN"),
        "ground_speed_kt": _f(reader, "200", "CGS") * 3600.0,
        "track_deg": _f(reader, "200", "CHdg"),
        "spi": _flag(reader, "020", "SPI"),
        "simulated": _flag(reader, "020", "SIM"),
    }


# ---------------------------------------------------------------------------------------------------- CAT002

_CAT002_TYPE = {1: "north_marker", 2: "sector_crossing", 3: "south_marker", 8: "blind_zone_filtering_on",
                9: "blind_zone_filtering_off"}  # fmt: skip


def _message_type(codes: np.ndarray, names: dict[int, str]) -> np.ndarray:
    out = np.full(len(codes), "status", dtype="<U32")
    for k, v in names.items():
        out[codes == k] = v
    return out


def cat002(reader: FieldReader) -> Columns:
    """Radar service messages (north marker, sector crossing) → sensor status rows."""
    cols = _status_base(reader, 2, _message_type(_i(reader, "000", "MsgTyp"), _CAT002_TYPE))
    cols["time_of_day_s"] = _tod(reader, "030", "ToD")
    cols["sector_azimuth_deg"] = _f(reader, "020", "Azi")
    cols["antenna_rotation_period_s"] = _f(reader, "041", "RotS")
    return cols


# ---------------------------------------------------------------------------------------------------- CAT010

_CAT010_TYPE = {1: "target_report", 2: "start_of_update_cycle", 3: "periodic_status", 4: "event_status"}
_CAT010_KIND = np.array(["mlat", "mlat", "adsb", "psr", "psr", "mlat", "", "", ""], dtype="<U7")


def cat010(reader: FieldReader) -> Columns:
    """Surface movement radar / multilateration target reports: position as given (polar, cartesian or WGS-84)."""
    sac, sic = _sensor_ids(reader)
    n = reader.layout.n
    msg = _i(reader, "000", "MsgTyp", fill=1)
    typ = _i(reader, "020", "TYP", fill=8)
    gs_polar = _f(reader, "200", "GS") * 3600.0
    if _edition(reader) == "1.1":
        gs_cart, trk_cart = _speed_track(_f(reader, "202", "Vx"), _f(reader, "202", "Vy"))
    else:  # the Sensis draft gives no resolution for its velocity
        gs_cart = trk_cart = np.full(n, np.nan)
    fl = _f(reader, "090", "FL")
    target = msg == 1
    return {
        "category": np.full(n, 10, dtype=np.int64),
        "sac": sac,
        "sic": sic,
        "time_of_day_s": _tod(reader, "140", "ToD"),
        "kind": np.where(target, _CAT010_KIND[typ], ""),
        "record_type": np.where(target, np.where(reader.present("161"), "track", "plot"), "status"),
        "message_type": _message_type(msg, _CAT010_TYPE),
        "lat_deg": _f(reader, "041", "Lat"),
        "lon_deg": _f(reader, "041", "Lon"),
        "range_m": _f(reader, "040", "RHO"),
        "azimuth_deg": _f(reader, "040", "THETA"),
        "x_m": _f(reader, "042", "X"),
        "y_m": _f(reader, "042", "Y"),
        "alt_baro_ft": np.where(_i(reader, "090", "V", fill=1) == 0, fl * 100.0, np.nan),
        "squawk": (sq := squawk_text(reader, "060", "Mode3A")),
        "emergency": emergency_from_squawk(sq),
        "icao24": icao_text(reader, "220", "TAddr"),
        "callsign": callsign_text(reader, "245", "TId"),
        "track_number": _i(reader, "161", "TrkNb"),
        "ground_speed_kt": _first(gs_polar, gs_cart),
        "track_deg": _first(_f(reader, "200", "TA"), trk_cart),
        "spi": _flag(reader, "020", "SPI"),
        "simulated": _flag(reader, "020", "SIM"),
    }


# ---------------------------------------------------------------------------------------------------- CAT021

#: NACp → 95 % horizontal position bound (m), DO-260B; index = NACp.
_NACP_EPU_M = np.array([np.nan, 18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3, np.nan, np.nan, np.nan,
                        np.nan, np.nan])  # fmt: skip
_PRIORITY = np.array(["", "general", "lifeguard", "minfuel", "nordo", "unlawful", "downed", "", ""], dtype="<U10")


def cat021(reader: FieldReader) -> Columns:
    """ADS-B reports (editions 2.x and 0.26) → kind ``adsb`` rows with the aircraft's own quality figures."""
    sac, sic = _sensor_ids(reader)
    n = reader.layout.n
    if _edition(reader) == "0.26":
        tod = _tod(reader, "030", "ToD")
        lat, lon = _f(reader, "130", "Lat"), _f(reader, "130", "Lon")
        sq = squawk_text(reader, "070", "Mode3A")
        vrate = _first(_f(reader, "155", "BVR"), _f(reader, "157", "GVR"))
        nacp = np.full(n, -1, dtype=np.int64)
        nic = np.full(n, -1, dtype=np.int64)
        spi = _flag(reader, "040", "SPI")
        simulated = _flag(reader, "040", "SIM")
    else:
        tod = _first(
            _tod(reader, "073", "ToMRP"), _tod(reader, "071", "ToAP"), _tod(reader, "075", "ToMRV"),
            _tod(reader, "072", "ToAV"), _tod(reader, "077", "ToART"),
        )  # fmt: skip
        lat = _first(_f(reader, "131", "Lat"), _f(reader, "130", "Lat"))
        lon = _first(_f(reader, "131", "Lon"), _f(reader, "130", "Lon"))
        sq = squawk_text(reader, "070", "Mode3A", valid_field=None)
        vrate = _first(_f(reader, "155", "BVR"), _f(reader, "157", "GVR"))
        nacp = _i(reader, "090", "NACP")
        nic = _i(reader, "090", "NUCP_NIC")
        spi = np.full(n, np.nan)
        simulated = _flag(reader, "040", "SIM")
    ps = np.clip(_i(reader, "200", "PS", fill=8), 0, 8)
    emergency = _PRIORITY[ps]
    emergency = np.where(emergency == "", emergency_from_squawk(sq), emergency)
    return {
        "category": np.full(n, 21, dtype=np.int64),
        "sac": sac,
        "sic": sic,
        "time_of_day_s": tod,
        "kind": np.full(n, "adsb"),
        "record_type": np.full(n, "adsb"),
        "lat_deg": lat,
        "lon_deg": lon,
        "alt_baro_ft": _f(reader, "145", "FL") * 100.0,
        "alt_geo_ft": _f(reader, "140", "GH"),
        "icao24": icao_text(reader, "080", "TAddr"),
        "callsign": callsign_text(reader, "170", "TId"),
        "squawk": sq,
        "ground_speed_kt": _f(reader, "160", "GS") * 3600.0,
        "track_deg": _f(reader, "160", "TA"),
        "vertical_rate_fpm": vrate,
        "sigma_h_m": _NACP_EPU_M[np.clip(nacp, 0, 16)] / 2.4477 if n else np.zeros(0),
        "nacp": nacp,
        "nic": nic,
        "emergency": emergency,
        "spi": spi,
        "simulated": simulated,
        "track_number": _i(reader, "161", "TrackN"),
    }


# ---------------------------------------------------------------------------------------------------- CAT062


def cat062(reader: FieldReader) -> Columns:
    """System tracks → rows with both SystemTrack and Measurement names (a neighbouring centre's picture)."""
    sac, sic = _sensor_ids(reader)
    n = reader.layout.n
    if _edition(reader) == "0.17":
        gs = _f(reader, "180", "Speed") * 3600.0
        trk = _f(reader, "180", "Heading")
        baro_ft = _f(reader, "135", "Alt")
        vrate = _f(reader, "220", "ROC")
        coasting = _i(reader, "080", "COA", fill=0) == 1
        squawk = squawk_text(reader, "060", "Mode3A", valid_field=None)
        sigma = np.full(n, np.nan)
        x_m, y_m = _f(reader, "100", "X") * NM_M, _f(reader, "100", "Y") * NM_M
        callsign = _first(callsign_text(reader, "380/ID", "ACID"), callsign_text(reader, "390/CSN", "CS"))
    else:
        gs, trk = _speed_track(_f(reader, "185", "Vx"), _f(reader, "185", "Vy"))
        baro_ft = _f(reader, "135", "CTBA")
        vrate = _f(reader, "220", "RoC")
        coasting = _i(reader, "080", "CST", fill=0) == 1
        squawk = squawk_text(reader, "060", "Mode3A")
        apc_x, apc_y = _f(reader, "500/APC", "X"), _f(reader, "500/APC", "Y")
        sigma = np.sqrt((apc_x**2 + apc_y**2) / 2.0)
        x_m, y_m = _f(reader, "100", "X"), _f(reader, "100", "Y")
        callsign = _first(
            callsign_text(reader, "245", "TId"), callsign_text(reader, "380/ID", "ACID"),
            callsign_text(reader, "390/CSN", "CS"),
        )  # fmt: skip
    mfl_ft = _f(reader, "136", "MFL") * 100.0
    alt_ft = _first(mfl_ft, baro_ft, _f(reader, "130", "Alt"))
    tentative = _i(reader, "080", "CNF", fill=0) == 1
    status = np.where(tentative, "tentative", np.where(coasting, "coasting", "confirmed"))
    icao = icao_text(reader, "380/ADR", "ADR")
    flight_plan = callsign_text(reader, "390/CSN", "CS")
    track_id = _i(reader, "040", "TrkN")
    return {
        "category": np.full(n, 62, dtype=np.int64),
        "sac": sac,
        "sic": sic,
        "time_of_day_s": _tod(reader, "070", "ToT"),
        "record_type": np.full(n, "system_track"),
        "track_id": track_id,
        "track_number": track_id,
        "lat_deg": _f(reader, "105", "Lat"),
        "lon_deg": _f(reader, "105", "Lon"),
        "x_m": x_m,
        "y_m": y_m,
        "alt_ft": alt_ft,
        "alt_baro_ft": _first(mfl_ft, baro_ft),
        "alt_geo_ft": _f(reader, "130", "Alt"),
        "ground_speed_kt": gs,
        "track_deg": trk,
        "vertical_rate_fpm": vrate,
        "sigma_h_m": sigma,
        "status": status,
        "icao24": icao,
        "callsign": callsign,
        "squawk": squawk,
        "emergency": emergency_from_squawk(squawk),
        "cooperative": ((squawk != "") | (icao != "")).astype(float),
        "flight_plan": flight_plan,
        "spi": _flag(reader, "080", "SPI"),
        "simulated": _flag(reader, "080", "SIM"),
    }


# ---------------------------------------------------------------------------------------------------- CAT065


_CAT065_TYPE = {1: "sdps_status", 2: "end_of_batch", 3: "service_status_report"}


def cat065(reader: FieldReader) -> Columns:
    """SDPS service status → status rows (batch ends, service operational or not)."""
    cols = _status_base(reader, 65, _message_type(_i(reader, "000", "Typ"), _CAT065_TYPE))
    cols["time_of_day_s"] = _tod(reader, "030", "ToD")
    nogo = _f(reader, "040", "NOGO")
    cols["operational"] = np.where(np.isnan(nogo), np.nan, (nogo == 0).astype(float))
    return cols


CONVERTERS.update({1: cat001, 2: cat002, 10: cat010, 21: cat021, 62: cat062, 65: cat065})
