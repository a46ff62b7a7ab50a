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
    expand_abbreviations,
    looks_like_body,
    parse_date,
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
    "level_of",
    "parse_date",
    "resolve",
    "split_title",
    "statistics_year",
]


def canonical_body(name: str, source: Source) -> str:
    """The body's full name: abbreviations expanded, the portal's prefix added, aliases applied."""
    name = expand_abbreviations(name)
    if name in source.aliases:
        return source.aliases[name]
    expanded = source.aliases.get(name.replace("管理委员会", "管委会"), name)
    if expanded != name:
        return expanded
    name = add_government_ending(name)
    if source.body_prefix and source.body_prefix not in name:
        name = source.body_prefix + name
    return source.aliases.get(name, name)


def level_of(body: str, source: Source) -> str:
    """town, department or county, from how the body's name ends."""
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
