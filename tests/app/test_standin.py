"""The replica as a child process (app/standin.py): started, stopped, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.standin import start_replica
from replica.client import fetch

PARENT = """
import sys
from app.standin import start_replica
standin = start_replica([])
print(standin.process.pid, standin.proxy, flush=True)
sys.stdin.read()  # until the test kills this process
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    return state != "Z"  # a zombie has exited; its parent has not reaped it


def test_the_replica_serves_through_its_proxy_and_stops_on_sigterm() -> None:
    standin = start_replica(["--epoch", "2"])
    try:
        page = fetch(standin.proxy, "http://www.wip.gov.cn/col/col151610/index.html")
        assert page.status == 200
        assert "信息公开年报".encode() in page.body
    finally:
        assert standin.stop() == 0
    assert standin.output.strip().endswith("replica: stopped")


def test_the_replica_dies_with_a_killed_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline().split()[0])
    assert _alive(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 20
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), f"the replica (pid {pid}) outlived its parent"
