"""The search indexes beside ``texts``: the bigram index finds what a scan finds, stays
right when texts are replaced, and migration m009 builds both from the stored texts."""

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
    conn.execute("INSERT INTO texts_fts(texts_fts) VALUES ('integrity-check')")
    conn.commit()
    for word in WORDS:
        assert indexed(conn, word) == scanned(conn, word), word
    conn.close()


def test_migration_m009_builds_both_indexes_from_the_stored_texts(
    copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An archive as m008 left it: the trigram index declared with 'texts', no bigrams."""
    conn = sqlite3.connect(copy / DB_NAME)
    conn.executescript(
        """
        DROP TABLE texts_bigrams;
        DROP TRIGGER texts_ai; DROP TRIGGER texts_ad; DROP TABLE texts_fts;
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
        DELETE FROM _sqlite_migrations WHERE name = 'm009_search_indexes';
        """
    )
    conn.commit()
    conn.close()
    with caplog.at_level(logging.INFO, logger="archive.db"):
        open_archive(copy).close()
    assert f"upgrading the archive in {copy}: m009_search_indexes" in caplog.text
    with sqlite3.connect(copy / DB_NAME) as conn:
        (declared,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'texts_fts'"
        ).fetchone()
        assert 'content="texts"' in declared
        for word in WORDS:
            assert indexed(conn, word) == scanned(conn, word), word
        trigram = {
            v
            for (v,) in conn.execute(
                "SELECT rowid FROM texts_fts WHERE texts_fts MATCH '\"行政复议\"'"
            )
        }
        assert trigram == scanned(conn, "行政复议")
        assert trigram
