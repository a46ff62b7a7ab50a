"""The crawl lock (archive/db.py CrawlLock): one crawl at a time, never blocked by the dead.

A forked child shares its parent's flock; a child that outlived a killed crawl used to
keep the archive locked for good (issue 11, point 2).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from archive.db import ArchiveLocked, CrawlLock, held_lock_fds
from tests.reliability.invariants import alive, wait_dead

if TYPE_CHECKING:
    from pathlib import Path

# Holds the lock file's flock until killed, as a leftover worker of a crawl would.
LEFTOVER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)
"""


def _leftover(lock: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", LEFTOVER, str(lock)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    return process


def _dead_pid() -> int:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(gone.stdout)


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    first = CrawlLock(tmp_path)
    first.acquire("first")
    try:
        with pytest.raises(
            ArchiveLocked, match=r"another crawl is running on .* \(pid \d+"
        ):
            CrawlLock(tmp_path).acquire("second")
    finally:
        first.release()
    third = CrawlLock(tmp_path)
    third.acquire("third")  # free again
    third.release()


def test_a_lock_held_by_leftovers_of_a_dead_crawl_is_taken_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lock_file = tmp_path / "crawl.lock"
    leftover = _leftover(lock_file)
    try:
        dead = _dead_pid()
        lock_file.write_text(
            json.dumps({"pid": dead, "started": "2026-12-01T02:00:00Z"})
        )
        lock = CrawlLock(tmp_path)
        with caplog.at_level(logging.WARNING, logger="archive.db"):
            lock.acquire("after a killed crawl")
        assert wait_dead([leftover.pid]) == []
        assert (
            f"its crawl (pid {dead}, started 2026-12-01T02:00:00Z) is gone"
            in caplog.text
        )
        assert f"leftover process(es) {leftover.pid}" in caplog.text
        assert json.loads(lock_file.read_text())["run"] == "after a killed crawl"
        lock.release()
    finally:
        leftover.kill()
        leftover.wait()


def test_a_live_holder_is_never_taken_over(tmp_path: Path) -> None:
    lock_file = tmp_path / "crawl.lock"
    holder = _leftover(lock_file)  # alive, and named in the lock file
    try:
        lock_file.write_text(json.dumps({"pid": holder.pid, "started": "now"}))
        with pytest.raises(ArchiveLocked, match=f"pid {holder.pid}"):
            CrawlLock(tmp_path).acquire("second")
        assert alive(holder.pid)
    finally:
        holder.kill()
        holder.wait()


def test_the_held_lock_is_known_so_that_forked_workers_close_it(tmp_path: Path) -> None:
    before = set(held_lock_fds())
    lock = CrawlLock(tmp_path)
    lock.acquire("a crawl")
    try:
        assert len(set(held_lock_fds()) - before) == 1
    finally:
        lock.release()
    assert set(held_lock_fds()) == before
