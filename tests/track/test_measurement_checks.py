"""The converter's compiled row checks and noise models: counted rejections and covariances of each report type."""

import numpy as np
import pytest

from airpicture.core.geodesy import SystemPlane, ground_range_from_slant, polar_to_latlon
from airpicture.core.schema import MEASUREMENT, table_from_columns
from airpicture.core.sensors import Sensor
from airpicture.track.config import TrackerConfig
from airpicture.track.measurement import MeasurementConverter

PLANE = SystemPlane(13.5, 2.1)
RADAR = Sensor(
    "radar", "psr_ssr", 13.5, 2.1, alt_m=200.0, rotation_period_s=4.0, sigma_range_m=100.0, sigma_azimuth_deg=0.05,
    range_max_m=300_000.0,
)  # fmt: skip
RX = Sensor("rx0", "adsb", 13.6, 2.2)


def _converter() -> MeasurementConverter:
    return MeasurementConverter([RADAR, RX], PLANE, TrackerConfig())


def test_polar_plots_beyond_range_without_site_or_with_absurd_values_are_counted_and_dropped():
    conv = _converter()
    nan = np.nan
    table = table_from_columns(
        MEASUREMENT,
        {
            "time_s": [10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6],
            "sensor": ["radar", "radar", "radar", "radar", "ghost", "radar", "rx0"],
            "kind": ["psr_ssr", "psr_ssr", "psr_ssr", "psr_ssr", "psr_ssr", "psr_ssr", "adsb"],
            "range_m": [50_000.0, 400_000.0, -5.0, 60_000.0, 50_000.0, 80_000.0, nan],
            "azimuth_deg": [45.0, 45.0, 10.0, 900.0, 45.0, 90.0, nan],
            "alt_baro_ft": [20_000.0, 20_000.0, 20_000.0, 20_000.0, 20_000.0, 200_000.0, 30_000.0],
            "lat_deg": [nan, nan, nan, nan, nan, nan, 60.0],  # the ADS-B report is far out of the plane's area
            "lon_deg": [nan, nan, nan, nan, nan, nan, 100.0],
            "icao24": [None, None, None, None, None, None, "3c6444"],
        },
    )
    batch = conv.convert(table)
    assert conv.rejected["bad_polar_plot"] == 4  # beyond 1.2 × range, negative range, azimuth 900°, unknown site
    assert conv.rejected["absurd_altitude"] == 1 and conv.rejected["out_of_area"] == 1
    assert len(batch) == 2 and batch.has_position.all()
    # The good plot: placed by slant range, azimuth and Mode C; the plot with an absurd altitude is converted with
    # the assumed altitude and keeps its slant range for re-conversion once a track gives it an altitude.
    lat, lon = polar_to_latlon(RADAR.lat_deg, RADAR.lon_deg, RADAR.alt_m, 50_000.0, 45.0, 20_000.0 * 0.3048)
    x, y = PLANE.to_xy(lat, lon)
    assert batch.xy_m[0] == pytest.approx([float(x), float(y)], abs=1e-6)
    assert np.isnan(batch.alt_m[1]) and batch.slant_m[1] == 80_000.0 and np.isnan(batch.slant_m[0])
    # R: along-range variance from σ_ρ (and the altitude term), cross-range from g σ_θ, rotated to the radial.
    g = float(ground_range_from_slant(50_000.0, 20_000.0 * 0.3048, RADAR.alt_m))
    sx, sy = PLANE.to_xy(RADAR.lat_deg, RADAR.lon_deg)
    u = np.array([float(x) - float(sx), float(y) - float(sy)])
    u /= np.linalg.norm(u)
    r = batch.r_m2[0]
    cross = np.array([-u[1], u[0]])
    assert cross @ r @ cross == pytest.approx((g * np.radians(0.05)) ** 2, rel=1e-9)
    var_g = (100.0 * np.clip(50_000.0 / g, 1, 5)) ** 2 + (15.0 * min(20_000.0 * 0.3048 / g, 5)) ** 2
    assert u @ r @ u == pytest.approx(var_g, rel=1e-9)


def test_cartesian_noise_comes_from_the_report_then_nacp_then_the_sensor_then_the_default():
    conv = _converter()
    table = table_from_columns(
        MEASUREMENT,
        {
            "time_s": [1.0, 2.0, 3.0, 4.0],
            "sensor": ["rx0"] * 4,
            "kind": ["adsb"] * 4,
            "lat_deg": [13.5] * 4,
            "lon_deg": [2.1] * 4,
            "sigma_h_m": [40.0, np.nan, np.nan, np.nan],
            "nacp": [8, 8, 11, 0],
            "icao24": ["3c6444"] * 4,
        },
    )
    batch = conv.convert(table)
    sigma = np.sqrt(batch.r_m2[:, 0, 0])
    # 40 m given; NACp 8 → 92.6 m / 2.45; NACp 11 → 3 m / 2.45 floored at 15 m; NACp 0 (unknown) → the default.
    assert sigma == pytest.approx([40.0, 92.6 / 2.45, 15.0, TrackerConfig().default_sigma_h_m])
    assert (batch.r_m2[:, 0, 1] == 0).all() and (batch.r_m2[:, 1, 1] == batch.r_m2[:, 0, 0]).all()
