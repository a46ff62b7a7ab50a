"""Derive structured data from archived versions: parse in sandboxed workers, store, check across years.

Runs at the end of every crawl (new versions only) and as ``nianbao process [--all]``
(everything, when the processors improved). The caller holds the archive's crawl lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.config import ParseLimits
from app.sandbox import Outcome, Sandbox, map_isolated
from archive.derived import (
    ParseResult,
    ParseTask,
    YearCheck,
    best_parses,
    figures_of,
    pending_parses,
    replace_year_checks,
    store_parses,
)
from archive.history import (
    PendingText,
    compared_texts,
    pending_texts,
    store_taken_texts,
    store_text,
)
from archive.similarity import update_similarity
from processors.checks import ADVISORY, check_across_years
from processors.document import ReadError
from processors.identity import Hints
from processors.ocr import OcrLimits
from processors.parse import (
    PROCESSOR_VERSION,
    Parsed,
    load_readers,
    parse,
    parse_pages,
)
from processors.tables import Tables
from processors.text import hash_scheme, text_sha256

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from archive.db import Archive

logger = logging.getLogger(__name__)
CHUNK = 50  # versions per progress line


@dataclass(slots=True)
class ProcessSummary:
    parsed: int = 0
    failed: int = 0
    checks_failed: int = 0  # versions with at least one failed consistency check
    year_checks_failed: int = 0  # advisory checks (in_force_trend) not counted
    similarity: str = ""  # what copy detection did (SimilarityUpdate.line)
    texts_hashed: int = 0  # new versions' text hashes the parse took on its way

    def add(self, other: ProcessSummary) -> None:
        """Count ``other``'s parses in too (those made while the crawl ran)."""
        self.parsed += other.parsed
        self.failed += other.failed
        self.checks_failed += other.checks_failed
        self.texts_hashed += other.texts_hashed

    def line(self) -> str:
        line = (
            f"{self.parsed} versions parsed, {self.failed} parse_failed, "
            f"{self.checks_failed} with failed checks, "
            f"{self.year_checks_failed} failed checks across years"
        )
        return f"{line}; {self.similarity}" if self.similarity else line


@dataclass(frozen=True, slots=True)
class ParseJob:
    """What a parse worker gets: the stored file and what the crawl knows of it."""

    path: Path
    media_type: str
    charset: str | None
    hints: Hints
    # A report printed over several pages: the further pages, in order.
    parts: tuple[tuple[Path, str, str | None], ...] = ()
    ocr: OcrLimits = field(default_factory=OcrLimits)


def _parse_blob(job: ParseJob) -> Parsed:
    """Worker task: one stored file (with its further pages), parsed."""
    if job.parts:
        pages = [(job.path, job.media_type, job.charset), *job.parts]
        return parse_pages(
            [(path.read_bytes(), m, c) for path, m, c in pages], job.hints, job.ocr
        )
    return parse(job.path.read_bytes(), job.media_type, job.charset, job.hints, job.ocr)


def _job(archive: Archive, task: ParseTask, ocr: OcrLimits) -> ParseJob:
    hints = Hints(
        title=task.title, body=task.body, year=task.year, published=task.published
    )
    parts = tuple((archive.blobs.path(sha), m, c) for sha, m, c in task.parts)
    return ParseJob(
        archive.blobs.path(task.sha256),
        task.media_type,
        task.charset,
        hints,
        parts,
        ocr,
    )


@dataclass(frozen=True, slots=True)
class HashJob:
    """What a text-hash worker gets: a stored file, its type and charset."""

    path: Path
    media_type: str
    charset: str | None


def _hash_blob(job: HashJob) -> str:
    """Worker task: the normalised-text hash of one stored file."""
    return text_sha256(job.path.read_bytes(), job.media_type, job.charset)


