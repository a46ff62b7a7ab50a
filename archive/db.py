"""Opening the archive: the SQLite file, its pragmas and migrations, the blob store, the lock.

One writer at a time: a crawl takes an exclusive ``flock`` on ``DATA/crawl.lock`` for
its whole run, and every write is a ``BEGIN IMMEDIATE`` transaction with a busy
timeout, in WAL mode so readers (Datasette) never block it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlite_utils import Database

from archive.blobs import BlobStore
from archive.migrations import migrations

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

DB_NAME = "archive.db"
BLOB_DIR = "blobs"
LOCK_NAME = "crawl.lock"
BUSY_TIMEOUT_MS = 10_000


class ArchiveLocked(RuntimeError):
    """Another crawl holds the archive."""


def now() -> str:
    """The current time as ISO 8601 UTC text (how the archive writes times)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def connect(path: Path, *, readonly: bool = False) -> Database:
    """A sqlite-utils Database on ``path`` with the archive's pragmas.

    Autocommit mode: transactions are opened explicitly by :func:`write`.
    """
    if readonly:
        conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=10
        )
    else:
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is safe in WAL mode against crashes and kills (only power loss can
        # lose the last transactions); blobs are fsynced before rows point at them.
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    return Database(conn)


@contextlib.contextmanager
def write(db: Database) -> Iterator[Database]:
    """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


@dataclass
class Archive:
    """An opened archive directory: the database and the blob store."""

    root: Path
    db: Database
    blobs: BlobStore

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    def close(self) -> None:
        self.db.conn.close()


def open_archive(root: Path) -> Archive:
    """Open (creating and migrating if needed) the archive in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    db = connect(root / DB_NAME)
    migrations.apply(db)
    return Archive(root, db, BlobStore(root / BLOB_DIR))


class CrawlLock:
    """An exclusive, process-lifetime lock on an archive directory.

    The kernel drops a ``flock`` when its process dies, so a killed crawl never
    leaves a stale lock behind.
    """

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, run_note: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            detail = json.loads(holder) if holder.startswith("{") else {}
            raise ArchiveLocked(
                f"another crawl is running on {self.path.parent} "
                f"(pid {detail.get('pid', '?')}, started {detail.get('started', '?')}); "
                "wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(
            fd,
            json.dumps(
                {"pid": os.getpid(), "started": now(), "run": run_note}
            ).encode(),
            0,
        )
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def insert_row(db: Database, table: str, row: dict[str, object]) -> int:
    """INSERT one row; return its id.

    Plain SQL rather than ``db[table].insert``: sqlite-utils inspects the table on every
    insert, which made archiving a capture cost ~40 statements instead of a handful.
    """
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names are ours)
    cursor = db.execute(sql, list(row.values()))
    return int(cursor.lastrowid or 0)
