"""Is the archive sound? ``PRAGMA quick_check`` on ``DATA/archive.db``, read-only.

A crawl calls :func:`check_archive` before it writes anything: a damaged database
stops it with :class:`ArchiveCorrupt`, whose message says what SQLite found and how to
restore the newest backup (``archive/backup.py`` writes them to ``DATA/backups``).
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

from archive.db import DB_NAME

if TYPE_CHECKING:
    from pathlib import Path

BACKUP_DIR = "backups"
BACKUP_NAME = re.compile(r"archive-(\d{8}T\d{6}Z)-run(\d+)\.db")
SHOWN_LINES = 3  # of quick_check's answer, in the message


class ArchiveCorrupt(RuntimeError):
    """The archive database failed ``PRAGMA quick_check`` (the message says what to do)."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(corrupt_message(path, problem))


def quick_check(path: Path) -> str | None:
    """None when ``PRAGMA quick_check`` on ``path`` answers ok; else what it found.

    The connection is read-only (``mode=ro``): checking never writes, not even a WAL
    checkpoint. A file SQLite finds damaged before the check can run is damaged too,
    in SQLite's words ("database disk image is malformed", "file is not a database").

    :raises sqlite3.Error: the file could not be checked for another reason (busy for
        10 s, no permission, an I/O error): not a sign of damage.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        lines = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise
    finally:
        conn.close()
    if lines == ["ok"]:
        return None
    more = len(lines) - SHOWN_LINES
    return "; ".join(lines[:SHOWN_LINES]) + (f" (and {more} more)" if more > 0 else "")


def check_archive(root: Path) -> None:
    """Raise :class:`ArchiveCorrupt` unless ``root``'s archive passes ``quick_check``.

    An archive that does not exist yet passes (the crawl creates it). Read-only and
    safe while ``nianbao serve`` reads the archive; O(size of the database).

    :raises ArchiveCorrupt: naming the file, what SQLite said, and the restore command.
    :raises sqlite3.Error: the file could not be checked for another reason.
    """
    path = root / DB_NAME
    if not path.exists():
        return
    problem = quick_check(path)
    if problem is not None:
        raise ArchiveCorrupt(path, problem)


def is_corruption(exc: sqlite3.Error) -> bool:
    """Did SQLite find the file damaged (``SQLITE_CORRUPT*``) or not a database at all?"""
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB"


def backups(root: Path) -> list[Path]:
    """The backups in ``root/backups``, newest first (by the time in their names)."""
    found = [
        (match.group(1), int(match.group(2)), path)
        for path in (root / BACKUP_DIR).glob("archive-*.db")
        if (match := BACKUP_NAME.fullmatch(path.name))
    ]
    return [path for _, _, path in sorted(found, reverse=True)]


def corrupt_message(
    path: Path, problem: str, found_by: str = "PRAGMA quick_check"
) -> str:
    """What a damaged archive stops with: the file, SQLite's words, what to do."""
    root = path.parent
    newest = backups(root)
    if newest:
        remedy = (
            f"restore the newest backup ({newest[0].name}) with "
            f"`nianbao restore --data {root}`; the damaged file is kept aside"
        )
    else:
        remedy = (
            f"there is no backup in {root / BACKUP_DIR}: keep a copy of the file, and "
            f"try sqlite3's `.recover` on it"
        )
    return f"{path} is damaged ({found_by}: {problem}); nothing was written: {remedy}"
