"""The scale benchmark's harness (bench/scale_bench.py) on a small fleet: it measures
what it says, and the politeness it measures holds per host, also across workers."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from bench.scale_bench import DELAY, Shape, crawl_fleet, fleet_replica, request_times

if TYPE_CHECKING:
    from pathlib import Path

    from tests.distributed.conftest import RedisServer

SHAPE = Shape(hosts=2, columns=2, years=2)
# Requests to a host are DELAY × 0.5–1.5 apart; answers may bunch up by a little
# (the machine is busy), never down to the back-to-back of an impolite crawl.
LEAST_GAP = 0.5 * DELAY - 0.2


def test_a_fleet_night_is_measured_and_polite_per_host(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    with fleet_replica(SHAPE, latency_ms=100) as proxy:
        alone = crawl_fleet(proxy, SHAPE, tmp_path / "alone")
        shared = crawl_fleet(proxy, SHAPE, tmp_path / "shared", 2, redis_server.url)
    for crawled, data in ((alone, "alone"), (shared, "shared")):
        assert crawled.returncode == 0
        assert crawled.reports == SHAPE.fleet().expected_reports() == 8
        assert crawled.pages == 4 + 8  # the list pages, then the report pages
        assert crawled.crawl_s > 0
        assert 0 < crawled.crawl_cpu_s < crawled.wall_s * 3
        assert crawled.archive_mb > 0
        assert len(crawled.host_rates) == SHAPE.hosts
        times = request_times(tmp_path / data / "archive.db")
        assert sorted(times) == ["www.fleet0001.gov.cn", "www.fleet0002.gov.cn"]
        for answers in times.values():
            gaps = [b - a for a, b in pairwise(answers)]
            assert min(gaps) >= LEAST_GAP, (crawled.mode, gaps)
    assert alone.mode == "1 process"
    assert set(alone.peak_rss_mb) >= {"crawl"}
    assert shared.mode == "2 workers"
    assert shared.processes["worker"] == 2
    assert shared.peak_rss_mb["worker"] > 30
    assert shared.peak_rss_mb["coordinator"] > 30
