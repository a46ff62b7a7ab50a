"""read_pdf on the replica's PDFs (CID-font Chinese as WPS writes it, ruled tables over
page breaks) and on hostile bytes. Figures are the reports' own (seeds.yaml, replica)."""

from __future__ import annotations

import io

import pdfplumber.page
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from processors.document import Document, ReadError
from processors.pdf import fix_text, pdf_meta, read_pdf
from processors.pdfium_page import FastPage
from replica.corpus import report_at
from replica.render_pdf import report_pdf
from tests.processors.expected_grids import (
    BEIGOU_ACTIVE,
    BEIGOU_APPLICATIONS,
    NOTE,
    RESULTS,
    WHCTP_ACTIVE,
    WHCTP_APPEALS,
    WHCTP_APPLICATIONS,
)


@pytest.fixture(scope="module")
def gaoqu() -> Document:
    """威海高区管委会 2021: a real report's text and figures (seed 003)."""
    return read_pdf(report_pdf(report_at("whctp-gw/2021", 1)))


@pytest.fixture(scope="module")
def beigou() -> Document:
    """北沟镇 2022, printed on the 2019 template."""
    return read_pdf(report_pdf(report_at("penglai-beigou/2022", 1)))


def _small_pdf(draw, *, title: str = "") -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    if title:
        pdf.setTitle(title)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_text_is_chinese_in_reading_order_with_wrapped_lines_joined(gaoqu) -> None:
    assert gaoqu.kind == "pdf"
    assert gaoqu.text.startswith(
        "威海火炬高技术产业开发区管理委员会\n2021年政府信息公开工作年度报告\n"
        "根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）"
        "和《中华人民共和国政府信息公开工作年度报告格式》"
    )
    # Printed as "…传真：0631－568" / "0205）。" on two lines.
    assert "传真：0631－5680205）。\n一、总体情况\n" in gaoqu.text
    assert "\n行政许可\t27960\n" in gaoqu.text
    assert gaoqu.warnings == ()


def test_generic_title_is_left_out_and_creation_date_is_kept(gaoqu) -> None:
    assert gaoqu.meta == {"published": "2022-02-28"}


def test_active_table_of_the_seed_report(gaoqu) -> None:
    # The table runs over a page break: the fee block's rows are the next grid.
    assert gaoqu.grids[0].rows == WHCTP_ACTIVE[:12]
    assert gaoqu.grids[1].rows == (
        ("信息内容", "本年收费金额（单位：万元）"),
        ("行政事业性收费", "13914.44"),
    )


def test_applications_table_of_the_seed_report(gaoqu) -> None:
    rows = gaoqu.grids[2].rows
    assert len(rows) == 28
    assert {i: rows[i] for i in WHCTP_APPLICATIONS} == WHCTP_APPLICATIONS


def test_appeals_table_continues_on_the_next_page_as_the_next_grid(gaoqu) -> None:
    assert gaoqu.grids[3].rows == WHCTP_APPEALS[:3]
    assert gaoqu.grids[4].rows == WHCTP_APPEALS[3:]
    assert len(gaoqu.grids) == 5


def test_split_and_vertical_labels_become_one_string(gaoqu) -> None:
    cells = {cell for grid in gaoqu.grids for row in grid.rows for cell in row}
    assert NOTE in cells  # printed over two lines
    assert "社会公益组织" in cells  # "社会公益" / "组织"
    assert RESULTS in cells  # one character per line
    assert "（三）不予公开" in cells
    assert not any("\n" in c or " " in c for c in cells)


def test_2019_template_report(beigou) -> None:
    # The active table's first four rows end page 1: they are grid 0.
    active = beigou.grids[1].rows
    assert {i: active[i - 4] for i in BEIGOU_ACTIVE} == BEIGOU_ACTIVE
    # The applications table runs over a page break before 三、本年度办理结果 (row 5).
    # On the page where it starts, the three label columns are never split: one column.
    head, results = beigou.grids[2].rows, beigou.grids[3].rows
    for index, row in BEIGOU_APPLICATIONS.items():
        if index < 5:
            assert head[index] == (row[0], *row[3:]), index
        else:
            assert results[index - 5] == row, index


