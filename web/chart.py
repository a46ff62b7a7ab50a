"""``/-/chart?body=…`` or ``?region=…``: per year, applications and their outcomes
(``applications.py``) and 行政复议/行政诉讼 (``appeals.py``), as inline SVGs drawn on
the server (no JavaScript) with the numbers in tables."""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup

from archive.derived import best_parses
from web.appeals import BARS, COLUMN_NAMES, AppealYear, appeal_years, appeals_svg
from web.appeals import CAPTION as APPEALS_CAPTION
from web.applications import (
    CAPTION,
    OUTCOMES,
    YearFigures,
    chart_svg,
    chart_years,
    outcome_of,
    reports_of,
)
from web.common import _database_name, _run

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request
    from sqlite_utils import Database

__all__ = ["OUTCOMES", "YearFigures", "chart", "chart_years", "outcome_of"]

MAX_TEXT = 100  # characters of a body name or region prefix; the longest is about 40
SHORTEST_PART = 2  # shorter text must be a whole name: 镇 would match half the archive
MAX_CHOICES = 200  # names listed when a part of a name matches several bodies

# ---------------------------------------------------------------- what to chart


def clean(text: str | None) -> str:
    """``text`` as typed, without control characters or surrounding white space."""
    text = "".join(c for c in text or "" if unicodedata.category(c) != "Cc")
    return text.strip()


def resolve_body(db: Database, text: str) -> tuple[str | None, list[str]]:
    """The body ``text`` names, and the bodies it could name.

    An exact name first; else, for text of two characters or more, the bodies whose
    name contains it: ``(name, [name])`` when exactly one does, ``(None, names)`` when
    several do, ``(None, [])`` when none does.
    """
    if db.execute("SELECT 1 FROM reports WHERE body = ? LIMIT 1", [text]).fetchone():
        return text, [text]
    if len(text) < SHORTEST_PART:
        return None, []
    names = [
        name
        for (name,) in db.execute(
            "SELECT DISTINCT body FROM reports WHERE instr(body, ?) > 0 ORDER BY body",
            [text],
        )
    ]
    return (names[0] if len(names) == 1 else None), names


def coverage_warning(counts: dict[int, int], what: str) -> str | None:
    """The warning a region chart needs when its years sum different numbers of reports.

    Years summing none draw no bars (they say 无表格 or 未填) and are left out.
    """
    drawn = {year: n for year, n in counts.items() if n}
    if len(set(drawn.values())) <= 1:
        return None
    listed = "、".join(f"{year}年 {n} 份" for year, n in drawn.items())
    return (
        f"注意：各年份合计的年报数不同（{listed}），"
        f"柱高的变化可能只是收录多少的变化，而非{what}的变化。"
    )


@dataclass(slots=True)
class Charts:
    """What the page shows: the body found (and the names it could be), both charts."""

    body: str | None = None
    candidates: list[str] | None = None
    years: list[YearFigures] | None = None
    appeals: list[AppealYear] | None = None


def gather(db: Database, body_text: str | None, region: str | None) -> Charts:
    """Resolve the body (when asked by body), then read both charts' years."""
    charts = Charts()
    if body_text:
        charts.body, charts.candidates = resolve_body(db, body_text)
        if charts.body is None:
            return charts
    elif not region:
        return charts
    reports = reports_of(db, body=charts.body, region=region)
    if reports:
        best = best_parses(db)
        charts.years = chart_years(db, reports=reports, best=best)
        charts.appeals = appeal_years(db, reports, best)
    return charts


# ---------------------------------------------------------------- the tables

Cell = dict[str, object]  # a table cell for the template: text, href, number


def _cell(text: object, href: str | None = None, number: bool = False) -> Cell:
    return {"text": "—" if text is None else text, "href": href, "number": number}


