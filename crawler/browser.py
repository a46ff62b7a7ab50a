"""scrapy-playwright's download handler, started by the first page that needs Chromium.

scrapy-playwright starts Playwright (its Node driver) when the engine starts, and
Scrapy waits for it before the crawler's first request: about 2 s on 2 cores, once per
scheme the handler serves (the generic family serves both). Most nights render
nothing — the generic reader asks for the browser only for a column whose links are
written by JavaScript — yet every crawl with a generic source lost those seconds
(measured: the generic sources' first request 1.9 s after the others', the bench's
PDF-mix crawl 2.3 s long). Here Playwright starts at the first request that needs it,
under a lock, and a crawl that renders nothing never starts it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
    """The handler of PLAYWRIGHT_SETTINGS (crawler/settings.py), launched on first use."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        for hook in ("_maybe_launch_in_thread", "_engine_started"):
            crawler.signals.disconnect(getattr(self, hook), signals.engine_started)
        self._launch_lock: asyncio.Lock | None = None
        self._launched = False

    async def _download_request(
        self, request: Request, spider: Spider | None = None
    ) -> Response:
        if not self._launched:
            if self._launch_lock is None:  # made in the loop that awaits it
                self._launch_lock = asyncio.Lock()
            async with self._launch_lock:
                if not self._launched:
                    await self._launch()
                    self._launched = True
        response: Response = await super()._download_request(request, spider)
        return response
