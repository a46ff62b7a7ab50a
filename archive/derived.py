"""What the processors derived from each version, kept beside the captures.

One ``parses`` row per version (identity, template, status), its table values in
``figures`` (one row per cell), its check results in ``checks`` and its text in
``texts`` (full-text indexed). Everything here can be thrown away and re-derived
from the blobs: every row carries the processor version that wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, get_args

from archive.db import insert_row, now, write
from archive.search_index import add_text, forget_text
from processors.schema import COLUMN_NAMES, ROW_NAMES

if TYPE_CHECKING:
    from sqlite_utils import Database

    from processors.checks import Check
    from processors.parse import Parsed
    from processors.tables import Confidence, TableValues, Value

TableName = Literal["active", "applications", "appeals"]
TABLES: tuple[TableName, ...] = get_args(TableName)
FiguresByTable = dict[
    str, dict[str, dict[str, "Value"]]
]  # table → row → column → value


@dataclass(frozen=True, slots=True)
class YearCheck:
    """One check between a report and the same body's report of the year before."""

    report_id: int
    version_id: int
    name: str
    ok: bool
    message: str
    cells: tuple[tuple[str, str, str], ...] = ()  # see processors.checks.Check
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class ParseTask:
    """One version to parse, with what the crawl knows about its report."""

    version_id: int
    report_id: int
    document_id: int
    sha256: str
    media_type: str
    charset: str | None
    title: str
    body: str
    year: int
    published: str | None
    # The further pages of a report printed over several (documents.part_of), in
    # order: (sha256, media type, charset) of each one's current version.
    parts: tuple[tuple[str, str, str | None], ...] = ()


def pending_parses(
    db: Database, processor_version: str, everything: bool = False
) -> list[ParseTask]:
    """Versions never parsed, or parsed by another processor version (all of them if
    ``everything``); and the current first page of every report whose further pages
    (parts) have a version to parse, since its parse reads them too."""
    stale = (
        "" if everything else "WHERE p.version_id IS NULL OR p.processor_version != ?"
    )
    rows = db.execute(
        f"""SELECT v.id, d.report_id, d.id, v.sha256, v.media_type, c.used_charset,
                  r.title, r.body, r.year, r.published, d.part_of
           FROM versions v
           JOIN documents d ON d.id = v.document_id
           JOIN reports r ON r.id = d.report_id
           JOIN captures c ON c.id = v.first_capture_id
           LEFT JOIN parses p ON p.version_id = v.id
           {stale} ORDER BY v.id""",  # noqa: S608 (no user text)
        [] if everything else [processor_version],
    ).fetchall()
    tasks = [ParseTask(*row[:10]) for row in rows]
    firsts = {row[10] for row in rows if row[10] is not None}
    firsts -= {t.document_id for t in tasks}
    if firsts:
        marks = ",".join("?" * len(firsts))
        tasks += [
            ParseTask(*row)
            for row in db.execute(
                f"""SELECT v.id, d.report_id, d.id, v.sha256, v.media_type,
                          c.used_charset, r.title, r.body, r.year, r.published
                   FROM documents d
                   JOIN versions v ON v.id = d.current_version_id
                   JOIN reports r ON r.id = d.report_id
                   JOIN captures c ON c.id = v.first_capture_id
                   WHERE d.id IN ({marks}) ORDER BY v.id""",  # noqa: S608
                sorted(firsts),
            ).fetchall()
        ]
    return [_with_parts(db, task) for task in tasks]


def _with_parts(db: Database, task: ParseTask) -> ParseTask:
    """The task with its document's further pages, when it is a report's first page
    and the version is the document's current one (an old version stands alone)."""
    parts = db.execute(
        """SELECT v.sha256, v.media_type, c.used_charset FROM documents d
           JOIN documents first ON first.id = d.part_of
           JOIN versions v ON v.id = d.current_version_id
           JOIN captures c ON c.id = v.first_capture_id
           WHERE d.part_of = ? AND first.current_version_id = ?
           ORDER BY d.part""",
        [task.document_id, task.version_id],
    ).fetchall()
    if not parts:
        return task
    return replace(task, parts=tuple(parts))


