"""Compiled conversion of a batch of reports to the system plane: the row checks, both noise models, the polar
geometry and the projection in one call (see :meth:`airpicture.track.measurement.MeasurementConverter.convert`).

Why: each of those steps was already a compiled pass (:mod:`airpicture.track.kernels`,
:mod:`airpicture.track.kernels_plane`), but calling them one by one from Python cost five dispatches, five output
allocations and the index arrays between them — ~50 µs of a 4 s slice at N = 50, more than the arithmetic. This
module only composes those passes, in the same order and with the same formulas; it adds no maths of its own.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from airpicture.track.kernels import convert_checks, convert_final, fill_cartesian, fill_polar, polar_ground_points
from airpicture.track.kernels_plane import stereographic_forward


@njit(cache=True)
def convert_rows(
    t, kind, alt_ft, lat, lon, rng, az, sigma_h, nacp, sensor, icao,
    site_lat, site_lon, site_alt, site_xy, site_sigma_range, site_sigma_az_rad, site_range_max, site_sigma_h,
    nacp_epu_m, ft_to_m, default_sigma_m, assumed_alt_m, assumed_alt_sigma_m, sigma_alt_m, k, earth_m,
    max_plane_radius_m, plane,
):  # fmt: skip
    """Reports (columns as float arrays, kind and sensor codes, Mode S codes) → (keep, has position, plane
    position (n, 2), covariance (n, 2, 2), altitude m, slant range of polar plots converted with the assumed
    altitude, their site in the plane and its altitude, counts per ``kernels.CONVERT_REASONS``, out of area,
    without position or identity). ``plane``: (λ₀, e, sin χ₀, cos χ₀, 2 a m₀) of the projection."""
    lon0_rad, e, sin_chi0, cos_chi0, two_a_m0 = plane
    keep, cart, polar, alt_m, counts = convert_checks(
        t, kind, alt_ft, lat, lon, rng, az, sensor, site_lat, site_sigma_range, site_range_max, ft_to_m
    )
    n = t.shape[0]
    xy = np.full((n, 2), np.nan)
    r = np.zeros((n, 2, 2))
    slant_noalt = np.full(n, np.nan)
    site_xy_out = np.full((n, 2), np.nan)
    site_alt_out = np.full(n, np.nan)
    i = np.nonzero(cart)[0]
    if i.size:
        x, y = stereographic_forward(lat[i], lon[i], lon0_rad, e, sin_chi0, cos_chi0, two_a_m0)
        fill_cartesian(i, x, y, sigma_h, nacp, sensor, site_sigma_h, nacp_epu_m, default_sigma_m, xy, r)
    i = np.nonzero(polar)[0]
    if i.size:
        # ground_range_from_slant and destination (refracted earth, great circle), then the plane
        plat, plon, ground, h, no_alt = polar_ground_points(
            i, rng, az, alt_m, sensor, site_lat, site_lon, site_alt, assumed_alt_m, k, earth_m
        )
        x, y = stereographic_forward(plat, plon, lon0_rad, e, sin_chi0, cos_chi0, two_a_m0)
        fill_polar(
            i, x, y, rng[i], ground, h, no_alt, sensor, site_xy, site_alt, site_sigma_range, site_sigma_az_rad,
            assumed_alt_sigma_m, sigma_alt_m, xy, r, slant_noalt, site_xy_out, site_alt_out,
        )  # fmt: skip
    keep, has_pos, far, useless = convert_final(keep, cart, polar, xy, max_plane_radius_m, icao)
    return keep, has_pos, xy, r, alt_m, slant_noalt, site_xy_out, site_alt_out, counts, far, useless


def warm_up() -> None:
    """Compile (or load from the cache) with the argument types the converter passes."""
    f2 = np.array([1.0, np.nan])
    tt = np.array([1.0, 2.0])
    i8 = np.array([0, 3], np.int8)
    i32 = np.zeros(2, np.int32)
    convert_rows(
        tt, i8, tt, f2, f2, f2[::-1].copy(), tt, f2, f2, i32, np.array([-1, 5], np.int64),
        tt, tt, tt, np.zeros((2, 2)), tt, tt, tt, f2, np.full(12, 10.0), 0.3048, 150.0, 3000.0, 3000.0, 15.0,
        4.0 / 3.0, 6.4e6, 4e6, (0.1, 0.08, 0.3, 0.95, 1.2e7),
    )  # fmt: skip
