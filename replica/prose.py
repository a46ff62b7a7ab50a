"""The words of a synthetic report: intro, the six sections, the free-form layout.

Sentences are drawn from the stock phrases real reports use, with the report's
own figures quoted where real reports quote them, so the prose never contradicts
the tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from replica.model import Body, Figures, Section

if TYPE_CHECKING:
    import random

TEMPLATE_DOCS = {"2021": "国办公开办函〔2021〕30号", "2019": "国办公开办函〔2019〕60号"}
OFFICES = {"county": "党政办公室", "department": "办公室", "town": "党政办公室"}
# The opening paragraphs every templated report prints (str.format fields).
BASIS = (
    "根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）"
    "和《中华人民共和国政府信息公开工作年度报告格式》（{doc}）要求，"
    "结合{year}年{name}政府信息公开工作实际，编制本报告。"
)
PERIOD = (
    "本报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
    "本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"
    "如对本报告有疑问，请与{name}{office}联系（电话：{tel}）。"
)

ACTIVE_PHRASES = (
    "全年通过门户网站主动公开政府信息{n}条，其中政策文件{p}条，工作动态{w}条。",
    "依托政府门户网站政务公开专栏，全年共主动公开各类政府信息{n}条，及时更新机构职能、政策文件、财政预决算等内容。",
    "坚持“公开为常态、不公开为例外”，全年主动公开政府信息{n}条，同步发布政策解读{p}篇。",
)
REQUEST_PHRASES = (
    "全年共收到政府信息公开申请{a}件，均在法定期限内予以答复。",
    "{year}年共受理依申请公开{a}件，办理过程规范，答复内容准确。",
    "规范依申请公开办理流程，全年新收政府信息公开申请{a}件，上年结转{c}件。",
)
MANAGEMENT_PHRASES = (
    "严格落实公文公开属性源头认定和保密审查机制，坚持“先审查、后公开”。",
    "健全政府信息全生命周期管理，动态更新政府信息公开指南和公开目录。",
    "加强政策文件清理，及时公开现行有效的行政规范性文件。",
)
PLATFORM_PHRASES = (
    "充分发挥政府网站第一平台作用，优化政务公开专栏设置。",
    "加强政务新媒体管理，全年通过微信公众号发布信息{m}条。",
    "完善政府信息公开专栏，设置公开栏和电子显示屏，方便群众查阅。",
)
SUPERVISION_PHRASES = (
    "将政务公开工作纳入年度考核，定期开展自查，未发生因政府信息公开引起的责任追究。",
    "明确专人负责政务公开工作，主要负责人定期听取工作汇报。",
)
PROBLEM_PHRASES = (
    "{year}年，{short}政府信息公开工作虽取得一定成效，但仍存在公开内容不够全面、政策解读形式较为单一等问题。",
    "工作中仍存在一些不足：一是工作人员业务能力有待提高；二是信息更新的及时性有待加强。",
)
IMPROVEMENT_PHRASES = (
    "下一步，将进一步完善工作机制，加强业务培训，提升政务公开工作的规范化水平。",
    "下一步，将聚焦群众关切，丰富解读形式，持续提升政府信息公开质量和实效。",
)
FEE_PHRASES = (
    "{year}年，{short}未收取政府信息公开信息处理费。",
    "本年度无依据《政府信息公开信息处理费管理办法》收取信息处理费的情况。",
)


def _total(figures: Figures, row: str) -> int:
    return int((figures.applications or {}).get(row, {}).get("total") or 0)


def intro(
    body: Body, year: int, template: str, rng: random.Random, typo: bool = False
) -> tuple[str, ...]:
    """The opening paragraphs: legal basis and statistics period (统计期限)."""
    year_text = f"{year}20" if typo else str(year)
    basis = BASIS.format(doc=TEMPLATE_DOCS[template], year=year_text, name=body.name)
    office = OFFICES[body.level]
    tel = f"0{rng.randint(531, 539)}-{rng.randint(3000000, 8999999)}"
    period = PERIOD.format(year=year, name=body.name, office=office, tel=tel)
    return basis, period


def templated_sections(
    body: Body, year: int, figures: Figures, rng: random.Random
) -> tuple[Section, ...]:
    """Sections 一 to 六 of a 2019/2021-template report."""
    published = (
        rng.randint(60, 900) if body.level != "county" else rng.randint(2000, 12000)
    )
    fill = {
        "n": published,
        "p": rng.randint(2, 40),
        "w": published // 2,
        "a": _total(figures, "new_received"),
        "c": _total(figures, "carried_over"),
        "m": rng.randint(50, 800),
        "year": year,
        "short": body.short,
    }
    general = (
        "（一）主动公开。" + rng.choice(ACTIVE_PHRASES).format(**fill),
        "（二）依申请公开。" + rng.choice(REQUEST_PHRASES).format(**fill),
        "（三）政府信息管理。" + rng.choice(MANAGEMENT_PHRASES),
        "（四）政府信息公开平台建设。" + rng.choice(PLATFORM_PHRASES).format(**fill),
        "（五）监督保障。" + rng.choice(SUPERVISION_PHRASES),
    )
    return (
        Section("一、总体情况", general),
        Section("二、主动公开政府信息情况", table="active"),
        Section("三、收到和处理政府信息公开申请情况", table="applications"),
        Section("四、政府信息公开行政复议、行政诉讼情况", table="appeals"),
        Section(
            "五、存在的主要问题及改进情况",
            (
                rng.choice(PROBLEM_PHRASES).format(**fill),
                rng.choice(IMPROVEMENT_PHRASES),
            ),
        ),
        Section("六、其他需要报告的事项", (rng.choice(FEE_PHRASES).format(**fill),)),
    )


def free_sections(
    body: Body, year: int, figures: Figures, rng: random.Random
) -> tuple[Section, ...]:
    """The pre-2019 free-form layout: numbers only in sentences, no tables."""
    apps = figures.applications or {}
    received = _total(figures, "new_received")
    granted = int(apps.get("granted", {}).get("total") or 0)
    published = rng.randint(40, 600)
    return (
        Section(
            "一、概述",
            (
                f"{year}年，{body.name}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                "不断完善政府信息公开工作机制，政府信息公开工作有序推进。",
            ),
        ),
        Section(
            "二、主动公开政府信息情况",
            (
                f"{year}年共主动公开政府信息{published}条，"
                f"其中工作动态{published // 2}条，政策文件{rng.randint(1, 9)}件。",
            ),
        ),
        Section(
            "三、依申请公开政府信息情况",
            (
                f"{year}年共受理政府信息公开申请{received}件，其中予以公开{granted}件，"
                f"其余{received - granted}件已依法作出答复。",
            ),
        ),
        Section(
            "四、政府信息公开的收费及减免情况", ("本年度未收取任何政府信息公开费用。",)
        ),
        Section(
            "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
            ("本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。",),
        ),
        Section("六、存在的主要问题及改进措施", (rng.choice(IMPROVEMENT_PHRASES),)),
    )


def free_intro(body: Body, year: int) -> tuple[str, ...]:
    """Free-form reports open with the legal basis and the statistics period only."""
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》要求，由{body.name}编制。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
    )


def noise_paragraphs(kind: str, title: str, rng: random.Random) -> tuple[str, ...]:
    """A few plausible sentences for a non-report item in a report column."""
    text = {
        "解读": f"为便于公众理解{title.removeprefix('图解：')}的主要内容，现解读如下。"
        "报告全面反映了本年度政府信息公开工作情况。",
        "指南": "为保障公民、法人和其他组织依法获取政府信息，"
        "根据《中华人民共和国政府信息公开条例》，编制本指南。",
        "函": "现将有关事项函告如下：请各单位按要求编制并报送政府信息公开工作年度报告，按时在门户网站公开。",
        "总结": "一年来，在上级党委政府的坚强领导下，全面完成年度各项目标任务，现将全年工作总结如下。",
        "通知": "各镇街、各部门：为做好政府信息公开工作年度报告编制发布和报送工作，现将有关事项通知如下。",
    }.get(kind, title)
    return (text, f"联系电话：0536-{rng.randint(4000000, 4999999)}。")
