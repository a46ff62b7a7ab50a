"""The plain-text reader on the five seed reports, and against the replica's HTML of the same reports."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from processors.document import Document, Grid
from processors.html import read_html
from processors.plain import read_text
from replica.catalog import catalog
from replica.corpus import build_report
from replica.render_html import report_body_html

SEEDS = Path(__file__).resolve().parents[2] / "replica" / "data" / "seeds"
WHCTP = "003_f93b7a0726ae97a9"
NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


@cache
def seed(name: str) -> Document:
    return read_text((SEEDS / f"{name}.txt").read_bytes())


@pytest.mark.parametrize(
    ("name", "title", "grids"),
    [
        # the extraction garbles 蔄山 and 郚山 in the title line too: the reader keeps what is printed
        ("000_731837a222905f1b", "威海临港经济技术开发区蒿山镇人民政府2021年政府信息公开工作年度报告", 4),
        ("001_108774158328b12b", "郟山镇人民政府2020年政府信息公开工作年度报告", 3),
        ("002_62990b8acc293912", "威海临港经济技术开发区汪疃镇人民政府2023年政府信息公开工作年度报告", 3),
        (WHCTP, "威海火炬高技术产业开发区管理委员会2021年政府信息公开工作年度报告", 3),
        ("004_732243d8bfa41975", "蓬莱区大辛店镇人民政府2022年度政府信息公开工作报告", 3),
    ],
)  # fmt: skip
def test_each_seed_title_and_tables(name: str, title: str, grids: int) -> None:
    document = seed(name)
    assert document.kind == "text"
    assert document.meta == {"title": title}
    assert len(document.grids) == grids
    assert document.warnings == ()
    assert "[bookmark" not in document.text
    assert "[image" not in document.text


def test_whctp_table_2_one_cell_per_line() -> None:
    assert seed(WHCTP).grids[0].rows == (
        ("第二十条第（一）项", "", "", ""),
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "0", "0", "0"),
        ("行政规范性文件", "5", "3", "15"),
        ("第二十条第（五）项", "", "", ""),
        ("信息内容", "本年处理决定数量", "", ""),
        ("行政许可", "27960", "", ""),
        ("第二十条第（六）项", "", "", ""),
        ("信息内容", "本年处理决定数量", "", ""),
        ("行政处罚", "795", "", ""),
        ("行政强制", "0", "", ""),
        ("第二十条第（八）项", "", "", ""),
        ("信息内容", "本年收费金额（单位：万元）", "", ""),
        ("行政事业性收费", "13914.44", "", ""),
    )


def test_whctp_table_3_bare_tabs_are_empty_cells() -> None:
    rows = seed(WHCTP).grids[1].rows
    zeros = ("0",) * 5
    assert (
        rows[0][:2]
        == (
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",  # over 2 lines
            "申请人情况",
        )
    )
    assert rows[1][:4] == ("", "自然人", "法人或其他组织", "总计")
    assert rows[3][:8] == ("一、本年新收政府信息公开申请数量", "10", *zeros, "10")
    assert rows[5] == ("三、本年度办理结果", "（一）予以公开", "1", *zeros, "1", "")
    assert rows[12] == ("", "", "6.属于四类过程性信息", "2", *zeros, "2")
    assert rows[17] == ("", "", "3.补正后申请内容仍不明确", "0", *zeros, "0")
    assert rows[22][2] == "5.要求行政机关确认或重新出具已获取信息"  # over 2 lines
    assert rows[26] == ("", "（七）总计", "10", *zeros, "10", "")
    assert rows[27] == ("四、结转下年度继续办理", "0", *zeros, "0", "", "")


def test_whctp_table_4_labels_broken_over_lines_are_joined() -> None:
    rows = seed(WHCTP).grids[2].rows
    labels = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    assert rows[1][:7] == (*labels, "未经复议直接起诉", "复议后起诉")
    assert rows[2] == ("", "", "", "", "", *labels, *labels)
    assert rows[3] == tuple(map(str, (1, 1, 0, 0, 2, *(0,) * 10)))


def test_one_line_per_row_seeds_split_at_tabs() -> None:
    rows = seed("004_732243d8bfa41975").grids[1].rows
    assert rows[3] == (
        "一、本年新收政府信息公开申请数量",
        "",
        "1",
        *("0",) * 5,
        "1",
        "",
    )
    assert rows[7] == ("", "(三)不予公开", "1.属于国家秘密", *("0",) * 7)
    assert rows[26] == ("(七)总计", "1", *("0",) * 5, "1", "", "")


def test_a_heading_ends_a_grid_and_rows_stay_in_the_text() -> None:
    lines = seed(WHCTP).text.splitlines()
    start = lines.index("二、主动公开政府信息情况")
    assert lines[start + 1 : start + 3] == [
        "第二十条第（一）项",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
    ]
    assert lines[start + 15] == "三、收到和处理政府信息公开申请情况"
    assert "行政许可\t27960" in lines
    assert lines[-1] == (
        "4.落实上级政务公开工作要点情况。落实上级认真落实上级关于全面推进政务公开工作的决策部署，"
        "制定下发《威海火炬高技术产业开发区2021年政务公开重点工作责任分工方案》，对全区政务公开工作"
        "任务进行细化分解，明确政务公开重点领域、重点环节的责任分工，进一步将责任压实到部门、分解到单位、"
        "落实到个人。"
    )


def test_the_format_on_a_small_example() -> None:
    text = (
        "\n本级政府\n2021年报告\n\n根据条例编制。\n[bookmark: _GoBack]二、表\n"
        "\t信息内容\n\t本年\n制发件数\n\n[image: ]\n\t规章\n\t\n\n三、下一节\n"
    )
    document = read_text(text)
    assert document.meta == {"title": "本级政府2021年报告"}
    assert document.grids == (Grid(rows=(("信息内容", "本年制发件数"), ("规章", ""))),)
    assert document.text.splitlines() == [
        "本级政府",
        "2021年报告",
        "根据条例编制。",
        "二、表",
        "信息内容\t本年制发件数",
        "规章",
        "三、下一节",
    ]


def test_gb18030_bytes_read_like_the_text() -> None:
    text = (SEEDS / f"{WHCTP}.txt").read_text(encoding="utf-8")
    assert read_text(text.encode("gb18030")) == read_text(text) == seed(WHCTP)


def test_undecodable_bytes_are_replaced_with_a_warning() -> None:
    document = read_text(b"\xff\xff\xff title\n")
    assert document.warnings[0] == (
        "bytes are neither UTF-8 nor GB18030; bad bytes replaced"
    )


# ---------------------------------------------------------------- the replica's HTML of a seed


def _stretched(row: tuple[str, ...]) -> tuple[str, ...]:
    """A text row's blank trailing cells filled the way a colspan fills a grid."""
    out = list(row)
    for i in range(1, len(out)):
        out[i] = out[i] or out[i - 1]
    return tuple(out)


