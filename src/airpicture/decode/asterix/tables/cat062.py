"""CAT062 — SDPS Track Messages (EUROCONTROL-SPEC-0149-9): editions 1.18 and 0.17.

Edition 1.18 is the one centres exchange today (1.12–1.19 share its UAP and the items used in practice; later
subfields of I062/380 and I062/295 only appear when sent). Edition 0.17 is the 2005 draft still spoken by older
trackers: a different UAP order, a 4-octet cartesian position, 6-octet WGS-84 position, polar velocity (I062/180),
a 5-subfield I062/380 and its own I062/290 and I062/500. Decoding one with the other's table fails structurally
within a record or two (and is counted), which is how a wrong edition setting shows up.
"""

# ruff: noqa: E501  (one field per bit-diagram line reads better than wrapped)
from airpicture.decode.asterix.spec import (
    E,
    Edition,
    F,
    S,
    compound,
    explicit,
    extended,
    fixed,
    repetitive,
    spare,
    uap,
)

# The item tables keep one item per line, as the ASTERIX specification lists them.
# fmt: off

WGS_HI = 180 / 2**25
WGS_LO = 180 / 2**23
I010 = fixed("010", "Data Source Identifier", F("SAC", 8), F("SIC", 8))
I015 = fixed("015", "Service Identification", F("SID", 8))
I070 = fixed("070", "Time Of Track Information", F("ToT", 24, 1 / 128, "s"))
I105 = fixed("105", "Calculated Track Position (WGS-84)", S("Lat", 32, WGS_HI, "deg"), S("Lon", 32, WGS_HI, "deg"))
I100 = fixed("100", "Calculated Track Position (Cartesian)", S("X", 24, 0.5, "m"), S("Y", 24, 0.5, "m"))
I185 = fixed("185", "Calculated Track Velocity (Cartesian)", S("Vx", 16, 0.25, "m/s"), S("Vy", 16, 0.25, "m/s"))
I210 = fixed("210", "Calculated Acceleration (Cartesian)", S("Ax", 8, 0.25, "m/s2"), S("Ay", 8, 0.25, "m/s2"))
I060 = fixed("060", "Track Mode 3/A Code", F("V", 1), F("G", 1), F("CH", 1), spare(1), E("Mode3A", 12, "octal"))
I245 = fixed("245", "Target Identification", F("STI", 2), spare(6), E("TId", 48, "chars6"))

