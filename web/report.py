"""The report page: what ``/archive/reports/<id>`` shows (issue 13, point 1).

Datasette's row page for a report is replaced by ``templates/row.html`` when the
plugin's ``extra_template_vars`` hook finds the report with :func:`report_page`: the
report's identity, its three standard tables laid out with their Chinese labels and
the cells of failed checks marked, what the checks found (in Chinese), its original
files with provenance and an archived copy to download, its version history and what
each version changed, and the body's other years.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from processors.checks import ADVISORY
from processors.schema import COLUMN_NAMES, ROW_NAMES, TABLE_NAMES

if TYPE_CHECKING:
    from collections.abc import Collection

    from sqlite_utils import Database

TABLE_TITLES = {
    "active": "表二　主动公开政府信息情况",
    "applications": "表三　收到和处理政府信息公开申请情况",
    "appeals": "表四　政府信息公开行政复议、行政诉讼情况",
}
CHECK_NAMES = {  # the checks' names in Chinese (web.queries.CHECK_NAMES too)
    "balance": "收支平衡：新收 + 上年结转 = 办理总计 + 结转下年度",
    "row_totals": "申请人合计：各类申请人之和 = 总计",
    "handled_sum": "办理结果合计：三（一）至（六）之和 = 三（七）总计",
    "block_totals": "复议诉讼合计：各项结果之和 = 总计",
    "carried_over": "上年结转衔接：本年上年结转 = 上年结转下年度",
    "in_force_trend": "现行有效件数趋势（提示）",
}
LEVELS = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "town": "乡镇（街道）",
    "department": "部门",
}
TEMPLATES = {"2021": "2021 年新模板", "2019": "2019 年模板", "free": "自由格式"}
ROLES = {"page": "网页正文", "attachment": "附件"}
FORMATS = {
    "text/html": "HTML 网页",
    "application/pdf": "PDF",
    "application/msword": "Word（DOC）",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "Word（DOCX）"
    ),
    "application/vnd.ms-works": "WPS",
}


@dataclass(frozen=True, slots=True)
class Cell:
    value: str  # as printed: "12", "3.5"; "" when blank (not stated)
    failed: bool = False  # read by a failed check
    note: str = ""  # why it is marked (the check's explanation)
    exists: bool = True  # False: the row has no such column (表二's blocks differ)
    confidence: float | None = None  # read by OCR: how sure (0–100)
    doubted: str = ""  # OCR read something here but not surely: what, and how sure


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: str
    columns: list[str]  # Chinese labels
    rows: list[tuple[str, list[Cell]]]  # (label, cells)


@dataclass(frozen=True, slots=True)
class FileVersion:
    role: str
    format: str
    size: str
    sha256: str
    fetched: str
    url: str
    final_url: str
    status: int | None
    run_id: int
    download: str  # the archived copy
    current: bool


@dataclass(slots=True)
class ReportPage:
    """Everything the report page shows, in display form."""

    id: int
    title: str
    body: str
    region: str
    level: str
    year: int
    published: str
    status: str
    template: str
    version_id: int | None
    tables: list[Table] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (check, why)
    advice: list[tuple[str, str]] = field(default_factory=list)  # advisory, failed
    passed: list[str] = field(default_factory=list)
    files: list[FileVersion] = field(default_factory=list)
    history: list[tuple[str, str, str]] = field(default_factory=list)
    other_years: list[tuple[int, int]] = field(default_factory=list)  # (year, id)
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)  # pages of a scan read by OCR

    @property
    def ocr_warnings(self) -> list[str]:
        """What OCR could not read for sure (figures left blank, pages out of time)."""
        return [w for w in self.warnings if "OCR" in w]

    @property
    def previous_year(self) -> tuple[int, int] | None:
        """(year, id) of the body's latest report before this one (to compare with)."""
        return year_before(self.other_years, self.year)


