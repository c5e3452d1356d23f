"""CAT002 — Monoradar Service Messages (EUROCONTROL SUR.ET1.ST05.2000-STD-02b), edition 1.0.

The companion of CAT001: north marker and sector crossing messages with the radar's time of day (which also gives
CAT001's truncated times their hour) and antenna rotation period.
"""

from airpicture.decode.asterix.spec import Edition, F, S, explicit, extended, fixed, repetitive, uap

MESSAGE_TYPES = {1: "north_marker", 2: "sector_crossing", 3: "south_marker", 8: "activation_of_blind_zone_filtering",
                 9: "stop_of_blind_zone_filtering"}  # fmt: skip
I010 = fixed("010", "Data Source Identifier", F("SAC", 8), F("SIC", 8))
I000 = fixed("000", "Message Type", F("MsgTyp", 8))
I020 = fixed("020", "Sector Number", F("Azi", 8, 360 / 2**8, "deg"))
I030 = fixed("030", "Time of Day", F("ToD", 24, 1 / 128, "s"))
I041 = fixed("041", "Antenna Rotation Speed", F("RotS", 16, 1 / 128, "s"))
I050 = extended("050", "Station Configuration Status", *([F("Stat", 7)],) * 8)
I060 = extended("060", "Station Processing Mode", *([F("Mode", 7)],) * 8)
I070 = repetitive("070", "Plot Count Values", F("A", 1), F("IDENT", 5), F("COUNTER", 10))
I080 = extended("080", "Warning/Error Conditions", *([F("WE", 7)],) * 8)
I090 = fixed("090", "Collimation Error", S("RngE", 8, 1 / 128, "NM"), S("AziE", 8, 360 / 2**14, "deg"))
I100 = fixed(
    "100",
    "Dynamic Window - Type 1",
    F("RhoS", 16, 1 / 128, "NM"),
    F("RhoE", 16, 1 / 128, "NM"),
    F("ThetaS", 16, 360 / 2**16, "deg"),
    F("ThetaE", 16, 360 / 2**16, "deg"),
)
SP = explicit("SP", "Special Purpose Field")

UAP_1_0 = uap(I010, I000, I020, I030, I041, I050, I060, I070, I100, I090, I080, None, SP, None)

EDITIONS = {"1.0": Edition(2, "1.0", {"": UAP_1_0})}
LATEST = "1.0"
