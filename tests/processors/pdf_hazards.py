"""One-page PDFs whose shapes could make PDFium's reading differ from pdfplumber's
(processors/pdfium_page.py): each is drawn with reportlab the way real writers draw
that shape. ``FAST`` pages must be read by PDFium, ``LEFT_TO_PDFPLUMBER`` ones must
be handed back (PDFium cannot give what pdfplumber would)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

if TYPE_CHECKING:
    from collections.abc import Callable

    from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"


def _table(
    c: Canvas, x: float = 72, y: float = 700, w: float = 120, h: float = 20
) -> None:
    """A ruled 4 × 3 table with figures in its cells, as a report's tables are drawn."""
    rows, cols = 4, 3
    for r in range(rows + 1):
        c.line(x, y - r * h, x + cols * w, y - r * h)
    for k in range(cols + 1):
        c.line(x + k * w, y, x + k * w, y - rows * h)
    c.setFont(FONT, 10)
    for r in range(rows):
        for k in range(cols):
            c.drawString(x + k * w + 4, y - r * h - 14, f"格{r}{k}数{r * k}")


def _prose(c: Canvas, y: float = 500) -> None:
    c.setFont(FONT, 12)
    for i in range(5):
        c.drawString(
            72,
            y - 18 * i,
            f"第{i}行正文，政府信息公开工作年度报告 2023 年 Annual report {i}",
        )


def _horizontal_scale(c: Canvas) -> None:
    text = c.beginText(72, 760)
    text.setFont(FONT, 12)
    text.setHorizScale(80)
    text.textLine("水平缩放的文字 80% scaled text")
    text.setHorizScale(120)
    text.textLine("放大的文字 wide 120")
    c.drawText(text)
    _prose(c)


def _spacing(c: Canvas) -> None:
    text = c.beginText(72, 760)
    text.setFont(FONT, 12)
    text.setCharSpace(2.5)  # not 3: a gap of exactly 3 pt is pdfplumber's threshold
    text.textLine("字 间 距 char spacing")
    text.setCharSpace(0)
    text.setWordSpace(8)
    text.textLine("word spacing here 词 间距")
    c.drawText(text)
    _prose(c)


def _rise(c: Canvas) -> None:
    text = c.beginText(72, 760)
    text.setFont(FONT, 12)
    text.textOut("面积 m")
    text.setRise(5)
    text.textOut("2")
    text.setRise(0)
    text.textLine(" 以上")
    c.drawText(text)
    _prose(c)


def _form(c: Canvas) -> None:
    c.beginForm("table")
    _table(c)
    c.setFont(FONT, 12)
    c.drawString(72, 600, "表单里的文字")
    c.endForm()
    c.saveState()
    c.translate(10, -40)
    c.scale(0.9, 0.9)
    c.doForm("table")
    c.restoreState()
    _prose(c, 400)


def _scaled(c: Canvas) -> None:
    c.saveState()
    c.transform(0.75, 0, 0, 0.75, 0, 0)  # Word's PDFs draw in a 0.75 scale
    _table(c, x=96, y=1000, w=160, h=26)
    c.restoreState()
    _prose(c, 300)


def _curves(c: Canvas) -> None:
    c.roundRect(72, 600, 300, 100, 12)
    c.circle(300, 300, 40)
    c.bezier(72, 200, 100, 250, 200, 150, 300, 200)
    _table(c)
    _prose(c, 550)


def _dashed(c: Canvas) -> None:
    c.setDash(3, 2)
    _table(c)
    c.setDash()
    _prose(c)


def _clipped(c: Canvas) -> None:
    path = c.beginPath()
    path.rect(72, 400, 200, 200)
    c.clipPath(path, stroke=0, fill=0)
    _table(c, y=590)
    _prose(c)


def _thin_rectangles(c: Canvas) -> None:
    """Rules drawn as filled hairline rectangles, as Word draws table borders."""
    for r in range(5):
        c.rect(72, 700 - r * 20, 360, 0.5, stroke=0, fill=1)
    for k in range(4):
        c.rect(72 + k * 120, 620, 0.5, 80.5, stroke=0, fill=1)
    c.setFont(FONT, 10)
    c.drawString(76, 686, "细矩形画的表格线")
    c.drawString(196, 686, "第二格")
    _prose(c)


def _invisible(c: Canvas) -> None:
    text = c.beginText(72, 760)
    text.setFont(FONT, 12)
    text.setTextRenderMode(3)  # an OCR layer under a scan
    text.textLine("看不见的文字层")
    c.drawText(text)
    _prose(c)


def _white_page_box(c: Canvas) -> None:
    c.setFillColorRGB(1, 1, 1)
    c.rect(0, 0, A4[0], A4[1], stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    _table(c)
    _prose(c)


def _small_tight(c: Canvas) -> None:
    c.setFont(FONT, 5)
    for i in range(30):
        c.drawString(72, 800 - 6 * i, f"小字{i} 紧密的行距 tight lines")


def _sizes(c: Canvas) -> None:
    for i, size in enumerate((22, 16, 12, 10.5, 9)):
        c.setFont(FONT, size)
        c.drawString(72, 780 - 40 * i, f"字号{size}的标题和正文")


def _standard_font(c: Canvas) -> None:
    c.setFont("Helvetica", 11)
    for i in range(6):
        c.drawString(72, 760 - 14 * i, f"Helvetica naïve café {i} “quoted” €100")
    _prose(c)


def _fake_bold(c: Canvas) -> None:
    c.setFont(FONT, 14)
    for dx in (0, 0.3):  # WPS prints a bold heading twice, a hair apart
        c.drawString(72 + dx, 760, "总计加粗的标题")
    _prose(c)


def _rotated(c: Canvas) -> None:
    c.saveState()
    c.translate(300, 400)
    c.rotate(90)
    c.setFont(FONT, 12)
    c.drawString(0, 0, "竖排旋转的文字")
    c.restoreState()
    _prose(c)


def _mirrored(c: Canvas) -> None:
    c.saveState()
    c.translate(500, 700)
    c.scale(-1, 1)
    c.setFont(FONT, 12)
    c.drawString(0, 0, "镜像文字")
    c.restoreState()
    _prose(c)


def _landscape(c: Canvas) -> None:
    _prose(c)
    _table(c, y=400)


FAST: dict[str, Callable[[Canvas], None]] = {
    "horizontal scale": _horizontal_scale,
    "char and word spacing": _spacing,
    "text rise": _rise,
    "table in a scaled form": _form,
    "Word's 0.75 scale": _scaled,
    "curves and rounded boxes": _curves,
    "dashed rules": _dashed,
    "clipping path": _clipped,
    "hairline rectangles": _thin_rectangles,
    "invisible text": _invisible,
    "white page-size box": _white_page_box,
    "5-point tight lines": _small_tight,
    "mixed sizes": _sizes,
    "landscape": _landscape,
}
LEFT_TO_PDFPLUMBER: dict[str, Callable[[Canvas], None]] = {
    "standard 14 font": _standard_font,  # pdfminer measures it by its own metrics
    "fake bold": _fake_bold,  # PDFium drops the copy, pdfplumber dedupes
    "rotated text": _rotated,
    "mirrored text": _mirrored,
}


def hazard_pdf(draw: Callable[[Canvas], None], name: str = "") -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    size = landscape(A4) if name == "landscape" else A4
    c = canvas.Canvas(buffer, pagesize=size, invariant=1)
    draw(c)
    c.showPage()
    c.save()
    return buffer.getvalue()
