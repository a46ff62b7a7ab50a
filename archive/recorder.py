"""Recording what the crawler saw: fetches and list pages, in batches of transactions.

The crawler hands over plain records (no Scrapy objects cross this seam). Fetched
files' bytes go to the blob store first (durably), then one ``BEGIN IMMEDIATE``
transaction writes, for each record, the capture and, where the bytes are new for
that URL, the version — and the document and report rows it belongs to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

from archive.db import insert_row, write

if TYPE_CHECKING:
    from sqlite_utils import Database

    from archive.blobs import BlobStore

FetchKind = Literal["list", "page", "attachment", "recheck"]
DocumentRole = Literal["page", "attachment"]
DOCUMENT_KINDS: tuple[FetchKind, ...] = ("page", "attachment", "recheck")
Outcome = Literal[
    "listed",  # a list page read
    "failed",  # never a version (5xx, timeout, WAF page, soft 404, truncated…)
    "not_modified",  # 304
    "gone",  # 404 / 410
    "unidentified",  # bytes kept (blob), but no report to file them under
    "new_version",
    "same_bytes",
    "reverted",  # back to an earlier version's bytes
    "fetched",  # a file of no known document (before it is filed)
]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
Decision = Literal["report", "skipped"]


@dataclass(slots=True)
class Identity:
    """Which report a document belongs to, and how the crawler decided."""

    body: str
    year: int
    title: str
    region: str
    level: str
    published: str | None = None
    note: str = ""


@dataclass(slots=True)
class FetchRecord:
    """One HTTP fetch (or browser render) with its full provenance."""

    run_id: int
    source_id: str
    kind: FetchKind
    url: str
    method: str
    started: str
    ended: str
    crawler_version: str
    status: int | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    request_headers: dict[str, str] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = field(
        default=None, repr=False
    )  # the file, for a 200 that is not a failure
    failure: str | None = None  # why the fetch failed (never a version then)
    declared_type: str | None = None
    sniffed_type: str | None = None
    declared_charset: str | None = None
    used_charset: str | None = None
    listing_url: str | None = None
    link_text: str | None = None
    via: str = "http"
    identity: Identity | None = None
    listed: bool = False  # reached through tonight's listing (the report is present)
    encoding_suspect: bool = (
        False  # the declared charset was wrong (decoded by evidence)
    )
    attempts: int | None = None  # tries of this fetch, retries included
    failure_detail: str | None = None  # what the failure's name leaves out
    links: list[tuple[str, str]] | None = (
        None  # files a report page links to (url, text)
    )
    # A further page of a report printed over several: the first page's URL, and
    # this page's number (2, 3…).
    part_of: str | None = None
    part: int | None = None
    # The file already in the blob store, as (sha256, size), with ``body`` None: a
    # distributed worker stores what it fetched and hands the ingester this record.
    stored: tuple[str, int] | None = None

    @property
    def has_file(self) -> bool:
        """Whether the fetch brought a file (in ``body``, or stored already)."""
        return self.body is not None or self.stored is not None

    @property
    def size(self) -> int | None:
        if self.stored is not None:
            return self.stored[1]
        return None if self.body is None else len(self.body)


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One item of a list page: taken for a report or skipped, and why."""

    url: str
    title: str
    listed_date: str | None
    decision: Decision
    reason: str


@dataclass(frozen=True, slots=True)
class Carried:
    """A list page not read tonight: led to by ``listing_url`` (read unchanged), its
    items taken from its reading in run ``read_run``, ended at ``read_at``."""

    listing_url: str
    read_run: int
    read_at: str


@dataclass(slots=True)
class ListingBatch:
    """The items of one list page, each taken for a report or skipped, and why."""

    run_id: int
    source_id: str
    list_url: str
    entries: list[ListingEntry] = field(default_factory=list)
    carried: Carried | None = (
        None  # not read tonight: carried forward (crawler/verify.py)
    )


