"""One report file in, everything we can say about it out: the processors' front door.

``parse(data, media_type)`` sniffs the format from the bytes, reads the file into a
:class:`~processors.document.Document` with that format's reader, then finds the
report's identity, its standard tables and the results of the consistency checks.
Pure: no files, no database (the legacy DOC reader runs a converter as a
subprocess, see ``processors/legacy.py``).

``PROCESSOR_VERSION`` is stored beside every derived row; bump it whenever the output
for some input changes, so ``nianbao process --all`` knows what to re-derive.
Version 2: a blank cell no longer fails a check (it is not evaluated, with a
warning), and grids are capped (issue 11).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from processors.checks import Check, evaluate_tables
from processors.document import Document, ReadError, joined
from processors.identity import Hints, identify
from processors.tables import read_tables
from processors.text import sniff

if TYPE_CHECKING:
    from processors.ocr import OcrLimits
    from processors.schema import Template
    from processors.tables import Confidence, TableValues

# Bumped whenever a parse of the same bytes may change, so archives re-parse:
# 3 = more article containers (doc-content, article-content…), reports over pages;
# 4 = failed checks name their cells and explain themselves in Chinese;
# 5 = scanned pages read by OCR (issue 15).
PROCESSOR_VERSION = "5"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {  # media type → Document.kind
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    DOCX: "docx",
    "application/msword": "doc",
    "application/vnd.ms-works": "doc",
    "application/wps-office.wps": "doc",
    "text/plain": "text",
}


@dataclass(frozen=True, slots=True)
class Parsed:
    """A report as the processors understand it (see ``as_json`` for the public shape)."""

    kind: str
    text: str
    title: str | None
    body: str | None
    year: int | None
    published: str | None
    template: Template
    active: TableValues | None
    applications: TableValues | None
    appeals: TableValues | None
    checks: tuple[Check, ...]
    warnings: tuple[str, ...]
    # Pages read by OCR (1-based), and the OCR confidence of each figure they gave.
    ocr_pages: tuple[int, ...] = ()
    confidence: Confidence = field(default_factory=dict)
    # The file's text hash when its reader took it on the way (Document.text_sha256).
    text_sha256: str | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, Any]:
        """The shape of ``nianbao parse --json`` (issue 4; keys of report-format.md),
        with ``ocr`` (its pages and each figure's confidence) for a scanned report."""
        shape: dict[str, Any] = {
            "title": self.title,
            "body": self.body,
            "year": self.year,
            "published": self.published,
            "template": self.template,
            "active": self.active,
            "applications": self.applications,
            "appeals": self.appeals,
            "checks": [
                {"name": c.name, "ok": c.ok, "message": c.message} for c in self.checks
            ],
            "warnings": list(self.warnings),
        }
        if self.ocr_pages:
            shape["ocr"] = {
                "pages": list(self.ocr_pages),
                "confidence": self.confidence,
            }
        return shape


def format_of(data: bytes, media_type: str = "") -> str:
    """The reader a file needs ("html", "pdf", "docx", "doc", "text"), from its bytes first.

    :raises ReadError: for bytes no reader understands.
    """
    kind = sniff(data, media_type)
    if kind in FORMATS:
        return FORMATS[kind]
    if kind in ("application/octet-stream", "") and _looks_like_text(data):
        return "text"
    raise ReadError(
        f"cannot read a {kind} file: expected HTML, PDF, DOCX, DOC/WPS or plain text"
    )


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the 4096-byte edge
                return True
            continue
        return True
    return False


def read_document(
    data: bytes,
    media_type: str = "",
    encoding: str | None = None,
    ocr_limits: OcrLimits | None = None,
) -> Document:
    """Read ``data`` with the reader its format needs (imported only when needed);
    scanned pages of a PDF or a DOCX by OCR within ``ocr_limits``."""
    kind = format_of(data, media_type)
    if kind == "html":
        from processors.html import read_html

        return read_html(data, encoding)
    if kind == "pdf":
        from processors.pdf import read_pdf

        return read_pdf(data, ocr_limits)
    if kind == "docx":
        from processors.docx import read_docx

        return read_docx(data, ocr_limits)
    if kind == "doc":
        from processors.legacy import read_doc

        return read_doc(data)
    from processors.plain import read_text

    return read_text(data)


def load_readers() -> None:
    """Import every reader (and the libraries under them) now.

    :func:`read_document` imports a reader when a file first needs it, which keeps a
    command that parses nothing light. A process about to fork parse workers calls
    this first: the workers then share the readers' pages instead of each importing
    them again, under its memory limit — where mapping PDFium's 6 MB library can
    fail with an ``OSError`` that says nothing of memory.
    """
    import processors.docx
    import processors.html
    import processors.legacy
    import processors.pdf
    import processors.plain  # noqa: F401


def parse(
    data: bytes,
    media_type: str = "",
    encoding: str | None = None,
    hints: Hints | None = None,
    ocr_limits: OcrLimits | None = None,
) -> Parsed:
    """Everything about one report file.

    :raises ReadError: when the bytes cannot be read as any supported format, are
        damaged, or are refused unread (:class:`~processors.document.UnsafeFile`).
        Bad input raises nothing else; running out of time or memory is for the
        caller's sandbox (``app/sandbox.py``) to stop.
    """
    document = read_document(data, media_type, encoding, ocr_limits)
    return parse_document(document, hints)


def parse_pages(
    pages: list[tuple[bytes, str, str | None]],
    hints: Hints | None = None,
    ocr_limits: OcrLimits | None = None,
) -> Parsed:
    """Everything about a report printed over several pages, given as (bytes, media
    type, charset) in page order: the pages are read and parsed as one document.

    :raises ReadError: as :func:`parse`, when any page cannot be read.
    """
    documents = [
        read_document(data, media, charset, ocr_limits)
        for data, media, charset in pages
    ]
    return parse_document(joined(documents), hints)


def parse_document(document: Document, hints: Hints | None = None) -> Parsed:
    identity = identify(document, hints)
    tables = read_tables(document)
    checked = evaluate_tables(tables)
    return Parsed(
        kind=document.kind,
        text=document.text,
        title=identity.title,
        body=identity.body,
        year=identity.year,
        published=identity.published,
        template=tables.template,
        active=tables.active,
        applications=tables.applications,
        appeals=tables.appeals,
        checks=checked.checks,
        warnings=(
            *document.warnings,
            *identity.warnings,
            *tables.warnings,
            *checked.warnings,
        ),
        ocr_pages=document.ocr_pages,
        confidence=tables.confidence,
        text_sha256=document.text_sha256,
    )
