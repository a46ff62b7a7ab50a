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
from typing import TYPE_CHECKING, Any, cast

import scrapy
from scrapy.http import TextResponse

from crawler.generic import read_column
from crawler.items import FetchRecord, ListingBatch
from crawler.pages import is_document_link
from processors.identity import REPORT, compact

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.spiders.base import ReportSpider

MAX_DEPTH = 4  # clicks from a portal's page to its report column (2–4 on real sites)
FELL_BACK = "read generically: the {family} spider found nothing on this source's page"
GENERIC = "read generically"
# What a report's own text says (its sections, its statistics period).
REPORT_TEXT = re.compile(
    r"主动公开政府信息情况|收到和处理政府信息公开申请情况|统计期限"
)


class GenericReading:
    """The generic reading of a column, mixed into every family spider."""

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
        if depth < MAX_DEPTH or reading.report_column:
            # Sub-columns of a report column (years, units) are inside it: no click
            # nearer to it; any other column link is one more click from the portal.
            deeper = {**follow, "depth_to_column": depth + (not reading.report_column)}
            for url in reading.columns:
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


def _spider(mixin: GenericReading) -> ReportSpider:
    """The spider this reading is mixed into (every ReportSpider)."""
    return cast("ReportSpider", mixin)


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
