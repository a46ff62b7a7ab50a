"""Sandboxed parsing: a hung or memory-hungry task kills only its worker."""

from __future__ import annotations

import time

from app.sandbox import map_isolated


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
