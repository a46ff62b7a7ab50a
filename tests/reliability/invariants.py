"""The three invariants of ../shared/docs/reliability.md, checked on a real archive.

(I1) the process ends with a documented exit status and a reason (each test asserts
its own); (I2) every blob archived before is byte-identical afterwards and
``PRAGMA quick_check`` is ok; (I3) no row references a missing blob, and no
temporary or stray file lies outside the store.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.crawler.helpers import FAST, sources

# What may lie in an archive directory besides the blob store.
KNOWN = {
    "archive.db",
    "archive.db-wal",
    "archive.db-shm",
    "crawl.lock",
    "feed.atom",
    "nianbao.toml",
}
KNOWN_DIRS = {"blobs", "backups"}
QUIET = {**FAST, "NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""}


def blobs(data: Path) -> dict[str, str]:
    """Every stored blob: its name → the SHA-256 of its bytes now."""
    root = data / "blobs" / "sha256"
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def assert_sound(data: Path, before: dict[str, str] | None = None) -> None:
    """(I2) and (I3): earlier blobs unchanged, quick_check ok, no dangling row, no stray file."""
    now = blobs(data)
    for name, digest in now.items():
        assert name == digest, f"blob {name} holds other bytes ({digest})"
    for name in before or {}:
        assert name in now, f"blob {name} archived before is gone"
    with sqlite3.connect(data / "archive.db") as db:
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        referenced = {
            sha
            for (sha,) in db.execute(
                "SELECT sha256 FROM versions UNION "
                "SELECT sha256 FROM captures WHERE sha256 IS NOT NULL"
            )
        }
    missing = referenced - set(now)
    assert not missing, f"rows reference missing blobs: {sorted(missing)[:3]}"
    temporary = list((data / "blobs" / "tmp").glob("*"))
    assert not temporary, f"temporary files left: {temporary[:3]}"
    stray = [
        p.name
        for p in data.iterdir()
        if p.name not in KNOWN and not (p.is_dir() and p.name in KNOWN_DIRS)
    ]
    assert not stray, f"stray files in the archive: {stray}"


def rows(data: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "archive.db") as db:
        return db.execute(sql, params).fetchall()


class Crawl:
    """A `nianbao crawl` process through ``proxy``; its output goes to ``log``."""

    def __init__(
        self, data: Path, proxy: str, *args: str, env: dict[str, str] | None = None
    ) -> None:
        self.log = data.parent / f"{data.name}-crawl-{time.monotonic_ns()}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app",
                    "crawl",
                    "--proxy",
                    proxy,
                    "--data",
                    str(data),
                    *sources(args),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **QUIET, **(env or {})},
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, line: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while line not in self.text():
            if self.process.poll() is not None:
                raise AssertionError(f"exited before {line!r}:\n{self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {line!r} within {timeout} s:\n{self.text()}")
            time.sleep(0.05)

    def signal(self, sig: int) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float = 120) -> int:
        return self.process.wait(timeout)

    def children(self) -> list[int]:
        """The processes this crawl started (its parse workers, its replica)."""
        return children(self.pid)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(c) for c in text.split()]
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(") ", 1)[-1][:1] != "Z"
    except OSError:
        return False


def wait_dead(pids: list[int], timeout: float = 20) -> list[int]:
    """The pids still alive after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def kill(pid: int, sig: int = signal.SIGKILL) -> None:
    os.kill(pid, sig)