def test_blank_cells_stay_blank_not_zero() -> None:
    doc = read_pdf(report_pdf(report_at("wip-qingshan/2022", 1)))
    assert doc.grids[0].rows[2] == ("规章", "", "", "")
    applications = doc.grids[2].rows
    assert applications[3] == (
        "一、本年新收政府信息公开申请数量",
        "2",
        "",
        "1",
        "1",
        "",
        "1",
        "5",
    )
    assert applications[4] == ("二、上年结转政府信息公开申请数量", *[""] * 7)


@pytest.mark.parametrize("fast", [True, False], ids=["pdfium", "pdfplumber"])
def test_tables_are_looked_for_only_on_pages_with_ruling_lines(
    monkeypatch, fast: bool
) -> None:
    calls = []
    for page_class in (pdfplumber.page.Page, FastPage):
        find = page_class.find_tables

        def counting(self, *args, find=find, **kwargs):
            calls.append((type(self).__name__, self.page_number))
            return find(self, *args, **kwargs)

        monkeypatch.setattr(page_class, "find_tables", counting)
    read_pdf(report_pdf(report_at("whctp-gw/2021", 1)), fast=fast)
    reader = "FastPage" if fast else "Page"
    assert calls == [(reader, 2), (reader, 3), (reader, 4)]  # 1: prose and a photo


def test_a_scanned_pdf_has_no_text_and_says_so() -> None:
    scan = Image.new("RGB", (200, 280), "white")
    data = _small_pdf(lambda pdf: pdf.drawImage(ImageReader(scan), 0, 0, 595, 842))
    doc = read_pdf(data)
    assert doc.text == ""
    assert doc.grids == ()
    assert doc.warnings == ("no text layer (scanned?)",)


def test_fake_bold_printed_twice_is_read_once() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))

    def draw(pdf):
        pdf.setFont("STSong-Light", 16)
        pdf.drawString(100, 700, "二、主动公开政府信息情况")
        pdf.drawString(100.4, 700, "二、主动公开政府信息情况")

    assert read_pdf(_small_pdf(draw)).text == "二、主动公开政府信息情况"


def test_a_stated_title_is_kept() -> None:
    title = "蓬莱区大辛店镇人民政府2022年政府信息公开工作报告"
    doc = read_pdf(_small_pdf(lambda pdf: pdf.drawString(72, 720, "x"), title=title))
    assert doc.meta["title"] == title


@pytest.mark.parametrize(
    ("info", "meta"),
    [
        ({"Title": " 政府信息公开工作年度报告 "}, {}),
        (
            {"Title": "Microsoft Word - 汪疃镇2023年政府信息公开工作年度报告.docx"},
            {"title": "汪疃镇2023年政府信息公开工作年度报告"},
        ),
        ({"CreationDate": "D:20220115093000+08'00'"}, {"published": "2022-01-15"}),
        ({"CreationDate": "D:19800101000000Z"}, {}),
        ({"CreationDate": "D:20221341"}, {}),
        ({"Title": 17}, {}),
    ],
)
def test_pdf_meta(info, meta) -> None:
    assert pdf_meta(info) == meta


def test_gbk_title_read_as_pdfdocencoding_is_decoded_again() -> None:
    from pdfminer.utils import PDFDocEncoding

    garbled = "".join(PDFDocEncoding[b] for b in "郚山镇年报".encode("gbk"))
    assert pdf_meta({"Title": garbled}) == {"title": "郚山镇年报"}


def test_radical_look_alikes_become_the_characters() -> None:
    # Kangxi ⾸ (U+2F78) and the supplement's ⻔ ⻚ (U+2ED4, U+2EDA), as WPS fonts map them.
    assert fix_text("⻔户网站⾸⻚") == "门户网站首页"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "no %PDF- header"),
        (b"%PDF-1.4\n", "not readable as PDF"),
    ],
    ids=["empty", "html", "header-only"],
)
def test_what_is_not_a_pdf_is_refused(data, message) -> None:
    with pytest.raises(ReadError, match=message):
        read_pdf(data)


def test_a_truncated_download_is_refused_with_the_reason() -> None:
    data = report_pdf(report_at("whctp-gw/2021", 1))
    with pytest.raises(ReadError, match=r"truncated or damaged"):
        read_pdf(data[: len(data) // 2])
