"""``/-/chart?body=…`` or ``?region=…``: applications and their outcomes per year, as
an inline SVG drawn here (no JavaScript) and a table."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from archive.derived import best_parses
from web.common import _database_name, _run

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request
    from sqlite_utils import Database

# ---------------------------------------------------------------- chart data

OUTCOMES = (  # (key, 表三 row, colour)
    ("granted", "予以公开", "#59a14f"),
    ("partly_granted", "部分公开", "#a0cbe8"),
    ("withheld", "不予公开", "#e15759"),
    ("unavailable", "无法提供", "#f28e2b"),
    ("not_processed", "不予处理", "#b07aa1"),
    ("other", "其他处理", "#9d9d9d"),
)
RECEIVED_COLOUR = "#4e79a7"


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


def chart_years(
    db: Database, *, body: str | None = None, region: str | None = None
) -> list[YearFigures]:
    """Per year, table 3 of the best version of each report of ``body`` (or of every
    body whose region starts with ``region``), summed; years in order."""
    if body is not None:
        reports = db.execute(
            "SELECT id, year FROM reports WHERE body = ? ORDER BY year", [body]
        ).fetchall()
    else:
        reports = db.execute(
            "SELECT id, year FROM reports WHERE substr(region, 1, ?) = ? ORDER BY year",
            [len(region or ""), region],
        ).fetchall()
    best = best_parses(db)
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

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 64, 44


def _step(peak: int) -> int:
    """A round tick step giving about five ticks up to ``peak``."""
    raw = max(peak / 5, 1)
    magnitude: int = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _bar(x: float, y: float, width: float, height: float, colour: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"'
        f' fill="{colour}"><title>{escape(tip)}</title></rect>'
    )


def _label(x: float, y: float, text: object, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(str(text))}</text>'


def chart_svg(years: list[YearFigures], title: str) -> str:
    """Per year a group: a bar of applications received and a stacked bar of outcomes."""
    peak = max(
        [1]
        + [y.received or 0 for y in years]
        + [sum(y.outcomes.values()) for y in years]
    )
    step = _step(peak)
    top = step * math.ceil(peak / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_h - value / top * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        ' class="nianbao-chart" role="img" aria-labelledby="chart-title"'
        ' font-size="12" font-family="sans-serif">',
        f'<title id="chart-title">{escape(title)}</title>',
        _label(LEFT - 6, TOP - 12, "件", text_anchor="end", fill="#555"),
    ]
    for value in range(0, top + 1, step):
        y = y_of(value)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"'
            f' stroke="{"#888" if value == 0 else "#e3e3e3"}"/>'
        )
        out.append(_label(LEFT - 6, y + 4, value, text_anchor="end", fill="#555"))
    x = float(LEFT)
    for label, colour in [("新收申请", RECEIVED_COLOUR)] + [o[1:] for o in OUTCOMES]:
        out.append(f'<rect x="{x:.1f}" y="14" width="12" height="12" fill="{colour}"/>')
        out.append(_label(x + 16, 25, label))
        x += 16 + 12 * len(label) + 16
    group_w = plot_w / max(len(years), 1)
    bar_w = min(40.0, group_w * 0.32)
    for i, year in enumerate(years):
        centre = LEFT + group_w * (i + 0.5)
        # many years: smaller numbers, so that neighbours do not run into each other
        out.extend(_year_group(year, centre, bar_w, y_of, 10 if group_w < 60 else 12))
    out.append("</svg>")
    return "\n".join(out)


def _year_group(
    year: YearFigures, centre: float, bar_w: float, y_of: Any, font_size: int
) -> list[str]:
    base = y_of(0)
    out = [f'<g class="year" data-year="{year.year}" font-size="{font_size}">']
    out.append(_label(centre, base + 18, f"{year.year}年", text_anchor="middle"))
    if year.received is None and not year.outcomes:
        out.append(
            _label(centre, base - 6, "无表格", text_anchor="middle", fill="#888")
        )
        out.append("</g>")
        return out
    if year.received is not None:
        x, y = centre - bar_w - 2, y_of(year.received)
        tip = f"{year.year}年 新收申请：{year.received}"
        out.append(_bar(x, y, bar_w, base - y, RECEIVED_COLOUR, tip))
        out.append(_label(x + bar_w / 2, y - 4, year.received, text_anchor="middle"))
    stacked = 0
    for key, label, colour in OUTCOMES:
        value = year.outcomes.get(key, 0)
        if value:
            y = y_of(stacked + value)
            tip = f"{year.year}年 {label}：{value}"
            out.append(_bar(centre + 2, y, bar_w, y_of(stacked) - y, colour, tip))
            stacked += value
    if year.outcomes:
        y = y_of(stacked)
        out.append(_label(centre + 2 + bar_w / 2, y - 4, stacked, text_anchor="middle"))
    out.append("</g>")
    return out


# ---------------------------------------------------------------- the chart page

PAGE = """{% extends "base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block extra_head %}<style>
figure.nianbao { max-width: 800px; margin: 1em 0; }
figure.nianbao svg { width: 100%; height: auto; }
figure.nianbao figcaption { color: #555; font-size: 0.9em; }
table.nianbao td.number { text-align: right; }
</style>{% endblock %}
{% block content %}
<h1>{{ heading }}</h1>
{% if message %}<p class="message-warning">{{ message }}</p>{% endif %}
{% if svg %}
<figure class="nianbao">{{ svg }}
<figcaption>{{ caption }}</figcaption></figure>
<table class="rows-and-columns nianbao">
<thead><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in table %}<tr>{% for cell in row %}
<td{% if cell.number %} class="number"{% endif %}>
{%- if cell.href %}<a href="{{ cell.href }}">{{ cell.text }}</a>
{%- else %}{{ cell.text }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
<p>{% for link in links %}<a href="{{ link.href }}">{{ link.text }}</a>
{%- if not loop.last %} · {% endif %}{% endfor %}</p>
{% endif %}
<form class="nianbao" action="{{ action }}" method="get">
<p><label for="chart-body">机关</label>
<input type="text" id="chart-body" name="body" list="bodies" value="{{ body or '' }}">
<input type="submit" value="按机关查看"></p>
</form>
<form class="nianbao" action="{{ action }}" method="get">
<p><label for="chart-region">地区</label>
<input type="text" id="chart-region" name="region" list="regions" value="{{ region or '' }}"
 placeholder="前缀即可，如 山东省威海市">
<input type="submit" value="按地区合计"></p>
</form>
<datalist id="bodies">{% for b in bodies %}<option value="{{ b }}">{% endfor %}</datalist>
<datalist id="regions">{% for r in regions %}<option value="{{ r }}">{% endfor %}</datalist>
{% endblock %}
"""
CAPTION = (
    "数字取自每份年报最佳版本的表三（收到和处理政府信息公开申请情况）“总计”列："
    "蓝色为“一、本年新收”，右侧堆叠为“三、本年度办理结果”的六类"
    "（不予公开、无法提供、不予处理、其他处理为各小项之和）。"
)
OUTCOME_LABELS = [label for _, label, _ in OUTCOMES]
Cell = dict[str, object]  # a table cell for the template: text, href, number


def _cell(text: object, href: str | None = None, number: bool = False) -> Cell:
    return {"text": "—" if text is None else text, "href": href, "number": number}


def _table(
    datasette: Datasette, years: list[YearFigures], body: str | None, region: str | None
) -> tuple[list[str], list[list[Cell]]]:
    base = datasette.urls.database(_database_name(datasette))
    header = ["年份", "新收申请", *OUTCOME_LABELS, "办理总计", "年报"]
    table = []
    for y in years:
        row = [_cell(y.year), _cell(y.received, number=True)]
        row += [_cell(y.outcomes.get(key), number=True) for key, _, _ in OUTCOMES]
        row.append(_cell(y.handled, number=True))
        if body is not None:
            rid = (y.reports or y.without_table)[0]
            note = "" if y.reports else "（无标准表格）"
            row.append(_cell(f"年报 #{rid}{note}", f"{base}/reports/{rid}"))
        else:
            query = urlencode({"region__startswith": region, "year": y.year})
            text = f"{len(y.reports)} 份" + (
                f"（另有 {len(y.without_table)} 份无标准表格）"
                if y.without_table
                else ""
            )
            row.append(_cell(text, f"{base}/reports?{query}"))
        table.append(row)
    return header, table


def _links(
    datasette: Datasette, body: str | None, region: str | None
) -> list[dict[str, str]]:
    base = datasette.urls.database(_database_name(datasette))
    if body is not None:
        return [
            {
                "href": f"{base}/body_years?{urlencode({'body': body})}",
                "text": "逐年对比表（body_years）",
            },
            {
                "href": f"{base}/reports?{urlencode({'body': body})}",
                "text": "该机关的全部年报",
            },
        ]
    return [
        {
            "href": f"{base}/reports?{urlencode({'region__startswith': region})}",
            "text": "该地区的全部年报",
        }
    ]


def _choices(db: Database) -> tuple[list[str], list[str]]:
    bodies = [
        b for (b,) in db.execute("SELECT DISTINCT body FROM reports ORDER BY body")
    ]
    regions = [
        r for (r,) in db.execute("SELECT DISTINCT region FROM reports ORDER BY region")
    ]
    return bodies, regions


async def chart(request: Request, datasette: Datasette) -> Response:
    """Applications and outcomes per year for one body, or summed over a region."""
    body = (request.args.get("body") or "").strip() or None
    region = None if body else (request.args.get("region") or "").strip() or None
    years: list[YearFigures] = []
    try:
        if body or region:
            years = await _run(
                datasette, lambda db: chart_years(db, body=body, region=region)
            )
        bodies, regions = await _run(datasette, _choices)
    except sqlite3.OperationalError as exc:  # interrupted by the time limit
        return Response.text(f"图表计算超时，请缩小地区范围（{exc}）", status=503)
    subject = body or (f"{region}（合计）" if region else None)
    context: dict[str, Any] = {
        "heading": f"{subject}：依申请公开的申请与办理结果"
        if subject
        else "依申请公开的申请与办理结果",
        "body": body,
        "region": region,
        "bodies": bodies,
        "regions": regions,
        "action": datasette.urls.path("/-/chart"),
        "message": None if years or not subject else "存档中没有这个机关或地区的年报。",
    }
    if years:
        header, table = _table(datasette, years, body, region)
        context.update(
            # every text in the SVG went through escape()
            svg=Markup(chart_svg(years, context["heading"])),  # noqa: S704
            caption=CAPTION,
            header=header,
            table=table,
            links=_links(datasette, body, region),
        )
    template = datasette.jinja_env.from_string(PAGE)
    page = await datasette.render_template(template, context, request=request)
    return Response.html(page, status=200 if years or not subject else 404)
