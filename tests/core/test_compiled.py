"""The install-time step compiles every kernel module's kernels (so no first run waits on the compiler)."""

from numba.core.registry import CPUDispatcher

from airpicture.core.compiled import compile_all
from airpicture.decode.asterix import kernels as asterix_kernels
from airpicture.track import kernels as track_kernels
from airpicture.track import quiet_twin


def _dispatchers(module) -> dict[str, CPUDispatcher]:
    return {name: f for name, f in vars(module).items() if isinstance(f, CPUDispatcher)}


def test_compile_all_leaves_the_tracker_and_asterix_entry_kernels_compiled():
    took = compile_all(progress=False)
    assert set(took) == {"tracker", "ASTERIX decoder"}
    for module, entry_points in (
        (track_kernels, ("imm_predict", "imm_update", "combine", "gate_all_pairs", "predict_update_store")),
        (quiet_twin, ("_twin_step",)),
        (asterix_kernels, ("_split", "_walk", "_gather")),
    ):
        kernels = _dispatchers(module)
        for name in entry_points:
            assert kernels[name].signatures, f"{module.__name__}.{name} was not compiled by compile_all"
