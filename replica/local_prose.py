"""A body's own words: local specifics that no other body's report shares.

``replica/prose.py`` writes every report from a few stock phrases, so any two
synthetic reports share sentences, as real ones share boilerplate. A copy detector
must not report that; to plant real copies (``replica/casebook.py``) a report needs
prose of its own. Here each sentence names the body's villages, programmes, meetings
and topics and quotes its own numbers, drawn from many fragments, so two bodies
never share a sentence by chance.

A report's words are first a :class:`Draft`: paragraphs whose facts are still
``str.format`` slots (``{short}``, ``{year}``, ``{received}``, local numbers ``{n0}``…)
with the local numbers beside them. :func:`fill` writes the facts in. A copier takes
someone's draft and fills it with other facts: a neighbour's name (or forgets to),
the new year's figures, a few numbers changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from replica.prose import (
    BASIS,
    FEE_PHRASES,
    IMPROVEMENT_PHRASES,
    MANAGEMENT_PHRASES,
    OFFICES,
    PERIOD,
    SUPERVISION_PHRASES,
    TEMPLATE_DOCS,
)

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping

    from replica.model import Body, Figures
    from replica.templates import Table

PREFIXES = "东西南北前后上下大小石河杨柳马王张刘李赵孙高黄青白红桃杏梨枣"
CORES = (
    "家庄",
    "家沟",
    "家峪",
    "家岭",
    "家埠",
    "家河",
    "官庄",
    "泉子",
    "岭后",
    "河崖",
    "辛庄",
    "店子",
    "营子",
    "家屯",
    "家疃",
    "家坡",
    "家洼",
    "桥头",
)
PROGRAMME_HEADS = (
    "阳光",
    "透明",
    "清单",
    "指尖",
    "码上",
    "暖心",
    "便民",
    "惠民",
    "红色",
    "数字",
    "邻里",
    "网格",
    "全域",
    "一站",
    "直通",
    "云端",
    "掌上",
    "田间",
)
PROGRAMME_TAILS = (
    "村务",
    "政务",
    "公开",
    "议事",
    "帮办",
    "代办",
    "服务",
    "直通车",
    "明白纸",
    "会客厅",
    "开放日",
    "微课堂",
    "连心桥",
    "小喇叭",
)
FRAGMENTS: dict[str, tuple[str, ...]] = {
    "topic": (
        "乡村振兴项目",
        "惠民惠农补贴",
        "征地拆迁补偿",
        "低保特困救助",
        "农村危房改造",
        "重大建设项目",
        "财政预决算",
        "义务教育招生",
        "医疗保障待遇",
        "安全生产检查",
        "生态环境保护",
        "耕地保护",
        "河湖长制",
        "就业创业扶持",
        "养老服务补贴",
        "农村人居环境整治",
    ),
    "booklet": (
        "惠民政策明白纸",
        "政务公开工作手册",
        "便民服务指南",
        "政策问答汇编",
        "群众办事一本通",
    ),
    "meeting": (
        "政务公开工作推进会",
        "政务公开领导小组会议",
        "政务公开业务培训会",
        "专题办公会",
        "联席会议",
        "述职评议会",
    ),
    "people": (
        "人大代表和政协委员",
        "村（居）务监督委员会成员",
        "群众代表",
        "网格员",
        "企业代表",
    ),
    "units": ("村（社区）", "科室", "站所", "直属单位"),
    "office": ("党政办公室", "综合办公室", "政务公开办公室", "便民服务中心"),
    "month": tuple(f"{m}月" for m in range(1, 13)),
}
# Own sentences, one list per place in the report. In a pattern, [kind] is a fragment
# (a village, a programme, a topic…) and <lo-hi> a local number; {…} are the slots
# that :func:`fill` writes (the body's names, the year, the table figures). Every
# pattern names the body, its villages or its programmes, and holds enough numbers
# or the year that neither another body nor another year writes the same sentence.
ACTIVE = (
    "{year}年，{short}依托“[programme]”专栏主动公开各类信息<300-900>条，其中[topic]信息<20-90>条。",
    "围绕[topic]，{short}编印《[booklet]》<800-3000>册，在[village]等<6-24>个村（社区）公开栏张贴发放。",
    "全年公开行政许可决定{licensing}件、行政处罚决定{penalty}件，并在[village]政务公开体验点同步公示<10-60>次。",
    "{short}对[topic]实行“一事一公开”，{year}年在[village]、[village]两处公开栏更新<12-48>期。",
    "[month]起，{short}每月<5-28>日集中发布[topic]信息，累计形成信息<40-200>条。",
    "针对群众关注的[topic]，{short}{year}年在“[programme]”平台开设问答栏目，回应留言<15-120>条。",
)
REQUESTS = (
    "{year}年，{short}共收到政府信息公开申请{received}件，予以公开{granted}件，均由[office]专人登记，平均<3-12>个工作日答复。",
    "{year}年受理依申请公开{received}件，其中予以公开{granted}件；[month]在[village]召开依申请公开案例研讨会，<10-40>名干部参会。",
    "{short}在[office]设立依申请公开受理窗口<1-4>个，{year}年收到申请{received}件，予以公开{granted}件。",
)
MANAGEMENT = (
    "[month]，{short}对<20-120>件现行文件逐件复核公开属性，调整为主动公开<2-15>件。",
    "{short}建立“[programme]”台账，{year}年登记待公开事项<30-150>项，按期销号率达<90-99>%。",
    "按照[meeting]部署，{short}{year}年将[topic]纳入公开目录，新增目录条目<8-40>个。",
)
PLATFORMS = (
    "{short}在[village]、[village]新建电子显示屏<2-8>块，全年滚动播放公开信息<100-600>条。",
    "“[programme]”微信公众号全年推送<60-400>期，关注人数达<2000-30000>人。",
    "{year}年[month]，{short}完成<12-60>个政务公开栏标准化改造，统一设置[topic]栏目。",
    "依托“[programme]”小程序，{short}实现[topic]线上查询，全年访问<3000-50000>人次。",
)
SUPERVISION = (
    "[month]，{short}召开[meeting]，<12-60>名[people]参会，逐项点评公开工作。",
    "{short}{year}年聘请<4-15>名[people]担任政务公开监督员，收集意见建议<10-80>条。",
    "{year}年，{short}将政务公开纳入对<8-30>个[units]的年度考核，分值占比<3-10>%，通报<2-12>次。",
)
PROBLEMS = (
    "{short}[village]等偏远村居公开栏更新不够及时，{year}年有<2-9>期延迟张贴、<1-5>处内容缺项。",
    "{short}对[topic]的解读形式单一，全年图解、视频解读仅<1-6>篇，阅读量不足<300-3000>次。",
    "工作人员变动频繁，{year}年{short}<4-9>名信息员中新任职的有<1-3>名，业务能力有待提升。",
    "“[programme]”平台{year}年访问量偏低，月均不足<200-900>人次。",
)
IMPROVEMENTS = (
    "{next}年，{short}将在[village]试点“[programme]”，计划新增公开事项<10-40>项。",
    "下一步，{short}计划{next}年每季度组织<1-3>次业务培训，覆盖<20-80>名信息员。",
    "{short}将于{next}年[month]前完成[topic]专栏改版，并邀请<5-20>名[people]参与评议。",
)
ORDINALS = "一二三四"
TOKEN = re.compile(r"\[(\w+)\]|<(\d+)-(\d+)>")
SENTENCE = re.compile(r"[^。]+。")


@dataclass(frozen=True, slots=True)
class Locale:
    """What a body's sentences name: its villages and its programmes."""

    villages: tuple[str, ...]
    programmes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Draft:
    """A report's words with its facts as slots: what a copier copies and edits.

    ``own`` holds the templates of the body's own sentences (each also sits in one
    of the paragraphs); ``numbers`` the local numbers they quote (``n0``, ``n1``…).
    """

    intro: tuple[str, ...]
    general: tuple[str, ...]
    problems: tuple[str, ...]
    other: tuple[str, ...]
    own: tuple[str, ...]
    numbers: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Facts:
    """What fills a draft: whose names, which year, which figures and local numbers."""

    name: str
    short: str
    year: int
    figures: Figures
    numbers: Mapping[str, int]


