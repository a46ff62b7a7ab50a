"""The TRS variant sources (shashi, changle) crawled through the replica on night 1:
every report of their hosts and nothing else (recall and precision against the
manifest), every file byte for byte (continuation pages included), noise skipped, the
reposted city reports under their own bodies; and TRS detection on the replica's start
pages."""

from __future__ import annotations

import re
import shutil
from typing import TYPE_CHECKING

import pytest

from crawler.registry import load_registry
from crawler.spiders.trs import TrsSpider
from crawler.spiders.xxgklist import XxgklistSpider
from tests.crawler.fixtures import start_page
from tests.crawler.helpers import (
    CORE,
    archived_reports,
    crawl_once,
    manifest_entries,
    manifest_reports,
    rows,
    run_crawl,
    run_totals,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from crawler.detect import Page
    from replica.server import ReplicaThread

SOURCES = {"shashi": "www.shashi.gov.cn", "changle": "www.changle.gov.cn"}
START = {s.id: s.start_urls[0] for s in load_registry()}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, replica: ReplicaThread) -> Path:
    return crawl_once(tmp_path_factory, replica, "trs-variants", *SOURCES)


def test_the_run_is_complete(crawled: Path) -> None:
    assert run_totals(crawled) == [
        ("complete", 7, 28, 0)  # shashi 3 list pages + changle 2 × 2
    ]


def test_recall_and_precision_are_100_percent(crawled: Path) -> None:
    expected = manifest_reports(*SOURCES.values())
    assert len(expected) == 28
    assert archived_reports(crawled) == expected


def test_every_file_is_archived_byte_for_byte_under_its_report(crawled: Path) -> None:
    archived = {
        (body, year, url): sha
        for body, year, url, sha in rows(
            crawled,
            """SELECT r.body, r.year, d.url, v.sha256 FROM reports r
               JOIN documents d ON d.report_id = r.id
               JOIN versions v ON v.id = d.current_version_id""",
        )
    }
    expected = {
        (e["body"], e["year"], f["url"]): f["sha256"]
        for e in manifest_entries(*SOURCES.values())
        for f in e["files"]
    }
    assert archived == expected


def test_a_three_page_article_is_one_report_of_three_pages(crawled: Path) -> None:
    pages = rows(
        crawled,
        """SELECT d.url, d.role FROM documents d JOIN reports r ON r.id = d.report_id
           WHERE r.body = '荆州市沙市区人民政府' AND r.year = 2023 ORDER BY d.url""",
    )
    stem = "http://www.shashi.gov.cn/xxgk/xxgkml/zfxxgknb/202403/t20240321_6024033"
    assert pages == [
        (f"{stem}.shtml", "page"),
        (f"{stem}_1.shtml", "page"),
        (f"{stem}_2.shtml", "page"),
    ]
    texts = rows(
        crawled,
        """SELECT COUNT(*) FROM texts t JOIN versions v ON v.id = t.version_id
           JOIN documents d ON d.id = v.document_id WHERE d.url LIKE ?""",
        (f"{stem}%",),
    )
    assert texts == [(3,)]  # the text of every page is kept


def test_the_next_night_asks_again_for_every_page_of_an_unchanged_article(
    crawled: Path, tmp_path: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    data = tmp_path / "archive"
    shutil.copytree(
        crawled, data, ignore=shutil.ignore_patterns("crawl.lock", "backups")
    )
    args = [a for source in SOURCES for a in ("--source", source)]
    done = run_crawl(data, replica_at(2).proxy, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    stem = "http://www.shashi.gov.cn/xxgk/xxgkml/zfxxgknb/202403/t20240321_6024033"
    assert rows(
        data,
        "SELECT url, kind, status FROM captures WHERE run_id = 2 AND url LIKE ? ORDER BY url",
        (f"{stem}%",),
    ) == [
        (f"{stem}.shtml", "page", 304),
        (f"{stem}_1.shtml", "page", 304),
        (f"{stem}_2.shtml", "page", 304),
    ]
    assert rows(data, "SELECT COUNT(*) FROM versions WHERE first_seen_run = 2") == [
        (0,)
    ]
    assert rows(data, "SELECT COUNT(*) FROM events WHERE run_id = 2") == [(0,)]


def test_reposted_city_reports_are_filed_under_the_city(crawled: Path) -> None:
    assert rows(
        crawled,
        """SELECT source_id, body, year, level FROM reports
           WHERE identity_note LIKE '%reposted%' ORDER BY source_id""",
    ) == [
        ("changle", "潍坊市人民政府", 2023, "city"),
        ("shashi", "荆州市人民政府", 2023, "city"),
    ]
    bodies = {b for (b,) in rows(crawled, "SELECT body FROM reports")}
    assert not {
        b for b in bodies if re.match(r"(荆州市沙市区|昌乐县)(荆州市|潍坊市)", b)
    }


def test_noise_is_skipped_with_its_reason(crawled: Path) -> None:
    assert sorted(
        rows(
            crawled,
            "SELECT source_id, title, reason FROM listings WHERE decision = 'skipped'",
        )
    ) == sorted(
        [
            ("changle", "宝城街道2023年工作总结", "noise: 总结 (a work summary)"),
            ("changle", "昌乐县政府信息公开指南", "noise: 指南 (a guide)"),
            (
                "shashi",
                "《荆州市沙市区2023年政府信息公开工作年度报告》解读",
                "noise: 解读 (an explanation of a report)",
            ),
            (
                "shashi",
                "沙市区召开政务公开工作推进会",
                "noise: 会议 (news of a meeting)",
            ),
            (
                "shashi",
                "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
                "noise: 通知 (a notice)",
            ),
        ]
    )


# ---------------------------------------------------------------- detection
def _start_page(replica: ReplicaThread, source_id: str) -> Page:
    return start_page(replica, START[source_id])


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_trs_claims_the_variant_hosts_start_pages(
    replica: ReplicaThread, source_id: str
) -> None:
    found = TrsSpider.detect(_start_page(replica, source_id))
    assert found is not None
    assert found.family == "trs"
    assert found.confidence >= 0.8, found.line()
    assert "links to …/YYYYMM/tYYYYMMDD_id articles" in found.evidence


def test_trs_claims_anqius_report_column_from_its_static_publishing_traits(
    replica: ReplicaThread,
) -> None:
    found = TrsSpider.detect(_start_page(replica, "anqiu"))
    assert found is not None
    assert found.confidence >= 0.5, found.line()  # a column of sub-columns: no items
    assert "channel sub-directories (./name/)" in found.evidence


@pytest.mark.parametrize("source_id", [c for c in CORE if c != "anqiu"])
def test_trs_does_not_claim_the_other_families_core_hosts(
    replica: ReplicaThread, source_id: str
) -> None:
    found = TrsSpider.detect(_start_page(replica, source_id))
    assert found is None or found.confidence <= 0.3, found.line()


def test_on_the_xxgk_list_template_trs_bids_less_than_xxgklist(
    replica: ReplicaThread,
) -> None:
    page = _start_page(replica, "siyang")
    trs, xxgklist = TrsSpider.detect(page), XxgklistSpider.detect(page)
    assert xxgklist is not None
    assert trs is None or trs.confidence <= 0.3 < xxgklist.confidence
