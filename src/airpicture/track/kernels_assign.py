"""Compiled clustering of the global-nearest-neighbour assignment (see :mod:`airpicture.track.associator`).

Why: a slice whose gated pairs share a track or a plot needs the connected clusters of the track–plot graph, the
cheapest pair of each cluster with a single track or a single plot, and the row/column numbers of each contested
cluster's cost matrix. In numpy that is ~40 array calls (unique, label propagation rounds, lexsorts, cumsums) of a
few µs each on a few dozen pairs; here it is one pass with a union-find. The contested clusters themselves are
still solved by ``scipy.optimize.linear_sum_assignment`` (in the associator), on the same matrices as before:
rows are the cluster's tracks in increasing slot order, columns its plots in increasing plot order.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _root(parent, a):
    """Root of node ``a``, halving the path on the way."""
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@njit(cache=True)
def _dense(values):
    """(index of each value among the distinct values in increasing order, number of distinct values)."""
    k = values.shape[0]
    order = np.argsort(values, kind="mergesort")
    rank = np.empty(k, np.int64)
    n = 0
    for a in range(k):
        if a > 0 and values[order[a]] != values[order[a - 1]]:
            n += 1
        rank[order[a]] = n
    return rank, (n + 1 if k else 0)


@njit(cache=True)
def cluster_pairs(track, plot, cost):
    """Clusters of the gated pairs (``track[k]``, ``plot[k]``, ``cost[k]``).

    Returns ``(chosen, order, starts, row, col, n_rows, n_cols)``: ``chosen`` marks the cheapest pair of every
    cluster with a single track or a single plot (the first among equal costs); the pairs of the contested
    clusters (several tracks and several plots) are ``order``, grouped by cluster (cluster c is
    ``order[starts[c]:starts[c + 1]]``), with their row and column in the cluster's cost matrix of
    ``n_rows[c]`` × ``n_cols[c]`` (tracks and plots each numbered in increasing order).
    """
    k = track.shape[0]
    ti, nt = _dense(track)
    pj, npl = _dense(plot)
    parent = np.arange(nt + npl)
    for a in range(k):
        ra = _root(parent, ti[a])
        rb = _root(parent, nt + pj[a])
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    label = np.empty(nt + npl, np.int64)
    for v in range(nt + npl):
        label[v] = _root(parent, v)
    tracks_in = np.zeros(nt + npl, np.int64)
    plots_in = np.zeros(nt + npl, np.int64)
    for v in range(nt):
        tracks_in[label[v]] += 1
    for v in range(nt, nt + npl):
        plots_in[label[v]] += 1
    # Clusters with one track or one plot: their cheapest pair.
    chosen = np.zeros(k, np.bool_)
    best = np.full(nt + npl, -1, np.int64)
    n_hard_pairs = 0
    for a in range(k):
        c = label[ti[a]]
        if tracks_in[c] == 1 or plots_in[c] == 1:
            if best[c] < 0 or cost[a] < cost[best[c]]:
                best[c] = a
        else:
            n_hard_pairs += 1
    for c in range(nt + npl):
        if best[c] >= 0:
            chosen[best[c]] = True
    # Contested clusters: number them, then each one's tracks and plots in increasing order (ti, pj already are).
    cluster_of = np.full(nt + npl, -1, np.int64)
    n_hard = 0
    for v in range(nt + npl):
        if label[v] == v and tracks_in[v] > 1 and plots_in[v] > 1:
            cluster_of[v] = n_hard
            n_hard += 1
    n_rows = np.zeros(n_hard, np.int64)
    n_cols = np.zeros(n_hard, np.int64)
    local = np.full(nt + npl, -1, np.int64)
    for v in range(nt + npl):
        c = cluster_of[label[v]]
        if c >= 0:
            if v < nt:
                local[v] = n_rows[c]
                n_rows[c] += 1
            else:
                local[v] = n_cols[c]
                n_cols[c] += 1
    starts = np.zeros(n_hard + 1, np.int64)
    for a in range(k):
        c = cluster_of[label[ti[a]]]
        if c >= 0:
            starts[c + 1] += 1
    for c in range(n_hard):
        starts[c + 1] += starts[c]
    fill = starts[:-1].copy()
    order = np.empty(n_hard_pairs, np.int64)
    row = np.empty(n_hard_pairs, np.int64)
    col = np.empty(n_hard_pairs, np.int64)
    for a in range(k):
        c = cluster_of[label[ti[a]]]
        if c >= 0:
            i = fill[c]
            fill[c] += 1
            order[i] = a
            row[i] = local[ti[a]]
            col[i] = local[nt + pj[a]]
    return chosen, order, starts, row, col, n_rows, n_cols


def warm_up() -> None:
    """Compile (or load from the cache) with the argument types the associator passes."""
    cluster_pairs(np.array([3, 3, 5], np.int64), np.array([0, 1, 1], np.int64), np.array([1.0, 2.0, 0.5]))
