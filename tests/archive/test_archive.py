"""The archive on its own: blobs, the recorder's outcomes, the lock, events from runs."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from archive.blobs import BlobStore
from archive.db import Archive, ArchiveLocked, CrawlLock, open_archive
from archive.history import REMOVAL_RUNS, settle_run, store_text
from archive.recorder import (
    Carried,
    FetchRecord,
    Identity,
    ListingBatch,
    ListingEntry,
    record_batch,
    record_fetch,
    record_listing,
)
from archive.runs import finish_run, start_run, sync_sources
from crawler.registry import Source

IDENTITY = Identity(
    body="某某镇人民政府",
    year=2023,
    title="某某镇人民政府2023年政府信息公开工作年度报告",
    region="山东省",
    level="town",
)
PAGE = "http://example.gov.cn/art/2024/1/2/art_1_1.html"
LIST = "http://example.gov.cn/col/col1/index.html"


@pytest.fixture
def archive(tmp_path: Path):
    opened = _archive_in(tmp_path)
    yield opened
    opened.close()


def _archive_in(folder: Path) -> Archive:
    """An archive in ``folder`` with one source, ``s``."""
    opened = open_archive(folder)
    sync_sources(
        opened.db,
        [
            Source(
                id="s",
                name="某某",
                body="某某县人民政府",
                region="山东省",
                level="county",
                family="hanweb",
                start_urls=("http://x/",),
                evidence="inferred",
            )
        ],
    )
    return opened


def _run(archive) -> int:
    return start_run(
        archive.db, target="test", epoch=None, sources=["s"], crawler_version="t"
    )


def _fetch(
    run: int,
    *,
    body: bytes | None = b"<html>report</html>",
    status: int = 200,
    failure: str | None = None,
    kind: str = "page",
    url: str = PAGE,
) -> FetchRecord:
    return FetchRecord(
        run_id=run,
        source_id="s",
        kind=kind,
        url=url,
        method="GET",
        started="t0",
        ended="t1",
        crawler_version="t",
        status=status,
        body=body if status == 200 and not failure else None,
        failure=failure,
        sniffed_type="text/html",
        identity=IDENTITY,
        listed=kind != "recheck",  # a re-check is of a document not listed tonight
        response_headers={"ETag": '"e1"'},
    )


def _list_page(run: int, body: bytes) -> FetchRecord:
    return FetchRecord(
        run, "s", "list", LIST, "GET", "t0", "t1", "t", status=200, body=body
    )


def _list_ok(archive, run: int) -> None:
    record_fetch(
        archive.db,
        archive.blobs,
        _list_page(run, b"<html>list</html>"),
    )
    record_listing(
        archive.db,
        ListingBatch(
            run,
            "s",
            LIST,
            [ListingEntry(PAGE, IDENTITY.title, None, "report", "title")],
        ),
    )


def _night(
    archive, body: bytes | None, text: str | None = "x", listed: bool = True, **kw
) -> list[str]:
    run = _run(archive)
    if listed:
        _list_ok(archive, run)
    else:
        record_fetch(
            archive.db,
            archive.blobs,
            _list_page(run, b"<html>empty</html>"),
        )
    if body is not None or kw:
        record_fetch(archive.db, archive.blobs, _fetch(run, body=body, **kw))
    for (vid,) in archive.db.execute(
        "SELECT id FROM versions WHERE first_seen_run = ?", [run]
    ).fetchall():
        store_text(archive.db, vid, text, "ok")
    settle_run(archive.db, run, ["s"])
    finish_run(archive.db, run, "complete", 0)
    return sorted(
        k
        for (k,) in archive.db.execute(
            "SELECT kind FROM events WHERE run_id = ?", [run]
        ).fetchall()
    )


def test_a_report_off_its_list_whose_files_answer_404_is_removed(archive) -> None:
    assert _night(archive, b"<html>v1</html>", text="t1") == ["new_report"]
    gone = [
        _night(archive, None, listed=False, status=404, kind="recheck")
        for _ in range(REMOVAL_RUNS)
    ]
    assert gone == [[], [], ["removed"]]
    assert (
        archive.db.execute("SELECT message FROM events WHERE kind = 'removed'")
        .fetchone()[0]
        .startswith(f"not listed for {REMOVAL_RUNS} runs, its files gone (404/410): ")
    )


def test_blobs_are_stored_once_under_their_hash_and_temporaries_are_cleared(
    tmp_path: Path,
) -> None:
    store = BlobStore(tmp_path)
    digest = store.put(b"hello")
    assert digest == hashlib.sha256(b"hello").hexdigest()
    assert store.path(digest) == tmp_path / "sha256" / digest[:2] / digest[2:4] / digest
    assert store.put(b"hello") == digest
    assert store.verify(digest)
    (tmp_path / "tmp" / "half-written").write_bytes(b"x")
    assert store.clear_temporary() == 1
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.path("../../etc/passwd")


def test_outcomes_new_same_not_modified_gone_failed(archive) -> None:
    run = _run(archive)
    outcomes = [
        record_fetch(archive.db, archive.blobs, _fetch(run)),
        record_fetch(archive.db, archive.blobs, _fetch(run)),
        record_fetch(archive.db, archive.blobs, _fetch(run, status=304)),
        record_fetch(archive.db, archive.blobs, _fetch(run, status=404)),
        record_fetch(
            archive.db, archive.blobs, _fetch(run, status=503, failure="http_503")
        ),
        record_fetch(
            archive.db, archive.blobs, _fetch(run, body=b"<html>edited</html>")
        ),
        record_fetch(archive.db, archive.blobs, _fetch(run)),
    ]
    assert outcomes == [
        "new_version",
        "same_bytes",
        "not_modified",
        "gone",
        "failed",
        "new_version",
        "reverted",
    ]
    assert archive.db.execute("SELECT COUNT(*) FROM versions").fetchone() == (2,)
    assert archive.db.execute("SELECT COUNT(*) FROM captures").fetchone() == (7,)
    assert archive.db.execute("SELECT etag FROM documents").fetchone() == ('"e1"',)


def test_a_batch_records_in_order_exactly_as_one_by_one(archive) -> None:
    run = _run(archive)
    edited = b"<html>edited</html>"
    records = [
        ListingBatch(
            run, "s", LIST, [ListingEntry(PAGE, IDENTITY.title, None, "report", "t")]
        ),
        _fetch(run),
        _fetch(run),  # the same bytes again, within the same transaction
        _fetch(run, body=edited),
        _fetch(run, status=503, failure="http_503"),
        _fetch(run, body=edited, url=PAGE + "?copy"),  # same blob, second document
    ]
    assert record_batch(archive.db, archive.blobs, records) == [
        None,
        "new_version",
        "same_bytes",
        "new_version",
        "failed",
        "new_version",
    ]
    assert archive.db.execute("SELECT COUNT(*) FROM versions").fetchone() == (3,)
    assert archive.db.execute("SELECT COUNT(*) FROM listings").fetchone() == (1,)
    stored = sorted(p.name for p in (archive.root / "blobs" / "sha256").rglob("*"))
    digests = {hashlib.sha256(b).hexdigest() for b in (b"<html>report</html>", edited)}
    assert digests <= set(stored)
    assert list((archive.root / "blobs" / "tmp").iterdir()) == []


def test_a_failing_batch_records_nothing(archive) -> None:
    run = _run(archive)
    orphan = _fetch(run, url=PAGE + "?orphan")
    orphan.run_id = (
        run + 99
    )  # no such run: the foreign key fails inside the transaction
    with pytest.raises(sqlite3.IntegrityError):
        record_batch(archive.db, archive.blobs, [_fetch(run), orphan])
    assert archive.db.execute("SELECT COUNT(*) FROM captures").fetchone() == (0,)
    assert archive.db.execute("SELECT COUNT(*) FROM documents").fetchone() == (0,)


def test_a_failure_on_an_unknown_url_creates_no_document(archive) -> None:
    run = _run(archive)
    assert (
        record_fetch(
            archive.db, archive.blobs, _fetch(run, status=503, failure="http_503")
        )
        == "failed"
    )
    assert archive.db.execute("SELECT COUNT(*) FROM documents").fetchone() == (0,)


def test_changed_republished_removed_restored(archive) -> None:
    assert _night(archive, b"<html>v1</html>", text="t1") == ["new_report"]
    assert _night(archive, b"<html>v1</html>", text="t1") == []
    assert _night(archive, b"<html>v2 re-saved</html>", text="t1") == ["republished"]
    assert _night(archive, b"<html>v3 edited</html>", text="t3") == ["changed"]
    quiet = [_night(archive, None, listed=False) for _ in range(REMOVAL_RUNS)]
    assert quiet == [[], [], ["delisted"]]  # off the list; its file was not seen gone
    assert _night(archive, None, listed=False) == []  # removed once, not again
    assert _night(archive, b"<html>v3 edited</html>") == ["restored"]


def test_an_absence_waits_while_a_page_read_before_it_is_carried(archive) -> None:
    """A polite night carries list pages forward (crawler/verify.py): a report gone
    from its page may have moved onto a carried one, so it is not called delisted
    until every page carried from a reading no later than its last sighting has been
    read again."""
    assert _night(archive, b"<html>v1</html>") == ["new_report"]
    other = "http://example.gov.cn/col/col2/index.html"

    def night(read_run: int) -> list[str]:
        run = _run(archive)
        record_fetch(archive.db, archive.blobs, _list_page(run, b"<html>empty</html>"))
        carried = Carried(LIST, read_run, "2026-12-01T00:00:00Z")
        record_listing(archive.db, ListingBatch(run, "s", other, carried=carried))
        settle_run(archive.db, run, ["s"])
        return [
            k
            for (k,) in archive.db.execute(
                "SELECT kind FROM events WHERE run_id = ?", [run]
            )
        ]

    # carried from night 1's reading (when the report was last seen), night after night
    waiting = [night(read_run=1) for _ in range(REMOVAL_RUNS + 1)]
    assert waiting == [[]] * (REMOVAL_RUNS + 1)
    assert archive.db.execute(
        "SELECT status, missing_runs FROM reports"
    ).fetchone() == (
        "present",
        REMOVAL_RUNS + 1,
    )
    # the carried page was read again (on night 3) and carried since: the absence holds
    assert night(read_run=3) == ["delisted"]
    ((message,),) = archive.db.execute(
        "SELECT message FROM events WHERE kind = 'delisted'"
    ).fetchall()
    assert message.startswith(f"not listed for {REMOVAL_RUNS + 2} runs, ")


def test_an_incomplete_listing_never_counts_towards_removal(archive) -> None:
    _night(archive, b"<html>v1</html>")
    for _ in range(REMOVAL_RUNS + 1):
        run = _run(archive)
        record_fetch(
            archive.db,
            archive.blobs,
            FetchRecord(
                run,
                "s",
                "list",
                LIST,
                "GET",
                "t0",
                "t1",
                "t",
                status=503,
                failure="http_503",
            ),
        )
        settle_run(archive.db, run, ["s"])
    assert archive.db.execute(
        "SELECT status, missing_runs FROM reports"
    ).fetchone() == ("present", 0)
    kinds = {
        k
        for (k,) in archive.db.execute(
            "SELECT kind FROM events WHERE run_id > 1"
        ).fetchall()
    }
    assert kinds == {"fetch_failed"}


def test_the_lock_refuses_a_second_holder_with_its_pid(tmp_path: Path) -> None:
    first, second = CrawlLock(tmp_path), CrawlLock(tmp_path)
    first.acquire("night 1")
    try:
        with pytest.raises(
            ArchiveLocked, match=r"another crawl is running on .* \(pid \d+, started 20"
        ):
            second.acquire("night 2")
    finally:
        first.release()
    second.acquire("night 2")
    second.release()


def test_a_reports_further_pages_are_parsed_with_its_first_page(archive) -> None:
    """A report printed over three pages: the parts are filed under the first page's
    document, the first page's parse task carries them in order, and only the first
    page's parse may stand for the report."""
    from archive.derived import best_parses, pending_parses, store_parse
    from processors.parse import PROCESSOR_VERSION, parse

    run = _run(archive)
    first, second, third = (
        PAGE,
        PAGE.replace(".html", "_1.html"),
        PAGE.replace(".html", "_2.html"),
    )
    records = [_fetch(run, body=b"<html><p>page one</p></html>")]
    for number, url in ((3, third), (2, second)):  # out of order on purpose
        part = _fetch(run, url=url, body=f"<html><p>page {number}</p></html>".encode())
        part.part_of, part.part = first, number
        records.append(part)
    assert record_batch(archive.db, archive.blobs, records) == ["new_version"] * 3
    parts = archive.db.execute(
        "SELECT d.url, f.url, d.part FROM documents d"
        " LEFT JOIN documents f ON f.id = d.part_of ORDER BY d.id"
    ).fetchall()
    assert parts == [(first, None, None), (third, first, 3), (second, first, 2)]
    tasks = {t.document_id: t for t in pending_parses(archive.db, PROCESSOR_VERSION)}
    (head,) = [t for t in tasks.values() if t.parts]
    blobs = [archive.blobs.path(sha).read_bytes() for sha, _, _ in head.parts]
    assert blobs == [b"<html><p>page 2</p></html>", b"<html><p>page 3</p></html>"]
    for task in tasks.values():
        data = archive.blobs.path(task.sha256).read_bytes()
        store_parse(archive.db, task, parse(data, "text/html"), None, PROCESSOR_VERSION)
    assert set(best_parses(archive.db).values()) == {head.version_id}
    # a new version of a part alone: the first page is parsed again, with it
    later = _run(archive)
    edited = _fetch(later, url=third, body=b"<html><p>page 3, edited</p></html>")
    edited.part_of, edited.part = first, 3
    assert record_batch(archive.db, archive.blobs, [edited]) == ["new_version"]
    again = pending_parses(archive.db, PROCESSOR_VERSION)
    (third_id,) = archive.db.execute(
        "SELECT id FROM documents WHERE url = ?", [third]
    ).fetchone()
    assert sorted(t.document_id for t in again) == sorted([head.document_id, third_id])
    (rerun,) = [t for t in again if t.document_id == head.document_id]
    assert rerun.version_id == head.version_id  # the first page's current version
    assert (
        archive.blobs.path(rerun.parts[1][0])
        .read_bytes()
        .endswith(b"edited</p></html>")
    )


