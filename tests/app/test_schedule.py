"""`nianbao schedule`: real scheduler processes, real crawl subprocesses, the real replica."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from app.config import ConfigError
from app.schedule import (
    JOB_ID,
    add_nightly_job,
    build_scheduler,
    cron_trigger,
    run_cycle,
    stop_scheduler,
)
from archive.db import CrawlLock
from tests.alerts.receivers import WebhookSink
from tests.crawler.helpers import FAST, rows, sources

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from apscheduler.triggers.cron import CronTrigger

    from replica.server import ReplicaThread

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENV = {
    **{
        k: v
        for k, v in os.environ.items()
        if k not in ("NIANBAO_CONFIG", "NIANBAO_ALERTS")
    },
    **FAST,
}


def write_config(data: Path, cron: str, proxy: str) -> None:
    data.mkdir(parents=True, exist_ok=True)
    (data / "nianbao.toml").write_text(
        f'[schedule]\ncron = "{cron}"\ntimezone = "Asia/Shanghai"\n'
        f"crawl_args = {json.dumps(['--proxy', proxy, *sources(())])}\n",
        encoding="utf-8",
    )


def runs(data: Path) -> list[tuple[Any, ...]]:
    return rows(data, "SELECT id, status, started, ended FROM runs ORDER BY id")


def stored_jobs(data: Path) -> list[tuple[str, float]]:
    """(id, next run as a Unix time) of the nightly crawl job in the scheduler's job
    store (the health job, ``nianbao-health``, is left out)."""
    with sqlite3.connect(data / "scheduler.db") as conn:
        return conn.execute(
            "SELECT id, next_run_time FROM apscheduler_jobs WHERE id = ?", [JOB_ID]
        ).fetchall()


def wait_until(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.1)


class Scheduler:
    """A running `nianbao schedule` process; stdout and stderr go to ``log``."""

    def __init__(self, data: Path, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", "schedule", "--data", str(data)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=ENV,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, line: str, timeout: float = 30) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and line not in self.text():
                raise AssertionError(
                    f"exited {self.process.returncode}:\n{self.text()}"
                )
            return line in self.text()

        try:
            wait_until(seen, timeout, repr(line))
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.text()}") from None

    def stop(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def end(self) -> None:
        """Stop it if still running; a second SIGTERM also kills its crawl (own session)."""
        for _ in range(2):
            if self.process.poll() is not None:
                return
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        self.process.kill()
        self.process.wait()


@pytest.fixture
def schedulers() -> Iterator[Callable[[Path, Path], Scheduler]]:
    """Start schedulers with ``start(data, log)``; any left running are stopped."""
    started: list[Scheduler] = []

    def start(data: Path, log: Path) -> Scheduler:
        started.append(Scheduler(data, log))
        return started[-1]

    yield start
    for scheduler in started:
        scheduler.end()


def test_crontab_weekdays_count_from_sunday() -> None:
    trigger = cron_trigger("30 2 * * 1-5", "Asia/Shanghai")
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=SHANGHAI)
    assert trigger.get_next_fire_time(None, sunday) == datetime(
        2026, 11, 23, 2, 30, tzinfo=SHANGHAI
    )
    assert cron_trigger("0 2 * * 0", "Asia/Shanghai").get_next_fire_time(
        None, sunday
    ) == datetime(2026, 11, 29, 2, 0, tzinfo=SHANGHAI)
    assert cron_trigger("5 0 2 * * sat", "UTC").get_next_fire_time(
        None, sunday
    ) == datetime(2026, 11, 28, 2, 0, 5, tzinfo=ZoneInfo("UTC"))


def test_a_bad_cron_names_the_file_and_what_was_expected() -> None:
    with pytest.raises(ConfigError) as wrong_fields:
        cron_trigger("0 2 * *", "Asia/Shanghai", "x.toml")
    assert str(wrong_fields.value) == (
        "x.toml: schedule.cron '0 2 * *' has 4 fields; expected 5 "
        "(minute hour day month weekday) or 6 (second minute hour day month weekday)"
    )
    with pytest.raises(ConfigError) as wrong_zone:
        cron_trigger("0 2 * * *", "Beijing", "x.toml")
    assert str(wrong_zone.value) == (
        "x.toml: schedule.timezone 'Beijing' is not an IANA time zone (e.g. Asia/Shanghai)"
    )


def test_a_stored_job_keeps_its_missed_run_while_its_trigger_is_unchanged(
    tmp_path: Path,
) -> None:
    missed = datetime(2026, 1, 1, 2, 0, tzinfo=SHANGHAI)
    nightly = cron_trigger("0 2 * * *", "Asia/Shanghai")
    args = [str(tmp_path), None, []]

    def restart(trigger: CronTrigger, first: datetime | None = None) -> datetime:
        scheduler = build_scheduler(tmp_path, SHANGHAI)
        scheduler.start(paused=True)
        if first:  # a job stored by an earlier scheduler, due while it was down
            scheduler.add_job(
                run_cycle, trigger, args=args, id=JOB_ID, next_run_time=first
            )
        job = add_nightly_job(scheduler, trigger, args, 6.0)
        stop_scheduler(scheduler)
        return job.next_run_time

    assert restart(nightly, first=missed) == missed
    assert restart(nightly) == missed
    later = cron_trigger("0 3 * * *", "Asia/Shanghai")
    recomputed = restart(later)
    assert recomputed > datetime.now(SHANGHAI)
    assert (recomputed.hour, recomputed.minute) == (3, 0)
    assert restart(later) == recomputed
    assert [job for job, _ in stored_jobs(tmp_path)] == [JOB_ID]


def test_once_runs_one_crawl_and_exits_with_its_status(
    archive_copy: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    write_config(archive_copy, "0 2 * * *", replica_at(1).proxy)
    before = runs(archive_copy)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "schedule",
            "--once",
            "--data",
            str(archive_copy),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    after = runs(archive_copy)
    assert len(after) == len(before) + 1
    assert after[-1][1] == "complete"
    assert "cycle finished: exit status 0 (complete)" in done.stderr


def test_a_run_missed_while_stopped_happens_once_on_restart(
    archive_copy: Path,
    replica_at: Callable[[int], ReplicaThread],
    schedulers: Callable[[Path, Path], Scheduler],
    tmp_path: Path,
) -> None:
    fire = (datetime.now(SHANGHAI) + timedelta(seconds=8)).replace(microsecond=0)
    cron = f"{fire.second} {fire.minute} {fire.hour} {fire.day} {fire.month} *"
    write_config(archive_copy, cron, replica_at(1).proxy)
    before = runs(archive_copy)

    first = schedulers(archive_copy, tmp_path / "first.log")
    first.wait_for(f"next run at {fire}")
    assert first.stop() == 0, first.text()
    assert datetime.now(SHANGHAI) < fire, "the first scheduler was stopped too late"

    time.sleep((fire - datetime.now(SHANGHAI)).total_seconds() + 1)
    assert runs(archive_copy) == before

    second = schedulers(archive_copy, tmp_path / "second.log")
    second.wait_for("cycle finished", timeout=120)
    assert (
        f"the run due at {fire} was missed while the scheduler was down"
        in second.text()
    )
    assert second.stop() == 0, second.text()
    after = runs(archive_copy)
    assert len(after) == len(before) + 1, second.text()
    assert after[-1][1] == "complete"
    assert second.text().count("cycle started") == 1
    ((job, next_run),) = stored_jobs(archive_copy)
    assert job == JOB_ID
    assert (
        next_run > (fire + timedelta(days=364)).timestamp()
    )  # the same date next year


def test_a_second_scheduler_on_one_archive_refuses_to_start(
    tmp_path: Path,
    replica_at: Callable[[int], ReplicaThread],
    schedulers: Callable[[Path, Path], Scheduler],
) -> None:
    data = tmp_path / "archive"
    write_config(data, "0 2 * * *", replica_at(1).proxy)
    first = schedulers(data, tmp_path / "first.log")
    first.wait_for("scheduler started")
    second = subprocess.run(
        [sys.executable, "-m", "app", "schedule", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
        check=False,
    )
    assert second.returncode == 1
    assert second.stderr.startswith(
        f"Error: another `nianbao schedule` is running on {data.resolve()} "
        f"(pid {first.pid}, started 20"
    ), second.stderr
    assert second.stderr.rstrip().endswith("; stop it first")
    assert first.stop() == 0, first.text()
    assert [job for job, _ in stored_jobs(data)] == [JOB_ID]


def test_a_cycle_during_a_manual_crawl_is_skipped_and_crawls_never_overlap(
    tmp_path: Path,
    replica_at: Callable[[int], ReplicaThread],
    schedulers: Callable[[Path, Path], Scheduler],
) -> None:
    data = tmp_path / "archive"
    proxy = replica_at(1).proxy
    write_config(data, "* * * * * *", proxy)  # every second
    lock = data / "crawl.lock"
    with (tmp_path / "manual.log").open("wb") as out:
        manual = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "crawl",
                "--proxy",
                proxy,
                "--data",
                str(data),
                *sources(()),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
        )
    try:
        wait_until(
            lambda: lock.exists() and _holder(lock) == manual.pid,
            60,
            "the manual crawl's lock",
        )
        scheduler = schedulers(data, tmp_path / "scheduler.log")
        scheduler.wait_for(
            f"cycle skipped: another crawl is running on {data.resolve()} (pid {manual.pid},"
        )
        assert manual.wait(120) == 0
    finally:
        if manual.poll() is None:
            manual.kill()
    scheduler.wait_for("cycle started")
    assert scheduler.stop() == 0, scheduler.text()  # lets the running crawl finish
    stopped = time.time()
    log = scheduler.text()
    assert "waiting for the running crawl" in log
    assert "cycle finished: exit status 0 (complete)" in log
    done = runs(data)
    assert [status for _, status, _, _ in done] == ["complete", "complete"]
    for (_, _, _, ended), (_, _, started, _) in itertools.pairwise(done):
        assert ended <= started
    # the runs that fell due while it waited for the crawl stay due for the next start
    ((_, next_run),) = stored_jobs(data)
    assert next_run < stopped


def _holder(lock: Path) -> int | None:
    text = lock.read_text(encoding="utf-8").strip()
    return json.loads(text)["pid"] if text.startswith("{") else None


def test_a_second_signal_kills_the_running_crawl(
    archive_copy: Path,
    replica_at: Callable[[int], ReplicaThread],
    schedulers: Callable[[Path, Path], Scheduler],
    tmp_path: Path,
) -> None:
    write_config(archive_copy, "*/2 * * * * *", replica_at(1).proxy)
    before = runs(archive_copy)
    scheduler = schedulers(archive_copy, tmp_path / "scheduler.log")
    scheduler.wait_for("cycle started")
    wait_until(lambda: len(runs(archive_copy)) > len(before), 60, "the crawl's run")
    crawl_pid = _holder(archive_copy / "crawl.lock")
    scheduler.process.send_signal(signal.SIGTERM)
    scheduler.wait_for(f"waiting for the running crawl (pid {crawl_pid}) to finish")
    assert scheduler.stop() == 0, scheduler.text()
    log = scheduler.text()
    assert f"SIGTERM again: killed the running crawl (pid {crawl_pid})" in log
    assert "cycle finished: exit status -9 (killed by signal 9)" in log
    # the killed run stays `running` until the next crawl marks it interrupted
    assert [status for _, status, _, _ in runs(archive_copy)[len(before) :]] == [
        "running"
    ]
    lock = CrawlLock(archive_copy)
    lock.acquire("test: the killed crawl's lock is free")
    lock.release()


def test_the_scheduler_raises_the_stale_alert_on_its_own_clock(
    archive_copy: Path, tmp_path: Path, schedulers: Callable[[Path, Path], Scheduler]
) -> None:
    """No crawl ends (none is due): the scheduler's own health job must say so, once."""
    long_ago = (datetime.now(SHANGHAI) - timedelta(hours=30)).astimezone(
        ZoneInfo("UTC")
    )
    stamp = long_ago.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with sqlite3.connect(archive_copy / "archive.db") as db:
        db.execute("UPDATE runs SET started = ?, ended = ?", [stamp, stamp])
    with WebhookSink() as sink:
        (archive_copy / "nianbao.toml").write_text(
            '[schedule]\ncron = "0 3 1 1 *"\n\n'  # not due for months
            f'[[alerts.channels]]\nname = "desk"\nurl = "{sink.url}"\n',
            encoding="utf-8",
        )
        first = schedulers(archive_copy, tmp_path / "first.log")
        wait_until(lambda: len(sink.posts) >= 1, 60, "the stale alert")
        assert first.stop() == 0
        (post,) = sink.posts
        assert post.payload["title"] == "已超过 26 小时没有成功的抓取"
        assert "最近一次成功的抓取是第 1 次" in post.payload["message"]
        assert "health check: 1 new alerts queued, 1 deliveries sent" in first.text()

        again = schedulers(archive_copy, tmp_path / "again.log")
        again.wait_for("scheduler started")
        time.sleep(2)  # the health job runs at start: it finds the alert already told
        assert again.stop() == 0
        assert len(sink.posts) == 1
    assert runs(archive_copy)[-1][1] == "complete"  # no crawl ran: only the check
