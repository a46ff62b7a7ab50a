"""TRS WCM static publishing: the most common family for provinces and cities.

* Fingerprint: articles at ``…/{column}/YYYYMM/tYYYYMMDD_{docid}.html`` (``.shtml`` or
  ``.htm`` on some sites) with ``ArticleTitle``/``PubDate``/``ContentSource`` meta tags
  and the body in ``div.TRS_Editor`` (newer editor: ``div.trs_editor_view``); files are
  relative ``./P0{YYYYMMDD}….pdf|.doc|.docx``; every link of a page is written
  relative to it (``./``, ``../``) unless the template says otherwise.
* Lists: static items — ``<li>``, ``<table><tr>`` rows or ``<dl><dd>`` items — whose
  links are ``./…``, ``../…`` (documents quoted from another channel), root-relative
  ``/…`` or absolute; the date sits in the item (a ``<span>``, the row's next cell, the
  next ``<dd>``, sometimes in brackets).
* Pagination: the page count exists only in inline JavaScript. ``var countPage = N``
  (its links name the pages) and ``createPageHTML(N, cur, "index", "html")`` count pages
  from 0: page 2 is ``index_1.html``. The six-argument
  ``createPageHTML('page_div', N, cur, 'index', 'shtml', total)`` counts from 1: page 2
  is ``index_2.shtml`` (its common.js writes ``name_N.ext`` for pages 2…N and never
  ``index_1``; seen so on real sites and in public scrapers of them). The extension is
  the pager's (``index.shtml``, ``index_1.htm``…), never assumed.
* Multi-page articles: a long article is split into ``t…_1.html``, ``t…_2.html``… with
  its own ``countPage`` in ``#autopage``; the first page asks for the others, filed
  under the same report (one report: the text of all its pages).
* Reposts: a county's column may list the city's or the province's report; the body
  is the report's own (from its title), never the county's with its prefix.
* Quirks: upper-case path segments (``/xxgk/XXGK/XXGKNB/``); unit sub-columns
  (``./szfbgs/``, quirk ``subcolumns``); columns in GBK, sometimes declared only in
  ``<meta>`` (and as gb2312 while using GBK-only characters: read as GB18030).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from crawler.detect import Detection, Page
from crawler.pages import Link, is_document_link, js_pager
from crawler.spiders.base import ReportSpider, anchor_title

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy
    from parsel import Selector


ARTICLE = re.compile(r"(?:^|/)\d{6}/t\d{8}_\d+\.s?html?$")
ARTICLE_URL = re.compile(r"/t\d{8}_\d+(?:_\d+)?\.s?html?$")
SUBCOLUMN = re.compile(r"^\./[A-Za-z0-9_]+/(index\.s?html)?$")
# The places above a source that its region names ("山东省潍坊市安丘市" → 山东省, 潍坊市).

# ---------------------------------------------------------------- detection
FAMILY = "trs"
ARTICLE_LINK = re.compile(r"""href=["'][^"']*\d{6}/t\d{8}_\d+\.s?html?["']""")
LISTED = 3  # article links that make a list (a portal's home shows a news item or two)
SIGNS: tuple[tuple[re.Pattern[str], float, str], ...] = (
    (
        re.compile(r"var\s+countPage\s*=|createPageHTML\(\s*\d"),
        0.3,
        "page count only in a countPage / createPageHTML(N, cur, …) script",
    ),
    (
        re.compile(r"createPageHTML\(\s*['\"]"),
        0.2,
        "six-argument createPageHTML('page_div', N, cur, …) pager",
    ),
    (
        re.compile(r"TRS_Editor|trs_editor_view|TRS_UEDITOR|OLDSRC=|/P0\d{8,}\.\w+"),
        0.3,
        "TRS editor body or P0… files",
    ),
    (
        re.compile(r"""href=["']\.\.?/"""),
        0.2,
        "links written relative to the page (./, ../)",
    ),
    (
        re.compile(r"""href=["']\./[A-Za-z0-9_]+/["']"""),
        0.2,
        "channel sub-directories (./name/)",
    ),
    (re.compile(r"""<meta\s+name=["']ColumnType["']"""), 0.1, "meta ColumnType"),
)
# Other families' fingerprints: on their pages TRS claims little (TRS sits under some).
OTHERS: tuple[tuple[re.Pattern[str], float, str], ...] = (
    (
        re.compile(
            r"/col/col\d+/|jpage|dataproxy\.jsp|/art/\d{4}/\d{1,2}/\d{1,2}/art_|xxgkAnnualReport"
        ),
        0.2,
        "Hanweb marks (/col/colN, jpage, /art/…)",
    ),
    (
        re.compile(r"avalon|ms-controller|fjdzapp"),
        0.3,
        "Fujian 集约化 front end (avalon, fjdzapp)",
    ),
    (
        re.compile(r"""xxgk_list(?:_\d+)?\.shtml|class=["']pageList["']"""),
        0.3,
        "the xxgk_list.shtml county template",
    ),
    (
        re.compile(r"<ucapcontent|websiteCode|/search4/s"),
        0.3,
        "Ucap (开普云) marks",
    ),
    (re.compile(r"/gkmlpt/|post_\d+\.html"), 0.2, "Guangdong gkmlpt marks"),
    (
        re.compile(r"/site_\w+/channel_\w+/"),
        0.3,
        "a site_…/channel_…/doc_… platform",
    ),
)
LIST_URL = re.compile(r"/(?:index(?:_\d+)?\.s?html?)?$")