def test_a_chunk_of_parses_is_stored_in_one_transaction_as_one_by_one_would(
    tmp_path: Path,
) -> None:
    """``store_parses`` writes exactly the rows ``store_parse`` writes version by
    version (parse, figures, checks, text and its indexes); a failure anywhere in the
    chunk leaves none of it."""
    from archive.derived import ParseResult, pending_parses, store_parse, store_parses
    from processors.parse import PROCESSOR_VERSION, parse

    reports = Path(__file__).parents[1] / "fixtures" / "reports"
    files = [reports / "penglai-beigou-2022.pdf", reports / "whctp-gw-2021.docx"]
    kinds = [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    parsed = [parse(f.read_bytes(), kind) for f, kind in zip(files, kinds, strict=True)]
    derived = "parses", "figures", "checks", "texts", "report_texts"

    def stored(folder: Path, batched: bool) -> dict[str, list[tuple[object, ...]]]:
        archive = _archive_in(folder)
        run = _run(archive)
        urls = [PAGE.replace("art_1_1", f"art_1_{n}") for n in (7, 8, 9)]
        record_batch(
            archive.db,
            archive.blobs,
            [_fetch(run, url=u, body=u.encode()) for u in urls],
        )
        tasks = pending_parses(archive.db, PROCESSOR_VERSION)
        results = [
            ParseResult(tasks[0], parsed[0]),
            ParseResult(tasks[1], None, "unreadable: a test"),
            ParseResult(tasks[2], parsed[1]),
        ]
        if batched:
            store_parses(archive.db, results, PROCESSOR_VERSION)
        else:
            for r in results:
                store_parse(archive.db, r.task, r.result, r.failure, PROCESSOR_VERSION)
        rows = {
            table: archive.db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in derived
        }
        when = [c[1] for c in archive.db.execute("PRAGMA table_info(parses)")]
        at = when.index("parsed")  # the one column that differs: when it was parsed
        rows["parses"] = [r[:at] + r[at + 1 :] for r in rows["parses"]]
        broken = ParseResult(replace(tasks[0], version_id=10_000), parsed[0])
        with pytest.raises(sqlite3.IntegrityError):  # no such version
            store_parses(
                archive.db,
                [ParseResult(tasks[1], parsed[0]), broken],
                PROCESSOR_VERSION,
            )
        again = archive.db.execute("SELECT * FROM texts ORDER BY 1").fetchall()
        assert again == rows["texts"]  # the chunk's first text was rolled back too
        archive.close()
        return rows

    one_by_one, batched = stored(tmp_path / "one", False), stored(tmp_path / "b", True)
    assert batched == one_by_one
    assert [len(batched[t]) for t in derived] == [3, 398, 8, 2, 1]
