"""Guangdong NFCMS (南方 CMS) columns: Guangzhou's and Shenzhen's ordinary columns.

* Fingerprint: every page sets ``window.NFCMS_SITE_ID`` (columns also ``NFCMS_CAT_ID``)
  for the ``statistics.gd.gov.cn`` counter; articles at ``…/content/post_{id}.html``
  (``mpost_`` on mobile) with ``ArticleTitle``/``PubDate``/``ContentSource``/``ArticleId``
  meta tags and the body in ``div.news_cont_d_wrap`` (or ``.article-content``).
* Lists: static ``<li>`` items with absolute links and a ``span.time`` date; the pager
  is static links: ``index.html``, then ``index_2.html`` … (some sites count from
  ``index_1.html``: the pager's own links say which, and its 尾页 the last page).
* Annual reports: a 年报 column split into unit groups and one folder per year
  (``/zfxxgknb/{gq|bm}/2024n/``), each folder holding many units' reports; the spider
  follows every sub-column under the source's start URL. Reports posted as bare files
  are linked from the list straight to ``/attachment/{a}/{b}/{n}/{id}.pdf``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.detect import Detection, Page
from crawler.pages import Link, is_document_link, js_pager
from crawler.spiders.base import ReportSpider, anchor_title

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy
    from scrapy.http import TextResponse

    from crawler.recognize import Evidence
    from crawler.registry import Source

ARTICLE = re.compile(r"/content/m?post_\d+\.html?$")
PAGER_LINK = re.compile(r"/index_(\d+)\.s?html?$")
COLUMN = re.compile(r"/(index\.s?html?)?$")
BODY = (
    '//div[contains(@class, "news_cont_d_wrap") or contains(@class, "article-content")]'
)
SITE_ID = re.compile(r"NFCMS_SITE_ID\s*=")
CAT_ID = re.compile(r"NFCMS_(?:CAT_ID|PUB_TYPE)\s*=")


def directory(url: str) -> str:
    """A column URL's folder: ``https://host/zfxxgknb/index.html`` → ``…/zfxxgknb/``."""
    return url[: url.rindex("/") + 1]


def pager_pages(response: scrapy.http.Response) -> list[str]:
    """Every list page after the first, from the pager's links (index_N, first N 1 or 2,
    the highest N the last page), else from a ``createPageHTML``/``countPage`` script."""
    here = directory(response.url)
    urls = [response.urljoin(href) for href in response.xpath("//a/@href").getall()]
    numbers = sorted(
        {
            int(found.group(1))
            for url in urls
            if (found := PAGER_LINK.search(url)) and directory(url) == here
        }
    )
    if numbers:
        first = min(numbers[0], 2)
        return [f"{here}index_{n}.html" for n in range(first, numbers[-1] + 1)]
    pager = js_pager(response.text)
    return [f"{here}{name}" for name in pager.others()] if pager else []


class NfcmsSpider(ReportSpider):
    """NFCMS report columns; see the module docstring for the family's traits."""

    name = "nfcms"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Sub-columns asked for: every year folder's menu links all its siblings.
        self.columns: set[str] = set()

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        source = self.source_of(response)
        yield from self.subcolumns(response, source)
        if not PAGER_LINK.search(response.url):  # the first page asks for the others
            for url in pager_pages(response):
                yield self.list_request(url, source)
        yield from self.take_listing(response, self.items(response))

    def subcolumns(
        self, response: scrapy.http.Response, source: Source
    ) -> Iterator[scrapy.Request]:
        """Columns under the source's start folders (unit groups, year folders)."""
        roots = [directory(url) for url in source.start_urls]
        here = directory(response.url)
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href).split("#", 1)[0]
            folder = directory(url)
            if (
                COLUMN.search(urlsplit(url).path)
                and not here.startswith(folder)  # not this column nor one above it
                and any(folder.startswith(root) and folder != root for root in roots)
                and folder not in self.columns
            ):
                self.columns.add(folder)
                yield self.list_request(url, source)

    def items(self, response: scrapy.http.Response) -> list[Link]:
        """The column's items: articles and files linked from ``<li>`` entries."""
        links = []
        for a in response.xpath("//li//a[@href]"):
            href = a.attrib["href"]
            if ARTICLE.search(href) or is_document_link(href):
                item = a.xpath("ancestor::li[1]")
                date = " ".join(
                    item.xpath(".//*[contains(@class, 'time')]//text()").getall()
                )
                text = date or " ".join(item.xpath(".//text()").getall())
                links.append(Link(href, anchor_title(a), text))
        return links

    # ------------------------------------------------------------------ report pages
    def page_evidence(self, response: TextResponse) -> Evidence:
        """The base's evidence, with the text of ``news_cont_d_wrap`` (the base reads
        only the TRS/Hanweb/Ucap containers) for the statistics-period year."""
        evidence = super().page_evidence(response)
        body = " ".join(n.xpath("string()").get("") for n in response.xpath(BODY))
        if body.strip() and not evidence.text.strip():
            evidence = replace(evidence, text=body[:5000])
        return evidence

    def attachment_links(self, response: TextResponse) -> list[Link]:
        """The base's links plus files linked from inside ``news_cont_d_wrap``."""
        links = super().attachment_links(response)
        seen = {link.url for link in links}
        for a in response.xpath(f"{BODY}//a[@href]"):
            href = a.attrib["href"]
            if is_document_link(href) and href not in seen:
                seen.add(href)
                links.append(
                    Link(href, " ".join(a.xpath(".//text()").getall()).strip())
                )
        return links

    # ------------------------------------------------------------------ detection
    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """NFCMS's statistics ids, its ``content/post_{id}`` articles and their body div."""
        url, html = page.url, page.html
        evidence, score = [], 0.0
        if SITE_ID.search(html):  # no other CMS names itself so
            score += 0.6
            evidence.append("window.NFCMS_SITE_ID")
        if CAT_ID.search(html):
            score += 0.2
            evidence.append("NFCMS_CAT_ID / NFCMS_PUB_TYPE")
        if "statistics.gd.gov.cn" in html:
            score += 0.1
            evidence.append("statistics.gd.gov.cn counter")
        if ARTICLE.search(url) or re.search(r"/content/m?post_\d+\.html", html):
            score += 0.2
            evidence.append("content/post_{id}.html articles")
        if "news_cont_d_wrap" in html:
            score += 0.2
            evidence.append("div.news_cont_d_wrap body")
        if not score:
            return None
        return Detection(cls.name, round(min(score, 1.0), 2), tuple(evidence))
