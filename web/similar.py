"""The report page's 雷同 section: the report's most similar reports and the passages
it shares with each, side by side (``templates/_similar.html``).

What was compared is ``archive/similarity.py``'s (kept after every processing run):
the report's most similar earlier report of its own body and report of another body,
from ``SIMILAR_MIN`` (60 %) up. The passages are worked out when the page is asked
for, from both reports' current texts; figures that differ between the sides are
marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from archive.similarity import SIMILAR_MIN, compare_reports
from processors.similarity import MIN_OWN_CHARS

if TYPE_CHECKING:
    from sqlite_utils import Database

    from processors.similarity import Passage

SCOPES = {"same_body": "本机关往年的年报", "other_body": "其他机关的年报"}
MAX_SENTENCES = 80  # sentences shown per twin; the rest are counted
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Row:
    """One sentence of a passage on both sides, figures that differ marked."""

    a: Markup
    b: Markup


@dataclass(frozen=True, slots=True)
class Twin:
    scope: str  # 本机关往年的年报, 其他机关的年报
    report_id: int
    body: str
    year: int
    similarity: str  # "93%"
    passages: list[list[Row]] = field(default_factory=list)
    more: int = 0  # shared sentences not shown


@dataclass(frozen=True, slots=True)
class SimilarSection:
    """What the page says: compared (with its twins, maybe none), too little own
    text to compare, or not compared yet."""

    state: str  # compared, too_short, pending
    own_chars: int = 0
    min_chars: int = MIN_OWN_CHARS
    min_similarity: str = f"{SIMILAR_MIN:.0%}"
    twins: list[Twin] = field(default_factory=list)


def similar_section(db: Database, report_id: int) -> SimilarSection:
    """The 雷同 section of report ``report_id``'s page."""
    signed = db.execute(
        "SELECT own_chars, signature IS NOT NULL FROM similarity_signatures"
        " WHERE report_id = ?",
        [report_id],
    ).fetchone()
    if signed is None:
        return SimilarSection("pending")
    if not signed[1]:
        return SimilarSection("too_short", own_chars=signed[0])
    twins = []
    for scope, twin, body, year, value in db.execute(
        """SELECT s.scope, s.twin_id, r.body, r.year, s.similarity
           FROM similar_reports s JOIN reports r ON r.id = s.twin_id
           WHERE s.report_id = ? ORDER BY s.scope = 'other_body' DESC""",
        [report_id],
    ).fetchall():
        compared = compare_reports(db, report_id, twin)
        passages, more = _rows(compared.passages if compared else [])
        twins.append(
            Twin(SCOPES[scope], twin, body, year, f"{value:.0%}", passages, more)
        )
    return SimilarSection("compared", own_chars=signed[0], twins=twins)


def _rows(passages: list[Passage]) -> tuple[list[list[Row]], int]:
    """The passages as rows of marked sentences, at most MAX_SENTENCES of them."""
    shown: list[list[Row]] = []
    left = MAX_SENTENCES
    total = sum(len(p.a) for p in passages)
    for passage in passages:
        if left <= 0:
            break
        rows = [_marked(a, b) for a, b in zip(passage.a, passage.b, strict=True)]
        shown.append(rows[:left])
        left -= len(rows[:left])
    return shown, total - (MAX_SENTENCES - left)


def _marked(a: str, b: str) -> Row:
    """Both sentences escaped, the figures that differ between them in <mark>."""
    numbers_a, numbers_b = NUMBER.findall(a), NUMBER.findall(b)
    differ = {
        i
        for i in range(max(len(numbers_a), len(numbers_b)))
        if numbers_a[i : i + 1] != numbers_b[i : i + 1]
    }
    return Row(_mark(a, differ), _mark(b, differ))


def _mark(text: str, differ: set[int]) -> Markup:
    out, last = [], 0
    for i, found in enumerate(NUMBER.finditer(text)):
        out.append(escape(text[last : found.start()]))
        number = escape(found.group())
        out.append(Markup("<mark>{}</mark>").format(number) if i in differ else number)
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
