"""Helpers for crawl tests: run `nianbao crawl` as a real subprocess and read its archive."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

FAST = {
    "NIANBAO_DOWNLOAD_TIMEOUT": "3",
    "NIANBAO_RETRY_TIMES": "1",
    "NIANBAO_MIN_FREE_MB": "16",  # a test machine may be short of disk
}


# The sources of the replica's first five hosts: what "a night of the replica" means in
# the tests (their counts, 124 reports on night 1, come from these). Sources of the
# site families added since are crawled by their own tests (tests/crawler/test_*.py).
CORE = ("wip", "whctp", "penglai", "anqiu", "pingtan")


def sources(args: tuple[str, ...] | list[str]) -> list[str]:
    """``args`` plus ``--source`` for each core source when they name none."""
    if "--source" in args:
        return list(args)
    return [*args, *(arg for source in CORE for arg in ("--source", source))]


def run_crawl(
    data: Path, proxy: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One crawl in its own process (Twisted's reactor cannot restart), through
    ``proxy``; of the :data:`CORE` sources unless ``args`` name others."""
    return subprocess.run(
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
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **FAST, **(env or {})},
        check=False,
    )


def rows(data: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "archive.db") as db:
        return db.execute(sql, params).fetchall()


def events(data: Path, run: int | None = None) -> list[str]:
    where = (
        "run_id = (SELECT MAX(id) FROM runs)" if run is None else f"run_id = {int(run)}"
    )
    return sorted(
        kind for (kind,) in rows(data, f"SELECT kind FROM events WHERE {where}")
    )
