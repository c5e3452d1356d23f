"""Write one of our edition tables as an asterix-decoder XML category definition.

asterix-decoder ships no CAT062 ed. 0.17 nor CAT021 ed. 0.26 definition, so to cross-check those editions its
decoding machinery is given our table in its own format. This checks our walker and field extraction against an
independent implementation; it cannot check the table itself (the other editions are checked against its own
tables).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from airpicture.decode.asterix.spec import Compound, Edition, Explicit, Extended, Field, Fixed, Item, Repetitive

_EXPLICIT_BODY = '<Fixed length="1"><Bits from="8" to="1"><BitsShortName>VAL</BitsShortName></Bits></Fixed>'
_SPARE = "<BitsShortName>spare</BitsShortName><BitsConst>0</BitsConst>"
_ENCODE = {"signed": "signed", "octal": "octal", "chars6": "6bitschar", "ascii": "ascii", "hex": "hex"}


def _bits(fields: tuple[Field, ...], total: int, fx: bool) -> list[str]:
    out, hi = [], total
    for f in fields:
        lo = hi - f.bits + 1
        pos = f'bit="{hi}"' if f.bits == 1 else f'from="{hi}" to="{lo}"'
        enc = f' encode="{_ENCODE[f.encoding]}"' if f.encoding in _ENCODE else ""
        name = "spare" if f.is_spare else escape(f.name)
        unit = f'<BitsUnit scale="{f.scale!r}"/>' if f.scale is not None else ""
        body = "<BitsConst>0</BitsConst>" if f.is_spare else unit
        out.append(f"<Bits {pos}{enc}><BitsShortName>{name}</BitsShortName>{body}</Bits>")
        hi = lo - 1
    if fx:
        out.append('<Bits bit="1" fx="1"><BitsShortName>FX</BitsShortName></Bits>')
    return out


def _format(item: Item) -> str:
    if isinstance(item, Fixed):
        return f'<Fixed length="{item.length}">' + "".join(_bits(item.fields, 8 * item.length, False)) + "</Fixed>"
    if isinstance(item, Extended):
        parts = [
            f'<Fixed length="{n}">' + "".join(_bits(p, 8 * n, True)) + "</Fixed>"
            for p, n in zip(item.parts, item.part_lengths, strict=True)
        ]
        return "<Variable>" + "".join(parts) + "</Variable>"
    if isinstance(item, Repetitive):
        return "<Repetitive>" + _format(item.element) + "</Repetitive>"
    if isinstance(item, Explicit):
        return "<Explicit>" + _EXPLICIT_BODY + "</Explicit>"
    if isinstance(item, Compound):
        octets = []
        n = len(item.subitems)
        for k in range((n + 6) // 7):
            bits = []
            for b in range(7):
                i = 7 * k + b
                sub = item.subitems[i] if i < n else None
                if sub is None:
                    bits.append(f'<Bits bit="{8 - b}">{_SPARE}</Bits>')
                else:
                    presence = f"<BitsShortName>{sub.name}</BitsShortName><BitsPresence>{i + 1}</BitsPresence>"
                    bits.append(f'<Bits bit="{8 - b}">{presence}</Bits>')
            bits.append('<Bits bit="1" fx="1"><BitsShortName>FX</BitsShortName></Bits>')
            octets.append('<Fixed length="1">' + "".join(bits) + "</Fixed>")
        subs = "".join(_format(s) for s in item.subitems if s is not None)
        return "<Compound><Variable>" + "".join(octets) + "</Variable>" + subs + "</Compound>"
    raise TypeError(item)


def edition_xml(edition: Edition) -> str:
    items = []
    for item in edition.items.values():
        items.append(
            f'<DataItem id="{item.name}"><DataItemName>{escape(item.title)}</DataItemName>'
            f"<DataItemDefinition>-</DataItemDefinition><DataItemFormat>{_format(item)}</DataItemFormat></DataItem>"
        )
    uap = next(iter(edition.uaps.values()))
    entries, bit, frn = [], 0, 1
    for k in range(0, len(uap.items), 7):
        for it in uap.items[k : k + 7]:
            name = it.name if it is not None else "-"
            entries.append(f'<UAPItem bit="{bit}" frn="{frn}" len="-">{name}</UAPItem>')
            bit += 1
            frn += 1
        bit += 7 - len(uap.items[k : k + 7])
        entries.append(f'<UAPItem bit="{bit}" frn="FX" len="-">-</UAPItem>')
        bit += 1
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Category id="{edition.category}" name="airpicture table" ver="{edition.edition}">'
        + "".join(items)
        + "<UAP>"
        + "".join(entries)
        + "</UAP></Category>\n"
    )
