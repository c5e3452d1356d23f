"""A scenario: a fleet, its sensors and its scripted events, stepped forward in time.

The simulation advances in fixed internal steps (``dt_s``, 0.5–1 s). Each step moves every aircraft once
(:meth:`Fleet.advance`), projects the fleet to WGS-84 once, lets every sensor model observe the step, and samples
the truth at whole multiples of ``truth_period_s``. Because the random draws depend only on the internal steps,
:meth:`Scenario.run` and :meth:`Scenario.stream` produce the same data for the same seed whatever the streaming
step.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from airpicture.core.geodesy import SystemPlane
from airpicture.core.schema import MEASUREMENT, MEASUREMENT_KINDS, TRUTH, table_from_columns
from airpicture.core.sensors import Sensor
from airpicture.core.units import M_TO_FT, MPS_TO_FPM, MPS_TO_KT
from airpicture.sim.sensor_models import HAS_CALLSIGN, HAS_ICAO, HAS_SQUAWK, Rows
from airpicture.sim.traffic import CLASSES, EMERGENCIES, XPDR_MODE_AC, Fleet, Kinematics


@dataclass(frozen=True)
class ScriptedEvent:
    """Something the scenario makes happen, for tests and demos to check against (``target_id`` as in truth)."""

    kind: str
    time_s: float
    target_id: int | None
    icao24: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IdentityChange:
    """A change to one aircraft's transponder state at ``time_s`` (the mechanism behind most events)."""

    time_s: float
    aircraft: int
    xpdr: int | None = None
    squawk: int | None = None
    emergency: int | None = None


@dataclass
class SimOutput:
    measurements: pa.Table
    truth: pa.Table


@dataclass
class SimStep:
    """One streaming step: measurements and truth samples with times in [previous time_s, time_s)."""

    time_s: float
    measurements: pa.Table
    truth: pa.Table


@dataclass(frozen=True)
class RawFeed:
    """Encoded bytes as one sensor would send them: ``format`` is "beast" or "asterix".

    ``first_time_s`` is the time of the first frame in ``data`` (Beast counters are relative: see sim/frames.py).
    """

    sensor: str
    format: str
    data: bytes
    first_time_s: float | None = None


class SensorModel(Protocol):
    def observe(self, sensor_index: int, fleet: Fleet, k0: Kinematics, k1: Kinematics, rng) -> Rows: ...


