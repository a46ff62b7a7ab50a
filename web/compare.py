"""``/-/compare``: two reports side by side, figure by figure (issue 13, point 3).

Either two reports (``?a=<report id>&b=<report id>``: a body's two years, or two
bodies' same year), each by its best version as on its report page; or two versions of
one report (``?version_a=<version id>&version_b=<version id>``: the before and after of
a change in the ``changed`` list). The tables are the report page's
(:func:`web.report.read_figures`, :func:`web.report.table_layout`), each cell holding
both values; a blank cell is "not stated", never 0, so a blank against a number is a
difference of its own kind, not a numeric one.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from processors.schema import TABLE_NAMES
from web.common import _database_name, _run
from web.report import (
    TABLE_TITLES,
    TEMPLATES,
    best_version,
    number_text,
    other_years,
    read_figures,
    table_layout,
    year_before,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from datasette.app import Datasette
    from datasette.utils.asgi import Request
    from sqlite_utils import Database

# ---------------------------------------------------------------- the comparison

Kind = Literal["same", "changed", "unstated", "absent"]
KIND_WORDS: dict[str, str] = {
    "same": "相同",
    "changed": "数字不同",
    "unstated": "一方未填",
    "absent": "一方没有这一栏",
}
NOT_STATED = "未填"  # a blank cell: the report does not say (not 0)
NO_CELL = "无此栏"  # the report's table has no such cell (another template, no table)


@dataclass(frozen=True, slots=True)
class Side:
    """One of the two things compared: a report (its best version) or one version."""

    report_id: int
    body: str
    year: int
    title: str
    version_id: int | None  # None: no version of the report was read
    template: str
    label: str  # how the page names it: 「… 2022 年」, 「… 2022 年（版本 #120）」
    fetched: str = ""  # a version: when it was first fetched
    sha256: str = ""  # a version: its archived file


@dataclass(frozen=True, slots=True)
class Pair:
    """One cell of both: its labels, the two values as printed ("" when not stated)."""

    table: str
    row: str  # the Chinese row label
    column: str  # the Chinese column label
    a: str
    b: str
    difference: str  # B − A with its sign ("+3", "-38", "0"); "" unless both stated
    kind: Kind
    in_a: bool = True  # False: A has no such cell (its table or row lacks it)
    in_b: bool = True

    @property
    def differs(self) -> bool:
        return self.kind != "same"

    @property
    def a_shown(self) -> str:
        return _shown(self.a, self.in_a)

    @property
    def b_shown(self) -> str:
        return _shown(self.b, self.in_b)


def _shown(value: str, exists: bool) -> str:
    """A value as the comparison prints it: a blank cell is 「未填」, never 0."""
    if not exists:
        return NO_CELL
    return value or NOT_STATED


@dataclass(frozen=True, slots=True)
class CompareTable:
    key: str
    title: str
    columns: list[str]  # Chinese labels
    rows: list[tuple[str, list[Pair | None]]]  # None: neither has this cell
    only: str = ""  # "a" or "b" when only that side has the table


@dataclass(slots=True)
class Comparison:
    a: Side
    b: Side
    tables: list[CompareTable] = field(default_factory=list)

    @property
    def pairs(self) -> list[Pair]:
        """Every cell either side has, table by table in the printed order."""
        return [p for t in self.tables for _, cells in t.rows for p in cells if p]

    @property
    def differences(self) -> list[Pair]:
        return [p for p in self.pairs if p.differs]

    def count(self, kind: Kind) -> int:
        return sum(p.kind == kind for p in self.pairs)

    @property
    def title(self) -> str:
        """「对比：A 与 B」, B without the body's name when it is A's."""
        b = (
            self.b.label.removeprefix(f"{self.a.body} ")
            if self.a.body == self.b.body
            else self.b.label
        )
        if self.a.report_id == self.b.report_id:
            b = b.removeprefix(f"{self.b.year} 年")
        return f"对比：{self.a.label} 与 {b}"


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:  # not a number (NUMERIC keeps such text as text)
        return None


def _text(value: Any) -> str:
    return (
        str(value)
        if _decimal(value) is None and value is not None
        else number_text(value)
    )


def pair(
    table: str,
    labels: tuple[str, str],
    a: Any,
    b: Any,
    *,
    in_a: bool = True,
    in_b: bool = True,
) -> Pair:
    """The two values of one cell (``labels``: its row's and column's) and how they
    differ: ``None`` is a blank cell, not stated."""
    left, right = _decimal(a), _decimal(b)
    difference = ""
    kind: Kind
    if in_a != in_b:
        kind = "absent"
    elif a is None and b is None:
        kind = "same"  # neither states it
    elif a is None or b is None:
        kind = "unstated"
    elif left is not None and right is not None:
        step = right - left
        difference = ("+" if step > 0 else "") + number_text(step)
        kind = "same" if step == 0 else "changed"
    else:
        kind = "same" if _text(a) == _text(b) else "changed"
    row, column = labels
    return Pair(table, row, column, _text(a), _text(b), difference, kind, in_a, in_b)


def _pair_at(
    table: str,
    key: tuple[str, str],
    values: tuple[dict[tuple[str, str], Any], dict[tuple[str, str], Any]],
    labels: tuple[str, str],
) -> Pair | None:
    first, second = values
    if key not in first and key not in second:
        return None  # neither side has this cell
    return pair(
        table,
        labels,
        first.get(key),
        second.get(key),
        in_a=key in first,
        in_b=key in second,
    )


def compare_sides(db: Database, a: Side, b: Side) -> Comparison:
    """``a`` and ``b`` figure by figure, in the report page's tables."""
    comparison = Comparison(a, b)
    sides = [
        read_figures(db, side.version_id) if side.version_id is not None else None
        for side in (a, b)
    ]
    for table in TABLE_NAMES:
        first, second = (f.values.get(table, {}) if f else {} for f in sides)
        if not first and not second:
            continue
        rows, columns = table_layout(table, {*first, *second})
        row_names: dict[str, str] = {}  # A's labels first, then B's
        column_names: dict[str, str] = {}
        for figures in reversed(sides):
            if figures:
                row_names.update(figures.rows.get(table, {}))
                column_names.update(figures.columns.get(table, {}))
        cells = [
            (
                row_names[row],
                [
                    _pair_at(
                        table,
                        (row, column),
                        (first, second),
                        (row_names[row], column_names[column]),
                    )
                    for column in columns
                ],
            )
            for row in rows
        ]
        comparison.tables.append(
            CompareTable(
                table,
                TABLE_TITLES[table],
                [column_names[c] for c in columns],
                cells,
                only="" if first and second else ("a" if first else "b"),
            )
        )
    return comparison


