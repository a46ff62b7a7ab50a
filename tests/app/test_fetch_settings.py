"""The Scrapy settings of a run (app/fetch.py): politeness per host, and room for
every host at once."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from app.crawl import CrawlPlan
from app.fetch import scrapy_settings
from crawler.registry import load_file
from replica.fleet import Fleet

if TYPE_CHECKING:
    from pathlib import Path


def fleet_plan(tmp_path: Path, hosts: int, **changes: object) -> CrawlPlan:
    registry = tmp_path / "sources.toml"
    registry.write_text(Fleet(hosts, columns=3).sources_toml(), encoding="utf-8")
    plan = CrawlPlan(data=tmp_path, sources=load_file(registry))
    return dataclasses.replace(plan, **changes)  # type: ignore[arg-type]


def test_a_polite_crawl_of_many_hosts_gives_each_host_its_share(tmp_path: Path) -> None:
    few = scrapy_settings(fleet_plan(tmp_path, 3), 1)
    assert few.getint("CONCURRENT_REQUESTS") == 16  # the default: 3 hosts × 2 fit
    assert few.getfloat("DOWNLOAD_DELAY") == 1.0
    assert few.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    forty = scrapy_settings(fleet_plan(tmp_path, 40), 1)
    assert forty.getint("CONCURRENT_REQUESTS") == 80  # 40 hosts × 2 at a time
    many = scrapy_settings(fleet_plan(tmp_path, 1000), 1)
    assert many.getint("CONCURRENT_REQUESTS") == 256  # the ceiling
    # one random delay per gap between a host's requests (crawler/downloader.py)
    assert many.get("DOWNLOADER") == "crawler.downloader.SteadyDownloader"


def test_the_users_setting_and_the_replica_keep_their_own(tmp_path: Path) -> None:
    told = fleet_plan(tmp_path, 40, overrides={"CONCURRENT_REQUESTS": 24})
    assert scrapy_settings(told, 1).getint("CONCURRENT_REQUESTS") == 24
    replica = scrapy_settings(fleet_plan(tmp_path, 40, polite=False), 1)
    assert replica.getint("CONCURRENT_REQUESTS") == 16
    assert replica.getfloat("DOWNLOAD_DELAY") == 0
