"""开普云 / Ucap: Jiangsu Suqian/Shuyang, Jiangxi Huichang, Anhui Bengbu, Sichuan cities.

* Fingerprint: articles at ``…/{unit}/gknb/{YYYYMM}/{32 hex}.shtml`` whose body sits
  in the non-standard tags ``<ucaptitle>``, ``<ucapcontent>``, ``<publishtime>``; the
  pages declare ``websiteId``/``websiteCode`` in JavaScript, search through
  ``/search4/s?siteCode=…``, and carry a ``ColumnName`` meta tag that says "头部".
* Lists: ``list.shtml``, then ``list_2.shtml``… (pages count from 1); static
  ``<li><a title>`` items (root-relative links) with the date in ``span.time``; the
  page count only in ``createPageHTML('page_div', N, cur, 'list', 'shtml', total)``.
* Annual reports: one 公开年报 column per unit (``/{unit}/gknb/list.shtml``); the
  portal's 信息公开年报 page only links the units' columns, and is followed as such.
* Quirks: an article's attachment is linked only from the 文件下载 row of the 信息公开
  table (``table.table_content``) above the body, not from the body itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from crawler.detect import Detection
from crawler.pages import Link, is_document_link
from crawler.spiders.base import ReportSpider, list_item_link

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy
    from scrapy.http import TextResponse

    from crawler.detect import Page

ARTICLE = re.compile(r"/\d{6}/[0-9a-f]{32}\.shtml$")
SUBCOLUMN = re.compile(r"(^|/)list\.shtml$")
# createPageHTML('page_div', N, cur, 'list', 'shtml', total): pages count from 1.
PAGER = re.compile(
    r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,"
    r"\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]"
)
TABLE_LINKS = '//table[contains(@class, "table_content")]//a[@href]'
FINGERPRINTS = (  # (sign, weight, evidence): weights add up, capped at 1
    (
        re.compile(r"<ucapcontent|<ucaptitle|<publishtime", re.I),
        0.6,
        "<ucapcontent> tags",
    ),
    (
        # other Jiangsu county templates (xxgk_list.shtml) link such articles too
        re.compile(r"""href=["'][^"']*/\d{6}/[0-9a-f]{32}\.shtml["']"""),
        0.3,
        "links to /YYYYMM/{32 hex}.shtml articles",
    ),
    (
        re.compile(r"\bwebsiteId\b.{0,80}\bwebsiteCode\b", re.S),
        0.45,
        "websiteId/websiteCode in JavaScript",
    ),
    # 开普云's search serves sites of other CMSs too: weak alone.
    (re.compile(r"/search4/s\b"), 0.15, "the /search4/s search"),
    (
        re.compile(r"""<meta name=["']ColumnName["'] content=["']头部["']"""),
        0.15,
        'the ColumnName meta tag "头部"',
    ),
    (
        re.compile(r"""href=["'][^"']*/list(?:_\d+)?\.shtml["']"""),
        0.1,
        "list.shtml columns",
    ),
    (re.compile(r"table_content"), 0.1, "the table_content 信息公开 table"),
)


class UcapSpider(ReportSpider):
    """开普云 / Ucap sites; see the module docstring for the family's traits."""

    name = "ucap"

    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """``<ucapcontent>`` tags, 32-hex ``.shtml`` article links, the ``websiteId``/
        ``websiteCode`` variables and the ``/search4/s`` search: 开普云's pages."""
        found, sure = [], 0.0
        for sign, weight, evidence in FINGERPRINTS:
            if sign.search(page.html):
                found.append(evidence)
                sure += weight
        if not found:
            return None
        return Detection(cls.name, round(min(sure, 1.0), 2), tuple(found))

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        source = self.source_of(response)
        items = self.items(response)
        if not items:  # an index of the units' columns
            for href in response.xpath("//a/@href").getall():
                if SUBCOLUMN.search(href) and response.urljoin(href) != response.url:
                    yield self.list_request(response.urljoin(href), source)
            return
        pager = PAGER.search(response.text)
        if pager and pager.group(2) == "1":  # the first page asks for the others
            count, name, ext = int(pager.group(1)), pager.group(3), pager.group(4)
            for n in range(2, count + 1):
                yield self.list_request(response.urljoin(f"{name}_{n}.{ext}"), source)
        yield from self.take_listing(response, items)

    def items(self, response: scrapy.http.Response) -> list[Link]:
        return [
            list_item_link(a)
            for a in response.xpath("//li//a[@href]")
            if ARTICLE.search(a.attrib["href"]) or is_document_link(a.attrib["href"])
        ]

    def attachment_links(self, response: TextResponse) -> list[Link]:
        """The body's files, and those of the 信息公开 table's 文件下载 row."""
        links = super().attachment_links(response)
        seen = {link.url for link in links}
        for a in response.xpath(TABLE_LINKS):
            href = a.attrib["href"]
            if is_document_link(href) and href not in seen:
                seen.add(href)
                links.append(
                    Link(href, " ".join(a.xpath(".//text()").getall()).strip())
                )
        return links
