"""CAT065 — SDPS Service Status Messages (EUROCONTROL-SPEC-0149-15), edition 1.3.

Sent beside CAT062 by a tracker: service identification, batch number, and whether the service is operational.
"""

from airpicture.decode.asterix.spec import Edition, F, explicit, fixed, spare, uap

MESSAGE_TYPES = {1: "sdps_status", 2: "end_of_batch", 3: "service_status_report"}
I010 = fixed("010", "Data Source Identifier", F("SAC", 8), F("SIC", 8))
I000 = fixed("000", "Message Type", F("Typ", 8))
I015 = fixed("015", "Service Identification", F("SID", 8))
I030 = fixed("030", "Time of Message", F("ToD", 24, 1 / 128, "s"))
I020 = fixed("020", "Batch Number", F("BTN", 8))
I040 = fixed("040", "SDPS Configuration and Status", F("NOGO", 2), F("OVL", 1), F("TSV", 1), F("PSS", 2), spare(2))
I050 = fixed("050", "Service Status Report", F("REPORT", 8))
RE = explicit("RE", "Reserved Expansion Field")
SP = explicit("SP", "Special Purpose Field")

UAP_1_3 = uap(I010, I000, I015, I030, I020, I040, I050, None, None, None, None, None, RE, SP)

EDITIONS = {"1.3": Edition(65, "1.3", {"": UAP_1_3})}
LATEST = "1.3"
