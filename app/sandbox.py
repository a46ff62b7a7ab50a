"""Run untrusted parsing in worker processes with a time and a memory limit.

A hostile or broken file can hang a parser or make it eat all memory; here it only
takes down its worker. The pool is rebuilt and the run goes on.

A :class:`Sandbox` keeps its pool from one batch of tasks to the next, so a worker
imports the parsers once, not once per batch; it is recycled by memory, not by
count: when a worker's resident memory passes ``recycle_mb`` after a task, the pool
is replaced before the next batch (issue 16: rebuilding it every 50 versions cost a
first night 4 % of its CPU in imports alone).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from app.children import die_with_parent
from app.interrupts import raise_if_stopped
from archive.db import held_lock_fds

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

logger = logging.getLogger(__name__)
Task = TypeVar("Task")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[Result]):
    """A task's result (``ok``), or why there is none (``error``)."""

    ok: bool
    value: Result | None = None
    error: str = ""


# In a worker: its resident size when it started (a forked worker shares its parent's
# pages, so its own growth is what tells a worker that keeps what it parsed).
_WORKER: dict[str, float] = {"started_mb": 0.0}


def _limit_memory(megabytes: int) -> None:
    """Let the worker grow by ``megabytes`` beyond the address space it inherits.

    A forked worker starts with its parent's address space (a long test run or a
    crawl process can be hundreds of MB of virtual memory), so an absolute limit
    would leave some workers no room at all.
    """
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    limit = pages * resource.getpagesize() + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class PoolSpent(RuntimeError):
    """A sandbox that may not start new workers needed to (its pool broke or grew)."""


def _start_worker(megabytes: int, lock_fds: tuple[int, ...], nice: int) -> None:
    """A worker: dies with the process that started it, holds none of its locks,
    is limited in memory, and yields the CPU to the crawl by ``nice``.

    A forked worker inherits the crawl's descriptors, the archive's ``crawl.lock``
    among them; a worker that outlived a killed crawl used to keep that lock, and
    every later crawl refused to start.
    """
    die_with_parent()
    for fd in lock_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _limit_memory(megabytes)
    if nice:
        os.nice(nice)
    _WORKER["started_mb"] = _resident_mb()


