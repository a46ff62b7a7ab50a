"""Copy detection in the archive (雷同): signatures, candidates, each report's twins.

Kept by :func:`update_similarity` after every processing run, for the reports whose
current text (or body, or year) changed since — triggers of migration m013 list them
in ``similarity_pending`` — and from scratch with ``rebuild`` (``nianbao similar
--rebuild``, or when the archive was never signed or :data:`SCHEME` changed):

1. ``similarity_sentences``: which bodies print each sentence of their current
   reports (a sentence's key hash, see ``processors/similarity.py``). Boilerplate is
   what many bodies print; when a body's reports change, the reports of bodies whose
   sentences thereby become (or stop being) boilerplate are signed again too.
2. ``similarity_signatures`` and ``similarity_bands``: each report's MinHash
   signature over its own text, and its LSH band keys (none for a report with less
   than ``MIN_OWN_CHARS`` characters of its own).
3. ``similar_reports``: per report, its most similar report among the same body's
   earlier years (``same_body``) and among other bodies' reports (``other_body``),
   from :data:`SIMILAR_MIN` up, by the exact similarity of their own texts. The
   candidates are the reports sharing a band key, never all pairs; both sides of a
   pair are kept right (a changed report's candidates, and the reports that had it
   as their twin, are matched again).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from archive.db import now, write
from processors.similarity import (
    BOILERPLATE_OTHERS,
    MIN_OWN_CHARS,
    SCHEME,
    Passage,
    Sentence,
    band_keys,
    both_names,
    compared_sentences,
    estimate,
    name_forms,
    own_chars,
    rekeyed,
    sentences,
    shared_passages,
    shingles,
    signature,
    signed_sentences,
    similarity,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from sqlite_utils import Database

    Progress = Callable[[str, int, int], None]  # (stage, done, total)
    Counts = Callable[[Iterable[int]], dict[int, int]]  # sentence → bodies printing it

logger = logging.getLogger(__name__)
Scope = Literal["same_body", "other_body"]
SIMILAR_MIN = 0.6  # a twin is recorded from this similarity up (LSH finds 99 %)
ESTIMATE_MARGIN = 0.15  # a candidate whose signature estimates less is not read
BATCH = 500  # reports per transaction
REBUILD_BATCH = 5000  # …when rebuilding: fewer commits of pages the inserts scatter
REBUILD_CACHE_KB = 262_144  # SQLite's page cache while rebuilding (the tables' pages)
CACHE = 2048  # reports whose sentences stay in memory while matching
# Where a count of bodies changes what is boilerplate (processors.similarity): a
# signature leaves out what BOILERPLATE_OTHERS + 2 bodies print, a comparison what
# BOILERPLATE_OTHERS bodies besides the one or two compared print.
THRESHOLDS = (BOILERPLATE_OTHERS + 1, BOILERPLATE_OTHERS + 2)
COUNT_CAP = BOILERPLATE_OTHERS + 3


@dataclass(slots=True)
class SimilarityUpdate:
    """What an update did."""

    rebuilt: bool = False
    signed: int = 0  # reports signed
    too_short: int = 0  # of those, with too little own text to compare
    matched: int = 0  # reports whose twins were looked for
    compared: int = 0  # pairs whose texts were compared exactly
    seconds: float = 0.0

    def line(self) -> str:
        how = "rebuilt" if self.rebuilt else "updated"
        return (
            f"similarity {how}: {self.signed} reports signed ({self.too_short} with "
            f"too little own text), {self.matched} matched, {self.compared} pairs "
            f"compared in {self.seconds:.1f} s"
        )


@dataclass(frozen=True, slots=True)
class Report:
    """A report as copy detection reads it: its body, year and sentences."""

    id: int
    body: str
    year: int
    sentences: tuple[Sentence, ...]


def _ids(values: Iterable[int]) -> str:
    return json.dumps(sorted(set(values)))


def read_reports(db: Database, ids: Iterable[int]) -> list[Report]:
    """The reports (with a current text) among ``ids``, their sentences read."""
    rows = db.execute(
        """SELECT r.id, r.body, r.year, t.text FROM reports r
           JOIN report_texts t ON t.report_id = r.id
           WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.body, r.year""",
        [_ids(ids)],
    ).fetchall()
    return [
        Report(id, body, year, sentences(text, name_forms(body)))
        for id, body, year, text in rows
    ]


def held_by(db: Database, hashes: Iterable[int]) -> dict[int, int]:
    """Sentence hash → how many bodies print it (capped: only small counts matter)."""
    rows = db.execute(
        f"""SELECT j.value, (SELECT count(*) FROM (SELECT 1 FROM similarity_sentences s
                   WHERE s.sentence = j.value LIMIT {COUNT_CAP}))
            FROM json_each(?) j""",  # noqa: S608 (a number of ours)
        [_ids(hashes)],
    ).fetchall()
    return {h: n for h, n in rows if n}


def _body_id(db: Database, body: str) -> int:
    db.execute("INSERT OR IGNORE INTO similarity_bodies (body) VALUES (?)", [body])
    return int(
        db.execute(
            "SELECT id FROM similarity_bodies WHERE body = ?", [body]
        ).fetchone()[0]
    )


# ---------------------------------------------------------------- update


def update_similarity(
    db: Database, *, rebuild: bool = False, progress: Progress | None = None
) -> SimilarityUpdate:
    """Bring signatures, band keys and twins up to date with the reports' texts.

    Rebuilds everything when asked, when nothing was signed yet, or when signatures
    of another scheme are stored. The caller holds the archive's crawl lock.
    """
    started = time.monotonic()
    rebuild = rebuild or _needs_rebuild(db)
    done = _rebuild(db, progress) if rebuild else _update(db, progress)
    done.seconds = time.monotonic() - started
    if done.signed or done.matched:
        logger.info("%s", done.line())
    return done


def _needs_rebuild(db: Database) -> bool:
    signed = db.execute("SELECT scheme FROM similarity_signatures LIMIT 1").fetchone()
    if signed is None:
        return (
            db.execute("SELECT 1 FROM similarity_pending LIMIT 1").fetchone()
            is not None
        )
    return (
        db.execute(
            "SELECT 1 FROM similarity_signatures WHERE scheme <> ? LIMIT 1", [SCHEME]
        ).fetchone()
        is not None
    )


@contextlib.contextmanager
def _big_cache(db: Database) -> Iterator[None]:
    """A page cache the rebuild's tables fit in, for the block (inserts by hash land
    all over them)."""
    (before,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KB}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(before)}")


def _rebuild(db: Database, progress: Progress | None) -> SimilarityUpdate:
    with _big_cache(db):
        return _rebuild_all(db, progress)


def _rebuild_all(db: Database, progress: Progress | None) -> SimilarityUpdate:
    with write(db):
        for table in (
            "similar_reports",
            "similarity_bands",
            "similarity_signatures",
            "similarity_sentences",
            "similarity_bodies",
        ):
            db.execute(f"DELETE FROM {table}")  # noqa: S608 (our names)
    ids = [
        i
        for (i,) in db.execute(
            "SELECT r.id FROM reports r JOIN report_texts t ON t.report_id = r.id"
            " ORDER BY r.body, r.year"
        ).fetchall()
    ]
    bodies: dict[str, int] = {}
    for start in range(0, len(ids), REBUILD_BATCH):
        chunk = read_reports(db, ids[start : start + REBUILD_BATCH])
        with write(db):
            for report in chunk:
                if report.body not in bodies:
                    bodies[report.body] = _body_id(db, report.body)
            db.conn.executemany(
                "INSERT OR IGNORE INTO similarity_sentences VALUES (?, ?)",
                sorted({(s.hash, bodies[r.body]) for r in chunk for s in r.sentences}),
            )
        _tell(progress, "sentences", start + len(chunk), len(ids))
    shared = dict(
        db.execute(
            "SELECT sentence, count(*) FROM similarity_sentences GROUP BY sentence"
            " HAVING count(*) > 1"
        ).fetchall()
    )

    def counts(hashes: Iterable[int]) -> dict[int, int]:
        return {h: shared[h] for h in hashes if h in shared}

    done = SimilarityUpdate(rebuilt=True)
    _sign_all(db, ids, counts, done, progress, batch=REBUILD_BATCH)
    _match(db, ids, counts, done, progress, batch=REBUILD_BATCH)
    with write(db):
        db.execute("DELETE FROM similarity_pending")
    return done


def _update(db: Database, progress: Progress | None) -> SimilarityUpdate:
    done = SimilarityUpdate()
    pending = _pending(db)
    if not pending:
        return done
    _refresh_bodies(db, pending)
    pending = _pending(db)  # and the reports whose boilerplate changed

    def counts(hashes: Iterable[int]) -> dict[int, int]:
        return held_by(db, hashes)

    old_twins = _pointing_at(db, pending)
    signed = _sign_all(db, sorted(pending), counts, done, progress)
    match = set(pending) | old_twins | _candidates_of(db, signed)
    _match(db, sorted(match), counts, done, progress)
    with write(db):
        db.execute(
            "DELETE FROM similarity_pending WHERE report_id IN"
            " (SELECT value FROM json_each(?))",
            [_ids(pending)],
        )
    return done


def _pending(db: Database) -> set[int]:
    return {i for (i,) in db.execute("SELECT report_id FROM similarity_pending")}


def _refresh_bodies(db: Database, pending: set[int]) -> None:
    """Record which sentences the pending reports' bodies (now and before) print;
    mark pending the reports of other bodies whose boilerplate this changes."""
    names = {
        body
        for (body,) in db.execute(
            """SELECT body FROM reports WHERE id IN (SELECT value FROM json_each(?))
               UNION SELECT b.body FROM similarity_signatures s
               JOIN similarity_bodies b ON b.id = s.body_id
               WHERE s.report_id IN (SELECT value FROM json_each(?))""",
            [_ids(pending), _ids(pending)],
        ).fetchall()
    }
    for body in sorted(names):
        ids = [
            i for (i,) in db.execute("SELECT id FROM reports WHERE body = ?", [body])
        ]
        new = {s.hash for report in read_reports(db, ids) for s in report.sentences}
        with write(db):
            body_id = _body_id(db, body)
            old = {
                h
                for (h,) in db.execute(
                    "SELECT sentence FROM similarity_sentences WHERE body_id = ?",
                    [body_id],
                )
            }
            added, removed = new - old, old - new
            before = held_by(db, added | removed)
            crossed = {h for h in added if before.get(h, 0) + 1 in THRESHOLDS}
            crossed |= {h for h in removed if before.get(h, 0) in THRESHOLDS}
            db.conn.executemany(
                "INSERT INTO similarity_sentences VALUES (?, ?)",
                [(h, body_id) for h in added],
            )
            db.conn.executemany(
                "DELETE FROM similarity_sentences WHERE sentence = ? AND body_id = ?",
                [(h, body_id) for h in removed],
            )
            if crossed:
                _mark_holders(db, crossed)


def _mark_holders(db: Database, hashes: set[int]) -> None:
    """Mark pending every report of the bodies that print one of ``hashes``."""
    db.execute(
        """INSERT OR IGNORE INTO similarity_pending
           SELECT r.id FROM reports r JOIN similarity_bodies b ON b.body = r.body
           WHERE b.id IN (SELECT DISTINCT body_id FROM similarity_sentences
                          WHERE sentence IN (SELECT value FROM json_each(?)))""",
        [_ids(hashes)],
    )


def _pointing_at(db: Database, ids: set[int]) -> set[int]:
    """The reports whose recorded twin is one of ``ids``."""
    return {
        i
        for (i,) in db.execute(
            "SELECT report_id FROM similar_reports WHERE twin_id IN"
            " (SELECT value FROM json_each(?))",
            [_ids(ids)],
        )
    }


def _tell(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


# ---------------------------------------------------------------- signatures


def _sign_all(
    db: Database,
    ids: list[int],
    counts: Counts,
    done: SimilarityUpdate,
    progress: Progress | None,
    batch: int = BATCH,
) -> dict[int, np.ndarray]:
    """Sign the reports ``ids`` (forgetting those without a text); their signatures."""
    signed: dict[int, np.ndarray] = {}
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        reports = read_reports(db, chunk)
        bands: list[tuple[int, int]] = []
        with write(db):
            for report in reports:
                sig = _sign(db, report, counts)
                done.signed += 1
                if sig is None:
                    done.too_short += 1
                else:
                    signed[report.id] = sig
                    bands += [(key, report.id) for key in band_keys(sig)]
            gone = set(chunk) - {r.id for r in reports}
            for report_id in gone:
                _forget(db, report_id)
            db.conn.executemany(
                "INSERT OR IGNORE INTO similarity_bands VALUES (?, ?)", sorted(bands)
            )
        _tell(progress, "signatures", start + len(chunk), len(ids))
    return signed


def _old_bands(db: Database, report_id: int) -> list[int]:
    row = db.execute(
        "SELECT signature FROM similarity_signatures WHERE report_id = ?", [report_id]
    ).fetchone()
    if row is None or row[0] is None:
        return []
    return band_keys(np.frombuffer(row[0], dtype=np.uint32))


def _forget(db: Database, report_id: int) -> None:
    """Drop a report's signature, band keys and twins (its text is gone)."""
    db.conn.executemany(
        "DELETE FROM similarity_bands WHERE band_key = ? AND report_id = ?",
        [(key, report_id) for key in _old_bands(db, report_id)],
    )
    db.execute("DELETE FROM similarity_signatures WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM similar_reports WHERE report_id = ?", [report_id])


