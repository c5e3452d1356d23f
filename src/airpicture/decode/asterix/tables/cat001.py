"""CAT001 — Monoradar Target Reports (EUROCONTROL SUR.ET1.ST05.2000-STD-02a), edition 1.2.

The one category with two UAPs: the first bit of I001/020 (TYP) says whether the record is a plot (0) or a track
(1), and the items after FRN 2 follow that UAP. Random Field Sequencing (RFS, FRN 21 in both UAPs) carries items
of the same UAP as (FRN, item) pairs after the FSPEC-ordered ones.
"""

# ruff: noqa: E501  (one field per bit-diagram line reads better than wrapped)
from airpicture.decode.asterix.spec import E, Edition, F, S, explicit, extended, fixed, flags, random_fields, spare, uap

# The item tables keep one item per line, as the ASTERIX specification lists them.
# fmt: off

I010 = fixed("010", "Data Source Identifier", F("SAC", 8), F("SIC", 8))
I020 = extended(
    "020",
    "Target Report Descriptor",
    [F("TYP", 1), F("SIM", 1), F("SSRPSR", 2), F("ANT", 1), F("SPI", 1), F("RAB", 1)],
    [F("TST", 1), F("DS1DS2", 2), F("ME", 1), F("MI", 1), spare(2)],
)
I030 = extended("030", "Warning/Error Conditions", *([F("WE", 7)],) * 8)
I040 = fixed("040", "Measured Position in Polar Coordinates", F("RHO", 16, 1 / 128, "NM"), F("THETA", 16, 360 / 2**16, "deg"))
I042 = fixed("042", "Calculated Position in Cartesian Coordinates", S("X", 16, 1 / 64, "NM"), S("Y", 16, 1 / 64, "NM"))
I050 = fixed("050", "Mode-2 Code in Octal Representation", F("V", 1), F("G", 1), F("L", 1), spare(1), E("Mode2", 12, "octal"))
_Q = "QA4 QA2 QA1 QB4 QB2 QB1 QC4 QC2 QC1 QD4 QD2 QD1"
I060 = fixed("060", "Mode-2 Code Confidence Indicator", spare(4), *flags(_Q))
I070 = fixed("070", "Mode-3/A Code in Octal Representation", F("V", 1), F("G", 1), F("L", 1), spare(1), E("Mode3A", 12, "octal"))
I080 = fixed("080", "Mode-3/A Code Confidence Indicator", spare(4), *flags(_Q))
I090 = fixed("090", "Mode-C Code in Binary Representation", F("V", 1), F("G", 1), S("FL", 14, 0.25, "FL"))
I100 = fixed("100", "Mode-C Code and Code Confidence Indicator", F("V", 1), F("G", 1), spare(2), F("ModeC", 12), spare(4), *flags("QC1 QA1 QC2 QA2 QC4 QA4 QB1 QD1 QB2 QD2 QB4 QD4"))
I120 = fixed("120", "Measured Radial Doppler Speed", S("DS", 8, 2**-14, "NM/s"))
I130 = extended("130", "Radar Plot Characteristics", *([F("IND", 7)],) * 8)
I131 = fixed("131", "Received Power", S("POWER", 8, 1, "dBm"))
I141 = fixed("141", "Truncated Time of Day", F("TToD", 16, 1 / 128, "s"))
I150 = fixed("150", "Presence of X-Pulse", F("XA", 1), spare(1), F("XC", 1), spare(2), F("X2", 1), spare(2))
I161 = fixed("161", "Track Plot Number", F("TPN", 16))
I170 = extended(
    "170",
    "Track Status",
    [F("CON", 1), F("RAD", 1), F("MAN", 1), F("DOU", 1), F("RDPC", 1), spare(1), F("GHO", 1)],
    [F("TRE", 1), spare(6)],
)
I200 = fixed("200", "Track Velocity in Polar Coordinates", F("CGS", 16, 2**-14, "NM/s"), F("CHdg", 16, 360 / 2**16, "deg"))
I210 = extended("210", "Track Quality", *([F("QI", 7)],) * 8)
SP = explicit("SP", "Special Purpose Field")
RFS = random_fields("RFS", "Random Field Sequencing")

UAP_PLOT = uap(
    I010, I020, I040, I070, I090, I130, I141,
    I050, I120, I131, I080, I100, I060, I030,
    I150, None, None, None, None, SP, RFS,
    None, None, None, None, None, None, None,
)  # fmt: skip
UAP_TRACK = uap(
    I010, I020, I161, I040, I042, I200, I070,
    I090, I141, I130, I131, I120, I170, I210,
    I050, I080, I100, I060, I030, SP, RFS,
    I150, None, None, None, None, None, None,
)  # fmt: skip

EDITIONS = {"1.2": Edition(1, "1.2", {"plot": UAP_PLOT, "track": UAP_TRACK}, uap_selector=("020", "plot", "track"))}
LATEST = "1.2"
# fmt: on
