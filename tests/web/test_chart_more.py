"""`/-/chart`, Chinese-first and honest: bodies found by a part of their name, how many
reports each year's bars sum (and a warning when that differs), 行政复议/行政诉讼 per
year from table 4, and hostile input answered with a clear page."""

from __future__ import annotations

import re
import sqlite3
from html import unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from archive.db import connect
from web.chart import resolve_body

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import httpx

JINGZHI = "安丘市景芝镇人民政府"
QINSHAN = "威海临港经济技术开发区苘山镇人民政府"  # 2022: table 4 read, every cell blank
GAOQU = "威海火炬高技术产业开发区管理委员会"
SHANDONG = "山东省"  # years sum 7, 18, 23, 23, 23 and 9 reports
PINGTAN = "福建省平潭综合实验区"  # one report a year with tables (none before 2019)
WARNING = "注意：各年份合计的年报数不同"


def rows(data: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "archive.db") as db:
        return db.execute(sql, params).fetchall()


def chart(get: Callable[[str], httpx.Response], **args: str) -> httpx.Response:
    (key, value), *_ = args.items()
    return get(f"/-/chart?{key}={quote(value)}")


def section(page: str, name: str) -> str:
    """The part of the page for one chart: ``applications`` or ``appeals``."""
    found = re.search(rf'<section [^>]*id="chart-{name}">(.*?)</section>', page, re.S)
    assert found, name
    return found.group(1)


def year_groups(svg: str, css: str) -> dict[int, str]:
    groups = re.findall(
        rf'<g class="{css}" data-year="(\d+)"[^>]*>(.*?)</g>', svg, re.S
    )
    return {int(year): group for year, group in groups}


def table_rows(part: str) -> list[list[str]]:
    body = part.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        )
    ]


def region_where(prefix: str) -> tuple[str, tuple[Any, ...]]:
    return "substr(r.region, 1, ?) = ?", (len(prefix), prefix)


# ---------------------------------------------------------------- bodies by a part


