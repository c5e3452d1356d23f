"""CAT010 — Monosensor Surface Movement Data (EUROCONTROL-SPEC-0149-7), edition 1.1.

Surface movement radars and multilateration systems at aerodromes. The target report descriptor (I010/020 TYP)
says which: SSR/Mode S/HF multilateration, ADS-B, PSR (the SMR case), magnetic loop. Editions 0.24 and 0.31 of
the draft share this UAP and the items of the sample recordings.
"""

# ruff: noqa: E501  (one field per bit-diagram line reads better than wrapped)
from airpicture.decode.asterix.spec import E, Edition, F, S, explicit, extended, fixed, repetitive, spare, uap

# The item tables keep one item per line, as the ASTERIX specification lists them.
# fmt: off

I010 = fixed("010", "Data Source Identifier", F("SAC", 8), F("SIC", 8))
I000 = fixed("000", "Message Type", F("MsgTyp", 8))
I020 = extended(
    "020",
    "Target Report Descriptor",
    [F("TYP", 3), F("DCR", 1), F("CHN", 1), F("GBS", 1), F("CRT", 1)],
    [F("SIM", 1), F("TST", 1), F("RAB", 1), F("LOP", 2), F("TOT", 2)],
    [F("SPI", 1), spare(6)],
)
I140 = fixed("140", "Time of Day", F("ToD", 24, 1 / 128, "s"))
I041 = fixed("041", "Position in WGS-84 Co-ordinates", S("Lat", 32, 180 / 2**31, "deg"), S("Lon", 32, 180 / 2**31, "deg"))
I040 = fixed("040", "Measured Position in Polar Co-ordinates", F("RHO", 16, 1, "m"), F("THETA", 16, 360 / 2**16, "deg"))
I042 = fixed("042", "Position in Cartesian Co-ordinates", S("X", 16, 1, "m"), S("Y", 16, 1, "m"))
I200 = fixed("200", "Calculated Track Velocity in Polar Co-ordinates", F("GS", 16, 2**-14, "NM/s"), F("TA", 16, 360 / 2**16, "deg"))
I202 = fixed("202", "Calculated Track Velocity in Cartesian Co-ordinates", S("Vx", 16, 0.25, "m/s"), S("Vy", 16, 0.25, "m/s"))
I161 = fixed("161", "Track Number", spare(4), F("TrkNb", 12))
I170 = extended(
    "170",
    "Track Status",
    [F("CNF", 1), F("TRE", 1), F("CST", 2), F("MAH", 1), F("TCC", 1), F("STH", 1)],
    [F("TOM", 2), F("DOU", 3), F("MRS", 2)],
    [F("GHO", 1), spare(6)],
)
I060 = fixed("060", "Mode-3/A Code in Octal Representation", F("V", 1), F("G", 1), F("L", 1), spare(1), E("Mode3A", 12, "octal"))
I220 = fixed("220", "Target Address", E("TAddr", 24, "hex"))
I245 = fixed("245", "Target Identification", F("STI", 2), spare(6), E("TId", 48, "chars6"))
I250 = repetitive("250", "Mode S MB Data", E("MBData", 56, "hex"), F("BDS1", 4), F("BDS2", 4))
I300 = fixed("300", "Vehicle Fleet Identification", F("VFI", 8))
I090 = fixed("090", "Flight Level in Binary Representation", F("V", 1), F("G", 1), S("FL", 14, 0.25, "FL"))
I091 = fixed("091", "Measured Height", S("MHeight", 16, 6.25, "ft"))
I270 = extended(
    "270",
    "Target Size and Orientation",
    [F("LENGTH", 7, 1, "m")],
    [F("ORIENTATION", 7, 360 / 128, "deg")],
    [F("WIDTH", 7, 1, "m")],
)
I550 = fixed("550", "System Status", F("NOGO", 2), F("OVL", 1), F("TSV", 1), F("DIV", 1), F("TTF", 1), spare(2))
I310 = fixed("310", "Pre-programmed Message", F("TRB", 1), F("MSG", 7))
I500 = fixed("500", "Standard Deviation of Position", F("Qx", 8, 0.25, "m"), F("Qy", 8, 0.25, "m"), S("Qxy", 16, 0.25, "m2"))
I280 = repetitive("280", "Presence", S("DRHO", 8, 1, "m"), S("DTHETA", 8, 0.15, "deg"))
I131 = fixed("131", "Amplitude of Primary Plot", F("PAM", 8))
I210 = fixed("210", "Calculated Acceleration", S("Ax", 8, 0.25, "m/s2"), S("Ay", 8, 0.25, "m/s2"))
RE = explicit("RE", "Reserved Expansion Field")
SP = explicit("SP", "Special Purpose Field")

UAP_1_1 = uap(
    I010, I000, I020, I140, I041, I040, I042,
    I200, I202, I161, I170, I060, I220, I245,
    I250, I300, I090, I091, I270, I550, I310,
    I500, I280, I131, I210, None, RE, SP,
)  # fmt: skip

# Sensis multilateration systems sent a draft (0.24) with a three-octet I010/202 (two 12-bit velocity components
# whose resolution the draft does not give; they are decoded as raw counts and not used as a speed) and fewer items.
I202_SENSIS = fixed("202", "Calculated Track Velocity in Cartesian Co-ordinates (Sensis 0.24)", S("Vx", 12), S("Vy", 12))
UAP_0_24_SENSIS = uap(
    I010, I000, I020, I140, I041, None, I042,
    None, I202_SENSIS, I161, I170, I060, I220, I245,
    None, None, I090, I091, None, I550, None,
    I500, None, None, None, None, SP, RE,
)  # fmt: skip

EDITIONS = {
    "1.1": Edition(10, "1.1", {"": UAP_1_1}),
    "0.24-sensis": Edition(10, "0.24-sensis", {"": UAP_0_24_SENSIS}, notes="Sensis MLAT draft edition"),
}
LATEST = "1.1"
# fmt: on