@dataclass(frozen=True, slots=True)
class KnownDocument:
    """An archived document as the next crawl needs it: validators, report, files."""

    url: str
    source_id: str
    role: DocumentRole
    identity: Identity
    etag: str | None = None
    last_modified: str | None = None
    listing_url: str | None = None
    link_text: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # files the page linked to (url, text)
    media_type: str | None = None  # of its current version
    part_of: str | None = None  # the first page's URL, for a further page
    part: int | None = None
    # when its server last answered for it (a version, the same bytes, 304): how a
    # polite night decides whether to ask again (crawler/verify.py)
    verified_at: str | None = None


@dataclass(frozen=True, slots=True)
class ListedItem:
    """An item of a list page as it was last read, and what was decided of it."""

    url: str
    title: str
    listed_date: str | None
    decision: Decision = "report"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class KnownList:
    """A list page's validators and items from its latest complete reading."""

    etag: str | None
    last_modified: str | None
    items: tuple[ListedItem, ...]
    source_id: str = ""
    # that reading's run and end (a polite night carries a list page forward from it
    # until the page is due again: crawler/verify.py ``list_due``)
    read_run: int | None = None
    read_at: str | None = None
    # the list pages that reading led to (its pager, its sub-columns): such a page is
    # read every night, since only its reading asks for them
    leads_to: frozenset[str] = frozenset()


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _outcome(record: FetchRecord) -> Outcome:
    if record.failure:
        return "failed"
    if record.kind == "list":
        return "listed"
    if record.status == 304:
        return "not_modified"
    if record.status in (404, 410):
        return "gone"
    return "fetched"


def _capture_row(
    record: FetchRecord, outcome: Outcome, sha256: str | None
) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "source_id": record.source_id,
        "kind": record.kind,
        "outcome": outcome,
        "failure": record.failure,
        "url": record.url,
        "final_url": record.final_url,
        "redirects": json.dumps(record.redirects, ensure_ascii=False),
        "method": record.method,
        "status": record.status,
        "started": record.started,
        "ended": record.ended,
        "request_headers": json.dumps(record.request_headers, ensure_ascii=False),
        "response_headers": json.dumps(record.response_headers, ensure_ascii=False),
        "etag": _header(record.response_headers, "etag"),
        "last_modified": _header(record.response_headers, "last-modified"),
        "size": record.size,
        "sha256": sha256,
        "declared_type": record.declared_type,
        "sniffed_type": record.sniffed_type,
        "declared_charset": record.declared_charset,
        "used_charset": record.used_charset,
        "listing_url": record.listing_url,
        "link_text": record.link_text,
        "via": record.via,
        "crawler_version": record.crawler_version,
        "encoding_suspect": int(record.encoding_suspect),
        "attempts": record.attempts,
        "failure_detail": record.failure_detail,
    }


def _report_id(db: Database, record: FetchRecord) -> int:
    identity = record.identity
    if identity is None:
        raise ValueError(f"{record.url}: a new document needs the report it belongs to")
    found = db.execute(
        "SELECT id FROM reports WHERE body = ? AND year = ?",
        [identity.body, identity.year],
    ).fetchone()
    if found:
        return int(found[0])
    return insert_row(
        db,
        "reports",
        {
            "body": identity.body,
            "year": identity.year,
            "title": identity.title,
            "published": identity.published,
            "region": identity.region,
            "level": identity.level,
            "source_id": record.source_id,
            "status": "present",
            "missing_runs": 0,
            "first_seen_run": record.run_id,
            "last_seen_run": record.run_id,
            "identity_note": identity.note,
        },
    )


@dataclass(frozen=True, slots=True)
class _Document:
    id: int
    current_version_id: int | None
    report_id: int


