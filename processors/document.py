"""What every format reader hands on: a document's text, its tables as grids, its metadata.

The readers (``processors/html.py``, ``plain.py``, ``pdf.py``, ``docx.py``, ``legacy.py``)
turn bytes of one format into a :class:`Document`; everything after them (identity,
tables, checks) works on documents only and never looks at a format again.

A :class:`Grid` is a table as rows of cell texts with merged cells expanded: a cell
spanning k columns or rows appears in each of the k places it covers, so every row of
a grid is as wide as the table and labels stay beside the numbers they describe. A
cell's text has its inner line breaks and spaces removed (``"三、本\\n年度办\\n理结果"`` →
``"三、本年度办理结果"``); an empty cell is ``""``. Grids are kept within the caps of
``processors/grids.py`` (spans, rows, columns, cells) while they are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Row = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grid:
    """One table as the document prints it (one page's part of it, for a PDF)."""

    rows: tuple[Row, ...]
    # Read by OCR: each place's confidence (0–100), None where blank for certain.
    # None for grids read from text (every other reader).
    confidence: tuple[tuple[float | None, ...], ...] | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True, slots=True)
class Document:
    """A report file read into text, tables and metadata.

    ``text`` keeps line breaks between paragraphs and table rows, so sentences can be
    searched and quoted; ``grids`` are in reading order. ``meta`` holds what the file
    itself says about the report, under these keys when present: ``title`` (the
    page's or PDF's stated title), ``published`` (``YYYY-MM-DD``), ``publisher``
    (发布机构 / ContentSource), ``breadcrumb`` (the crumbs joined by ``" > "``).
    """

    kind: str  # "html" | "pdf" | "docx" | "doc" | "text"
    text: str
    grids: tuple[Grid, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # what the reader had to guess or could not read
    # Pages (1-based; pictures of a DOCX count as pages) read by OCR (processors/ocr.py).
    ocr_pages: tuple[int, ...] = ()
    # A PDF's text hash (processors.text.pdf_sha256), when its reader could take it
    # from the pages it loaded anyway; not part of what the document says.
    text_sha256: str | None = field(default=None, compare=False)


def joined(pages: list[Document]) -> Document:
    """A report printed over several pages (an article's ``t…_1.html``, a flip-book's
    pages) read as one document: the texts and grids in page order, the first page's
    kind and metadata, every page's warnings once."""
    if not pages:
        raise ValueError("joined: no pages")
    first = pages[0]
    warnings = dict.fromkeys(w for page in pages for w in page.warnings)
    return Document(
        kind=first.kind,
        text="\n".join(page.text for page in pages),
        grids=tuple(grid for page in pages for grid in page.grids),
        meta=dict(first.meta),
        warnings=tuple(warnings),
        ocr_pages=tuple(n for page in pages for n in page.ocr_pages),
    )


class ReadError(ValueError):
    """The bytes could not be read as the format they were taken for (the message says why).

    The one error a reader raises for bad input: damaged, truncated, encrypted or
    mislabelled files, files no library could make sense of. Subclasses:
    :class:`UnsafeFile`. Running out of memory or time is not a ``ReadError``: the
    caller's sandbox (``app/sandbox.py``) stops such a parse, and no reader catches
    ``MemoryError``.
    """


class UnsafeFile(ReadError):
    """The file was refused before it was read: it would unpack beyond the size limits
    (a zip bomb) or declares a DTD (XML entity expansion, external entities)."""
