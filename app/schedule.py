"""`nianbao schedule`: the crawl on a cron schedule (APScheduler 3.x), one subprocess per cycle."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from alerts.notify import between_runs
from app.config import ConfigError, load_config
from archive.db import DB_NAME, ArchiveLocked, CrawlLock, open_archive

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import FrameType

    from apscheduler.job import Job

    from app.config import Config

logger = logging.getLogger(__name__)

JOB_ID = "nianbao-nightly"
HEALTH_JOB_ID = "nianbao-health"
STORE_NAME = "scheduler.db"
LOCK_NAME = "scheduler.lock"
# A skipped cycle's status: what `nianbao crawl` exits with when another crawl holds the archive.
SKIPPED = 1
CRAWL_STATUS = {
    0: "complete",
    1: "error",
    3: "partial",
    4: "failed",
    5: "interrupted",
    6: "disk full",
}
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class Running:
    """The cycles running in this process and their crawl subprocesses."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.cycles = 0
        self.children: set[subprocess.Popen[bytes]] = set()

    @contextlib.contextmanager
    def cycle(self) -> Iterator[None]:
        with self._changed:
            self.cycles += 1
        try:
            yield
        finally:
            with self._changed:
                self.cycles -= 1
                self._changed.notify_all()

    def pids(self) -> list[int]:
        return [child.pid for child in list(self.children)]

    def wait_idle(self) -> None:
        """Until no cycle runs (in steps, so that signal handlers get their turn)."""
        with self._changed:
            while not self._changed.wait_for(lambda: self.cycles == 0, timeout=1.0):
                pass


RUNNING = Running()


class SchedulerRunning(RuntimeError):
    """Another `nianbao schedule` holds the archive's scheduler lock."""


class SchedulerLock(CrawlLock):
    """The crawl lock's flock on ``DATA/scheduler.lock``, held for the scheduler's lifetime."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.path = root / LOCK_NAME

    def hold(self) -> None:
        """:raises SchedulerRunning: naming the holder's pid and start time."""
        try:
            self.acquire("nianbao schedule")
        except ArchiveLocked:
            holder = self.path.read_text(encoding="utf-8", errors="replace").strip()
            detail = json.loads(holder) if holder.startswith("{") else {}
            raise SchedulerRunning(
                f"another `nianbao schedule` is running on {self.path.parent} "
                f"(pid {detail.get('pid', '?')}, started {detail.get('started', '?')}); "
                "stop it first"
            ) from None


def cron_weekdays(field: str) -> str:
    """A crontab weekday field as APScheduler 3 reads it.

    Crontab counts from Sunday = 0 (7 is Sunday too); APScheduler 3 from Monday = 0, so
    numbers are turned into names. Names (``mon-fri``) and ``*`` pass through.
    """
    if re.fullmatch(r"[*?]|[a-z,-]+", field.lower()):
        return field
    days: set[int] = set()
    for part in field.split(","):
        body, _, step = part.partition("/")
        try:
            first, _, last = body.partition("-")
            low, high = (0, 7) if body == "*" else (int(first), int(last or first))
            numbers = range(low, high + 1, int(step or 1))
        except ValueError:
            raise ValueError(
                f"weekday {field!r}: expected numbers 0-7 (0 and 7 are Sunday), "
                "ranges and steps, or names (mon-fri)"
            ) from None
        if not (0 <= low <= high <= 7) or not numbers:
            raise ValueError(f"weekday {field!r}: expected numbers from 0 to 7")
        days.update(day % 7 for day in numbers)
    return ",".join(CRON_DAYS[day] for day in sorted(days))


def cron_trigger(cron: str, timezone: str, where: str = "schedule") -> CronTrigger:
    """The trigger for ``schedule.cron``: 5 fields (minute … weekday) or 6 (second first).

    :raises ConfigError: naming ``where`` (the config file), the value and what was expected.
    """
    fields = cron.split()
    if len(fields) not in (5, 6):
        raise ConfigError(
            f"{where}: schedule.cron {cron!r} has {len(fields)} fields; expected 5 "
            "(minute hour day month weekday) or 6 (second minute hour day month weekday)"
        )
    second, minute, hour, day, month, weekday = ["0", *fields][-6:]
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: schedule.timezone {timezone!r} is not an IANA time zone "
            "(e.g. Asia/Shanghai)"
        ) from None
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=cron_weekdays(weekday),
            timezone=zone,
        )
    except ValueError as exc:
        raise ConfigError(f"{where}: schedule.cron {cron!r}: {exc}") from None


