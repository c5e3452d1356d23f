"""Unit conversions. SI inside the system; aviation units only at the edges, named in field names."""

FT_TO_M = 0.3048
M_TO_FT = 1.0 / FT_TO_M
KT_TO_MPS = 1852.0 / 3600.0
MPS_TO_KT = 1.0 / KT_TO_MPS
NM_TO_M = 1852.0
M_TO_NM = 1.0 / NM_TO_M
FPM_TO_MPS = FT_TO_M / 60.0
MPS_TO_FPM = 1.0 / FPM_TO_MPS
FL_TO_M = 100.0 * FT_TO_M

#: WGS-84 ellipsoid.
WGS84_A_M = 6378137.0
WGS84_F = 1.0 / 298.257223563
#: Mean earth radius, for spherical approximations (haversine, line of sight).
EARTH_RADIUS_M = 6371008.8
