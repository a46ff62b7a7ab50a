"""Integrity and backups (reliability row 26): the restore drill on a real crawled archive.

Back it up, damage the live database in a page region, see the damage detected (an
exception that says what to do, never a traceback), restore, and find the same rows
and the same blobs as before.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from app.cli import cli
from archive.backup import (
    KEEP,
    BackupError,
    backup_archive,
    newest_run,
    restore_archive,
)
from archive.db import DB_NAME, ArchiveLocked, CrawlLock, open_archive
from archive.integrity import ArchiveCorrupt, backups, check_archive, quick_check
from archive.migrations import migrations

if TYPE_CHECKING:
    from pathlib import Path

BACKUP_NAME = re.compile(r"archive-\d{8}T\d{6}Z-run(\d+)\.db")
FLIPPED = ("reports", "versions")  # tables whose root pages get damaged


def table_counts(db: Path) -> dict[str, int]:
    """Rows of every table (the virtual search index and its shadow tables too)."""
    with closing(sqlite3.connect(db)) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: conn.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
            for name in names
        }


def blob_references(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        return {
            sha256
            for (sha256,) in conn.execute(
                "SELECT sha256 FROM versions UNION"
                " SELECT sha256 FROM captures WHERE sha256 IS NOT NULL"
            )
        }


def blob_path(root: Path, sha256: str) -> Path:
    return root / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256


def damage(db: Path) -> list[int]:
    """Flip the first 32 bytes (b-tree page header, cell pointers) of some root pages.

    The WAL is checkpointed first, so that the file alone holds those pages. Page 1,
    with the 100-byte database header, is left alone. Returns the pages damaged.
    """
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        marks = ", ".join("?" * len(FLIPPED))
        pages = [
            page
            for (page,) in conn.execute(
                f"SELECT rootpage FROM sqlite_master WHERE name IN ({marks})", FLIPPED
            )
        ]
    assert pages
    assert min(pages) > 1
    with db.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * size)
            flipped = bytes(b ^ 0xFF for b in handle.read(32))
            handle.seek((page - 1) * size)
            handle.write(flipped)
    return pages


def test_the_restore_drill(archive_copy: Path) -> None:
    root = archive_copy
    live = root / DB_NAME
    counts, references = table_counts(live), blob_references(live)
    assert counts["reports"] == 124
    assert counts["versions"] > 0
    assert counts["captures"] > 0
    assert references

    made = backup_archive(root, newest_run(root))
    run = BACKUP_NAME.fullmatch(made.path.name)
    assert run is not None
    assert int(run.group(1)) == made.run_id == 1
    assert made.run_status == "complete"
    assert (made.reports, made.versions) == (counts["reports"], counts["versions"])
    assert made.blobs == len(references)
    assert made.missing_blobs == ()
    assert backups(root) == [made.path]
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]

    damage(live)
    problem = quick_check(live)
    assert problem is not None
    with pytest.raises(ArchiveCorrupt) as caught:
        check_archive(root)
    message = str(caught.value)
    assert message.startswith(f"{live} is damaged (PRAGMA quick_check: {problem})")
    assert f"`nianbao restore --data {root}`" in message
    assert made.path.name in message
    with pytest.raises(ArchiveCorrupt):  # no backup of a damaged archive…
        backup_archive(root, 2)
    assert backups(root) == [made.path]  # …and the good one is kept

    restored = restore_archive(root)
    assert restored.source == made.path
    assert restored.replaced_problem == problem
    assert restored.aside is not None
    assert re.fullmatch(r"archive\.db\.corrupt-\d{8}T\d{6}Z", restored.aside.name)
    assert quick_check(restored.aside) is not None  # kept as it was, never deleted
    assert not (root / "archive.db-wal").exists()
    assert not (root / "archive.db-shm").exists()
    check_archive(root)
    assert table_counts(live) == counts
    assert blob_references(live) == references
    assert all(blob_path(root, sha256).is_file() for sha256 in references)
    assert restored.snapshot.missing_blobs == ()
    assert (restored.snapshot.run_id, restored.snapshot.reports) == (1, 124)

    archive = open_archive(root)  # the crawl's way in: WAL again, nothing to migrate
    try:
        mode = archive.db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert migrations.pending(archive.db) == []
    finally:
        archive.close()


def test_a_backup_is_one_consistent_file_while_a_reader_holds_a_snapshot(
    archive_copy: Path,
) -> None:
    live = archive_copy / DB_NAME
    with closing(sqlite3.connect(f"file:{live}?mode=ro", uri=True)) as reader:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM reports").fetchone() == (124,)
        made = backup_archive(archive_copy, 1)
        reader.execute("COMMIT")
    with made.path.open("rb") as handle:
        header = handle.read(20)
    assert header[18:20] == b"\x01\x01"  # rollback journal: no -wal needed beside it
    assert quick_check(made.path) is None
    assert table_counts(made.path) == table_counts(live)


def test_only_the_newest_backups_are_kept(
    archive_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    times = iter(f"2025020{day}T020000Z" for day in range(1, 10))
    monkeypatch.setattr("archive.backup.stamp", lambda: next(times))
    folder = archive_copy / "backups"
    folder.mkdir()
    leftover = folder / "archive-20250101T000000Z-run9.db.tmp"  # a killed backup's
    leftover.write_bytes(b"partial")
    for run in range(1, 5):
        backup_archive(archive_copy, run, keep=2)
    assert [p.name for p in backups(archive_copy)] == [
        "archive-20250204T020000Z-run4.db",
        "archive-20250203T020000Z-run3.db",
    ]
    assert not leftover.exists()
    assert KEEP == 7


def test_a_missing_blob_is_named(archive_copy: Path) -> None:
    sha256 = sorted(blob_references(archive_copy / DB_NAME))[0]
    blob_path(archive_copy, sha256).unlink()
    made = backup_archive(archive_copy, 1)
    assert made.missing_blobs == (sha256,)
    assert made.path.is_file()  # no worse than the archive: kept
    assert "1 MISSING from the blob store" in made.line()


def test_restore_is_refused_while_a_crawl_holds_the_archive(archive_copy: Path) -> None:
    backup_archive(archive_copy, 1)
    before = (archive_copy / DB_NAME).read_bytes()
    lock = CrawlLock(archive_copy)
    lock.acquire("crawl")
    try:
        with pytest.raises(ArchiveLocked, match="another crawl is running"):
            restore_archive(archive_copy)
    finally:
        lock.release()
    assert (archive_copy / DB_NAME).read_bytes() == before


def test_a_damaged_backup_is_not_restored(archive_copy: Path) -> None:
    made = backup_archive(archive_copy, 1)
    damage(made.path)
    before = table_counts(archive_copy / DB_NAME)
    with pytest.raises(
        BackupError, match=re.escape(f"the backup {made.path} is damaged")
    ):
        restore_archive(archive_copy)
    assert table_counts(archive_copy / DB_NAME) == before
    assert not list(archive_copy.glob("archive.db.*"))


def test_no_backup_says_how_to_make_one(archive_copy: Path) -> None:
    with pytest.raises(BackupError, match="`nianbao backup` makes one now"):
        restore_archive(archive_copy)
    damage(archive_copy / DB_NAME)
    with pytest.raises(ArchiveCorrupt, match=r"there is no backup in .*`\.recover`"):
        check_archive(archive_copy)


def test_a_missing_archive_passes_the_check(tmp_path: Path) -> None:
    check_archive(tmp_path)  # the first crawl creates it
    (tmp_path / DB_NAME).write_bytes(b"not a database, at all" * 100)
    with pytest.raises(ArchiveCorrupt, match="file is not a database"):
        check_archive(tmp_path)


def test_the_commands_back_up_list_and_restore(archive_copy: Path) -> None:
    data = ["--data", str(archive_copy)]
    root = re.escape(str(archive_copy))
    made = CliRunner().invoke(cli, ["backup", *data])
    assert made.exit_code == 0, made.output
    assert re.match(
        rf"backed up {root}/archive\.db to {root}/backups/"
        r"archive-\d{8}T\d{6}Z-run1\.db \(\d+\.\d MB, \d+\.\d s\): run 1 \(complete, "
        r"ended .+\), 124 reports, \d+ versions, \d+ blobs referenced, all present\n",
        made.output,
    )
    listed = CliRunner().invoke(cli, ["restore", "--list", *data])
    assert listed.exit_code == 0
    assert re.fullmatch(
        r"archive-\d{8}T\d{6}Z-run1\.db  \d+\.\d MB  run 1 \(complete, ended .+\), "
        r"124 reports, \d+ versions, \d+ blobs referenced\n",
        listed.output,
    )

    damage(archive_copy / DB_NAME)
    refused = CliRunner().invoke(cli, ["backup", *data])
    assert refused.exit_code == 1
    assert "is damaged (PRAGMA quick_check:" in refused.output
    assert "Traceback" not in refused.output

    done = CliRunner().invoke(cli, ["restore", *data])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0].startswith(f"restored {archive_copy}/archive.db from ")
    assert "run 1 (complete" in lines[0]
    assert "124 reports" in lines[0]
    assert re.fullmatch(
        rf"the database it replaced is kept as {root}/archive\.db\.corrupt-"
        r"\d{8}T\d{6}Z \(quick_check: .+\)",
        lines[1],
    )
    assert lines[2].startswith("restart `nianbao serve` if it is running")
    check_archive(archive_copy)


def test_the_commands_refuse_what_they_cannot_do(archive_copy: Path) -> None:
    data = ["--data", str(archive_copy)]
    missing = CliRunner().invoke(cli, ["restore", "--from", "/nonexistent.db", *data])
    assert missing.exit_code == 1
    assert "no backup at /nonexistent.db" in missing.output
    lock = CrawlLock(archive_copy)
    lock.acquire("crawl")
    try:
        busy = CliRunner().invoke(cli, ["backup", *data])
    finally:
        lock.release()
    assert busy.exit_code == 1
    assert "another crawl is running" in busy.output