def _figures(grid: Grid) -> dict[str, tuple[str, ...]]:
    """Each row's numbers under the row's innermost label."""
    out = {}
    for row in grid.rows:
        numbers = tuple(c for c in row if NUMBER.match(c))
        labels = [c for c in row if c and not NUMBER.match(c)]
        if numbers:
            out[labels[-1] if labels else ""] = numbers
    return out


def _assert_same_values(page: Document, text: Document) -> None:
    active, applications, appeals = page.grids
    assert active.rows == tuple(_stretched(r) for r in text.grids[0].rows)
    assert _figures(applications) == _figures(text.grids[1])
    assert _figures(appeals) == _figures(text.grids[2])


def test_the_replica_html_of_the_whctp_seed_gives_the_seed_values() -> None:
    # whctp-gw/2021 is published as a stub page plus PDF; its HTML is what the
    # replica puts in the article container of an html-form report
    body = report_body_html(build_report("whctp-gw/2021"))
    page = read_html(f'<html><body><div id="zoom">{body}</div></body></html>'.encode())
    assert len(page.grids) == 3
    assert _figures(page.grids[1])["一、本年新收政府信息公开申请数量"] == (
        "10", "0", "0", "0", "0", "0", "10",
    )  # fmt: skip
    _assert_same_values(page, seed(WHCTP))


def test_the_replica_page_of_the_wangtuan_seed_gives_the_seed_values() -> None:
    entry = next(e for e in catalog(1).manifest() if e["key"] == "wip-wangtuan/2023")
    url = next(f["url"] for f in entry["files"] if f["format"] == "html")
    page = read_html(catalog(1).sites[url.split("/")[2]].fetch(url).body)
    _assert_same_values(page, seed("002_62990b8acc293912"))