class Scenario:
    """Traffic + sensors + events. Build one with :func:`airpicture.sim.build_scenario`."""

    def __init__(
        self,
        name: str,
        *,
        plane: SystemPlane,
        fleet: Fleet,
        sensors: list[Sensor],
        models: list[tuple[int, SensorModel]],
        start_time_s: float,
        rng: np.random.Generator,
        events: list[ScriptedEvent] | None = None,
        changes: list[IdentityChange] | None = None,
        dt_s: float = 1.0,
        truth_period_s: float = 1.0,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.plane = plane
        self.fleet = fleet
        self.sensors = sensors
        self.models = models
        self.events = sorted(events or [], key=lambda e: e.time_s)
        self._changes = sorted(changes or [], key=lambda c: c.time_s)
        self.start_time_s = float(start_time_s)
        self.rng = rng
        self.dt_s = float(dt_s)
        self.truth_period_s = float(truth_period_s)
        self.extra = extra or {}
        #: ICAO FPL messages of the scheduled flights (the Niger scenario files them; empty otherwise).
        self.flight_plans = ""
        self.time_s = self.start_time_s
        self._steps = 0
        fleet.activate(self.time_s)
        self._k = fleet.kinematics(self.time_s)
        self._strings_version = -1
        self._pending = Rows.make(0)
        self._build_static_strings()

    # -- identity strings, kept as Arrow arrays so a table column is one `take` ---------------------------------

    def _build_static_strings(self) -> None:
        f = self.fleet
        icao = [f"{a:06x}" if a else None for a in f.icao24.tolist()]
        self._icao = pa.array([*icao, None], pa.string())
        self._callsign = pa.array([*f.callsign, None], pa.string())
        self._class = pa.array([*[CLASSES[c].name for c in f.cls.tolist()], None], pa.string())
        self._sensor_ids = pa.array([s.id for s in self.sensors], pa.string())
        self._kinds = pa.array(list(MEASUREMENT_KINDS), pa.string())
        self._emergencies = pa.array(list(EMERGENCIES), pa.string())

    def _squawk_strings(self) -> pa.Array:
        f = self.fleet
        if self._strings_version != f.identity_version:
            codes = [
                f"{s:04d}" if s >= 0 and x >= XPDR_MODE_AC else None
                for s, x in zip(f.squawk.tolist(), f.xpdr.tolist(), strict=True)
            ]
            self._squawk = pa.array([*codes, None], pa.string())
            self._strings_version = f.identity_version
        return self._squawk

    # -- stepping --------------------------------------------------------------------------------------------

    def _apply_changes(self, time_s: float) -> None:
        f = self.fleet
        while self._changes and self._changes[0].time_s <= time_s + 1e-9:
            c = self._changes.pop(0)
            if c.xpdr is not None:
                f.xpdr[c.aircraft] = c.xpdr
            if c.squawk is not None:
                f.squawk[c.aircraft] = c.squawk
            if c.emergency is not None:
                f.emergency[c.aircraft] = c.emergency
            f.identity_version += 1

    def _step(self) -> tuple[Rows, pa.Table]:
        """One internal step from ``time_s`` to ``time_s + dt_s``."""
        t0 = self.time_s
        t1 = self.start_time_s + (self._steps + 1) * self.dt_s
        self._apply_changes(t0)
        if len(self.fleet.activate(t0)):
            self._k = self.fleet.kinematics(t0)
        k0 = self._k
        self.fleet.advance(t1 - t0, self.rng)
        k1 = self.fleet.kinematics(t1)
        parts = [model.observe(index, self.fleet, k0, k1, self.rng) for index, model in self.models]
        rows = Rows.concat([self._pending, *parts])
        rows = rows.take(np.argsort(rows.cols["time_s"], kind="stable"))
        # A squitter sent just before t1 is received (propagation delay) just after: it belongs to the next step,
        # so that the output stays in time order.
        late = int(np.searchsorted(rows.cols["time_s"], t1, side="left"))
        self._pending = rows.take(np.arange(late, len(rows)))
        rows = rows.take(np.arange(late))
        truth = self._truth(k0, k1)
        self._k = k1
        self.time_s = t1
        self._steps += 1
        return rows, truth

    def _truth(self, k0: Kinematics, k1: Kinematics) -> pa.Table:
        p = self.truth_period_s
        first = np.ceil((k0.time_s - 1e-9) / p) * p
        times = np.arange(first, k1.time_s - 1e-9, p)
        real = np.flatnonzero(k0.active & k1.active & (self.fleet.ghost_receiver < 0))
        if len(times) == 0 or len(real) == 0:
            return TRUTH.empty_table()
        idx = np.tile(real, len(times))
        t = np.repeat(times, len(real))
        k = k0.at(k1, idx, t)
        f = self.fleet
        return table_from_columns(
            TRUTH,
            {
                "time_s": t,
                "target_id": f.target_id[idx],
                "lat_deg": k.lat_deg,
                "lon_deg": k.lon_deg,
                "alt_ft": k.alt_m * M_TO_FT,
                "ground_speed_kt": k.ground_speed_mps * MPS_TO_KT,
                "track_deg": k.track_deg,
                "vertical_rate_fpm": k.vertical_rate_mps * MPS_TO_FPM,
                "icao24": self._icao.take(pa.array(idx)),
                "callsign": self._callsign.take(pa.array(idx)),
                "squawk": self._squawk_strings().take(pa.array(idx)),
                "cooperative": f.xpdr[idx] > 0,
                "aircraft_class": self._class.take(pa.array(idx)),
            },
            len(idx),
        )

    def measurements_table(self, rows: Rows) -> pa.Table:
        """Rows as a Measurement table (plus ``df``, ``tc`` and the evaluation-only ``target_id``)."""
        c = rows.cols
        n = len(rows)
        null_slot = self.fleet.n
        ac = c["aircraft"]
        known = ac >= 0

        def pick(strings: pa.Array, flag: int) -> pa.Array:
            return strings.take(pa.array(np.where(known & ((c["ident"] & flag) != 0), ac, null_slot)))

        real = known & (self.fleet.ghost_receiver[np.maximum(ac, 0)] < 0)
        tc = c["tc"]
        return table_from_columns(
            MEASUREMENT,
            {
                "time_s": c["time_s"],
                "sensor": self._sensor_ids.take(pa.array(c["sensor"])),
                "kind": self._kinds.take(pa.array(c["kind"])),
                "lat_deg": c["lat_deg"],
                "lon_deg": c["lon_deg"],
                "range_m": c["range_m"],
                "azimuth_deg": c["azimuth_deg"],
                "alt_baro_ft": c["alt_baro_ft"],
                "icao24": pick(self._icao, HAS_ICAO),
                "callsign": pick(self._callsign, HAS_CALLSIGN),
                "squawk": pick(self._squawk_strings(), HAS_SQUAWK),
                "ground_speed_kt": c["ground_speed_kt"],
                "track_deg": c["track_deg"],
                "vertical_rate_fpm": c["vertical_rate_fpm"],
                "sigma_h_m": c["sigma_h_m"],
                "nacp": c["nacp"],
                "nic": c["nic"],
                "emergency": self._emergencies.take(pa.array(c["emergency"])),
                "spi": pa.nulls(n, pa.bool_()),
                "df": pa.array(np.where(np.isnan(tc), 0, 17), pa.int8(), mask=np.isnan(tc)),
                "tc": pa.array(np.nan_to_num(tc).astype(np.int8), pa.int8(), mask=np.isnan(tc)),
                # ADS-B target state (TC 29), as the Mode S decoder outputs it.
                "selected_alt_ft": c["selected_alt_ft"],
                # The aircraft behind a measurement (null for clutter and spoofed reports): for evaluation only.
                "target_id": pa.array(np.where(real, ac, 0), pa.int64(), mask=~real),
            },
            n,
        )

    def _advance_to(self, end_s: float) -> tuple[list[Rows], list[pa.Table]]:
        rows_parts, truth_parts = [], []
        while self.time_s < end_s - 1e-9:
            rows, truth = self._step()
            rows_parts.append(rows)
            truth_parts.append(truth)
        return rows_parts, truth_parts

    def stream_rows(self, step_s: float) -> Iterator[tuple[float, float, Rows, pa.Table]]:
        """Advance by ``step_s`` (rounded to whole internal steps) per item, without end: (t0, t1, rows, truth)."""
        n_inner = max(1, round(step_s / self.dt_s))
        while True:
            t0 = self.time_s
            end = self.start_time_s + (self._steps + n_inner) * self.dt_s
            rows_parts, truth_parts = self._advance_to(end)
            yield t0, self.time_s, Rows.concat(rows_parts), _concat(truth_parts, TRUTH)

    def stream(self, step_s: float) -> Iterator[SimStep]:
        """Advance by ``step_s`` (rounded to whole internal steps) per item, without end."""
        for _, t1, rows, truth in self.stream_rows(step_s):
            yield SimStep(t1, self.measurements_table(rows), truth)

    def chunks(self, duration_s: float, chunk_s: float = 10.0) -> Iterator[SimStep]:
        """Steps of ``chunk_s`` covering exactly ``duration_s`` from now (the last chunk may be shorter)."""
        end = self.time_s + duration_s
        while self.time_s < end - 1e-9:
            rows_parts, truth_parts = self._advance_to(min(self.time_s + chunk_s, end))
            yield SimStep(self.time_s, self.measurements_table(Rows.concat(rows_parts)), _concat(truth_parts, TRUTH))

    def run(self, duration_s: float, progress: bool = False, chunk_s: float = 10.0) -> SimOutput:
        """Simulate ``duration_s`` from the current time; all measurements and truth in two tables.

        Everything is held in memory: for long stress runs, iterate :meth:`chunks` or :meth:`stream` instead
        (``airpicture simulate`` streams to disk).
        """
        begin = self.time_s
        meas, truth = [], []
        started, last_print = time.monotonic(), 0.0
        for step in self.chunks(duration_s, chunk_s):
            meas.append(step.measurements)
            truth.append(step.truth)
            now = time.monotonic()
            if progress and (now - last_print > 1.0 or step.time_s >= begin + duration_s - 1e-9):
                last_print = now
                print_progress(self, step.time_s - begin, duration_s, sum(t.num_rows for t in meas))
        if progress:
            print(f" ({time.monotonic() - started:.1f} s)", file=sys.stderr)
        return SimOutput(_concat(meas, MEASUREMENT), _concat(truth, TRUTH))

    def stream_frames(self, step_s: float):
        """Encoded frames per step: see :mod:`airpicture.sim.frames` (imported lazily: it needs the encoders)."""
        from airpicture.sim.frames import stream_frames

        return stream_frames(self, step_s)


def print_progress(scenario: Scenario, done_s: float, total_s: float, n_rows: int) -> None:
    active = int(scenario.fleet.active.sum())
    print(
        f"\rsimulate {scenario.name}: {done_s:7.0f}/{total_s:.0f} s, {active} aircraft, {n_rows:,} measurements",
        end="",
        file=sys.stderr,
        flush=True,
    )


def _concat(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return schema.empty_table()
    return pa.concat_tables(tables, promote_options="default")
