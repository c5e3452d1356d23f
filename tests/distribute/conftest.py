"""A real nats-server on a free loopback port with JetStream on, started by the tests themselves."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

NATS_SERVER = shutil.which("nats-server") or ("/usr/bin/nats-server" if Path("/usr/bin/nats-server").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nats-server did not listen on 127.0.0.1:{port} within {timeout_s} s")


class NatsServer:
    """One nats-server process; ``stop()`` and ``start()`` again keep the port and the JetStream store."""

    def __init__(self, directory: Path, config: str = "", port: int | None = None, jetstream: bool = True) -> None:
        self.port = port or free_port()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.config_path = directory / "nats.conf"
        store = (directory / "js").as_posix()
        js = f'jetstream {{ store_dir: "{store}" }}\n' if jetstream else ""
        self.config_path.write_text(f"listen: 127.0.0.1:{self.port}\n{js}{config}")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsServer:
        log = open(self.directory / "server.log", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen([NATS_SERVER, "-c", str(self.config_path)], stdout=log, stderr=log)
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture(autouse=True)
def _no_role_outlives_its_test():
    from tests.distribute.roles import kill_leftovers

    yield
    kill_leftovers()


@pytest.fixture
def nats_server(tmp_path):
    if NATS_SERVER is None:
        pytest.skip("nats-server is not installed (Debian package nats-server; scripts/setup-test.sh installs it)")
    server = NatsServer(tmp_path / "nats").start()
    yield server
    server.stop()
