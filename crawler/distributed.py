"""A worker of a distributed run: scrapy-redis's shared frontier, records to one ingester.

Every worker runs the run's family spiders with scrapy-redis's scheduler and
dupefilter, their keys scoped to the run (:class:`RunKeys`; nothing outlives the run,
so no permanent seen-set hides tomorrow's edits). One worker (``seed``) asks for the
sources' first pages; every worker takes requests from the shared queues. What a
worker fetches goes to the blob store (shared by the workers) and its record, without
the bytes, to the run's records list in Redis, where the one ingester
(``app/distributed.py``) writes it to SQLite: workers never open the archive.

A worker never decides alone that the run is over: another worker may yet queue
requests. It keeps its spiders open, says in its heartbeat whether it is idle and how
much it has done, and closes them when the coordinator sets the run's phase to
``done`` (after ``recheck``, when the seeding worker asks again for the known
documents nobody listed tonight).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import signal
import socket
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redis import Redis
from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DropItem, ScrapyDeprecationWarning
from scrapy_redis.scheduler import Scheduler  # type: ignore[import-untyped]
from twisted.internet import task

from archive.blobs import BlobStore
from archive.db import BLOB_DIR
from archive.recorder import stored_as
from crawler.claims import RedisClaims
from crawler.items import FetchRecord, ListingBatch

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.internet.base import DelayedCall

logger = logging.getLogger(__name__)
# scrapy-redis 0.9.1 passes `spider=` to the stats collector, which Scrapy 2.13+
# deprecates: one warning per request, nothing to act on until scrapy-redis changes.
warnings.filterwarnings(
    "ignore", category=ScrapyDeprecationWarning, module="scrapy_redis.scheduler"
)

PHASES = ("crawl", "recheck", "done", "stop")
TURN = "nianbao_turn"  # request.meta: (host, token, time) of the frontier's pop
_LOST: list[str] = []  # why this worker lost Redis (then it stops, as a whole)


def redis_lost() -> str | None:
    """Why this worker process stopped for Redis, if it did."""
    return _LOST[0] if _LOST else None


def lose_redis(why: str) -> None:
    """Redis failed this worker: stop releasing what it holds (the coordinator puts
    it back) and stop the whole process, every family's spider, as SIGTERM does; the
    worker then exits with status 7 (app/distributed.py)."""
    if _LOST:
        return
    _LOST.append(why)
    logger.error("%s: stopping this worker", why)
    os.kill(os.getpid(), signal.SIGTERM)


HEARTBEAT_S = 0.25  # how often a worker says how it is (and looks for work)
WAKE_MAX_S = 30.0  # a host due later than this is looked at by the heartbeats


@dataclass(frozen=True, slots=True)
class RunKeys:
    """The Redis keys of one distributed run; all under :attr:`prefix`."""

    run_id: int

    @property
    def prefix(self) -> str:
        return f"nianbao:run:{self.run_id}"

    @property
    def pattern(self) -> str:
        """Every key of the run (to delete them when it ends)."""
        return f"{self.prefix}:*"

    def queue(self, spider: str = "%(spider)s") -> str:
        """A family spider's request queue (scrapy-redis fills in ``%(spider)s``)."""
        return f"{self.prefix}:{spider}:requests"

    def seen(self, spider: str = "%(spider)s") -> str:
        """A family spider's request fingerprints (scrapy-redis's dupefilter)."""
        return f"{self.prefix}:{spider}:seen"

    def requested(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:requested"

    def listed(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:listed"

    def pending(self, holder: str, spider: str) -> str:
        """Sorted set: the claims a worker's spider made that are not yet sure
        (crawler/claims.py)."""
        return f"{self.prefix}:{spider}:pending:{holder}"

    @property
    def plan(self) -> str:
        return f"{self.prefix}:plan"

    @property
    def phase(self) -> str:
        return f"{self.prefix}:phase"

    @property
    def records(self) -> str:
        return f"{self.prefix}:records"

    @property
    def workers(self) -> str:
        """Hash: ``worker/family`` → the heartbeat (JSON)."""
        return f"{self.prefix}:workers"

    @property
    def rechecked(self) -> str:
        """Set: the families whose known documents were asked for again."""
        return f"{self.prefix}:rechecked"

    @property
    def reasons(self) -> str:
        """Hash: ``worker/family`` → the spider's close reason."""
        return f"{self.prefix}:reasons"


def as_bytes(value: object) -> bytes:
    """A Redis reply as bytes (our clients never decode replies)."""
    if not isinstance(value, bytes):
        raise TypeError(f"expected bytes from Redis, got {type(value).__name__}")
    return value


def as_text(value: object) -> str:
    return as_bytes(value).decode()


def worker_name() -> str:
    """This worker's name in heartbeats: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def redis_settings(url: str, run_id: int, base: Mapping[str, Any]) -> dict[str, Any]:
    """The Scrapy settings that make a crawler a worker of run ``run_id``; ``base``
    the settings it would crawl with alone, whose per-host politeness becomes the
    run's (crawler/frontier.py), instead of each worker's."""
    keys = RunKeys(run_id)
    concurrency = int(base["CONCURRENT_REQUESTS_PER_DOMAIN"])
    return {
        "NIANBAO_REDIS_URL": url,
        "NIANBAO_WORKER": worker_name(),
        "NIANBAO_HOST_DELAY": float(base["DOWNLOAD_DELAY"]),
        "NIANBAO_HOST_CONCURRENCY": concurrency,
        "NIANBAO_HOST_LEASE": float(base["DOWNLOAD_TIMEOUT"]) * 2 + 30,
        # The frontier spaces each host's requests across all workers: Scrapy's own
        # delay and throttle would only add a second, per-worker wait.
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOADER_MIDDLEWARES": {
            **base["DOWNLOADER_MIDDLEWARES"],
            "crawler.frontier.HostTurns": 990,
        },
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.RunScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.HostFrontier",
        "SCHEDULER_QUEUE_KEY": keys.queue(),
        "SCHEDULER_DUPEFILTER_KEY": keys.seen(),
        # The queues are the run's, shared: a worker that closes must leave them; the
        # coordinator deletes the run's keys when the run ends.
        "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": {"crawler.distributed.RecordQueuePipeline": 300},
        "EXTENSIONS": {
            "crawler.extensions.Progress": None,
            "scrapy.extensions.logstats.LogStats": None,
            "crawler.distributed.Worker": 500,
        },
    }


def server_from(crawler: Crawler) -> Redis:
    return Redis.from_url(
        crawler.settings["NIANBAO_REDIS_URL"],
        socket_timeout=crawler.settings.getfloat("NIANBAO_REDIS_TIMEOUT", 10.0),
        socket_connect_timeout=5.0,
    )


def share_claims(spider: Any, crawler: Crawler) -> None:
    """Give ``spider`` the run's shared sets of URLs requested and listed."""
    server = server_from(crawler)
    keys = RunKeys(crawler.settings.getint("NIANBAO_RUN_ID"))
    holder = crawler.settings.get("NIANBAO_WORKER") or worker_name()
    pending = keys.pending(holder, spider.name)
    spider.requested = RedisClaims(server, keys.requested(spider.name), pending)
    spider.listed = RedisClaims(server, keys.listed(spider.name), pending)


class RunScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler, stopping the worker when Redis fails it (a request
    the spider made but could not queue must not be lost: the request that made it
    stays held, and is done again)."""

    def enqueue_request(self, request: Request) -> bool:
        try:
            return bool(super().enqueue_request(request))
        except RedisError as exc:
            lose_redis(f"Redis unavailable: {exc}")
            raise

    _wake: DelayedCall | None = None

    def next_request(self) -> Request | None:
        if redis_lost():
            return None
        try:
            found: Request | None = super().next_request()
        except RedisError as exc:
            lose_redis(f"Redis unavailable: {exc}")
            return None
        if found is None:
            self._ask_again(getattr(self.queue, "due_in", None))
        return found

    def _ask_again(self, due_in: float | None) -> None:
        """No host is due for ``due_in`` seconds: have the engine ask again then, not
        at its own five-second heartbeat (a host's delay is what a polite night is
        made of; waiting longer than it leaves the budget unused)."""
        if due_in is None or due_in > WAKE_MAX_S:
            return
        from twisted.internet import reactor  # the running one (never install one here)

        clock: Any = reactor  # its IReactorTime methods (zope interfaces elude mypy)
        wait = max(due_in, 0.0)
        if self._wake is not None and self._wake.active():
            if self._wake.getTime() <= clock.seconds() + wait:
                return  # already asked to wake as soon
            self._wake.cancel()
        self._wake = clock.callLater(wait, self._next_call)

    def _next_call(self) -> None:
        engine = self.spider.crawler.engine if self.spider else None
        if engine is not None and engine._slot is not None:
            engine._slot.nextcall.schedule()


class RecordQueuePipeline:
    """Stores each fetched file in the blob store, then queues its record (without
    the bytes) for the ingester. The file is on disk (fsynced) before its record
    exists anywhere, so the ingester never writes a row without its blob."""

    def __init__(self, crawler: Crawler, blobs: BlobStore) -> None:
        self.crawler = crawler
        self.server = server_from(crawler)
        self.keys = RunKeys(crawler.settings.getint("NIANBAO_RUN_ID"))
        self.blobs = blobs
        self.writer = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="nianbao-blobs"
        )
        self.queued = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordQueuePipeline:
        root = Path(crawler.settings["NIANBAO_ARCHIVE"])
        blobs = crawler.settings.get("NIANBAO_BLOBS") or root / BLOB_DIR
        return cls(crawler, BlobStore(Path(blobs)))

    def close_spider(self, spider: Spider | None = None) -> None:
        self.writer.shutdown()

    async def process_item(self, item: object, spider: Spider | None = None) -> object:
        if not isinstance(item, FetchRecord | ListingBatch):
            return item
        if redis_lost():  # what this worker holds is queued again: its records too
            raise DropItem(
                f"record not queued, this worker is stopping ({redis_lost()})"
            )
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.writer, self._queue, item)
        except RedisError as exc:
            # The record is not queued: the request that made it must stay held (so
            # the coordinator queues it again), and this worker stops.
            why = f"Redis unavailable: {exc}"
            lose_redis(why)
            raise DropItem(f"record not queued, {why}") from exc
        return item

    def _queue(self, item: FetchRecord | ListingBatch) -> int:
        """On the writer thread: the file stored, the record queued; its size in Redis."""
        record: FetchRecord | ListingBatch = item
        if isinstance(item, FetchRecord) and item.body is not None:
            record = stored_as(item, self.blobs.put(item.body))
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self.server.rpush(self.keys.records, data)
        self.queued += 1
        return len(data)


class Worker:
    """Keeps a worker's spider open until the run's phase is ``done``, says how it is
    every :data:`HEARTBEAT_S`, asks again for known documents when told (the seeding
    worker), and notes its close reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = server_from(crawler)
        self.keys = RunKeys(crawler.settings.getint("NIANBAO_RUN_ID"))
        self.name = f"{worker_name()}/{crawler.spidercls.name}"
        self.loop: task.LoopingCall | None = None
        self.activity = (
            0  # requests queued and responses received (seen by the coordinator)
        )
        self.failure: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Worker:
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.counted, signal=signals.request_scheduled)
        crawler.signals.connect(ext.counted, signal=signals.response_received)
        return ext

    def opened(self, spider: Spider) -> None:
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(HEARTBEAT_S, now=True)

    def counted(self, *args: Any, **kwargs: Any) -> None:
        self.activity += 1

    def phase(self) -> str:
        value = self.server.get(self.keys.phase)
        return as_text(value) if value else "stop"

    def beat(self) -> None:
        """Say whether this spider is idle, and how much it has done so far."""
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        try:
            idle = engine.spider_is_idle()
            state = {"idle": idle, "done": self.activity, "at": time.time()}
            self.server.hset(self.keys.workers, self.name, json.dumps(state))
            self._finish_held()
            if idle and engine._slot is not None:
                # Look for work another worker queued, or for the end of the run,
                # now rather than at the engine's own five-second heartbeat (the
                # engine's one private attribute nianbao touches).
                engine._slot.nextcall.schedule()
        except RedisError as exc:
            self._give_up(exc)

    def _finish_held(self) -> None:
        """Forget the held requests this worker is done with: those no longer in
        the engine's hands (downloaded and scraped, their records and requests
        queued). The engine's set of requests under way is private to Scrapy; it
        is the one place that knows."""
        if _LOST:
            return  # a record of this worker may be lost: what it holds must go back
        engine = self.crawler.engine
        slot = engine._slot if engine is not None else None
        frontier = getattr(getattr(slot, "scheduler", None), "queue", None)
        if slot is None or frontier is None or not hasattr(frontier, "held_tokens"):
            return
        turns = [r.meta[TURN] for r in slot.inprogress if TURN in r.meta]
        # Claims made before the oldest request under way began are sure: the
        # requests that made them have finished.
        oldest = min((turn[2] for turn in turns), default=time.time())
        claims = getattr(engine.spider, "requested", None)
        if isinstance(claims, RedisClaims):  # its log is the listed claims' too
            claims.make_sure(oldest)
        done = frontier.held_tokens() - {turn[1] for turn in turns}
        if done:
            frontier.finished(done)

    def idle(self, spider: Spider) -> None:
        try:
            phase = self.phase()
            if phase in ("done", "stop"):
                return  # the spider may close
            rechecked = getattr(spider, "rechecked", True)
            if phase == "recheck" and getattr(spider, "seed", False) and not rechecked:
                try:
                    spider.recheck_known()  # type: ignore[attr-defined]
                finally:
                    self.server.sadd(self.keys.rechecked, spider.name)
        except RedisError as exc:
            self._give_up(exc)
            return
        raise DontCloseSpider

    def _give_up(self, exc: Exception) -> None:
        """Redis is gone: stop this worker (the coordinator re-queues what it held)."""
        if self.failure is None:
            self.failure = f"Redis unavailable: {exc}"
            lose_redis(self.failure)

    def closed(self, spider: Spider, reason: str) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        try:
            self.server.hset(self.keys.reasons, self.name, reason)
            state = {
                "idle": True,
                "done": self.activity,
                "at": time.time(),
                "closed": True,
            }
            self.server.hset(self.keys.workers, self.name, json.dumps(state))
        except RedisError as exc:
            logger.error(
                "%s: could not say it closed (%s): Redis unavailable", self.name, exc
            )
