"""One crawl run: lock the archive, crawl the sources, hash texts, write events, summarise."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from app.config import Config, CrawlTuning, chromium_path
from app.process import process_versions
from app.sandbox import map_isolated
from app.standin import start_replica
from archive.db import Archive, CrawlLock, open_archive
from archive.history import pending_texts, settle_run, store_text
from archive.recorder import known_documents, known_lists
from archive.runs import (
    RunCounts,
    RunStatus,
    RunTiming,
    SourceSummary,
    finish_run,
    run_status,
    source_summaries,
    start_run,
    sync_sources,
)
from crawler import settings as default_settings
from processors.text import text_sha256

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from crawler.registry import Source

logger = logging.getLogger(__name__)
EXIT_CODES: dict[RunStatus, int] = {
    "complete": 0,
    "partial": 3,
    "failed": 4,
    "interrupted": 5,
}
VERSION = version("nianbao")


@dataclass(slots=True)
class CrawlPlan:
    """What to crawl, where to keep it, and through which proxy (the replica, if any)."""

    data: Path
    sources: list[Source]
    proxy: str | None = None
    target: str = "real sites"
    epoch: int | None = None
    polite: bool = True
    tuning: CrawlTuning = field(default_factory=CrawlTuning.from_env)
    config: Config = field(default_factory=Config)  # alerts, deadlines
    # Scrapy settings given on the command line (`scrapy crawl -s NAME=VALUE`).
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CrawlResult:
    run_id: int
    status: RunStatus
    counts: RunCounts
    sources: list[SourceSummary]
    processing: str = ""  # what processing the new versions gave (ProcessSummary.line)
    alerts: str = ""  # what the end-of-run notification did (Notified.line)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


def crawl_plan(
    data: Path,
    sources: list[Source],
    config: Config,
    *,
    proxy: str | None = None,
    replica: str | None = None,
    epoch: int = 1,
    polite: bool | None = None,
    overrides: dict[str, Any] | None = None,
) -> CrawlPlan:
    """What ``nianbao crawl`` (and ``scrapy crawl``) runs: the real sites, a proxy, or the
    replica on night ``epoch`` (``replica`` is its proxy URL). Politeness is on for real
    sites and off otherwise, unless ``polite`` says."""
    target = "real sites"
    if replica or proxy:
        target = f"replica night {epoch}" if replica else f"proxy {proxy}"
    return CrawlPlan(
        config=config,
        data=data,
        sources=sources,
        proxy=replica or proxy,
        target=target,
        epoch=epoch if replica else None,
        polite=polite if polite is not None else not (replica or proxy),
        overrides=dict(overrides or {}),
    )


@contextlib.contextmanager
def replica_proxy(epoch: int | None) -> Iterator[str | None]:
    """The replica on night ``epoch`` as a child process for the block; its proxy URL.

    ``None`` (no replica wanted) yields ``None``.

    :raises app.standin.ReplicaUnavailable: when it cannot be started.
    """
    if epoch is None:
        yield None
        return
    verbose = logging.getLogger().isEnabledFor(logging.DEBUG)  # `nianbao -v`
    standin = start_replica(["--epoch", str(epoch)], verbose=verbose)
    try:
        yield standin.proxy
    finally:
        standin.stop()


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
    for name, value in plan.overrides.items():  # the user's -s, but never the run's own
        if not name.startswith("NIANBAO_"):
            settings.set(name, value, priority="cmdline")
    return settings


@dataclass(frozen=True, slots=True)
class HashJob:
    """What a text-hash worker gets: a stored file, its type and charset."""

    path: Path
    media_type: str
    charset: str | None


def _hash_blob(job: HashJob) -> str:
    """Worker task: the normalised-text hash of one stored file."""
    return text_sha256(job.path.read_bytes(), job.media_type, job.charset)


def hash_new_texts(archive: Archive, run_id: int) -> int:
    """Text hashes of the run's new versions, parsed in sandboxed workers."""
    pending = pending_texts(archive.db, run_id)
    tasks = [
        HashJob(archive.blobs.path(p.sha256), p.media_type, p.charset) for p in pending
    ]
    for item, outcome in zip(pending, map_isolated(_hash_blob, tasks), strict=True):
        store_text(
            archive.db,
            item.version_id,
            outcome.value if outcome.ok else None,
            "ok" if outcome.ok else outcome.error[:500],
        )
    return len(pending)


