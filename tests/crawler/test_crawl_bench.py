"""The crawl benches' harness (bench/crawl_bench.py): B10's peak RSS of the crawl
process, told apart from its parse workers and anything else under it; B1's baselines
over nianbao's own link graph; B3 polite's day between its nights."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bench.crawl_bench import (
    a_day_passes,
    b10_memory,
    baselines,
    crawl_command,
    crawl_roles,
)
from bench.measure import rows, run

if TYPE_CHECKING:
    from pathlib import Path

    from replica.server import ReplicaThread


def test_the_crawl_its_parse_workers_and_the_rest_are_told_apart() -> None:
    role = crawl_roles(100)
    command = "/x/.venv/bin/python -m app crawl --proxy http://127.0.0.1:1 --data d"
    assert role(100, command) == "crawl"
    assert role(101, command) == "parse"
    assert role(102, "taskset -c 1 " + command) == "parse"
    assert role(103, "/usr/bin/chromium --headless") == "other"


def test_two_nights_of_a_source_give_two_peaks(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    memory = b10_memory(replica.proxy, 2, tmp_path, ["wip"])
    assert len(memory.peaks_mb) == 2
    assert all(60 < peak < 2000 for peak in memory.peaks_mb), memory.peaks_mb
    assert memory.ratio == memory.peaks_mb[1] / memory.peaks_mb[0]


def test_b1_runs_the_bare_spider_and_the_peer_over_nianbaos_link_graph(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    """The peer (Scrapy + FilesPipeline + sqlite-utils) fetches every URL nianbao did:
    its pages as rows, its attachments through the FilesPipeline as files and rows."""
    data = tmp_path / "archive"
    run(crawl_command(replica.proxy, data, ["wip"]))
    db = data / "archive.db"
    captured = dict(rows(db, "SELECT kind, COUNT(*) FROM captures GROUP BY kind"))
    measured = baselines(replica.proxy, db, 1, tmp_path)
    assert measured.pages == sum(captured.values())
    assert measured.ours > 0
    assert measured.bare > 0
    assert measured.peer > 0
    peer = sqlite3.connect(tmp_path / "peer" / "peer.db")
    pages = peer.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    files = peer.execute("SELECT path, checksum FROM files").fetchall()
    assert len(files) == captured["attachment"]
    assert pages == captured["page"] + captured["list"]
    for path, checksum in files:  # the FilesPipeline's own MD5 of what it stored
        stored = (tmp_path / "peer" / "files" / path).read_bytes()
        assert hashlib.md5(stored).hexdigest() == checksum


def test_b3_polite_s_second_night_comes_a_day_later(archive_copy: Path) -> None:
    """Every time the crawl decides by (when things were read and verified, the runs)
    moves back one day, to the millisecond; nothing else changes."""
    db = archive_copy / "archive.db"
    query = "SELECT id, started, ended FROM {} ORDER BY id"
    before = {t: rows(db, query.format(t)) for t in ("captures", "runs")}
    counts = rows(db, "SELECT COUNT(*), COUNT(DISTINCT url) FROM captures")
    a_day_passes(db)
    for table, earlier in before.items():
        after = rows(db, query.format(table))
        assert len(after) == len(earlier) > 0
        for (i, *was), (j, *now) in zip(earlier, after, strict=True):
            assert i == j
            for old, new in zip(was, now, strict=True):
                if old is None:
                    assert new is None
                    continue
                shift = datetime.fromisoformat(old) - datetime.fromisoformat(new)
                assert shift == timedelta(days=1), (table, old, new)
    assert rows(db, "SELECT COUNT(*), COUNT(DISTINCT url) FROM captures") == counts
