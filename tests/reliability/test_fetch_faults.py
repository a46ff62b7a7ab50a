"""Faults of real sites on the wire, on loopback (issue 11, points 3, 4, 5, 10, 14).

Each test crawls a copy of night 1's archive through a replica of its own on which
it puts faults (replica/faults.py), night after night, and checks what nianbao
stored, what it said (events, alerts) and that the archive stayed sound.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.crawler.helpers import run_crawl
from tests.reliability.invariants import QUIET, assert_sound, blobs, rows

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread

NB = "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB"
CUT_PDF = f"{NB}/zjnb/202301/P020230128657035294929.pdf"
CUT_DOCX = f"{NB}/zjnb/202301/P020230127906936955399.docx"
CHALLENGED = f"{NB}/szfnb/202403/P020240317427749790082.pdf"
GBK_LIST = f"{NB}/zjnb/"
REMOVED_ON_NIGHT_2 = "安丘市凌河街道办事处"  # 2020, its files 404 from night 2 on


def _night(data: Path, replica: ReplicaThread, *sources: str) -> tuple[int, str]:
    args = [arg for source in sources for arg in ("--source", source)]
    done = run_crawl(data, replica.proxy, *args, env=QUIET)
    return done.returncode, done.stdout + done.stderr


def _last_run(data: Path) -> int:
    return int(rows(data, "SELECT MAX(id) FROM runs")[0][0])


def _events(data: Path, run: int) -> list[tuple[str, str]]:
    return rows(
        data, "SELECT kind, message FROM events WHERE run_id = ? ORDER BY id", (run,)
    )


def test_a_cut_file_or_a_challenge_page_never_becomes_a_version(
    archive_copy: Path, own: ReplicaThread
) -> None:
    before = blobs(archive_copy)
    etag = dict(
        rows(
            archive_copy,
            "SELECT url, etag FROM documents WHERE url IN (?, ?)",
            (CUT_PDF, CUT_DOCX),
        )
    )
    versions = rows(archive_copy, "SELECT COUNT(*) FROM versions")[0][0]
    own.set_fault(CUT_PDF, "cut")
    own.set_fault(CUT_DOCX, "cut")
    own.set_fault(CHALLENGED, "challenge")
    for night in (2, 3, 4):
        code, out = _night(archive_copy, own, "anqiu")
        assert code == 3, out  # partial: three fetches failed
        run = _last_run(archive_copy)
        failed = rows(
            archive_copy,
            "SELECT url, failure FROM captures WHERE run_id = ? AND outcome = 'failed' ORDER BY url",
            (run,),
        )
        assert failed == [
            (CHALLENGED, "soft_error"),
            (CUT_DOCX, "truncated"),
            (CUT_PDF, "truncated"),
        ], night
        kinds = {kind for kind, _ in _events(archive_copy, run)}
        assert "changed" not in kinds
    # Only the night-2 changes of the replica itself made versions: a new report and
    # an edit elsewhere (other sources, not crawled here) and one re-saved PDF here.
    assert rows(archive_copy, "SELECT COUNT(*) FROM versions")[0][0] == versions + 1
    # The validators of the good version are kept: never those of a failed capture.
    assert (
        dict(
            rows(
                archive_copy,
                "SELECT url, etag FROM documents WHERE url IN (?, ?)",
                (CUT_PDF, CUT_DOCX),
            )
        )
        == etag
    )
    sent = rows(
        archive_copy,
        "SELECT request_headers FROM captures WHERE url = ? ORDER BY id DESC LIMIT 1",
        (CUT_PDF,),
    )
    assert json.loads(sent[0][0])["If-None-Match"] == etag[CUT_PDF]
    # A file failing three runs in a row is told once, naming its report.
    failing = rows(
        archive_copy,
        "SELECT key, title FROM outbox WHERE key LIKE 'failing:%' ORDER BY key",
    )
    assert [title for _, title in failing] == [
        "安丘市人民政府 2023年报：文件连续 3 次抓取失败",
        "安丘市凌河街道办事处 2022年报：文件连续 3 次抓取失败",
        "安丘市郚山镇人民政府 2022年报：文件连续 3 次抓取失败",
    ]
    attempts = rows(
        archive_copy,
        "SELECT DISTINCT attempts FROM captures WHERE url = ? AND outcome = 'failed'",
        (CUT_PDF,),
    )
    assert attempts == [(1,)]  # recorded: a format failure is not retried
    code, _ = _night(archive_copy, own, "anqiu")
    assert rows(
        archive_copy, "SELECT COUNT(*) FROM outbox WHERE key LIKE 'failing:%'"
    ) == [(3,)]
    own.clear_faults()
    code, out = _night(archive_copy, own, "anqiu")
    assert code == 0, out
    run = _last_run(archive_copy)
    assert rows(
        archive_copy,
        "SELECT url, outcome FROM captures WHERE run_id = ? AND url IN (?, ?, ?) ORDER BY url",
        (run, CUT_DOCX, CUT_PDF, CHALLENGED),
    ) == [
        (CHALLENGED, "not_modified"),
        (CUT_DOCX, "not_modified"),
        (CUT_PDF, "not_modified"),
    ]
    assert_sound(archive_copy, before)


def test_a_lying_charset_header_garbles_nothing_and_removes_nothing(
    archive_copy: Path, own: ReplicaThread
) -> None:
    titles = rows(
        archive_copy,
        "SELECT url, title FROM listings WHERE list_url = ? ORDER BY url",
        (GBK_LIST,),
    )
    own.set_fault(GBK_LIST, "charset_lie")
    for _ in (2, 3, 4):
        code, out = _night(archive_copy, own, "anqiu")
        assert code == 0, out
    run = _last_run(archive_copy)
    assert (
        rows(
            archive_copy,
            "SELECT url, title FROM listings WHERE list_url = ? AND run_id = ? ORDER BY url",
            (GBK_LIST, run),
        )
        == titles
    )
    assert rows(
        archive_copy,
        "SELECT declared_charset, used_charset, encoding_suspect FROM captures WHERE run_id = ? AND url = ?",
        (run, GBK_LIST),
    ) == [("utf-8", "gb18030", 1)]
    gone = rows(
        archive_copy,
        "SELECT kind, message FROM events WHERE kind IN ('removed', 'delisted')",
    )
    assert gone == [
        (
            "removed",
            f"not listed for 3 runs, its files gone (404/410): {REMOVED_ON_NIGHT_2} 2020",
        )
    ]
    assert_sound(archive_copy)


def test_a_list_that_shrinks_sharply_is_a_health_alert_not_removals(
    archive_copy: Path, own: ReplicaThread
) -> None:
    for column in ("bmnb/", "zjnb/", "zjnb/index_1.html"):
        own.set_fault(f"{NB}/{column}", "gutted")
    for _ in (2, 3, 4):
        code, out = _night(archive_copy, own, "anqiu")
        assert code == 0, out
    runs = [r for (r,) in rows(archive_copy, "SELECT id FROM runs WHERE id > 1")]
    assert rows(
        archive_copy,
        "SELECT COUNT(*) FROM events WHERE kind IN ('removed', 'delisted')",
    ) == [(0,)]
    told = rows(
        archive_copy,
        "SELECT key, title, message FROM outbox WHERE key LIKE 'source:anqiu:drop:%' ORDER BY id",
    )
    assert [key for key, _, _ in told] == [f"source:anqiu:drop:{r}" for r in runs]
    assert told[0][1].endswith("：列表页列出的年报骤减")
    assert "只识别出 10 份年报，第 1 次抓取时还有 32 份" in told[0][2]
    missing = rows(
        archive_copy, "SELECT MAX(missing_runs) FROM reports WHERE source_id = 'anqiu'"
    )
    assert missing == [(0,)]
    own.clear_faults()
    code, _ = _night(archive_copy, own, "anqiu")
    assert code == 0
    assert rows(
        archive_copy, "SELECT COUNT(*) FROM events WHERE kind = 'restored'"
    ) == [(0,)]


def test_a_report_off_the_list_whose_file_still_answers_is_delisted_not_removed(
    archive_copy: Path, own: ReplicaThread
) -> None:
    page = rows(
        archive_copy,
        "SELECT d.url, r.body, r.year FROM documents d JOIN reports r ON r.id = d.report_id "
        "WHERE d.listing_url = ? AND d.role = 'page' ORDER BY d.url LIMIT 1",
        (f"{NB}/szfnb/",),
    )
    url, body, year = page[0]
    listed = rows(
        archive_copy, "SELECT title FROM listings WHERE url = ? LIMIT 1", (url,)
    )[0][0]
    # The column stops listing it (gutted to none), the page itself stays.
    own.set_fault(f"{NB}/szfnb/", "gutted")
    for _ in (2, 3, 4):
        _night(archive_copy, own, "anqiu")
    delisted = rows(
        archive_copy,
        "SELECT kind, message FROM events WHERE kind IN ('removed', 'delisted') ORDER BY message",
    )
    assert (
        "delisted",
        f"not listed for 3 runs, its files still answer: {body} {year}",
    ) in delisted
    assert all(
        kind == "removed" for kind, message in delisted if REMOVED_ON_NIGHT_2 in message
    )
    assert listed