def item_text(anchor: Selector) -> str:
    """The text of a link's list item, where its date is: the ``<li>``, the table row,
    the ``<dl>`` of one item (else the ``<dd>`` and the next one)."""
    for axis in ("ancestor::li[1]", "ancestor::tr[1]"):
        found = anchor.xpath(axis)
        if found:
            return " ".join(found[0].xpath(".//text()").getall())
    dd = anchor.xpath("ancestor::dd[1]")
    if dd:
        dl = dd[0].xpath("parent::dl")
        if dl and len(dl[0].xpath(".//a[@href]")) == 1:
            return " ".join(dl[0].xpath(".//text()").getall())
        nodes = [dd[0], *dd[0].xpath("following-sibling::dd[1]")]
        return " ".join(t for n in nodes for t in n.xpath(".//text()").getall())
    return " ".join(anchor.xpath("..//text()").getall())


class TrsSpider(ReportSpider):
    """TRS WCM sites; see the module docstring for the family's traits."""

    name = "trs"

    # ------------------------------------------------------------------ detection
    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """TRS static publishing: tYYYYMMDD_id articles, the JS page counter, the TRS
        editor and P0 files, links relative to the page, channel directories."""
        score, evidence = 0.0, []
        articles = len(ARTICLE_LINK.findall(page.html))
        if articles >= LISTED:
            score += 0.5
            evidence.append("links to …/YYYYMM/tYYYYMMDD_id articles")
        elif articles:
            score += 0.2
            evidence.append(f"{articles} link(s) to a tYYYYMMDD_id article")
        for pattern, weight, why in SIGNS:
            if pattern.search(page.html):
                score += weight
                evidence.append(why)
        if ARTICLE_URL.search(page.url):
            score += 0.3
            evidence.append("the URL is a tYYYYMMDD_id article")
        elif LIST_URL.search(page.url.split("?")[0]) and "/col/" not in page.url:
            score += 0.1
            evidence.append("the URL is a channel directory (…/ or index.ext)")
        if not evidence:
            return None
        cap = 1.0
        for pattern, ceiling, why in OTHERS:
            if pattern.search(page.url) or pattern.search(page.html):
                cap = min(cap, ceiling)
                evidence.append(f"but {why}")
        return Detection(FAMILY, round(min(score, cap), 2), tuple(evidence))

    # ------------------------------------------------------------------ lists
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
        pager = js_pager(response.text)
        if pager and pager.is_first:  # the first page asks for the others
            for name in pager.others():
                yield self.list_request(response.urljoin(name), source)
        yield from self.take_listing(response, self.items(response))

    def items(self, response: scrapy.http.Response) -> list[Link]:
        """Every article or file link of the page's items (li, tr or dd)."""
        return [
            Link(a.attrib["href"], anchor_title(a), item_text(a))
            for a in response.xpath("//a[@href]")
            if ARTICLE.search(_path(a.attrib["href"]))
            or is_document_link(a.attrib["href"])
        ]


def _path(href: str) -> str:
    """A link's path, without query or fragment."""
    return re.split(r"[?#]", href, maxsplit=1)[0]
