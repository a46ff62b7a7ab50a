"""Word (.docx) reports read with python-docx: paragraphs and tables in body order."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import replace
from typing import TYPE_CHECKING

import docx
import lxml.etree
from docx.exceptions import PythonDocxError
from docx.opc.exceptions import OpcError

from processors import ocr
from processors.document import Document, Grid, ReadError
from processors.grids import MAX_COLUMNS, SPAN_NUMBER, GridLimits
from processors.layout import PageContent
from processors.package import check_package
from processors.pdf import pages_to_document, scanned_content, stated_title

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.etree import _Element

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WHITESPACE = re.compile(r"\s+")
NEARLY_NO_TEXT = 20  # characters: a file with no more text than this may be a scan
MIN_PAGE_PIXELS = 600 * 800  # a picture smaller than this is a logo or a seal, no page
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
P, TBL, TR, TC = f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc"
# Wrappers that hold body content without being content: content controls, custom
# XML, tracked insertions. Their children are read as if they stood in the parent.
WRAPPERS = frozenset(
    {f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}smartTag"}
)
# Run content that is text; deleted runs (w:delText) and field codes (w:instrText)
# are other tags and so are never read.
RUN_TEXT = {
    f"{W}t": None,
    f"{W}tab": "\t",
    f"{W}br": "\n",
    f"{W}cr": "\n",
    f"{W}noBreakHyphen": "-",
}
# Not text: deletions, properties, and mc:Fallback (a copy of its mc:Choice).
SKIPPED = frozenset({f"{W}del", f"{W}pPr", f"{W}rPr", MC_FALLBACK})
WHITESPACE = re.compile(r"\s+")
MAX_REASON = 200  # characters of a library's error message kept in ours
# What python-docx and lxml raise on a package whose parts are damaged: a missing
# part or relationship, XML that does not parse or is not the schema's, a value of
# the wrong type. Never MemoryError (the sandbox stops a parse that runs out).
DOCX_ERRORS: tuple[type[Exception], ...] = (
    OpcError,
    PythonDocxError,
    lxml.etree.LxmlError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    AttributeError,
    LookupError,
    NotImplementedError,
    RecursionError,
    TypeError,
    ValueError,
)


def read_docx(data: bytes, ocr_limits: ocr.OcrLimits | None = None) -> Document:
    """Read a .docx into text, grids (merged cells expanded) and its stated title.

    Paragraphs and tables come in body order; a table nested in a cell is a grid of
    its own, listed after the table that holds it.

    :raises UnsafeFile: for a zip bomb or a part that declares a DOCTYPE
        (``processors/package.py``).
    :raises ReadError: for bytes that are not a Word package, or a damaged one.
    """
    check_package(data)
    try:
        return _read(docx.Document(io.BytesIO(data)), ocr_limits)
    except ReadError:
        raise  # ours (a ValueError too): already says what is wrong
    except lxml.etree.LxmlError as exc:
        raise ReadError(f"not readable as DOCX: broken XML: {_said(exc)}") from exc
    except DOCX_ERRORS as exc:
        raise ReadError(
            f"not readable as DOCX: {type(exc).__name__}: {_said(exc)}"
        ) from exc


def _said(exc: Exception) -> str:
    """A library's message, cut short: some quote whole XML parts."""
    said = str(exc)
    return said if len(said) <= MAX_REASON else said[:MAX_REASON] + "…"


def _read(
    document: docx.document.Document, ocr_limits: ocr.OcrLimits | None = None
) -> Document:
    lines: list[str] = []
    grids: list[Grid] = []
    limits = GridLimits()
    body = document.element.body
    if body is None:
        raise ReadError("not readable as DOCX: word/document.xml has no w:body")
    read_blocks(body, lines, grids, limits)
    warnings = list(limits.warnings)
    if body.find(f".//{W}altChunk") is not None:
        warnings.append("altChunk: an embedded HTML/RTF part was not read")
    meta = {}
    title = stated_title(document.core_properties.title)
    if title:
        meta["title"] = title
    if len(WHITESPACE.sub("", "".join(lines))) <= NEARLY_NO_TEXT:
        scanned = read_pictures(document, meta, limits, ocr_limits)
        if scanned is not None:
            return scanned
    return Document(
        kind="docx",
        text="\n".join(lines),
        grids=tuple(grids),
        meta=meta,
        warnings=tuple(warnings),
    )


