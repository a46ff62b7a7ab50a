"""The peer of B1: what a user would build with the same tools — a Scrapy spider, the
stock ``FilesPipeline`` for the attachments and a sqlite-utils insert per page and per
file.

It follows exactly the links nianbao followed (the link graph of its crawl, from each
request's Referer), as the bare spider does; a link whose URL ends like a document
(.pdf, .doc, .docx, .xls, .xlsx, .wps) goes to ``file_urls`` for the FilesPipeline to
download and store, as its documentation shows; every other page is fetched by the
spider, and each page becomes a row (its URL, status and body) and each stored file
a row (its URL, path and checksum), one sqlite-utils ``insert`` each. Nothing is
fsynced beyond what SQLite does on each commit; files are named by the SHA-1 of their
URL, so a changed file overwrites the old one — the durability and history nianbao
adds on top.

Run as ``python -m bench.peer_spider GRAPH.json PROXY FOLDER OUT.json``; it writes
how many pages and files it fetched, the seconds from its first request to its last
row, and the CPU seconds of that span.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bench.bare_spider import SETTINGS, BareSpider, crawl_graph

if TYPE_CHECKING:
    import scrapy

DOCUMENT_ENDINGS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps")


class PeerSpider(BareSpider):
    """Follow the graph; yield each page as an item, with its document links as
    ``file_urls``."""

    name = "peer"

    def parse(self, response: scrapy.http.Response):  # type: ignore[override]
        children = self.graph.get(response.url, [])
        files = [u for u in children if u.lower().endswith(DOCUMENT_ENDINGS)]
        yield {
            "url": response.url,
            "status": response.status,
            "body": response.body,
            "file_urls": files,
        }
        for url in children:
            if url not in files:
                yield self.follow_link(url)


class SqlitePipeline:
    """A row per page and per stored file, one sqlite-utils insert each."""

    def open_spider(self, spider: PeerSpider) -> None:
        folder = Path(spider.settings["FILES_STORE"]).parent
        self.db = sqlite_utils.Database(folder / "peer.db")
        self.spider = spider

    def process_item(self, item: dict[str, Any], spider: PeerSpider) -> dict[str, Any]:
        self.db["pages"].insert(  # type: ignore[union-attr]
            {"url": item["url"], "status": item["status"], "body": item["body"]}
        )
        for stored in item.get("files", []):
            self.db["files"].insert(  # type: ignore[union-attr]
                {
                    "url": stored["url"],
                    "path": stored["path"],
                    "checksum": stored["checksum"],
                }
            )
        spider.pages += 1 + len(item.get("files", []))
        spider.last, spider.last_cpu = time.time(), time.process_time()
        return item

    def close_spider(self, spider: PeerSpider) -> None:
        self.db.conn.close()


def main() -> None:
    graph_file, proxy, folder, out = sys.argv[1:5]
    settings = {
        **SETTINGS,
        "FILES_STORE": str(Path(folder) / "files"),
        "ITEM_PIPELINES": {
            "scrapy.pipelines.files.FilesPipeline": 1,
            "bench.peer_spider.SqlitePipeline": 300,
        },
    }
    crawl_graph(PeerSpider, graph_file, proxy, out, settings)


if __name__ == "__main__":
    main()
