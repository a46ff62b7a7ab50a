"""A report body as Word-pasted HTML, the way CMS editors publish it.

Real report pages are Word documents pasted into the CMS editor: ``MsoNormal``
paragraphs with inline font styles, tables with inline borders on every cell,
``<p>`` inside cells, labels split over several ``<p>`` ("三、本 / 年度办 / 理结果"),
``rowspan="22"`` label columns, ``<o:p></o:p>`` debris and ``&nbsp;`` in empty cells.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from replica.templates import Cell, Grid, active_grid, appeals_grid, applications_grid

if TYPE_CHECKING:
    from replica.model import Report, Section

P_BODY = (
    '<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt;'
    'mso-line-height-rule:exactly"><span style="font-size:16.0pt;'
    'font-family:仿宋_GB2312">{}</span></p>'
)
P_HEADING = (
    '<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">'
    '<span style="font-size:16.0pt;font-family:黑体">{}<o:p></o:p></span></p>'
)
P_TITLE = (
    '<p class="MsoNormal" align="center" style="text-align:center;line-height:36.0pt">'
    '<span style="font-size:22.0pt;font-family:方正小标宋简体">{}</span></p>'
)
TABLE_OPEN = (
    '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
    'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
    'mso-padding-alt:0cm 5.4pt 0cm 5.4pt">'
)
TD_STYLE = (
    "border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid windowtext .5pt;"
    "padding:0cm 5.4pt 0cm 5.4pt"
)
CELL_P = (
    '<p class="MsoNormal" align="center" style="text-align:center">'
    '<span style="font-size:10.0pt;font-family:宋体">{}</span></p>'
)


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def cell_html(cell: Cell) -> str:
    """One ``<td>``: inline styles, ``<p>`` per label chunk, ``&nbsp;`` when blank."""
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    size = cell.split or (3 if cell.vertical else 0)
    parts = _chunks(cell.text, size) if size else [cell.text]
    inner = "".join(CELL_P.format(escape(part) if part else "&nbsp;") for part in parts)
    if cell.text.isdigit():
        inner = inner.replace("<span ", '<span lang="EN-US" ', 1)
    return f'<td{attrs} valign="center" style="{TD_STYLE}">{inner}</td>'


def grid_html(grid: Grid) -> str:
    """A grid as a Word-pasted table."""
    rows = "".join(
        f'<tr style="height:19.85pt">{"".join(cell_html(c) for c in row)}</tr>'
        for row in grid
    )
    return f"{TABLE_OPEN}<tbody>{rows}</tbody></table>"


def report_grid(report: Report, table: str) -> Grid | None:
    """The printed grid of one of the report's tables, or None if it prints none."""
    figures = report.figures
    template = "2019" if report.template == "free" else report.template
    if table == "active" and figures.active is not None:
        return active_grid(template, figures.active)
    if table == "applications" and figures.applications is not None:
        return applications_grid(template, figures.applications)
    if table == "appeals" and figures.appeals is not None:
        return appeals_grid(figures.appeals)
    return None


def _section_html(report: Report, section: Section) -> str:
    parts = [P_HEADING.format(escape(section.heading))]
    parts += [P_BODY.format(escape(p)) for p in section.paragraphs]
    grid = report_grid(report, section.table) if section.table else None
    if grid is not None:
        parts.append(grid_html(grid))
    return "".join(parts)


def report_body_html(report: Report, *, with_heading: bool = True) -> str:
    """The report as the editor's pasted HTML (the part inside the article container)."""
    parts = (
        [P_TITLE.format(escape(line)) for line in report.heading]
        if with_heading
        else []
    )
    parts += [P_BODY.format(escape(p)) for p in report.intro]
    parts += [_section_html(report, s) for s in report.sections]
    return "\n".join(parts)


def paragraphs_html(paragraphs: tuple[str, ...]) -> str:
    """Plain paragraphs (noise items, 详见附件 stubs)."""
    return "\n".join(P_BODY.format(escape(p)) for p in paragraphs)
