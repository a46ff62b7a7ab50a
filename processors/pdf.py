"""PDF reports read with pdfplumber: text in reading order, ruled tables as grids."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zlib
from bisect import bisect_left
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pdfplumber
from pdfminer.pdfexceptions import PDFException
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psexceptions import PSException
from pdfminer.utils import PDFDocEncoding
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from processors import ocr, pdfium_page
from processors.document import Document, Grid, ReadError
from processors.grids import MAX_CELLS, GridLimits
from processors.layout import Line, PageContent, TableBlock
from processors.pdfium_page import FastPage, glyph_of, overprinted, rows
from processors.text import pdf_hash

if TYPE_CHECKING:
    import pypdfium2
    from pdfplumber.page import Page
    from pdfplumber.table import Table

    from processors.text import PageShare

    AnyPage = Page | FastPage  # a page as pdfplumber reads it, or PDFium

# Ruled tables only: every standard table of a report is drawn with borders, and the
# text strategies turn ordinary paragraphs into phantom tables.
TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
}
# Above this many ruling edges a page holds a drawing (a vector seal, a map), not a
# table, and the table finder would take seconds over it.
MAX_TABLE_EDGES = 3000
# The table finder's time grows with the square of the places where rules cross: a
# 100 × 100 lattice takes it 2 s, 145 × 145 10 s. A report's tables have a few
# hundred places (Table 3: some 30 rows × 10 columns), a page of them a few thousand.
MAX_LATTICE = 10_000
# Titles that say nothing about the report: WPS and Word templates stamp them in.
GENERIC_TITLES = frozenset({"政府信息公开工作年度报告", "政府信息公开年度报告"})
NO_TEXT_LAYER = "no text layer (scanned?)"
MAX_REASON = 200  # characters of a library's error message kept in ours
# What pdfminer and pdfplumber raise on a damaged file: their own exceptions, and any
# builtin error a malformed object provokes deep inside them (a keyword where a
# number belongs, a missing key, a stream that does not inflate, a cycle of
# references). Never MemoryError: the sandbox stops a parse that runs out of memory.
PDF_ERRORS: tuple[type[Exception], ...] = (
    PdfminerException,
    MalformedPDFException,
    PDFException,
    PSException,
    ArithmeticError,
    AssertionError,
    AttributeError,
    EOFError,
    LookupError,
    NotImplementedError,
    RecursionError,
    TypeError,
    ValueError,
    struct.error,
    zlib.error,
)
WHITESPACE = re.compile(r"\s+")
UNMAPPED_CID = re.compile(r"\(cid:\d+\)")
PAGE_NUMBER = re.compile(
    r"^[-—–－\s]*(?:第\s*)?\d+\s*(?:页)?(?:\s*共\s*\d+\s*页)?[-—–－\s]*$"
)
PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
OFFICE_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint) - ")
FILE_SUFFIX = re.compile(r"\.(?:docx?|wps|pdf)$", re.IGNORECASE)


def _radical_table() -> dict[int, str]:
    """Radical code points that WPS and Word fonts map common characters to.

    Their ToUnicode maps often send 长, 门, 马… to the Kangxi radicals block
    (U+2F00–) or the CJK Radicals Supplement (U+2E80–): the text looks right but no
    search for "门户网站" finds "⻔户网站". Kangxi radicals and compatibility
    ideographs have NFKC forms; the supplement's simplified forms need a table.
    """
    table: dict[int, str] = {}
    for cp in (*range(0x2F00, 0x2FD6), *range(0xF900, 0xFADA)):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if len(folded) == 1 and folded != chr(cp):
            table[cp] = folded
    supplement = (
        "⺟母⺠民⻄西⻅见⻆角⻉贝⻋车⻓长⻔门⻘青⻙韦⻚页⻛风⻜飞"
        "⻝食⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻬齐⻮齿⻰龙⻳龟"
    )
    table.update(
        {ord(a): b for a, b in zip(supplement[::2], supplement[1::2], strict=True)}
    )
    return table


RADICALS = _radical_table()
PDFDOC_BYTES = {ch: i for i, ch in enumerate(PDFDocEncoding) if ch != "\x00"}


def read_pdf(
    data: bytes, ocr_limits: ocr.OcrLimits | None = None, *, fast: bool = True
) -> Document:
    """Read a PDF into text (paragraphs re-joined), ruled tables and metadata.

    A page's tables come out as grids in reading order; a table that runs over a
    page break is two grids. Text inside tables is not repeated in running text:
    each table row is one line of ``text`` (cells joined by tabs) where the table stands.
    A page the PDF libraries fail on is left out with a warning naming the page.
    Pages are read by PDFium where it gives what pdfplumber would
    (``processors/pdfium_page.py``, ten times faster), else by pdfplumber;
    ``fast=False`` reads every page with pdfplumber (the tests compare the two).

    :raises ReadError: for bytes that are not a PDF, or a PDF too damaged to open
        (truncated downloads, encrypted files) or with no page that can be read.
    """
    _check_header(data)
    limits = GridLimits()
    try:
        with pdfplumber.open(io.BytesIO(data), raise_unicode_errors=False) as pdf:
            meta = pdf_meta(pdf.metadata)
            pages, text_sha256 = _read_pages(data, pdf.pages, limits, fast=fast)
    except PDF_ERRORS as exc:
        raise ReadError(f"not readable as PDF: {_reason(exc)}") from exc
    scanned = [i for i, p in enumerate(pages) if not (p.has_text or p.failed)]
    read_by_ocr: tuple[int, ...] = ()
    if scanned and ocr.available():
        for index, content in ocr_pages(data, scanned, limits, ocr_limits):
            pages[index] = content
        read_by_ocr = tuple(i + 1 for i in scanned)
    return replace(
        pages_to_document(pages, meta, limits.warnings),
        ocr_pages=read_by_ocr,
        text_sha256=text_sha256,
    )


def ocr_pages(
    data: bytes,
    indexes: list[int],
    limits: GridLimits,
    ocr_limits: ocr.OcrLimits | None = None,
) -> list[tuple[int, PageContent]]:
    """The pages at ``indexes`` (0-based) that are pictures (``processors/scans.py``)
    read by OCR, each within its time budget, all within the document's. A page
    PDFium cannot open or render keeps a warning saying so (pdfplumber read the
    file, PDFium may not: fuzzing found such files)."""
    import pypdfium2

    from processors import scans  # Pillow: only for a PDF with pages to read by OCR

    ocr_limits = ocr_limits or ocr.OcrLimits()
    document_budget = ocr.Budget(ocr_limits.document_seconds)
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        shown = ", ".join(str(i + 1) for i in indexes)
        return [(indexes[0], _unread(f"pages {shown}: not read by OCR ({exc})"))]
    out: list[tuple[int, PageContent]] = []
    try:
        for index in indexes:
            if document_budget.spent():
                left = ", ".join(str(i + 1) for i in indexes if i >= index)
                spent = f"{ocr_limits.document_seconds:.0f} s"
                out.append(
                    (
                        index,
                        _unread(
                            f"pages {left}: not read by OCR, the document's {spent} were spent"
                        ),
                    )
                )
                break
            try:
                page = pdf[index]
                try:
                    if not scans.is_scanned(page, ""):
                        continue  # no picture to read: drawn rules, a blank page
                    image = ocr.pdf_page_image(page)
                finally:
                    page.close()
            except pypdfium2.PdfiumError as exc:
                out.append(
                    (index, _unread(f"page {index + 1}: not read by OCR ({exc})"))
                )
                continue
            page_budget = ocr.Budget(ocr_limits.page_seconds)
            read = ocr.read_scanned_page(image, index + 1, page_budget)
            out.append((index, scanned_content(read, limits)))
    finally:
        pdf.close()
    return out


def _unread(why: str) -> PageContent:
    return PageContent(blocks=(), has_text=False, warnings=(why,))


def scanned_content(page: ocr.ScannedPage, limits: GridLimits) -> PageContent:
    """A page read by OCR as the blocks a text page gives."""
    blocks: list[Line | TableBlock] = [
        replace(line, text=fix_text(line.text)) for line in page.lines
    ]
    blocks = list(_drop_page_numbers([b for b in blocks if isinstance(b, Line)]))
    for table in page.tables:
        grid = limits.grid(table.grid.rows)
        if grid is None:
            continue
        confidence = table.grid.confidence or ()
        shape = [len(row) for row in grid.rows]
        kept = tuple(
            tuple((confidence[r] if r < len(confidence) else ())[:width])
            + (None,)
            * (width - len((confidence[r] if r < len(confidence) else ())[:width]))
            for r, width in enumerate(shape)
        )
        blocks.append(
            TableBlock(
                top=table.top, grid=replace(grid, confidence=kept), lines=table.lines
            )
        )
    blocks.sort(key=lambda b: b.top)
    has_text = bool(blocks)
    return PageContent(blocks=tuple(blocks), has_text=has_text, warnings=page.warnings)


def _read_pages(
    data: bytes, pages: list[Page], limits: GridLimits, *, fast: bool
) -> tuple[list[PageContent], str | None]:
    """Every page's content, each read by PDFium where it can be (see read_pdf), and
    the PDF's text hash (:func:`processors.text.pdf_sha256`) when PDFium loaded every
    page on the way (None: the caller hashes the file on its own)."""
    quick = pdfium_page.open_document(data) if fast else None
    if quick is not None and len(quick) != len(pages):
        quick.close()  # the two read different page trees from a damaged file
        quick = None
    shares: dict[int, PageShare] = {}
    try:
        contents = [read_page(page, limits, quick, shares) for page in pages]
    finally:
        if quick is not None:
            quick.close()
    if quick is None or len(shares) != len(pages):
        return contents, None
    return contents, pdf_hash([shares[i] for i in range(len(pages))])


def read_page(
    page: Page,
    limits: GridLimits,
    quick: pypdfium2.PdfDocument | None = None,
    shares: dict[int, PageShare] | None = None,
) -> PageContent:
    """One page's content, or an empty page with a warning when it cannot be read.

    :param quick: the same PDF opened by PDFium: the page is read from it where
        that gives what pdfplumber would (:func:`_fast_page`), its part of the
        text hash put into ``shares``.
    """
    try:
        fast = _fast_page(quick, page, shares) if quick is not None else None
        return page_content(fast if fast is not None else page, limits)
    except PDF_ERRORS as exc:
        return PageContent(
            blocks=(),
            has_text=False,
            warnings=(f"page {page.page_number} not read: {_reason(exc)}",),
            failed=True,
        )
    finally:
        page.close()  # drop pdfplumber's per-page caches: reports run to 60 pages


def _fast_page(
    pdf: pypdfium2.PdfDocument, page: Page, shares: dict[int, PageShare] | None
) -> pdfium_page.FastPage | None:
    """The page read by PDFium, unless pdfplumber would say more.

    PDFium reads a content stream up to the first byte it cannot decode and says
    nothing; pdfminer gives up on the page with an error, which the page's warning
    names. So the page's content streams are decoded first (what pdfminer raises
    here, it raises), and a page where PDFium finds no text at all (a scan, a blank
    page, a damaged one) is left to pdfplumber.
    """
    for stream in page.page_obj.contents:
        stream = resolve1(stream)
        if isinstance(stream, PDFStream):
            stream.get_data()
    fast = pdfium_page.read_page(pdf, page.page_number - 1, shares)
    return fast if fast is not None and fast.glyphs else None


def _check_header(data: bytes) -> None:
    if not data:
        raise ReadError("not a PDF: the file is empty")
    # Some writers put junk before the header; readers accept it within 1 KB.
    if b"%PDF-" not in data[:1024]:
        head = data[:40].decode("latin-1").strip()
        raise ReadError(f"not a PDF: no %PDF- header (starts with {head!r})")


def _reason(exc: Exception) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    said = str(inner)
    if len(said) > MAX_REASON:  # pdfminer puts whole objects into its messages
        said = said[:MAX_REASON] + "…"
    text = f"{type(inner).__name__}: {said}"
    if "EOF" in text or "No /Root" in text:
        text += " (truncated or damaged file)"
    return text


def pages_to_document(
    pages: list[PageContent], meta: dict[str, str], extra: tuple[str, ...] = ()
) -> Document:
    """Assemble the pages into one document, re-joining paragraphs broken at line ends.

    :raises ReadError: when the PDF has pages and not one of them could be read.
    """
    if pages and all(p.failed for p in pages):
        raise ReadError(
            f"not readable as PDF: no page could be read ({pages[0].warnings[0]})"
        )
    grids = tuple(b.grid for p in pages for b in p.blocks if isinstance(b, TableBlock))
    warnings = [w for p in pages for w in p.warnings]
    warnings += extra
    if not any(p.has_text for p in pages):
        return Document(
            kind="pdf",
            text="",
            grids=grids,
            meta=meta,
            warnings=(NO_TEXT_LAYER, *warnings),
        )
    blank = [str(i + 1) for i, p in enumerate(pages) if not (p.has_text or p.failed)]
    if blank:
        warnings.append(f"pages {', '.join(blank)}: {NO_TEXT_LAYER}")
    text = "\n".join(blocks_to_lines([b for p in pages for b in p.blocks]))
    cids = len(UNMAPPED_CID.findall(text))
    if cids:
        warnings.append(
            f"{cids} characters have no Unicode mapping (cid:…): text incomplete"
        )
    return Document(
        kind="pdf", text=text, grids=grids, meta=meta, warnings=tuple(warnings)
    )


# ------------------------------------------------------------------ one page


def page_content(page: AnyPage, limits: GridLimits | None = None) -> PageContent:
    """A page's running-text lines and ruled tables, top to bottom."""
    limits = limits if limits is not None else GridLimits()
    # WPS fakes bold by printing each character twice, a hair apart: "总总计计".
    # pdfplumber's dedupe costs more than half of a page's time: only when needed.
    if _overprinted(page):
        page = page.dedupe_chars()
    warnings: list[str] = []
    tables = page_tables(page, warnings)
    body = page
    if tables:
        boxes = [t.bbox for t in tables]
        body = page.filter(
            lambda obj: obj["object_type"] != "char" or not _inside(obj, boxes)
        )
    lines = [
        Line(
            text=fix_text(line["text"]),
            x0=line["x0"],
            x1=line["x1"],
            top=line["top"],
            size=line["bottom"] - line["top"],
        )
        for line in body.extract_text_lines(return_chars=False)
    ]
    lines = _drop_page_numbers(lines)
    tables_read = (table_block(t, limits) for t in tables)
    blocks: list[Line | TableBlock] = [
        *lines,
        *(block for block in tables_read if block is not None),
    ]
    blocks.sort(key=lambda b: b.top)
    has_text = bool(page.glyphs if isinstance(page, FastPage) else page.chars)
    return PageContent(
        blocks=tuple(blocks), has_text=has_text, warnings=tuple(warnings)
    )


