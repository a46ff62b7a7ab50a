"""TrsSpider on saved TRS WCM pages of anqiu.gov.cn (replica, night 1): unit
sub-columns, countPage / createPageHTML pagers, the GBK column (charset in the header
on page 1, only in <meta> on page 2), and GBK report pages linking ./P0… files."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import pytest

from crawler.items import Identity
from crawler.recognize import Evidence, resolve
from crawler.spiders.trs import TrsSpider
from tests.crawler.fixtures import (
    described,
    entries,
    response,
    run,
    saved,
    source,
    spider_for,
)

NB = "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB"
REPORT = "title names an annual report"
REGION = "山东省潍坊市安丘市"
LISTS = [
    "trs/anqiu/index",
    "trs/anqiu/szfnb-index",
    "trs/anqiu/zjnb-index",
    "trs/anqiu/zjnb-index_1",
]


def parse_list(name: str, **changes):
    """``changes`` edit the registry source (e.g. its quirks) for this one parse."""
    spider = spider_for(TrsSpider, "anqiu")
    if changes:
        spider.sources["anqiu"] = replace(source("anqiu"), **changes)
    return run(spider.parse_list(response(name, source="anqiu", kind="list")))


def parse_page(name: str, title: str, published: str, listing: str):
    spider = spider_for(TrsSpider, "anqiu")
    request = spider.document_request(
        saved(name).url,
        source("anqiu"),
        "page",
        evidence=Evidence(title=title, published=published),
        listing_url=listing,
        link_text=title,
    )
    return run(spider.parse_page(response(name, request)))


# ---------------------------------------------------------------- the report column
def test_report_column_asks_for_its_unit_subcolumns() -> None:
    out = parse_list("trs/anqiu/index")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{NB}/{unit}/", "parse_list", "list")
        for unit in ("szfnb", "szfbgs", "bmnb", "zjnb")
    ]
    assert out.batches == []


def test_subcolumns_are_followed_only_for_a_source_with_the_quirk() -> None:
    assert parse_list("trs/anqiu/index", quirks={}).requests == []


# ---------------------------------------------------------------- countPage: one page
def test_count_page_of_one_asks_for_no_other_page() -> None:
    out = parse_list("trs/anqiu/szfnb-index")
    assert [r.meta["kind"] for r in out.requests] == ["page"] * 5


def test_unit_column_lists_its_reports_and_skips_the_interpretation() -> None:
    assert entries(parse_list("trs/anqiu/szfnb-index").batch) == [
        (
            f"{NB}/szfnb/202403/t20240317_6048779.html",
            "安丘市人民政府2023年政府信息公开工作年度报告",
            "2024-03-17",
            "report",
            REPORT,
        ),
        (
            f"{NB}/szfnb/202303/t20230330_6042158.html",
            "安丘市2022年政府信息公开工作年度报告解读",
            "2023-03-30",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            f"{NB}/szfnb/202303/t20230319_6039085.html",
            "安丘市人民政府2022年政府信息公开工作年度报告",
            "2023-03-19",
            "report",
            REPORT,
        ),
        (
            f"{NB}/szfnb/202203/t20220319_6028514.html",
            "安丘市人民政府2021年政府信息公开工作年度报告",
            "2022-03-19",
            "report",
            REPORT,
        ),
        (
            f"{NB}/szfnb/202102/t20210224_6018105.html",
            "安丘市人民政府2020年政府信息公开工作年度报告",
            "2021-02-24",
            "report",
            REPORT,
        ),
        (
            f"{NB}/szfnb/202003/t20200316_6007795.html",
            "安丘市人民政府2019年政府信息公开工作年度报告",
            "2020-03-16",
            "report",
            REPORT,
        ),
    ]


# ---------------------------------------------------------------- the GBK column, page 1
def test_create_page_html_asks_for_index_1_first() -> None:
    first = parse_list("trs/anqiu/zjnb-index").requests[0]
    assert described(first) == ("GET", f"{NB}/zjnb/index_1.html", "parse_list", "list")


def test_gbk_column_declared_in_the_header_is_read_as_gb18030() -> None:
    record = parse_list("trs/anqiu/zjnb-index").record
    assert (record.declared_type, record.declared_charset, record.used_charset) == (
        "text/html; charset=GBK",
        "gbk",
        "gb18030",
    )
    assert record.sniffed_type == "text/html"


def test_gbk_column_capture_keeps_the_gbk_bytes() -> None:
    body = parse_list("trs/anqiu/zjnb-index").record.body
    assert body == saved("trs/anqiu/zjnb-index").body
    assert "郚山镇".encode("gbk") in body


def test_gbk_column_lists_titles_with_gbk_only_characters() -> None:
    assert entries(parse_list("trs/anqiu/zjnb-index").batch) == [
        (
            f"{NB}/zjnb/202401/t20240129_6047948.html",
            "安丘市景芝镇人民政府2023年政府信息公开工作年度报告",
            "2024-01-29",
            "report",
            REPORT,
        ),
        (
            f"{NB}/zjnb/202401/t20240123_6046691.html",
            "安丘市凌河街道办事处2023年政府信息公开工作年度报告",
            "2024-01-23",
            "report",
            REPORT,
        ),
        (
            f"{NB}/zjnb/202401/t20240108_6042892.html",
            "安丘市郚山镇人民政府2023年政府信息公开工作年度报告",
            "2024-01-08",
            "report",
            REPORT,
        ),
        (
            f"{NB}/zjnb/202301/t20230128_6038414.html",
            "安丘市郚山镇人民政府2022年政府信息公开工作年度报告",
            "2023-01-28",
            "report",
            REPORT,
        ),
        (
            f"{NB}/zjnb/202301/t20230127_6035947.html",
            "安丘市凌河街道办事处2022年政府信息公开工作年度报告",
            "2023-01-27",
            "report",
            REPORT,
        ),
        (
            f"{NB}/zjnb/202301/P020230124201769781002.pdf",
            "安丘市景芝镇人民政府2022年政府信息公开工作年度报告",
            "2023-01-24",
            "report",
            REPORT,
        ),
        (
            f"{NB}/zjnb/202201/t20220130_6026436.html",
            "安丘市郚山镇人民政府2021年政府信息公开工作年度报告",
            "2022-01-30",
            "report",
            REPORT,
        ),
        (
            f"{NB}/zjnb/202201/P020220119702507961459.pdf",
            "安丘市凌河街道办事处2021年政府信息公开工作年度报告",
            "2022-01-19",
            "report",
            REPORT,
        ),
    ]


def test_gbk_column_asks_for_report_pages_and_direct_files() -> None:
    out = parse_list("trs/anqiu/zjnb-index")
    assert [described(r) for r in out.requests[1:]] == [
        ("GET", f"{NB}/zjnb/202401/t20240129_6047948.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202401/t20240123_6046691.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202401/t20240108_6042892.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202301/t20230128_6038414.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202301/t20230127_6035947.html", "parse_page", "page"),
        (
            "GET",
            f"{NB}/zjnb/202301/P020230124201769781002.pdf",
            "parse_file",
            "attachment",
        ),
        ("GET", f"{NB}/zjnb/202201/t20220130_6026436.html", "parse_page", "page"),
        (
            "GET",
            f"{NB}/zjnb/202201/P020220119702507961459.pdf",
            "parse_file",
            "attachment",
        ),
    ]


def test_listed_file_carries_the_identity_its_list_item_gives() -> None:
    pdf = parse_list("trs/anqiu/zjnb-index").requests[6]
    assert pdf.meta == {
        "source": "anqiu",
        "kind": "attachment",
        "identity": Identity(
            body="安丘市景芝镇人民政府",
            year=2022,
            title="安丘市景芝镇人民政府2022年政府信息公开工作年度报告",
            region=REGION,
            level="town",
            published="2023-01-24",
            note="body from title; year from title",
        ),
        "listing_url": f"{NB}/zjnb/",
        "link_text": "安丘市景芝镇人民政府2022年政府信息公开工作年度报告",
        "listed": True,
        "handle_httpstatus_list": [304, 404, 410],
    }


# ---------------------------------------------------------------- the GBK column, page 2
def test_charset_only_in_meta_is_still_read_as_gb18030() -> None:
    record = parse_list("trs/anqiu/zjnb-index_1").record
    assert (record.declared_type, record.declared_charset, record.used_charset) == (
        "text/html",
        None,
        "gb18030",
    )
    assert (
        b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
        in (record.body or b"")
    )


def test_second_page_asks_for_no_further_list_page() -> None:
    out = parse_list("trs/anqiu/zjnb-index_1")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{NB}/zjnb/202201/t20220109_6020503.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202101/t20210120_6014458.html", "parse_page", "page"),
        (
            "GET",
            f"{NB}/zjnb/202101/P020210119359201255555.pdf",
            "parse_file",
            "attachment",
        ),
        ("GET", f"{NB}/zjnb/202101/t20210109_6011394.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202001/t20200117_6005907.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202001/t20200112_6002459.html", "parse_page", "page"),
        ("GET", f"{NB}/zjnb/202001/t20200108_6000113.html", "parse_page", "page"),
    ]


def test_second_page_skips_the_work_summary_and_keeps_short_titles() -> None:
    listed = entries(parse_list("trs/anqiu/zjnb-index_1").batch)
    assert listed[1] == (
        f"{NB}/zjnb/202201/t20220108_6018349.html",
        "景芝镇2021年工作总结",
        "2022-01-08",
        "skipped",
        "noise: 总结 (a work summary)",
    )
    assert listed[4] == (
        f"{NB}/zjnb/202101/t20210109_6011394.html",
        "郚山镇人民政府2020年政府信息公开工作年度报告",
        "2021-01-09",
        "report",
        REPORT,
    )
    assert [e[3] for e in listed] == ["report", "skipped", *["report"] * 6]


# ---------------------------------------------------------------- report pages
LINGHE_2020 = "安丘市凌河街道办事处2020年政府信息公开工作年度报告"
WUSHAN_2021 = "安丘市郚山镇人民政府2021年政府信息公开工作年度报告"


def linghe_2020():
    return parse_page(
        "trs/anqiu/zjnb-t20210120_6014458",
        LINGHE_2020,
        "2021-01-20",
        f"{NB}/zjnb/index_1.html",
    )


def wushan_2021():
    return parse_page(
        "trs/anqiu/zjnb-t20220130_6026436", WUSHAN_2021, "2022-01-30", f"{NB}/zjnb/"
    )


def test_report_page_identity_comes_from_its_trs_meta_tags() -> None:
    assert linghe_2020().record.identity == Identity(
        body="安丘市凌河街道办事处",
        year=2020,
        title=LINGHE_2020,
        region=REGION,
        level="town",
        published="2021-01-20 09:00",
        note="body from title; year from title",
    )


def test_report_page_resolves_its_relative_p0_pdf() -> None:
    out = linghe_2020()
    pdf = f"{NB}/zjnb/202101/P020210120420814521241.pdf"
    assert out.record.links == [(pdf, f"{LINGHE_2020}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]
    assert out.requests[0].meta["identity"] == out.record.identity
    assert (
        out.requests[0].meta["listing_url"]
        == saved("trs/anqiu/zjnb-t20210120_6014458").url
    )


def test_gbk_report_page_is_recorded_with_its_charsets() -> None:
    record = linghe_2020().record
    assert (record.kind, record.status, record.failure) == ("page", 200, None)
    assert (record.declared_charset, record.used_charset, record.sniffed_type) == (
        "gbk",
        "gb18030",
        "text/html",
    )
    assert record.body == saved("trs/anqiu/zjnb-t20210120_6014458").body


def test_gbk_only_character_survives_into_the_identity() -> None:
    assert wushan_2021().record.identity == Identity(
        body="安丘市郚山镇人民政府",
        year=2021,
        title=WUSHAN_2021,
        region=REGION,
        level="town",
        published="2022-01-30 09:08",
        note="body from title; year from title",
    )


def test_docx_link_text_is_its_download_name() -> None:
    docx = f"{NB}/zjnb/202201/P020220130355488924320.docx"
    assert wushan_2021().record.links == [(docx, f"{WUSHAN_2021}.docx")]


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("name", LISTS)
def test_every_request_stays_on_the_sources_host(name: str) -> None:
    hosts = {urlsplit(r.url).hostname for r in parse_list(name).requests}
    assert hosts <= {"www.anqiu.gov.cn"} == source("anqiu").hosts


@pytest.mark.parametrize("name", LISTS)
def test_every_listed_report_has_a_body_and_year(name: str) -> None:
    for batch in parse_list(name).batches:
        for entry in batch.entries:
            if entry.decision == "report":
                found = resolve(
                    Evidence(title=entry.title, published=entry.listed_date),
                    source("anqiu"),
                )
                assert found.body.startswith("安丘市"), entry
                assert 2019 <= found.year <= 2023, entry


@pytest.mark.parametrize("name", LISTS)
def test_every_entry_is_an_article_or_a_file_under_the_column(name: str) -> None:
    for batch in parse_list(name).batches:
        for entry in batch.entries:
            assert entry.url.startswith(f"{NB}/"), entry
            assert entry.url.endswith((".html", ".pdf", ".docx")), entry
