"""CAT021 — ADS-B Target Reports (EUROCONTROL-SPEC-0149-12): editions 2.6 and 0.26.

Edition 2.x (2.1 to 2.6 share this UAP; later items only appear when sent) separates the times of applicability
and reception, gives a high-resolution position (I021/131) and quality indicators (I021/090: NACp, NIC, SIL).
Edition 0.26 is the pre-2.0 layout many ground stations still send: one time of day (I021/030), a 32-bit position
(I021/130), a two-octet target report descriptor and a figure of merit (I021/090) instead of NACp/NIC.
"""

# ruff: noqa: E501  (one field per bit-diagram line reads better than wrapped)
from airpicture.decode.asterix.spec import E, Edition, F, S, compound, explicit, extended, fixed, repetitive, spare, uap

# The item tables keep one item per line, as the ASTERIX specification lists them.
# fmt: off

WGS_LO = 180 / 2**23
I010 = fixed("010", "Data Source Identification", F("SAC", 8), F("SIC", 8))
I020 = fixed("020", "Emitter Category", F("ECAT", 8))
I070_2 = fixed("070", "Mode 3/A Code in Octal Representation", spare(4), E("Mode3A", 12, "octal"))
I080 = fixed("080", "Target Address", E("TAddr", 24, "hex"))
I140 = fixed("140", "Geometric Height", S("GH", 16, 6.25, "ft"))
I145 = fixed("145", "Flight Level", S("FL", 16, 0.25, "FL"))
I146 = fixed("146", "Selected Altitude", F("SAS", 1), F("Source", 2), S("Alt", 13, 25, "ft"))
I148 = fixed("148", "Final State Selected Altitude", F("MV", 1), F("AH", 1), F("AM", 1), S("Alt", 13, 25, "ft"))
I150 = fixed("150", "Air Speed", F("IM", 1), F("ASpeed", 15))
I152 = fixed("152", "Magnetic Heading", F("MHdg", 16, 360 / 2**16, "deg"))
I170 = fixed("170", "Target Identification", E("TId", 48, "chars6"))
I220 = compound(
    "220",
    "Met Information",
    fixed("WS", "Wind Speed", F("WS", 16, 1, "kt")),
    fixed("WD", "Wind Direction", F("WD", 16, 1, "deg")),
    fixed("TMP", "Temperature", S("TMP", 16, 0.25, "C")),
    fixed("TRB", "Turbulence", F("TRB", 8)),
)
I230 = fixed("230", "Roll Angle", S("RollA", 16, 0.01, "deg"))
I110 = compound(
    "110",
    "Trajectory Intent",
    extended("TIS", "Trajectory Intent Status", [F("NAV", 1), F("NVB", 1), spare(5)]),
    repetitive(
        "TID", "Trajectory Intent Data",
        F("TCA", 1), F("NC", 1), F("TCPN", 6), S("Alt", 16, 10, "ft"), S("Lat", 24, WGS_LO, "deg"), S("Lon", 24, WGS_LO, "deg"),
        F("PType", 4), F("TD", 2), F("TRA", 1), F("TOA", 1), F("TOV", 24, 1, "s"), F("TTR", 16, 0.01, "NM"),
    ),
)  # fmt: skip
#: Reserved Expansion Field, CAT021 RE coding rules v1.5: a compound of BPS, SelH, NAV, GAO, SGV, STA, TNH, MES.
#: Only the subfields below are defined here; a record whose RE holds another (STA, TNH, MES) keeps it opaque
#: and is counted as an undecoded field, never read partly.
REF = compound(
    "REF",
    "Reserved Expansion Field (v1.5)",
    fixed("BPS", "Barometric Pressure Setting", spare(4), F("BPS", 12, 0.1, "hPa")),
    fixed("SelH", "Selected Heading", spare(4), F("HDR", 1), F("STAT", 1), S("SelH", 10, 0.703125, "deg")),
    fixed("NAV", "Navigation Mode", F("AP", 1), F("VN", 1), F("AH", 1), F("AM", 1), F("MFM_EP", 1), F("MFM_VAL", 1), spare(2)),
    fixed("GAO", "GPS Antenna Offset", F("GAOLat", 3), F("GAOLon", 5)),
    extended(
        "SGV",
        "Surface Ground Vector",
        [F("STP", 1), F("HTS", 1), F("HTT", 1), F("HRD", 1), F("GSS", 11, 0.125, "kt")],
        [F("HGT", 7, 360 / 128, "deg")],
    ),
    None,  # STA
    None,  # TNH
    None,  # MES
)
RE = explicit("RE", "Reserved Expansion Field", REF)
RE_026 = explicit("RE", "Reserved Expansion Field")  # no coding rules for the pre-2.0 editions: skipped by length
SP = explicit("SP", "Special Purpose Field")

