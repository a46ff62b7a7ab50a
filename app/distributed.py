"""A distributed run: the coordinator (``nianbao crawl --redis``) and its workers.

The coordinator holds the crawl lock and the archive as in a single-process run. For
the Scrapy phase it publishes what the workers need (the sources, the known
documents, the settings) under the run's keys in Redis, starts ``--workers`` local
workers (``nianbao worker``; more may join from other machines sharing the data
directory), and is the run's **one ingester**: it takes the records the workers
queue and writes them to SQLite, in batches, as the single-process pipeline does.

The run ends when nothing moves: every queue and the records list empty, every
worker idle, and no worker's activity counter changed between two looks a second
apart. Then the seeding worker asks again for the known documents nobody listed
(phase ``recheck``), and when that, too, has settled, the phase is ``done`` and the
workers close. The run's keys are deleted at the end: nothing outlives a run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from redis import Redis
from redis.exceptions import RedisError

from app.config import Config
from app.fetch import FINISHED, Fetched, fetch, scrapy_settings
from archive.recorder import Record, record_batch
from crawler.distributed import (
    HEARTBEAT_S,
    RunKeys,
    as_bytes,
    as_text,
    redis_lost,
    redis_settings,
)
from crawler.frontier import put_back
from crawler.frontier import queued as frontier_queued

if TYPE_CHECKING:
    from pathlib import Path

    from app.crawl import CrawlPlan
    from archive.db import Archive
    from archive.recorder import KnownDocument, KnownList

logger = logging.getLogger(__name__)
EXIT_REDIS = 7  # a worker's exit status when Redis is unavailable
BATCH = 200  # records written per transaction, at most
QUIET_S = 1.0  # two looks this far apart with nothing moving end a phase
WORKER_STOP_S = 60.0  # how long the workers get to close once the run is done
DEAD_S = 15.0  # a worker silent this long is dead: what it held is queued again
MAX_RESTARTS = 8  # local workers started again in one run, at most


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached (or stopped answering)."""


@dataclass(slots=True)
class WorkerPlan:
    """What a worker needs to crawl its part of run ``run_id`` (published in Redis).

    ``crawl`` is the coordinator's plan without its configuration (alert channels and
    their secrets stay out of Redis); a worker puts its own data folder in it.
    """

    run_id: int
    crawler_version: str
    crawl: CrawlPlan
    known: dict[str, KnownDocument]
    lists: dict[str, KnownList]

    @property
    def families(self) -> set[str]:
        return {s.family for s in self.crawl.sources}


def connect(url: str, timeout: float = 10.0) -> Redis:
    """A client of the Redis at ``url``, checked with a PING; a call taking longer
    than ``timeout`` seconds fails (``NIANBAO_REDIS_TIMEOUT``: app/config.py).

    :raises RedisUnavailable: when it does not answer.
    """
    server = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=5.0)
    try:
        server.ping()
    except RedisError as exc:
        raise RedisUnavailable(f"Redis unavailable at {url}: {exc}") from exc
    return server


def load_plan(server: Redis, run_id: int) -> WorkerPlan:
    """The plan the coordinator of run ``run_id`` published.

    :raises LookupError: when there is none (no such run, or it has ended).
    """
    data = server.get(RunKeys(run_id).plan)
    if data is None:
        raise LookupError(f"run {run_id} is not running (no plan in Redis)")
    plan = pickle.loads(as_bytes(data))  # noqa: S301 - written by our own coordinator
    if not isinstance(plan, WorkerPlan):
        raise LookupError(f"run {run_id}: what Redis holds is not a worker plan")
    return plan


# ------------------------------------------------------------------ the worker


def run_worker(redis_url: str, run_id: int, data: Path, *, seed: bool = False) -> int:
    """Crawl for run ``run_id`` until its coordinator says it is done; the exit status
    (0 every spider finished, 3 one stopped early, 5 interrupted, 7 Redis unavailable).
    """
    server = connect(redis_url)
    plan = load_plan(server, run_id)
    crawl = replace(plan.crawl, data=data, redis=None)
    base = scrapy_settings(crawl, run_id)
    fetched = fetch(
        crawl,
        run_id,
        plan.crawler_version,
        plan.known,
        plan.lists,
        extra=redis_settings(redis_url, run_id, base),
        seed=seed,
    )
    if redis_lost() or any(
        "Redis unavailable" in (r or "") for r in fetched.reasons.values()
    ):
        return EXIT_REDIS
    if fetched.interrupted:
        return 5
    return 3 if fetched.early_stop else 0


# ------------------------------------------------------------------ the coordinator


@dataclass(slots=True)
class _Look:
    """One look at the run: is anything queued or moving, and each worker's counter."""

    quiet: bool
    activity: dict[str, int]


