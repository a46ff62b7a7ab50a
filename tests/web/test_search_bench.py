"""B7's harness at a tiny size: the synthetic archive and both ways of timing the search."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from bench.search_bench import (
    TWO_CHAR,
    b7_lines,
    b7_search,
    build_archive,
    existing_archive,
)

if TYPE_CHECKING:
    from bench.search_bench import Built, Search

REPORTS = 300


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_archive(tmp_path_factory.mktemp("b7") / "archive", REPORTS)


@pytest.fixture(scope="module")
def b7(tmp_path_factory: pytest.TempPathFactory) -> Search:
    return b7_search(REPORTS, 3, tmp_path_factory.mktemp("b7-run"))


def test_archive_holds_one_version_text_and_parse_per_report(built: Built) -> None:
    with sqlite3.connect(built.db) as conn:
        for table in ("reports", "documents", "versions", "parses", "texts"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (
                REPORTS,
            )
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute(
            "SELECT COUNT(*) FROM documents WHERE current_version_id = id"
        ).fetchone() == (REPORTS,)


def test_texts_are_report_sized_and_all_different(built: Built) -> None:
    with sqlite3.connect(built.db) as conn:
        sizes = [
            n for (n,) in conn.execute("SELECT LENGTH(CAST(text AS BLOB)) FROM texts")
        ]
        (distinct,) = conn.execute("SELECT COUNT(DISTINCT text) FROM texts").fetchone()
    assert min(sizes) >= 3000
    assert max(sizes) <= 12000
    assert distinct == REPORTS
    assert built.text_bytes >= sum(sizes)
    assert built.seconds > 0


def test_trigram_index_finds_the_body_in_its_own_reports_only(built: Built) -> None:
    with sqlite3.connect(built.db) as conn:
        found = conn.execute(
            "SELECT r.body FROM report_texts_fts f JOIN reports r ON r.id = f.rowid"
            " WHERE report_texts_fts MATCH ?",
            [f'"{built.body_name}"'],
        ).fetchall()
    assert found == [(built.body_name,)] * 5  # one report a year, 2019–2023


def test_existing_archive_is_reused_only_at_its_size(built: Built) -> None:
    again = existing_archive(built.db.parent, REPORTS)
    assert again is not None
    assert (again.text_bytes, again.body_name, again.seconds) == (
        built.text_bytes,
        built.body_name,
        0.0,
    )
    assert existing_archive(built.db.parent, REPORTS + 1) is None


def test_both_paths_return_the_same_rows_for_every_query(b7: Search) -> None:
    asked = [r.query for r in b7.results]
    assert asked[:5] == [*TWO_CHAR, "行政复议", "依申请公开"]
    assert asked[-1] == "量子纠缠"
    for result in b7.results:
        assert result.direct.hits == result.served.hits, result.query
        scan = [result.scan] if result.scan is not None else []
        assert bool(scan) == (result.query in TWO_CHAR)
        for latency in (result.direct, result.served, *scan):
            assert len(latency.samples) == 3
            assert all(s > 0 for s in latency.samples)
            assert 0 < latency.p50 <= latency.p95
    hits = {r.query: r.direct.hits for r in b7.results}
    assert hits["复议"] == hits["公开"] == hits["行政复议"] == REPORTS
    assert 0 < hits["依申请公开"] <= REPORTS
    assert hits[asked[5]] == 5  # a body's name: its own reports, 2019–2023
    assert hits["量子"] == hits["量子纠缠"] == 0
    for result in b7.results:  # the bigram index finds what the scan found
        if result.scan is not None:
            assert result.scan.hits == result.direct.hits, result.query


def test_two_character_queries_have_a_scan_floor(b7: Search) -> None:
    floors = {r.query: r.floor_s for r in b7.results}
    assert all(floors[q] > 0 for q in TWO_CHAR)
    assert all(f is None for q, f in floors.items() if q not in TWO_CHAR)
    assert b7.scan_mb_s > 0


def test_lines_and_record_name_every_query(b7: Search) -> None:
    lines = b7_lines(b7)
    assert lines[0].startswith(f"B7 search, {REPORTS} reports")
    for result, line in zip(b7.results, lines[1:], strict=True):
        assert result.query in line
    record = b7.as_record()
    assert [q["query"] for q in record["queries"]] == [r.query for r in b7.results]
    assert all(q["ratio"] > 0 for q in record["queries"])
