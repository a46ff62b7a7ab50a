"""The identities a correct report satisfies (勾稽关系), checked on its tables.

Each check names the cells it compared, in Chinese and by key, so a reader can find
them in the document. Only printed numbers can contradict each other: a blank cell
(or "-", "/") is *not stated*, not 0, so a comparison that needs one (a column's
balance, a row's total) is not evaluated, and a row the table lacks keeps every
comparison that needs it from being evaluated. What could not be evaluated is a
warning naming the cells, never a failed check. A check is listed (ok or failed)
when at least one of its comparisons was evaluated; its message then says where it
was not. A check whose table is absent is neither listed nor warned about.

:func:`evaluate_tables` and :func:`evaluate_across_years` give the checks and those
warnings; :func:`check_tables` and :func:`check_across_years` the checks alone.
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
BLANK_MEANS = "a blank cell is not stated, not 0"
OUTCOMES_ZH = "三（一）至（六）各项"
APPEAL_PARTS_ZH = "、".join(schema.COLUMN_NAMES["appeals"][k] for k in APPEAL_PARTS)
Cell = tuple[str, str, str]  # (table, row key, column key), as in the figures


@dataclass(frozen=True, slots=True)
class Check:
    """One identity checked: its name, whether it holds, and what was compared."""

    name: str
    ok: bool
    message: str
    # a failed check: the report's own cells its failed comparisons read (to mark
    # them), and what is wrong said in Chinese for the reader
    cells: tuple[Cell, ...] = ()
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class Checked:
    """The checks that could be evaluated, and warnings naming what could not be."""

    checks: tuple[Check, ...] = ()
    warnings: tuple[str, ...] = ()


def evaluate_tables(t: Tables) -> Checked:
    """The identities of one report: balance, row_totals, handled_sum, block_totals."""
    found: list[_Result] = []
    if t.applications is not None:
        found += [
            _balance(t.applications),
            _row_totals(t.applications),
            _handled_sum(t.applications),
        ]
    if t.appeals is not None:
        found.append(_block_totals(t.appeals))
    return _checked(found)


def check_tables(t: Tables) -> list[Check]:
    """The checks of :func:`evaluate_tables` that could be evaluated."""
    return list(evaluate_tables(t).checks)


def evaluate_across_years(
    previous: Tables, current: Tables, previous_year: int, current_year: int
) -> Checked:
    """The identities between one body's reports of two consecutive years.

    ``carried_over`` (an error) and, under the 2021 template, ``in_force_trend``
    (advisory: see :data:`ADVISORY`).

    :raises ValueError: if the years are not consecutive.
    """
    if current_year != previous_year + 1:
        raise ValueError(
            f"years must be consecutive, got {previous_year} and {current_year}"
        )
    found: list[_Result] = []
    if previous.applications is not None and current.applications is not None:
        found.append(
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
            found.append(trend)
    return _checked(found)


def check_across_years(
    previous: Tables, current: Tables, previous_year: int, current_year: int
) -> list[Check]:
    """The checks of :func:`evaluate_across_years` that could be evaluated.

    :raises ValueError: if the years are not consecutive.
    """
    return list(
        evaluate_across_years(previous, current, previous_year, current_year).checks
    )


# ---------------------------------------------------------------- helpers


@dataclass(frozen=True, slots=True)
class _Result:
    check: Check | None  # None: nothing could be evaluated
    warning: str | None


def _checked(results: list[_Result]) -> Checked:
    return Checked(
        checks=tuple(r.check for r in results if r.check is not None),
        warnings=tuple(r.warning for r in results if r.warning is not None),
    )


def _fmt(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{round(value, 6):g}" if abs(value) < 1e5 else f"{value:.2f}"
    return str(int(value))


def _equal(a: float, b: float) -> bool:
    return abs(a - b) < EPSILON


@dataclass(slots=True)
class _Tally:
    """The comparisons of one identity: which failed, which could not be evaluated."""

    name: str
    compared: int = 0
    failures: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)  # the failures in Chinese
    cells: list[Cell] = field(default_factory=list)  # the cells they read
    skipped: list[str] = field(default_factory=list)  # where (a column, a row, a block)
    blanks: list[str] = field(default_factory=list)  # the blank cells, by name

    def fail(self, message: str, explanation: str, cells: Iterable[Cell]) -> None:
        self.failures.append(message)
        self.explanations.append(explanation)
        self.cells += [c for c in cells if c not in self.cells]

    def blank(self, where: str, cells: Iterable[tuple[Value, str]]) -> bool:
        """Note ``where`` as not evaluated if one of ``cells`` is blank; say whether."""
        names = [name for value, name in cells if value is None]
        if names:
            self.skipped.append(where)
            self.blanks += [n for n in names if n not in self.blanks]
        return bool(names)

    def result(self, ok_message: str, total: int, unit: str) -> _Result:
        """The check (None when nothing was compared) and the warning for the rest.

        :param ok_message: what holds, said before ``in all {total} {unit}``.
        """
        warning = (
            f"{self.name} not evaluated where cells are blank ({BLANK_MEANS}): "
            f"{', '.join(self.blanks)}"
            if self.skipped
            else None
        )
        if not self.compared:
            return _Result(None, warning)
        note = (
            f" (not evaluated for {', '.join(self.skipped)}: blank cells)"
            if self.skipped
            else ""
        )
        if self.failures:
            failed = Check(
                self.name,
                False,
                "; ".join(self.failures) + note,
                tuple(self.cells),
                "；".join(self.explanations) + _zh_note(self.skipped),
            )
            return _Result(failed, warning)
        extent = (
            f"in all {total} {unit}"
            if not self.skipped
            else f"in {self.compared} of {total} {unit}"
        )
        return _Result(Check(self.name, True, f"{ok_message} {extent}{note}"), warning)


def _zh_note(skipped: list[str]) -> str:
    return (
        f"（{len(skipped)} 处有空白单元格，未核对：空白是未填写，不等于 0）"
        if skipped
        else ""
    )


def _zh(table: str, row: str, column: str) -> str:
    """A cell as the Chinese explanation names it: ``三（七）总计·自然人``."""
    names, columns = schema.ROW_NAMES[table], schema.COLUMN_NAMES[table]
    return f"{names.get(row, row)}·{columns.get(column, column)}"


def _missing(table: TableValues, rows: Iterable[str]) -> list[str]:
    return [f"{APPLICATION_ROW_NAMES[r]} [{r}]" for r in rows if r not in table]


def _cannot(name: str, missing: list[str]) -> _Result:
    return _Result(None, f"{name} not evaluated: 表三 has no row {', '.join(missing)}")


def _column(column: str) -> str:
    return f"{schema.COLUMN_NAMES['applications'][column]} [{column}]"


def _app(row: str, column: str) -> str:
    return cell_name("applications", row, column)


# ---------------------------------------------------------------- one report


def _balance(table: TableValues) -> _Result:
    rows = ("new_received", "carried_over", "total_handled", "carried_forward")
    missing = _missing(table, rows)
    if missing:
        return _cannot("balance", missing)
    tally = _Tally("balance")
    for column in APPLICATION_COLUMN_KEYS:
        cells = {r: table[r].get(column) for r in rows}
        if tally.blank(_column(column), ((cells[r], _app(r, column)) for r in rows)):
            continue
        v = {r: float(cells[r] or 0) for r in rows}
        left = v["new_received"] + v["carried_over"]
        right = v["total_handled"] + v["carried_forward"]
        tally.compared += 1
        if not _equal(left, right):
            tally.fail(
                f"{_column(column)}: 一、本年新收 {_fmt(v['new_received'])} + 二、上年结转 "
                f"{_fmt(v['carried_over'])} = {_fmt(left)}, but 三（七）总计 "
                f"{_fmt(v['total_handled'])} + 四、结转下年度继续办理 "
                f"{_fmt(v['carried_forward'])} = {_fmt(right)}",
                f"“{schema.COLUMN_NAMES['applications'][column]}”列：本年新收 "
                f"{_fmt(v['new_received'])} 加上年结转 {_fmt(v['carried_over'])} 共 "
                f"{_fmt(left)} 件，而办理结果总计 {_fmt(v['total_handled'])} 加结转下年度 "
                f"{_fmt(v['carried_forward'])} 共 {_fmt(right)} 件，两者应相等",
                (("applications", r, column) for r in rows),
            )
    return tally.result(
        "一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理 "
        "[new_received + carried_over = total_handled + carried_forward]",
        len(APPLICATION_COLUMN_KEYS),
        "columns",
    )


def _row_totals(table: TableValues) -> _Result:
    tally = _Tally("row_totals")
    for row, cells in table.items():
        needed = [(cells.get(c), _app(row, c)) for c in (*APPLICANT_KEYS, "total")]
        if tally.blank(f"{APPLICATION_ROW_NAMES.get(row, row)} [{row}]", needed):
            continue
        total = float(cells.get("total") or 0)
        parts = sum(float(cells.get(c) or 0) for c in APPLICANT_KEYS)
        tally.compared += 1
        if not _equal(total, parts):
            tally.fail(
                f"{_app(row, 'total')} = {_fmt(total)}, "
                f"but the six applicant columns sum to {_fmt(parts)}",
                f"“{APPLICATION_ROW_NAMES.get(row, row)}”行：总计填 {_fmt(total)}，"
                f"而各类申请人之和为 {_fmt(parts)}",
                (("applications", row, c) for c in (*APPLICANT_KEYS, "total")),
            )
    return tally.result(
        "总计 [total] equals the sum of the six applicant columns", len(table), "rows"
    )


def _handled_sum(table: TableValues) -> _Result:
    if "total_handled" not in table:
        return _cannot("handled_sum", _missing(table, ("total_handled",)))
    template = "2019" if "other" in table else "2021"
    outcomes = [r for r in schema.OUTCOME_KEYS[template] if r in table]
    missing = _missing(table, schema.OUTCOME_KEYS[template])
    tally = _Tally("handled_sum")
    for column in APPLICATION_COLUMN_KEYS:
        needed = [(table[r].get(column), _app(r, column)) for r in outcomes]
        needed.append(
            (table["total_handled"].get(column), _app("total_handled", column))
        )
        if tally.blank(_column(column), needed):
            continue
        total = float(table["total_handled"].get(column) or 0)
        parts = sum(float(table[r].get(column) or 0) for r in outcomes)
        tally.compared += 1
        if not _equal(total, parts):
            tally.fail(
                f"{_app('total_handled', column)} = {_fmt(total)}, "
                f"but {OUTCOMES} sum to {_fmt(parts)}",
                f"“{schema.COLUMN_NAMES['applications'][column]}”列：办理结果总计填 "
                f"{_fmt(total)}，而{OUTCOMES_ZH}之和为 {_fmt(parts)}",
                (("applications", r, column) for r in (*outcomes, "total_handled")),
            )
    absent = f" (rows not found: {', '.join(missing)})" if missing else ""
    found = tally.result(
        f"三（七）总计 [total_handled] equals the sum of {OUTCOMES} ({len(outcomes)} rows)",
        len(APPLICATION_COLUMN_KEYS),
        "columns",
    )
    if found.check is None or not absent:
        return found
    check = found.check
    return _Result(Check(check.name, check.ok, check.message + absent), found.warning)


def _block_totals(table: TableValues) -> _Result:
    tally = _Tally("block_totals")
    for block, cells in table.items():
        needed = [
            (cells.get(c), cell_name("appeals", block, c))
            for c in (*APPEAL_PARTS, "total")
        ]
        where = f"{schema.ROW_NAMES['appeals'].get(block, block)} [{block}]"
        if tally.blank(where, needed):
            continue
        total = float(cells.get("total") or 0)
        parts = sum(float(cells.get(c) or 0) for c in APPEAL_PARTS)
        tally.compared += 1
        if not _equal(total, parts):
            tally.fail(
                f"{cell_name('appeals', block, 'total')} = {_fmt(total)}, "
                f"but {APPEAL_PARTS_NAME} sum to {_fmt(parts)}",
                f"“{schema.ROW_NAMES['appeals'].get(block, block)}”：总计填 "
                f"{_fmt(total)}，而{APPEAL_PARTS_ZH}之和为 {_fmt(parts)}",
                (("appeals", block, c) for c in (*APPEAL_PARTS, "total")),
            )
    return tally.result(
        f"总计 [total] equals {APPEAL_PARTS_NAME}", len(table), "blocks"
    )


# ---------------------------------------------------------------- across years


def _carried_over(
    previous: TableValues, current: TableValues, previous_year: int, current_year: int
) -> _Result:
    missing = [f"{current_year} {m}" for m in _missing(current, ("carried_over",))]
    missing += [
        f"{previous_year} {m}" for m in _missing(previous, ("carried_forward",))
    ]
    if missing:
        return _Result(None, f"carried_over not evaluated: no row {', '.join(missing)}")
    tally = _Tally("carried_over")
    for column in APPLICATION_COLUMN_KEYS:
        now = current["carried_over"].get(column)
        before = previous["carried_forward"].get(column)
        now_name = f"{current_year} {_app('carried_over', column)}"
        before_name = f"{previous_year} {_app('carried_forward', column)}"
        if tally.blank(_column(column), ((now, now_name), (before, before_name))):
            continue
        tally.compared += 1
        if not _equal(float(now or 0), float(before or 0)):
            tally.fail(
                f"{now_name} = {_fmt(now or 0)}, but {before_name} = {_fmt(before or 0)}",
                f"“{schema.COLUMN_NAMES['applications'][column]}”列：本年报告的上年结转 "
                f"{_fmt(now or 0)} 件，而 {previous_year} 年报告的结转下年度继续办理为 "
                f"{_fmt(before or 0)} 件，两者应相等",
                [("applications", "carried_over", column)],
            )
    return tally.result(
        f"{current_year} 二、上年结转 [carried_over] equals {previous_year} "
        "四、结转下年度继续办理 [carried_forward]",
        len(APPLICATION_COLUMN_KEYS),
        "columns",
    )


def _in_force_trend(
    previous: TableValues, current: TableValues, previous_year: int, current_year: int
) -> _Result | None:
    rows = [
        r
        for r in ("regulations", "normative_documents")
        if r in previous and r in current
    ]
    if not rows:
        return None
    tally = _Tally("in_force_trend")
    evaluated = []
    for row in rows:
        before = previous[row].get("in_force")
        issued, repealed, now = (
            current[row].get(c) for c in ("issued", "repealed", "in_force")
        )
        needed = [(before, f"{previous_year} {cell_name('active', row, 'in_force')}")]
        needed += [
            (value, f"{current_year} {cell_name('active', row, column)}")
            for value, column in (
                (issued, "issued"),
                (repealed, "repealed"),
                (now, "in_force"),
            )
        ]
        if tally.blank(_active_row(row), needed):
            continue
        evaluated.append(row)
        expected = float(before or 0) + float(issued or 0) - float(repealed or 0)
        slack = max(IN_FORCE_MIN_SLACK, IN_FORCE_SLACK * abs(expected))
        tally.compared += 1
        if abs(float(now or 0) - expected) > slack:
            tally.fail(
                f"{current_year} {cell_name('active', row, 'in_force')} = {_fmt(now or 0)}, "
                f"but {previous_year} 现行有效件数 {_fmt(before or 0)} + 本年制发件数 "
                f"{_fmt(issued or 0)} − 本年废止件数 {_fmt(repealed or 0)} = {_fmt(expected)}",
                f"“{schema.ROW_NAMES['active'].get(row, row)}”：现行有效件数 "
                f"{_fmt(now or 0)}，而 {previous_year} 年的 {_fmt(before or 0)} 件加本年制发 "
                f"{_fmt(issued or 0)} 件、减本年废止 {_fmt(repealed or 0)} 件应约为 "
                f"{_fmt(expected)} 件（允许偏差 {IN_FORCE_MIN_SLACK} 件或 "
                f"{IN_FORCE_SLACK:.0%}；仅供参考，不算错误）",
                (("active", row, c) for c in ("issued", "repealed", "in_force")),
            )
    found = tally.result("", len(rows), "rows")  # whether listed, and the warning
    if found.check is None:
        return found
    advisory = "advisory, not an error: "
    allowed = (
        f"(allowed drift: {IN_FORCE_MIN_SLACK} documents or {IN_FORCE_SLACK:.0%}, "
        "whichever is more)"
    )
    note = (
        f" (not evaluated for {', '.join(tally.skipped)}: blank cells)"
        if tally.skipped
        else ""
    )
    if tally.failures:
        message = f"{advisory}{'; '.join(tally.failures)} {allowed}{note}"
        zh = "；".join(tally.explanations) + _zh_note(tally.skipped)
        failed = Check("in_force_trend", False, message, tuple(tally.cells), zh)
        return _Result(failed, found.warning)
    shown = ", ".join(_active_row(r) for r in evaluated)
    message = (
        f"{advisory}{current_year} 现行有效件数 [in_force] ≈ {previous_year} 现行有效件数 + "
        f"本年制发件数 − 本年废止件数 for {shown} {allowed}{note}"
    )
    return _Result(Check("in_force_trend", True, message), found.warning)


def _active_row(row: str) -> str:
    return f"{schema.ROW_NAMES['active'][row]} [{row}]"
