"""Background traffic that keeps its separation, as controlled traffic does: semicircular cruise levels and a
pre-check of the truth that re-levels, then removes, flights that would still lose separation.

The simulator's flights follow fixed routes and profiles with no controller in the loop. Left alone, two of them
occasionally cross at the same level or one descends through the level of opposite traffic on the same airway —
real losses of separation that a monitor must alert, which makes "no alert on ordinary traffic" impossible to
show. Controlled traffic does not do that, so the scenario removes them before it starts:

1. **Semicircular rule** (ICAO Annex 2, Appendix 3): a flight whose course is 000–179° cruises at an odd
   thousand of feet (FL310, FL330, …; VFR light aircraft at odd thousands + 500 ft), 180–359° at an even one.
2. **Pre-check of the truth**: a copy of the fleet is flown over the first ``window_s`` seconds (no sensors, so
   it is cheap) and every pair of aircraft that comes within ``horizontal_m`` and ``vertical_m`` (margins above
   5 NM / 1000 ft − the monitors' tolerance, so noisy tracks do not turn a near-loss into an alert) is noted.
   Pairs where one climbs or descends are held to wider limits (8 NM, 1,500 ft): a monitor predicting a climb or
   descent from its rate sees a conflict well before the levels cross. The flight that started later (never a
   scripted one) starts ``delay_s`` later if it had not started yet (a departure held on the ground, an entry
   held back), or is moved 2,000 ft (the same semicircular parity) away from the other when the conflict happens
   in its cruise; a second pass removes any flight still in conflict at
   the moment it is found (removing a flight cannot create a conflict), so the window is conflict-free.

Beyond ``window_s`` the traffic is not checked (a day-long schedule would cost minutes to pre-fly).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from airpicture.core.units import FPM_TO_MPS, FT_TO_M, NM_TO_M
from airpicture.sim.traffic import CLASSES, Fleet, plane_scale

_LEVEL_MPS = 300.0 * FPM_TO_MPS  # slower vertical rates are level flight (as the monitors take them)


def semicircular_levels_ft(cls_index: int, course_deg: float) -> list[float]:
    """Cruise levels of a class's band that the semicircular rule allows for a course (true, degrees)."""
    cls = CLASSES[cls_index]
    lo, hi = cls.cruise_alt_ft
    eastbound = (course_deg % 360.0) < 180.0
    vfr = hi < 10000.0  # light aircraft fly VFR: odd/even thousands + 500 ft
    offset = 500.0 if vfr else 0.0
    levels = [
        k * 1000.0 + offset
        for k in range(int(lo // 1000) - 1, int(hi // 1000) + 2)
        if lo <= k * 1000.0 + offset <= hi and (k % 2 == 1) == eastbound
    ]
    return levels or [float(lo)]


@dataclass
class Deconfliction:
    """What the pre-check changed (``scenario.extra["deconfliction"]``)."""

    window_s: float
    relevelled: list[int] = field(default_factory=list)
    delayed: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    min_horizontal_m: float = float("inf")  # closest approach of aircraft within vertical_m, after the changes


def _conflicts(f: Fleet, vertical_m: float, moving_vertical_m: float) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Pairs (i < j) of active aircraft now within the vertical limit (a wider one when either climbs or
    descends: its level is uncertain to a monitor), their horizontal distances (ground m) and whether moving."""
    a = np.flatnonzero(f.active & (f.ghost_receiver < 0))  # a spoofed ghost is no aircraft
    if len(a) < 2:
        z = np.zeros(0, np.intp)
        return z, z, np.zeros(0), np.zeros(0, bool)
    x, y, z, vz = f.x[a], f.y[a], f.alt_m[a], f.vr_mps[a]
    i, j = np.triu_indices(len(a), 1)
    moving = (np.abs(vz[i]) > _LEVEL_MPS) | (np.abs(vz[j]) > _LEVEL_MPS)
    dz = np.abs(z[i] - z[j])
    near_v = dz < np.where(moving, moving_vertical_m, vertical_m)
    i, j, moving = i[near_v], j[near_v], moving[near_v]
    d = np.hypot(x[i] - x[j], y[i] - y[j]) / plane_scale(x[i], y[i])
    return a[i], a[j], d, moving


def _fly(
    fleet: Fleet,
    t0: float,
    window_s: float,
    step_s: float,
    limits: tuple[float, float, float, float],
    on_conflict=None,
) -> tuple[dict[tuple[int, int], tuple[float, float]], float]:
    """Fly a copy of the fleet; first conflict time (and the victim's altitude then) per pair, and the closest
    approach among pairs within ``vertical_m``. ``on_conflict(copy, i, j)`` may act at once (and return True to
    stop counting that pair)."""
    f = copy.deepcopy(fleet)
    found: dict[tuple[int, int], tuple[float, float]] = {}
    closest = float("inf")
    t = t0
    f.activate(t)
    while t < t0 + window_s:
        f.advance(step_s)
        t += step_s
        f.activate(t)
        h_m, v_m, h_moving_m, v_moving_m = limits
        i, j, d, moving = _conflicts(f, v_m, v_moving_m)
        if len(d):
            close = d < np.where(moving, h_moving_m, h_m)
            for a, b in zip(i[close].tolist(), j[close].tolist(), strict=True):
                if on_conflict is not None and on_conflict(f, a, b):
                    continue
                in_cruise = (abs(f.vr_mps[a]) <= _LEVEL_MPS, abs(f.vr_mps[b]) <= _LEVEL_MPS)
                found.setdefault((a, b), (t, in_cruise))
            still = f.active[i] & f.active[j] & (np.abs(f.alt_m[i] - f.alt_m[j]) < v_m)
            if still.any():
                closest = min(closest, float(d[still].min()))
    return found, closest


def deconflict(
    fleet: Fleet,
    t0: float,
    protected: NDArray[np.bool_],
    along_m: NDArray,
    depart_elev_m: NDArray,
    *,
    window_s: float = 3600.0,
    step_s: float = 2.0,
    horizontal_nm: float = 6.0,
    vertical_ft: float = 900.0,
    moving_horizontal_nm: float = 8.0,
    moving_vertical_ft: float = 1500.0,
    delay_s: float = 180.0,
) -> Deconfliction:
    """Re-level, then remove, background flights that would lose separation in the first ``window_s`` seconds.

    ``protected`` flights (scripted events) are never changed; a conflict between two of them is left alone (the
    scripted STCA pair is one). ``along_m``/``depart_elev_m`` are what the fleet was placed with, so a flight
    already airborne at ``t0`` can be placed again at its new level.
    """
    out = Deconfliction(window_s)
    if window_s <= 0 or fleet.n < 2:
        return out
    limits = (horizontal_nm * NM_TO_M, vertical_ft * FT_TO_M, moving_horizontal_nm * NM_TO_M,
              moving_vertical_ft * FT_TO_M)  # fmt: skip
    order_key = fleet.start_time_s * 1e6 + np.arange(fleet.n)  # later start (then later index) gives way

    def victim(a: int, b: int) -> int | None:
        cands = [k for k in (a, b) if not protected[k]]
        if not cands:
            return None
        return max(cands, key=lambda k: order_key[k])

    # Pass 1: a flight that has not started yet waits (a departure held on the ground, an entry held back);
    # one that meets the other in cruise changes level.
    found, _ = _fly(fleet, t0, window_s, step_s, limits)
    moved: set[int] = set()
    delayed: set[int] = set()
    for (a, b), (_when, in_cruise) in sorted(found.items(), key=lambda kv: kv[1][0]):
        v = victim(a, b)
        if v is None or v in moved or v in delayed:
            continue
        if fleet.start_time_s[v] > t0 + 1e-9:
            fleet.start_time_s[v] += delay_s
            delayed.add(v)
            continue
        if not in_cruise[0 if v == a else 1]:
            continue  # a climb or descent already under way: pass 2 removes the flight if it still conflicts
        other = b if v == a else a
        cruise_ft = fleet.cruise_alt_m[v] / FT_TO_M
        lo, hi = CLASSES[fleet.cls[v]].cruise_alt_ft
        up = fleet.cruise_alt_m[other] <= fleet.cruise_alt_m[v]
        for step in (2000.0, -2000.0) if up else (-2000.0, 2000.0):
            new_ft = cruise_ft + step
            if lo - 500.0 <= new_ft <= hi + 500.0:
                fleet.cruise_alt_m[v] = new_ft * FT_TO_M
                moved.add(v)
                break
    if moved:
        idx = np.array(sorted(moved), dtype=np.intp)
        airborne = idx[fleet.start_time_s[idx] <= t0 + 1e-9]
        fleet.place_on_route(airborne, along_m[airborne], depart_elev_m[airborne])
        out.relevelled = idx.tolist()
    out.delayed = sorted(delayed)

    # Pass 2: remove whoever still conflicts, at once (in the copy too), so the rest of the window stays checked.
    removed: list[int] = []

    def remove(f: Fleet, a: int, b: int) -> bool:
        v = victim(a, b)
        if v is None:
            return False
        for g in (f, fleet):
            g.active[v] = False
            g.done[v] = True
        removed.append(v)
        return True

    _, closest = _fly(fleet, t0, window_s, step_s, limits, on_conflict=remove)
    out.removed = removed
    out.min_horizontal_m = closest
    return out


__all__ = ["Deconfliction", "deconflict", "semicircular_levels_ft"]
