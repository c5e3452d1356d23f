"""The benchmark square's truth states the velocity over the ground, as a SystemTrack does."""

import numpy as np
from pyproj import Geod

from airpicture.core.units import KT_TO_MPS
from airpicture.sim.square import square_scenario


def test_truth_velocity_is_the_ground_velocity_between_truth_positions() -> None:
    sc = square_scenario(40, 30.0, seed=3)
    t = sc.truth.sort_by([("target_id", "ascending"), ("time_s", "ascending")])
    tid, time_s = t.column("target_id").to_numpy(), t.column("time_s").to_numpy()
    lat, lon = t.column("lat_deg").to_numpy(), t.column("lon_deg").to_numpy()
    speed = t.column("ground_speed_kt").to_numpy() * KT_TO_MPS
    track = t.column("track_deg").to_numpy()
    straight = np.abs(t.column("turn_rate_dps").to_numpy()) < 1e-9
    # Consecutive seconds of one aircraft flying straight: the chord between them is the velocity over the ground.
    pair = (tid[1:] == tid[:-1]) & (np.diff(time_s) == 1.0) & straight[1:] & straight[:-1]
    assert pair.sum() > 500
    azimuth, _, distance = Geod(ellps="WGS84").inv(lon[:-1][pair], lat[:-1][pair], lon[1:][pair], lat[1:][pair])
    np.testing.assert_allclose(distance, 0.5 * (speed[:-1] + speed[1:])[pair], atol=0.05)

    # The plane's grid bearing is up to ~1 deg off true north at the square's edge.
    def off(a: np.ndarray) -> np.ndarray:
        return (azimuth - a[pair] + 180.0) % 360.0 - 180.0

    assert np.abs(0.5 * (off(track[:-1]) + off(track[1:]))).max() < 0.01
