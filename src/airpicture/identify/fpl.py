"""ICAO ATS messages about flight plans (PANS-ATM Doc 4444, Appendix 3): FPL, CHG, DLA, CNL and ARR.

Fields kept from the FPL: 7 (aircraft identification and SSR code), 8 (flight rules, type of flight), 9 (type of
aircraft, wake turbulence), 10 (equipment), 13 (departure aerodrome and time), 15 (speed, level, route), 16
(destination, total EET, alternates) and 18 (other information: REG/, CODE/ = Mode S address, DOF/, ...).
A message with an error is rejected with a message naming the message and the field; the other messages load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from airpicture.identify.route import Route, expand_route

F7 = re.compile(r"^([A-Z0-9]{1,7})(?:/([AC])([0-7]{4}))?$")
F8 = re.compile(r"^([IVYZ])([SNGMX])?$")
F9 = re.compile(r"^(\d{0,2})([A-Z][A-Z0-9]{1,3}|ZZZZ)/([LMHJ])$")
F13 = re.compile(r"^([A-Z]{4})(\d{4})?$")
F16 = re.compile(r"^([A-Z]{4})(\d{4})?((?:\s+[A-Z]{4}){0,2})$")
F17 = re.compile(r"^([A-Z]{4})(\d{4})(?:\s+(.*))?$")
F18_ITEM = re.compile(r"\b([A-Z]{2,4})/")
HHMM = re.compile(r"^([01]\d|2[0-3])[0-5]\d$")


class FplError(ValueError):
    """A message that cannot be used; the text names the message and the field."""


@dataclass
class FlightPlan:
    aircraft_id: str
    departure: str
    destination: str
    ssr_code: str | None = None
    flight_rules: str | None = None
    flight_type: str | None = None
    aircraft_type: str | None = None
    wake: str | None = None
    equipment: str | None = None
    eobt: str | None = None
    route_text: str = ""
    route: Route = field(default_factory=Route)
    eet: str | None = None
    alternates: tuple[str, ...] = ()
    other: dict[str, str] = field(default_factory=dict)
    status: str = "filed"  # filed, delayed, changed, cancelled, arrived
    arrival_time: str | None = None

    @property
    def plan_id(self) -> str:
        dof = self.other.get("DOF")
        return f"{self.aircraft_id}-{self.departure}-{self.destination}" + (f"-{dof}" if dof else "")

    @property
    def mode_s_address(self) -> str | None:
        code = self.other.get("CODE")
        return code.lower() if code and re.fullmatch(r"[0-9A-Fa-f]{6}", code) else None

    @property
    def registration(self) -> str | None:
        reg = self.other.get("REG")
        return reg.replace("-", "").upper() if reg else None

    @property
    def active(self) -> bool:
        return self.status not in ("cancelled", "arrived")


def parse_field18(text: str) -> dict[str, str]:
    text = text.strip()
    if text in ("", "0"):
        return {}
    items = list(F18_ITEM.finditer(text))
    if not items or items[0].start() != 0:
        raise FplError(f"field 18: {text[:30]!r} does not start with an indicator like DOF/")
    out: dict[str, str] = {}
    for k, m in enumerate(items):
        end = items[k + 1].start() if k + 1 < len(items) else len(text)
        value = text[m.end() : end].strip()
        out[m.group(1)] = f"{out[m.group(1)]} {value}" if m.group(1) in out else value
    if "DOF" in out and not re.fullmatch(r"\d{6}", out["DOF"]):
        raise FplError(f"field 18: DOF/{out['DOF']} is not YYMMDD")
    if "CODE" in out and not re.fullmatch(r"[0-9A-Fa-f]{6}", out["CODE"]):
        raise FplError(f"field 18: CODE/{out['CODE']} is not a 24-bit address in 6 hex digits")
    return out


def _field(pattern: re.Pattern, text: str, number: int, like: str) -> re.Match:
    m = pattern.match(text.strip())
    if not m:
        raise FplError(f"field {number}: {text.strip()!r} is not like {like}")
    return m


def _f13(text: str) -> tuple[str, str | None]:
    m = _field(F13, text, 13, "DRRN0800 (aerodrome and time)")
    if m.group(2) and not HHMM.match(m.group(2)):
        raise FplError(f"field 13: time {m.group(2)} is not HHMM")
    return m.group(1), m.group(2)


def _f16(text: str) -> tuple[str, str | None, tuple[str, ...]]:
    m = _field(F16, text, 16, "DRRN0130 DRRM (destination, EET, alternates)")
    return m.group(1), m.group(2), tuple(m.group(3).split())


def split_messages(text: str) -> list[str]:
    """Messages are bracketed ``( ... )``; text outside brackets (headers, addresses) is ignored."""
    return [m.strip() for m in re.findall(r"\(([^()]*)\)?", text.replace("\r", "")) if m.strip()]


def parse_fpl(body: str, points: dict[str, tuple[float, float]] | None = None) -> FlightPlan:
    parts = [p.strip() for p in body.replace("\n", " ").split("-")]
    if len(parts) < 9:
        raise FplError(f"FPL has {len(parts) - 1} fields, expected 8 (7, 8, 9, 10, 13, 15, 16, 18)")
    _, f7, f8, f9, f10, f13, f15, f16, *rest = parts
    m7 = _field(F7, f7, 7, "ABC123 or ABC123/A1234")
    m8 = _field(F8, f8, 8, "IS (flight rules and type of flight)")
    m9 = _field(F9, f9, 9, "B738/M (type/wake)")
    if "/" not in f10:
        raise FplError(f"field 10: {f10!r} is not like SDFG/S (equipment/surveillance)")
    dep, eobt = _f13(f13)
    dest, eet, alternates = _f16(f16)
    # Field 18 may hold a stray hyphen (REG/5N-ABC); field 19 (supplementary) starts with one-letter indicators.
    f18 = list(rest[:1])
    for part in rest[1:]:
        if re.match(r"^[A-Z]/", part):
            break
        f18.append(part)
    other = parse_field18("-".join(f18)) if f18 else {}
    try:
        route = expand_route(f15, dep, dest, points)
    except ValueError as exc:
        raise FplError(f"field 15: {exc}") from exc
    return FlightPlan(
        aircraft_id=m7.group(1),
        departure=dep,
        destination=dest,
        ssr_code=m7.group(3),
        flight_rules=m8.group(1),
        flight_type=m8.group(2),
        aircraft_type=m9.group(2),
        wake=m9.group(3),
        equipment=f10,
        eobt=eobt,
        route_text=" ".join(f15.split()),
        route=route,
        eet=eet,
        alternates=alternates,
        other=other,
    )


@dataclass
class _Reference:
    """Fields 7, 13, 16 (and 18 DOF) that name the plan a CHG/DLA/CNL refers to."""

    aircraft_id: str
    departure: str
    destination: str | None
    time: str | None
    dof: str | None


def _reference(parts: list[str], with_destination: bool = True) -> tuple[_Reference, list[str]]:
    if len(parts) < (4 if with_destination else 3):
        raise FplError(f"{parts[0]} needs fields 7, 13{', 16' if with_destination else ''}")
    m7 = _field(F7, parts[1], 7, "ABC123")
    dep, time = _f13(parts[2])
    dest = _f16(parts[3])[0] if with_destination else None
    rest = parts[4:] if with_destination else parts[3:]
    dof = None
    if with_destination and rest and not re.match(r"^\d{1,2}/", rest[0]):
        other = parse_field18(rest[0])
        dof = other.get("DOF")
        rest = rest[1:]
    return _Reference(m7.group(1), dep, dest, time, dof), rest


class FlightPlanStore:
    """Flight plans by id, kept current by CHG/DLA/CNL/ARR; errors are collected, never fatal."""

    def __init__(self, points: dict[str, tuple[float, float]] | None = None) -> None:
        self.points = points or {}
        self.plans: dict[str, FlightPlan] = {}
        self.problems: list[str] = []
        self._count = 0
        #: Bumped by every apply(): consumers rebuild what they derived from the plans.
        self.version = 0

    def __len__(self) -> int:
        return len(self.plans)

    def _find(self, ref: _Reference) -> FlightPlan | None:
        for plan in self.plans.values():
            if plan.aircraft_id != ref.aircraft_id or plan.departure != ref.departure:
                continue
            if ref.destination and plan.destination != ref.destination:
                continue
            if ref.dof and plan.other.get("DOF") not in (None, ref.dof):
                continue
            return plan
        return None

    def apply(self, text: str) -> list[str]:
        """Apply every message in ``text``; return the problems (also appended to ``self.problems``)."""
        problems = []
        self.version += 1
        for body in split_messages(text):
            self._count += 1
            kind = re.split(r"[-/\s]", body, maxsplit=1)[0].upper()[:3]
            label = f"message {self._count} ({' '.join(body.split('-')[:2])})"
            try:
                self._apply_one(kind, body)
            except FplError as exc:
                problems.append(f"{label}: {exc}")
        self.problems.extend(problems)
        return problems

    def _apply_one(self, kind: str, body: str) -> None:
        parts = [p.strip() for p in body.replace("\n", " ").split("-")]
        if kind == "FPL":
            plan = parse_fpl(body, self.points)
            self.plans[plan.plan_id] = plan
            return
        if kind not in ("CHG", "DLA", "CNL", "ARR"):
            raise FplError(f"message type {kind!r} is not FPL, CHG, DLA, CNL or ARR")
        ref, rest = _reference(parts, with_destination=kind != "ARR")
        plan = self._find(ref)
        if plan is None:
            raise FplError(f"no flight plan {ref.aircraft_id} from {ref.departure} to refer to")
        if kind == "DLA":
            if not ref.time:
                raise FplError("field 13: DLA needs the new off-block time, like DRRN0930")
            plan.eobt, plan.status = ref.time, "delayed"
        elif kind == "CNL":
            plan.status = "cancelled"
        elif kind == "ARR":
            if not rest:
                raise FplError("field 17: ARR needs the arrival aerodrome and time, like DRRN1012")
            m = _field(F17, rest[0], 17, "DRRN1012 (arrival aerodrome and time)")
            plan.status, plan.arrival_time = "arrived", m.group(2)
        else:
            self._amend(plan, rest)

    def _amend(self, plan: FlightPlan, amendments: list[str]) -> None:
        """CHG field 22: ``NN/new content`` items; the plan is rebuilt and validated as a whole."""
        if not amendments:
            raise FplError("field 22: CHG carries no amendment")
        fields = {
            7: plan.aircraft_id + (f"/A{plan.ssr_code}" if plan.ssr_code else ""),
            8: (plan.flight_rules or "I") + (plan.flight_type or ""),
            9: f"{plan.aircraft_type}/{plan.wake}",
            10: plan.equipment or "S/C",
            13: plan.departure + (plan.eobt or ""),
            15: plan.route_text,
            16: plan.destination + (plan.eet or "") + "".join(f" {a}" for a in plan.alternates),
            18: " ".join(f"{k}/{v}" for k, v in plan.other.items()) or "0",
        }
        for item in amendments:
            m = re.match(r"^(\d{1,2})/(.*)$", item, re.S)
            if not m or int(m.group(1)) not in fields:
                raise FplError(f"field 22: {item[:20]!r} is not an amendment of field 7, 8, 9, 10, 13, 15, 16 or 18")
            fields[int(m.group(1))] = m.group(2).strip()
        body = "-".join(["FPL", *(fields[k] for k in (7, 8, 9, 10, 13, 15, 16, 18))])
        new = parse_fpl(body, self.points)
        old_id = plan.plan_id
        del self.plans[old_id]
        self.plans[new.plan_id] = replace(new, status="changed")

    def load(self, path: str | Path) -> list[str]:
        return self.apply(Path(path).read_text(encoding="utf-8", errors="replace"))

    def active(self) -> list[FlightPlan]:
        return [p for p in self.plans.values() if p.active]

    def duplicate_codes(self) -> dict[str, list[str]]:
        """SSR codes assigned to more than one active plan (the codes cannot identify those flights)."""
        by_code: dict[str, list[str]] = {}
        for p in self.active():
            if p.ssr_code:
                by_code.setdefault(p.ssr_code, []).append(p.plan_id)
        return {c: ids for c, ids in by_code.items() if len(ids) > 1}
