"""``ModeSDecoder``: batches of raw Mode S frames in, Measurement rows out, vectorised and stateful.

One ``decode`` call handles a whole batch with numpy: parity, then each message kind on the subset of frames of
that kind, then positions. Positions need history (a CPR report is ambiguous alone), so the decoder keeps a small
per-aircraft state (:mod:`.state`) between calls, and inside a batch resolves "the previous report of the same
aircraft" by sorting the position reports by aircraft and forward-filling indices, rather than looping.

Position logic, in the order a receiver would apply it (readsb / DO-260B §A.1.7):

1. **Global**: a report is paired with the latest opposite-format (even/odd) report of the same aircraft, of the
   same kind (airborne/surface), at most ``pair_window_s`` older; the pair fixes the position. Surface pairs need a
   reference to pick one of their four candidates: the aircraft's last position, else the receiver's.
2. **Local**: a report without a pair is placed relative to the aircraft's last position (not older than
   ``local_window_s``), else, for surface reports, relative to the receiver (a surface target the receiver hears is
   always well inside the 45 NM half-zone).
3. **Plausibility** (readsb's "speed check"): a position that implies an impossible speed both from the previous
   and to the next position of the same aircraft is dropped and counted, never shown.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from airpicture.core.geodesy import haversine_m
from airpicture.core.schema import MEASUREMENT
from airpicture.decode.modes import _callsign, adsb, commb, cpr
from airpicture.decode.modes._altcode import ac13_to_ft, id13_to_squawk
from airpicture.decode.modes._fields import U64, header32, message56
from airpicture.decode.modes._strings import enum_strings, floats, icao24_strings, numeric, squawk_strings
from airpicture.decode.modes.crc import one_bit_error_position, syndrome
from airpicture.decode.modes.state import AircraftState
from airpicture.sources.frames import ModeSFrames

SUPPORTED_DF = np.zeros(32, dtype=bool)
SUPPORTED_DF[[0, 4, 5, 11, 16, 17, 18, 20, 21]] = True
LONG_DF = np.zeros(32, dtype=bool)
LONG_DF[16:] = True
AP_DF = np.zeros(32, dtype=bool)
AP_DF[[0, 4, 5, 16, 20, 21]] = True
KIND_LABELS: list[str | None] = ["modes", "adsb"]
#: Mode 3/A emergency codes → Measurement ``emergency`` label index (adsb.EMERGENCY_LABELS).
_SQUAWK_EMERGENCY = {7500: 5, 7600: 4, 7700: 1}

KT_TO_MPS = 1852.0 / 3600.0


class ModeSDecoder:
    """Stateful, vectorised Mode S / ADS-B decoder for one receiver.

    ``reference_lat_lon`` is the receiver position (for surface positions and the optional airborne local decoding
    within ``receiver_range_nm``). ``correct_one_bit`` repairs DF17/18 frames with exactly one wrong bit (off by
    default: a repaired frame is a little more likely to be wrong; repairs are counted in ``stats``).
    """

    def __init__(
        self,
        sensor: str = "rx",
        reference_lat_lon: tuple[float, float] | None = None,
        correct_one_bit: bool = False,
        *,
        receiver_range_nm: float | None = None,
        pair_window_s: float = 10.0,
        surface_pair_window_s: float = 25.0,
        local_window_s: float = 30.0,
        surface_local_window_s: float = 120.0,
        max_airborne_speed_kt: float = 1200.0,
        max_surface_speed_kt: float = 200.0,
        state_ttl_s: float = 300.0,
    ) -> None:
        self.sensor = sensor
        self.reference_lat_lon = reference_lat_lon
        self.correct_one_bit = correct_one_bit
        self.receiver_range_nm = receiver_range_nm
        self.pair_window_s = pair_window_s
        self.surface_pair_window_s = surface_pair_window_s
        self.local_window_s = local_window_s
        self.surface_local_window_s = surface_local_window_s
        self.max_airborne_speed_kt = max_airborne_speed_kt
        self.max_surface_speed_kt = max_surface_speed_kt
        self.state = AircraftState(ttl_s=state_ttl_s)
        #: rejected frames (and rejected positions) by reason
        self.rejected: dict[str, int] = {}
        #: other counters: frames seen, decoded, positions by method, one-bit repairs
        self.stats: dict[str, int] = {}

    # ------------------------------------------------------------------ public

    def decode(self, frames: ModeSFrames) -> pa.Table:
        """One row per accepted frame, in input order (Measurement columns + df, tc and extras)."""
        n = len(frames)
        self._count(self.stats, "frames", n)
        if n == 0:
            return self._table(_Columns(0), np.zeros(0, dtype=np.int64), frames)
        cols = _Columns(n)
        if self.correct_one_bit:
            # Repairs flip bits in place: never in the caller's array.
            frames = ModeSFrames(frames.time_s, frames.data.copy(), frames.length, frames.signal_dbfs, frames.sensor)
        accepted = self._parity(frames, cols)
        idx = np.nonzero(accepted)[0]
        if idx.size:
            self._decode_accepted(frames, cols, idx)
            self.state.expire(float(frames.time_s[idx].max()))
        self._count(self.stats, "decoded", int((~cols.drop[idx]).sum()))
        return self._table(cols, idx, frames)

    def aircraft(self) -> pa.Table:
        """What the decoder currently knows per aircraft (address, callsign, squawk, last position)."""
        s = self.state
        k = s.size
        c = s.cols
        callsign_bits = c["callsign_bits"][:k]
        return pa.table(
            {
                "icao24": icao24_strings(c["address"][:k]),
                "callsign": _callsign.to_arrow(callsign_bits, callsign_bits != 0),
                "squawk": squawk_strings(c["squawk"][:k]),
                "last_seen_s": numeric(c["last_seen_s"][:k].copy()),
                "lat_deg": _f(c["pos_lat"][:k]),
                "lon_deg": _f(c["pos_lon"][:k]),
                "position_time_s": _f(np.where(np.isfinite(c["pos_t"][:k]), c["pos_t"][:k], np.nan)),
            }
        )

    # ------------------------------------------------------------------ parity

    def _parity(self, frames: ModeSFrames, cols: _Columns) -> NDArray[np.bool_]:
        data = frames.data
        length = frames.length
        df = (data[:, 0] >> 3).astype(np.int64)
        df = np.where(df >= 24, 24, df)
        cols.df[:] = df
        reason = np.zeros(len(frames), dtype=np.int8)  # index into _REASONS, 0 = accepted
        mode_ac = length == 2
        reason[mode_ac] = _R_MODE_AC
        unsupported = ~mode_ac & ~SUPPORTED_DF[df]
        reason[unsupported] = _R_DF
        is_long = LONG_DF[df]
        truncated = ~mode_ac & ~unsupported & (length < np.where(is_long, 14, 7))
        reason[truncated] = _R_TRUNCATED
        candidates = reason == 0
        for long_frames in (False, True):
            sel = np.nonzero(candidates & (is_long == long_frames))[0]
            if sel.size == 0:
                continue
            n_bytes = 14 if long_frames else 7
            sub = data[sel]
            syn = syndrome(sub, n_bytes)
            d = df[sel]
            hdr = header32(sub)
            address = np.where(AP_DF[d], syn, hdr & 0xFFFFFF).astype(np.uint32)
            if long_frames:
                es = (d == 17) | (d == 18)
                bad = es & (syn != 0)
                if self.correct_one_bit and bad.any():
                    bad_idx = np.nonzero(bad)[0]
                    pos = one_bit_error_position(syn[bad_idx])
                    fixable = pos >= 0
                    if fixable.any():
                        rows = sel[bad_idx[fixable]]
                        bits = pos[fixable].astype(np.int64)
                        data[rows, bits // 8] ^= (0x80 >> (bits % 8)).astype(np.uint8)
                        hdr_fixed = header32(data[rows])
                        address[bad_idx[fixable]] = hdr_fixed & 0xFFFFFF
                        bad[bad_idx[fixable]] = False
                        self._count(self.stats, "corrected_one_bit", int(fixable.sum()))
                reason[sel[bad]] = _R_CRC
            else:
                # DF11: parity is CRC XOR interrogator code (II/SI in the low 7 bits); anything above is an error.
                bad = (d == 11) & ((syn & 0xFFFF80) != 0)
                reason[sel[bad]] = _R_CRC
            cols.address[sel] = address
        for code in np.nonzero(np.bincount(reason, minlength=len(_REASONS)))[0]:
            if code:
                self._count(self.rejected, _REASONS[code], int((reason == code).sum()))
        return reason == 0

    # ------------------------------------------------------------------ fields

    def _decode_accepted(self, frames: ModeSFrames, cols: _Columns, idx: NDArray[np.int64]) -> None:
        data = frames.data
        t = frames.time_s
        df = cols.df
        state = self.state
        d = df[idx]
        address = cols.address[idx]
        # Only parity-proven addresses (DF11/17/18) create state; AP formats look it up.
        proven = (d == 11) | (d == 17) | (d == 18)
        slots = np.full(idx.size, -1, dtype=np.int64)
        if proven.any():
            slots[proven] = state.ensure(address[proven])
        if (~proven).any():
            slots[~proven] = state.lookup(address[~proven])
        cols.slot[idx] = slots
        known = slots >= 0
        state.cols["last_seen_s"][slots[known]] = t[idx][known]
        cols.verified[idx] = known

        hdr = header32(data[idx])
        # DF0/4/16/20: altitude (AC13, frame bits 20-32); DF5/21: identity (ID13).
        alt_df = (d == 0) | (d == 4) | (d == 16) | (d == 20)
        id_df = (d == 5) | (d == 21)
        code13 = hdr & 0x1FFF
        if alt_df.any():
            cols.alt_baro[idx[alt_df]] = ac13_to_ft(code13[alt_df])
        if id_df.any():
            sq = id13_to_squawk(code13[id_df])
            cols.squawk[idx[id_df]] = np.where(code13[id_df] > 0, sq, -1)
            fs = (hdr[id_df] >> 24) & 0x7
            cols.spi[idx[id_df]] = (fs == 4) | (fs == 5)
        fs_df = (d == 4) | (d == 20)
        if fs_df.any():
            fs = (hdr[fs_df] >> 24) & 0x7
            cols.spi[idx[fs_df]] = (fs == 4) | (fs == 5)

        long_idx = idx[LONG_DF[d]]
        me_all = message56(data[long_idx]) if long_idx.size else np.zeros(0, dtype=U64)
        cols.me[long_idx] = me_all

        es_idx = idx[(d == 17) | ((d == 18) & (((hdr >> 24) & 0x7) <= 2))]
        if (d == 18).any():
            cf = (hdr[d == 18] >> 24) & 0x7
            bad_cf = idx[d == 18][cf > 2]
            cols.drop[bad_cf] = True
            self._count(self.rejected, "df18_unsupported_cf", bad_cf.size)
        cols.kind[es_idx] = 1
        if es_idx.size:
            self._decode_adsb(frames, cols, es_idx)
        commb_idx = idx[(d == 20) | (d == 21)]
        if commb_idx.size:
            self._decode_commb(frames, cols, commb_idx)
        # Mode 3/A emergency codes (7500/7600/7700) where nothing more specific was said.
        sq_all = cols.squawk[idx]
        for code, label in _SQUAWK_EMERGENCY.items():
            hit = idx[(sq_all == code) & (cols.emergency[idx] < 0)]
            cols.emergency[hit] = label
        # Identity memory for known aircraft.
        sq_known = known & (sq_all >= 0)
        state.cols["squawk"][slots[sq_known]] = sq_all[sq_known]

    def _decode_adsb(self, frames: ModeSFrames, cols: _Columns, es_idx: NDArray[np.int64]) -> None:
        me = cols.me[es_idx]
        tc = (me >> U64(51)).astype(np.int64)
        cols.tc[es_idx] = tc
        slots = cols.slot[es_idx]
        sc = self.state.cols

        sel = (tc >= 1) & (tc <= 4)
        if sel.any():
            i = es_idx[sel]
            cols.category[i] = adsb.identification(me[sel])["category"]
            bits = me[sel] & U64((1 << 48) - 1)
            legal = _callsign.all_legal(_callsign.char_indices(bits))
            cols.callsign_bits[i] = bits
            cols.callsign_valid[i] = legal
            sc["callsign_bits"][slots[sel][legal]] = bits[legal]

        sel = tc == 19
        if sel.any():
            i = es_idx[sel]
            v = adsb.airborne_velocity(me[sel])
            cols.gs[i] = v["ground_speed_kt"]
            cols.track[i] = v["track_deg"]
            cols.vrate[i] = v["vertical_rate_fpm"]
            cols.heading[i] = v["heading_deg"]
            cols.ias[i] = v["ias_kt"]
            cols.tas[i] = v["tas_kt"]
            cols.geo_minus_baro[i] = v["geo_minus_baro_ft"]
            has = np.isfinite(v["ground_speed_kt"])
            s = slots[sel][has]
            sc["kin_t"][s] = frames.time_s[i[has]]
            sc["ground_speed_kt"][s] = v["ground_speed_kt"][has]
            sc["track_deg"][s] = v["track_deg"][has]
            has_h = np.isfinite(v["heading_deg"])
            sc["heading_deg"][slots[sel][has_h]] = v["heading_deg"][has_h]

        sel = tc == 28
        if sel.any():
            i = es_idx[sel]
            st = adsb.aircraft_status(me[sel])
            cols.emergency[i] = np.where(st["emergency_code"] > 0, st["emergency_code"], -1)
            cols.squawk[i] = st["squawk"]

        sel = tc == 29
        if sel.any():
            i = es_idx[sel]
            ts = adsb.target_state(me[sel])
            cols.selected_alt[i] = ts["selected_alt_ft"]
            cols.baro_setting[i] = ts["baro_setting_hpa"]
            cols.selected_heading[i] = ts["selected_heading_deg"]
            cols.nacp[i] = ts["nacp"]
            cols.sil[i] = ts["sil"]
            ok = ts["nacp"] >= 0
            sc["nacp"][slots[sel][ok]] = ts["nacp"][ok]

        sel = tc == 31
        if sel.any():
            i = es_idx[sel]
            op = adsb.operational_status(me[sel])
            cols.version[i] = op["adsb_version"]
            cols.nacp[i] = op["nacp"]
            cols.sil[i] = op["sil"]
            s = slots[sel]
            sc["adsb_version"][s] = op["adsb_version"]
            ok = op["nacp"] >= 0
            sc["nacp"][s[ok]] = op["nacp"][ok]
            sc["nic_a"][s[ok]] = op["nic_a"][ok]

        sel = ((tc >= 5) & (tc <= 18)) | ((tc >= 20) & (tc <= 22))
        if sel.any():
            self._positions(frames, cols, es_idx[sel], me[sel], tc[sel])

    # ------------------------------------------------------------------ positions

    def _positions(
        self, frames: ModeSFrames, cols: _Columns, pidx: NDArray[np.int64], me: NDArray[np.uint64], tc: NDArray
    ) -> None:
        surface = tc <= 8
        air = ~surface
        odd = np.zeros(pidx.size, dtype=bool)
        lat_cpr = np.zeros(pidx.size, dtype=np.int64)
        lon_cpr = np.zeros(pidx.size, dtype=np.int64)
        nic_b = np.zeros(pidx.size, dtype=np.int8)
        if air.any():
            ap = adsb.airborne_position(me[air], tc[air])
            i = pidx[air]
            cols.alt_baro[i] = ap["alt_baro_ft"]
            cols.alt_geo[i] = ap["alt_geo_ft"]
            cols.spi[i] = ap["surveillance_status"] == 3
            odd[air], lat_cpr[air], lon_cpr[air], nic_b[air] = ap["odd"], ap["lat_cpr"], ap["lon_cpr"], ap["nic_b"]
        if surface.any():
            sp = adsb.surface_position(me[surface])
            i = pidx[surface]
            cols.gs[i] = sp["ground_speed_kt"]
            cols.track[i] = sp["track_deg"]
            cols.surface[i] = True
            odd[surface], lat_cpr[surface], lon_cpr[surface] = sp["odd"], sp["lat_cpr"], sp["lon_cpr"]
        sc = self.state.cols
        slot_all = cols.slot[pidx]
        cols.nuc_p[pidx] = adsb.NUCP_BY_TC[tc]
        version = sc["adsb_version"][slot_all]
        nic = adsb.nic_from_tc(tc, sc["nic_a"][slot_all], nic_b)
        cols.nic[pidx] = np.where(version >= 1, nic, -1)
        nacp = sc["nacp"][slot_all]
        cols.sigma_h[pidx] = np.where(
            (version >= 1) & (nacp > 0),
            adsb.NACP_SIGMA_M[np.maximum(nacp, 0)],
            adsb.NUCP_SIGMA_M[np.maximum(adsb.NUCP_BY_TC[tc], 0)],
        )

        # Sort by aircraft, keeping time order inside each aircraft.
        order = np.argsort(slot_all, kind="stable")
        s = slot_all[order]
        t = frames.time_s[pidx][order]
        o = odd[order]
        la = lat_cpr[order]
        lo = lon_cpr[order]
        sf = surface[order]
        m = s.size
        pos = np.arange(m)
        new_group = np.empty(m, dtype=bool)
        new_group[0] = True
        new_group[1:] = s[1:] != s[:-1]
        gstart = np.maximum.accumulate(np.where(new_group, pos, 0))

        # 1. pairing with the latest opposite-format report (this batch first, else state)
        last_even = np.maximum.accumulate(np.where(~o, pos, -1))
        last_odd = np.maximum.accumulate(np.where(o, pos, -1))
        j = np.where(o, last_even, last_odd)
        in_batch = j >= gstart
        jj = np.maximum(j, 0)
        opp_t = np.where(in_batch, t[jj], np.where(o, sc["even_t"][s], sc["odd_t"][s]))
        opp_lat = np.where(in_batch, la[jj], np.where(o, sc["even_lat"][s], sc["odd_lat"][s]))
        opp_lon = np.where(in_batch, lo[jj], np.where(o, sc["even_lon"][s], sc["odd_lon"][s]))
        opp_sf = np.where(in_batch, sf[jj], np.where(o, sc["even_surface"][s], sc["odd_surface"][s]))
        window = np.where(sf, self.surface_pair_window_s, self.pair_window_s)
        paired = (opp_sf == sf) & (t - opp_t <= window) & (t >= opp_t)

        lat = np.full(m, np.nan)
        lon = np.full(m, np.nan)
        ok = np.zeros(m, dtype=bool)
        method = np.zeros(m, dtype=np.int8)  # 1 global, 2 local (aircraft), 3 local (receiver)

        even_lat = np.where(o, opp_lat, la)
        even_lon = np.where(o, opp_lon, lo)
        odd_lat = np.where(o, la, opp_lat)
        odd_lon = np.where(o, lo, opp_lon)
        g = paired & ~sf
        if g.any():
            glat, glon, gok = cpr.global_airborne(even_lat[g], even_lon[g], odd_lat[g], odd_lon[g], o[g])
            lat[g], lon[g], ok[g] = glat, glon, gok
            self._count(self.rejected, "position_cpr_zone_mismatch", int((~gok).sum()))
        # Surface pairs: reference = aircraft's last position (state) or the receiver.
        g = paired & sf
        if g.any():
            ref_lat, ref_lon, has_ref = self._surface_reference(s[g], t[g])
            self._count(self.rejected, "position_surface_no_reference", int((~has_ref).sum()))
            if has_ref.any():
                gi = np.nonzero(g)[0][has_ref]
                glat, glon, gok = cpr.global_surface(
                    even_lat[gi], even_lon[gi], odd_lat[gi], odd_lon[gi], o[gi], ref_lat[has_ref], ref_lon[has_ref]
                )
                lat[gi], lon[gi], ok[gi] = glat, glon, gok
        method[ok] = 1

        # 2. local decoding from the aircraft's last position (candidates earlier in this batch, else state)
        for _ in range(2):
            todo = ~ok
            if not todo.any():
                break
            last_ok = np.maximum.accumulate(np.where(ok, pos, -1))
            prev = np.empty(m, dtype=np.int64)
            prev[0] = -1
            prev[1:] = last_ok[:-1]
            prev_in_batch = prev >= gstart
            pp = np.maximum(prev, 0)
            ref_t = np.where(prev_in_batch, t[pp], sc["pos_t"][s])
            ref_lat = np.where(prev_in_batch, lat[pp], sc["pos_lat"][s])
            ref_lon = np.where(prev_in_batch, lon[pp], sc["pos_lon"][s])
            age_limit = np.where(sf, self.surface_local_window_s, self.local_window_s)
            use = todo & np.isfinite(ref_lat) & (t - ref_t <= age_limit) & (t >= ref_t)
            if not use.any():
                break
            llat, llon = cpr.local(la[use], lo[use], o[use], ref_lat[use], ref_lon[use], sf[use])
            lat[use], lon[use] = llat, llon
            ok[use] = True
            method[use] = 2

        # Receiver-relative local decoding: surface always (when a reference is known); airborne only when the
        # receiver's range is declared inside the 180 NM airborne half-zone.
        if self.reference_lat_lon is not None:
            rx_ok = sf.copy()
            if self.receiver_range_nm is not None and self.receiver_range_nm <= 180.0:
                rx_ok |= ~sf
            use = ~ok & rx_ok
            if use.any():
                rlat = np.full(int(use.sum()), self.reference_lat_lon[0])
                rlon = np.full(int(use.sum()), self.reference_lat_lon[1])
                llat, llon = cpr.local(la[use], lo[use], o[use], rlat, rlon, sf[use])
                lat[use], lon[use] = llat, llon
                ok[use] = True
                method[use] = 3
            if self.receiver_range_nm is not None:
                far = ok & (
                    haversine_m(lat, lon, self.reference_lat_lon[0], self.reference_lat_lon[1])
                    > self.receiver_range_nm * 1852.0
                )
                ok &= ~far
                self._count(self.rejected, "position_out_of_range", int(far.sum()))

        # 3. speed check against the previous and next positions of the same aircraft
        ok &= np.isfinite(lat) & (np.abs(lat) <= 90.0)
        ok = self._speed_check(s, t, lat, lon, ok, sf, gstart, pos)
        for code, name in ((1, "positions_global"), (2, "positions_local"), (3, "positions_receiver")):
            self._count(self.stats, name, int((ok & (method == code)).sum()))

        # scatter back to input order and update state
        out = pidx[order]
        cols.lat[out] = np.where(ok, lat, np.nan)
        cols.lon[out] = np.where(ok, lon, np.nan)
        for prefix, sel in (("even", ~o), ("odd", o)):
            sc[f"{prefix}_t"][s[sel]] = t[sel]
            sc[f"{prefix}_lat"][s[sel]] = la[sel]
            sc[f"{prefix}_lon"][s[sel]] = lo[sel]
            sc[f"{prefix}_surface"][s[sel]] = sf[sel]
        sc["pos_t"][s[ok]] = t[ok]
        sc["pos_lat"][s[ok]] = lat[ok]
        sc["pos_lon"][s[ok]] = lon[ok]

    def _surface_reference(self, s: NDArray, t: NDArray) -> tuple[NDArray, NDArray, NDArray]:
        sc = self.state.cols
        recent = np.isfinite(sc["pos_lat"][s]) & (t - sc["pos_t"][s] <= 600.0)
        ref_lat = np.where(recent, sc["pos_lat"][s], np.nan)
        ref_lon = np.where(recent, sc["pos_lon"][s], np.nan)
        if self.reference_lat_lon is not None:
            ref_lat = np.where(recent, ref_lat, self.reference_lat_lon[0])
            ref_lon = np.where(recent, ref_lon, self.reference_lat_lon[1])
        return ref_lat, ref_lon, np.isfinite(ref_lat)

    def _speed_check(
        self,
        s: NDArray[np.int64],
        t: NDArray[np.float64],
        lat: NDArray[np.float64],
        lon: NDArray[np.float64],
        ok: NDArray[np.bool_],
        sf: NDArray[np.bool_],
        gstart: NDArray[np.int64],
        pos: NDArray[np.int64],
    ) -> NDArray[np.bool_]:
        """Drop positions that imply an impossible speed both from the previous and to the next position of the same
        aircraft (arrays sorted by aircraft ``s``; ``gstart`` = index where each aircraft's run starts)."""
        m = s.size
        sc = self.state.cols
        last_ok = np.maximum.accumulate(np.where(ok, pos, -1))
        prev = np.empty(m, dtype=np.int64)
        prev[0] = -1
        prev[1:] = last_ok[:-1]
        prev_in = prev >= gstart
        pp = np.maximum(prev, 0)
        prev_t = np.where(prev_in, t[pp], sc["pos_t"][s])
        prev_lat = np.where(prev_in, lat[pp], sc["pos_lat"][s])
        prev_lon = np.where(prev_in, lon[pp], sc["pos_lon"][s])
        # next candidate in the same aircraft's group (backward fill)
        gend = np.empty(m, dtype=np.int64)
        new_next = np.empty(m, dtype=bool)
        new_next[-1] = True
        new_next[:-1] = s[1:] != s[:-1]
        gend[::-1] = np.minimum.accumulate(np.where(new_next, pos, m)[::-1])
        next_ok = np.minimum.accumulate(np.where(ok, pos, m)[::-1])[::-1]
        nxt = np.empty(m, dtype=np.int64)
        nxt[-1] = m
        nxt[:-1] = next_ok[1:]
        next_in = nxt <= gend
        nn = np.minimum(nxt, m - 1)
        speed = np.where(sf, self.max_surface_speed_kt, self.max_airborne_speed_kt) * KT_TO_MPS
        margin = np.where(sf, 200.0, 2000.0)
        has_prev = prev_in | (np.isfinite(prev_lat) & (t - prev_t <= 120.0) & (t >= prev_t))
        d_prev = haversine_m(lat, lon, prev_lat, prev_lon)
        bad_prev = has_prev & ~(d_prev <= speed * np.abs(t - prev_t) + margin)
        d_next = haversine_m(lat, lon, lat[nn], lon[nn])
        bad_next = next_in & ~(d_next <= speed * np.abs(t[nn] - t) + margin)
        reject = ok & (has_prev | next_in) & (~has_prev | bad_prev) & (~next_in | bad_next)
        self._count(self.rejected, "position_speed_check", int(reject.sum()))
        return ok & ~reject

    # ------------------------------------------------------------------ Comm-B

    def _decode_commb(self, frames: ModeSFrames, cols: _Columns, cidx: NDArray[np.int64]) -> None:
        mb = cols.me[cidx]
        slots = cols.slot[cidx]
        sc = self.state.cols
        has = slots >= 0
        ss = np.maximum(slots, 0)
        # Kinematics older than a minute say little about what the aircraft does now.
        fresh = has & (frames.time_s[cidx] - sc["kin_t"][ss] <= 60.0)
        gs = np.where(fresh, sc["ground_speed_kt"][ss], np.nan)
        trk = np.where(fresh, sc["track_deg"][ss], np.nan)
        hdg = np.where(fresh, sc["heading_deg"][ss], np.nan)
        bds = commb.infer(mb, gs, trk, hdg)
        cols.bds[cidx] = bds
        sel = bds == commb.BDS20
        if sel.any():
            i = cidx[sel]
            bits = mb[sel] & U64((1 << 48) - 1)
            cols.callsign_bits[i] = bits
            cols.callsign_valid[i] = True
            sc["callsign_bits"][slots[sel][has[sel]]] = bits[has[sel]]
        sel = bds == commb.BDS40
        if sel.any():
            i = cidx[sel]
            v = commb.decode_bds40(mb[sel])
            cols.selected_alt[i] = v["selected_alt_ft"]
            cols.baro_setting[i] = v["baro_setting_hpa"]
        sel = bds == commb.BDS50
        if sel.any():
            i = cidx[sel]
            v = commb.decode_bds50(mb[sel])
            cols.roll[i] = v["roll_deg"]
            cols.track[i] = v["track_deg"]
            cols.gs[i] = v["ground_speed_kt"]
            cols.tas[i] = v["tas_kt"]
            k = has[sel] & np.isfinite(v["ground_speed_kt"]) & np.isfinite(v["track_deg"])
            sc["ground_speed_kt"][slots[sel][k]] = v["ground_speed_kt"][k]
            sc["track_deg"][slots[sel][k]] = v["track_deg"][k]
            sc["kin_t"][slots[sel][k]] = frames.time_s[i[k]]
        sel = bds == commb.BDS60
        if sel.any():
            i = cidx[sel]
            v = commb.decode_bds60(mb[sel])
            cols.heading[i] = v["heading_deg"]
            cols.ias[i] = v["ias_kt"]
            cols.mach[i] = v["mach"]
            cols.vrate[i] = v["vertical_rate_fpm"]
            k = has[sel] & np.isfinite(v["heading_deg"])
            sc["heading_deg"][slots[sel][k]] = v["heading_deg"][k]

    # ------------------------------------------------------------------ output

    @staticmethod
    def _count(counter: dict[str, int], key: str, value: int) -> None:
        if value:
            counter[key] = counter.get(key, 0) + int(value)

    def _table(self, cols: _Columns, idx: NDArray[np.int64], frames: ModeSFrames) -> pa.Table:
        if cols.drop.any():
            idx = idx[~cols.drop[idx]]
        n = idx.size
        sensor = frames.sensor if frames.sensor else self.sensor
        # All float and all small-int columns are rows of two matrices: one gather, one NaN test and one bit
        # packing for all of them, then zero-copy Arrow arrays over the rows.
        f = np.ascontiguousarray(np.take(cols.floats, idx, axis=1))
        f[_F["sigma_h"]] = np.where(np.isnan(f[_F["lat"]]), np.nan, f[_F["sigma_h"]])
        f[_F["signal"]] = frames.signal_dbfs[idx]
        f_valid = ~np.isnan(f)
        i8 = np.ascontiguousarray(np.take(cols.ints, idx, axis=1))
        i8_valid = i8 >= 0
        arrays: dict[str, pa.Array] = {}
        for matrix, valid, names, arrow_type in (
            (f, f_valid, _FLOAT_COLUMNS, pa.float64()),
            (i8, i8_valid, _INT8_COLUMNS, pa.int8()),
        ):
            bitmaps = np.ascontiguousarray(np.packbits(valid, axis=1, bitorder="little"))
            complete = valid.all(axis=1)
            for row, (_attr, column) in enumerate(names):
                if column is None:
                    continue
                bitmap = None if complete[row] else pa.py_buffer(bitmaps[row])
                arrays[column] = pa.Array.from_buffers(arrow_type, n, [bitmap, pa.py_buffer(matrix[row])])
        nulls = pa.nulls(n, pa.float64())
        arrays.update(
            {
                "time_s": numeric(frames.time_s[idx].astype(np.float64)),
                "sensor": enum_strings(np.zeros(n, np.int8), [sensor]),
                "kind": enum_strings(cols.kind[idx], KIND_LABELS),
                "range_m": nulls,
                "azimuth_deg": nulls,
                "icao24": icao24_strings(cols.address[idx]),
                "callsign": _callsign.to_arrow(cols.callsign_bits[idx], cols.callsign_valid[idx]),
                "squawk": squawk_strings(cols.squawk[idx]),
                "emergency": enum_strings(cols.emergency[idx], adsb.EMERGENCY_LABELS),
                "spi": numeric(cols.spi[idx]),
                "df": numeric(cols.df[idx].astype(np.int8)),
                "bds": enum_strings(cols.bds[idx], commb.BDS_LABELS),
                "icao_verified": numeric(cols.verified[idx]),
                "surface": numeric(cols.surface[idx]),
            }
        )
        return pa.Table.from_arrays([arrays[name] for name in OUTPUT_SCHEMA.names], schema=OUTPUT_SCHEMA)


_f = floats


OUTPUT_SCHEMA = pa.schema(
    [
        *MEASUREMENT,
        ("df", pa.int8()),
        ("tc", pa.int8()),
        ("bds", pa.string()),
        # address proven by a checked parity (DF11/17/18) of this aircraft, not only recovered from AP
        ("icao_verified", pa.bool_()),
        ("surface", pa.bool_()),
        ("category", pa.int8()),
        ("heading_deg", pa.float64()),
        ("ias_kt", pa.float64()),
        ("tas_kt", pa.float64()),
        ("mach", pa.float64()),
        ("roll_deg", pa.float64()),
        ("selected_alt_ft", pa.float64()),
        ("selected_heading_deg", pa.float64()),
        ("baro_setting_hpa", pa.float64()),
        ("geo_minus_baro_ft", pa.float64()),
        ("adsb_version", pa.int8()),
        ("sil", pa.int8()),
        ("nuc_p", pa.int8()),
        ("signal_dbfs", pa.float64()),
    ]
)

_REASONS = ["", "mode_ac", "unsupported_df", "truncated", "crc"]
_R_MODE_AC, _R_DF, _R_TRUNCATED, _R_CRC = 1, 2, 3, 4


#: (attribute of _Columns, output column) for the float64 columns, NaN = null
_FLOAT_COLUMNS = [
    ("lat", "lat_deg"),
    ("lon", "lon_deg"),
    ("alt_baro", "alt_baro_ft"),
    ("alt_geo", "alt_geo_ft"),
    ("gs", "ground_speed_kt"),
    ("track", "track_deg"),
    ("vrate", "vertical_rate_fpm"),
    ("sigma_h", "sigma_h_m"),
    ("heading", "heading_deg"),
    ("ias", "ias_kt"),
    ("tas", "tas_kt"),
    ("mach", "mach"),
    ("roll", "roll_deg"),
    ("selected_alt", "selected_alt_ft"),
    ("selected_heading", "selected_heading_deg"),
    ("baro_setting", "baro_setting_hpa"),
    ("geo_minus_baro", "geo_minus_baro_ft"),
    ("signal", "signal_dbfs"),
]
#: the same for the int8 columns, -1 = null (``emergency`` is a code turned into text separately)
_INT8_COLUMNS = [
    ("tc", "tc"),
    ("nacp", "nacp"),
    ("nic", "nic"),
    ("category", "category"),
    ("version", "adsb_version"),
    ("sil", "sil"),
    ("nuc_p", "nuc_p"),
    ("emergency", None),
]
_F = {attr: row for row, (attr, _) in enumerate(_FLOAT_COLUMNS)}


class _Columns:
    """Output columns for one batch, one entry per input frame (NaN / -1 = nothing said).

    Float and int8 columns are rows of two matrices (``floats``, ``ints``); the attributes are views of the rows.
    """

    def __init__(self, n: int) -> None:
        self.df = np.zeros(n, dtype=np.int64)
        self.address = np.zeros(n, dtype=np.uint32)
        self.slot = np.full(n, -1, dtype=np.int64)
        self.me = np.zeros(n, dtype=U64)
        self.kind = np.zeros(n, dtype=np.int8)
        self.bds = np.full(n, commb.UNKNOWN, dtype=np.int8)
        self.drop = np.zeros(n, dtype=bool)
        self.verified = np.zeros(n, dtype=bool)
        self.surface = np.zeros(n, dtype=bool)
        self.spi = np.zeros(n, dtype=bool)
        self.callsign_bits = np.zeros(n, dtype=U64)
        self.callsign_valid = np.zeros(n, dtype=bool)
        self.squawk = np.full(n, -1, dtype=np.int16)
        self.floats = np.full((len(_FLOAT_COLUMNS), n), np.nan)
        self.ints = np.full((len(_INT8_COLUMNS), n), -1, dtype=np.int8)
        for row, (attr, _) in enumerate(_FLOAT_COLUMNS):
            setattr(self, attr, self.floats[row])
        for row, (attr, _) in enumerate(_INT8_COLUMNS):
            setattr(self, attr, self.ints[row])
