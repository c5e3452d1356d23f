"""The compiled update of a round's chosen pairs against the numpy refinement and the IMM step kernel it fuses."""

from __future__ import annotations

import numpy as np

from airpicture.core.units import EARTH_RADIUS_M
from airpicture.track import kernels, kernels_round
from airpicture.track.config import TrackerConfig
from airpicture.track.measurement import MeasurementBatch, refine_with_altitude

from .test_kernels import _random_imm


def _polar_batch(rng: np.random.Generator, n: int) -> MeasurementBatch:
    """Plots around a radar site, half of them converted with the assumed altitude (slant range kept)."""
    site = np.array([1.0e4, -2.0e4])
    ground = rng.uniform(2e4, 2.5e5, n)
    bearing = rng.uniform(0.0, 2 * np.pi, n)
    xy = site + np.stack([ground * np.sin(bearing), ground * np.cos(bearing)], axis=1)
    a = rng.normal(size=(n, 2, 2))
    r = a @ np.swapaxes(a, -1, -2) * 2e4 + np.eye(2) * 1e4
    no_alt = rng.random(n) < 0.5
    slant = np.where(no_alt, np.hypot(ground, 3000.0), np.nan)
    return MeasurementBatch(
        time_s=np.sort(rng.uniform(10.0, 14.0, n)), sensor=rng.integers(0, 2, n).astype(np.int32),
        kind=np.full(n, 3, np.int8), has_position=np.ones(n, bool), xy_m=xy, r_m2=r,
        alt_m=np.where(no_alt, np.nan, 9000.0), icao24=np.full(n, -1, np.int64), callsign=np.full(n, "", "<U8"),
        squawk=np.full(n, "", "<U4"), slant_m=slant, site_xy_m=np.tile(site, (n, 1)),
        site_alt_m=np.full(n, 250.0),
    )  # fmt: skip


def test_update_of_chosen_pairs_equals_refinement_then_the_imm_step_then_the_counts():
    cfg = TrackerConfig()
    bank = cfg.motion_models()
    rng = np.random.default_rng(17)
    n_tracks, n_plots = 30, 24
    x, p, mu, _ = _random_imm(rng, n_tracks, bank.n)
    xc, pc = kernels.combine(x, p, mu, 4)
    t_store = rng.uniform(5.0, 9.0, n_tracks)
    track_alt = np.where(rng.random(n_tracks) < 0.7, rng.uniform(500.0, 12000.0, n_tracks), np.nan)
    batch = _polar_batch(rng, n_plots)
    slots = rng.permutation(n_tracks)[:18].astype(np.int64)
    plots = rng.permutation(n_plots)[:18].astype(np.int64)
    hits = rng.integers(0, 5, n_tracks).astype(np.int32)
    sensor_time = np.full((n_tracks, 2), -np.inf)

    xy_before = batch.xy_m.copy()
    refinable = np.isfinite(batch.slant_m[plots]) & np.isfinite(track_alt[slots])
    assert refinable.sum() >= 3 and (~refinable).sum() >= 3  # both kinds of pair are exercised
    # Reference: the numpy refinement, then the store step kernel, then the counts.
    ref = MeasurementBatch(*[np.copy(getattr(batch, f)) for f in batch.__dataclass_fields__])
    refine_with_altitude(ref, plots, track_alt[slots], cfg)
    sx, sp, smu, sxc, spc, st = x.copy(), p.copy(), mu.copy(), xc.copy(), pc.copy(), t_store.copy()
    t_ref, z_ref, r_ref = ref.time_s[plots], ref.xy_m[plots], ref.r_m2[plots]
    kernels.predict_update_store(sx, sp, smu, sxc, spc, st, slots, t_ref, z_ref, r_ref, *bank.kernel_args)
    hits_ref = hits.copy()
    hits_ref[slots] += 1
    sensor_ref = sensor_time.copy()
    sensor_ref[slots, ref.sensor[plots]] = t_ref

    gx, gp, gmu, gxc, gpc, gt = x.copy(), p.copy(), mu.copy(), xc.copy(), pc.copy(), t_store.copy()
    got_hits, got_sensor = hits.copy(), sensor_time.copy()
    t, z, r = kernels_round.update_chosen(
        gx, gp, gmu, gxc, gpc, gt, got_hits, got_sensor, track_alt, slots, plots, batch.time_s, batch.xy_m,
        batch.r_m2, batch.sensor, batch.slant_m, batch.site_xy_m, batch.site_alt_m, cfg.assumed_alt_m,
        cfg.assumed_alt_sigma_m, 4.0 / 3.0 * EARTH_RADIUS_M, *bank.kernel_args,
    )  # fmt: skip
    moved = np.hypot(*(batch.xy_m[plots] - xy_before[plots]).T)
    assert (moved[refinable] > 1.0).all() and (moved[~refinable] == 0.0).all()
    np.testing.assert_allclose(batch.xy_m, ref.xy_m, rtol=1e-12)
    np.testing.assert_allclose(batch.r_m2, ref.r_m2, rtol=1e-10, atol=1e-6)
    np.testing.assert_array_equal(np.isnan(batch.slant_m), np.isnan(ref.slant_m))
    np.testing.assert_allclose(z, z_ref, rtol=1e-12)
    np.testing.assert_array_equal(t, t_ref)
    np.testing.assert_allclose(r, r_ref, rtol=1e-10, atol=1e-6)
    for got, want in ((gx, sx), (gp, sp), (gmu, smu), (gxc, sxc), (gpc, spc)):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-9 * np.abs(want).max())
    np.testing.assert_array_equal(gt, st)
    np.testing.assert_array_equal(got_hits, hits_ref)
    np.testing.assert_array_equal(got_sensor, sensor_ref)


def test_update_of_chosen_pairs_without_track_altitudes_leaves_the_plots_as_they_are():
    cfg = TrackerConfig()
    bank = cfg.motion_models()
    rng = np.random.default_rng(19)
    x, p, mu, _ = _random_imm(rng, 6, bank.n)
    xc, pc = kernels.combine(x, p, mu, 4)
    batch = _polar_batch(rng, 6)
    before_xy, before_r = batch.xy_m.copy(), batch.r_m2.copy()
    slots = np.arange(6, dtype=np.int64)
    kernels_round.update_chosen(
        x, p, mu, xc, pc, np.full(6, 9.0), np.zeros(6, np.int32), np.full((6, 2), -np.inf), np.full(6, np.nan),
        slots, slots, batch.time_s, batch.xy_m, batch.r_m2, batch.sensor, batch.slant_m, batch.site_xy_m,
        batch.site_alt_m, cfg.assumed_alt_m, cfg.assumed_alt_sigma_m, 4.0 / 3.0 * EARTH_RADIUS_M, *bank.kernel_args,
    )  # fmt: skip
    np.testing.assert_array_equal(batch.xy_m, before_xy)
    np.testing.assert_array_equal(batch.r_m2, before_r)
