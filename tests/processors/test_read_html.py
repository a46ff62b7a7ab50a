"""The HTML reader on the real Pingtan pages, the replica's CMS pages and small Word-pasted tables."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from processors.document import Document, Grid, ReadError
from processors.html import decode_html, read_html
from replica.catalog import catalog

PINGTAN = Path(__file__).resolve().parents[2] / "replica" / "data" / "pingtan"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS = "三、本年度办理结果"


@cache
def pingtan(docid: int) -> bytes:
    return (PINGTAN / f"{docid}.html").read_bytes()


@cache
def read_pingtan(docid: int) -> Document:
    return read_html(pingtan(docid))


def _page(body: str) -> bytes:
    head = '<html><head><meta charset="utf-8"></head>'
    return f'{head}<body><div class="TRS_Editor">{body}</div></body></html>'.encode()


def _row(grid: Grid, label: str) -> tuple[str, ...]:
    return next(row for row in grid.rows if label in row)


# ---------------------------------------------------------------- the real Pingtan pages


@pytest.mark.parametrize(
    ("docid", "count"),
    [
        (105587, 3), (97791, 3), (87885, 3), (80629, 3), (80613, 3), (80595, 3),
        (80576, 3), (80529, 1), (80506, 1), (80485, 1), (80445, 1), (80791, 1),
        (80787, 0), (80774, 0), (80759, 1), (80754, 1), (80734, 1), (80725, 1),
        (80678, 1), (80716, 1),
    ],
)  # fmt: skip
def test_every_table_of_a_real_page_is_one_grid(docid: int, count: int) -> None:
    document = read_pingtan(docid)
    assert len(document.grids) == count
    assert document.warnings == ()


def test_the_2021_report_table_2_row_by_row() -> None:
    assert read_pingtan(80613).grids[0].rows == (
        ("第二十条第（一）项",) * 4,
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "0", "0", "0"),
        ("行政规范性文件", "69", "3", "665"),
        ("第二十条第（五）项",) * 4,
        ("信息内容", *("本年处理决定数量",) * 3),
        ("行政许可", "2293", "2293", "2293"),
        ("第二十条第（六）项",) * 4,
        ("信息内容", *("本年处理决定数量",) * 3),
        ("行政处罚", "1282", "1282", "1282"),
        ("行政强制", "42", "42", "42"),
        ("第二十条第（八）项",) * 4,
        ("信息内容", *("本年收费金额（单位：万元）",) * 3),
        ("行政事业性收费", *("24252.311082",) * 3),
    )


def test_the_2020_report_table_3_prints_total_21_over_results_of_27() -> None:
    table = read_pingtan(80595).grids[1]
    assert table.width == 10
    assert table.rows[0] == (NOTE,) * 3 + ("申请人情况",) * 7
    assert table.rows[1] == (NOTE,) * 3 + ("自然人", *("法人或其他组织",) * 5, "总计")
    assert table.rows[3] == (
        ("一、本年新收政府信息公开申请数量",) * 3
        + ("20", "0", "0", "0", "0", "1", "21")
    )
    assert _row(table, "（七）总计") == (
        (RESULTS, "（七）总计", "（七）总计", "20", "0", "0", "0", "0", "1", "21")
    )
    results = [row for row in table.rows[5:] if row[0] == RESULTS][:-1]
    assert len(results) == 19  # 2019 template: one 其他处理 row
    assert sum(int(row[-1]) for row in results) == 27


def test_a_real_rowspan_label_stands_beside_every_row_it_spans() -> None:
    table = read_pingtan(80613).grids[1]
    assert [row[0] for row in table.rows[5:27]] == [RESULTS] * 22
    assert [row[1] for row in table.rows[7:15]] == ["（三）不予公开"] * 8
    assert table.rows[27][:3] == ("四、结转下年度继续办理",) * 3


def test_real_labels_split_over_paragraphs_are_one_string() -> None:
    # 105587 prints 三、本 / 年度办 / 理结果 in three <p>; 80613 its 结 / 果 / 维 / 持 headers
    assert read_pingtan(105587).grids[1].rows[5][0] == RESULTS
    head = read_pingtan(80613).grids[2].rows[2]
    assert head == ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 3


def test_the_2021_report_table_4_values() -> None:
    appeals = read_pingtan(80613).grids[2]
    assert appeals.rows[-1] == tuple(
        map(str, (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0))
    )


@pytest.mark.parametrize(
    ("docid", "title", "published", "publisher"),
    [
        (80595, "平潭综合实验区2020年度政府信息公开工作年度报告", "2021-03-05", "平潭县人民政府"),
        (80613, "平潭综合实验区2021年度政府信息公开工作年度报告", "2022-02-08", "平潭县人民政府"),
        (105587, "平潭综合实验区2025年度政府信息公开工作年度报告", "2026-03-10", "平潭综合实验区管委会办公室"),  # noqa: E501
        (80678, "平潭综合实验区2011年政府信息公开工作年度报告", "2012-04-11", "平潭综合实验区管委会办公室"),
        (80787, "关于2014年政府信息公开工作要点落实情况的函", "2014-12-10", "平潭县人民政府"),
    ],
)  # fmt: skip
def test_meta_of_a_real_page(
    docid: int, title: str, published: str, publisher: str
) -> None:
    assert read_pingtan(docid).meta == {
        "title": title,
        "published": published,
        "publisher": publisher,  # ContentSource, else the page's 来源： line
        "breadcrumb": "首页 > 政务公开 > 政府信息公开 > 政府信息公开年报",
    }


def test_text_is_the_article_in_lines_with_tab_separated_rows() -> None:
    text = read_pingtan(80595).text
    lines = text.splitlines()
    assert lines[:2] == ["平潭综合实验区2020年", "政府信息公开工作年度报告"]
    assert "本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。" in text
    assert "一、总体情况" in lines
    assert "一、本年新收政府信息公开申请数量\t20\t0\t0\t0\t0\t1\t21" in lines
    assert "（七）总计\t20\t0\t0\t0\t0\t1\t21" in lines
    assert lines[-1] == "无其他需要报告的事项"
    for chrome in ("当前位置", "无障碍浏览", "来源：", "\u3000", "  "):
        assert chrome not in text


def test_a_free_form_report_without_tables_reads_as_text() -> None:
    document = read_pingtan(80774)
    assert document.grids == ()
    assert document.text.splitlines()[:2] == [
        "平潭综合实验区地方税务局2013年",
        "信息公开年度报告",
    ]


# ---------------------------------------------------------------- decoding


def _as_gbk(docid: int, declared: str | None) -> bytes:
    page = pingtan(docid).decode("utf-8")
    charset = f'charset="{declared}"' if declared else ""
    return page.replace('charset="utf-8"', charset).encode("gbk")


@pytest.mark.parametrize("declared", ["gb2312", "gbk", "GB18030", None])
def test_a_gbk_page_reads_like_its_utf8_original(declared: str | None) -> None:
    original = read_pingtan(80595)
    again = read_html(_as_gbk(80595, declared))
    assert (again.text, again.grids, again.meta) == (
        original.text,
        original.grids,
        original.meta,
    )
    assert again.warnings == ()


def test_the_given_encoding_wins_over_the_page_meta() -> None:
    data = pingtan(80613).decode("utf-8").encode("gb18030")  # meta still says utf-8
    assert read_html(data, "gbk").grids == read_pingtan(80613).grids
    assert read_html(data).warnings == ("bytes are not utf-8; decoded as gb18030",)


def test_bad_bytes_are_replaced_with_a_warning() -> None:
    data = _page("<p>第二十条\xff</p>").replace(b"\xc3\xbf", b"\xff\xfe")
    document = read_html(data)
    assert document.text == "第二十条\ufffd\ufffd"
    assert document.warnings == ("bytes are not valid utf-8; bad bytes replaced",)


def test_undeclared_bytes_that_are_not_utf8_decode_as_gb18030() -> None:
    text, warnings = decode_html("<p>郚山镇</p>".encode("gbk"))
    assert (text, warnings) == ("<p>郚山镇</p>", ())


def test_an_unknown_charset_is_said_and_utf8_tried() -> None:
    data = _page("<p>郚山镇</p>").replace(b'charset="utf-8"', b'charset="x-unknown"')
    document = read_html(data)
    assert document.text == "郚山镇"
    assert document.warnings == (
        "unknown charset 'x-unknown'; tried UTF-8 and GB18030",
    )


def test_bytes_that_hold_no_document_raise() -> None:
    with pytest.raises(ReadError, match="not readable as HTML"):
        read_html(b"")


def test_deeply_nested_word_debris_keeps_its_text() -> None:
    debris = "<span>" * 400 + "二、主动公开" + "</span>" * 400
    document = read_html(_page(f"{debris}<!-- [if !supportLists] -->情况<p>末段</p>"))
    assert document.text.splitlines() == ["二、主动公开情况", "末段"]


# ---------------------------------------------------------------- Word-pasted tables

WORD_TABLE = """
<table class="MsoNormalTable" border="1" style="border-collapse:collapse">
<tr style="height:19.85pt">
 <td rowspan="2" style="border:solid windowtext 1.0pt"><p class="MsoNormal" align="center">
  <span style="font-size:10.0pt;font-family:宋体">三、本</span></p>
  <p class="MsoNormal"><span style="font-family:宋体">年度办<o:p></o:p></span></p>
  <p class="MsoNormal"><span lang="EN-US">理结果<o:p></o:p></span></p></td>
 <td><p class="MsoNormal"><span>（一）予以</span></p><p><span>公开</span></p></td>
 <td><p class="MsoNormal"><span lang="EN-US">1<o:p></o:p></span></p></td>
 <td><p class="MsoNormal"><span>&nbsp;<o:p></o:p></span></p></td>
