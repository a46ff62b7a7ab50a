"""``/-/compare`` (issue 13, point 3) on the replica's night-2 archive, against the
replica's manifests: the silent edit of night 2 as exactly its one figure, every
differing cell of a body's two years and of two bodies' same year, blank cells as
「未填」 (never 0, never a numeric difference), the default to the year before, the
links from the report page and the ``changed`` list, and hostile input answered in
Chinese with 400 or 404."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import lxml.html
import pytest

from processors.schema import COLUMN_NAMES, ROW_NAMES, TABLE_NAMES
from replica.catalog import catalog
from tests.web.test_report_page import report_id, rows, text
from web.compare import pair

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import httpx

Cell = tuple[str, str, str]  # (table, row label, column label)
EDITED = "whctp-jjfz/2022"  # 行政处罚 处理决定数量 53 → 15 on night 2


@pytest.fixture(scope="module")
def tonight() -> dict[str, dict]:
    """Night 2's manifest by report key: the figures the archive's best versions hold."""
    return {entry["key"]: entry for entry in catalog(2).manifest(tables=True)}


def compare(
    get: Callable[[str], httpx.Response], status: int = 200, **args: Any
) -> Any:
    response = get(f"/-/compare?{urlencode(args)}")
    assert response.status_code == status, response.text[:500]
    assert "Traceback" not in response.text
    return lxml.html.fromstring(response.text)


def figures(entry: dict[str, Any]) -> dict[Cell, Any]:
    """A manifest entry's figures under the page's Chinese labels."""
    return {
        (table, ROW_NAMES[table].get(row, row), COLUMN_NAMES[table][column]): value
        for table, printed in entry["tables"].items()
        for row, cells in printed.items()
        for column, value in cells.items()
    }


def printed(value: Any) -> str:
    return "未填" if value is None else f"{value:g}"


def expected_differences(a: dict[Cell, Any], b: dict[Cell, Any]) -> dict[Cell, tuple]:
    """(A, B, B − A, kind) of every cell that differs, worked out from the manifests."""
    out = {}
    for cell in a.keys() | b.keys():
        if cell not in a or cell not in b:
            shown = [printed(s[cell]) if cell in s else "无此栏" for s in (a, b)]
            out[cell] = (*shown, "", "一方没有这一栏")
        elif (a[cell] is None) != (b[cell] is None):
            out[cell] = (printed(a[cell]), printed(b[cell]), "", "一方未填")
        elif a[cell] is not None and a[cell] != b[cell]:
            step = Decimal(str(b[cell])) - Decimal(str(a[cell]))
            out[cell] = (printed(a[cell]), printed(b[cell]), f"{step:+g}", "数字不同")
    return out


def differences(root: Any) -> dict[Cell, tuple]:
    """The page's list of differences: (table, row, column) → (A, B, B − A, kind)."""
    names = {name: key for key, name in TABLE_NAMES.items()}
    out = {}
    for tr in root.xpath("//table[contains(@class, 'nb-differences')]/tbody/tr"):
        table, row, column, *rest = [text(td) for td in tr.xpath("./td")]
        out[(names[table], row, column)] = tuple(rest)
    return out


def grid(root: Any) -> dict[Cell, Any]:
    """Every cell of the page's figure tables that either side has: its <td>."""
    out = {}
    for key in TABLE_NAMES:
        for found in root.xpath(f"//h2[@id='table-{key}']/following-sibling::table[1]"):
            columns = [text(th) for th in found.xpath("./thead/tr/th")][1:]
            for tr in found.xpath("./tbody/tr"):
                label = text(tr.xpath("./th")[0])
                for column, td in zip(columns, tr.xpath("./td"), strict=True):
                    if td.get("class") != "nb-none":
                        out[(key, label, column)] = td
    return out


def span(td: Any, name: str) -> str | None:
    found = td.xpath(f"./span[@class='{name}']")
    return text(found[0]) if found else None


def summary(root: Any) -> str:
    return text(root.xpath("//p[@class='nb-summary']")[0])


