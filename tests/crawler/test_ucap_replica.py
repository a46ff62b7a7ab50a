"""UcapSpider against the replica: night 1 of sqyh.gov.cn crawled end to end (recall and
precision against the manifest), its noise recorded as skipped, and family detection
on the start pages of its host and of the other families' hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crawler.detect import Page
from crawler.pages import decode
from crawler.registry import load_registry
from crawler.spiders.ucap import UcapSpider
from replica.catalog import catalog
from tests.crawler.fixtures import source
from tests.crawler.helpers import rows, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

SOURCE = "sqyh"
HOST = "www.sqyh.gov.cn"
OTHERS = ("wip", "whctp", "penglai", "anqiu", "pingtan", "dlhyk", "kmgx")

# Every other family's replica host, those added next to this one too.
ANY_OTHER = sorted(
    s.id for s in load_registry() if s.family != "ucap" and s.id not in OTHERS
)


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("ucap")
    done = run_crawl(data, replica.proxy, "--source", SOURCE)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


def test_the_crawl_is_complete_without_failures(crawled: Path) -> None:
    assert rows(
        crawled, "SELECT status, list_pages, reports_found, failures FROM runs"
    ) == [("complete", 7, 13, 0)]


def test_recall_and_precision_are_100_percent(crawled: Path) -> None:
    expected = {
        (e["body"], e["year"]) for e in catalog(1).manifest() if e["site"] == HOST
    }
    assert len(expected) == 13
    assert set(rows(crawled, "SELECT body, year FROM reports")) == expected


def test_every_file_of_the_manifest_is_archived_byte_for_byte(crawled: Path) -> None:
    archived = set(
        rows(
            crawled,
            """SELECT d.url, v.sha256 FROM documents d
               JOIN versions v ON v.id = d.current_version_id""",
        )
    )
    expected = {
        (f["url"], f["sha256"])
        for e in catalog(1).manifest()
        if e["site"] == HOST
        for f in e["files"]
    }
    assert archived == expected


def test_noise_is_listed_as_skipped_with_its_reason(crawled: Path) -> None:
    assert rows(
        crawled,
        "SELECT title, reason FROM listings WHERE decision = 'skipped' ORDER BY title",
    ) == [
        (
            "一图读懂宿迁市洋河新区2023年政府信息公开工作年度报告",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            "洋河镇关于做好2022年政府信息公开工作年度报告编制工作的通知",
            "noise: 通知 (a notice)",
        ),
    ]


def test_the_family_read_every_list_itself(crawled: Path) -> None:
    assert rows(
        crawled, "SELECT COUNT(*) FROM listings WHERE reason LIKE '%generically%'"
    ) == [(0,)]


def _claim(get, url: str):
    fetched = get(url)
    assert fetched.status == 200, url
    return UcapSpider.detect(Page(url, decode(fetched.body)))


def test_detection_claims_the_start_page(get) -> None:
    (url,) = source(SOURCE).start_urls
    found = _claim(get, url)
    assert found is not None
    assert found.family == "ucap"
    assert found.confidence >= 0.8
    assert "websiteId/websiteCode in JavaScript" in found.evidence


@pytest.mark.parametrize("other", OTHERS)
def test_detection_leaves_the_other_families_start_pages(get, other: str) -> None:
    for url in source(other).start_urls:
        found = _claim(get, url)
        assert found is None or found.confidence <= 0.3, (url, found)


@pytest.mark.parametrize("other", ANY_OTHER)
def test_detection_leaves_every_other_registry_source(get, other: str) -> None:
    for url in source(other).start_urls:
        found = _claim(get, url)
        assert found is None or found.confidence <= 0.3, (url, found)