def report_page(db: Database, report_id: int) -> ReportPage | None:
    """The page of report ``report_id`` (None when there is no such report)."""
    row = db.execute(
        "SELECT id, title, body, region, level, year, published, status FROM reports"
        " WHERE id = ?",
        [report_id],
    ).fetchone()
    if row is None:
        return None
    version_id = best_version(db, report_id)
    parse = (
        db.execute(
            "SELECT template, warnings, ocr_pages FROM parses WHERE version_id = ?",
            [version_id],
        ).fetchone()
        if version_id is not None
        else None
    )
    page = ReportPage(
        id=row[0],
        title=row[1],
        body=row[2],
        region=row[3],
        level=LEVELS.get(row[4], row[4]),
        year=row[5],
        published=row[6] or "（网站未标明）",
        status="已从网站撤下" if row[7] == "removed" else "在网站上",
        template=TEMPLATES.get(parse[0], parse[0]) if parse and parse[0] else "未读出",
        version_id=version_id,
    )
    if version_id is not None:
        marks = _checks(db, page, report_id, version_id)
        page.warnings = json.loads(parse[1] or "[]") if parse else []
        page.tables = _tables(db, version_id, marks, ocr_doubts(page.warnings))
        page.ocr_pages = json.loads(parse[2] or "[]") if parse else []
    page.files = _files(db, report_id)
    page.history = _history(db, report_id)
    page.other_years = other_years(db, page.body, report_id)
    return page


def best_version(db: Database, report_id: int) -> int | None:
    """The version whose figures stand for the report (None: none was read)."""
    best = db.execute(
        "SELECT version_id FROM best_versions WHERE report_id = ?", [report_id]
    ).fetchone()
    return best[0] if best else None


def other_years(db: Database, body: str, report_id: int) -> list[tuple[int, int]]:
    """(year, id) of the body's reports but ``report_id``, in year order."""
    return [
        (year, other)
        for other, year in db.execute(
            "SELECT id, year FROM reports WHERE body = ? AND id <> ? ORDER BY year",
            [body, report_id],
        ).fetchall()
    ]


def year_before(years: list[tuple[int, int]], year: int) -> tuple[int, int] | None:
    """The (year, id) of ``years`` (in year order) latest before ``year``."""
    earlier = [(y, other) for y, other in years if y < year]
    return earlier[-1] if earlier else None


def _checks(
    db: Database, page: ReportPage, report_id: int, version_id: int
) -> dict[tuple[str, str, str], str]:
    """Fill the page's checks; the cells failed checks read, with why."""
    marks: dict[tuple[str, str, str], str] = {}
    found = db.execute(
        "SELECT name, ok, message, cells, explanation FROM checks"
        " WHERE report_id = ? AND version_id = ? ORDER BY scope = 'years', id",
        [report_id, version_id],
    ).fetchall()
    for name, ok, message, cells, explanation in found:
        title = CHECK_NAMES.get(name, name)
        if ok:
            page.passed.append(title)
            continue
        why = explanation or message  # checks stored before processor version 4
        if name in ADVISORY:  # a warning: its cells are not marked as errors
            page.advice.append((title, why))
            continue
        page.failed.append((title, why))
        for cell in json.loads(cells or "[]"):
            marks.setdefault((cell[0], cell[1], cell[2]), f"{title}：{why}")
    return marks


def number_text(value: Any) -> str:
    """A figure as printed: ``12``, ``3.5``; ``""`` when blank (not stated)."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


@dataclass(frozen=True, slots=True)
class Figures:
    """One version's figures, by table: the values and the labels of their keys."""

    values: dict[str, dict[tuple[str, str], Any]]  # table → (row, column) → value
    rows: dict[str, dict[str, str]]  # table → row key → Chinese label
    columns: dict[str, dict[str, str]]  # table → column key → Chinese label
    # table → (row, column) → OCR confidence, for figures read from a scan
    confidence: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)


def read_figures(db: Database, version_id: int) -> Figures:
    """The figures of version ``version_id``, labelled as the schema names them (else
    as the report printed them)."""
    figures = Figures({}, {}, {})
    for table, row, column, row_label, column_label, value, sure in db.execute(
        "SELECT table_name, row_key, column_key, row_label, column_label, value,"
        " confidence FROM figures WHERE version_id = ? ORDER BY id",
        [version_id],
    ).fetchall():
        figures.values.setdefault(table, {})[(row, column)] = value
        if sure is not None:
            figures.confidence.setdefault(table, {})[(row, column)] = sure
        figures.rows.setdefault(table, {}).setdefault(
            row, ROW_NAMES.get(table, {}).get(row) or row_label or row
        )
        figures.columns.setdefault(table, {}).setdefault(
            column, COLUMN_NAMES.get(table, {}).get(column) or column_label or column
        )
    return figures