def test_the_silent_edit_compares_as_exactly_its_one_figure(
    get: Callable[[str], httpx.Response],
    data: Path,
    manifest: dict[str, dict],
    tonight: dict[str, dict],
) -> None:
    report = report_id(data, manifest[EDITED])
    ((before, after),) = rows(
        data,
        "SELECT previous_version_id, version_id FROM report_changes WHERE report_id = ?",
        report,
    )
    root = compare(get, version_a=before, version_b=after)
    expected = expected_differences(figures(manifest[EDITED]), figures(tonight[EDITED]))
    assert expected == {
        ("active", "行政处罚", "处理决定数量"): ("53", "15", "-38", "数字不同")
    }
    assert differences(root) == expected
    (marked,) = root.xpath("//td[contains(@class, 'nb-diff')]")
    assert marked.get("class") == "nb-diff"
    assert (span(marked, "nb-a"), span(marked, "nb-b"), span(marked, "nb-d")) == (
        "53",
        "15",
        "-38",
    )
    assert summary(root) == "1 项数字不同。"
    body = manifest[EDITED]["body"]
    assert root.xpath("//title")[0].text == (
        f"对比：{body} 2022 年（版本 #{before}） 与 （版本 #{after}）"
    )
    downloads = [a.get("href") for a in root.xpath("//a[@class='nb-download']")]
    assert downloads == [
        f"/-/original/{night[EDITED]['files'][0]['sha256']}"
        for night in (manifest, tonight)
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("whctp-jjfz/2022", "whctp-jjfz/2023"),  # a body's two years
        ("whctp-jjfz/2023", "whctp-gw/2023"),  # two bodies' same year
        ("whctp-jjfz/2020", "whctp-jjfz/2021"),  # the 2019 template against 2021's
    ],
)
def test_every_differing_cell_is_marked_with_both_values_and_the_difference(
    get: Callable[[str], httpx.Response],
    data: Path,
    tonight: dict[str, dict],
    first: str,
    second: str,
) -> None:
    a, b = figures(tonight[first]), figures(tonight[second])
    expected = expected_differences(a, b)
    numeric = {c for c, (*_, kind) in expected.items() if kind == "数字不同"}
    assert numeric  # the pair is worth comparing
    root = compare(
        get, a=report_id(data, tonight[first]), b=report_id(data, tonight[second])
    )
    assert differences(root) == expected
    cells = grid(root)
    assert set(cells) == a.keys() | b.keys()
    for cell, td in cells.items():
        if cell in numeric:
            assert td.get("class") == "nb-diff"
            assert (span(td, "nb-a"), span(td, "nb-b"), span(td, "nb-d")) == (
                expected[cell][:3]
            )
        elif cell in expected:  # only one side has the cell (another template)
            assert expected[cell][3] == "一方没有这一栏"
            assert td.get("class") == "nb-diff nb-absent"
            assert (span(td, "nb-a"), span(td, "nb-b")) == expected[cell][:2]
        else:  # the same: printed once, unmarked
            assert "nb-diff" not in (td.get("class") or "")
            assert text(td) == ("" if a[cell] is None else printed(a[cell]))
    absent = len(expected) - len(numeric)
    assert summary(root) == f"{len(numeric)} 项数字不同" + (
        f"；{absent} 项只有一方有这一栏（两份的表格栏目不同）。" if absent else "。"
    )
    entries = tonight[first], tonight[second]
    sides = [
        [
            text(td)
            for td in root.xpath(
                f"//table[@class='nb-table nb-sides']/tbody/tr[{i}]/td"
            )
        ]
        for i in (1, 2)
    ]
    assert sides == [[e["body"] for e in entries], [f"{e['year']} 年" for e in entries]]
    links = [a.get("href") for a in root.xpath("//a[@class='nb-report-link']")]
    assert links == [f"/archive/reports/{report_id(data, e)}" for e in entries]


