"""SIGKILL at random points, twenty times over (issue 11; reliability row 18).

Each crawl of the same replica night is killed after a random delay: while fetching,
writing blobs, committing, hashing or parsing. The next crawl must start at once
(no lock left behind), and the crawl that is finally let finish must converge to an
untroubled night 1: the same files and versions, every report announced once (as the
sources' baseline), no false "changed", and a sound archive.
"""

from __future__ import annotations

import random
import signal
import time
from typing import TYPE_CHECKING

from tests.crawler.helpers import run_crawl
from tests.reliability.invariants import QUIET, Crawl, assert_sound, rows

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from replica.server import ReplicaThread

SOURCES = ("whctp", "anqiu")
KILLS = 20
SEED = 20261203
VERSIONS = (
    "SELECT d.url, v.sha256 FROM versions v JOIN documents d ON d.id = v.document_id "
    "JOIN reports r ON r.id = d.report_id WHERE r.source_id IN ('whctp', 'anqiu') "
    "ORDER BY d.url, v.sha256"
)
REPORTS = (
    "SELECT body, year, status FROM reports WHERE source_id IN ('whctp', 'anqiu') "
    "ORDER BY body, year"
)


def test_twenty_kills_at_random_points_converge_to_the_untroubled_night(
    tmp_path: Path, night1: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    proxy = replica_at(1).proxy
    data = tmp_path / "archive"
    args = [arg for source in SOURCES for arg in ("--source", source)]
    delays = random.Random(SEED)
    finished = 0
    for attempt in range(KILLS):
        crawl = Crawl(data, proxy, *args)
        deadline = time.monotonic() + delays.uniform(0.3, 7.0)
        while time.monotonic() < deadline and crawl.process.poll() is None:
            time.sleep(0.02)
        if crawl.process.poll() is None:
            crawl.signal(signal.SIGKILL)
        code = crawl.wait(60)
        assert code in (0, -signal.SIGKILL), (
            f"attempt {attempt}: {code}\n{crawl.text()}"
        )
        assert "another crawl is running" not in crawl.text(), crawl.text()
        finished += code == 0
    done = run_crawl(data, proxy, *args, env=QUIET)
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(data, VERSIONS) == rows(night1, VERSIONS)
    assert rows(data, REPORTS) == rows(night1, REPORTS)
    kinds = rows(data, "SELECT kind, baseline, COUNT(*) FROM events GROUP BY 1, 2")
    reports = len(rows(night1, REPORTS))
    assert kinds == [("new_report", 1, reports)], kinds
    unsettled = rows(data, "SELECT id, status FROM runs WHERE settled_by IS NULL")
    assert unsettled == [], unsettled
    versions = rows(data, "SELECT COUNT(*) FROM versions")[0][0]
    assert rows(data, "SELECT COUNT(*) FROM parses") == [(versions,)]
    assert_sound(data)
    assert finished < KILLS  # the kills did land (most runs never finished)
