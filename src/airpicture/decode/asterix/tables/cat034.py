"""CAT034 — Transmission of Monoradar Service Messages (EUROCONTROL-SPEC-0149-2b), edition 1.27.

North marker, sector crossing, geographical filtering and jamming strobe messages: they let a receiver know the
antenna turns and the radar is healthy even when it reports no plots. Editions 1.26 and 1.27 share this layout.
"""

from airpicture.decode.asterix.spec import Edition, F, S, compound, explicit, fixed, repetitive, spare, uap

#: I034/000 message types.
MESSAGE_TYPES = {1: "north_marker", 2: "sector_crossing", 3: "geographical_filtering", 4: "jamming_strobe",
                 5: "solar_storm", 6: "ssr_jamming_strobe", 7: "mode_s_jamming_strobe"}  # fmt: skip

I010 = fixed("010", "Data Source Identifier", F("SAC", 8), F("SIC", 8))
I000 = fixed("000", "Message Type", F("MsgTyp", 8))
I030 = fixed("030", "Time of Day", F("ToD", 24, 1 / 128, "s"))
I020 = fixed("020", "Sector Number", F("Azi", 8, 360 / 2**8, "deg"))
I041 = fixed("041", "Antenna Rotation Speed", F("RotS", 16, 1 / 128, "s"))
I050 = compound(
    "050",
    "System Configuration and Status",
    fixed("COM", "Common part", F("NOGO", 1), F("RDPC", 1), F("RDPR", 1), F("OVLRDP", 1), F("OVLXMT", 1),
          F("MSC", 1), F("TSV", 1), spare(1)),
    None,
    None,
    fixed("PSR", "Primary sensor", F("ANT", 1), F("CHAB", 2), F("OVL", 1), F("MSC", 1), spare(3)),
    fixed("SSR", "Secondary sensor", F("ANT", 1), F("CHAB", 2), F("OVL", 1), F("MSC", 1), spare(3)),
    fixed("MDS", "Mode S sensor", F("ANT", 1), F("CHAB", 2), F("OVLSUR", 1), F("MSC", 1), F("SCF", 1), F("DLF", 1),
          F("OVLSCF", 1), F("OVLDLF", 1), spare(7)),
)  # fmt: skip
I060 = compound(
    "060",
    "System Processing Mode",
    fixed("COM", "Common part", spare(1), F("REDRDP", 3), F("REDXMT", 3), spare(1)),
    None,
    None,
    fixed("PSR", "Primary sensor", F("POL", 1), F("REDRAD", 3), F("STC", 2), spare(2)),
    fixed("SSR", "Secondary sensor", F("REDRAD", 3), spare(5)),
    fixed("MDS", "Mode S sensor", F("REDRAD", 3), F("CLU", 1), spare(4)),
)
I070 = repetitive("070", "Message Count Values", F("TYP", 5), F("COUNT", 11))
I100 = fixed(
    "100",
    "Generic Polar Window",
    F("RhoS", 16, 1 / 256, "NM"),
    F("RhoE", 16, 1 / 256, "NM"),
    F("ThetaS", 16, 360 / 2**16, "deg"),
    F("ThetaE", 16, 360 / 2**16, "deg"),
)
I110 = fixed("110", "Data Filter", F("TYP", 8))
I120 = fixed(
    "120",
    "3D-Position of Data Source",
    S("HGT", 16, 1, "m"),
    S("LAT", 24, 180 / 2**23, "deg"),
    S("LON", 24, 180 / 2**23, "deg"),
)
I090 = fixed("090", "Collimation Error", S("RNG", 8, 1 / 128, "NM"), S("AZM", 8, 360 / 2**14, "deg"))
RE = explicit("RE", "Reserved Expansion Field")
SP = explicit("SP", "Special Purpose Field")

UAP_1_27 = uap(I010, I000, I030, I020, I041, I050, I060, I070, I100, I110, I120, I090, RE, SP)

EDITIONS = {"1.27": Edition(34, "1.27", {"": UAP_1_27})}
LATEST = "1.27"
