"""The baseline of B1: a bare Scrapy spider that only fetches the given links.

Run as ``python -m bench.bare_spider URLS.json PROXY OUT.json``; it writes when its
first request started and its last response arrived, and how many pages it fetched.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    """Fetch each URL through the proxy and read its links; store nothing."""

    name = "bare"

    def __init__(self, urls: list[str], proxy: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.urls, self.proxy = urls, proxy
        self.first: float | None = None
        self.cpu_start = 0.0
        self.last = 0.0
        self.last_cpu = 0.0
        self.pages = 0

    async def start(self):  # type: ignore[override]
        self.first, self.cpu_start = time.time(), time.process_time()
        for url in self.urls:
            yield scrapy.Request(
                url, meta={"proxy": self.proxy}, callback=self.parse, dont_filter=True
            )

    def parse(self, response: scrapy.http.Response):  # type: ignore[override]
        self.pages += 1
        self.last, self.last_cpu = time.time(), time.process_time()
        if b"text/html" in (
            response.headers.get("Content-Type") or b""
        ):  # links live in HTML
            response.xpath("//a/@href").getall()
        return []


def main() -> None:
    urls_file, proxy, out = sys.argv[1:4]
    urls = json.loads(Path(urls_file).read_text())
    process = CrawlerProcess(
        {
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
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls, proxy=proxy)
    process.start()
    spider = crawler.spider
    cpu = spider.last_cpu - spider.cpu_start
    Path(out).write_text(
        json.dumps(
            {"pages": spider.pages, "seconds": spider.last - spider.first, "cpu": cpu}
        )
    )


if __name__ == "__main__":
    main()
