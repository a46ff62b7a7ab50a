"""Whose report of which year: the title, body, year and publication date of a report.

Pure functions over strings. The crawler uses the title rules here to tell reports from
noise in list pages; :func:`identify` uses them on a read :class:`Document`. Sources,
best first: titles (the document's own heading, then the page's or file's stated
title, then the list item's); for the body then 发布机构, the breadcrumb and the
source's own body (a title that names only a place, 平潭综合实验区, means that place's
government); for the year the statistics-period sentence (统计期限自2020年1月1日…),
the intro's own naming of the report, the crawl's year, and the publication date
minus one (reports cover the year before they appear). Every disagreement between
sources becomes a warning that names both values and where they came from."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from processors.normal import normalise

if TYPE_CHECKING:
    from collections.abc import Iterable

    from processors.document import Document

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
    # news of a meeting about the reports ("…举办2023年度…年度报告编制培训会")
    (re.compile(r"举办|召开|培训|座谈|会议|推进会"), "会议 (news of a meeting)"),
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
# A year typed twice over ("202020年"): five to eight digits before 年.
TYPO_YEAR = re.compile(r"(?<!\d)(\d{5,8})年度?")
# A title at the top of the text: no sentence punctuation before the report's name,
# possibly a year in brackets after it ("…年度报告（2021年度）").
TITLE_AT_START = re.compile(
    rf"^[《“\"]?([^，。；：、,;:《》“”]{{0,60}}?(?:{REPORT.pattern})(?:[（(]\d{{4}}年度?[）)])?)"
)
HEADING_LINES = 3  # a title wraps over at most three lines
HEADING_SCAN = 6  # lines above the title (an index number, a date) looked past
# The intro naming its own report: "现公布2011年度政府信息公开年度报告", "结合2021年…工作实际".
STATED_YEAR = re.compile(
    rf"(?<!\d)((?:19|20)\d\d)年度?[^。；，,;《》\d]{{0,40}}?(?:{REPORT.pattern}|工作实际)"
)
INTRO_CHARS = 800
QUOTED = re.compile(r"《[^》]*》")  # titles of other documents (notices, regulations)
SIGNATURE_DATE = re.compile(r"^((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日$")
SIGNATURE_LINES = 6
OFFICE_OF = re.compile(r"(.*(?:人民政府|管理委员会|管委会))办公室")
ZONE = re.compile(r"(?:开发区|实验区|示范区|试验区|高新区|合作区|园区)$")
ADMINISTRATIVE = re.compile(r"(?:省|市|县|区|旗|盟|州)$")
MIN_PLACE = 3  # characters; 高区 or 经区 are abbreviations, not places
TOWN = re.compile(r"(\w)(\w)(镇|乡|街道)(?:人民政府|办事处)?$")
EXTRACTED = frozenset({"pdf", "doc", "docx", "text"})  # kinds whose text is extracted
GARBLE_LIMIT = 2  # characters an extraction may get wrong in one title


def compact(text: str) -> str:
    """NFKC and no white space: how titles are compared."""
    return normalise(text or "")


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


def looks_like_body(name: str) -> bool:
    return bool(name) and bool(BODY_ENDINGS.search(compact(name)))


def expand_abbreviations(name: str) -> str:
    """Compact, and 管委会 written out as 管理委员会."""
    return compact(name).replace("管委会", "管理委员会")


def add_government_ending(name: str) -> str:
    """A bare town gets 人民政府, a bare 街道 gets 办事处 (the bodies that report)."""
    if re.search(r"(镇|乡)$", name):
        return name + "人民政府"
    if name.endswith("街道"):
        return name + "办事处"
    return name


def full_name(name: str) -> str:
    """A body's name as the archive writes it: abbreviations expanded, ending added."""
    return add_government_ending(expand_abbreviations(name))


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
class TitleParts:
    """What one title says: the body's name as written, the year, a repaired typo."""

    title: str  # compact, quotation marks dropped
    name: str
    year: int | None
    typo: str = ""  # the digits as printed, when the year had to be repaired


def read_title(title: str) -> TitleParts:
    """Body name and year of a title, also when the year follows the report's name
    ("…年度报告（2021年度）") or is typed twice over ("202020年" → 2020)."""
    text = compact(title).strip("《》“”\"'")
    name, year = split_title(text)
    if year is not None:
        return TitleParts(text, name, year)
    match = REPORT.search(text)
    if match and (after := YEAR.search(text[match.end() :])):
        return TitleParts(text, name, int(after.group(1)))
    typo = TYPO_YEAR.search(name)
    if typo is None or (repaired := _repair_year(typo.group(1))) is None:
        return TitleParts(text, name, None)
    body = name[: typo.start()] or name[typo.end() :]
    return TitleParts(text, body.strip("的关于-—:："), repaired, typo.group(1))


def _repair_year(digits: str) -> int | None:
    """The year meant by digits typed twice over: the four next to 年, else the first four."""
    for candidate in (digits[-4:], digits[:4]):
        if 2000 <= int(candidate) <= 2099:
            return int(candidate)
    return None


