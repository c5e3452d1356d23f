"""``gnss_interference``: regions where many aircraft's navigation integrity (NIC) or accuracy (NACp) degrade at
once — the signature of GNSS jamming or spoofing, as opposed to one aircraft's poor installation.

The sky is cut into ``cell_deg`` cells. Over a sliding ``window_s``, each aircraft counts once, in the cell of
its latest position, as *degraded* when its latest NACp < ``nacp_min`` or NIC < ``nic_min``. A cell holding a
degraded aircraft is flagged when, over its 3 × 3 neighbourhood (jamming covers regions; traffic is sparse), at
least ``min_aircraft`` aircraft and ``min_fraction`` of those seen are degraded. Connected flagged cells form one
region and one alert (a region keeps the key it had in the previous cycle, so it stays one alert while it drifts). The
grid is available as a GeoJSON layer (:meth:`GnssMonitor.layer`) for the display and the offline command.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

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
        self._cells = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool))
        self._region_keys = (np.zeros(0, np.int64), np.zeros(0, np.int64))

    def observe_rows(
        self, icao: NDArray, time_s: NDArray, lat: NDArray, lon: NDArray, nacp: NDArray, nic: NDArray,
        presorted: bool = False,
    ):  # fmt: skip
        """Feed reports (any order, or by (address, time) with ``presorted``); NaN means "not in this report" and
        keeps the last known value."""
        ok = icao >= 0
        if not ok.any():
            return
        order = np.arange(int(ok.sum())) if presorted else np.lexsort((time_s[ok], icao[ok]))
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
        rows = mb.sorted_rows(mb.is_adsb & (mb.icao >= 0))
        self.observe_rows(
            mb.icao[rows], mb.f("time_s")[rows], mb.f("lat_deg")[rows], mb.f("lon_deg")[rows], mb.f("nacp")[rows],
            mb.f("nic")[rows], presorted=True,
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
        known = np.isfinite(a["lat_deg"]) & np.isfinite(a["lon_deg"]) & (np.isfinite(a["nacp"]) | np.isfinite(a["nic"]))
        empty = (np.zeros(0, np.int64),) * 3 + (np.zeros(0, bool),)
        if not known.any():
            self._cells = empty
            return Conditions.empty()
        degraded = ((a["nacp"] < cfg.nacp_min) | (a["nic"] < cfg.nic_min))[known]
        cell = self._cell_index(a["lat_deg"][known], a["lon_deg"][known])
        cells, inverse = np.unique(cell, return_inverse=True)
        total = np.bincount(inverse, minlength=len(cells))
        bad = np.bincount(inverse, weights=degraded, minlength=len(cells)).astype(np.int64)
        # Counts over each cell's 3 x 3 neighbourhood: jamming covers regions, traffic is sparse.
        total_nb, bad_nb = np.zeros_like(total), np.zeros_like(bad)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                nb = cells + dr * _GRID_COLS + dc
                pos = np.minimum(np.searchsorted(cells, nb), len(cells) - 1)
                hit = cells[pos] == nb
                total_nb += np.where(hit, total[pos], 0)
                bad_nb += np.where(hit, bad[pos], 0)
        flagged = (bad >= 1) & (bad_nb >= cfg.min_aircraft) & (bad_nb >= cfg.min_fraction * total_nb)
        self._cells = (cells, total, bad, flagged)
        if not flagged.any():
            return Conditions.empty()
        # Regions: 8-connected groups of flagged cells, one alert each (keyed by the region's lowest cell).
        f_cells = cells[flagged]
        rows, cols = f_cells // _GRID_COLS, f_cells % _GRID_COLS
        grid = np.zeros((rows.max() - rows.min() + 1, cols.max() - cols.min() + 1), bool)
        grid[rows - rows.min(), cols - cols.min()] = True
        labels, n_regions = ndimage.label(grid, structure=np.ones((3, 3), bool))
        region = labels[rows - rows.min(), cols - cols.min()] - 1
        # A region keeps the key it had last cycle (through any of its cells), so a drifting or growing region
        # stays one alert instead of being cleared and raised again.
        big = np.iinfo(np.int64).max
        prev_cells, prev_keys = self._region_keys
        prev = np.full(len(f_cells), big)
        if len(prev_cells):
            pos = np.minimum(np.searchsorted(prev_cells, f_cells), len(prev_cells) - 1)
            prev = np.where(prev_cells[pos] == f_cells, prev_keys[pos], big)
        key_prev = np.full(n_regions, big)
        np.minimum.at(key_prev, region, prev)
        key_new = np.full(n_regions, big)
        np.minimum.at(key_new, region, f_cells)
        key = np.where(key_prev < big, key_prev, key_new)
        self._region_keys = (f_cells, key[region])
        r_bad = np.bincount(region, weights=bad[flagged], minlength=n_regions).astype(np.int64)
        r_total = np.bincount(region, weights=total[flagged], minlength=n_regions).astype(np.int64)
        lat0, lon0 = self._cell_bounds(f_cells)
        d = cfg.cell_deg
        r_lat = np.bincount(region, weights=lat0 + d / 2, minlength=n_regions) / np.bincount(region)
        r_lon = np.bincount(region, weights=lon0 + d / 2, minlength=n_regions) / np.bincount(region)
        r_cells = np.bincount(region, minlength=n_regions)
        # Tracks of the degraded aircraft in each region.
        member_cell = cell[degraded]
        member_icao = self.aircraft.keys[known][degraded]
        pos = np.minimum(np.searchsorted(f_cells, member_cell), len(f_cells) - 1)
        in_region = f_cells[pos] == member_cell
        m_region, m_icao = region[pos[in_region]], member_icao[in_region]
        order_t = np.argsort(frame.icao24_int, kind="stable")
        s_icao = frame.icao24_int[order_t]
        if frame.n:
            tpos = np.minimum(np.searchsorted(s_icao, m_icao), frame.n - 1)
            m_track = np.where(s_icao[tpos] == m_icao, frame.track_id[order_t][tpos], -1)
        else:
            m_track = np.full(len(m_icao), -1, np.int64)
        width = max(int(np.bincount(m_region, minlength=n_regions).max()) if len(m_region) else 1, 1)
        track_ids = np.full((n_regions, width), -1, np.int64)
        order = np.lexsort((m_track, m_region))
        reg_sorted = m_region[order]
        rank = np.arange(len(order)) - np.searchsorted(reg_sorted, reg_sorted)
        track_ids[reg_sorted, rank] = m_track[order]
        names = np.array([_region_name(la, lo) for la, lo in zip(r_lat, r_lon, strict=True)], dtype=object)

        def messages(sel: NDArray[np.intp]) -> list[str]:
            return [
                f"GNSS degraded for {r_bad[s]} of {r_total[s]} aircraft over {r_cells[s]} cell(s) of {d:g}° "
                f"around {names[s][len('GNSS region ') :]} (NACp < {cfg.nacp_min} or NIC < {cfg.nic_min})"
                for s in sel
            ]

        return Conditions(
            keys=key, severity=np.full(n_regions, INFO, np.int8), track_ids=track_ids, volume=names,
            messages=messages,
        )  # fmt: skip

    def layer(self) -> dict:
        """The latest grid as a GeoJSON FeatureCollection (one square per cell with aircraft seen)."""
        cfg = self.config
        cells, total, bad, flagged = self._cells
        lat0, lon0 = self._cell_bounds(cells)
        d = cfg.cell_deg
        features = []
        for la, lo, n, b, f in zip(lat0.tolist(), lon0.tolist(), total.tolist(), bad.tolist(), flagged.tolist(),
                                   strict=True):  # fmt: skip
            ring = [[lo, la], [lo + d, la], [lo + d, la + d], [lo, la + d], [lo, la]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "name": _cell_name(la, lo, d),
                        "aircraft": n,
                        "degraded": b,
                        "fraction_degraded": b / n if n else 0.0,
                        "flagged": bool(f),
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
        return {"type": "FeatureCollection", "features": features}


def _region_name(lat: float, lon: float) -> str:
    return f"GNSS region {abs(lat):.1f}{'N' if lat >= 0 else 'S'} {abs(lon):05.1f}{'E' if lon >= 0 else 'W'}"


def _cell_name(lat0: float, lon0: float, d: float) -> str:
    ns = "N" if lat0 >= 0 else "S"
    ew = "E" if lon0 >= 0 else "W"
    return f"GNSS cell {abs(lat0):.1f}{ns} {abs(lon0):05.1f}{ew} ({d:g}°)"