def _overprinted(page: AnyPage) -> bool:
    """Whether some character is printed twice within a point of itself."""
    if isinstance(page, FastPage):
        return page.overprinted()
    return overprinted(rows([glyph_of(c) for c in page.chars]))


def page_tables(page: AnyPage, warnings: list[str]) -> list[Table]:
    """The page's ruled tables of two cells or more (none looked for without rules)."""
    edges = page.edges
    if not edges:
        return []
    if len(edges) > MAX_TABLE_EDGES:
        warnings.append(
            f"page {page.page_number}: {len(edges)} ruling edges "
            f"(more than {MAX_TABLE_EDGES}), tables not searched"
        )
        return []
    lattice = ruling_lattice(edges)
    if lattice > MAX_LATTICE:
        warnings.append(
            f"page {page.page_number}: its rules cross at {lattice} places "
            f"(more than {MAX_LATTICE}, limit MAX_LATTICE), tables not searched"
        )
        return []
    # A single framed box (a boxed note, a photo frame) is not a table.
    tables = [t for t in page.find_tables(TABLE_SETTINGS) if len(t.cells) > 1]
    kept = []
    for table in tables:
        places = lattice_size(table)
        if places > MAX_CELLS:
            warnings.append(
                f"page {page.page_number}: a ruled table of {places} places "
                f"(more than {MAX_CELLS}, limit MAX_CELLS) not read"
            )
        else:
            kept.append(table)
    return kept


