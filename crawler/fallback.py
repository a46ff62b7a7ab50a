"""Reading a column generically: the generic spider's whole way, every family's fallback.

Every family spider reads a source's first page its own way; when that finds nothing
at all (no report, no other page: the family is wrong, or the site was redesigned),
the page is read generically instead (``crawler/generic.py``), with every decision
recorded as such, so the run's summary can say which sources fell back. The generic
spider (``crawler/spiders/generic.py``) reads every page so: it follows the column's
pages and, from a portal's home or 政府信息公开 page, finds the report column itself
(at most :data:`MAX_DEPTH` clicks deep).
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import scrapy
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy.http import TextResponse

from crawler.generic import Reading, read_column, year_template
from crawler.items import FetchRecord, ListingBatch
from crawler.pages import is_document_link
from crawler.recognize import classify, split_title
from processors.identity import REPORT, compact

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from crawler.pages import Link
    from crawler.registry import Source
    from crawler.spiders.base import ReportSpider

MAX_RENDERED_PAGES = 50  # of one column clicked through in a browser
MORE_CONTROL = re.compile(r"^\s*(下一页|下页|后一页|加载更多|查看更多)\s*[>»]?\s*$")
# A page whose list a script builds: a script tag naming its data's URL (jpaas
# unitbuild.js), an empty app to mount (gkmlpt's Vue), inline code that fetches.
BUILT_BY_SCRIPT = re.compile(
    r"<script\b[^>]*\s(?:url|data-url|queryData)\s*="
    r"|<div\s+id=[\"'](?:app|root)[\"']\s*>\s*</div>"
    r"|\bfetch\(|\$\.(?:ajax|get|post|getJSON)\(|XMLHttpRequest|axios\.|\brequire\(\s*\[",
    re.I,
)
# A script's word on how many records a column holds (recordCount: '20', total: 17).
DECLARED_COUNT = re.compile(
    r"(?:recordCount|totalRecord|totalCount|totalNum|total)[\"']?\s*[:=]\s*[\"']?(\d+)"
)
REPORT_OR_YEAR = re.compile(
    r"年报|年度报告|信息公开.{0,8}报告|^\s*(?:19|20)\d\d\s*年度?\s*$"
)
FIRST_YEAR = 2008  # the regulations' first reports: no year before is asked for
MAX_DEPTH = 4  # clicks from a portal's page to its report column (2–4 on real sites)
FELL_BACK = "read generically: the {family} spider found nothing on this source's page"
GENERIC = "read generically"
# What a report's own text says (its sections, its statistics period).
REPORT_TEXT = re.compile(
    r"主动公开政府信息情况|收到和处理政府信息公开申请情况|统计期限"
)


class GenericReading:
    """The generic reading of a column, mixed into every family spider."""

    # Whether a column that only a browser shows whole is rendered (Playwright): the
    # generic spider's own reading does (its settings route requests through the
    # browser handler); a family's fallback does not.
    renders = False

    def parse_start(self, response: scrapy.http.Response) -> Iterator[Any]:
        """A source's first page: the family's reading, else (nothing found) the
        generic one."""
        spider = _spider(self)
        produced = list(spider.parse_list(response))
        if _found_anything(produced) or not _readable(response, produced):
            yield from produced
            return
        yield from (item for item in produced if isinstance(item, FetchRecord))
        source = spider.source_of(response)
        spider.logger.warning(
            "%s: the %s spider found nothing on %s; reading it generically",
            source.id,
            spider.name,
            response.url,
        )
        yield from self.read_generically(response, FELL_BACK.format(family=spider.name))

    def parse_generic(self, response: scrapy.http.Response) -> Iterator[Any]:
        """A page reached by generic reading: its capture, then its reading; a link
        that may be a report titled without its year and turns out to be a report's
        page (nothing of a column on it) is archived as the report."""
        title = response.meta.get("maybe_report")
        if title and isinstance(response, TextResponse) and _a_report_page(response):
            yield from _spider(self).column_was_report(response, title)
            return
        capture, is_list = _spider(self).capture_list(response)
        yield capture
        if is_list:
            yield from self.read_generically(response, response.meta["generic"])

    def read_generically(
        self, response: scrapy.http.Response, note: str = GENERIC
    ) -> Iterator[Any]:
        """Report candidates, the column's other pages, and (with no candidate) the
        links that may lead to the report column."""
        if not isinstance(response, TextResponse):
            return
        spider = _spider(self)
        source = spider.source_of(response)
        reading = read_column(response.url, response.text)
        depth = int(response.meta.get("depth_to_column", 0))
        follow = {"generic": note, "depth_to_column": depth}
        for url in reading.pages:
            if spider.allowed(url, source):
                yield spider.list_request(
                    url, source, callback=self.parse_generic, meta=dict(follow)
                )
        for post in reading.posts:
            yield scrapy.FormRequest(
                post.url,
                formdata=post.form,
                headers={"Referer": response.url},
                callback=self.parse_generic,
                errback=spider.failed,
                meta={"source": source.id, "kind": "list", **follow},
            )
        # A report column says so, or lists reports: its sub-columns (years, units)
        # are inside it (no click nearer to it); any other column link is one more
        # click from the portal.
        in_column = reading.report_column or bool(reading.reports)
        if depth < MAX_DEPTH or in_column:
            # from outside a report column, a link is a guess: not there is no failure
            deeper = {
                **follow,
                "depth_to_column": depth + (not in_column),
                "guess": not in_column,
            }
            for url in _columns_to_follow(response.url, reading):
                if spider.allowed(url, source):
                    maybe = reading.maybe_reports.get(url)
                    yield spider.list_request(
                        url,
                        source,
                        callback=self.parse_generic,
                        meta={
                            **deeper,
                            "maybe_report": maybe,
                            "listing_url": response.url,
                        }
                        if maybe
                        else dict(deeper),
                    )
        if reading.reports:
            yield from spider.take_listing(response, reading.reports, note=note)
            yield from self.year_probes(response, reading.reports, note)
        if self.renders and needs_rendering(response, reading):
            yield spider.list_request(
                response.url,
                source,
                callback=self.parse_rendered,
                dont_filter=True,
                meta={
                    **follow,
                    "playwright": True,
                    "playwright_include_page": True,
                    "rendered": True,
                },
            )

    async def parse_rendered(
        self, response: scrapy.http.Response
    ) -> AsyncIterator[Any]:
        """A column that only a browser shows whole: its rendered report links, page
        after page (clicking 下一页 / 加载更多 while it shows new ones)."""
        spider = _spider(self)
        page = response.meta["playwright_page"]
        links: dict[str, Link] = {}
        maybe: dict[
            str, str
        ] = {}  # reports titled without their year (see parse_generic)
        try:
            await _settled(page)
            html = await page.content()
            for _ in range(MAX_RENDERED_PAGES):
                reading = read_column(response.url, html)
                new = [link for link in reading.reports if link.url not in links]
                links.update((link.url, link) for link in new)
                maybe.update(reading.maybe_reports)
                more = page.get_by_text(MORE_CONTROL)
                if (
                    not new
                    or await more.count() == 0
                    or not await more.first.is_visible()
                ):
                    break
                await more.first.click()
                html = await _changed(page, html)
                if html is None:
                    break
        finally:
            await page.close()
        yield spider.record(response, via="playwright")
        note = f"{response.meta.get('generic', GENERIC)}, rendered in a browser"
        for item in spider.take_listing(response, list(links.values()), note=note):
            yield item
        source = spider.source_of(response)
        for url, title in maybe.items():
            if spider.allowed(url, source):
                meta = {
                    "generic": note,
                    "maybe_report": title,
                    "listing_url": response.url,
                }
                yield spider.list_request(
                    url, source, callback=self.parse_generic, meta=meta
                )

    def year_probes(
        self, response: TextResponse, links: list[Link], note: str
    ) -> Iterator[scrapy.Request]:
        """Reports whose URL names their year in a parameter (a unit linked at its
        latest year only, ``…?area=…&fbtime=2024``): the year before the earliest one
        listed is asked for, and so on down while each answer is that year's report."""
        spider = _spider(self)
        source = spider.source_of(response)
        earliest: dict[str, int] = {}
        for link in links:
            found = year_template(response.urljoin(link.url))
            if found and (link.reason or classify(link.title)[0]):
                template, year = found
                earliest[template] = min(year, earliest.get(template, year))
        for template, year in earliest.items():
            yield self.year_probe(response, source, template, year - 1, note)

    def year_probe(
        self,
        response: scrapy.http.Response,
        source: Source,
        template: str,
        year: int,
        note: str,
    ) -> scrapy.Request:
        spider = _spider(self)
        meta = {
            "generic": note,
            "guess": True,
            "probe": (template, year),
            "listing_url": response.meta.get("listing_url", response.url)
            if "probe" in response.meta
            else response.url,
        }
        return spider.list_request(
            template.replace("{year}", str(year)),
            source,
            callback=self.parse_year_probe,
            meta=meta,
        )

    def parse_year_probe(self, response: scrapy.http.Response) -> Iterator[Any]:
        """A year asked for by :meth:`year_probes`: that year's report (archived as
        listed, and the year before asked for), or an answer without one (the end)."""
        spider = _spider(self)
        template, year = response.meta["probe"]
        title = _heading(response) if isinstance(response, TextResponse) else ""
        if (
            not isinstance(response, TextResponse)
            or split_title(title)[1] != year
            or not classify(title)[0]
        ):
            # no report that year: the end (a page saying so is no failure either)
            missing = response.status == 200 and isinstance(response, TextResponse)
            yield (
                spider.record(response) if missing else spider.capture_list(response)[0]
            )
            return
        yield from spider.column_was_report(response, title)
        if year > FIRST_YEAR:
            source = spider.source_of(response)
            yield self.year_probe(
                response, source, template, year - 1, response.meta["generic"]
            )


