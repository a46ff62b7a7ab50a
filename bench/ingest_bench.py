"""B6, ingest (issue 16 item 2): what the processors derived, written into the archive.

A real archive (every migration: the search indexes, their triggers) holds
``VERSIONS`` report versions, recorded through the crawl's own recorder; each gets the
parse of one of a few reports of the benchmark mix (parsed once, for real), and the
derived rows — the parse, its figures, its checks, its searchable text — are written:

- **ours**: ``archive.derived.store_parses``, a chunk of ``app.process.CHUNK`` versions
  per transaction, as ``nianbao process`` does;
- **one transaction per version** (``store_parse``): how it was done before;
- **raw**: the very rows ours wrote (read back), into plain tables of the same
  columns — no index, no trigger, no full-text index — by ``executemany``, one
  transaction: what SQLite itself needs to take those bytes.

Report-versions per second; the ratio ours ÷ raw is the price of the search indexes
and the bookkeeping (tracked, no goal: docs/benchmarks.md).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.process import CHUNK
from archive.db import open_archive
from archive.derived import ParseResult, pending_parses, store_parse, store_parses
from archive.recorder import FetchRecord, Identity, record_batch
from archive.runs import start_run, sync_sources
from bench.measure import median, spread
from bench.parse_bench import render_corpus
from crawler.registry import Source
from processors.parse import PROCESSOR_VERSION, parse

if TYPE_CHECKING:
    from archive.db import Archive
    from processors.parse import Parsed

VERSIONS = 200
REPORTS = 4  # distinct parses, cycled over the versions
DERIVED = ("parses", "figures", "checks", "texts")
SOURCE = Source(
    id="bench",
    name="基准",
    body="基准县人民政府",
    region="山东省",
    level="county",
    family="hanweb",
    start_urls=("http://www.bench.gov.cn/",),
    evidence="inferred",
)


@dataclass(frozen=True, slots=True)
class Ingest:
    versions: int
    ours_per_s: float
    one_by_one_per_s: float
    raw_per_s: float
    ratio: float  # ours ÷ raw
    spread: float
    batching: float  # ours ÷ one transaction per version


def _archive(folder: Path) -> Archive:
    """An archive of ``VERSIONS`` recorded versions, nothing derived yet."""
    archive = open_archive(folder)
    sync_sources(archive.db, [SOURCE])
    run = start_run(
        archive.db, target="bench", epoch=None, sources=["bench"], crawler_version="b"
    )
    records = [
        FetchRecord(
            run_id=run,
            source_id="bench",
            kind="page",
            url=f"http://www.bench.gov.cn/art/{n}.html",
            method="GET",
            started="t0",
            ended="t1",
            crawler_version="b",
            status=200,
            body=f"<html><p>{n}</p></html>".encode(),
            sniffed_type="text/html",
            identity=Identity(
                body=f"基准{n // 8}镇人民政府",
                year=2018 + n % 8,
                title="年报",
                region="山东省",
                level="town",
            ),
            listed=True,
        )
        for n in range(VERSIONS)
    ]
    record_batch(archive.db, archive.blobs, records)
    return archive


def _timed_store(parsed: list[Parsed], folder: Path, chunk: int) -> float:
    """Seconds to store a parse for every version, ``chunk`` versions a transaction
    (1: ``store_parse`` each)."""
    archive = _archive(folder)
    tasks = pending_parses(archive.db, PROCESSOR_VERSION)
    results = [
        ParseResult(task, parsed[n % len(parsed)]) for n, task in enumerate(tasks)
    ]
    started = time.perf_counter()
    if chunk == 1:
        for done in results:
            store_parse(archive.db, done.task, done.result, None, PROCESSOR_VERSION)
    else:
        for first in range(0, len(results), chunk):
            store_parses(archive.db, results[first : first + chunk], PROCESSOR_VERSION)
    seconds = time.perf_counter() - started
    archive.close()
    return seconds


def _timed_raw(source: Path, folder: Path) -> float:
    """Seconds to write the rows ``source`` holds in ``DERIVED`` into plain tables."""
    conn = sqlite3.connect(folder / "raw.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("ATTACH DATABASE ? AS source", [str(source)])
    batches = []
    for table in DERIVED:
        conn.execute(f"CREATE TABLE {table} AS SELECT * FROM source.{table} WHERE 0")
        rows = conn.execute(f"SELECT * FROM source.{table}").fetchall()
        marks = ", ".join("?" * len(rows[0])) if rows else ""
        batches.append((f"INSERT INTO {table} VALUES ({marks})", rows))
    conn.commit()
    conn.execute("DETACH DATABASE source")
    started = time.perf_counter()
    with conn:
        for sql, rows in batches:
            conn.executemany(sql, rows)
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def b6_ingest(repetitions: int, scratch: Path) -> Ingest:
    corpus = render_corpus(scratch / "b6-corpus", REPORTS)
    parsed = [parse(path.read_bytes(), "application/pdf") for path in corpus]
    ours, one_by_one, raw, ratios = [], [], [], []
    for _ in range(repetitions):
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            folder = Path(tmp)
            ours_s = _timed_store(parsed, folder / "ours", CHUNK)
            one_s = _timed_store(parsed, folder / "one", 1)
            raw_s = _timed_raw(folder / "ours" / "archive.db", folder)
        ours.append(VERSIONS / ours_s)
        one_by_one.append(VERSIONS / one_s)
        raw.append(VERSIONS / raw_s)
        ratios.append(raw_s / ours_s)  # ours per second ÷ raw per second
    return Ingest(
        versions=VERSIONS,
        ours_per_s=median(ours),
        one_by_one_per_s=median(one_by_one),
        raw_per_s=median(raw),
        ratio=median(ratios),
        spread=spread(ratios),
        batching=median(ours) / median(one_by_one),
    )


def ingest_lines(b6: Ingest) -> list[str]:
    return [
        f"B6 ingest {b6.versions} report-versions: ours {b6.ours_per_s:7.0f}/s "
        f"(chunks of {CHUNK}) · raw executemany {b6.raw_per_s:7.0f}/s · ratio "
        f"{b6.ratio:.3f} (tracked, ±{b6.spread:.0%}) · one transaction a version "
        f"{b6.one_by_one_per_s:7.0f}/s (batching ×{b6.batching:.2f})"
    ]
