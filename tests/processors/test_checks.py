"""The identities (勾稽关系) on real Pingtan reports, the replica's printed figures and small tables."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import pytest

from processors.checks import (
    ADVISORY,
    BLANK_MEANS,
    Check,
    Checked,
    check_across_years,
    check_tables,
    evaluate_across_years,
    evaluate_tables,
)
from processors.parse import parse
from processors.schema import (
    APPEAL_BLOCK_KEYS,
    APPEAL_COLUMN_KEYS,
    APPLICATION_COLUMN_KEYS,
    application_row_keys,
)
from processors.tables import Tables, TableValues
from replica.figures import blank_zeros, unbalance
from tests.processors.test_tables import (
    PINGTAN,
    pingtan,
    printed_grids,
    read,
    series,
)

BLANK = BLANK_MEANS

BALANCE_OK = (
    "一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理 "
    "[new_received + carried_over = total_handled + carried_forward] in all 7 columns"
)
ROW_TOTALS_OK = (
    "总计 [total] equals the sum of the six applicant columns in all {} rows"
)
HANDLED_OK = "三（七）总计 [total_handled] equals the sum of 三（一）…（六） ({} rows) in all 7 columns"
BLOCKS_OK = (
    "总计 [total] equals 结果维持 + 结果纠正 + 其他结果 + 尚未审结 in all 3 blocks"
)
ADVICE = "advisory, not an error: "
DRIFT = "(allowed drift: 2 documents or 10%, whichever is more)"


def applications(template: str = "2021", **rows: dict[str, Any]) -> TableValues:
    """A table 3 of zeros, with some rows' cells given."""
    table: TableValues = {
        row: dict.fromkeys(APPLICATION_COLUMN_KEYS, 0)
        for row in application_row_keys(template)
    }
    for row, cells in rows.items():
        table[row].update(cells)
    return table


def appeals(**blocks: dict[str, Any]) -> TableValues:
    table: TableValues = {
        b: dict.fromkeys(APPEAL_COLUMN_KEYS, 0) for b in APPEAL_BLOCK_KEYS
    }
    for block, cells in blocks.items():
        table[block].update(cells)
    return table


def tables(
    *,
    active: TableValues | None = None,
    apps: TableValues | None = None,
    template: str = "2021",
) -> Tables:
    return Tables(template, active, apps, None)


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


# ---------------------------------------------------------------- one report


def test_consistent_tables_pass_every_check_saying_what_was_verified() -> None:
    checks = check_tables(read(*printed_grids("2021", series("county", "2021"))))
    assert checks == [
        Check("balance", True, BALANCE_OK),
        Check("row_totals", True, ROW_TOTALS_OK.format(25)),
        Check("handled_sum", True, HANDLED_OK.format(21)),
        Check("block_totals", True, BLOCKS_OK),
    ]


def test_a_2019_table_3_sums_its_single_other_row() -> None:
    checks = check_tables(read(*printed_grids("2019", series("county", "2019"))))
    assert by_name(checks)["handled_sum"] == Check(
        "handled_sum", True, HANDLED_OK.format(19)
    )


def test_pingtan_2020_prints_a_total_its_result_rows_do_not_add_up_to() -> None:
    checks = by_name(check_tables(pingtan(80595)))
    handled = checks["handled_sum"]
    assert (handled.name, handled.ok, handled.message, handled.explanation) == (
        "handled_sum",
        False,
        "三（七）总计/自然人 [total_handled/natural_person] = 20, but 三（一）…（六） sum to 26; "
        "三（七）总计/总计 [total_handled/total] = 21, but 三（一）…（六） sum to 27",
        "“自然人”列：办理结果总计填 20，而三（一）至（六）各项之和为 26；"
        "“总计”列：办理结果总计填 21，而三（一）至（六）各项之和为 27",
    )
    # the cells to mark: the 2021 template's 19 outcome rows and 总计, in both columns
    assert {column for _, _, column in handled.cells} == {"natural_person", "total"}
    assert len(handled.cells) == 2 * (19 + 1)
    assert ("applications", "total_handled", "total") in handled.cells
    # 总计 was written to match 新收, so the balance itself holds.
    assert checks["balance"] == Check("balance", True, BALANCE_OK)
    assert [c.name for c in checks.values() if not c.ok] == ["handled_sum"]


@pytest.mark.parametrize("docid", [80576, 80613, 80629, 87885, 97791, 105587])
def test_the_other_templated_pingtan_reports_hold(docid: int) -> None:
    assert all(c.ok for c in check_tables(pingtan(docid)))