def analyse(
    archive: Archive,
    run_id: int,
    limits: ParseLimits | None = None,
    earlier: ProcessSummary | None = None,
) -> tuple[int, ProcessSummary]:
    """A crawl's analysis before its events: the versions to parse parsed
    (:func:`process_versions`), and the text hashes of the run's new versions (and of
    interrupted runs before it): a PDF's taken by its parse from the pages it loads
    anyway, the rest hashed on their own (:func:`hash_new_texts`). Returns how many
    new texts were hashed, and what the parse did, with what was parsed ``earlier``
    (while the crawl ran: ``app/live.py``) counted in."""
    processed = process_versions(archive, limits=limits)
    if earlier is not None:
        processed.add(earlier)
    rest = hash_new_texts(archive, run_id, limits)
    return processed.texts_hashed + rest, processed


def hash_new_texts(
    archive: Archive, run_id: int, limits: ParseLimits | None = None
) -> int:
    """Text hashes of the run's new versions (and of interrupted runs before it)
    that have none yet, computed in sandboxed workers under the same limits as
    parsing; returns how many."""
    limits = limits or ParseLimits.from_env()
    pending = pending_texts(archive.db, run_id)
    _hash_texts(archive, pending, limits)
    _rehash_other_schemes(archive, run_id, limits)
    return len(pending)


def _hash_texts(
    archive: Archive, pending: list[PendingText], limits: ParseLimits
) -> None:
    """Hash each version's text in the sandbox and store the hash (or why not)."""
    jobs = [
        HashJob(archive.blobs.path(p.sha256), p.media_type, p.charset) for p in pending
    ]
    load_readers()  # before the workers fork: they share them
    outcomes = map_isolated(
        _hash_blob,
        jobs,
        timeout=limits.timeout,
        memory_mb=limits.memory_mb,
        workers=limits.workers,
    )
    for item, outcome in zip(pending, outcomes, strict=True):
        store_text(
            archive.db,
            item.version_id,
            outcome.value if outcome.ok else None,
            "ok" if outcome.ok else outcome.error[:500],
        )


def _rehash_other_schemes(archive: Archive, run_id: int, limits: ParseLimits) -> None:
    """Hash a previous version again when its stored hash is of another scheme than
    its successor's (a scan hashed as empty text before page images counted): two
    hashes of different schemes say nothing about each other, and compared as they
    are they would make an upgrade look like a change. Once per version."""
    stale = [
        pair.previous
        for pair in compared_texts(archive.db, run_id)
        if hash_scheme(pair.previous_hash) != hash_scheme(pair.new_hash)
    ]
    if not stale:
        return
    logger.info(
        "hashing %d earlier versions again (another text-hash scheme)", len(stale)
    )
    _hash_texts(archive, stale, limits)


class ParseFailed(RuntimeError):
    """A file could not be parsed (the message says why: unreadable, timeout, memory)."""


def _parse_file(path: Path) -> Parsed | str:
    """Worker task: one local file, parsed; a ReadError comes back as its message."""
    try:
        return parse(path.read_bytes())
    except ReadError as exc:
        return str(exc)


def parse_isolated(path: Path, limits: ParseLimits | None = None) -> Parsed:
    """``nianbao parse``: one file parsed in a worker with the crawl's limits.

    :raises ParseFailed: for a file no reader understands, or one that takes too
        long or too much memory (the worker is killed).
    """
    limits = limits or ParseLimits.from_env()
    load_readers()  # before the worker forks: it shares them
    (outcome,) = map_isolated(
        _parse_file,
        [path],
        timeout=limits.timeout,
        memory_mb=limits.memory_mb,
        workers=1,
    )
    if not outcome.ok:
        raise ParseFailed(f"parsing stopped: {outcome.error}")
    if isinstance(outcome.value, str):
        raise ParseFailed(outcome.value)
    if outcome.value is None:  # pragma: no cover - a worker always answers
        raise ParseFailed("the parse worker gave no result")
    return outcome.value


