"""HanwebSpider on saved Hanweb jcms pages (replica, night 1): wip.gov.cn's year
sub-columns and JS stub, whctp.gov.cn's CDATA records and dataproxy.jsp POST,
penglai.gov.cn's xxgkAnnualReport table, and report pages linking downfile.jsp files."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.items import Identity
from crawler.recognize import Evidence, resolve
from crawler.spiders.base import HTML_MAXSIZE
from crawler.spiders.hanweb import HanwebSpider
from tests.crawler.fixtures import (
    described,
    entries,
    lowered,
    response,
    run,
    saved,
    sent_headers,
    source,
    spider_for,
)

WIP = "http://www.wip.gov.cn"
WHCTP = "http://www.whctp.gov.cn"
PENGLAI = "http://www.penglai.gov.cn"
REPORT = "title names an annual report"
XXGK = "xxgkAnnualReport page (one per unit and year)"
DATAPROXY = (
    f"{WHCTP}/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=30&perpage=10"
)
XXGK_REPORT = f"{PENGLAI}/module/xxgk/xxgkAnnualReport.jsp"
LISTS = [
    ("wip", "hanweb/wip/col151610"),
    ("wip", "hanweb/wip/col151616"),
    ("wip", "hanweb/wip/col151609"),
    ("whctp", "hanweb/whctp/col82956"),
    ("penglai", "hanweb/penglai/col59245"),
]


def parse_list(source_id: str, name: str):
    spider = spider_for(HanwebSpider, source_id)
    return run(spider.parse_list(response(name, source=source_id, kind="list")))


def parse_dataproxy():
    spider = spider_for(HanwebSpider, "whctp")
    page = response("hanweb/whctp/dataproxy-11-30", source="whctp", kind="list")
    return run(spider.parse_dataproxy(page))


def parse_page(source_id: str, name: str, evidence: Evidence, listing: str):
    """The saved page as the answer to the request the spider makes for a listed report."""
    spider = spider_for(HanwebSpider, source_id)
    request = spider.document_request(
        saved(name).url,
        source(source_id),
        "page",
        evidence=evidence,
        listing_url=listing,
        link_text=evidence.title,
    )
    return run(spider.parse_page(response(name, request)))


# ---------------------------------------------------------------- wip.gov.cn columns
def test_report_column_asks_for_its_year_subcolumns_newest_first() -> None:
    out = parse_list("wip", "hanweb/wip/col151610")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{WIP}/col/col{n}/index.html", "parse_list", "list")
        for n in (151617, 151616, 151615, 151614, 151613, 151612)
    ]


def test_report_column_with_only_subcolumns_lists_nothing() -> None:
    assert parse_list("wip", "hanweb/wip/col151610").batches == []


def test_column_capture_keeps_the_page_as_served() -> None:
    record = parse_list("wip", "hanweb/wip/col151610").record
    assert (record.kind, record.url, record.method, record.status) == (
        "list",
        f"{WIP}/col/col151610/index.html",
        "GET",
        200,
    )
    assert record.body == saved("hanweb/wip/col151610").body
    assert (record.failure, record.listed, record.via) == (None, False, "http")
    assert (record.declared_type, record.declared_charset, record.used_charset) == (
        "text/html;charset=UTF-8",
        "utf-8",
        "utf-8",
    )
    assert record.sniffed_type == "text/html"
    served = saved("hanweb/wip/col151610").headers
    assert lowered(record.response_headers) == lowered(served)


def test_year_column_lists_its_cdata_records_with_decisions() -> None:
    assert entries(parse_list("wip", "hanweb/wip/col151616").batch) == [
        (
            f"{WIP}/art/2024/2/20/art_151616_4150890.html",
            "威海临港经济技术开发区管理委员会2023年政府信息公开工作年度报告",
            "2024-02-20",
            "report",
            REPORT,
        ),
        (
            f"{WIP}/art/2024/2/2/art_151616_4150688.html",
            "图解：威海临港经济技术开发区2023年政府信息公开工作年度报告",
            "2024-02-02",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            f"{WIP}/art/2024/1/29/art_151616_4308925.html",
            "威海临港经济技术开发区蔄山镇人民政府2023年政府信息公开工作年度报告",
            "2024-01-29",
            "report",
            REPORT,
        ),
        (
            f"{WIP}/art/2024/1/28/art_151616_4148918.html",
            "威海临港经济技术开发区汪疃镇人民政府2023年政府信息公开工作年度报告",
            "2024-01-28",
            "report",
            REPORT,
        ),
        (
            f"{WIP}/art/2024/1/22/art_151616_4145487.html",
            "威海临港经济技术开发区苘山镇人民政府2023年政府信息公开工作年度报告",
            "2024-01-22",
            "report",
            REPORT,
        ),
        (
            f"{WIP}/art/2024/1/9/art_151616_4143755.html",
            "威海临港经济技术开发区草庙子镇人民政府2023年政府信息公开工作年度报告",
            "2024-01-09",
            "report",
            REPORT,
        ),
    ]


def test_year_column_batch_names_its_run_source_and_page() -> None:
    batch = parse_list("wip", "hanweb/wip/col151616").batch
    assert (batch.run_id, batch.source_id, batch.list_url) == (
        7,
        "wip",
        f"{WIP}/col/col151616/index.html",
    )


def test_year_column_asks_for_its_report_pages_and_no_dataproxy() -> None:
    # jpage's totalRecord (6) equals the inline records: no dataproxy.jsp POST. The
    # first request is the column itself, linked from its own breadcrumb as "2023年"
    # (Scrapy's duplicate filter drops it in a crawl).
    out = parse_list("wip", "hanweb/wip/col151616")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{WIP}/col/col151616/index.html", "parse_list", "list"),
        ("GET", f"{WIP}/art/2024/2/20/art_151616_4150890.html", "parse_page", "page"),
        ("GET", f"{WIP}/art/2024/1/29/art_151616_4308925.html", "parse_page", "page"),
        ("GET", f"{WIP}/art/2024/1/28/art_151616_4148918.html", "parse_page", "page"),
        ("GET", f"{WIP}/art/2024/1/22/art_151616_4145487.html", "parse_page", "page"),
        ("GET", f"{WIP}/art/2024/1/9/art_151616_4143755.html", "parse_page", "page"),
    ]


def test_report_page_request_carries_what_the_list_said() -> None:
    request = parse_list("wip", "hanweb/wip/col151616").requests[2]
    title = "威海临港经济技术开发区蔄山镇人民政府2023年政府信息公开工作年度报告"
    assert request.meta == {
        "source": "wip",
        "kind": "page",
        "evidence": Evidence(title=title, published="2024-01-29"),
        "listing_url": f"{WIP}/col/col151616/index.html",
        "link_text": title,
        "listed": True,
        "handle_httpstatus_list": [304, 404, 410],
        "download_maxsize": HTML_MAXSIZE,
    }
    assert sent_headers(request) == {}  # nothing known: not conditional


def test_stub_column_only_follows_its_location_href() -> None:
    out = parse_list("wip", "hanweb/wip/col151609")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{WIP}/col/col151610/index.html", "parse_list", "list")
    ]
    assert out.batches == []
    assert (out.record.status, out.record.failure) == (200, None)


# ---------------------------------------------------------------- whctp.gov.cn and dataproxy.jsp
def test_column_with_more_records_than_inline_posts_one_jpage_group() -> None:
    post = parse_list("whctp", "hanweb/whctp/col82956").requests[0]
    assert described(post) == ("POST", DATAPROXY, "parse_dataproxy", "list")
    assert post.body.decode() == saved("hanweb/whctp/dataproxy-11-30").request_body
    assert sent_headers(post) == {
        "Referer": f"{WHCTP}/col/col82956/index.html",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert post.meta == {"source": "whctp", "kind": "list"}


def test_whctp_column_lists_its_ten_inline_records() -> None:
    listed = entries(parse_list("whctp", "hanweb/whctp/col82956").batch)
    assert [(url, date, decision) for url, _, date, decision, _ in listed] == [
        (f"{WHCTP}/art/2025/2/28/art_82956_4158653.html", "2025-02-28", "report"),
        (f"{WHCTP}/art/2025/1/26/art_82956_4155243.html", "2025-01-26", "report"),
        (f"{WHCTP}/art/2025/1/10/art_82956_4154006.html", "2025-01-10", "report"),
        (f"{WHCTP}/art/2025/1/8/art_82956_4151715.html", "2025-01-08", "report"),
        (f"{WHCTP}/art/2024/3/6/art_82956_4150134.html", "2024-03-06", "report"),
        (f"{WHCTP}/art/2024/1/30/art_82956_4146486.html", "2024-01-30", "report"),
        (f"{WHCTP}/art/2024/1/25/art_82956_4146133.html", "2024-01-25", "report"),
        (f"{WHCTP}/art/2024/1/19/art_82956_4142581.html", "2024-01-19", "report"),
        (f"{WHCTP}/art/2024/1/17/art_82956_4139761.html", "2024-01-17", "report"),
        (f"{WHCTP}/art/2024/1/16/art_82956_4138822.html", "2024-01-16", "report"),
    ]


def test_title_without_a_body_is_listed_as_written() -> None:
    listed = entries(parse_list("whctp", "hanweb/whctp/col82956").batch)
    assert listed[6] == (
        f"{WHCTP}/art/2024/1/25/art_82956_4146133.html",
        "2023年政府信息公开工作年度报告",
        "2024-01-25",
        "report",
        REPORT,
    )


def test_dataproxy_answer_lists_records_11_to_30_with_their_reasons() -> None:
    listed = entries(parse_dataproxy().batch)
    assert len(listed) == 20
    assert [e for e in listed if e[3] == "skipped"] == [
        (
            f"{WHCTP}/art/2024/1/15/art_82956_4137942.html",
            "怡园街道2023年度工作总结",
            "2024-01-15",
            "skipped",
            "noise: 总结 (a work summary)",
        ),
        (
            f"{WHCTP}/art/2024/1/5/art_82956_4137577.html",
            "关于报送2023年政府信息公开工作年度报告的函",
            "2024-01-05",
            "skipped",
            "noise: 函 (a letter)",
        ),
        (
            f"{WHCTP}/art/2023/3/20/art_82956_4135258.html",
            "《威海火炬高技术产业开发区2022年政府信息公开工作年度报告》解读",
            "2023-03-20",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            f"{WHCTP}/art/2021/6/1/art_82956_4108243.html",
            "威海火炬高技术产业开发区政府信息公开指南",
            "2021-06-01",
            "skipped",
            "noise: 指南 (a guide)",
        ),
    ]


def test_dataproxy_answer_asks_for_its_sixteen_report_pages() -> None:
    out = parse_dataproxy()
    assert [r.url for r in out.requests] == [
        f"{WHCTP}/art/2023/3/17/art_82956_4132368.html",
        f"{WHCTP}/art/2023/1/28/art_82956_4128986.html",
        f"{WHCTP}/art/2023/1/19/art_82956_4128447.html",
        f"{WHCTP}/art/2023/1/19/art_82956_4125912.html",
        f"{WHCTP}/art/2023/1/10/art_82956_4122816.html",
        f"{WHCTP}/art/2023/1/8/art_82956_4119958.html",
        f"{WHCTP}/art/2022/2/28/art_82956_4119560.html",
        f"{WHCTP}/art/2022/1/20/art_82956_4118407.html",
        f"{WHCTP}/art/2022/1/19/art_82956_4116410.html",
        f"{WHCTP}/art/2022/1/14/art_82956_4114831.html",
        f"{WHCTP}/art/2022/1/14/art_82956_4112617.html",
        f"{WHCTP}/art/2022/1/12/art_82956_4109663.html",
        f"{WHCTP}/art/2021/3/25/art_82956_4107907.html",
        f"{WHCTP}/art/2021/1/27/art_82956_4106118.html",
        f"{WHCTP}/art/2021/1/26/art_82956_4104553.html",
        f"{WHCTP}/art/2021/1/11/art_82956_4102043.html",
    ]
    assert {
        (r.method, r.meta["kind"], r.meta["listing_url"]) for r in out.requests
    } == {("GET", "page", DATAPROXY)}


def test_dataproxy_answer_is_recorded_as_a_list_fetch_by_post() -> None:
    record = parse_dataproxy().record
    assert (record.kind, record.method, record.url, record.status) == (
        "list",
        "POST",
        DATAPROXY,
        200,
    )
    assert (record.failure, record.sniffed_type, record.used_charset) == (
        None,
        "text/xml",
        "utf-8",
    )
    assert record.body == saved("hanweb/whctp/dataproxy-11-30").body


# ---------------------------------------------------------------- penglai.gov.cn xxgk table
def test_xxgk_column_takes_every_unit_year_link_as_a_report() -> None:
    listed = entries(parse_list("penglai", "hanweb/penglai/col59245").batch)
    units = [
        ("11370614009502886G", "烟台市蓬莱区人民政府", (2023, 2022, 2021, 2020)),
        ("113706140061853303", "蓬莱区大辛店镇人民政府", (2023, 2022, 2021, 2020)),
        ("11370614005197044F", "蓬莱区刘家沟镇人民政府", (2023, 2022, 2021, 2020)),
        ("113706140065903200", "蓬莱区北沟镇人民政府", (2023, 2022, 2021)),
        ("11370614001610114M", "蓬莱区紫荆山街道办事处", (2023, 2022, 2021, 2020)),
    ]
    assert listed[:-1] == [
        (
            f"{XXGK_REPORT}?area={area}&fbtime={year}",
            f"{unit} {year}年度",
            None,
            "report",
            XXGK,
        )
        for area, unit, years in units
        for year in years
    ]


def test_xxgk_column_skips_its_guide() -> None:
    listed = entries(parse_list("penglai", "hanweb/penglai/col59245").batch)
    assert listed[-1] == (
        f"{PENGLAI}/art/2022/3/1/art_59245_2318520.html",
        "烟台市蓬莱区政府信息公开指南",
        None,
        "skipped",
        "noise: 指南 (a guide)",
    )


def test_xxgk_column_asks_for_the_nineteen_report_pages() -> None:
    out = parse_list("penglai", "hanweb/penglai/col59245")
    assert len(out.requests) == 19
    assert out.requests[0].meta["evidence"] == Evidence(
        title="烟台市蓬莱区人民政府 2023年度"
    )
    assert {described(r)[2:] for r in out.requests} == {("parse_page", "page")}
    assert [r.url for r in out.requests] == [e.url for e in out.batch.entries[:-1]]


# ---------------------------------------------------------------- report pages
WANGTUAN_2020 = "威海临港经济技术开发区汪疃镇人民政府2020年政府信息公开工作年度报告"
WANGTUAN_PDF = (
    f"{WIP}/module/download/downfile.jsp?classid=0"
    "&filename=be8b39b6311f9a14bc7c50c2346166fa.pdf"
)


def wangtuan_2020():
    return parse_page(
        "wip",
        "hanweb/wip/art_151613_4114530",
        Evidence(title=WANGTUAN_2020, published="2021-01-20"),
        f"{WIP}/col/col151613/index.html",
    )


def test_report_page_identity_comes_from_its_meta_tags() -> None:
    assert wangtuan_2020().record.identity == Identity(
        body="威海临港经济技术开发区汪疃镇人民政府",
        year=2020,
        title=WANGTUAN_2020,
        region="山东省威海市威海临港经济技术开发区",
        level="town",
        published="2021-01-20 16:52",
        note="body from title; year from title",
    )


def test_report_page_record_remembers_its_downfile_pdf() -> None:
    record = wangtuan_2020().record
    assert (record.kind, record.status, record.failure) == ("page", 200, None)
    assert (record.listing_url, record.link_text, record.listed) == (
        f"{WIP}/col/col151613/index.html",
        WANGTUAN_2020,
        True,
    )
    assert record.links == [(WANGTUAN_PDF, f"{WANGTUAN_2020}.pdf")]
    assert record.body == saved("hanweb/wip/art_151613_4114530").body


def test_report_page_asks_for_its_downfile_pdf_with_the_page_identity() -> None:
    out = wangtuan_2020()
    (request,) = out.requests
    assert described(request) == ("GET", WANGTUAN_PDF, "parse_file", "attachment")
    assert request.meta == {
        "source": "wip",
        "kind": "attachment",
        "identity": out.record.identity,
        "listing_url": f"{WIP}/art/2021/1/20/art_151613_4114530.html",
        "link_text": f"{WANGTUAN_2020}.pdf",
        "listed": True,
        "handle_httpstatus_list": [304, 404, 410],
    }


def test_short_body_name_in_a_title_gets_the_source_prefix() -> None:
    title = "草庙子镇2019年政府信息公开工作报告"
    out = parse_page(
        "wip",
        "hanweb/wip/art_151612_4106528",
        Evidence(title=title, published="2020-01-26"),
        f"{WIP}/col/col151612/index.html",
    )
    assert out.record.identity == Identity(
        body="威海临港经济技术开发区草庙子镇人民政府",
        year=2019,
        title=title,
        region="山东省威海市威海临港经济技术开发区",
        level="town",
        published="2020-01-26 11:25",
        note="body from title; year from title",
    )
    assert (out.record.links, out.requests) == ([], [])


def test_title_without_a_year_takes_it_from_the_statistics_period() -> None:
    title = "威海火炬高技术产业开发区田和街道办事处政府信息公开工作年度报告"
    out = parse_page(
        "whctp",
        "hanweb/whctp/art_82956_4102043",
        Evidence(title=title, published="2021-01-11"),
        DATAPROXY,
    )
    assert out.record.identity == Identity(
        body="威海火炬高技术产业开发区田和街道办事处",
        year=2020,
        title=title,
        region="山东省威海市威海火炬高技术产业开发区",
        level="town",
        published="2021-01-11 08:55",
        note="body from title; year from statistics period",
    )


def test_xxgk_report_page_is_identified_from_its_heading_not_the_table_cell() -> None:
    out = parse_page(
        "penglai",
        "hanweb/penglai/xxgkAnnualReport-liujiagou-2022",
        Evidence(title="蓬莱区刘家沟镇人民政府 2022年度"),
        f"{PENGLAI}/col/col59245/index.html",
    )
    assert out.record.identity == Identity(
        body="蓬莱区刘家沟镇人民政府",
        year=2022,
        title="蓬莱区刘家沟镇人民政府2022年政府信息公开工作年度报告",
        region="山东省烟台市蓬莱区",
        level="town",
        published="2023-01-22 10:42",
        note="body from title; year from title",
    )


def test_xxgk_report_page_asks_for_its_downfile_pdf() -> None:
    out = parse_page(
        "penglai",
        "hanweb/penglai/xxgkAnnualReport-liujiagou-2022",
        Evidence(title="蓬莱区刘家沟镇人民政府 2022年度"),
        f"{PENGLAI}/col/col59245/index.html",
    )
    pdf = (
        f"{PENGLAI}/module/download/downfile.jsp?classid=0"
        "&filename=d0e900580546081be690f74ebd5f453d.pdf"
    )
    assert out.record.links == [
        (pdf, "蓬莱区刘家沟镇人民政府2022年政府信息公开工作年度报告.pdf")
    ]
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize(("source_id", "name"), LISTS)
def test_every_request_stays_on_the_sources_hosts(source_id: str, name: str) -> None:
    hosts = source(source_id).hosts
    assert {
        urlsplit(r.url).hostname for r in parse_list(source_id, name).requests
    } <= hosts


@pytest.mark.parametrize(("source_id", "name"), LISTS)
def test_every_listed_report_has_a_body_and_year(source_id: str, name: str) -> None:
    reports = [
        e
        for batch in parse_list(source_id, name).batches
        for e in batch.entries
        if e.decision == "report"
    ]
    for entry in reports:
        found = resolve(
            Evidence(title=entry.title, published=entry.listed_date), source(source_id)
        )
        assert found.body, entry
        assert 2019 <= found.year <= 2024, entry


@pytest.mark.parametrize(("source_id", "name"), LISTS)
def test_every_list_page_is_recorded_once_as_a_good_list(
    source_id: str, name: str
) -> None:
    record = parse_list(source_id, name).record
    assert (record.kind, record.source_id, record.failure, record.run_id) == (
        "list",
        source_id,
        None,
        7,
    )
