"""Hanweb 大汉 jcms, its xxgk module and the newer jpaas: Shandong, Jiangsu, Zhejiang…

* Fingerprint: columns at ``/col/col{id}/index.html``, articles at non-padded
  ``/art/{Y}/{M}/{D}/art_{col}_{id}.html``, ``/module/…`` scripts, files via
  ``/module/download/downfile.jsp``; jpaas: ``AuthorizedRead/unitbuild.js`` and the
  ``/api-gateway/jpaas-publish-server/…`` API, articles ``…/art/{Y}/art_{32 hex}.html``.
* Lists (jpage): the first records exist only inside ``<script type="text/xml">`` as
  CDATA ``<li>`` records; the rest come from ``dataproxy.jsp``: with the config's
  ``totalRecord``, a POST of ``ajaxParam`` per group (``startrecord/endrecord/perpage``);
  without it, the chain of ``<nextgroup>`` links (each answer names the next group).
* Lists (jpaas): the column page holds no list; its unitbuild script's ``queryData``
  asks ``page/build/unit`` for JSON whose ``data.html`` holds the items and a pager
  (``rows``, ``count``); pages 2… come with ``paramJson={"pageNo":N,"pageSize":S}``,
  and without a count, page after page until one is empty.
* Annual reports: often in year sub-columns (``2023年``, jpaas ``…/2023n/``) of a
  信息公开年报 column; the xxgk module publishes one
  ``xxgkAnnualReport.jsp?area={unit}&fbtime={year}`` page per unit and year. A unit
  linked at one year only is enumerated by ``fbtime`` down to ``xxgk_first_year``
  (quirk, default 2008): a year without a report answers "暂无年报信息".
* Quirks: old columns that are only a ``location.href`` script; jpaas files behind a
  download gateway (``jpaas-web-server/front/document/download?fileUrl=…``).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

import scrapy
from scrapy.http import TextResponse

from crawler.detect import Detection
from crawler.hanweb_pages import (
    NO_REPORT,
    JpaasUnit,
    jpaas_page,
    jpaas_units,
    xxgk_unit_year,
    xxgk_year_url,
)
from crawler.items import ListingBatch, ListingEntry
from crawler.pages import (
    Link,
    datastore_records,
    jpage_config,
    js_redirect,
    next_group,
)
from crawler.recognize import Evidence
from crawler.spiders.base import (
    ATTACHMENT_BLOCKS,
    CONTENT,
    ReportSpider,
    anchor_title,
    list_item_link,
    requested,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.detect import Page
    from crawler.items import KnownDocument

ARTICLE = re.compile(
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|xxgkAnnualReport\.jsp|/module/download/downfile\.jsp"
)
SUBCOLUMN = re.compile(r"^\s*(19|20)\d\d\s*年度?\s*$")
SUBCOLUMN_URL = re.compile(r"/col/col\d+/|/(19|20)\d\dn/(index\.s?html?)?$")
JPAAS_FILE = re.compile(r"/jpaas-web-server/front/document/(?:file-)?download\b")
XXGK = "xxgkAnnualReport page (one per unit and year)"
XXGK_YEAR = "xxgkAnnualReport page of an enumerated year (fbtime)"
FIRST_REPORT_YEAR = 2008  # the 条例's first reports
MAX_PAGES = 500  # of one list, followed page by page (next groups, jpaas pages)
FINGERPRINTS = (
    (
        re.compile(r"""<script[^>]*type=["']text/xml["'][^>]*>\s*<datastore>"""),
        0.5,
        "a jpage <datastore> inside a text/xml script",
    ),
    (
        re.compile(r"jpage/dataproxy\.jsp|\.jpage\(\{"),
        0.4,
        "the jpage widget (dataproxy.jsp)",
    ),
    (
        re.compile(r"xxgkAnnualReport\.jsp"),
        0.6,
        "the xxgk module's xxgkAnnualReport.jsp",
    ),
    (
        re.compile(r"jpaas-publish-server/front/page/build/unit"),
        0.6,
        "the jpaas page/build/unit API",
    ),
    (re.compile(r"AuthorizedRead/unitbuild\.js"), 0.4, "jpaas unitbuild.js"),
    (
        re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"),
        0.3,
        "jcms articles /art/Y/M/D/art_{col}_{id}.html",
    ),
    (
        re.compile(r"/art/\d{4}/art_[0-9a-f]{32}\.html"),
        0.3,
        "jpaas articles …/art/Y/art_{32 hex}.html",
    ),
    (
        re.compile(r"""["']/col/col\d+/index\.html"""),
        0.3,
        "columns /col/col{id}/index.html",
    ),
    (
        re.compile(r"/module/(?:jslib/|download/downfile\.jsp|visit/visitcount\.jsp)"),
        0.3,
        "Hanweb /module/ scripts or downfile.jsp",
    ),
    (JPAAS_FILE, 0.2, "the jpaas download gateway"),
)
COLUMN_URL = re.compile(r"/col/col\d+/(index\.html)?$")


