"""UcapSpider on saved 开普云 pages of sqyh.gov.cn (replica, night 1): the 信息公开年报
page that only links the units' columns, list.shtml / list_2.shtml pages counted by the
six-argument createPageHTML, and articles whose PDF is linked only from the
table_content 信息公开 table, titled without the body or without the year."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.items import Identity
from crawler.spiders.base import ReportSpider
from crawler.spiders.ucap import UcapSpider
from tests.crawler.fixtures import (
    described,
    entries,
    other_families_lists,
    parse_list_with,
    parse_page_with,
    response,
    saved,
    saved_page,
    source,
    spider_for,
)

SQYH = "http://www.sqyh.gov.cn"
REPORT = "title names an annual report"
REGION = "江苏省宿迁市洋河新区"
LISTS = [
    "ucap/sqyh/zfxxgknb-index",
    "ucap/sqyh/yhxq-list",
    "ucap/sqyh/yhxq-list_2",
    "ucap/sqyh/yhzlz-list",
]
GW_2023 = "宿迁市洋河新区管理委员会2023年政府信息公开工作年度报告"
GW_2023_URL = f"{SQYH}/yhxq/gknb/202403/012160cfe390c170133f9f3ac0cd8a72.shtml"
YANGHE_2022 = "宿迁市洋河新区洋河镇人民政府2022年政府信息公开工作年度报告"
YANGHE_2022_URL = f"{SQYH}/yhyhz/gknb/202301/2940f199fea7664180cdca9b9939ca9a.shtml"
YANGHE_2022_PDF = (
    f"{SQYH}/yhyhz/gknb/202301/2940f199fea7664180cdca9b9939ca9a"
    "/files/7813b60be378fbca8a34c35fa795a665.pdf"
)


def parse_list(name: str):
    return parse_list_with(UcapSpider, "sqyh", name)


def parse_page(name: str, title: str, published: str):
    return parse_page_with(
        UcapSpider,
        "sqyh",
        name,
        title=title,
        published=published,
        listing_url=f"{SQYH}/yhxq/gknb/list.shtml",
    )


# ---------------------------------------------------------------- the units' columns
def test_report_page_asks_for_each_units_column() -> None:
    out = parse_list("ucap/sqyh/zfxxgknb-index")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{SQYH}/{unit}/gknb/list.shtml", "parse_list", "list")
        for unit in ("yhxq", "yhyhz", "yhzlz", "yhsy")
    ]
    assert out.batches == []
    assert out.record.failure is None


# ---------------------------------------------------------------- list.shtml, list_2.shtml
def test_first_page_asks_for_list_2_from_the_six_argument_pager() -> None:
    assert b"createPageHTML('page_div', 2, 1, 'list', 'shtml', 5)" in (
        saved("ucap/sqyh/yhxq-list").body
    )
    first = parse_list("ucap/sqyh/yhxq-list").requests[0]
    assert described(first) == (
        "GET",
        f"{SQYH}/yhxq/gknb/list_2.shtml",
        "parse_list",
        "list",
    )


def test_column_lists_its_reports_and_skips_the_infographic() -> None:
    assert entries(parse_list("ucap/sqyh/yhxq-list").batch) == [
        (
            f"{SQYH}/yhxq/gknb/202502/3ed570e2493e942c6d787ff4b3f6b3ed.shtml",
            "宿迁市洋河新区管理委员会2024年政府信息公开工作年度报告",
            "2025-02-20",
            "report",
            REPORT,
        ),
        (GW_2023_URL, GW_2023, "2024-03-14", "report", REPORT),
        (
            f"{SQYH}/yhxq/gknb/202402/96a60f0f638aa3508a77097175d18a9d.shtml",
            "一图读懂宿迁市洋河新区2023年政府信息公开工作年度报告",
            "2024-02-06",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            f"{SQYH}/yhxq/gknb/202303/816ddf1bef69a6a244a2e42aa6c8d060.shtml",
            "宿迁市洋河新区管理委员会2022年政府信息公开工作年度报告",
            "2023-03-05",
            "report",
            REPORT,
        ),
    ]


def test_column_asks_for_its_report_pages_only() -> None:
    out = parse_list("ucap/sqyh/yhxq-list")
    assert [described(r) for r in out.requests[1:]] == [
        (
            "GET",
            f"{SQYH}/yhxq/gknb/202502/3ed570e2493e942c6d787ff4b3f6b3ed.shtml",
            "parse_page",
            "page",
        ),
        ("GET", GW_2023_URL, "parse_page", "page"),
        (
            "GET",
            f"{SQYH}/yhxq/gknb/202303/816ddf1bef69a6a244a2e42aa6c8d060.shtml",
            "parse_page",
            "page",
        ),
    ]


def test_second_page_asks_for_no_further_list_page() -> None:
    out = parse_list("ucap/sqyh/yhxq-list_2")
    assert [described(r) for r in out.requests] == [
        (
            "GET",
            f"{SQYH}/yhxq/gknb/202203/3bce32f2844f446179ecd2269844afc0.shtml",
            "parse_page",
            "page",
        )
    ]
    assert entries(out.batch)[0][1:3] == (
        "宿迁市洋河新区管理委员会2021年政府信息公开工作年度报告",
        "2022-03-22",
    )


def test_a_title_without_the_body_is_listed_as_a_report() -> None:
    listed = entries(parse_list("ucap/sqyh/yhzlz-list").batch)
    assert listed[1] == (
        f"{SQYH}/yhzlz/gknb/202401/9b4ad76139db0a296373d105c86d673c.shtml",
        "2023年政府信息公开工作年度报告",
        "2024-01-27",
        "report",
        REPORT,
    )
    assert [e[3] for e in listed] == ["report"] * 3


# ---------------------------------------------------------------- articles
def yanghe_2022():
    return parse_page("ucap/sqyh/yhyhz-2940f199", YANGHE_2022, "2023-01-09")


def test_the_pdf_is_linked_only_from_the_table_content_row() -> None:
    html = saved("ucap/sqyh/yhyhz-2940f199").body.decode("utf-8")
    table = html.split('<table class="table_content">', 1)[1].split("</table>", 1)[0]
    assert urlsplit(YANGHE_2022_PDF).path in table
    assert html.count(urlsplit(YANGHE_2022_PDF).path) == 1
    content = html.split("<ucapcontent>", 1)[1].split("</ucapcontent>", 1)[0]
    assert "详见附件" in content
    assert "<ucaptitle>" in html
    assert "<publishtime>2023-01-09 15:06:00</publishtime>" in html


def test_article_asks_for_the_pdf_of_its_table_content() -> None:
    out = yanghe_2022()
    assert out.record.links == [(YANGHE_2022_PDF, f"{YANGHE_2022}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", YANGHE_2022_PDF, "parse_file", "attachment")
    ]
    assert out.requests[0].meta["identity"] == out.record.identity
    assert out.requests[0].meta["listing_url"] == YANGHE_2022_URL


def test_the_base_alone_finds_the_table_contents_pdf() -> None:
    spider = spider_for(UcapSpider, "sqyh")
    page = response("ucap/sqyh/yhyhz-2940f199")
    assert [link.title for link in ReportSpider.attachment_links(spider, page)] == [
        "宿迁市洋河新区洋河镇人民政府2022年政府信息公开工作年度报告.pdf"
    ]


def test_article_identity_comes_from_its_meta_tags() -> None:
    assert yanghe_2022().record.identity == Identity(
        body="宿迁市洋河新区洋河镇人民政府",
        year=2022,
        title=YANGHE_2022,
        region=REGION,
        level="town",
        published="2023-01-09 15:06",
        note="body from title; year from title",
    )


def test_a_title_without_the_body_takes_it_from_the_publisher() -> None:
    out = parse_page(
        "ucap/sqyh/yhzlz-9b4ad761", "2023年政府信息公开工作年度报告", "2024-01-27"
    )
    assert out.record.identity == Identity(
        body="宿迁市洋河新区郑楼镇人民政府",
        year=2023,
        title="2023年政府信息公开工作年度报告",
        region=REGION,
        level="town",
        published="2024-01-27 12:50",
        note="body from 发布机构; year from title",
    )
    assert out.requests == []


def test_a_title_without_the_year_takes_it_from_the_ucapcontent_text() -> None:
    title = "宿迁市洋河新区社会事业局政府信息公开工作年度报告"
    identity = parse_page(
        "ucap/sqyh/yhsy-f6417aa8", title, "2023-01-14"
    ).record.identity
    assert identity is not None
    assert (identity.body, identity.year, identity.level, identity.note) == (
        "宿迁市洋河新区社会事业局",
        2022,
        "department",
        "body from title; year from statistics period",
    )


# ---------------------------------------------------------------- detection
def detect(name: str):
    return UcapSpider.detect(saved_page(name))


def test_a_column_page_is_claimed_with_its_article_links_and_shell() -> None:
    found = detect("ucap/sqyh/yhxq-list")
    assert found is not None
    assert found.confidence == 1.0
    assert found.evidence[:3] == (
        "links to /YYYYMM/{32 hex}.shtml articles",
        "websiteId/websiteCode in JavaScript",
        "the /search4/s search",
    )


def test_an_article_is_claimed_by_its_ucap_tags() -> None:
    found = detect("ucap/sqyh/yhyhz-2940f199")
    assert found is not None
    assert found.confidence == 1.0
    assert "<ucapcontent> tags" in found.evidence
    assert "the table_content 信息公开 table" in found.evidence


@pytest.mark.parametrize("name", other_families_lists("ucap"))
def test_other_families_pages_are_not_claimed(name: str) -> None:
    found = UcapSpider.detect(saved_page(name))
    assert found is None or found.confidence <= 0.3, found


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("name", LISTS)
def test_every_request_stays_on_the_sources_host(name: str) -> None:
    hosts = {urlsplit(r.url).hostname for r in parse_list(name).requests}
    assert hosts <= {"www.sqyh.gov.cn"} == source("sqyh").hosts


@pytest.mark.parametrize("name", LISTS)
def test_every_entry_is_a_32_hex_shtml_article(name: str) -> None:
    for batch in parse_list(name).batches:
        for entry in batch.entries:
            assert entry.url.startswith(f"{SQYH}/"), entry
            assert entry.url.endswith(".shtml"), entry
            assert len(entry.url.rsplit("/", 1)[1]) == len("0" * 32 + ".shtml"), entry