def find_heading(text: str) -> str | None:
    """The report's title as the document prints it at the top, compact.

    The title may wrap over up to three lines and sit below a few others (an index
    number, a date); it must end a line, except at the very top of the text, where a
    reader that lost the paragraph breaks runs it into the first sentence.
    """
    wanted = HEADING_SCAN + HEADING_LINES  # no line past these is looked at
    lines = _first_lines(text.splitlines(), wanted)
    for start in range(min(HEADING_SCAN, len(lines))):
        for count in range(HEADING_LINES, 0, -1):
            joined = "".join(lines[start : start + count])
            match = TITLE_AT_START.match(joined)
            if match and match.end() == len(joined):
                return match.group(1)
    match = TITLE_AT_START.match("".join(lines[:HEADING_LINES]))
    return match.group(1) if match else None


def _first_lines(raw: Iterable[str], count: int) -> list[str]:
    """The first ``count`` lines of ``raw`` that are not empty once compact, compact
    (a report's text runs to thousands of lines: only these are normalised)."""
    return list(itertools.islice(filter(None, map(compact, raw)), count))


def stated_year(text: str) -> int | None:
    """The year the intro gives its own report ("现公布2011年度政府信息公开年度报告")."""
    intro = QUOTED.sub("", compact(text)[:INTRO_CHARS])
    match = STATED_YEAR.search(intro)
    return int(match.group(1)) if match else None


def signature_date(text: str) -> str | None:
    """The date signed at the end of the report ("2022年1月20日" alone on a line)."""
    lines = _first_lines(reversed(text.splitlines()), SIGNATURE_LINES)
    for line in lines:
        match = SIGNATURE_DATE.match(line)
        if match:
            year, month, day = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


