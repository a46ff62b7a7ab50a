"""Row 22 of reliability.md: the faults of distributed mode, on a real redis-server.

Each test crawls replica night 1 with ``nianbao crawl --redis URL --workers 2``,
breaks something in the middle of it, and checks that the run still completes and
that its archive equals the single-process archive of the same night (reports,
documents, versions, current versions, events, alerts): no loss, no duplicate.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from crawler.distributed import as_text
from tests.crawler.helpers import FAST, sources
from tests.distributed.conftest import start_redis
from tests.distributed.test_equal_archive import snapshot

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.distributed.conftest import RedisServer

COMPARED = ("reports", "documents", "versions", "current", "events", "alerts")


def start_crawl(
    data: Path, proxy: str, redis: str, **env: str
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app", "crawl", "--proxy", proxy]
    command += ["--data", str(data), "--redis", redis, "--workers", "2"]
    return subprocess.Popen(
        command + sources([]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **FAST, "NIANBAO_ALERTS": "", "NIANBAO_CONFIG": "", **env},
    )


def captures(data: Path) -> int:
    try:
        with sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM captures").fetchone()[0])
    except sqlite3.Error:
        return 0


def wait_for(what: Callable[[], bool], seconds: float, why: str) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {why}")
        time.sleep(0.05)


def same_as(data: Path, baseline: Path) -> None:
    got, expected = snapshot(data), snapshot(baseline)
    for name in COMPARED:
        assert got[name] == expected[name], name
    assert [r[1] for r in got["runs"]] == ["complete"]


def test_a_worker_killed_while_holding_requests_loses_nothing(
    tmp_path: Path,
    night1: Path,
    redis_server: RedisServer,
    replica_at: Callable[[int], Any],
) -> None:
    data = tmp_path / "archive"
    crawl = start_crawl(data, replica_at(1).proxy, redis_server.url)
    client = redis_server.client()
    wait_for(lambda: captures(data) >= 40, 120, "40 captures")
    names = [as_text(n) for n in client.hkeys("nianbao:run:1:workers")]
    busy = next(
        n
        for n in names
        if '"idle": false' in as_text(client.hget("nianbao:run:1:workers", n) or b"x")
    )
    pid = int(busy.split("/")[0].rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)
    out, err = crawl.communicate(timeout=300)
    assert crawl.returncode == 0, out + err
    assert "exited with status -9" in err
    assert "requests it held are queued again" in err
    same_as(data, night1)
    assert client.dbsize() == 0


@pytest.mark.timeout(480)
def test_redis_stopped_mid_crawl_is_waited_for_and_the_run_completes(
    tmp_path: Path,
    night1: Path,
    replica_at: Callable[[int], Any],
) -> None:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = start_redis(folder)
    data = tmp_path / "archive"
    crawl = start_crawl(data, replica_at(1).proxy, server.url)
    try:
        wait_for(lambda: captures(data) >= 40, 120, "40 captures")
        server.client().shutdown(nosave=True)
        server.process.wait(timeout=10)
        time.sleep(3)
        server = start_redis(folder, server.port)
        try:
            out, err = crawl.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            crawl.kill()  # seen once (2026-12-05) in a full run: say where it stood
            out, err = crawl.communicate()
            pytest.fail(f"the crawl did not end within 300 s:\n{out}\n{err[-20_000:]}")
    finally:
        if crawl.poll() is None:
            crawl.kill()
        server.stop()
    assert crawl.returncode == 0, out + err
    assert "Redis unavailable" in err  # the workers said so, and exited
    assert "it lost its data): crawling again" in err
    same_as(data, night1)


# Stalls longer than the calls' timeout (NIANBAO_REDIS_TIMEOUT, 3 s here: 10 by default)
@pytest.mark.parametrize("stall", ["DEBUG SLEEP 6", "CLIENT PAUSE 6000"])
def test_redis_stalled_mid_crawl_is_waited_for_and_the_run_completes(
    stall: str,
    tmp_path: Path,
    night1: Path,
    redis_server: RedisServer,
    replica_at: Callable[[int], Any],
) -> None:
    data = tmp_path / "archive"
    crawl = start_crawl(
        data, replica_at(1).proxy, redis_server.url, NIANBAO_REDIS_TIMEOUT="3"
    )
    wait_for(lambda: captures(data) >= 40, 120, "40 captures")
    client = redis_server.client()
    if stall.startswith("DEBUG"):
        stuck = subprocess.Popen(
            ["redis-cli", "-p", str(redis_server.port), *stall.split()]
        )
    else:
        client.execute_command(*stall.split())
        stuck = None
    out, err = crawl.communicate(timeout=400)
    if stuck is not None:
        stuck.wait(timeout=30)
    assert crawl.returncode == 0, out + err
    assert "Redis unavailable" in err
    assert "Redis is back; the run goes on" in err
    same_as(data, night1)
    assert client.dbsize() == 0
