"""Scrapy's own command line from the project root: `scrapy list` and `scrapy crawl`.

`scrapy crawl <family> -a source=ID` must run the same run as `nianbao crawl --source ID`
(app/scrapy_commands/crawl.py), or say in one line what is missing.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.registry import FAMILIES, load_registry
from tests.commands import BIN, run
from tests.crawler.helpers import FAST

SCRAPY = BIN / "scrapy"
QUIET = {**FAST, "NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""}


def _run(
    *command: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run(*command, env={**os.environ, **QUIET, **(env or {})})


def test_scrapy_list_shows_the_families_and_nothing_else() -> None:
    done = _run(SCRAPY, "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == sorted(FAMILIES)
    assert {"fujian", "generic", "hanweb", "trs"} <= set(FAMILIES)
    assert (
        set(done.stdout.split()) == set(FAMILIES) == {s.family for s in load_registry()}
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["trs"],
            "scrapy crawl: trs needs -a source=ID, one of: anqiu, changle, shashi",
        ),
        (
            ["trs", "-a", "source=wip"],
            "scrapy crawl: source 'wip' is crawled by the hanweb spider: scrapy crawl hanweb -a source=wip",
        ),
        (
            ["trs", "-a", "source=nowhere"],
            "scrapy crawl: unknown source 'nowhere'; sources of trs: anqiu, changle, shashi",
        ),
        (
            ["report"],
            "scrapy crawl: no spider named 'report'; `scrapy list` shows them: "
            + ", ".join(sorted(FAMILIES)),
        ),
        (
            ["hanweb", "-a", "source=wip", "-a", "epoch=0"],
            "scrapy crawl: -a epoch must be a night from 1 to 99, got '0'",
        ),
        (
            ["hanweb", "-a", "source=wip", "-a", "site=x"],
            "scrapy crawl: unknown argument -a site=…; "
            "expected source, replica, epoch, proxy, polite, data, config",
        ),
    ],
)
def test_scrapy_crawl_says_in_one_line_what_is_missing(
    args: list[str], line: str, tmp_path: Path
) -> None:
    done = _run(SCRAPY, "crawl", *args, env={"NIANBAO_DATA": str(tmp_path)})
    assert done.returncode == 2
    assert done.stderr.strip() == line
    assert not (tmp_path / "archive.db").exists()


def _archive(data: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What a run leaves in the archive, without ids and times."""
    queries = {
        "runs": "SELECT status, target, epoch, sources FROM runs",
        "reports": "SELECT body, year, title, region, level, status FROM reports ORDER BY body, year",
        "documents": "SELECT url, role, listing_url, link_text FROM documents ORDER BY url",
        "versions": "SELECT d.url, v.sha256, v.media_type, v.text_sha256 FROM versions v"
        " JOIN documents d ON d.id = v.document_id ORDER BY d.url",
        "events": "SELECT kind, message, baseline FROM events ORDER BY kind, message",
        "listings": "SELECT list_url, url, title, decision, reason FROM listings ORDER BY list_url, url",
        "parses": "SELECT d.url, p.status, p.template, p.tables_found, p.checks_failed FROM parses p"
        " JOIN documents d ON d.id = p.document_id ORDER BY d.url",
        "figures": "SELECT d.url, f.table_name, f.row_key, f.column_key, f.value"
        " FROM figures f JOIN versions v ON v.id = f.version_id"
        " JOIN documents d ON d.id = v.document_id"
        " ORDER BY d.url, f.table_name, f.row_key, f.column_key",
        "outbox": "SELECT kind, key, title FROM outbox ORDER BY key",
    }
    with sqlite3.connect(data / "archive.db") as db:
        return {name: db.execute(sql).fetchall() for name, sql in queries.items()}


def test_scrapy_crawl_runs_a_source_exactly_as_nianbao_crawl_does(
    tmp_path: Path,
) -> None:
    by_scrapy, by_nianbao = tmp_path / "scrapy", tmp_path / "nianbao"
    done = _run(
        SCRAPY,
        "crawl",
        "hanweb",
        "-a",
        "source=wip",
        "-a",
        "replica=1",
        env={"NIANBAO_DATA": str(by_scrapy)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"crawling 1 sources (replica night 1) into {by_scrapy}" in done.stdout
    assert "run 1 complete:" in done.stdout
    same = _run(
        sys.executable,
        "-m",
        "app",
        "crawl",
        "--replica",
        "--source",
        "wip",
        "--data",
        by_nianbao,
    )
    assert same.returncode == 0, same.stdout + same.stderr
    scrapy_archive, nianbao_archive = _archive(by_scrapy), _archive(by_nianbao)
    assert scrapy_archive["runs"] == [("complete", "replica night 1", 1, '["wip"]')]
    assert len(scrapy_archive["reports"]) == 28
    assert scrapy_archive == nianbao_archive


def test_scrapy_crawl_reads_the_users_registry_too(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        "[[source]]\nid = 'gaoqu'\nname = '高区'\nbody = '威海火炬高技术产业开发区管理委员会'\n"
        "region = '山东省威海市'\nlevel = 'county'\nfamily = 'hanweb'\n"
        "start_urls = ['http://www.whctp.gov.cn/col/col82956/index.html']\n"
        "evidence = 'discovered'\n",
        encoding="utf-8",
    )
    done = _run(SCRAPY, "crawl", "trs", "-a", "source=gaoqu", "-a", f"data={tmp_path}")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "scrapy crawl: source 'gaoqu' is crawled by the hanweb spider: "
        "scrapy crawl hanweb -a source=gaoqu"
    )
