"""Parsing while the crawl runs (app/live.py): versions archived during the crawl are
parsed as they arrive; what is not parsed by the crawl's end is left to the analysis,
and nothing is lost when a file stops the workers or the run is interrupted."""

from __future__ import annotations

import signal
import time
from typing import TYPE_CHECKING

import pytest

from app.config import ParseLimits
from app.interrupts import Interrupted
from app.live import LiveParse
from app.process import analyse, process_versions
from archive.derived import pending_parses
from archive.runs import start_run
from processors.parse import PROCESSOR_VERSION
from replica.corpus import report_at
from replica.render_pdf import report_pdf
from tests.app.test_process import PAGE, _page, _record, archive, hostile_pdf
from tests.reliability.invariants import wait_dead

if TYPE_CHECKING:
    from archive.db import Archive

__all__ = ["archive"]  # the fixture, shared with test_process
PDF = "application/pdf"
LIMITS = ParseLimits(timeout=3, memory_mb=1024, workers=2)


def _run(archive: Archive) -> int:
    return start_run(
        archive.db, target="test", epoch=None, sources=["whctp"], crawler_version="t"
    )


def _parsed(archive: Archive) -> int:
    return archive.db.execute("SELECT COUNT(*) FROM parses").fetchone()[0]


def _until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within a minute"
        time.sleep(0.05)


def test_versions_archived_during_the_crawl_are_parsed_as_they_arrive(
    archive: Archive,
) -> None:
    run = _run(archive)
    live = LiveParse(archive.root, LIMITS).start()
    try:
        _record(archive, run, PAGE, _page(), "text/html", "page")
        _until(lambda: _parsed(archive) == 1)  # while "the crawl" goes on
        pdf = report_pdf(report_at("whctp-gw/2021", 1))
        _record(archive, run, PAGE + "?report.pdf", pdf, PDF, "attachment")
        _until(lambda: _parsed(archive) == 2)
    finally:
        summary = live.finish()
    assert (summary.parsed, summary.failed, summary.texts_hashed) == (2, 0, 1)
    assert live.ended_early == ""
    assert pending_parses(archive.db, PROCESSOR_VERSION) == []
    texts, processed = analyse(archive, run, LIMITS, earlier=summary)
    assert (texts, processed.parsed) == (2, 2)  # counted once, parsed once
    statuses = archive.db.execute(
        "SELECT status, COUNT(*) FROM parses GROUP BY status"
    ).fetchall()
    assert statuses == [("ok", 2)]


def test_a_file_that_stops_a_worker_leaves_the_rest_to_the_analysis(
    archive: Archive,
) -> None:
    run = _run(archive)
    _record(archive, run, PAGE + "?slow.pdf", hostile_pdf(), PDF, "attachment")
    _record(archive, run, PAGE, _page(), "text/html", "page")
    live = LiveParse(archive.root, LIMITS).start()
    _until(lambda: live.ended_early != "")
    summary = live.finish()
    assert live.ended_early == (
        "the parse workers had to be replaced: the rest is parsed after the crawl"
    )
    assert summary.parsed == 0  # the chunk beside it is parsed again, after
    assert len(pending_parses(archive.db, PROCESSOR_VERSION)) == 2
    processed = process_versions(archive, limits=LIMITS)
    assert (processed.parsed, processed.failed) == (1, 1)


@pytest.mark.timeout(60)  # the parse alone would take 600 s
@pytest.mark.parametrize("busy", [False, True], ids=["waiting", "parsing"])
def test_an_interrupted_crawl_stops_the_parse_at_once(
    archive: Archive, busy: bool
) -> None:
    run = _run(archive)
    if busy:  # a parse under way when the signal comes
        _record(archive, run, PAGE + "?slow.pdf", hostile_pdf(), PDF, "attachment")
    limits = ParseLimits(timeout=600, memory_mb=1024, workers=2)
    live = LiveParse(archive.root, limits).start()
    workers = list(live._sandbox._pool._processes)  # their pids
    time.sleep(0.5)
    live.stop()
    assert wait_dead(workers) == []  # killed: the parse alone would take 600 s
    assert live.ended_early == ""
    assert _parsed(archive) == 0
    assert len(pending_parses(archive.db, PROCESSOR_VERSION)) == int(busy)


@pytest.mark.timeout(60)  # the parse alone would take 600 s
def test_a_signal_while_the_analysis_waits_for_the_parse_stops_it_at_once(
    archive: Archive,
) -> None:
    run = _run(archive)
    _record(archive, run, PAGE + "?slow.pdf", hostile_pdf(), PDF, "attachment")
    limits = ParseLimits(timeout=600, memory_mb=1024, workers=2)
    live = LiveParse(archive.root, limits).start()
    workers = list(live._sandbox._pool._processes)

    def stop(signum: int, _: object) -> None:
        raise Interrupted(signum)

    before = signal.signal(signal.SIGALRM, stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)  # Ctrl-C, as `raising` turns it
        with pytest.raises(Interrupted):
            live.finish()  # waits for the round under way
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    assert wait_dead(workers) == []
    assert _parsed(archive) == 0
