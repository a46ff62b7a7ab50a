"""TRS WCM static publishing: the most common family for provinces and cities.

* Fingerprint: articles at ``…/{column}/YYYYMM/tYYYYMMDD_{docid}.html`` with
  ``ArticleTitle``/``PubDate``/``ContentSource`` meta tags and the body in
  ``div.TRS_Editor``; files are relative ``./P0{YYYYMMDD}….pdf|.doc|.docx``.
* Lists: static ``<li>`` links, but the page count exists only in inline JavaScript
  (``var countPage = N`` or ``createPageHTML(N, 0, "index", "html")``); page 2 is
  ``index_1.html``.
* Quirks: upper-case path segments (``/xxgk/XXGK/XXGKNB/``); unit sub-columns
  (``./szfbgs/``); columns in GBK, sometimes declared only in ``<meta>`` (and as
  gb2312 while using GBK-only characters: read as GB18030).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from crawler.pages import Link, is_document_link, js_page_count
from crawler.spiders.base import ReportSpider, list_item_link

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy

ARTICLE = re.compile(r"^\./\d{6}/t\d{8}_\d+\.s?html?$")
SUBCOLUMN = re.compile(r"^\./[A-Za-z0-9_]+/(index\.s?html)?$")


class TrsSpider(ReportSpider):
    """TRS WCM sites; see the module docstring for the family's traits."""

    name = "trs"

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        source = self.source_of(response)
        if source.quirk("subcolumns"):
            for href in response.xpath("//a/@href").getall():
                if SUBCOLUMN.match(href):
                    yield self.list_request(response.urljoin(href), source)
        pager = js_page_count(response.text)
        if pager and re.search(
            r"/(index\.s?html?)?$", response.url
        ):  # page 0 asks for the others
            count, name, ext = pager
            for n in range(1, count):
                yield self.list_request(response.urljoin(f"{name}_{n}.{ext}"), source)
        yield from self.take_listing(response, self.items(response))

    def items(self, response: scrapy.http.Response) -> list[Link]:
        return [
            list_item_link(a)
            for a in response.xpath("//li//a[@href]")
            if ARTICLE.match(a.attrib["href"]) or is_document_link(a.attrib["href"])
        ]
