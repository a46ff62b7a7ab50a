"""The printed shape of the three standard tables, as the official templates lay them out.

The replica writes documents; it does not read them. These definitions are the
*printed* labels of 国办公开办函〔2019〕60号 and 〔2021〕30号 (see
``docs/report-format.md``), keyed by the canonical keys the processors must
recover. ``Grid`` is the one table model every renderer (HTML, PDF, DOCX, text)
draws from, so the same report looks the same in every format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Value = int | float | None
Table = Mapping[str, Mapping[str, Value]]

# ---------------------------------------------------------------- table 2 (主动公开)


@dataclass(frozen=True, slots=True)
class ActiveBlock:
    """One 第二十条 block: a header line, its column labels and its rows."""

    heading: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, str], ...]


ACTIVE_2021: tuple[ActiveBlock, ...] = (
    ActiveBlock(
        "第二十条第（一）项",
        (
            ("issued", "本年制发件数"),
            ("repealed", "本年废止件数"),
            ("in_force", "现行有效件数"),
        ),
        (("regulations", "规章"), ("normative_documents", "行政规范性文件")),
    ),
    ActiveBlock(
        "第二十条第（五）项",
        (("decisions", "本年处理决定数量"),),
        (("licensing", "行政许可"),),
    ),
    ActiveBlock(
        "第二十条第（六）项",
        (("decisions", "本年处理决定数量"),),
        (("penalty", "行政处罚"), ("coercion", "行政强制")),
    ),
    ActiveBlock(
        "第二十条第（八）项",
        (("amount_10k_yuan", "本年收费金额（单位：万元）"),),
        (("fees", "行政事业性收费"),),
    ),
)

_ITEMS_2019 = (("prev_items", "上一年项目数量"), ("change", "本年增/减"))
ACTIVE_2019: tuple[ActiveBlock, ...] = (
    ActiveBlock(
        "第二十条第（一）项",
        (
            ("new_made", "本年新制作数量"),
            ("new_published", "本年新公开数量"),
            ("total_published", "对外公开总数量"),
        ),
        (("regulations", "规章"), ("normative_documents", "规范性文件")),
    ),
    ActiveBlock(
        "第二十条第（五）项",
        (*_ITEMS_2019, ("decisions", "处理决定数量")),
        (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")),
    ),
    ActiveBlock(
        "第二十条第（六）项",
        (*_ITEMS_2019, ("decisions", "处理决定数量")),
        (("penalty", "行政处罚"), ("coercion", "行政强制")),
    ),
    ActiveBlock(
        "第二十条第（八）项",
        _ITEMS_2019,
        (("fees", "行政事业性收费"),),
    ),
    ActiveBlock(
        "第二十条第（九）项",
        (("projects", "采购项目数量"), ("amount", "采购总金额")),
        (("procurement", "政府集中采购"),),
    ),
)

# ---------------------------------------------------------------- table 3 (依申请)

APPLICANT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("nonprofit", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
APPLICANT_KEYS: tuple[str, ...] = tuple(k for k, _ in APPLICANT_COLUMNS[:-1])


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    """A 三（x） group of result rows; ``label`` is None for single-row groups."""

    label: str
    rows: tuple[tuple[str, str], ...] = field(default=())


def _outcomes(template: str) -> tuple[OutcomeGroup, ...]:
    other = (
        OutcomeGroup(
            "（六）其他处理",
            (
                (
                    "other_no_correction",
                    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                ),
                (
                    "other_no_fee",
                    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                ),
                ("other_misc", "3.其他"),
            ),
        )
        if template == "2021"
        else OutcomeGroup("（六）其他处理", (("other", ""),))
    )
    return (
        OutcomeGroup("（一）予以公开", (("granted", ""),)),
        OutcomeGroup(
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            (("partly_granted", ""),),
        ),
        OutcomeGroup(
            "（三）不予公开",
            (
                ("withheld_state_secret", "1.属于国家秘密"),
                ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
                ("withheld_security_stability", "3.危及“三安全一稳定”"),
                ("withheld_third_party", "4.保护第三方合法权益"),
                ("withheld_internal_affairs", "5.属于三类内部事务信息"),
                ("withheld_process_info", "6.属于四类过程性信息"),
                ("withheld_enforcement_file", "7.属于行政执法案卷"),
                ("withheld_query_matter", "8.属于行政查询事项"),
            ),
        ),
        OutcomeGroup(
            "（四）无法提供",
            (
                ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
                ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
                ("unavailable_unclear", "3.补正后申请内容仍不明确"),
            ),
        ),
        OutcomeGroup(
            "（五）不予处理",
            (
                ("not_processed_petition", "1.信访举报投诉类申请"),
                ("not_processed_repeat", "2.重复申请"),
                ("not_processed_publication", "3.要求提供公开出版物"),
                ("not_processed_excessive", "4.无正当理由大量反复申请"),
                (
                    "not_processed_confirmation",
                    "5.要求行政机关确认或重新出具已获取信息",
                ),
            ),
        ),
        other,
    )


def outcome_keys(template: str) -> tuple[str, ...]:
    """The result rows 三（一）…（六） that must add up to 三（七）总计."""
    return tuple(key for group in _outcomes(template) for key, _ in group.rows)


def application_row_keys(template: str) -> tuple[str, ...]:
    """Every row key of table 3, top to bottom."""
    return (
        "new_received",
        "carried_over",
        *outcome_keys(template),
        "total_handled",
        "carried_forward",
    )


# ---------------------------------------------------------------- table 4 (复议诉讼)

APPEAL_BLOCKS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
APPEAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)

# ---------------------------------------------------------------- the grid model


@dataclass(frozen=True, slots=True)
class Cell:
    """One printed cell: its text and how many rows/columns it spans.

    ``vertical`` marks the narrow one-character-per-line label cells of the Word
    original; ``split`` asks renderers to break a label over several lines the
    way Word-pasted HTML does ("三、本 / 年度办 / 理结果").
    """

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    vertical: bool = False
    split: int = 0


Grid = tuple[tuple[Cell, ...], ...]


def format_value(value: Value, *, signed: bool = False) -> str:
    """Print a figure the way reports do: blank for None, '+2' for changes."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if signed and value > 0:
        return f"+{value}"
    return str(value)