def _sign(db: Database, report: Report, counts: Counts) -> np.ndarray | None:
    """Store a report's signature (the caller its band keys); None when it has too
    little own text."""
    kept = signed_sentences(report.sentences, counts(s.hash for s in report.sentences))
    chars = own_chars(kept)
    sig = signature(shingles(s.key for s in kept)) if chars >= MIN_OWN_CHARS else None
    _forget(db, report.id)
    db.execute(
        "INSERT INTO similarity_signatures (report_id, body_id, scheme, sentences,"
        " own_chars, signature, signed) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            report.id,
            _body_id(db, report.body),
            SCHEME,
            len(kept),
            chars,
            sig.tobytes() if sig is not None else None,
            now(),
        ],
    )
    return sig


def _candidates_of(db: Database, signed: dict[int, np.ndarray]) -> set[int]:
    """Every report sharing a band key with one of ``signed``."""
    found: set[int] = set()
    for report_id, sig in signed.items():
        found |= _band_mates(db, sig) - {report_id}
    return found


def _band_mates(db: Database, sig: np.ndarray) -> set[int]:
    return {
        i
        for (i,) in db.execute(
            "SELECT DISTINCT report_id FROM similarity_bands WHERE band_key IN"
            " (SELECT value FROM json_each(?))",
            [json.dumps(band_keys(sig))],
        )
    }


