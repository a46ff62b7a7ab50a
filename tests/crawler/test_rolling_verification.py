"""Unchanged nights at real-site settings (issue 16 item 5, crawler/verify.py): the
first list pages every night and the rest when due (carried forward from their last
reading meanwhile, nothing lost), a listed known report asked for again only when it
is due, and a silent edit and a new report still caught. Real `nianbao crawl` subprocesses
against the replica's nights; the window is set with ``--verify-days`` (a crawl of
the replica is not polite, so its default is every night)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from archive.history import REMOVAL_RUNS
from crawler.verify import RECENT_YEARS
from tests.crawler.helpers import events, rows, run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from replica.server import ReplicaThread


def _fetched(data: Path, run: int, lists: bool = False) -> int:
    """Report pages and files (``lists``: list pages) asked for on night ``run``."""
    ((count,),) = rows(
        data,
        "SELECT COUNT(*) FROM captures WHERE run_id = ? AND (kind = 'list') = ?",
        (run, lists),
    )
    return int(count)


def _days_pass(data: Path, days: int) -> None:
    """As if night 1's captures were ``days`` older (the crawl's clock is the real one)."""
    rows(
        data,
        "UPDATE captures SET ended = strftime('%Y-%m-%dT%H:%M:%fZ', ended, ?)",
        (f"-{days} days",),
    )


def test_a_silent_edit_waits_for_its_turn_and_is_caught_within_the_window(
    archive_copy: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    # Night 2, the next day: the new report is fetched (it is listed and unknown);
    # the silently edited report (2022) and the re-saved one were verified hours ago.
    night2 = run_crawl(archive_copy, replica_at(2).proxy, "--verify-days", "7")
    assert night2.returncode == 0, night2.stdout + night2.stderr
    assert events(archive_copy, 2) == ["new_report"]
    assert _fetched(archive_copy, 2) < _fetched(archive_copy, 1) / 5
    # A week later nothing has been verified for 7 days: every known report is due.
    _days_pass(archive_copy, 8)
    night3 = run_crawl(archive_copy, replica_at(3).proxy, "--verify-days", "7")
    assert night3.returncode == 0, night3.stdout + night3.stderr
    assert events(archive_copy, 3) == ["changed", "republished"]
    messages = dict(
        rows(archive_copy, "SELECT kind, message FROM events WHERE run_id = 3")
    )
    assert "经济发展局 2022" in messages["changed"]
    assert "景芝镇人民政府 2022" in messages["republished"]


def test_every_night_without_a_window_asks_for_every_known_document(
    archive_copy: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    done = run_crawl(archive_copy, replica_at(2).proxy, "--verify-days", "0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert events(archive_copy, 2) == ["changed", "new_report", "republished"]


def test_an_unchanged_next_night_asks_only_for_recent_reports(
    archive_copy: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    done = run_crawl(archive_copy, replica_at(1).proxy, "--verify-days", "7")
    assert done.returncode == 0, done.stdout + done.stderr
    assert events(archive_copy, 2) == []
    asked = rows(
        archive_copy,
        """SELECT DISTINCT r.year FROM captures c JOIN documents d ON d.id = c.document_id
           JOIN reports r ON r.id = d.report_id WHERE c.run_id = 2""",
    )
    recent = datetime.now(UTC).year - RECENT_YEARS
    assert {year for (year,) in asked if year < recent} == set()
    ((known_recent,),) = rows(
        archive_copy, "SELECT COUNT(*) FROM reports WHERE year >= ?", (recent,)
    )
    assert bool(asked) == bool(known_recent)
    ((lists,),) = rows(
        archive_copy, "SELECT COUNT(*) FROM captures WHERE run_id = 2 AND kind = 'list'"
    )
    assert lists > 0  # the lists are read every night


def _listed(data: Path, run: int) -> set[tuple[str, str, str]]:
    return {
        (url, title, decision)
        for url, title, decision in rows(
            data,
            "SELECT url, title, decision FROM listings WHERE run_id = ?",
            (run,),
        )
    }


def test_unchanged_nights_carry_list_pages_and_lose_no_report(
    archive_copy: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    """Night after unchanged night, the list pages not due are carried forward from
    their last reading: every item is listed as on night 1, no report goes missing
    (for REMOVAL_RUNS nights: a lost one would be called removed), and a window later
    every list page is read."""
    first = _listed(archive_copy, 1)
    for night in range(2, REMOVAL_RUNS + 2):  # long enough to be called removed
        done = run_crawl(archive_copy, replica_at(1).proxy, "--verify-days", "7")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "list pages (carried forward from their last reading)" in done.stderr
        assert events(archive_copy, night) == []
        assert _listed(archive_copy, night) == first
        assert _fetched(archive_copy, night, lists=True) < _fetched(
            archive_copy, 1, lists=True
        )
        assert rows(
            archive_copy,
            "SELECT COUNT(*) FROM reports WHERE last_seen_run != ? OR status != 'present'",
            (night,),
        ) == [(0,)]
    carried = rows(
        archive_copy,
        "SELECT COUNT(*) FROM listings WHERE run_id = 2 AND reason LIKE '%not due tonight)'",
    )[0][0]
    assert carried > 0
    # a window later, nothing has been read for 7 days: every list page is due
    _days_pass(archive_copy, 8)
    done = run_crawl(archive_copy, replica_at(1).proxy, "--verify-days", "7")
    assert done.returncode == 0, done.stdout + done.stderr
    night = REMOVAL_RUNS + 2
    assert _fetched(archive_copy, night, lists=True) == _fetched(
        archive_copy, 1, lists=True
    )
    assert _listed(archive_copy, night) == first
    assert events(archive_copy, night) == []
