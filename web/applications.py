"""The first chart of ``/-/chart``: applications received and their outcomes per year
(table 3, 表三), from the best version of each report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archive.derived import best_parses
from web.svg import Frame, note, on_top, open_svg, stack, under_axis

if TYPE_CHECKING:
    from sqlite_utils import Database

OUTCOMES = (  # (key, 表三 row, colour)
    ("granted", "予以公开", "#59a14f"),
    ("partly_granted", "部分公开", "#a0cbe8"),
    ("withheld", "不予公开", "#e15759"),
    ("unavailable", "无法提供", "#f28e2b"),
    ("not_processed", "不予处理", "#b07aa1"),
    ("other", "其他处理", "#9d9d9d"),
)
RECEIVED_COLOUR = "#4e79a7"
CAPTION = (
    "数字取自每份年报最佳版本的表三（收到和处理政府信息公开申请情况）“总计”列："
    "蓝色为“一、本年新收”，右侧堆叠为“三、本年度办理结果”的六类"
    "（不予公开、无法提供、不予处理、其他处理为各小项之和）。"
)


def outcome_of(row_key: str) -> str | None:
    """The 三（一）…（六） group a table-3 row belongs to (sub-rows summed into it)."""
    if row_key in ("granted", "partly_granted", "other"):
        return row_key
    for group in ("withheld", "unavailable", "not_processed", "other"):
        if row_key.startswith(f"{group}_"):
            return group
    return None


@dataclass(slots=True)
class YearFigures:
    """One year of a body or region: applications received and how they were answered."""

    year: int
    reports: list[int] = field(default_factory=list)  # report ids counted
    without_table: list[int] = field(default_factory=list)  # no applications table
    received: int | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    handled: int | None = None

    def add(self, row_key: str, value: float | None) -> None:
        if value is None:
            return
        number = int(value)
        if row_key == "new_received":
            self.received = (self.received or 0) + number
        elif row_key == "total_handled":
            self.handled = (self.handled or 0) + number
        elif group := outcome_of(row_key):
            self.outcomes[group] = self.outcomes.get(group, 0) + number


def reports_of(
    db: Database, *, body: str | None = None, region: str | None = None
) -> list[tuple[int, int]]:
    """``(report id, year)`` of ``body``'s reports, or of every body whose region starts
    with ``region``; by year."""
    params: list[object]
    if body is not None:
        sql, params = "body = ?", [body]
    else:
        sql, params = "substr(region, 1, ?) = ?", [len(region or ""), region]
    return [
        (report_id, year)
        for report_id, year in db.execute(
            f"SELECT id, year FROM reports WHERE {sql} ORDER BY year, id",  # noqa: S608
            params,
        ).fetchall()
    ]


def chart_years(
    db: Database,
    *,
    body: str | None = None,
    region: str | None = None,
    reports: list[tuple[int, int]] | None = None,
    best: dict[int, int] | None = None,
) -> list[YearFigures]:
    """Per year, table 3 of the best version of each report of ``body`` (or of every
    body whose region starts with ``region``, or of ``reports`` when given), summed;
    years in order. ``best`` saves recomputing :func:`best_parses`."""
    if reports is None:
        reports = reports_of(db, body=body, region=region)
    best = best_parses(db) if best is None else best
    year_of = dict(reports)
    years = {year: YearFigures(year) for year in sorted(set(year_of.values()))}
    seen: set[int] = set()
    for report_id, version_id, row_key, value in db.execute(
        """SELECT report_id, version_id, row_key, value FROM figures
           WHERE report_id IN (SELECT value FROM json_each(?))
             AND table_name = 'applications' AND column_key = 'total'
           ORDER BY id""",
        [json.dumps(list(year_of))],
    ).fetchall():
        if best.get(report_id) == version_id:
            seen.add(report_id)
            years[year_of[report_id]].add(row_key, value)
    for report_id, year in reports:
        target = years[year].reports if report_id in seen else years[year].without_table
        target.append(report_id)
    return list(years.values())


# ---------------------------------------------------------------- the SVG


def chart_svg(years: list[YearFigures], title: str, *, counts: bool = False) -> str:
    """Per year a group: a bar of applications received and a stacked bar of outcomes;
    with ``counts``, how many reports the bars sum under each year."""
    peak = max(
        [1]
        + [y.received or 0 for y in years]
        + [sum(y.outcomes.values()) for y in years]
    )
    frame = Frame.fitting(peak, len(years))
    legend = [("新收申请", RECEIVED_COLOUR)] + [o[1:] for o in OUTCOMES]
    out = open_svg(frame, title, legend)
    for i, year in enumerate(years):
        out.extend(_year_group(frame, i, year, counts))
    out.append("</svg>")
    return "\n".join(out)


def _year_group(frame: Frame, i: int, year: YearFigures, counts: bool) -> list[str]:
    centre = frame.centre(i)
    out = [f'<g class="year" data-year="{year.year}" font-size="{frame.font_size}">']
    out += under_axis(frame, centre, year.year, len(year.reports) if counts else None)
    if year.received is None and not year.outcomes:
        return [*out, note(frame, centre, "无表格"), "</g>"]
    if year.received is not None:
        x = centre - frame.bar_w - 2
        tip = f"{year.year}年"
        received = [("新收申请", RECEIVED_COLOUR, year.received)]
        out += stack(frame, x, received, tip)[0]
        out.append(on_top(frame, x, year.received, year.received))
    parts = [
        (name, colour, year.outcomes.get(key, 0)) for key, name, colour in OUTCOMES
    ]
    bars, stacked = stack(frame, centre + 2, parts, f"{year.year}年")
    out += bars
    if year.outcomes:
        out.append(on_top(frame, centre + 2, stacked, stacked))
    out.append("</g>")
    return out
