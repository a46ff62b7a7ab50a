"""Sandboxed parsing: a hung or memory-hungry task kills only its worker."""

from __future__ import annotations

import time

from app.sandbox import Sandbox, map_isolated


def _work(kind: str) -> str:
    if kind == "hang":
        time.sleep(60)
    if kind == "hog":
        blocks = [
            bytearray(64 * 1024 * 1024) for _ in range(64)
        ]  # 4 GiB, past the limit
        return str(len(blocks))
    if kind == "raise":
        raise ValueError("bad file")
    return kind.upper()


def test_results_errors_timeouts_and_memory_blowups_each_get_their_outcome() -> None:
    outcomes = map_isolated(
        _work,
        ["ok", "hang", "raise", "hog", "fine"],
        timeout=3,
        memory_mb=512,
    )
    assert [(o.ok, o.value) for o in outcomes] == [
        (True, "OK"),
        (False, None),
        (False, None),
        (False, None),
        (True, "FINE"),
    ]
    assert outcomes[1].error == "timeout after 3 s"
    assert outcomes[2].error == "ValueError: bad file"
    assert outcomes[3].error in (
        "worker died (memory limit or crash)",
        "out of memory (limit 512 MB)",
    )


_KEPT: list[bytearray] = []  # what a task leaves in its worker


def _pid(_: object) -> int:
    import os

    time.sleep(0.05)  # long enough for both workers to take tasks
    return os.getpid()


def _grow(megabytes: int) -> int:
    import os

    _KEPT.append(bytearray(megabytes * 1024 * 1024))
    return os.getpid()


def test_a_sandbox_keeps_its_workers_from_one_batch_to_the_next() -> None:
    with Sandbox(timeout=10, memory_mb=512, workers=2) as sandbox:
        first = {o.value for o in sandbox.map(_pid, range(6))}
        second = {o.value for o in sandbox.map(_pid, range(6))}
        assert len(first) == 2
        assert second == first
        assert sandbox.pools_started == 1


def test_a_worker_grown_past_the_recycling_size_is_replaced_before_the_next_batch() -> (
    None
):
    with Sandbox(timeout=10, memory_mb=1024, workers=1, recycle_mb=150) as sandbox:
        (small,) = sandbox.map(_grow, [10])
        (big,) = sandbox.map(_grow, [200])  # grown past 150 MB: replaced after it
        (after,) = sandbox.map(_grow, [10])
        assert small.value == big.value
        assert after.value != big.value
        assert sandbox.pools_started == 2


def test_after_a_hung_task_the_next_batch_has_a_full_pool_again() -> None:
    with Sandbox(timeout=2, memory_mb=512, workers=2) as sandbox:
        outcomes = sandbox.map(_work, ["hang", "ok"])
        assert [(o.ok, o.value) for o in outcomes] == [(False, None), (True, "OK")]
        pids = {o.value for o in sandbox.map(_pid, range(6))}
        assert len(pids) == 2
        # the first; one for the hung task alone (killed); one for the task beside
        # it; a full one again for the next batch
        assert sandbox.pools_started == 4
