"""Track ↔ flight-plan correlation, in order of trust:

1. Mode S address ↔ field 18 ``CODE/`` (and registration ↔ ``REG/`` when tracks carry a ``registration``);
2. callsign ↔ field 7 aircraft identification;
3. Mode 3/A code ↔ field 7 SSR code — only when the code is *discrete* here: not a conspicuity or emergency
   code, assigned to one active plan only, and squawked by one track only. Tracks sharing a code are flagged in
   ``duplicate_squawk`` (duplicate-code detection), the classic cause of a wrong label on a radar display.

Vectorised with Arrow ``index_in`` over the tracks; Python runs once per flight plan when the lookup is built.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airpicture.identify.fpl import FlightPlanStore

#: Codes that never identify a flight: conspicuity, VFR, emergencies, Mode S "1000".
NON_DISCRETE_CODES = ("0000", "1000", "1200", "2000", "7000", "7500", "7600", "7700", "7777")


def _unique_lookup(pairs: list[tuple[str | None, str]]) -> tuple[pa.Array, pa.Array]:
    """Keys that map to exactly one plan id."""
    seen: dict[str, list[str]] = {}
    for key, plan_id in pairs:
        if key:
            seen.setdefault(key, []).append(plan_id)
    keys = [k for k, ids in seen.items() if len(set(ids)) == 1]
    return pa.array(keys, pa.string()), pa.array([seen[k][0] for k in keys], pa.string())


def _match(values: pa.ChunkedArray | pa.Array, keys: pa.Array, ids: pa.Array) -> pa.Array:
    idx = pc.index_in(values, value_set=keys)
    return pc.take(ids, idx) if len(keys) else pa.nulls(len(values), pa.string())


def duplicate_squawks(squawk: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """True where a discrete code is squawked by more than one track."""
    values = pc.fill_null(squawk, "")
    counts = pc.value_counts(values)
    dup = [
        v.as_py()
        for v, c in zip(counts.field("values"), counts.field("counts"), strict=True)
        if c.as_py() > 1 and v.as_py() and v.as_py() not in NON_DISCRETE_CODES
    ]
    if not dup:
        return np.zeros(len(values), bool)
    return pc.is_in(values, value_set=pa.array(dup, pa.string())).to_numpy(zero_copy_only=False).astype(bool)


def correlate(tracks: pa.Table, store: FlightPlanStore) -> pa.Table:
    """``tracks`` with ``flight_plan`` filled where it was null, plus ``correlation`` (how) and
    ``duplicate_squawk``."""
    n = tracks.num_rows
    plans = store.active()

    def column(name: str) -> pa.ChunkedArray:
        if name in tracks.column_names:
            return tracks.column(name).cast(pa.string())
        return pa.chunked_array([pa.nulls(n, pa.string())])

    icao = pc.utf8_lower(column("icao24"))
    callsign = pc.utf8_upper(pc.utf8_trim_whitespace(column("callsign")))
    squawk = column("squawk")
    dup = duplicate_squawks(squawk) if n else np.zeros(0, bool)

    by_address = _match(icao, *_unique_lookup([(p.mode_s_address, p.plan_id) for p in plans]))
    by_reg = _match(
        pc.utf8_upper(pc.replace_substring(column("registration"), "-", "")),
        *_unique_lookup([(p.registration, p.plan_id) for p in plans]),
    )
    by_callsign = _match(callsign, *_unique_lookup([(p.aircraft_id, p.plan_id) for p in plans]))
    dup_plan_codes = set(store.duplicate_codes())
    code_pairs = [(p.ssr_code, p.plan_id) for p in plans if p.ssr_code and p.ssr_code not in NON_DISCRETE_CODES]
    code_pairs = [(c, i) for c, i in code_pairs if c not in dup_plan_codes]
    by_code = _match(squawk, *_unique_lookup(code_pairs))
    by_code = pc.if_else(pa.array(dup), pa.nulls(n, pa.string()), by_code)

    existing = column("flight_plan")
    result = existing
    how = pc.if_else(pc.is_valid(existing), "existing", pa.nulls(n, pa.string()))
    for label, candidate in (
        ("address", by_address),
        ("registration", by_reg),
        ("callsign", by_callsign),
        ("ssr_code", by_code),
    ):
        take = pc.and_(pc.is_null(result), pc.is_valid(candidate))
        result = pc.if_else(take, candidate, result)
        how = pc.if_else(take, label, how)
    out = tracks
    for name, values in (("flight_plan", result), ("correlation", how), ("duplicate_squawk", pa.array(dup))):
        if name in out.column_names:
            out = out.set_column(out.column_names.index(name), name, values)
        else:
            out = out.append_column(name, values)
    return out
