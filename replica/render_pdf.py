"""A report as a real PDF: Chinese text in a CID font, ruled tables, WPS-like metadata.

reportlab's ``STSong-Light`` is a Type0/CID font (Adobe-GB1, UniGB-UCS2-H), the
same kind of font WPS writes; it is not embedded, so the file stays small. The
output is byte-deterministic (``invariant=1``); the creation and modification dates
are then written into the fixed-length date fields, so they look real without
moving any xref offset.
"""

from __future__ import annotations

import io
import random
from functools import cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from PIL import ImageFilter
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from replica.render_html import report_grid
from replica.templates import Cell, Grid, grid_width

if TYPE_CHECKING:
    from datetime import datetime

    from replica.model import Report

FONT = "STSong-Light"
GENERIC_TITLE = "政府信息公开工作年度报告"  # real PDFs rarely carry the body in Title
INVARIANT_DATE = b"D:20000101000000+00'00'"
MARGIN = 56.0
PARAGRAPHS_PER_PAGE = 7
FILLER = (
    "本年度政府信息公开工作围绕中心、服务大局，持续推进决策、执行、管理、服务、结果公开，"
    "加强政策解读和回应关切，规范依申请公开办理，强化监督保障，不断提升政务公开质量和实效。"
) * 2
WIDTHS = {
    4: [170.0, 108.0, 102.0, 103.0],
    10: [22.0, 24.0, 140.0, 44.0, 36.0, 36.0, 40.0, 40.0, 36.0, 40.0],
    15: [32.2] * 15,
}


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return {
        "title": ParagraphStyle(
            "title", fontName=FONT, fontSize=18, leading=28, alignment=TA_CENTER
        ),
        "heading": ParagraphStyle(
            "heading", fontName=FONT, fontSize=13, leading=22, spaceBefore=6
        ),
        "body": ParagraphStyle(
            "body", fontName=FONT, fontSize=11, leading=19, firstLineIndent=22
        ),
        "cell": ParagraphStyle(
            "cell", fontName=FONT, fontSize=8, leading=10, alignment=TA_CENTER
        ),
    }


def _cell_text(cell: Cell) -> str:
    if (
        cell.vertical
    ):  # one character per line, as in the Word original's narrow label column
        return "<br/>".join(escape(ch) for ch in cell.text)
    return escape(cell.text).replace("\n", "<br/>")


def grid_table(grid: Grid) -> Table:
    """A grid as a ruled reportlab table (spans included)."""
    width = grid_width(grid)
    occupied: set[tuple[int, int]] = set()
    data = [[""] * width for _ in grid]
    spans = []
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            data[r][c] = Paragraph(_cell_text(cell), _styles()["cell"])
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, c + dc))
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append(
                    ("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1))
                )
            c += cell.colspan
    widths = WIDTHS.get(width) or [(A4[0] - 2 * MARGIN) / width] * width
    table = Table(data, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                *spans,
            ]
        )
    )
    return table


Block = tuple[
    str, "str | Grid"
]  # ("title" | "heading" | "body", text) or ("table", grid)


def report_blocks(report: Report) -> list[Block]:
    """A report as a flat list of printable blocks, top to bottom."""
    blocks: list[Block] = [("title", line) for line in report.heading]
    blocks += [("body", p) for p in report.intro]
    for index, section in enumerate(report.sections):
        blocks.append(("heading", section.heading))
        blocks += [("body", p) for p in section.paragraphs]
        if index == 0:  # real reports carry photos: real-sized PDFs
            blocks.append(("photo", f"（{report.body.short}开展“政府开放日”活动）"))
        grid = report_grid(report, section.table) if section.table else None
        if grid is not None:
            blocks.append(("table", grid))
    if report.extra_pages:  # long reports append statistics and case notes
        blocks.append(("heading", "附件：政府信息公开工作情况说明"))
        count = report.extra_pages * PARAGRAPHS_PER_PAGE
        blocks += [("body", f"{n + 1}. {FILLER}") for n in range(count)]
    return blocks


def _story(blocks: list[Block]) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = []
    for kind, content in blocks:
        if kind == "table":
            story.append(grid_table(content))  # type: ignore[arg-type]
        elif kind == "photo":
            story.append(Image(io.BytesIO(photo_jpeg()), width=360, height=240))
            story.append(Paragraph(escape(str(content)), styles["cell"]))
        else:
            story.append(Paragraph(escape(str(content)), styles[kind]))
            if kind == "title":
                story.append(Spacer(1, 4))
    return story


@cache
def photo_jpeg() -> bytes:
    """A deterministic stand-in for a report's photo (1024×683 JPEG, about 120 KB)."""
    width, height = 1024, 683
    noise = random.Random("nianbao replica photo").randbytes(width * height * 3)
    image = PILImage.frombytes("RGB", (width, height), noise).filter(
        ImageFilter.GaussianBlur(1.5)
    )
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _pdf_date(moment: datetime) -> bytes:
    return moment.strftime("D:%Y%m%d%H%M%S+08'00'").encode()


def document_pdf(
    blocks: list[Block], *, producer: str, created: datetime, saved: datetime
) -> bytes:
    """Printable blocks as PDF bytes (identical for identical input)."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=GENERIC_TITLE,
        author="Administrator",
        creator="WPS 文字",
        producer=producer,
        subject="",
        invariant=1,
    )
    doc.build(_story(blocks))
    data = buf.getvalue()
    # CreationDate comes first in the Info dictionary, ModDate second.
    data = data.replace(INVARIANT_DATE, _pdf_date(created), 1)
    return data.replace(INVARIANT_DATE, _pdf_date(saved), 1)


def report_pdf(report: Report) -> bytes:
    """The report as PDF bytes; a re-save keeps the text and changes the metadata."""
    return document_pdf(
        report_blocks(report),
        producer=report.pdf_producer,
        created=report.published,
        saved=report.pdf_saved or report.published,
    )
