"""The xxgk_list.shtml source (siyang) crawled through the replica on night 1 (recall
and precision against the manifest, files byte for byte, noise skipped), the replica's
template traits, and xxgklist detection on the replica's start pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from crawler.detect import Page
from crawler.pages import decode
from crawler.registry import load_registry
from crawler.spiders.trs import TrsSpider
from crawler.spiders.xxgklist import XxgklistSpider
from replica.catalog import catalog
from replica.client import fetch
from tests.crawler.helpers import CORE, rows, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread

HOST = "www.siyang.gov.cn"
NB = f"https://{HOST}/syx/gknb"
START = {s.id: s.start_urls[0] for s in load_registry()}


def _manifest() -> list[dict]:
    return [e for e in catalog(1).manifest() if e["site"] == HOST]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, replica: ReplicaThread) -> Path:
    data = tmp_path_factory.mktemp("xxgklist")
    done = run_crawl(data, replica.proxy, "--source", "siyang")
    assert done.returncode == 0, done.stdout + done.stderr
    return data


def test_the_run_is_complete(crawled: Path) -> None:
    assert rows(
        crawled, "SELECT status, list_pages, reports_found, failures FROM runs"
    ) == [("complete", 3, 12, 0)]


def test_recall_and_precision_are_100_percent(crawled: Path) -> None:
    archived = set(rows(crawled, "SELECT body, year FROM reports"))
    expected = {(e["body"], e["year"]) for e in _manifest()}
    assert len(expected) == 12
    assert archived == expected


def test_every_file_is_archived_byte_for_byte(crawled: Path) -> None:
    archived = dict(
        rows(
            crawled,
            """SELECT d.url, v.sha256 FROM documents d
               JOIN versions v ON v.id = d.current_version_id""",
        )
    )
    assert archived == {f["url"]: f["sha256"] for e in _manifest() for f in e["files"]}


def test_noise_is_skipped_with_its_reason(crawled: Path) -> None:
    assert sorted(
        rows(crawled, "SELECT title, reason FROM listings WHERE decision = 'skipped'")
    ) == [
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
    url = START[source_id]
    answer = fetch(replica.proxy, url)
    assert answer.status == 200, url
    found = re.search(r"charset=([\w-]+)", answer.headers.get("Content-Type", ""))
    return Page(url, decode(answer.body, found.group(1) if found else None))


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
