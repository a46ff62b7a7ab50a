"""The table reader on the replica's printed templates, the real seeds and Pingtan pages, and each hazard.

Expected values come from what was printed: the replica's figures (it prints them
itself), ``seeds.yaml`` (read off the seed texts by hand) and, for Pingtan, the
figures as the pages print them (see ``tests/processors/golden/``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from processors import schema
from processors.document import Document, Grid
from processors.html import read_html
from processors.plain import read_text
from processors.tables import Tables, parse_value, read_tables
from replica import templates
from replica.figures import blank_zeros, figure_series
from replica.model import Figures
from replica.seeds import SEED_DIR, load_seed, seed_ids

PINGTAN = Path(__file__).resolve().parents[2] / "replica" / "data" / "pingtan"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


# ---------------------------------------------------------------- helpers


def expand(printed: templates.Grid) -> Grid:
    """A replica grid as a reader hands it on: merged cells repeated where they span."""
    placed: dict[tuple[int, int], str] = {}
    for r, row in enumerate(printed):
        c = 0
        for cell in row:
            while (r, c) in placed:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    placed[(r + dr, c + dc)] = "".join(cell.text.split())
            c += cell.colspan
    width = templates.grid_width(printed)
    return Grid(
        tuple(
            tuple(placed.get((r, c), "") for c in range(width))
            for r in range(len(printed))
        )
    )


def grid(text: str) -> Grid:
    """A hand-written grid: one row per line, cells separated by ``|``."""
    return Grid(
        tuple(
            tuple(cell.strip() for cell in line.split("|"))
            for line in text.strip().splitlines()
        )
    )


def read(*grids: Grid) -> Tables:
    return read_tables(Document(kind="html", text="", grids=grids))


def plain(table: Any) -> dict[str, dict[str, Any]] | None:
    return None if table is None else {row: dict(cells) for row, cells in table.items()}


def printed_grids(template: str, figures: Figures) -> list[Grid]:
    assert figures.active is not None
    assert figures.applications is not None
    assert figures.appeals is not None
    return [
        expand(templates.active_grid(template, figures.active)),
        expand(templates.applications_grid(template, figures.applications)),
        expand(templates.appeals_grid(figures.appeals)),
    ]


def series(level: str, template: str) -> Figures:
    return figure_series(level, [(2020, template)], seed=f"test-{level}-{template}")[
        2020
    ]


@cache
def pingtan(docid: int) -> Tables:
    return read_tables(read_html((PINGTAN / f"{docid}.html").read_bytes()))


def pingtan_pages() -> dict[int, dict[str, Any]]:
    return yaml.safe_load((PINGTAN / "pages.yaml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the schema


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_the_schema_has_the_keys_the_replica_prints(template: str) -> None:
    printer = templates.ACTIVE_2021 if template == "2021" else templates.ACTIVE_2019
    assert [
        (tuple(k for k, _ in b.columns), tuple(k for k, _ in b.rows)) for b in printer
    ] == [(b.columns, b.rows) for b in schema.ACTIVE_BLOCKS[template]]
    assert schema.application_row_keys(template) == templates.application_row_keys(
        template
    )
    assert schema.OUTCOME_KEYS[template] == templates.outcome_keys(template)


def test_the_schema_has_the_applicant_and_appeal_keys_the_replica_prints() -> None:
    printed = {
        "applicant columns": tuple(k for k, _ in templates.APPLICANT_COLUMNS),
        "applicants": templates.APPLICANT_KEYS,
        "appeal blocks": tuple(k for k, _ in templates.APPEAL_BLOCKS),
        "appeal columns": tuple(k for k, _ in templates.APPEAL_COLUMNS),
    }
    assert printed == {
        "applicant columns": schema.APPLICATION_COLUMN_KEYS,
        "applicants": schema.APPLICANT_KEYS,
        "appeal blocks": schema.APPEAL_BLOCK_KEYS,
        "appeal columns": schema.APPEAL_COLUMN_KEYS,
    }


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_the_schema_patterns_find_every_label_the_replica_prints(template: str) -> None:
    printer = templates.ACTIVE_2021 if template == "2021" else templates.ACTIVE_2019
    for block in printer:
        for key, label in block.rows:
            assert (
                schema.find(schema.ACTIVE_ROWS, schema.normalise_label(label)).key
                == key
            )
        for key, label in block.columns:
            found = schema.find(schema.ACTIVE_COLUMNS, schema.normalise_label(label))
            assert found.key == key
    for group in templates._outcomes(template):
        for key, label in group.rows:
            cells = [
                schema.normalise_label(c)
                for c in ("三、本年度办理结果", group.label, label)
                if c
            ]
            assert schema.application_row("".join(cells), cells[-1], None)[0] == key


# ---------------------------------------------------------------- the replica's printed tables


@pytest.mark.parametrize(
    ("level", "template"),
    [("county", "2021"), ("county", "2019"), ("department", "2021"), ("town", "2019")],
)
def test_printed_templates_read_back_exactly(level: str, template: str) -> None:
    figures = series(level, template)
    tables = read(*printed_grids(template, figures))
    assert tables.template == template
    assert tables.active == plain(figures.active)
    assert tables.applications == plain(figures.applications)
    assert tables.appeals == plain(figures.appeals)
    assert tables.warnings == ()


def test_blank_cells_are_none_without_warnings() -> None:
    figures = blank_zeros(series("department", "2021"))
    tables = read(*printed_grids("2021", figures))
    assert tables.applications == plain(figures.applications)
    assert tables.applications["carried_over"]["total"] is None
    assert tables.active == plain(figures.active)
    assert tables.warnings == ()


def test_a_table_split_over_two_grids_reads_as_one() -> None:
    figures = series("county", "2021")
    active, applications, appeals = printed_grids("2021", figures)
    first, second = Grid(applications.rows[:14]), Grid(applications.rows[14:])
    assert read(active, first, second, appeals) == read(active, applications, appeals)


def test_several_tables_in_one_grid_read_as_separate_tables() -> None:
    figures = series("county", "2019")
    grids = printed_grids("2019", figures)
    tables = read(Grid(tuple(row for g in grids for row in g.rows)))
    assert tables == read(*grids)
    assert tables.applications == plain(figures.applications)


# ---------------------------------------------------------------- the real seeds


@pytest.mark.parametrize("seed", seed_ids())
def test_a_real_seed_text_reads_as_its_hand_read_figures(seed: str) -> None:
    known = load_seed(seed)
    tables = read_tables(read_text((SEED_DIR / f"{seed}.txt").read_bytes()))
    assert tables.template == known.template
    assert tables.active == plain(known.figures.active)
    assert tables.applications == plain(known.figures.applications)
    assert tables.appeals == plain(known.figures.appeals)


def test_a_seed_row_with_an_extra_value_cell_is_read_with_a_warning() -> None:
    tables = read_tables(
        read_text((SEED_DIR / "001_108774158328b12b.txt").read_bytes())
    )
    assert tables.warnings == tuple(
        f"表三 {name}: 8 value cells where 7 were expected; took the last 7"
        for name in (
            "三（六）其他处理 [other]",
            "三（七）总计 [total_handled]",
            "四、结转下年度继续办理 [carried_forward]",
        )
    )


# ---------------------------------------------------------------- the real Pingtan pages


def test_pingtan_2020_table_3_total_column() -> None:
    tables = pingtan(80595)
    assert tables.template == "2019"
    assert {
        row: cells["total"]
        for row, cells in tables.applications.items()
        if cells["total"]
    } == {
        "new_received": 21,
        "granted": 7,
        "partly_granted": 6,
        "unavailable_not_held": 4,
        "unavailable_unclear": 3,
        "not_processed_repeat": 3,
        "other": 4,
        "total_handled": 21,
    }
    assert tables.applications["total_handled"]["natural_person"] == 20
    assert tables.applications["carried_forward"]["total"] == 0


def test_pingtan_2020_table_2_signed_changes_and_an_amount_in_yuan() -> None:
    tables = pingtan(80595)
    assert tables.active["penalty"] == {
        "prev_items": 2648,
        "change": -18,
        "decisions": 538,
    }
    assert tables.active["fees"] == {"prev_items": 35, "change": -15}
    assert tables.active["procurement"] == {"projects": 395, "amount": 73802895.9}
    assert tables.warnings == (
        '表二 政府集中采购/采购总金额 [procurement/amount]: "73802895.90元" read as '
        "73802895.9 (unit 元 dropped)",
    )


def test_pingtan_2021_header_with_a_natural_person_cell_two_columns_wide() -> None:
    # 自然人 spans two columns above 64 and the first half of 商业企业's merged 0.
    tables = pingtan(80613)
    assert tables.template == "2021"
    assert tables.applications["new_received"] == {
        "natural_person": 64,
        "commercial": 0,
        "research": 0,
        "nonprofit": 2,
        "legal_service": 0,
        "other_org": 4,
        "total": 70,
    }
    assert tables.applications["carried_forward"]["total"] == 1
    assert tables.active["normative_documents"] == {
        "issued": 69,
        "repealed": 3,
        "in_force": 665,
    }
    assert tables.warnings == ()


@pytest.mark.parametrize(
    ("docid", "table", "row", "cells"),
    [
        (80576, "active", "normative_documents", {"new_made": 89, "total_published": 89}),
        (80629, "active", "fees", {"amount_10k_yuan": 9116.36}),
        (80629, "applications", "carried_over", {"natural_person": 1, "commercial": 0, "total": 1}),
        (87885, "active", "normative_documents", {"issued": 77, "repealed": 132, "in_force": 470}),
        (97791, "appeals", "litigation_after_review", {"upheld": 13, "other": 4, "total": 19}),
        (105587, "applications", "carried_forward", {"natural_person": 4, "commercial": 2, "total": 6}),
        (105587, "active", "fees", {"amount_10k_yuan": 4166.241619}),
    ],
)  # fmt: skip
def test_pingtan_figures(
    docid: int, table: str, row: str, cells: dict[str, Any]
) -> None:
    read_row = getattr(pingtan(docid), table)[row]
    assert {column: read_row[column] for column in cells} == cells


@pytest.mark.parametrize("docid", sorted(pingtan_pages()))
def test_pingtan_template_by_year_and_no_tables_invented_for_free_form_years(
    docid: int,
) -> None:
    known = pingtan_pages()[docid]
    tables = pingtan(docid)
    if known.get("year", 0) >= 2021:
        assert tables.template == "2021"
    elif known.get("year", 0) >= 2019:
        assert tables.template == "2019"
    else:  # 2011–2018 print their own 指标名称/计量单位 tables; 80787 is a letter
        assert tables == Tables("free", None, None, None, ())
    if tables.template != "free":
        assert (len(tables.active), len(tables.appeals)) == (
            len(schema.active_row_keys(tables.template)),
            3,
        )
        assert len(tables.applications) == len(
            schema.application_row_keys(tables.template)
        )


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("１２", 12),
        ("1,234", 1234),
        ("1，234", 1234),
        ("13914.44", 13914.44),
        ("０.５", 0.5),
        ("0.00", 0.0),
        ("+2", 2),
        ("-1", -1),
        ("－1", -1),
        ("−3", -3),
        (" 7 ", 7),
        ("", None),
        ("\xa0", None),
    ],
)
def test_clean_values(text: str, value: object) -> None:
    parsed = parse_value(text)
    assert parsed == (value, None)
    assert type(parsed.value) is type(value)


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ("-", None, '"-" read as blank'),
        ("/", None, '"/" read as blank'),
        ("—", None, '"—" read as blank'),
        ("无", None, '"无" read as blank'),
        ("不详", None, '"不详" is not a number, read as blank'),
        ("12%", None, '"12%" is not a number, read as blank'),
        ("1,23", None, '"1,23" is not a number, read as blank'),
        ("35元", 35, '"35元" read as 35 (unit 元 dropped)'),
    ],
)
def test_values_that_need_a_warning(text: str, value: object, problem: str) -> None:
    assert parse_value(text) == (value, problem)


def test_none_marks_in_cells_are_none_with_a_warning_naming_the_cell() -> None:
    tables = read(
        grid("""
            第二十条第（一）项 | 第二十条第（一）项 | 第二十条第（一）项 | 第二十条第（一）项
            信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
            规章 | - | / | —
            行政规范性文件 | 3 | 无 | 不详
        """)
    )
    assert tables.active == {
        "regulations": {"issued": None, "repealed": None, "in_force": None},
        "normative_documents": {"issued": 3, "repealed": None, "in_force": None},
    }
    assert tables.warnings[:5] == (
        '表二 规章/本年制发件数 [regulations/issued]: "-" read as blank',
        '表二 规章/本年废止件数 [regulations/repealed]: "/" read as blank',
        '表二 规章/现行有效件数 [regulations/in_force]: "—" read as blank',
        '表二 规范性文件/本年废止件数 [normative_documents/repealed]: "无" read as blank',
        "表二 规范性文件/现行有效件数 [normative_documents/in_force]: "
        '"不详" is not a number, read as blank',
    )


# ---------------------------------------------------------------- label variants


def test_2019_table_2_label_variants() -> None:
    tables = read(
        grid("""
            第二十条第(五)项
            信息内容 | 上一年项目数量(指2019年事项数) | 本年增／减 | 处理决定数量
            1.行政许可 | １２ | +2 | 1,024
            其他对外管理服务事项 | 3 | -1 | 0
            第二十条第（一）项
            信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量
            规范性文件 | 4 | 4 | 40
        """)
    )
    assert tables.template == "2019"
    assert tables.active == {
        "licensing": {"prev_items": 12, "change": 2, "decisions": 1024},
        "other_services": {"prev_items": 3, "change": -1, "decisions": 0},
        "normative_documents": {
            "new_made": 4,
            "new_published": 4,
            "total_published": 40,
        },
    }


TABLE_3_VARIANTS = f"""
    {NOTE} | 申请人情况
    | 自然人 | 法人或其他组织 | 总计
    | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |
    一、本年新收政府信息公开申请数量 | 11 | 0 | 0 | 0 | 0 | 0 | 11
    二、上年结转 | 1 | 0 | 0 | 0 | 0 | 0 | 1
    三、本年度办理结果 | (一)予以公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2
    | （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 1
    | 三（三）1.属于国家秘密 | 1 | 0 | 0 | 0 | 0 | 0 | 1
    | | 7.属于行政执法案卷 | 1 | 0 | 0 | 0 | 0 | 0 | 1
    | 三、（三）8. | 1 | 0 | 0 | 0 | 0 | 0 | 1
    | （四）无法提供 | 1.本机关不掌握相关政府信息 | 3 | 0 | 0 | 0 | 0 | 0 | 3
    | (五) 不 予 处 理 | 5.要求行政机关确 | 1 | 0 | 0 | 0 | 0 | 0 | 1
    | （六）其他处理 | 1.申请人无正当理由逾期不补正 | 1 | 0 | 0 | 0 | 0 | 0 | 1
    3.其他 | | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
    （七）总计 | 12 | 0 | 0 | 0 | 0 | 0 | 12 | |
    四、结转下年度继续办理 | | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def test_table_3_label_variants_and_merged_cells_left_blank() -> None:
    tables = read(grid(TABLE_3_VARIANTS))
    assert tables.template == "2021"
    assert {
        row: cells["natural_person"] for row, cells in tables.applications.items()
    } == {
        "new_received": 11,
        "carried_over": 1,
        "granted": 2,
        "partly_granted": 1,
        "withheld_state_secret": 1,
        "withheld_enforcement_file": 1,
        "withheld_query_matter": 1,
        "unavailable_not_held": 3,
        "not_processed_confirmation": 1,
        "other_no_correction": 1,
        "other_misc": 1,
        "total_handled": 12,
        "carried_forward": 0,
    }
    assert tables.applications["total_handled"]["total"] == 12
    assert tables.warnings[0].startswith(
        "表三: rows not found: 三（三）2.其他法律行政法规禁止公开 [withheld_prohibited_by_law], "
    )


