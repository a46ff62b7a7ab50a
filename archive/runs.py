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


def source_summaries(
    db: Database, run_id: int, source_ids: list[str]
) -> list[SourceSummary]:
    """Per source: what this run listed, found, announced and failed to fetch."""
    out = []
    for source in source_ids:

        def count(
            table: str, where: str, what: str = "COUNT(*)", source: str = source
        ) -> int:
            sql = f"SELECT {what} FROM {table} WHERE run_id = ? AND source_id = ? AND {where}"  # noqa: S608
            return _one(db, sql, [run_id, source])

        failures = db.execute(
            "SELECT failure FROM captures WHERE run_id = ? AND source_id = ?"
            " AND outcome = 'failed' AND failure != ?",
            [run_id, source, DEAD_END],
        ).fetchall()
        unreachable = sorted({f for (f,) in failures if f in UNREACHABLE})
        fallback = db.execute(
            "SELECT reason FROM listings WHERE run_id = ? AND source_id = ? "
            "AND reason LIKE ? LIMIT 1",
            [run_id, source, f"%{FELL_BACK_MARK}%"],
        ).fetchone()
        out.append(
            SourceSummary(
                source=source,
                list_pages=count("captures", "kind = 'list' AND outcome = 'listed'"),
                reports=count("listings", "decision = 'report'", "COUNT(DISTINCT url)"),
                new=count("events", "kind = 'new_report'"),
                changed=count("events", "kind = 'changed'"),
                resaved=count("events", "kind = 'republished'"),
                removed=count("events", "kind = 'removed'"),
                failed=len(failures),
                unreachable=", ".join(unreachable),
                fell_back=_fell_back(fallback[0]) if fallback else "",
            )
        )
    return out


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