def locale(rng: random.Random) -> Locale:
    """Four villages and two programmes of one body."""
    villages = rng.sample([p + c for p in PREFIXES for c in CORES], 4)
    programmes = rng.sample(
        [h + t for h in PROGRAMME_HEADS for t in PROGRAMME_TAILS], 2
    )
    return Locale(
        tuple(v + rng.choice(("村", "村", "社区")) for v in villages), tuple(programmes)
    )


class _Writer:
    """Turns patterns into templates, numbering the local numbers as it goes."""

    def __init__(self, place: Locale, rng: random.Random) -> None:
        self.place, self.rng = place, rng
        self.numbers: dict[str, int] = {}
        self.own: list[str] = []
        self._villages: list[str] = []

    def _token(self, match: re.Match[str]) -> str:
        kind, low, high = match.groups()
        if kind == "village":  # two villages of one sentence are two villages
            return self._villages.pop()
        if kind == "programme":
            return self.rng.choice(self.place.programmes)
        if kind:
            return self.rng.choice(FRAGMENTS[kind])
        slot = f"n{len(self.numbers)}"
        self.numbers[slot] = self.rng.randint(int(low), int(high))
        return "{" + slot + "}"

    def pick(self, patterns: tuple[str, ...], count: int) -> list[str]:
        """``count`` different patterns, written out."""
        written = []
        for pattern in self.rng.sample(patterns, count):
            villages = self.place.villages
            self._villages = self.rng.sample(villages, len(villages))
            written.append(TOKEN.sub(self._token, pattern))
        self.own += written
        return written

    def sentences(self, patterns: tuple[str, ...], count: int) -> str:
        return "".join(self.pick(patterns, count))


