"""Helpers to cross-check our decoder against asterix-decoder (GPL, test-only) record by record, field by field."""

from __future__ import annotations

import math
import re
from pathlib import Path

from airpicture.decode.asterix import AsterixDecoder
from airpicture.sources.pcap import is_capture, read_gps_framed, read_pcap, unwrap_capture

#: Every sample file, with the editions it needs (None: the latest, the default).
SAMPLES: dict[str, dict | None] = {
    "croatiacontrol/asterix_sample_data_cat034.raw": None,
    "croatiacontrol/asterix_sample_data_cat048.raw": None,
    "croatiacontrol/asterix_sample_data_cat062cat065.raw": None,
    "croatiacontrol/asterix_sample_data_cat_034_048.pcap": None,
    "croatiacontrol/asterix_sample_data_cat_062_065.pcap": None,
    "croatiacontrol/install_sample_data_asterix.pcap": {62: "0.17"},
    "croatiacontrol/install_sample_data_cat_001_002.pcap": None,
    "croatiacontrol/install_sample_data_cat21_re.ast": None,
    "croatiacontrol/install_sample_data_parsegps.gps": None,
    "goasterix/sample.ast": None,
    "goasterix/sample.pcap": None,
    "jasterix/cat001ed1.1.bin": None,
    "jasterix/cat002ed1.0.bin": None,
    "jasterix/cat010ed0.24_sensis.bin": {10: "0.24-sensis"},
    "jasterix/cat010ed0.31.bin": None,
    "jasterix/cat021ed0.26.bin": {21: "0.26"},
    "jasterix/cat021ed2.1.bin": None,
    "jasterix/cat034ed1.26.bin": None,
    "jasterix/cat048ed1.15.bin": None,
    "jasterix/cat048ed1.23.bin": None,
    "jasterix/cat062ed1.12.bin": None,
    "jasterix/cat062ed1.16.bin": None,
    "jasterix/cat065ed1.3.bin": None,
    "upc_lebl/201002-lebl-080001_smr.ast": None,
}
#: Categories present in the samples that we do not decode (counted as unsupported, not as errors).
UNSUPPORTED_SAMPLES = ["jasterix/cat004ed1.4.bin", "jasterix/cat019ed1.3.bin", "jasterix/cat020ed1.5.bin",
                       "jasterix/cat030ed7.0.bin", "jasterix/cat063ed1.0.bin", "jasterix/cat247ed1.2.bin",
                       "jasterix/cat252ed7.0.bin"]  # fmt: skip

