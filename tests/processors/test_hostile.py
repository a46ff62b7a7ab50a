"""Hostile and broken files: every reader fails with its documented error, and no
grid outgrows the caps of ``processors/grids.py`` (issue 11, reliability rows 13–14)."""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
import zipfile
from pathlib import Path

import docx.oxml
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from processors.document import ReadError, UnsafeFile
from processors.docx import read_docx
from processors.grids import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SPAN,
    GridLimits,
)
from processors.html import read_html
from processors.legacy import html_to_document
from processors.package import MAX_ENTRIES, MAX_RATIO
from processors.parse import parse
from processors.pdf import MAX_LATTICE, read_pdf
from processors.plain import read_text
from processors.tables import parse_value
from processors.text import text_sha256

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
DOCX_FILE = REPORTS / "whctp-gw-2021.docx"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MB = 1024 * 1024


def _peak_mb(read, data) -> tuple[object, float]:
    """What ``read(data)`` returns, and its peak traced allocation in MB. (How fast it
    is belongs to the benchmarks; here the caps are proved by what the reader says.)"""
    tracemalloc.start()
    try:
        out = read(data)
        return out, tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def _within_caps(grids) -> None:
    for grid in grids:
        assert len(grid.rows) <= MAX_ROWS
        assert grid.width <= MAX_COLUMNS
        assert len(grid.rows) * grid.width <= MAX_CELLS


# ---------------------------------------------------------------- HTML


def rowspan_bomb() -> bytes:
    """About 100 KB: 50 cells spanning 10⁹ rows and 1000 columns, over 4000 rows
    (this page once took 5.5 GB)."""
    head = "".join('<td rowspan="1000000000" colspan="1000">x</td>' for _ in range(50))
    rows = "<tr><td>1</td><td>2</td></tr>" * 4000
    return f"<html><body><table><tr>{head}</tr>{rows}</table></body></html>".encode()


def test_a_rowspan_bomb_is_clipped_not_expanded() -> None:
    page = rowspan_bomb()
    assert 90_000 < len(page) < 200_000
    document, peak = _peak_mb(read_html, page)
    assert peak < 100
    _within_caps(document.grids)
    assert (
        f"rowspan=1000000000 read as {MAX_SPAN} (limit MAX_SPAN)" in document.warnings
    )
    assert f"colspan=1000 read as {MAX_SPAN} (limit MAX_SPAN)" in document.warnings


def test_thousands_of_rows_and_columns_keep_to_the_caps() -> None:
    row = "<tr>" + "<td>7</td>" * (MAX_COLUMNS + 20) + "</tr>"
    page = f"<html><body><table>{row * (MAX_ROWS + 50)}</table></body></html>"
    document = read_html(page.encode())
    (grid,) = document.grids
    assert grid.width == MAX_COLUMNS
    assert len(grid.rows) == MAX_CELLS // MAX_COLUMNS
    assert any(f"more than {MAX_COLUMNS} columns" in w for w in document.warnings)
    assert any(f"more than {MAX_CELLS} cells" in w for w in document.warnings)
    assert document.text.count("\n") >= MAX_ROWS  # the text keeps every row


def test_the_parse_of_a_rowspan_bomb_is_a_result_with_warnings() -> None:
    parsed = parse(rowspan_bomb(), "text/html")
    assert any("read as 64" in w for w in parsed.warnings)


def test_a_normal_span_is_read_as_it_is() -> None:
    limits = GridLimits()
    assert [limits.span(v, "colspan") for v in ("3", " 2 ", "", None, "0", "x")] == [
        3,
        2,
        1,
        1,
        1,
        1,
    ]
    assert limits.warnings == ()
    assert limits.span("9" * 5000, "rowspan") == MAX_SPAN  # int() of it would raise


def test_the_document_budget_leaves_out_later_grids() -> None:
    limits = GridLimits(cells_left=10)
    assert limits.grid([["1", "2"], ["3"]]) is not None  # 4 cells, padded
    assert limits.grid([["1"] * 4] * 2) is None  # 8 more: over the budget
    assert limits.spent
    assert "table 2 and those after it left out" in limits.warnings[-1]


# ---------------------------------------------------------------- DOCX


