"""Word (.docx) reports read with python-docx: paragraphs and tables in body order."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import TYPE_CHECKING

import docx
import lxml.etree
from docx.opc.exceptions import OpcError

from processors.document import Document, Grid, ReadError
from processors.pdf import stated_title
from processors.text import DOCX_MAX_XML

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.etree import _Element

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
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
# Images are packed too, so the whole package may exceed one part's limit, but not by much.
MAX_UNPACKED = 4 * DOCX_MAX_XML
WHITESPACE = re.compile(r"\s+")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def read_docx(data: bytes) -> Document:
    """Read a .docx into text, grids (merged cells expanded) and its stated title.

    Paragraphs and tables come in body order; a table nested in a cell is a grid of
    its own, listed after the table that holds it.

    :raises ReadError: for bytes that are not a Word package, a damaged one, or one
        that would unpack beyond the size limits (a zip bomb).
    """
    check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (
        OpcError,
        KeyError,
        ValueError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
    ) as exc:
        raise ReadError(f"not readable as DOCX: {type(exc).__name__}: {exc}") from exc
    except lxml.etree.LxmlError as exc:
        raise ReadError(f"not readable as DOCX: broken XML: {exc}") from exc
    lines: list[str] = []
    grids: list[Grid] = []
    body = document.element.body
    read_blocks(body, lines, grids)
    warnings = []
    if body.find(f".//{W}altChunk") is not None:
        warnings.append("altChunk: an embedded HTML/RTF part was not read")
    meta = {}
    title = stated_title(document.core_properties.title)
    if title:
        meta["title"] = title
    return Document(
        kind="docx",
        text="\n".join(lines),
        grids=tuple(grids),
        meta=meta,
        warnings=tuple(warnings),
    )


def check_package(data: bytes) -> None:
    """Refuse what is not a zip, and zips that unpack to more than the limits allow.

    The sizes in the zip directory are safe to trust: ``zipfile`` never returns more
    bytes than an entry declares.
    """
    if not data:
        raise ReadError("not a DOCX: the file is empty")
    if data.startswith(OLE_MAGIC):
        raise ReadError(
            "not a DOCX: an OLE2 file (legacy .doc or .wps), read it as doc"
        )
    if not data.startswith(ZIP_MAGIC):
        head = data[:40].decode("latin-1").strip()
        raise ReadError(f"not a DOCX: not a zip package (starts with {head!r})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ReadError(f"not a DOCX: broken zip package: {exc}") from exc
    for info in infos:
        if info.file_size > DOCX_MAX_XML:
            raise ReadError(
                f"{info.filename} expands to {info.file_size} bytes (limit {DOCX_MAX_XML})"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED:
        raise ReadError(f"the package expands to {total} bytes (limit {MAX_UNPACKED})")


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


def read_blocks(container: _Element, lines: list[str], grids: list[Grid]) -> None:
    """Append a container's text lines and grids, in document order."""
    for block in blocks(container):
        if block.tag == P:
            text = paragraph_text(block).strip()
            if text:
                lines.append(text)
        else:
            read_table(block, lines, grids)


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


def read_table(table: _Element, lines: list[str], grids: list[Grid]) -> None:
    """Append a table's grid, its rows as text lines, then what its cells nest."""
    grids.append(table_grid(table))
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
            read_blocks(cell, lines, grids)


def table_grid(table: _Element) -> Grid:
    """A table's grid: gridSpan repeated across, vMerge/hMerge continuations filled in."""
    rows: list[list[str]] = []
    for row in children(table, TR):
        out = [""] * _row_skip(row, "gridBefore")
        for cell in children(row, TC):
            column = len(out)
            if _merge(cell, "vMerge") == "continue":
                above = rows[-1] if rows else []
                text = above[column] if column < len(above) else ""
            elif _merge(cell, "hMerge") == "continue":
                text = out[-1] if out else ""
            else:
                text = cell_text(cell)
            out.extend([text] * _span(cell))
        out.extend([""] * _row_skip(row, "gridAfter"))
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    return Grid(rows=tuple(tuple(r + [""] * (width - len(r))) for r in rows))


def cell_text(cell: _Element) -> str:
    """A cell's own paragraphs as one string without white space (nested tables apart)."""
    text = "".join(paragraph_text(b) for b in blocks(cell) if b.tag == P)
    return WHITESPACE.sub("", text)


def _merge(cell: _Element, kind: str) -> str | None:
    """``"restart"``, ``"continue"`` or None for a cell's vMerge/hMerge."""
    mark = cell.find(f"{W}tcPr/{W}{kind}")
    if mark is None:
        return None
    return mark.get(f"{W}val") or "continue"  # a bare <w:vMerge/> continues


def _span(cell: _Element) -> int:
    span = cell.find(f"{W}tcPr/{W}gridSpan")
    return _count(span, 1)


def _row_skip(row: _Element, kind: str) -> int:
    return _count(row.find(f"{W}trPr/{W}{kind}"), 0)


def _count(mark: _Element | None, default: int) -> int:
    if mark is None:
        return default
    value = mark.get(f"{W}val", "")
    # A hostile gridSpan of 10⁹ must not build a billion-cell row.
    return min(int(value), 64) if value.isdigit() and int(value) > 0 else default