def read_pictures(
    document: docx.document.Document,
    meta: dict[str, str],
    limits: GridLimits,
    ocr_limits: ocr.OcrLimits | None = None,
) -> Document | None:
    """A Word file that is only page pictures (a scan pasted in), read by OCR.

    Each picture of at least :data:`MIN_PAGE_PIXELS` is a page, in body order.
    None when there is no such picture or OCR is not installed here.
    """
    pictures = page_pictures(document)
    if not pictures or not ocr.available():
        return None
    ocr_limits = ocr_limits or ocr.OcrLimits()
    budget = ocr.Budget(ocr_limits.document_seconds)
    pages: list[PageContent] = []
    for number, blob in enumerate(pictures, 1):
        if budget.spent():
            pages.append(
                PageContent(
                    blocks=(),
                    has_text=False,
                    warnings=(
                        f"pictures {number}–{len(pictures)}: not read by OCR, the "
                        f"document's {ocr_limits.document_seconds:.0f} s were spent",
                    ),
                )
            )
            break
        try:
            image = ocr.picture_image(blob)
        except ValueError as exc:
            pages.append(
                PageContent((), False, (f"picture {number} not read: {exc}",), True)
            )
            continue
        page_budget = ocr.Budget(ocr_limits.page_seconds)
        picture = ocr.read_scanned_page(image, number, page_budget)
        pages.append(scanned_content(picture, limits))
    read = pages_to_document(pages, meta, limits.warnings)
    return replace(read, kind="docx", ocr_pages=tuple(range(1, len(pictures) + 1)))


def page_pictures(document: docx.document.Document) -> list[bytes]:
    """The images the body shows, in order, that are big enough to be pages."""
    from PIL import Image

    body = document.element.body
    parts = document.part.related_parts
    out = []
    for blip in body.iter(f"{{{A_NS}}}blip"):
        part = parts.get(blip.get(f"{{{R_NS}}}embed") or "")
        blob = getattr(part, "blob", None)
        if not blob:
            continue
        try:
            with Image.open(io.BytesIO(blob)) as picture:
                size = picture.size
        except (OSError, ValueError, Image.DecompressionBombError):
            continue
        if size[0] * size[1] >= MIN_PAGE_PIXELS:
            out.append(blob)
    return out


# ------------------------------------------------------------------ walking the body


def blocks(container: _Element) -> Iterator[_Element]:
    """The paragraphs and tables of a body or cell, in order, seen through wrappers."""
    for child in container:
        if child.tag in (P, TBL):
            yield child
        elif child.tag in WRAPPERS:
            yield from blocks(child)


def children(element: _Element, tag: str) -> Iterator[_Element]:
    """Children with ``tag`` (rows of a table, cells of a row), seen through wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            yield from children(child, tag)


def read_blocks(
    container: _Element,
    lines: list[str],
    grids: list[Grid],
    limits: GridLimits | None = None,
) -> None:
    """Append a container's text lines and grids, in document order."""
    limits = limits if limits is not None else GridLimits()
    for block in blocks(container):
        if block.tag == P:
            text = paragraph_text(block).strip()
            if text:
                lines.append(text)
        else:
            read_table(block, lines, grids, limits)


def paragraph_text(paragraph: _Element) -> str:
    """A paragraph's text: runs, tabs and breaks, hyperlinks and insertions included."""
    parts: list[str] = []
    _collect_text(paragraph, parts)
    return "".join(parts)


