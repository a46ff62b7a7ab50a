"""UcapSpider against the replica: night 1 of sqyh.gov.cn crawled end to end (recall and
precision against the manifest), its noise recorded as skipped, and family detection
on the start pages of its host and of the other families' hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crawler.spiders.ucap import UcapSpider
from tests.crawler.fixtures import other_sources, source, start_page
from tests.crawler.helpers import (
    archived_files,
    archived_reports,
    crawl_once,
    manifest_files,
    manifest_reports,
    read_generically,
    run_totals,
    skipped,
)

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread

SOURCE = "sqyh"
HOST = "www.sqyh.gov.cn"
OTHERS = ("wip", "whctp", "penglai", "anqiu", "pingtan", "dlhyk", "kmgx")

# Every other family's replica host, those added next to this one too.
ANY_OTHER = other_sources("ucap", but=OTHERS)


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl_once(tmp_path_factory, replica, "ucap", SOURCE)


def test_the_crawl_is_complete_without_failures(crawled: Path) -> None:
    assert run_totals(crawled) == [("complete", 7, 13, 0)]


def test_recall_and_precision_are_100_percent(crawled: Path) -> None:
    expected = manifest_reports(HOST)
    assert len(expected) == 13
    assert archived_reports(crawled) == expected


def test_every_file_of_the_manifest_is_archived_byte_for_byte(crawled: Path) -> None:
    assert archived_files(crawled) == manifest_files(HOST)


def test_noise_is_listed_as_skipped_with_its_reason(crawled: Path) -> None:
    assert skipped(crawled) == [
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
    assert read_generically(crawled) == [(0,)]


def _claim(replica: ReplicaThread, url: str):
    return UcapSpider.detect(start_page(replica, url))


def test_detection_claims_the_start_page(replica: ReplicaThread) -> None:
    (url,) = source(SOURCE).start_urls
    found = _claim(replica, url)
    assert found is not None
    assert found.family == "ucap"
    assert found.confidence >= 0.8
    assert "websiteId/websiteCode in JavaScript" in found.evidence


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