def _template(db: Database, version_id: int | None) -> str:
    found = (
        db.execute(
            "SELECT template FROM parses WHERE version_id = ?", [version_id]
        ).fetchone()
        if version_id is not None
        else None
    )
    return TEMPLATES.get(found[0], found[0]) if found and found[0] else "未读出"


def report_side(db: Database, report_id: int) -> Side | None:
    """Report ``report_id`` by its best version (None: no such report)."""
    row = db.execute(
        "SELECT id, body, year, title FROM reports WHERE id = ?", [report_id]
    ).fetchone()
    if row is None:
        return None
    version_id = best_version(db, report_id)
    return Side(
        report_id=row[0],
        body=row[1],
        year=row[2],
        title=row[3],
        version_id=version_id,
        template=_template(db, version_id),
        label=f"{row[1]} {row[2]} 年",
    )


def version_side(db: Database, version_id: int) -> Side | None:
    """Version ``version_id`` of a report's file (None: no such version)."""
    row = db.execute(
        """SELECT r.id, r.body, r.year, r.title, v.id, v.sha256, c.ended
           FROM versions v
           JOIN documents d ON d.id = v.document_id
           JOIN reports r ON r.id = d.report_id
           LEFT JOIN captures c ON c.id = v.first_capture_id
           WHERE v.id = ?""",
        [version_id],
    ).fetchone()
    if row is None:
        return None
    return Side(
        report_id=row[0],
        body=row[1],
        year=row[2],
        title=row[3],
        version_id=row[4],
        template=_template(db, row[4]),
        label=f"{row[1]} {row[2]} 年（版本 #{row[4]}）",
        fetched=(row[6] or "")[:19].replace("T", " ") + " UTC" if row[6] else "",
        sha256=row[5],
    )


def compare_reports(db: Database, a: int, b: int) -> Comparison | None:
    """Reports ``a`` and ``b`` (their best versions); None when either is unknown."""
    first, second = report_side(db, a), report_side(db, b)
    if first is None or second is None:
        return None
    return compare_sides(db, first, second)


def compare_versions(db: Database, version_a: int, version_b: int) -> Comparison | None:
    """Two versions (before, after); None when either is unknown."""
    first, second = version_side(db, version_a), version_side(db, version_b)
    if first is None or second is None:
        return None
    return compare_sides(db, first, second)


# ---------------------------------------------------------------- the compare page

ID = re.compile(r"[0-9]{1,18}")  # a row id SQLite can hold
QUOTED = 20  # characters of a bad value the page quotes back
PEERS = 200  # reports of other bodies offered to compare with


class Refused(Exception):
    """A request the page cannot answer: the status, and why in Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _quote(value: str) -> str:
    """``value`` as the page quotes it back: short, control characters shown as �."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in value[:QUOTED])
    return shown if len(value) <= QUOTED else f"{shown}…"


def _id(args: Any, name: str, what: str) -> int | None:
    """The id in parameter ``name`` (None when it is absent or empty)."""
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise Refused(
            400, f"{what}编号应是数字（如 91），参数 {name} 却是“{_quote(value)}”。"
        )
    if not ID.fullmatch(value):
        raise Refused(404, f"存档中没有编号为 {_quote(value)} 的{what}。")
    return int(value)


