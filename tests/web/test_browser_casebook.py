"""Issue 15 in real Chromium: `nianbao serve` on an archive of the replica's casebook.

A scanned report's page says it is a scan, shows its OCR'd tables with each figure's
confidence, and lists the figures OCR left blank; the search marks its text as OCR.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.browsing import chromium_page, served_copy

if TYPE_CHECKING:
    from collections.abc import Iterator

# one pytest-xdist worker runs these and test_casebook_night.py: the night is built once
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("casebook")]
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
SCANNED = (
    "诸城市贾悦镇人民政府",
    2021,
)  # replica casebook zc-jiayue/2021: JPEG, 150 dpi


def rows(data: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "archive.db") as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, casebook_night: Path
) -> Iterator[tuple[str, Path]]:
    """`nianbao serve` on a copy of the casebook's archive."""
    with served_copy(casebook_night, tmp_path_factory.mktemp("browser-casebook")) as up:
        yield up


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as opened:
        yield opened


def test_a_scanned_reports_page_shows_its_ocr_tables_with_confidence(
    site: tuple[str, Path], page: Page
) -> None:
    base, data = site
    ARTIFACTS.mkdir(exist_ok=True)
    ((report_id, pages),) = rows(
        data,
        "SELECT r.id, p.ocr_pages FROM reports r JOIN best_versions b"
        " ON b.report_id = r.id JOIN parses p ON p.version_id = b.version_id"
        " WHERE r.body = ? AND r.year = ?",
        *SCANNED,
    )
    assert pages == "[1, 2, 3, 4]"
    page.goto(f"{base}/archive/reports/{report_id}")
    expect(page.locator("dd.nb-ocr-source")).to_have_text(
        "扫描件，文字和表格由 OCR 识别（第 1、2、3、4 页）"
    )
    confident = rows(
        data,
        "SELECT count(*) FROM figures f JOIN best_versions b ON b.version_id ="
        " f.version_id WHERE f.report_id = ? AND f.value IS NOT NULL"
        " AND f.confidence IS NOT NULL",
        report_id,
    )[0][0]
    assert confident >= 190
    expect(page.locator("table.nb-figures td.nb-ocr-cell sub.nb-conf")).to_have_count(
        confident
    )
    # one figure as the page shows it: its value, its confidence beside it and in the tooltip
    value, sure = rows(
        data,
        "SELECT f.value, f.confidence FROM figures f JOIN best_versions b"
        " ON b.version_id = f.version_id WHERE f.report_id = ?"
        " AND f.table_name = 'applications' AND f.row_key = 'new_received'"
        " AND f.column_key = 'natural_person'",
        report_id,
    )[0]
    cell = (
        page.locator("#table-applications + table tbody tr").first.locator("td").first
    )
    expect(cell).to_have_text(f"{int(value)}{round(sure)}")
    expect(cell).to_have_attribute("title", f"OCR 识别，置信度 {round(sure)}")
    # what OCR left blank is listed, each naming its cell
    doubted = [
        w
        for (warnings,) in rows(
            data,
            "SELECT p.warnings FROM best_versions b JOIN parses p"
            " ON p.version_id = b.version_id WHERE b.report_id = ?",
            report_id,
        )
        for w in json.loads(warnings)
        if "OCR" in w
    ]
    expect(page.locator("ul.nb-ocr-warnings li")).to_have_count(len(doubted))
    # ... and its cell is blank, its tooltip saying what OCR read there
    left_blank = [w for w in doubted if "OCR read" in w]
    assert left_blank
    blanks = page.locator("table.nb-figures td.nb-doubted")
    expect(blanks).to_have_count(len(left_blank))
    expect(blanks.first).to_have_text("")
    title = blanks.first.get_attribute("title") or ""
    assert title.startswith("OCR 读出“")
    assert title.endswith("不足以采用，留空；请以原件为准")
    page.screenshot(path=ARTIFACTS / "serve-scanned-report.png", full_page=True)

    # the search marks the scan's text as OCR
    page.goto(f"{base}/-/search?q=贾悦镇&year=2021")
    result = page.locator("ol.nb-results > li").filter(
        has_text="诸城市贾悦镇人民政府 2021 年"
    )
    expect(result).to_have_count(1)
    expect(result.locator(".nb-ocr-mark")).to_have_text("OCR 识别")


def test_a_copied_reports_page_shows_its_twin_and_the_shared_passages(
    site: tuple[str, Path], page: Page
) -> None:
    """The casebook's 寺头镇 2022 is 冶源街道 2022's report with its own name and
    figures written in (replica/casebook.yaml)."""
    base, data = site
    ((copy, twin, similarity),) = rows(
        data,
        "SELECT s.report_id, s.twin_id, s.similarity FROM similar_reports s"
        " JOIN reports r ON r.id = s.report_id JOIN reports t ON t.id = s.twin_id"
        " WHERE r.body = '临朐县寺头镇人民政府' AND t.body = '临朐县冶源街道办事处'",
    )
    page.goto(f"{base}/archive/reports/{copy}")
    section = page.locator("section.nb-similar")
    link = section.locator("a.nb-twin-link")
    expect(link).to_have_text("临朐县冶源街道办事处 2022 年")
    expect(link).to_have_attribute("href", f"/archive/reports/{twin}")
    expect(section.locator(".nb-similarity").first).to_contain_text(
        f"{round(similarity * 100)}%"
    )
    passages = section.locator("table.nb-passage tbody tr")
    assert passages.count() >= 3
    first = passages.first.locator("td")
    expect(first).to_have_count(2)
    assert first.nth(0).inner_text().strip()
    assert first.nth(1).inner_text().strip()
    page.screenshot(path=ARTIFACTS / "serve-copied-report.png", full_page=True)
