"""Ctrl-C, SIGTERM and SIGKILL during a crawl (issue 11, points 1 and 2; reliability row 18).

An interrupted run is recorded ``interrupted`` (exit status 5) with its reason, writes
no events and ends no source's baseline; the next run settles it. No worker outlives
its crawl, and a killed crawl never blocks the next one.
"""

from __future__ import annotations

import signal
import time
from typing import TYPE_CHECKING

import pytest

from tests.crawler.helpers import run_crawl
from tests.reliability.invariants import (
    QUIET,
    Crawl,
    assert_sound,
    blobs,
    rows,
    wait_dead,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from replica.server import ReplicaThread

NIGHT1_REPORTS = 124
PROCESSING = "processed 50 of"  # app/process.py, after the first chunk of versions


def _wait_rows(data: Path, sql: str, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (data / "archive.db").exists():
            try:
                if rows(data, sql)[0][0] >= at_least:
                    return
            except Exception:
                pass
        time.sleep(0.05)
    raise AssertionError(f"{sql} never reached {at_least}")


def _workers(crawl: Crawl, timeout: float = 10) -> list[int]:
    """The crawl's parse workers, once the next chunk's pool has started them."""
    deadline = time.monotonic() + timeout
    while not (found := crawl.children()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert found, "no parse worker started"
    return found


def _settled_as_baseline(data: Path) -> None:
    """The run after an interrupted first one: every report new, all of it baseline."""
    kinds = rows(data, "SELECT kind, baseline, COUNT(*) FROM events GROUP BY 1, 2")
    assert kinds == [("new_report", 1, NIGHT1_REPORTS)]
    told = rows(data, "SELECT DISTINCT kind FROM outbox WHERE kind = 'new_report'")
    assert told == []  # a first crawl is summarised, never 124 alerts


def test_ctrl_c_during_the_crawl_ends_the_run_interrupted_and_ends_no_baseline(
    tmp_path: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    data = tmp_path / "archive"
    crawl = Crawl(data, replica_at(1).proxy)
    _wait_rows(data, "SELECT COUNT(*) FROM captures", 10)
    workers = _workers(crawl)  # parsing while the crawl runs (app/live.py)
    crawl.signal(signal.SIGINT)
    assert crawl.wait(60) == 5, crawl.text()
    assert wait_dead(workers) == []
    out = crawl.text()
    assert "SIGINT (Ctrl-C): stopping the crawl once the requests under way end" in out
    assert "run 1 interrupted:" in out
    assert (
        "why: stopped by SIGINT (Ctrl-C); the next run settles what this one stored"
        in out
    )
    assert rows(data, "SELECT status, settled_by FROM runs") == [("interrupted", None)]
    assert rows(data, "SELECT COUNT(*) FROM events") == [(0,)]
    assert rows(
        data, "SELECT COUNT(*) FROM sources WHERE last_successful_run IS NOT NULL"
    ) == [(0,)]
    before = blobs(data)
    assert_sound(data)

    done = run_crawl(data, replica_at(1).proxy, env=QUIET)
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(data, "SELECT id, status, settled_by FROM runs") == [
        (1, "interrupted", 2),
        (2, "complete", 2),
    ]
    _settled_as_baseline(data)
    assert_sound(data, before)


def test_sigterm_during_processing_stops_at_once_and_leaves_no_worker(
    tmp_path: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    data = tmp_path / "archive"
    crawl = Crawl(
        data,
        replica_at(1).proxy,
        # every version left for the analysis after the crawl
        env={"NIANBAO_PARSE_WORKERS": "2", "NIANBAO_PARSE_DURING_CRAWL": "0"},
    )
    crawl.wait_for(PROCESSING)
    workers = _workers(crawl)
    stopped = time.monotonic()
    crawl.signal(signal.SIGTERM)
    assert crawl.wait(30) == 5, crawl.text()
    assert time.monotonic() - stopped < 15  # not after the remaining ~100 versions
    assert "SIGTERM during the analysis of the crawl: stopping now" in crawl.text()
    assert "why: stopped by SIGTERM" in crawl.text()
    assert wait_dead(workers) == []
    assert rows(data, "SELECT status FROM runs") == [("interrupted",)]
    parsed = rows(data, "SELECT COUNT(*) FROM parses")[0][0]
    assert parsed >= 50  # what was parsed is kept
    assert_sound(data)

    done = run_crawl(data, replica_at(1).proxy, env=QUIET)
    assert done.returncode == 0, done.stdout + done.stderr
    versions = rows(data, "SELECT COUNT(*) FROM versions")[0][0]
    assert rows(data, "SELECT COUNT(*) FROM parses") == [(versions,)]
    _settled_as_baseline(data)


@pytest.mark.parametrize("phase", ["crawl", "analysis"])
def test_a_killed_crawl_leaves_no_worker_and_the_next_crawl_starts_at_once(
    tmp_path: Path, replica_at: Callable[[int], ReplicaThread], phase: str
) -> None:
    data = tmp_path / "archive"
    during = "1" if phase == "crawl" else "0"
    crawl = Crawl(data, replica_at(1).proxy, env={"NIANBAO_PARSE_DURING_CRAWL": during})
    if phase == "crawl":  # killed while its workers parse what it has archived
        _wait_rows(data, "SELECT COUNT(*) FROM parses", 1)
    else:
        crawl.wait_for(PROCESSING)
    workers = _workers(crawl)
    crawl.signal(signal.SIGKILL)
    crawl.wait(10)
    assert wait_dead(workers) == [], "parse workers outlived their crawl"
    done = run_crawl(data, replica_at(1).proxy, env=QUIET)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "another crawl is running" not in done.stdout + done.stderr
    assert rows(data, "SELECT id, status FROM runs") == [
        (1, "interrupted"),
        (2, "complete"),
    ]
    assert rows(data, "SELECT message FROM runs WHERE id = 1") == [
        ("the crawl process ended without closing its run",)
    ]
    _settled_as_baseline(data)
    assert_sound(data)
