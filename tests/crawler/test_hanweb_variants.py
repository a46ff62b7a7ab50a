"""HanwebSpider on the saved pages of the Hanweb variants (replica, night 1):
taixing.gov.cn's jpaas column (page/build/unit JSON, paramJson paging, year archives,
a download gateway) and sanmen.gov.cn's jpage column read by next groups plus its xxgk
units, whose years the spider enumerates by ``fbtime``."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote, urlsplit

import pytest
import scrapy

from archive.recorder import KnownDocument
from crawler.hanweb_pages import (
    jpaas_page,
    jpaas_units,
    xxgk_unit_year,
    xxgk_year_url,
)
from crawler.items import Identity
from crawler.pages import next_group
from crawler.spiders.hanweb import HanwebSpider
from tests.crawler.fixtures import (
    described,
    entries,
    response,
    run,
    saved,
    sent_headers,
    source,
    spider_for,
)

TAIXING = "https://www.taixing.gov.cn"
SANMEN = "http://www.sanmen.gov.cn"
ROOT = f"{TAIXING}/zwgk/zfxxgknb/index.html"
API = f"{TAIXING}/api-gateway/jpaas-publish-server/front/page/build/unit"
COLUMN = f"{SANMEN}/col/col1229290123/index.html"
REPORT = "title names an annual report"
MEETING = "noise: 会议 (news of a meeting)"
XXGK = "xxgkAnnualReport page (one per unit and year)"
XXGK_YEAR = "xxgkAnnualReport page of an enumerated year (fbtime)"
JSP = f"{SANMEN}/module/xxgk/xxgkAnnualReport.jsp"
BGS_2022 = f"{JSP}?area=SM331022-010&fbtime=2022"
BGS_TITLE = "三门县人民政府办公室2022年政府信息公开工作年度报告"
BGS_PDF = (
    f"{SANMEN}/module/download/downfile.jsp?classid=0"
    "&filename=697fa03178e6e7ee1406e271f10a65cb.pdf"
)
GROUP = (
    f"{SANMEN}/module/web/jpage/dataproxy.jsp?page={{}}&appid=1&webid=2871&path=/"
    "&columnid=1229290123&sourceContentType=1&unitid=290123"
    "&webname=%E4%B8%89%E9%97%A8%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"
    "&permissiontype=0"
)


def art(path: str) -> str:
    return f"{TAIXING}/zwgk/zfxxgknb/{path}.html"


# ---------------------------------------------------------------- taixing.gov.cn: jpaas
def parse_column(name: str = "hanweb/taixing/zfxxgknb"):
    spider = spider_for(HanwebSpider, "taixing")
    return run(spider.parse_list(response(name, source="taixing", kind="list")))


def unit_request() -> scrapy.Request:
    return parse_column().requests[-1]


def parse_unit(name: str, page: int, body: bytes | None = None):
    """A saved API answer, as the answer to the spider's own request for that page."""
    spider = spider_for(HanwebSpider, "taixing")
    first = unit_request()
    meta = {**first.meta, "jpaas": {**first.meta["jpaas"], "page": page}}
    request = first.replace(url=saved(name).url, meta=meta)
    answer = response(name, request)
    if body is not None:
        answer = answer.replace(body=body)
    return run(spider.parse_jpaas(answer))


def test_jpaas_column_has_no_list_only_its_year_archives_and_unit_request() -> None:
    out = parse_column()
    assert out.batches == []
    assert [described(r) for r in out.requests] == [
        *[
            ("GET", art(f"{year}n/index"), "parse_list", "list")
            for year in (2024, 2023, 2022, 2021)
        ],
        ("GET", saved("hanweb/taixing/unit-p1").url, "parse_jpaas", "list"),
    ]


def test_unit_request_sends_the_query_data_as_unitbuild_js_does() -> None:
    request = unit_request()
    assert request.url == saved("hanweb/taixing/unit-p1").url  # no paramJson on page 1
    assert sent_headers(request) == saved("hanweb/taixing/unit-p1").request_headers
    assert request.meta["jpaas"]["api"] == API
    assert request.meta["jpaas"]["column"] == ROOT
    assert (request.meta["source"], request.meta["kind"]) == ("taixing", "list")


def test_query_data_is_read_from_the_single_quoted_attribute() -> None:
    (unit,) = jpaas_units(saved("hanweb/taixing/zfxxgknb").body.decode())
    assert unit.url == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert dict(unit.params) == {
        "webId": "Tx9cQm2LbV7wKd4RpZ8nF",
        "pageId": "Q6Corx0IUVIcgqBeAjB4v",
        "tplSetId": "hJ3sWq8XyN1oPb6EcA5tV",
        "pageType": "column",
        "tagId": "当前栏目list",
        "editType": "null",
        "parseType": "bulidstatic",
    }


