"""Backups of the archive database, and restoring one.

A backup is a copy of ``DATA/archive.db`` made with SQLite's online backup API (one
step, so one consistent snapshot; WAL readers such as ``nianbao serve`` go on reading),
checked with ``quick_check``, fsynced and renamed into
``DATA/backups/archive-<UTC stamp>-run<id>.db``; the newest ``KEEP`` stay. The blobs
are content-addressed and never deleted, so a backup plus ``DATA/blobs`` is the whole
archive as it was: :func:`backup_archive` checks that every blob it references exists.

Both functions expect the caller to hold the crawl lock (``archive.db.CrawlLock``):
:func:`restore_archive` takes it itself.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from archive.blobs import BlobStore, fsync_path
from archive.db import BLOB_DIR, DB_NAME, CrawlLock
from archive.integrity import (
    BACKUP_DIR,
    ArchiveCorrupt,
    backups,
    is_corruption,
    quick_check,
)

if TYPE_CHECKING:
    from pathlib import Path

KEEP = 7  # backups kept; each is a full copy of the database
TMP_SUFFIX = ".tmp"
BLOB_REFERENCES = "SELECT sha256 FROM versions UNION SELECT sha256 FROM captures WHERE sha256 IS NOT NULL"


class BackupError(RuntimeError):
    """A backup could not be made or restored (the message says why and what to do)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one archive database holds: its newest run and how much."""

    path: Path
    run_id: int  # the newest run it records (0: none)
    run_status: str
    run_ended: str
    reports: int
    versions: int
    blobs: int  # distinct blobs its versions and captures reference
    # of those, the ones DATA/blobs lacks (None: not checked)
    missing_blobs: tuple[str, ...] | None

    def line(self) -> str:
        """One line for people: the run, the counts, whether every blob is there."""
        run = f"run {self.run_id} ({self.run_status}, ended {self.run_ended or '?'})"
        presence = ""
        if self.missing_blobs is not None:
            missing = len(self.missing_blobs)
            presence = (
                f", {missing} MISSING from the blob store"
                if missing
                else ", all present"
            )
        return (
            f"{run}, {self.reports} reports, {self.versions} versions, "
            f"{self.blobs} blobs referenced{presence}"
        )


@dataclass(frozen=True, slots=True)
class Restored:
    """What :func:`restore_archive` did."""

    source: Path  # the backup it restored
    snapshot: Snapshot  # what the restored archive holds
    aside: Path | None  # where the replaced database went (None: there was none)
    replaced_problem: str | None  # what quick_check said of it (None: it was sound)


def stamp() -> str:
    """Now, UTC, as it goes into file names: ``20250203T020512Z``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def backup_archive(root: Path, run_id: int, *, keep: int = KEEP) -> Snapshot:
    """Back up ``root``'s database as of run ``run_id``; keep the newest ``keep`` backups.

    The copy is written to a temporary name, checked with ``quick_check`` (the backup
    API copies pages as they are, so this also checks the live database), fsynced and
    renamed into place; only then are older backups deleted. Safe while readers are
    connected; call it holding the crawl lock.

    :returns: the new backup (``.path``) and what it holds; ``.missing_blobs`` lists
        referenced blobs absent from ``root/blobs`` (the backup is kept all the same:
        it is no worse than the archive).
    :raises ArchiveCorrupt: the copy fails ``quick_check``; older backups are kept.
    :raises BackupError: the archive is missing or cannot be copied (e.g. disk full).
    """
    source = root / DB_NAME
    if not source.is_file():
        raise BackupError(
            f"no archive in {root} to back up (run `nianbao crawl` first)"
        )
    folder = root / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    _clear_temporary(folder)
    final = folder / f"archive-{stamp()}-run{run_id}.db"
    tmp = final.with_name(final.name + TMP_SUFFIX)
    try:
        _copy(source, tmp)
        problem = _check(tmp)
        if problem is not None:
            raise ArchiveCorrupt(source, problem)
        fsync_path(tmp)
        tmp.replace(final)
        fsync_path(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _rotate(root, keep)
    return snapshot(final, root)


def restore_archive(root: Path, source: Path | None = None) -> Restored:
    """Replace ``root``'s database by a backup: ``source``, else the newest.

    Under the crawl lock (a running crawl refuses it: ``ArchiveLocked``). The backup is
    checked first and copied to a temporary name; the database it replaces is kept as
    ``archive.db.corrupt-<stamp>`` (or ``.replaced-<stamp>`` when it was sound), its
    ``-wal`` beside it as ``…-wal`` (it may hold its last transactions), its ``-shm``
    removed; then the copy is renamed into place and checked again.

    :raises archive.db.ArchiveLocked: a crawl holds the archive.
    :raises BackupError: no backup, or the chosen one is damaged or unreadable.
    """
    lock = CrawlLock(root)
    lock.acquire("restore")
    try:
        return _restore(root, source or _newest(root))
    finally:
        lock.release()


def snapshot(path: Path, root: Path, *, check_blobs: bool = True) -> Snapshot:
    """What the database at ``path`` holds, and (``check_blobs``) which of the blobs it
    references ``root/blobs`` lacks: one ``stat`` per blob.

    :raises BackupError: the file cannot be read as an archive.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from exc
    try:
        run = conn.execute(
            "SELECT id, status, coalesce(ended, '') FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone() or (0, "none", "")
        reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        hashes = [row[0] for row in conn.execute(BLOB_REFERENCES)]
    except sqlite3.Error as exc:
        raise BackupError(f"cannot read {path} as an archive: {exc}") from exc
    finally:
        conn.close()
    missing = _missing(root, hashes) if check_blobs else None
    return Snapshot(
        path, run[0], run[1], run[2], reports, versions, len(hashes), missing
    )


def _missing(root: Path, hashes: list[str]) -> tuple[str, ...]:
    store = BlobStore(root / BLOB_DIR)

    def present(sha256: str) -> bool:
        try:
            return store.path(sha256).is_file()
        except ValueError:  # not a SHA-256: no blob can be its
            return False

    return tuple(h for h in hashes if not present(h))


def newest_run(root: Path) -> int:
    """The id of the newest run ``root``'s archive records (0: none).

    :raises ArchiveCorrupt: SQLite finds it damaged.
    :raises BackupError: the archive cannot be read for another reason.
    """
    path = root / DB_NAME
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT max(id) FROM runs").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if is_corruption(exc):
            raise ArchiveCorrupt(path, str(exc)) from exc
        raise BackupError(f"cannot read {path}: {exc}") from exc
    return int(row[0] or 0)


def _copy(source: Path, target: Path) -> None:
    """One-step online backup of ``source`` into ``target``, as a rollback-journal file.

    One step holds one read transaction for the whole copy: a consistent snapshot, and
    WAL writers are not blocked. The copy leaves WAL mode so that it is one self-
    contained file (no ``-wal``/``-shm`` beside it); a crawl turns WAL back on.
    """
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=10)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        if is_corruption(exc):
            raise ArchiveCorrupt(source, str(exc)) from exc
        raise BackupError(f"cannot copy {source} to {target}: {exc}") from exc


def _restore(root: Path, source: Path) -> Restored:
    if not source.is_file():
        raise BackupError(
            f"no backup at {source} (`nianbao restore --list` lists them)"
        )
    problem = _check(source)
    if problem is not None:
        older = [p.name for p in backups(root) if p != source]
        hint = f"; try an older one: {', '.join(older)}" if older else ""
        raise BackupError(f"the backup {source} is damaged ({problem}){hint}")
    live = root / DB_NAME
    incoming = live.with_name(f"{DB_NAME}.restoring{TMP_SUFFIX}")
    incoming.unlink(missing_ok=True)
    _copy(source, incoming)
    fsync_path(incoming)
    replaced = _check(live) if live.exists() else None
    aside = _set_aside(live, "corrupt" if replaced else "replaced")
    incoming.replace(live)
    fsync_path(root)
    after = _check(live)
    if after is not None:  # a copy of a checked file: only a failing disk gets here
        raise ArchiveCorrupt(live, after)
    return Restored(source, snapshot(live, root), aside, replaced)


def _check(path: Path) -> str | None:
    """:func:`quick_check`, with a failure to check at all as a :class:`BackupError`."""
    try:
        return quick_check(path)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot check {path}: {exc}") from exc


def _set_aside(live: Path, why: str) -> Path | None:
    """Rename the database (and its -wal) out of the way; drop its -shm (an index only)."""
    if not live.exists():
        return None
    aside = live.with_name(f"{live.name}.{why}-{stamp()}")
    live.replace(aside)
    wal = live.with_name(live.name + "-wal")
    if wal.exists():
        wal.replace(aside.with_name(aside.name + "-wal"))
    live.with_name(live.name + "-shm").unlink(missing_ok=True)
    return aside


def _newest(root: Path) -> Path:
    found = backups(root)
    if not found:
        raise BackupError(
            f"no backup in {root / BACKUP_DIR}: crawls make one after each complete "
            "run, `nianbao backup` makes one now"
        )
    return found[0]


def _rotate(root: Path, keep: int) -> None:
    for old in backups(root)[max(keep, 1) :]:
        old.unlink(missing_ok=True)


def _clear_temporary(folder: Path) -> None:
    """Temporary copies a killed backup left behind (the caller holds the crawl lock)."""
    for leftover in folder.glob(f"*{TMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)
    for journal in folder.glob(f"*{TMP_SUFFIX}-journal"):
        journal.unlink(missing_ok=True)
