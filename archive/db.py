"""Opening the archive: the SQLite file, its pragmas and migrations, the blob store, the lock.

One writer at a time: a crawl takes an exclusive ``flock`` on ``DATA/crawl.lock`` for
its whole run, and every write is a ``BEGIN IMMEDIATE`` transaction with a busy
timeout, in WAL mode so readers (Datasette) never block it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import signal
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from archive.blobs import BlobStore
from archive.migrations import migrations

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger(__name__)
DB_NAME = "archive.db"
BLOB_DIR = "blobs"
LOCK_NAME = "crawl.lock"
BUSY_TIMEOUT_MS = 10_000


FULL_MARKS = (f"[Errno {errno.ENOSPC}]", "database or disk is full", "No space left")


def is_disk_full(error: BaseException | str | None) -> bool:
    """Is this error (or a crawl's close reason) the archive's disk being full?"""
    if isinstance(error, OSError):
        return error.errno == errno.ENOSPC
    if isinstance(error, sqlite3.Error):
        return "full" in str(error)
    text = str(error or "")
    return any(mark in text for mark in FULL_MARKS)


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
    pending = [m.name for m in migrations.pending(db)]
    if pending and db["runs"].exists():  # an existing archive, not a new one
        logger.info(
            "upgrading the archive in %s: %s (building search indexes may take a"
            " minute per 50,000 reports)",
            root,
            ", ".join(pending),
        )
    migrations.apply(db)
    return Archive(root, db, BlobStore(root / BLOB_DIR))


_HELD: set[int] = set()  # descriptors of the crawl locks this process holds


def held_lock_fds() -> tuple[int, ...]:
    """The descriptors of the locks this process holds: a forked worker closes them,
    so that it never keeps an archive locked (app/sandbox.py)."""
    return tuple(sorted(_HELD))


class CrawlLock:
    """An exclusive, process-lifetime lock on an archive directory.

    The kernel drops a ``flock`` when the last process holding it dies. A forked
    child shares it, so children close it (:func:`held_lock_fds`); and a lock whose
    crawl is gone but which leftover children of that crawl still hold (workers of
    an older nianbao, killed with their crawl) is taken over: they are stopped, and
    the log says so.
    """

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, run_note: str) -> None:
        """Take the lock, or raise :class:`ArchiveLocked` naming its holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _try_lock(fd):
                holder = _holder(fd)
                if _alive(holder.get("pid")) or not _take_over(self.path, holder):
                    raise ArchiveLocked(_locked_message(self.path, holder))
                if not _try_lock(fd, wait=TAKEOVER_WAIT):
                    raise ArchiveLocked(_locked_message(self.path, holder))
        except BaseException:
            os.close(fd)
            raise
        _HELD.add(fd)
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
            _HELD.discard(self._fd)
            os.close(self._fd)
            self._fd = None


TAKEOVER_WAIT = 10.0  # seconds for stopped leftovers to let go of a lock


def _try_lock(fd: int, wait: float = 0.0) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        else:
            return True


def _holder(fd: int) -> dict[str, Any]:
    """What the holder wrote into the lock file: pid, start time, what it runs."""
    text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    try:
        found = json.loads(text) if text.startswith("{") else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _alive(pid: object) -> bool:
    """Is ``pid`` a running process (not a zombie)? Unknown pids count as alive."""
    if not isinstance(pid, int):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return stat.read_text().rsplit(") ", 1)[-1][:1] != "Z"
    return True


def _openers(path: Path) -> list[int]:
    """Processes (other than this one) that have ``path`` open, from /proc."""
    target = path.resolve()
    return sorted(
        int(proc.name)
        for proc in Path("/proc").iterdir()
        if proc.name.isdigit()
        and int(proc.name) != os.getpid()
        and target in _open_files(proc)
    )


def _open_files(proc: Path) -> set[Path]:
    """The files a process (``/proc/<pid>``) has open; empty if it cannot be read."""
    files = set()
    with contextlib.suppress(OSError):
        for fd in (proc / "fd").iterdir():
            with contextlib.suppress(OSError):
                files.add(fd.readlink())
    return files


def _take_over(path: Path, holder: dict[str, Any]) -> bool:
    """Stop the leftovers of a dead crawl that still hold its lock; False if none."""
    leftovers = _openers(path)
    if not leftovers:
        return False
    logger.warning(
        "taking over %s: its crawl (pid %s, started %s) is gone, but leftover "
        "process(es) %s of it still hold the lock; stopping them",
        path,
        holder.get("pid", "?"),
        holder.get("started", "?"),
        ", ".join(map(str, leftovers)),
    )
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return True


def _locked_message(path: Path, holder: dict[str, Any]) -> str:
    pid, started = holder.get("pid", "?"), holder.get("started", "?")
    if _alive(holder.get("pid")):
        return (
            f"another crawl is running on {path.parent} "
            f"(pid {pid}, started {started}); wait for it to finish"
        )
    return (
        f"{path} is held by processes left over from crawl pid {pid} (started "
        f"{started}), which is gone, and they could not be stopped: "
        f"see `fuser -v {path}`"
    )


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