#: Field names that differ between the two decoders: (category, item path, theirs) → ours.
ALIASES = {
    (48, "230", "ModeSSSC"): "MSSC",
    (48, "230", "BDS16"): "B1A",
    (48, "230", "BDS37"): "B1B",
    (62, "200", "TRANSA"): "TRANS",
    (62, "200", "LONGA"): "LONG",
    (62, "200", "VERTA"): "VERT",
    (62, "340/MDC", "CV"): "V",
    (62, "340/MDC", "CG"): "G",
    (62, "380/MHG", "MAH"): "MHG",
    (62, "380/IAR", "IAS"): "IAR",
    (62, "380/MAC", "MNO"): "MAC",
    (1, "200", "CalcGS"): "CGS",
    (1, "200", "CalcHdg"): "CHdg",
    (1, "090", "ModeC"): "FL",
    (1, "141", "Time"): "TToD",
    (2, "000", "type"): "MsgTyp",
    (10, "270", "Ori"): "ORIENTATION",
    (21, "015", "id"): "SID",
    (21, "071", "time_applicability_position"): "ToAP",
    (21, "072", "time_applicability_velocity"): "ToAV",
    (21, "073", "time_reception_position"): "ToMRP",
    (21, "074", "time_reception_position_highprecision"): "ToMRPHP",
    (21, "075", "time_reception_velocity"): "ToMRV",
    (21, "076", "time_reception_velocity_highprecision"): "ToMRVHP",
    (21, "077", "time_report_transmission"): "ToART",
    (21, "090", "NUCr_or_NACv"): "NUCR_NACV",
    (21, "090", "NUCp_or_NIC"): "NUCP_NIC",
    (21, "140", "geometric_height"): "GH",
    (21, "165", "TA_rate"): "TAR",
    (34, "120", "Height"): "HGT",
    (1, "210", "Qty"): "QI",
    (62, "500/APC", "APC_X"): "X",
    (62, "500/APC", "APC_Y"): "Y",
    (62, "500/COV", "COV_XY"): "COV",
    (62, "500/APW", "APW_Lat"): "Lat",
    (62, "500/APW", "APW_Long"): "Lon",
    (62, "500/AGA", "AGA_Acc"): "AGA",
    (62, "500/ABA", "ABA_Acc"): "ABA",
    (62, "500/ATV", "ATV_X"): "X",
    (62, "500/ATV", "ATV_Y"): "Y",
    (62, "500/AA", "AA_X"): "X",
    (62, "500/AA", "AA_Y"): "Y",
    (62, "500/ARC", "ARC_Acc"): "ARC",
}
#: Unit differences: (category, item path, ours) → factor from ours to theirs.
FACTORS = {
    (62, "136", "MFL"): 100.0,  # FL → ft
    (48, "200", "CGS"): 3600.0,  # NM/s → kt
    (1, "200", "CGS"): 3600.0,
    (21, "074", "ToMRPHP"): 1e9,  # s → ns
    (21, "076", "ToMRVHP"): 1e9,
    (62, "500/ABA", "ABA"): 100.0,  # FL → ft
}
#: Mode S MB data: they decode the BDS register, we keep the raw 56 bits; compare the register number only.
MB_ITEMS = {(48, "250"), (21, "250"), (10, "250"), (62, "380/MB")}


def datagrams(path: Path) -> list[tuple[bytes, float | None]]:
    data = path.read_bytes()
    if is_capture(data[:4]):
        cap = read_pcap(data)
        return list(zip(unwrap_capture(cap.payloads), cap.times_s, strict=True))
    gps = read_gps_framed(data)
    if gps is not None:
        return list(zip(gps.blocks, gps.time_of_day_s, strict=True))
    return [(data, None)]


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _leaf_equal(mine: object, theirs: object, factor: float) -> bool:
    if isinstance(theirs, str):
        if isinstance(mine, int):
            t = theirs.strip().upper()
            return t in (f"{mine:04o}", f"{mine:06X}", f"{mine:02X}", f"{mine:014X}", str(mine))
        return str(mine).strip().upper() == theirs.strip().upper()
    if isinstance(mine, str):
        return False
    a, b = float(mine) * factor, float(theirs)
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= 1e-6 + 2e-3 * abs(b)


def compare_item(
    cat: int, item: str, mine: object, theirs: object, where: str, problems: list[str], factors: dict | None = None
) -> None:
    factors = FACTORS if factors is None else factors
    if isinstance(theirs, list) and isinstance(mine, dict):  # an extended item whose parts repeat one field
        n = max((len(v) if isinstance(v, list) else 1) for v in mine.values())
        mine = [{k: (v[i] if isinstance(v, list) else v) for k, v in mine.items()} for i in range(n)]
    if (cat, item) in MB_ITEMS and isinstance(theirs, list) and isinstance(mine, list):
        got = [f"{m['BDS1']:X}{m['BDS2']:X}" for m in mine]
        want = [str(t.get("BDS", {}).get("val", "")).upper() for t in theirs]
        if got != want:
            problems.append(f"{where}: BDS registers {got} vs {want}")
        return
    if isinstance(theirs, list):
        if not isinstance(mine, list) or len(mine) != len(theirs):
            problems.append(f"{where}: repetition count {mine!r} vs {theirs!r}")
            return
        for i, (m, t) in enumerate(zip(mine, theirs, strict=True)):
            compare_item(cat, item, m, t, f"{where}[{i}]", problems, factors)
        return
    if not isinstance(theirs, dict) or not isinstance(mine, dict):
        problems.append(f"{where}: shape {mine!r} vs {theirs!r}")
        return
    if theirs and all(isinstance(v, dict) and "val" not in v for v in theirs.values()):  # compound
        for sub, tv in theirs.items():
            if sub not in mine and sub.endswith("P") and sub[:-1] in mine:  # presence-bit names (I048/130)
                mine = {**mine, sub: mine[sub[:-1]]}
                mine.pop(sub[:-1])
            if sub not in mine:
                problems.append(f"{where}/{sub}: missing in ours")
                continue
            compare_item(cat, f"{item}/{sub}", mine[sub], tv, f"{where}/{sub}", problems, factors)
        for sub in mine:
            if sub not in theirs and sub + "P" not in theirs:
                problems.append(f"{where}/{sub}: missing in theirs")
        return
    for field, tv in theirs.items():
        if not isinstance(tv, dict) or "val" not in tv or field.lower() in ("fx", "spare"):
            continue
        key = _resolve(cat, item, field, mine)
        if key is None:
            problems.append(f"{where}.{field}: no such field in ours ({sorted(mine)})")
            continue
        mv = mine[key]
        if isinstance(mv, list):  # a field repeated over extension parts: they report the last
            mv = mv[-1]
        tval = tv["val"]
        if mv == tval and not isinstance(mv, str):
            continue
        if not _leaf_equal(mv, tval, factors.get((cat, item, key), 1.0)):
            problems.append(f"{where}.{field}: ours {mv!r} theirs {tval!r}")


