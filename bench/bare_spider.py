"""The baseline of B1: a bare Scrapy spider that only follows links.

It follows exactly the links nianbao followed (the link graph of its crawl, from each
request's Referer), parent first and children after, so both spiders wait on the
same chains. It stores nothing.

Run as ``python -m bench.bare_spider GRAPH.json PROXY OUT.json``; it writes how many
pages it fetched, the seconds from its first request to its last response, and the
CPU seconds of that span.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    """Fetch the start URLs, then each response's children in the graph; keep nothing."""

    name = "bare"

    def __init__(self, graph: dict[str, list[str]], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.graph = graph
        self.first = self.cpu_start = self.last = self.last_cpu = 0.0
        self.pages = 0

    async def start(self):  # type: ignore[override]
        self.first, self.cpu_start = time.time(), time.process_time()
        for url in self.graph[""]:
            yield self.follow_link(url)

    def follow_link(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: scrapy.http.Response):  # type: ignore[override]
        self.pages += 1
        self.last, self.last_cpu = time.time(), time.process_time()
        if b"text/html" in (
            response.headers.get("Content-Type") or b""
        ):  # links live in HTML
            response.xpath("//a/@href").getall()
        return [self.follow_link(url) for url in self.graph.get(response.url, [])]


# The crawl settings both baselines share with nianbao's own (crawler/settings.py).
SETTINGS = {
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "CONCURRENT_ITEMS": 4,
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
}


def crawl_graph(
    spider: type[scrapy.Spider],
    graph_file: str,
    proxy: str,
    out: str,
    settings: dict[str, object],
) -> None:
    """Run ``spider`` over the graph; write its pages, seconds and CPU seconds."""
    graph = json.loads(Path(graph_file).read_text())
    # Every request through the replica, robots.txt included (HttpProxyMiddleware reads
    # these): nothing may try to resolve a real host name.
    os.environ["http_proxy"] = os.environ["https_proxy"] = proxy
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, graph=graph)
    process.start()
    done = crawler.spider
    seconds, cpu = done.last - done.first, done.last_cpu - done.cpu_start
    result = {"pages": done.pages, "seconds": seconds, "cpu": cpu}
    Path(out).write_text(json.dumps(result))


def main() -> None:
    graph_file, proxy, out = sys.argv[1:4]
    crawl_graph(BareSpider, graph_file, proxy, out, SETTINGS)


if __name__ == "__main__":
    main()