def test_a_blank_cell_is_not_stated_never_0_nor_a_numeric_difference(
    get: Callable[[str], httpx.Response], data: Path, tonight: dict[str, dict]
) -> None:
    blank, full = tonight["wip-qingshan/2022"], tonight["wip-qingshan/2023"]
    a, b = figures(blank), figures(full)
    unstated = {c for c in a if a[c] is None and b.get(c) is not None}
    assert len(unstated) > 100  # the `blank_cells` defect
    root = compare(get, a=report_id(data, blank), b=report_id(data, full))
    cells, listed = grid(root), differences(root)
    for cell in unstated:
        td = cells[cell]
        assert td.get("class") == "nb-diff nb-unstated"
        assert (span(td, "nb-a"), span(td, "nb-b")) == ("未填", printed(b[cell]))
        assert span(td, "nb-d") is None  # no B − A
        assert listed[cell] == ("未填", printed(b[cell]), "", "一方未填")
    for cell in (c for c in a if a[c] is None and b.get(c) is None):
        assert cells[cell].get("class") == "nb-blank"
        assert text(cells[cell]) == ""
    numeric = len(expected_differences(a, b)) - len(unstated)
    assert summary(root) == f"{numeric} 项数字不同；另有 {len(unstated)} 项一方未填。"


def test_a_blank_against_0_is_not_stated_and_numbers_subtract_exactly() -> None:
    labels = ("行政事业性收费", "本年收费金额（单位：万元）")
    blank = pair("active", labels, None, 0)
    assert (blank.kind, blank.a_shown, blank.b_shown, blank.difference) == (
        "unstated",
        "未填",
        "0",
        "",
    )
    assert pair("active", labels, None, None).kind == "same"
    assert pair("active", labels, 3, 3.0).kind == "same"
    fees = pair("active", labels, 60.5, 70.12)  # not 9.620000000000005
    assert (fees.kind, fees.difference) == ("changed", "+9.62")
    absent = pair("active", labels, None, 5, in_a=False)
    assert (absent.kind, absent.a_shown, absent.b_shown) == ("absent", "无此栏", "5")


