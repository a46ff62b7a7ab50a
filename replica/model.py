"""The replica's vocabulary: bodies, reports, noise items and how each is posted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from datetime import datetime

    from replica.templates import Table

Template = Literal["2021", "2019", "free"]
Form = Literal["html", "html_pdf", "stub_pdf", "stub_docx", "pdf_only", "docx_only"]
FORMS: tuple[str, ...] = get_args(Form)
LEVELS: tuple[str, ...] = ("county", "department", "town")
# The forms that post a file, and its format.
ATTACHMENT_FORMAT = {
    "html_pdf": "pdf",
    "stub_pdf": "pdf",
    "stub_docx": "docx",
    "pdf_only": "pdf",
    "docx_only": "docx",
}


@dataclass(frozen=True, slots=True)
class Body:
    """A government body (机关) that publishes a yearly report."""

    id: str
    name: str
    short: str
    level: str
    site: str
    column: str
    region: str
    credit_code: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """One numbered section of a report: heading, prose, and the table it holds."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    table: Literal["active", "applications", "appeals"] | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Figures:
    """The three standard tables under their canonical keys (None = not printed)."""

    active: Table | None = None
    applications: Table | None = None
    appeals: Table | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Report:
    """One body's report for one year, as its document says it."""

    key: str
    body: Body
    year: int
    template: Template
    title: str
    heading: tuple[str, ...]
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    figures: Figures
    published: datetime
    publisher: str
    defects: tuple[str, ...] = ()
    seed: str | None = None
    blank_zeros: bool = False
    list_title: str = ""
    pdf_producer: str = "WPS 文字"
    pdf_saved: datetime | None = None
    extra_pages: int = 0  # benchmark reports run to 10–60 pages


@dataclass(frozen=True, slots=True)
class Noise:
    """Something posted in a report column that is not a report (解读, 指南, 函, 总结…)."""

    id: str
    site: str
    column: str
    kind: str
    title: str
    publisher: str
    published: datetime
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Posting:
    """Where and how one report or noise item is published on its site."""

    item: Report | Noise
    site: str
    column: str
    form: str
    docid: int
    published: datetime
    list_title: str

    @property
    def is_report(self) -> bool:
        return isinstance(self.item, Report)