def test_an_unbalanced_table_names_both_sides_per_column() -> None:
    apps = applications(
        new_received={"natural_person": 5, "total": 5},
        granted={"natural_person": 5, "total": 5},
        total_handled={"natural_person": 7, "total": 7},
    )
    checks = by_name(check_tables(tables(apps=apps)))
    rows = ("new_received", "carried_over", "total_handled", "carried_forward")
    assert checks["balance"] == Check(
        "balance",
        False,
        "自然人 [natural_person]: 一、本年新收 5 + 二、上年结转 0 = 5, but 三（七）总计 7 + "
        "四、结转下年度继续办理 0 = 7; 总计 [total]: 一、本年新收 5 + 二、上年结转 0 = 5, "
        "but 三（七）总计 7 + 四、结转下年度继续办理 0 = 7",
        tuple(
            ("applications", row, column)
            for column in ("natural_person", "total")
            for row in rows
        ),
        "“自然人”列：本年新收 5 加上年结转 0 共 5 件，而办理结果总计 7 加结转下年度 0 共 7 件，"
        "两者应相等；“总计”列：本年新收 5 加上年结转 0 共 5 件，而办理结果总计 7 加结转下年度 0 "
        "共 7 件，两者应相等",
    )
    assert checks["handled_sum"].message == (
        "三（七）总计/自然人 [total_handled/natural_person] = 7, but 三（一）…（六） sum to 5; "
        "三（七）总计/总计 [total_handled/total] = 7, but 三（一）…（六） sum to 5"
    )


def test_the_replica_unbalance_defect_breaks_balance_and_handled_sum() -> None:
    figures = unbalance(series("town", "2021"))
    checks = check_tables(read(*printed_grids("2021", figures)))
    assert [c.name for c in checks if not c.ok] == ["balance", "handled_sum"]


def test_a_row_total_that_is_not_the_sum_of_its_applicants() -> None:
    apps = applications(granted={"natural_person": 2, "commercial": 1, "total": 2})
    apps["new_received"] = {**apps["granted"]}
    apps["total_handled"] = {**apps["granted"]}
    assert by_name(check_tables(tables(apps=apps)))["row_totals"] == Check(
        "row_totals",
        False,
        "一、本年新收/总计 [new_received/total] = 2, but the six applicant columns sum to 3; "
        "三（一）予以公开/总计 [granted/total] = 2, but the six applicant columns sum to 3; "
        "三（七）总计/总计 [total_handled/total] = 2, but the six applicant columns sum to 3",
        tuple(
            ("applications", row, column)
            for row in ("new_received", "granted", "total_handled")
            for column in APPLICATION_COLUMN_KEYS
        ),
        "“一、本年新收”行：总计填 2，而各类申请人之和为 3；“三（一）予以公开”行：总计填 2，"
        "而各类申请人之和为 3；“三（七）总计”行：总计填 2，而各类申请人之和为 3",
    )


def test_a_blank_total_or_part_is_not_evaluated_and_named_never_failed() -> None:
    table = appeals(
        review={"upheld": 1, "total": None}, litigation_direct={"pending": None}
    )
    assert evaluate_tables(Tables("2021", None, None, table)) == Checked(
        checks=(
            Check(
                "block_totals",
                True,
                f"{BLOCKS_OK.replace('in all 3', 'in 1 of 3')} (not evaluated for "
                "行政复议 [review], 未经复议直接起诉 [litigation_direct]: blank cells)",
            ),
        ),
        warnings=(
            f"block_totals not evaluated where cells are blank ({BLANK}): "
            "行政复议/总计 [review/total], 未经复议直接起诉/尚未审结 [litigation_direct/pending]",
        ),
    )


def test_printed_numbers_that_disagree_still_fail_beside_blank_cells() -> None:
    apps = applications(
        new_received={"natural_person": 5, "total": None},
        granted={"natural_person": 5, "total": None},
        total_handled={"natural_person": 7, "total": None},
    )
    checked = evaluate_tables(tables(apps=apps))
    checks = by_name(list(checked.checks))
    assert checks["balance"] == Check(
        "balance",
        False,
        "自然人 [natural_person]: 一、本年新收 5 + 二、上年结转 0 = 5, but 三（七）总计 7 + "
        "四、结转下年度继续办理 0 = 7 (not evaluated for 总计 [total]: blank cells)",
        tuple(
            ("applications", row, "natural_person")
            for row in (
                "new_received",
                "carried_over",
                "total_handled",
                "carried_forward",
            )
        ),
        "“自然人”列：本年新收 5 加上年结转 0 共 5 件，而办理结果总计 7 加结转下年度 0 共 7 件，"
        "两者应相等（1 处有空白单元格，未核对：空白是未填写，不等于 0）",
    )
    assert not checks["handled_sum"].ok
    assert "row_totals" in checks  # the rows whose 总计 is printed (0) are compared
    assert [w.split(" ", 1)[0] for w in checked.warnings] == [
        "balance",
        "row_totals",
        "handled_sum",
    ]