def test_year_archive_asks_for_its_own_unit() -> None:
    out = parse_column("hanweb/taixing/2023n")
    unit = out.requests[-1]
    assert described(unit)[2:] == ("parse_jpaas", "list")
    assert "pageId=Q6Corx0IUVIcgqBeAjB4v" not in unit.url
    assert unit.meta["jpaas"]["column"] == art("2023n/index")


def test_unit_page_1_lists_eight_items_resolved_against_the_column() -> None:
    assert entries(parse_unit("hanweb/taixing/unit-p1", 1).batch) == [
        (
            art("2024n/art/2025/art_0884a54098e8f875d30516492354c24e"),
            "泰兴市人民政府2024年政府信息公开工作年度报告",
            "2025-03-27",
            "report",
            REPORT,
        ),
        (
            art("2024n/art/2025/art_68ceaf57243ac6481a03dc7948ca0fc4"),
            "泰兴市召开2025年政务公开工作推进会",
            "2025-02-26",
            "skipped",
            MEETING,
        ),
        (
            art("2024n/art/2025/art_3af0c78feb6cde51913ea05470923846"),
            "泰兴市黄桥镇人民政府2024年政府信息公开工作年度报告",
            "2025-01-25",
            "report",
            REPORT,
        ),
        (
            art("2024n/art/2025/art_c4696e86e32a41cc7e5ac6645e32ef56"),
            "泰兴市济川街道办事处2024年政府信息公开工作年度报告",
            "2025-01-24",
            "report",
            REPORT,
        ),
        (
            art("2024n/art/2025/art_b62785fb68a7b51ba951be0966aaaf73"),
            "泰兴市发展和改革委员会2024年政府信息公开工作年度报告",
            "2025-01-23",
            "report",
            REPORT,
        ),
        (
            art("2024n/art/2025/art_9261715c4fe0dc87c801e73a3e374547"),
            "2024年政府信息公开工作年度报告",
            "2025-01-08",
            "report",
            REPORT,
        ),
        (
            art("2023n/art/2024/art_da7f6fc96ae2dc69d088de5b2b7a39ab"),
            "图解：泰兴市2023年政府信息公开工作年度报告",
            "2024-03-06",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            art("2023n/art/2024/art_e1a282b3c230d44f1a02ba0c01cf6383"),
            "泰兴市人民政府2023年政府信息公开工作年度报告",
            "2024-03-01",
            "report",
            REPORT,
        ),
    ]


def test_unit_page_1_asks_for_its_reports_then_pages_2_and_3_by_param_json() -> None:
    out = parse_unit("hanweb/taixing/unit-p1", 1)
    pages = [r for r in out.requests if described(r)[2] == "parse_jpaas"]
    assert [r.url for r in pages] == [
        f"{unit_request().url}&paramJson=%7B%22pageNo%22%3A{n}%2C%22pageSize%22%3A8%7D"
        for n in (2, 3)
    ]
    assert pages[1].url == saved("hanweb/taixing/unit-p3").url
    assert {(r.meta["jpaas"]["page"], r.meta["jpaas"]["column"]) for r in pages} == {
        (2, ROOT),
        (3, ROOT),
    }
    reports = [described(r) for r in out.requests if r not in pages]
    assert len(reports) == 6
    assert {r[2:] for r in reports} == {("parse_page", "page")}


def test_last_unit_page_asks_for_no_more_pages() -> None:
    out = parse_unit("hanweb/taixing/unit-p3", 3)
    assert [described(r) for r in out.requests] == [
        (
            "GET",
            art("2021n/art/2022/art_d6968d801f8304476ed774806b37f81c"),
            "parse_page",
            "page",
        )
    ]
    (entry,) = entries(out.batch)
    assert entry[1:] == (
        "泰兴市黄桥镇人民政府政府信息公开工作年度报告",
        "2022-01-22",
        "report",
        REPORT,
    )


def test_unit_page_without_a_count_asks_for_the_next_page_only() -> None:
    body = saved("hanweb/taixing/unit-p1").body.replace(b" count='17'", b"")
    pages = [
        r
        for r in parse_unit("hanweb/taixing/unit-p1", 1, body).requests
        if "paramJson" in r.url
    ]
    assert [(r.url, r.meta["jpaas"]["page"]) for r in pages] == [
        (
            f"{unit_request().url}&paramJson=%7B%22pageNo%22%3A2%2C%22pageSize%22%3A8%7D",
            2,
        )
    ]


