"""B10's harness (bench/crawl_bench.py): the crawl process's own peak RSS, told apart
from its parse workers and anything else under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.crawl_bench import b10_memory, crawl_roles

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread


def test_the_crawl_its_parse_workers_and_the_rest_are_told_apart() -> None:
    role = crawl_roles(100)
    command = "/x/.venv/bin/python -m app crawl --proxy http://127.0.0.1:1 --data d"
    assert role(100, command) == "crawl"
    assert role(101, command) == "parse"
    assert role(102, "taskset -c 1 " + command) == "parse"
    assert role(103, "/usr/bin/chromium --headless") == "other"


def test_two_nights_of_a_source_give_two_peaks(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    memory = b10_memory(replica.proxy, 2, tmp_path, ["wip"])
    assert len(memory.peaks_mb) == 2
    assert all(60 < peak < 2000 for peak in memory.peaks_mb)
    assert memory.ratio == memory.peaks_mb[1] / memory.peaks_mb[0]
