#!/usr/bin/env bash
# Three sensor sites, the Niamey centre (tracker + recorder), the Bamako centre behind a leaf node (recorder) and
# the Ouagadougou centre fed ASTERIX CAT062 over UDP, all on this machine's loopback with simulated Niger data.
# Run from the repository root: bash examples/distributed/three-sites.sh   (Ctrl-C stops everything;
# DURATION=60 SPEED=4 for a short look)
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=examples/distributed
WORK=/tmp/airpicture-example
AP=".venv/bin/airpicture"
source "$HERE/sites.env"
rm -rf "$WORK" && mkdir -p "$WORK"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT

DURATION=${DURATION:-600}
echo "simulating $DURATION s of Niger traffic..." >&2
$AP simulate --scenario niger --duration "$DURATION" --seed 1 --out "$WORK/sim"

nats-server -c "$HERE/nats-niamey.conf" & pids+=($!)
nats-server -c "$HERE/nats-bamako.conf" & pids+=($!)
sleep 1

# Niamey centre (the tracker node checkpoints to --state: restarted on it, it resumes its tracks and their numbers)
$AP tracker-node --nats nats://127.0.0.1:4222 --sensors "$WORK/sim/sensors.json" --monitors \
  --state "$WORK/tracker.state" & pids+=($!)
$AP recorder --nats nats://127.0.0.1:4222 --db "$WORK/niamey.duckdb" --keep measurements=24 --archive "$WORK/archive" & pids+=($!)
# Bamako centre: tracks over the leaf node
$AP recorder --nats nats://127.0.0.1:4223 --core --db "$WORK/bamako.duckdb" & pids+=($!)
# Ouagadougou centre: not airpicture, takes CAT062 on UDP 127.0.0.1:8600 (SAC 60, SIC 1 for Niamey's tracker)
$AP cat062-out --nats nats://127.0.0.1:4222 --udp 127.0.0.1:8600 --sac 60 --sic 1 & pids+=($!)

# The three sites, replaying the simulated measurements in real time (SPEED=4 bash … for four times faster)
for site in "$NIAMEY_SITE" "$AGADEZ_SITE" "$ZINDER_SITE"; do
  $AP gateway --nats nats://127.0.0.1:4222 --sensor "$site" --measurements "$WORK/sim/measurements.parquet" \
    --speed "${SPEED:-1}" --compression zstd & pids+=($!)
done
echo "running; Ctrl-C to stop. Then: $AP history $WORK/niamey.duckdb info" >&2
wait
