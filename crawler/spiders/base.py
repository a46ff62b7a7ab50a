"""ReportSpider: what every site family shares — list pages → report pages → attachments.

A family spider only knows how its CMS lists things (``parse_list``). This base
decides which listed items are reports (and records why the others are not), asks
for known documents conditionally, reads report pages for identity and
attachments, records every fetch with its provenance, and, once the listings are
done, re-checks known documents that were not listed tonight.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DontCloseSpider,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed

from archive.runs import DEAD_END
from crawler.claims import Claims, LocalClaims
from crawler.fallback import GenericReading
from crawler.guards import Dropped
from crawler.items import (
    Carried,
    FetchRecord,
    Identity,
    KnownDocument,
    KnownList,
    ListingBatch,
    ListingEntry,
)
from crawler.middlewares import utc_now
from crawler.pages import (
    Link,
    flipbook_pages,
    is_document_link,
    js_file_links,
    js_pager,
    mistyped,
    onclick_url,
    problem,
)
from crawler.recognize import Evidence, classify, parse_date, resolve
from crawler.verify import due, list_due, newest_listed
from processors.html import ARTICLE_META, BREADCRUMB, CONTENT_XPATHS
from processors.identity import REPORT, compact
from processors.text import sniff

if TYPE_CHECKING:
    from collections.abc import Iterator

    from parsel import Selector, SelectorList
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from crawler.detect import Detection, Page
    from crawler.registry import Source

HTML_MAXSIZE = 10 * 1024 * 1024
DOCUMENT_STATUSES = [304, 404, 410]
# Where a report page's article and its files are: the processors' article containers
# (one list: processors/html.py) and any div named for an article.
CONTENT = (*CONTENT_XPATHS, '//div[contains(@class, "article")]')
# Where pages list their files; each an XPath of its own (callers add ``//a``).
ATTACHMENT_BLOCKS = (
    '//div[contains(@class, "fujian") or contains(@class, "fj")'
    ' or contains(@class, "attach") or contains(@class, "file")]',
    '//table[contains(@class, "table_content")]',
)
CONTENT_ANY = " | ".join(CONTENT)  # document order; one pass over the tree
NOT_THERE = frozenset({"http_404", "http_410", "soft_404"})
REPORTISH_FILE = re.compile(r"年报|年度报告")
PUBLISHED = re.compile(r"发布(?:时间|日期)[:：]?\s*([^<]{8,24})")
PUBLISHER_LABEL = r"(?:发布机构|发布单位|信息来源|来源)"
PUBLISHER = re.compile(
    rf"{PUBLISHER_LABEL}[：:]\s*([^\s<|]{{2,40}}?)"
    r"(?=$|\s|[|<]|生成日期|成文日期|发文日期|发布日期|公开日期|日期|文号|索引号|信息分类|分类|关键词|主题词|时效)"
)
# A metadata table's label cell ("发布机构：") and the cell after it. The length test
# first (a label is 2–5 characters) spares most cells the regex, a Python call each.
PUBLISHER_CELL = (
    "//*[self::td or self::th or self::span or self::dt or self::label]"
    "[string-length(normalize-space(.)) <= 5]"
    "[re:test(normalize-space(.), '^(发布机构|发布单位|信息来源|来源)[：:]?$')]"
    "/following-sibling::*[1]"
)


def requested(response: scrapy.http.Response) -> scrapy.Request:
    """The request a response answers (Scrapy sets it on every response it downloads)."""
    if response.request is None:
        raise ValueError(f"{response.url}: a response without its request")
    return response.request


def asked_url(meta: dict[str, Any], request: scrapy.Request) -> str:
    """The URL a fetch asked for (before redirects): its capture's ``url``."""
    redirects = meta.get("redirect_urls")
    return str(redirects[0]) if redirects else request.url


def anchor_title(anchor: Selector) -> str:
    """A link's title: its ``title`` attribute, else its text."""
    return (
        anchor.attrib.get("title")
        or " ".join(anchor.xpath(".//text()").getall()).strip()
    )


def list_item_link(anchor: Selector) -> Link:
    """A link in a list item, with the item's text (where its date usually is)."""
    return Link(
        anchor.attrib["href"],
        anchor_title(anchor),
        " ".join(anchor.xpath("ancestor::li[1]//text()").getall()),
    )


