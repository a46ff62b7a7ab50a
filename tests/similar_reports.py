"""Archives of given report texts, for the copy-detection tests (no crawl needed).

The real seed reports (``replica/data/seeds``: text extractions of five real
Shandong reports) are the texts; :func:`copy_of` makes the copies a body would
paste — the same words with other figures, and another body's name."""

from __future__ import annotations

import random
import re
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

from archive.db import insert_row, open_archive, write
from archive.search_index import add_text

if TYPE_CHECKING:
    from archive.db import Archive

SEEDS = Path(__file__).resolve().parent.parent / "replica" / "data" / "seeds"
# seed file → (body, year), as seeds.yaml and the titles say
GAOQU = "003_f93b7a0726ae97a9"  # 威海火炬高技术产业开发区管理委员会 2021
GAOQU_BODY = "威海火炬高技术产业开发区管理委员会"
OTHER_BODY = "威海经济技术开发区管理委员会"  # whose report copies 高区's in these tests
RENAMED = {"威海火炬高技术产业开发区": "威海经济技术开发区", "高区": "经区"}
SEED_REPORTS = {
    "000_731837a222905f1b": ("威海临港经济技术开发区蔄山镇人民政府", 2021),
    "001_108774158328b12b": ("安丘市郚山镇人民政府", 2020),
    "002_62990b8acc293912": ("威海临港经济技术开发区汪疃镇人民政府", 2023),
    "003_f93b7a0726ae97a9": ("威海火炬高技术产业开发区管理委员会", 2021),
    "004_732243d8bfa41975": ("蓬莱区大辛店镇人民政府", 2022),
}
_IDS = count(1)


def seed_text(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8")


def copy_of(text: str, *, seed: int = 1, names: dict[str, str] | None = None) -> str:
    """``text`` with every number changed (deterministically) and names replaced."""
    rng = random.Random(seed)
    copied = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), text)
    for old, new in (names or {}).items():
        copied = copied.replace(old, new)
    return copied


def empty_archive(root: Path) -> Archive:
    """A new archive with one run and one source, ready for :func:`add_report`."""
    archive = open_archive(root)
    with write(archive.db):
        insert_row(
            archive.db,
            "runs",
            {
                "id": 1,
                "started": "2025-02-01T00:00:00.000Z",
                "status": "complete",
                "target": "test",
                "sources": '["s"]',
                "crawler_version": "t",
            },
        )
        insert_row(
            archive.db,
            "sources",
            {
                "id": "s",
                "name": "测试",
                "body": "测试",
                "region": "山东省",
                "level": "county",
                "family": "trs",
                "start_urls": "[]",
                "evidence": "inferred",
            },
        )
    return archive


def add_report(
    archive: Archive, body: str, year: int, text: str, *, region: str = "山东省"
) -> int:
    """A report of ``body`` and ``year`` whose one file's current text is ``text``."""
    n = next(_IDS)
    db = archive.db
    with write(db):
        report = insert_row(
            db,
            "reports",
            {
                "body": body,
                "year": year,
                "title": f"{body}{year}年政府信息公开工作年度报告",
                "region": region,
                "level": "town",
                "source_id": "s",
                "status": "present",
                "first_seen_run": 1,
                "last_seen_run": 1,
            },
        )
        insert_row(
            db,
            "documents",
            {
                "url": f"http://example.gov.cn/{n}.html",
                "report_id": report,
                "role": "page",
                "first_seen_run": 1,
                "last_seen_run": 1,
            },
        )
    replace_text(archive, report, text)
    return report


def replace_text(archive: Archive, report: int, text: str) -> None:
    """Give the report's file a new current version whose text is ``text``."""
    db = archive.db
    n = next(_IDS)
    (document,) = db.execute(
        "SELECT id FROM documents WHERE report_id = ?", [report]
    ).fetchone()
    with write(db):
        version = insert_row(
            db,
            "versions",
            {
                "document_id": document,
                "sha256": f"{n:064x}",
                "size": len(text),
                "media_type": "text/html",
                "first_capture_id": 0,
                "first_seen_run": 1,
            },
        )
        add_text(db.conn, version, report, None, text)
        db.execute(
            "UPDATE documents SET current_version_id = ? WHERE id = ?",
            [version, document],
        )


def add_event(
    archive: Archive, report: int, *, kind: str = "new_report", baseline: int = 0
) -> int:
    """An event of run 1 about ``report`` (what a crawl writes when it finds one)."""
    with write(archive.db):
        return insert_row(
            archive.db,
            "events",
            {
                "run_id": 1,
                "created": "2025-02-01T02:00:00.000Z",
                "kind": kind,
                "baseline": baseline,
                "report_id": report,
                "source_id": "s",
                "message": kind,
            },
        )


def twins(archive: Archive) -> dict[tuple[int, str], tuple[int, float]]:
    """(report, scope) → (twin, similarity), as ``similar_reports`` holds them."""
    return {
        (report, scope): (twin, value)
        for report, scope, twin, value in archive.db.execute(
            "SELECT report_id, scope, twin_id, similarity FROM similar_reports"
        )
    }


def seeded(archive: Archive) -> dict[str, int]:
    """The five seeds, 高区's 2021 report pasted as its 2022 one with new figures, and
    another zone's copy of it under its own name."""
    ids = {
        name: add_report(archive, body, year, seed_text(name))
        for name, (body, year) in SEED_REPORTS.items()
    }
    ids["pasted"] = add_report(
        archive, GAOQU_BODY, 2022, copy_of(seed_text(GAOQU), seed=2)
    )
    ids["copy"] = add_report(
        archive, OTHER_BODY, 2021, copy_of(seed_text(GAOQU), names=RENAMED)
    )
    return ids