# ---------------------------------------------------------------- twins


@dataclass(slots=True)
class _Matcher:
    """Exact comparisons of candidate pairs, with the reports' sentences cached."""

    db: Database
    counts: Counts
    cache: OrderedDict[int, Report | None] = field(default_factory=OrderedDict)
    pairs: dict[tuple[int, int], float] = field(default_factory=dict)

    def report(self, report_id: int) -> Report | None:
        if report_id in self.cache:
            self.cache.move_to_end(report_id)
            return self.cache[report_id]
        found = read_reports(self.db, [report_id])
        self.cache[report_id] = found[0] if found else None
        if len(self.cache) > CACHE:
            self.cache.popitem(last=False)
        return self.cache[report_id]

    def similarity(self, a: int, b: int) -> float:
        key = (min(a, b), max(a, b))
        if key not in self.pairs:
            first, second = self.report(a), self.report(b)
            self.pairs[key] = (
                pair_similarity(first, second, self.counts)
                if first is not None and second is not None
                else 0.0
            )
        return self.pairs[key]


def _own(
    a: Report, b: Report, counts: Counts
) -> tuple[tuple[Sentence, ...], tuple[Sentence, ...]]:
    """The own sentences of A and of B, compared with each other: keyed with both
    bodies' names masked."""
    own_a, own_b = compared_sentences(
        a.sentences,
        b.sentences,
        counts(s.hash for s in (*a.sentences, *b.sentences)),
        same_body=a.body == b.body,
    )
    if a.body == b.body:
        return own_a, own_b
    names = both_names(a.body, b.body)
    return rekeyed(own_a, names), rekeyed(own_b, names)


