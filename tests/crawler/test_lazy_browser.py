"""Playwright starts at the first page that needs Chromium (crawler/browser.py).

scrapy-playwright would start it when the engine starts, once per scheme it serves:
the generic family (http and https) and the Fujian family (https) made three, and
held the generic sources' first request back ~2 s. Now a crawl starts it only for a
page it renders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.conftest import NO_CHANNELS
from tests.crawler.helpers import rows, run_crawl

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

    from replica.server import ReplicaThread

STARTED = "Starting download handler"  # scrapy-playwright's log line when it starts


def _crawl(data: Path, proxy: str, *sources: str) -> subprocess.CompletedProcess[str]:
    picked = [arg for source in sources for arg in ("--source", source)]
    return run_crawl(data, proxy, *picked, env=NO_CHANNELS, verbose=True)


def test_a_crawl_that_renders_nothing_never_starts_playwright(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    done = _crawl(tmp_path, replica.proxy, "wangdu", "shangcai")  # generic, plain HTTP
    assert done.returncode == 0, done.stdout + done.stderr
    assert STARTED not in done.stderr
    reports = rows(tmp_path, "SELECT source_id, COUNT(*) FROM reports GROUP BY 1")
    assert [source for source, _ in reports] == ["shangcai", "wangdu"]
    assert all(count > 0 for _, count in reports)


def test_a_rendered_column_starts_it_once_beside_a_generic_source(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    done = _crawl(tmp_path, replica.proxy, "pingtan", "wangdu")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count(STARTED) == 1  # Fujian's https handler; not generic's two
    rendered = rows(
        tmp_path,
        "SELECT COUNT(*) FROM captures WHERE source_id = 'pingtan' AND kind = 'list'",
    )
    assert rendered[0][0] > 0
    reports = rows(tmp_path, "SELECT source_id, COUNT(*) FROM reports GROUP BY 1")
    assert [source for source, _ in reports] == ["pingtan", "wangdu"]
