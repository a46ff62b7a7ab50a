"""The archive pipeline's batches: records that arrive together are written together,
and one record the archive refuses does not take the rest of its batch with it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from archive.db import open_archive
from archive.recorder import FetchRecord, Identity
from archive.runs import start_run, sync_sources
from crawler.pipelines import ArchivePipeline
from crawler.registry import load_registry

IDENTITY = Identity(
    body="某某镇人民政府",
    year=2023,
    title="某某镇2023年年报",
    region="山东省",
    level="town",
)


def _page(run: int, n: int, body: object) -> FetchRecord:
    return FetchRecord(
        run_id=run,
        source_id="wip",
        kind="page",
        url=f"http://www.wip.gov.cn/art/2024/1/2/art_1_{n}.html",
        method="GET",
        started="t0",
        ended="t1",
        crawler_version="t",
        status=200,
        body=body,  # type: ignore[arg-type]  (one test hands over a str on purpose)
        sniffed_type="text/html",
        identity=IDENTITY,
    )


def test_a_refused_record_fails_alone_and_its_batch_is_written(tmp_path: Path) -> None:
    archive = open_archive(tmp_path)
    sync_sources(archive.db, load_registry())
    run = start_run(
        archive.db, target="test", epoch=None, sources=["wip"], crawler_version="t"
    )
    crawler = SimpleNamespace(settings=Settings({"NIANBAO_ARCHIVE": str(tmp_path)}))
    crawler.stats = MemoryStatsCollector(crawler)
    crawler.engine = None
    pipeline = ArchivePipeline(crawler, tmp_path)  # type: ignore[arg-type]
    pipeline.open_spider()
    # The first record starts a batch on its own; the next three wait and go together.
    records = [
        _page(run, 1, b"<html>1</html>"),
        _page(run, 2, b"<html>2</html>"),
        _page(run, 3, "not bytes: the blob store cannot hash this"),
        _page(run, 4, b"<html>4</html>"),
    ]

    async def crawl() -> list[object]:
        return await asyncio.gather(
            *(pipeline.process_item(r) for r in records), return_exceptions=True
        )

    results = asyncio.run(crawl())
    pipeline.close_spider()
    assert results[0] is records[0]
    assert results[1] is records[1]
    assert isinstance(results[2], TypeError)
    assert results[3] is records[3]
    urls = [
        u
        for (u,) in archive.db.execute(
            "SELECT url FROM captures ORDER BY id"
        ).fetchall()
    ]
    assert [u.rsplit("_", 1)[1] for u in urls] == ["1.html", "2.html", "4.html"]
    assert crawler.stats.get_value("nianbao/wip/page/new_version") == 3
