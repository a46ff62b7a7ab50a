"""The report page at ``/archive/reports/<id>`` (issue 13, point 1), on the replica's
night-2 archive, against the replica's manifest: the tables as printed, the cells of a
failed check marked and explained in Chinese, blank cells blank, the originals with
their hashes, the history of a silently edited report, the body's other years; and
the same page under plain ``datasette`` (the plugin found through its entry point)."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import lxml.html
import pytest

from archive.db import DB_NAME
from processors.schema import COLUMN_NAMES, ROW_NAMES
from tests.web.test_serve import free_port, wait_for

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import httpx


def rows(data: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "archive.db") as db:
        return db.execute(sql, params).fetchall()


def report_id(data: Path, entry: dict[str, Any]) -> int:
    ((found,),) = rows(
        data,
        "SELECT id FROM reports WHERE body = ? AND year = ?",
        entry["body"],
        entry["year"],
    )
    return int(found)


def page(get: Callable[[str], httpx.Response], report: int) -> Any:
    response = get(f"/archive/reports/{report}")
    assert response.status_code == 200
    return lxml.html.fromstring(response.text)


def text(node: Any) -> str:
    return " ".join(node.text_content().split())


def grid(root: Any, table: str) -> dict[tuple[str, str], str]:
    """(row label, column label) → the cell's text, of one of the page's tables."""
    (found,) = root.xpath(f"//h2[@id='table-{table}']/following-sibling::table[1]")
    columns = [text(th) for th in found.xpath("./thead/tr/th")][1:]
    out = {}
    for tr in found.xpath("./tbody/tr"):
        label = text(tr.xpath("./th")[0])
        for column, td in zip(columns, tr.xpath("./td"), strict=True):
            if td.get("class") != "nb-none":  # the row has no such column
                out[(label, column)] = text(td)
    return out


def test_the_tables_are_the_printed_figures_under_their_chinese_labels(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    entry = manifest["anqiu-fgj/2021"]
    root = page(get, report_id(data, entry))
    assert text(root.xpath("//h1")[0]) == entry["title"]
    assert root.xpath("//title")[0].text.startswith(entry["title"])
    for table, printed in entry["tables"].items():
        assert grid(root, table) == {
            (ROW_NAMES[table].get(row, row), COLUMN_NAMES[table][column]): (
                "" if value is None else f"{value:g}"
            )
            for row, cells in printed.items()
            for column, value in cells.items()
        }


def test_a_failed_check_marks_its_cells_and_says_why_in_chinese(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    report = report_id(data, manifest["anqiu-fgj/2021"])  # the `unbalanced` defect
    failed = rows(
        data,
        "SELECT c.name, c.explanation, c.cells FROM checks c JOIN best_versions b"
        " ON b.version_id = c.version_id WHERE c.report_id = ? AND c.ok = 0"
        " AND c.name <> 'in_force_trend' ORDER BY c.id",
        report,
    )
    assert [name for name, _, _ in failed] == ["balance", "handled_sum"]
    root = page(get, report)
    shown = [text(li) for li in root.xpath("//ul[@class='nb-failed-list']/li")]
    assert shown == [
        "收支平衡：新收 + 上年结转 = 办理总计 + 结转下年度："
        "“自然人”列：本年新收 14 加上年结转 0 共 14 件，而办理结果总计 20 加结转下年度 0 共 20 件，"
        "两者应相等；“总计”列：本年新收 14 加上年结转 0 共 14 件，而办理结果总计 20 加结转下年度 0 "
        "共 20 件，两者应相等",
        "办理结果合计：三（一）至（六）之和 = 三（七）总计："
        "“自然人”列：办理结果总计填 20，而三（一）至（六）各项之和为 14；“总计”列：办理结果总计填 "
        "20，而三（一）至（六）各项之和为 14",
    ]
    marked = {tuple(cell) for _, _, cells in failed for cell in json.loads(cells)}
    assert len(root.xpath("//td[@class='nb-failed']")) == len(marked)
    assert {column for _, _, column in marked} == {"natural_person", "total"}
    assert all(td.get("title") for td in root.xpath("//td[@class='nb-failed']"))


def test_a_blank_cell_is_shown_blank_never_0(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    entry = manifest["wip-qingshan/2022"]  # the `blank_cells` defect
    blanks = {
        (ROW_NAMES[table].get(row, row), COLUMN_NAMES[table][column])
        for table, printed in entry["tables"].items()
        for row, cells in printed.items()
        for column, value in cells.items()
        if value is None
    }
    assert blanks
    root = page(get, report_id(data, entry))
    shown = {
        key: value
        for table in entry["tables"]
        for key, value in grid(root, table).items()
        if key in blanks
    }
    assert set(shown) == blanks
    assert set(shown.values()) == {""}
    assert not root.xpath("//ul[@class='nb-failed-list']")


def test_the_originals_are_listed_with_their_hashes_and_download(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    entry = manifest["whctp-gw/2021"]
    root = page(get, report_id(data, entry))
    listed = {text(td) for td in root.xpath("//td[@class='nb-hash']")}
    assert listed == {f["sha256"] for f in entry["files"]}
    for link in root.xpath("//a[@class='nb-download']"):
        response = get(link.get("href"))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() in listed


def test_a_silent_edit_is_in_the_history_and_the_other_years_are_linked(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    entry = manifest["whctp-jjfz/2022"]  # 行政处罚 53 → 15 on night 2
    report = report_id(data, entry)
    root = page(get, report)
    history = [
        [text(td) for td in tr.xpath("./td")]
        for tr in root.xpath("//h2[@id='history']/following-sibling::table[1]/tbody/tr")
    ]
    assert [what for _, what, _ in history][-1] == "文件有改动"
    assert "53 → 15" in history[-1][2]
    others = rows(
        data,
        "SELECT year, id FROM reports WHERE body = ? AND id <> ? ORDER BY year",
        entry["body"],
        report,
    )
    links = root.xpath("//p[@class='nb-years']/a")
    assert [(text(a), a.get("href")) for a in links] == [
        (f"{year} 年", f"/archive/reports/{other}") for year, other in others
    ]


@pytest.mark.parametrize("path", ["/archive/reports/99999999", "/archive/reports/x'"])
def test_an_unknown_report_is_a_plain_404(
    get: Callable[[str], httpx.Response], path: str
) -> None:
    response = get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_other_rows_keep_datasettes_own_page(
    get: Callable[[str], httpx.Response],
) -> None:
    response = get("/archive/sources/wip")
    assert response.status_code == 200
    assert "nb-report" not in response.text
    assert "wip" in response.text


def test_plain_datasette_finds_the_plugin_the_queries_and_the_report_page(
    data: Path, manifest: dict[str, dict]
) -> None:
    """`datasette DATA/archive.db`, no nianbao wrapper (issue 13, point 6)."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            str(data / "archive.db"),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        queries = json.loads(wait_for(f"{base}/archive.json", server))["queries"]
        assert {"latest", "failing_checks", "body_years"} <= {
            q["name"] for q in queries
        }
        search = wait_for(f"{base}/-/search?q=%E5%A4%8D%E8%AE%AE", server).decode()
        assert "份年报</strong>含“复议”" in search  # the search page, plugin-served
        report = report_id(data, manifest["anqiu-fgj/2021"])
        html = wait_for(f"{base}/archive/reports/{report}", server).decode()
        assert "收支平衡" in html
        assert 'class="nb-failed"' in html
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_evidence_button_gives_the_reports_zip(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    with sqlite3.connect(data / DB_NAME) as conn:
        report, body, year = conn.execute(
            "SELECT id, body, year FROM reports WHERE body = ? AND year = 2022",
            ["安丘市景芝镇人民政府"],
        ).fetchone()
        hashes = {
            h
            for (h,) in conn.execute(
                """SELECT v.sha256 FROM versions v JOIN documents d
                   ON d.id = v.document_id WHERE d.report_id = ?""",
                [report],
            )
        }
    page = get(f"/archive/reports/{report}").text
    assert f'href="/-/evidence/{report}.zip"' in page
    answer = get(f"/-/evidence/{report}.zip")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    name = quote(f"{body}_{year}年_政府信息公开工作年度报告.zip")
    assert f"filename*=UTF-8''{name}" in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        members = archive.namelist()
        inside = {hashlib.sha256(archive.read(m)).hexdigest() for m in members}
    assert {"README.txt", "provenance.json", "captures.warc.gz"} <= set(members)
    assert hashes <= inside  # every version's original bytes, unchanged
    for path in (
        "/-/evidence/999999.zip",
        "/-/evidence/abc.zip",
        "/-/evidence/1" + "0" * 30 + ".zip",
    ):
        missing = get(path)
        assert missing.status_code == 404
        assert "Traceback" not in missing.text
