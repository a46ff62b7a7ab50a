"""The one pipeline: hand every record to the archive, and count for progress lines."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from archive.blobs import BlobStore
from archive.db import BLOB_DIR, DB_NAME, connect
from archive.recorder import FetchRecord, ListingRecord, record_fetch, record_listing

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Writes captures, versions and listings to ``NIANBAO_ARCHIVE`` as they arrive."""

    def __init__(self, crawler: Crawler, root: Path) -> None:
        self.crawler = crawler
        self.root = root
        self.db = None
        self.blobs: BlobStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler, Path(crawler.settings["NIANBAO_ARCHIVE"]))

    def open_spider(self, spider: Spider | None = None) -> None:
        self.db = connect(self.root / DB_NAME)
        self.blobs = BlobStore(self.root / BLOB_DIR)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.db is not None:
            self.db.conn.close()

    def _count(self, source: str, what: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"nianbao/{source}/{what}", n)

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        try:
            if isinstance(item, FetchRecord):
                outcome = record_fetch(self.db, self.blobs, item)
                self._count(item.source_id, f"{item.kind}/{outcome}")
                self._count(item.source_id, "requests")
            elif isinstance(item, ListingRecord):
                record_listing(self.db, item)
                self._count(item.source_id, f"listed/{item.decision}")
        except (sqlite3.Error, OSError) as exc:
            logger.exception("archive write failed; stopping the crawl")
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                engine.close_spider(engine.spider, f"archive write failed: {exc}")
            raise
        return item
