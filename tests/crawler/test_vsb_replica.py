"""VsbSpider against the replica: night 1 of dlhyk.gov.cn crawled end to end (recall and
precision against the manifest; every download.jsp file fetched with its article as
Referer), its noise recorded as skipped, and family detection on the start pages of
its host and of the other families' hosts."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from crawler.spiders.vsb import VsbSpider
from tests.crawler.fixtures import other_sources, source, start_page
from tests.crawler.helpers import (
    archived_reports,
    crawl_once,
    manifest_entries,
    manifest_reports,
    read_generically,
    rows,
    run_totals,
    skipped,
)

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread

SOURCE = "dlhyk"
HOST = "www.dlhyk.gov.cn"
OTHERS = ("wip", "whctp", "penglai", "anqiu", "pingtan", "sqyh", "kmgx")
DOWNLOAD = "/system/_content/download.jsp"

# Every other family's replica host, those added next to this one too.
ANY_OTHER = other_sources("vsb", but=OTHERS)


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl_once(tmp_path_factory, replica, "vsb", SOURCE)


def test_the_crawl_is_complete_without_failures(crawled: Path) -> None:
    assert run_totals(crawled) == [("complete", 6, 13, 0)]


def test_recall_and_precision_are_100_percent(crawled: Path) -> None:
    expected = manifest_reports(HOST)
    assert len(expected) == 13
    assert archived_reports(crawled) == expected


def _manifest_files() -> list[dict]:
    return [f for e in manifest_entries(HOST) for f in e["files"]]


def test_every_file_of_the_manifest_is_archived_byte_for_byte(crawled: Path) -> None:
    """Pages under their URLs; files under download.jsp URLs (the manifest names the
    upload's static /__local/ path, which no page links), with the same bytes."""
    archived = rows(
        crawled,
        """SELECT d.role, d.url, v.sha256 FROM documents d
           JOIN versions v ON v.id = d.current_version_id""",
    )
    files = _manifest_files()
    assert {(url, sha) for role, url, sha in archived if role == "page"} == {
        (f["url"], f["sha256"]) for f in files if f["role"] == "page"
    }
    attachments = [(url, sha) for role, url, sha in archived if role == "attachment"]
    assert sorted(sha for _url, sha in attachments) == sorted(
        f["sha256"] for f in files if f["role"] == "attachment"
    )
    assert all(DOWNLOAD in url for url, _sha in attachments)
    assert len(attachments) == 6


def test_every_download_was_sent_with_its_article_as_referer(crawled: Path) -> None:
    fetched = rows(
        crawled,
        """SELECT url, listing_url, request_headers, outcome, sniffed_type
           FROM captures WHERE url LIKE ?""",
        (f"%{DOWNLOAD}%",),
    )
    assert len(fetched) == 6
    for url, listing, headers, outcome, sniffed in fetched:
        assert json.loads(headers)["Referer"] == listing, url
        assert listing.startswith(f"http://{HOST}/info/1308/"), url
        assert outcome == "new_version", url
        assert sniffed != "text/html", url


def test_download_jsp_needs_the_referer(get) -> None:
    pdf = next(f for f in _manifest_files() if f["format"] == "pdf")
    page = get(f"http://{HOST}/info/1308/45356.htm").body.decode("utf-8")
    href = page.split('附件【<a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    url = f"http://{HOST}{href}"
    without = get(url)
    assert without.status == 200
    assert without.headers["Content-Type"].startswith("text/html")
    with_it = get(url, {"Referer": f"http://{HOST}/info/1308/45356.htm"})
    assert with_it.status == 200
    assert with_it.body.startswith(b"%PDF-")
    assert hashlib.sha256(with_it.body).hexdigest() in {
        f["sha256"] for f in _manifest_files()
    }
    assert pdf["url"].startswith(f"http://{HOST}/__local/")


def test_noise_is_listed_as_skipped_with_its_reason(crawled: Path) -> None:
    assert skipped(crawled) == [
        (
            "《大连花园口经济区管理委员会2022年政府信息公开工作年度报告》解读",
            "noise: 解读 (an explanation of a report)",
        ),
        ("大连花园口经济区政府信息公开指南", "noise: 指南 (a guide)"),
        ("明阳街道2023年度工作总结", "noise: 总结 (a work summary)"),
    ]


def test_the_family_read_every_list_itself(crawled: Path) -> None:
    assert read_generically(crawled) == [(0,)]


def _claim(replica: ReplicaThread, url: str):
    return VsbSpider.detect(start_page(replica, url))


def test_detection_claims_the_start_page(replica: ReplicaThread) -> None:
    (url,) = source(SOURCE).start_urls
    found = _claim(replica, url)
    assert found is not None
    assert found.family == "vsb"
    assert found.confidence >= 0.8
    assert "the Visual SiteBuilder stamp" in found.evidence


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