def _document(db: Database, record: FetchRecord) -> _Document | None:
    """The document row of the record's URL, created if the record can identify its report."""
    row = db.execute(
        "SELECT id, current_version_id, report_id FROM documents WHERE url = ?",
        [record.url],
    ).fetchone()
    if row:
        if record.part_of:  # a page archived before it was known as a further page
            db.execute(
                "UPDATE documents SET part_of = (SELECT id FROM documents WHERE url = ?),"
                " part = ? WHERE id = ? AND part_of IS NULL",
                [record.part_of, record.part, row[0]],
            )
        return _Document(*row)
    if not record.has_file or record.identity is None:
        return None
    report_id = _report_id(db, record)
    first = (
        db.execute(
            "SELECT id FROM documents WHERE url = ?", [record.part_of]
        ).fetchone()
        if record.part_of
        else None
    )
    new_id = insert_row(
        db,
        "documents",
        {
            "url": record.url,
            "report_id": report_id,
            "role": "page" if record.kind == "page" else "attachment",
            "listing_url": record.listing_url,
            "link_text": record.link_text,
            "first_seen_run": record.run_id,
            "last_seen_run": record.run_id,
            "part_of": first[0] if first else None,
            "part": record.part if first else None,
        },
    )
    return _Document(new_id, None, report_id)


Record = FetchRecord | ListingBatch


def record_fetch(db: Database, blobs: BlobStore, record: FetchRecord) -> Outcome:
    """Store one fetch; return its outcome (new_version, same_bytes, not_modified, gone…)."""
    (outcome,) = record_batch(db, blobs, [record])
    if outcome is None:  # pragma: no cover - a fetch always has an outcome
        raise AssertionError(f"{record.url}: no outcome")
    return outcome


def record_listing(db: Database, batch: ListingBatch) -> None:
    """Store one list page's items; a report item marks its known document and report as seen."""
    with write(db):
        _listing_rows(db, batch)


def record_batch(
    db: Database, blobs: BlobStore, records: list[Record]
) -> list[Outcome | None]:
    """Store records in one transaction; each fetch's outcome (None for a listing).

    Every new file reaches the blob store (fsynced) before the transaction that points
    at it; if the transaction fails, none of the batch is recorded (the blobs stay,
    unreferenced and harmless).
    """
    fetches = [
        r
        for r in records
        if isinstance(r, FetchRecord) and _has_blob(r) and r.body is not None
    ]
    digests = dict(
        zip(
            map(id, fetches),
            blobs.put_many([r.body or b"" for r in fetches]),
            strict=True,
        )
    )
    for record in records:
        if isinstance(record, FetchRecord) and record.stored and _has_blob(record):
            digest = record.stored[0]
            if not blobs.exists(digest):  # never a row without its blob
                raise MissingBlob(f"{record.url}: file {digest} is not in {blobs.root}")
            digests[id(record)] = digest
    outcomes: list[Outcome | None] = []
    with write(db):
        for record in records:
            if isinstance(record, ListingBatch):
                _listing_rows(db, record)
                outcomes.append(None)
            else:
                outcomes.append(_fetch_rows(db, record, digests.get(id(record))))
    return outcomes


def file_to_store(record: Record) -> bytes | None:
    """The bytes a record brings for the blob store, if any (see ``stored_as``)."""
    if isinstance(record, FetchRecord) and _has_blob(record):
        return record.body
    return None


def stored_as(record: Record, sha256: str) -> FetchRecord:
    """The record with its file (``file_to_store``) in the blob store under ``sha256``."""
    if not isinstance(record, FetchRecord) or record.body is None:
        raise ValueError(f"{record!r:.80}: no file to have stored")
    return replace(record, body=None, stored=(sha256, len(record.body)))


def _has_blob(record: FetchRecord) -> bool:
    """Whether the record brings a file to store (with its bytes, not yet stored)."""
    return _outcome(record) == "fetched" and record.has_file


class MissingBlob(ValueError):
    """A record names a stored file the blob store does not hold."""


