"""``airpicture coverage``: coverage layers, maps, gap closing and observed-vs-predicted outlines for a sensor network.

Writes into ``--out``: ``report.md`` (what a person reads), ``summary.json`` (the same numbers for programs),
``coverage.geojson`` (every layer and per-sensor areas), ``coverage_layer.geojson`` (the web display's layer),
``coverage_FLxxx.png`` maps, and with ``--propose`` / ``--observed`` the gap-closing and outline results.
Problems with the input (a sensor outside the terrain, a level below it, no candidates) are reported on stderr and
in the report; everything else is still computed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from airpicture.core.geography import niamey_fir, niger_aerodromes, niger_border
from airpicture.coverage.analysis import MLAT_MIN_RECEIVERS, CoverageResult, compute_coverage
from airpicture.coverage.config import ConfigError, CoverageConfig, load_config
from airpicture.coverage.gaps import GREEDY_GUARANTEE, Proposal, candidate_sites, count_with, propose_receivers
from airpicture.coverage.terrain import (
    TerrainGrid,
    TerrainUnavailable,
    default_terrain,
    flat_terrain,
    globe_terrain,
    load_npz_terrain,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="coverage configuration (.toml/.json) or a sensors.json")
    parser.add_argument("--levels", help="flight levels, comma-separated (e.g. 100,200,300); default: the config's")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--propose", type=int, metavar="N", help="propose up to N new receivers (gap closing)")
    parser.add_argument("--propose-level", type=float, metavar="FL", help="level to maximise (default: config, 200)")
    parser.add_argument("--target-pct", type=float, help="stop proposing once this %% of the FIR is seen")
    parser.add_argument(
        "--observed", nargs="+", metavar="FILE", help="recordings or Measurement tables to compare with prediction"
    )
    parser.add_argument(
        "--observed-format",
        default="auto",
        choices=["auto", "table", "recording", "beast", "avr", "rawcsv"],
        help="format of --observed files (auto: .parquet/.jsonl Measurement tables, .duckdb an airpicture "
        "recording, .bin beast, .csv rawcsv, .txt avr)",
    )
    parser.add_argument("--terrain", help="override the terrain: globe, flat, or an .npz grid")
    parser.add_argument("--k", type=float, help="override the effective earth radius factor (default 4/3)")
    parser.add_argument("--no-maps", action="store_true", help="skip the PNG maps")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _parse_levels(text: str, messages: list[str]) -> list[float]:
    levels = []
    for raw in text.split(","):
        part = raw.strip().upper().removeprefix("FL")
        if not part:
            continue
        try:
            levels.append(float(part))
        except ValueError:
            messages.append(f"level {raw.strip()!r} is not a number: skipped")
    return levels


def _terrain(source: str, fallback_m: float) -> TerrainGrid:
    if source == "flat":
        grid = flat_terrain(fallback_m)
        grid.notes.append(f"terrain: flat earth at {fallback_m:.0f} m (as configured)")
        return grid
    if source == "globe":
        return default_terrain(fallback_m)
    return load_npz_terrain(source, fallback_m)


def _fmt_row(row: dict) -> str:
    return (
        f"| FL{row['level_fl']:03.0f} | {row['area']} | {row['area_km2']:,.0f} | "
        f"{row['covered_1_km2']:,.0f} | {row['covered_1_pct']:.1f} | {row['covered_2_pct']:.1f} | "
        f"{row['mlat_4_pct']:.1f} |"
    )


def _report(
    config: CoverageConfig,
    result: CoverageResult,
    proposal: Proposal | None,
    comparisons: list,
    maps: list[str],
    cpu_s: float,
) -> str:
    lines = [f"# Coverage: {config.title}", ""]
    lines.append(
        f"{len(result.sites)} sensors, terrain {result.terrain.describe()}, k = {result.settings.k:.3f}, "
        f"radials every {result.settings.bearing_step_deg}°, grid {result.settings.grid_step_arcmin}'. "
        f"Computed in {cpu_s:.1f} CPU-s."
    )
    lines += [
        "",
        f"| level | area | area km² | seen km² | seen % | ≥2 sensors % | ≥{MLAT_MIN_RECEIVERS} receivers (MLAT) % |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [_fmt_row(r) for r in result.summary_rows()]
    lines += ["", "Per-sensor visible area inside the FIR and Niger (km²):", ""]
    lines.append("| sensor | kind | " + " | ".join(f"FL{lc.level_fl:03.0f}" for lc in result.levels) + " |")
    lines.append("|---|---|" + "---:|" * len(result.levels))
    for site in result.sites:
        cells = " | ".join(f"{lc.sensor_area_km2.get(site.id, 0):,.0f}" for lc in result.levels)
        lines.append(f"| {site.id} | {site.kind} | {cells} |")
    if proposal is not None:
        lines += ["", f"## Gap closing at FL{proposal.level_fl:03.0f}", ""]
        lines.append(
            f"{proposal.n_candidates} candidate sites; lazy greedy maximum coverage (within {GREEDY_GUARANTEE:.3f} "
            f"= 1 − 1/e of the best choice of the same number of sites), {proposal.evaluations} gain evaluations. "
            f"FIR seen: {proposal.before_pct:.1f} % before → {proposal.after_pct:.1f} % after "
            f"{len(proposal.chosen)} new receivers."
        )
        if proposal.chosen:
            lines += ["", "| # | site | lat | lon | gain km² | FIR seen % |", "|---:|---|---:|---:|---:|---:|"]
            for i, (site, gain, pct) in enumerate(
                zip(proposal.chosen, proposal.gains_km2, proposal.cumulative_pct(), strict=True), 1
            ):
                lines.append(f"| {i} | {site.id} | {site.lat_deg:.3f} | {site.lon_deg:.3f} | {gain:,.0f} | {pct:.1f} |")
        lines += [f"- {m}" for m in proposal.messages]
    for comp in comparisons:
        lines += ["", f"## Observed against predicted: {comp.sensor}", ""]
        lines.append(
            f"{comp.n_positions} decoded positions; receiver at {comp.position.lat_deg:.3f}, "
            f"{comp.position.lon_deg:.3f} ({comp.position.method})."
        )
        lines += [f"- {n}" for n in comp.notes]
        for ol in comp.outlines:
            seen = int(math.fsum(ol.n_positions > 0))
            lines.append(f"- {ol.band}: positions in {seen} of {ol.bearings_deg.size} sectors")
        if comp.disagreements:
            lines += ["", "| band | bearing ° | observed km | predicted km | positions | verdict |"]
            lines.append("|---|---:|---:|---:|---:|---|")
            for d in comp.disagreements:
                lines.append(
                    f"| {d.band} | {d.bearing_deg:.1f} | {d.observed_m / 1000:.0f} | {d.predicted_m / 1000:.0f} | "
                    f"{d.n_positions} | {d.verdict} |"
                )
        else:
            lines.append("- no sector disagrees with the prediction")
    if maps:
        lines += ["", "## Maps", ""] + [f"![{m}]({m})" for m in maps]
    if result.messages:
        lines += ["", "## Notes and rejected input", ""] + [f"- {m}" for m in result.messages]
    return "\n".join(lines) + "\n"


def _observed_tables(paths: list[str], fmt: str, messages: list[str]):
    import pyarrow as pa

    from airpicture.core.tableio import read_table
    from airpicture.coverage.observed import decode_recording

    by_suffix = {
        ".parquet": "table",
        ".jsonl": "table",
        ".duckdb": "recording",
        ".bin": "beast",
        ".csv": "rawcsv",
        ".txt": "avr",
    }
    tables = []
    for path in paths:
        kind = fmt if fmt != "auto" else by_suffix.get(Path(path).suffix.lower(), "")
        try:
            if kind == "table":
                tables.append(read_table(path))
            elif kind == "recording":
                from airpicture.record.recording import Recording, RecordingError

                try:
                    with Recording(path) as recording:
                        tables.append(recording.rows("measurements"))
                except RecordingError as exc:
                    messages.append(f"{path}: {exc}: skipped")
            elif kind:
                table, rejected = decode_recording(path, kind)
                lost = sum(rejected.values())
                messages.append(f"{path}: {table.num_rows} messages decoded ({lost} rejected: {rejected})")
                tables.append(table)
            else:
                messages.append(f"{path}: unknown format (give --observed-format): skipped")
        except (OSError, ValueError, ImportError) as exc:
            messages.append(f"{path}: {exc}: skipped")
    keep = [t for t in tables if {"lat_deg", "lon_deg"} <= set(t.column_names) and t.num_rows]
    return pa.concat_tables(keep, promote_options="default") if keep else None


def run(args: argparse.Namespace) -> int:
    start = time.process_time()
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"coverage: {exc}", file=sys.stderr)
        return 2
    messages = list(config.messages)
    levels = _parse_levels(args.levels, messages) if args.levels else config.levels_fl
    if args.k is not None:
        from dataclasses import replace

        if args.k <= 0:
            print("coverage: --k must be positive", file=sys.stderr)
            return 2
        config.settings = replace(config.settings, k=args.k)
    try:
        terrain = _terrain(args.terrain or config.terrain_source, config.fallback_elevation_m)
    except (OSError, ValueError) as exc:
        print(f"coverage: terrain: {exc}", file=sys.stderr)
        return 2
    if not config.sites:
        messages.append("no usable sensor in the configuration: coverage is empty")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    progress = not args.no_progress
    fir, national = niamey_fir(), niger_border()
    result = compute_coverage(config.sites, levels, terrain, fir, national, config.settings, progress=progress)
    result.messages[:0] = messages

    proposal = None
    if args.propose is not None:
        level_fl = args.propose_level or config.propose_level_fl
        if level_fl not in [lc.level_fl for lc in result.levels]:
            extra = compute_coverage(config.sites, [level_fl], terrain, fir, national, config.settings)
            result.levels += extra.levels
        candidates = candidate_sites(config.candidates, fir, niger_aerodromes() if config.candidates.aerodromes else ())
        target = args.target_pct if args.target_pct is not None else config.propose_target_pct
        proposal = propose_receivers(result, level_fl, candidates, args.propose, target, progress=progress)
        result.messages += proposal.messages

    comparisons = []
    if args.observed:
        from airpicture.coverage.observed import compare_observed

        table = _observed_tables(args.observed, args.observed_format, result.messages)
        if table is None or table.num_rows == 0:
            result.messages.append("no decoded positions in --observed: no outline comparison")
        else:
            known = {s.id: (s.lat_deg, s.lon_deg) for s in config.sites}
            source = args.terrain or config.terrain_source

            def terrain_around(lat: float, lon: float) -> TerrainGrid:
                """GLOBE around a receiver far from the configured area (flat where the tile has no data)."""
                if source != "globe":
                    return terrain
                try:
                    return globe_terrain((lat - 6, lat + 6, lon - 7, lon + 7), 1, config.fallback_elevation_m)
                except TerrainUnavailable:
                    return terrain

            comparisons = compare_observed(table, terrain, known, k=config.settings.k, terrain_for=terrain_around)

    from airpicture.coverage.export import coverage_features, display_layer, write_geojson

    features = coverage_features(result)
    write_geojson(out / "coverage.geojson", features, name="airpicture coverage")
    layer = display_layer(result, features=features)
    (out / "coverage_layer.geojson").write_text(json.dumps(layer, separators=(",", ":")) + "\n", encoding="utf-8")
    maps: list[str] = []
    if not args.no_maps:
        from airpicture.coverage.maps import coverage_map, outline_map

        aerodromes = niger_aerodromes()
        for lc in result.levels:
            name = f"coverage_FL{lc.level_fl:03.0f}.png"
            coverage_map(result, lc, out / name, fir, national, aerodromes)
            maps.append(name)
        if proposal is not None and proposal.chosen:
            lc = result.level(proposal.level_fl)
            after = count_with(result, proposal.level_fl, proposal.chosen)
            name = f"proposal_FL{proposal.level_fl:03.0f}.png"
            coverage_map(
                result, lc, out / name, fir, national, aerodromes, proposal.chosen, count=after,
                title=f"FL{proposal.level_fl:03.0f} with {len(proposal.chosen)} proposed receivers: "
                f"{proposal.before_pct:.1f} → {proposal.after_pct:.1f} % of the FIR",
            )  # fmt: skip
            maps.append(name)
        for comp in comparisons:
            name = f"outline_{comp.sensor}.png"
            outline_map(
                [o.as_plot_item() for o in comp.outlines], out / name,
                f"{comp.sensor}: observed (red) vs predicted (blue) range, km; receiver position "
                + comp.position.method.split(":")[0],
            )  # fmt: skip
            maps.append(name)

    cpu_s = time.process_time() - start
    summary = {
        "title": config.title,
        "terrain": result.terrain.describe(),
        "k": result.settings.k,
        "sensors": [s.id for s in result.sites],
        "levels": result.summary_rows(),
        "sensor_area_km2": {f"FL{lc.level_fl:03.0f}": lc.sensor_area_km2 for lc in result.levels},
        "messages": result.messages,
        "cpu_s": cpu_s,
    }
    if proposal is not None:
        summary["proposal"] = {
            "level_fl": proposal.level_fl,
            "before_pct": proposal.before_pct,
            "after_pct": proposal.after_pct,
            "sites": [
                {"id": s.id, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg, "gain_km2": g}
                for s, g in zip(proposal.chosen, proposal.gains_km2, strict=True)
            ],
            "guarantee": "greedy ≥ (1 − 1/e) of the optimal coverage for the same number of sites",
        }
    if comparisons:
        summary["observed"] = [
            {
                "sensor": c.sensor,
                "position": {"lat_deg": c.position.lat_deg, "lon_deg": c.position.lon_deg, "method": c.position.method},
                "n_positions": c.n_positions,
                "disagreements": [d.__dict__ for d in c.disagreements],
                "notes": c.notes,
            }
            for c in comparisons
        ]
    (out / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "report.md").write_text(_report(config, result, proposal, comparisons, maps, cpu_s), encoding="utf-8")
    for message in result.messages:
        print(f"coverage: {message}", file=sys.stderr)
    for row in result.summary_rows():
        print(
            f"FL{row['level_fl']:03.0f} {row['area']:<5} seen {row['covered_1_km2']:>12,.0f} km² "
            f"{row['covered_1_pct']:5.1f} %  ≥2 {row['covered_2_pct']:5.1f} %  MLAT {row['mlat_4_pct']:5.1f} %"
        )
    if proposal is not None:
        print(
            f"proposal FL{proposal.level_fl:03.0f}: {len(proposal.chosen)} receivers, FIR "
            f"{proposal.before_pct:.1f} % → {proposal.after_pct:.1f} %: " + ", ".join(s.id for s in proposal.chosen)
        )
    print(f"wrote {out}/report.md ({cpu_s:.1f} CPU-s)")
    return 0 if result.levels else 1
