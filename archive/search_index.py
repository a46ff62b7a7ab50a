"""The search indexes beside ``texts``, and the one place that writes them.

- ``texts_fts`` (trigram, external content ``texts``, kept by triggers) finds a phrase
  of 3 or more characters. Its declaration names ``content="texts"`` so that
  ``sqlite-utils search`` and Datasette's ``_search`` recognise it as ``texts``' index.
- ``texts_bigrams`` (contentless, no positions) finds 2 characters, which no trigram
  index can: each text is indexed as the set of its adjacent character pairs
  (``bigrams``), each pair a token. Journalists search 复议, 诉讼, 收费 all the time; a
  scan of every text took 320–520 ms at 100,000 reports.

A contentless table forgets what it indexed, so removing a text means telling it the
same pairs again: :func:`add_text` and :func:`forget_text` are the only writers, and
:data:`BIGRAM_SCHEME` must change (with a migration rebuilding the table) if
:func:`bigrams` ever does.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

logger = logging.getLogger(__name__)
BIGRAM_SCHEME = 1
# Pairs of these characters are indexed: CJK ideographs (the basic block and
# extension A) and ASCII letters and digits. unicode61 reads each such pair as one
# token and folds ASCII case, as the search does.
_INDEXED = "\u3400-\u4dbf\u4e00-\u9fff0-9A-Za-z"
_RUN = re.compile(f"[{_INDEXED}]{{2,}}")
_PAIR = re.compile(f"[{_INDEXED}]{{2}}")

CREATE_BIGRAMS = (
    "CREATE VIRTUAL TABLE texts_bigrams USING fts5("
    "grams, content='', detail=none, tokenize='unicode61 remove_diacritics 0')"
)


def bigrams(text: str) -> str:
    """The distinct indexed character pairs of ``text``, lower-cased, sorted, one
    space between them: what ``texts_bigrams`` holds for a text."""
    pairs: set[str] = set()
    for run in _RUN.findall(text.lower()):
        pairs.update(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(sorted(pairs))


def indexed_pair(term: str) -> bool:
    """Whether a 2-character term can be looked up in ``texts_bigrams``."""
    return bool(_PAIR.fullmatch(term))


def _grams(title: str | None, text: str) -> str:
    return bigrams(f"{title or ''}\n{text}")


def add_text(
    conn: sqlite3.Connection,
    version_id: int,
    report_id: int,
    title: str | None,
    text: str,
) -> None:
    """Store a version's text: ``texts`` (its trigger fills ``texts_fts``) and its pairs."""
    conn.execute(
        "INSERT INTO texts (version_id, report_id, title, text) VALUES (?, ?, ?, ?)",
        [version_id, report_id, title, text],
    )
    conn.execute(
        "INSERT INTO texts_bigrams (rowid, grams) VALUES (?, ?)",
        [version_id, _grams(title, text)],
    )


def forget_text(conn: sqlite3.Connection, version_id: int) -> None:
    """Remove a version's text and its index entries, if it has one."""
    row = conn.execute(
        "SELECT title, text FROM texts WHERE version_id = ?", [version_id]
    ).fetchone()
    if row is None:
        return
    conn.execute(
        "INSERT INTO texts_bigrams (texts_bigrams, rowid, grams) VALUES ('delete', ?, ?)",
        [version_id, _grams(row[0], row[1])],
    )
    conn.execute("DELETE FROM texts WHERE version_id = ?", [version_id])


def index_all_bigrams(conn: sqlite3.Connection) -> int:
    """Fill an empty ``texts_bigrams`` from every stored text (a migration's work)."""
    count = 0
    rows = conn.execute("SELECT version_id, title, text FROM texts ORDER BY version_id")
    batch: list[tuple[int, str]] = []
    for version_id, title, text in rows:
        batch.append((version_id, _grams(title, text)))
        count += 1
        if len(batch) == 1000:
            conn.executemany(
                "INSERT INTO texts_bigrams (rowid, grams) VALUES (?, ?)", batch
            )
            batch = []
    conn.executemany("INSERT INTO texts_bigrams (rowid, grams) VALUES (?, ?)", batch)
    return count