def _spider_groups(sources: list[Source]) -> dict[str, list[Source]]:
    groups: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        groups[source.family].append(source)
    return groups


def run_crawl(plan: CrawlPlan) -> CrawlResult:
    """Crawl ``plan.sources`` into the archive in ``plan.data``.

    :raises archive.db.ArchiveLocked: when another crawl holds the archive.
    """
    lock = CrawlLock(plan.data)
    lock.acquire(plan.target)
    archive = open_archive(plan.data)
    try:
        archive.blobs.clear_temporary()
        ids = [s.id for s in plan.sources]
        sync_sources(archive.db, plan.sources)
        run_id = start_run(
            archive.db,
            target=plan.target,
            epoch=plan.epoch,
            sources=ids,
            crawler_version=VERSION,
        )
        known = known_documents(archive.db, ids)
        lists = known_lists(archive.db, ids)
        settings = scrapy_settings(plan, run_id)
        process = CrawlerProcess(settings)
        for family, group in _spider_groups(plan.sources).items():
            process.crawl(
                process.spider_loader.load(family),  # the spider named after the family
                sources=group,
                run_id=run_id,
                crawler_version=VERSION,
                known={
                    u: d
                    for u, d in known.items()
                    if d.source_id in {s.id for s in group}
                },
                lists=lists,
            )
        wall, cpu = time.monotonic(), time.process_time()
        process.start()
        crawl_seconds = time.monotonic() - wall
        crawl_cpu_seconds = time.process_time() - cpu
        wall = time.monotonic()
        hashed = hash_new_texts(archive, run_id)
        processed = process_versions(archive)
        events = settle_run(archive.db, run_id, ids)
        timing = RunTiming(crawl_seconds, crawl_cpu_seconds, time.monotonic() - wall)
        summaries = source_summaries(archive.db, run_id, ids)
        status = run_status(summaries)
        counts = finish_run(
            archive.db,
            run_id,
            status,
            events,
            f"{hashed} new texts hashed; {processed.line()}",
            timing,
        )
        return CrawlResult(
            run_id,
            status,
            counts,
            summaries,
            processed.line(),
            _notify(archive, run_id, plan),
        )
    finally:
        archive.close()
        lock.release()


def _notify(archive: Archive, run_id: int, plan: CrawlPlan) -> str:
    """Alerts and the feed for the run; a failure here is logged, never loses the run."""
    from alerts.notify import after_run

    try:
        config = plan.config
        return after_run(archive, run_id, config.alerts, config.deadlines).line()
    except (
        Exception
    ) as exc:  # the run is stored; `nianbao alerts send` can retry delivery
        logger.exception("alerts after run %s failed", run_id)
        return f"failed: {type(exc).__name__}: {exc}"


def summary_table(result: CrawlResult) -> str:
    """The end-of-run table: one line per source, then the run's totals."""
    columns = (
        "list pages",
        "reports",
        "new",
        "changed",
        "re-saved",
        "removed",
        "failed",
    )
    head = f"{'source':<10}" + "".join(f" {c:>10}" for c in columns) + "  unreachable"
    lines = [head, "-" * len(head)]
    for s in result.sources:
        values = (
            s.list_pages,
            s.reports,
            s.new,
            s.changed,
            s.resaved,
            s.removed,
            s.failed,
        )
        lines.append(
            f"{s.source:<10}"
            + "".join(f" {v:>10}" for v in values)
            + f"  {s.unreachable}"
        )
    c = result.counts
    megabytes = c.bytes_downloaded / 1e6
    lines.append(
        f"run {result.run_id} {result.status}: {c.requests} fetches, {megabytes:.1f} MB, "
        f"{c.new_versions} new files, {c.events} events, {c.failures} failed"
    )
    if result.processing:
        lines.append(f"processed: {result.processing}")
    if result.alerts:
        lines.append(f"alerts: {result.alerts}")
    if any(s.unreachable for s in result.sources) and not any(
        s.list_pages for s in result.sources
    ):
        lines.append(
            "host unreachable: no source answered (no network, or every site is down); "
            "the archive holds no new reports"
        )
    return "\n".join(lines)
