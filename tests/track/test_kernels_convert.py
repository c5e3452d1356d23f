"""The one-call conversion kernel against the step-by-step composition of the passes it fuses."""

from __future__ import annotations

import numpy as np

from airpicture.core.geodesy import SystemPlane
from airpicture.core.units import EARTH_RADIUS_M, FT_TO_M
from airpicture.track import kernels
from airpicture.track.kernels_convert import convert_rows
from airpicture.track.kernels_plane import PlaneProjection
from airpicture.track.measurement import NACP_EPU_M


def test_fused_conversion_equals_checks_noise_models_polar_geometry_and_projection_step_by_step():
    rng = np.random.default_rng(29)
    n = 300
    plane = SystemPlane(13.5, 2.1)
    projection = PlaneProjection(plane)
    site_lat, site_lon, site_alt = np.array([13.5, 15.0, np.nan]), np.array([2.1, 4.0, np.nan]), np.zeros(3)
    site_xy = np.stack(projection.to_xy(np.nan_to_num(site_lat), np.nan_to_num(site_lon)), axis=1)
    site_sigma_range, site_sigma_az = np.array([100.0, 60.0, np.nan]), np.radians([0.05, 0.08, 0.1])
    site_range_max, site_sigma_h = np.array([3e5, 2.5e5, np.nan]), np.array([np.nan, np.nan, 30.0])
    polar = rng.random(n) < 0.5
    t = np.where(rng.random(n) < 0.02, np.nan, np.sort(rng.uniform(0.0, 4.0, n)))
    kind = np.where(polar, 4, rng.choice([0, 1, -1], n, p=[0.8, 0.18, 0.02])).astype(np.int8)
    sensor = np.where(polar, rng.integers(0, 2, n), 2).astype(np.int32)
    alt_ft = np.where(rng.random(n) < 0.2, np.nan, rng.uniform(-3000.0, 90000.0, n))
    lat = np.where(polar, np.nan, rng.uniform(0.0, 30.0, n))
    lon = np.where(polar, np.nan, rng.uniform(-10.0, 15.0, n))
    rng_m = np.where(polar, rng.uniform(-1e3, 3.8e5, n), np.nan)
    az = np.where(polar, rng.uniform(0.0, 360.0, n), np.nan)
    sigma_h = np.where(rng.random(n) < 0.3, 25.0, np.nan)
    nacp = np.where(rng.random(n) < 0.5, rng.integers(0, 12, n).astype(float), np.nan)
    icao = np.where(rng.random(n) < 0.5, 0x3C6444, -1).astype(np.int64)
    cfg = (FT_TO_M, 150.0, 3000.0, 3000.0, 15.0, 4.0 / 3.0, EARTH_RADIUS_M, 1.2e6)
    got = convert_rows(
        t, kind, alt_ft, lat, lon, rng_m, az, sigma_h, nacp, sensor, icao, site_lat, site_lon, site_alt, site_xy,
        site_sigma_range, site_sigma_az, site_range_max, site_sigma_h, NACP_EPU_M, *cfg, projection.forward_args,
    )  # fmt: skip

    # The same passes called one by one (as the converter did before they were fused).
    keep, cart, pol, alt_m, counts = kernels.convert_checks(
        t, kind, alt_ft, lat, lon, rng_m, az, sensor, site_lat, site_sigma_range, site_range_max, FT_TO_M
    )
    xy, r = np.full((n, 2), np.nan), np.zeros((n, 2, 2))
    slant, sxy, salt = np.full(n, np.nan), np.full((n, 2), np.nan), np.full(n, np.nan)
    i = np.flatnonzero(cart)
    x, y = projection.to_xy(lat[i], lon[i])
    kernels.fill_cartesian(i, x, y, sigma_h, nacp, sensor, site_sigma_h, NACP_EPU_M, 150.0, xy, r)
    i = np.flatnonzero(pol)
    plat, plon, ground, h, no_alt = kernels.polar_ground_points(
        i, rng_m, az, alt_m, sensor, site_lat, site_lon, site_alt, 3000.0, 4.0 / 3.0, EARTH_RADIUS_M
    )
    x, y = projection.to_xy(plat, plon)
    kernels.fill_polar(
        i, x, y, rng_m[i], ground, h, no_alt, sensor, site_xy, site_alt, site_sigma_range, site_sigma_az, 3000.0,
        15.0, xy, r, slant, sxy, salt,
    )  # fmt: skip
    keep, has_pos, far, useless = kernels.convert_final(keep, cart, pol, xy, 1.2e6, icao)
    want = (keep, has_pos, xy, r, alt_m, slant, sxy, salt, counts, far, useless)

    assert cart.sum() > 50 and pol.sum() > 50 and counts.sum() > 10 and far > 0  # every branch is exercised
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