def _wanted(args: Any) -> Callable[[Database], dict[str, Any]]:
    """What the query string asks for: the page's data, from the archive."""
    versions = any((args.get(n) or "").strip() for n in ("version_a", "version_b"))
    if versions and any((args.get(n) or "").strip() for n in ("a", "b")):
        raise Refused(
            400,
            "请只用一种对比：两份年报用 a 和 b，同一份年报的两个版本用 version_a 和 version_b。",
        )
    if versions:
        first, second = _id(args, "version_a", "版本"), _id(args, "version_b", "版本")
        if first is None or second is None:
            raise Refused(400, "对比两个版本需要两个版本编号：version_a 和 version_b。")
        return partial(_versions, first=first, second=second)
    first = _id(args, "a", "年报")
    second = _id(args, "b", "年报")
    if first is None:
        raise Refused(
            400,
            "请指定要对比的年报：/-/compare?a=年报编号&b=年报编号"
            "（只给 a 时，与同一机关的上一年对比）。",
        )
    return partial(_reports, first=first, second=second)


def _versions(db: Database, first: int, second: int) -> dict[str, Any]:
    a, b = version_side(db, first), version_side(db, second)
    if a is None or b is None:
        raise Refused(
            404, f"存档中没有编号为 {first if a is None else second} 的版本。"
        )
    if first == second:
        raise Refused(
            400,
            f"version_a 和 version_b 是同一个版本（#{first}），请选两个不同的版本。",
        )
    if a.report_id != b.report_id:
        raise Refused(
            400,
            f"版本 #{first} 和 #{second} 属于不同的年报；"
            f"对比两份年报请用 ?a={a.report_id}&b={b.report_id}。",
        )
    return {"comparison": compare_sides(db, a, b), "versions": True}


def _reports(db: Database, first: int, second: int | None) -> dict[str, Any]:
    given = report_side(db, first)
    if given is None:
        raise Refused(404, f"存档中没有编号为 {first} 的年报。")
    years = other_years(db, given.body, given.report_id)
    choices = {"pick": given, "years": years, "peers": _peers(db, given)}
    note = ""
    if second is None:
        previous = year_before(years, given.year)
        if previous is None:
            return {
                **choices,
                "message": f"存档中没有{given.body} {given.year} 年以前的年报："
                "请选择要对比的年报。",
            }
        note = (
            f"未指定 B：与本机关上一年对比，A 为 {previous[0]} 年、B 为 {given.year} 年，"
            f"差（B − A）即 {given.year} 年比 {previous[0]} 年多或少的数目。"
        )
        first, second = previous[1], first  # the year before as A
    elif second == first:
        return {
            **choices,
            "status": 400,
            "message": f"A 和 B 是同一份年报（#{first}）：请选择另一份。",
        }
    a, b = report_side(db, first), report_side(db, second)
    if a is None or b is None:
        raise Refused(404, f"存档中没有编号为 {second} 的年报。")
    return {"comparison": compare_sides(db, a, b), "note": note}


def _peers(db: Database, side: Side) -> list[tuple[int, str]]:
    """(id, body) of the same year's reports of other bodies in the same region."""
    return [
        (other, body)
        for other, body in db.execute(
            "SELECT id, body FROM reports WHERE year = ? AND id <> ? AND region ="
            " (SELECT region FROM reports WHERE id = ?) ORDER BY body LIMIT ?",
            [side.year, side.report_id, side.report_id, PEERS],
        ).fetchall()
    ]


def _links(datasette: Datasette, context: dict[str, Any]) -> dict[str, Any]:
    """Where the page links: the reports' pages, the originals, the swapped compare."""
    reports = datasette.urls.table(_database_name(datasette), "reports")
    path = datasette.urls.path("/-/compare")
    links = {"reports": reports, "action": path}
    comparison: Comparison | None = context.get("comparison")
    if comparison is not None:
        a, b = comparison.a, comparison.b
        swapped = (
            {"version_a": b.version_id, "version_b": a.version_id}
            if context.get("versions")
            else {"a": b.report_id, "b": a.report_id}
        )
        links["swap"] = f"{path}?{urlencode(swapped)}"
    return links


async def compare(request: Request, datasette: Datasette) -> Response:
    """Two reports (or two versions of one) figure by figure."""
    context: dict[str, Any]
    try:
        context = await _run(datasette, _wanted(request.args))
    except Refused as refused:
        context = {"status": refused.status, "message": refused.message}
    except sqlite3.OperationalError:  # interrupted by the time limit
        context = {"status": 503, "message": "对比计算超时，请稍后再试。"}
    comparison: Comparison | None = context.get("comparison")
    context.update(
        heading=comparison.title if comparison else "对比两份年报",
        table_names=TABLE_NAMES,
        kind_words=KIND_WORDS,
        **_links(datasette, context),
    )
    page = await datasette.render_template("compare.html", context, request=request)
    return Response.html(page, status=context.get("status", 200))