def ruling_lattice(edges: list[dict[str, Any]]) -> int:
    """How many places the page's rules could cross at: the distinct positions (to
    the point) of its vertical rules × those of its horizontal ones."""
    xs = {round(e["x0"]) for e in edges if e.get("orientation") == "v"}
    ys = {round(e["top"]) for e in edges if e.get("orientation") == "h"}
    return len(xs) * len(ys)


def lattice_size(table: Table) -> int:
    """Rows × columns of the grid a table extracts to (its distinct tops and lefts)."""
    cells = table.cells
    return len({c[1] for c in cells}) * len({c[0] for c in cells})


def _inside(
    obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]
) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x < x1 and top <= y < bottom for x0, top, x1, bottom in boxes)


def _drop_page_numbers(lines: list[Line]) -> list[Line]:
    """Drop "- 3 -" / "第3页 共5页" lines at the head or foot of a page."""
    while lines and PAGE_NUMBER.match(lines[-1].text):
        lines = lines[:-1]
    while lines and PAGE_NUMBER.match(lines[0].text):
        lines = lines[1:]
    return lines


def table_block(table: Table, limits: GridLimits | None = None) -> TableBlock | None:
    """A pdfplumber table as a grid placed on its page, plus its rows as text
    (None when the document's cell budget is spent)."""
    limits = limits if limits is not None else GridLimits()
    if limits.spent:
        return None
    page: object = table.page  # a FastPage when PDFium read the page
    raw = page.extract_table(table) if isinstance(page, FastPage) else table.extract()
    rows = [[None if c is None else clean_cell(c) for c in row] for row in raw]
    lines = tuple("\t".join(c for c in row if c is not None) for row in rows)
    grid = limits.grid(expand_merged(table, rows).rows)
    if grid is None:
        return None
    return TableBlock(top=table.bbox[1], grid=grid, lines=lines)


