"""Scanned PDFs get a content hash from their page images (issue 11, reliability row 12).

The PDFs here are made in the test: a page of a table of figures drawn with Pillow
at 150 dpi (10-point digits, as a scanned report prints them), wrapped into a PDF
by Pillow's PDF writer or placed on a page by reportlab.
"""

from __future__ import annotations

import hashlib
import io
import random
import time

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from processors.text import (
    EMPTY_TEXT_SHA256,
    IMAGE_SCHEME,
    hash_scheme,
    is_empty_text_hash,
    normalise,
    pdf_text,
    text_sha256,
)

PDF = "application/pdf"
DPI = 150
A4 = (595.2756, 841.8898)  # points
TEXT = "威海火炬高技术产业开发区管理委员会2021年政府信息公开工作年度报告"


def table_scan(changed: str = "21", *, rows: int = 25) -> Image.Image:
    """An A4 page of a ruled table of figures; the cell at row 12, column 7 says
    ``changed``."""
    size = (int(A4[0] / 72 * DPI), int(A4[1] / 72 * DPI))
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=DPI * 10 // 72)
    cell_w, cell_h = DPI * 8 // 10, DPI // 4
    for r in range(rows):
        for c in range(8):
            x, y = DPI * 8 // 10 + c * cell_w, DPI + r * cell_h
            draw.rectangle((x, y, x + cell_w, y + cell_h), outline=0)
            figure = changed if (r, c) == (12, 7) else str((r * 7 + c * 3) % 40)
            draw.text((x + 5, y + 3), figure, fill=0, font=font)
    return page


def image_pdf(*pages: Image.Image, **meta: object) -> bytes:
    """Pages that are nothing but images, as a scanner's PDF is."""
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        "PDF",
        resolution=DPI,
        save_all=True,
        append_images=list(pages[1:]),
        **meta,
    )
    return buffer.getvalue()


def mixed_pdf(scan: Image.Image, *, text: str = TEXT, title: str = "") -> bytes:
    """Page 1 text (a CID font, as WPS writes), page 2 the scanned table."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setFont("STSong-Light", 14)
    pdf.drawString(72, 760, text)
    pdf.showPage()
    pdf.drawImage(ImageReader(scan), 0, 0, *A4)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def old_text_hash(data: bytes) -> str:
    """What text_sha256 gave every PDF before scans were hashed: the text alone."""
    return hashlib.sha256(normalise(pdf_text(data)).encode()).hexdigest()


def test_a_scan_resaved_with_other_metadata_keeps_its_hash() -> None:
    first = image_pdf(table_scan(), title="2021年报", author="办公室")
    again = image_pdf(
        table_scan(),
        title="Scan 0001",
        author="",
        creationDate=time.strptime("2023-05-01 09:30", "%Y-%m-%d %H:%M"),
    )
    assert first != again
    assert text_sha256(first, PDF) == text_sha256(again, PDF)
    assert text_sha256(first, PDF).startswith(IMAGE_SCHEME)


@pytest.mark.parametrize(("before", "after"), [("21", "27"), ("3", "8"), ("6", "8")])
def test_one_figure_changed_in_a_scan_changes_its_hash(before: str, after: str) -> None:
    assert text_sha256(image_pdf(table_scan(before)), PDF) != text_sha256(
        image_pdf(table_scan(after)), PDF
    )


def test_a_scan_no_longer_hashes_like_the_empty_text() -> None:
    scan, other = image_pdf(table_scan("21")), image_pdf(table_scan("27"))
    # Before: both scans had the hash of no text, so a new scan was "re-published".
    assert old_text_hash(scan) == old_text_hash(other) == EMPTY_TEXT_SHA256
    assert is_empty_text_hash(old_text_hash(scan))
    assert not is_empty_text_hash(text_sha256(scan, PDF))
    assert hash_scheme(text_sha256(scan, PDF)) == "img1"
    assert hash_scheme(old_text_hash(scan)) == "text"


def test_pages_count_in_order() -> None:
    one, two = table_scan("21"), table_scan("27")
    assert text_sha256(image_pdf(one, two), PDF) != text_sha256(
        image_pdf(two, one), PDF
    )
    assert text_sha256(image_pdf(one, two), PDF) != text_sha256(image_pdf(one), PDF)


def test_a_mixed_document_hashes_its_text_and_its_scanned_pages() -> None:
    base = text_sha256(mixed_pdf(table_scan()), PDF)
    assert base.startswith(IMAGE_SCHEME)
    assert text_sha256(mixed_pdf(table_scan(), title="re-saved"), PDF) == base
    assert text_sha256(mixed_pdf(table_scan("27")), PDF) != base
    assert text_sha256(mixed_pdf(table_scan(), text=TEXT + "（修订）"), PDF) != base


def test_a_scan_drawn_through_a_form_xobject_is_seen() -> None:
    def scanned_form(scan: Image.Image) -> bytes:
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
        pdf.beginForm("scan")
        pdf.drawImage(ImageReader(scan), 0, 0, *A4)
        pdf.endForm()
        pdf.doForm("scan")
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()

    hashed = text_sha256(scanned_form(table_scan()), PDF)
    assert hashed.startswith(IMAGE_SCHEME)
    assert text_sha256(scanned_form(table_scan("27")), PDF) != hashed


def test_a_text_page_with_a_seal_and_few_words_keeps_the_text_hash() -> None:
    """The last page of many reports: a date and a round seal. It is no scan."""
    seal = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(seal).ellipse((10, 10, 290, 290), outline=0, width=12)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont("STSong-Light", 14)
    pdf.drawString(380, 200, "2022年1月20日")
    pdf.drawImage(ImageReader(seal), 380, 160, 120, 120)
    pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    assert text_sha256(data, PDF) == old_text_hash(data)
    assert hash_scheme(text_sha256(data, PDF)) == "text"


def test_a_blank_page_in_a_text_pdf_keeps_the_text_hash() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont("STSong-Light", 14)
    pdf.drawString(72, 760, TEXT)
    pdf.showPage()
    pdf.showPage()  # an empty page
    pdf.save()
    data = buffer.getvalue()
    assert text_sha256(data, PDF) == old_text_hash(data)


def test_the_empty_text_hash_is_the_sha256_of_nothing() -> None:
    assert hashlib.sha256(b"").hexdigest() == EMPTY_TEXT_SHA256
    assert is_empty_text_hash(EMPTY_TEXT_SHA256)
    assert not is_empty_text_hash(None)
    assert not is_empty_text_hash(IMAGE_SCHEME + EMPTY_TEXT_SHA256)


def test_a_page_of_many_ideographs_is_surely_text_whatever_else_it_holds() -> None:
    from processors.normal import normalise
    from processors.scans import NEARLY_NO_TEXT, surely_text

    assert not surely_text("政" * NEARLY_NO_TEXT + "ＡＢＣ　\u0301" * 50)
    assert surely_text(" 政\u3000" * (NEARLY_NO_TEXT + 1))
    rng = random.Random(11)
    pool = "政府信息公开，。（）\u3000 \n\u0301ｶﾞ\uf900①ＡＢ"
    for _ in range(5_000):
        raw = "".join(rng.choice(pool) for _ in range(rng.randint(0, 80)))
        if surely_text(raw):  # never says so of a page whose normal text is short
            assert len(normalise(raw)) > NEARLY_NO_TEXT, ascii(raw)
