"""Sandboxed parsing: a hung or memory-hungry task kills only its worker."""

from __future__ import annotations

import pathlib
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


def _mark(task: tuple[str, str]) -> str:
    """Leave a file named after the task in the folder it names, then do the task."""
    import pathlib

    folder, kind = task
    (pathlib.Path(folder) / kind).touch()
    return _work(kind.split("-")[0])


def test_a_stream_hands_batches_back_in_order_while_the_next_batch_runs(
    tmp_path: pathlib.Path,
) -> None:
    tasks = [(str(tmp_path), f"ok-{i}") for i in range(5)]
    with Sandbox(timeout=10, memory_mb=512, workers=2) as sandbox:
        batches = sandbox.stream(_mark, tasks, 2)
        first = next(batches)
        # the caller holds the first batch; the second's tasks run meanwhile
        deadline = time.monotonic() + 30
        while not {"ok-2", "ok-3"} <= {p.name for p in tmp_path.iterdir()}:
            assert time.monotonic() < deadline, "the next batch did not start"
            time.sleep(0.01)
        rest = list(batches)
    assert [[o.value for o in b] for b in [first, *rest]] == [
        ["OK", "OK"],
        ["OK", "OK"],
        ["OK"],
    ]


def test_a_task_that_hangs_or_dies_in_the_batch_started_ahead_fails_alone(
    tmp_path: pathlib.Path,
) -> None:
    kinds = ["ok-0", "ok-1", "hang-2", "ok-3", "hog-4", "ok-5", "ok-6"]
    tasks = [(str(tmp_path), k) for k in kinds]
    with Sandbox(timeout=3, memory_mb=512, workers=2) as sandbox:
        batches = [
            [(o.ok, o.value, o.error) for o in b]
            for b in sandbox.stream(_mark, tasks, 2)
        ]
        after = {o.value for o in sandbox.map(_pid, range(6))}
    assert batches == [
        [(True, "OK", ""), (True, "OK", "")],
        [(False, None, "timeout after 3 s"), (True, "OK", "")],
        [(False, None, batches[2][0][2]), (True, "OK", "")],
        [(True, "OK", "")],
    ]
    assert batches[2][0][2] in (
        "worker died (memory limit or crash)",
        "out of memory (limit 512 MB)",
    )
    assert len(after) == 2  # a full pool again
