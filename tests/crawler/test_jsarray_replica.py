"""JsarraySpider against the replica: night 1 of kmgx.gov.cn (HTTPS) crawled end to end
(recall and precision against the manifest), its noise recorded as skipped, and family
detection on the start pages of its host and of the other families' hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crawler.spiders.jsarray import JsarraySpider
from tests.crawler.fixtures import other_sources, source, start_page
from tests.crawler.helpers import (
    archived_files,
    archived_reports,
    crawl_once,
    manifest_files,
    manifest_reports,
    read_generically,
    rows,
    run_totals,
    skipped,
)

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread

SOURCE = "kmgx"
HOST = "www.kmgx.gov.cn"
OTHERS = ("wip", "whctp", "penglai", "anqiu", "pingtan", "sqyh", "dlhyk")

# Every other family's replica host, those added next to this one too.
ANY_OTHER = other_sources("jsarray", but=OTHERS)


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl_once(tmp_path_factory, replica, "jsarray", SOURCE)


def test_the_crawl_is_complete_without_failures(crawled: Path) -> None:
    assert run_totals(crawled) == [("complete", 6, 13, 0)]


def test_recall_and_precision_are_100_percent(crawled: Path) -> None:
    expected = manifest_reports(HOST)
    assert len(expected) == 13
    assert archived_reports(crawled) == expected


def test_every_file_of_the_manifest_is_archived_byte_for_byte(crawled: Path) -> None:
    assert archived_files(crawled) == manifest_files(HOST)


def test_noise_is_listed_as_skipped_with_its_reason(crawled: Path) -> None:
    assert skipped(crawled) == [
        (
            "关于做好2022年度政府信息公开工作年度报告编制和发布工作的通知",
            "noise: 通知 (a notice)",
        ),
        (
            "图解：昆明高新技术产业开发区2023年政府信息公开工作年度报告",
            "noise: 解读 (an explanation of a report)",
        ),
    ]


def test_every_list_page_of_the_encoded_pagers_was_read_once(crawled: Path) -> None:
    assert rows(
        crawled,
        "SELECT url FROM captures WHERE kind = 'list' ORDER BY url",
    ) == [
        (f"https://{HOST}/zwgk/zfxxgk/zfxxgknb/{column}/{page}",)
        for column in ("qzf", "xzjd")
        for page in ("index.html", "index_2.html", "index_3.html")
    ]


def test_the_family_read_every_list_itself(crawled: Path) -> None:
    assert read_generically(crawled) == [(0,)]


def _claim(replica: ReplicaThread, url: str):
    return JsarraySpider.detect(start_page(replica, url))


@pytest.mark.parametrize("url", source(SOURCE).start_urls)
def test_detection_claims_the_start_pages(replica: ReplicaThread, url: str) -> None:
    found = _claim(replica, url)
    assert found is not None
    assert found.family == "jsarray"
    assert found.confidence >= 0.8
    assert "a base64 pager in div#pages" in found.evidence


@pytest.mark.parametrize("other", OTHERS)
def test_detection_leaves_the_other_families_start_pages(
    replica: ReplicaThread, other: str
) -> None:
    for url in source(other).start_urls:
        found = _claim(replica, url)
        assert found is None or found.confidence <= 0.3, (url, found)


@pytest.mark.parametrize("other", ANY_OTHER)
def test_detection_leaves_every_other_registry_source(
    replica: ReplicaThread, other: str
) -> None:
    for url in source(other).start_urls:
        found = _claim(replica, url)
        assert found is None or found.confidence <= 0.3, (url, found)
