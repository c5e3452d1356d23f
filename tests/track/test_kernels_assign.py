"""The compiled clustering of the GNN assignment against the numpy statement it replaces."""

from __future__ import annotations

import numpy as np

from airpicture.track.associator import gnn_assign, gnn_assign_reference


def test_compiled_gnn_assignment_chooses_the_same_pairs_as_the_numpy_reference():
    rng = np.random.default_rng(11)
    for trial in range(400):
        n_tracks, n_plots = rng.integers(1, 14, size=2)
        t, p = np.nonzero(rng.random((n_tracks, n_plots)) < rng.uniform(0.05, 0.5))
        if t.size == 0:
            continue
        shuffle = rng.permutation(t.size)  # gated pairs come in any order
        t, p = t[shuffle], p[shuffle]
        # Some equal costs, so that the tie rule (first pair wins) is exercised.
        cost = np.round(rng.random(t.size) * 6) if trial % 3 == 0 else rng.random(t.size) * 10
        slots = 7 * t + 2  # slots need not be dense
        expected = gnn_assign_reference(slots, p, cost)
        np.testing.assert_array_equal(gnn_assign(slots, p, cost), expected)


def test_compiled_gnn_assignment_solves_single_sided_and_contested_clusters_in_one_call():
    # Cluster A: track 10 with plots 0, 1 (single track: cheapest pair). Cluster B: tracks 20, 30 with plots 2, 3
    # (contested: optimal assignment, not the greedy cheapest pair 20-2). Cluster C: a lone pair.
    track = np.array([10, 10, 20, 20, 30, 40])
    plot = np.array([0, 1, 2, 3, 2, 4])
    cost = np.array([5.0, 3.0, 1.0, 2.0, 1.5, 9.0])
    chosen = gnn_assign(track, plot, cost)
    assert chosen.tolist() == [1, 3, 4, 5]
    assert gnn_assign(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)).size == 0
