"""Starting airpicture roles as separate processes and watching JetStream consumers from a test."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nats

from tests.conftest import REPO

#: every role process a test started, so a failing test cannot leave one behind (see conftest.py).
STARTED: list[subprocess.Popen] = []


def start_role(*args: str, log_dir: Path) -> subprocess.Popen:
    name = args[0]
    log = open(log_dir / f"{name}-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115 - owned by the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "airpicture", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    STARTED.append(proc)
    return proc


def kill_leftovers() -> None:
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def read_lines(proc: subprocess.Popen, count: int, timeout_s: float = 120.0) -> list[dict]:
    """The first ``count`` JSON lines a running role prints (e.g. its audit lines), waiting for them."""
    assert proc.stdout is not None
    lines: list[dict] = []
    deadline = time.monotonic() + timeout_s
    while len(lines) < count and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def stop_role(proc: subprocess.Popen, sig: int | None = signal.SIGTERM, timeout_s: float = 30.0) -> list[dict]:
    """Stop a role (``sig=None``: wait for it to end by itself) and return the JSON lines it printed (its audit
    lines and, unless killed, its final stats)."""
    if sig is not None and proc.poll() is None:
        proc.send_signal(sig)
    out, _ = proc.communicate(timeout=timeout_s)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def final_stats(lines: list[dict]) -> dict:
    return next(line["stats"] for line in reversed(lines) if "stats" in line)


async def _consumer_drained(url: str, stream: str, durable: str) -> bool:
    nc = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        try:
            info = await js.consumer_info(stream, durable)
        except nats.js.errors.NotFoundError:
            return False
        return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0
    finally:
        await nc.close()


def wait_until_drained(url: str, stream: str, durable: str, timeout_s: float = 60.0, settle_s: float = 0.5) -> None:
    """Block until the durable consumer has acknowledged everything in its stream (checked twice, settle_s apart)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if asyncio.run(_consumer_drained(url, stream, durable)):
                time.sleep(settle_s)
                if asyncio.run(_consumer_drained(url, stream, durable)):
                    return
        except (OSError, nats.errors.Error):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"consumer {durable} on {stream} still has messages pending after {timeout_s} s")


async def _stream_messages(url: str, stream: str) -> int:
    nc = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        return (await nc.jetstream().stream_info(stream)).state.messages
    except nats.js.errors.NotFoundError:
        return 0
    finally:
        await nc.close()


def stream_messages(url: str, stream: str) -> int:
    """How many messages ``stream`` holds now."""
    return asyncio.run(_stream_messages(url, stream))


def wait_for_stream_messages(url: str, stream: str, count: int, timeout_s: float = 60.0) -> None:
    """Block until ``stream`` holds at least ``count`` messages (the roles are up and publishing)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if asyncio.run(_stream_messages(url, stream)) >= count:
                return
        except (OSError, nats.errors.Error):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{stream} did not reach {count} messages in {timeout_s} s")
