"""The system plane's projection, compiled: latitude/longitude ↔ plane metres on the tracker's hot path.

Why: every 4 s slice projects its Cartesian reports (or its polar plots' ground points) onto the plane and every
snapshot projects its tracks back to latitude/longitude. Through pyproj each direction is a Python call of
~30–55 µs at 50 points and ~150–430 µs at 500 (argument buffers, the transformation pipeline, the inverse's
latitude iteration); here it is one compiled loop of a few transcendental functions per point.

What: the ellipsoidal oblique stereographic projection that :class:`airpicture.core.geodesy.SystemPlane` defines
through PROJ (``+proj=stere +lat_0 +lon_0 +k=1 +ellps=WGS84``), on the WGS-84 ellipsoid (a, e). With χ the
conformal latitude, tan(π/4 + χ/2) = tan(π/4 + φ/2) ((1 − e sin φ)/(1 + e sin φ))^(e/2), χ₀ that of the centre and
λ the longitude from the centre (Snyder, *Map Projections — A Working Manual*, eqs. 21-24 to 21-27)::

    A = 2 a k₀ m₀ / (cos χ₀ (1 + sin χ₀ sin χ + cos χ₀ cos χ cos λ)),   m₀ = cos φ₀ / √(1 − e² sin² φ₀)
    x = A cos χ sin λ,   y = A (cos χ₀ sin χ − sin χ₀ cos χ cos λ)

and its inverse: ρ = √(x² + y²), c = 2 atan(ρ cos χ₀ / (2 a k₀ m₀)),
χ = asin(cos c sin χ₀ + y sin c cos χ₀ / ρ), λ = atan2(x sin c, ρ cos χ₀ cos c − y sin χ₀ sin c), and the
geodetic latitude from the conformal one by its series in the third flattening n = f/(2 − f) to n⁶ (Karney 2011,
"Transverse Mercator with an accuracy of a few nanometers", the χ → φ series; the truncation error is of order
n⁷ ≈ 4e-20 rad), summed by Clenshaw's recurrence: no iteration.

The test (``tests/track/test_kernels_plane.py``) holds both directions to PROJ within 1e-6 m / 1e-11° on random
points out to 4,000 km from the centre; pyproj stays the projection of record in :mod:`airpicture.core.geodesy`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from airpicture.core.geodesy import SystemPlane
from airpicture.track.kernels import ground_velocity_one

#: WGS-84 semi-major axis (m) and flattening (the ellipsoid of the system plane's PROJ definition).
WGS84_A_M = 6378137.0
WGS84_F = 1.0 / 298.257223563


def _chi_to_phi_coefficients(n: float) -> NDArray[np.float64]:
    """d₁…d₆ of φ = χ + Σ d_j sin 2jχ (Karney 2011, the conformal → geodetic latitude series, to n⁶)."""
    n2, n3, n4, n5, n6 = n * n, n**3, n**4, n**5, n**6
    return np.array(
        [
            2 * n - 2 / 3 * n2 - 2 * n3 + 116 / 45 * n4 + 26 / 45 * n5 - 2854 / 675 * n6,
            7 / 3 * n2 - 8 / 5 * n3 - 227 / 45 * n4 + 2704 / 315 * n5 + 2323 / 945 * n6,
            56 / 15 * n3 - 136 / 35 * n4 - 1262 / 105 * n5 + 73814 / 2835 * n6,
            4279 / 630 * n4 - 332 / 35 * n5 - 399572 / 14175 * n6,
            4174 / 315 * n5 - 144838 / 6237 * n6,
            601676 / 22275 * n6,
        ]
    )


class PlaneProjection:
    """The compiled projection of one :class:`SystemPlane` (its constants computed once)."""

    def __init__(self, plane: SystemPlane) -> None:
        self.plane = plane
        e2 = WGS84_F * (2.0 - WGS84_F)
        self.e = math.sqrt(e2)
        phi0 = math.radians(plane.lat0_deg)
        es0 = self.e * math.sin(phi0)
        chi0 = 2.0 * math.atan(math.tan(math.pi / 4 + phi0 / 2) * ((1.0 - es0) / (1.0 + es0)) ** (self.e / 2))
        chi0 -= math.pi / 2
        self.chi0_rad = chi0
        self.sin_chi0, self.cos_chi0 = math.sin(chi0), math.cos(chi0)
        #: 2 a k₀ m₀ (k₀ = 1): the scale numerator of the oblique case.
        self.two_a_m0 = 2.0 * WGS84_A_M * math.cos(phi0) / math.sqrt(1.0 - es0 * es0)
        self.lon0_rad = math.radians(plane.lon0_deg)
        self.chi_to_phi = _chi_to_phi_coefficients(WGS84_F / (2.0 - WGS84_F))
        #: The forward projection's constants, as one argument of the kernels that project inside them.
        self.forward_args = (self.lon0_rad, self.e, self.sin_chi0, self.cos_chi0, self.two_a_m0)

    def to_xy(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Plane x (east), y (north) in metres of latitude/longitude points (as ``SystemPlane.to_xy``)."""
        return stereographic_forward(
            np.ascontiguousarray(lat_deg, dtype=np.float64), np.ascontiguousarray(lon_deg, dtype=np.float64),
            self.lon0_rad, self.e, self.sin_chi0, self.cos_chi0, self.two_a_m0,
        )  # fmt: skip

    def to_ground(
        self, pos_m: NDArray[np.float64], vel_mps: NDArray[np.float64], earth_radius_m: float
    ) -> tuple[NDArray[np.float64], ...]:
        """Latitude, longitude (deg), ground speed (m/s) and track over the ground (deg from true north) of plane
        positions and velocities (n, 2) — the snapshot's geography in one compiled pass."""
        return plane_to_ground(
            np.ascontiguousarray(pos_m, dtype=np.float64), np.ascontiguousarray(vel_mps, dtype=np.float64),
            self.lon0_rad, self.sin_chi0, self.cos_chi0, self.two_a_m0, self.chi_to_phi, float(earth_radius_m),
        )  # fmt: skip

    def to_latlon(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Latitude, longitude (deg) of plane points (as ``SystemPlane.to_latlon``)."""
        return stereographic_inverse(
            np.ascontiguousarray(x_m, dtype=np.float64), np.ascontiguousarray(y_m, dtype=np.float64),
            self.lon0_rad, self.sin_chi0, self.cos_chi0, self.two_a_m0, self.chi_to_phi,
        )  # fmt: skip


@njit(cache=True)
def stereographic_forward(lat_deg, lon_deg, lon0_rad, e, sin_chi0, cos_chi0, two_a_m0):
    """Latitude/longitude (deg) → plane (x, y) in metres; NaN in, NaN out."""
    n = lat_deg.shape[0]
    x = np.empty(n)
    y = np.empty(n)
    half_e = 0.5 * e
    for k in range(n):
        phi = math.radians(lat_deg[k])
        lam = math.radians(lon_deg[k]) - lon0_rad
        es = e * math.sin(phi)
        chi = 2.0 * math.atan(math.tan(0.25 * math.pi + 0.5 * phi) * ((1.0 - es) / (1.0 + es)) ** half_e)
        chi -= 0.5 * math.pi
        sin_chi, cos_chi = math.sin(chi), math.cos(chi)
        cos_lam = math.cos(lam)
        a = two_a_m0 / (cos_chi0 * (1.0 + sin_chi0 * sin_chi + cos_chi0 * cos_chi * cos_lam))
        x[k] = a * cos_chi * math.sin(lam)
        y[k] = a * (cos_chi0 * sin_chi - sin_chi0 * cos_chi * cos_lam)
    return x, y


@njit(cache=True)
def _inverse_one(x, y, lon0_rad, sin_chi0, cos_chi0, two_a_m0, chi_to_phi):
    """One plane point → (latitude, longitude in degrees, conformal latitude χ, longitude λ from the centre)."""
    rho = math.hypot(x, y)
    if rho == 0.0:
        chi = math.asin(sin_chi0)
        lam = 0.0
    else:
        c = 2.0 * math.atan2(rho * cos_chi0, two_a_m0)
        sin_c, cos_c = math.sin(c), math.cos(c)
        sin_chi = cos_c * sin_chi0 + y * sin_c * cos_chi0 / rho
        if sin_chi > 1.0:  # (round-off only; written as comparisons so that NaN stays NaN)
            sin_chi = 1.0
        elif sin_chi < -1.0:
            sin_chi = -1.0
        chi = math.asin(sin_chi)
        lam = math.atan2(x * sin_c, rho * cos_chi0 * cos_c - y * sin_chi0 * sin_c)
    # φ = χ + Σ d_j sin 2jχ by Clenshaw's recurrence (one sine and one cosine for all six terms)
    s2, c2 = math.sin(2.0 * chi), math.cos(2.0 * chi)
    two_c2 = 2.0 * c2
    b1 = 0.0
    b2 = 0.0
    for j in range(chi_to_phi.shape[0] - 1, -1, -1):
        b1, b2 = two_c2 * b1 - b2 + chi_to_phi[j], b1
    lon = math.degrees(lam + lon0_rad)
    if lon < -180.0:
        lon += 360.0
    elif lon > 180.0:
        lon -= 360.0
    return math.degrees(chi + s2 * b1), lon, chi, lam


@njit(cache=True)
def stereographic_inverse(x_m, y_m, lon0_rad, sin_chi0, cos_chi0, two_a_m0, chi_to_phi):
    """Plane (x, y) in metres → latitude, longitude (deg, longitude in [-180, 180]); NaN in, NaN out."""
    n = x_m.shape[0]
    lat = np.empty(n)
    lon = np.empty(n)
    for k in range(n):
        lat[k], lon[k], _, _ = _inverse_one(x_m[k], y_m[k], lon0_rad, sin_chi0, cos_chi0, two_a_m0, chi_to_phi)
    return lat, lon


@njit(cache=True)
def plane_to_ground(pos, vel, lon0_rad, sin_chi0, cos_chi0, two_a_m0, chi_to_phi, earth_radius_m):
    """Plane positions (n, 2) and velocities (n, 2) → latitude, longitude (deg), ground speed (m/s) and track over
    the ground (deg from true north) in one pass: the inverse projection's own χ and λ give the meridian
    convergence (:func:`airpicture.track.kernels.ground_velocity_one`) without recomputing them from φ."""
    n = pos.shape[0]
    lat = np.empty(n)
    lon = np.empty(n)
    speed = np.empty(n)
    track = np.empty(n)
    for k in range(n):
        x, y = pos[k, 0], pos[k, 1]
        lat[k], lon[k], chi, lam = _inverse_one(x, y, lon0_rad, sin_chi0, cos_chi0, two_a_m0, chi_to_phi)
        speed[k], track[k] = ground_velocity_one(
            x, y, vel[k, 0], vel[k, 1], chi, lam, sin_chi0, cos_chi0, earth_radius_m
        )
    return lat, lon, speed, track


def warm_up() -> None:
    """Compile (or load from the cache) both directions with the argument types the tracker passes."""
    f = np.array([10.0, np.nan])
    coefficients = _chi_to_phi_coefficients(0.0017)
    stereographic_forward(f, f, 0.1, 0.08, 0.3, 0.95, 1.2e7)
    stereographic_inverse(f, f, 0.1, 0.3, 0.95, 1.2e7, coefficients)
    pos = np.ones((2, 2))
    plane_to_ground(pos, pos, 0.1, 0.3, 0.95, 1.2e7, coefficients, 6.4e6)
