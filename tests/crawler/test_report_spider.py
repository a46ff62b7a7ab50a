"""What ReportSpider does for every family, on saved Hanweb and TRS pages (replica):
start requests, host rules, conditional requests from what the archive knows, 304s,
failed fetches, responses that are not content (WAF, soft 404, blank), gone pages,
unidentifiable pages, and the re-check of known documents not listed tonight."""

from __future__ import annotations

import asyncio

import pytest
import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.guards import OffsiteRedirect, RedirectLoop, TooManyRedirects
from crawler.items import Identity, KnownDocument
from crawler.recognize import Evidence
from crawler.spiders.base import HTML_MAXSIZE
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.trs import TrsSpider
from tests.crawler.fixtures import (
    RUN_ID,
    described,
    lowered,
    response,
    run,
    saved,
    sent_headers,
    source,
    spider_for,
)

WIP = "http://www.wip.gov.cn"
COLUMN_2023 = f"{WIP}/col/col151616/index.html"
COLUMN_2020 = f"{WIP}/col/col151613/index.html"
PAGE = f"{WIP}/art/2021/1/20/art_151613_4114530.html"  # 汪疃镇 2020, links one PDF
PDF = f"{WIP}/module/download/downfile.jsp?classid=0&filename=be8b39b6311f9a14bc7c50c2346166fa.pdf"
MAOSHAN = (
    f"{WIP}/art/2024/1/29/art_151616_4308925.html"  # 蔄山镇 2023, listed in 2023年
)
WANGTUAN_2020 = Identity(
    body="威海临港经济技术开发区汪疃镇人民政府",
    year=2020,
    title="威海临港经济技术开发区汪疃镇人民政府2020年政府信息公开工作年度报告",
    region="山东省威海市威海临港经济技术开发区",
    level="town",
    published="2021-01-20 16:52",
    note="body from title; year from title",
)
PAGE_ETAG = '"3b9b4fd5bc73217c55ff93955e7ddb0e"'  # the saved page's validators
PAGE_MODIFIED = "Wed, 20 Jan 2021 08:52:00 GMT"
KNOWN_PAGE = KnownDocument(
    url=PAGE,
    source_id="wip",
    role="page",
    identity=WANGTUAN_2020,
    etag=PAGE_ETAG,
    last_modified=PAGE_MODIFIED,
    listing_url=COLUMN_2020,
    link_text=WANGTUAN_2020.title,
    links=((PDF, f"{WANGTUAN_2020.title}.pdf"),),
)
KNOWN_PDF = KnownDocument(
    url=PDF,
    source_id="wip",
    role="attachment",
    identity=WANGTUAN_2020,
    etag='"be8b39b6311f9a14"',
    listing_url=PAGE,
    link_text=f"{WANGTUAN_2020.title}.pdf",
)


def wip(**kwargs) -> HanwebSpider:
    spider = spider_for(HanwebSpider, "wip", **kwargs)
    assert isinstance(spider, HanwebSpider)
    return spider


def page_request(spider: HanwebSpider, url: str = PAGE) -> scrapy.Request:
    request = spider.document_request(
        url,
        source("wip"),
        "page",
        evidence=Evidence(title=WANGTUAN_2020.title, published="2021-01-20"),
        listing_url=COLUMN_2020,
        link_text=WANGTUAN_2020.title,
    )
    assert request is not None
    return request


def failure_of(error: Exception, request: scrapy.Request) -> Failure:
    """A failure as Scrapy hands it to an errback: the request attached."""
    failure = Failure(error)
    failure.request = request  # type: ignore[attr-defined]
    return failure


# ---------------------------------------------------------------- start and host rules
def test_start_asks_for_every_start_url_of_every_source() -> None:
    spider = spider_for(HanwebSpider, "wip", "whctp", "penglai")

    async def collect() -> list[scrapy.Request]:
        return [r async for r in spider.start()]

    requests = asyncio.run(collect())
    # parse_start: the family's reading, or the generic one if it finds nothing
    assert [described(r) for r in requests] == [
        ("GET", f"{WIP}/col/col151610/index.html", "parse_start", "list"),
        (
            "GET",
            "http://www.whctp.gov.cn/col/col82956/index.html",
            "parse_start",
            "list",
        ),
        (
            "GET",
            "http://www.penglai.gov.cn/col/col59245/index.html",
            "parse_start",
            "list",
        ),
    ]
    assert [r.meta["source"] for r in requests] == ["wip", "whctp", "penglai"]
    assert {r.errback.__name__ for r in requests} == {"failed"}
    assert {r.meta["download_maxsize"] for r in requests} == {HTML_MAXSIZE}


