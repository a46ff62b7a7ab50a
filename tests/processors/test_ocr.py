"""OCR of scanned pages (processors/ocr.py): skew, table lattice, cells, the vote on
figures, confidence carried to the tables, DOCX page pictures, the time budget.

Fed by the replica's own report PDFs (replica/render_pdf.py; their figures are known)
rendered to images here, as a scanner would: real Tesseract with Debian's chi_sim
and eng models, no fakes. The replica's scanned casebook, with its defects, is
measured in tests/app/test_casebook_night.py.
"""

from __future__ import annotations

import io
from functools import cache

import docx
import numpy as np
import pypdfium2
import pytest
from docx.shared import Cm
from PIL import Image

from processors import ocr
from processors.document import Document, Grid
from processors.parse import parse
from processors.pdf import read_pdf
from processors.tables import read_tables
from replica.corpus import build_report
from replica.render_pdf import report_pdf

KEY = "wip-gw/2022"  # a county's 2021-template report: tables 2, 3 and 4 over 3 pages


@cache
def text_pdf() -> bytes:
    return report_pdf(build_report(KEY))


@cache
def page_image(index: int) -> np.ndarray:
    pdf = pypdfium2.PdfDocument(text_pdf())
    try:
        return ocr.pdf_page_image(pdf[index])
    finally:
        pdf.close()


def scanned_pdf(dpi: int, quality: int, angle: float = 0.0) -> bytes:
    """The report as a scanner gives it: one JPEG per page, no text layer."""
    pdf = pypdfium2.PdfDocument(text_pdf())
    pages = []
    for page in pdf:
        image = page.render(scale=dpi / 72).to_pil().convert("RGB")
        if angle:
            image = image.rotate(angle, Image.Resampling.BICUBIC, fillcolor="white")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        pages.append(Image.open(io.BytesIO(buffer.getvalue())))
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


def cells(parsed: dict) -> dict[tuple[str, str, str], object]:
    return {
        (table, row, column): value
        for table in ("active", "applications", "appeals")
        for row, columns in (parsed[table] or {}).items()
        for column, value in columns.items()
    }


def test_ocr_is_installed_here() -> None:
    assert ocr.available(), "bash scripts/bootstrap.sh installs tesseract-ocr-chi-sim"


@pytest.mark.parametrize("angle", [1.0, -0.6, 2.5])
def test_skew_measures_the_turn_of_a_page(angle: float) -> None:
    turned = Image.fromarray(page_image(2)).rotate(
        angle, Image.Resampling.BICUBIC, fillcolor=255
    )
    assert ocr.skew(np.asarray(turned)) == pytest.approx(angle, abs=0.06)


def test_a_clean_page_gives_the_grids_its_text_layer_gives() -> None:
    """Page 3 (the rest of table 3, then table 4): every row OCR reads is a row the
    text PDF's reader gives, word for word and figure for figure."""
    page = ocr.read_scanned_page(page_image(2), 3)
    read = [row for table in page.tables for row in table.grid.rows]
    from_text = [row for grid in read_pdf(text_pdf()).grids for row in grid.rows]
    assert len(read) == 27
    assert [row for row in read if row not in from_text] == []
    assert page.angle == 0.0
    assert page.warnings == ()


def test_every_figure_of_a_table_carries_its_confidence() -> None:
    page = ocr.read_scanned_page(page_image(2), 3)
    grid = page.tables[0].grid
    assert grid.confidence is not None
    figures = [
        sure
        for row, sure_row in zip(grid.rows, grid.confidence, strict=True)
        for text, sure in zip(row, sure_row, strict=True)
        if text.isdigit()
    ]
    assert len(figures) == 23 * 7
    assert all(sure is not None and 80 <= sure <= 100 for sure in figures)


