"""Plots of tracking errors (PNG, matplotlib's Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from airpicture.evaluate.metrics import Matches


def error_plots(m: Matches, path: str | Path) -> None:
    """Position and velocity error distributions (straight / turning) and GOSPA over time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = m.track_id >= 0
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    for label, sel in (("straight", ok & ~m.turning), ("turning", ok & m.turning)):
        if sel.any():
            ax[0].hist(m.pos_err_m[sel], bins=80, range=(0, 1000), histtype="step", density=True, label=label)
            ax[1].hist(m.vel_err_mps[sel], bins=80, range=(0, 100), histtype="step", density=True, label=label)
    ax[0].set_xlabel("horizontal position error (m)")
    ax[1].set_xlabel("velocity error (m/s)")
    for a in ax[:2]:
        a.legend()
    if m.gospa_m.size:
        epochs = np.unique(m.epoch_s)
        ax[2].plot(epochs - epochs[0], m.gospa_m / np.sqrt(np.maximum(m.gospa_n, 1)))
    ax[2].set_xlabel("time (s)")
    ax[2].set_ylabel("GOSPA / sqrt(N) (m)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