def table_layout(
    table: str, cells: Collection[tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """The row keys and column keys of ``cells`` (``(row, column)`` keys of ``table``)
    in the order the report prints them."""
    rows = _ordered(ROW_NAMES.get(table, {}), {r for r, _ in cells})
    if "carried_forward" in rows:  # 四、 comes after 三（七）总计, as printed
        rows.append(rows.pop(rows.index("carried_forward")))
    return rows, _ordered(COLUMN_NAMES.get(table, {}), {c for _, c in cells})


OCR_DOUBT = re.compile(
    r"^(表[二三四]) .*\[(\w+)/(\w+)\]: OCR read \"([^\"]*)\" with confidence (\d+)"
)
TABLE_OF_TITLE = {"表二": "active", "表三": "applications", "表四": "appeals"}


def ocr_doubts(warnings: list[str]) -> dict[tuple[str, str, str], str]:
    """(table, row, column) → what OCR read there and left blank, in Chinese, from
    the parse's warnings (``processors/tables.py`` writes them)."""
    doubts = {}
    for warning in warnings:
        found = OCR_DOUBT.match(warning)
        if found:
            table, row, column, read, sure = found.groups()
            doubts[(TABLE_OF_TITLE[table], row, column)] = (
                f"OCR 读出“{read}”，置信度 {sure}，不足以采用，留空；请以原件为准"
            )
    return doubts


def _tables(
    db: Database,
    version_id: int,
    marks: dict[tuple[str, str, str], str],
    doubts: dict[tuple[str, str, str], str] | None = None,
) -> list[Table]:
    figures = read_figures(db, version_id)
    out = []
    for table in TABLE_NAMES:
        if table not in figures.values:
            continue
        rows, columns = table_layout(table, figures.values[table])

        def cell(row: str, column: str, table: str = table) -> Cell:
            if (row, column) not in figures.values[table]:
                return Cell("", exists=False)
            note = marks.get((table, row, column), "")
            value = figures.values[table][(row, column)]
            sure = figures.confidence.get(table, {}).get((row, column))
            doubt = (doubts or {}).get((table, row, column), "")
            return Cell(
                number_text(value), bool(note), note, confidence=sure, doubted=doubt
            )

        out.append(
            Table(
                table,
                TABLE_TITLES[table],
                [figures.columns[table][c] for c in columns],
                [(figures.rows[table][r], [cell(r, c) for c in columns]) for r in rows],
            )
        )
    return out


def _ordered(order: dict[str, str], present: set[str]) -> list[str]:
    """``present`` keys in the schema's order, any other after them, sorted."""
    known = [k for k in order if k in present]
    return known + sorted(present - set(order))


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _files(db: Database, report_id: int) -> list[FileVersion]:
    found = db.execute(
        """SELECT d.role, v.media_type, v.size, v.sha256, c.ended, d.url, c.final_url,
                  c.status, c.run_id, v.id = d.current_version_id
           FROM documents d
           JOIN versions v ON v.document_id = d.id
           JOIN captures c ON c.id = v.first_capture_id
           WHERE d.report_id = ?
           ORDER BY d.part_of IS NOT NULL, d.role = 'attachment', d.id, v.id DESC""",
        [report_id],
    ).fetchall()
    return [
        FileVersion(
            role=ROLES.get(role, role),
            format=FORMATS.get(media_type.split(";")[0], media_type),
            size=_size(size),
            sha256=sha256,
            fetched=(ended or "")[:19].replace("T", " ") + " UTC",
            url=url,
            final_url=final_url if final_url and final_url != url else "",
            status=status,
            run_id=run_id,
            download=f"/-/original/{sha256}",
            current=bool(current),
        )
        for (
            role,
            media_type,
            size,
            sha256,
            ended,
            url,
            final_url,
            status,
            run_id,
            current,
        ) in found
    ]


EVENT_WORDS = {
    "new_report": "首次发现",
    "changed": "文件有改动",
    "removed": "从网站撤下（文件已不存在）",
    "delisted": "从栏目列表消失（文件仍在）",
    "restored": "重新出现",
    "baseline": "首次抓取时已存在",
}


def _history(db: Database, report_id: int) -> list[tuple[str, str, str]]:
    """(when, what happened, what changed) in time order."""
    found = db.execute(
        """SELECT e.created, CASE WHEN e.baseline THEN 'baseline' ELSE e.kind END,
                  coalesce(c.what_changed, ''), coalesce(d.url, '')
           FROM events e
           LEFT JOIN report_changes c ON c.event_id = e.id
           LEFT JOIN documents d ON d.id = e.document_id
           WHERE e.report_id = ? AND e.kind IN
             ('new_report', 'changed', 'removed', 'delisted', 'restored')
           ORDER BY e.id""",
        [report_id],
    ).fetchall()
    return [
        (
            created[:19].replace("T", " ") + " UTC",
            EVENT_WORDS.get(kind, kind),
            changed or url,
        )
        for created, kind, changed, url in found
    ]