class HanwebSpider(ReportSpider):
    """Hanweb jcms and jpaas sites; see the module docstring for the family's traits."""

    name = "hanweb"

    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """jpage datastores and dataproxy.jsp, xxgkAnnualReport.jsp, the jpaas unit
        API and unitbuild.js, ``/col/col{id}`` columns, ``/art/…`` articles and
        ``/module/…`` scripts."""
        found, sure = [], 0.0
        if COLUMN_URL.search(page.url.split("?")[0]):
            found.append("the page is a /col/col{id} column")
            sure += 0.3
        for sign, weight, evidence in FINGERPRINTS:
            if sign.search(page.html):
                found.append(evidence)
                sure += weight
        if not found:
            return None
        return Detection(cls.name, round(min(sure, 1.0), 2), tuple(found))

    # ------------------------------------------------------------------ column pages
    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        html = response.text
        text = (response.xpath("string(//body)").get() or "").strip()
        target = js_redirect(html, len(text))
        if target:  # a stub column: the real one is elsewhere
            yield self.list_request(response.urljoin(target), self.source_of(response))
            return
        yield from self.subcolumns(response)
        inline = datastore_records(html)
        yield from self.dataproxy_requests(response, len(inline))
        yield from self.jpaas_requests(response)
        links = inline + self.content_links(response)
        yield from self.take_listing(response, links)
        yield from self.xxgk_year_requests(response, links)

    def subcolumns(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        """Year sub-columns (2023年, 2022年…) of a report column: jcms ``/col/col…``,
        jpaas year archives ``…/2023n/``."""
        for a in response.xpath("//a[@href]"):
            if SUBCOLUMN_URL.search(a.attrib["href"]) and SUBCOLUMN.match(
                " ".join(a.xpath(".//text()").getall())
            ):
                yield self.list_request(
                    response.urljoin(a.attrib["href"]), self.source_of(response)
                )

    def content_links(self, response: scrapy.http.Response) -> list[Link]:
        """Plain links to articles, xxgk report pages or files (pages without jpage)."""
        links = []
        for a in response.xpath("//a[@href]"):
            href = a.attrib["href"]
            if not ARTICLE.search(href):
                continue
            if "xxgkAnnualReport.jsp" in href:
                row = " ".join(a.xpath("ancestor::tr[1]/td[1]//text()").getall())
                links.append(
                    Link(href, f"{row.strip()} {anchor_title(a)}".strip(), reason=XXGK)
                )
            else:
                links.append(list_item_link(a))
        return links

    # ------------------------------------------------------------------ jpage: dataproxy.jsp
    def dataproxy_requests(
        self, response: scrapy.http.Response, inline: int
    ) -> Iterator[scrapy.Request]:
        """The records after the inline ones: with the config's total, a jpage group
        (perPage × groupSize) per POST; without it, the datastore's next group."""
        config = jpage_config(response.text)
        if config is not None and config.total:
            if config.total <= inline:
                return
            step = config.per_page * config.group_size
            for start in range(inline + 1, config.total + 1, step):
                end = min(start + step - 1, config.total)
                query = urlencode(
                    {"startrecord": start, "endrecord": end, "perpage": config.per_page}
                )
                yield scrapy.FormRequest(
                    response.urljoin(f"{config.proxy_url}?{query}"),
                    formdata=config.params,
                    headers={"Referer": response.url},
                    callback=self.parse_dataproxy,
                    errback=self.failed,
                    meta={"source": response.meta["source"], "kind": "list"},
                )
            return
        href = next_group(response.text)
        if href:
            yield self.next_group_request(response, href, response.url, 1)

    def next_group_request(
        self, response: scrapy.http.Response, href: str, column: str, group: int
    ) -> scrapy.Request:
        """GET the next group's link, as written (it carries the ajax parameters)."""
        return scrapy.Request(
            response.urljoin(href),
            headers={"Referer": column},
            callback=self.parse_dataproxy,
            errback=self.failed,
            meta={
                "source": response.meta["source"],
                "kind": "list",
                "next_group": {"column": column, "group": group},
            },
        )

    def parse_dataproxy(self, response: scrapy.http.Response) -> Iterator[Any]:
        failure = (
            self.content_problem(response)
            if "<datastore" not in response.text
            else None
        )
        yield self.record(response, failure=failure)
        if failure:
            return
        yield from self.take_listing(response, datastore_records(response.text))
        chain = response.meta.get("next_group")
        href = next_group(response.text)
        if chain and href and chain["group"] < MAX_PAGES:
            yield self.next_group_request(
                response, href, chain["column"], chain["group"] + 1
            )

    # ------------------------------------------------------------------ jpaas: page/build/unit
    def jpaas_requests(self, response: scrapy.http.Response) -> Iterator[Any]:
        """Page 1 of every jpaas list unit on the page, as its unitbuild script asks."""
        for unit in jpaas_units(response.text):
            yield self.jpaas_request(response, unit, response.urljoin(unit.url), 1)

    def jpaas_request(
        self,
        response: scrapy.http.Response,
        unit: JpaasUnit,
        api: str,
        page: int,
        size: int | None = None,
    ) -> scrapy.Request:
        column = response.meta.get("jpaas", {}).get("column", response.url)
        return self.list_request(
            unit.page_url(api, page, size),
            self.source_of(response),
            callback=self.parse_jpaas,
            headers={"Referer": column, "X-Requested-With": "XMLHttpRequest"},
            meta={"jpaas": {"unit": unit, "api": api, "page": page, "column": column}},
        )

    def parse_jpaas(self, response: scrapy.http.Response) -> Iterator[Any]:
        """One page of a jpaas list: its items (links resolved against the column page,
        not the API), then (from page 1) the other pages."""
        failure = self.content_problem(response)
        page = None
        if not failure:
            page = (
                jpaas_page(response.text)
                if isinstance(response, TextResponse)
                else None
            )
            failure = None if page else "jpaas_answer_unreadable"
        yield self.record(response, failure=failure)
        if page is None:
            return
        meta = response.meta["jpaas"]
        column = meta["column"]
        links = [Link(urljoin(column, x.url), x.title, x.date) for x in page.links]
        yield from self.take_listing(response, links)
        yield from self.jpaas_more(response, meta, page.rows, page.count, len(links))

    def jpaas_more(
        self,
        response: scrapy.http.Response,
        meta: dict[str, Any],
        rows: int | None,
        count: int | None,
        listed: int,
    ) -> Iterator[scrapy.Request]:
        """The pages after this one: all at once from page 1 when the pager says how
        many, else the next one while pages are not empty."""
        unit, api, number = meta["unit"], meta["api"], meta["page"]
        size = rows or listed
        if count is not None and size:
            if number == 1:
                last = min(math.ceil(count / size), MAX_PAGES)
                for n in range(2, last + 1):
                    yield self.jpaas_request(response, unit, api, n, size)
        elif listed and number < MAX_PAGES:
            yield self.jpaas_request(response, unit, api, number + 1, size)

    # ------------------------------------------------------------------ xxgk: years of a unit
    def xxgk_year_requests(
        self, response: scrapy.http.Response, links: list[Link]
    ) -> Iterator[Any]:
        """A unit linked at one year only: ask for its other years (``fbtime``). A
        year archived as the unit's report and not due tonight (crawler/verify.py) is
        listed as it was, unasked."""
        source = self.source_of(response)
        first = int(source.quirk("xxgk_first_year", FIRST_REPORT_YEAR))
        years: dict[str, dict[int, str]] = defaultdict(dict)
        for link in links:
            url = response.urljoin(link.url)
            found = xxgk_unit_year(url)
            if found:
                years[found[0]][found[1]] = url
        for listed in years.values():
            if len(listed) != 1:
                continue  # the page links the unit's years itself
            ((latest, url),) = listed.items()
            for year in range(latest - 1, first - 1, -1):
                year_url = xxgk_year_url(url, year)
                known = self.known.get(year_url)
                if known is not None and self.defer(known):
                    yield from self.xxgk_year_listed(response, known)
                else:
                    yield self.xxgk_year_request(response, year_url)

    def xxgk_year_listed(
        self, response: scrapy.http.Response, known: KnownDocument
    ) -> Iterator[ListingBatch]:
        """An enumerated year archived as the unit's report, not asked for tonight:
        listed as :meth:`parse_xxgk_year` lists it when it is read."""
        self.requested.claim(known.url)
        if not self.listed.claim(known.url):
            return
        title = known.link_text or known.identity.title
        batch = ListingBatch(self.run_id, self.source_of(response).id, known.url)
        batch.entries.append(ListingEntry(known.url, title, None, "report", XXGK_YEAR))
        yield batch

    def xxgk_year_request(
        self, response: scrapy.http.Response, url: str
    ) -> scrapy.Request:
        """One enumerated year; a year archived before is asked conditionally (its
        304 is the unit's report of that year, unchanged)."""
        headers = {"Referer": response.url}
        meta: dict[str, Any] = {"listing_url": response.url}
        known = self.known.get(url)
        if known:
            validators = (
                ("If-None-Match", known.etag),
                ("If-Modified-Since", known.last_modified),
            )
            headers.update({k: v for k, v in validators if v})
            meta["handle_httpstatus_list"] = [304]
        return self.list_request(
            url,
            self.source_of(response),
            callback=self.parse_xxgk_year,
            headers=headers,
            meta=meta,
        )

    def parse_xxgk_year(self, response: scrapy.http.Response) -> Iterator[Any]:
        """An enumerated year: "暂无年报信息" (no report that year: the answer is
        recorded as a listing with nothing in it), or the unit's report of that year
        (or its 304), listed and then read as the report page it is."""
        url = requested(response).url
        known = self.known.get(url)
        if response.status == 304 and known:
            title = known.link_text or known.identity.title
        else:
            failure = self.content_problem(response)
            if failure == "soft_404" and NO_REPORT in response.text:
                yield self.record(response)
                return
            if failure:
                yield self.record(response, failure=failure)
                return
            title = (response.xpath("string(//h1)").get() or "").strip()
        self.requested.claim(url)  # listed below, and read here: not asked for again
        yield from self.take_listing(response, [Link(url, title, reason=XXGK_YEAR)])
        response.meta.update(
            kind="page", evidence=Evidence(title=title), link_text=title, listed=True
        )
        yield from self.parse_page(response)

    # ------------------------------------------------------------------ report pages
    def attachment_links(self, response: TextResponse) -> list[Link]:
        """Also jpaas gateway links whose URL names no file type."""
        links = super().attachment_links(response)
        known = {link.url for link in links}
        for a in response.xpath(
            " | ".join(f"{x}//a[@href]" for x in (*CONTENT, *ATTACHMENT_BLOCKS))
        ):
            href = a.attrib["href"]
            if JPAAS_FILE.search(href) and href not in known:
                known.add(href)
                links.append(
                    Link(href, " ".join(a.xpath(".//text()").getall()).strip())
                )
        return links
