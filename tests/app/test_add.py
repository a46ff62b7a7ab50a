"""`nianbao add URL`: a district a user names, found and listed as a crawl would read it
(issue 12, point 4), on the replica."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

from replica.server import ReplicaThread
from tests.commands import run
from tests.crawler.helpers import FAST, rows

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


ENV = {**os.environ, **FAST, "NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""}


def _add(proxy: str, data: Path, url: str, *args: str):
    return run(
        sys.executable,
        "-m",
        "app",
        "add",
        url,
        "--proxy",
        proxy,
        "--data",
        data,
        *args,
        env=ENV,
    )


def _listed(night1: Path, source: str) -> set[str]:
    """The reports the family spider listed on night 1."""
    found = rows(
        night1,
        "SELECT url FROM listings WHERE run_id = 1 AND source_id = ? AND decision = 'report'",
        (source,),
    )
    return {url for (url,) in found}


def test_a_column_url_lists_the_same_reports_as_its_family_spider(
    tmp_path: Path, night1: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    column = "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/index.html"
    done = _add(replica_at(1).proxy, tmp_path, column, "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    found = [json.loads(line) for line in done.stdout.splitlines()]
    assert {f["url"] for f in found} == _listed(night1, "anqiu")
    assert all(set(f) == {"title", "url", "year", "body"} for f in found)
    assert {f["year"] for f in found} == {2019, 2020, 2021, 2022, 2023}
    assert not (tmp_path / "sources.toml").exists()  # a dry run adds nothing


def test_a_portal_home_leads_to_its_report_column(
    tmp_path: Path, night1: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    done = _add(
        replica_at(1).proxy, tmp_path, "http://www.wip.gov.cn/", "--dry-run", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert {json.loads(line)["url"] for line in done.stdout.splitlines()} == _listed(
        night1, "wip"
    )


def test_adding_writes_the_users_registry_and_the_crawl_reads_it(
    tmp_path: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    proxy = replica_at(1).proxy
    column = "http://www.whctp.gov.cn/col/col82956/index.html"
    taken = _add(proxy, tmp_path, column)  # its id from the host: whctp, shipped
    assert taken.returncode == 1
    assert taken.stderr.strip().splitlines()[-1] == (
        "Error: a source with id 'whctp' exists already (`nianbao sources`)"
    )
    done = _add(
        proxy,
        tmp_path,
        column,
        "--id",
        "gaoqu",
        "--name",
        "威海火炬高技术产业开发区管理委员会",
    )
    assert done.returncode == 0, done.stderr
    assert "added source gaoqu to" in done.stdout
    registry = (tmp_path / "sources.toml").read_text(encoding="utf-8")
    assert 'evidence = "discovered"' in registry
    assert f'start_urls = ["{column}"]' in registry
    listed = run(sys.executable, "-m", "app", "sources", "--data", tmp_path, env=ENV)
    assert listed.returncode == 0, listed.stderr
    assert "gaoqu" in listed.stdout
    crawled = run(
        sys.executable,
        "-m",
        "app",
        "crawl",
        "--source",
        "gaoqu",
        "--proxy",
        proxy,
        "--data",
        tmp_path,
        env=ENV,
    )
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    assert rows(tmp_path, "SELECT COUNT(*) FROM reports") == [(26,)]


def test_the_config_can_put_the_users_registry_elsewhere(
    tmp_path: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    config = tmp_path / "nianbao.toml"
    config.write_text("[sources]\nfile = 'shared/sources.toml'\n", encoding="utf-8")
    data = tmp_path / "data"
    column = "http://www.whctp.gov.cn/col/col82956/index.html"
    args = ("--id", "gaoqu", "--config", str(config))
    done = _add(replica_at(1).proxy, data, column, *args)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "shared" / "sources.toml").is_file()
    assert not (data / "sources.toml").exists()
    listed = run(
        sys.executable,
        "-m",
        "app",
        "sources",
        "--data",
        data,
        "--config",
        config,
        env=ENV,
    )
    assert listed.returncode == 0, listed.stderr
    assert "gaoqu" in listed.stdout
    plain = run(sys.executable, "-m", "app", "sources", "--data", data, env=ENV)
    assert "gaoqu" not in plain.stdout


def test_a_page_with_no_report_says_so_in_one_line(tmp_path: Path) -> None:
    replica = ReplicaThread(1).start()
    url = "http://www.whctp.gov.cn/col/col82956/index.html"
    try:
        replica.set_fault(url, "soft_404")  # a page that says it does not exist
        done = _add(replica.proxy, tmp_path, url, "--dry-run")
    finally:
        replica.stop()
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"Error: no report found from {url} (0 list pages read): "
        "give the report column's URL, or another --family"
    )


def test_a_page_that_cannot_be_fetched_says_so_in_one_line(
    tmp_path: Path, replica_at: Callable[[int], ReplicaThread]
) -> None:
    url = "http://www.whctp.gov.cn/col/col99999/index.html"
    done = _add(replica_at(1).proxy, tmp_path, url, "--dry-run")
    assert done.returncode == 1
    assert done.stderr.strip().startswith(
        f"Error: {url} cannot be fetched: HTTP Error 404"
    )
