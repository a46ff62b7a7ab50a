"""read_docx on the replica's Word files (real merged-cell tables) and on hostile bytes.
Figures are the reports' own (seeds.yaml, replica)."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml import parse_xml

from processors.document import Document, ReadError
from processors.docx import read_docx
from processors.text import DOCX_MAX_XML
from replica.corpus import report_at
from replica.render_docx import report_docx
from tests.processors.expected_grids import (
    BEIGOU_ACTIVE,
    BEIGOU_APPLICATIONS,
    WHCTP_ACTIVE,
    WHCTP_APPEALS,
    WHCTP_APPLICATIONS,
)

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.fixture(scope="module")
def gaoqu() -> Document:
    """威海高区管委会 2021: a real report's text and figures (seed 003)."""
    return read_docx(report_docx(report_at("whctp-gw/2021", 1)))


def _saved(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_paragraphs_and_tables_come_in_document_order(gaoqu) -> None:
    assert gaoqu.kind == "docx"
    assert gaoqu.text.startswith(
        "威海火炬高技术产业开发区管理委员会\n2021年政府信息公开工作年度报告\n根据《"
    )
    text = gaoqu.text
    order = [
        "二、主动公开政府信息情况\n第二十条第（一）项\n",
        "\n行政许可\t27960\n",
        "\n行政事业性收费\t13914.44\n三、收到和处理政府信息公开申请情况\n",
        "\n一、本年新收政府信息公开申请数量\t10\t0\t0\t0\t0\t0\t10\n",
        "\n四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n",
        "\n1\t1\t0\t0\t2\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n五、存在的主要问题及改进情况\n",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert gaoqu.warnings == ()


def test_generic_core_title_is_left_out(gaoqu) -> None:
    assert gaoqu.meta == {}


def test_active_table_of_the_seed_report(gaoqu) -> None:
    assert gaoqu.grids[0].rows == WHCTP_ACTIVE


def test_applications_table_of_the_seed_report(gaoqu) -> None:
    rows = gaoqu.grids[1].rows
    assert len(rows) == 28
    assert {len(r) for r in rows} == {10}
    assert {i: rows[i] for i in WHCTP_APPLICATIONS} == WHCTP_APPLICATIONS


def test_appeals_table_of_the_seed_report(gaoqu) -> None:
    assert gaoqu.grids[2].rows == WHCTP_APPEALS
    assert len(gaoqu.grids) == 3


def test_2019_template_report() -> None:
    doc = read_docx(report_docx(report_at("penglai-beigou/2022", 1)))
    active = doc.grids[0].rows
    assert {i: active[i] for i in BEIGOU_ACTIVE} == BEIGOU_ACTIVE
    applications = doc.grids[1].rows
    assert {i: applications[i] for i in BEIGOU_APPLICATIONS} == BEIGOU_APPLICATIONS


def test_blank_cells_stay_blank_not_zero() -> None:
    doc = read_docx(report_docx(report_at("wip-qingshan/2022", 1)))
    assert doc.grids[0].rows[2] == ("规章", "", "", "")
    assert doc.grids[1].rows[3] == ("一、本年新收政府信息公开申请数量",) * 3 + (
        "2",
        "",
        "1",
        "1",
        "",
        "1",
        "5",
    )


def test_a_stated_core_title_is_kept() -> None:
    document = docx.Document()
    document.core_properties.title = "郚山镇人民政府2020年政府信息公开工作年度报告"
    document.add_paragraph("一、总体情况")
    doc = read_docx(_saved(document))
    assert doc.meta == {"title": "郚山镇人民政府2020年政府信息公开工作年度报告"}
    assert doc.text == "一、总体情况"


def test_a_layout_table_around_the_report_gives_its_nested_table_as_a_grid() -> None:
    document = docx.Document()
    outer = document.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "二、主动公开政府信息情况"
    inner = cell.add_table(rows=2, cols=2)
    for (r, c), text in {
        (0, 0): "信息内容",
        (0, 1): "本年处理决定数量",
        (1, 0): "行政许可",
        (1, 1): "43",
    }.items():
        inner.cell(r, c).text = text
    cell.add_paragraph("三、收到和处理政府信息公开申请情况")
    document.add_paragraph("（完）")
    doc = read_docx(_saved(document))
    assert [g.rows for g in doc.grids] == [
        (("二、主动公开政府信息情况三、收到和处理政府信息公开申请情况",),),
        (("信息内容", "本年处理决定数量"), ("行政许可", "43")),
    ]
    assert doc.text == (
        "二、主动公开政府信息情况\n信息内容\t本年处理决定数量\n行政许可\t43\n三、收到和处理政府信息公开申请情况\n（完）"
    )


def test_content_controls_insertions_deletions_and_row_offsets() -> None:
    document = docx.Document()
    body = document.element.body
    body.insert(
        0,
        parse_xml(
            f"<w:sdt {W_NS}><w:sdtContent><w:p><w:r><w:t>2021年</w:t></w:r>"
            "<w:ins><w:r><w:t>政府信息公开</w:t></w:r></w:ins>"
            "<w:del><w:r><w:delText>删去的字</w:delText></w:r></w:del>"
            "<w:r><w:t>工作年度报告</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    body.insert(
        1,
        parse_xml(
            f"<w:tbl {W_NS}><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
            "<w:tr><w:tc><w:tcPr><w:vMerge w:val='restart'/></w:tcPr><w:p><w:r><w:t>行政</w:t></w:r>"
            "<w:r><w:br/><w:t>处罚</w:t></w:r></w:p></w:tc>"
            "<w:tc><w:tcPr><w:gridSpan w:val='2'/></w:tcPr><w:p><w:r><w:t>7</w:t></w:r></w:p></w:tc></w:tr>"
            "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>"
            "<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>"
            "<w:tc><w:p><w:r><w:t>8</w:t></w:r></w:p></w:tc></w:tr>"
            "</w:tbl>"
        ),
    )
    doc = read_docx(_saved(document))
    assert doc.text == "2021年政府信息公开工作年度报告\n行政处罚\t7\n8"
    assert doc.grids[0].rows == (
        ("行政处罚", "7", "7"),
        ("行政处罚", "", ""),
        ("", "8", ""),
    )


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"\0" * (DOCX_MAX_XML + 1))
    assert len(buf.getvalue()) < 100_000
    with pytest.raises(ReadError, match=r"word/document.xml expands to 52428801 bytes"):
        read_docx(buf.getvalue())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (
            b"<html><body>\xe6\x96\x87\xe4\xbb\xb6\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</body></html>",
            "not a zip package",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "legacy .doc or .wps"),
    ],
    ids=["empty", "html", "ole2-doc"],
)
def test_what_is_not_a_docx_is_refused(data, message) -> None:
    with pytest.raises(ReadError, match=message):
        read_docx(data)


def test_a_truncated_docx_is_refused() -> None:
    data = report_docx(report_at("whctp-gw/2021", 1))
    with pytest.raises(ReadError, match="broken zip package"):
        read_docx(data[: len(data) // 2])


def test_a_zip_that_is_not_a_word_package_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as package:
        package.writestr("report.txt", "年度报告")
    with pytest.raises(ReadError, match="not readable as DOCX"):
        read_docx(buf.getvalue())
