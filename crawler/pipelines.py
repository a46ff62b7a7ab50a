"""The one pipeline: hand every record to the archive, and count for progress lines.

A file starts into the blob store the moment its record arrives (``put_async``: the
blob store's threads hash, write and fsync several at once). The rows are written on
one dedicated writer thread (the archive's single-writer rule), in arrival order and in
batches: while the writer is busy with one batch, the records that arrive wait, and go
together as the next batch — one transaction for all of them, each record's file
durable before it. The downloads never wait on a disk; a record's ``process_item``
returns once its batch is committed, so Scrapy's own limits on items in flight keep
memory bounded.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from archive.blobs import BlobStore
from archive.db import BLOB_DIR, DB_NAME, connect, is_disk_full
from archive.recorder import (
    FetchRecord,
    ListingBatch,
    Record,
    file_to_store,
    record_batch,
    stored_as,
)

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from sqlite_utils import Database

logger = logging.getLogger(__name__)

# A record, its file on its way into the blob store (if it brings one), its outcome.
Waiting = list[tuple[Record, "Future[str] | None", "asyncio.Future[str | None]"]]


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
        self.waiting: Waiting = []
        self.writing = False

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
        self.blobs.close()

    async def process_item(self, item: object, spider: Spider | None = None) -> object:
        if not isinstance(item, FetchRecord | ListingBatch):
            return item
        loop = asyncio.get_running_loop()
        done: asyncio.Future[str | None] = loop.create_future()
        body = file_to_store(item)
        blob = None if body is None else self.blobs.put_async(body)
        self.waiting.append((item, blob, done))
        if not self.writing:
            self._write_next(loop)
        try:
            outcome = await done
        except (sqlite3.Error, OSError) as exc:
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                engine.close_spider(engine.spider, f"archive write failed: {exc}")
            if is_disk_full(exc):  # one line each: a full disk needs no traceback
                raise DropItem(f"not archived, the disk is full: {exc}") from exc
            logger.exception("archive write failed; stopping the crawl")
            raise
        self._count_outcome(item, outcome)
        return item

    def _write_next(self, loop: asyncio.AbstractEventLoop) -> None:
        """Send everything waiting to the writer as one batch."""
        batch, self.waiting = self.waiting, []
        self.writing = True
        records = [(record, blob) for record, blob, _ in batch]
        job = loop.run_in_executor(self.writer, self._record, records)
        job.add_done_callback(lambda finished: self._settle(loop, batch, finished))

    def _record(
        self, arrived: list[tuple[Record, Future[str] | None]]
    ) -> list[str | Exception | None]:
        """On the writer thread: once the batch's files are stored, its rows; each
        record's outcome.

        A file that could not be stored because the disk failed (OSError) fails the
        batch, as a failed transaction would; a file refused for itself fails alone.
        """
        records: list[Record] = []
        refused: dict[int, Exception] = {}
        for position, (record, blob) in enumerate(arrived):
            try:
                records.append(
                    record if blob is None else stored_as(record, blob.result())
                )
            except OSError:
                raise
            except Exception as exc:  # handed to that record's process_item
                refused[position] = exc
        rows = iter(self._rows(records))
        return [refused.get(position) or next(rows) for position in range(len(arrived))]

    def _rows(self, records: list[Record]) -> list[str | Exception | None]:
        """The records in one transaction; one by one if the archive refuses one."""
        if self.db is None:
            raise RuntimeError("the archive pipeline is not open")
        try:
            return list(record_batch(self.db, self.blobs, records))
        except (sqlite3.Error, OSError):
            raise  # the archive itself is failing: every record of the batch fails
        except Exception:
            if len(records) == 1:
                raise
        # A record the archive refuses must not take its batch with it: one by one.
        outcomes: list[str | Exception | None] = []
        for record in records:
            try:
                outcomes += record_batch(self.db, self.blobs, [record])
            except (sqlite3.Error, OSError):
                raise
            except Exception as exc:  # handed to that record's process_item
                outcomes.append(exc)
        return outcomes

    def _settle(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: Waiting,
        job: asyncio.Future[list[str | Exception | None]],
    ) -> None:
        self.writing = False
        failure = job.exception()
        for position, (_, _, done) in enumerate(batch):
            outcome = failure or job.result()[position]
            if done.cancelled():
                continue
            if isinstance(outcome, BaseException):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)
        if self.waiting:
            self._write_next(loop)

    def _count_outcome(self, item: Record, outcome: str | None) -> None:
        stats = self.crawler.stats
        if isinstance(item, FetchRecord):
            stats.inc_value(f"nianbao/{item.source_id}/{item.kind}/{outcome}")
            stats.inc_value(f"nianbao/{item.source_id}/requests")
        else:
            for entry in item.entries:
                stats.inc_value(f"nianbao/{item.source_id}/listed/{entry.decision}")