def pair_similarity(a: Report, b: Report, counts: Counts) -> float:
    """The Jaccard similarity of two reports' own texts, compared with each other."""
    own_a, own_b = _own(a, b, counts)
    return similarity(shingles(s.key for s in own_a), shingles(s.key for s in own_b))


def _signatures(
    db: Database, ids: Iterable[int]
) -> dict[int, tuple[str, int, np.ndarray]]:
    """Report id → (body, year, signature), for the signed ones among ``ids``."""
    return {
        i: (body, year, np.frombuffer(sig, dtype=np.uint32))
        for i, body, year, sig in db.execute(
            """SELECT s.report_id, r.body, r.year, s.signature
               FROM similarity_signatures s JOIN reports r ON r.id = s.report_id
               WHERE s.signature IS NOT NULL
                 AND s.report_id IN (SELECT value FROM json_each(?))""",
            [_ids(ids)],
        )
    }


def _scope(body: str, year: int, other_body: str, other_year: int) -> Scope | None:
    if other_body != body:
        return "other_body"
    return "same_body" if other_year < year else None


def _twins(
    db: Database, matcher: _Matcher, report_id: int, done: SimilarityUpdate
) -> dict[Scope, tuple[int, float]]:
    """A report's most similar report in each scope (from SIMILAR_MIN up)."""
    own = _signatures(db, [report_id]).get(report_id)
    if own is None:
        return {}
    body, year, sig = own
    best: dict[Scope, tuple[int, float]] = {}
    mates = _signatures(db, _band_mates(db, sig) - {report_id})
    for other, (other_body, other_year, other_sig) in sorted(mates.items()):
        scope = _scope(body, year, other_body, other_year)
        if scope is None or estimate(sig, other_sig) < SIMILAR_MIN - ESTIMATE_MARGIN:
            continue
        fresh = (min(report_id, other), max(report_id, other)) not in matcher.pairs
        value = matcher.similarity(report_id, other)
        done.compared += fresh
        if value >= SIMILAR_MIN and value > best.get(scope, (0, 0.0))[1]:
            best[scope] = (other, value)
    return best


