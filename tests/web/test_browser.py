"""A journalist's path through `nianbao serve`, in real Chromium (Debian's, via Playwright),
on an archive built from the replica (nights 1 and 2): search 复议 in one year and
region, open a report's page (its tables and a failed check explained in Chinese),
download its original PDF (SHA-256 = the blob), its evidence zip (hashes, WARC checked
by `warcio check`), compare it with the year before, then the body's years in a chart
and a table. Screenshots of the search, report, compare and chart pages go to
test-artifacts/."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.browsing import chromium_page, served_copy
from tests.web.test_serve import GAOQU

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
TITLE = f"{GAOQU}2021年政府信息公开工作年度报告"  # a stub page with the report as PDF


def rows(data: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "archive.db") as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, night2: Path
) -> Iterator[tuple[str, Path]]:
    """`nianbao serve` (a real subprocess) on a copy of the night-2 archive."""
    with served_copy(night2, tmp_path_factory.mktemp("browser")) as up:
        yield up


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page(accept_downloads=True) as opened:
        yield opened


def test_search_open_a_report_download_its_pdf_and_see_the_years(
    site: tuple[str, Path], page: Page
) -> None:
    base, data = site
    ARTIFACTS.mkdir(exist_ok=True)
    (report_id,) = rows(
        data, "SELECT id FROM reports WHERE body = ? AND year = 2021", GAOQU
    )[0]

    # 1. search 复议 in one year and region, from the search form
    (region,) = rows(data, "SELECT region FROM reports WHERE id = ?", report_id)[0]
    page.goto(f"{base}/-/search")
    page.fill("input[name=q]", "复议")
    page.fill("input[name=year]", "2021")
    page.fill("input[name=region]", region)
    page.click("form.nb-form input[type=submit]")
    mentioning = rows(
        data,
        """SELECT DISTINCT d.report_id FROM texts t
           JOIN documents d ON d.current_version_id = t.version_id
           JOIN reports r ON r.id = d.report_id
           WHERE (instr(t.text, '复议') > 0 OR instr(t.title, '复议') > 0)
             AND r.year = 2021 AND substr(r.region, 1, length(?)) = ?""",
        region,
        region,
    )
    assert 0 < len(mentioning) <= 20
    expect(page.locator("p.nb-total")).to_contain_text(f"共 {len(mentioning)} 份年报")
    results = page.locator("ol.nb-results > li")
    expect(results).to_have_count(len(mentioning))
    passages = page.locator("p.nb-passage").all_inner_texts()
    assert passages
    assert all("复议" in p for p in passages)
    assert not any("本报告内容包括" in p for p in passages)  # never the contents
    assert len(page.locator("p.nb-passage mark").all()) >= len(passages)
    page.screenshot(path=ARTIFACTS / "serve-search.png")

    # 2. open the report from its row of the results
    row = results.filter(has_text=f"{GAOQU} 2021 年")
    expect(row).to_have_count(1)
    row.locator(f"a[href='/archive/reports/{report_id}']").click()
    page.wait_for_url(f"{base}/archive/reports/{report_id}")
    expect(page.locator("body")).to_contain_text(TITLE)

    # 3. the report page: its figures in the three tables, its checks in Chinese
    (figures,) = rows(
        data,
        "SELECT count(*) FROM figures f JOIN best_versions b"
        " ON b.version_id = f.version_id WHERE f.report_id = ?",
        report_id,
    )[0]
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("table.nb-figures td:not(.nb-none)")).to_have_count(figures)
    failed = rows(
        data,
        "SELECT c.explanation FROM checks c JOIN best_versions b"
        " ON b.version_id = c.version_id WHERE c.report_id = ? AND c.ok = 0"
        " AND c.name <> 'in_force_trend' ORDER BY c.scope = 'years', c.id",
        report_id,
    )
    shown = page.locator("ul.nb-failed-list li")
    expect(shown).to_have_count(len(failed))
    for item, (explanation,) in zip(shown.all(), failed, strict=True):
        expect(item).to_contain_text(explanation)
    page.screenshot(path=ARTIFACTS / "serve-report.png", full_page=True)

    # 4. download the original PDF from the report's files
    (pdf_sha256,) = rows(
        data,
        """SELECT v.sha256 FROM documents d JOIN versions v ON v.id = d.current_version_id
           WHERE d.report_id = ? AND d.role = 'attachment'
             AND v.media_type = 'application/pdf'""",
        report_id,
    )[0]
    with page.expect_download() as download_info:
        page.click(f"a.nb-download[href='/-/original/{pdf_sha256}']")
    download = download_info.value
    got = Path(download.path()).read_bytes()
    assert hashlib.sha256(got).hexdigest() == pdf_sha256
    blob = data / "blobs" / "sha256" / pdf_sha256[:2] / pdf_sha256[2:4] / pdf_sha256
    assert got == blob.read_bytes()
    assert download.suggested_filename == f"{GAOQU}_2021年_政府信息公开工作年度报告.pdf"

    # 5. the evidence zip: every original byte for byte, hashes listed, a valid WARC
    page.goto(f"{base}/archive/reports/{report_id}")
    with page.expect_download() as download_info:
        page.click("a.nb-evidence")
    download = download_info.value
    assert download.suggested_filename == f"{GAOQU}_2021年_政府信息公开工作年度报告.zip"
    zipped = Path(download.path())
    versions = {
        sha
        for (sha,) in rows(
            data,
            "SELECT v.sha256 FROM versions v JOIN documents d ON d.id = v.document_id"
            " WHERE d.report_id = ?",
            report_id,
        )
    }
    with zipfile.ZipFile(zipped) as archive:
        sums = dict(
            reversed(line.split("  ", 1))
            for line in archive.read("SHA256SUMS").decode().splitlines()
        )
        for name, sha in sums.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == sha
        assert versions <= set(sums.values())
        warc = ARTIFACTS / "evidence.warc.gz"
        warc.write_bytes(archive.read("captures.warc.gz"))
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", str(warc)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    # 6. compare with the year before, figure by figure
    page.click("a.nb-compare-previous")
    page.wait_for_url(re.compile(r"/-/compare\?"))
    summary = page.locator("p.nb-summary").inner_text()
    differing = int(re.match(r"(\d+) 项数字不同", summary).group(1))  # type: ignore[union-attr]
    expect(
        page.locator("table.nb-figures td.nb-diff:not(.nb-unstated):not(.nb-absent)")
    ).to_have_count(differing)
    expect(page.locator("h1")).to_contain_text("2020")
    page.screenshot(path=ARTIFACTS / "serve-compare.png", full_page=True)

    # 7. the body's years: the chart (from the menu), then the year-by-year table
    page.goto(f"{base}/archive/reports/{report_id}")
    page.click("details.nav-menu summary")
    page.click("text=申请与办理结果图表")
    page.fill("#chart-body", GAOQU)
    page.click("input[value='按机关查看']")
    groups = page.locator("svg.nianbao-chart g.year")
    expect(groups).to_have_count(5)
    assert [g.get_attribute("data-year") for g in groups.all()] == [
        "2020",
        "2021",
        "2022",
        "2023",
        "2024",
    ]
    page.screenshot(path=ARTIFACTS / "serve-chart.png", full_page=True)
    page.click("text=逐年对比表（body_years）")
    page.wait_for_url(re.compile(r"/archive/body_years\?body="))
    years = page.locator("table.rows-and-columns td.col-year").all_inner_texts()
    assert sorted(years) == ["2020", "2021", "2022", "2023", "2024"]