def test_only_a_compares_the_year_before_with_it(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    this, before = manifest[EDITED], manifest["whctp-jjfz/2021"]
    root = compare(get, a=report_id(data, this))
    links = [a.get("href") for a in root.xpath("//a[@class='nb-report-link']")]
    assert links == [f"/archive/reports/{report_id(data, e)}" for e in (before, this)]
    assert text(root.xpath("//p[contains(@class, 'nb-note')]")[0]).startswith(
        "未指定 B：与本机关上一年对比，A 为 2021 年、B 为 2022 年"
    )
    assert text(root.xpath("//h1")[0]) == f"对比：{this['body']} 2021 年 与 2022 年"


def test_only_a_without_a_year_before_offers_a_choice(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    first = manifest["whctp-jjfz/2020"]
    report = report_id(data, first)
    root = compare(get, a=report)
    assert "没有" in text(root.xpath("//p[contains(@class, 'nb-message')]")[0])
    assert not root.xpath("//table[contains(@class, 'nb-figures')]")
    years = root.xpath("//select[@name='b']/optgroup[1]/option")
    assert [(o.get("value"), text(o)) for o in years] == [
        (str(other), f"{year} 年")
        for year, other in rows(
            data,
            "SELECT year, id FROM reports WHERE body = ? AND id <> ? ORDER BY year",
            first["body"],
            report,
        )
    ]
    assert root.xpath("//input[@name='a']/@value") == [str(report)] * 2


def test_the_report_page_links_to_compare(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    report = report_id(data, manifest[EDITED])
    page = lxml.html.fromstring(get(f"/archive/reports/{report}").text)
    previous = report_id(data, manifest["whctp-jjfz/2021"])
    (top,) = page.xpath("//a[@class='nb-compare-previous']")
    assert (text(top), top.get("href")) == (
        "与上一年对比",
        f"/-/compare?a={previous}&b={report}",
    )
    others = rows(
        data,
        "SELECT year, id FROM reports WHERE body = ? AND id <> ? ORDER BY year",
        manifest[EDITED]["body"],
        report,
    )
    links = page.xpath("//p[@class='nb-years']/span[@class='nb-compare-link']/a")
    assert [(text(a), a.get("href")) for a in links] == [
        ("对比", f"/-/compare?a={other}&b={report}")  # the earlier year as A
        if year < 2022
        else ("对比", f"/-/compare?a={report}&b={other}")
        for year, other in others
    ]
    for link in links:
        assert get(link.get("href")).status_code == 200


def test_the_first_year_has_no_link_to_the_year_before(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    report = report_id(data, manifest["whctp-jjfz/2020"])
    page = lxml.html.fromstring(get(f"/archive/reports/{report}").text)
    assert not page.xpath("//a[@class='nb-compare-previous']")


def test_the_changed_list_links_before_and_after(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    found = json.loads(get("/archive/changed.json?_shape=array").text)
    (row,) = found
    expected = (
        f"/-/compare?version_a={row['previous_version_id']}"
        f"&version_b={row['version_id']}"
    )
    assert row["compare"] == expected
    page = lxml.html.fromstring(get("/archive/changed").text)
    (link,) = page.xpath("//td[contains(@class, 'col-compare')]/a")
    assert (text(link), link.get("href")) == ("逐项对比", expected)
    assert summary(lxml.html.fromstring(get(expected).text)) == "1 项数字不同。"


LONG = "9" * 5000


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ({}, 400, "请指定要对比的年报"),
        ({"b": "5"}, 400, "请指定要对比的年报"),
        ({"a": "x"}, 400, "年报编号应是数字（如 91），参数 a 却是“x”。"),
        ({"a": "-1"}, 400, "年报编号应是数字"),
        ({"a": "1e3"}, 400, "年报编号应是数字"),
        ({"a": "１２"}, 400, "年报编号应是数字"),  # full-width digits
        ({"a": "1 OR 1=1"}, 400, "年报编号应是数字"),
        ({"a": "1", "b": "<script>"}, 400, "参数 b 却是“<script>”"),
        ({"a": "x" * 5000}, 400, f"参数 a 却是“{'x' * 20}…”"),
        ({"a": LONG}, 404, f"存档中没有编号为 {'9' * 20}… 的年报。"),
        ({"a": "99999999"}, 404, "存档中没有编号为 99999999 的年报。"),
        ({"a": "0"}, 404, "存档中没有编号为 0 的年报。"),
        ({"a": "1", "b": "99999999"}, 404, "存档中没有编号为 99999999 的年报。"),
        ({"a": "1", "b": "1"}, 400, "A 和 B 是同一份年报（#1）"),
        ({"version_a": "1"}, 400, "对比两个版本需要两个版本编号"),
        ({"version_a": "x", "version_b": "1"}, 400, "版本编号应是数字"),
        (
            {"version_a": "1", "version_b": "99999999"},
            404,
            "没有编号为 99999999 的版本",
        ),
        ({"version_a": "1", "version_b": "1"}, 400, "是同一个版本"),
        ({"a": "1", "version_a": "2"}, 400, "请只用一种对比"),
    ],
)
def test_hostile_input_gets_a_chinese_page_never_a_traceback(
    get: Callable[[str], httpx.Response],
    args: dict[str, str],
    status: int,
    message: str,
) -> None:
    root = compare(get, status, **args)
    shown = text(root.xpath("//p[contains(@class, 'nb-message')]")[0])
    assert message in shown
    assert len(shown) < 200  # a long value is never quoted whole
    assert root.xpath("//title")[0].text == "对比两份年报"


def test_versions_of_two_reports_are_refused(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    versions = [
        rows(
            data,
            "SELECT version_id FROM best_versions WHERE report_id = ?",
            report_id(data, manifest[key]),
        )[0][0]
        for key in ("whctp-jjfz/2021", EDITED)
    ]
    root = compare(get, 400, version_a=versions[0], version_b=versions[1])
    assert "属于不同的年报" in text(
        root.xpath("//p[contains(@class, 'nb-message')]")[0]
    )
