"""The search indexes: the bigram index finds what a scan finds and stays right when
texts are replaced; ``report_texts`` holds each report's current text whoever changes
``texts`` or ``documents``; upgrading an archive builds both from the stored texts."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from typing import TYPE_CHECKING

import pytest

from archive.db import DB_NAME, open_archive
from archive.search_index import add_text, bigrams, forget_text, indexed_pair

if TYPE_CHECKING:
    from pathlib import Path

WORDS = ("复议", "诉讼", "收费", "公开", "疫情", "pd", "20", "量子")


def test_bigrams_are_the_distinct_pairs_of_letters_and_digits() -> None:
    assert bigrams("行政复议，行政AB1 x") == "ab b1 复议 政a 政复 行政"
    assert bigrams("。，") == ""
    assert bigrams("复议复议") == "复议 议复"
    assert indexed_pair("复议")
    assert indexed_pair("A1")
    assert not indexed_pair("，议")
    assert not indexed_pair("复")


def scanned(conn: sqlite3.Connection, word: str) -> set[int]:
    fold = word.lower()
    return {
        v
        for v, title, text in conn.execute("SELECT version_id, title, text FROM texts")
        if fold in f"{title or ''}\n{text}".lower()
    }


def indexed(conn: sqlite3.Connection, word: str) -> set[int]:
    return {
        v
        for (v,) in conn.execute(
            "SELECT rowid FROM texts_bigrams WHERE texts_bigrams MATCH ?",
            [f'"{word.lower()}"'],
        )
    }


@pytest.fixture
def copy(night1: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(night1, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target


def test_the_index_finds_what_a_scan_finds(copy: Path) -> None:
    with sqlite3.connect(copy / DB_NAME) as conn:
        for word in WORDS:
            assert indexed(conn, word) == scanned(conn, word), word
        assert scanned(conn, "复议")


def test_replacing_a_text_leaves_no_stale_entry(copy: Path) -> None:
    conn = sqlite3.connect(copy / DB_NAME)
    version, report = conn.execute(
        "SELECT version_id, report_id FROM texts WHERE instr(text, '复议') > 0 LIMIT 1"
    ).fetchone()
    forget_text(conn, version)
    assert version not in indexed(conn, "复议")
    add_text(conn, version, report, "新标题", "只谈量子。")
    assert version in indexed(conn, "量子")
    assert version not in indexed(conn, "复议")
    forget_text(conn, version + 10**9)  # no such text: nothing to do
    conn.execute("INSERT INTO texts_bigrams(texts_bigrams) VALUES ('integrity-check')")
    conn.execute(
        "INSERT INTO report_texts_fts(report_texts_fts) VALUES ('integrity-check')"
    )
    conn.commit()
    for word in WORDS:
        assert indexed(conn, word) == scanned(conn, word), word
    conn.close()


def current_texts(conn: sqlite3.Connection) -> dict[int, tuple[list[str], list[str]]]:
    """Each report's current titles and texts (of its files' current versions), from scratch."""
    texts: dict[int, tuple[list[str], list[str]]] = {}
    for report, title, text in conn.execute(
        "SELECT d.report_id, t.title, t.text FROM documents d"
        " JOIN texts t ON t.version_id = d.current_version_id"
    ):
        titles, bodies = texts.setdefault(report, ([], []))
        titles.extend([title] if title is not None else [])
        bodies.append(text)
    return texts


def assert_report_texts_right(
    conn: sqlite3.Connection, *, writable: bool = True
) -> None:
    """``report_texts`` is each report's current text (every part, in some order,
    nothing else), and its trigram index finds what a scan of it finds (and passes
    FTS5's integrity check, which needs a writable connection)."""
    expected = current_texts(conn)
    stored = {
        report: (title or "", text)
        for report, title, text in conn.execute("SELECT * FROM report_texts")
    }
    assert stored.keys() == expected.keys()
    for report, (titles, bodies) in expected.items():
        title, text = stored[report]
        assert all(t in title for t in titles), report
        assert all(b in text for b in bodies), report
        # one "\n" between titles, "\n\n" between texts
        assert len(title) == sum(map(len, titles)) + max(len(titles) - 1, 0), report
        assert len(text) == sum(map(len, bodies)) + 2 * (len(bodies) - 1), report
    if writable:
        conn.execute(
            "INSERT INTO report_texts_fts(report_texts_fts) VALUES ('integrity-check')"
        )
    for word in ("行政复议", "依申请公开", "量子纠缠"):
        found = {
            r
            for (r,) in conn.execute(
                "SELECT rowid FROM report_texts_fts WHERE report_texts_fts MATCH ?",
                [f'"{word}"'],
            )
        }
        assert found == {r for r, (t, x) in stored.items() if word in t + x}, word


def test_report_texts_are_the_current_texts_after_two_nights(
    night1: Path, night2: Path
) -> None:
    for data in (night1, night2):
        with sqlite3.connect(f"file:{data / DB_NAME}?mode=ro", uri=True) as conn:
            assert_report_texts_right(conn, writable=False)
            (several,) = conn.execute(
                "SELECT count(*) FROM (SELECT d.report_id FROM documents d"
                " JOIN texts t ON t.version_id = d.current_version_id"
                " GROUP BY d.report_id HAVING count(*) > 1)"
            ).fetchone()
            assert several > 0  # reports whose page and attachment both have text


def _text_of(conn: sqlite3.Connection, report: int) -> str:
    row = conn.execute(
        "SELECT text FROM report_texts WHERE report_id = ?", [report]
    ).fetchone()
    return "" if row is None else str(row[0])


def test_report_texts_follow_every_change_of_texts_and_documents(copy: Path) -> None:
    conn = sqlite3.connect(copy / DB_NAME)
    document, report, version = conn.execute(
        "SELECT d.id, d.report_id, d.current_version_id FROM documents d"
        " JOIN texts t ON t.version_id = d.current_version_id"
        " WHERE instr(t.text, '复议') > 0 LIMIT 1"
    ).fetchone()
    other = conn.execute(
        "SELECT id FROM reports WHERE id != ? LIMIT 1", [report]
    ).fetchone()[0]
    # A re-parse: the text forgotten, then stored anew.
    forget_text(conn, version)
    assert "复议" not in _text_of(conn, report)
    add_text(conn, version, report, "新标题", "只谈量子纠缠。")
    assert "量子纠缠" in _text_of(conn, report)
    # A new version recorded (no text yet): the report's text is its other files'.
    conn.execute(
        "INSERT INTO versions (document_id, sha256, size, media_type, first_seen_run,"
        " first_capture_id) SELECT document_id, 'f' || substr(sha256, 2), size,"
        " media_type, first_seen_run, first_capture_id FROM versions WHERE id = ?",
        [version],
    )
    newer = conn.execute("SELECT max(id) FROM versions").fetchone()[0]
    conn.execute(
        "UPDATE documents SET current_version_id = ? WHERE id = ?", [newer, document]
    )
    assert "量子纠缠" not in _text_of(conn, report)
    assert_report_texts_right(conn)
    # The text of an old version changes nothing; reverting brings it back.
    add_text(conn, newer, report, None, "新版本的文字。")
    forget_text(conn, version)
    add_text(conn, version, report, None, "旧版本改过的文字。")
    assert "旧版本" not in _text_of(conn, report)
    conn.execute(
        "UPDATE documents SET current_version_id = ? WHERE id = ?", [version, document]
    )
    assert "旧版本改过的文字" in _text_of(conn, report)
    assert "新版本的文字" not in _text_of(conn, report)
    # The document moved to another report, then deleted.
    conn.execute("UPDATE documents SET report_id = ? WHERE id = ?", [other, document])
    assert "旧版本改过的文字" in _text_of(conn, other)
    assert "旧版本改过的文字" not in _text_of(conn, report)
    assert_report_texts_right(conn)
    conn.execute("DELETE FROM documents WHERE id = ?", [document])
    assert "旧版本改过的文字" not in _text_of(conn, other)
    # Saving a document with the same current version rewrites nothing.
    before = conn.total_changes
    conn.execute("UPDATE documents SET current_version_id = current_version_id")
    (documents,) = conn.execute("SELECT count(*) FROM documents").fetchone()
    assert conn.total_changes - before == documents
    assert_report_texts_right(conn)
    conn.rollback()
    conn.close()


def test_upgrading_builds_the_bigrams_and_the_report_texts_from_the_stored_texts(
    copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An archive as m008 left it: the trigram index of every version's text declared
    with 'texts', no bigrams, no report texts."""
    conn = sqlite3.connect(copy / DB_NAME)
    conn.executescript(
        """
        DROP TABLE texts_bigrams;
        DROP TABLE report_texts; DROP TABLE report_texts_fts;
        DROP TRIGGER texts_report_ai; DROP TRIGGER texts_report_ad;
        DROP TRIGGER texts_report_au; DROP TRIGGER documents_report_ai;
        DROP TRIGGER documents_report_au; DROP TRIGGER documents_report_ad;
        DROP TRIGGER reports_texts_ad;
        CREATE VIRTUAL TABLE texts_fts USING fts5(
          title, text, content='texts', content_rowid='version_id', tokenize='trigram');
        INSERT INTO texts_fts(texts_fts) VALUES ('rebuild');
        CREATE TRIGGER texts_ai AFTER INSERT ON texts BEGIN
          INSERT INTO texts_fts(rowid, title, text) VALUES (new.version_id, new.title, new.text);
        END;
        CREATE TRIGGER texts_ad AFTER DELETE ON texts BEGIN
          INSERT INTO texts_fts(texts_fts, rowid, title, text)
          VALUES ('delete', old.version_id, old.title, old.text);
        END;
        DELETE FROM _sqlite_migrations
        WHERE name IN ('m009_search_indexes', 'm010_body_index', 'm011_report_texts');
        DROP TABLE reports_fts;
        DROP TRIGGER reports_ai; DROP TRIGGER reports_ad; DROP TRIGGER reports_au;
        """
    )
    conn.commit()
    conn.close()
    with caplog.at_level(logging.INFO, logger="archive.db"):
        open_archive(copy).close()
    assert (
        f"upgrading the archive in {copy}: m009_search_indexes, m010_body_index,"
        " m011_report_texts" in caplog.text
    )
    with sqlite3.connect(copy / DB_NAME) as conn:
        for word in WORDS:
            assert indexed(conn, word) == scanned(conn, word), word
        assert_report_texts_right(conn)
        (declared,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'report_texts_fts'"
        ).fetchone()
        assert 'content="report_texts"' in declared
        left = conn.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'texts_fts%'"
            " OR name IN ('texts_ai', 'texts_ad')"
        ).fetchall()
        assert left == []