def _spider(mixin: GenericReading) -> ReportSpider:
    """The spider this reading is mixed into (every ReportSpider)."""
    return cast("ReportSpider", mixin)


def _columns_to_follow(url: str, reading: Reading) -> list[str]:
    """The column links worth a click: all of them from a page without reports (a
    portal's way to its report column); from a report column only its sub-columns
    (under its folder, or named for years or units' reports), never the navigation
    and breadcrumb columns around it."""
    if not reading.reports:
        return reading.columns
    folder = urlsplit(url).path.rsplit("/", 1)[0] + "/"
    return [
        column
        for column in reading.columns
        if urlsplit(column).path.startswith(folder)
        or REPORT_OR_YEAR.search(reading.column_titles.get(column, ""))
    ]


def needs_rendering(response: scrapy.http.Response, reading: Reading) -> bool:
    """Does a page's column show itself only in a browser? Not rendered already, and
    either a script builds its list (a script that fetches, or an empty app to mount)
    where the page lists no report and no sub-column says where they are, or its
    script counts more records than the page lists with no page to follow."""
    if response.meta.get("rendered") or not isinstance(response, TextResponse):
        return False
    text = response.text
    if text.lstrip().startswith(("{", "[")):  # a JSON answer: nothing to render
        return False
    if not reading.reports:
        columns_say_where = reading.columns and not reading.report_column
        return bool(BUILT_BY_SCRIPT.search(text)) and not (
            columns_say_where or _only_sub_columns(reading)
        )
    if reading.pages or reading.posts:
        return False
    counts = [int(n) for n in DECLARED_COUNT.findall(text) if int(n) < 100_000]
    return any(n > reading.items for n in counts)


