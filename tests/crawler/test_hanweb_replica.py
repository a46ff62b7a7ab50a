"""The Hanweb variant sources (taixing: jpaas; sanmen: jpage next groups and xxgk
units) crawled through the replica: recall and precision against its manifest, noise
skipped with its reason, a complete run, unchanged later nights asked conditionally;
and HanwebSpider.detect on the replica's start pages (its own hosts, not the others')."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

from crawler.spiders.hanweb import HanwebSpider
from tests.crawler.fixtures import source, start_page
from tests.crawler.helpers import (
    crawl_once,
    events,
    manifest_entries,
    rows,
    run_crawl,
    run_totals,
)

if TYPE_CHECKING:
    from pathlib import Path

    from crawler.detect import Page
    from replica.server import ReplicaThread

HOSTS = {"taixing": "www.taixing.gov.cn", "sanmen": "www.sanmen.gov.cn"}
MEETING = "noise: 会议 (news of a meeting)"
SOURCES = ("--source", "taixing", "--source", "sanmen")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, replica_at) -> Path:
    """An archive after one crawl of the two variant sources on night 1."""
    return crawl_once(
        tmp_path_factory, replica_at(1), "hanweb-variants", "taixing", "sanmen"
    )


@pytest.mark.parametrize(("source_id", "count"), [("taixing", 14), ("sanmen", 20)])
def test_archived_reports_are_exactly_the_manifests(
    crawled: Path, source_id: str, count: int
) -> None:
    expected = sorted(
        (e["body"], e["year"]) for e in manifest_entries(HOSTS[source_id])
    )
    archived = rows(
        crawled,
        "SELECT body, year FROM reports WHERE source_id = ? ORDER BY body, year",
        (source_id,),
    )
    assert archived == expected  # recall 100 %, precision 100 %
    assert len(expected) == count


def test_every_file_of_every_report_is_archived_byte_for_byte(crawled: Path) -> None:
    archived: dict[tuple[str, int], dict[str, str]] = {}
    for body, year, url, sha in rows(
        crawled,
        """SELECT r.body, r.year, d.url, v.sha256 FROM reports r
           JOIN documents d ON d.report_id = r.id
           JOIN versions v ON v.id = d.current_version_id""",
    ):
        archived.setdefault((body, year), {})[url] = sha
    expected = {
        (e["body"], e["year"]): {f["url"]: f["sha256"] for f in e["files"]}
        for host in HOSTS.values()
        for e in manifest_entries(host)
    }
    assert archived == expected


def test_noise_is_listed_as_skipped_with_its_reason(crawled: Path) -> None:
    skipped = rows(
        crawled,
        """SELECT source_id, title, reason FROM listings WHERE decision = 'skipped'
           ORDER BY source_id, title""",
    )
    assert skipped == [
        (
            "sanmen",
            "《三门县2023年政府信息公开工作年度报告》解读",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            "sanmen",
            "三门县召开2024年度政务公开工作推进会",
            MEETING,
        ),
        ("sanmen", "三门县政府信息公开指南", "noise: 指南 (a guide)"),
        (
            "taixing",
            "图解：泰兴市2023年政府信息公开工作年度报告",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            "taixing",
            "泰兴市人民政府办公室关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
            "noise: 通知 (a notice)",
        ),
        (
            "taixing",
            "泰兴市召开2025年政务公开工作推进会",
            MEETING,
        ),
    ]
    titles = {t for (t,) in rows(crawled, "SELECT title FROM reports")}
    assert not titles & {title for _, title, _ in skipped}


def test_the_run_is_complete(crawled: Path) -> None:
    assert run_totals(crawled) == [("complete", 42, 34, 0)]
    assert rows(crawled, "SELECT COUNT(*) FROM captures WHERE outcome = 'failed'") == [
        (0,)
    ]


def test_the_lists_read_are_those_of_each_paging_scheme(crawled: Path) -> None:
    lists = rows(
        crawled,
        """SELECT source_id, url FROM captures WHERE kind = 'list' ORDER BY source_id, url""",
    )
    taixing = [u for s, u in lists if s == "taixing"]
    assert sum("/front/page/build/unit?" in u for u in taixing) == 7  # 3 + 4 archives
    assert sum("paramJson=" in u for u in taixing) == 2  # the root's pages 2 and 3
    sanmen = [u for s, u in lists if s == "sanmen"]
    assert sum("dataproxy.jsp?page=" in u for u in sanmen) == 2  # groups 1 and 2
    assert sum("xxgkAnnualReport.jsp" in u for u in sanmen) == 27  # years without one


def test_a_second_night_asks_every_known_document_conditionally(
    crawled: Path, tmp_path: Path, replica_at
) -> None:
    data = tmp_path / "archive"
    shutil.copytree(crawled, data, ignore=shutil.ignore_patterns("crawl.lock"))
    done = run_crawl(data, replica_at(1).proxy, *SOURCES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert events(data, 2) == []
    assert rows(
        data,
        """SELECT kind, status, COUNT(*) FROM captures WHERE run_id = 2 AND kind != 'list'
           GROUP BY kind, status""",
    ) == [("attachment", 304, 8), ("page", 304, 33)]


def test_a_polite_second_night_reads_sanmen_s_first_pages_and_lists_as_the_first(
    crawled: Path, tmp_path: Path, replica_at
) -> None:
    """With a window (crawler/verify.py), an unchanged night of sanmen reads the
    column and the jpage group that leads to the next; its 27 empty year pages and the
    last group are carried forward, the years archived as reports are listed unasked
    (none is recent), and every item is listed as on night 1."""
    data = tmp_path / "archive"
    shutil.copytree(crawled, data, ignore=shutil.ignore_patterns("crawl.lock"))
    done = run_crawl(
        data, replica_at(1).proxy, "--source", "sanmen", "--verify-days", "7"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert events(data, 2) == []
    column = "http://www.sanmen.gov.cn/col/col1229290123/index.html"
    asked = rows(data, "SELECT url FROM captures WHERE run_id = 2 ORDER BY url")
    assert [url for (url,) in asked] == [
        column,
        "http://www.sanmen.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1"
        "&webid=2871&path=/&columnid=1229290123&sourceContentType=1&unitid=290123"
        "&webname=%E4%B8%89%E9%97%A8%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"
        "&permissiontype=0",
    ]
    carried = rows(data, "SELECT url, listing_url FROM carried_lists WHERE run_id = 2")
    assert len(carried) == 28
    assert sum("xxgkAnnualReport.jsp" in url for url, _ in carried) == 27
    listed = "SELECT list_url, url, title, decision FROM listings WHERE run_id = ? AND source_id = 'sanmen'"
    assert sorted(rows(data, listed, (2,))) == sorted(rows(data, listed, (1,)))
    assert rows(
        data,
        "SELECT COUNT(*) FROM reports WHERE source_id = 'sanmen' AND last_seen_run != 2",
    ) == [(0,)]


# ---------------------------------------------------------------- detection
def _start_page(replica: ReplicaThread, source_id: str) -> Page:
    (url,) = source(source_id).start_urls
    return start_page(replica, url)


@pytest.mark.parametrize("source_id", ["wip", "whctp", "penglai", "taixing", "sanmen"])
def test_detect_claims_every_hanweb_start_page(
    replica: ReplicaThread, source_id: str
) -> None:
    found = HanwebSpider.detect(_start_page(replica, source_id))
    assert found is not None
    assert found.family == "hanweb"
    assert found.confidence >= 0.8, found.evidence


def test_detect_names_its_evidence(replica: ReplicaThread) -> None:
    found = HanwebSpider.detect(_start_page(replica, "taixing"))
    assert found is not None
    assert found.evidence == (
        "the jpaas page/build/unit API",
        "jpaas unitbuild.js",
    )
    found = HanwebSpider.detect(_start_page(replica, "sanmen"))
    assert found is not None
    assert found.evidence == (
        "the page is a /col/col{id} column",
        "a jpage <datastore> inside a text/xml script",
        "the jpage widget (dataproxy.jsp)",
        "the xxgk module's xxgkAnnualReport.jsp",
        "jcms articles /art/Y/M/D/art_{col}_{id}.html",
        "columns /col/col{id}/index.html",
        "Hanweb /module/ scripts or downfile.jsp",
    )


@pytest.mark.parametrize("source_id", ["anqiu", "pingtan"])
def test_detect_leaves_other_families_start_pages_alone(
    replica: ReplicaThread, source_id: str
) -> None:
    found = HanwebSpider.detect(_start_page(replica, source_id))
    assert found is None or found.confidence <= 0.3