def clean_cell(text: str) -> str:
    """A cell's text in one piece: labels split over lines joined, no spaces."""
    return WHITESPACE.sub("", fix_text(text))


def expand_merged(table: Table, rows: list[list[str | None]]) -> Grid:
    """Fill each None with the text of the merged cell that covers its place.

    pdfplumber gives ``""`` for a drawn cell with nothing in it and ``None`` for a
    place in the row/column lattice where no cell starts: that place lies inside a
    merged cell that starts above it or to its left. The cell covering a place is
    found geometrically (the first of ``table.cells`` whose box holds the place's
    top-left corner); a place no cell covers (a hole in the rules) stays ``""``.
    """
    covering = _covering_texts(table.cells, rows)
    grid = tuple(
        tuple(
            text if text is not None else covering.get((r, c), "")
            for c, text in enumerate(row)
        )
        for r, row in enumerate(rows)
    )
    return Grid(rows=grid)


def _covering_texts(
    cells: list[tuple[float, float, float, float]], rows: list[list[str | None]]
) -> dict[tuple[int, int], str]:
    """For each empty place of the lattice, the text of the cell that covers it."""
    xs = sorted({c[0] for c in cells})
    tops = sorted({c[1] for c in cells})
    covering: dict[tuple[int, int], str] = {}
    for x0, top, x1, bottom in cells:
        r0, c0 = bisect_left(tops, top), bisect_left(xs, x0)
        inside = r0 < len(rows) and c0 < len(rows[r0])
        text = (rows[r0][c0] or "") if inside else ""
        for r in range(r0, min(bisect_left(tops, bottom), len(rows))):
            for c in range(c0, min(bisect_left(xs, x1), len(rows[r]))):
                if rows[r][c] is None:
                    covering.setdefault((r, c), text)
    return covering