_TID = repetitive(
    "TID", "Trajectory Intent Data",
    F("TCA", 1), F("NC", 1), F("TCPnum", 6), S("Alt", 16, 10, "ft"), S("Lat", 24, WGS_LO, "deg"), S("Lon", 24, WGS_LO, "deg"),
    F("PT", 4), F("TD", 2), F("TRA", 1), F("TOA", 1), F("TOV", 24, 1, "s"), F("TTR", 16, 0.01, "NM"),
)  # fmt: skip
_MB = repetitive("MB", "Mode S MB Data", E("MBData", 56, "hex"), F("BDS1", 4), F("BDS2", 4))
I380 = compound(
    "380",
    "Aircraft Derived Data",
    fixed("ADR", "Target Address", E("ADR", 24, "hex")),
    fixed("ID", "Target Identification", E("ACID", 48, "chars6")),
    fixed("MHG", "Magnetic Heading", F("MHG", 16, 360 / 2**16, "deg")),
    fixed("IAS", "Indicated Airspeed/Mach Number", F("IM", 1), F("AS", 15)),
    fixed("TAS", "True Airspeed", F("TAS", 16, 1, "kt")),
    fixed("SAL", "Selected Altitude", F("SAS", 1), F("SRC", 2), S("Alt", 13, 25, "ft")),
    fixed("FSS", "Final State Selected Altitude", F("MV", 1), F("AH", 1), F("AM", 1), S("Alt", 13, 25, "ft")),
    extended("TIS", "Trajectory Intent Status", [F("NAV", 1), F("NVB", 1), spare(5)]),
    _TID,
    fixed("COM", "Communications/ACAS Capability and Flight Status", F("COM", 3), F("STAT", 3), spare(2), F("SSC", 1), F("ARC", 1), F("AIC", 1), F("B1A", 1), F("B1B", 4)),
    fixed("SAB", "Status Reported by ADS-B", F("AC", 2), F("MN", 2), F("DC", 2), F("GBS", 1), spare(6), F("STAT", 3)),
    fixed("ACS", "ACAS Resolution Advisory Report", E("ACAS", 56, "hex")),
    fixed("BVR", "Barometric Vertical Rate", S("BVR", 16, 6.25, "ft/min")),
    fixed("GVR", "Geometric Vertical Rate", S("GVR", 16, 6.25, "ft/min")),
    fixed("RAN", "Roll Angle", S("RAN", 16, 0.01, "deg")),
    fixed("TAR", "Track Angle Rate", F("TI", 2), spare(6), S("RoT", 7, 0.25, "deg/s"), spare(1)),
    fixed("TAN", "Track Angle", F("TAN", 16, 360 / 2**16, "deg")),
    fixed("GSP", "Ground Speed", S("GS", 16, 2**-14, "NM/s")),
    fixed("VUN", "Velocity Uncertainty", F("VUN", 8)),
    fixed("MET", "Met Data", F("WS", 1), F("WD", 1), F("TMP", 1), F("TRB", 1), spare(4), F("WSD", 16, 1, "kt"), F("WDD", 16, 1, "deg"), S("TMPD", 16, 0.25, "C"), F("TRBD", 8)),
    fixed("EMC", "Emitter Category", F("ECAT", 8)),
    fixed("POS", "Position", S("Lat", 24, WGS_LO, "deg"), S("Lon", 24, WGS_LO, "deg")),
    fixed("GAL", "Geometric Altitude", S("GAL", 16, 6.25, "ft")),
    fixed("PUN", "Position Uncertainty", spare(4), F("PUN", 4)),
    _MB,
    fixed("IAR", "Indicated Airspeed", F("IAR", 16, 1, "kt")),
    fixed("MAC", "Mach Number", F("MAC", 16, 0.008)),
    fixed("BPS", "Barometric Pressure Setting", spare(4), F("BPS", 12, 0.1, "hPa")),
)
I040 = fixed("040", "Track Number", F("TrkN", 16))
I080 = extended(
    "080",
    "Track Status",
    [F("MON", 1), F("SPI", 1), F("MRH", 1), F("SRC", 3), F("CNF", 1)],
    [F("SIM", 1), F("TSE", 1), F("TSB", 1), F("FPC", 1), F("AFF", 1), F("STP", 1), F("KOS", 1)],
    [F("AMA", 1), F("MD4", 2), F("ME", 1), F("MI", 1), F("MD5", 2)],
    [F("CST", 1), F("PSR", 1), F("SSR", 1), F("MDS", 1), F("ADS", 1), F("SUC", 1), F("AAC", 1)],
    [F("SDS", 2), F("EMS", 3), F("PFT", 1), F("FPLT", 1)],
    [F("DUPT", 1), F("DUPF", 1), F("DUPM", 1), F("SFC", 1), F("IDD", 1), F("IEC", 1), spare(1)],
)


def _age(name: str, octets: int = 1):
    return fixed(name, f"{name} age", F(name, 8 * octets, 0.25, "s"))