def _package(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()


def _real_members() -> dict[str, bytes]:
    with zipfile.ZipFile(DOCX_FILE) as package:
        return {i.filename: package.read(i) for i in package.infolist()}


def _with_document(xml: bytes) -> bytes:
    return _package({**_real_members(), "word/document.xml": xml})


@pytest.mark.parametrize(
    ("method", "name"), [(zipfile.ZIP_BZIP2, "12"), (zipfile.ZIP_LZMA, "14")]
)
def test_a_zip_method_word_does_not_write_is_a_read_error(
    method: int, name: str
) -> None:
    data = _package(_real_members(), method)
    with pytest.raises(ReadError, match=f"compression method {name}, expected"):
        parse(data)
    with pytest.raises(ReadError, match=f"compression method {name}"):
        text_sha256(data, "")


def test_an_unknown_compression_method_is_a_read_error_not_notimplemented() -> None:
    """The crash seen: method 99 (AES) made zipfile raise NotImplementedError."""
    data = bytearray(DOCX_FILE.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        for found in re.finditer(re.escape(signature), bytes(data)):
            struct.pack_into("<H", data, found.start() + offset, 99)
    with pytest.raises(ReadError, match="compression method 99"):
        parse(bytes(data))


def test_an_encrypted_member_is_a_read_error() -> None:
    data = bytearray(DOCX_FILE.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for found in re.finditer(re.escape(signature), bytes(data)):
            flags = struct.unpack_from("<H", data, found.start() + offset)[0]
            struct.pack_into("<H", data, found.start() + offset, flags | 1)
    with pytest.raises(ReadError, match="is encrypted"):
        read_docx(bytes(data))


def test_a_zip_of_too_many_entries_is_refused_unopened() -> None:
    members = {f"word/media/{i}.bin": b"" for i in range(MAX_ENTRIES + 1)}
    data = _package({**_real_members(), **members}, zipfile.ZIP_STORED)
    with pytest.raises(UnsafeFile, match=f"entries \\(limit {MAX_ENTRIES}\\)"):
        read_docx(data)


def test_a_part_that_packs_a_thousandfold_is_a_zip_bomb() -> None:
    data = _package({**_real_members(), "word/media/image9.png": b"\0" * (4 * MB)})
    with pytest.raises(UnsafeFile, match=f"times .* limit {MAX_RATIO}×\\): a zip bomb"):
        read_docx(data)
    with pytest.raises(UnsafeFile):
        text_sha256(data, "")


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n<w:document "
    + W.encode()
    + b"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<w:document "
    + W.encode()
    + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)


@pytest.mark.parametrize("xml", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_a_doctype_in_a_part_is_refused(xml: bytes) -> None:
    data = _with_document(xml)
    with pytest.raises(UnsafeFile, match=r"word/document\.xml declares a DOCTYPE"):
        parse(data)
    with pytest.raises(UnsafeFile, match="declares a DOCTYPE"):
        text_sha256(data, "")


def test_python_docx_would_not_expand_entities_either() -> None:
    """The second line of defence: python-docx parses with resolve_entities=False."""
    parsed = docx.oxml.parse_xml(XXE)
    assert "root:" not in "".join(parsed.itertext())


def _table(*rows: str) -> bytes:
    body = "".join(f"<w:tr>{row}</w:tr>" for row in rows)
    return (
        f"<w:document {W}><w:body><w:tbl>{body}</w:tbl></w:body></w:document>"
    ).encode()


def test_a_grid_span_bomb_in_a_docx_is_clipped() -> None:
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="1000000000"/></w:tcPr><w:p/></w:tc>'
    document = read_docx(_with_document(_table(cell * 3, "<w:tc><w:p/></w:tc>")))
    (grid,) = document.grids
    assert grid.width == MAX_COLUMNS
    assert f"gridSpan=1000000000 read as {MAX_SPAN} (limit MAX_SPAN)" in (
        document.warnings
    )


def test_a_docx_table_too_wide_and_too_long_keeps_to_the_caps() -> None:
    row = "<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>" * (MAX_COLUMNS + 5)
    document = read_docx(_with_document(_table(*[row] * 300)))
    _within_caps(document.grids)
    assert document.grids[0].width == MAX_COLUMNS
    assert any(f"more than {MAX_COLUMNS} columns" in w for w in document.warnings)


def test_a_span_that_is_no_ascii_number_is_one() -> None:
    """'²'.isdigit() is True, and int('²') raised ValueError in the old gridSpan code."""
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="²"/></w:tcPr><w:p/></w:tc>'
    (grid,) = read_docx(_with_document(_table(cell + cell))).grids
    assert grid.width == 2


# ---------------------------------------------------------------- PDF


def two_page_pdf() -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for text in ("第一页的正文", "第二页的正文"):
        pdf.setFont("STSong-Light", 14)
        pdf.drawString(72, 760, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _break_content(data: bytearray, page: int) -> None:
    """Put a byte that is no ASCII85 digit into page ``page``'s content stream."""
    number = re.findall(rb"/Contents (\d+) 0 R", bytes(data))[page - 1]
    start = bytes(data).index(b"\n%s 0 obj" % number)
    stream = bytes(data).index(b"stream\n", start) + len(b"stream\n")
    assert b"ASCII85Decode" in data[start:stream]
    data[stream + 3] = 0xC2


def test_a_page_the_pdf_libraries_fail_on_is_left_out_with_a_warning() -> None:
    data = bytearray(two_page_pdf())
    _break_content(data, 2)
    document = read_pdf(bytes(data))
    assert "第一页的正文" in document.text
    assert "第二页" not in document.text
    assert [w for w in document.warnings if "not read" in w] == [
        "page 2 not read: ValueError: Non-Ascii85 digit found: Â"
    ]


def test_a_pdf_whose_every_page_fails_is_a_read_error() -> None:
    data = bytearray(two_page_pdf())
    _break_content(data, 1)
    _break_content(data, 2)
    with pytest.raises(ReadError, match="no page could be read"):
        read_pdf(bytes(data))


def test_a_page_of_too_many_crossing_rules_is_not_searched_for_tables() -> None:
    lines = 110  # 110 × 110 crossings: the table finder would take seconds
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(800, 800), invariant=1)
    for i in range(lines):
        at = 20 + i * 760 / (lines - 1)
        pdf.line(at, 20, at, 780)
        pdf.line(20, at, 780, at)
    pdf.showPage()
    pdf.save()
    document, _ = _peak_mb(read_pdf, buffer.getvalue())
    assert document.grids == ()
    assert any("limit MAX_LATTICE" in w for w in document.warnings)
    assert lines * lines > MAX_LATTICE


# ---------------------------------------------------------------- legacy, plain


def test_wvware_html_with_huge_spans_keeps_to_the_caps() -> None:
    row = '<tr><td colspan="1000000">a</td><td>1</td></tr>'
    document = html_to_document(
        f"<html><body><table>{row * 1200}</table></body></html>"
    )
    _within_caps(document.grids)
    assert f"colspan=1000000 read as {MAX_SPAN} (limit MAX_SPAN)" in document.warnings


def test_a_text_with_a_row_of_thousands_of_tabs_keeps_to_the_caps() -> None:
    text = "标题\n" + ("1\t" * 5000 + "\n") + ("1\t2\n" * 3000)
    document, peak = _peak_mb(read_text, text.encode())
    assert peak < 100
    _within_caps(document.grids)
    assert document.text.count("\n") >= 3000  # the text keeps every row


def test_a_cell_of_thousands_of_digits_is_no_figure() -> None:
    """int() refuses more than 4300 digits with a ValueError; the cell is text."""
    value, problem = parse_value("9" * 5000)
    assert value is None
    assert problem == f'"{"9" * 40}… (5000 characters)" is not a number, read as blank'


def test_control_characters_beside_a_script_do_not_break_the_page() -> None:
    """Found by the fuzz: lxml reads U+0001 in a text but refuses to set it when
    dropping a <script> joins the texts around it (ValueError)."""
    page = (
        b'<html><body><div id="zoom">report \x07 text<script>x</script>\x08after'
        b"</div></body></html>"
    )
    assert parse(page).text == "report textafter"
    assert len(text_sha256(page, "text/html")) == 64
    assert html_to_document("<p>a<br>\x01b</p>").text == "a\nb"
