"""The parts of distributed mode a user meets first: a Redis that does not answer, a
worker for a run that is not running, and URLs taken once across workers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from crawler.claims import LocalClaims, RedisClaims
from crawler.distributed import RunKeys
from crawler.frontier import put_back
from tests.crawler.helpers import FAST, run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    from tests.distributed.conftest import RedisServer


def test_a_url_is_claimed_once_whichever_worker_asks(redis_server: RedisServer) -> None:
    keys = RunKeys(99)
    key = keys.requested("trs")
    first = RedisClaims(redis_server.client(), key, keys.pending("w1", "trs"))
    second = RedisClaims(redis_server.client(), key, keys.pending("w2", "trs"))
    assert first.claim("http://a.gov.cn/1.html")
    assert not second.claim("http://a.gov.cn/1.html")
    assert "http://a.gov.cn/1.html" in second
    assert "http://a.gov.cn/2.html" not in first
    assert second.claim("http://a.gov.cn/2.html")
    local = LocalClaims()
    assert local.claim("x")
    assert not local.claim("x")
    assert "x" in local
    for stale in redis_server.client().scan_iter(keys.pattern):
        redis_server.client().delete(stale)


def test_a_dead_workers_unsure_claims_are_withdrawn_with_its_requests(
    redis_server: RedisServer,
) -> None:
    """A worker killed after claiming an attachment but before queueing it: its page
    is done again by another worker, which must be able to claim the attachment."""
    client = redis_server.client()
    keys = RunKeys(98)
    requested = keys.requested("trs")
    dead = RedisClaims(client, requested, keys.pending("host:1", "trs"))
    assert dead.claim("http://a.gov.cn/sure.pdf")
    dead.make_sure(time.time())
    assert dead.claim("http://a.gov.cn/unsure.pdf")
    # The same worker's other spider: its requests say nothing of trs's claims, so
    # making its own sure leaves trs's pending (once, one log per worker lost
    # attachments: another spider's heartbeat had made them sure).
    other = RedisClaims(
        client, keys.requested("hanweb"), keys.pending("host:1", "hanweb")
    )
    assert other.claim("http://b.gov.cn/page.html")
    other.make_sure(time.time() + 1)
    assert put_back(client, keys, "trs", "host:1") == 0  # it held no request
    alive = RedisClaims(client, requested, keys.pending("host:2", "trs"))
    assert alive.claim("http://a.gov.cn/unsure.pdf")
    assert not alive.claim("http://a.gov.cn/sure.pdf")
    assert not client.exists(keys.pending("host:1", "trs"))
    for stale in client.scan_iter(keys.pattern):
        client.delete(stale)


def test_a_redis_that_does_not_answer_stops_the_crawl_before_it_starts(
    tmp_path: Path, replica_at: Callable[[int], Any]
) -> None:
    dead = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    done = run_crawl(tmp_path, replica_at(1).proxy, "--redis", dead)
    assert done.returncode == 7, done.stdout + done.stderr
    assert "Redis unavailable at redis://127.0.0.1:9/0" in done.stderr
    assert "Traceback" not in done.stderr
    with sqlite3.connect(tmp_path / "archive.db") as db:  # no run was started
        tables = {t for (t,) in db.execute("SELECT name FROM sqlite_master")}
        assert "runs" not in tables or db.execute(
            "SELECT count(*) FROM runs"
        ).fetchone() == (0,)


def test_a_worker_for_a_run_that_is_not_running_says_so(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    command = [sys.executable, "-m", "app", "worker", "--redis", redis_server.url]
    done = subprocess.run(
        [*command, "--run", "12345", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **FAST},
        check=False,
    )
    assert done.returncode == 1
    assert "run 12345 is not running (no plan in Redis)" in done.stderr
    dead = subprocess.run(
        [*command[:-1], "redis://127.0.0.1:9/0", "--run", "1", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert dead.returncode == 7
    assert "Redis unavailable" in dead.stderr
