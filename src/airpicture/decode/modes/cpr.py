"""Compact Position Reporting (CPR), vectorised: NL zones, global (even/odd) and local decoding, and encoding.

ADS-B sends latitude and longitude as 17-bit fractions of a zone. Two zone sizes alternate (even: 60 latitude
zones, odd: 59), so one even and one odd report taken close together pin the position anywhere on Earth ("global"
decoding); a single report pins it relative to a reference known to lie within half a zone ("local" decoding:
about 180 NM airborne, 45 NM on the surface, where the zones are four times smaller).

Formulas follow ICAO Doc 9871 / DO-260B §A.1.7. The number of longitude zones NL(lat) is computed from the 58
transition latitudes with a binary search instead of the arccos formula, so boundary latitudes fall on the same
side as in the standard's table.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

NZ = 15
CPR_SCALE = float(1 << 17)


def _transition_latitudes() -> NDArray[np.float64]:
    nl = np.arange(59, 1, -1, dtype=np.float64)
    a = 1.0 - np.cos(np.pi / (2 * NZ))
    b = 1.0 - np.cos(2 * np.pi / nl)
    return np.degrees(np.arccos(np.sqrt(a / b)))  # ascending: where NL drops from nl to nl - 1


_TRANSITIONS = _transition_latitudes()


def nl(lat_deg: NDArray) -> NDArray[np.int64]:
    """Number of longitude zones at each latitude (59 at the equator, 1 at the poles)."""
    return 59 - np.searchsorted(_TRANSITIONS, np.abs(lat_deg), side="right").astype(np.int64)


def _wrap_lon(lon: NDArray) -> NDArray:
    return (lon + 180.0) % 360.0 - 180.0


def global_airborne(
    lat_even: NDArray, lon_even: NDArray, lat_odd: NDArray, lon_odd: NDArray, latest_odd: NDArray[np.bool_]
) -> tuple[NDArray, NDArray, NDArray[np.bool_]]:
    """Position from an even/odd pair of raw 17-bit CPR values, for the time of the latest of the two.

    Returns (lat, lon, ok); ok is False when the two reports straddle a latitude zone boundary (NL differs), in
    which case no global position is possible from this pair.
    """
    return _global(lat_even, lon_even, lat_odd, lon_odd, latest_odd, 360.0)


def global_surface(
    lat_even: NDArray,
    lon_even: NDArray,
    lat_odd: NDArray,
    lon_odd: NDArray,
    latest_odd: NDArray[np.bool_],
    ref_lat: NDArray,
    ref_lon: NDArray,
) -> tuple[NDArray, NDArray, NDArray[np.bool_]]:
    """Surface global decoding: zones are 90° wide, so a pair leaves four candidates in longitude and two in
    latitude; the one nearest the reference (the receiver, or the aircraft's last position) is chosen."""
    lat, lon, ok = _global(lat_even, lon_even, lat_odd, lon_odd, latest_odd, 90.0)
    lat_south = lat - 90.0
    lat = np.where(np.abs(lat_south - ref_lat) < np.abs(lat - ref_lat), lat_south, lat)
    # Four longitude candidates lon + k*90: pick the one closest to the reference.
    k = np.rint((np.asarray(ref_lon) - lon) / 90.0)
    lon = _wrap_lon(lon + 90.0 * k)
    return lat, lon, ok


def _global(
    lat_e: NDArray, lon_e: NDArray, lat_o: NDArray, lon_o: NDArray, latest_odd: NDArray[np.bool_], span: float
) -> tuple[NDArray, NDArray, NDArray[np.bool_]]:
    ye = np.asarray(lat_e, dtype=np.float64) / CPR_SCALE
    xe = np.asarray(lon_e, dtype=np.float64) / CPR_SCALE
    yo = np.asarray(lat_o, dtype=np.float64) / CPR_SCALE
    xo = np.asarray(lon_o, dtype=np.float64) / CPR_SCALE
    dlat_e = span / 60.0
    dlat_o = span / 59.0
    j = np.floor(59.0 * ye - 60.0 * yo + 0.5)
    rlat_e = dlat_e * (np.mod(j, 60.0) + ye)
    rlat_o = dlat_o * (np.mod(j, 59.0) + yo)
    if span == 360.0:
        rlat_e = np.where(rlat_e >= 270.0, rlat_e - 360.0, rlat_e)
        rlat_o = np.where(rlat_o >= 270.0, rlat_o - 360.0, rlat_o)
    nl_e = nl(rlat_e)
    ok = (nl_e == nl(rlat_o)) & (np.abs(rlat_e) <= 90.0) & (np.abs(rlat_o) <= 90.0)
    lat = np.where(latest_odd, rlat_o, rlat_e)
    nl_lat = nl(lat)
    ni = np.maximum(nl_lat - latest_odd.astype(np.int64), 1)
    m = np.floor(xe * (nl_lat - 1) + -xo * nl_lat + 0.5)
    frac = np.where(latest_odd, xo, xe)
    lon = (span / ni) * (np.mod(m, ni) + frac)
    return lat, _wrap_lon(lon), ok


def local(
    lat_cpr: NDArray, lon_cpr: NDArray, odd: NDArray[np.bool_], ref_lat: NDArray, ref_lon: NDArray, surface: NDArray
) -> tuple[NDArray, NDArray]:
    """Position from one report and a reference within half a zone (180 NM airborne, 45 NM surface)."""
    i = np.asarray(odd, dtype=np.float64)
    span = np.where(surface, 90.0, 360.0)
    y = np.asarray(lat_cpr, dtype=np.float64) / CPR_SCALE
    x = np.asarray(lon_cpr, dtype=np.float64) / CPR_SCALE
    dlat = span / (4 * NZ - i)
    j = np.floor(ref_lat / dlat) + np.floor(0.5 + np.mod(ref_lat, dlat) / dlat - y)
    lat = dlat * (j + y)
    dlon = span / np.maximum(nl(lat) - i, 1.0)
    m = np.floor(ref_lon / dlon) + np.floor(0.5 + np.mod(ref_lon, dlon) / dlon - x)
    lon = dlon * (m + x)
    return lat, _wrap_lon(lon)


def encode(
    lat_deg: NDArray, lon_deg: NDArray, odd: NDArray[np.bool_], surface: bool | NDArray = False
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Raw 17-bit CPR latitude and longitude for positions, even (odd=False) or odd format."""
    i = np.asarray(odd, dtype=np.float64)
    span = np.where(surface, 90.0, 360.0)
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    dlat = span / (4 * NZ - i)
    yz = np.floor(CPR_SCALE * np.mod(lat, dlat) / dlat + 0.5)
    rlat = dlat * (yz / CPR_SCALE + np.floor(lat / dlat))
    dlon = span / np.maximum(nl(rlat) - i, 1.0)
    xz = np.floor(CPR_SCALE * np.mod(lon, dlon) / dlon + 0.5)
    return yz.astype(np.int64) & 0x1FFFF, xz.astype(np.int64) & 0x1FFFF