def test_a_check_with_every_comparison_blank_is_a_warning_not_a_check() -> None:
    apps = applications()
    for cells in apps.values():
        cells["total"] = None
    checked = evaluate_tables(tables(apps=apps))
    assert [c.name for c in checked.checks] == ["balance", "handled_sum"]
    assert all(c.ok for c in checked.checks)
    row_totals = next(w for w in checked.warnings if w.startswith("row_totals"))
    assert row_totals.startswith(
        f"row_totals not evaluated where cells are blank ({BLANK}): "
        "一、本年新收/总计 [new_received/total], 二、上年结转/总计 [carried_over/total], "
    )
    assert row_totals.count("/总计 [") == len(apps)


def test_blank_zeros_make_no_failed_check() -> None:
    figures = blank_zeros(series("town", "2021"))
    checked = evaluate_tables(read(*printed_grids("2021", figures)))
    blanks = sum(
        v is None for cells in figures.appeals.values() for v in cells.values()
    )
    assert blanks > 0
    assert all(c.ok for c in checked.checks)
    assert any(w.startswith("block_totals not evaluated") for w in checked.warnings)


def test_a_missing_total_row_is_not_evaluated() -> None:
    apps = applications()
    del apps["total_handled"]
    checked = evaluate_tables(tables(apps=apps))
    assert [c.name for c in checked.checks] == ["row_totals"]
    assert checked.warnings == (
        "balance not evaluated: 表三 has no row 三（七）总计 [total_handled]",
        "handled_sum not evaluated: 表三 has no row 三（七）总计 [total_handled]",
    )


def test_a_real_report_with_every_total_of_table_3_blank_fails_no_check() -> None:
    """Pingtan 2021 (80613.html) with the 25 总计 figures of 表三 blanked, as some real
    reports print them: nothing fails, and the warnings name the blank cells."""
    parsed = parse(_without_table_3_totals((PINGTAN / "80613.html").read_bytes()))
    assert parsed.applications is not None
    assert {cells["total"] for cells in parsed.applications.values()} == {None}
    assert parsed.applications["new_received"]["natural_person"] == 64
    assert [(c.name, c.ok) for c in parsed.checks] == [
        ("balance", True),
        ("handled_sum", True),
        ("block_totals", True),
    ]
    row_totals = next(w for w in parsed.warnings if w.startswith("row_totals"))
    assert "三（七）总计/总计 [total_handled/total]" in row_totals
    assert row_totals.count("/总计 [") == 25
    assert any(
        w.startswith("balance not evaluated") and "一、本年新收/总计" in w
        for w in parsed.warnings
    )


def test_the_printed_pingtan_2020_imbalance_still_fails_with_totals_printed() -> None:
    parsed = parse((PINGTAN / "80595.html").read_bytes())
    assert [c.name for c in parsed.checks if not c.ok] == ["handled_sum"]
    assert not any("not evaluated" in w for w in parsed.warnings)


def _without_table_3_totals(page: bytes) -> bytes:
    root = lxml.html.document_fromstring(page)
    table = next(t for t in root.iter("table") if "本年新收" in t.text_content())
    for row in table.iter("tr"):
        last = row.xpath("./td | ./th")[-1]
        if re.fullmatch(r"\s*\d+\s*", last.text_content()):
            for child in list(last):
                last.remove(child)
            last.text = ""
    return bytes(lxml.html.tostring(root, encoding="utf-8"))


def test_missing_result_rows_are_noted() -> None:
    apps = applications()
    del apps["withheld_state_secret"]
    assert by_name(check_tables(tables(apps=apps)))["handled_sum"] == Check(
        "handled_sum",
        True,
        HANDLED_OK.format(20)
        + " (rows not found: 三（三）1.属于国家秘密 [withheld_state_secret])",
    )


# ---------------------------------------------------------------- across years


def test_pingtan_carries_its_open_applications_over_each_year() -> None:
    checks = check_across_years(pingtan(80613), pingtan(80629), 2021, 2022)
    assert checks == [
        Check(
            "carried_over",
            True,
            "2022 二、上年结转 [carried_over] equals 2021 四、结转下年度继续办理 "
            "[carried_forward] in all 7 columns",
        ),
        Check(
            "in_force_trend",
            True,
            f"{ADVICE}2022 现行有效件数 [in_force] ≈ 2021 现行有效件数 + 本年制发件数 − "
            f"本年废止件数 for 规章 [regulations], 规范性文件 [normative_documents] {DRIFT}",
        ),
    ]