def _headers(headers: Any) -> dict[str, str]:
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in headers.items()
    }


def _charset(content_type: str | None) -> str | None:
    found = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    return found.group(1).lower() if found else None


IGNORED = (  # why Scrapy dropped a request, by its message
    ("robots.txt", "robots_blocked"),
    ("DOWNLOAD_MAXSIZE", "too_large"),  # a decompression bomb, or just too big
    ("offsite", "offsite"),
)


def failure_reason(failure: Failure) -> str:
    """A short, stable name for why a fetch failed."""
    error = failure.value
    if isinstance(error, HttpError):
        response = error.response
        found = problem(response.status, _headers(response.headers), response.body, "")
        return found or f"http_{response.status}"
    if isinstance(error, Dropped):
        return error.reason
    if isinstance(error, IgnoreRequest):
        text = str(error)
        return next((name for key, name in IGNORED if key in text), "ignored")
    for kind, name in (
        ((DNSLookupError, CannotResolveHostError), "dns_failed"),
        ((ConnectionRefusedError, DownloadConnectionRefusedError), "refused"),
        ((TimeoutError, TCPTimedOutError, DownloadTimeoutError), "timeout"),
        ((ResponseFailed, ResponseDataLossError), "truncated"),
        (ConnectError, "unreachable"),
    ):
        if isinstance(error, kind):
            return name
    text = str(error)
    if "ERR_NAME_NOT_RESOLVED" in text:
        return "dns_failed"
    if (
        "ERR_PROXY_CONNECTION_FAILED" in text
        or "ERR_CONNECTION_REFUSED" in text
        or "Could not open CONNECT tunnel" in text
    ):
        return "unreachable"
    if "max size" in text or "maxsize" in text or "exceeds" in text.lower():
        return "too_large"
    return type(error).__name__


def failure_detail(failure: Failure) -> str | None:
    """What the failure's name leaves out: the redirect chain, the sizes, the rule."""
    error = failure.value
    if isinstance(error, HttpError):
        return None
    text = str(error).strip()
    return text[:500] or None


