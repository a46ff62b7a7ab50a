"""Progress lines for long crawls: per source, pages, reports found, new files, failures."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger("nianbao.progress")


class Progress:
    """Every ``NIANBAO_PROGRESS_INTERVAL`` seconds, one line per source."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        ext = cls(crawler, crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 10.0))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Spider) -> None:
        if self.interval > 0:
            self.loop = task.LoopingCall(self.log, spider)
            self.loop.start(self.interval, now=False)

    def closed(self, spider: Spider) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.log(spider)

    def log(self, spider: Spider) -> None:
        stats = self.crawler.stats.get_stats()
        for source in getattr(spider, "sources", {}):

            def get(key: str, source: str = source) -> int:
                return int(stats.get(f"nianbao/{source}/{key}", 0))

            new = get("page/new_version") + get("attachment/new_version")
            failed = sum(
                v
                for k, v in stats.items()
                if k.startswith(f"nianbao/{source}/") and k.endswith("/failed")
            )
            logger.info(
                "%s: %d list pages, %d reports found, %d new files, %d failed",
                source,
                get("list/listed"),
                get("listed/report"),
                new,
                failed,
            )
