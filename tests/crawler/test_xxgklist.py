"""XxgklistSpider on saved pages of www.siyang.gov.cn (replica, night 1): the
``xxgk_list.shtml`` county template — ``ul.pageList`` items with ``span.time``, the
six-argument pager counting from 1 (``xxgk_list_2.shtml`` follows ``xxgk_list.shtml``),
32-hex ``.shtml`` articles with a ``div.fujian`` attachment block."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.items import Identity
from crawler.pages import Pager, js_pager
from crawler.spiders.xxgklist import XxgklistSpider
from tests.crawler.fixtures import (
    described,
    entries,
    parse_list_with,
    parse_page_with,
    saved,
    source,
)

NB = "https://www.siyang.gov.cn/syx/gknb"
REPORT = "title names an annual report"
REGION = "江苏省宿迁市泗阳县"
LISTS = [
    "xxgklist/siyang/xxgk_list",
    "xxgklist/siyang/xxgk_list_2",
    "xxgklist/siyang/xxgk_list_3",
]
GOV_2023 = "泗阳县人民政府2023年政府信息公开工作年度报告"


def parse_list(name: str):
    return parse_list_with(XxgklistSpider, "siyang", name)


def parse_page(name: str, title: str):
    listing = f"{NB}/xxgk_list_2.shtml"
    return parse_page_with(
        XxgklistSpider, "siyang", name, title=title, listing_url=listing
    )


# ---------------------------------------------------------------- the pager
def test_the_pager_counts_pages_from_1() -> None:
    pager = js_pager(saved("xxgklist/siyang/xxgk_list").body.decode())
    assert pager == Pager(count=3, current=1, name="xxgk_list", ext="shtml", first=1)
    assert saved("xxgklist/siyang/xxgk_list_1").status == 404  # no page "_1"


def test_page_1_asks_for_pages_2_and_3_then_its_reports() -> None:
    out = parse_list("xxgklist/siyang/xxgk_list")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{NB}/xxgk_list_2.shtml", "parse_list", "list"),
        ("GET", f"{NB}/xxgk_list_3.shtml", "parse_list", "list"),
        (
            "GET",
            f"{NB}/202503/281f6f2976447b7eba22d91a66d8ed4f.shtml",
            "parse_page",
            "page",
        ),
        (
            "GET",
            f"{NB}/202501/e6f25b67dcc8c5b44ff9e229a83eb31c.shtml",
            "parse_page",
            "page",
        ),
        (
            "GET",
            f"{NB}/202501/de95b091ce0a8f7efcc0d6ef71b7facd.shtml",
            "parse_page",
            "page",
        ),
        (
            "GET",
            f"{NB}/202501/037986669c1661d96f98fdd1b3c3a0f0.shtml",
            "parse_page",
            "page",
        ),
    ]


@pytest.mark.parametrize("name", LISTS[1:])
def test_later_pages_ask_for_no_other_list_page(name: str) -> None:
    assert {r.meta["kind"] for r in parse_list(name).requests} == {"page"}


# ---------------------------------------------------------------- the items
def test_items_take_the_title_attribute_and_the_span_time_date() -> None:
    assert entries(parse_list("xxgklist/siyang/xxgk_list").batch) == [
        (
            f"{NB}/202503/281f6f2976447b7eba22d91a66d8ed4f.shtml",
            "泗阳县人民政府2024年政府信息公开工作年度报告",
            "2025-03-10",
            "report",
            REPORT,
        ),
        (
            f"{NB}/202501/e6f25b67dcc8c5b44ff9e229a83eb31c.shtml",
            "泗阳县发展和改革委员会2024年政府信息公开工作年度报告",
            "2025-01-23",
            "report",
            REPORT,
        ),
        (
            f"{NB}/202501/de95b091ce0a8f7efcc0d6ef71b7facd.shtml",
            "2024年政府信息公开工作年度报告",
            "2025-01-19",
            "report",
            REPORT,
        ),
        (
            f"{NB}/202501/037986669c1661d96f98fdd1b3c3a0f0.shtml",
            "泗阳县爱园镇人民政府2024年政府信息公开工作年度报告",
            "2025-01-15",
            "report",
            REPORT,
        ),
        (
            f"{NB}/202404/e61efbcaef3f9f6ed74950603b0ce2c7.shtml",
            "泗阳县召开2024年政务公开工作会议",
            "2024-04-18",
            "skipped",
            "noise: 会议 (news of a meeting)",
        ),
        (
            f"{NB}/202403/ee9d8125c1963be6484d98a6ee56470d.shtml",
            "一图读懂泗阳县2023年政府信息公开工作年度报告",
            "2024-03-05",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
    ]


def test_a_long_title_is_cut_in_the_link_text_but_whole_in_its_title() -> None:
    html = saved("xxgklist/siyang/xxgk_list_2").body.decode()
    assert ">泗阳县发展和改革委员会2023年政府信息公开工作...</a>" in html
    listed = entries(parse_list("xxgklist/siyang/xxgk_list_2").batch)
    assert listed[2][1] == "泗阳县发展和改革委员会2023年政府信息公开工作年度报告"


def test_a_short_title_on_the_last_page_is_still_a_report() -> None:
    assert entries(parse_list("xxgklist/siyang/xxgk_list_3").batch)[0] == (
        f"{NB}/202301/6a1d1cc57f37f5139b60e84109742345.shtml",
        "爱园镇2022年政府信息公开工作年度报告",
        "2023-01-15",
        "report",
        REPORT,
    )


# ---------------------------------------------------------------- report pages
def test_report_page_identity_and_its_fujian_attachment() -> None:
    out = parse_page("xxgklist/siyang/e7d1e24591682697b6a0644d337fefa1", GOV_2023)
    assert out.record.identity == Identity(
        body="泗阳县人民政府",
        year=2023,
        title=GOV_2023,
        region=REGION,
        level="county",
        published="2024-02-28 14:22",
        note="body from title; year from title",
    )
    pdf = f"{NB}/202402/e7d1e24591682697b6a0644d337fefa1/files/3f4f3f1c2b5d1d4616771ae02ded8b95.pdf"
    assert out.record.links == [(pdf, f"{GOV_2023}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]
    assert out.requests[0].meta["identity"] == out.record.identity


def test_a_report_titled_without_its_body_takes_its_content_source() -> None:
    out = parse_page(
        "xxgklist/siyang/de95b091ce0a8f7efcc0d6ef71b7facd",
        "2024年政府信息公开工作年度报告",
    )
    identity = out.record.identity
    assert (identity.body, identity.year, identity.level, identity.note) == (
        "泗阳县来安街道办事处",
        2024,
        "town",
        "body from 发布机构; year from title",
    )
    assert out.requests == []


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("name", LISTS)
def test_every_request_stays_on_the_sources_host(name: str) -> None:
    hosts = {urlsplit(r.url).hostname for r in parse_list(name).requests}
    assert hosts == {"www.siyang.gov.cn"} == source("siyang").hosts


@pytest.mark.parametrize("name", LISTS)
def test_every_item_is_a_dated_shtml_article_under_the_column(name: str) -> None:
    for entry in parse_list(name).batch.entries:
        assert entry.url.startswith(f"{NB}/20"), entry
        assert entry.url.endswith(".shtml"), entry
        assert entry.listed_date, entry
        assert entry.listed_date.startswith("20"), entry
