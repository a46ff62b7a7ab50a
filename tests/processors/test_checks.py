"""The identities (勾稽关系) on real Pingtan reports, the replica's printed figures and small tables."""

from __future__ import annotations

from typing import Any

import pytest

from processors.checks import ADVISORY, Check, check_across_years, check_tables
from processors.schema import (
    APPEAL_BLOCK_KEYS,
    APPEAL_COLUMN_KEYS,
    APPLICATION_COLUMN_KEYS,
    application_row_keys,
)
from processors.tables import Tables, TableValues
from replica.figures import blank_zeros, unbalance
from tests.processors.test_tables import pingtan, printed_grids, read, series

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
    assert checks["handled_sum"] == Check(
        "handled_sum",
        False,
        "三（七）总计/自然人 [total_handled/natural_person] = 20, but 三（一）…（六） sum to 26; "
        "三（七）总计/总计 [total_handled/total] = 21, but 三（一）…（六） sum to 27",
    )
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
    assert checks["balance"] == Check(
        "balance",
        False,
        "自然人 [natural_person]: 一、本年新收 5 + 二、上年结转 0 = 5, but 三（七）总计 7 + "
        "四、结转下年度继续办理 0 = 7; 总计 [total]: 一、本年新收 5 + 二、上年结转 0 = 5, "
        "but 三（七）总计 7 + 四、结转下年度继续办理 0 = 7",
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
    )


def test_blank_cells_count_as_zero_and_are_named_when_a_check_fails() -> None:
    table = appeals(
        review={"upheld": 1, "total": None}, litigation_direct={"pending": None}
    )
    assert check_tables(Tables("2021", None, None, table)) == [
        Check(
            "block_totals",
            False,
            "行政复议/总计 [review/total] = 0, but 结果维持 + 结果纠正 + 其他结果 + 尚未审结 "
            "sum to 1 (blank, counted as 0: 行政复议/总计 [review/total])",
        )
    ]


def test_blank_cells_are_counted_in_a_passing_check() -> None:
    figures = blank_zeros(series("town", "2021"))
    checks = by_name(check_tables(read(*printed_grids("2021", figures))))
    blanks = sum(
        v is None for cells in figures.appeals.values() for v in cells.values()
    )
    assert blanks > 0
    assert checks["block_totals"] == Check(
        "block_totals", True, f"{BLOCKS_OK} ({blanks} blank cells counted as 0)"
    )


def test_a_check_whose_table_is_absent_is_not_listed() -> None:
    assert check_tables(Tables("free", None, None, None)) == []
    only_appeals = check_tables(Tables("2021", None, None, appeals()))
    assert [c.name for c in only_appeals] == ["block_totals"]


def test_a_missing_total_row_cannot_be_checked() -> None:
    apps = applications()
    del apps["total_handled"]
    checks = by_name(check_tables(tables(apps=apps)))
    assert checks["balance"] == Check(
        "balance", False, "cannot check: 表三 has no row 三（七）总计 [total_handled]"
    )
    assert checks["handled_sum"] == Check(
        "handled_sum",
        False,
        "cannot check: 表三 has no row 三（七）总计 [total_handled]",
    )
    assert checks["row_totals"].ok


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
