"""The replica's fleet (replica/fleet.py): many TRS county portals built on demand,
their registry, the answer latency, and a crawl of them that finds every report."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from crawler.registry import load_file, load_registry, select
from replica.client import request_raw
from replica.fleet import Fleet
from replica.server import ReplicaThread

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LATENCY = 0.2
FLEET = Fleet(hosts=3, columns=2, years=2)


@pytest.fixture(scope="module")
def fleet_replica() -> Iterator[ReplicaThread]:
    server = ReplicaThread(fleet=FLEET, latency=LATENCY).start()
    try:
        yield server
    finally:
        server.stop()


def test_the_registry_has_one_source_per_column(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(FLEET.sources_toml(), encoding="utf-8")
    sources = load_file(path)
    assert [s.id for s in sources] == [
        "fleet0001-xzf",
        "fleet0001-xzfb",
        "fleet0002-xzf",
        "fleet0002-xzfb",
        "fleet0003-xzf",
        "fleet0003-xzfb",
    ]
    assert sources[3].body == "云2县人民政府办公室"
    assert sources[3].level == "department"
    assert sources[3].start_urls == (
        "http://www.fleet0002.gov.cn/xxgk/zfxxgknb/xzfb/index.html",
    )
    assert {s.family for s in sources} == {"trs"}
    assert FLEET.expected_reports() == 12


def test_a_column_lists_its_bodys_reports_after_the_latency(
    fleet_replica: ReplicaThread,
) -> None:
    started = time.monotonic()
    page = request_raw(
        fleet_replica.proxy,
        "GET",
        "http://www.fleet0003.gov.cn/xxgk/zfxxgknb/xzfb/index.html",
    )
    assert time.monotonic() - started >= LATENCY
    assert page.status == 200
    text = page.body.decode()
    assert text.count("<li>") == 2
    assert "云3县人民政府办公室2025年政府信息公开工作年度报告" in text
    assert "云3县人民政府办公室2024年政府信息公开工作年度报告" in text
    assert "云3县人民政府2025年" not in text  # another column's body


def test_hosts_beyond_the_fleet_are_not_served(fleet_replica: ReplicaThread) -> None:
    beyond = request_raw(fleet_replica.proxy, "GET", "http://www.fleet0004.gov.cn/")
    assert beyond.status == 502
    robots = request_raw(
        fleet_replica.proxy, "GET", "http://www.fleet0001.gov.cn/robots.txt"
    )
    assert robots.status == 200


def test_a_crawl_of_the_fleet_finds_every_report(
    tmp_path: Path, fleet_replica: ReplicaThread
) -> None:
    data = tmp_path / "archive"
    data.mkdir()
    (data / "sources.toml").write_text(FLEET.sources_toml(), encoding="utf-8")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "app", "crawl", "--proxy", fleet_replica.proxy),
            *("--data", str(data), "--source", "fleet*"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "crawling 6 sources" in done.stdout
    with sqlite3.connect(data / "archive.db") as db:
        found = db.execute(
            "SELECT source_id, body, year FROM reports ORDER BY source_id, year"
        ).fetchall()
    assert found == [
        (f"fleet000{h}-{c}", f"云{h}县{name}", year)
        for h in (1, 2, 3)
        for c, name in (("xzf", "人民政府"), ("xzfb", "人民政府办公室"))
        for year in (2024, 2025)
    ]


def test_a_pattern_selects_the_fleet_from_a_merged_registry(tmp_path: Path) -> None:
    user = tmp_path / "sources.toml"
    user.write_text(FLEET.sources_toml(), encoding="utf-8")
    merged = load_registry(user=user)
    chosen = select(merged, ("fleet0002-*", "anqiu"))
    assert [s.id for s in chosen] == ["fleet0002-xzf", "fleet0002-xzfb", "anqiu"]
