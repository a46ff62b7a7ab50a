"""The shared frontier on a real Redis: per-host delay and concurrency hold across
workers, hosts proceed in parallel, and what a dead worker held is queued again."""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.utils.test import get_crawler

from crawler.distributed import RunKeys
from crawler.frontier import HostFrontier, HostTurns, put_back, queued

if TYPE_CHECKING:
    from tests.distributed.conftest import RedisServer

RUN = 4242


class Family(scrapy.Spider):
    name = "trs"


def frontier(server: RedisServer, holder: str, **politeness: Any) -> HostFrontier:
    """One worker's view of the ``trs`` queue of run RUN."""
    settings = {
        "NIANBAO_RUN_ID": RUN,
        "NIANBAO_WORKER": holder,
        "NIANBAO_HOST_DELAY": politeness.get("delay", 0.0),
        "NIANBAO_HOST_CONCURRENCY": politeness.get("concurrency", 2),
        "NIANBAO_HOST_LEASE": politeness.get("lease", 60.0),
    }
    crawler = get_crawler(Family, settings)
    spider = Family.from_crawler(crawler)
    return HostFrontier(server.client(), spider, RunKeys(RUN).queue("trs"))


def clean(server: RedisServer) -> None:
    client = server.client()
    for key in client.scan_iter(RunKeys(RUN).pattern):
        client.delete(key)


def push(queue: HostFrontier, host: str, count: int) -> list[str]:
    urls = [f"http://{host}/col/{n}.html" for n in range(count)]
    for url in urls:
        queue.push(scrapy.Request(url))
    return urls


def test_each_host_waits_its_delay_across_workers_while_hosts_go_in_parallel(
    redis_server: RedisServer,
) -> None:
    clean(redis_server)
    one = frontier(redis_server, "w1", delay=0.4)
    two = frontier(redis_server, "w2", delay=0.4)
    push(one, "a.gov.cn", 5)
    push(two, "b.gov.cn", 5)
    assert len(one) == len(two) == 10
    times: dict[str, list[float]] = {"a.gov.cn": [], "b.gov.cn": []}
    turns = HostTurns(redis_server.client(), RunKeys(RUN))
    start = time.monotonic()
    while len(one) and time.monotonic() - start < 10:
        for queue in (one, two):  # two workers taking turns as fast as they can
            request = queue.pop()
            if request is not None:
                times[request.url.split("/")[2]].append(time.monotonic() - start)
                turns.process_response(request, scrapy.http.Response(request.url))
    for host, starts in times.items():
        assert len(starts) == 5, host
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= 0.4 * 0.5 - 0.02, (host, gaps)  # the jitter's floor
    # in parallel: each host's first request at once, not after the other host's five
    # (after the other's five would be 0.8 s at least: four gaps of the jitter's floor)
    assert max(times["a.gov.cn"][0], times["b.gov.cn"][0]) < 0.5
    assert len(one) == 0


def test_a_host_gets_no_more_requests_at_a_time_than_its_concurrency(
    redis_server: RedisServer,
) -> None:
    clean(redis_server)
    one = frontier(redis_server, "w1", concurrency=2)
    two = frontier(redis_server, "w2", concurrency=2)
    push(one, "a.gov.cn", 4)
    first, second = one.pop(), two.pop()
    assert first is not None
    assert second is not None
    assert [first.url, second.url] == [f"http://a.gov.cn/col/{n}.html" for n in (0, 1)]
    assert two.pop() is None  # a.gov.cn has two under way
    push(two, "b.gov.cn", 1)
    other = one.pop()  # while a.gov.cn is busy, another host goes on
    assert other is not None
    assert other.url == "http://b.gov.cn/col/0.html"
    turns = HostTurns(redis_server.client(), RunKeys(RUN))
    turns.process_response(first, scrapy.http.Response(first.url))
    time.sleep(0.15)  # a busy host is looked at again 0.1 s later
    third = two.pop()
    assert third is not None
    assert third.url == "http://a.gov.cn/col/2.html"
    assert one.pop() is None  # two under way again


def test_a_turn_left_by_a_dead_worker_ends_with_its_lease(
    redis_server: RedisServer,
) -> None:
    clean(redis_server)
    one = frontier(redis_server, "w1", concurrency=1, lease=0.5)
    push(one, "a.gov.cn", 2)
    assert one.pop() is not None
    assert one.pop() is None
    time.sleep(0.7)
    again = one.pop()
    assert again is not None
    assert again.url == "http://a.gov.cn/col/1.html"


def test_what_a_dead_worker_held_is_queued_again_first_in_line(
    redis_server: RedisServer,
) -> None:
    clean(redis_server)
    dead = frontier(redis_server, "host:1")
    alive = frontier(redis_server, "host:2")
    urls = push(dead, "a.gov.cn", 3)
    held = [dead.pop(), dead.pop()]
    assert [r.url for r in held if r] == urls[:2]
    assert len(dead.held_tokens()) == 2
    assert alive.held_tokens() == set()
    client = redis_server.client()
    assert queued(client, RunKeys(RUN), "trs") == 1
    assert put_back(client, RunKeys(RUN), "trs", "host:1") == 2
    assert queued(client, RunKeys(RUN), "trs") == 3
    assert dead.held_tokens() == set()
    taken = {r.url for r in (alive.pop(), alive.pop()) if r}
    assert taken == set(urls[:2])  # first in line: before the one never taken
    token = next(iter(alive.held_tokens()))
    assert alive.finished({token}) == 1
    assert len(alive.held_tokens()) == 1
