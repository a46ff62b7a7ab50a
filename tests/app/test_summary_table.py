"""The table at the end of `nianbao crawl`: readable at 5 sources and at 10,000."""

from __future__ import annotations

import re

from app.crawl import SUMMARY_ROWS, CrawlResult, summary_table
from archive.runs import RunCounts, SourceSummary

COUNTS = RunCounts(30, 10**6, 10, 20, 20, 0, 20)


def quiet(name: str) -> SourceSummary:
    return SourceSummary(name, 1, 2, 0, 0, 0, 0, 0, "")


def test_long_source_ids_keep_the_columns_aligned() -> None:
    sources = [quiet("anqiu"), quiet("fleet0001-zrzyj")]
    lines = summary_table(CrawlResult(1, "complete", COUNTS, sources)).splitlines()
    assert lines[0].index("list pages") == lines[2].index("1") - 9
    assert lines[2].startswith("anqiu           ")
    failed_ends = lines[0].index("failed") + len("failed")
    assert [len(row.rstrip()) for row in lines[2:4]] == [failed_ends, failed_ends]


def test_a_run_of_many_sources_lists_only_those_with_news() -> None:
    sources = [quiet(f"fleet{n:04d}-xzf") for n in range(1, 501)]
    sources[7] = SourceSummary("fleet0008-xzf", 1, 2, 1, 0, 0, 0, 0, "")
    sources[9] = SourceSummary("fleet0010-xzf", 1, 2, 0, 0, 0, 0, 1, "")
    sources[11] = SourceSummary("fleet0012-xzf", 0, 0, 0, 0, 0, 0, 0, "refused")
    table = summary_table(CrawlResult(1, "complete", COUNTS, sources))
    rows = [line for line in table.splitlines() if line.startswith("fleet")]
    assert [row.split()[0] for row in rows] == [
        "fleet0008-xzf",
        "fleet0010-xzf",
        "fleet0012-xzf",
    ]
    assert "… 0 more sources with news and 497 with nothing new" in table
    many = [SourceSummary(f"s{n}", 1, 1, 1, 0, 0, 0, 0, "") for n in range(100)]
    table = summary_table(CrawlResult(1, "complete", COUNTS, many))
    assert (
        sum(1 for line in table.splitlines() if re.match(r"s\d+ ", line))
        == SUMMARY_ROWS
    )
    assert (
        f"… {100 - SUMMARY_ROWS} more sources with news and 0 with nothing new" in table
    )


def test_list_pages_carried_forward_are_counted_beside_those_read() -> None:
    carried = SourceSummary("sanmen", 2, 20, 0, 0, 0, 0, 0, "", carried=28)
    lines = summary_table(
        CrawlResult(1, "complete", COUNTS, [quiet("wip"), carried])
    ).splitlines()
    assert lines[2].split()[:2] == ["wip", "1"]
    assert lines[3].split()[:3] == ["sanmen", "2+28", "20"]
    assert len(lines[3].rstrip()) == len(lines[2].rstrip())  # aligned
    assert lines[4].startswith("list pages: read+carried (not due tonight")
    plain = summary_table(CrawlResult(1, "complete", COUNTS, [quiet("wip")]))
    assert "carried" not in plain
