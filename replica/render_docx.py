"""A report as a real Word (.docx) file with real, merged-cell tables.

python-docx stamps zip entries with the current time; the bytes are re-packed with
a fixed timestamp so the same report always gives the same file.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable
from docx.table import _Cell

from replica.render_html import report_grid
from replica.templates import Grid, grid_width

if TYPE_CHECKING:
    from replica.model import Report

FONT = "仿宋_GB2312"
CELL_FONT = "宋体"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _east_asian(run_font_element: Any, name: str) -> None:
    fonts = run_font_element.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    doc: Any, text: str, *, size: float = 16, font: str = FONT, center: bool = False
) -> None:
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = font
    _east_asian(run._element.get_or_add_rPr(), font)


def _fill_table(table: DocxTable, grid: Grid) -> None:
    # Take every cell before merging: table.cell() re-walks the whole table each call.
    cells = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            target = cells[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(cells[r + cell.rowspan - 1][c + cell.colspan - 1])
            text = "\n".join(cell.text) if cell.vertical else cell.text
            target.text = text
            for paragraph in target.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    run.font.size = Pt(9)
                    _east_asian(run._element.get_or_add_rPr(), CELL_FONT)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, c + dc))
            c += cell.colspan


def repack(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps (python-docx uses the wall clock)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def report_docx(report: Report) -> bytes:
    """The report as .docx bytes (identical for identical input)."""
    doc = Document()
    core = doc.core_properties
    core.title = "政府信息公开工作年度报告"
    core.author = "Administrator"
    core.last_modified_by = "Administrator"
    core.created = datetime(
        report.published.year, report.published.month, report.published.day
    )
    core.modified = core.created
    core.revision = 1
    for line in report.heading:
        _paragraph(doc, line, size=22, font="方正小标宋简体", center=True)
    for text in report.intro:
        _paragraph(doc, text)
    for section in report.sections:
        _paragraph(doc, section.heading, font="黑体")
        for text in section.paragraphs:
            _paragraph(doc, text)
        grid = report_grid(report, section.table) if section.table else None
        if grid is not None:
            table = doc.add_table(rows=len(grid), cols=grid_width(grid))
            table.style = "Table Grid"
            _fill_table(table, grid)
    buf = io.BytesIO()
    doc.save(buf)
    return repack(buf.getvalue())