class ReportSpider(GenericReading, scrapy.Spider):
    """Base of the family spiders; subclasses implement ``parse_list``.

    It has no ``name``: Scrapy's SpiderLoader lists only the families.
    """

    def __init__(
        self,
        sources: list[Source],
        run_id: int,
        crawler_version: str,
        known: dict[str, KnownDocument] | None = None,
        lists: dict[str, KnownList] | None = None,
        scout: bool = False,
        seed: bool = True,
        verify_days: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sources = {s.id: s for s in sources}
        self.run_id = run_id
        self.crawler_version = crawler_version
        self.known = known or {}
        self.lists = lists or {}  # list pages read before: validators and items
        self.scout = scout  # lists only: no report page or file is fetched
        # Whether this spider asks for its sources' first pages (in a distributed run,
        # one worker does; the others take requests from the shared queue).
        self.seed = seed
        # URLs asked for and URLs listed, this run: shared by the workers of a
        # distributed run (crawler/distributed.py replaces them).
        self.requested: Claims = LocalClaims()
        self.listed: Claims = LocalClaims()
        self.rechecked = False
        # Listed known documents are asked for again on a rolling schedule
        # (crawler/verify.py); those not due tonight, and the files and further
        # pages of their reports, are not asked for.
        self.verify_days = verify_days
        self.started = datetime.now(UTC)
        self.deferred: set[str] = set()
        # list pages carried forward from their last reading tonight (carry_lists)
        self.carried: set[str] = set()
        self.newest = newest_listed(self.lists.values())  # by source
        self.page_of = _pages_of(self.known)  # a file's turn is its page's
        self.allowed_domains = sorted({host for s in sources for host in s.hosts})

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReportSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if crawler.settings.get("NIANBAO_REDIS_URL"):
            # A worker of a distributed run: the URLs taken are the run's, and the
            # whole run's idleness decides when to re-check (crawler/distributed.py).
            from crawler.distributed import share_claims

            share_claims(spider, crawler)
        else:
            crawler.signals.connect(spider.recheck_known, signal=signals.spider_idle)
        return spider

    async def start(self) -> Any:
        if not self.seed:
            return
        for source in self.sources.values():
            for url in source.start_urls:
                yield self.start_request(url, source)

    def start_request(self, url: str, source: Source) -> scrapy.Request:
        """A source's first page: read by the family, or generically if that finds
        nothing (crawler/fallback.py). Families that read lists otherwise (a browser)
        override it."""
        return self.list_request(url, source, callback=self.parse_start)

    # ------------------------------------------------------------------ detection
    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """How much ``page`` (a report column, or a portal's page) looks like this
        family's, and why; None when nothing of the family is seen. Families override
        it with their fingerprints (crawler/detect.py picks the surest claim)."""
        return None

    # ------------------------------------------------------------------ requests
    def list_request(self, url: str, source: Source, **kwargs: Any) -> scrapy.Request:
        meta = {
            "source": source.id,
            "kind": "list",
            "download_maxsize": HTML_MAXSIZE,
            **kwargs.pop("meta", {}),
        }
        kwargs.setdefault("callback", self.parse_list)
        return scrapy.Request(url, errback=self.failed, meta=meta, **kwargs)

    def document_request(
        self,
        url: str,
        source: Source,
        kind: str,
        *,
        evidence: Evidence | None = None,
        identity: Identity | None = None,
        listing_url: str | None = None,
        link_text: str | None = None,
        listed: bool = True,
    ) -> scrapy.Request | None:
        """A report page or file, asked for conditionally when it is already archived."""
        if self.scout or not self.requested.claim(url):
            return None
        headers = {}
        known = self.known.get(url)
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        meta = {
            "source": source.id,
            "kind": kind,
            "evidence": evidence,
            "identity": identity,
            "listing_url": listing_url,
            "link_text": link_text,
            "listed": listed,
            "handle_httpstatus_list": DOCUMENT_STATUSES,
            "download_maxsize": HTML_MAXSIZE if kind == "page" else None,
        }
        meta = {k: v for k, v in meta.items() if v is not None}
        callback = self.parse_page if kind == "page" else self.parse_file
        return scrapy.Request(
            url, headers=headers, callback=callback, errback=self.failed, meta=meta
        )

    def allowed(self, url: str, source: Source) -> bool:
        """Only the source's own hosts (mirror sites and IPv6 gateways are ignored)."""
        host = urlsplit(url).hostname or ""
        return urlsplit(url).scheme in ("http", "https") and any(
            host == h or host.endswith("." + h.removeprefix("www."))
            for h in source.hosts
        )

    # ------------------------------------------------------------------ listings
    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must read its list pages")

    def capture_list(self, response: scrapy.http.Response) -> tuple[FetchRecord, bool]:
        """A list page's capture, and whether it is a real list (not a WAF page, soft 404…)."""
        failure = dead_end(response.meta, self.content_problem(response))
        return self.record(response, failure=failure), failure is None

    def source_of(self, response: scrapy.http.Response) -> Source:
        return self.sources[response.meta["source"]]

    def take_listing(
        self, response: scrapy.http.Response, links: list[Link], note: str = ""
    ) -> Iterator[Any]:
        """Decide for each listed link: a report (fetch it) or not (record why).

        Yields the requests for the reports, then one ListingBatch with every decision.
        ``note`` is added to every reason (how the list was read, when not by the family).
        """
        source = self.source_of(response)
        batch = ListingBatch(self.run_id, source.id, response.url)
        for link in links:
            url = response.urljoin(link.url)
            if not self.allowed(url, source) or not self.listed.claim(url):
                continue
            is_report, reason = (
                (True, link.reason) if link.reason else classify(link.title)
            )
            if note:
                reason = f"{reason} ({note})"
            date = parse_date(link.date)
            batch.entries.append(
                ListingEntry(
                    url, link.title, date, "report" if is_report else "skipped", reason
                )
            )
            if is_report:
                request = self.report_request(
                    url,
                    source,
                    Evidence(title=link.title, published=date),
                    response.url,
                )
                if request:
                    yield request
        if batch.entries:
            yield batch

    def column_was_report(
        self, response: scrapy.http.Response, title: str
    ) -> Iterator[Any]:
        """A link followed as a column (named like a unit's report, no year) whose page
        is a report's: listed as a report of the page that linked it, then read as the
        report's page."""
        source = self.source_of(response)
        listing = response.meta.get("listing_url") or response.url
        self.listed.claim(response.url)
        self.requested.claim(response.url)
        batch = ListingBatch(self.run_id, source.id, listing)
        reason = (
            "title names an annual report; its page is the report (read generically)"
        )
        batch.entries.append(ListingEntry(response.url, title, None, "report", reason))
        yield batch
        response.meta.update(
            kind="page",
            evidence=Evidence(title=title),
            link_text=title,
            listed=True,
        )
        yield from self.parse_page(response)

    # ------------------------------------------------------------------ carried list pages
    def carry_lists(
        self, response: scrapy.http.Response, output: list[Any]
    ) -> Iterator[Any]:
        """A list page's output, with the list pages it leads to that are not due
        carried forward from their last reading (crawler/verify.py ``list_due``) —
        when this page was read unchanged: the same items as at its last reading, and
        every list page that reading led to asked for again. (A page whose reading
        changed asks for all of them: a new report at the top shifts every page after.)

        Called by CarryListsMiddleware with the page's whole output. Every list
        request leaving a list page is marked with it (``from_list``, recorded as the
        capture's ``listing_url``): how the next night knows what a page leads to.
        """
        pages = [item for item in output if _list_request(item)]
        for request in pages:
            request.meta.setdefault("from_list", response.url)
        if (
            not pages
            or self.verify_days <= 0
            or not self.read_unchanged(response, output)
        ):
            yield from output
            return
        source = self.source_of(response)
        for item in output:
            if not _list_request(item):
                yield item
            elif item.url in self.carried:
                continue  # carried already (from another unchanged page)
            elif item.method != "GET" or list_due(
                item.url,
                self.lists.get(item.url),
                self.started,
                self.verify_days,
                self.newest.get(source.id),
            ):
                yield item
            else:
                last = self.lists[item.url]
                yield from self.carry(item.url, source, last, response.url)

    def read_unchanged(self, response: scrapy.http.Response, output: list[Any]) -> bool:
        """Whether this list page read as at its last reading: the same items, in the
        same order, and every list page that reading led to asked for again."""
        request = requested(response)
        last = self.lists.get(asked_url(response.meta, request))
        if last is None or request.method != "GET":
            return False
        if any(isinstance(item, FetchRecord) and item.failure for item in output):
            return False
        items = [
            (entry.url, entry.title, entry.listed_date)
            for batch in output
            if isinstance(batch, ListingBatch) and batch.list_url == response.url
            for entry in batch.entries
        ]
        asked = {item.url for item in output if _list_request(item)}
        return last.leads_to <= asked and items == [
            (item.url, item.title, item.listed_date) for item in last.items
        ]

    def carry(
        self, url: str, source: Source, last: KnownList, parent: str
    ) -> Iterator[Any]:
        """A list page not read tonight (``parent`` was read unchanged): its items
        listed as at its last reading (each decided as then, a report asked for when
        it is due), so none goes missing; the batch, even empty, records the carrying."""
        if last.read_run is None or last.read_at is None:  # list_due reads those
            raise ValueError(f"{url}: carried without a reading")
        self.carried.add(url)
        self.crawler.stats.inc_value("nianbao/lists/carried")
        note = f"carried from the reading of {last.read_at[:10]}: not due tonight"
        carried = Carried(parent, last.read_run, last.read_at)
        batch = ListingBatch(self.run_id, source.id, url, carried=carried)
        for item in last.items:
            if not self.listed.claim(item.url):
                continue
            reason = f"{item.reason} ({note})"
            batch.entries.append(
                ListingEntry(
                    item.url, item.title, item.listed_date, item.decision, reason
                )
            )
            if item.decision == "report":
                evidence = Evidence(title=item.title, published=item.listed_date)
                request = self.report_request(item.url, source, evidence, url)
                if request:
                    yield request
        yield batch

    def report_request(
        self, url: str, source: Source, evidence: Evidence, listing: str
    ) -> scrapy.Request | None:
        """A listed report: its page, or the file itself when the list links straight to
        it; None for a known one verified recently enough (:meth:`defer`)."""
        known = self.known.get(url)
        if known is not None and self.defer(known, evidence.title):
            return None
        if not is_document_link(url):
            return self.document_request(
                url,
                source,
                "page",
                evidence=evidence,
                listing_url=listing,
                link_text=evidence.title,
            )
        identity = self.identity(evidence, source)
        if identity is None:
            return None
        return self.document_request(
            url,
            source,
            "attachment",
            identity=identity,
            listing_url=listing,
            link_text=evidence.title,
        )

    def identity(self, evidence: Evidence, source: Source) -> Identity | None:
        try:
            found = resolve(evidence, source)
        except ValueError as exc:
            self.logger.warning(
                "%s: cannot identify %r: %s", source.id, evidence.title, exc
            )
            return None
        return Identity(
            body=found.body,
            year=found.year,
            title=evidence.title,
            region=source.region,
            level=found.level,
            published=evidence.published,
            note=found.note,
        )

    # ------------------------------------------------------------------ report pages and files
    def page_evidence(self, response: TextResponse) -> Evidence:
        listed: Evidence = response.meta.get("evidence") or Evidence(title="")
        meta = {
            m.attrib["name"]: m.attrib.get("content", "")
            for m in response.xpath(ARTICLE_META)
        }
        title = _report_title(
            meta.get("ArticleTitle", ""),
            *(h.xpath("string()").get("") for h in response.xpath("//h1")),
            listed.title,
        )
        # string(): one text per container, not one selector per text node (much cheaper).
        body_text = " ".join(
            n.xpath("string()").get("") for n in response.xpath(CONTENT_ANY)
        )[:5000]
        publisher = meta.get("ContentSource") or _labelled_publisher(response)
        published = parse_date(meta.get("PubDate")) or listed.published
        if not published:
            found = PUBLISHED.search(response.text)
            published = parse_date(found.group(1) if found else None)
        crumbs = tuple(
            t.strip() for t in response.xpath(BREADCRUMB).getall() if t.strip()
        )
        return Evidence(
            title=title,
            publisher=publisher.strip(),
            breadcrumb=crumbs,
            text=body_text,
            published=published,
        )

    def attachment_links(self, response: TextResponse) -> list[Link]:
        """Files linked from the article body or its attachment block, or only from JavaScript."""
        anchors = response.xpath(
            " | ".join(f"{x}//a" for x in (*CONTENT, *ATTACHMENT_BLOCKS))
        )
        links = _file_links(anchors)
        if not links:  # a template no one knows: the files named for a report
            links = [
                link
                for link in _file_links(response.xpath("//body//a"))
                if REPORT.search(compact(link.title))
                or REPORTISH_FILE.search(link.title)
            ]
        return links + js_file_links(response.text)

    def parse_page(self, response: scrapy.http.Response) -> Iterator[Any]:
        """A report's page: its capture, its files, and its further pages when the
        report is printed over several."""
        record = None
        for item in self.page_items(response):
            if record is None and isinstance(item, FetchRecord):
                record = item
            yield item
        if response.status == 304:
            yield from self.known_parts(response)
        elif (
            record is not None
            and record.identity is not None
            and record.failure is None
            and isinstance(response, TextResponse)
        ):
            yield from self.part_requests(response, record.identity)

    # ------------------------------------------------------------------ reports over several pages
    def part_links(self, response: TextResponse) -> list[str]:
        """The further pages of a report printed over several, in order (absolute
        URLs): an article's own pager naming it (TRS ``#autopage``: ``t…_1.html``…),
        or a flip-book's text pages (``files/basic-html/pageN.html``)."""
        url = requested(response).url
        stem = url.rsplit("/", 1)[1].rsplit(".", 1)[0]
        pager = js_pager(response.text)
        if pager is not None and pager.name == stem and pager.is_first:
            return [response.urljoin(name) for name in pager.others()]
        return [response.urljoin(url) for url in flipbook_pages(response.text)]

    def part_requests(
        self, response: TextResponse, identity: Identity
    ) -> Iterator[scrapy.Request]:
        first = requested(response).url
        for number, url in enumerate(self.part_links(response), start=2):
            request = self.part_request(response, url, identity, first, number)
            if request:
                yield request

    def known_parts(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        """An unchanged (304) first page: its further pages as archived."""
        first = requested(response).url
        known = self.known.get(first)
        if known is None:
            return
        parts = sorted(
            (k for k in self.known.values() if k.part_of == first),
            key=lambda k: k.part or 0,
        )
        for part in parts:
            request = self.part_request(
                response, part.url, known.identity, first, part.part or 0
            )
            if request:
                yield request

    def part_request(
        self,
        response: scrapy.http.Response,
        url: str,
        identity: Identity,
        first: str,
        number: int,
    ) -> scrapy.Request | None:
        source = self.source_of(response)
        if not self.allowed(url, source):
            return None
        request = self.document_request(
            url,
            source,
            "page",
            identity=identity,
            listing_url=first,
            link_text=response.meta.get("link_text"),
            listed=response.meta.get("listed", True),
        )
        if request is None:
            return None
        request.meta.update(part_of=first, part=number)
        return request.replace(callback=self.parse_part)

    def parse_part(self, response: scrapy.http.Response) -> Iterator[Any]:
        """A further page: filed under its first page's report; its files too."""
        source = self.source_of(response)
        identity = response.meta.get("identity")
        if response.status != 200:
            yield self.record(response)
            if response.status == 304:
                yield from self.known_files(response, source)
            return
        failure = self.content_problem(response)
        if failure or not isinstance(response, TextResponse) or identity is None:
            yield self.record(response, failure=failure or "unidentified")
            return
        files = [
            (response.urljoin(link.url), link.title)
            for link in self.attachment_links(response)
        ]
        files = [(url, text) for url, text in files if self.allowed(url, source)]
        record = self.record(response, identity=identity)
        record.links = files
        yield record
        yield from self.file_requests(response, source, identity, files)

    def page_items(self, response: scrapy.http.Response) -> Iterator[Any]:
        """A report page's capture and its files' requests."""
        source = self.source_of(response)
        if response.status != 200:
            yield self.record(response)
            if (
                response.status == 304
            ):  # unchanged page: its files are as it last listed them
                yield from self.known_files(response, source)
            return
        if not isinstance(response, TextResponse):  # the "page" is a file after all
            listed = response.meta.get("evidence") or Evidence(title="")
            yield self.record(response, identity=self.identity(listed, source))
            return
        failure = self.content_problem(response)
        if failure:
            yield self.record(response, failure=failure)
            return
        identity = self.identity(self.page_evidence(response), source)
        if identity is None:
            yield self.record(response, failure="unidentified")
            return
        files = [
            (response.urljoin(link.url), link.title)
            for link in self.attachment_links(response)
        ]
        files = [(url, text) for url, text in files if self.allowed(url, source)]
        record = self.record(response, identity=identity)
        record.links = files
        yield record
        yield from self.file_requests(response, source, identity, files)

    def file_requests(
        self,
        response: scrapy.http.Response,
        source: Source,
        identity: Identity,
        files: list[tuple[str, str]],
    ) -> Iterator[scrapy.Request]:
        for url, text in files:
            request = self.document_request(
                url,
                source,
                "attachment",
                identity=identity,
                listing_url=response.url,
                link_text=text,
                listed=response.meta.get("listed", True),
            )
            if request:
                yield request

    def known_files(
        self, response: scrapy.http.Response, source: Source
    ) -> Iterator[scrapy.Request]:
        """The files an unchanged (304) page linked to when it was last read."""
        doc = self.known.get(requested(response).url)
        if not doc or not doc.links:
            return
        yield from self.file_requests(response, source, doc.identity, list(doc.links))

    def parse_file(self, response: scrapy.http.Response) -> Iterator[Any]:
        failure = self.content_problem(response) if response.status == 200 else None
        yield self.record(
            response, identity=response.meta.get("identity"), failure=failure
        )

    def content_problem(self, response: scrapy.http.Response) -> str | None:
        """Why a 200 is not the content it stands for (crawler.pages.problem), or, for
        a file, ``soft_error`` when a web page came where the link or the file's
        earlier versions promise a document (an error or challenge page)."""
        headers = _headers(response.headers)
        media = sniff(response.body, headers.get("Content-Type", ""))
        found = problem(response.status, headers, response.body, media)
        if found or response.meta.get("kind") not in ("attachment", "recheck"):
            return found
        url = requested(response).url
        known = self.known.get(url)
        if mistyped(url, media, known.media_type if known else None):
            return "soft_error"
        return None

    # ------------------------------------------------------------------ provenance
    def record(
        self,
        response: scrapy.http.Response,
        *,
        identity: Identity | None = None,
        failure: str | None = None,
        via: str = "http",
    ) -> FetchRecord:
        """The fetch as the archive keeps it."""
        meta = response.meta
        headers = _headers(response.headers)
        declared = headers.get("Content-Type")
        ok = response.status == 200 and failure is None
        redirects = list(meta.get("redirect_urls", []))
        sniffed = sniff(response.body, declared or "") if response.body else None
        # Only for text: guessing a PDF's "encoding" costs Scrapy a full scan of it.
        charset = None
        if isinstance(response, TextResponse) and (sniffed or "").startswith("text/"):
            charset = response.encoding
        request = requested(response)
        return FetchRecord(
            run_id=self.run_id,
            source_id=meta["source"],
            kind=meta["kind"],
            url=asked_url(meta, request),
            method=request.method,
            started=meta.get("fetch_started", utc_now()),
            ended=meta.get("fetch_ended", utc_now()),
            crawler_version=self.crawler_version,
            status=response.status,
            final_url=response.url,
            redirects=redirects,
            request_headers=meta.get("sent_headers", {}),
            response_headers=headers,
            body=response.body if ok else None,
            failure=failure,
            declared_type=declared,
            sniffed_type=sniffed,
            declared_charset=_charset(declared),
            used_charset=charset,
            listing_url=meta.get("listing_url", meta.get("from_list")),
            link_text=meta.get("link_text"),
            via=via,
            identity=identity,
            listed=bool(meta.get("listed")),
            encoding_suspect=bool(meta.get("encoding_suspect")),
            attempts=meta.get("retry_times", 0) + 1,
            part_of=meta.get("part_of"),
            part=meta.get("part"),
        )

    def spider_error(
        self, response: scrapy.http.Response, exception: Exception
    ) -> FetchRecord:
        """The fetch of a page this spider could not read (a bug): failed, never a
        version, with the exception in its detail."""
        record = self.record(response, failure="spider_error")
        record.failure_detail = f"{type(exception).__name__}: {exception}"[:500]
        return record

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Every failed fetch is recorded (never as a version)."""
        request: scrapy.Request = failure.request  # type: ignore[attr-defined] # set by Scrapy
        meta = request.meta
        page = meta.get("playwright_page")
        if (
            page is not None
        ):  # a rendered list that failed half-way: free the browser tab
            asyncio.get_event_loop().create_task(page.close())
        response = getattr(failure.value, "response", None)
        reason = dead_end(meta, failure_reason(failure))
        self.logger.warning(
            "%s: %s failed (%s)", meta.get("source"), request.url, reason
        )
        redirects = list(meta.get("redirect_urls", []))
        yield FetchRecord(
            run_id=self.run_id,
            source_id=meta["source"],
            kind=meta["kind"],
            url=asked_url(meta, request),
            method=request.method,
            started=meta.get("fetch_started", utc_now()),
            ended=utc_now(),
            crawler_version=self.crawler_version,
            status=response.status if response else None,
            final_url=response.url if response else None,
            redirects=redirects,
            request_headers=meta.get("sent_headers", {}),
            response_headers=_headers(response.headers) if response else {},
            failure=reason,
            listing_url=meta.get("listing_url"),
            link_text=meta.get("link_text"),
            via="playwright" if meta.get("playwright") else "http",
            listed=bool(meta.get("listed")),
            attempts=meta.get("retry_times", 0) + 1,
            failure_detail=failure_detail(failure),
        )

    # ------------------------------------------------------------------ re-checking known documents
    def defer(self, known: KnownDocument, listed_text: str | None = None) -> bool:
        """Whether a known document listed tonight waits for another night (it is not
        due: crawler/verify.py). Its report's files and further pages wait with it,
        each until it is due itself."""
        page = self.page_of.get(known.url)
        if due(known, self.started, self.verify_days, listed_text, page):
            return False
        self.deferred.add(known.url)
        self.deferred.update(url for url, _ in known.links)
        self.deferred.update(
            doc.url for doc in self.known.values() if doc.part_of == known.url
        )
        self.crawler.stats.inc_value("nianbao/verify/deferred")
        return True

    def closed(self, reason: str) -> None:
        """What a polite night did not ask for, in the log (Scrapy calls this last)."""
        stats = self.crawler.stats
        carried = stats.get_value("nianbao/lists/carried", 0)
        waiting = stats.get_value("nianbao/verify/deferred", 0)
        if carried or waiting:
            self.logger.info(
                "not asked for tonight (not due, window %d days): %d list pages "
                "(carried forward from their last reading), %d known documents",
                self.verify_days,
                carried,
                waiting,
            )

    def recheck_known(self) -> None:
        """When the listings are done: ask again (conditionally) for known documents not listed tonight."""
        if self.rechecked:
            return
        self.rechecked = True
        scheduled = 0
        for url, doc in sorted(self.known.items()):
            source = self.sources.get(doc.source_id)
            if source is None or url in self.requested:
                continue
            if url in self.deferred and not due(
                doc, self.started, self.verify_days, page=self.page_of.get(url)
            ):
                self.crawler.stats.inc_value("nianbao/verify/deferred")
                continue
            request = self.document_request(
                url,
                source,
                "recheck",
                identity=None,
                listing_url=doc.listing_url,
                link_text=doc.link_text,
                listed=False,
            )
            if request:
                self.crawler.engine.crawl(request)
                scheduled += 1
        if scheduled:
            self.logger.info(
                "re-checking %d known documents not listed tonight", scheduled
            )
            raise DontCloseSpider


def _pages_of(known: dict[str, KnownDocument]) -> dict[str, str]:
    """The report page of each known file a page links and each further page (a
    further page's files: the first page)."""
    page_of: dict[str, str] = {}
    for doc in known.values():
        for url, _ in doc.links:
            page_of.setdefault(url, doc.url)
        if doc.part_of:
            page_of[doc.url] = doc.part_of
    return {url: page_of.get(page, page) for url, page in page_of.items()}


def _list_request(item: object) -> bool:
    return isinstance(item, scrapy.Request) and item.meta.get("kind") == "list"


def dead_end(meta: dict[str, Any], failure: str | None) -> str | None:
    """A page that is not there, asked for on a guess (a link followed while looking
    for the report column, a year tried): ``dead_end``, which the run does not count
    as a failure. Any other failure as it is."""
    if failure in NOT_THERE and meta.get("guess"):
        return DEAD_END
    return failure


def _report_title(*candidates: str) -> str:
    """The first candidate title that names an annual report (a site's logo may be the
    page's only ``<h1>``: 蓬溪县人民政府), else the first one given."""
    titles = [t.strip() for t in candidates if t and t.strip()]
    named = next((t for t in titles if REPORT.search(compact(t))), None)
    return named or (titles[0] if titles else "")


def _labelled_publisher(response: TextResponse) -> str:
    """The 发布机构 a page's metadata table or byline names: the cell after its label,
    else the words after the label in the page's text (up to the next label)."""
    cell = response.xpath(f"string({PUBLISHER_CELL})").get("").strip()
    if cell:
        return cell
    found = PUBLISHER.search((response.xpath("string(//body)").get() or "")[:20000])
    return found.group(1) if found else ""


def _file_links(anchors: SelectorList[Selector]) -> list[Link]:
    """The anchors that link a file (by ``href``, or only by ``onclick``), with their
    text (or ``download`` name)."""
    links = []
    for a in anchors:
        href = a.attrib.get("href", "")
        if not is_document_link(href):
            href = onclick_url(a.attrib.get("onclick", ""))
        if href and is_document_link(href):
            text = a.attrib.get("download") or " ".join(a.xpath(".//text()").getall())
            links.append(Link(href, text.strip()))
    return links