def _fetch_rows(db: Database, record: FetchRecord, sha256: str | None) -> Outcome:
    outcome = _outcome(record)
    doc = _document(db, record) if record.kind in DOCUMENT_KINDS else None
    if doc is None:
        if outcome == "fetched" and record.kind in DOCUMENT_KINDS:
            # bytes kept (blob), but no report to file them under
            outcome = "unidentified"
        insert_row(db, "captures", _capture_row(record, outcome, sha256))
        return outcome
    version_id = doc.current_version_id
    new_version = False
    if sha256 is not None:
        found = db.execute(
            "SELECT id FROM versions WHERE document_id = ? AND sha256 = ?",
            [doc.id, sha256],
        ).fetchone()
        if found:
            version_id = int(found[0])
            outcome = (
                "same_bytes" if version_id == doc.current_version_id else "reverted"
            )
        else:
            outcome, new_version = "new_version", True
    row = _capture_row(record, outcome, sha256)
    row.update(document_id=doc.id, version_id=None if new_version else version_id)
    capture_id = insert_row(db, "captures", row)
    if new_version:
        version_id = insert_row(
            db,
            "versions",
            {
                "document_id": doc.id,
                "sha256": sha256,
                "size": record.size or 0,
                "media_type": record.sniffed_type
                or record.declared_type
                or "application/octet-stream",
                "first_capture_id": capture_id,
                "first_seen_run": record.run_id,
                "previous_version_id": doc.current_version_id,
            },
        )
        db.execute(
            "UPDATE captures SET version_id = ? WHERE id = ?",
            [version_id, capture_id],
        )
    _update_document(db, record, doc, outcome, version_id)
    return outcome


def _update_document(
    db: Database,
    record: FetchRecord,
    doc: _Document,
    outcome: Outcome,
    version_id: int | None,
) -> None:
    changes: dict[str, Any] = {
        "last_status": record.status,
        "current_version_id": version_id,
    }
    if outcome in ("new_version", "same_bytes", "reverted", "not_modified"):
        changes["etag"] = _header(record.response_headers, "etag")
        changes["last_modified"] = _header(record.response_headers, "last-modified")
    if record.listed and outcome != "failed":
        changes["last_seen_run"] = record.run_id
    if record.links is not None:  # remembered, so a 304 next time still knows the files
        changes["links"] = json.dumps(record.links, ensure_ascii=False)
    assignments = ", ".join(f"{column} = ?" for column in changes)
    update = f"UPDATE documents SET {assignments} WHERE id = ?"  # noqa: S608 (column names are ours)
    db.execute(update, [*changes.values(), doc.id])
    if record.listed and outcome != "failed":
        db.execute(
            "UPDATE reports SET last_seen_run = ? WHERE id = ?",
            [record.run_id, doc.report_id],
        )


def _listing_rows(db: Database, batch: ListingBatch) -> None:
    if batch.carried is not None:
        db.execute(
            "INSERT INTO carried_lists"
            " (run_id, source_id, url, listing_url, read_run, read_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                batch.run_id,
                batch.source_id,
                batch.list_url,
                batch.carried.listing_url,
                batch.carried.read_run,
                batch.carried.read_at,
            ],
        )
    db.conn.executemany(
        "INSERT INTO listings (run_id, source_id, list_url, url, title, listed_date, decision, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                batch.run_id,
                batch.source_id,
                batch.list_url,
                e.url,
                e.title,
                e.listed_date,
                e.decision,
                e.reason,
            )
            for e in batch.entries
        ],
    )
    reports = [(batch.run_id, e.url) for e in batch.entries if e.decision == "report"]
    db.conn.executemany("UPDATE documents SET last_seen_run = ? WHERE url = ?", reports)
    db.conn.executemany(
        "UPDATE reports SET last_seen_run = ? "
        "WHERE id IN (SELECT report_id FROM documents WHERE url = ?)",
        reports,
    )


# captures whose server answered for the document as it is
VERIFIED = "'new_version', 'same_bytes', 'not_modified', 'reverted'"


