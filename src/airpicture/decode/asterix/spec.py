"""The vocabulary of ASTERIX item tables: fields, the five item kinds, and a category edition's UAP.

Tables (``cat048.py``…) are written with these small constructors, one line per field, bits in transmission order
(most significant first), so a table reads like the specification's bit diagram. The parser and the encoder are
driven entirely by these objects: no category has hand-written byte code.

Item kinds (EUROCONTROL ASTERIX Part 1):
- Fixed: a constant number of octets.
- Extended: a primary part and extensions, the last bit of each part (FX) says whether another part follows.
- Repetitive: a one-octet repetition factor REP, then REP fixed elements.
- Explicit: a one-octet length (counting itself), then opaque content (RE and SP fields).
- Compound: a primary subfield of presence bits (with FX chaining) followed by the present subitems.
- Random Field Sequencing (CAT001 only): a count, then (FRN, item) pairs in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

#: Field encodings beyond a plain unsigned integer.
#: ``signed``: two's complement; ``octal``: Mode 1/2/3A codes (decoded as an int, shown as 4 octal digits);
#: ``chars6``: ICAO 6-bit characters (callsigns); ``ascii``: 8-bit characters; ``hex``: an address shown in hex;
#: ``spare``: must be transmitted as zero, not reported.
ENCODINGS = ("uint", "signed", "octal", "chars6", "ascii", "hex", "spare")


@dataclass(frozen=True)
class Field:
    """One field of an item: ``bits`` wide, value = raw × ``scale`` (in the specification's unit, e.g. NM, FL, s)."""

    name: str
    bits: int
    scale: float | None = None
    encoding: str = "uint"
    unit: str = ""

    @property
    def is_spare(self) -> bool:
        return self.encoding == "spare"


def F(name: str, bits: int, scale: float | None = None, unit: str = "") -> Field:
    """An unsigned field (optionally scaled)."""
    return Field(name, bits, scale, "uint", unit)


def S(name: str, bits: int, scale: float | None = None, unit: str = "") -> Field:
    """A two's-complement field."""
    return Field(name, bits, scale, "signed", unit)


def E(name: str, bits: int, encoding: str) -> Field:
    """A field with a special encoding (octal, chars6, ascii, hex)."""
    return Field(name, bits, None, encoding)


def flags(names: str) -> tuple[Field, ...]:
    """Consecutive one-bit fields, named in a space-separated string (code confidence bits and the like)."""
    return tuple(Field(name, 1) for name in names.split(" "))


def spare(bits: int) -> Field:
    return Field("spare", bits, None, "spare")


@dataclass(frozen=True)
class Item:
    """Base of the item kinds; ``name`` is the item's identifier, e.g. ``I048/040``."""

    name: str
    title: str


@dataclass(frozen=True)
class Fixed(Item):
    fields: tuple[Field, ...]

    @cached_property
    def length(self) -> int:
        return sum(f.bits for f in self.fields) // 8


@dataclass(frozen=True)
class Extended(Item):
    """Parts of ``part_lengths`` octets each; each part's fields leave out its final FX bit."""

    parts: tuple[tuple[Field, ...], ...]

    @cached_property
    def part_lengths(self) -> tuple[int, ...]:
        return tuple((sum(f.bits for f in p) + 1) // 8 for p in self.parts)


@dataclass(frozen=True)
class Repetitive(Item):
    element: Fixed


@dataclass(frozen=True)
class Explicit(Item):
    """A one-octet length (counting itself), then content (Reserved Expansion / Special Purpose fields).

    ``content`` is the structure of the bytes after the length where it is known (a Reserved Expansion Field
    defined by the category's RE coding rules, e.g. CAT021's); otherwise the item is skipped by its length. A
    record whose content does not match the definition exactly keeps the field opaque (never a partial guess).
    """

    content: Item | None = None


@dataclass(frozen=True)
class RandomFields(Item):
    """Random Field Sequencing (CAT001 FRN 21): a count N, then N times an FRN octet and that item of the same UAP,
    in any order. It lets a radar send items outside the FSPEC order; each is read as if the FSPEC had named it."""


@dataclass(frozen=True)
class Compound(Item):
    """Subitems in presence-bit order; ``None`` marks a spare presence bit."""

    subitems: tuple[Item | None, ...]


@dataclass(frozen=True)
class UAP:
    """The User Application Profile: item per Field Reference Number (FRN 1 first); ``None`` is a spare FRN."""

    items: tuple[Item | None, ...]


@dataclass(frozen=True)
class Edition:
    """One edition of one category. ``uaps`` has one UAP, or two for CAT001 (plot, track) chosen by I001/020 TYP."""

    category: int
    edition: str
    uaps: dict[str, UAP]
    #: For a category with several UAPs: the item (FRN 2 in CAT001) whose first bit selects the UAP, and the UAP
    #: names for bit = 0 and bit = 1.
    uap_selector: tuple[str, str, str] | None = None
    notes: str = ""
    items: dict[str, Item] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for uap in self.uaps.values():
            for item in uap.items:
                if item is not None:
                    self.items.setdefault(item.name, item)


def fixed(name: str, title: str, *fields: Field) -> Fixed:
    total = sum(f.bits for f in fields)
    if total % 8:
        raise ValueError(f"{name}: fixed item of {total} bits is not whole octets")
    return Fixed(name, title, tuple(fields))


def extended(name: str, title: str, *parts: tuple[Field, ...] | list[Field]) -> Extended:
    for i, p in enumerate(parts):
        if (sum(f.bits for f in p) + 1) % 8:
            raise ValueError(f"{name}: part {i} plus FX is not whole octets")
    return Extended(name, title, tuple(tuple(p) for p in parts))


def repetitive(name: str, title: str, *fields: Field) -> Repetitive:
    return Repetitive(name, title, fixed(name, title, *fields))


def explicit(name: str, title: str, content: Item | None = None) -> Explicit:
    return Explicit(name, title, content)


def random_fields(name: str, title: str) -> RandomFields:
    return RandomFields(name, title)


def compound(name: str, title: str, *subitems: Item | None) -> Compound:
    return Compound(name, title, tuple(subitems))


def uap(*items: Item | None) -> UAP:
    return UAP(tuple(items))
