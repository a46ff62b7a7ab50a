"""A real ``redis-server`` (Debian's, installed by the bootstrap) on a loopback port,
in a folder of its own: for the distributed-mode tests and the scale benchmark."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis import Redis
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from pathlib import Path


@dataclass
class RedisServer:
    """A redis-server child process on 127.0.0.1:``port``."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> Redis:
        return Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(folder: Path, port: int | None = None) -> RedisServer:
    """A redis-server on ``port`` (a free one if None), answering PING."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = port or _free_port()
    # fmt: off
    command = [
        binary,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(folder),
        "--save", "",
        "--appendonly", "no",
        "--logfile", str(folder / "redis.log"),
        "--enable-debug-command", "local",  # DEBUG SLEEP, in the fault tests
    ]
    # fmt: on
    process = subprocess.Popen(command)
    server = RedisServer(port, folder, process)
    deadline = time.monotonic() + 10
    while True:
        try:
            if server.client().ping():
                return server
        except RedisError:
            if time.monotonic() > deadline or process.poll() is not None:
                server.stop()
                log = (folder / "redis.log").read_text(errors="replace")
                raise RuntimeError(f"redis-server did not start:\n{log}") from None
            time.sleep(0.05)
