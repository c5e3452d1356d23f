"""Compile every numba kernel of the package once, at install time, into numba's on-disk cache.

The tracker's filter and the ASTERIX walker are numba kernels (``@njit(cache=True)``). Compiling them takes tens of
seconds on a small machine; loading them from the cache afterwards takes about a second. ``scripts/setup.sh`` runs
``python -m airpicture.core.compiled`` after installing, so that the first ``airpicture demo``, a first
``tracker-node`` or a test that starts the app in a subprocess does not stall on the compiler. Running it again is
cheap: kernels whose cache is current are only loaded.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def _stages() -> list[tuple[str, Callable[[], None]]]:
    """The kernel modules, each with the ``warm_up`` that compiles every signature its callers use."""
    from airpicture.decode.asterix import kernels as asterix_kernels
    from airpicture.track import kernels as track_kernels
    from airpicture.track import quiet_twin
    from airpicture.track.config import TrackerConfig

    def tracker() -> None:
        track_kernels.warm_up()
        quiet_twin.warm_up(TrackerConfig().motion_models().n)

    return [("tracker", tracker), ("ASTERIX decoder", asterix_kernels.warm_up)]


def compile_all(progress: bool = True) -> dict[str, float]:
    """Compile (or load) every kernel; return the seconds each stage took."""
    took: dict[str, float] = {}
    for name, warm_up in _stages():
        if progress:
            print(f"compiling the {name} kernels (once per install; ~1 s when already cached)…", file=sys.stderr)
        t0 = time.perf_counter()
        warm_up()
        took[name] = time.perf_counter() - t0
        if progress:
            print(f"  {name}: {took[name]:.1f} s", file=sys.stderr)
    return took


def main() -> int:
    compile_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