def test_the_2019_template_has_no_in_force_trend() -> None:
    checks = check_across_years(pingtan(80576), pingtan(80595), 2019, 2020)
    assert [(c.name, c.ok) for c in checks] == [("carried_over", True)]
    checks = check_across_years(pingtan(80595), pingtan(80613), 2020, 2021)
    assert [(c.name, c.ok) for c in checks] == [("carried_over", True)]


def test_pingtan_2023_in_force_breaks_the_trend_as_advice() -> None:
    checks = by_name(check_across_years(pingtan(80629), pingtan(87885), 2022, 2023))
    assert checks["in_force_trend"] == Check(
        "in_force_trend",
        False,
        f"{ADVICE}2023 规范性文件/现行有效件数 [normative_documents/in_force] = 470, but 2022 "
        f"现行有效件数 698 + 本年制发件数 77 − 本年废止件数 132 = 643 {DRIFT}",
        tuple(
            ("active", "normative_documents", column)
            for column in ("issued", "repealed", "in_force")
        ),
        "“规范性文件”：现行有效件数 470，而 2022 年的 698 件加本年制发 77 件、减本年废止 132 件"
        "应约为 643 件（允许偏差 2 件或 10%；仅供参考，不算错误）",
    )
    assert checks["carried_over"].ok
    assert "in_force_trend" in ADVISORY


def test_in_force_within_the_allowed_drift_passes() -> None:
    def active(issued: int, repealed: int, in_force: int) -> TableValues:
        return {
            "normative_documents": {
                "issued": issued,
                "repealed": repealed,
                "in_force": in_force,
            }
        }

    before = tables(active=active(0, 0, 100))
    assert check_across_years(before, tables(active=active(10, 5, 96)), 2021, 2022)[
        0
    ].ok
    assert not check_across_years(before, tables(active=active(10, 5, 94)), 2021, 2022)[
        0
    ].ok


def test_carried_over_that_does_not_match_the_previous_year() -> None:
    before = tables(
        apps=applications(carried_forward={"natural_person": 2, "total": 2})
    )
    after = tables(apps=applications(carried_over={"natural_person": 1, "total": 1}))
    assert check_across_years(before, after, 2021, 2022) == [
        Check(
            "carried_over",
            False,
            "2022 二、上年结转/自然人 [carried_over/natural_person] = 1, but 2021 "
            "四、结转下年度继续办理/自然人 [carried_forward/natural_person] = 2; "
            "2022 二、上年结转/总计 [carried_over/total] = 1, but 2021 "
            "四、结转下年度继续办理/总计 [carried_forward/total] = 2",
            (
                ("applications", "carried_over", "natural_person"),
                ("applications", "carried_over", "total"),
            ),
            "“自然人”列：本年报告的上年结转 1 件，而 2021 年报告的结转下年度继续办理为 2 件，"
            "两者应相等；“总计”列：本年报告的上年结转 1 件，而 2021 年报告的结转下年度继续办理"
            "为 2 件，两者应相等",
        )
    ]


def test_across_years_needs_both_tables() -> None:
    free = Tables("free", None, None, None)
    assert check_across_years(free, pingtan(80613), 2020, 2021) == []


def test_across_years_needs_consecutive_years() -> None:
    with pytest.raises(
        ValueError, match="years must be consecutive, got 2020 and 2022"
    ):
        check_across_years(pingtan(80595), pingtan(80629), 2020, 2022)


def test_a_blank_carried_over_is_not_evaluated_across_years() -> None:
    before = tables(apps=applications(carried_forward={"natural_person": 2}))
    after = tables(apps=applications(carried_over={"natural_person": None}))
    checked = evaluate_across_years(before, after, 2021, 2022)
    assert checked.checks == (
        Check(
            "carried_over",
            True,
            "2022 二、上年结转 [carried_over] equals 2021 四、结转下年度继续办理 "
            "[carried_forward] in 6 of 7 columns (not evaluated for 自然人 "
            "[natural_person]: blank cells)",
        ),
    )
    assert checked.warnings == (
        f"carried_over not evaluated where cells are blank ({BLANK}): "
        "2022 二、上年结转/自然人 [carried_over/natural_person]",
    )


def test_a_blank_in_force_is_not_evaluated_as_a_trend() -> None:
    before = tables(active={"normative_documents": {"in_force": None}})
    after = tables(
        active={"normative_documents": {"issued": 1, "repealed": 0, "in_force": 500}}
    )
    checked = evaluate_across_years(before, after, 2021, 2022)
    assert checked.checks == ()
    assert checked.warnings == (
        f"in_force_trend not evaluated where cells are blank ({BLANK}): "
        "2021 规范性文件/现行有效件数 [normative_documents/in_force]",
    )