def _only_sub_columns(reading: Reading) -> bool:
    """A report column that is only its sub-columns (years, units): they hold the
    reports, each read on its own."""
    titles = [reading.column_titles.get(c, "") for c in reading.columns]
    return bool(titles) and all(REPORT_OR_YEAR.search(t) for t in titles)


async def _settled(page: Any) -> None:
    """Wait until the page's scripts have fetched what they fetch (no request for
    half a second), at most 15 s: the list is built after the page's load event."""
    with suppress(PlaywrightTimeout):  # a page that polls for ever: read what it shows
        await page.wait_for_load_state("networkidle", timeout=15_000)


async def _changed(page: Any, before: str) -> str | None:
    """The page's HTML once a click has changed it (None after 10 s without change)."""
    for _ in range(50):
        await page.wait_for_timeout(200)
        if await page.content() != before:
            await _settled(page)  # let the rest of the list arrive
            return str(await page.content())
    return None


def _heading(response: TextResponse) -> str:
    """A page's own title: its first ``<h1>``, else its ``<title>``."""
    for path in ("//h1", "//title"):
        text = " ".join(response.xpath(f"string({path})").get("").split())
        if text:
            return text
    return ""


def _a_report_page(response: TextResponse) -> bool:
    """Is a page reached as a column a report's page: it offers nothing of a column
    (no report link, page or sub-column) and its heading names a report?"""
    reading = read_column(response.url, response.text)
    if reading.reports or reading.pages or reading.posts:
        return False  # its navigation's column links say nothing either way
    headings = response.xpath("//h1 | //title").xpath("string()").getall()
    if not any(REPORT.search(compact(h)) for h in headings):
        return False
    text = compact(response.xpath("string(//body)").get(""))
    files = response.xpath("//a/@href").getall()
    return bool(REPORT_TEXT.search(text)) or any(map(is_document_link, files))


def _found_anything(produced: list[Any]) -> bool:
    """Did a family's reading of a page yield a request or a listed item?"""
    return any(
        not isinstance(item, FetchRecord | ListingBatch)
        or (isinstance(item, ListingBatch) and item.entries)
        for item in produced
    )


def _readable(response: scrapy.http.Response, produced: list[Any]) -> bool:
    """A page that arrived whole (its capture did not fail) and is text."""
    captures = [item for item in produced if isinstance(item, FetchRecord)]
    return isinstance(response, TextResponse) and all(not c.failure for c in captures)