def crawl_command(
    data: Path, config: Path | None, crawl_args: Sequence[str]
) -> list[str]:
    """``python -m app crawl …`` for one cycle (a fresh process: Twisted's reactor cannot restart)."""
    command = [sys.executable, "-m", "app", "crawl", *crawl_args, "--data", str(data)]
    return command + (["--config", str(config)] if config else [])


def crawl_running(data: Path) -> str | None:
    """Why a cycle cannot start now (another crawl holds the archive), or None."""
    lock = CrawlLock(data)
    try:
        lock.acquire("nianbao schedule: checking the lock")
    except ArchiveLocked as exc:
        return str(exc)
    lock.release()
    return None


def run_cycle(data: str, config: str | None, crawl_args: list[str]) -> int:
    """One cycle: `nianbao crawl` in a subprocess, unless a crawl already holds the archive.

    The job function of the persistent job store, so module-level with plain arguments.
    Returns the crawl's exit status (:data:`SKIPPED` when the cycle was skipped).
    """
    with RUNNING.cycle():
        root = Path(data)
        busy = crawl_running(root)
        if busy:
            logger.warning("cycle skipped: %s", busy)
            return SKIPPED
        command = crawl_command(root, Path(config) if config else None, crawl_args)
        logger.info("cycle started: %s", shlex.join(command))
        started = time.monotonic()
        code = _wait_for_crawl(command)
        logger.info(
            "cycle finished: exit status %d (%s) after %.1f s",
            code,
            CRAWL_STATUS.get(
                code, f"killed by signal {-code}" if code < 0 else "unknown"
            ),
            time.monotonic() - started,
        )
        return code


def _wait_for_crawl(command: list[str]) -> int:
    # Its own session: a Ctrl-C at the terminal reaches the scheduler only, which decides.
    with subprocess.Popen(command, start_new_session=True) as child:  # noqa: S603
        RUNNING.children.add(child)
        try:
            return child.wait()
        finally:
            RUNNING.children.discard(child)


def check_between_runs(data: str, config: str | None) -> None:
    """The health job: the stale-archive alert and delivery retries, on the
    scheduler's own clock (a crawl that hangs or never starts cannot say so itself).

    Skipped while a crawl holds the archive: the crawl does the same at its end.
    """
    root = Path(data)
    if not (root / DB_NAME).exists():
        return
    lock = CrawlLock(root)
    try:
        lock.acquire("nianbao schedule: health check")
    except ArchiveLocked:
        logger.debug("health check skipped: a crawl holds the archive")
        return
    try:
        settings = load_config(root, config)
        archive = open_archive(root)
        try:
            done = between_runs(archive, settings.alerts)
        finally:
            archive.close()
    except ConfigError as exc:
        logger.error("health check: %s", exc)
        return
    finally:
        lock.release()
    if done.queued or done.sent or done.failed:
        logger.warning("health check: %s", done.line())


def add_health_job(
    scheduler: BackgroundScheduler, args: list[Any], minutes: float
) -> Job:
    """The health job: now, then every ``minutes``."""
    return scheduler.add_job(
        check_between_runs,
        IntervalTrigger(minutes=minutes),
        args=args,
        id=HEALTH_JOB_ID,
        name="nianbao health check",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(scheduler.timezone),
    )


def run_once(data: Path, config: Config) -> int:
    """`nianbao schedule --once`: one cycle now; the crawl's exit status."""
    path = str(config.path.resolve()) if config.path else None
    return run_cycle(str(data), path, list(config.schedule.crawl_args))


def kill_running_crawls() -> list[int]:
    """SIGKILL the process group of every running cycle's crawl; their pids.

    A killed crawl leaves a sound archive: the next crawl marks its run
    ``interrupted`` and writes its events.
    """
    pids = RUNNING.pids()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return pids


