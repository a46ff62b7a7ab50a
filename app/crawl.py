"""One crawl run: lock the archive, crawl the sources, hash texts, write events, summarise."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from app.config import Config, CrawlTuning, ParseLimits
from app.diskspace import is_disk_full, require_free
from app.fetch import fetch
from app.interrupts import Interrupted, deferred, raising
from app.live import LiveParse
from app.process import analyse
from app.standin import start_replica
from archive.backup import BackupError, backup_archive
from archive.db import Archive, CrawlLock, open_archive
from archive.history import settle_run
from archive.integrity import ArchiveCorrupt, check_archive
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
from crawler.verify import DEFAULT_WINDOW_DAYS

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from app.fetch import Fetched
    from archive.recorder import KnownDocument, KnownList
    from crawler.registry import Source

logger = logging.getLogger(__name__)
EXIT_CODES: dict[RunStatus, int] = {
    "complete": 0,
    "partial": 3,
    "failed": 4,
    "interrupted": 5,
    "disk_full": 6,
}
EXIT_DISK_FULL = EXIT_CODES["disk_full"]
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
    parsing: ParseLimits = field(default_factory=ParseLimits.from_env)
    config: Config = field(default_factory=Config)  # alerts, deadlines
    # Scrapy settings given on the command line (`scrapy crawl -s NAME=VALUE`).
    overrides: dict[str, Any] = field(default_factory=dict)
    scout: bool = False  # read the lists only, fetch no report (`nianbao add`)
    # Distributed (app/distributed.py): the Redis of the shared frontier, and how many
    # local workers to start; None crawls in this process.
    redis: str | None = None
    workers: int = 2
    # Listed known documents are asked for again at least once in this many days
    # (crawler/verify.py); None: 7 for a polite crawl, 0 (every night) otherwise.
    verify_days: int | None = None

    @property
    def verify_window(self) -> int:
        if self.verify_days is not None:
            return self.verify_days
        return DEFAULT_WINDOW_DAYS if self.polite else 0


@dataclass(slots=True)
class CrawlResult:
    run_id: int
    status: RunStatus
    counts: RunCounts
    sources: list[SourceSummary]
    processing: str = ""  # what processing the new versions gave (ProcessSummary.line)
    alerts: str = ""  # what the end-of-run notification did (Notified.line)
    message: str = ""  # the run's message (why it stopped early, if it did)

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
    redis: str | None = None,
    workers: int = 2,
    verify_days: int | None = None,
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
        redis=redis,
        workers=workers,
        verify_days=verify_days,
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


def run_crawl(plan: CrawlPlan) -> CrawlResult:
    """Crawl ``plan.sources`` into the archive in ``plan.data``: one run, start to end.

    The crawl, its new versions parsed as they arrive (``app/live.py``); then
    (unless it was interrupted) the analysis: the rest parsed (a PDF's text hash with
    its parse), the other text hashes, events; then the run's status and counts; then
    its alerts. An interrupted run writes no events and ends no source's baseline:
    the next run settles it.

    :raises archive.db.ArchiveLocked: when another crawl holds the archive.
    """
    lock = CrawlLock(plan.data)
    lock.acquire(plan.target)
    try:
        require_free(plan.data, plan.tuning.min_free_mb)
        check_archive(plan.data)  # a damaged archive is refused before any write
        if plan.redis:  # and a Redis that does not answer, before any run starts
            from app.distributed import connect

            connect(plan.redis).close()
    except Exception:
        lock.release()
        raise
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
        try:
            return _run(archive, plan, run_id, ids)
        except Interrupted as stop:  # Ctrl-C or SIGTERM after the crawl phase
            return _interrupted(archive, run_id, ids, str(stop))
        except (OSError, sqlite3.Error) as exc:
            if not is_disk_full(exc):
                raise
            return _disk_full(archive, plan, run_id, ids, f"the disk is full: {exc}")
    finally:
        archive.close()
        lock.release()


def _run(archive: Archive, plan: CrawlPlan, run_id: int, ids: list[str]) -> CrawlResult:
    known = known_documents(archive.db, ids)
    lists = known_lists(archive.db, ids)
    if plan.redis:
        from app.distributed import RedisUnavailable, fetch_distributed

        try:
            fetched = fetch_distributed(archive, plan, run_id, VERSION, known, lists)
        except RedisUnavailable as exc:  # waited for it in vain: settled next run
            return _interrupted(archive, run_id, ids, str(exc))
        live = None
    else:
        fetched, live = _fetch_parsing(plan, run_id, known, lists)
    if fetched.interrupted:
        return _interrupted(archive, run_id, ids, fetched.interrupted)
    if plan.scout:  # the lists are what was asked for: no analysis, no alerts
        return _stopped(archive, run_id, ids, "partial", "scouting: lists only")
    if fetched.disk_full:
        if live is not None:
            live.stop()
        why = f"the disk is full: the crawl stopped early ({fetched.early_stop})"
        return _disk_full(archive, plan, run_id, ids, why)
    wall = time.monotonic()
    with raising("the analysis of the crawl"):
        earlier = live.finish() if live is not None else None
        hashed, processed = analyse(archive, run_id, plan.parsing, earlier)
        events = settle_run(archive.db, run_id, ids)
    timing = RunTiming(fetched.seconds, fetched.cpu_seconds, time.monotonic() - wall)
    summaries = source_summaries(archive.db, run_id, ids)
    status = run_status(summaries)
    message = f"{hashed} new texts hashed; {processed.line()}"
    if fetched.early_stop:
        status = "partial" if status == "complete" else status
        message = f"the crawl stopped early ({fetched.early_stop}); {message}"
    counts = finish_run(archive.db, run_id, status, events, message, timing)
    with deferred(f"the alerts of run {run_id}"):
        alerts = _notify(archive, run_id, plan)
        if status == "complete":
            _back_up(archive, run_id)
    return CrawlResult(
        run_id, status, counts, summaries, processed.line(), alerts, message
    )


def _fetch_parsing(
    plan: CrawlPlan,
    run_id: int,
    known: dict[str, KnownDocument],
    lists: dict[str, KnownList],
) -> tuple[Fetched, LiveParse | None]:
    """The crawl in this process, its new versions parsed while it runs
    (``app/live.py``) unless it only scouts or parsing waits for its end
    (``NIANBAO_PARSE_DURING_CRAWL=0``); the parse's workers are stopped at once if the
    crawl was interrupted or failed, and are left to finish otherwise."""
    if plan.scout or not plan.parsing.during_crawl:
        return fetch(plan, run_id, VERSION, known, lists), None
    live = LiveParse(plan.data, plan.parsing).start()
    try:
        fetched = fetch(plan, run_id, VERSION, known, lists)
    except BaseException:
        live.stop()
        raise
    if fetched.interrupted:
        live.stop()
    return fetched, live


def _noteworthy(source: SourceSummary) -> bool:
    return bool(
        source.new
        or source.changed
        or source.resaved
        or source.removed
        or source.failed
        or source.unreachable
        or source.fell_back
        or not source.list_pages  # nothing listed: worth a look
    )


def _back_up(archive: Archive, run_id: int) -> None:
    """The rotating backup after a complete run (DATA/backups); a failure is logged
    (and the backup told missing blobs are logged), never fails the run."""
    try:
        made = backup_archive(archive.root, run_id)
    except (BackupError, ArchiveCorrupt) as exc:
        logger.error("no backup after run %s: %s", run_id, exc)
        return
    logger.info("backup: %s", made.line())
    if made.missing_blobs:
        logger.error(
            "run %s: the archive references %d files missing from its blob store: %s",
            run_id,
            len(made.missing_blobs),
            ", ".join(made.missing_blobs[:3]),
        )


def _interrupted(
    archive: Archive, run_id: int, ids: list[str], reason: str
) -> CrawlResult:
    """Record the run as interrupted; nothing else (the next run settles it)."""
    return _stopped(archive, run_id, ids, "interrupted", reason)


def _disk_full(
    archive: Archive, plan: CrawlPlan, run_id: int, ids: list[str], reason: str
) -> CrawlResult:
    """Record a run stopped by a full disk, and tell, as far as the disk allows."""
    from alerts.notify import disk_full

    result = _stopped(archive, run_id, ids, "disk_full", reason)
    try:
        result.alerts = disk_full(archive, plan.config.alerts, run_id, reason).line()
    except (OSError, sqlite3.Error) as exc:  # the disk may not take even that
        logger.error("the disk-full alert could not be queued: %s", exc)
        result.alerts = f"not queued: {exc}"
    return result


def _stopped(
    archive: Archive, run_id: int, ids: list[str], status: RunStatus, reason: str
) -> CrawlResult:
    """Record a run that stopped early; nothing else: the next run settles it, as it
    settles a run that was killed. On a full disk even this may fail: the next run
    then finds the run still ``running`` and marks it interrupted."""
    message = f"{reason}; the next run settles what this one stored"
    try:
        counts = finish_run(archive.db, run_id, status, 0, message)
    except (OSError, sqlite3.Error) as exc:
        logger.error("run %s could not be closed: %s", run_id, exc)
        counts = RunCounts(0, 0, 0, 0, 0, 0, 0)
    summaries = source_summaries(archive.db, run_id, ids)
    return CrawlResult(run_id, status, counts, summaries, message=message)


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


SUMMARY_ROWS = 40  # sources listed one per line at the end of a run, at most


def summary_table(result: CrawlResult) -> str:
    """The end-of-run table: one line per source, then the run's totals.

    A run of more sources than :data:`SUMMARY_ROWS` lists only those with something
    to say (new, changed, re-saved, removed, failed, unreachable, read by the
    generic reader, or no list page read), the first
    :data:`SUMMARY_ROWS` of them, and counts the rest (`nianbao sources --check` has
    every source's last listing).
    """
    columns = (
        "list pages",
        "reports",
        "new",
        "changed",
        "re-saved",
        "removed",
        "failed",
    )
    width = max([10, *(len(s.source) for s in result.sources)])
    head = f"{'source':<{width}}" + "".join(f" {c:>10}" for c in columns)
    head += "  unreachable"
    lines = [head, "-" * len(head)]
    shown = result.sources
    if len(shown) > SUMMARY_ROWS:
        shown = [s for s in shown if _noteworthy(s)][:SUMMARY_ROWS]
    for s in shown:
        values = (
            f"{s.list_pages}+{s.carried}" if s.carried else s.list_pages,
            s.reports,
            s.new,
            s.changed,
            s.resaved,
            s.removed,
            s.failed,
        )
        lines.append(
            f"{s.source:<{width}}"
            + "".join(f" {v:>10}" for v in values)
            + f"  {s.unreachable}"
        )
    if len(shown) < len(result.sources):
        quiet = sum(1 for s in result.sources if not _noteworthy(s))
        more = len(result.sources) - len(shown) - quiet
        lines.append(
            f"… {more} more sources with news and {quiet} with nothing new "
            "(`nianbao sources --check` lists every source)"
        )
    if any(s.carried for s in shown):
        lines.append(
            "list pages: read+carried (not due tonight: their items listed as at their "
            "last reading; crawler/verify.py)"
        )
    c = result.counts
    megabytes = c.bytes_downloaded / 1e6
    lines.append(
        f"run {result.run_id} {result.status}: {c.requests} fetches, {megabytes:.1f} MB, "
        f"{c.new_versions} new files, {c.events} events, {c.failures} failed"
    )
    for s in result.sources:
        if s.fell_back:
            lines.append(
                f"{s.source}: {s.fell_back} (its list was read by the generic reader; "
                "check the source's family in the registry)"
            )
    if result.status != "complete" and result.message:
        lines.append(f"why: {result.message}")
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
