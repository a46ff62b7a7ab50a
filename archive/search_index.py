"""The search indexes, and the one place that declares and writes them.

- ``report_texts`` holds each report's **current** text: the titles and texts of its
  files' current versions, one row per report (``report_id``), kept by the triggers
  of :func:`report_text_triggers` whenever a text is stored or forgotten, or a
  document's current version or report changes. Search looks words up by report, so
  the number of reports found is a count of index rows, not a pass over every hit.
- ``report_texts_fts`` (trigram, external content ``report_texts``) finds a phrase of
  3 or more characters. Its declaration names ``content="report_texts"`` so that
  ``sqlite-utils search`` and Datasette's ``_search`` recognise it as that table's.
- ``texts_bigrams`` (contentless, no positions, keyed by version) finds 2 characters,
  which no trigram index can: each text is indexed as the set of its adjacent
  character pairs (``bigrams``), each pair a token. Journalists search 复议, 诉讼, 收费
  all the time; a scan of every text took 320–520 ms at 100,000 reports.

A contentless table forgets what it indexed, so removing a text means telling it the
same pairs again: :func:`add_text` and :func:`forget_text` are the only writers of
``texts`` and ``texts_bigrams``, and :data:`BIGRAM_SCHEME` must change (with a
migration rebuilding the table) if :func:`bigrams` ever does. ``report_texts`` stores
what it indexed, so its triggers can always remove an entry exactly.
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
    """Store a version's text and its pairs (``texts``' triggers refresh the report's
    row of ``report_texts`` when the version is its document's current one)."""
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


# ------------------------------------------------------------------ by report

CREATE_REPORT_TEXTS = (
    """CREATE TABLE report_texts (
        report_id INTEGER PRIMARY KEY REFERENCES reports(id),
        title TEXT,
        text TEXT NOT NULL
    )""",
    'CREATE VIRTUAL TABLE report_texts_fts USING fts5(title, text, content="report_texts",'
    ' content_rowid="report_id", tokenize="trigram")',
    """CREATE TRIGGER report_texts_ai AFTER INSERT ON report_texts BEGIN
         INSERT INTO report_texts_fts(rowid, title, text)
         VALUES (new.report_id, new.title, new.text);
       END""",
    """CREATE TRIGGER report_texts_ad AFTER DELETE ON report_texts BEGIN
         INSERT INTO report_texts_fts(report_texts_fts, rowid, title, text)
         VALUES ('delete', old.report_id, old.title, old.text);
       END""",
    """CREATE TRIGGER report_texts_au AFTER UPDATE ON report_texts BEGIN
         INSERT INTO report_texts_fts(report_texts_fts, rowid, title, text)
         VALUES ('delete', old.report_id, old.title, old.text);
         INSERT INTO report_texts_fts(rowid, title, text)
         VALUES (new.report_id, new.title, new.text);
       END""",
)

# The current text of the reports chosen by ``{where}`` (on ``d``, documents): the
# texts of their documents' current versions, one row per report. A report none of
# whose current versions has a text has no row.
_CURRENT_TEXT = """SELECT d.report_id, group_concat(t.title, char(10)),
       group_concat(t.text, char(10) || char(10))
FROM documents d JOIN texts t ON t.version_id = d.current_version_id
WHERE {where} GROUP BY d.report_id"""


def _refresh(report: str, *, unless: str = "0") -> str:
    """Statements making ``report_texts`` right for the report ``report`` (an SQL
    expression), skipped where ``unless`` holds."""
    return f"""DELETE FROM report_texts WHERE report_id = {report} AND NOT ({unless});
         INSERT INTO report_texts (report_id, title, text)
         {_CURRENT_TEXT.format(where=f"d.report_id = {report} AND NOT ({unless})")};"""  # noqa: S608 (our fragments)


# The report whose document has this version as its current one (NULL for an old version).
_REPORT_OF = """(SELECT d.report_id FROM versions v
  JOIN documents d ON d.id = v.document_id AND d.current_version_id = v.id
  WHERE v.id = {version})"""


def report_text_triggers() -> tuple[str, ...]:
    """The triggers keeping ``report_texts`` equal to :data:`_CURRENT_TEXT` of every
    report, whoever writes ``texts`` or ``documents``."""
    new_text = _REPORT_OF.format(version="new.version_id")
    old_text = _REPORT_OF.format(version="old.version_id")
    moved = "old.report_id IS new.report_id"
    return (
        f"""CREATE TRIGGER texts_report_ai AFTER INSERT ON texts
           WHEN {new_text} IS NOT NULL BEGIN {_refresh(new_text)} END""",
        f"""CREATE TRIGGER texts_report_ad AFTER DELETE ON texts
           WHEN {old_text} IS NOT NULL BEGIN {_refresh(old_text)} END""",
        f"""CREATE TRIGGER texts_report_au AFTER UPDATE OF title, text ON texts
           WHEN {new_text} IS NOT NULL BEGIN {_refresh(new_text)} END""",
        f"""CREATE TRIGGER documents_report_ai AFTER INSERT ON documents
           WHEN new.current_version_id IS NOT NULL BEGIN {_refresh("new.report_id")} END""",
        f"""CREATE TRIGGER documents_report_au
           AFTER UPDATE OF current_version_id, report_id ON documents
           WHEN old.current_version_id IS NOT new.current_version_id
             OR old.report_id IS NOT new.report_id
           BEGIN {_refresh("new.report_id")} {_refresh("old.report_id", unless=moved)} END""",
        f"""CREATE TRIGGER documents_report_ad AFTER DELETE ON documents
           BEGIN {_refresh("old.report_id")} END""",
        """CREATE TRIGGER reports_texts_ad AFTER DELETE ON reports BEGIN
             DELETE FROM report_texts WHERE report_id = old.id;
           END""",
    )


def index_all_report_texts(conn: sqlite3.Connection) -> int:
    """Fill an empty ``report_texts`` (and so its index) from the stored texts (a
    migration's work); the number of reports with a text."""
    conn.execute(
        "INSERT INTO report_texts (report_id, title, text) "
        + _CURRENT_TEXT.format(where="1")
    )
    (count,) = conn.execute("SELECT count(*) FROM report_texts").fetchone()
    return int(count)