def _log_event(event: JobEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        logger.warning(
            "missed the run due at %s: later than the misfire grace",
            event.scheduled_run_time,
        )
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        logger.warning("cycle skipped: the previous scheduled cycle is still running")
    elif event.code == EVENT_JOB_ERROR:
        logger.error("cycle failed: %r", getattr(event, "exception", None))


def _stored_job(scheduler: BackgroundScheduler) -> Job | None:
    try:
        return scheduler.get_job(JOB_ID)
    except (LookupError, ImportError, AttributeError, pickle.UnpicklingError) as exc:
        logger.warning("the stored job cannot be read (%s); replacing it", exc)
        return None


def add_nightly_job(
    scheduler: BackgroundScheduler,
    trigger: CronTrigger,
    args: list[Any],
    grace_hours: float,
) -> Job:
    """Add (or replace) the job; a stored job with the same trigger keeps its next run time.

    ``replace_existing`` alone would recompute the next run time from now and silently
    drop a run missed while the scheduler was down; keeping the stored time makes that
    run happen once (coalesced) on restart, within the misfire grace.
    """
    stored = _stored_job(scheduler)
    keep: dict[str, datetime] = {}
    if stored is not None and stored.next_run_time is not None:
        if repr(stored.trigger) == repr(trigger):
            keep["next_run_time"] = stored.next_run_time
        else:
            logger.info("schedule changed from %r to %r", stored.trigger, trigger)
    return scheduler.add_job(
        run_cycle,
        trigger,
        args=args,
        id=JOB_ID,
        name="nianbao crawl",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=round(grace_hours * 3600),
        **keep,
    )


def build_scheduler(data: Path, timezone: tzinfo) -> BackgroundScheduler:
    """A scheduler (not started) on the job store ``DATA/scheduler.db``, one cycle at a time."""
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{data / STORE_NAME}")},
        executors={"default": ThreadPoolExecutor(1)},
        timezone=timezone,
    )
    scheduler.add_listener(
        _log_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES
    )
    return scheduler


def start_scheduler(data: Path, config: Config) -> BackgroundScheduler:
    """A running scheduler with the nightly job, stored in ``DATA/scheduler.db``."""
    where = str(config.path or "defaults")
    trigger = cron_trigger(config.schedule.cron, config.schedule.timezone, where)
    scheduler = build_scheduler(data, trigger.timezone)
    scheduler.start(paused=True)  # the job store is open, nothing runs yet
    path = str(config.path.resolve()) if config.path else None
    args = [str(data), path, list(config.schedule.crawl_args)]
    job = add_nightly_job(scheduler, trigger, args, config.schedule.misfire_grace_hours)
    add_health_job(scheduler, args[:2], config.schedule.health_minutes)
    due = job.next_run_time
    if due is not None and due < datetime.now(trigger.timezone):
        logger.info(
            "the run due at %s was missed while the scheduler was down: running it now",
            due,
        )
    scheduler.resume()
    logger.info(
        "scheduler started on %s: cron %r (%s); next run at %s",
        data,
        config.schedule.cron,
        config.schedule.timezone,
        due,
    )
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop taking cycles, wait for a running one (its crawl) to finish, then shut down.

    A run falling due meanwhile stays due in the store, and runs once on restart.
    """
    # APScheduler 3's shutdown() wakes its thread for one last _process_jobs(), which
    # takes due runs from the store and hands them to the executor it has just shut
    # down: the run is lost (agronholm/apscheduler#285, #985). So pause, wait, and
    # detach the job store before shutting down.
    scheduler.pause()
    pids = RUNNING.pids()
    if pids:
        logger.info(
            "waiting for the running crawl (pid %d) to finish; "
            "send SIGTERM or Ctrl-C again to kill it",
            pids[0],
        )
    RUNNING.wait_idle()
    scheduler.remove_jobstore("default")
    scheduler.shutdown(wait=True)


def serve(data: Path, config: Config) -> None:
    """Run the schedule until SIGINT or SIGTERM.

    The first signal stops the scheduler and lets a running crawl finish (a complete
    run is worth the wait); a second one kills that crawl. Returns normally either way.

    :raises SchedulerRunning: when another scheduler holds ``DATA/scheduler.lock``.
    :raises ConfigError: for a bad cron expression or time zone.
    """
    lock = SchedulerLock(data)
    lock.hold()
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if not stop.is_set():
            logger.info("%s: stopping the scheduler", name)
            stop.set()
        else:
            pids = kill_running_crawls()
            logger.warning(
                "%s again: killed the running crawl (pid %s)",
                name,
                ", ".join(map(str, pids)),
            )

    previous = {
        sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        scheduler = start_scheduler(data, config)
        while not stop.wait(1.0):
            pass
        stop_scheduler(scheduler)
        logger.info("scheduler stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        lock.release()
