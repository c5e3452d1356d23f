#!/usr/bin/env bash
# Installs what the tests need beyond Python packages: Debian's headless Chromium and Node.js (browser tests, driven
# by npm playwright-core from web/package-lock.json; no browser is ever downloaded) and nats-server (distributed
# tests). Skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup-test: apt-get install ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup-test: please install ${need[*]} (Debian packages); tests that need them will be skipped" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && [ ! -d web/node_modules/playwright-core ]; then
  echo "setup-test: npm ci in web/ (playwright-core for the browser tests)" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix web --no-audit --no-fund --loglevel=error
fi
