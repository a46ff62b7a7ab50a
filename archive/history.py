"""What a run means: events from the versions it stored and the reports it did not see.

Called once per run, after the crawl and after the text hashes of its new versions
are known. Event kinds:

* ``new_report`` — a (body, year) seen for the first time (``baseline`` = 1 when it
  is the source's first successful crawl: everything is new then);
* ``changed`` — a document's normalised text changed (or a file was added, or a
  document went back to an older content);
* ``republished`` — the bytes changed, the text did not (a PDF re-saved);
* ``removed`` — not listed for ``REMOVAL_RUNS`` consecutive runs whose listing was
  complete (all list pages read, and not far fewer reports than before), and its
  files answer 404/410; ``delisted`` — the same, but its files still answer. On a
  polite night that carried list pages forward from readings no later than the
  report was last seen (``carried_lists``), the absence waits until those pages have
  been read again (it may have moved onto one of them);
  ``restored`` — listed again after either;
* ``fetch_failed`` — a fetch that failed (5xx, timeout, WAF, soft 404, truncated…):
  never a version, a change or a removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from archive.db import insert_row, now, write

if TYPE_CHECKING:
    from sqlite_utils import Database

REMOVAL_RUNS = 3
DROP_RATIO = 0.5  # a listing down to less than half of before…
DROP_MIN = 3  # …by 3 reports or more is a degraded listing, not removals
EventKind = Literal[
    "new_report",
    "changed",
    "republished",
    "removed",
    "delisted",
    "restored",
    "fetch_failed",
]


@dataclass(slots=True)
class PendingText:
    """A version whose text hash is still to be computed."""

    version_id: int
    sha256: str
    media_type: str
    charset: str | None


STOPPED = ("interrupted", "disk_full")  # runs that ended before their events


def runs_to_settle(db: Database, run_id: int) -> list[int]:
    """This run, and any run stopped early (interrupted, killed, on a full disk) whose
    new versions never got their events."""
    rows = db.execute(
        "SELECT id FROM runs WHERE status IN (?, ?) AND settled_by IS NULL AND id < ?"
        " ORDER BY id",
        [*STOPPED, run_id],
    ).fetchall()
    return [r[0] for r in rows] + [run_id]


def _marks(ids: list[int] | list[str]) -> str:
    return ",".join("?" * len(ids))


def pending_texts(db: Database, run_id: int) -> list[PendingText]:
    """Versions of this run (and of interrupted ones) whose text hash is still unknown."""
    runs = runs_to_settle(db, run_id)
    rows = db.execute(
        f"""SELECT v.id, v.sha256, v.media_type, c.used_charset FROM versions v
           JOIN captures c ON c.id = v.first_capture_id
           WHERE v.first_seen_run IN ({_marks(runs)}) AND v.text_status IS NULL ORDER BY v.id""",  # noqa: S608
        runs,
    ).fetchall()
    return [PendingText(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class ComparedText:
    """A new version's text hash beside its previous version's (to compare them)."""

    previous: PendingText  # the previous version, as a task to hash it again
    previous_hash: str
    new_hash: str


def compared_texts(db: Database, run_id: int) -> list[ComparedText]:
    """The versions of this run (and of runs stopped before it) that have a previous
    version, with both text hashes: the pairs the run's events will compare."""
    runs = runs_to_settle(db, run_id)
    rows = db.execute(
        f"""SELECT p.id, p.sha256, p.media_type, c.used_charset, p.text_sha256, v.text_sha256
           FROM versions v JOIN versions p ON p.id = v.previous_version_id
           JOIN captures c ON c.id = p.first_capture_id
           WHERE v.first_seen_run IN ({_marks(runs)})
             AND v.text_sha256 IS NOT NULL AND p.text_sha256 IS NOT NULL""",  # noqa: S608
        runs,
    ).fetchall()
    return [ComparedText(PendingText(*row[:4]), row[4], row[5]) for row in rows]


