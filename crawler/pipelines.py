"""The one pipeline: hand every record to the archive, and count for progress lines.

Writing happens on one dedicated writer thread, in arrival order: the blob store
fsyncs every new file and its directory before the database row that points at it,
and those waits would otherwise stall the downloads for everyone. One thread keeps
the archive's single-writer rule.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from archive.blobs import BlobStore
from archive.db import BLOB_DIR, DB_NAME, connect
from archive.recorder import FetchRecord, ListingBatch, record_fetch, record_listing

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from sqlite_utils import Database

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Writes captures, versions and listings to ``NIANBAO_ARCHIVE`` as they arrive."""

    def __init__(self, crawler: Crawler, root: Path) -> None:
        self.crawler = crawler
        self.root = root
        self.writer = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="nianbao-archive"
        )
        self.db: Database | None = None
        self.blobs = BlobStore(root / BLOB_DIR)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler, Path(crawler.settings["NIANBAO_ARCHIVE"]))

    def _connect(self) -> None:
        # Opened on the writer thread: the connection is used there and only there.
        self.db = connect(self.root / DB_NAME)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.writer.submit(self._connect).result()

    def close_spider(self, spider: Spider | None = None) -> None:
        def close() -> None:
            if self.db is not None:
                self.db.conn.close()

        self.writer.submit(close).result()  # after every pending write
        self.writer.shutdown()

    def _count(self, source: str, what: str) -> None:
        self.crawler.stats.inc_value(f"nianbao/{source}/{what}")

    def _write(self, item: object) -> str | None:
        if isinstance(item, FetchRecord):
            return record_fetch(self.db, self.blobs, item)
        if isinstance(item, ListingBatch):
            record_listing(self.db, item)
        return None

    async def process_item(self, item: object, spider: Spider | None = None) -> object:
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                self.writer, self._write, item
            )
        except (sqlite3.Error, OSError) as exc:
            logger.exception("archive write failed; stopping the crawl")
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                engine.close_spider(engine.spider, f"archive write failed: {exc}")
            raise
        if isinstance(item, FetchRecord):
            self._count(item.source_id, f"{item.kind}/{outcome}")
            self._count(item.source_id, "requests")
        elif isinstance(item, ListingBatch):
            for entry in item.entries:
                self._count(item.source_id, f"listed/{entry[3]}")
        return item