def _pool(workers: int, memory_mb: int, nice: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(memory_mb, held_lock_fds(), nice),
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
    with Sandbox(timeout=timeout, memory_mb=memory_mb, workers=workers) as sandbox:
        return sandbox.map(fn, tasks)


class Sandbox:
    """Worker processes kept across batches of tasks (see :func:`map_isolated`).

    Use it as a context manager: on leaving, the workers are shut down (killed when
    leaving on an exception: Ctrl-C, SIGTERM).
    """

    def __init__(
        self,
        *,
        timeout: float = 120,
        memory_mb: int = 1536,
        workers: int = 2,
        recycle_mb: float | None = None,
        refork: bool = True,
        nice: int = 0,
    ) -> None:
        """``refork=False``: the sandbox never starts a second pool (:meth:`start` it
        while the process has no other threads); where it would need one (a task
        hung or killed its worker, a worker grew past ``recycle_mb``), it raises
        :class:`PoolSpent`. ``nice``: the workers' niceness increment."""
        self.limits = _Limits(timeout, memory_mb)
        self.workers = workers
        self.refork = refork
        self.nice = nice
        # A worker grown by this much after a task gets no other (default: half its limit).
        self.recycle_mb = recycle_mb if recycle_mb is not None else memory_mb / 2
        self._pool: ProcessPoolExecutor | None = None
        self.pools_started = 0

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.kill()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def kill(self) -> None:
        if self._pool is not None:
            _kill(self._pool)
            self._pool = None

    def start(self) -> None:
        """Start the workers now (a pool's workers are otherwise forked at its first
        task): forking a process that runs other threads can copy a lock one of
        them holds."""
        self._ready(self.workers).submit(os.getpid).result()

    def _ready(self, workers: int) -> ProcessPoolExecutor:
        if self._pool is None:
            if self.pools_started and not self.refork:
                raise PoolSpent("the parse workers had to be replaced")
            self._pool = _pool(workers, self.limits.memory_mb, self.nice)
            self.pools_started += 1
        return self._pool

    def map(
        self, fn: Callable[[Task], Result], tasks: Sequence[Task]
    ) -> list[Outcome[Result]]:
        """``fn(task)`` for every task, as :func:`map_isolated` says."""
        return [
            o for batch in self.stream(fn, tasks, max(len(tasks), 1)) for o in batch
        ]

    def stream(
        self, fn: Callable[[Task], Result], tasks: Sequence[Task], size: int
    ) -> Iterator[list[Outcome[Result]]]:
        """``fn(task)`` for every task, as :func:`map_isolated` says, handed back
        ``size`` at a time in task order; while the caller handles one batch, the
        workers are already running the next (a first night's parse never waits for
        its results to be stored, nor for the slowest file of a batch).

        A batch whose pool breaks (a task hung or killed its worker) has its
        unfinished tasks retried alone; the next batch's tasks, started beside it,
        are started again on a new full pool.
        """
        outcomes: list[Outcome[Result] | None] = [None] * len(tasks)
        starts = range(0, len(tasks), size)
        ahead: dict[int, Future[tuple[Result, float]]] = {}
        for start in starts:
            batch = range(start, min(start + size, len(tasks)))
            after = range(batch.stop, min(batch.stop + size, len(tasks)))
            self._run_batch(fn, tasks, list(batch), after, ahead, outcomes)
            yield [
                o if o is not None else Outcome(False, error="not run")
                for o in outcomes[batch.start : batch.stop]
            ]
            outcomes[batch.start : batch.stop] = [None] * len(batch)  # kept once

    def _run_batch(
        self,
        fn: Callable[[Task], Result],
        tasks: Sequence[Task],
        pending: list[int],
        after: range,
        ahead: dict[int, Future[tuple[Result, float]]],
        outcomes: list[Outcome[Result] | None],
    ) -> None:
        """Run the tasks at ``pending`` into ``outcomes``; on a full pool, start the
        tasks at ``after`` too (into ``ahead``: the next batch takes them from there)."""
        workers = self.workers
        while pending:
            pool = self._ready(workers)

            def started(
                i: int, pool: ProcessPoolExecutor = pool
            ) -> Future[tuple[Result, float]]:
                """Task ``i``'s future: the one started ahead, or a new one."""
                if i in ahead:
                    return ahead.pop(i)
                return pool.submit(_measured, fn, tasks[i])

            try:
                raise_if_stopped()
                futures = [(i, started(i)) for i in pending]
                if workers == self.workers:
                    ahead.update((i, started(i)) for i in after if i not in ahead)
                round_ = _round(futures, outcomes, self.limits, workers)
            except BaseException:  # no worker outlives the run
                self.kill()
                raise
            pending = round_.retry
            if round_.broken:  # a worker died or hung: the rest, one at a time
                self.kill()
                ahead.clear()  # they ran on the broken pool: started again
                workers = 1
            elif round_.biggest_mb > self.recycle_mb:
                logger.debug(
                    "a parse worker grew by %.0f MB (more than %.0f): new workers",
                    round_.biggest_mb,
                    self.recycle_mb,
                )
                self.close()  # waits for the tasks started ahead: their results stay
        if workers != self.workers:
            self.close()  # back to the full pool for the next batch


@dataclass(frozen=True, slots=True)
class _Limits:
    timeout: float
    memory_mb: int


@dataclass(frozen=True, slots=True)
class _Round:
    retry: list[int]  # tasks to run again, alone
    broken: bool  # a worker hung or died
    biggest_mb: float  # the most a worker had grown after a task


def _measured(fn: Callable[[Task], Result], task: Task) -> tuple[Result, float]:
    """In the worker: ``fn(task)``, and how much this worker has grown (MB) since it
    started."""
    value = fn(task)
    return value, _resident_mb() - _WORKER["started_mb"]


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _round(
    futures: list[tuple[int, Future[tuple[Result, float]]]],
    outcomes: list[Outcome[Result] | None],
    limits: _Limits,
    workers: int,
) -> _Round:
    """Wait for the ``futures`` (task index, future) in order, filling ``outcomes``:
    the tasks to retry alone (those beside a task that hung or killed its worker),
    whether the pool broke, and the biggest worker seen."""
    retry: list[int] = []
    broken = False
    biggest = 0.0
    for i, future in futures:
        raise_if_stopped()  # a signal whose exception a fork hook swallowed
        if broken:
            retry.append(i)
            continue
        try:
            value, resident = future.result(timeout=limits.timeout)
            outcomes[i] = Outcome(True, value)
            biggest = max(biggest, resident)
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
    return _Round(retry, broken, biggest)
