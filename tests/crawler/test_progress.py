"""crawler/extensions.py: progress lines that stay readable (and cheap) at 10,000 sources."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from crawler.extensions import PER_SOURCE, Counts, Progress, counts_by_source

if TYPE_CHECKING:
    import pytest

STATS = {
    "nianbao/anqiu/list/listed": 3,
    "nianbao/anqiu/listed/report": 7,
    "nianbao/anqiu/page/new_version": 4,
    "nianbao/anqiu/attachment/new_version": 2,
    "nianbao/anqiu/page/failed": 1,
    "nianbao/anqiu/attachment/failed": 1,
    "nianbao/wip/list/listed": 1,
    "downloader/request_count": 99,
}


def test_counts_come_from_one_pass_over_the_stats() -> None:
    assert counts_by_source(STATS) == {
        "anqiu": Counts(list_pages=3, reports=7, new_files=6, failed=2),
        "wip": Counts(list_pages=1),
    }


def progress(stats: dict[str, Any]) -> Progress:
    crawler = SimpleNamespace(stats=SimpleNamespace(get_stats=lambda: stats))
    return Progress(crawler, 10.0)  # type: ignore[arg-type]


def test_a_few_sources_get_a_line_each_and_only_when_they_moved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "nianbao.progress")
    spider = SimpleNamespace(sources={"anqiu": 1, "wip": 2, "penglai": 3})
    stats = dict(STATS)
    ext = progress(stats)
    ext.log(spider)  # type: ignore[arg-type]
    assert caplog.messages == [
        "anqiu: 3 list pages, 7 reports found, 6 new files, 2 failed",
        "wip: 1 list pages, 0 reports found, 0 new files, 0 failed",
        "penglai: 0 list pages, 0 reports found, 0 new files, 0 failed",
    ]
    caplog.clear()
    stats["nianbao/wip/list/listed"] = 2
    ext.log(spider)  # type: ignore[arg-type]
    assert caplog.messages == [
        "wip: 2 list pages, 0 reports found, 0 new files, 0 failed"
    ]


def test_many_sources_get_one_line_of_totals(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "nianbao.progress")
    names = [f"fleet{n:04d}-xzf" for n in range(1, 10_001)]
    stats = {f"nianbao/{name}/list/listed": 1 for name in names}
    stats |= {f"nianbao/{name}/listed/report": 2 for name in names[:500]}
    progress(stats).log(SimpleNamespace(sources=dict.fromkeys(names)))  # type: ignore[arg-type]
    assert caplog.messages == [
        "10000 sources (10000 moved since the last line): "
        "10000 list pages, 1000 reports found, 0 new files, 0 failed"
    ]
    assert PER_SOURCE < 10_000
