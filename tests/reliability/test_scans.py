"""Edits to scanned reports are noticed, and an upgrade of the text hash raises no false
"changed" (issue 11, point 6; reliability row 12).

Before page images counted, every scan was stored with the hash of empty text; its
next version, hashed from its page images, must be compared with a hash of the same
scheme (app/process.py hashes the previous version again, once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from app.process import analyse, hash_new_texts
from archive.db import open_archive
from archive.history import settle_run
from archive.recorder import FetchRecord, Identity, record_fetch
from archive.runs import finish_run, start_run, sync_sources
from crawler.registry import Source
from processors.text import EMPTY_TEXT_SHA256
from tests.processors.test_scan_hash import image_pdf, table_scan

if TYPE_CHECKING:
    from pathlib import Path

    from archive.db import Archive

PDF = "http://example.gov.cn/2023/P0202401.pdf"
IDENTITY = Identity(
    "某某镇人民政府", 2023, "某某镇人民政府2023年年报", "山东省", "town"
)
SOURCE = Source(
    "s", "某某", "某某县人民政府", "山东省", "county", "trs", ("http://x/",), "inferred"
)


def _night(archive: Archive, scan: bytes, *, parse: bool = False) -> list[str]:
    """One run that fetches ``scan``: its text hashed on its own, or with ``parse``
    as a crawl's analysis does (the parse takes the hash on its way)."""
    run = start_run(
        archive.db, target="t", epoch=None, sources=["s"], crawler_version="t"
    )
    for kind, url, body in (
        ("list", "http://x/", b"<html>list</html>"),
        ("attachment", PDF, scan),
    ):
        record = FetchRecord(run, "s", kind, url, "GET", "t0", "t1", "t", status=200)
        record.body, record.identity, record.listed = body, IDENTITY, True
        record.sniffed_type = "application/pdf" if kind == "attachment" else "text/html"
        record_fetch(archive.db, archive.blobs, record)
    if parse:
        analyse(archive, run)
    else:
        hash_new_texts(archive, run)
    settle_run(archive.db, run, ["s"])
    finish_run(archive.db, run, "complete", 0)
    return [
        k
        for (k,) in archive.db.execute(
            "SELECT kind FROM events WHERE run_id = ?", [run]
        )
    ]


@pytest.mark.parametrize("parse", [False, True], ids=["hash pass", "crawl analysis"])
def test_a_resaved_scan_is_republished_and_an_edited_one_changed_across_the_upgrade(
    tmp_path: Path, parse: bool
) -> None:
    archive = open_archive(tmp_path / "archive")
    try:
        sync_sources(archive.db, [SOURCE])
        night = image_pdf(table_scan("21"))
        assert _night(archive, night, parse=parse) == ["new_report"]
        # What an archive made before page images counted holds for that version:
        archive.db.execute("UPDATE versions SET text_sha256 = ?", [EMPTY_TEXT_SHA256])
        resaved = image_pdf(table_scan("21"), title="re-saved by the site")
        assert _night(archive, resaved, parse=parse) == ["republished"]
        first = archive.db.execute(
            "SELECT text_sha256 FROM versions WHERE id = 1"
        ).fetchone()
        assert first[0].startswith("img1:")  # hashed again, once
        edited = image_pdf(table_scan("27"))
        assert _night(archive, edited, parse=parse) == ["changed"]
    finally:
        archive.close()
