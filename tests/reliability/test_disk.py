"""A full disk (issue 11, point 9; reliability row 20), on a real small file system.

The archive lives on a 12 MB tmpfs (mounted by the test: the suite runs as root, as
CI does); night 1 of the replica needs about 16 MB.
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from tests.crawler.helpers import run_crawl
from tests.reliability.invariants import QUIET, assert_sound, rows

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from replica.server import ReplicaThread


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["/bin/mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (
        f"cannot mount a tmpfs (run the tests as root): {done.stderr}"
    )
    yield mount
    subprocess.run(["/bin/umount", "-l", str(mount)], check=False)


def _grow(mount: Path) -> None:
    subprocess.run(["/bin/mount", "-o", "remount,size=200m", str(mount)], check=True)


def test_a_crawl_refuses_to_start_below_the_free_space_floor(
    small_disk: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    data = small_disk / "archive"
    done = run_crawl(
        data, replica_at(1).proxy, env={**QUIET, "NIANBAO_MIN_FREE_MB": "100"}
    )
    assert done.returncode == 6, done.stdout + done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"Error: only 12 MB free on the disk of {data} (a crawl needs at least 100 MB"
        )
    )
    assert not (data / "archive.db").exists()


def test_a_disk_that_fills_during_a_crawl_stops_it_soundly_and_the_next_one_converges(
    small_disk: Path, night1: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    data = small_disk / "archive"
    done = run_crawl(
        data, replica_at(1).proxy, env={**QUIET, "NIANBAO_MIN_FREE_MB": "1"}
    )
    out = done.stdout + done.stderr
    assert done.returncode == 6, out
    assert "why: the disk is full" in out
    assert "Traceback" not in out
    status = rows(data, "SELECT status FROM runs")
    assert status in ([("disk_full",)], [("running",)])  # closed, if the disk let it
    _grow(small_disk)
    assert_sound(data)
    again = run_crawl(data, replica_at(1).proxy, env=QUIET)
    assert again.returncode == 0, again.stdout + again.stderr
    assert rows(data, "SELECT status FROM runs WHERE id = 1")[0][0] in (
        "disk_full",
        "interrupted",
    )
    query = (
        "SELECT d.url, v.sha256 FROM versions v JOIN documents d ON d.id = v.document_id "
        "ORDER BY d.url, v.sha256"
    )
    assert rows(data, query) == rows(night1, query)  # the same as an untroubled night 1
    assert rows(data, "SELECT kind, baseline, COUNT(*) FROM events GROUP BY 1, 2") == [
        ("new_report", 1, 124)
    ]
    told = rows(data, "SELECT title FROM outbox WHERE key = 'health:disk_full:1'")
    assert told in (
        [],
        [("存档所在磁盘已满，抓取已停止",)],
    )  # queued, if the disk let it
    assert_sound(data)
