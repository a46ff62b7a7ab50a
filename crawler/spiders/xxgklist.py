"""The ``xxgk_list.shtml`` county template (Jiangsu counties; Suqian's sites use it).

* Fingerprint: a 政府信息公开 column whose list page is ``…/xxgk_list.shtml``, items as
  ``<ul class="pageList"><li><a href title>…</a><span class="time">2024-02-26</span>``,
  and the six-argument pager ``createPageHTML('page_div', N, cur, 'xxgk_list', 'shtml',
  total)``. The platform underneath may be TRS or Ucap (开普云): this template is the
  more specific claim, so its detection outbids theirs on these pages.
* Lists: the items are static HTML with root-relative links; the full title is in the
  ``title`` attribute (the link text is cut short); the date is in ``span.time``.
* Pagination: only in the pager script; pages count from 1, so page 2 is
  ``xxgk_list_2.shtml``, then ``xxgk_list_3.shtml``… (there is no ``xxgk_list_1``).
* Reports: ``…/{YYYYMM}/{32 hex}.shtml`` articles (``ArticleTitle``/``PubDate``/
  ``ContentSource`` meta tags, a ``table_content`` 信息公开 table, the body in
  ``<ucapcontent>``) whose attachments sit in a ``div.fujian`` block; a list may also
  link a PDF directly.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from crawler.detect import Detection, Page
from crawler.pages import Link, js_pager
from crawler.spiders.base import ReportSpider, anchor_title

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy

FAMILY = "xxgklist"
ITEMS = '//ul[contains(concat(" ", normalize-space(@class), " "), " pageList ")]/li'
LIST_URL = re.compile(r"/xxgk_list(?:_\d+)?\.shtml$")
SIGNS: tuple[tuple[re.Pattern[str], float, str], ...] = (
    (
        re.compile(r"""<ul[^>]*class=["'][^"']*\bpageList\b"""),
        0.2,
        "items in ul.pageList",
    ),
    (
        re.compile(r"""<span[^>]*class=["']time["']"""),
        0.1,
        "dates in span.time",
    ),
    (
        re.compile(
            r"""createPageHTML\(\s*['"][^'"]*['"]\s*,\s*\d+\s*,\s*\d+\s*,\s*['"]xxgk_list['"]"""
        ),
        0.3,
        "pager createPageHTML('page_div', N, cur, 'xxgk_list', 'shtml', total)",
    ),
    (
        re.compile(r"""href=["'][^"']*/xxgk_list(?:_\d+)?\.shtml["']"""),
        0.1,
        "links to xxgk_list.shtml lists",
    ),
)


class XxgklistSpider(ReportSpider):
    """``xxgk_list.shtml`` columns; see the module docstring for the template's traits."""

    name = "xxgklist"

    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """The list URL, ``ul.pageList`` items with ``span.time``, the xxgk_list pager."""
        score, evidence = 0.0, []
        if LIST_URL.search(page.url.split("?")[0]):
            score += 0.4
            evidence.append("the URL is …/xxgk_list(_N).shtml")
        for pattern, weight, why in SIGNS:
            if pattern.search(page.html):
                score += weight
                evidence.append(why)
        if not evidence:
            return None
        return Detection(FAMILY, round(min(score, 1.0), 2), tuple(evidence))

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        source = self.source_of(response)
        pager = js_pager(response.text)
        if pager and pager.is_first:  # page 1 asks for pages 2…N
            for name in pager.others():
                yield self.list_request(response.urljoin(name), source)
        yield from self.take_listing(response, self.items(response))

    def items(self, response: scrapy.http.Response) -> list[Link]:
        """``ul.pageList`` items: the link (its ``title``) and the ``span.time`` date."""
        out = []
        for li in response.xpath(ITEMS):
            anchor = li.xpath(".//a[@href]")
            if not anchor:
                continue
            date = " ".join(
                li.xpath('.//span[contains(@class, "time")]//text()').getall()
            )
            out.append(Link(anchor[0].attrib["href"], anchor_title(anchor[0]), date))
        return out
