"""NfcmsSpider on saved NFCMS pages of conghua.gov.cn (replica, night 1): the 年报
column's unit groups and year folders, absolute list links, the static pager
(index.html, index_2.html), a report linked straight to its /attachment/ PDF,
news_cont_d_wrap articles, and detection."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.items import Identity
from crawler.spiders.nfcms import NfcmsSpider
from tests.crawler.fixtures import (
    described,
    entries,
    parse_list_with,
    parse_page_with,
    saved_page,
    source,
    spider_for,
)

HOST = "https://www.conghua.gov.cn"
NB = f"{HOST}/zfxxgknb"
REPORT = "title names an annual report"
REGION = "广东省广州市从化区"
LISTS = [
    "nfcms/conghua/index",
    "nfcms/conghua/bm-index",
    "nfcms/conghua/bm-2023n-index",
    "nfcms/conghua/bm-2023n-index_2",
    "nfcms/conghua/bm-2022n-index",
]
ARTICLES = ["nfcms/conghua/post_10616466", "nfcms/conghua/post_10619835"]


def parse_list(name: str, spider: NfcmsSpider | None = None):
    return parse_list_with(NfcmsSpider, "conghua", name, spider)


def parse_page(name: str, title: str, published: str):
    listing = f"{NB}/bm/2023n/index.html"
    return parse_page_with(
        NfcmsSpider,
        "conghua",
        name,
        title=title,
        published=published,
        listing_url=listing,
    )


def column(path: str) -> tuple[str, str, str, str]:
    return ("GET", f"{NB}/{path}", "parse_list", "list")


def post(folder: str, post_id: int) -> tuple[str, str, str, str]:
    url = f"{NB}/{folder}/content/post_{post_id}.html"
    return ("GET", url, "parse_page", "page")


# ---------------------------------------------------------------- the column's folders
def test_report_column_asks_for_its_unit_groups() -> None:
    out = parse_list("nfcms/conghua/index")
    assert [described(r) for r in out.requests] == [
        column("qzf/index.html"),
        column("bm/index.html"),
        column("zj/index.html"),
    ]
    assert out.batches == []


def test_unit_group_asks_for_its_year_folders_newest_first() -> None:
    out = parse_list("nfcms/conghua/bm-index")
    assert [described(r) for r in out.requests] == [
        column(f"bm/{year}n/index.html") for year in (2024, 2023, 2022, 2021)
    ]


def test_each_folder_is_asked_for_once_though_every_page_links_its_siblings() -> None:
    spider = spider_for(NfcmsSpider, "conghua")
    group = parse_list("nfcms/conghua/bm-index", spider)
    folder = parse_list("nfcms/conghua/bm-2023n-index", spider)
    assert len(group.requests) == 4
    assert [r.meta["kind"] for r in folder.requests] == ["list", *["page"] * 2]


# ---------------------------------------------------------------- a year folder
def test_first_page_asks_for_its_siblings_and_index_2_from_the_static_pager() -> None:
    out = parse_list("nfcms/conghua/bm-2023n-index")
    assert [described(r) for r in out.requests] == [
        column("bm/2024n/index.html"),
        column("bm/2022n/index.html"),
        column("bm/2021n/index.html"),
        column("bm/2023n/index_2.html"),
        post("bm/2023n", 10624972),
        post("bm/2023n", 10619835),
    ]


def test_year_folder_lists_many_units_and_skips_the_interpretation_and_guide() -> None:
    assert entries(parse_list("nfcms/conghua/bm-2023n-index").batch) == [
        (
            f"{NB}/bm/2023n/content/post_10628433.html",
            "图解：广州市从化区卫生健康局2023年政府信息公开工作年度报告",
            "2024-02-05",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            f"{NB}/bm/2023n/content/post_10627585.html",
            "广州市从化区政府信息公开指南（2024年修订）",
            "2024-02-01",
            "skipped",
            "noise: 指南 (a guide)",
        ),
        (
            f"{NB}/bm/2023n/content/post_10624972.html",
            "广州市从化区发展和改革局2023年政府信息公开工作年度报告",
            "2024-01-19",
            "report",
            REPORT,
        ),
        (
            f"{NB}/bm/2023n/content/post_10619835.html",
            "广州市从化区教育局2023年政府信息公开工作年度报告",
            "2024-01-11",
            "report",
            REPORT,
        ),
    ]


def test_second_page_asks_for_no_further_page() -> None:
    out = parse_list("nfcms/conghua/bm-2023n-index_2")
    assert [r.meta["kind"] for r in out.requests] == ["list"] * 3 + ["page"]
    assert described(out.requests[-1]) == post("bm/2023n", 10616466)
    assert not [r for r in out.requests if "index_" in r.url]


def test_titles_are_read_from_the_title_attribute_not_the_cut_text() -> None:
    (listed,) = entries(parse_list("nfcms/conghua/bm-2023n-index_2").batch)
    assert listed[1:] == (
        "广州市从化区卫生健康局政府信息公开工作年度报告",
        "2024-01-10",
        "report",
        REPORT,
    )


def test_report_posted_as_a_bare_file_is_fetched_as_the_report() -> None:
    out = parse_list("nfcms/conghua/bm-2022n-index")
    pdf = f"{HOST}/attachment/0/979/979228/10609925.pdf"
    assert [described(r) for r in out.requests][-2:] == [
        post("bm/2022n", 10610870),
        ("GET", pdf, "parse_file", "attachment"),
    ]
    assert out.requests[-1].meta["identity"] == Identity(
        body="广州市从化区发展和改革局",
        year=2022,
        title="广州市从化区发展和改革局2022年政府信息公开工作年度报告",
        region=REGION,
        level="department",
        published="2023-01-15",
        note="body from title; year from title",
    )


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        ("index_2.html index_5.html", [2, 3, 4, 5]),  # page 2 is index_2 (Guangzhou)
        ("index_1.html index_4.html", [1, 2, 3, 4]),  # page 2 is index_1 (other sites)
    ],
)
def test_pager_convention_is_read_from_the_pagers_links(
    pager: str, expected: list[int]
) -> None:
    from scrapy.http import HtmlResponse

    from crawler.spiders.nfcms import pager_pages

    links = "".join(f'<a href="{href}">n</a>' for href in pager.split())
    page = HtmlResponse(
        f"{NB}/bm/2023n/index.html",
        body=f'<div class="page">{links}</div>'.encode(),
        encoding="utf-8",
    )
    assert pager_pages(page) == [f"{NB}/bm/2023n/index_{n}.html" for n in expected]


# ---------------------------------------------------------------- articles
WJJ_2023 = "广州市从化区卫生健康局政府信息公开工作年度报告"
JYJ_2023 = "广州市从化区教育局2023年政府信息公开工作年度报告"


def test_article_without_a_year_in_its_title_takes_the_statistics_period() -> None:
    record = parse_page(ARTICLES[0], WJJ_2023, "2024-01-10").record
    assert record.identity == Identity(
        body="广州市从化区卫生健康局",
        year=2023,
        title=WJJ_2023,
        region=REGION,
        level="department",
        published="2024-01-10 09:36",
        note="body from title; year from statistics period",
    )


def test_article_links_its_attachment_from_inside_news_cont_d_wrap() -> None:
    out = parse_page(ARTICLES[1], JYJ_2023, "2024-01-11")
    pdf = f"{HOST}/attachment/0/149/149337/10619835.pdf"
    assert out.record.identity is not None
    assert (out.record.identity.body, out.record.identity.year) == (
        "广州市从化区教育局",
        2023,
    )
    assert out.record.links == [(pdf, f"{JYJ_2023}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize("name", [*LISTS, *ARTICLES])
def test_detect_claims_the_columns_and_articles(name: str) -> None:
    found = NfcmsSpider.detect(saved_page(name))
    assert found is not None
    assert found.family == "nfcms"
    assert found.confidence >= 0.8, found.line()


def test_detect_evidence_on_the_start_page() -> None:
    found = NfcmsSpider.detect(saved_page("nfcms/conghua/index"))
    assert found is not None
    assert (found.confidence, found.evidence) == (
        0.9,
        (
            "window.NFCMS_SITE_ID",
            "NFCMS_CAT_ID / NFCMS_PUB_TYPE",
            "statistics.gd.gov.cn counter",
        ),
    )


@pytest.mark.parametrize(
    "name",
    [
        "gkmlpt/fogang/index",
        "gkmlpt/fogang/annualreport",
        "gkmlpt/fogang/post_3409072",
        "trs/anqiu/szfnb-index",
        "hanweb/whctp/col82956",
        "fujian/pingtan/list",
    ],
)
def test_detect_leaves_other_families_pages_alone(name: str) -> None:
    assert NfcmsSpider.detect(saved_page(name)) is None


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("name", LISTS)
def test_every_request_stays_on_the_sources_host(name: str) -> None:
    hosts = {urlsplit(r.url).hostname for r in parse_list(name).requests}
    assert hosts <= {"www.conghua.gov.cn"} == source("conghua").hosts


@pytest.mark.parametrize("name", LISTS)
def test_every_list_request_stays_under_the_report_column(name: str) -> None:
    for request in parse_list(name).requests:
        if request.meta["kind"] == "list":
            assert request.url.startswith(f"{NB}/"), request.url