# ------------------------------------------------------------------ text


def fix_text(text: str) -> str:
    """Radical look-alikes back to the characters they stand for."""
    return text.translate(RADICALS)


def blocks_to_lines(blocks: list[Line | TableBlock]) -> list[str]:
    """Text lines: wrapped lines joined back into paragraphs, table rows as they are.

    A line that runs to the right margin and is followed by one that starts at the
    left margin (no first-line indent) is the same paragraph, wrapped; Chinese has
    no space at a wrap, so the two are joined with nothing between them.
    """
    lines = [b for b in blocks if isinstance(b, Line)]
    if not lines:
        return [row for b in blocks if isinstance(b, TableBlock) for row in b.lines]
    # Most lines of running text start at the left margin and run to the right one;
    # percentiles keep a few centred titles or overhanging URLs from moving them.
    left = _percentile([ln.x0 for ln in lines], 0.2)
    right = _percentile([ln.x1 for ln in lines], 0.9)
    out: list[str] = []
    previous: Line | None = None
    for block in blocks:
        if isinstance(block, TableBlock):
            out.extend(block.lines)
            previous = None
        elif previous is not None and _wraps(previous, block, left, right):
            out[-1] = _join(out[-1], block.text)
            previous = block
        else:
            out.append(block.text)
            previous = block
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _wraps(line: Line, following: Line, left: float, right: float) -> bool:
    size = max(line.size, 1.0)
    return (
        line.x1 >= right - 2 * size
        and following.x0 <= left + size / 2
        and abs(following.size - line.size) <= 0.2 * size
    )