def store_text(
    db: Database, version_id: int, text_sha256: str | None, status: str
) -> None:
    with write(db):
        db.execute(
            "UPDATE versions SET text_sha256 = ?, text_status = ? WHERE id = ?",
            [text_sha256, status, version_id],
        )


def store_taken_texts(db: Database, hashes: list[tuple[int, str]]) -> int:
    """Text hashes (version id, hash) a parse took on its way (a PDF's pages are
    loaded once for both), stored for the versions that have none yet; returns how
    many were stored."""
    if not hashes:
        return 0
    with write(db):
        cursor = db.conn.executemany(
            "UPDATE versions SET text_sha256 = ?, text_status = 'ok'"
            " WHERE id = ? AND text_status IS NULL",
            [(digest, version_id) for version_id, digest in hashes],
        )
    return cursor.rowcount


def _rows(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class _Events:
    def __init__(self, db: Database, run_id: int) -> None:
        self.db, self.run_id, self.count = db, run_id, 0

    def add(self, kind: EventKind, message: str, **ids: Any) -> None:
        insert_row(
            self.db,
            "events",
            {
                "run_id": self.run_id,
                "created": now(),
                "kind": kind,
                "message": message,
                "baseline": ids.pop("baseline", 0),
                **ids,
            },
        )
        self.count += 1


def _label(row: dict[str, Any]) -> str:
    return f"{row['body']} {row['year']}"


def _version_events(
    db: Database, runs: list[int], events: _Events, first_crawl: set[str]
) -> None:
    rows = _rows(
        db,
        f"""SELECT v.id, v.previous_version_id, v.text_sha256, p.text_sha256 AS previous_text,
                  d.id AS document_id, d.url, d.role, d.part, r.id AS report_id, r.body, r.year,
                  r.first_seen_run, r.source_id
           FROM versions v JOIN documents d ON d.id = v.document_id JOIN reports r ON r.id = d.report_id
           LEFT JOIN versions p ON p.id = v.previous_version_id
           WHERE v.first_seen_run IN ({_marks(runs)}) ORDER BY v.id""",  # noqa: S608
        runs,
    )
    # A new report is announced by one of its files, whichever was stored first: its
    # page before its attachments, its first part before further ones, then by URL
    # (a distributed run stores files in no set order).
    first_file: dict[int, tuple[bool, bool, str]] = {}
    for row in rows:
        if row["previous_version_id"] is None and row["first_seen_run"] in runs:
            rank = (row["role"] != "page", row["part"] is not None, row["url"])
            first_file[row["report_id"]] = min(
                first_file.get(row["report_id"], rank), rank
            )
    announced: set[int] = set()
    for row in rows:
        ids = {
            "report_id": row["report_id"],
            "document_id": row["document_id"],
            "version_id": row["id"],
            "source_id": row["source_id"],
            # Until a source's first complete listing, all it finds is its baseline.
            "baseline": int(row["source_id"] in first_crawl),
        }
        if row["previous_version_id"] is None:
            if row["first_seen_run"] in runs:
                rank = (row["role"] != "page", row["part"] is not None, row["url"])
                if (
                    row["report_id"] not in announced
                    and rank == first_file[row["report_id"]]
                ):
                    announced.add(row["report_id"])
                    events.add(
                        "new_report",
                        f"new report: {_label(row)} ({row['url']})",
                        **ids,
                    )
            elif not _linked_before(db, row["url"], min(runs)):
                events.add("changed", f"new file in {_label(row)}: {row['url']}", **ids)
            # else: a file the report linked before, fetched only now (its earlier
            # fetches failed): late, not a change
            continue
        ids["previous_version_id"] = row["previous_version_id"]
        if row["text_sha256"] and row["text_sha256"] == row["previous_text"]:
            events.add(
                "republished",
                f"re-published, same text: {_label(row)} ({row['url']})",
                **ids,
            )
        else:
            events.add("changed", f"changed: {_label(row)} ({row['url']})", **ids)
    for row in _rows(
        db,
        f"""SELECT c.document_id, c.version_id, d.url, r.id AS report_id, r.body, r.year, r.source_id
           FROM captures c JOIN documents d ON d.id = c.document_id JOIN reports r ON r.id = d.report_id
           WHERE c.run_id IN ({_marks(runs)}) AND c.outcome = 'reverted'""",  # noqa: S608
        runs,
    ):
        events.add(
            "changed",
            f"changed back to an earlier version: {_label(row)} ({row['url']})",
            report_id=row["report_id"],
            document_id=row["document_id"],
            version_id=row["version_id"],
            source_id=row["source_id"],
        )


def _linked_before(db: Database, url: str, run_id: int) -> bool:
    """Was ``url`` asked for (and failed) before ``run_id``?"""
    found = db.execute(
        "SELECT 1 FROM captures WHERE url = ? AND run_id < ? LIMIT 1", [url, run_id]
    ).fetchone()
    return found is not None


def complete_listings(db: Database, run_id: int) -> set[str]:
    """Sources whose list pages were all read this run and listed about as many reports
    as before (so an absence means something).

    A listing that shrank sharply (:func:`listing_drop`) is not complete: a list page
    that degraded (a new layout, a wrong charset) must not make its reports "removed".
    """
    rows = db.execute(
        """SELECT source_id, SUM(outcome = 'failed' AND failure != 'dead_end'),
                  SUM(outcome = 'listed') FROM captures
           WHERE run_id = ? AND kind = 'list' GROUP BY source_id""",
        [run_id],
    ).fetchall()
    read = {source for source, failed, listed in rows if not failed and listed}
    return {source for source in read if listing_drop(db, run_id, source) is None}


@dataclass(frozen=True, slots=True)
class ListingDrop:
    """A source that listed far fewer reports than in its last complete listing."""

    now: int
    before: int
    before_run: int


def listing_drop(db: Database, run_id: int, source_id: str) -> ListingDrop | None:
    """A sharp drop of the reports a source lists, against its last complete listing
    (``sources.last_successful_run``: a degraded night never becomes the yardstick).

    Sharp: to less than :data:`DROP_RATIO` of before, by at least :data:`DROP_MIN`
    reports. A report column rarely loses more than a report or two a night; a
    listing that stays low stays a drop, night after night (and a health alert),
    until it recovers.
    """
    found = db.execute(
        "SELECT last_successful_run FROM sources WHERE id = ?", [source_id]
    ).fetchone()
    before_run = found[0] if found else None
    if before_run is None or before_run >= run_id:
        return None

    def listed(run: int) -> int:
        return int(
            db.execute(
                """SELECT COUNT(DISTINCT url) FROM listings
                   WHERE source_id = ? AND decision = 'report' AND run_id = ?""",
                [source_id, run],
            ).fetchone()[0]
        )

    before, now = listed(before_run), listed(run_id)
    if now < before * DROP_RATIO and before - now >= DROP_MIN:
        return ListingDrop(now, before, before_run)
    return None


def _presence_events(
    db: Database, run_id: int, events: _Events, complete: set[str]
) -> None:
    for source in sorted(complete):
        for row in _rows(
            db,
            "SELECT * FROM reports WHERE source_id = ? AND first_seen_run < ?",
            [source, run_id],
        ):
            ids = {"report_id": row["id"], "source_id": source}
            if row["last_seen_run"] == run_id:
                if row["status"] == "removed":  # removed or delisted
                    events.add("restored", f"listed again: {_label(row)}", **ids)
                db.execute(
                    "UPDATE reports SET missing_runs = 0, status = 'present' WHERE id = ?",
                    [row["id"]],
                )
                continue
            missing = row["missing_runs"] + 1
            db.execute(
                "UPDATE reports SET missing_runs = ? WHERE id = ?", [missing, row["id"]]
            )
            if (
                missing >= REMOVAL_RUNS
                and row["status"] == "present"
                and not _unread_since(db, run_id, source, row["last_seen_run"])
            ):
                db.execute(
                    "UPDATE reports SET status = 'removed' WHERE id = ?", [row["id"]]
                )
                files = _files_state(db, run_id, row["id"])
                kind: EventKind = "removed" if files == "gone" else "delisted"
                text = f"not listed for {missing} runs, {FILES_SAY[files]}"
                events.add(kind, f"{text}: {_label(row)}", **ids)


def _unread_since(db: Database, run_id: int, source_id: str, seen_run: int) -> bool:
    """Whether this run carried forward (did not read) a list page of the source whose
    last reading is no later than ``seen_run``: the report last seen then may have moved
    onto that page since, so its absence is not yet evidence. It waits (``missing_runs``
    grows) until every such page has been read again — within the verify window."""
    found = db.execute(
        """SELECT 1 FROM carried_lists WHERE run_id = ? AND source_id = ?
           AND read_run <= ? LIMIT 1""",
        [run_id, source_id, seen_run],
    ).fetchone()
    return found is not None


FILES_SAY = {
    "gone": "its files gone (404/410)",
    "answer": "its files still answer",
    "unchecked": "its files could not be fetched this run",
}


def _files_state(db: Database, run_id: int, report_id: int) -> str:
    """What this run found of the report's files: all ``gone`` (404/410: the report
    is ``removed``), some that ``answer`` (it is ``delisted``: off the list, the link
    alive), or none fetched (``unchecked``: delisted, as far as anyone can tell)."""
    outcomes = {
        outcome
        for (outcome,) in db.execute(
            """SELECT c.outcome FROM captures c JOIN documents d ON d.id = c.document_id
               WHERE c.run_id = ? AND d.report_id = ?""",
            [run_id, report_id],
        ).fetchall()
    }
    if outcomes == {"gone"}:
        return "gone"
    answered = {"new_version", "same_bytes", "not_modified", "reverted"}
    return "answer" if outcomes & answered else "unchecked"


def _failure_events(db: Database, run_id: int, events: _Events) -> None:
    for row in _rows(
        db,
        """SELECT c.url, c.kind, c.failure, c.source_id, c.document_id, d.report_id FROM captures c
           LEFT JOIN documents d ON d.id = c.document_id
           WHERE c.run_id = ? AND c.outcome = 'failed' AND c.failure != 'dead_end'
           ORDER BY c.id""",
        [run_id],
    ):
        events.add(
            "fetch_failed",
            f"{row['kind']} fetch failed ({row['failure']}): {row['url']}",
            report_id=row["report_id"],
            document_id=row["document_id"],
            source_id=row["source_id"],
        )


def settle_run(db: Database, run_id: int, source_ids: list[str]) -> int:
    """Write the run's events and update the sources; return the number of events."""
    complete = complete_listings(db, run_id)
    never = f"SELECT id FROM sources WHERE last_successful_run IS NULL AND id IN ({_marks(source_ids)})"  # noqa: S608
    first_crawl = {s for (s,) in db.execute(never, source_ids).fetchall()}
    runs = runs_to_settle(db, run_id)
    with write(db):
        events = _Events(db, run_id)
        _version_events(db, runs, events, first_crawl)
        _presence_events(db, run_id, events, complete)
        _failure_events(db, run_id, events)
        for source in source_ids:
            db.execute(
                "UPDATE sources SET last_run = ?, first_run = COALESCE(first_run, ?) WHERE id = ?",
                [run_id, run_id, source],
            )
            if source in complete:
                db.execute(
                    "UPDATE sources SET last_successful_run = ? WHERE id = ?",
                    [run_id, source],
                )
        settled = f"UPDATE runs SET settled_by = ? WHERE id IN ({_marks(runs)})"  # noqa: S608
        db.execute(settled, [run_id, *runs])
    return events.count
