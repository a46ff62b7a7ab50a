"""Run untrusted parsing in worker processes with a time and a memory limit.

A hostile or broken file can hang a parser or make it eat all memory; here it only
takes down its worker. The pool is rebuilt and the run goes on.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

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


def _pool(workers: int, memory_mb: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_limit_memory,
        initargs=(memory_mb,),
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
    that were running beside it are retried alone.
    """
    outcomes: list[Outcome[Result] | None] = [None] * len(tasks)
    pending = list(range(len(tasks)))
    while pending:
        pool = _pool(workers, memory_mb)
        futures = [(i, pool.submit(fn, tasks[i])) for i in pending]
        retry: list[int] = []
        broken = False
        for i, future in futures:
            if broken:
                retry.append(i)
                continue
            try:
                outcomes[i] = Outcome(True, future.result(timeout=timeout))
            except (FutureTimeout, BrokenProcessPool) as exc:
                broken = True
                if (
                    workers > 1
                ):  # not necessarily this task's fault: find out one at a time
                    retry.append(i)
                else:
                    why = (
                        f"timeout after {timeout:.0f} s"
                        if isinstance(exc, FutureTimeout)
                        else "worker died (memory limit or crash)"
                    )
                    outcomes[i] = Outcome(False, error=why)
            except MemoryError:
                outcomes[i] = Outcome(
                    False, error=f"out of memory (limit {memory_mb} MB)"
                )
            except Exception as exc:  # the task's own error, reported not raised
                outcomes[i] = Outcome(False, error=f"{type(exc).__name__}: {exc}")
        if broken:
            _kill(pool)
            workers = 1
        else:
            pool.shutdown()
        pending = retry
    return [o if o is not None else Outcome(False, error="not run") for o in outcomes]
