"""Mode S / ADS-B decoding throughput: airpicture vs pyModeS 3 (PipeDecoder, stateful) vs rs1090, one run.

Input: every real frame of ../shared/data/modes (Beast capture + CSV files, 12,725 frames), repeated with shifted
times (each copy starts 200 s after the previous one ends, so positions decode afresh in each copy) up to
``--frames``. Every tool gets the same hex text and timestamps, the form a feed delivers; airpicture's figure
includes turning the text into frame arrays. Figures are messages per CPU second (time.process_time), positions
included; ratios are to pyModeS. Every tool first decodes 1,000 frames untimed (warm-up).

    .venv/bin/python benchmarks/decode_modes.py --frames 300000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

import numpy as np

from airpicture.decode.modes import ModeSDecoder
from airpicture.sources.beast import read_beast
from airpicture.sources.frames import ModeSFrames, frames_from_hex
from airpicture.sources.text import read_rawcsv

DATA = Path(os.environ.get("AIRPICTURE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")) / "modes"
FILES = [
    "pymodes_sample_data_adsb.csv",
    "rs1090_short_flights.csv",
    "pymodes_sample_data_commb_df20.csv",
    "pymodes_sample_data_commb_df21.csv",
]


def real_frames() -> tuple[list[str], np.ndarray]:
    parts = [ModeSFrames.concat(list(read_rawcsv(DATA / name))) for name in FILES]
    parts.append(ModeSFrames.concat(list(read_beast(DATA / "traffic_sample_dump1090.bin", start_time_s=0.0))))
    hexes: list[str] = []
    times: list[np.ndarray] = []
    offset = 0.0
    for part in parts:  # files one after the other, each from its own first time
        t = part.time_s - part.time_s.min() + offset
        hexes.extend(part.hex())
        times.append(t)
        offset = float(t.max()) + 200.0
    return hexes, np.concatenate(times)


def workload(n_frames: int) -> tuple[list[str], np.ndarray]:
    hexes, times = real_frames()
    span = float(times.max() - times.min()) + 200.0
    reps = -(-n_frames // len(hexes))
    all_hex = (hexes * reps)[:n_frames]
    all_t = np.concatenate([times + 1.5e9 + k * span for k in range(reps)])[:n_frames]
    return all_hex, all_t


def run_airpicture(hexes: list[str], times: np.ndarray, batch: int) -> tuple[float, int]:
    decoder = ModeSDecoder()
    positions = 0
    start = time.process_time()
    for i in range(0, len(hexes), batch):
        frames = frames_from_hex(hexes[i : i + batch], times[i : i + batch]).frames
        table = decoder.decode(frames)
        positions += table.num_rows - table.column("lat_deg").null_count
    return time.process_time() - start, positions


def run_airpicture_frames(hexes: list[str], times: np.ndarray, batch: int) -> tuple[float, int]:
    """Decoder alone, on frames already in arrays (what a Beast source hands over)."""
    batches = [frames_from_hex(hexes[i : i + batch], times[i : i + batch]).frames for i in range(0, len(hexes), batch)]
    decoder = ModeSDecoder()
    positions = 0
    start = time.process_time()
    for frames in batches:
        table = decoder.decode(frames)
        positions += table.num_rows - table.column("lat_deg").null_count
    return time.process_time() - start, positions


def run_pymodes(hexes: list[str], times: np.ndarray) -> tuple[float, int]:
    import pyModeS

    pipe = pyModeS.PipeDecoder()
    positions = 0
    ts = times.tolist()
    start = time.process_time()
    for h, t in zip(hexes, ts, strict=True):
        if pipe.decode(h, timestamp=t).get("latitude") is not None:
            positions += 1
    return time.process_time() - start, positions


def run_rs1090(hexes: list[str], times: np.ndarray) -> tuple[float, int]:
    import rs1090

    start = time.process_time()
    out = rs1090.decode(hexes, times.tolist())
    elapsed = time.process_time() - start
    return elapsed, sum(1 for m in out if isinstance(m, dict) and m.get("latitude") is not None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=100_000, help="airpicture batch size (frames per decode call)")
    parser.add_argument(
        "--scaling",
        type=int,
        nargs=2,
        default=[100_000, 1_000_000],
        metavar=("SMALL", "LARGE"),
        help="airpicture per-frame throughput at these two sizes (0 0 to skip)",
    )
    args = parser.parse_args()
    if not DATA.exists():
        print(f"reference frames not found in {DATA}", file=sys.stderr)
        return 2
    hexes, times = workload(args.frames)
    # Warm-up: each tool decodes 1,000 frames once first, so one-time costs (imports, look-up tables, caches)
    # are not charged to the measured run.
    run_airpicture(hexes[:1000], times[:1000], args.batch)
    run_airpicture_frames(hexes[:1000], times[:1000], args.batch)
    for warm in (run_pymodes, run_rs1090):
        with contextlib.suppress(ImportError):
            warm(hexes[:1000], times[:1000])
    rows = []
    print(f"decoding {len(hexes):,} frames with each tool…", file=sys.stderr)
    cpu, pos = run_airpicture(hexes, times, args.batch)
    rows.append(("airpicture", cpu, pos))
    cpu, pos = run_airpicture_frames(hexes, times, args.batch)
    rows.append(("airpicture (decode only)", cpu, pos))
    print("  airpicture done", file=sys.stderr)
    for name, fn in (("pyModeS 3 PipeDecoder", run_pymodes), ("rs1090", run_rs1090)):
        try:
            cpu_t, pos_t = fn(hexes, times)
        except ImportError:
            print(f"  {name} not installed: skipped", file=sys.stderr)
            continue
        rows.append((name, cpu_t, pos_t))
        print(f"  {name} done", file=sys.stderr)
    pymodes_rate = next((len(hexes) / r[1] for r in rows if r[0].startswith("pyModeS")), float("nan"))
    print(f"\n{'tool':<26} {'input':<28} {'msg per CPU-s':>14} {'positions':>10} {'ratio to pyModeS':>17}")
    for name, cpu_t, pos_t in rows:
        rate = len(hexes) / cpu_t
        print(
            f"{name:<26} {f'{len(hexes):,} real frames (hex)':<28} {rate:>14,.0f} {pos_t:>10,} "
            f"{rate / pymodes_rate:>16.1f}x"
        )
    small, large = args.scaling
    if small and large:
        print(f"\nairpicture scaling (batch {args.batch:,}):")
        rates = []
        for n in (small, large):
            h, t = workload(n)
            cpu_t, pos_t = run_airpicture(h, t, args.batch)
            rates.append(n / cpu_t)
            print(f"{'airpicture':<26} {f'{n:,} frames':<28} {n / cpu_t:>14,.0f} {pos_t:>10,}")
        print(f"per-frame throughput at {large:,} vs {small:,} frames: {rates[1] / rates[0]:.2f}x")
    print(f"\nreproduce: .venv/bin/python benchmarks/decode_modes.py --frames {args.frames} --batch {args.batch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