def active_grid(template: str, table: Table) -> Grid:
    """Table 2 as printed: four columns, one header line per 第二十条 block."""
    blocks = ACTIVE_2021 if template == "2021" else ACTIVE_2019
    width = 4
    rows: list[tuple[Cell, ...]] = []
    for block in blocks:
        rows.append((Cell(block.heading, colspan=width, header=True),))
        rows.append(_label_row("信息内容", block.columns, width))
        for key, label in block.rows:
            values = [
                format_value(table.get(key, {}).get(col), signed=col == "change")
                for col, _ in block.columns
            ]
            rows.append(_value_row(label, values, width))
    return tuple(rows)


def _label_row(
    first: str, columns: tuple[tuple[str, str], ...], width: int
) -> tuple[Cell, ...]:
    cells = [Cell(first, header=True)]
    cells += [Cell(label, header=True) for _, label in columns]
    return _pad(cells, width)


def _value_row(label: str, values: list[str], width: int) -> tuple[Cell, ...]:
    return _pad([Cell(label), *(Cell(v) for v in values)], width)


def _pad(cells: list[Cell], width: int) -> tuple[Cell, ...]:
    """Stretch the last cell over the unused columns, as Word tables do."""
    used = sum(c.colspan for c in cells)
    if used < width:
        last = cells[-1]
        cells[-1] = Cell(
            last.text, colspan=last.colspan + width - used, header=last.header
        )
    return tuple(cells)


def applications_grid(template: str, table: Table) -> Grid:
    """Table 3 as printed: three label columns, seven applicant columns."""
    rows: list[tuple[Cell, ...]] = [
        (
            Cell(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                rowspan=3,
                colspan=3,
                header=True,
            ),
            Cell("申请人情况", colspan=7, header=True),
        ),
        (
            Cell("自然人", rowspan=2, header=True),
            Cell("法人或其他组织", colspan=5, header=True),
            Cell("总计", rowspan=2, header=True),
        ),
        tuple(
            Cell(label, header=True, split=2) for _, label in APPLICANT_COLUMNS[1:-1]
        ),
    ]

    def values(key: str) -> list[Cell]:
        row = table.get(key, {})
        return [Cell(format_value(row.get(col))) for col, _ in APPLICANT_COLUMNS]

    rows.append(
        (Cell("一、本年新收政府信息公开申请数量", colspan=3), *values("new_received"))
    )
    rows.append(
        (Cell("二、上年结转政府信息公开申请数量", colspan=3), *values("carried_over"))
    )
    groups = _outcomes(template)
    span = sum(len(g.rows) for g in groups) + 1
    first = True
    for group in groups:
        for index, (key, label) in enumerate(group.rows):
            lead: list[Cell] = []
            if first:
                lead.append(
                    Cell("三、本年度办理结果", rowspan=span, vertical=True, split=3)
                )
                first = False
            if not label:
                lead.append(Cell(group.label, colspan=2))
            elif index == 0:
                lead += [
                    Cell(group.label, rowspan=len(group.rows), vertical=True),
                    Cell(label),
                ]
            else:
                lead.append(Cell(label))
            rows.append((*lead, *values(key)))
    rows.append((Cell("（七）总计", colspan=2), *values("total_handled")))
    rows.append((Cell("四、结转下年度继续办理", colspan=3), *values("carried_forward")))
    return tuple(rows)


def appeals_grid(table: Table) -> Grid:
    """Table 4 as printed: 行政复议 (5 columns) and 行政诉讼 (2 × 5 columns)."""
    labels = [label for _, label in APPEAL_COLUMNS]
    head2: list[Cell] = [
        Cell(label, rowspan=2, header=True, split=2) for label in labels
    ]
    head2 += [Cell(APPEAL_BLOCKS[1][1], colspan=5, header=True)]
    head2 += [Cell(APPEAL_BLOCKS[2][1], colspan=5, header=True)]
    head3 = [Cell(label, header=True, split=2) for label in labels * 2]
    values = [
        Cell(format_value(table.get(block, {}).get(col)))
        for block, _ in APPEAL_BLOCKS
        for col, _ in APPEAL_COLUMNS
    ]
    return (
        (
            Cell("行政复议", colspan=5, header=True),
            Cell("行政诉讼", colspan=10, header=True),
        ),
        tuple(head2),
        tuple(head3),
        tuple(values),
    )


def grid_width(grid: Grid) -> int:
    """Number of columns of a grid, counting cells that earlier rows span into."""
    occupied: set[tuple[int, int]] = set()
    width = 0
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            occupied.update(
                (r + dr, c + dc)
                for dr in range(cell.rowspan)
                for dc in range(cell.colspan)
            )
            c += cell.colspan
        width = max(width, c)
    return width