def test_a_transposed_table_3_is_not_read() -> None:
    tables = read(
        grid("""
            申请人 | 一、本年新收政府信息公开申请数量 | 二、上年结转政府信息公开申请数量 | （七）总计
            自然人 | 3 | 0 | 3
            商业企业 | 1 | 0 | 1
        """),
        expand(templates.appeals_grid(plain(series("town", "2021").appeals))),
    )
    assert tables.applications is None
    assert tables.appeals is not None
    assert tables.warnings == (
        "表三 is printed transposed (its rows 一、本年新收政府信息公开申请数量, "
        "二、上年结转政府信息公开申请数量, （七）总计 are columns); not read",
        "standard tables found but their template is not identified",
    )


def test_a_table_3_with_applicant_types_as_row_labels_is_not_read() -> None:
    tables = read(
        grid(f"""
            {NOTE} | 申请人情况
            自然人 | 3 | 0 | 3
            商业企业 | 1 | 0 | 1
        """)
    )
    assert tables.applications is None
    assert tables.warnings == (
        "表三 is printed transposed (applicant type 自然人 is a row); not read",
        "standard tables found but their template is not identified",
    )


def test_a_report_is_read_by_the_template_it_prints() -> None:
    # A 2022 report on the 2019 table 2 but the 2021 table 3: each is read as printed.
    figures_2019 = series("county", "2019")
    figures_2021 = series("county", "2021")
    tables = read(
        expand(templates.active_grid("2019", figures_2019.active)),
        expand(templates.applications_grid("2021", figures_2021.applications)),
    )
    assert tables.template == "2019"
    assert tables.active == plain(figures_2019.active)
    assert tables.applications == plain(figures_2021.applications)
    assert tables.appeals is None
    assert tables.warnings == ("表二 prints the 2019 template, 表三 the 2021 one",)


