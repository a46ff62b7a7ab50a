"""Progress lines for long crawls: per source, pages, reports found, new files, failures."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger("nianbao.progress")


PER_SOURCE = 20  # sources that moved since the last look, one line each; more: totals


@dataclass(frozen=True, slots=True)
class Counts:
    """What a source has done so far in this crawl."""

    list_pages: int = 0
    reports: int = 0
    new_files: int = 0
    failed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.list_pages + other.list_pages,
            self.reports + other.reports,
            self.new_files + other.new_files,
            self.failed + other.failed,
        )

    def line(self) -> str:
        return (
            f"{self.list_pages} list pages, {self.reports} reports found, "
            f"{self.new_files} new files, {self.failed} failed"
        )


def counts_by_source(stats: dict[str, Any]) -> dict[str, Counts]:
    """Each source's counts, in one pass over the crawl's stats
    (``nianbao/<source>/<kind>/<outcome>``)."""
    raw: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for key, value in stats.items():
        if not key.startswith("nianbao/"):
            continue
        _, source, rest = key.split("/", 2) if key.count("/") >= 2 else (key, "", "")
        row = raw[source]
        if rest == "list/listed":
            row[0] += int(value)
        elif rest == "listed/report":
            row[1] += int(value)
        elif rest in ("page/new_version", "attachment/new_version"):
            row[2] += int(value)
        elif rest.endswith("/failed"):
            row[3] += int(value)
    return {source: Counts(*row) for source, row in raw.items()}


class Progress:
    """Every ``NIANBAO_PROGRESS_INTERVAL`` seconds, what the sources have done: one line
    per source that moved since the last look, or one line of totals when more than
    :data:`PER_SOURCE` did (a night of 10,000 sources logs a line, not 10,000)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.last: dict[str, Counts] = {}

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
        counts = counts_by_source(self.crawler.stats.get_stats())
        sources = list(getattr(spider, "sources", {}))
        now = {source: counts.get(source, Counts()) for source in sources}
        moved = [s for s in sources if self.last.get(s) != now[s]]
        self.last = now
        if len(moved) <= PER_SOURCE:
            for source in moved:
                logger.info("%s: %s", source, now[source].line())
            return
        total = sum(now.values(), Counts())
        logger.info(
            "%d sources (%d moved since the last line): %s",
            len(sources),
            len(moved),
            total.line(),
        )