class Coordinator:
    """Publishes the run, starts the local workers, ingests, and ends the run."""

    def __init__(
        self, archive: Archive, plan: CrawlPlan, worker_plan: WorkerPlan
    ) -> None:
        if plan.redis is None:
            raise ValueError("a distributed run needs a Redis URL")
        self.archive = archive
        self.plan = plan
        self.worker_plan = worker_plan
        self.url = plan.redis
        self.server = connect(plan.redis, plan.tuning.redis_timeout)
        self.keys = RunKeys(worker_plan.run_id)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.signals: list[int] = []
        self.ingested = 0
        self.restarts = 0
        self.reseeded = 0
        self.host = socket.gethostname()
        self.patience = plan.tuning.redis_patience
        self.phase = "crawl"
        self.last: _Look | None = None
        self.since = time.monotonic()

    def run(self) -> Fetched:
        wall = time.monotonic()
        self._publish()
        previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        for signum in previous:
            signal.signal(signum, self._on_signal)
        try:
            self._start_workers()
            self._crawl()
            reasons = self._reasons()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._stop_workers()
            self._drain()
            self._forget()
        return Fetched(
            signals=list(self.signals),
            reasons=reasons,
            seconds=time.monotonic() - wall,
            cpu_seconds=time.process_time(),
        )

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.signals.append(signum)
        logger.warning(
            "stopping the distributed crawl (signal %d): telling the workers", signum
        )
        with contextlib.suppress(RedisError):
            self.server.set(self.keys.phase, "stop")

    def _publish(self) -> None:
        for key in self.server.scan_iter(self.keys.pattern, count=1000):
            self.server.delete(key)  # a run id is never reused, but be sure
        self.server.set(self.keys.plan, pickle.dumps(self.worker_plan))
        self.server.set(self.keys.phase, "crawl")

    def _start_workers(self) -> None:
        for number in range(self.plan.workers):
            self.processes.append(self._start_worker(seed=number == 0))

    def _start_worker(self, *, seed: bool) -> subprocess.Popen[bytes]:
        # fmt: off
        command = [
            sys.executable, "-m", "app", "worker",
            "--redis", self.url,
            "--run", str(self.worker_plan.run_id),
            "--data", str(self.plan.data),
        ]
        # fmt: on
        if seed:
            command.append("--seed")
        return subprocess.Popen(command)  # noqa: S603

    def _crawl(self) -> None:
        """Ingest until the run is over (or stopped): phase crawl, recheck, done.

        Redis going away (stopped, stalled) is waited out; when it is back, a run
        whose keys it lost starts its crawl again (the records already ingested stay;
        the files fetched again are the same versions), and workers that exited are
        replaced.
        """
        self.phase = "crawl"
        self.last = None
        self.since = time.monotonic()
        while not self.signals:
            try:
                if self._step():
                    return
            except RedisError as exc:
                self._wait_for_redis(exc)

    def _step(self) -> bool:
        """One round of the loop; True when the run is over."""
        self._ingest(timeout=HEARTBEAT_S)
        self._replace_dead()
        if self._all_workers_gone():
            logger.error("every local worker has exited; ending the run")
            return True
        if time.monotonic() - self.since < QUIET_S:
            return False
        look = self._look()
        last = self.last
        settled = (
            last is not None
            and look.quiet
            and last.quiet
            and look.activity == last.activity
        )
        self.last, self.since = look, time.monotonic()
        if not settled:
            return False
        if self.phase == "crawl":
            self.phase = self._advance("recheck")
            self.last = None
        elif self.phase == "recheck" and self._rechecked():
            self._advance("done")
            return True
        return False

    def _wait_for_redis(self, exc: Exception) -> None:
        """Wait (with backoff, up to REDIS_PATIENCE_S) for Redis to answer again; then
        publish the run again if Redis lost it.

        :raises RedisUnavailable: when it does not come back in time.
        """
        logger.error("Redis unavailable (%s); waiting for it to come back", exc)
        deadline = time.monotonic() + self.patience
        pause = 0.5
        while not self.signals:
            try:
                self.server.ping()
                break
            except RedisError as again:
                if time.monotonic() > deadline:
                    raise RedisUnavailable(
                        f"Redis unavailable at {self.url} for {self.patience:.0f} s: {again}"
                    ) from again
                time.sleep(pause)
                pause = min(pause * 2, 5.0)
        if self.signals:
            return
        if not self.server.exists(self.keys.plan):
            logger.warning(
                "Redis is back without run %s (it lost its data): crawling again from "
                "the sources' first pages",
                self.worker_plan.run_id,
            )
            self._publish()
            self.phase = "crawl"
            self.reseeded += 1
        else:
            logger.info("Redis is back; the run goes on")
        self.last = None

    def _advance(self, phase: str) -> str:
        logger.info("run %s: phase %s", self.worker_plan.run_id, phase)
        self.server.set(self.keys.phase, phase)
        return phase

    def _rechecked(self) -> bool:
        done = {as_text(m) for m in self.server.smembers(self.keys.rechecked)}
        return self.worker_plan.families <= done

    def _look(self) -> _Look:
        """Whether anything is queued or any worker busy, and every worker's counter."""
        queued = sum(
            frontier_queued(self.server, self.keys, family)
            for family in self.worker_plan.families
        )
        records = int(self.server.llen(self.keys.records))
        beats = {
            as_text(name): json.loads(as_bytes(value))
            for name, value in self.server.hgetall(self.keys.workers).items()
        }
        now = time.time()
        for name, beat in list(beats.items()):
            if not beat.get("closed") and now - beat["at"] > DEAD_S:
                self._put_back(name, f"no heartbeat for {now - beat['at']:.0f} s")
                del beats[name]
        fresh = all(
            b.get("closed") or now - b["at"] < 5 * HEARTBEAT_S + 1
            for b in beats.values()
        )
        seen = {name.rsplit("/", 1)[1] for name in beats}
        quiet = (
            queued == 0
            and records == 0
            and fresh
            and self.worker_plan.families <= seen
            and all(b["idle"] for b in beats.values())
        )
        return _Look(quiet, {name: int(b["done"]) for name, b in beats.items()})

    def _put_back(self, name: str, why: str) -> None:
        """A worker's spider is gone (``host:pid/family``): its held requests go
        back to the queue, and it no longer counts."""
        holder, family = name.rsplit("/", 1)
        back = put_back(self.server, self.keys, family, holder)
        self.server.hdel(self.keys.workers, name)
        self.server.hdel(self.keys.reasons, name)  # another worker does its part
        logger.warning(
            "worker %s is gone (%s): %d requests it held are queued again",
            name,
            why,
            back,
        )

    def _replace_dead(self) -> None:
        """Local workers that exited before the run was done: what they held goes
        back to the queue, and a new worker takes each one's place (the seeding one's
        too, so the seeding and re-checking still happen), up to MAX_RESTARTS."""
        for at, process in enumerate(self.processes):
            if process.poll() is None:
                continue
            prefix = f"{self.host}:{process.pid}/"
            for name in map(as_text, self.server.hkeys(self.keys.workers)):
                if name.startswith(prefix):
                    self._put_back(name, f"exited with status {process.returncode}")
            if self.restarts >= MAX_RESTARTS:
                continue
            self.restarts += 1
            logger.warning(
                "worker %s exited with status %s; starting another (%d of %d)",
                process.pid,
                process.returncode,
                self.restarts,
                MAX_RESTARTS,
            )
            time.sleep(min(2 ** (self.restarts - 1), 8))
            self.processes[at] = self._start_worker(seed=at == 0)

    def _ingest(self, timeout: float) -> int:
        """Write the records queued (waiting up to ``timeout`` for the first)."""
        first = self.server.blpop([self.keys.records], timeout=timeout)
        if first is None:
            return 0
        raw = [as_bytes(first[1])]
        more = self.server.lpop(self.keys.records, BATCH - 1)
        raw += [as_bytes(r) for r in more or []]
        records: list[Record] = [pickle.loads(r) for r in raw]  # noqa: S301 - our workers'
        record_batch(self.archive.db, self.archive.blobs, records)
        self.ingested += len(records)
        return len(records)

    def _drain(self) -> None:
        """Write whatever records are still queued."""
        try:
            while self._ingest(timeout=0.01):
                pass
        except RedisError as exc:
            logger.error("records left in Redis could not be read: %s", exc)

    def _all_workers_gone(self) -> bool:
        return bool(self.processes) and all(
            p.poll() is not None for p in self.processes
        )

    def _reasons(self) -> dict[str, str | None]:
        """Each family's close reason: ``finished`` when every worker's spider finished."""
        by_family: dict[str, list[str]] = defaultdict(list)
        deadline = time.monotonic() + WORKER_STOP_S
        for process in self.processes:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for name, reason in self.server.hgetall(self.keys.reasons).items():
            by_family[as_text(name).rsplit("/", 1)[1]].append(as_text(reason))
        reasons: dict[str, str | None] = {}
        for family in self.worker_plan.families:
            odd = [r for r in by_family.get(family, []) if r != FINISHED]
            reasons[family] = (
                odd[0] if odd else (FINISHED if by_family[family] else None)
            )
        for process in self.processes:
            if process.returncode not in (0, None):
                logger.error(
                    "worker %s exited with status %s", process.pid, process.returncode
                )
        return reasons

    def _stop_workers(self) -> None:
        try:
            if self.server.get(self.keys.phase) not in (b"done",):
                self.server.set(self.keys.phase, "stop")
        except RedisError:
            pass
        deadline = time.monotonic() + WORKER_STOP_S
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _forget(self) -> None:
        try:
            for key in self.server.scan_iter(self.keys.pattern, count=1000):
                self.server.delete(key)
        except RedisError as exc:
            logger.error("the run's keys could not be deleted from Redis: %s", exc)


def fetch_distributed(
    archive: Archive,
    plan: CrawlPlan,
    run_id: int,
    crawler_version: str,
    known: dict[str, KnownDocument],
    lists: dict[str, KnownList],
) -> Fetched:
    """The Scrapy phase of a run, by workers sharing a Redis frontier."""
    worker_plan = WorkerPlan(
        run_id=run_id,
        crawler_version=crawler_version,
        crawl=replace(plan, config=Config()),
        known=known,
        lists=lists,
    )
    return Coordinator(archive, plan, worker_plan).run()