def _report_cell(
    base: str,
    year: int,
    region: str | None,
    groups: list[tuple[list[int], str]],
) -> Cell:
    """The last column: for a body its report (``groups``: ids and the note they get),
    for a region how many reports the row sums and how many it could not."""
    if region is None:
        rid, note = next((ids[0], note) for ids, note in groups if ids)
        return _cell(
            f"年报 #{rid}" + (f"（{note}）" if note else ""), f"{base}/reports/{rid}"
        )
    (summed, _), *others = groups
    text = f"{len(summed)} 份" + "".join(
        f"（另有 {len(ids)} 份{note}）" for ids, note in others if ids
    )
    query = urlencode({"region__startswith": region, "year": year})
    return _cell(text, f"{base}/reports?{query}")


def applications_table(
    base: str, years: list[YearFigures], region: str | None
) -> tuple[list[str], list[list[Cell]]]:
    header = [
        "年份",
        "新收申请",
        *(name for _, name, _ in OUTCOMES),
        "办理总计",
        "年报",
    ]
    table = []
    for y in years:
        row = [_cell(y.year), _cell(y.received, number=True)]
        row += [_cell(y.outcomes.get(key), number=True) for key, _, _ in OUTCOMES]
        row.append(_cell(y.handled, number=True))
        groups = [(y.reports, ""), (y.without_table, "无标准表格")]
        row.append(_report_cell(base, y.year, region, groups))
        table.append(row)
    return header, table


def appeals_table(
    base: str, years: list[AppealYear], region: str | None
) -> tuple[list[str], list[list[Cell]]]:
    header = ["年份", *(label for _ in BARS for label in COLUMN_NAMES.values())]
    table = []
    for y in years:
        row = [_cell(y.year)]
        for key, *_ in BARS:
            sums = y.cells.get(key, {})
            row += [_cell(sums.get(column), number=True) for column in COLUMN_NAMES]
        groups = [
            (y.reports, ""),
            (y.blank, "表四未填"),
            (y.without_table, "无标准表格"),
        ]
        row.append(_report_cell(base, y.year, region, groups))
        table.append(row)
    return [*header, "年报"], table


def sections(
    base: str, charts: Charts, heading: str, region: str | None
) -> list[dict[str, Any]]:
    """The two charts, each with its coverage warning (regions), caption and table."""
    years, appeals = charts.years or [], charts.appeals or []
    counts = region is not None
    note = "年份下方为该年合计的年报份数。" if counts else ""
    # every text in the SVGs went through escape()
    first = Markup(chart_svg(years, heading, counts=counts))  # noqa: S704
    second = Markup(  # noqa: S704
        appeals_svg(appeals, f"{heading}：行政复议和行政诉讼", counts=counts)
    )
    return [
        {
            "id": "applications",
            "title": "收到和处理政府信息公开申请",
            "warning": coverage_warning(
                {y.year: len(y.reports) for y in years}, "申请量"
            )
            if counts
            else None,
            "svg": first,
            "caption": CAPTION + note,
            "table": applications_table(base, years, region),
        },
        {
            "id": "appeals",
            "title": "行政复议和行政诉讼",
            "warning": coverage_warning(
                {y.year: len(y.reports) for y in appeals}, "复议、诉讼案件数"
            )
            if counts
            else None,
            "svg": second,
            "caption": APPEALS_CAPTION + note,
            "over": [("", 1)]
            + [(name, len(COLUMN_NAMES)) for _, name, *_ in BARS]
            + [("", 1)],
            "table": appeals_table(base, appeals, region),
        },
    ]