def _join(head: str, tail: str) -> str:
    if (
        head[-1:].isascii()
        and head[-1:].isalpha()
        and tail[:1].isascii()
        and tail[:1].isalpha()
    ):
        return f"{head} {tail}"
    return head + tail


# ------------------------------------------------------------------ metadata


def pdf_meta(info: dict[str, Any]) -> dict[str, str]:
    """``title`` and ``published`` from the PDF's Info dictionary, where they say something."""
    meta: dict[str, str] = {}
    title = stated_title(info.get("Title"))
    if title:
        meta["title"] = title
    # CreationDate is when the file was exported, usually the day of publication or
    # a little before. It is the best the PDF itself says; a date printed in the
    # report or the date its page was listed is better, and callers prefer those.
    published = pdf_date(info.get("CreationDate"))
    if published:
        meta["published"] = published
    return meta


def stated_title(raw: object) -> str | None:
    """A file's stated title, or None when it is empty or the template's generic one."""
    if not isinstance(raw, str):
        return None
    title = fix_text(_redecode(raw)).strip()
    title = FILE_SUFFIX.sub("", OFFICE_PREFIX.sub("", title)).strip()
    if not title or WHITESPACE.sub("", title) in GENERIC_TITLES:
        return None
    return title


def _redecode(text: str) -> str:
    """Undo a GBK or UTF-8 title read as PDFDocEncoding (no BOM: some writers do that)."""
    if all(ord(ch) < 0x80 for ch in text) or any(
        "\u4e00" <= ch <= "\u9fff" for ch in text
    ):
        return text
    try:
        raw = bytes(PDFDOC_BYTES[ch] for ch in text)
    except KeyError:
        return text
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return text


def pdf_date(raw: object) -> str | None:
    """``D:20220228130200+08'00'`` → ``2022-02-28`` (None if missing or implausible)."""
    if not isinstance(raw, str):
        return None
    match = PDF_DATE.match(raw.strip())
    if not match:
        return None
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return day.isoformat() if day.year >= 1995 else None
