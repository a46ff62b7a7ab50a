"""Requests that are dropped get their own outcome, and a stopped crawl is never
"complete" (issue 11, point 10; reliability rows 7, 8, 24, 27)."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from tests.commands import BIN, run
from tests.crawler.helpers import run_crawl
from tests.reliability.invariants import QUIET, assert_sound, blobs, rows

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread

NB = "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB"
FAULTS = {
    f"{NB}/zjnb/202201/P020220119702507961459.pdf": "redirect_loop",
    f"{NB}/szfbgs/202001/P020200109845861894121.pdf": "redirect_chain",
    f"{NB}/zjnb/202101/P020210119359201255555.pdf": "offsite_redirect",
    f"{NB}/zjnb/202401/P020240129229156864620.pdf": "file_redirect",
    f"{NB}/zjnb/202301/t20230127_6035947.html": "gzip_bomb",
}
OUTCOMES = {
    "redirect_loop": "redirect_loop",
    "redirect_chain": "too_many_redirects",
    "offsite_redirect": "offsite_redirect",
    "file_redirect": "offsite_redirect",
    "gzip_bomb": "too_large",
}


def test_loops_chains_offsite_redirects_and_bombs_each_fail_by_name(
    archive_copy: Path, own: ReplicaThread
) -> None:
    before = blobs(archive_copy)
    versions = rows(archive_copy, "SELECT COUNT(*) FROM versions")[0][0]
    for url, fault in FAULTS.items():
        own.set_fault(url, fault)
    done = run_crawl(archive_copy, own.proxy, "--source", "anqiu", env=QUIET)
    assert done.returncode == 3, done.stdout + done.stderr
    run = rows(archive_copy, "SELECT MAX(id) FROM runs")[0][0]
    failed = dict(
        rows(
            archive_copy,
            "SELECT url, failure FROM captures WHERE run_id = ? AND outcome = 'failed'",
            (run,),
        )
    )
    assert failed == {url: OUTCOMES[fault] for url, fault in FAULTS.items()}
    detail = dict(
        rows(
            archive_copy,
            "SELECT url, failure_detail FROM captures WHERE run_id = ? AND outcome = 'failed'",
            (run,),
        )
    )
    loop = next(u for u, f in FAULTS.items() if f == "redirect_loop")
    assert detail[loop] == f"{loop} → {loop}?_loop=1 → {loop}"
    assert (
        "more than 5 redirects"
        in detail[next(u for u, f in FAULTS.items() if f == "redirect_chain")]
    )
    assert detail[next(u for u, f in FAULTS.items() if f == "file_redirect")].endswith(
        "→ file:///etc/passwd"
    )
    assert (
        "DOWNLOAD_MAXSIZE"
        in detail[next(u for u, f in FAULTS.items() if f == "gzip_bomb")]
    )
    never = rows(
        archive_copy,
        "SELECT COUNT(*) FROM captures WHERE url LIKE 'http://127.0.0.1%' OR url LIKE 'file:%'",
    )
    assert never == [(0,)]
    # Only the replica's own night-2 change in this source made a version (a re-saved PDF).
    assert rows(archive_copy, "SELECT COUNT(*) FROM versions")[0][0] == versions + 1
    assert_sound(archive_copy, before)


def test_a_robots_txt_answering_503_disallows_its_host(
    tmp_path: Path, own: ReplicaThread
) -> None:
    own.set_fault("http://www.whctp.gov.cn/robots.txt", "http_503")
    data = tmp_path / "archive"
    done = run_crawl(data, own.proxy, "--source", "whctp", "--polite", env=QUIET)
    out = done.stdout + done.stderr
    assert done.returncode == 4, out  # failed: no list page could be read
    assert (
        "www.whctp.gov.cn/robots.txt answered 503: the whole host is treated as disallowed"
        in out
    )
    assert rows(data, "SELECT kind, failure FROM captures WHERE kind = 'list'") == [
        ("list", "robots_blocked")
    ]


def test_a_crawl_stopped_by_its_memory_limit_is_never_complete_and_says_why(
    tmp_path: Path, own: ReplicaThread
) -> None:
    data = tmp_path / "archive"
    done = run(
        BIN / "scrapy",
        "crawl",
        "trs",
        "-a",
        "source=anqiu",
        "-a",
        f"proxy={own.proxy}",
        "-a",
        f"data={data}",
        "-s",
        "MEMUSAGE_LIMIT_MB=1",
        "-s",
        "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.05",
        env={**os.environ, **QUIET},
    )
    out = done.stdout + done.stderr
    # The limit is below what any process needs: the crawl stops before it lists
    # anything, so the run is failed (nothing listed), never complete.
    assert done.returncode == 4, out
    assert re.search(
        r"run 1 failed: .*\nwhy: the crawl stopped early \(trs: memusage_exceeded\)",
        out,
    )
    assert rows(
        data,
        "SELECT status, message LIKE 'the crawl stopped early (trs: memusage_exceeded)%' FROM runs",
    ) == [("failed", 1)]
