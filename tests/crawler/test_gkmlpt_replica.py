"""The gkmlpt source crawled through the replica (night 1), checked against its
manifest: every report of www.fogang.gov.cn and nothing else; and detection of the
family on the replica's start pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crawler.registry import load_registry
from crawler.spiders.gkmlpt import GkmlptSpider
from tests.crawler.fixtures import source, start_page
from tests.crawler.helpers import (
    CORE,
    archived_files,
    archived_reports,
    crawl_once,
    manifest_files,
    manifest_reports,
    rows,
    skipped,
)

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread

HOST = "www.fogang.gov.cn"
SOURCES = [s for s in load_registry() if s.family == "gkmlpt"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, replica: ReplicaThread) -> Path:
    return crawl_once(tmp_path_factory, replica, "gkmlpt", *(s.id for s in SOURCES))


def test_the_family_has_its_replica_source() -> None:
    assert [(s.id, s.hosts) for s in SOURCES] == [("fogang", frozenset({HOST}))]


def test_every_report_of_the_host_and_nothing_else(crawled: Path) -> None:
    expected = manifest_reports(HOST)
    assert len(expected) == 18
    assert archived_reports(crawled) == expected  # recall 100 %, precision 100 %


def test_every_file_of_every_report_is_archived(crawled: Path) -> None:
    assert archived_files(crawled) == manifest_files(HOST)


def test_noise_is_skipped_with_its_reason(crawled: Path) -> None:
    assert skipped(crawled) == [
        (
            "《佛冈县2023年政府信息公开工作年度报告》解读",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            "关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知",
            "noise: 通知 (a notice)",
        ),
    ]


def test_the_run_is_complete_and_reads_every_api_page_once(crawled: Path) -> None:
    assert rows(crawled, "SELECT status, failures FROM runs") == [("complete", 0)]
    lists = [
        u for (u,) in rows(crawled, "SELECT url FROM captures WHERE kind = 'list'")
    ]
    assert sorted(lists) == [
        f"http://{HOST}/gkmlpt/annualreport",
        *(
            f"http://{HOST}/gkmlpt/api/all/{cat}?page={n}&sid=763021"
            for cat, pages in ((2656, 2), (2657, 3), (2658, 3))
            for n in range(1, pages + 1)
        ),
    ]


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize(
    "url", [f"http://{HOST}/gkmlpt/annualreport", f"http://{HOST}/gkmlpt/index"]
)
def test_detect_claims_the_hosts_start_pages(replica: ReplicaThread, url: str) -> None:
    found = GkmlptSpider.detect(start_page(replica, url))
    assert found is not None
    assert found.confidence >= 0.8, found.line()


def test_detect_gives_the_portal_home_only_a_hint(replica: ReplicaThread) -> None:
    found = GkmlptSpider.detect(start_page(replica, f"http://{HOST}/"))
    assert found is not None
    assert found.confidence <= 0.3, found.line()


@pytest.mark.parametrize(
    "source_id", [*CORE, *(s.id for s in load_registry() if s.family == "nfcms")]
)
def test_detect_does_not_claim_other_families_start_pages(
    replica: ReplicaThread, source_id: str
) -> None:
    for url in source(source_id).start_urls:
        found = GkmlptSpider.detect(start_page(replica, url))
        assert found is None or found.confidence <= 0.3, found.line()
