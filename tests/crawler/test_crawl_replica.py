"""Crawling the replica end to end, in real subprocesses, checked against its manifest."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from archive.db import CrawlLock
from crawler.registry import load_registry
from replica.catalog import catalog
from replica.server import ReplicaThread
from tests.crawler.helpers import CORE, FAST, events, rows, run_crawl, sources

if TYPE_CHECKING:
    from pathlib import Path

CORE_HOSTS = {host for s in load_registry() if s.id in CORE for host in s.hosts}


def _archived(data: Path) -> dict[tuple[str, int], dict[str, str]]:
    """(body, year) → {url: sha256 of the current version} for present reports."""
    out: dict[tuple[str, int], dict[str, str]] = {}
    for body, year, url, sha in rows(
        data,
        """SELECT r.body, r.year, d.url, v.sha256 FROM reports r JOIN documents d ON d.report_id = r.id
           JOIN versions v ON v.id = d.current_version_id WHERE r.status = 'present'""",
    ):
        out.setdefault((body, year), {})[url] = sha
    return out


def _expected(epoch: int) -> dict[tuple[str, int], dict[str, str]]:
    """The manifest's reports of the core sources' hosts (the ones crawled here)."""
    return {
        (e["body"], e["year"]): {f["url"]: f["sha256"] for f in e["files"]}
        for e in catalog(epoch).manifest()
        if e["site"] in CORE_HOSTS
    }


def _blob_hashes(data: Path) -> dict[str, bool]:
    blobs = data / "blobs" / "sha256"
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() == p.name
        for p in blobs.rglob("*")
        if p.is_file()
    }


def test_night_1_archives_every_report_and_nothing_else(night1: Path) -> None:
    archived, expected = _archived(night1), _expected(1)
    assert set(archived) == set(expected)  # recall and precision: 124 reports
    assert archived == expected  # every file of every report, byte for byte
    blobs = _blob_hashes(night1)
    assert all(blobs.values())
    assert {sha for files in archived.values() for sha in files.values()} <= set(blobs)
    duplicate = rows(
        night1,
        """SELECT d.role, v.media_type FROM documents d JOIN reports r ON r.id = d.report_id
           JOIN versions v ON v.id = d.current_version_id
           WHERE r.body = '威海火炬高技术产业开发区管理委员会' AND r.year = 2023 ORDER BY d.role""",
    )
    assert duplicate == [
        ("attachment", "application/pdf"),
        ("page", "text/html"),
    ]  # HTML + PDF, one report
    assert events(night1).count("new_report") == 124
    assert rows(
        night1, "SELECT status, list_pages, reports_found, failures FROM runs"
    ) == [("complete", 17, 124, 0)]


def test_noise_is_listed_with_its_reason_and_never_becomes_a_report(
    night1: Path,
) -> None:
    skipped = dict(
        rows(night1, "SELECT title, reason FROM listings WHERE decision = 'skipped'")
    )
    assert (
        skipped["关于2014年政府信息公开工作要点落实情况的函"] == "noise: 函 (a letter)"
    )
    assert (
        skipped["图解：威海临港经济技术开发区2023年政府信息公开工作年度报告"]
        == "noise: 解读 (an explanation of a report)"
    )
    assert (
        skipped["威海火炬高技术产业开发区政府信息公开指南"] == "noise: 指南 (a guide)"
    )
    assert skipped["怡园街道2023年度工作总结"] == "noise: 总结 (a work summary)"
    assert len(skipped) == 12  # wip 3, whctp 4, penglai 1, anqiu 3, pingtan 1
    titles = {t for (t,) in rows(night1, "SELECT title FROM reports")}
    assert not titles & set(skipped)


def test_provenance_keeps_the_real_urls_and_headers(night1: Path) -> None:
    ((url, final, status, etag, headers, via, listing, text),) = rows(
        night1,
        """SELECT url, final_url, status, etag, response_headers, via, listing_url, link_text FROM captures
           WHERE url = 'http://www.wip.gov.cn/art/2024/1/29/art_151616_4308925.html'""",
    )
    assert url == final
    assert status == 200
    assert (
        etag == json.loads(headers)["Etag"] == 'W/"8bd369e37d9865f4af5fc5f2750d5657"'
    )  # gzip: weak
    assert via == "http"
    assert listing == "http://www.wip.gov.cn/col/col151616/index.html"
    assert text == "威海临港经济技术开发区蔄山镇人民政府2023年政府信息公开工作年度报告"
    assert rows(
        night1, "SELECT via FROM captures WHERE kind = 'list' AND source_id = 'pingtan'"
    ) == [("playwright",)]
    gbk = rows(
        night1,
        "SELECT declared_charset, used_charset FROM captures WHERE url LIKE '%/zjnb/index_1.html'",
    )
    assert gbk == [
        (None, "gb18030")
    ]  # charset only in <meta> (gb2312), read as GB18030


def test_an_unchanged_second_night_adds_nothing_and_downloads_80_percent_less(
    archive_copy: Path,
) -> None:
    replica = ReplicaThread(1).start()
    try:
        first = run_crawl(archive_copy / "fresh", replica.proxy)
        first_bytes = replica.stats().bytes
        replica.set_epoch(1)  # resets the counters
        second = run_crawl(archive_copy / "fresh", replica.proxy)
        second_bytes = replica.stats().bytes
    finally:
        replica.stop()
    assert first.returncode == second.returncode == 0, second.stdout
    data = archive_copy / "fresh"
    assert rows(data, "SELECT COUNT(*) FROM versions WHERE first_seen_run = 2") == [
        (0,)
    ]
    assert events(data, 2) == []
    assert second_bytes <= 0.2 * first_bytes, (first_bytes, second_bytes)
    statuses = dict(
        rows(
            data,
            "SELECT status, COUNT(*) FROM captures WHERE run_id = 2 AND kind != 'list' GROUP BY status",
        )
    )
    assert statuses == {304: 165}


def test_nights_2_3_4_raise_each_event_once_and_touch_nothing_old(
    archive_copy: Path, replica_at
) -> None:
    before = rows(archive_copy, "SELECT * FROM captures ORDER BY id")
    versions_before = rows(
        archive_copy, "SELECT id, sha256, text_sha256 FROM versions ORDER BY id"
    )
    seen: dict[int, list[str]] = {}
    for night in (2, 3, 4):
        done = run_crawl(archive_copy, replica_at(night).proxy)
        assert done.returncode == 0, done.stdout + done.stderr
        seen[night] = events(archive_copy)
    assert seen == {2: ["changed", "new_report", "republished"], 3: [], 4: ["removed"]}
    messages = dict(
        rows(archive_copy, "SELECT kind, message FROM events WHERE run_id > 1")
    )
    assert "草庙子镇人民政府 2024" in messages["new_report"]
    assert "经济发展局 2022" in messages["changed"]
    assert "景芝镇人民政府 2022" in messages["republished"]
    assert "凌河街道办事处 2020" in messages["removed"]
    assert (
        rows(archive_copy, "SELECT * FROM captures WHERE run_id = 1 ORDER BY id")
        == before
    )
    assert (
        rows(
            archive_copy,
            "SELECT id, sha256, text_sha256 FROM versions WHERE id <= ? ORDER BY id",
            (len(versions_before),),
        )
        == versions_before
    )
    assert all(_blob_hashes(archive_copy).values())
    assert _archived(archive_copy) == _expected(4)


def test_failed_fetches_are_recorded_and_never_become_versions_or_changes(
    archive_copy: Path,
) -> None:
    manifest = {e["key"]: e for e in catalog(1).manifest()}
    faults = {
        manifest["wip-gw/2021"]["files"][0]["url"]: ("http_503", "http_503"),
        manifest["whctp-gw/2022"]["files"][0]["url"]: ("waf_412", "waf_412"),
        manifest["penglai-gov/2021"]["files"][0]["url"]: ("soft_404", "soft_404"),
        next(
            f["url"] for f in manifest["whctp-gw/2021"]["files"] if f["format"] == "pdf"
        ): ("truncate", "truncated"),
        manifest["anqiu-gov/2021"]["files"][0]["url"]: ("timeout", "timeout"),
        manifest["wip-wangtuan/2021"]["files"][0]["url"]: ("blank", "blank_page"),
    }
    replica = ReplicaThread(1).start()
    try:
        for url, (fault, _) in faults.items():
            replica.set_fault(url, fault)
        done = run_crawl(archive_copy, replica.proxy)
        replica.clear_faults()
        healed = run_crawl(archive_copy, replica.proxy)
    finally:
        replica.stop()
    assert done.returncode == 3, done.stdout + done.stderr  # partial
    failed = dict(
        rows(
            archive_copy,
            "SELECT url, failure FROM captures WHERE run_id = 2 AND outcome = 'failed'",
        )
    )
    assert failed == {url: reason for url, (_, reason) in faults.items()}
    assert rows(
        archive_copy, "SELECT COUNT(*) FROM versions WHERE first_seen_run = 2"
    ) == [(0,)]
    assert events(archive_copy, 2) == ["fetch_failed"] * len(faults)
    assert rows(archive_copy, "SELECT status FROM runs WHERE id = 2") == [("partial",)]
    assert healed.returncode == 0
    assert events(archive_copy, 3) == []
    assert _archived(archive_copy) == _expected(1)


def _versions(data: Path) -> int:
    """Versions stored so far (0 while the archive is still being made)."""
    try:
        return int(rows(data, "SELECT COUNT(*) FROM versions")[0][0])
    except sqlite3.OperationalError:  # no file or no table yet
        return 0


def test_a_killed_crawl_leaves_a_sound_archive_and_the_next_one_completes(
    tmp_path: Path, replica_at
) -> None:
    data = tmp_path / "archive"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "crawl",
            "--proxy",
            replica_at(1).proxy,
            "--data",
            str(data),
            *sources(()),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **FAST},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if _versions(data) >= 40:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert rows(data, "PRAGMA quick_check") == [("ok",)]
    stored = {sha for (sha,) in rows(data, "SELECT sha256 FROM versions")}
    assert 40 <= len(stored) < 165
    assert all(
        _blob_hashes(data).get(sha) for sha in stored
    )  # no row points at a missing blob
    done = run_crawl(data, replica_at(1).proxy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _archived(data) == _expected(1)
    assert rows(data, "SELECT status, settled_by FROM runs ORDER BY id") == [
        ("interrupted", 2),
        ("complete", 2),
    ]
    assert (
        events(data, 2).count("new_report") == 124
    )  # the killed run's reports are announced too


def test_a_second_crawl_on_the_same_archive_is_refused(
    tmp_path: Path, replica_at
) -> None:
    lock = CrawlLock(tmp_path)
    lock.acquire("a test holding the archive")
    try:
        done = run_crawl(tmp_path, replica_at(1).proxy)
    finally:
        lock.release()
    assert done.returncode == 1
    assert (
        f"Error: another crawl is running on {tmp_path} (pid {os.getpid()}"
        in done.stderr
    )


def test_unreachable_hosts_end_quickly_with_a_clear_summary_and_a_clean_archive(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    done = run_crawl(
        tmp_path, "http://127.0.0.1:9"
    )  # nothing listens on the discard port
    assert time.monotonic() - started < 60
    assert done.returncode == 4, done.stdout + done.stderr
    assert "host unreachable: no source answered" in done.stdout
    assert rows(tmp_path, "SELECT COUNT(*) FROM reports") == [(0,)]
    assert rows(tmp_path, "SELECT COUNT(*) FROM versions") == [(0,)]
    assert rows(tmp_path, "SELECT status FROM runs") == [("failed",)]
    reasons = {r for (r,) in rows(tmp_path, "SELECT DISTINCT failure FROM captures")}
    assert reasons <= {"refused", "unreachable"}
