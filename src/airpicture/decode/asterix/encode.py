"""Table-driven ASTERIX encoding, vectorised over records, and the encoders for our own types.

The generic part turns field values (numpy arrays in the specification's units: NM, FL, s, deg…) into records
with the same item tables the decoder uses, so a value written here decodes back to itself to the item's
resolution. Records, compound items and repetitive items are all assembled the same way: a presence matrix gives
each record's FSPEC, item byte matrices are scattered behind it, and the rows are cut to their lengths at the end.

``encode_cat048`` (radar plots, used by the simulator), ``encode_cat034_north_marker``, ``encode_cat021`` (ADS-B
reports) and ``encode_cat062`` (system tracks, for neighbouring centres) build on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from airpicture.decode.asterix.spec import Compound, Edition, Explicit, Extended, Field, Fixed, Item, Repetitive
from airpicture.decode.asterix.tables import edition as get_edition

#: Default upper bound on a data block's size: fits one Ethernet UDP datagram.
MAX_BLOCK_BYTES = 1400
NM_M = 1852.0


@dataclass
class ItemData:
    """Values for one item over n records. ``fields`` in specification units; missing fields encode as 0.

    Extended items send ``parts`` parts (int or per record); repetitive items take 2-D field arrays
    ``[n, max_rep]`` and ``count`` per record; compound items take ``subitems`` by subitem name.
    """

    present: np.ndarray
    fields: dict[str, np.ndarray] = field(default_factory=dict)
    parts: int | np.ndarray = 1
    count: np.ndarray | None = None
    subitems: dict[str, ItemData] = field(default_factory=dict)


_CHAR6_CODE = np.zeros(256, dtype=np.uint64)
for _i, _c in enumerate(" ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
    _CHAR6_CODE[ord(_c)] = 32 if _c == " " else _i
for _i, _c in enumerate("0123456789"):
    _CHAR6_CODE[ord(_c)] = 48 + _i
_CHAR6_CODE[ord(" ")] = 32


def _text_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Strings → uint8 [n, width], upper case, space padded."""
    s = np.char.upper(np.asarray(values, dtype=str)).astype(f"S{width}")
    m = np.frombuffer(np.ascontiguousarray(s).tobytes(), dtype=np.uint8).reshape(len(s), width).copy()
    m[m == 0] = ord(" ")
    return m


def raw_value(f: Field, values: np.ndarray) -> np.ndarray:
    """Field values → unsigned raw bits (uint64), rounded to the resolution and clipped to the field's range."""
    n = len(values)
    if f.encoding == "spare":
        return np.zeros(n, dtype=np.uint64)
    if f.encoding in ("chars6", "ascii"):
        width = 6 if f.encoding == "chars6" else 8
        nchar = f.bits // width
        m = _text_matrix(values, nchar)
        codes = _CHAR6_CODE[m] if f.encoding == "chars6" else m.astype(np.uint64)
        v = np.zeros(n, dtype=np.uint64)
        for i in range(nchar):
            v = (v << np.uint64(width)) | codes[:, i]
        return v
    x = np.asarray(values, dtype=np.float64)
    x = np.nan_to_num(x, nan=0.0)
    if f.scale is not None:
        x = x / f.scale
    x = np.rint(x)
    if f.encoding == "signed":
        lo, hi = -(1 << (f.bits - 1)), (1 << (f.bits - 1)) - 1
        xi = np.clip(x, lo, hi).astype(np.int64)
        return (xi & ((1 << f.bits) - 1)).astype(np.uint64)
    return np.clip(x, 0, (1 << f.bits) - 1).astype(np.uint64)


def _pack(fields: tuple[Field, ...], values: dict[str, np.ndarray], n: int, fx: np.ndarray | None = None) -> np.ndarray:
    """Fields (+ optional trailing FX bit) → uint8 [n, octets]."""
    v = np.zeros(n, dtype=np.uint64)
    bits = 0
    for f in fields:
        raw = raw_value(f, values[f.name]) if f.name in values and not f.is_spare else np.zeros(n, np.uint64)
        v = (v << np.uint64(f.bits)) | raw
        bits += f.bits
    if fx is not None:
        v = (v << np.uint64(1)) | fx.astype(np.uint64)
        bits += 1
    octets = bits // 8
    if octets > 8:
        raise ValueError("items wider than 8 octets are encoded by parts")
    shifts = np.arange(octets - 1, -1, -1, dtype=np.uint64) * np.uint64(8)
    return ((v[:, None] >> shifts[None, :]) & np.uint64(0xFF)).astype(np.uint8)


