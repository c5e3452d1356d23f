"""Associator: global nearest neighbour on gated clusters, with an optimal assignment solver.

Given gated (track, plot) pairs with costs, the tracks and plots form a bipartite graph; its connected components
(clusters) are independent assignment problems. A cluster of one track and one plot (the vast majority in en-route
airspace), or more generally one with a single track or a single plot, is solved by its cheapest pair, all of them
in one vectorised step; only clusters with several tracks *and* several plots go to
``scipy.optimize.linear_sum_assignment`` (Jonker–Volgenant), which minimises the summed cost

    min Σ_ij c_ij a_ij   subject to  Σ_j a_ij ≤ 1,  Σ_i a_ij ≤ 1,  a_ij ∈ {0, 1},  (i, j) gated.

Pairs outside the gate carry a prohibitive cost and are discarded from the solution, so a track may stay without
a plot (a missed detection) and a plot without a track (clutter or a new aircraft).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from airpicture.track.kernels_assign import cluster_pairs

_FORBIDDEN = 1e9


def gnn_assign(track: NDArray[np.int64], plot: NDArray[np.int64], cost: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices (increasing) of the chosen pairs among the gated pairs (track[k], plot[k], cost[k]).

    The clusters, their cheapest pairs where one side is single and the contested clusters' matrix layout come
    from one compiled pass (:func:`airpicture.track.kernels_assign.cluster_pairs`); each contested cluster is
    solved optimally. Same result as :func:`gnn_assign_reference` (the numpy statement, kept as the test oracle).
    """
    if track.size == 0:
        return np.empty(0, np.int64)
    chosen, order, starts, row, col, n_rows, n_cols = cluster_pairs(
        np.ascontiguousarray(track, dtype=np.int64), np.ascontiguousarray(plot, dtype=np.int64),
        np.ascontiguousarray(cost, dtype=np.float64),
    )  # fmt: skip
    bounds = starts.tolist()
    for c, (nr, nc) in enumerate(zip(n_rows.tolist(), n_cols.tolist(), strict=True)):
        a, b = bounds[c], bounds[c + 1]
        chosen[_solve(order[a:b], row[a:b], col[a:b], nr, nc, cost)] = True
    return np.flatnonzero(chosen)


def _solve(pairs, row, col, n_rows: int, n_cols: int, cost) -> NDArray[np.int64]:
    """The pairs a contested cluster's optimal assignment keeps (no forbidden cell)."""
    m = np.full((n_rows, n_cols), _FORBIDDEN)
    m[row, col] = cost[pairs]
    where = np.full((n_rows, n_cols), -1, dtype=np.int64)
    where[row, col] = pairs
    r, c = linear_sum_assignment(m)
    sel = where[r, c]
    return sel[(sel >= 0) & (m[r, c] < _FORBIDDEN)]


def _components(
    ti: NDArray[np.int64], pj: NDArray[np.int64], nt: int, npl: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Connected components of the bipartite track–plot graph by min-label propagation: every node takes the
    smallest label among its neighbours until nothing changes (as many rounds as the widest cluster is deep,
    a handful in practice), a few numpy calls per round instead of building a sparse graph.
    Returns each track's and each plot's cluster label (the smallest node id in its cluster; plots are nt + j)."""
    label_t = np.arange(nt, dtype=np.int64)
    label_p = np.arange(nt, nt + npl, dtype=np.int64)
    while True:
        pair = np.minimum(label_t[ti], label_p[pj])
        new_t, new_p = label_t.copy(), label_p.copy()
        np.minimum.at(new_t, ti, pair)
        np.minimum.at(new_p, pj, pair)
        if np.array_equal(new_t, label_t) and np.array_equal(new_p, label_p):
            return label_t, label_p
        label_t, label_p = new_t, new_p


def _dense_rank(
    values: NDArray[np.int64], new_cluster: NDArray[np.bool_], cluster_of: NDArray[np.int64], starts: NDArray[np.int64]
) -> NDArray[np.int64]:
    """0, 1, 2… for the distinct values within each cluster, for values sorted by (cluster, value)."""
    new_value = new_cluster | np.concatenate(([True], values[1:] != values[:-1]))
    count = np.cumsum(new_value)
    return count - count[starts][cluster_of]


def gnn_assign_reference(
    track: NDArray[np.int64], plot: NDArray[np.int64], cost: NDArray[np.float64]
) -> NDArray[np.int64]:
    """numpy statement of :func:`gnn_assign` (label propagation, vectorised cheapest pairs; the test oracle)."""
    k = track.size
    if k == 0:
        return np.empty(0, np.int64)
    # Most often no track and no plot appears twice (indices are small non-negative integers: two bincounts).
    if np.bincount(track).max() == 1 and np.bincount(plot).max() == 1:
        return np.arange(k)
    tu, ti = np.unique(track, return_inverse=True)
    pu, pj = np.unique(plot, return_inverse=True)
    nt, npl = tu.size, pu.size
    if nt == k and npl == k:
        return np.arange(k)  # every cluster is a single pair
    label_t, label_p = _components(ti, pj, nt, npl)
    pair_label = label_t[ti]
    tracks_in = np.bincount(label_t, minlength=nt + npl)
    plots_in = np.bincount(label_p, minlength=nt + npl)
    star = (tracks_in[pair_label] == 1) | (plots_in[pair_label] == 1)
    chosen = []
    easy = np.nonzero(star)[0]
    if easy.size:
        order = easy[np.lexsort((cost[easy], pair_label[easy]))]
        first = np.concatenate(([True], pair_label[order][1:] != pair_label[order][:-1]))
        chosen.append(order[first])
    hard = np.nonzero(~star)[0]
    if hard.size:
        # Each contested cluster is a small dense cost matrix: local row/column numbers for all of them at once
        # (dense ranks of the track and the plot within the cluster), then one solver call per cluster.
        order = hard[np.lexsort((ti[hard], pair_label[hard]))]
        lab = pair_label[order]
        new_cluster = np.concatenate(([True], lab[1:] != lab[:-1]))
        starts = np.flatnonzero(new_cluster)
        cluster_of = np.cumsum(new_cluster) - 1
        row = _dense_rank(ti[order], new_cluster, cluster_of, starts)
        by_plot = np.lexsort((pj[order], cluster_of))
        col = np.empty_like(row)
        col[by_plot] = _dense_rank(pj[order][by_plot], new_cluster, cluster_of, starts)
        ends = np.append(starts[1:], order.size)
        n_rows = np.maximum.reduceat(row, starts) + 1
        n_cols = np.maximum.reduceat(col, starts) + 1
        for a, b, nr, nc in zip(starts.tolist(), ends.tolist(), n_rows.tolist(), n_cols.tolist(), strict=True):
            m = np.full((nr, nc), _FORBIDDEN)
            m[row[a:b], col[a:b]] = cost[order[a:b]]
            where = np.full((nr, nc), -1, dtype=np.int64)
            where[row[a:b], col[a:b]] = order[a:b]
            r, c = linear_sum_assignment(m)
            sel = where[r, c]
            chosen.append(sel[(sel >= 0) & (m[r, c] < _FORBIDDEN)])
    return np.sort(np.concatenate(chosen))