I290 = compound(
    "290",
    "System Track Update Ages",
    _age("TRK"), _age("PSR"), _age("SSR"), _age("MDS"), _age("ADS", 2), _age("ES"), _age("VDL"),
    _age("UAT"), _age("LOP"), _age("MLT"),
)  # fmt: skip
I200 = fixed("200", "Mode of Movement", F("TRANS", 2), F("LONG", 2), F("VERT", 2), F("ADF", 1), spare(1))
I295 = compound(
    "295",
    "Track Data Ages",
    *(_age(n) for n in ["MFL", "MD1", "MD2", "MDA", "MD4", "MD5", "MHG", "IAS", "TAS", "SAL", "FSS", "TID", "COM", "SAB", "ACS", "BVR", "GVR", "RAN", "TAR", "TAN", "GSP", "VUN", "MET", "EMC", "POS", "GAL", "PUN", "MB", "IAR", "MAC", "BPS"]),
)
I136 = fixed("136", "Measured Flight Level", S("MFL", 16, 0.25, "FL"))
I130 = fixed("130", "Calculated Track Geometric Altitude", S("Alt", 16, 6.25, "ft"))
I135 = fixed("135", "Calculated Track Barometric Altitude", F("QNH", 1), S("CTBA", 15, 25, "ft"))
I220 = fixed("220", "Calculated Rate of Climb/Descent", S("RoC", 16, 6.25, "ft/min"))
I390 = compound(
    "390",
    "Flight Plan Related Data",
    fixed("TAG", "FPPS Identification Tag", F("SAC", 8), F("SIC", 8)),
    fixed("CSN", "Callsign", E("CS", 56, "ascii")),
    fixed("IFI", "IFPS_FLIGHT_ID", F("TYP", 2), spare(3), F("NBR", 27)),
    fixed("FCT", "Flight Category", F("GATOAT", 2), F("FR1FR2", 2), F("RVSM", 2), F("HPR", 1), spare(1)),
    fixed("TAC", "Type of Aircraft", E("TYPE", 32, "ascii")),
    fixed("WTC", "Wake Turbulence Category", E("WTC", 8, "ascii")),
    fixed("DEP", "Departure Airport", E("DEP", 32, "ascii")),
    fixed("DST", "Destination Airport", E("DES", 32, "ascii")),
    fixed("RDS", "Runway Designation", E("NU1", 8, "ascii"), E("NU2", 8, "ascii"), E("LTR", 8, "ascii")),
    fixed("CFL", "Current Cleared Flight Level", F("CFL", 16, 0.25, "FL")),
    fixed("CTL", "Current Control Position", F("Centre", 8), F("Position", 8)),
    repetitive("TOD", "Time of Departure / Arrival", F("TYP", 5), F("DAY", 2), spare(4), F("HOR", 5), spare(2), F("MIN", 6), F("AVS", 1), spare(1), F("SEC", 6)),
    fixed("AST", "Aircraft Stand", E("AS", 48, "ascii")),
    fixed("STS", "Stand Status", F("EMP", 2), F("AVL", 2), spare(4)),
    fixed("STD", "Standard Instrument Departure", E("SID", 56, "ascii")),
    fixed("STA", "Standard Instrument Arrival", E("STAR", 56, "ascii")),
    fixed("PEM", "Pre-Emergency Mode 3/A", spare(3), F("VA", 1), E("PEM", 12, "octal")),
    fixed("PEC", "Pre-Emergency Callsign", E("PEC", 56, "ascii")),
)
I270 = extended(
    "270",
    "Target Size and Orientation",
    [F("LENGTH", 7, 1, "m")],
    [F("ORIENTATION", 7, 360 / 128, "deg")],
    [F("WIDTH", 7, 1, "m")],
)
I300 = fixed("300", "Vehicle Fleet Identification", F("VFI", 8))
I110 = compound(
    "110",
    "Mode 5 Data reports and Extended Mode 1 Code",
    fixed("SUM", "Mode 5 Summary", F("M5", 1), F("ID", 1), F("DA", 1), F("M1", 1), F("M2", 1), F("M3", 1), F("MC", 1), F("X", 1)),
    fixed("PMN", "Mode 5 PIN / National Origin / Mission Code", spare(2), F("PIN", 14), spare(3), F("NAT", 5), spare(2), F("MIS", 6)),
    fixed("POS", "Mode 5 Reported Position", S("Lat", 24, WGS_LO, "deg"), S("Lon", 24, WGS_LO, "deg")),
    fixed("GA", "Mode 5 GNSS-derived Altitude", spare(1), F("RES", 1), S("GA", 14, 25, "ft")),
    fixed("EM1", "Extended Mode 1 Code", spare(4), E("EM1", 12, "octal")),
    fixed("TOS", "Time Offset for POS and GA", S("TOS", 8, 1 / 128, "s")),
    fixed("XP", "X Pulse Presence", spare(3), F("X5", 1), F("XC", 1), F("X3", 1), F("X2", 1), F("X1", 1)),
)
I120 = fixed("120", "Track Mode 2 Code", spare(4), E("Mode2", 12, "octal"))
I510 = extended("510", "Composed Track Number", *([F("SDPSUID", 8), F("STN", 15)],) * 8)
I500 = compound(
    "500",
    "Estimated Accuracies",
    fixed("APC", "Estimated Accuracy Of Track Position (Cartesian)", F("X", 16, 0.5, "m"), F("Y", 16, 0.5, "m")),
    fixed("COV", "XY Covariance Component", S("COV", 16, 0.5, "m")),
    fixed("APW", "Estimated Accuracy Of Track Position (WGS-84)", F("Lat", 16, WGS_HI, "deg"), F("Lon", 16, WGS_HI, "deg")),
    fixed("AGA", "Estimated Accuracy Of Calculated Track Geometric Altitude", F("AGA", 8, 6.25, "ft")),
    fixed("ABA", "Estimated Accuracy Of Calculated Track Barometric Altitude", F("ABA", 8, 0.25, "FL")),
    fixed("ATV", "Estimated Accuracy Of Track Velocity (Cartesian)", F("X", 8, 0.25, "m/s"), F("Y", 8, 0.25, "m/s")),
    fixed("AA", "Estimated Accuracy Of Acceleration (Cartesian)", F("X", 8, 0.25, "m/s2"), F("Y", 8, 0.25, "m/s2")),
    fixed("ARC", "Estimated Accuracy Of Rate Of Climb/Descent", F("ARC", 8, 6.25, "ft/min")),
)
I340 = compound(
    "340",
    "Measured Information",
    fixed("SID", "Sensor Identification", F("SAC", 8), F("SIC", 8)),
    fixed("POS", "Measured Position", F("RHO", 16, 1 / 256, "NM"), F("THETA", 16, 360 / 2**16, "deg")),
    fixed("HEI", "Measured 3-D Height", S("HEIGHT", 16, 25, "ft")),
    fixed("MDC", "Last Measured Mode C Code", F("V", 1), F("G", 1), S("ModeC", 14, 0.25, "FL")),
    fixed("MDA", "Last Measured Mode 3/A Code", F("V", 1), F("G", 1), F("L", 1), spare(1), E("Mode3A", 12, "octal")),
    fixed("TYP", "Report Type", F("TYP", 3), F("SIM", 1), F("RAB", 1), F("TST", 1), spare(2)),
)
RE = explicit("RE", "Reserved Expansion Field")
SP = explicit("SP", "Special Purpose Field")