def _pack_wide(fields: tuple[Field, ...], values: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Fixed items wider than 8 octets: pack field groups of whole octets side by side."""
    out, group, bits = [], [], 0
    for f in fields:
        group.append(f)
        bits += f.bits
        if bits % 8 == 0:
            out.append(_pack(tuple(group), values, n))
            group, bits = [], 0
    return np.concatenate(out, axis=1)


def _item_bytes(item: Item, data: ItemData, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(length per record, uint8 [n, width]) of one item for all n records (rows where absent are ignored)."""
    if isinstance(item, Fixed):
        wide = item.length > 8
        mat = _pack_wide(item.fields, data.fields, n) if wide else _pack(item.fields, data.fields, n)
        return np.full(n, item.length, dtype=np.int64), mat
    if isinstance(item, Extended):
        parts = np.broadcast_to(np.asarray(data.parts, dtype=np.int64), (n,))
        mats = [_pack(p, data.fields, n, fx=parts > k + 1) for k, p in enumerate(item.parts)]
        plen = np.array(item.part_lengths)
        cum = np.concatenate([[0], np.cumsum(plen)])
        return cum[np.clip(parts, 1, len(plen))], np.concatenate(mats, axis=1)
    if isinstance(item, Repetitive):
        count = np.zeros(n, dtype=np.int64) if data.count is None else np.asarray(data.count, dtype=np.int64)
        reps = int(count.max()) if n else 0
        el = item.element
        cols = [count.astype(np.uint8)[:, None]]
        for r in range(reps):
            vals = {k: np.asarray(v)[:, r] for k, v in data.fields.items()}
            cols.append(_pack(el.fields, vals, n) if el.length <= 8 else _pack_wide(el.fields, vals, n))
        return 1 + count * el.length, np.concatenate(cols, axis=1)
    if isinstance(item, Compound):
        entries = [(s, data.subitems.get(s.name) if s is not None else None) for s in item.subitems]
        return assemble(entries, n)
    if isinstance(item, Explicit):
        raise ValueError(f"{item.name}: explicit items are not encoded")
    raise TypeError(item)


def assemble(entries: list[tuple[Item | None, ItemData | None]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """FSPEC + present items for n records (or compound items): (length, uint8 [n, width])."""
    m = len(entries)
    max_octets = (m + 6) // 7
    presence = np.zeros((n, max_octets * 7), dtype=bool)
    mats: list[tuple[int, np.ndarray, np.ndarray]] = []
    for j, (item, data) in enumerate(entries):
        if item is None or data is None:
            continue
        present = np.asarray(data.present, dtype=bool)
        if not present.any():
            continue
        length, mat = _item_bytes(item, data, n)
        presence[:, j] = present
        mats.append((j, np.where(present, length, 0), mat))
    any_bit = presence.any(axis=1)
    last = np.where(any_bit, (max_octets * 7 - 1) - np.argmax(presence[:, ::-1], axis=1), 0)
    fspec_len = last // 7 + 1
    width = max_octets + sum(mat.shape[1] for _, _, mat in mats)
    out = np.zeros((n, max(width, 1)), dtype=np.uint8)
    for k in range(max_octets):
        octet = np.zeros(n, dtype=np.uint8)
        for b in range(7):
            octet |= presence[:, 7 * k + b].astype(np.uint8) << (7 - b)
        octet |= (fspec_len > k + 1).astype(np.uint8)
        out[:, k] = np.where(fspec_len > k, octet, 0)
    cursor = fspec_len.astype(np.int64).copy()
    rows = np.arange(n)
    for _j, length, mat in mats:
        w = mat.shape[1]
        cols = np.arange(w)
        ok = cols[None, :] < length[:, None]
        r, c = np.nonzero(ok)
        out[rows[r], cursor[r] + c] = mat[r, c]
        cursor += length
    return cursor, out


def encode_records(
    edition: Edition, items: dict[str, ItemData], n: int, uap_name: str = ""
) -> tuple[np.ndarray, bytes]:
    """Records of one UAP: (length per record, the records back to back)."""
    uap = edition.uaps[uap_name]
    entries = [(it, items.get(it.name) if it is not None else None) for it in uap.items]
    length, mat = assemble(entries, n)
    mask = np.arange(mat.shape[1])[None, :] < length[:, None]
    return length, mat[mask].tobytes()


def data_blocks(category: int, lengths: np.ndarray, records: bytes, max_block_bytes: int = MAX_BLOCK_BYTES) -> bytes:
    """Wrap records in data blocks of at most ``max_block_bytes`` (a record larger than that gets its own block)."""
    ends = np.cumsum(lengths)
    starts = ends - lengths
    out = bytearray()
    i, n = 0, len(lengths)
    while i < n:
        j = int(np.searchsorted(ends, starts[i] + max_block_bytes - 3, side="right"))
        j = max(j, i + 1)
        body = records[starts[i] : ends[j - 1]]
        out += bytes([category]) + (len(body) + 3).to_bytes(2, "big") + body
        i = j
    return bytes(out)


# ----------------------------------------------------------------------------------------- helpers on tables


def _float(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)


def _text(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, "", dtype=object)
    col = table.column(name).fill_null("")
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)


def _octal_codes(squawk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """'7700' → int, with a validity mask (exactly 4 octal digits)."""
    s = np.asarray(squawk, dtype="S4")
    m = np.frombuffer(np.ascontiguousarray(s).tobytes(), dtype=np.uint8).reshape(len(s), 4).astype(np.int64)
    d = m - ord("0")
    ok = ((d >= 0) & (d <= 7)).all(axis=1)
    code = (d[:, 0] << 9) | (d[:, 1] << 6) | (d[:, 2] << 3) | d[:, 3]
    return np.where(ok, code, 0), ok


_HEXVAL = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate("0123456789abcdef"):
    _HEXVAL[ord(_c)] = _i
    _HEXVAL[ord(_c.upper())] = _i


def _icao_codes(icao24: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(icao24, dtype="S6")
    m = np.frombuffer(np.ascontiguousarray(s).tobytes(), dtype=np.uint8).reshape(len(s), 6)
    d = _HEXVAL[m]
    ok = (d >= 0).all(axis=1)
    code = np.zeros(len(s), dtype=np.int64)
    for k in range(6):
        code = (code << 4) | np.maximum(d[:, k], 0)
    return np.where(ok, code, 0), ok


def _tod(time_s: np.ndarray) -> np.ndarray:
    return np.mod(time_s, 86400.0)


def _sac_sic(n: int, sac: int, sic: int) -> ItemData:
    return ItemData(np.ones(n, bool), {"SAC": np.full(n, sac), "SIC": np.full(n, sic)})


# ---------------------------------------------------------------------------------------------------- CAT048

_CAT048_TYP = {"psr": 1, "ssr": 2, "psr_ssr": 3, "modes": 5}


def encode_cat048(
    measurements: pa.Table, sac: int, sic: int, edition: str | None = None, max_block_bytes: int = MAX_BLOCK_BYTES
) -> bytes:
    """Radar plots (Measurement rows with ``range_m``/``azimuth_deg``) → CAT048 data blocks of one radar.

    Uses ``kind`` for the target report descriptor (Mode S plots that also have a primary return are ``psr_ssr``
    with an ``icao24``: TYP 7), ``time_s`` for the time of day, ``squawk``, ``alt_baro_ft``, ``icao24``,
    ``callsign``, ``spi``, and ``track_number``/``ground_speed_kt``/``track_deg`` when present.
    """
    ed = get_edition(48, edition)
    n = measurements.num_rows
    if n == 0:
        return b""
    kind = _text(measurements, "kind")
    icao, has_icao = _icao_codes(_text(measurements, "icao24"))
    typ = np.array([_CAT048_TYP.get(k, 2) for k in kind.tolist()], dtype=np.int64)
    typ = np.where((typ == 3) & has_icao, 7, typ)
    spi = np.nan_to_num(_float(measurements, "spi")) if "spi" in measurements.column_names else np.zeros(n)
    rng, az = _float(measurements, "range_m"), _float(measurements, "azimuth_deg")
    squawk, has_squawk = _octal_codes(_text(measurements, "squawk"))
    alt = _float(measurements, "alt_baro_ft")
    callsign = _text(measurements, "callsign")
    has_cs = np.array([bool(c) for c in callsign.tolist()])
    tn = _float(measurements, "track_number")
    gs, trk = _float(measurements, "ground_speed_kt"), _float(measurements, "track_deg")
    items = {
        "010": _sac_sic(n, sac, sic),
        "140": ItemData(np.ones(n, bool), {"ToD": _tod(_float(measurements, "time_s"))}),
        "020": ItemData(np.ones(n, bool), {"TYP": typ, "SPI": spi}),
        "040": ItemData(~np.isnan(rng) & ~np.isnan(az), {"RHO": rng / NM_M, "THETA": np.mod(az, 360.0)}),
        "070": ItemData(has_squawk, {"Mode3A": squawk}),
        "090": ItemData(~np.isnan(alt), {"FL": alt / 100.0}),
        "220": ItemData(has_icao, {"ACAddr": icao}),
        "240": ItemData(has_cs, {"TId": callsign}),
        "161": ItemData(~np.isnan(tn), {"Tn": tn}),
        "200": ItemData(~np.isnan(gs) & ~np.isnan(trk), {"CGS": gs / 3600.0, "CHdg": np.mod(trk, 360.0)}),
    }
    lengths, body = encode_records(ed, items, n)
    return data_blocks(48, lengths, body, max_block_bytes)


# ---------------------------------------------------------------------------------------------------- CAT034

_CAT034_TYPES = {"north_marker": 1, "sector_crossing": 2}


def encode_cat034_north_marker(
    time_s: np.ndarray | float,
    sac: int,
    sic: int,
    rotation_period_s: float | None = None,
    sector_azimuth_deg: np.ndarray | float | None = None,
    edition: str | None = None,
) -> bytes:
    """North-marker (or, with ``sector_azimuth_deg``, sector-crossing) messages of one radar, one per time."""
    ed = get_edition(34, edition)
    t = np.atleast_1d(np.asarray(time_s, dtype=np.float64))
    n = len(t)
    sector = None if sector_azimuth_deg is None else np.broadcast_to(np.asarray(sector_azimuth_deg, float), (n,))
    msg = np.full(n, 1 if sector is None else 2)
    items = {
        "010": _sac_sic(n, sac, sic),
        "000": ItemData(np.ones(n, bool), {"MsgTyp": msg}),
        "030": ItemData(np.ones(n, bool), {"ToD": _tod(t)}),
    }
    if sector is not None:
        items["020"] = ItemData(np.ones(n, bool), {"Azi": np.mod(sector, 360.0)})
    if rotation_period_s is not None:
        items["041"] = ItemData(np.ones(n, bool), {"RotS": np.full(n, rotation_period_s)})
    lengths, body = encode_records(ed, items, n)
    return data_blocks(34, lengths, body)


# ---------------------------------------------------------------------------------------------------- CAT021

_PRIORITY_CODE = {"general": 1, "lifeguard": 2, "minfuel": 3, "nordo": 4, "unlawful": 5, "downed": 6}


def encode_cat021(
    measurements: pa.Table, sac: int, sic: int, edition: str | None = None, max_block_bytes: int = MAX_BLOCK_BYTES
) -> bytes:
    """ADS-B reports (Measurement rows with ``lat_deg``/``lon_deg``/``icao24``) → CAT021 ed. 2.6 data blocks.

    Position goes in the high-resolution I021/131, ``time_s`` in the times of applicability and reception
    (I021/071, I021/073), ``nacp``/``nic`` in I021/090, ``emergency`` in I021/200.
    """
    ed = get_edition(21, edition or "2.6")
    if ed.edition != "2.6":
        raise ValueError("CAT021 encoding is implemented for edition 2.6")
    n = measurements.num_rows
    if n == 0:
        return b""
    t = _float(measurements, "time_s")
    lat, lon = _float(measurements, "lat_deg"), _float(measurements, "lon_deg")
    icao, has_icao = _icao_codes(_text(measurements, "icao24"))
    squawk, has_squawk = _octal_codes(_text(measurements, "squawk"))
    alt, geo = _float(measurements, "alt_baro_ft"), _float(measurements, "alt_geo_ft")
    gs, trk = _float(measurements, "ground_speed_kt"), _float(measurements, "track_deg")
    vr = _float(measurements, "vertical_rate_fpm")
    nacp, nic = _float(measurements, "nacp"), _float(measurements, "nic")
    callsign = _text(measurements, "callsign")
    has_cs = np.array([bool(c) for c in callsign.tolist()], dtype=bool)
    emergency = _text(measurements, "emergency")
    ps = np.array([_PRIORITY_CODE.get(e, 0) for e in emergency.tolist()], dtype=np.int64)
    has_q = ~np.isnan(nacp) | ~np.isnan(nic)
    ones = np.ones(n, bool)
    items = {
        "010": _sac_sic(n, sac, sic),
        "040": ItemData(ones, {"ATP": np.where(has_icao, 1, 0), "ARC": np.full(n, 1)}),
        "071": ItemData(ones, {"ToAP": _tod(t)}),
        "131": ItemData(~np.isnan(lat) & ~np.isnan(lon), {"Lat": lat, "Lon": lon}),
        "080": ItemData(has_icao, {"TAddr": icao}),
        "073": ItemData(ones, {"ToMRP": _tod(t)}),
        "140": ItemData(~np.isnan(geo), {"GH": geo}),
        "090": ItemData(has_q, {"NUCP_NIC": np.nan_to_num(nic), "NACP": np.nan_to_num(nacp)}, parts=2),
        "070": ItemData(has_squawk, {"Mode3A": squawk}),
        "145": ItemData(~np.isnan(alt), {"FL": alt / 100.0}),
        "160": ItemData(~np.isnan(gs) & ~np.isnan(trk), {"GS": gs / 3600.0, "TA": np.mod(trk, 360.0)}),
        "155": ItemData(~np.isnan(vr), {"BVR": vr}),
        "170": ItemData(has_cs, {"TId": callsign}),
        "200": ItemData(ps > 0, {"PS": ps}),
    }
    lengths, body = encode_records(ed, items, n)
    return data_blocks(21, lengths, body, max_block_bytes)


# ---------------------------------------------------------------------------------------------------- CAT062

KT_MS = NM_M / 3600.0


def encode_cat062(
    system_tracks: pa.Table,
    sac: int,
    sic: int,
    edition: str | None = None,
    service_id: int | None = None,
    max_block_bytes: int = MAX_BLOCK_BYTES,
) -> bytes:
    """System tracks (SystemTrack rows) → CAT062 ed. 1.18 data blocks, for neighbouring centres.

    ``track_id`` goes in I062/040 (modulo 2^16), the WGS-84 position in I062/105, ground speed and track as a
    cartesian velocity in I062/185, ``alt_ft`` as measured flight level I062/136, ``status`` in I062/080 (CNF,
    CST), ``sigma_h_m`` as I062/500 APC, ``icao24`` in I062/380 ADR, ``callsign`` in I062/245, ``squawk`` in I062/060.
    """
    ed = get_edition(62, edition or "1.18")
    if ed.edition != "1.18":
        raise ValueError("CAT062 encoding is implemented for edition 1.18")
    n = system_tracks.num_rows
    if n == 0:
        return b""
    t = _float(system_tracks, "time_s")
    lat, lon = _float(system_tracks, "lat_deg"), _float(system_tracks, "lon_deg")
    gs, trk = _float(system_tracks, "ground_speed_kt"), _float(system_tracks, "track_deg")
    vx = gs * KT_MS * np.sin(np.radians(trk))
    vy = gs * KT_MS * np.cos(np.radians(trk))
    alt = _float(system_tracks, "alt_ft")
    if np.isnan(alt).all() and "alt_baro_ft" in system_tracks.column_names:
        alt = _float(system_tracks, "alt_baro_ft")
    vr = _float(system_tracks, "vertical_rate_fpm")
    sigma = _float(system_tracks, "sigma_h_m")
    track_id = np.nan_to_num(_float(system_tracks, "track_id")).astype(np.int64) & 0xFFFF
    status = _text(system_tracks, "status")
    tentative = np.array([s == "tentative" for s in status.tolist()], dtype=bool)
    coasting = np.array([s == "coasting" for s in status.tolist()], dtype=bool)
    icao, has_icao = _icao_codes(_text(system_tracks, "icao24"))
    squawk, has_squawk = _octal_codes(_text(system_tracks, "squawk"))
    callsign = _text(system_tracks, "callsign")
    has_cs = np.array([bool(c) for c in callsign.tolist()], dtype=bool)
    ones = np.ones(n, bool)
    items = {
        "010": _sac_sic(n, sac, sic),
        "070": ItemData(ones, {"ToT": _tod(t)}),
        "105": ItemData(~np.isnan(lat) & ~np.isnan(lon), {"Lat": lat, "Lon": lon}),
        "185": ItemData(~np.isnan(vx) & ~np.isnan(vy), {"Vx": vx, "Vy": vy}),
        "060": ItemData(has_squawk, {"Mode3A": squawk}),
        "245": ItemData(has_cs, {"TId": callsign}),
        "380": ItemData(has_icao, subitems={"ADR": ItemData(has_icao, {"ADR": icao})}),
        "040": ItemData(ones, {"TrkN": track_id}),
        "080": ItemData(ones, {"CNF": tentative, "CST": coasting}, parts=np.where(coasting, 4, 1)),
        "136": ItemData(~np.isnan(alt), {"MFL": alt / 100.0}),
        "220": ItemData(~np.isnan(vr), {"RoC": vr}),
        "500": ItemData(~np.isnan(sigma), subitems={"APC": ItemData(~np.isnan(sigma), {"X": sigma, "Y": sigma})}),
    }
    if service_id is not None:
        items["015"] = ItemData(ones, {"SID": np.full(n, service_id)})
    lengths, body = encode_records(ed, items, n)
    return data_blocks(62, lengths, body, max_block_bytes)
