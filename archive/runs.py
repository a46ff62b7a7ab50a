"""Runs: opening one, closing it with its counts, and summarising it per source."""

from __future__ import annotations

import json
import os
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from archive.db import insert_row, now, write

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlite_utils import Database


class SourceRow(Protocol):
    """What the archive keeps of a registry source (crawler.registry.Source fits)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def start_urls(self) -> tuple[str, ...]: ...
    @property
    def evidence(self) -> str: ...


def sync_sources(db: Database, sources: Sequence[SourceRow]) -> None:
    """Insert or refresh the registry entries (the run-tracking columns are kept)."""
    with write(db):
        for s in sources:
            db.execute(
                """INSERT INTO sources (id, name, body, region, level, family, start_urls, evidence)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET name = excluded.name, body = excluded.body,
                     region = excluded.region, level = excluded.level, family = excluded.family,
                     start_urls = excluded.start_urls, evidence = excluded.evidence""",
                [
                    s.id,
                    s.name,
                    s.body,
                    s.region,
                    s.level,
                    s.family,
                    json.dumps(list(s.start_urls), ensure_ascii=False),
                    s.evidence,
                ],
            )


def start_run(
    db: Database,
    *,
    target: str,
    epoch: int | None,
    sources: list[str],
    crawler_version: str,
) -> int:
    """Open a run. Runs still marked running belong to a killed crawl: mark them interrupted."""
    with write(db):
        db.execute(
            "UPDATE runs SET status = 'interrupted', ended = COALESCE(ended, ?), "
            "message = 'the crawl process ended without closing its run' WHERE status = 'running'",
            [now()],
        )
        return insert_row(
            db,
            "runs",
            {
                "started": now(),
                "status": "running",
                "target": target,
                "epoch": epoch,
                "sources": json.dumps(sources),
                "pid": os.getpid(),
                "crawler_version": crawler_version,
            },
        )


def _one(db: Database, sql: str, params: list[Any]) -> int:
    return int(db.execute(sql, params).fetchone()[0] or 0)


RunStatus = Literal[
    "running", "complete", "partial", "failed", "interrupted", "disk_full"
]


@dataclass(frozen=True, slots=True)
class RunCounts:
    """What a run did, as its row in ``runs`` keeps it."""

    requests: int
    bytes_downloaded: int
    list_pages: int
    reports_found: int
    new_versions: int
    failures: int
    events: int


@dataclass(frozen=True, slots=True)
class RunTiming:
    """Where a run's time went (seconds)."""

    crawl_seconds: float
    crawl_cpu_seconds: float
    analysis_seconds: float


def finish_run(
    db: Database,
    run_id: int,
    status: RunStatus,
    events: int,
    message: str = "",
    timing: RunTiming | None = None,
) -> RunCounts:
    """Close a run with its status and counts; return the counts."""
    counts = RunCounts(
        requests=_one(db, "SELECT COUNT(*) FROM captures WHERE run_id = ?", [run_id]),
        bytes_downloaded=_one(
            db, "SELECT SUM(size) FROM captures WHERE run_id = ?", [run_id]
        ),
        list_pages=_one(
            db,
            "SELECT COUNT(*) FROM captures WHERE run_id = ? AND kind = 'list'",
            [run_id],
        ),
        reports_found=_one(
            db,
            "SELECT COUNT(DISTINCT url) FROM listings WHERE run_id = ? AND decision = 'report'",
            [run_id],
        ),
        new_versions=_one(
            db, "SELECT COUNT(*) FROM versions WHERE first_seen_run = ?", [run_id]
        ),
        failures=_one(
            db,
            "SELECT COUNT(*) FROM captures WHERE run_id = ? AND outcome = 'failed'"
            " AND failure != ?",
            [run_id, DEAD_END],
        ),
        events=events,
    )
    with write(db):
        db.execute(
            "UPDATE runs SET status = ?, ended = ?, message = ?, requests = ?, "
            "bytes_downloaded = ?, list_pages = ?, reports_found = ?, new_versions = ?, "
            "failures = ?, events = ? WHERE id = ?",
            [status, now(), message, *astuple(counts), run_id],
        )
        if timing is not None:
            db.execute(
                "UPDATE runs SET crawl_seconds = ?, crawl_cpu_seconds = ?, "
                "analysis_seconds = ? WHERE id = ?",
                [*astuple(timing), run_id],
            )
    return counts


