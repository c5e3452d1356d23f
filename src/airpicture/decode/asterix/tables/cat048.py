"""CAT048 — Monoradar Target Reports (EUROCONTROL-SPEC-0149-4), edition 1.21.

Editions 1.15 to 1.23 keep this UAP and these item layouts; I048/020 gained a third extension in 1.23 (ADS-B and
SCN/PAI populated bits), which this table carries so that both decode.
"""

from airpicture.decode.asterix.spec import (
    E,
    Edition,
    F,
    S,
    compound,
    explicit,
    extended,
    fixed,
    flags,
    repetitive,
    spare,
    uap,
)

# The item tables keep one item per line, as the ASTERIX specification lists them.
# fmt: off

# ruff: noqa: E501  (one field per bit-diagram line reads better than wrapped)
NM = "NM"
I010 = fixed("010", "Data Source Identifier", F("SAC", 8), F("SIC", 8))
I140 = fixed("140", "Time of Day", F("ToD", 24, 1 / 128, "s"))
I020 = extended(
    "020",
    "Target Report Descriptor",
    [F("TYP", 3), F("SIM", 1), F("RDP", 1), F("SPI", 1), F("RAB", 1)],
    [F("TST", 1), F("ERR", 1), F("XPP", 1), F("ME", 1), F("MI", 1), F("FOEFRI", 2)],
    [F("ADSB_EP", 1), F("ADSB_VAL", 1), F("SCN_EP", 1), F("SCN_VAL", 1), F("PAI_EP", 1), F("PAI_VAL", 1), spare(1)],
)
I040 = fixed("040", "Measured Position in Polar Co-ordinates", F("RHO", 16, 1 / 256, NM), F("THETA", 16, 360 / 2**16, "deg"))
I070 = fixed("070", "Mode-3/A Code in Octal Representation", F("V", 1), F("G", 1), F("L", 1), spare(1), E("Mode3A", 12, "octal"))
I090 = fixed("090", "Flight Level in Binary Representation", F("V", 1), F("G", 1), S("FL", 14, 1 / 4, "FL"))
I130 = compound(
    "130",
    "Radar Plot Characteristics",
    fixed("SRL", "SSR plot runlength", F("SRL", 8, 360 / 2**13, "deg")),
    fixed("SRR", "Number of received replies", F("SRR", 8)),
    fixed("SAM", "Amplitude of received replies", S("SAM", 8, 1, "dBm")),
    fixed("PRL", "Primary plot runlength", F("PRL", 8, 360 / 2**13, "deg")),
    fixed("PAM", "Amplitude of primary plot", S("PAM", 8, 1, "dBm")),
    fixed("RPD", "Difference in range PSR-SSR", S("RPD", 8, 1 / 256, NM)),
    fixed("APD", "Difference in azimuth PSR-SSR", S("APD", 8, 360 / 2**14, "deg")),
)
I220 = fixed("220", "Aircraft Address", E("ACAddr", 24, "hex"))
I240 = fixed("240", "Aircraft Identification", E("TId", 48, "chars6"))
I250 = repetitive("250", "Mode S MB Data", E("MBData", 56, "hex"), F("BDS1", 4), F("BDS2", 4))
I161 = fixed("161", "Track Number", spare(4), F("Tn", 12))
I042 = fixed("042", "Calculated Position in Cartesian Co-ordinates", S("X", 16, 1 / 128, NM), S("Y", 16, 1 / 128, NM))
I200 = fixed("200", "Calculated Track Velocity in Polar Co-ordinates", F("CGS", 16, 2**-14, "NM/s"), F("CHdg", 16, 360 / 2**16, "deg"))
I170 = extended(
    "170",
    "Track Status",
    [F("CNF", 1), F("RAD", 2), F("DOU", 1), F("MAH", 1), F("CDM", 2)],
    [F("TRE", 1), F("GHO", 1), F("SUP", 1), F("TCC", 1), spare(3)],
)
I210 = fixed(
    "210",
    "Track Quality",
    F("SigmaX", 8, 1 / 128, NM),
    F("SigmaY", 8, 1 / 128, NM),
    F("SigmaV", 8, 2**-14, "NM/s"),
    F("SigmaH", 8, 360 / 2**12, "deg"),
)
I030 = extended("030", "Warning/Error Conditions and Target Classification", *([F("WE", 7)],) * 8)
I080 = fixed("080", "Mode-3/A Code Confidence Indicator", spare(4), *flags("QA4 QA2 QA1 QB4 QB2 QB1 QC4 QC2 QC1 QD4 QD2 QD1"))
I100 = fixed(
    "100",
    "Mode-C Code and Code Confidence Indicator",
    F("V", 1), F("G", 1), spare(2), F("ModeC", 12), spare(4),
    *flags("QC1 QA1 QC2 QA2 QC4 QA4 QB1 QD1 QB2 QD2 QB4 QD4"),
)
I110 = fixed("110", "Height Measured by a 3D Radar", spare(2), S("3D_Height", 14, 25, "ft"))
I120 = compound(
    "120",
    "Radial Doppler Speed",
    fixed("CAL", "Calculated Doppler Speed", F("D", 1), spare(5), S("CAL", 10, 1, "m/s")),
    repetitive("RDS", "Raw Doppler Speed", F("DOP", 16, 1, "m/s"), F("AMB", 16, 1, "m/s"), F("FRQ", 16, 1, "MHz")),
)
I230 = fixed(
    "230",
    "Communications/ACAS Capability and Flight Status",
    F("COM", 3), F("STAT", 3), F("SI", 1), spare(1), F("MSSC", 1), F("ARC", 1), F("AIC", 1), F("B1A", 1), F("B1B", 4),
)
I260 = fixed("260", "ACAS Resolution Advisory Report", E("ACASRA", 56, "hex"))
I055 = fixed("055", "Mode-1 Code in Octal Representation", F("V", 1), F("G", 1), F("L", 1), F("Mode1", 5))
I050 = fixed("050", "Mode-2 Code in Octal Representation", F("V", 1), F("G", 1), F("L", 1), spare(1), E("Mode2", 12, "octal"))
I065 = fixed("065", "Mode-1 Code Confidence Indicator", spare(3), *flags("QA4 QA2 QA1 QB2 QB1"))
I060 = fixed("060", "Mode-2 Code Confidence Indicator", spare(4), *flags("QA4 QA2 QA1 QB4 QB2 QB1 QC4 QC2 QC1 QD4 QD2 QD1"))
SP = explicit("SP", "Special Purpose Field")
RE = explicit("RE", "Reserved Expansion Field")

UAP_1_21 = uap(
    I010, I140, I020, I040, I070, I090, I130,
    I220, I240, I250, I161, I042, I200, I170,
    I210, I030, I080, I100, I110, I120, I230,
    I260, I055, I050, I065, I060, SP, RE,
)  # fmt: skip

EDITIONS = {"1.21": Edition(48, "1.21", {"": UAP_1_21})}
LATEST = "1.21"
# fmt: on