def process_versions(
    archive: Archive,
    *,
    everything: bool = False,
    limits: ParseLimits | None = None,
) -> ProcessSummary:
    """Parse every version that needs it (all of them with ``everything``), store the
    results, check across years, and bring copy detection up to date (the reports
    whose texts changed: ``archive/similarity.py``)."""
    limits = limits or ParseLimits.from_env()
    tasks = pending_parses(archive.db, PROCESSOR_VERSION, everything)
    summary = ProcessSummary()
    if tasks:
        load_readers()  # before the workers fork: they share them
    with Sandbox(
        timeout=limits.timeout, memory_mb=limits.memory_mb, workers=limits.workers
    ) as sandbox:
        parse_tasks(archive, sandbox, tasks, limits.ocr, summary)
    summary.year_checks_failed = check_years(archive)
    similar = update_similarity(archive.db)
    if similar.signed or similar.matched:
        summary.similarity = similar.line()
    return summary


def parse_tasks(
    archive: Archive,
    sandbox: Sandbox,
    tasks: list[ParseTask],
    ocr: OcrLimits,
    summary: ProcessSummary,
    stop: Callable[[], bool] | None = None,
    progress: str = "processed %d of %d versions",
) -> None:
    """Parse ``tasks`` in ``sandbox`` and store them a chunk at a time (the next chunk
    parses while one is stored), counting into ``summary`` and logging ``progress``
    (done, of how many) after each chunk when there are several; between chunks, end
    early once ``stop()`` says so (the rest stays pending)."""
    jobs = [_job(archive, t, ocr) for t in tasks]
    batches = sandbox.stream(_parse_blob, jobs, CHUNK)
    for start, outcomes in zip(range(0, len(tasks), CHUNK), batches, strict=True):
        chunk = tasks[start : start + CHUNK]
        _store_chunk(archive, chunk, outcomes, summary)
        if len(tasks) > CHUNK:
            logger.info(progress, start + len(chunk), len(tasks))
        if stop is not None and stop():
            return


def _store_chunk(
    archive: Archive,
    chunk: list[ParseTask],
    outcomes: list[Outcome[Parsed]],
    summary: ProcessSummary,
) -> None:
    """Store each parse of ``chunk`` (or why it failed) in one transaction, counting
    into ``summary``."""
    results = []
    taken: list[tuple[int, str]] = []
    for task, outcome in zip(chunk, outcomes, strict=True):
        if outcome.ok and outcome.value is not None:
            results.append(ParseResult(task, outcome.value))
            if outcome.value.text_sha256 is not None:
                taken.append((task.version_id, outcome.value.text_sha256))
            summary.parsed += 1
            summary.checks_failed += any(not c.ok for c in outcome.value.checks)
        else:
            results.append(ParseResult(task, None, outcome.error[:500]))
            summary.failed += 1
            logger.warning(
                "version %s parse_failed: %s", task.version_id, outcome.error
            )
    store_parses(archive.db, results, PROCESSOR_VERSION)
    summary.texts_hashed += store_taken_texts(archive.db, taken)


def _tables(archive: Archive, version_id: int) -> Tables:
    template = archive.db.execute(
        "SELECT template FROM parses WHERE version_id = ?", [version_id]
    ).fetchone()[0]
    found = figures_of(archive.db, version_id)
    return Tables(
        template=template,
        active=found.get("active"),
        applications=found.get("applications"),
        appeals=found.get("appeals"),
        warnings=(),
    )


def check_years(archive: Archive) -> int:
    """Re-run the checks between consecutive years of each body; return how many fail."""
    best = best_parses(archive.db)
    reports = archive.db.execute(
        "SELECT id, body, year FROM reports ORDER BY body, year"
    ).fetchall()
    results: list[YearCheck] = []
    previous: tuple[int, str, int] | None = None
    for report_id, body, year in reports:
        if report_id not in best:
            continue
        if previous and previous[1] == body and previous[2] == year - 1:
            before = _tables(archive, best[previous[0]])
            now = _tables(archive, best[report_id])
            for check in check_across_years(before, now, year - 1, year):
                results.append(
                    YearCheck(
                        report_id,
                        best[report_id],
                        check.name,
                        check.ok,
                        check.message,
                        check.cells,
                        check.explanation,
                    )
                )
        previous = (report_id, body, year)
    replace_year_checks(archive.db, results, PROCESSOR_VERSION)
    return sum(not r.ok and r.name not in ADVISORY for r in results)
