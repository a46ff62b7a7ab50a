"""Helpers for crawl tests: run `nianbao crawl` as a real subprocess and read its archive."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from replica.catalog import catalog

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from replica.server import ReplicaThread

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
    data: Path,
    proxy: str,
    *args: str,
    env: dict[str, str] | None = None,
    verbose: bool = False,
) -> subprocess.CompletedProcess[str]:
    """One crawl in its own process (Twisted's reactor cannot restart), through
    ``proxy``; of the :data:`CORE` sources unless ``args`` name others. ``verbose``:
    `nianbao -v` (the libraries' INFO lines too)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            *(["-v"] if verbose else []),
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


def crawl_once(
    tmp_path_factory: pytest.TempPathFactory,
    replica: ReplicaThread,
    name: str,
    *source_ids: str,
) -> Path:
    """An archive (in a new folder ``name``) after one crawl of ``source_ids`` through
    ``replica``, which must succeed: what a module's ``crawled`` fixture holds."""
    data = tmp_path_factory.mktemp(name)
    args = [arg for source_id in source_ids for arg in ("--source", source_id)]
    done = run_crawl(data, replica.proxy, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


# ---------------------------------------------------------------- night 1's ground truth
def manifest_entries(*hosts: str) -> list[dict[str, Any]]:
    """The manifest entries (night 1) of the reports published on ``hosts``."""
    return [e for e in catalog(1).manifest() if e["site"] in hosts]


def manifest_reports(*hosts: str) -> set[tuple[str, int]]:
    """(body, year) of every report the replica publishes on ``hosts`` on night 1."""
    return {(e["body"], e["year"]) for e in manifest_entries(*hosts)}


def manifest_files(*hosts: str) -> set[tuple[str, str]]:
    """(url, sha256) of every file of those reports."""
    return {
        (f["url"], f["sha256"]) for e in manifest_entries(*hosts) for f in e["files"]
    }


# ---------------------------------------------------------------- what a crawl archived
def archived_reports(data: Path) -> set[tuple[str, int]]:
    """(body, year) of every report in the archive."""
    return set(rows(data, "SELECT body, year FROM reports"))


def archived_files(data: Path) -> set[tuple[str, str]]:
    """(url, sha256) of the current version of every document in the archive."""
    return set(
        rows(
            data,
            """SELECT d.url, v.sha256 FROM documents d
               JOIN versions v ON v.id = d.current_version_id""",
        )
    )


def skipped(data: Path) -> list[tuple[str, str]]:
    """(title, reason) of every listed item skipped, sorted."""
    return sorted(
        rows(data, "SELECT title, reason FROM listings WHERE decision = 'skipped'")
    )


def run_totals(data: Path) -> list[tuple[str, int, int, int]]:
    """Each run's status, list pages read, reports found and failures."""
    return rows(data, "SELECT status, list_pages, reports_found, failures FROM runs")


def read_generically(data: Path) -> list[tuple[int]]:
    """``[(n,)]``: how many listed items a family left to the generic reader."""
    return rows(data, "SELECT COUNT(*) FROM listings WHERE reason LIKE '%generically%'")
