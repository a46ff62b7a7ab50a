"""The standard tables' canonical keys (docs/report-format.md) and the labels that find them.

The keys are the single place where the templates' Chinese labels meet identifiers.
Patterns run on :func:`normalise_label` text (NFKC, no white space), so full-width and
half-width punctuation, digits and slashes look alike ("本年增／减" = "本年增/减",
"（三）" = "(三)"); they search for the distinctive part of a label, so numbering
prefixes ("三、（三）1."), header notes ("上一年项目数量(指2019年事项数)") and labels cut
short by a page or a text extraction still match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from processors.normal import normalise

Template = Literal["2021", "2019", "free"]  # "free": no standard tables recognised
TEMPLATES: tuple[Template, ...] = ("2021", "2019")


def normalise_label(text: str) -> str:
    """NFKC without white space: the form every pattern below is written for."""
    return normalise(text)


@dataclass(frozen=True, slots=True)
class Label:
    """A canonical key, its name in messages, and the pattern that finds it in a label."""

    key: str
    name: str
    pattern: re.Pattern[str]

    def matches(self, label: str) -> bool:
        return bool(self.pattern.search(label))


def _labels(*items: tuple[str, str, str]) -> tuple[Label, ...]:
    return tuple(Label(key, name, re.compile(pattern)) for key, name, pattern in items)


def find(labels: tuple[Label, ...], label: str) -> Label | None:
    """The first of ``labels`` whose pattern matches the (normalised) ``label``."""
    return next((item for item in labels if item.matches(label)), None)


def names(labels: tuple[Label, ...]) -> dict[str, str]:
    return {item.key: item.name for item in labels}


# ---------------------------------------------------------------- table 2 (主动公开)


@dataclass(frozen=True, slots=True)
class ActiveBlock:
    """One 第二十条 block of table 2: its item number, column keys and row keys."""

    item: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]


ACTIVE_BLOCKS: dict[Template, tuple[ActiveBlock, ...]] = {
    "2021": (
        ActiveBlock(
            "一",
            ("issued", "repealed", "in_force"),
            ("regulations", "normative_documents"),
        ),
        ActiveBlock("五", ("decisions",), ("licensing",)),
        ActiveBlock("六", ("decisions",), ("penalty", "coercion")),
        ActiveBlock("八", ("amount_10k_yuan",), ("fees",)),
    ),
    "2019": (
        ActiveBlock(
            "一",
            ("new_made", "new_published", "total_published"),
            ("regulations", "normative_documents"),
        ),
        ActiveBlock(
            "五",
            ("prev_items", "change", "decisions"),
            ("licensing", "other_services"),
        ),
        ActiveBlock(
            "六", ("prev_items", "change", "decisions"), ("penalty", "coercion")
        ),
        ActiveBlock("八", ("prev_items", "change"), ("fees",)),
        ActiveBlock("九", ("projects", "amount"), ("procurement",)),
    ),
}
ACTIVE_HEADING = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")
ACTIVE_CORNER = re.compile(r"信息内容")
ACTIVE_ROWS = _labels(
    ("regulations", "规章", r"规章"),
    ("normative_documents", "规范性文件", r"规范性文件"),
    ("licensing", "行政许可", r"行政许可"),
    ("other_services", "其他对外管理服务事项", r"其他对外管理服务"),
    ("penalty", "行政处罚", r"行政处罚"),
    ("coercion", "行政强制", r"行政强制"),
    ("fees", "行政事业性收费", r"事业性收费"),
    ("procurement", "政府集中采购", r"集中采购|政府采购"),
)
# Column keys printed only by one template tell the template apart; 处理决定数量 is in both.
ACTIVE_COLUMNS = _labels(
    ("issued", "本年制发件数", r"制发"),
    ("repealed", "本年废止件数", r"废止"),
    ("in_force", "现行有效件数", r"现行有效"),
    ("amount_10k_yuan", "本年收费金额（单位：万元）", r"收费金额"),
    ("decisions", "处理决定数量", r"处理决定"),
    ("new_made", "本年新制作数量", r"新制作"),
    ("new_published", "本年新公开数量", r"新公开"),
    ("total_published", "对外公开总数量", r"对外公开总"),
    ("prev_items", "上一年项目数量", r"上一?年.{0,2}项目"),
    ("change", "本年增/减", r"增.{0,2}减"),
    ("projects", "采购项目数量", r"采购项目"),
    ("amount", "采购总金额", r"采购.{0,2}金额"),
)
_ACTIVE_COLUMN_SETS = {
    template: {key for block in blocks for key in block.columns}
    for template, blocks in ACTIVE_BLOCKS.items()
}
# The template a column label belongs to, for the labels only one template prints.
ACTIVE_COLUMN_TEMPLATE: dict[str, Template] = {
    key: template
    for template, keys in _ACTIVE_COLUMN_SETS.items()
    for key in keys
    if sum(key in other for other in _ACTIVE_COLUMN_SETS.values()) == 1
}


def active_block_of(template: Template, row: str) -> ActiveBlock | None:
    """The block of ``template`` that holds ``row`` (None if the template has no such row)."""
    return next((b for b in ACTIVE_BLOCKS[template] if row in b.rows), None)


def active_row_keys(template: Template) -> tuple[str, ...]:
    return tuple(row for block in ACTIVE_BLOCKS[template] for row in block.rows)


# ---------------------------------------------------------------- table 3 (依申请)

APPLICANT_COLUMNS = _labels(
    ("natural_person", "自然人", r"自然人"),
    ("commercial", "商业企业", r"商业企业"),
    ("research", "科研机构", r"科研机构"),
    ("nonprofit", "社会公益组织", r"公益组织"),
    ("legal_service", "法律服务机构", r"法律服务"),
    ("other_org", "其他", r"^其他(组织)?$"),
    ("total", "总计", r"^(总计|合计)$"),
)
APPLICANT_KEYS = tuple(item.key for item in APPLICANT_COLUMNS[:-1])
APPLICATION_COLUMN_KEYS = tuple(item.key for item in APPLICANT_COLUMNS)
# Words only table 3's header prints (总计 and 其他 are in other tables too).
APPLICATION_HEADER = re.compile(
    r"申请人情况|自然人|商业企业|科研机构|公益组织|法律服务机构"
)

# The rows outside 三、本年度办理结果, found by their own words.
APPLICATION_TOP = _labels(
    ("new_received", "一、本年新收", r"新收"),
    ("carried_over", "二、上年结转", r"上年结转"),
    ("carried_forward", "四、结转下年度继续办理", r"结转下年"),
)


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    """A 三（x） group: its number, the words of its label, and its rows in order.

    A group with one unlabelled row (予以公开, 部分公开, 2019's 其他处理, 总计) has
    that row as ``single``; the others are found by sub-label or by ordinal.
    """

    number: str
    pattern: re.Pattern[str]
    rows: tuple[Label, ...] = ()
    single: str | None = None


OTHER_2021 = _labels(
    ("other_no_correction", "三（六）1.逾期不补正", r"不补正"),
    ("other_no_fee", "三（六）2.逾期未缴费", r"缴纳|缴费|收费通知"),
    ("other_misc", "三（六）3.其他", r"^(\d+\.?)?其他$"),
)
OUTCOME_GROUPS: tuple[OutcomeGroup, ...] = (
    OutcomeGroup("一", re.compile(r"予以公开"), single="granted"),
    OutcomeGroup("二", re.compile(r"部分公开"), single="partly_granted"),
    OutcomeGroup(
        "三",
        re.compile(r"不予公开"),
        _labels(
            ("withheld_state_secret", "三（三）1.属于国家秘密", r"国家秘密"),
            (
                "withheld_prohibited_by_law",
                "三（三）2.其他法律行政法规禁止公开",
                r"禁止公开",
            ),
            (
                "withheld_security_stability",
                "三（三）3.危及“三安全一稳定”",
                r"三安全|一稳定|危及",
            ),
            ("withheld_third_party", "三（三）4.保护第三方合法权益", r"第三方"),
            (
                "withheld_internal_affairs",
                "三（三）5.属于三类内部事务信息",
                r"内部事务",
            ),
            ("withheld_process_info", "三（三）6.属于四类过程性信息", r"过程性"),
            ("withheld_enforcement_file", "三（三）7.属于行政执法案卷", r"执法案卷"),
            ("withheld_query_matter", "三（三）8.属于行政查询事项", r"查询事项"),
        ),
    ),
    OutcomeGroup(
        "四",
        re.compile(r"无法提供"),
        _labels(
            ("unavailable_not_held", "三（四）1.本机关不掌握", r"不掌握"),
            (
                "unavailable_needs_creation",
                "三（四）2.没有现成信息需要另行制作",
                r"另行制作|现成信息",
            ),
            ("unavailable_unclear", "三（四）3.补正后申请内容仍不明确", r"不明确"),
        ),
    ),
    OutcomeGroup(
        "五",
        re.compile(r"不予处理"),
        _labels(
            ("not_processed_petition", "三（五）1.信访举报投诉类", r"信访|举报|投诉"),
            ("not_processed_repeat", "三（五）2.重复申请", r"重复申请"),
            ("not_processed_publication", "三（五）3.要求提供公开出版物", r"出版物"),
            (
                "not_processed_excessive",
                "三（五）4.无正当理由大量反复申请",
                r"大量反复|大量|反复申请",
            ),
            (
                "not_processed_confirmation",
                "三（五）5.要求确认或重新出具已获取信息",
                r"确认|重新出具",
            ),
        ),
    ),
    OutcomeGroup("六", re.compile(r"其他处理"), OTHER_2021, single="other"),
    OutcomeGroup("七", re.compile(r"总计|合计"), single="total_handled"),
)
GROUP_NUMBER = re.compile(r"\(([一二三四五六七])\)")
ORDINAL = re.compile(r"(?:^|\))(\d{1,2})[.、]")  # "3.其他", "三、(三)8."
OUTCOME_KEYS: dict[str, tuple[str, ...]] = {
    "2021": (
        "granted",
        "partly_granted",
        *(row.key for g in OUTCOME_GROUPS[2:6] for row in g.rows),
    ),
    "2019": (
        "granted",
        "partly_granted",
        *(row.key for g in OUTCOME_GROUPS[2:5] for row in g.rows),
        "other",
    ),
}
APPLICATION_ROW_NAMES: dict[str, str] = {
    **names(APPLICATION_TOP),
    "granted": "三（一）予以公开",
    "partly_granted": "三（二）部分公开",
    **{row.key: row.name for group in OUTCOME_GROUPS for row in group.rows},
    "other": "三（六）其他处理",
    "total_handled": "三（七）总计",
}


def application_row_keys(template: Template) -> tuple[str, ...]:
    """Every row key of table 3 under ``template``, top to bottom."""
    return (
        "new_received",
        "carried_over",
        *OUTCOME_KEYS[template],
        "total_handled",
        "carried_forward",
    )


def outcome_group(label: str) -> OutcomeGroup | None:
    """The 三（x） group a row label names, by its number or by its words."""
    number = GROUP_NUMBER.search(label)
    if number:
        return next(g for g in OUTCOME_GROUPS if g.number == number.group(1))
    return next((g for g in OUTCOME_GROUPS if g.pattern.search(label)), None)


def application_row(
    label: str, last_cell: str, group: OutcomeGroup | None
) -> tuple[str | None, OutcomeGroup | None]:
    """The table-3 row key of a row label, and the group later rows inherit.

    :param label: the row's label cells joined and normalised.
    :param last_cell: the last label cell alone (the sub-label, "3.其他").
    :param group: the group of the rows above (merged label cells a reader left empty).
    """
    top = find(APPLICATION_TOP, label)
    if top:
        return top.key, None
    group = outcome_group(label) or group
    if group is None:
        return None, None
    sub = find(group.rows, last_cell) or find(group.rows, label)
    if sub is None:
        ordinal = ORDINAL.search(last_cell)
        if ordinal and 0 < int(ordinal.group(1)) <= len(group.rows):
            sub = group.rows[int(ordinal.group(1)) - 1]
    if sub is not None:
        return sub.key, group
    if group.single and not ORDINAL.search(last_cell):
        return group.single, group
    return None, group


def looks_like_application_row(label: str) -> bool:
    """Whether a label names a table-3 row (to spot a table printed transposed)."""
    return find(APPLICATION_TOP, label) is not None or bool(GROUP_NUMBER.search(label))


# ---------------------------------------------------------------- table 4 (复议诉讼)

APPEAL_BLOCKS = _labels(
    ("review", "行政复议", r"行政复议"),
    ("litigation_direct", "未经复议直接起诉", r"未经复议|直接起诉"),
    ("litigation_after_review", "复议后起诉", r"复议后"),
)
APPEAL_COLUMNS = _labels(
    ("upheld", "结果维持", r"维持"),
    ("corrected", "结果纠正", r"纠正"),
    ("other", "其他结果", r"其他结果"),
    ("pending", "尚未审结", r"审结"),
    ("total", "总计", r"^(总计|合计)$"),
)
APPEAL_BLOCK_KEYS = tuple(item.key for item in APPEAL_BLOCKS)
APPEAL_COLUMN_KEYS = tuple(item.key for item in APPEAL_COLUMNS)
APPEAL_PARTS = APPEAL_COLUMN_KEYS[:-1]

TABLE_NAMES = {"active": "表二", "applications": "表三", "appeals": "表四"}
ROW_NAMES: dict[str, dict[str, str]] = {
    "active": names(ACTIVE_ROWS),
    "applications": APPLICATION_ROW_NAMES,
    "appeals": names(APPEAL_BLOCKS),
}
COLUMN_NAMES: dict[str, dict[str, str]] = {
    "active": names(ACTIVE_COLUMNS),
    "applications": names(APPLICANT_COLUMNS),
    "appeals": names(APPEAL_COLUMNS),
}


def cell_name(table: str, row: str, column: str) -> str:
    """A cell as messages name it: ``三（七）总计/总计 [total_handled/total]``."""
    row_name = ROW_NAMES[table].get(row, row)
    column_name = COLUMN_NAMES[table].get(column, column)
    return f"{row_name}/{column_name} [{row}/{column}]"