def _match(
    db: Database,
    ids: list[int],
    counts: Counts,
    done: SimilarityUpdate,
    progress: Progress | None,
    batch: int = BATCH,
) -> None:
    """Find and store the twins of the reports ``ids``."""
    matcher = _Matcher(db, counts)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        found = {report_id: _twins(db, matcher, report_id, done) for report_id in chunk}
        stamp = now()
        with write(db):
            db.execute(
                "DELETE FROM similar_reports WHERE report_id IN"
                " (SELECT value FROM json_each(?))",
                [_ids(chunk)],
            )
            db.conn.executemany(
                "INSERT INTO similar_reports VALUES (?, ?, ?, ?, ?)",
                [
                    (report_id, scope, twin, round(value, 4), stamp)
                    for report_id, twins in found.items()
                    for scope, (twin, value) in twins.items()
                ],
            )
        done.matched += len(chunk)
        _tell(progress, "twins", start + len(chunk), len(ids))


# ---------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two reports compared: the similarity of their own texts and what they share."""

    similarity: float
    passages: list[Passage]


def compare_reports(db: Database, a: int, b: int) -> Comparison | None:
    """Report ``a`` compared with report ``b`` (None if either has no text): their
    similarity and the passages they share, in ``a``'s order."""
    found = {report.id: report for report in read_reports(db, [a, b])}
    if a not in found or b not in found:
        return None

    def counts(hashes: Iterable[int]) -> dict[int, int]:
        return held_by(db, hashes)

    own_a, own_b = _own(found[a], found[b], counts)
    value = similarity(shingles(s.key for s in own_a), shingles(s.key for s in own_b))
    return Comparison(value, shared_passages(own_a, own_b))


@dataclass(frozen=True, slots=True)
class Pair:
    """Two reports of different bodies recorded as each other's (or one's) twin."""

    report_id: int
    body: str
    year: int
    twin_id: int
    twin_body: str
    twin_year: int
    similarity: float

    def line(self) -> str:
        return (
            f"{self.body} {self.year} ↔ {self.twin_body} {self.twin_year}: "
            f"{self.similarity:.0%} (reports {self.report_id}, {self.twin_id})"
        )


def copied_pairs(db: Database, threshold: float) -> list[Pair]:
    """Pairs of reports of different bodies at least ``threshold`` similar, each pair
    once, most similar first."""
    rows = db.execute(
        """SELECT s.report_id, r.body, r.year, s.twin_id, t.body, t.year, s.similarity
           FROM similar_reports s
           JOIN reports r ON r.id = s.report_id JOIN reports t ON t.id = s.twin_id
           WHERE s.scope = 'other_body' AND s.similarity >= ?
             AND (s.report_id < s.twin_id OR NOT EXISTS (
               SELECT 1 FROM similar_reports x WHERE x.report_id = s.twin_id
                 AND x.scope = 'other_body' AND x.twin_id = s.report_id))
           ORDER BY s.similarity DESC, r.body, r.year""",
        [threshold],
    ).fetchall()
    return [Pair(*row) for row in rows]