def draft(
    body: Body, year: int, template: str, tel: str, place: Locale, rng: random.Random
) -> Draft:
    """A templated report's words for ``body`` in ``year``: stock phrases around its own.

    ``body.level`` is county, department or town (it picks the contact office).
    """
    write = _Writer(place, rng)
    problems = [
        ORDINALS[i] + "是" + text for i, text in enumerate(write.pick(PROBLEMS, 2))
    ]
    general = (
        "（一）主动公开。" + write.sentences(ACTIVE, 2),
        "（二）依申请公开。" + write.sentences(REQUESTS, 1),
        "（三）政府信息管理。"
        + rng.choice(MANAGEMENT_PHRASES)
        + write.sentences(MANAGEMENT, 1),
        "（四）政府信息公开平台建设。" + write.sentences(PLATFORMS, 2),
        "（五）监督保障。"
        + write.sentences(SUPERVISION, 1)
        + rng.choice(SUPERVISION_PHRASES),
    )
    intro = (
        BASIS.format(doc=TEMPLATE_DOCS[template], year="{year}", name="{name}"),
        PERIOD.format(
            year="{year}", name="{name}", office=OFFICES[body.level], tel=tel
        ),
    )
    return Draft(
        intro=intro,
        general=general,
        problems=(
            f"{{year}}年，{{short}}政府信息公开工作仍存在一些不足：{''.join(problems)}",
            write.sentences(IMPROVEMENTS, 1) + rng.choice(IMPROVEMENT_PHRASES),
        ),
        other=(rng.choice(FEE_PHRASES),),
        own=tuple(write.own),
        numbers=dict(write.numbers),
    )


def figure_slots(figures: Figures) -> dict[str, int]:
    """The table figures the prose quotes, by slot name."""
    applications = figures.applications or {}
    active = figures.active or {}

    def cell(table: Table, row: str, column: str) -> int:
        return int(table.get(row, {}).get(column) or 0)

    return {
        "received": cell(applications, "new_received", "total"),
        "granted": cell(applications, "granted", "total"),
        "licensing": cell(active, "licensing", "decisions"),
        "penalty": cell(active, "penalty", "decisions"),
    }


def slots(facts: Facts) -> dict[str, object]:
    """Every slot a draft may name, filled from ``facts``."""
    return {
        "name": facts.name,
        "short": facts.short,
        "year": facts.year,
        "next": facts.year + 1,
        **figure_slots(facts.figures),
        **facts.numbers,
    }


def fill(text: str, facts: Facts) -> str:
    """A template with its facts written in."""
    return text.format_map(slots(facts))


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph (each up to and with its 。)."""
    return SENTENCE.findall(text)
