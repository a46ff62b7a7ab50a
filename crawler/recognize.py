"""Telling annual reports from everything else in a column, and whose report of which year.

Pure functions over strings (titles, breadcrumbs, 发布机构, page text, dates), so
every rule can be tested with real titles. The source-independent rules (what a
report title looks like, its year, dates) live in ``processors/identity.py``; this
module adds what depends on the source (aliases, prefixes, the source's own body).
Identity sources, best first: the title; the page's 发布机构 / ContentSource; the
breadcrumb; the source's own body. Years: the title; the statistics-period sentence
(统计期限自2020年1月1日…); the publication date minus one (reports cover the year
before they appear).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

# The title rules are the processors' (one home); the crawler adds only what depends
# on a source (its aliases, its prefix, its own body).
from processors.identity import (
    add_government_ending,
    classify,
    compact,
    expand_abbreviations,
    full_name,
    looks_like_body,
    parse_date,
    place_government,
    split_title,
    statistics_year,
)

if TYPE_CHECKING:
    from crawler.registry import Source

__all__ = [  # the spiders and their tests import these from here
    "Evidence",
    "Resolved",
    "canonical_body",
    "classify",
    "higher_places",
    "level_of",
    "own_place",
    "parse_date",
    "resolve",
    "split_title",
    "statistics_year",
]


PROVINCE = re.compile(r"^(?:北京市|天津市|上海市|重庆市|.+?(?:省|自治区|特别行政区))")
CITY = re.compile(r"^.+?(?:自治州|地区|盟|市)")
GOVERNMENT = re.compile(r"(?:人民政府|管理委员会|管委会)$")
# A place's own government (平潭县人民政府): never under another place's prefix.
COUNTY_GOVERNMENT = re.compile(r"^[^\W\d_]{1,12}?(?:省|市|县|区|旗|盟|州)人民政府$")
STEM = re.compile(r"(?<=..)(?:市|县|区|旗)$")  # 安丘市 → 安丘
PLACE_ENDING = re.compile(r"(?:省|市|县|区|旗|盟|州|开发区|实验区|示范区|试验区|新区)$")


def higher_places(region: str) -> list[str]:
    """The province and the city a region names above its own place ("湖北省荆州市沙市区"
    → 湖北省, 荆州市; "北京市朝阳区" → 北京市)."""
    text, out = compact(region), []
    province = PROVINCE.match(text)
    if province:
        out.append(province.group())
        text = text[province.end() :]
    city = CITY.match(text)
    if city and city.end() < len(text):  # a city, not the source's own place
        out.append(city.group())
    return out


def own_place(source: Source) -> str:
    """The place a source's short body names are prefixed with: its ``body_prefix``, or
    the place its own government is named after (冠县人民政府 → 冠县); '' for a source
    whose body is not a government (a department's own column)."""
    if source.body_prefix:
        return source.body_prefix
    place = GOVERNMENT.sub("", compact(source.body))
    named = place != compact(source.body) and PLACE_ENDING.search(place)
    return place if named else ""


def reposted(name: str, source: Source) -> tuple[str, str] | None:
    """The body and level of a higher body's report reposted in the source's column
    (the city's, the province's): ``name`` starts with a place above the source's own
    (from its region) and not with the source's own place. None otherwise."""
    name = compact(name)
    own = own_place(source)
    # the source's place, even shortened (潍坊市生态环境局安丘分局 is 安丘市's)
    mine = tuple(
        p for p in (own, STEM.sub("", own), compact(source.body)) if len(p) > 1
    )
    if not name or any(p in name for p in mine):
        return None
    place = next((p for p in higher_places(source.region) if name.startswith(p)), None)
    if place is None:
        return None
    body = place_government(name) if name == place else full_name(name)
    if not body:
        return None
    return body, "province" if place.endswith(("省", "自治区")) else "city"


def canonical_body(name: str, source: Source) -> str:
    """The body's full name: abbreviations expanded, aliases applied, a place named
    alone read as its government (安化县 → 安化县人民政府), the source's place added to
    a name without one (东古城镇 → 冠县东古城镇人民政府); a higher body's reposted
    report keeps its own name (聊城市人民政府, never 冠县聊城市人民政府)."""
    name = expand_abbreviations(name)
    if name in source.aliases:
        return source.aliases[name]
    expanded = source.aliases.get(name.replace("管理委员会", "管委会"), name)
    if expanded != name:
        return expanded
    higher = reposted(name, source)
    if higher:
        return higher[0]
    name = add_government_ending(name)
    if not looks_like_body(name):
        name = place_government(name) or name
    prefix = own_place(source)
    named = COUNTY_GOVERNMENT.search(name) or name.startswith(
        tuple(higher_places(source.region)) or ("\0",)
    )
    if prefix and prefix not in name and not named:
        name = prefix + name
    return source.aliases.get(name, name)


def level_of(body: str, source: Source) -> str:
    """province or city (a higher body's reposted report), town, department or county,
    from how the body's name ends."""
    higher = reposted(body, source)
    if higher:
        return higher[1]
    if re.search(r"(镇|乡)人民政府$|街道办事处$", body):
        return "town"
    if body == source.body or re.search(r"(人民政府|管理委员会)$", body):
        return "county"
    return "department"


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
    level = level_of(body, source)
    if level in ("province", "city"):
        how += " (a higher body's report, reposted)"
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
    return Resolved(body=body, year=year, level=level, note="; ".join(notes))