def test_a_part_of_one_name_charts_that_body(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    response = chart(get, body="景芝镇")
    assert response.status_code == 200
    page = response.text
    assert (
        '<p class="message-info" id="chart-found">按“景芝镇”找到：安丘市景芝镇人民政府</p>'
        in page
    )
    assert f"<h1>{JINGZHI}：依申请公开的申请与办理结果</h1>" in page
    years = [
        y
        for (y,) in rows(
            data, "SELECT year FROM reports WHERE body = ? ORDER BY year", JINGZHI
        )
    ]
    assert list(year_groups(section(page, "applications"), "year")) == years
    # the same chart as by the full name, which needs no note
    full = chart(get, body=JINGZHI).text
    assert section(full, "applications") == section(page, "applications")
    assert 'id="chart-found"' not in full


def test_a_part_of_several_names_lists_them_without_a_chart(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    names = [
        b
        for (b,) in rows(
            data,
            "SELECT DISTINCT body FROM reports WHERE body LIKE '%管理委员会%' ORDER BY body",
        )
    ]
    assert len(names) == 3
    response = chart(get, body="管理委员会")
    assert response.status_code == 200
    page = response.text
    assert f"有 {len(names)} 个机关名称含“管理委员会”，请选择" in page
    links = re.findall(r'<li><a href="/-/chart\?body=([^"]+)">([^<]+)</a></li>', page)
    assert [(quote(n), n) for n in names] == links
    assert "nianbao-chart-section" not in page
    assert "存档中没有" not in page


def test_a_part_of_no_name_is_404(get: Callable[[str], httpx.Response]) -> None:
    response = chart(get, body="不存在的镇")
    assert response.status_code == 404
    assert "存档中没有这个机关或地区的年报。" in response.text
    assert "nianbao-chart-section" not in response.text


def test_one_character_must_be_a_whole_name(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    (containing,) = rows(
        data, "SELECT count(DISTINCT body) FROM reports WHERE body LIKE '%镇%'"
    )
    assert (
        containing[0] > 1
    )  # 镇 is in many names, but one character finds none of them
    for text in ("镇", " 镇 "):
        response = chart(get, body=text)
        assert response.status_code == 404
        assert "请选择" not in response.text


def test_resolve_body(data: Path) -> None:
    db = connect(data / "archive.db", readonly=True)
    try:
        assert resolve_body(db, JINGZHI) == (JINGZHI, [JINGZHI])
        assert resolve_body(db, "景芝镇") == (JINGZHI, [JINGZHI])
        assert resolve_body(db, "镇") == (None, [])
        assert resolve_body(db, "%%") == (None, [])  # not a LIKE pattern
        name, names = resolve_body(db, "苘山镇")
        assert (name, names) == (QINSHAN, [QINSHAN])
        name, names = resolve_body(db, "蓬莱区")
        assert name is None
        assert names == sorted(
            b
            for (b,) in db.execute(
                "SELECT DISTINCT body FROM reports WHERE body LIKE '%蓬莱区%'"
            )
        )
    finally:
        db.conn.close()


# ---------------------------------------------------------------- coverage


def with_tables(data: Path, prefix: str) -> dict[int, int]:
    """Per year, the reports of the region whose best version has table 3 (0: none)."""
    where, params = region_where(prefix)
    return dict(
        rows(
            data,
            f"""SELECT r.year, count(DISTINCT f.report_id) FROM reports r
                JOIN best_versions b ON b.report_id = r.id
                LEFT JOIN figures f ON f.version_id = b.version_id
                 AND f.table_name = 'applications' AND f.column_key = 'total'
                WHERE {where} GROUP BY r.year ORDER BY r.year""",
            *params,
        )
    )


def test_each_year_says_how_many_reports_its_bars_sum(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    counts = with_tables(data, SHANDONG)
    assert counts == {2019: 7, 2020: 18, 2021: 23, 2022: 23, 2023: 23, 2024: 9}
    groups = year_groups(
        section(chart(get, region=SHANDONG).text, "applications"), "year"
    )
    assert {y: re.findall(r">(\d+) 份</text>", g) for y, g in groups.items()} == {
        y: [str(n)] for y, n in counts.items()
    }


def test_a_region_whose_years_sum_different_numbers_of_reports_warns(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    counts = with_tables(data, SHANDONG)
    listed = "、".join(f"{y}年 {n} 份" for y, n in counts.items())
    part = section(chart(get, region=SHANDONG).text, "applications")
    warning = re.findall(r'<p class="message-warning coverage">(.*?)</p>', part)
    assert warning == [
        f"注意：各年份合计的年报数不同（{listed}），"
        "柱高的变化可能只是收录多少的变化，而非申请量的变化。"
    ]
    assert part.index(WARNING) < part.index("<svg")


@pytest.mark.parametrize(("prefix", "warns"), [(SHANDONG, True), (PINGTAN, False)])
def test_the_warning_appears_exactly_when_counts_differ(
    get: Callable[[str], httpx.Response], data: Path, prefix: str, warns: bool
) -> None:
    counts = with_tables(data, prefix)
    drawn = {n for n in counts.values() if n}  # years without tables draw no bars
    assert (len(drawn) > 1) is warns
    page = chart(get, region=prefix).text
    assert (WARNING in section(page, "applications")) is warns
    groups = year_groups(section(page, "applications"), "year")
    without = [y for y, n in counts.items() if not n]
    assert [y for y, g in groups.items() if "无表格" in g] == without
    if prefix == PINGTAN:
        assert without == list(range(2011, 2019))


def test_a_body_chart_counts_no_reports_and_never_warns(
    get: Callable[[str], httpx.Response],
) -> None:
    page = chart(get, body=GAOQU).text
    assert WARNING not in page
    assert " 份</text>" not in page


# ---------------------------------------------------------------- 行政复议, 行政诉讼


def appeal_sums(data: Path, where: str, *params: Any) -> dict[int, list[int | None]]:
    """Per year: 行政复议 then 行政诉讼 (both litigation rows), each upheld, corrected,
    other, pending, total; None where every report left the cell blank."""
    columns = ("upheld", "corrected", "other", "pending", "total")
    sums: dict[int, list[int | None]] = {}
    for year, bar, column, value in rows(
        data,
        f"""SELECT r.year, f.row_key = 'review', f.column_key, sum(f.value)
            FROM reports r JOIN best_versions b ON b.report_id = r.id
            JOIN figures f ON f.version_id = b.version_id AND f.table_name = 'appeals'
            WHERE {where} GROUP BY 1, 2, 3""",
        *params,
    ):
        cells = sums.setdefault(year, [None] * 10)
        i = (0 if bar else 5) + columns.index(column)
        cells[i] = None if value is None else int(value)
    return dict(sorted(sums.items()))


@pytest.mark.parametrize("subject", ["body", "region"])
def test_appeals_per_year_are_the_figures(
    get: Callable[[str], httpx.Response], data: Path, subject: str
) -> None:
    if subject == "body":
        expected = appeal_sums(data, "r.body = ?", QINSHAN)
        page = chart(get, body=QINSHAN).text
    else:
        where, params = region_where(SHANDONG)
        expected = appeal_sums(data, where, *params)
        page = chart(get, region=SHANDONG).text
    part = section(page, "appeals")
    got = {
        int(row[0]): [None if c == "—" else int(c) for c in row[1:11]]
        for row in table_rows(part)
    }
    assert got == expected
    labels = ("结果维持", "结果纠正", "其他结果", "尚未审结")
    for year, group in year_groups(part, "appeal-year").items():
        tips = set(re.findall(r"<title>(.*?)</title>", group))
        cells = expected[year]
        assert tips == {
            f"{year}年 {bar} {label}：{cells[offset + i]}"
            for bar, offset in (("行政复议", 0), ("行政诉讼", 5))
            for i, label in enumerate(labels)
            if cells[offset + i]
        }


def test_a_year_with_table_4_blank_says_so_instead_of_bars(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    (blank,) = rows(
        data,
        """SELECT r.year, count(f.id), count(f.value) FROM reports r
           JOIN best_versions b ON b.report_id = r.id
           JOIN figures f ON f.version_id = b.version_id AND f.table_name = 'appeals'
           WHERE r.body = ? GROUP BY r.year HAVING count(f.value) = 0""",
        QINSHAN,
    )
    assert blank[:2] == (2022, 15)
    part = section(chart(get, body=QINSHAN).text, "appeals")
    groups = year_groups(part, "appeal-year")
    assert "未填" in groups[2022]
    assert "<rect" not in groups[2022]
    assert all("<rect" in g or ">0</text>" in g for y, g in groups.items() if y != 2022)
    (row,) = [r for r in table_rows(part) if r[0] == "2022"]
    assert row[1:11] == ["—"] * 10
    assert row[11].endswith("（表四未填）")


def test_a_region_warns_when_its_years_state_table_4_in_different_numbers(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    where, params = region_where(SHANDONG)
    stated = dict(
        rows(
            data,
            f"""SELECT r.year, count(DISTINCT f.report_id) FROM reports r
                JOIN best_versions b ON b.report_id = r.id
                JOIN figures f ON f.version_id = b.version_id
                 AND f.table_name = 'appeals' AND f.value IS NOT NULL
                WHERE {where} GROUP BY r.year ORDER BY r.year""",
            *params,
        )
    )
    assert stated[2022] == with_tables(data, SHANDONG)[2022] - 1  # 苘山镇 2022
    part = section(chart(get, region=SHANDONG).text, "appeals")
    listed = "、".join(f"{y}年 {n} 份" for y, n in stated.items())
    assert f"{WARNING}（{listed}），" in part
    groups = year_groups(part, "appeal-year")
    assert {y: re.findall(r">(\d+) 份</text>", g) for y, g in groups.items()} == {
        y: [str(n)] for y, n in stated.items()
    }


# ---------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        ({"body": "机" * 5000}, 400, "过长"),
        ({"region": "山东省" * 2000}, 400, "过长"),
        ({"body": "'; DROP TABLE reports; --"}, 404, "存档中没有"),
        ({"body": "%%"}, 404, "存档中没有"),
        ({"body": "<script>alert(1)</script>"}, 404, "存档中没有"),
        ({"region": "' OR 1=1 --"}, 404, "存档中没有"),
        ({"body": "\x00\x07\x1b"}, 200, "按机关查看"),
        ({"body": "\x00景芝\x1b镇\n"}, 200, "按“景芝镇”找到"),
    ],
)
def test_hostile_input_gets_a_clear_page(
    get: Callable[[str], httpx.Response],
    data: Path,
    args: dict[str, str],
    status: int,
    says: str,
) -> None:
    response = chart(get, **args)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert says in response.text
    assert "Traceback" not in response.text
    assert "<script>alert" not in response.text
    assert "\x00" not in response.text
    assert rows(data, "SELECT count(*) FROM reports") == [(125,)]
