#!/usr/bin/env bash
# Installs what the tests need beyond Python packages: Debian's headless Chromium (browser tests) and nats-server
# (distributed tests). Skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup-test: apt-get install ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup-test: please install ${need[*]} (Debian packages); tests that need them will be skipped" >&2
  fi
fi