def _forget(db: Database, version_id: int) -> None:
    forget_text(db.conn, version_id)
    for table in ("parses", "figures"):
        db.execute(f"DELETE FROM {table} WHERE version_id = ?", [version_id])  # noqa: S608
    db.execute(
        "DELETE FROM checks WHERE version_id = ? AND scope = 'report'", [version_id]
    )


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What became of one parse task: its result, or why it failed."""

    task: ParseTask
    result: Parsed | None
    failure: str | None = None


def store_parse(
    db: Database,
    task: ParseTask,
    result: Parsed | None,
    failure: str | None,
    processor_version: str,
) -> None:
    """Replace what is known of ``task``'s version by ``result``, or mark it
    ``parse_failed`` with ``failure``, in one transaction."""
    store_parses(db, [ParseResult(task, result, failure)], processor_version)


def store_parses(
    db: Database, results: list[ParseResult], processor_version: str
) -> None:
    """``store_parse`` for each of ``results``, all in one transaction: the pages of
    the figures, checks and search indexes are written once for the batch, not once
    per version (bench B6)."""
    with write(db):
        for done in results:
            _store(db, done, processor_version)


def _store(db: Database, done: ParseResult, processor_version: str) -> None:
    task, result = done.task, done.result
    base = {
        "version_id": task.version_id,
        "report_id": task.report_id,
        "document_id": task.document_id,
        "processor_version": processor_version,
        "parsed": now(),
    }
    _forget(db, task.version_id)
    if result is None:
        insert_row(
            db, "parses", {**base, "status": "parse_failed", "failure": done.failure}
        )
        return
    tables = {t: values for t in TABLES if (values := _table(result, t))}
    checks = result.checks
    insert_row(
        db,
        "parses",
        {
            **base,
            "status": "ok",
            "format": result.kind,
            "title": result.title,
            "body": result.body,
            "year": result.year,
            "published": result.published,
            "template": result.template,
            "tables_found": len(tables),
            "checks_run": len(checks),
            "checks_failed": sum(not c.ok for c in checks),
            "warnings": json.dumps(
                _identity_warnings(task, result) + list(result.warnings),
                ensure_ascii=False,
            ),
            "ocr_pages": json.dumps(list(result.ocr_pages))
            if result.ocr_pages
            else None,
        },
    )
    sure = result.confidence
    db.conn.executemany(
        "INSERT INTO figures (report_id, version_id, table_name, row_key, column_key,"
        " row_label, column_label, value, processor_version, confidence)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                task.report_id,
                task.version_id,
                table,
                row,
                column,
                ROW_NAMES[table].get(row),
                COLUMN_NAMES[table].get(column),
                value,
                processor_version,
                _confidence(sure, table, row, column),
            )
            for table, values in tables.items()
            for row, columns in values.items()
            for column, value in columns.items()
        ],
    )
    _insert_checks(
        db,
        "report",
        [(task.report_id, task.version_id, c) for c in checks],
        processor_version,
    )
    if result.text.strip():
        add_text(
            db.conn,
            task.version_id,
            task.report_id,
            result.title or task.title,
            result.text,
        )


def _confidence(sure: Confidence, table: str, row: str, column: str) -> float | None:
    """A figure's OCR confidence to one decimal (None: read from text, or blank)."""
    found = sure.get(table, {}).get(row, {}).get(column)
    return None if found is None else round(found, 1)


def _table(result: Parsed, name: TableName) -> TableValues | None:
    tables: dict[TableName, TableValues | None] = {
        "active": result.active,
        "applications": result.applications,
        "appeals": result.appeals,
    }
    return tables[name]


def _identity_warnings(task: ParseTask, result: Parsed) -> list[str]:
    """Where the document's own identity disagrees with the one the crawl gave its report."""
    warnings = []
    if result.year is not None and result.year != task.year:
        warnings.append(
            f"the document says year {result.year}, the listing says {task.year}"
        )
    return warnings


def best_parses(db: Database) -> dict[int, int]:
    """Report id → the version whose figures stand for the report.

    Among the current versions of a report's documents: the one with the most standard
    tables read, then the fewest failed checks, then the article page before attachments.
    """
    rows = db.execute(
        """SELECT p.report_id, p.version_id FROM parses p
           JOIN documents d ON d.current_version_id = p.version_id
           WHERE p.status = 'ok' AND d.part_of IS NULL
           ORDER BY p.report_id, p.tables_found DESC, p.checks_failed ASC,
                    d.role = 'page' DESC, p.version_id DESC"""
    ).fetchall()
    best: dict[int, int] = {}
    for report_id, version_id in rows:
        best.setdefault(report_id, version_id)
    return best


def figures_of(db: Database, version_id: int) -> FiguresByTable:
    """A version's tables as ``{table: {row: {column: value}}}`` (absent tables left out)."""
    tables: FiguresByTable = {}
    for table, row, column, value in db.execute(
        "SELECT table_name, row_key, column_key, value FROM figures WHERE version_id = ?"
        " ORDER BY id",
        [version_id],
    ).fetchall():
        tables.setdefault(table, {}).setdefault(row, {})[column] = value
    return tables


def replace_year_checks(
    db: Database, results: list[YearCheck], processor_version: str
) -> None:
    """Replace every across-years check by ``results``."""
    with write(db):
        db.execute("DELETE FROM checks WHERE scope = 'years'")
        _insert_checks(
            db,
            "years",
            [(r.report_id, r.version_id, r) for r in results],
            processor_version,
        )


def _insert_checks(
    db: Database,
    scope: str,
    checks: list[tuple[int, int, Check | YearCheck]],
    processor_version: str,
) -> None:
    """Rows of ``checks`` for ``scope`` ('report': within a report; 'years': between
    a body's consecutive years), each as (report, version, check)."""
    db.conn.executemany(
        "INSERT INTO checks (report_id, version_id, scope, name, ok, message,"
        " cells, explanation, processor_version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                report_id,
                version_id,
                scope,
                c.name,
                int(c.ok),
                c.message,
                json.dumps(c.cells),
                c.explanation,
                processor_version,
            )
            for report_id, version_id, c in checks
        ],
    )


def failing_checks(db: Database, limit: int = 20) -> list[str]:
    """Reports whose own figures break an identity, as lines "body year check: what",
    what said in Chinese (the technical message for checks stored before it was)."""
    rows = db.execute(
        """SELECT r.body, r.year, c.name,
                  CASE WHEN c.explanation <> '' THEN c.explanation ELSE c.message END
           FROM checks c
           JOIN reports r ON r.id = c.report_id
           JOIN documents d ON d.current_version_id = c.version_id
           WHERE c.ok = 0 AND c.scope = 'report'
           ORDER BY r.body, r.year, c.id LIMIT ?""",
        [limit],
    ).fetchall()
    return [f"{body} {year} {name}: {message}" for body, year, name, message in rows]
