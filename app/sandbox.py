"""Run untrusted parsing in worker processes with a time and a memory limit.

A hostile or broken file can hang a parser or make it eat all memory; here it only
takes down its worker. The pool is rebuilt and the run goes on.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from app.children import die_with_parent
from app.interrupts import raise_if_stopped
from archive.db import held_lock_fds

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)
Task = TypeVar("Task")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[Result]):
    """A task's result (``ok``), or why there is none (``error``)."""

    ok: bool
    value: Result | None = None
    error: str = ""


def _limit_memory(megabytes: int) -> None:
    """Let the worker grow by ``megabytes`` beyond the address space it inherits.

    A forked worker starts with its parent's address space (a long test run or a
    crawl process can be hundreds of MB of virtual memory), so an absolute limit
    would leave some workers no room at all.
    """
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    limit = pages * resource.getpagesize() + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _start_worker(megabytes: int, lock_fds: tuple[int, ...]) -> None:
    """A worker: dies with the process that started it, holds none of its locks,
    and is limited in memory.

    A forked worker inherits the crawl's descriptors, the archive's ``crawl.lock``
    among them; a worker that outlived a killed crawl used to keep that lock, and
    every later crawl refused to start.
    """
    die_with_parent()
    for fd in lock_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _limit_memory(megabytes)


def _pool(workers: int, memory_mb: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(memory_mb, held_lock_fds()),
    )


def _kill(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def map_isolated(
    fn: Callable[[Task], Result],
    tasks: Sequence[Task],
    *,
    timeout: float = 120,
    memory_mb: int = 1536,
    workers: int = 2,
) -> list[Outcome[Result]]:
    """``fn(task)`` for every task, each in a worker; results in task order.

    A task that raises gets its exception text; one that runs out of time or memory
    (its worker is killed or dies) gets ``timeout`` or ``worker died``, and the tasks
    that were running beside it are retried alone. On Ctrl-C or SIGTERM (anything
    raised here) the workers are killed before it propagates.
    """
    outcomes: list[Outcome[Result] | None] = [None] * len(tasks)
    pending = list(range(len(tasks)))
    limits = _Limits(timeout, memory_mb)
    while pending:
        pool = _pool(workers, memory_mb)
        try:
            raise_if_stopped()
            pending, broken = _round(
                fn, tasks, pending, outcomes, pool, limits, workers
            )
        except BaseException:  # no worker outlives the run
            _kill(pool)
            raise
        if broken:  # a worker died or hung: the rest, one at a time
            _kill(pool)
            workers = 1
        else:
            pool.shutdown()
    return [o if o is not None else Outcome(False, error="not run") for o in outcomes]


@dataclass(frozen=True, slots=True)
class _Limits:
    timeout: float
    memory_mb: int


def _round(
    fn: Callable[[Task], Result],
    tasks: Sequence[Task],
    pending: list[int],
    outcomes: list[Outcome[Result] | None],
    pool: ProcessPoolExecutor,
    limits: _Limits,
    workers: int,
) -> tuple[list[int], bool]:
    """Run the ``pending`` tasks on ``pool``, filling ``outcomes``; return the tasks
    to retry alone (those beside a task that hung or killed its worker), and whether
    the pool broke."""
    futures = [(i, pool.submit(fn, tasks[i])) for i in pending]
    retry: list[int] = []
    broken = False
    for i, future in futures:
        raise_if_stopped()  # a signal whose exception a fork hook swallowed
        if broken:
            retry.append(i)
            continue
        try:
            outcomes[i] = Outcome(True, future.result(timeout=limits.timeout))
        except (FutureTimeout, BrokenProcessPool) as exc:
            broken = True
            if workers > 1:  # not necessarily this task's fault
                retry.append(i)
                continue
            why = (
                f"timeout after {limits.timeout:.0f} s"
                if isinstance(exc, FutureTimeout)
                else "worker died (memory limit or crash)"
            )
            outcomes[i] = Outcome(False, error=why)
        except MemoryError:
            outcomes[i] = Outcome(
                False, error=f"out of memory (limit {limits.memory_mb} MB)"
            )
        except Exception as exc:  # the task's own error, reported not raised
            outcomes[i] = Outcome(False, error=f"{type(exc).__name__}: {exc}")
    return retry, broken
