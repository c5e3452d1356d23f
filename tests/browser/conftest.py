"""Browser tests: Debian's headless Chromium driven by npm playwright-core (installed by scripts/setup-test.sh)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("drive.mjs")
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


def browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"headless Chromium not found at {CHROMIUM} (scripts/setup-test.sh installs Debian's chromium)"
    if shutil.which("node") is None:
        return "node not found (scripts/setup-test.sh installs Debian's nodejs)"
    if not (REPO / "web" / "node_modules" / "playwright-core").exists():
        return "web/node_modules/playwright-core missing (run `npm ci --prefix web`, done by scripts/setup-test.sh)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s")


def drive(url: str, options: dict, timeout_s: float = 150.0, driver: Path = DRIVER) -> dict:
    """Run a Chromium driver script (default ``drive.mjs``) against ``url``; its JSON report."""
    result = subprocess.run(
        ["node", str(driver), url, json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"driver failed ({result.returncode}): {result.stderr[-2000:]}")
    return json.loads(lines[-1])


def start_process(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ}
    )


def stop_process(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        out, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out or ""


@pytest.fixture(scope="session")
def browser_ready() -> None:
    missing = browser_missing()
    if missing:
        pytest.skip(missing)


@pytest.fixture(scope="session")
def python() -> str:
    return sys.executable