def test_allowed_domains_are_the_sources_start_url_hosts() -> None:
    spider = spider_for(HanwebSpider, "wip", "whctp", "penglai")
    assert spider.allowed_domains == [
        "www.penglai.gov.cn",
        "www.whctp.gov.cn",
        "www.wip.gov.cn",
    ]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (PAGE, True),
        ("https://www.wip.gov.cn/art/2021/1/20/art_151613_4114530.html", True),
        ("http://www.wip.gov.cn:8080/col/col151610/index.html", True),
        ("http://xxgk.wip.gov.cn/module/xxgk/xxgkAnnualReport.jsp?fbtime=2023", True),
        ("http://www.whctp.gov.cn/col/col82956/index.html", False),  # another source
        ("http://evilwip.gov.cn/art/2021/1/20/art_151613_4114530.html", False),
        ("http://www.wip.gov.cn.jkzhuan.cn/art/2021/1/20/art_1.html", False),  # mirror
        ("https://www-wip-gov-cnx45c8966f93868xx.ipv6best.cn/", False),  # IPv6 gateway
        ("ftp://www.wip.gov.cn/a.pdf", False),
        ("javascript:void(0)", False),
        ("mailto:webmaster@wip.gov.cn", False),
    ],
)
def test_only_the_sources_own_hosts_are_allowed(url: str, allowed: bool) -> None:
    assert wip().allowed(url, source("wip")) is allowed


# ---------------------------------------------------------------- conditional requests
@pytest.mark.parametrize(
    ("etag", "last_modified", "headers"),
    [
        (
            PAGE_ETAG,
            PAGE_MODIFIED,
            {"If-None-Match": PAGE_ETAG, "If-Modified-Since": PAGE_MODIFIED},
        ),
        (PAGE_ETAG, None, {"If-None-Match": PAGE_ETAG}),
        (None, PAGE_MODIFIED, {"If-Modified-Since": PAGE_MODIFIED}),
        (None, None, {}),
    ],
    ids=["etag and date", "etag", "date", "no validators"],
)
def test_known_document_is_asked_for_with_its_validators(
    etag: str | None, last_modified: str | None, headers: dict[str, str]
) -> None:
    known = KnownDocument(
        PAGE, "wip", "page", WANGTUAN_2020, etag=etag, last_modified=last_modified
    )
    assert sent_headers(page_request(wip(known={PAGE: known}))) == headers


def test_listed_report_already_archived_is_asked_for_conditionally() -> None:
    known = KnownDocument(
        MAOSHAN, "wip", "page", WANGTUAN_2020, etag='"4308925"', last_modified=None
    )
    spider = wip(known={MAOSHAN: known})
    out = run(
        spider.parse_list(response("hanweb/wip/col151616", source="wip", kind="list"))
    )
    conditional = {r.url: sent_headers(r) for r in out.requests if sent_headers(r)}
    assert conditional == {MAOSHAN: {"If-None-Match": '"4308925"'}}


def test_a_document_is_requested_once_per_crawl() -> None:
    spider = wip()
    page_request(spider)
    assert (
        spider.document_request(PAGE, source("wip"), "page", evidence=Evidence("x"))
        is None
    )


def test_an_item_listed_again_is_neither_listed_nor_requested_again() -> None:
    spider = wip()
    run(spider.parse_list(response("hanweb/wip/col151616", source="wip", kind="list")))
    again = run(
        spider.parse_list(response("hanweb/wip/col151616", source="wip", kind="list"))
    )
    assert again.batches == []
    assert [described(r) for r in again.requests] == [
        ("GET", COLUMN_2023, "parse_list", "list")  # the year sub-column link only
    ]


# ---------------------------------------------------------------- 304: unchanged page
def test_unchanged_page_is_recorded_as_a_304_without_bytes() -> None:
    spider = wip(known={PAGE: KNOWN_PAGE, PDF: KNOWN_PDF})
    record = run(
        spider.parse_page(
            response("hanweb/wip/art_151613_4114530-304", page_request(spider))
        )
    ).record
    assert (record.kind, record.url, record.status, record.failure) == (
        "page",
        PAGE,
        304,
        None,
    )
    assert (record.body, record.identity, record.links, record.listed) == (
        None,
        None,
        None,
        True,
    )


def test_unchanged_page_asks_again_for_the_files_it_linked() -> None:
    spider = wip(known={PAGE: KNOWN_PAGE, PDF: KNOWN_PDF})
    out = run(
        spider.parse_page(
            response("hanweb/wip/art_151613_4114530-304", page_request(spider))
        )
    )
    (request,) = out.requests
    assert described(request) == ("GET", PDF, "parse_file", "attachment")
    assert sent_headers(request) == {"If-None-Match": '"be8b39b6311f9a14"'}
    assert request.meta == {
        "source": "wip",
        "kind": "attachment",
        "identity": WANGTUAN_2020,
        "listing_url": PAGE,
        "link_text": f"{WANGTUAN_2020.title}.pdf",
        "listed": True,
        "handle_httpstatus_list": [304, 404, 410],
    }