# ---------------------------------------------------------------- the page

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
{% if found %}<p class="message-info" id="chart-found">{{ found }}</p>{% endif %}
{% if choices %}<ul class="nianbao-choices">{% for c in choices %}
<li><a href="{{ c.href }}">{{ c.text }}</a></li>{% endfor %}</ul>{% endif %}
{% for s in sections %}
<section class="nianbao-chart-section" id="chart-{{ s.id }}">
<h2>{{ s.title }}</h2>
{% if s.warning %}<p class="message-warning coverage">{{ s.warning }}</p>{% endif %}
<figure class="nianbao">{{ s.svg }}
<figcaption>{{ s.caption }}</figcaption></figure>
<table class="rows-and-columns nianbao">
<thead>{% if s.over %}<tr>{% for text, span in s.over %}
<th colspan="{{ span }}">{{ text }}</th>{% endfor %}</tr>{% endif %}
<tr>{% for h in s.table[0] %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in s.table[1] %}<tr>{% for cell in row %}
<td{% if cell.number %} class="number"{% endif %}>
{%- if cell.href %}<a href="{{ cell.href }}">{{ cell.text }}</a>
{%- else %}{{ cell.text }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</section>
{% endfor %}
{% if links %}<p>{% for link in links %}<a href="{{ link.href }}">{{ link.text }}</a>
{%- if not loop.last %} · {% endif %}{% endfor %}</p>{% endif %}
<form class="nianbao" action="{{ action }}" method="get">
<p><label for="chart-body">机关</label>
<input type="text" id="chart-body" name="body" list="bodies" value="{{ body or '' }}"
 placeholder="全称或其中一段，如 景芝镇">
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
NOT_FOUND = "存档中没有这个机关或地区的年报。"
TOO_LONG = f"机关名称或地区过长（最多 {MAX_TEXT} 个字），请缩短后再查。"


def _links(base: str, body: str | None, region: str | None) -> list[dict[str, str]]:
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


def _found(
    datasette: Datasette, text: str, charts: Charts
) -> tuple[str | None, list[dict[str, str]]]:
    """For a body found by a part of its name, the note saying so; for several, the
    message asking to choose and the names to choose from."""
    names = charts.candidates or []
    if charts.body is not None:
        return (None if charts.body == text else f"按“{text}”找到：{charts.body}"), []
    if len(names) < 2:
        return None, []
    action = datasette.urls.path("/-/chart")
    choices = [
        {"href": f"{action}?{urlencode({'body': name})}", "text": name}
        for name in names[:MAX_CHOICES]
    ]
    more = f"（只列出前 {MAX_CHOICES} 个）" if len(names) > MAX_CHOICES else ""
    return f"有 {len(names)} 个机关名称含“{text}”，请选择{more}", choices


async def chart(request: Request, datasette: Datasette) -> Response:
    """Applications, outcomes, 行政复议 and 行政诉讼 per year for one body (its full
    name or a part of it), or summed over the bodies of a region."""
    body_text = clean(request.args.get("body")) or None
    region = None if body_text else clean(request.args.get("region")) or None
    context: dict[str, Any] = {
        "heading": "依申请公开的申请与办理结果",
        "body": body_text,
        "region": region,
        "action": datasette.urls.path("/-/chart"),
        "bodies": [],
        "regions": [],
    }
    if len(body_text or region or "") > MAX_TEXT:
        context.update(body=None, region=None, message=TOO_LONG)
        return await _render(request, datasette, context, 400)
    try:
        charts = await _run(datasette, lambda db: gather(db, body_text, region))
        context["bodies"], context["regions"] = await _run(datasette, _choices)
    except sqlite3.OperationalError as exc:  # interrupted by the time limit
        return Response.text(f"图表计算超时，请缩小地区范围（{exc}）", status=503)
    found, choices = _found(datasette, body_text or "", charts)
    if choices:  # several bodies: a list to choose from, no chart
        context.update(found=found, choices=choices)
        return await _render(request, datasette, context, 200)
    context["found"] = found
    if not charts.years:
        context["message"] = NOT_FOUND if body_text or region else None
        return await _render(
            request, datasette, context, 404 if context["message"] else 200
        )
    subject = charts.body or f"{region}（合计）"
    heading = f"{subject}：依申请公开的申请与办理结果"
    base = datasette.urls.database(_database_name(datasette))
    context.update(
        heading=heading,
        body=charts.body,
        sections=sections(base, charts, heading, region),
        links=_links(base, charts.body, region),
    )
    return await _render(request, datasette, context, 200)


async def _render(
    request: Request, datasette: Datasette, context: dict[str, Any], status: int
) -> Response:
    template = datasette.jinja_env.from_string(PAGE)
    page = await datasette.render_template(template, context, request=request)
    return Response.html(page, status=status)