UNREACHABLE = ("dns_failed", "refused", "unreachable")
# A page asked for on a guess that is not there (crawler/spiders/base.dead_end):
# recorded, never a failure of the run.
DEAD_END = "dead_end"


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """One line of the end-of-run table."""

    source: str
    list_pages: int
    reports: int
    new: int
    changed: int
    resaved: int
    removed: int
    failed: int
    unreachable: str
    fell_back: str = ""  # how its list was read instead of by its family, if it was
    carried: int = 0  # list pages carried forward from their last reading (not read)


def source_summaries(
    db: Database, run_id: int, source_ids: list[str]
) -> list[SourceSummary]:
    """Per source: what this run listed, found, announced and failed to fetch.

    One grouped query per table for the whole run (a night of 10,000 sources asked
    eight questions per source took longer than its crawl)."""
    listed = _by_source(
        db,
        "SELECT source_id, COUNT(*) FROM captures WHERE run_id = ?"
        " AND kind = 'list' AND outcome = 'listed' GROUP BY source_id",
        [run_id],
    )
    carried = _by_source(
        db,
        "SELECT source_id, COUNT(*) FROM carried_lists WHERE run_id = ? GROUP BY source_id",
        [run_id],
    )
    reports = _by_source(
        db,
        "SELECT source_id, COUNT(DISTINCT url) FROM listings WHERE run_id = ?"
        " AND decision = 'report' GROUP BY source_id",
        [run_id],
    )
    events: dict[tuple[str, str], int] = {
        (source, kind): int(n)
        for source, kind, n in db.execute(
            "SELECT source_id, kind, COUNT(*) FROM events WHERE run_id = ?"
            " GROUP BY source_id, kind",
            [run_id],
        ).fetchall()
    }
    failures: dict[str, list[str]] = {}
    for source, failure in db.execute(
        "SELECT source_id, failure FROM captures WHERE run_id = ?"
        " AND outcome = 'failed' AND failure != ? ORDER BY id",
        [run_id, DEAD_END],
    ).fetchall():
        failures.setdefault(source, []).append(failure)
    fallbacks: dict[str, str] = {}
    for source, reason in db.execute(
        "SELECT source_id, reason FROM listings WHERE run_id = ? AND reason LIKE ?"
        " ORDER BY rowid",
        [run_id, f"%{FELL_BACK_MARK}%"],
    ).fetchall():
        fallbacks.setdefault(source, reason)
    out = []
    for source in source_ids:
        failed = failures.get(source, [])
        unreachable = sorted({f for f in failed if f in UNREACHABLE})
        out.append(
            SourceSummary(
                source=source,
                list_pages=listed.get(source, 0),
                reports=reports.get(source, 0),
                new=events.get((source, "new_report"), 0),
                changed=events.get((source, "changed"), 0),
                resaved=events.get((source, "republished"), 0),
                removed=events.get((source, "removed"), 0),
                failed=len(failed),
                unreachable=", ".join(unreachable),
                fell_back=_fell_back(fallbacks[source]) if source in fallbacks else "",
                carried=carried.get(source, 0),
            )
        )
    return out


def _by_source(db: Database, sql: str, params: list[Any]) -> dict[str, int]:
    return {source: int(n or 0) for source, n in db.execute(sql, params).fetchall()}


FELL_BACK_MARK = "read generically: the "  # crawler/fallback.py's note on its reasons


def _fell_back(reason: str) -> str:
    """``read generically: the trs spider found nothing…`` from a listing's reason."""
    return reason[reason.index(FELL_BACK_MARK) :].rstrip(")")


def run_status(summaries: list[SourceSummary]) -> RunStatus:
    """complete (nothing failed), partial (something failed), failed (no source listed)."""
    if not any(s.list_pages for s in summaries):
        return "failed"
    if any(s.failed for s in summaries):
        return "partial"
    return "complete"


def latest_events(root: Any, limit: int = 20) -> list[str]:
    """The events of the archive's last run, as lines (for the demo and quick looks)."""
    from pathlib import Path

    from archive.db import DB_NAME, connect

    db = connect(Path(root) / DB_NAME, readonly=True)
    try:
        rows = db.execute(
            "SELECT kind, message FROM events WHERE run_id = (SELECT MAX(id) FROM runs) ORDER BY id LIMIT ?",
            [limit],
        ).fetchall()
    finally:
        db.conn.close()
    return [f"{kind}: {message.split(': ', 1)[-1]}" for kind, message in rows] or [
        "(no events)"
    ]