def test_unchanged_page_without_known_files_asks_for_nothing() -> None:
    known = KnownDocument(PAGE, "wip", "page", WANGTUAN_2020, etag=PAGE_ETAG)
    spider = wip(known={PAGE: known})
    out = run(
        spider.parse_page(
            response("hanweb/wip/art_151613_4114530-304", page_request(spider))
        )
    )
    assert (len(out.records), out.requests) == (1, [])


# ---------------------------------------------------------------- failed fetches
@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (DNSLookupError("www.wip.gov.cn"), "dns_failed"),
        (ConnectionRefusedError(), "refused"),
        (TimeoutError(), "timeout"),
        (TCPTimedOutError(), "timeout"),
        (ResponseFailed([]), "truncated"),
        (ConnectError(), "unreachable"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots_blocked"),
        (IgnoreRequest("... exceeded DOWNLOAD_MAXSIZE (10485760 B)"), "too_large"),
        (IgnoreRequest(), "ignored"),  # dropped for a reason Scrapy did not name
        (RedirectLoop("A → B → A"), "redirect_loop"),
        (TooManyRedirects("more than 5 redirects"), "too_many_redirects"),
        (OffsiteRedirect("A → file:///etc/passwd"), "offsite_redirect"),
    ],
    ids=lambda v: f"{type(v).__name__}({v})" if isinstance(v, Exception) else v,
)
def test_failed_fetch_is_recorded_with_its_reason(
    error: Exception, reason: str
) -> None:
    spider = wip()
    request = page_request(spider)
    record = run(spider.failed(failure_of(error, request))).record
    assert (record.kind, record.url, record.method, record.failure) == (
        "page",
        PAGE,
        "GET",
        reason,
    )
    assert (record.status, record.final_url, record.body, record.response_headers) == (
        None,
        None,
        None,
        {},
    )
    assert (record.run_id, record.source_id, record.listing_url, record.listed) == (
        RUN_ID,
        "wip",
        COLUMN_2020,
        True,
    )


def test_waf_challenge_on_a_list_is_a_failed_list_fetch() -> None:
    spider = wip()
    request = spider.list_request(COLUMN_2023, source("wip"))
    answer = response("hanweb/wip/col151616-waf412", request)
    out = run(spider.failed(failure_of(HttpError(answer), request)))
    record = out.record
    assert (record.kind, record.status, record.failure, record.body) == (
        "list",
        412,
        "waf_412",
        None,
    )
    assert lowered(record.response_headers) == lowered(
        saved("hanweb/wip/col151616-waf412").headers
    )
    assert (out.requests, out.batches, record.listed) == ([], [], False)


def test_server_error_on_a_report_page_is_a_failed_page_fetch() -> None:
    spider = wip()
    request = page_request(spider, MAOSHAN)
    answer = response("hanweb/wip/art-503", request)
    record = run(spider.failed(failure_of(HttpError(answer), request))).record
    assert (record.kind, record.url, record.status, record.failure, record.body) == (
        "page",
        MAOSHAN,
        503,
        "http_503",
        None,
    )


# ---------------------------------------------------------------- answers that are not content
def _list_answer(name: str):
    spider = wip()
    return run(
        spider.parse_list(
            response(name, spider.list_request(COLUMN_2023, source("wip")))
        )
    )


def _page_answer(name: str):
    spider = wip()
    return run(spider.parse_page(response(name, page_request(spider, MAOSHAN))))


def _file_answer(name: str):
    spider = wip()
    request = spider.document_request(
        PDF, source("wip"), "attachment", identity=WANGTUAN_2020, listing_url=PAGE
    )
    return run(spider.parse_file(response(name, request)))


@pytest.mark.parametrize(
    ("parse", "name", "kind", "failure"),
    [
        (_list_answer, "hanweb/wip/col151616-soft404", "list", "soft_404"),
        (_list_answer, "hanweb/wip/col151616-blank", "list", "blank_page"),
        (_page_answer, "hanweb/wip/art-soft404", "page", "soft_404"),
        (_file_answer, "hanweb/wip/downfile-soft404", "attachment", "soft_404"),
    ],
    ids=["soft 404 list", "blank list", "soft 404 page", "soft 404 file"],
)
def test_a_200_that_is_not_content_is_recorded_as_failed_and_never_a_version(
    parse, name: str, kind: str, failure: str
) -> None:
    out = parse(name)
    assert (out.record.kind, out.record.status, out.record.failure) == (
        kind,
        200,
        failure,
    )
    assert out.record.body is None  # no bytes: never a version
    assert (out.requests, out.batches) == ([], [])


