"""The Scrapy phase of a run: one CrawlerProcess, one crawler per site family, and how it ended.

The spiders are found by Scrapy's SpiderLoader (a family's spider is named after
it). How the phase ended decides the run's status: a signal makes it
``interrupted``; a spider closed for any reason other than ``finished`` (the memory
limit, the archive refusing writes, a full disk…) makes it ``partial`` with that
reason, never ``complete``.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from app.config import chromium_path
from app.diskspace import is_disk_full
from app.interrupts import signal_name
from crawler import settings as default_settings

if TYPE_CHECKING:
    from app.crawl import CrawlPlan
    from archive.recorder import KnownDocument, KnownList
    from crawler.registry import Source

logger = logging.getLogger(__name__)
FINISHED = "finished"


@dataclass(slots=True)
class Fetched:
    """How the crawl phase went: signals received, each spider's close reason, time."""

    signals: list[int] = field(default_factory=list)
    reasons: dict[str, str | None] = field(default_factory=dict)  # family → reason
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def interrupted(self) -> str | None:
        """Why the phase was cut short by a signal (None if it was not)."""
        if not self.signals:
            return None
        reason = f"stopped by {signal_name(self.signals[0])}"
        if len(self.signals) > 1:
            reason += " (at once, on a second signal)"
        return reason

    @property
    def early_stop(self) -> str | None:
        """A spider's close reason other than ``finished`` (None if every one finished)."""
        odd = sorted(
            f"{family}: {reason or 'did not finish'}"
            for family, reason in self.reasons.items()
            if reason != FINISHED
        )
        return "; ".join(odd) or None

    @property
    def disk_full(self) -> bool:
        return any(is_disk_full(r) for r in self.reasons.values())


class _Process(CrawlerProcess):
    """Scrapy's process, noting the shutdown signals it receives (and saying so)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.received: list[int] = []

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.received.append(signum)
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        self.received.append(signum)
        super()._signal_kill(signum, frame)

    @staticmethod
    def _log_shutdown(signum: int) -> None:
        logger.warning(
            "%s: stopping the crawl once the requests under way end (send it again to "
            "stop at once); the run will be recorded as interrupted",
            signal_name(signum),
        )

    @staticmethod
    def _log_kill(signum: int) -> None:
        logger.warning("%s again: stopping the crawl at once", signal_name(signum))


def scrapy_settings(plan: CrawlPlan, run_id: int) -> Settings:
    """The defaults of crawler/settings.py plus this run's own settings."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.update(
        {
            "NIANBAO_ARCHIVE": str(plan.data),
            "NIANBAO_RUN_ID": run_id,
            "NIANBAO_PROXY": plan.proxy,
            "DOWNLOAD_TIMEOUT": plan.tuning.timeout,
            "RETRY_TIMES": plan.tuning.retries,
            "NIANBAO_REDIS_TIMEOUT": plan.tuning.redis_timeout,  # a worker's calls
            "LOG_INSTALL_ROOT_HANDLER": False,  # the command line owns logging
        },
        priority="cmdline",
    )
    launch = dict(default_settings.PLAYWRIGHT_SETTINGS["PLAYWRIGHT_LAUNCH_OPTIONS"])
    launch["executable_path"] = chromium_path()
    if plan.proxy:
        launch["proxy"] = {"server": plan.proxy}
    # cmdline priority beats the JS families' custom_settings
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="cmdline")
    if not plan.polite:  # loopback replica: no one to be polite to
        settings.update(
            {
                "DOWNLOAD_DELAY": 0,
                "AUTOTHROTTLE_ENABLED": False,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            },
            priority="cmdline",
        )
    else:
        settings.set(
            "CONCURRENT_REQUESTS",
            concurrent_requests(plan.sources, settings),
            "cmdline",
        )
    for name, value in plan.overrides.items():  # the user's -s, but never the run's own
        if not name.startswith("NIANBAO_"):
            settings.set(name, value, priority="cmdline")
    return settings


def concurrent_requests(sources: list[Source], settings: Settings) -> int:
    """Requests under way at once in a polite crawl: enough for every host to have
    its own share (CONCURRENT_REQUESTS_PER_DOMAIN) at once, between the default and
    NIANBAO_CONCURRENT_REQUESTS_MAX. A night of 1,000 hosts at 16 at a time would
    leave nearly all of its politeness budget unused (bench B2)."""
    hosts = len({host for source in sources for host in source.hosts})
    wanted = hosts * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    floor = settings.getint("CONCURRENT_REQUESTS")
    return max(floor, min(wanted, settings.getint("NIANBAO_CONCURRENT_REQUESTS_MAX")))


def _families(sources: list[Source]) -> dict[str, list[Source]]:
    groups: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        groups[source.family].append(source)
    return groups


def fetch(
    plan: CrawlPlan,
    run_id: int,
    crawler_version: str,
    known: dict[str, KnownDocument],
    lists: dict[str, KnownList],
    *,
    extra: dict[str, Any] | None = None,
    seed: bool = True,
) -> Fetched:
    """Crawl ``plan.sources`` (one crawler per family) until done or stopped.

    ``extra`` settings make the crawlers something else (a distributed run's worker,
    ``app/distributed.py``); without ``seed`` the spiders ask for no first page and
    only take requests from a shared queue.
    """
    settings = scrapy_settings(plan, run_id)
    settings.update(extra or {}, priority="cmdline")
    process = _Process(settings)
    crawlers: dict[str, Crawler] = {}
    for family, group in _families(plan.sources).items():
        ids = {s.id for s in group}
        crawler = process.create_crawler(process.spider_loader.load(family))
        crawlers[family] = crawler
        process.crawl(
            crawler,
            sources=group,
            run_id=run_id,
            crawler_version=crawler_version,
            known={u: d for u, d in known.items() if d.source_id in ids},
            lists=lists,
            scout=plan.scout,
            seed=seed,
            verify_days=plan.verify_window,
        )
    wall, cpu = time.monotonic(), time.process_time()
    process.start()
    reasons = {
        family: c.stats.get_value("finish_reason") if c.stats else None
        for family, c in crawlers.items()
    }
    return Fetched(
        signals=list(process.received),
        reasons=reasons,
        seconds=time.monotonic() - wall,
        cpu_seconds=time.process_time() - cpu,
    )
