"""The NFCMS source crawled through the replica (night 1), checked against its
manifest: every report of www.conghua.gov.cn and nothing else; and detection of the
family on the replica's start pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crawler.registry import load_registry
from crawler.spiders.nfcms import NfcmsSpider
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

HOST = "www.conghua.gov.cn"
NB = f"https://{HOST}/zfxxgknb"
SOURCES = [s for s in load_registry() if s.family == "nfcms"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, replica: ReplicaThread) -> Path:
    return crawl_once(tmp_path_factory, replica, "nfcms", *(s.id for s in SOURCES))


def test_the_family_has_its_replica_source() -> None:
    assert [(s.id, s.hosts) for s in SOURCES] == [("conghua", frozenset({HOST}))]


def test_every_report_of_the_host_and_nothing_else(crawled: Path) -> None:
    expected = manifest_reports(HOST)
    assert len(expected) == 17
    assert archived_reports(crawled) == expected  # recall 100 %, precision 100 %


def test_every_file_of_every_report_is_archived(crawled: Path) -> None:
    assert archived_files(crawled) == manifest_files(HOST)


def test_noise_is_skipped_with_its_reason(crawled: Path) -> None:
    assert skipped(crawled) == [
        (
            "图解：广州市从化区卫生健康局2023年政府信息公开工作年度报告",
            "noise: 解读 (an explanation of a report)",
        ),
        ("广州市从化区政府信息公开指南（2024年修订）", "noise: 指南 (a guide)"),
        ("街口街道召开2023年政务公开工作推进会", "noise: 会议 (news of a meeting)"),
    ]


def test_the_run_is_complete_and_reads_every_folder_page_once(crawled: Path) -> None:
    assert rows(crawled, "SELECT status, failures FROM runs") == [("complete", 0)]
    lists = [
        u for (u,) in rows(crawled, "SELECT url FROM captures WHERE kind = 'list'")
    ]
    folders = [
        f"{NB}/{group}/{year}n/index.html"
        for group in ("qzf", "bm", "zj")
        for year in range(2021, 2025)
    ]
    assert sorted(lists) == sorted(
        [
            f"{NB}/index.html",
            *(f"{NB}/{group}/index.html" for group in ("qzf", "bm", "zj")),
            *folders,
            f"{NB}/bm/2023n/index_2.html",
        ]
    )


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize(
    "url", [f"{NB}/index.html", f"{NB}/bm/2023n/index.html", f"https://{HOST}/"]
)
def test_detect_claims_the_hosts_pages(replica: ReplicaThread, url: str) -> None:
    found = NfcmsSpider.detect(start_page(replica, url))
    assert found is not None
    assert found.confidence >= 0.8, found.line()


@pytest.mark.parametrize(
    "source_id", [*CORE, *(s.id for s in load_registry() if s.family == "gkmlpt")]
)
def test_detect_does_not_claim_other_families_start_pages(
    replica: ReplicaThread, source_id: str
) -> None:
    for url in source(source_id).start_urls:
        found = NfcmsSpider.detect(start_page(replica, url))
        assert found is None or found.confidence <= 0.3, found.line()