def test_a_document_without_standard_tables_is_free() -> None:
    tables = read(
        grid("""
            指标名称 | 计量单位 | 2015年度 | 历年累计
            受理依申请公开信息总数 | 条 | 0 | 1
            2、同意部分公开答复数 | 条 | 0 | 0
            3、不予公开答复数 | 条 | 0 | 0
            行政复议数 | 件 | 0 | 0
        """)
    )
    assert tables == Tables("free", None, None, None, ())


# ---------------------------------------------------------------- rows that cannot be read


def test_a_row_printed_twice_keeps_the_first() -> None:
    tables = read(
        grid("""
            第二十条第（五）项
            信息内容 | 本年处理决定数量
            行政许可 | 5
            行政许可 | 6
        """)
    )
    assert tables.active == {"licensing": {"decisions": 5}}
    assert (
        "表二 行政许可 [licensing] is printed twice; kept the first" in tables.warnings
    )


def test_a_row_with_too_few_value_cells_is_not_read() -> None:
    tables = read(
        grid("""
            第二十条第（一）项
            信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
            行政规范性文件 | 3 | 1
            规章 | 0 | 0 | 0
        """)
    )
    assert tables.active == {"regulations": {"issued": 0, "repealed": 0, "in_force": 0}}
    assert tables.warnings == (
        "表二 规范性文件 [normative_documents]: 2 value cells where 3 were expected; not read",
        "表二: rows not found: 规范性文件 [normative_documents], 行政许可 [licensing], "
        "行政处罚 [penalty], 行政强制 [coercion], 行政事业性收费 [fees]",
    )


def test_a_table_4_printed_blank_is_all_none() -> None:
    # Readers drop blank rows, so only the header is left of a blank table 4.
    header = expand(templates.appeals_grid({})).rows[:3]
    tables = read(Grid(header))
    assert tables.appeals == {
        block: dict.fromkeys(schema.APPEAL_COLUMN_KEYS)
        for block in schema.APPEAL_BLOCK_KEYS
    }
    assert tables.warnings == (
        "standard tables found but their template is not identified",
        "表四: no value row under its header; read as blank",
    )
