"""Telling annual reports from everything else in a column, and whose report of which year.

Pure functions over strings (titles, breadcrumbs, 发布机构, page text, dates), so
every rule can be tested with real titles. Identity sources, best first: the title;
the page's 发布机构 / ContentSource; the breadcrumb; the source's own body. Years:
the title; the statistics-period sentence (统计期限自2020年1月1日…); the publication
date minus one (reports cover the year before they appear).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.registry import Source

REPORT = re.compile(
    r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:工作)?(?:年度)?报告|信息公开年报|政务公开[^，。]*年度报告"
)
NOISE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"解读|图解|一图读懂|一图看懂"), "解读 (an explanation of a report)"),
    (re.compile(r"指南"), "指南 (a guide)"),
    (re.compile(r"的函|函$|函告|复函"), "函 (a letter)"),
    (re.compile(r"通知|通告|公告|通报"), "通知 (a notice)"),
    (re.compile(r"要点"), "要点 (a work plan)"),
    (re.compile(r"总结"), "总结 (a work summary)"),
)
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年度?")
STATISTICS = re.compile(
    r"统计(?:期限|时限|周期|时间|区间|范围)[^。；\n]{0,24}?(?<!\d)((?:19|20)\d\d)\s*年\s*0?1\s*月\s*0?1\s*日"
)
DATE = re.compile(
    r"((?:19|20)\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}):(\d\d)(?::\d\d)?)?"
)
BODY_ENDINGS = re.compile(
    r"(人民政府|管理委员会|管委会|办事处|局|委员会|办公室|中心|政府|镇|乡|街道)$"
)


def compact(text: str) -> str:
    """NFKC and no white space: how titles are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def classify(title: str) -> tuple[bool, str]:
    """Is a listed title an annual report? Returns (decision, the reason in words)."""
    text = compact(title)
    for pattern, reason in NOISE:
        if pattern.search(text):
            return False, f"noise: {reason}"
    if REPORT.search(text):
        return True, "title names an annual report"
    return False, "title names no annual report"


def split_title(title: str) -> tuple[str, int | None]:
    """(body as the title writes it, year) — either may be missing ('' / None)."""
    text = compact(title).strip("《》“”\"'")
    match = REPORT.search(text)
    head = text[: match.start()] if match else text
    year = YEAR.search(head)
    if year:
        before, after = head[: year.start()], head[year.end() :]
        body = before or after
        return body.strip("的关于-—:："), int(year.group(1))
    return head.strip("的关于-—:："), None


def canonical_body(name: str, source: Source) -> str:
    """The body's full name: abbreviations expanded, the portal's prefix added, aliases applied."""
    name = compact(name).replace("管委会", "管理委员会")
    if name in source.aliases:
        return source.aliases[name]
    expanded = source.aliases.get(name.replace("管理委员会", "管委会"), name)
    if expanded != name:
        return expanded
    if re.search(r"(镇|乡)$", name):
        name += "人民政府"
    elif name.endswith("街道"):
        name += "办事处"
    if source.body_prefix and source.body_prefix not in name:
        name = source.body_prefix + name
    return source.aliases.get(name, name)


def looks_like_body(name: str) -> bool:
    return bool(name) and bool(BODY_ENDINGS.search(compact(name)))


def level_of(body: str, source: Source) -> str:
    """town, department or county, from how the body's name ends."""
    if re.search(r"(镇|乡)人民政府$|街道办事处$", body):
        return "town"
    if body == source.body or re.search(r"(人民政府|管理委员会)$", body):
        return "county"
    return "department"


def statistics_year(text: str) -> int | None:
    """The year of the statistics-period sentence ("统计期限自2020年1月1日起…")."""
    match = STATISTICS.search(text or "")
    return int(match.group(1)) if match else None


def parse_date(text: str | None) -> str | None:
    """The first date in ``text`` as 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'."""
    match = DATE.search(text or "")
    if not match:
        return None
    year, month, day, hour, minute = match.groups()
    date = f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{date} {int(hour):02d}:{minute}" if hour else date


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a page or list item says about its report."""

    title: str
    publisher: str = ""
    breadcrumb: tuple[str, ...] = ()
    text: str = ""
    published: str | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    body: str
    year: int
    level: str
    note: str


def resolve(evidence: Evidence, source: Source) -> Resolved:
    """Body and year of a report from everything known about it, with a note of how."""
    notes = []
    raw_body, title_year = split_title(evidence.title)
    if raw_body:
        body, how = canonical_body(raw_body, source), "title"
    elif looks_like_body(evidence.publisher):
        body, how = canonical_body(evidence.publisher, source), "发布机构"
    elif evidence.breadcrumb and looks_like_body(evidence.breadcrumb[-1]):
        body, how = canonical_body(evidence.breadcrumb[-1], source), "breadcrumb"
    else:
        body, how = source.body, "the source's own body"
    notes.append(f"body from {how}")
    stats_year = statistics_year(evidence.text)
    published_year = int(evidence.published[:4]) - 1 if evidence.published else None
    if title_year:
        year, how = title_year, "title"
    elif stats_year:
        year, how = stats_year, "statistics period"
    elif published_year:
        year, how = published_year, "publication date"
    else:
        raise ValueError(
            f"no year for {evidence.title!r}: not in the title, the text or a date"
        )
    notes.append(f"year from {how}")
    if stats_year and stats_year != year:
        notes.append(f"warning: statistics period says {stats_year}")
    return Resolved(
        body=body, year=year, level=level_of(body, source), note="; ".join(notes)
    )
