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


def run_crawl(
    data: Path, proxy: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One crawl in its own process (Twisted's reactor cannot restart), through ``proxy``."""
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
            *args,
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