@dataclass(frozen=True, slots=True)
class Hints:
    """What the archive knows about a report from its crawl (all optional)."""

    title: str | None = None  # the list item's title
    body: str | None = None  # the source's own body
    year: int | None = None  # the year the crawler gave the report
    published: str | None = None  # the list's or page's date
    breadcrumb: str | None = None  # the crumbs joined by " > "
    publisher: str | None = None  # 发布机构 as the crawl saw it


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose report of which year, with every disagreement between sources as a warning."""

    title: str | None  # the report's own title, compact
    body: str | None
    year: int | None
    published: str | None  # YYYY-MM-DD
    warnings: tuple[str, ...] = ()


def identify(doc: Document, hints: Hints | None = None) -> Identity:
    """Title, body, year and publication date of a report document.

    Titles rank: the heading printed at the top of ``doc.text``, ``doc.meta["title"]``,
    ``hints.title``. In extracted text (PDF, DOC, plain text) a heading that differs
    from a typed title in one or two characters only is a garbled extraction, and the
    typed title wins. Nothing raises: what cannot be found is ``None`` plus a warning.
    """
    hints = hints or Hints()
    warnings: list[str] = []
    heading = find_heading(doc.text)
    titles = _titles(doc, hints, heading, warnings)
    parts = [(where, read_title(title)) for where, title in titles]
    body = _body(doc, hints, parts, warnings)
    published = _published(doc, hints)
    rest = compact(doc.text).replace(heading or "", "", 1)
    year = _year(rest, hints, parts, published, warnings)
    title = _best_title(parts)
    if title is None:
        warnings.append("title: none (no heading in the text, no page or list title)")
    elif not (verdict := classify(title))[0]:
        warnings.append(f"title: {title} is not an annual report ({verdict[1]})")
    return Identity(title, body, year, published, tuple(warnings))


def _titles(
    doc: Document, hints: Hints, heading: str | None, warnings: list[str]
) -> list[tuple[str, str]]:
    """(where, title) best first; a garbled heading gives way to a typed title."""
    typed = [
        (where, compact(value).strip("《》“”\"'"))
        for where, value in (
            ("page title", doc.meta.get("title")),
            ("list title", hints.title),
        )
        if value and compact(value)
    ]
    if heading is None:
        return typed
    titles = [("heading", heading), *typed]
    if doc.kind not in EXTRACTED:
        return titles
    for where, title in typed:
        if _garbled(heading, title):
            warnings.append(
                f"title: the heading reads {heading} where the {where} reads {title}; "
                f"kept the {where} (text extraction garbles rare characters)"
            )
            # a reader's title taken from the same garbled lines goes too
            return [(where, title)] + [
                (w, t) for w, t in titles if w != where and not _garbled(t, title)
            ]
    return titles


def _best_title(parts: list[tuple[str, TitleParts]]) -> str | None:
    """The first title that names a body or a year; a generic one only when alone."""
    for _where, p in parts:
        if p.name or p.year is not None:
            return p.title
    return parts[0][1].title if parts else None


def _garbled(extracted: str, typed: str) -> bool:
    if len(extracted) != len(typed):
        return False
    wrong = sum(a != b for a, b in zip(extracted, typed, strict=True))
    return (
        0 < wrong <= GARBLE_LIMIT
        and read_title(extracted).year == read_title(typed).year
    )


def _body(
    doc: Document,
    hints: Hints,
    parts: list[tuple[str, TitleParts]],
    warnings: list[str],
) -> str | None:
    named = [(where, p.name) for where, p in parts if p.name]
    if not named:
        return _body_without_title(doc, hints, warnings)
    where, name = named[0]
    others = [other for _, other in named[1:]] + [n for _, n in _places(doc, hints)]
    body = full_name(name) if looks_like_body(name) else _government_of(name, others)
    if body is None and (body := place_government(name)) is not None:
        warnings.append(
            f"body: the {where} names {name}, a place; took its government {body}"
        )
    if body is None:
        warnings.append(
            f"body: the {where} names {name}, a place, and no 发布机构, crumb or known body "
            f"of that place says whose report it is"
        )
        body = name
    for other_where, other in named[1:]:
        other_body = full_name(other)
        if other_body not in body and body not in other_body:
            warnings.append(
                f"body: the {where} names {body}, the {other_where} names {other_body}; "
                f"kept the {where}'s"
            )
    known = compact(hints.body or "")
    if known != body and known.endswith(body):  # 郚山镇人民政府 → 安丘市郚山镇人民政府
        body = known
    if doc.kind in EXTRACTED and (variants := _spellings(doc.text, body)):
        warnings.append(
            f"body: the text also spells {variants[0]} as {', '.join(variants[1:])} "
            f"(a garbled extraction?); kept the {where}'s"
        )
    return body


def _places(doc: Document, hints: Hints) -> list[tuple[str, str]]:
    """(where, name) of every other naming of the body, best first."""
    crumbs = [
        (where, crumb)
        for where, trail in (
            ("breadcrumb", doc.meta.get("breadcrumb")),
            ("breadcrumb", hints.breadcrumb),
        )
        for crumb in reversed((trail or "").split(">"))
    ]
    return [
        (where, compact(name))
        for where, name in (
            ("发布机构", doc.meta.get("publisher")),
            ("发布机构", hints.publisher),
            *crumbs,
            ("source's body", hints.body),
        )
        if name and compact(name)
    ]


def _government_of(place: str, names: list[str]) -> str | None:
    """The body of a title that names a place only ("平潭综合实验区2025年度…"): the
    first other naming that starts with the place, its 办公室 (which publishes for
    it) dropped."""
    for name in names:
        office = OFFICE_OF.fullmatch(name)
        body = office.group(1) if office else name
        if body.startswith(place) and body != place and looks_like_body(body):
            return full_name(body)
    return None


def place_government(place: str) -> str | None:
    """The government that reports for a place named alone: a zone's 管理委员会, an
    administrative area's 人民政府; ``None`` for a short name that may be an
    abbreviation (高区, 经区)."""
    if len(place) < MIN_PLACE:
        return None
    if ZONE.search(place):
        return place + "管理委员会"
    if ADMINISTRATIVE.search(place):
        return place + "人民政府"
    return None


def _body_without_title(doc: Document, hints: Hints, warnings: list[str]) -> str | None:
    for where, name in _places(doc, hints):
        if looks_like_body(name):
            if where == "source's body":
                warnings.append(
                    f"body: no title names one; took the source's body {name}"
                )
            return full_name(name)
    warnings.append(
        "body: none (not in a title, 发布机构, the breadcrumb or the hints)"
    )
    return None


def _spellings(text: str, body: str) -> tuple[str, ...]:
    """The town's name and the one-character variants of it the text also prints."""
    town = TOWN.search(body)
    if town is None:
        return ()
    first, second, ending = town.groups()
    name = first + second + ending
    variants = set(
        re.findall(rf"(?:[^\W\d_]{second}|{first}[^\W\d_]){ending}", compact(text))
    )
    variants.discard(name)
    return (name, *sorted(variants)) if variants else ()


def _published(doc: Document, hints: Hints) -> str | None:
    for value in (doc.meta.get("published"), signature_date(doc.text), hints.published):
        date = parse_date(value)
        if date:
            return date[:10]
    return None


def _year(
    text: str,
    hints: Hints,
    parts: list[tuple[str, TitleParts]],
    published: str | None,
    warnings: list[str],
) -> int | None:
    """The year, best source first, with a warning for every source that disagrees."""
    found: list[tuple[str, int]] = []
    for where, p in parts:
        if p.year is not None:
            found.append((where, p.year))
            if p.typo:
                warnings.append(
                    f"year: the {where} prints {p.typo}年, read as {p.year}"
                )
    for where, year in (
        ("statistics period", statistics_year(text)),
        ("text", stated_year(text)),
        ("crawl", hints.year),
    ):
        if year is not None:
            found.append((where, year))
    if published:
        found.append((f"publication date {published}", int(published[:4]) - 1))
    if not found:
        warnings.append("year: none (no title, statistics period or date gives one)")
        return None
    where, year = found[0]
    if where.startswith("publication date"):
        warnings.append(f"year: {year} is a guess, the {where} minus one")
    for other_where, other in found[1:]:
        if other != year:
            warnings.append(
                f"year: the {where} says {year}, the {other_where} says {other}; kept {year}"
            )
    return year