def _collect_text(element: _Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in SKIPPED:
            continue
        if tag in RUN_TEXT:
            parts.append(RUN_TEXT[tag] or child.text or "")
        elif tag == P:  # a text box's paragraph inside a run
            parts.append("\n")
            _collect_text(child, parts)
        else:
            _collect_text(child, parts)


# ------------------------------------------------------------------ tables


def read_table(
    table: _Element, lines: list[str], grids: list[Grid], limits: GridLimits
) -> None:
    """Append a table's grid, its rows as text lines, then what its cells nest."""
    grid = table_grid(table, limits)
    if grid is not None:
        grids.append(grid)
    for row in children(table, TR):
        texts = []
        nested = []
        for cell in children(row, TC):
            if _merge(cell, "vMerge") == "continue":
                continue  # printed once, in the row where the merge starts
            if any(b.tag == TBL for b in blocks(cell)):
                nested.append(cell)
            else:
                texts.append(cell_text(cell))
        if any(texts):
            lines.append("\t".join(texts))
        for cell in nested:  # a layout table around the report: read its cells as body
            read_blocks(cell, lines, grids, limits)


def table_grid(table: _Element, limits: GridLimits | None = None) -> Grid | None:
    """A table's grid: gridSpan repeated across, vMerge/hMerge continuations filled in.

    Kept within ``limits`` while it is built (``processors/grids.py``); None when the
    document's cell budget is spent.
    """
    limits = limits if limits is not None else GridLimits()
    if limits.spent:
        return None
    rows: list[list[str]] = []
    cells = 0
    for r, row in enumerate(children(table, TR)):
        if not (limits.row_allowed(r) and limits.cells_allowed(cells)):
            break
        rows.append(_row_cells(row, rows[-1] if rows else [], limits))
        cells += len(rows[-1])
    return limits.grid(rows)


def _row_cells(row: _Element, above: list[str], limits: GridLimits) -> list[str]:
    """One ``w:tr`` as the texts of the places it covers, at most MAX_COLUMNS."""
    out = [""] * min(_row_skip(row, "gridBefore", limits), MAX_COLUMNS)
    for cell in children(row, TC):
        column = len(out)
        if column >= MAX_COLUMNS:
            limits.columns(column + 1)
            break
        if _merge(cell, "vMerge") == "continue":
            text = above[column] if column < len(above) else ""
        elif _merge(cell, "hMerge") == "continue":
            text = out[-1] if out else ""
        else:
            text = cell_text(cell)
        out.extend([text] * min(_span(cell, limits), MAX_COLUMNS - column))
    after = _row_skip(row, "gridAfter", limits)
    out.extend([""] * min(after, MAX_COLUMNS - len(out)))
    return out


def cell_text(cell: _Element) -> str:
    """A cell's own paragraphs as one string without white space (nested tables apart)."""
    text = "".join(paragraph_text(b) for b in blocks(cell) if b.tag == P)
    return WHITESPACE.sub("", text)


def _merge(cell: _Element, kind: str) -> str | None:
    """``"restart"``, ``"continue"`` or None for a cell's vMerge/hMerge."""
    mark = cell.find(f"{W}tcPr/{W}{kind}")
    if mark is None:
        return None
    value = mark.get(f"{W}val")
    return str(value) if value else "continue"  # a bare <w:vMerge/> continues


def _span(cell: _Element, limits: GridLimits) -> int:
    span = cell.find(f"{W}tcPr/{W}gridSpan")
    if span is None:
        return 1
    return limits.span(span.get(f"{W}val"), "gridSpan")


def _row_skip(row: _Element, kind: str, limits: GridLimits) -> int:
    mark = row.find(f"{W}trPr/{W}{kind}")
    if mark is None:
        return 0
    value = mark.get(f"{W}val")
    found = SPAN_NUMBER.match(value or "")
    # no number, or 0: nothing skipped (GridLimits.span would read those as 1)
    return limits.span(value, kind) if found and int(found.group(1)) else 0