</tr>
<tr>
 <td><p>总</p><p>&#12288;</p><p>计</p></td>
 <td colspan="2"><span lang="EN-US">2 7</span><br/></td>
</tr>
</table>
"""


def test_a_word_pasted_table_gives_one_string_per_cell() -> None:
    document = read_html(_page(WORD_TABLE))
    assert document.grids == (
        Grid(
            rows=(
                ("三、本年度办理结果", "（一）予以公开", "1", ""),
                ("三、本年度办理结果", "总计", "27", "27"),
            )
        ),
    )
    assert document.text.splitlines() == [
        "三、本年度办理结果\t（一）予以公开\t1\t",
        "总计\t27",
    ]


def test_rowspan_and_colspan_fill_every_place_they_cover() -> None:
    table = """<table>
      <tr><td rowspan="3">A</td><td colspan="2">B</td><td>C</td></tr>
      <tr><td>d</td><td rowspan="2" colspan="2">E</td></tr>
      <tr><td>f</td></tr>
      <tr><td>g</td><td rowspan="9">h</td></tr>
    </table>"""
    assert read_html(_page(table)).grids[0].rows == (
        ("A", "B", "B", "C"),
        ("A", "d", "E", "E"),
        ("A", "f", "E", "E"),
        ("g", "h", "", ""),
    )


def test_a_layout_table_around_the_article_is_not_a_grid() -> None:
    page = f"""<table><tr><td><p>一、总体情况</p><p>全年收到申请27件。</p>
      {WORD_TABLE}</td></tr></table><table><tr><td>附件：无</td></tr></table>"""
    document = read_html(_page(page))
    assert [grid.rows[0][1] for grid in document.grids] == ["（一）予以公开"]
    assert document.text.splitlines()[:2] == ["一、总体情况", "全年收到申请27件。"]
    assert document.text.splitlines()[-1] == "附件：无"


def test_blank_rows_are_dropped_and_rows_padded_to_the_table_width() -> None:
    table = """<table><tr><td>规章</td><td>0</td><td>7</td></tr>
      <tr><td>&nbsp;</td><td> </td></tr><tr><td>合计</td></tr></table>"""
    assert read_html(_page(table)).grids[0].rows == (
        ("规章", "0", "7"),
        ("合计", "", ""),
    )


# ---------------------------------------------------------------- the replica's CMS pages


@cache
def _replica_page(key: str) -> tuple[dict, Document]:
    entry = next(e for e in catalog(1).manifest() if e["key"] == key)
    url = next(f["url"] for f in entry["files"] if f["format"] == "html")
    body = catalog(1).sites[url.split("/")[2]].fetch(url).body
    return entry, read_html(body)


@pytest.mark.parametrize(
    ("key", "breadcrumb"),
    [
        ("anqiu-gov/2019", "首页 > 政府信息公开 > 政府信息公开年报 > 市政府年报"),  # TRS, GBK
        ("anqiu-wushan/2020", "首页 > 政府信息公开 > 政府信息公开年报 > 镇街年报"),  # TRS stub
        ("penglai-daxindian/2022", "首页 > 政府信息公开 > 政府信息公开年报"),  # no meta tags
        ("whctp-gw/2021", "首页 > 政府信息公开 > 法定主动公开内容 > 政府信息公开年报"),
        (
            "wip-wangtuan/2023",
            "首页 > 政府信息公开 > 信息公开目录 > 管委信息公开 > 信息公开年报 > 2023年",
        ),
    ],
)  # fmt: skip
def test_meta_of_the_replica_cms_pages(key: str, breadcrumb: str) -> None:
    entry, document = _replica_page(key)
    assert document.meta == {
        "title": entry["title"],
        "published": entry["published"][:10],
        "publisher": entry["body"],
        "breadcrumb": breadcrumb,
    }
    assert document.warnings == ()


def test_a_report_printed_over_three_pages_is_parsed_as_one() -> None:
    """shashi-gov/2023 (a TRS article in three pages, t…_1 and t…_2 continuing it):
    each page alone has part of the tables; read together they are the report's."""
    from processors.parse import parse, parse_pages

    folder = Path(__file__).parents[1] / "fixtures" / "crawler" / "trs" / "shashi"
    names = ("t20240321_6024033", "t20240321_6024033_1", "t20240321_6024033_2")
    pages = [(folder / f"{name}.html").read_bytes() for name in names]
    whole = parse_pages([(page, "text/html", None) for page in pages])
    entry = next(
        e for e in catalog(1).manifest(tables=True) if e["key"] == "shashi-gov/2023"
    )
    assert (whole.active, whole.applications, whole.appeals) == (
        entry["tables"]["active"],
        entry["tables"]["applications"],
        entry["tables"]["appeals"],
    )
    assert whole.title == "荆州市沙市区人民政府2023年政府信息公开工作年度报告"
    alone = [parse(page, "text/html") for page in pages]
    found = [
        tuple(t is not None for t in (p.active, p.applications, p.appeals))
        for p in alone
    ]
    assert found == [(False, False, False), (True, True, False), (False, False, True)]
    assert whole.template == "2021"