def test_empty_unit_page_without_a_count_ends_the_list() -> None:
    body = (
        b'{"success":true,"code":"200","data":{"html":"<div class=\'page-content\'>'
        b"<ul class='list'></ul></div>\"}}"
    )
    out = parse_unit("hanweb/taixing/unit-p3", 3, body)
    assert (out.requests, out.batches, out.record.failure) == ([], [], None)


def test_unit_answer_without_success_is_a_failed_list_fetch() -> None:
    out = parse_unit("hanweb/taixing/unit-unknown", 1)
    assert (out.record.kind, out.record.status, out.record.failure) == (
        "list",
        200,
        "jpaas_answer_unreadable",
    )
    assert (out.requests, out.batches) == ([], [])


def test_jpaas_article_links_its_pdf_through_the_download_gateway() -> None:
    spider = spider_for(HanwebSpider, "taixing")
    url = art("2023n/art/2024/art_2be4c27ed9f8c108b96477769c079f29")
    request = spider.document_request(url, source("taixing"), "page", listing_url=API)
    out = run(spider.parse_page(response("hanweb/taixing/art-huangqiao-2023", request)))
    title = "泰兴市黄桥镇人民政府2023年政府信息公开工作年度报告"
    assert out.record.identity == Identity(
        body="泰兴市黄桥镇人民政府",
        year=2023,
        title=title,
        region="江苏省泰州市泰兴市",
        level="town",
        published="2024-01-21 13:16",
        note="body from title; year from title",
    )
    pdf = (  # fileUrl: the gateway's token; fileName: the human name, last
        f"{TAIXING}/api-gateway/jpaas-web-server/front/document/download?fileUrl="
        "ouOAiNBiIjXRtUJoUAuEzWzG8Qe8EEq3qMzAr9f876eMtgcTK866KZ55PSbIvmT%2BmXJx0QgyEuI%3D"
        f"&fileName={quote(title)}.pdf"
    )
    assert out.record.links == [(pdf, f"{title}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]


# ---------------------------------------------------------------- sanmen.gov.cn: next groups
def parse_sanmen(spider: HanwebSpider | None = None):
    spider = spider or spider_for(HanwebSpider, "sanmen")
    return run(
        spider.parse_list(
            response("hanweb/sanmen/col1229290123", source="sanmen", kind="list")
        )
    )


def parse_group(name: str, group: int):
    spider = spider_for(HanwebSpider, "sanmen")
    meta = {
        "source": "sanmen",
        "kind": "list",
        "next_group": {"column": COLUMN, "group": group},
    }
    return run(spider.parse_dataproxy(response(name, **meta)))


def test_column_without_a_total_follows_its_next_group_first() -> None:
    request = parse_sanmen().requests[0]
    assert described(request) == ("GET", GROUP.format(1), "parse_dataproxy", "list")
    assert request.url == saved("hanweb/sanmen/group1").url
    assert sent_headers(request) == {"Referer": COLUMN}
    assert request.meta == {
        "source": "sanmen",
        "kind": "list",
        "next_group": {"column": COLUMN, "group": 1},
    }


def test_column_lists_its_inline_group_then_its_xxgk_units() -> None:
    listed = entries(parse_sanmen().batch)
    assert [(url.rsplit("/", 1)[-1], d) for url, _, _, d, _ in listed[:6]] == [
        ("art_1229290123_4151841.html", "report"),
        ("art_1229290123_4148864.html", "report"),
        ("art_1229290123_4146682.html", "report"),
        ("art_1229290123_4141937.html", "report"),
        ("art_1229290123_4139283.html", "skipped"),
        ("art_1229290123_4135066.html", "skipped"),
    ]
    assert listed[6:] == [
        (
            f"{JSP}?area=SM331022-003&fbtime=2024",
            "三门县人民政府",
            None,
            "report",
            XXGK,
        ),
        (
            f"{JSP}?area=SM331022-010&fbtime=2024",
            "三门县人民政府办公室",
            None,
            "report",
            XXGK,
        ),
    ]


def test_units_linked_at_one_year_get_every_earlier_year_asked_for() -> None:
    probes = [r for r in parse_sanmen().requests if r.meta["kind"] == "list"][1:]
    assert [described(r) for r in probes] == [
        ("GET", f"{JSP}?area={unit}&fbtime={year}", "parse_xxgk_year", "list")
        for unit in ("SM331022-003", "SM331022-010")
        for year in range(2023, 2007, -1)
    ]
    assert {sent_headers(r)["Referer"] for r in probes} == {COLUMN}
    assert {r.meta["listing_url"] for r in probes} == {COLUMN}


def test_enumeration_stops_at_the_sources_first_year() -> None:
    quirked = replace(source("sanmen"), quirks={"xxgk_first_year": 2021})
    spider = HanwebSpider(sources=[quirked], run_id=7, crawler_version="test")
    probes = [
        r.url
        for r in parse_sanmen(spider).requests
        if described(r)[2] == "parse_xxgk_year"
    ]
    assert probes == [
        f"{JSP}?area={unit}&fbtime={year}"
        for unit in ("SM331022-003", "SM331022-010")
        for year in (2023, 2022, 2021)
    ]


def test_next_group_answer_lists_six_records_and_follows_its_relative_link() -> None:
    out = parse_group("hanweb/sanmen/group1", 1)
    assert len(entries(out.batch)) == 6
    assert {e[3] for e in entries(out.batch)} == {"report"}
    follow = [r for r in out.requests if r.meta["kind"] == "list"]
    assert [(described(r), r.meta["next_group"]) for r in follow] == [
        (
            ("GET", GROUP.format(2), "parse_dataproxy", "list"),
            {"column": COLUMN, "group": 2},
        )
    ]
    assert sent_headers(follow[0]) == {"Referer": COLUMN}


def test_last_group_has_no_next_group() -> None:
    out = parse_group("hanweb/sanmen/group2", 2)
    assert [e[3:] for e in entries(out.batch)] == [
        ("report", REPORT),
        ("skipped", "noise: 指南 (a guide)"),
        ("report", REPORT),
        ("report", REPORT),
    ]
    assert {r.meta["kind"] for r in out.requests} == {"page"}


def test_range_answers_do_not_follow_next_groups() -> None:
    spider = spider_for(HanwebSpider, "sanmen")
    out = run(
        spider.parse_dataproxy(
            response("hanweb/sanmen/group1", source="sanmen", kind="list")
        )
    )
    assert {r.meta["kind"] for r in out.requests} == {"page"}


# ---------------------------------------------------------------- sanmen.gov.cn: xxgk years
def probe(name: str, spider: HanwebSpider | None = None):
    spider = spider or spider_for(HanwebSpider, "sanmen")
    request = next(r for r in parse_sanmen(spider).requests if r.url == saved(name).url)
    return run(spider.parse_xxgk_year(response(name, request)))


def test_year_without_a_report_is_an_empty_listing_not_a_failure() -> None:
    out = probe("hanweb/sanmen/xxgk-bgs-2019")
    assert (out.record.kind, out.record.status, out.record.failure) == (
        "list",
        200,
        None,
    )
    assert out.record.url == f"{JSP}?area=SM331022-010&fbtime=2019"
    assert (out.requests, out.batches) == ([], [])


def test_year_with_a_report_is_listed_and_read_as_its_page() -> None:
    out = probe("hanweb/sanmen/xxgk-bgs-2022")
    assert entries(out.batch) == [(BGS_2022, BGS_TITLE, None, "report", XXGK_YEAR)]
    assert (out.record.kind, out.record.url, out.record.status) == (
        "page",
        BGS_2022,
        200,
    )
    assert (out.record.listing_url, out.record.link_text, out.record.listed) == (
        COLUMN,
        BGS_TITLE,
        True,
    )
    assert out.record.identity == Identity(
        body="三门县人民政府办公室",
        year=2022,
        title=BGS_TITLE,
        region="浙江省台州市三门县",
        level="department",
        published="2023-01-08 10:15",
        note="body from title; year from title",
    )
    assert out.record.links == [(BGS_PDF, f"{BGS_TITLE}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", BGS_PDF, "parse_file", "attachment")
    ]


def known_bgs_2022() -> dict[str, KnownDocument]:
    identity = Identity(
        body="三门县人民政府办公室",
        year=2022,
        title=BGS_TITLE,
        region="浙江省台州市三门县",
        level="department",
        published="2023-01-08 10:15",
        note="body from title; year from title",
    )
    return {
        BGS_2022: KnownDocument(
            url=BGS_2022,
            source_id="sanmen",
            role="page",
            identity=identity,
            last_modified=saved("hanweb/sanmen/xxgk-bgs-2022").headers["Last-Modified"],
            listing_url=COLUMN,
            link_text=BGS_TITLE,
            links=((BGS_PDF, f"{BGS_TITLE}.pdf"),),
            media_type="text/html",
        )
    }


def test_a_year_read_before_is_asked_conditionally() -> None:
    spider = spider_for(HanwebSpider, "sanmen", known=known_bgs_2022())
    request = next(r for r in parse_sanmen(spider).requests if r.url == BGS_2022)
    assert (
        sent_headers(request)
        == saved("hanweb/sanmen/xxgk-bgs-2022-304").request_headers
    )
    assert request.meta["handle_httpstatus_list"] == [304]


def test_unchanged_year_is_listed_and_its_known_files_asked_for() -> None:
    spider = spider_for(HanwebSpider, "sanmen", known=known_bgs_2022())
    out = probe("hanweb/sanmen/xxgk-bgs-2022-304", spider)
    assert entries(out.batch) == [(BGS_2022, BGS_TITLE, None, "report", XXGK_YEAR)]
    assert (out.record.kind, out.record.status, out.record.failure) == (
        "page",
        304,
        None,
    )
    assert [described(r) for r in out.requests] == [
        ("GET", BGS_PDF, "parse_file", "attachment")
    ]


# ---------------------------------------------------------------- the readers, on other real spellings
@pytest.mark.parametrize(
    "tag",
    [  # attribute order and quoting vary; the JSON may be escaped double-quoted JSON
        """<script url="/api-gateway/jpaas-publish-server/front/page/build/unit" """
        """queryData="{'webId':'W','pageId':'P'}" src="/AuthorizedRead/unitbuild.js">""",
        """<script src='/AuthorizedRead/unitbuild.js' querydata='{"webId":"W","pageId":"P"}'>""",
        """<script src="/AuthorizedRead/unitbuild.js" """
        """queryData="{&quot;webId&quot;:&quot;W&quot;,&quot;pageId&quot;:&quot;P&quot;}">""",
    ],
)
def test_unit_scripts_are_read_whatever_their_spelling(tag: str) -> None:
    (unit,) = jpaas_units(f"<div>{tag}</script></div>")
    assert unit.url == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert unit.params == (("webId", "W"), ("pageId", "P"))
    api = f"{TAIXING}{unit.url}"
    assert unit.page_url(api, 1) == f"{api}?webId=W&pageId=P"
    assert unit.page_url(api, 2, 15) == (
        f"{api}?webId=W&pageId=P&paramJson=%7B%22pageNo%22%3A2%2C%22pageSize%22%3A15%7D"
    )


@pytest.mark.parametrize(
    "text", ["[]", "not json", '{"success":false}', '{"success":true,"data":null}']
)
def test_answers_that_are_not_a_unit_page_are_none(text: str) -> None:
    assert jpaas_page(text) is None


def test_a_unit_page_without_pager_has_no_rows_or_count() -> None:
    page = jpaas_page(
        '{"success":true,"data":{"html":"<ul><li><a href=\'/a.html\'>甲</a>'
        '<span>2024-01-29</span></li></ul>"}}'
    )
    assert page is not None
    assert (page.rows, page.count) == (None, None)
    assert [(x.url, x.title, x.date) for x in page.links] == [
        ("/a.html", "甲", "甲2024-01-29")
    ]


def test_next_group_links_are_unescaped_and_empty_ones_are_none() -> None:
    written = '<nextgroup><![CDATA[<a href="./dataproxy.jsp?page=2&amp;webid=1"></a>]]>'
    assert next_group(f"<datastore>{written}</nextgroup>") == (
        "./dataproxy.jsp?page=2&webid=1"
    )
    assert next_group("<datastore><nextgroup><![CDATA[]]></nextgroup>") is None


def test_xxgk_urls_change_only_their_year() -> None:
    url = f"{JSP}?area=LH331082-018&fbtime=2024&showType=2"
    assert xxgk_unit_year(url) == ("LH331082-018", 2024)
    assert xxgk_year_url(url, 2019) == f"{JSP}?area=LH331082-018&fbtime=2019&showType=2"
    assert xxgk_unit_year(f"{JSP}?area=LH331082-018") is None


# ---------------------------------------------------------------- invariants
LISTS = [
    ("taixing", "hanweb/taixing/zfxxgknb"),
    ("taixing", "hanweb/taixing/2023n"),
    ("sanmen", "hanweb/sanmen/col1229290123"),
]


@pytest.mark.parametrize(("source_id", "name"), LISTS)
def test_every_request_stays_on_the_sources_hosts(source_id: str, name: str) -> None:
    spider = spider_for(HanwebSpider, source_id)
    out = run(spider.parse_list(response(name, source=source_id, kind="list")))
    assert {urlsplit(r.url).hostname for r in out.requests} <= source(source_id).hosts
    assert (out.record.kind, out.record.failure) == ("list", None)