_RESOLVED: dict[tuple[int, str, str], str | None] = {}


def _resolve(cat: int, item: str, field: str, mine: dict) -> str | None:
    """Our field name for their field name (cached: the mapping does not depend on the record)."""
    k = (cat, item, field)
    key = _RESOLVED.get(k)
    if key is not None and key in mine:
        return key
    by_norm = {_norm(m): m for m in mine}
    ours = ALIASES.get(k)
    sub = item.rsplit("/", 1)[-1]
    key = ours if ours in mine else by_norm.get(_norm(field))
    if key is None and field.upper().startswith(sub.upper()):  # I034/050/PSR.PSRANT → ANT
        key = by_norm.get(_norm(field[len(sub) :]))
    if key is not None:
        _RESOLVED[k] = key
    return key


def compare_records(
    mine: list[dict], theirs: list[dict], problems: list[str], label: str, factors: dict | None = None
) -> int:
    """Field-by-field comparison; returns the number of records compared."""
    if len(mine) != len(theirs):
        problems.append(f"{label}: {len(mine)} records in ours, {len(theirs)} in theirs")
        return 0
    for r, (m, t) in enumerate(zip(mine, theirs, strict=True)):
        cat = t["category"]
        if m["category"] != cat:
            problems.append(f"{label}#{r}: category {m['category']} vs {cat}")
            continue
        t_items = {k[1:]: v for k, v in t.items() if k.startswith("I")}
        for item, tv in t_items.items():
            if item in ("RE", "SP"):
                if item not in m:
                    problems.append(f"{label}#{r} I{cat:03d}/{item}: missing in ours")
                elif isinstance(tv, dict) and tv and all(isinstance(v, dict) for v in tv.values()):
                    # a Reserved Expansion Field they decode (CAT021 RE): ours must decode it too, field by field
                    if "hex" in m[item]:
                        problems.append(f"{label}#{r} I{cat:03d}/{item}: not decoded by ours")
                    else:
                        compare_item(cat, item, m[item], tv, f"{label}#{r} I{cat:03d}/{item}", problems, factors)
                continue
            if item not in m:
                problems.append(f"{label}#{r} I{cat:03d}/{item}: missing in ours")
                continue
            compare_item(cat, item, m[item], tv, f"{label}#{r} I{cat:03d}/{item}", problems, factors)
        for item in m:
            if item[0].isdigit() and item not in t_items:
                problems.append(f"{label}#{r} I{cat:03d}/{item}: missing in theirs")
    return len(mine)


def ours(data: bytes, editions: dict | None) -> tuple[list[dict], AsterixDecoder]:
    dec = AsterixDecoder(editions)
    return dec.explain(data), dec
