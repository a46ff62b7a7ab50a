"""The xxgk_list.shtml source (siyang) crawled through the replica on night 1 (recall
and precision against the manifest, files byte for byte, noise skipped), the replica's
template traits, and xxgklist detection on the replica's start pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from crawler.registry import load_registry
from crawler.spiders.trs import TrsSpider
from crawler.spiders.xxgklist import XxgklistSpider
from replica.client import fetch
from tests.crawler.fixtures import start_page
from tests.crawler.helpers import (
    CORE,
    archived_files,
    archived_reports,
    crawl_once,
    manifest_files,
    manifest_reports,
    run_totals,
    skipped,
)

if TYPE_CHECKING:
    from pathlib import Path

    from crawler.detect import Page
    from replica.server import ReplicaThread

HOST = "www.siyang.gov.cn"
NB = f"https://{HOST}/syx/gknb"
START = {s.id: s.start_urls[0] for s in load_registry()}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, replica: ReplicaThread) -> Path:
    return crawl_once(tmp_path_factory, replica, "xxgklist", "siyang")


def test_the_run_is_complete(crawled: Path) -> None:
    assert run_totals(crawled) == [("complete", 3, 12, 0)]


def test_recall_and_precision_are_100_percent(crawled: Path) -> None:
    expected = manifest_reports(HOST)
    assert len(expected) == 12
    assert archived_reports(crawled) == expected


def test_every_file_is_archived_byte_for_byte(crawled: Path) -> None:
    assert archived_files(crawled) == manifest_files(HOST)


def test_noise_is_skipped_with_its_reason(crawled: Path) -> None:
    assert skipped(crawled) == [
        (
            "一图读懂泗阳县2023年政府信息公开工作年度报告",
            "noise: 解读 (an explanation of a report)",
        ),
        ("泗阳县召开2024年政务公开工作会议", "noise: 会议 (news of a meeting)"),
    ]


# ---------------------------------------------------------------- the replica's template
def test_the_list_pages_are_named_from_1_and_the_pager_says_how_many(
    replica: ReplicaThread,
) -> None:
    first = fetch(replica.proxy, f"{NB}/xxgk_list.shtml").body.decode()
    assert "createPageHTML('page_div',3, 1,'xxgk_list','shtml',14);" in first
    assert [
        fetch(replica.proxy, f"{NB}/xxgk_list_{n}.shtml").status for n in (1, 2, 3, 4)
    ] == [
        404,
        200,
        200,
        404,
    ]
    items = re.findall(
        r'<li><a href="(/syx/gknb/\d{6}/[0-9a-f]{32}\.shtml)" target="_blank" title="[^"]+">'
        r'[^<]+</a><span class="time">\d{4}-\d\d-\d\d</span></li>',
        first,
    )
    assert len(items) == 6


# ---------------------------------------------------------------- detection
def _start_page(replica: ReplicaThread, source_id: str) -> Page:
    return start_page(replica, START[source_id])


def test_xxgklist_claims_its_host_above_trs(replica: ReplicaThread) -> None:
    page = _start_page(replica, "siyang")
    found = XxgklistSpider.detect(page)
    assert found is not None
    assert found.family == "xxgklist"
    assert found.confidence >= 0.8, found.line()
    assert "items in ul.pageList" in found.evidence
    trs = TrsSpider.detect(page)
    assert trs is None or trs.confidence < found.confidence


@pytest.mark.parametrize("source_id", [*CORE, "shashi", "changle"])
def test_xxgklist_does_not_claim_the_other_families_hosts(
    replica: ReplicaThread, source_id: str
) -> None:
    found = XxgklistSpider.detect(_start_page(replica, source_id))
    assert found is None or found.confidence <= 0.3, found.line()
