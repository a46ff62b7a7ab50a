"""The identities a correct report satisfies (勾稽关系), checked on its tables.

Each check names the cells it compared, in Chinese and by key, so a reader can find
them in the document. Blank cells count as 0 in sums; messages say so where blanks
were involved. A check whose table is absent is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from processors import schema
from processors.schema import (
    APPEAL_PARTS,
    APPLICANT_KEYS,
    APPLICATION_COLUMN_KEYS,
    APPLICATION_ROW_NAMES,
    cell_name,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from processors.tables import Tables, TableValues, Value

ADVISORY = frozenset(
    {"in_force_trend"}
)  # checks that warn; every other one is an error
IN_FORCE_SLACK = 0.10  # in_force may drift this share from the trend (documents expire)
IN_FORCE_MIN_SLACK = 2
EPSILON = 1e-6
OUTCOMES = "三（一）…（六）"
APPEAL_PARTS_NAME = " + ".join(schema.COLUMN_NAMES["appeals"][k] for k in APPEAL_PARTS)


@dataclass(frozen=True, slots=True)
class Check:
    """One identity checked: its name, whether it holds, and what was compared."""

    name: str
    ok: bool
    message: str


def check_tables(t: Tables) -> list[Check]:
    """One check per identity of one report: balance, row_totals, handled_sum, block_totals."""
    checks: list[Check] = []
    if t.applications is not None:
        checks += [
            _balance(t.applications),
            _row_totals(t.applications),
            _handled_sum(t.applications),
        ]
    if t.appeals is not None:
        checks.append(_block_totals(t.appeals))
    return checks


def check_across_years(
    previous: Tables, current: Tables, previous_year: int, current_year: int
) -> list[Check]:
    """The identities between one body's reports of two consecutive years.

    ``carried_over`` (an error) and, under the 2021 template, ``in_force_trend``
    (advisory: see :data:`ADVISORY`).

    :raises ValueError: if the years are not consecutive.
    """
    if current_year != previous_year + 1:
        raise ValueError(
            f"years must be consecutive, got {previous_year} and {current_year}"
        )
    checks: list[Check] = []
    if previous.applications is not None and current.applications is not None:
        checks.append(
            _carried_over(
                previous.applications, current.applications, previous_year, current_year
            )
        )
    if (
        previous.template == current.template == "2021"
        and previous.active is not None
        and current.active is not None
    ):
        trend = _in_force_trend(
            previous.active, current.active, previous_year, current_year
        )
        if trend is not None:
            checks.append(trend)
    return checks


# ---------------------------------------------------------------- helpers


def _fmt(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{round(value, 6):g}" if abs(value) < 1e5 else f"{value:.2f}"
    return str(int(value))


def _equal(a: float, b: float) -> bool:
    return abs(a - b) < EPSILON


@dataclass(slots=True)
class _Sum:
    """A sum of cells, and which of them were blank."""

    total: float = 0
    blanks: list[str] = field(default_factory=list)

    def add(self, value: Value, name: str) -> None:
        if value is None:
            self.blanks.append(name)
        else:
            self.total += value


def _sum(cells: Iterable[tuple[Value, str]]) -> _Sum:
    out = _Sum()
    for value, name in cells:
        out.add(value, name)
    return out


def _missing(table: TableValues, rows: Iterable[str]) -> list[str]:
    return [f"{APPLICATION_ROW_NAMES[r]} [{r}]" for r in rows if r not in table]


def _cannot(name: str, missing: list[str]) -> Check:
    return Check(name, False, f"cannot check: 表三 has no row {', '.join(missing)}")


def _blank_note(blanks: list[str]) -> str:
    if not blanks:
        return ""
    return f" (blank, counted as 0: {', '.join(blanks)})"


def _count_note(blanks: int) -> str:
    return f" ({blanks} blank cells counted as 0)" if blanks else ""


def _result(name: str, failures: list[str], blanks: int, ok_message: str) -> Check:
    if failures:
        return Check(name, False, "; ".join(failures))
    return Check(name, True, ok_message + _count_note(blanks))


# ---------------------------------------------------------------- one report


def _balance(table: TableValues) -> Check:
    rows = ("new_received", "carried_over", "total_handled", "carried_forward")
    missing = _missing(table, rows)
    if missing:
        return _cannot("balance", missing)
    failures, blanks = [], 0
    for column in APPLICATION_COLUMN_KEYS:
        cells = {r: table[r].get(column) for r in rows}
        left = _sum((cells[r], cell_name("applications", r, column)) for r in rows[:2])
        right = _sum((cells[r], cell_name("applications", r, column)) for r in rows[2:])
        found = left.blanks + right.blanks
        blanks += len(found)
        if not _equal(left.total, right.total):
            v = {r: _fmt(cells[r] or 0) for r in rows}
            failures.append(
                f"{schema.COLUMN_NAMES['applications'][column]} [{column}]: "
                f"一、本年新收 {v['new_received']} + 二、上年结转 {v['carried_over']} = "
                f"{_fmt(left.total)}, but 三（七）总计 {v['total_handled']} + "
                f"四、结转下年度继续办理 {v['carried_forward']} = {_fmt(right.total)}"
                + _blank_note(found)
            )
    return _result(
        "balance",
        failures,
        blanks,
        "一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理 "
        "[new_received + carried_over = total_handled + carried_forward] "
        f"in all {len(APPLICATION_COLUMN_KEYS)} columns",
    )


def _row_totals(table: TableValues) -> Check:
    failures, blanks = [], 0
    for row, cells in table.items():
        parts = _sum(
            (cells.get(c), cell_name("applications", row, c)) for c in APPLICANT_KEYS
        )
        total = cells.get("total")
        found = parts.blanks + (
            [cell_name("applications", row, "total")] if total is None else []
        )
        blanks += len(found)
        if not _equal(total or 0, parts.total):
            failures.append(
                f"{cell_name('applications', row, 'total')} = {_fmt(total or 0)}, "
                f"but the six applicant columns sum to {_fmt(parts.total)}"
                + _blank_note(found)
            )
    return _result(
        "row_totals",
        failures,
        blanks,
        f"总计 [total] equals the sum of the six applicant columns in all {len(table)} rows",
    )


def _handled_sum(table: TableValues) -> Check:
    if "total_handled" not in table:
        return _cannot("handled_sum", _missing(table, ("total_handled",)))
    template = "2019" if "other" in table else "2021"
    outcomes = [r for r in schema.OUTCOME_KEYS[template] if r in table]
    missing = _missing(table, schema.OUTCOME_KEYS[template])
    failures, blanks = [], 0
    for column in APPLICATION_COLUMN_KEYS:
        parts = _sum(
            (table[r].get(column), cell_name("applications", r, column))
            for r in outcomes
        )
        total = table["total_handled"].get(column)
        found = parts.blanks + (
            [cell_name("applications", "total_handled", column)]
            if total is None
            else []
        )
        blanks += len(found)
        if not _equal(total or 0, parts.total):
            failures.append(
                f"{cell_name('applications', 'total_handled', column)} = {_fmt(total or 0)}, "
                f"but {OUTCOMES} sum to {_fmt(parts.total)}" + _blank_note(found)
            )
    absent = f" (rows not found: {', '.join(missing)})" if missing else ""
    if failures:
        return Check("handled_sum", False, "; ".join(failures) + absent)
    return Check(
        "handled_sum",
        True,
        f"三（七）总计 [total_handled] equals the sum of {OUTCOMES} ({len(outcomes)} rows) "
        f"in all {len(APPLICATION_COLUMN_KEYS)} columns" + _count_note(blanks) + absent,
    )


def _block_totals(table: TableValues) -> Check:
    failures, blanks = [], 0
    for block, cells in table.items():
        parts = _sum(
            (cells.get(c), cell_name("appeals", block, c)) for c in APPEAL_PARTS
        )
        total = cells.get("total")
        found = parts.blanks + (
            [cell_name("appeals", block, "total")] if total is None else []
        )
        blanks += len(found)
        if not _equal(total or 0, parts.total):
            failures.append(
                f"{cell_name('appeals', block, 'total')} = {_fmt(total or 0)}, "
                f"but {APPEAL_PARTS_NAME} sum to {_fmt(parts.total)}"
                + _blank_note(found)
            )
    return _result(
        "block_totals",
        failures,
        blanks,
        f"总计 [total] equals {APPEAL_PARTS_NAME} in all {len(table)} blocks",
    )


# ---------------------------------------------------------------- across years


def _carried_over(
    previous: TableValues, current: TableValues, previous_year: int, current_year: int
) -> Check:
    missing = [f"{current_year} {m}" for m in _missing(current, ("carried_over",))]
    missing += [
        f"{previous_year} {m}" for m in _missing(previous, ("carried_forward",))
    ]
    if missing:
        return Check(
            "carried_over", False, f"cannot check: no row {', '.join(missing)}"
        )
    failures, blanks = [], 0
    for column in APPLICATION_COLUMN_KEYS:
        now = current["carried_over"].get(column)
        before = previous["carried_forward"].get(column)
        blanks += (now is None) + (before is None)
        if not _equal(now or 0, before or 0):
            failures.append(
                f"{current_year} {cell_name('applications', 'carried_over', column)} = "
                f"{_fmt(now or 0)}, but {previous_year} "
                f"{cell_name('applications', 'carried_forward', column)} = {_fmt(before or 0)}"
            )
    return _result(
        "carried_over",
        failures,
        blanks,
        f"{current_year} 二、上年结转 [carried_over] equals {previous_year} "
        f"四、结转下年度继续办理 [carried_forward] in all {len(APPLICATION_COLUMN_KEYS)} columns",
    )


def _in_force_trend(
    previous: TableValues, current: TableValues, previous_year: int, current_year: int
) -> Check | None:
    rows = [
        r
        for r in ("regulations", "normative_documents")
        if r in previous and r in current
    ]
    if not rows:
        return None
    failures, blanks = [], 0
    for row in rows:
        before = previous[row].get("in_force")
        issued, repealed, now = (
            current[row].get(c) for c in ("issued", "repealed", "in_force")
        )
        blanks += sum(v is None for v in (before, issued, repealed, now))
        expected = (before or 0) + (issued or 0) - (repealed or 0)
        slack = max(IN_FORCE_MIN_SLACK, IN_FORCE_SLACK * abs(expected))
        if abs((now or 0) - expected) > slack:
            failures.append(
                f"{current_year} {cell_name('active', row, 'in_force')} = {_fmt(now or 0)}, "
                f"but {previous_year} 现行有效件数 {_fmt(before or 0)} + 本年制发件数 "
                f"{_fmt(issued or 0)} − 本年废止件数 {_fmt(repealed or 0)} = {_fmt(expected)}"
            )
    advisory = "advisory, not an error: "
    allowed = (
        f"(allowed drift: {IN_FORCE_MIN_SLACK} documents or {IN_FORCE_SLACK:.0%}, "
        "whichever is more)"
    )
    if failures:
        return Check(
            "in_force_trend", False, f"{advisory}{'; '.join(failures)} {allowed}"
        )
    shown = ", ".join(f"{schema.ROW_NAMES['active'][r]} [{r}]" for r in rows)
    return Check(
        "in_force_trend",
        True,
        f"{advisory}{current_year} 现行有效件数 [in_force] ≈ {previous_year} 现行有效件数 + "
        f"本年制发件数 − 本年废止件数 for {shown} {allowed}" + _count_note(blanks),
    )
