"""``gnss_interference``: regions where many aircraft's navigation integrity (NIC) or accuracy (NACp) degrade at
once — the signature of GNSS jamming or spoofing, as opposed to one aircraft's poor installation.

The FIR is cut into ``cell_deg`` cells. Over a sliding ``window_s``, each aircraft counts once, in the cell of
its latest position, as *degraded* when its latest NACp < ``nacp_min`` or NIC < ``nic_min``. A cell is flagged
when at least ``min_aircraft`` aircraft and ``min_fraction`` of those seen there are degraded. The whole grid is
available as a GeoJSON layer (:meth:`GnssMonitor.layer`) for the display and the offline command.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from airpicture.core.schema import float_column
from airpicture.monitor.book import INFO, Conditions
from airpicture.monitor.config import GnssConfig
from airpicture.monitor.frame import KeyedMemory, MeasurementBatch, TrackFrame

_GRID_COLS = 1 << 16


class GnssMonitor:
    kind = "gnss_interference"

    def __init__(self, config: GnssConfig) -> None:
        self.config = config
        self.aircraft = KeyedMemory(("time_s", "lat_deg", "lon_deg", "nacp", "nic", "nacp_t", "nic_t"))
        self._cells = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))

    def observe_rows(self, icao: NDArray, time_s: NDArray, lat: NDArray, lon: NDArray, nacp: NDArray, nic: NDArray):
        """Feed reports (any order); NaN means "not in this report" and keeps the last known value."""
        ok = icao >= 0
        if not ok.any():
            return
        order = np.lexsort((time_s[ok], icao[ok]))
        icao, time_s = icao[ok][order], time_s[ok][order]
        lat, lon, nacp, nic = lat[ok][order], lon[ok][order], nacp[ok][order], nic[ok][order]
        starts = np.flatnonzero(np.append(True, icao[1:] != icao[:-1]))
        u = icao[starts]

        def last_valid(values: NDArray, prev_name: str) -> NDArray:
            # Index of the last finite value in each group (forward fill within the group).
            idx = np.where(np.isfinite(values), np.arange(len(values)), -1)
            idx = np.maximum.accumulate(idx)
            group_end = np.append(starts[1:], len(values)) - 1
            take = idx[group_end]
            valid = take >= starts
            return np.where(valid, values[np.maximum(take, 0)], self.aircraft.get(u, prev_name))

        ends = np.append(starts[1:], len(icao)) - 1
        new_nacp, new_nic = last_valid(nacp, "nacp"), last_valid(nic, "nic")
        new_lat, new_lon = last_valid(lat, "lat_deg"), last_valid(lon, "lon_deg")
        self.aircraft.put(u, time_s=time_s[ends], lat_deg=new_lat, lon_deg=new_lon, nacp=new_nacp, nic=new_nic)

    def observe(self, mb: MeasurementBatch | None) -> None:
        if mb is None or not mb.n or not {"nacp", "nic"} & set(mb.table.column_names):
            return
        rows = np.flatnonzero(mb.is_adsb & (mb.icao >= 0))
        self.observe_rows(
            mb.icao[rows], mb.f("time_s")[rows], mb.f("lat_deg")[rows], mb.f("lon_deg")[rows], mb.f("nacp")[rows],
            mb.f("nic")[rows],
        )  # fmt: skip

    def observe_tracks(self, frame: TrackFrame) -> None:
        """Tracks that carry ``nacp``/``nic`` extras (e.g. a track file) feed the same grid."""
        t = frame.table
        if not {"nacp", "nic"} & set(t.column_names):
            return
        self.observe_rows(
            frame.icao24_int, frame.time_s, frame.lat_deg, frame.lon_deg, float_column(t, "nacp"),
            float_column(t, "nic"),
        )  # fmt: skip

    def _cell_index(self, lat: NDArray, lon: NDArray) -> NDArray[np.int64]:
        row = np.floor((lat + 90.0) / self.config.cell_deg).astype(np.int64)
        col = np.floor((lon + 180.0) / self.config.cell_deg).astype(np.int64)
        return row * _GRID_COLS + col

    def _cell_bounds(self, cell: NDArray[np.int64]) -> tuple[NDArray, NDArray]:
        d = self.config.cell_deg
        return (cell // _GRID_COLS) * d - 90.0, (cell % _GRID_COLS) * d - 180.0

    def evaluate(self, frame: TrackFrame) -> Conditions:
        cfg = self.config
        now = frame.now_s
        self.aircraft.drop_older("time_s", now - cfg.window_s)
        a = self.aircraft.values
        located = np.isfinite(a["lat_deg"]) & np.isfinite(a["lon_deg"])
        known = located & (np.isfinite(a["nacp"]) | np.isfinite(a["nic"]))
        if not known.any():
            self._cells = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
            return Conditions.empty()
        degraded = (a["nacp"] < cfg.nacp_min) | (a["nic"] < cfg.nic_min)
        cell = self._cell_index(a["lat_deg"][known], a["lon_deg"][known])
        cells, inverse = np.unique(cell, return_inverse=True)
        total = np.bincount(inverse, minlength=len(cells))
        bad = np.bincount(inverse, weights=degraded[known], minlength=len(cells)).astype(np.int64)
        self._cells = (cells, total, bad)
        flagged = (bad >= cfg.min_aircraft) & (bad >= cfg.min_fraction * total)
        f_cells = cells[flagged]
        if not len(f_cells):
            return Conditions.empty()
        # Tracks of the degraded aircraft in each flagged cell.
        icao_known = self.aircraft.keys[known]
        member = degraded[known] & np.isin(cell, f_cells)
        m_cell, m_icao = cell[member], icao_known[member]
        order_t = np.argsort(frame.icao24_int, kind="stable")
        s_icao = frame.icao24_int[order_t]
        pos = np.minimum(np.searchsorted(s_icao, m_icao), max(frame.n - 1, 0))
        has = (s_icao[pos] == m_icao) if frame.n else np.zeros(len(m_icao), bool)
        m_track = np.where(has, frame.track_id[order_t][pos] if frame.n else -1, -1)
        width = int(np.bincount(np.searchsorted(f_cells, m_cell)).max()) if len(m_cell) else 1
        track_ids = np.full((len(f_cells), max(width, 1)), -1, np.int64)
        slot = np.searchsorted(f_cells, m_cell)
        order = np.lexsort((m_track, slot))
        slot_sorted = slot[order]
        rank = np.arange(len(order)) - np.searchsorted(slot_sorted, slot_sorted)
        track_ids[slot_sorted, rank] = m_track[order]
        lat0, lon0 = self._cell_bounds(f_cells)
        names = np.array([_cell_name(la, lo, cfg.cell_deg) for la, lo in zip(lat0, lon0, strict=True)], dtype=object)
        f_total, f_bad = total[flagged], bad[flagged]

        def messages(sel: NDArray[np.intp]) -> list[str]:
            return [
                f"GNSS degraded for {f_bad[s]} of {f_total[s]} aircraft in {names[s]} "
                f"(NACp < {cfg.nacp_min} or NIC < {cfg.nic_min})"
                for s in sel
            ]

        return Conditions(
            keys=f_cells, severity=np.full(len(f_cells), INFO, np.int8), track_ids=track_ids, volume=names,
            messages=messages,
        )  # fmt: skip

    def layer(self) -> dict:
        """The latest grid as a GeoJSON FeatureCollection (one square per cell with aircraft seen)."""
        cfg = self.config
        cells, total, bad = self._cells
        lat0, lon0 = self._cell_bounds(cells)
        d = cfg.cell_deg
        features = []
        for la, lo, n, b in zip(lat0.tolist(), lon0.tolist(), total.tolist(), bad.tolist(), strict=True):
            ring = [[lo, la], [lo + d, la], [lo + d, la + d], [lo, la + d], [lo, la]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "name": _cell_name(la, lo, d),
                        "aircraft": n,
                        "degraded": b,
                        "fraction_degraded": b / n if n else 0.0,
                        "flagged": bool(b >= cfg.min_aircraft and b >= cfg.min_fraction * n),
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
        return {"type": "FeatureCollection", "features": features}


def _cell_name(lat0: float, lon0: float, d: float) -> str:
    ns = "N" if lat0 >= 0 else "S"
    ew = "E" if lon0 >= 0 else "W"
    return f"GNSS cell {abs(lat0):.1f}{ns} {abs(lon0):05.1f}{ew} ({d:g}°)"
