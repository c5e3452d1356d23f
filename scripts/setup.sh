#!/usr/bin/env bash
# Installs the project from its lock file into .venv. Needs only python3 (3.11+) and the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  echo "setup: installing uv (the locked-dependency installer) with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --locked
# Our own sources too (the editable install is not compiled by uv).
.venv/bin/python -m compileall -q -j 0 src >/dev/null
# Compile the numba kernels (tracker filter, ASTERIX walker) into their on-disk cache now, not at the first run.
.venv/bin/python -m airpicture.core.compiled
