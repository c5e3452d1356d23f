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
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_FORBIDDEN = 1e9


def gnn_assign(track: NDArray[np.int64], plot: NDArray[np.int64], cost: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices of the chosen pairs among the gated pairs (track[k], plot[k], cost[k])."""
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
    graph = coo_matrix((np.ones(k), (ti, nt + pj)), shape=(nt + npl, nt + npl))
    n_clusters, label = connected_components(graph, directed=False)
    pair_label = label[ti]
    # A cluster in which one side has a single member (one track and several plots, or one plot and several
    # tracks, which covers single pairs) is solved exactly by its cheapest pair: all of them in one lexsort.
    tracks_in = np.bincount(label[:nt], minlength=n_clusters)
    plots_in = np.bincount(label[nt:], minlength=n_clusters)
    star = (tracks_in[pair_label] == 1) | (plots_in[pair_label] == 1)
    chosen = []
    easy = np.nonzero(star)[0]
    if easy.size:
        order = easy[np.lexsort((cost[easy], pair_label[easy]))]
        first = np.concatenate(([True], pair_label[order][1:] != pair_label[order][:-1]))
        chosen.append(order[first])
    hard = np.nonzero(~star)[0]
    if hard.size:
        order = hard[np.argsort(pair_label[hard], kind="stable")]
        bounds = np.flatnonzero(np.diff(pair_label[order])) + 1
        for group in np.split(order, bounds):
            rows, r_inv = np.unique(ti[group], return_inverse=True)
            cols, c_inv = np.unique(pj[group], return_inverse=True)
            m = np.full((rows.size, cols.size), _FORBIDDEN)
            m[r_inv, c_inv] = cost[group]
            where = np.full((rows.size, cols.size), -1, dtype=np.int64)
            where[r_inv, c_inv] = group
            r, c = linear_sum_assignment(m)
            sel = where[r, c]
            chosen.append(sel[(sel >= 0) & (m[r, c] < _FORBIDDEN)])
    return np.sort(np.concatenate(chosen))