UAP_1_18 = uap(
    I010, None, I015, I070, I105, I100, I185,
    I210, I060, I245, I380, I040, I080, I290,
    I200, I295, I136, I130, I135, I220, I390,
    I270, I300, I110, I120, I510, I500, I340,
    None, None, None, None, None, RE, SP,
)  # fmt: skip

# ---------------------------------------------------------------------------------------------- edition 0.17
I040_017 = fixed("040", "Track Number", spare(1), F("TrkN", 15))
I060_017 = fixed("060", "Track Mode 3/A Code", spare(4), E("Mode3A", 12, "octal"))
I105_017 = fixed("105", "Calculated Position In WGS-84 Co-ordinates", S("Lat", 24, WGS_LO, "deg"), S("Lon", 24, WGS_LO, "deg"))
I100_017 = fixed("100", "Calculated Track Position (Cartesian)", S("X", 16, 1 / 64, "NM"), S("Y", 16, 1 / 64, "NM"))
I130_017 = fixed("130", "Calculated Track Geometric Altitude", S("Alt", 16, 6.25, "ft"))
I135_017 = fixed("135", "Calculated Track Barometric Altitude", F("QNH", 1), S("Alt", 15, 25, "ft"))
I180_017 = fixed("180", "Calculated Track Velocity (Polar)", F("Speed", 16, 2**-14, "NM/s"), F("Heading", 16, 360 / 2**16, "deg"))
I200_017 = fixed("200", "Mode of Flight", F("TRANS", 2), F("LONG", 2), F("VERT", 2), spare(2))
I220_017 = fixed("220", "Calculated Rate Of Climb/Descent", S("ROC", 16, 6.25, "ft/min"))
I240_017 = fixed("240", "Calculated Rate Of Turn", S("ROT", 8, 0.25, "deg/s"))
I210_017 = fixed("210", "Calculated Longitudinal Acceleration", S("CLA", 16, 0.00044155, "m/s2"))
I080_017 = extended(
    "080",
    "Track Status",
    [F("MON", 1), F("SPI", 1), F("MRH", 1), F("SRC", 3), F("CNF", 1)],
    [F("SIM", 1), F("TSE", 1), F("TSB", 1), F("FPC", 1), spare(3)],
    [F("AMA", 1), F("FRIFOE", 2), F("ME", 1), F("MI", 1), spare(2)],
    [F("COA", 1), F("PSR", 1), F("SSR", 1), F("MDS", 1), F("ADS", 1), F("SUC", 1), F("AAC", 1)],
)
I290_017 = compound(
    "290",
    "System Track Update Ages",
    _age("PSR"), _age("SSR"), _age("MDA"), _age("MFL"), _age("MDS"), _age("ADS", 2), _age("ADB"),
    _age("MD1"), _age("MD2"),
)  # fmt: skip
I340_017 = I340
I380_017 = compound(
    "380",
    "Mode S Related Data",
    _MB,
    fixed("ADR", "Aircraft Address", E("ADR", 24, "hex")),
    fixed("ID", "Aircraft Identification", E("ACID", 48, "chars6")),
    fixed("COM", "Communications/ACAS Capability and Flight Status", F("COM", 3), F("STAT", 3), spare(2), F("SSC", 1), F("ARC", 1), F("AIC", 1), F("B1A", 1), F("B1B", 4)),
    fixed("ACS", "ACAS Resolution Advisory Report", E("ACAS", 56, "hex")),
)
I500_017 = compound(
    "500",
    "Estimated Accuracies",
    fixed("APC", "Estimated Accuracy Of Track Position (Cartesian)", F("X", 8, 1 / 64, "NM"), F("Y", 8, 1 / 64, "NM")),
    fixed("APW", "Estimated Accuracy Of Track Position (WGS-84)", F("Lat", 16, WGS_LO, "deg"), F("Lon", 16, WGS_LO, "deg")),
    fixed("ATA", "Estimated Accuracy Of Track Altitude", F("ATA", 16, 6.25, "ft")),
    fixed("ATF", "Estimated Accuracy Of Calculated Track Flight Level", F("ATF", 8, 0.25, "FL")),
    fixed("ATV", "Estimated Accuracy Of Track Velocity (Polar)", F("Speed", 8, 2**-14, "NM/s"), F("Heading", 16, 360 / 2**16, "deg")),
    fixed("ART", "Estimated Accuracy Of Rate Of Turn", F("ART", 8, 0.25, "deg/s")),
    fixed("ALA", "Estimated Accuracy Of Longitudinal Acceleration", F("ALA", 16, 0.00044155, "m/s2")),
    fixed("ARC", "Estimated Accuracy Of Rate Of Climb/Descent", F("ARC", 8, 6.25, "ft/min")),
)
I390_017 = compound("390", "Flight Plan Related Data", *I390.subitems[:14])
I110_017 = fixed("110", "Track Mode 1 Code", spare(3), F("Mode1", 5))
I120_017 = I120
I510_017 = I510

UAP_0_17 = uap(
    I010, I015, I070, I040_017, I105_017, I100_017, I060_017,
    I130_017, I135_017, I136, I180_017, I200_017, I220_017, I240_017,
    I210_017, I080_017, I290_017, I340_017, I380_017, I500_017, I390_017,
    I110_017, I120_017, I510_017, None, None, RE, SP,
)  # fmt: skip

EDITIONS = {
    "1.18": Edition(62, "1.18", {"": UAP_1_18}),
    "0.17": Edition(62, "0.17", {"": UAP_0_17}, notes="draft edition of 2005; differs from 1.x in most items"),
}
LATEST = "1.18"
# fmt: on
