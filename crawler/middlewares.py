"""Downloader middlewares: route through the replica/proxy, and time every fetch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


DECORATION = frozenset({"image", "stylesheet", "font", "media"})


def skip_decoration(request: object) -> bool:
    """Browser requests not worth making for reading a list: images, styles, fonts, media."""
    return getattr(request, "resource_type", "") in DECORATION