# -------------------------------------------------------------------------------------------------- edition 2.6
I008 = fixed("008", "Aircraft Operational Status", F("RA", 1), F("TC", 2), F("TS", 1), F("ARV", 1), F("CDTIA", 1), F("NOTTCAS", 1), F("SA", 1))
I015 = fixed("015", "Service Identification", F("SID", 8))
I016 = fixed("016", "Service Management", F("RP", 8, 0.5, "s"))
I040_2 = extended(
    "040",
    "Target Report Descriptor",
    [F("ATP", 3), F("ARC", 2), F("RC", 1), F("RAB", 1)],
    [F("DCR", 1), F("GBS", 1), F("SIM", 1), F("TST", 1), F("SAA", 1), F("CL", 2)],
    [spare(1), F("LLC", 1), F("IPC", 1), F("NOGO", 1), F("CPR", 1), F("LDPJ", 1), F("RCF", 1)],
    [F("TBC_EP", 1), F("TBC_VAL", 6)],
    [F("MBC_EP", 1), F("MBC_VAL", 6)],
)
I071 = fixed("071", "Time of Applicability for Position", F("ToAP", 24, 1 / 128, "s"))
I072 = fixed("072", "Time of Applicability for Velocity", F("ToAV", 24, 1 / 128, "s"))
I073 = fixed("073", "Time of Message Reception for Position", F("ToMRP", 24, 1 / 128, "s"))
I074 = fixed("074", "Time of Message Reception of Position-High Precision", F("FSI", 2), F("ToMRPHP", 30, 2**-30, "s"))
I075 = fixed("075", "Time of Message Reception for Velocity", F("ToMRV", 24, 1 / 128, "s"))
I076 = fixed("076", "Time of Message Reception of Velocity-High Precision", F("FSI", 2), F("ToMRVHP", 30, 2**-30, "s"))
I077 = fixed("077", "Time of ASTERIX Report Transmission", F("ToART", 24, 1 / 128, "s"))
I090_2 = extended(
    "090",
    "Quality Indicators",
    [F("NUCR_NACV", 3), F("NUCP_NIC", 4)],
    [F("NICBARO", 1), F("SIL", 2), F("NACP", 4)],
    [spare(2), F("SILS", 1), F("SDA", 2), F("GVA", 2)],
    [F("PIC", 4), spare(3)],
)
I130_2 = fixed("130", "Position in WGS-84 Co-ordinates", S("Lat", 24, WGS_LO, "deg"), S("Lon", 24, WGS_LO, "deg"))
I131_2 = fixed("131", "High-Resolution Position in WGS-84 Co-ordinates", S("Lat", 32, 180 / 2**30, "deg"), S("Lon", 32, 180 / 2**30, "deg"))
I132 = fixed("132", "Message Amplitude", S("MAM", 8, 1, "dBm"))
I151_2 = fixed("151", "True Airspeed", F("RE", 1), F("TAS", 15, 1, "kt"))
I155_2 = fixed("155", "Barometric Vertical Rate", F("RE", 1), S("BVR", 15, 6.25, "ft/min"))
I157_2 = fixed("157", "Geometric Vertical Rate", F("RE", 1), S("GVR", 15, 6.25, "ft/min"))
I160_2 = fixed("160", "Airborne Ground Vector", F("RE", 1), F("GS", 15, 2**-14, "NM/s"), F("TA", 16, 360 / 2**16, "deg"))
I161 = fixed("161", "Track Number", spare(4), F("TrackN", 12))
I165_2 = fixed("165", "Track Angle Rate", spare(6), S("TAR", 10, 1 / 32, "deg/s"))
I200_2 = fixed("200", "Target Status", F("ICF", 1), F("LNAV", 1), F("ME", 1), F("PS", 3), F("SS", 2))
I210_2 = fixed("210", "MOPS Version", spare(1), F("VNS", 1), F("VN", 3), F("LTT", 3))
I250 = repetitive("250", "Mode S MB Data", E("MBData", 56, "hex"), F("BDS1", 4), F("BDS2", 4))
I260 = fixed("260", "ACAS Resolution Advisory Report", F("TYP", 5), F("STYP", 3), F("ARA", 14), F("RAC", 4), F("RAT", 1), F("MTE", 1), F("TTI", 2), F("TID", 26))
I271 = extended(
    "271",
    "Surface Capabilities and Characteristics",
    [spare(2), F("POA", 1), F("CDTIS", 1), F("B2LOW", 1), F("RAS", 1), F("IDENT", 1)],
    [F("LW", 4), spare(3)],
)
I295 = compound(
    "295",
    "Data Ages",
    *(fixed(n, f"{n} age", F(n, 8, 0.1, "s")) for n in ["AOS", "TRD", "M3A", "QI", "TI", "MAM", "GH", "FL", "ISA", "FSA", "AS", "TAS", "MH", "BVR", "GVR", "GV", "TAR", "TID", "TS", "MET", "ROA", "ARA", "SCC"]),
)
I400 = fixed("400", "Receiver ID", F("RID", 8))