def known_documents(db: Database, source_ids: list[str]) -> dict[str, KnownDocument]:
    """URL → validators and report identity of every document of these sources."""
    marks = ",".join("?" * len(source_ids))
    rows = db.execute(
        f"""SELECT d.url, r.source_id, d.role, r.body, r.year, r.title, r.region, r.level,
                   r.published, r.identity_note, d.etag, d.last_modified, d.listing_url,
                   d.link_text, d.links, v.media_type, first.url, d.part,
                   (SELECT MAX(c.ended) FROM captures c WHERE c.document_id = d.id
                    AND c.outcome IN ({VERIFIED}))
            FROM documents d JOIN reports r ON r.id = d.report_id
            LEFT JOIN versions v ON v.id = d.current_version_id
            LEFT JOIN documents first ON first.id = d.part_of
            WHERE r.source_id IN ({marks})""",  # noqa: S608
        source_ids,
    ).fetchall()
    out = {}
    for row in rows:
        url, source_id, role, body, year, title, region, level, published, note = row[
            :10
        ]
        etag, last_modified, listing_url, link_text, links, media_type = row[10:16]
        out[url] = KnownDocument(
            url=url,
            source_id=source_id,
            role=role,
            identity=Identity(body, year, title, region, level, published, note or ""),
            etag=etag,
            last_modified=last_modified,
            listing_url=listing_url,
            link_text=link_text,
            links=tuple((u, t) for u, t in json.loads(links or "[]")),
            media_type=media_type,
            part_of=row[16],
            part=row[17],
            verified_at=row[18],
        )
    return out


def known_lists(db: Database, source_ids: list[str]) -> dict[str, KnownList]:
    """List URL → validators, items and time of its latest complete reading (GET).

    Used where reading a list is expensive (a browser render: if the page itself is
    unchanged, 304, its items are taken from the last reading) and on polite nights (a
    list page that is not due is carried forward from it: crawler/verify.py).
    """
    marks = ",".join("?" * len(source_ids))
    latest = db.execute(
        f"""SELECT url, COALESCE(final_url, url), run_id, etag, last_modified, ended,
                   source_id
            FROM captures WHERE id IN (
                SELECT MAX(id) FROM captures WHERE kind = 'list' AND outcome = 'listed'
                AND method = 'GET' AND source_id IN ({marks}) GROUP BY url)""",  # noqa: S608
        source_ids,
    ).fetchall()
    led = _list_children(db, sorted({row[2] for row in latest}))
    out = {}
    for url, read_url, run_id, etag, last_modified, ended, source_id in latest:
        items = db.execute(  # listed under the URL that answered (after redirects)
            "SELECT url, title, listed_date, decision, reason FROM listings"
            " WHERE run_id = ? AND list_url = ? ORDER BY id",
            [run_id, read_url],
        ).fetchall()
        out[url] = KnownList(
            etag,
            last_modified,
            tuple(ListedItem(*i) for i in items),
            source_id=source_id,
            read_run=run_id,
            read_at=ended,
            leads_to=frozenset(
                led.get((run_id, url), set()) | led.get((run_id, read_url), set())
            ),
        )
    return out


def _list_children(db: Database, runs: list[int]) -> dict[tuple[int, str], set[str]]:
    """(run, URL) → the list pages that URL led to in that run (of ``runs``): those
    read whose ``listing_url`` it is (the list page that asked for them) — or, for
    captures without one (before 2026-12-05), whose ``Referer`` it is (which a family
    may set to the column rather than the page that asked) — and those carried
    forward from their last reading (``carried_lists``)."""
    marks = ",".join("?" * len(runs))
    found = db.execute(
        f"""SELECT run_id, url, listing_url, json_extract(request_headers, '$.Referer')
            FROM captures WHERE kind = 'list' AND run_id IN ({marks})
            UNION ALL SELECT run_id, url, listing_url, NULL FROM carried_lists
            WHERE run_id IN ({marks})""",  # noqa: S608
        [*runs, *runs],
    ).fetchall()
    children: dict[tuple[int, str], set[str]] = {}
    for run, url, listing_url, referer in found:
        parent = listing_url or referer
        if parent and parent != url:
            children.setdefault((run, parent), set()).add(url)
    return children
