"""Saved pages as Scrapy responses, spiders built as a crawl builds them, and their output.

The pages live in ``tests/fixtures/crawler/<family>/<site>/`` (raw bytes plus
``<slug>.meta.json``; see SOURCE.md there). A response is made the way Scrapy's HTTP
download handler makes it: the class (HtmlResponse, XmlResponse, TextResponse or
Response) chosen by ``responsetypes`` from the headers, URL and body as served, and
the request it answers attached, carrying the meta the spider set on it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from crawler.detect import Page
from crawler.items import FetchRecord, ListingBatch
from crawler.pages import decode
from crawler.recognize import Evidence
from crawler.registry import load_registry
from replica.client import fetch

if TYPE_CHECKING:
    from collections.abc import Iterable

    from crawler.registry import Source
    from crawler.spiders.base import ReportSpider
    from replica.server import ReplicaThread

FIXTURES = Path(__file__).parents[1] / "fixtures" / "crawler"
SOURCES = {s.id: s for s in load_registry()}
RUN_ID = 7


@dataclass(frozen=True)
class Saved:
    """One saved answer: the request that got it, and status, headers, bytes as served."""

    name: str
    url: str
    method: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int
    headers: dict[str, str]
    body: bytes


def saved(name: str) -> Saved:
    """``name`` is ``<family>/<site>/<slug>``."""
    path = FIXTURES / name
    meta = json.loads(path.with_name(f"{path.name}.meta.json").read_text("utf-8"))
    return Saved(
        name=name,
        url=meta["url"],
        method=meta["method"],
        request_headers=meta["request_headers"],
        request_body=meta["request_body"],
        status=meta["status"],
        headers=meta["headers"],
        body=path.with_name(meta["body"]).read_bytes(),
    )


def response(
    name: str, request: scrapy.Request | None = None, **meta: Any
) -> scrapy.http.Response:
    """The saved answer as the response to ``request`` (by default a plain request for
    the saved URL, with ``meta``)."""
    page = saved(name)
    if request is None:
        request = scrapy.Request(
            page.url,
            method=page.method,
            headers=page.request_headers,
            body=page.request_body,
            meta=meta,
        )
    elif request.url != page.url:
        raise ValueError(f"{name} answers {page.url}, not {request.url}")
    headers = Headers(page.headers)
    cls = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
    return cls(
        url=page.url,
        status=page.status,
        headers=headers,
        body=page.body,
        request=request,
    )


def source(source_id: str) -> Source:
    return SOURCES[source_id]


def other_sources(family: str, but: Iterable[str] = ()) -> list[str]:
    """The ids of the registry sources of every family but ``family``, sorted, less
    those ``but`` names."""
    return sorted(
        i for i, s in SOURCES.items() if s.family != family and i not in set(but)
    )


def spider_for(
    cls: type[ReportSpider], *source_ids: str, **kwargs: Any
) -> ReportSpider:
    """A family spider for registry sources, as ``nianbao crawl`` constructs it."""
    return cls(
        sources=[SOURCES[i] for i in source_ids],
        run_id=RUN_ID,
        crawler_version="test",
        **kwargs,
    )


def parse_list_with(
    cls: type[ReportSpider],
    source_id: str,
    name: str,
    spider: ReportSpider | None = None,
) -> Yielded:
    """The saved page ``name`` through ``parse_list``, as a list page of ``source_id``
    (of a new spider of ``cls`` unless ``spider`` is given)."""
    spider = spider or spider_for(cls, source_id)
    return run(spider.parse_list(response(name, source=source_id, kind="list")))


def parse_page_with(
    cls: type[ReportSpider],
    source_id: str,
    name: str,
    *,
    title: str,
    published: str | None = None,
    listing_url: str,
) -> Yielded:
    """The saved page ``name`` through ``parse_page``, as the report page a list of
    ``source_id`` (``listing_url``) linked under ``title``."""
    spider = spider_for(cls, source_id)
    request = spider.document_request(
        saved(name).url,
        source(source_id),
        "page",
        evidence=Evidence(title=title, published=published),
        listing_url=listing_url,
        link_text=title,
    )
    return run(spider.parse_page(response(name, request)))


@dataclass
class Yielded:
    """What a callback yielded, by kind, in order."""

    requests: list[scrapy.Request] = field(default_factory=list)
    records: list[FetchRecord] = field(default_factory=list)
    batches: list[ListingBatch] = field(default_factory=list)

    @property
    def record(self) -> FetchRecord:
        (only,) = self.records
        return only

    @property
    def batch(self) -> ListingBatch:
        (only,) = self.batches
        return only


def run(results: Iterable[Any] | None) -> Yielded:
    """Consume a callback's output; anything but requests and records is an error."""
    out = Yielded()
    for item in results or ():
        if isinstance(item, scrapy.Request):
            out.requests.append(item)
        elif isinstance(item, FetchRecord):
            out.records.append(item)
        elif isinstance(item, ListingBatch):
            out.batches.append(item)
        else:
            raise TypeError(f"unexpected output {item!r}")
    return out


def described(request: scrapy.Request) -> tuple[str, str, str, str]:
    """A request in one line: method, URL, callback name, the kind of fetch it is."""
    callback = getattr(request.callback, "__name__", str(request.callback))
    return request.method, request.url, callback, request.meta["kind"]


def entries(batch: ListingBatch) -> list[tuple[str, str, str | None, str, str]]:
    """A listing's entries as plain tuples (url, title, listed date, decision, reason)."""
    return [
        (e.url, e.title, e.listed_date, e.decision, e.reason) for e in batch.entries
    ]


def lowered(headers: dict[str, str]) -> dict[str, str]:
    """Header names without case (Scrapy keeps ``ETag`` as ``Etag``)."""
    return {k.lower(): v for k, v in headers.items()}


def sent_headers(request: scrapy.Request) -> dict[str, str]:
    """The headers a request carries, as text."""
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1")
        for k, v in request.headers.items()
    }


# ---------------------------------------------------------------- pages for detection
# The saved list pages of each family's site that another family's detection must leave
# alone (see :func:`other_families_lists`).
FAMILY_LISTS = {
    "hanweb": ("hanweb/wip/col151616", "hanweb/whctp/col82956"),
    "trs": ("trs/anqiu/szfnb-index",),
    "fujian": ("fujian/pingtan/list",),
    "ucap": ("ucap/sqyh/yhxq-list",),
    "vsb": ("vsb/dlhyk/zfxxgknb",),
    "jsarray": ("jsarray/kmgx/qzf-index", "jsarray/kmgx/xzjd-index"),
}


def other_families_lists(family: str) -> list[str]:
    """The saved list pages of :data:`FAMILY_LISTS` but ``family``'s own."""
    return [
        name
        for other, names in FAMILY_LISTS.items()
        if other != family
        for name in names
    ]


def saved_page(name: str) -> Page:
    """A saved answer as detection reads it: its URL and its text."""
    page = saved(name)
    return Page(page.url, decode(page.body))


def start_page(replica: ReplicaThread, url: str) -> Page:
    """A page fetched through the replica (it must answer 200) as detection reads it,
    decoded by the charset its Content-Type names."""
    answer = fetch(replica.proxy, url)
    assert answer.status == 200, url
    found = re.search(r"charset=([\w-]+)", answer.headers.get("Content-Type", ""))
    return Page(url, decode(answer.body, found.group(1) if found else None))
