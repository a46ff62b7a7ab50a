"""The second chart of ``/-/chart``: 行政复议 and 行政诉讼 per year (table 4, 表四).

Blank cells are "not stated", never 0: a sum covers the stated cells only, and a year
whose reports leave every cell of table 4 blank says 未填 instead of drawing bars.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from processors.schema import APPEAL_COLUMNS, APPEAL_PARTS
from web.svg import Frame, label, note, on_top, open_svg, stack, under_axis

if TYPE_CHECKING:
    from sqlite_utils import Database

BARS = (  # (key, name, short name, table-4 rows summed into the bar)
    ("review", "行政复议", "复议", ("review",)),
    (
        "litigation",
        "行政诉讼",
        "诉讼",
        ("litigation_direct", "litigation_after_review"),
    ),
)
BAR_OF = {row: key for key, _, _, rows in BARS for row in rows}
COLUMN_NAMES = {item.key: item.name for item in APPEAL_COLUMNS}  # upheld → 结果维持 …
COLOURS = {
    "upheld": "#4e79a7",
    "corrected": "#e15759",
    "other": "#9d9d9d",
    "pending": "#edc948",
}
CAPTION = (
    "数字取自同一批年报最佳版本的表四（行政复议、行政诉讼情况）：每年左柱为行政复议，"
    "右柱为行政诉讼（未经复议直接起诉与复议后起诉之和），按结果维持、结果纠正、"
    "其他结果、尚未审结堆叠，柱顶为总计。空白格是“未填”，不按 0 计；表中“—”即未填。"
)


@dataclass(slots=True)
class AppealYear:
    """One year of a body or region: table 4's stated cells, summed per bar."""

    year: int
    reports: list[int] = field(default_factory=list)  # at least one cell stated
    blank: list[int] = field(default_factory=list)  # table 4 read, every cell blank
    without_table: list[int] = field(default_factory=list)  # no table 4
    cells: dict[str, dict[str, int]] = field(default_factory=dict)  # bar → column → sum

    def add(self, bar: str, column: str, value: float) -> None:
        sums = self.cells.setdefault(bar, {})
        sums[column] = sums.get(column, 0) + int(value)

    def total(self, bar: str) -> int | None:
        """The bar's 总计 as stated, else the sum of its stated parts (None: none)."""
        sums = self.cells.get(bar)
        if not sums:
            return None
        stated = sums.get("total")
        return (
            stated if stated is not None else sum(sums.get(k, 0) for k in APPEAL_PARTS)
        )


def appeal_years(
    db: Database, reports: list[tuple[int, int]], best: dict[int, int]
) -> list[AppealYear]:
    """Per year, table 4 of the best version (``best``) of each of ``reports``
    (``(report id, year)`` pairs), summed; years in order."""
    year_of = dict(reports)
    years = {year: AppealYear(year) for year in sorted(set(year_of.values()))}
    stated: dict[int, bool] = {}  # report id → any cell stated (absent: no table 4)
    for report_id, version_id, row_key, column_key, value in db.execute(
        """SELECT report_id, version_id, row_key, column_key, value FROM figures
           WHERE report_id IN (SELECT value FROM json_each(?))
             AND table_name = 'appeals'
           ORDER BY id""",
        [json.dumps(list(year_of))],
    ).fetchall():
        bar = BAR_OF.get(row_key)
        if best.get(report_id) != version_id or bar is None:
            continue
        stated.setdefault(report_id, False)
        if value is not None and column_key in COLUMN_NAMES:
            stated[report_id] = True
            years[year_of[report_id]].add(bar, column_key, value)
    for report_id, year in reports:
        if report_id not in stated:
            years[year].without_table.append(report_id)
        elif stated[report_id]:
            years[year].reports.append(report_id)
        else:
            years[year].blank.append(report_id)
    return list(years.values())


def appeals_svg(years: list[AppealYear], title: str, *, counts: bool = False) -> str:
    """Per year two stacked bars, 行政复议 then 行政诉讼, their totals on top; with
    ``counts``, how many reports stated table 4 under each year."""
    peak = max(
        [1]
        + [y.total(key) or 0 for y in years for key, *_ in BARS]
        + [
            sum(s.get(k, 0) for k in APPEAL_PARTS)
            for y in years
            for s in y.cells.values()
        ]
    )
    frame = Frame.fitting(peak, len(years), bottom=58)
    legend = [(COLUMN_NAMES[key], COLOURS[key]) for key in APPEAL_PARTS]
    out = open_svg(
        frame, title, legend, css_class="nianbao-appeals", title_id="appeals-title"
    )
    for i, year in enumerate(years):
        out.extend(_appeal_group(frame, i, year, counts))
    out.append("</svg>")
    return "\n".join(out)


def _appeal_group(frame: Frame, i: int, year: AppealYear, counts: bool) -> list[str]:
    centre = frame.centre(i)
    out = [
        f'<g class="appeal-year" data-year="{year.year}" font-size="{frame.font_size}">'
    ]
    out += under_axis(
        frame, centre, year.year, len(year.reports) if counts else None, below=12
    )
    if not year.reports:
        return [*out, note(frame, centre, "未填" if year.blank else "无表格"), "</g>"]
    for (key, name, short, _), x in zip(
        BARS, (centre - frame.bar_w - 2, centre + 2), strict=True
    ):
        middle = x + frame.bar_w / 2
        short = short if frame.bar_w >= 20 else short[0]  # 复, 诉 under narrow bars
        out.append(
            label(middle, frame.base + 12, short, text_anchor="middle", font_size="10")
        )
        total = year.total(key)
        if total is None:
            out.append(note(frame, middle, "未填"))
            continue
        sums = year.cells[key]
        parts = [(COLUMN_NAMES[k], COLOURS[k], sums.get(k, 0)) for k in APPEAL_PARTS]
        bars, stacked = stack(frame, x, parts, f"{year.year}年 {name}")
        out += bars
        out.append(on_top(frame, x, max(stacked, total), total))
    out.append("</g>")
    return out
