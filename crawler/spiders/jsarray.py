"""Columns delivered by JavaScript: JS-array lists, href-less links, encoded pagers.

Not one CMS but three real ways a column's template hides its links from an HTML
parser, met together on one portal (each unit column its own widget):

* Fingerprint: a JavaScript array of list items ``var itemObj=[{aT:"title",
  aPd:"2024-01-20",aU:"/…/t20240120_123.html"}, …]`` (国家疾控局-style); links
  without ``href`` whose URL is only in ``onclick="isDownLoad(this,'https://…')"``
  (Tianjin-style); a ``div#pages`` holding the pager's HTML URL-encoded and base64-
  encoded, decoded by ``decodeURIComponent(window.atob(…))`` (Yunnan-style).
* Lists: the array's items (title ``aT``, date ``aPd``, URL ``aU``), or ``<li>``
  links, by ``href`` or by their ``isDownLoad`` URL; a list item may be the file itself.
* Pagination: only in the decoded ``div#pages`` (``index_2.html``… here; whatever
  it links is followed, on the source's hosts).
* Annual reports: TRS-published articles (``tYYYYMMDD_id.html``, ``ArticleTitle``
  meta, ``div.TRS_Editor``) whose attachments are ``P0….pdf`` links, some of them
  ``isDownLoad`` onclicks too.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import lxml.html

from crawler.detect import Detection
from crawler.pages import Link, is_document_link
from crawler.spiders.base import (
    ATTACHMENT_BLOCKS,
    CONTENT,
    ReportSpider,
    anchor_title,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy
    from scrapy.http import TextResponse

    from crawler.detect import Page

ARTICLE = re.compile(r"/t\d{8}_\d+\.s?html?$")
ARRAY = re.compile(r"var\s+\w+\s*=\s*(\[\s*\{.*?\}\s*\])\s*;", re.S)
OBJECT = re.compile(r"\{([^{}]*)\}")
PAIR = re.compile(r"""(\w+)\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
ARTICLE_ONCLICKS = " | ".join(
    f"{x}//a[@onclick]" for x in (*CONTENT, *ATTACHMENT_BLOCKS)
)
ON_CLICK = re.compile(r"""isDownLoad\(\s*this\s*,\s*['"]([^'"]+)['"]\s*\)""")
PAGES = re.compile(
    r"""<div[^>]*\bid=["']pages["'][^>]*>\s*([A-Za-z0-9+/=%\s]{8,}?)\s*</div>"""
)
FINGERPRINTS = (  # (sign, weight, evidence): weights add up, capped at 1
    (
        re.compile(r"""\{\s*aT\s*:\s*["'].*?\baU\s*:\s*["']""", re.S),
        0.6,
        "a JS array of list items {aT, aPd, aU}",
    ),
    (
        re.compile(r"""id=["']pages["'][^>]*>\s*[A-Za-z0-9+/=]{16,}"""),
        0.3,
        "a base64 pager in div#pages",
    ),
    (re.compile(r"window\.atob\("), 0.2, "decoded by window.atob"),
    (
        re.compile(r"""onclick=["']isDownLoad\(this,\s*'"""),
        0.4,
        "links only in onclick=isDownLoad(this,'…')",
    ),
)


def js_items(html: str) -> list[Link]:
    """The items of JavaScript arrays of ``{aT, aPd, aU}`` objects (keys unquoted)."""
    out = []
    for array in ARRAY.findall(html):
        for body in OBJECT.findall(array):
            values = {key: _js_string(text) for key, text in PAIR.findall(body)}
            if values.get("aU") and values.get("aT"):
                out.append(Link(values["aU"], values["aT"], values.get("aPd", "")))
    return out


def _js_string(literal: str) -> str:
    if literal.startswith('"'):
        try:
            return str(json.loads(literal))
        except ValueError:
            pass
    return literal[1:-1].replace("\\'", "'").replace('\\"', '"')


def decoded_pager(html: str) -> str:
    """The pager's HTML hidden in ``div#pages``: base64 of URL-encoded HTML (or the
    other way round); '' when there is none."""
    found = PAGES.search(html)
    if not found:
        return ""
    text = re.sub(r"\s+", "", found.group(1))
    for attempt in (text, unquote(text)):
        try:
            raw = base64.b64decode(attempt, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        decoded = unquote(raw) if "%3C" in raw.upper() else raw
        if "<" in decoded:
            return decoded
    return ""


def pager_links(html: str) -> list[str]:
    """The hrefs of the decoded pager, in order, once each."""
    pager = decoded_pager(html)
    if not pager:
        return []
    hrefs = lxml.html.fromstring(f"<div>{pager}</div>").xpath("//a/@href")
    return list(dict.fromkeys(str(h) for h in hrefs))


class JsarraySpider(ReportSpider):
    """Columns listed by JavaScript; see the module docstring for the traits."""

    name = "jsarray"

    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """A ``{aT, aPd, aU}`` item array, a base64 ``div#pages`` pager decoded by
        ``window.atob``, ``isDownLoad`` onclick links."""
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
        for href in pager_links(response.text):
            url = response.urljoin(href)
            if url != response.url and self.allowed(url, source):
                yield self.list_request(url, source)
        yield from self.take_listing(
            response, self.anchor_items(response) + js_items(response.text)
        )

    def anchor_items(self, response: scrapy.http.Response) -> list[Link]:
        """``<li>`` links to articles or files, by ``href`` or by ``isDownLoad`` URL."""
        links = []
        for a in response.xpath("//li//a[@href or @onclick]"):
            clicked = ON_CLICK.search(a.attrib.get("onclick", ""))
            href = a.attrib.get("href", "")
            url = href if ARTICLE.search(href) or is_document_link(href) else ""
            url = url or (clicked.group(1) if clicked else "")
            if url:
                date = " ".join(a.xpath("ancestor::li[1]//text()").getall())
                links.append(Link(url, anchor_title(a), date))
        return links

    def attachment_links(self, response: TextResponse) -> list[Link]:
        """The base's file links, and files of the article opened only by an
        ``isDownLoad`` onclick (in its body or attachment block, not the page's)."""
        links = super().attachment_links(response)
        seen = {link.url for link in links}
        for a in response.xpath(ARTICLE_ONCLICKS):
            clicked = ON_CLICK.search(a.attrib["onclick"])
            url = clicked.group(1) if clicked else ""
            if is_document_link(url) and url not in seen:
                seen.add(url)
                text = " ".join(a.xpath(".//text()").getall()).strip()
                links.append(Link(url, text))
        return links