def test_gone_page_is_recorded_as_a_404_without_failure() -> None:
    spider = spider_for(TrsSpider, "anqiu")
    name = "trs/anqiu/zjnb-t20210120_6014458-404"
    request = spider.document_request(
        saved(name).url,
        source("anqiu"),
        "page",
        evidence=Evidence(title="安丘市凌河街道办事处2020年政府信息公开工作年度报告"),
    )
    out = run(spider.parse_page(response(name, request)))
    assert (out.record.status, out.record.failure, out.record.body) == (404, None, None)
    assert (out.record.identity, out.requests) == (None, [])


def test_page_without_any_year_is_recorded_unidentified_and_not_followed() -> None:
    # A list item titled 年度报告 that leads to the old JS stub column.
    spider = wip()
    stub = saved("hanweb/wip/col151609").url
    request = spider.document_request(
        stub, source("wip"), "page", evidence=Evidence(title="年度报告")
    )
    out = run(spider.parse_page(response("hanweb/wip/col151609", request)))
    assert (out.record.kind, out.record.status, out.record.failure) == (
        "page",
        200,
        "unidentified",
    )
    assert (out.record.identity, out.record.body, out.requests) == (None, None, [])


# ---------------------------------------------------------------- re-checking known documents
class Engine:
    """Stands in for Scrapy's engine: keeps what the spider schedules."""

    def __init__(self) -> None:
        self.scheduled: list[scrapy.Request] = []

    def crawl(self, request: scrapy.Request) -> None:
        self.scheduled.append(request)


OTHER = KnownDocument(  # a document of a source this spider does not crawl
    "http://www.whctp.gov.cn/art/2024/3/6/art_82956_4150134.html",
    "whctp",
    "page",
    WANGTUAN_2020,
    etag='"whctp"',
)


def crawling(known: dict[str, KnownDocument]) -> tuple[HanwebSpider, Engine]:
    crawler = get_crawler(HanwebSpider)
    spider = HanwebSpider.from_crawler(
        crawler,
        sources=[source("wip")],
        run_id=RUN_ID,
        crawler_version="test",
        known=known,
    )
    engine = Engine()
    crawler.engine = engine  # type: ignore[assignment]
    assert isinstance(spider, HanwebSpider)
    return spider, engine


def test_recheck_asks_conditionally_for_known_documents_not_listed_tonight() -> None:
    spider, engine = crawling({PAGE: KNOWN_PAGE, PDF: KNOWN_PDF, OTHER.url: OTHER})
    page_request(spider)  # the page was listed tonight; its PDF was not reached
    with pytest.raises(DontCloseSpider):
        spider.recheck_known()
    (request,) = engine.scheduled
    assert described(request) == ("GET", PDF, "parse_file", "recheck")
    assert sent_headers(request) == {"If-None-Match": '"be8b39b6311f9a14"'}
    assert request.meta == {
        "source": "wip",
        "kind": "recheck",
        "listing_url": PAGE,
        "link_text": f"{WANGTUAN_2020.title}.pdf",
        "listed": False,
        "handle_httpstatus_list": [304, 404, 410],
    }


def test_recheck_happens_once_per_crawl() -> None:
    spider, engine = crawling({PDF: KNOWN_PDF})
    with pytest.raises(DontCloseSpider):
        spider.recheck_known()
    spider.recheck_known()
    assert [r.url for r in engine.scheduled] == [PDF]


def test_recheck_with_nothing_left_lets_the_spider_close() -> None:
    spider, engine = crawling({PAGE: KNOWN_PAGE, OTHER.url: OTHER})
    page_request(spider)
    spider.recheck_known()  # no DontCloseSpider
    assert engine.scheduled == []


def test_recheck_runs_when_the_spider_goes_idle() -> None:
    spider, engine = crawling({PDF: KNOWN_PDF})
    results = spider.crawler.signals.send_catch_log(
        signal=signals.spider_idle, dont_log=DontCloseSpider
    )
    assert [type(r.value) for _, r in results if isinstance(r, Failure)] == [
        DontCloseSpider
    ]
    assert [r.url for r in engine.scheduled] == [PDF]


def test_rechecked_file_now_a_soft_404_is_a_failed_recheck_not_listed() -> None:
    spider, engine = crawling({PDF: KNOWN_PDF})
    with pytest.raises(DontCloseSpider):
        spider.recheck_known()
    answer = response("hanweb/wip/downfile-soft404", engine.scheduled[0])
    record = run(spider.parse_file(answer)).record
    assert (record.kind, record.url, record.failure, record.body) == (
        "recheck",
        PDF,
        "soft_404",
        None,
    )
    assert (record.listed, record.identity) == (False, None)
