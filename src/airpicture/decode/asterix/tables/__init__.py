"""Item tables per category and edition, written from the EUROCONTROL ASTERIX specifications.

``EDITIONS[category][edition]`` is an :class:`~airpicture.decode.asterix.spec.Edition`; ``LATEST[category]`` is
the edition used when the configuration names none for a source.
"""

from __future__ import annotations

from airpicture.decode.asterix.spec import Edition
from airpicture.decode.asterix.tables import cat001, cat002, cat010, cat021, cat034, cat048, cat062, cat065

_MODULES = [cat001, cat002, cat010, cat021, cat034, cat048, cat062, cat065]

EDITIONS: dict[int, dict[str, Edition]] = {}
LATEST: dict[int, str] = {}
for _m in _MODULES:
    _cat = next(iter(_m.EDITIONS.values())).category
    EDITIONS[_cat] = dict(_m.EDITIONS)
    LATEST[_cat] = _m.LATEST


def edition(category: int, name: str | None = None) -> Edition:
    """The table for ``category`` at edition ``name`` (latest when None); KeyError names what is available."""
    eds = EDITIONS.get(category)
    if eds is None:
        raise KeyError(f"ASTERIX category {category} is not supported (supported: {sorted(EDITIONS)})")
    key = LATEST[category] if name is None else name
    if key not in eds:
        raise KeyError(f"CAT{category:03d} edition {key!r} is not known (known: {', '.join(sorted(eds))})")
    return eds[key]