@pytest.mark.parametrize(
    ("read", "snapped"),
    [
        ("人）不孕公开", "（三）不予公开"),  # the numbering read wrong, one word wrong
        ("(VAN）其他处理", "（六）其他处理"),
        (
            "2.申请人远期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ),
        ("行政许可", "行政许可"),
        ("宽旬满族自治县", "宽旬满族自治县"),  # no label: left as read
        ("225", "225"),
        ("总计", "总计"),
    ],
)
def test_labels_read_nearly_right_snap_to_the_templates(
    read: str, snapped: str
) -> None:
    assert ocr.snap_label(read) == snapped


def test_a_figure_under_the_threshold_is_blank_with_a_warning_naming_its_cell() -> None:
    licensing = (
        ("第二十条第（五）项",) * 2,
        ("信息内容", "本年处理决定数量"),
        ("行政许可", "555"),
    )
    sure = ((None, None), (None, None), (96.0, 61.5))
    tables = read_tables(
        Document(
            kind="pdf",
            text="",
            grids=(Grid(rows=licensing, confidence=sure),),
        )
    )
    assert tables.active == {"licensing": {"decisions": None}}
    assert (
        '表二 行政许可/处理决定数量 [licensing/decisions]: OCR read "555" with '
        "confidence 62 (below 80); left blank"
    ) in tables.warnings
    assert tables.confidence == {}


def test_a_figure_over_the_threshold_keeps_its_confidence() -> None:
    licensing = (
        ("第二十条第（五）项",) * 2,
        ("信息内容", "本年处理决定数量"),
        ("行政许可", "555"),
    )
    sure = ((None, None), (None, None), (96.0, 97.25))
    tables = read_tables(
        Document(kind="pdf", text="", grids=(Grid(rows=licensing, confidence=sure),))
    )
    assert tables.active == {"licensing": {"decisions": 555}}
    assert tables.confidence == {"active": {"licensing": {"decisions": 97.25}}}


def test_a_scanned_pdf_reads_as_its_text_does_and_flags_what_it_doubts() -> None:
    """200 dpi, JPEG quality 45, turned 0.8°: identity and template right, no figure
    wrong; a figure the vote doubts is blank with a warning naming its cell."""
    truth = parse(text_pdf()).as_json()
    scan = parse(scanned_pdf(200, 45, angle=0.8)).as_json()
    for key in ("title", "body", "year", "template"):
        assert scan[key] == truth[key]
    expected, read = cells(truth), cells(scan)
    assert set(read) == set(expected)
    wrong = {k: v for k, v in read.items() if v is not None and v != expected[k]}
    assert wrong == {}
    doubted = [k for k, v in read.items() if v is None and expected[k] is not None]
    assert len(doubted) <= 2  # of 200 figures
    for _table, row, column in doubted:
        assert any(f"[{row}/{column}]: OCR read" in w for w in scan["warnings"])
    assert scan["ocr"]["pages"] == [1, 2, 3]
    confident = scan["ocr"]["confidence"]
    assert sum(len(c) for t in confident.values() for c in t.values()) == 200 - len(
        doubted
    )


def test_a_word_file_of_page_pictures_is_read_by_ocr() -> None:
    document = docx.Document()
    for page in pypdfium2.PdfDocument(text_pdf()):
        image = page.render(scale=200 / 72).to_pil().convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70)
        document.add_picture(io.BytesIO(buffer.getvalue()), width=Cm(19))
    out = io.BytesIO()
    document.save(out)
    truth = parse(text_pdf()).as_json()
    scan = parse(out.getvalue()).as_json()
    assert (scan["body"], scan["year"], scan["template"]) == (
        truth["body"],
        truth["year"],
        truth["template"],
    )
    assert scan["ocr"]["pages"] == [1, 2, 3]
    expected, read = cells(truth), cells(scan)
    assert {k: v for k, v in read.items() if v is not None and v != expected[k]} == {}
    assert sum(v is not None for v in read.values()) >= 196


def test_a_page_out_of_time_keeps_nothing_it_did_not_read() -> None:
    page = ocr.read_scanned_page(page_image(2), 3, ocr.Budget(seconds=0.0))
    assert all(
        text == "" for table in page.tables for row in table.grid.rows for text in row
    )
    assert page.lines == ()
    assert page.warnings == (
        "page 3: OCR ran out of time; its text not read",
        "page 3: OCR ran out of time (0 s a page); 223 table cells not read, left blank",
    )


def test_a_hostile_page_of_200_inches_square_is_rendered_within_the_cap() -> None:
    """A picture on a 200 × 200 inch page would be 3.6 billion pixels at 300 dpi."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("RGB", (400, 400), "white")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(14400, 14400), invariant=1)
    pdf.drawImage(ImageReader(picture), 0, 0, 14400, 14400)
    pdf.showPage()
    pdf.save()
    document = pypdfium2.PdfDocument(buffer.getvalue())
    try:
        image = ocr.pdf_page_image(document[0])
    finally:
        document.close()
    assert image.size <= ocr.MAX_PAGE_PIXELS
    assert image.shape == (6000, 6000)
    parsed = parse(buffer.getvalue())
    assert parsed.ocr_pages == (1,)
    assert parsed.text == ""
    assert parsed.warnings[0] == "no text layer (scanned?)"
