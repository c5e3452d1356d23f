"""ASTERIX decoding throughput: airpicture vs asterix-decoder 0.7 (C++ via Python, GPL, benchmark only), one run.

Inputs (the same bytes to both tools):
- ``upc_lebl``: the whole Barcelona SMR recording (52,659 CAT010 records, one record per data block), and its first
  2,000 blocks alone (``upc_lebl[:2000]``), to show that a large file decodes as fast per record as a small one;
- ``cat034/048 pcap``: the UDP payloads of the Croatia Control radar capture (100 datagrams, 0.4 s, 7 radars),
  concatenated and decoded in one call;
- ``cat048 radar``: CAT048 plots of 40 aircraft seen by one radar for an hour, encoded by our encoder, ~25 records
  per data block as a radar sends them (``--plots`` records);
- ``cat062 tracks``: system tracks encoded by our CAT062 encoder, ~20 records per data block;
- ``... 100 ms slices``: the Croatia Control datagrams grouped by capture time into 100 ms slices, one call per
  slice for both tools: what ``decode.asterix.udp.AsterixUdpFeed.poll`` does with a live feed;
- ``... 1 call each``: the same datagrams, one call per datagram for both tools: what a live feed that does not
  batch costs (the app's chain, ``app/chain.py``, decodes each datagram as it arrives); also given in datagrams per
  CPU second.

airpicture's figure is the full decode to the Arrow table of Measurement rows (positions, identities, times);
asterix-decoder's is ``asterix.parse(data, verbose=False)`` (its Python dicts of every field). Figures are records
per CPU second (time.process_time), best of ``--repeat`` runs, the two tools timed alternately; the ratio is
airpicture / asterix-decoder.

    .venv/bin/python benchmarks/decode_asterix.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from airpicture.core.schema import MEASUREMENT, SYSTEM_TRACK, table_from_columns
from airpicture.decode.asterix import AsterixDecoder, encode_cat048, encode_cat062
from airpicture.sources.pcap import read_pcap, unwrap_capture

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "asterix"


def first_blocks(data: bytes, n: int) -> bytes:
    p = 0
    for _ in range(n):
        p += (data[p + 1] << 8) | data[p + 2]
    return data[:p]


def radar_plots(n: int, seed: int = 3) -> bytes:
    """CAT048 plots of 40 aircraft over one radar, in time order, as the simulator would send them."""
    rng = np.random.default_rng(seed)
    aircraft = rng.integers(0, 40, n)
    kinds = np.array(["modes", "ssr", "psr_ssr", "psr"])[aircraft % 4]
    table = table_from_columns(
        MEASUREMENT,
        {
            "time_s": 1.7e9 + np.sort(rng.uniform(0, 3600, n)),
            "kind": kinds,
            "range_m": rng.uniform(5e3, 4.5e5, n),
            "azimuth_deg": rng.uniform(0, 360, n),
            "squawk": [None if k == "psr" else f"{a * 37 % 4096:04o}" for k, a in zip(kinds, aircraft, strict=True)],
            "alt_baro_ft": np.where(kinds == "psr", np.nan, 1000.0 + aircraft * 800.0),
            "icao24": [f"{0x3C0000 + a:06x}" if k == "modes" else None for k, a in zip(kinds, aircraft, strict=True)],
            "callsign": [f"AFR{100 + a}" if k == "modes" else None for k, a in zip(kinds, aircraft, strict=True)],
        },
    )
    return encode_cat048(table, sac=25, sic=7, max_block_bytes=800)


def system_tracks(n: int, seed: int = 4) -> bytes:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 300, n)
    table = table_from_columns(
        SYSTEM_TRACK,
        {
            "time_s": 1.7e9 + np.sort(rng.uniform(0, 3600, n)),
            "track_id": ids,
            "lat_deg": rng.uniform(10, 20, n),
            "lon_deg": rng.uniform(0, 12, n),
            "alt_ft": rng.uniform(0, 40000, n),
            "ground_speed_kt": rng.uniform(100, 500, n),
            "track_deg": rng.uniform(0, 360, n),
            "vertical_rate_fpm": rng.uniform(-2000, 2000, n),
            "sigma_h_m": rng.uniform(20, 300, n),
            "status": np.array(["confirmed", "tentative", "coasting"])[ids % 3],
            "icao24": [f"{0x0A0000 + i:06x}" for i in ids],
            "callsign": [f"NIG{i}" for i in ids],
            "squawk": [f"{i % 4096:04o}" for i in ids],
        },
    )
    return encode_cat062(table, sac=96, sic=1, max_block_bytes=1000)


def repeat(fn, k: int) -> None:
    """Call ``fn`` k times, keeping no result alive (neither tool's output should pile up in memory)."""
    for _ in range(k):
        fn()


def cpu_pair(ours, theirs, repeat: int) -> tuple[float, float]:
    """Best CPU seconds of each, the two timed alternately so that both see the same machine load."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for k, fn in enumerate((ours, theirs)):
            t0 = time.process_time()
            fn()
            best[k] = min(best[k], time.process_time() - t0)
    return best[0], best[1]


def time_slices(datagrams: list[bytes], times: list[float], slice_s: float) -> list[tuple[list[bytes], list[float]]]:
    """Datagrams grouped by receive time into consecutive slices of ``slice_s`` (a live receiver's polls)."""
    out: list[tuple[list[bytes], list[float]]] = []
    start = None
    for d, t in zip(datagrams, times, strict=True):
        if start is None or t >= start + slice_s:
            start = t if start is None else start + slice_s * ((t - start) // slice_s)
            out.append(([], []))
        out[-1][0].append(d)
        out[-1][1].append(t)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plots", type=int, default=50_000, help="CAT048 / CAT062 records in the synthetic inputs")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        import asterix
    except ImportError:
        print("asterix-decoder is not installed (uv sync --group dev)", file=sys.stderr)
        return 2

    try:  # the small-call path's compiled kernels (absent in checkouts before them, for before/after runs)
        from airpicture.decode.asterix import kernels
    except ImportError:
        kernels = None
    if kernels is not None:
        t0 = time.process_time()
        kernels.warm_up()  # compile (first run in an environment) or load the compiled kernels: not timed below
        print(f"  numba kernels ready in {time.process_time() - t0:.2f} CPU s", file=sys.stderr)
    inputs: list[tuple[str, bytes]] = []
    datagrams: list[bytes] = []
    upc = DATA / "upc_lebl" / "201002-lebl-080001_smr.ast"
    if upc.exists():
        whole = upc.read_bytes()
        inputs.append(("upc_lebl CAT010 (whole file)", whole))
        inputs.append(("upc_lebl[:2000] CAT010", first_blocks(whole, 2000)))
    pcap = DATA / "croatiacontrol" / "asterix_sample_data_cat_034_048.pcap"
    times: list[float] = []
    if pcap.exists():
        capture = read_pcap(pcap)
        datagrams, times = unwrap_capture(capture.payloads), capture.times_s
        inputs.append(("cat034/048 pcap, one call", b"".join(datagrams)))
    inputs.append((f"cat048 radar ({args.plots} plots)", radar_plots(args.plots)))
    inputs.append((f"cat062 tracks ({args.plots})", system_tracks(args.plots)))

    rows = []
    for label, data in inputs:
        ours = AsterixDecoder()
        table = ours.decode(data)
        theirs = asterix.parse(data, verbose=False)
        n_ours, n_theirs = table.num_rows, len(theirs)
        inner = max(1, 20_000 // max(n_ours, 1))  # small inputs: time several calls, the clock's tick is coarse
        t_ours, t_theirs = cpu_pair(
            lambda d=data, k=inner: repeat(lambda: AsterixDecoder().decode(d), k),
            lambda d=data, k=inner: repeat(lambda: asterix.parse(d, verbose=False), k),
            args.repeat,
        )
        print(f"  {label}: {n_ours} records (asterix-decoder {n_theirs}), errors {dict(ours.errors)}", file=sys.stderr)
        rows.append((label, n_ours, t_ours / inner, n_theirs, t_theirs / inner))

    if datagrams:
        slices = time_slices(datagrams, times, 0.1)
        decoder = AsterixDecoder()  # one long-lived decoder, as a live feed keeps it
        n_ours = sum(decoder.decode_payloads(p, t).num_rows for p, t in slices)
        n_theirs = sum(len(asterix.parse(b"".join(p), verbose=False)) for p, _ in slices)
        t_ours, t_theirs = cpu_pair(
            lambda: repeat(lambda: [decoder.decode_payloads(p, t) for p, t in slices], 10),
            lambda: repeat(lambda: [asterix.parse(b"".join(p), verbose=False) for p, _ in slices], 10),
            args.repeat,
        )
        label = f"{len(datagrams)} datagrams, {len(slices)} x 100 ms"
        rows.append((label, n_ours, t_ours / 10, n_theirs, t_theirs / 10))
        n_ours = sum(decoder.decode(d, t).num_rows for d, t in zip(datagrams, times, strict=True))
        n_theirs = sum(len(asterix.parse(d, verbose=False)) for d in datagrams)
        t_ours, t_theirs = cpu_pair(
            lambda: [decoder.decode(d, t) for d, t in zip(datagrams, times, strict=True)],
            lambda: [asterix.parse(d, verbose=False) for d in datagrams],
            args.repeat,
        )
        rows.append((f"{len(datagrams)} datagrams, 1 call each", n_ours, t_ours, n_theirs, t_theirs))
        per_call = len(datagrams) / t_ours, len(datagrams) / t_theirs

    print(f"{'tool':<16} {'input':<32} {'records':>8} {'CPU s':>9} {'records/CPU-s':>14} {'ratio':>7}")
    for label, n_ours, t_ours, n_theirs, t_theirs in rows:
        r_ours, r_theirs = n_ours / t_ours, n_theirs / t_theirs
        print(f"{'airpicture':<16} {label:<32} {n_ours:>8} {t_ours:>9.4f} {r_ours:>14,.0f} {r_ours / r_theirs:>6.2f}x")
        print(f"{'asterix-decoder':<16} {label:<32} {n_theirs:>8} {t_theirs:>9.4f} {r_theirs:>14,.0f} {1.0:>6.2f}x")
    if datagrams:
        print(
            f"single-datagram calls: airpicture {per_call[0]:,.0f} datagrams/CPU-s, "
            f"asterix-decoder {per_call[1]:,.0f} datagrams/CPU-s ({per_call[0] / per_call[1]:.2f}x)"
        )
    print("\nreproduce: .venv/bin/python benchmarks/decode_asterix.py " + " ".join(argv or sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
