"""Downloader middlewares (route through the replica/proxy, time every fetch, fix
charsets) and spider middlewares (a spider's error is a failed fetch; list pages
carried forward on polite nights)."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.http import TextResponse
from w3lib.encoding import html_body_declared_encoding

from processors.text import sniff

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ProxyMiddleware:
    """Send every plain-HTTP request through ``NIANBAO_PROXY`` (the replica), if set.

    The request keeps its real URL, so ``response.url`` and the archive's provenance
    say ``http://www.wip.gov.cn/…``. Browser requests get the proxy from the launch
    options instead.
    """

    def __init__(self, proxy: str | None) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        return cls(crawler.settings.get("NIANBAO_PROXY"))

    def process_request(self, request: Request) -> None:
        if self.proxy and not request.meta.get("playwright"):
            request.meta.setdefault("proxy", self.proxy)


class FetchTimingMiddleware:
    """Note when a fetch started and ended, and the headers actually sent."""

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("fetch_started", utc_now())
        request.meta["sent_headers"] = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in request.headers.items()
        }

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta["fetch_ended"] = utc_now()
        return response


class CharsetMiddleware:
    """Decode pages by the evidence of their bytes, not by what the server claims.

    Scrapy trusts the Content-Type header's charset over the page's ``<meta>``; a
    server that says UTF-8 and serves GBK gives garbled titles, and a list page whose
    titles are garbled lists no report (and then every report looks removed). So a
    page that does not decode cleanly with the charset Scrapy chose is decoded with
    the best of: the ``<meta>`` charset, UTF-8 when the bytes are valid UTF-8, and
    GB18030 (a superset of GBK and GB2312); the capture is flagged
    ``encoding_suspect``. The bytes stored are never touched.

    Documents are left alone: Scrapy makes a ``TextResponse`` of a PDF (and of a file
    served as ``application/octet-stream`` whose bytes look like text to it), and
    asking its encoding runs charset detection over the whole file — 6 ms a PDF, a
    seventh of a PDF-heavy crawl's time, for nothing read as text.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        if sniff(response.body[:1024]) in DOCUMENT_TYPES:
            return response
        chosen = response.encoding
        best = better_charset(response.body, chosen, declared_charset(response))
        if best is None:
            return response
        request.meta["encoding_suspect"] = f"{chosen} → {best}"
        return response.replace(encoding=best)


# What ``sniff`` calls a file by its magic number: a document, never a page to decode.
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)


def declared_charset(response: TextResponse) -> str | None:
    """The charset the page itself declares in ``<meta>`` (None without one)."""
    found = html_body_declared_encoding(response.body)
    return str(found) if found else None


def better_charset(body: bytes, chosen: str, meta: str | None) -> str | None:
    """A charset that decodes ``body`` better than ``chosen`` does (None: keep it).

    Valid UTF-8 with non-ASCII text is UTF-8 (other charsets almost never produce
    it); otherwise the candidate with the fewest undecodable bytes wins, and only
    when ``chosen`` leaves more than a few.
    """
    if codecs.lookup(chosen).name != "utf-8" and _is_utf8(body):
        return "utf-8"
    errors = _undecodable(body, chosen)
    if errors <= max(2, len(body) // 2000):  # a stray bad byte is not a wrong charset
        return None
    candidates = [c for c in (meta, "gb18030", "utf-8") if c and _known(c)]
    best = min(candidates, key=lambda c: _undecodable(body, c))
    return best if _undecodable(body, best) < errors // 4 else None


def _known(charset: str) -> bool:
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True


def _is_utf8(body: bytes) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.isascii()


def _undecodable(body: bytes, charset: str) -> int:
    """How many replacement characters decoding ``body`` as ``charset`` gives."""
    name = "gb18030" if charset.lower() in ("gb2312", "gbk") else charset
    return body.decode(name, errors="replace").count("\ufffd")


DECORATION = frozenset({"image", "stylesheet", "font", "media"})


def skip_decoration(request: object) -> bool:
    """Browser requests not worth making for reading a list: images, styles, fonts, media."""
    return getattr(request, "resource_type", "") in DECORATION


class SpiderErrorMiddleware:
    """A spider's bug never passes silently: when reading a page raises, the page's
    fetch is recorded as failed (``spider_error``, the exception in its detail), so the
    run is partial, the summary counts it and the next run asks for the page again."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpiderErrorMiddleware:
        return cls(crawler)

    def process_spider_exception(
        self, response: Response, exception: Exception
    ) -> list[object] | None:
        spider = self.crawler.spider
        error = getattr(spider, "spider_error", None)
        if spider is None or error is None or "source" not in response.meta:
            return None  # not a nianbao spider's request: Scrapy's own handling
        spider.logger.error(
            "%s: reading %s failed: %s: %s",
            response.meta["source"],
            response.url,
            type(exception).__name__,
            exception,
            exc_info=exception,
        )
        return [error(response, exception)]


class CarryListsMiddleware:
    """Hands a list page's whole output to its spider's ``carry_lists`` (crawler/
    spiders/base.py): on a polite night, the list pages an unchanged list page leads to
    are carried forward from their last reading unless due (crawler/verify.py).

    Last in the output chain (after SpiderErrorMiddleware turned an exception into a
    failed fetch), and only for list pages: their output is small.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CarryListsMiddleware:
        return cls(crawler)

    def _carrier(self, response: Response) -> Any:
        spider = self.crawler.spider
        if response.meta.get("kind") != "list":
            return None
        return getattr(spider, "carry_lists", None)

    def process_spider_output(
        self, response: Response, result: Iterable[Any]
    ) -> Iterator[Any]:
        carry = self._carrier(response)
        if carry is None:
            yield from result
            return
        yield from carry(response, list(result))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterable[Any]
    ) -> AsyncIterator[Any]:
        carry = self._carrier(response)
        if carry is None:
            async for item in result:
                yield item
            return
        for item in carry(response, [item async for item in result]):
            yield item