UAP_2_6 = uap(
    I010, I040_2, I161, I015, I071, I130_2, I131_2,
    I072, I150, I151_2, I080, I073, I074, I075,
    I076, I140, I090_2, I210_2, I070_2, I230, I145,
    I152, I200_2, I155_2, I157_2, I160_2, I165_2, I077,
    I170, I020, I220, I146, I148, I110, I016,
    I008, I271, I132, I250, I260, I400, I295,
    None, None, None, None, None, RE, SP,
)  # fmt: skip

# ------------------------------------------------------------------------------------------------- edition 0.26
I030 = fixed("030", "Time of Day", F("ToD", 24, 1 / 128, "s"))
I032 = fixed("032", "Time of Day Accuracy", F("ToDA", 8, 1 / 256, "s"))
I040_026 = fixed(
    "040",
    "Target Report Descriptor",
    F("DCR", 1), F("GBS", 1), F("SIM", 1), F("TST", 1), F("RAB", 1), F("SAA", 1), F("SPI", 1), spare(1),
    F("ATP", 3), F("ARC", 2), spare(3),
)  # fmt: skip
I070_026 = fixed("070", "Mode 3/A Code in Octal Representation", F("V", 1), F("G", 1), F("L", 1), spare(1), E("Mode3A", 12, "octal"))
I090_026 = fixed("090", "Figure of Merit", F("AC", 2), F("MN", 2), F("DC", 2), spare(6), F("PA", 4))
I095 = fixed("095", "Velocity Accuracy", F("VA", 8))
I130_026 = fixed("130", "Position in WGS-84 Co-ordinates", S("Lat", 32, 180 / 2**25, "deg"), S("Lon", 32, 180 / 2**25, "deg"))
I131_026 = fixed("131", "Signal Amplitude", S("SAM", 8, 1, "dBm"))
I151_026 = fixed("151", "True Air Speed", F("TAS", 16, 1, "kt"))
I155_026 = fixed("155", "Barometric Vertical Rate", S("BVR", 16, 6.25, "ft/min"))
I157_026 = fixed("157", "Geometric Vertical Rate", S("GVR", 16, 6.25, "ft/min"))
I160_026 = fixed("160", "Ground Vector", F("GS", 16, 2**-14, "NM/s"), F("TA", 16, 360 / 2**16, "deg"))
I165_026 = extended("165", "Rate Of Turn", [F("TI", 2), spare(5)], [S("ROT", 7, 0.25, "deg/s")])
I200_026 = fixed("200", "Target Status", F("PS", 8))
I210_026 = fixed("210", "Link Technology Indicator", spare(3), F("DTI", 1), F("MDS", 1), F("UAT", 1), F("VDL", 1), F("OTR", 1))

UAP_0_26 = uap(
    I010, I040_026, I030, I130_026, I080, I140, I090_026,
    I210_026, I230, I145, I150, I151_026, I152, I155_026,
    I157_026, I160_026, I165_026, I170, I095, I032, I200_026,
    I020, I220, I146, I148, I110, I070_026, I131_026,
    None, None, None, None, None, RE_026, SP,
)  # fmt: skip

EDITIONS = {
    "2.6": Edition(21, "2.6", {"": UAP_2_6}),
    "0.26": Edition(21, "0.26", {"": UAP_0_26}, notes="pre-2.0 ADS-B reports"),
}
LATEST = "2.6"
# fmt: on
