"""A damaged archive is refused before anything is written, with the way back, and a
complete run leaves a backup (issue 11, point 8; reliability row 26)."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import TYPE_CHECKING

from archive.backup import backup_archive, newest_run
from tests.archive.test_backup import damage
from tests.crawler.helpers import run_crawl
from tests.reliability.invariants import QUIET, rows

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from replica.server import ReplicaThread


def test_a_crawl_refuses_a_damaged_archive_and_names_the_restore(
    archive_copy: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    db = archive_copy / "archive.db"
    backup_archive(archive_copy, newest_run(archive_copy))
    damage(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    done = run_crawl(archive_copy, replica_at(2).proxy, env=QUIET)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"nianbao restore --data {archive_copy}" in done.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # not a byte written


def test_a_complete_run_leaves_a_backup_that_restores_to_it(
    tmp_path: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    data = tmp_path / "archive"
    done = run_crawl(data, replica_at(1).proxy, "--source", "whctp", env=QUIET)
    assert done.returncode == 0, done.stdout + done.stderr
    (backup,) = sorted((data / "backups").glob("archive-*-run1.db"))
    query = (
        "SELECT url, sha256 FROM versions JOIN documents ON documents.id = document_id"
    )
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as copy:
        saved = sorted(copy.execute(query).fetchall())
    assert saved == sorted(rows(data, query))
    assert len(saved) == rows(data, "SELECT COUNT(*) FROM versions")[0][0] > 0
