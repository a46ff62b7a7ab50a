"""FujianSpider on saved pingtan.gov.cn pages: the real column list page (and its 304),
real report pages (TRS meta tags, ipv6best.cn gateway links), and the replica's one
report page whose 全真版 PDF is linked only from the inline ``apps1`` array.

The rendered list (``parse_rendered_list``) drives a live Chromium page. Without a
browser, what is tested is everything around it: when the browser is used at all, and
what an unchanged (304) list yields without one. The ``browser`` tests load the saved
real list page into Debian's Chromium (every other request aborted: nothing leaves the
machine) and run ``parse_rendered_list`` on it: the visible static items, no pager
(its JavaScript is not saved), the tab closed afterwards.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from parsel import Selector
from playwright.async_api import async_playwright

from app.config import chromium_path
from crawler.items import Identity, KnownList, ListedItem
from crawler.recognize import Evidence
from crawler.settings import CHROMIUM_ARGS
from crawler.spiders.base import HTML_MAXSIZE
from crawler.spiders.fujian import FujianSpider
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

if TYPE_CHECKING:
    from playwright.async_api import Route

    from tests.crawler.fixtures import Yielded

COLUMN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
ETAG = '"7f8d56e04d14bb664b1385471477ea58"'  # the saved list page's validators
LAST_MODIFIED = "Tue, 10 Mar 2026 04:56:00 GMT"
REPORT = "title names an annual report"
REGION = "福建省平潭综合实验区"
PAGE_2025 = f"{COLUMN}202603/t20260313_105587.htm"
PDF_2025 = f"{COLUMN}202603/P020260310330256529259.pdf"
TITLE_2025 = "平潭综合实验区2025年度政府信息公开工作年度报告"
# The static items of the saved list page (newest 10), and one older item (a 函).
STATIC = [
    ("202603/t20260313_105587.htm", 2025, "2026-03-10"),
    ("202503/t20250310_97791.htm", 2024, "2025-03-10"),
    ("202403/t20240308_87885.htm", 2023, "2024-03-08"),
    ("202302/t20230220_80629.htm", 2022, "2023-02-20"),
    ("202202/t20220208_80613.htm", 2021, "2022-02-08"),
    ("202103/t20210305_80595.htm", 2020, "2021-03-05"),
    ("202001/t20200120_80576.htm", 2019, "2020-01-20"),
    ("201901/t20190110_80529.htm", 2018, "2019-01-10"),
    ("201801/t20180123_80506.htm", 2017, "2018-01-23"),
    ("201701/t20170118_80485.htm", 2016, "2017-01-18"),
]
LETTER = ListedItem(
    f"{COLUMN}201412/t20141210_80787.htm",
    "关于2014年政府信息公开工作要点落实情况的函",
    "2014-12-10",
)
LAST_READING = KnownList(
    etag=ETAG,
    last_modified=LAST_MODIFIED,
    items=(
        *(
            ListedItem(
                f"{COLUMN}{path}",
                f"平潭综合实验区{year}年度政府信息公开工作年度报告",
                date,
            )
            for path, year, date in STATIC
        ),
        LETTER,
    ),
)
# External links of the real report page, rewritten by the site to IPv6 gateways.
GATEWAYS = [
    "http://www.acas.org.cnx7a72966f93868.ipv6best.cn/",
    "http://pt.fjbz.org.cnx1e49966f93868.ipv6best.cn:8060/",
    "https://fjrb-fjdaily-comx2d93966f93868xx.ipv6best.cn/pc/col/202311/02/node_01.html",
    "https://27-151-80-61xe076966f93868xx.ipv6best.cn:91/#/double-publicity-info",
    "https://credit-xm-gov-cnxd4a4966f93868xx.ipv6best.cn/",
    "https://www-beian-gov-cnx45c8966f93868xx.ipv6best.cn/portal/registerSystemInfo?recordcode=35012899001-19002",
    "https://bszs-conac-cnxe103966f93868xx.ipv6best.cn/sitename?method=show&id=21E2BB13660E0D66E053012819ACFD9D",
]


def pingtan(**kwargs) -> FujianSpider:
    spider = spider_for(FujianSpider, "pingtan", **kwargs)
    assert isinstance(spider, FujianSpider)
    return spider


def start_requests(spider: FujianSpider) -> list:
    async def collect() -> list:
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def validated_list(name: str):
    """The saved answer to the conditional list request of a spider that read the list before."""
    spider = pingtan(lists={COLUMN: LAST_READING})
    request = spider.list_request(COLUMN, source("pingtan"))
    return run(spider.parse_validated_list(response(name, request)))


def parse_page(name: str, title: str, published: str):
    spider = pingtan()
    request = spider.document_request(
        saved(name).url,
        source("pingtan"),
        "page",
        evidence=Evidence(title=title, published=published),
        listing_url=COLUMN,
        link_text=title,
    )
    return run(spider.parse_page(response(name, request)))


def report_2025():
    return parse_page("fujian/pingtan/t20260313_105587", TITLE_2025, "2026-03-10")


# ---------------------------------------------------------------- browser or not
def test_list_never_read_is_rendered_in_chromium() -> None:
    (request,) = start_requests(pingtan())
    assert described(request) == ("GET", COLUMN, "parse_rendered_list", "list")
    assert request.meta == {
        "source": "pingtan",
        "kind": "list",
        "download_maxsize": HTML_MAXSIZE,
        "playwright": True,
        "playwright_include_page": True,
    }
    assert request.dont_filter
    assert sent_headers(request) == {}


def test_list_read_before_is_first_asked_over_http_with_its_validators() -> None:
    (request,) = start_requests(pingtan(lists={COLUMN: LAST_READING}))
    assert described(request) == ("GET", COLUMN, "parse_validated_list", "list")
    assert sent_headers(request) == {
        "If-None-Match": ETAG,
        "If-Modified-Since": LAST_MODIFIED,
    }
    assert request.meta == {
        "source": "pingtan",
        "kind": "list",
        "download_maxsize": HTML_MAXSIZE,
        "handle_httpstatus_list": [304],
    }


@pytest.mark.parametrize(
    "reading",
    [
        KnownList(etag=None, last_modified=None, items=LAST_READING.items),
        KnownList(etag=ETAG, last_modified=LAST_MODIFIED, items=()),
    ],
    ids=["no validators", "no items"],
)
def test_list_read_before_without_validators_or_items_is_rendered(
    reading: KnownList,
) -> None:
    (request,) = start_requests(pingtan(lists={COLUMN: reading}))
    assert described(request) == ("GET", COLUMN, "parse_rendered_list", "list")


def test_list_of_a_source_without_the_js_list_quirk_is_a_plain_fetch() -> None:
    plain = replace(source("pingtan"), quirks={})
    request = pingtan(lists={COLUMN: LAST_READING}).list_request(COLUMN, plain)
    assert described(request) == ("GET", COLUMN, "parse_list", "list")
    assert (sent_headers(request), "playwright" in request.meta) == ({}, False)


def test_plain_list_fetch_is_only_recorded() -> None:
    out = run(
        pingtan().parse_list(
            response("fujian/pingtan/list", source="pingtan", kind="list")
        )
    )
    assert (out.requests, out.batches) == ([], [])
    assert (out.record.kind, out.record.status, out.record.failure) == (
        "list",
        200,
        None,
    )
    assert out.record.body == saved("fujian/pingtan/list").body


# ---------------------------------------------------------------- the validated list
def test_changed_list_is_rendered_in_chromium_after_all() -> None:
    out = validated_list("fujian/pingtan/list")
    assert (out.records, out.batches) == ([], [])
    (render,) = out.requests
    assert described(render) == ("GET", COLUMN, "parse_rendered_list", "list")
    assert (render.meta["playwright"], render.dont_filter) == (True, True)


def test_unchanged_list_is_recorded_as_a_304_list_fetch() -> None:
    record = validated_list("fujian/pingtan/list-304").record
    assert (record.kind, record.url, record.status, record.failure) == (
        "list",
        COLUMN,
        304,
        None,
    )
    assert (record.body, record.via, record.sniffed_type) == (None, "http", None)


def test_unchanged_list_takes_its_items_from_the_last_reading() -> None:
    out = validated_list("fujian/pingtan/list-304")
    assert entries(out.batch) == [
        (
            f"{COLUMN}{path}",
            f"平潭综合实验区{year}年度政府信息公开工作年度报告",
            date,
            "report",
            REPORT,
        )
        for path, year, date in STATIC
    ] + [(LETTER.url, LETTER.title, "2014-12-10", "skipped", "noise: 函 (a letter)")]
    assert (out.batch.source_id, out.batch.list_url) == ("pingtan", COLUMN)


def test_unchanged_list_asks_for_its_report_pages_over_http() -> None:
    out = validated_list("fujian/pingtan/list-304")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{COLUMN}{path}", "parse_page", "page") for path, _, _ in STATIC
    ]
    assert not any(r.meta.get("playwright") for r in out.requests)


# ---------------------------------------------------------------- report pages
def test_real_report_page_identity_comes_from_its_trs_meta_tags() -> None:
    assert report_2025().record.identity == Identity(
        body="平潭综合实验区管理委员会",
        year=2025,
        title=TITLE_2025,
        region=REGION,
        level="county",
        published="2026-03-10 12:56",
        note="body from title; year from title",
    )


def test_qzb_pdf_is_linked_only_from_javascript() -> None:
    html = saved("fujian/pingtan/t20260313_105587").body.decode()
    assert PDF_2025 not in Selector(html).xpath("//@href | //@src").getall()
    assert f'var apps1 = [{{"url": "{PDF_2025}"' in html


def test_qzb_pdf_from_javascript_is_the_pages_file() -> None:
    out = report_2025()
    assert out.record.links == [
        (PDF_2025, "平潭综合实验区2025年度政府信息公开工作年度报告（原件）.pdf")
    ]
    (request,) = out.requests
    assert described(request) == ("GET", PDF_2025, "parse_file", "attachment")
    assert (
        request.meta["identity"],
        request.meta["listing_url"],
        request.meta["listed"],
    ) == (out.record.identity, PAGE_2025, True)


def test_real_report_page_is_recorded_as_served() -> None:
    record = report_2025().record
    assert (record.kind, record.url, record.status, record.failure) == (
        "page",
        PAGE_2025,
        200,
        None,
    )
    assert (record.declared_charset, record.used_charset, record.sniffed_type) == (
        "utf-8",
        "utf-8",
        "text/html",
    )
    assert record.body == saved("fujian/pingtan/t20260313_105587").body


def test_department_report_on_the_portal_is_filed_under_the_department() -> None:
    title = "平潭综合实验区地方税务局2013年信息公开年度报告"
    out = parse_page("fujian/pingtan/t20140225_80774", title, "2014-02-25")
    assert out.record.identity == Identity(
        body="平潭综合实验区地方税务局",
        year=2013,
        title=title,
        region=REGION,
        level="department",
        published="2014-02-25 00:00",
        note="body from title; year from title",
    )


def test_report_page_without_files_asks_for_nothing_more() -> None:
    title = "平潭综合实验区地方税务局2013年信息公开年度报告"
    out = parse_page("fujian/pingtan/t20140225_80774", title, "2014-02-25")
    assert (out.record.links, out.requests) == ([], [])


def test_qzb_pdf_is_recorded_with_the_report_identity() -> None:
    spider = pingtan()
    identity = report_2025().record.identity
    request = spider.document_request(
        PDF_2025,
        source("pingtan"),
        "attachment",
        identity=identity,
        listing_url=PAGE_2025,
        link_text="平潭综合实验区2025年度政府信息公开工作年度报告（原件）.pdf",
    )
    record = run(
        spider.parse_file(response("fujian/pingtan/P020260310330256529259", request))
    ).record
    assert (record.kind, record.status, record.failure, record.identity) == (
        "attachment",
        200,
        None,
        identity,
    )
    assert (record.declared_type, record.sniffed_type, record.used_charset) == (
        "application/pdf",
        "application/pdf",
        None,
    )
    assert record.body == saved("fujian/pingtan/P020260310330256529259").body


# ---------------------------------------------------------------- IPv6 gateway links
@pytest.mark.parametrize(
    "name", ["fujian/pingtan/list", "fujian/pingtan/t20140225_80774"]
)
def test_real_pages_carry_the_gateway_links(name: str) -> None:
    hrefs = Selector(saved(name).body.decode()).xpath("//a/@href").getall()
    gateways = [h for h in hrefs if "ipv6best.cn" in (urlsplit(h).hostname or "")]
    assert len(gateways) == 7


@pytest.mark.parametrize("url", GATEWAYS)
def test_gateway_links_are_not_the_sources_own(url: str) -> None:
    assert pingtan().allowed(url, source("pingtan")) is False


def test_report_page_follows_no_gateway_link() -> None:
    html = saved("fujian/pingtan/t20260313_105587").body.decode()
    assert all(url.replace("&", "&amp;") in html for url in GATEWAYS)
    out = report_2025()
    hosts = {urlsplit(u).hostname for u, _ in out.record.links or []}
    hosts |= {urlsplit(r.url).hostname for r in out.requests}
    assert hosts == {"www.pingtan.gov.cn"}


# ---------------------------------------------------------------- the rendered list (Chromium)
@dataclass
class Rendered:
    out: Yielded
    tab_closed: bool
    asked: list[str]  # what the page asked for (only the column was answered)


async def render_saved_list() -> Rendered:
    """``parse_rendered_list`` on the saved real list page, loaded in Chromium."""
    page_saved = saved("fujian/pingtan/list")
    spider = pingtan()
    asked: list[str] = []

    async def serve(route: Route) -> None:
        asked.append(route.request.url)
        if route.request.url == COLUMN:
            await route.fulfill(
                status=page_saved.status,
                headers=page_saved.headers,
                body=page_saved.body,
            )
        else:
            await route.abort()

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=chromium_path(), args=list(CHROMIUM_ARGS)
        )
        try:
            context = await browser.new_context()
            await context.route("**/*", serve)
            tab = await context.new_page()
            await tab.goto(COLUMN)
            request = spider.render_request(COLUMN, source("pingtan"))
            request.meta["playwright_page"] = tab
            answer = response("fujian/pingtan/list", request)
            out = run([item async for item in spider.parse_rendered_list(answer)])
            return Rendered(out, tab.is_closed(), asked)
        finally:
            await browser.close()


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return asyncio.run(render_saved_list())


@pytest.mark.browser
def test_rendered_list_takes_the_visible_static_items(rendered: Rendered) -> None:
    assert entries(rendered.out.batch) == [
        (
            f"{COLUMN}{path}",
            f"平潭综合实验区{year}年度政府信息公开工作年度报告",
            date,
            "report",
            REPORT,
        )
        for path, year, date in STATIC
    ]


@pytest.mark.browser
def test_rendered_list_asks_for_its_report_pages_over_http(rendered: Rendered) -> None:
    assert [described(r) for r in rendered.out.requests] == [
        ("GET", f"{COLUMN}{path}", "parse_page", "page") for path, _, _ in STATIC
    ]
    assert not any(r.meta.get("playwright") for r in rendered.out.requests)


@pytest.mark.browser
def test_rendered_list_is_recorded_as_a_browser_fetch(rendered: Rendered) -> None:
    record = rendered.out.record
    assert (record.kind, record.url, record.status, record.via) == (
        "list",
        COLUMN,
        200,
        "playwright",
    )
    assert record.body == saved("fujian/pingtan/list").body


@pytest.mark.browser
def test_rendered_list_closes_its_browser_tab(rendered: Rendered) -> None:
    assert rendered.tab_closed
    assert rendered.asked[0] == COLUMN
