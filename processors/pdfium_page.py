"""A PDF page read by PDFium, in the shape pdfplumber gives it: chars and ruling edges.

pdfplumber spends ~90 % of a page's time in pdfminer, interpreting the content
stream in Python (28 ms of a prose page's 31 ms on the bench mix); PDFium does the
same in C in a tenth of it. This module reads a page with PDFium and hands
``processors/pdf.py`` a :class:`FastPage` carrying the very ``chars`` and ``edges``
dictionaries pdfplumber would build, with the few page methods ``page_content``
calls (``find_tables``, ``filter``, ``extract_text_lines``, ``dedupe_chars``), which
run pdfplumber's own table finder and text layout over them. The output is the same
as with pdfplumber (tests/processors/test_pdfium_page.py proves it, file by file,
on every PDF of the tests and of the replica).

"The same chars" means pdfminer's geometry, not PDFium's: PDFium's char boxes are
the glyphs' ink (or a loose box from the font's bounding box), pdfminer's are the
advance width across and the font size up from the font's descent. So each char is
rebuilt from what PDFium knows exactly: its origin, its text object's matrix and font
size, the font's descent and the glyph's advance width (from the PDF's /W or /Widths).
Paths become pdfminer's lines, rectangles and curves by pdfminer's rules
(``pdfminer.converter.PDFLayoutAnalyzer.paint_path``), then pdfplumber's edges.

:func:`read_page` returns None where the two could disagree, and the caller reads
that page with pdfplumber: a rotated page or one whose MediaBox does not start at
the origin, text that is not upright (rotated, mirrored, skewed, vertical writing),
characters without a Unicode mapping (pdfminer writes ``(cid:N)``), text rise.
"""

from __future__ import annotations

import collections
import ctypes
import itertools
import operator
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils.text import LIGATURES, dedupe_chars

from processors import native
from processors.text import page_share

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pdfplumber.table import Table

    from processors.text import PageShare

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_FORM_DEPTH = 8  # Form XObjects inside Form XObjects: deeper ones are not read
BAD_CODES = frozenset("\0\ufffe\uffff")  # what PDFium gives for a char it cannot map
# pdfplumber's defaults for extract_text_lines (pdfplumber.utils.text)
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0


class Glyph(NamedTuple):
    """One char of the page, as pdfminer measures it (top-down page coordinates)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    fontname: str
    size: float


@dataclass(slots=True)
class FastPage:
    """What ``processors.pdf.page_content`` uses of a pdfplumber page.

    ``glyphs`` are the chars in paint order; ``chars`` the same as pdfplumber's
    dictionaries, built only when asked for (a page with ruling lines: pdfplumber's
    table finder reads them). ``extract_text_lines`` runs :func:`text_lines`, a port
    of pdfplumber's line builder over the glyphs (5× faster, same output: tested).
    """

    page_number: int
    bbox: tuple[float, float, float, float]
    glyphs: list[Glyph]
    edges: list[dict[str, Any]] = field(default_factory=list)
    _chars: list[dict[str, Any]] | None = None
    _rows: list[list[Glyph]] | None = None

    @property
    def rows(self) -> list[list[Glyph]]:
        """The glyphs in pdfplumber's lines (:func:`rows`)."""
        if self._rows is None:
            self._rows = rows(self.glyphs)
        return self._rows

    @property
    def chars(self) -> list[dict[str, Any]]:
        if self._chars is None:
            self._chars = [_char_dict(g, self.page_number) for g in self.glyphs]
        return self._chars

    def find_tables(self, settings: dict[str, Any]) -> list[Table]:
        return TableFinder(self, TableSettings.resolve(settings)).tables  # type: ignore[arg-type]

    def filter(self, keep: Callable[[dict[str, Any]], bool]) -> FastPage:
        kept = [g for g, c in zip(self.glyphs, self.chars, strict=True) if keep(c)]
        return FastPage(
            self.page_number, self.bbox, kept, [e for e in self.edges if keep(e)]
        )

    def overprinted(self, tolerance: float = 1.0) -> bool:
        """Whether some char is printed twice within ``tolerance`` points of itself."""
        return overprinted(self.rows, tolerance)

    def dedupe_chars(self) -> FastPage:
        unique = dedupe_chars(self.chars)
        kept = {id(c) for c in unique}
        glyphs = [
            g for g, c in zip(self.glyphs, self.chars, strict=True) if id(c) in kept
        ]
        return FastPage(self.page_number, self.bbox, glyphs, self.edges)

    def extract_text_lines(self, return_chars: bool = False) -> list[dict[str, Any]]:
        return text_lines(self.rows)

    def extract_table(self, table: Table) -> list[list[str | None]]:
        """``table.extract()`` (pdfplumber's, default settings) over the glyphs: a
        char belongs to the row, then the cell, its box's middle falls in."""
        by_middle = sorted(
            ((g[3] + g[4]) / 2, n, (g[1] + g[2]) / 2, g)
            for n, g in enumerate(self.glyphs)
        )
        middles = [m[0] for m in by_middle]
        out: list[list[str | None]] = []
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            inside = by_middle[bisect_left(middles, top) : bisect_left(middles, bottom)]
            # in paint order, as pdfplumber filters page.chars
            members = sorted(m[1:] for m in inside if x0 <= m[2] < x1)
            cells: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    cells.append(None)
                    continue
                left, up, right, down = cell
                glyphs = [
                    g
                    for _, across, g in members
                    if left <= across < right and up <= (g[3] + g[4]) / 2 < down
                ]
                cells.append(cell_text(glyphs))
            out.append(cells)
        return out

    def close(self) -> None:
        """Nothing to let go (pdfplumber's pages drop their caches here)."""


def glyph_of(char: dict[str, Any]) -> Glyph:
    """A pdfplumber char dictionary as a glyph (what :func:`rows` takes)."""
    return Glyph(
        char["text"],
        char["x0"],
        char["x1"],
        char["top"],
        char["bottom"],
        char.get("fontname", ""),
        char["size"],
    )


def _char_dict(glyph: Glyph, page_number: int) -> dict[str, Any]:
    """A glyph as pdfplumber's char dictionary (the keys its table code reads)."""
    return {
        "object_type": "char",
        "page_number": page_number,
        "text": glyph.text,
        "fontname": glyph.fontname,
        "size": glyph.size,
        "upright": True,
        "x0": glyph.x0,
        "x1": glyph.x1,
        "top": glyph.top,
        "bottom": glyph.bottom,
        "doctop": glyph.top,
        "width": glyph.x1 - glyph.x0,
        "height": glyph.bottom - glyph.top,
    }


_TEXT, _X0, _X1, _TOP, _BOTTOM = (itemgetter(i) for i in range(5))
LIGATURE_SET = frozenset(LIGATURES)
SPACE = re.compile(r"\s")  # what str.isspace() says of one char


def rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """The glyphs in pdfplumber's lines: clustered by their tops (3 pt, chained over
    the sorted distinct tops), top to bottom, each sorted by x0 (ties in paint order)."""
    cluster = _clusters(list(map(_TOP, glyphs)))
    grouped: dict[int, list[Glyph]] = {}
    for glyph in glyphs:
        grouped.setdefault(cluster[glyph[3]], []).append(glyph)
    return [sorted(grouped[n], key=_X0) for n in sorted(grouped)]


def overprinted(lines: list[list[Glyph]], tolerance: float = 1.0) -> bool:
    """Whether a char is printed twice within ``tolerance`` of itself both ways
    (WPS fakes bold so), over glyphs in :func:`rows`: two tops within a point are
    in one row (clusters chain at 3), so only neighbours in a row count."""
    for row in lines:
        near = [
            i
            for i, (a, b) in enumerate(itertools.pairwise(row))
            if b[1] - a[1] <= tolerance
        ]
        for i in near:
            text, x, top = row[i][0], row[i][1], row[i][3]
            for other in itertools.islice(row, i + 1, None):
                if other[1] - x > tolerance:
                    break
                if other[0] == text and abs(other[3] - top) <= tolerance:
                    return True
    return False


def text_lines(lines: list[list[Glyph]]) -> list[dict[str, Any]]:
    """``pdfplumber``'s ``extract_text_lines()`` for upright text, over :func:`rows`.

    The same steps with pdfplumber's defaults (``pdfplumber.utils.text``): each row
    cut into words at a space or a gap of more than 3 pt; words clustered again by
    their tops, in order, each run of one cluster a line whose words are joined by
    one space; a line's box is its chars'.
    """
    words = [word for row in lines for word in _words(row)]
    word_tops = [min(map(_TOP, word)) for word in words]
    word_cluster = _clusters(word_tops)
    ligatures = not LIGATURE_SET.isdisjoint(g[0] for word in words for g in word)
    out: list[dict[str, Any]] = []
    placed = zip(words, word_tops, strict=True)
    for _, line in itertools.groupby(placed, key=lambda w: word_cluster[w[1]]):
        members = [word for word, _ in line]
        chars = members[0] if len(members) == 1 else [g for w in members for g in w]
        if ligatures:
            text = " ".join(
                "".join(LIGATURES.get(g[0], g[0]) for g in word) for word in members
            )
        else:
            text = " ".join("".join(map(_TEXT, word)) for word in members)
        out.append(
            {
                "text": text,
                "x0": min(map(_X0, chars)),
                "top": min(map(_TOP, chars)),
                "x1": max(map(_X1, chars)),
                "bottom": max(map(_BOTTOM, chars)),
            }
        )
    return out


def cell_text(glyphs: list[Glyph]) -> str:
    """pdfplumber's ``utils.extract_text(chars)`` (not laid out) over glyphs: the
    words of :func:`rows`, sorted (stably) by the cluster of their tops, a line per
    cluster, words joined by a space."""
    if not glyphs:
        return ""
    words = [word for row in rows(glyphs) for word in _words(row)]
    tops = [min(map(_TOP, word)) for word in words]
    cluster = _clusters(tops)
    lines: dict[int, list[str]] = {}
    for word, top in zip(words, tops, strict=True):
        text = "".join(LIGATURES.get(g[0], g[0]) for g in word)
        lines.setdefault(cluster[top], []).append(text)
    return "\n".join(" ".join(lines[n]) for n in sorted(lines))


def _clusters(values: list[float], tolerance: float = Y_TOLERANCE) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: each value's cluster, chained within
    ``tolerance`` over the sorted distinct values."""
    index: dict[float, int] = {}
    number = -1
    last = float("-inf")
    for value in sorted(set(values)):
        if value > last + tolerance:
            number += 1
        index[value] = number
        last = value
    return index


def _words(line: list[Glyph]) -> list[list[Glyph]]:
    """One row's glyphs, sorted by x0, cut into words (``iter_chars_to_words``): at
    a space (dropped), a step back, a gap over 3 pt, a top 3 pt off the last's."""
    # Most rows of Chinese prose are one word: no space, no gap (sorted by x0, a
    # row never steps back), no top off the last's.
    if not SPACE.search("".join(map(_TEXT, line))):
        x0s, tops = list(map(_X0, line)), list(map(_TOP, line))
        reach = [x1 + X_TOLERANCE for x1 in map(_X1, line)]
        if all(map(operator.le, x0s[1:], reach)) and all(
            abs(b - a) <= Y_TOLERANCE for a, b in itertools.pairwise(tops)
        ):
            return [line]
    words: list[list[Glyph]] = []
    word: list[Glyph] = []
    last: Glyph | None = None
    for glyph in line:
        text, x0, _, top, _, _, _ = glyph
        if text.isspace():
            if word:
                words.append(word)
                word = []
            last = None
            continue
        if last is not None and (
            x0 < last[1]
            or x0 > last[2] + X_TOLERANCE
            or abs(top - last[3]) > Y_TOLERANCE
        ):
            words.append(word)
            word = []
        word.append(glyph)
        last = glyph
    if word:
        words.append(word)
    return words


def open_document(data: bytes) -> pypdfium2.PdfDocument | None:
    """The PDF opened by PDFium, or None where PDFium cannot open it (pdfplumber may)."""
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None


def read_page(
    pdf: pypdfium2.PdfDocument,
    index: int,
    shares: dict[int, PageShare] | None = None,
) -> FastPage | None:
    """Page ``index`` (0-based) as pdfplumber would see it, or None where only
    pdfplumber can say (see the module's docstring).

    :param shares: when given, the page's part of the PDF's text hash is put there
        under ``index`` (:func:`processors.text.page_share`), taken from the page
        loaded here, whatever this function returns.
    """
    try:
        page = pdf[index]
    except (pypdfium2.PdfiumError, IndexError):
        return None
    try:
        textpage = page.get_textpage()
        try:
            if shares is not None:
                _share(page, textpage, index, shares)
            return _read(page, textpage, index)
        finally:
            textpage.close()
    except pypdfium2.PdfiumError:
        return None
    finally:
        page.close()


def _share(
    page: pypdfium2.PdfPage,
    textpage: pypdfium2.PdfTextPage,
    index: int,
    shares: dict[int, PageShare],
) -> None:
    """The page's part of the text hash into ``shares``; none when taking it fails
    (a scan that cannot be rendered): the file is then hashed on its own, which says
    why, and the page is read as if no hash had been asked for."""
    try:
        shares[index] = page_share(page, textpage)
    except Exception:  # the hash's failure is the hash pass's to tell
        return


def _read(
    page: pypdfium2.PdfPage, textpage: pypdfium2.PdfTextPage, index: int
) -> FastPage | None:
    if page.get_rotation() != 0:
        return None
    left, bottom, right, top = page.get_mediabox()
    if left != 0 or bottom != 0:
        return None
    height = float(top)
    objects = list(_page_objects(page.raw))
    glyphs = _chars(textpage, height, _text_order(objects))
    if glyphs is None:
        return None
    edges = _edges(objects, height, index + 1)
    return FastPage(index + 1, (0.0, 0.0, float(right), height), glyphs, edges)


# ------------------------------------------------------------------ chars


def _fast(function: Any, restype: Any, *argtypes: Any) -> Any:
    """A PDFium function called with plain addresses and ints: pypdfium2's typed
    pointers cost a conversion on every call and a cast to compare."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    if address is None:
        raise RuntimeError(f"PDFium has no {function.__name__}")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_VOID, _INT = ctypes.c_void_p, ctypes.c_int
_text_object = _fast(pdfium_c.FPDFText_GetTextObject, _VOID, _VOID, _INT)
_unmapped = _fast(pdfium_c.FPDFText_HasUnicodeMapError, _INT, _VOID, _INT)
_generated = _fast(pdfium_c.FPDFText_IsGenerated, _INT, _VOID, _INT)
_object_font = _fast(pdfium_c.FPDFTextObj_GetFont, _VOID, _VOID)
_font_size = _fast(pdfium_c.FPDFTextObj_GetFontSize, _INT, _VOID, _VOID)
_origin = _fast(pdfium_c.FPDFText_GetCharOrigin, _INT, _VOID, _INT, _VOID, _VOID)
_UNMAPPED_AT = ctypes.cast(pdfium_c.FPDFText_HasUnicodeMapError, _VOID).value
_ORIGIN_AT = ctypes.cast(pdfium_c.FPDFText_GetCharOrigin, _VOID).value


@dataclass(frozen=True, slots=True)
class _Font:
    """A font of the page, as pdfminer would measure it."""

    handle: Any  # the FPDF_FONT
    name: str  # BaseFont
    descent: float  # per unit of size (the FontDescriptor's /Descent ÷ 1000)
    widths: dict[str, float] = field(default_factory=dict)  # advance per unit of size


@dataclass(frozen=True, slots=True)
class _Run:
    """What a text object tells about each of its chars, in page space."""

    font: _Font | None
    order: int  # the object's place in paint order
    across: float  # a glyph's width per unit of advance (Tf × the matrix's a)
    up: float  # a char's height: the font size (Tf × the matrix's d)
    descent: float  # the baseline's height over a char's bottom (pdfminer's descent)
    glyphs: list[Glyph] = field(default_factory=list)  # its chars, as read


_UNSEEN = _Run(None, -1, 0.0, 0.0, 0.0)


def _text(raw: Any, count: int) -> str | None:
    """The text page's chars, one per index (None when a char takes two UTF-16 units)."""
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    text = bytes(buffer)[: 2 * max(written - 1, 0)].decode("utf-16-le", "replace")
    return text if len(text) == count else None


def _origins(page: int, count: int) -> tuple[list[float], list[float]] | None:
    """Every char's origin (x and y lists), or None when a char has no Unicode
    mapping. In one C call (processors/native) where the loop could be built;
    otherwise one C-level pass per question through ``map``, which costs less than
    a Python loop (PDFium's answers written straight into arrays)."""
    xs, ys = (ctypes.c_double * count)(), (ctypes.c_double * count)()
    if native.LOOP is not None:
        if native.LOOP(page, count, _UNMAPPED_AT, _ORIGIN_AT, xs, ys) >= 0:
            return None
        return list(xs), list(ys)
    indexes = range(count)
    if any(map(_unmapped, itertools.repeat(page, count), indexes)):
        return None
    x_at, y_at = ctypes.addressof(xs), ctypes.addressof(ys)
    step = ctypes.sizeof(ctypes.c_double)
    collections.deque(
        map(
            _origin,
            itertools.repeat(page, count),
            indexes,
            range(x_at, x_at + step * count, step),
            range(y_at, y_at + step * count, step),
        ),
        maxlen=0,
    )
    return list(xs), list(ys)


def _chars(
    textpage: Any, height: float, order: dict[int, tuple[int, Matrix]]
) -> list[Glyph] | None:
    """The page's chars in the order the content stream paints them (PDFium's text
    page reorders text objects; pdfplumber's sort within a line keeps paint order
    for ties), or None: leave the page to pdfplumber.

    :param order: each text object's place in the content stream and its matrix
        to page space, by address.
    """
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    text = _text(raw, count) if count > 0 else ""
    if text is None:
        return None
    if not text:
        return []
    if BAD_CODES.intersection(text):
        return None  # no Unicode for a char: pdfminer writes (cid:N), only it can
    page = ctypes.cast(raw, ctypes.c_void_p).value or 0
    origins = _origins(page, count)
    if origins is None:
        return None  # pdfminer writes (cid:N): only pdfplumber gives the same
    spans = _object_spans(page, text)
    if spans is None:
        return None
    x_list, y_list = origins
    runs: dict[int, _Run | None] = {}
    fonts: dict[int, _Font | None] = {}
    make = tuple.__new__  # Glyph(...) through its Python __new__ costs twice as much
    for start, end, address in spans:
        run = runs.get(address, _UNSEEN)
        if run is _UNSEEN:
            where = order.get(address)  # None: too deep in forms to be walked
            run = runs[address] = _run(address, *where, fonts) if where else None
        if run is None or run.font is None:
            return None
        font, across, up = run.font, run.across, run.up
        widths, fontname, base = font.widths, font.name, height - run.descent
        chars = text[start:end]
        for char in set(chars).difference(widths):
            measured = _advance(font.handle, char)
            if measured is None:
                return None
            widths[char] = measured
        run.glyphs.extend(
            make(Glyph, (c, x, x + across * widths[c], b - up, b, fontname, up))
            for c, x, b in zip(
                chars,
                x_list[start:end],
                [base - y for y in y_list[start:end]],
                strict=True,
            )
        )
    if len(runs) != len(order):
        # PDFium drops a text object printed again a hair off itself (WPS's fake
        # bold) when the offset is under 0.9 of a character; pdfplumber's dedupe
        # only within 1 pt. Which copies are kept then differs: pdfplumber says.
        return None
    # In paint order (PDFium's text page reorders objects; pdfplumber's sort within
    # a line keeps paint order for ties); within an object, PDFium's order.
    ordered = sorted((r for r in runs.values() if r is not None), key=lambda r: r.order)
    return [glyph for run in ordered for glyph in run.glyphs]


STRETCH = re.compile(r"[^\s\x00]+")  # chars PDFium never makes up


def _object_spans(page: int, text: str) -> list[tuple[int, int, int]] | None:
    """The text page as (start, end, text object) spans, without PDFium's own
    spaces and line breaks; None where a char has no object.

    A text object's chars follow one another in the text page (PDFium reads an
    object at a time), broken only by the spaces and line breaks it makes up: so
    in a stretch without white space, an object's span is found by bisection, a
    few calls for a line of text instead of one per char.
    """
    spans: list[tuple[int, int, int]] = []
    done = 0
    for stretch in STRETCH.finditer(text):
        for i in range(done, stretch.start()):  # white space, made up or printed
            address = _text_object(page, i)
            if address:
                spans.append((i, i + 1, address))
            elif not _generated(page, i):
                return None
        done = stretch.end()
        start, end = stretch.span()
        while start < end:
            address = _text_object(page, start)
            if not address:
                return None
            low, high = start, end - 1  # _text_object(low) is address
            if _text_object(page, high) == address:
                low = high
            else:
                while high - low > 1:
                    middle = (low + high) // 2
                    if _text_object(page, middle) == address:
                        low = middle
                    else:
                        high = middle
            spans.append((start, low + 1, address))
            start = low + 1
    for i in range(done, len(text)):
        address = _text_object(page, i)
        if address:
            spans.append((i, i + 1, address))
        elif not _generated(page, i):
            return None
    return spans


def _advance(font: Any, char: str) -> float | None:
    """The glyph's advance width per unit of font size, from the PDF's widths."""
    width = ctypes.c_float()
    if not pdfium_c.FPDFFont_GetGlyphWidth(font, ord(char), 1000.0, width):
        return None
    return width.value / 1000.0


def _run(
    address: int, order: int, matrix: Matrix, fonts: dict[int, _Font | None]
) -> _Run | None:
    """The text object's font and size (None: leave the page to pdfplumber).

    :param fonts: the page's fonts read so far, by address (filled in here).
    """
    a, b, c, d = matrix[:4]
    if b != 0 or c != 0 or a <= 0 or d <= 0:
        return None  # not upright, or skewed: pdfminer's boxes differ
    key = _object_font(address)
    size = ctypes.c_float()
    if not key or not _font_size(address, ctypes.addressof(size)):
        return None
    if key not in fonts:
        fonts[key] = _font(ctypes.cast(key, pdfium_c.FPDF_FONT))
    font = fonts[key]
    if font is None:
        return None
    return _Run(
        font=font,
        order=order,
        across=a * size.value,
        up=d * size.value,
        descent=d * size.value * font.descent,
    )


def _font(handle: Any) -> _Font | None:
    """The font's name and descent (None: leave the page to pdfplumber)."""
    descent = ctypes.c_float()
    if not pdfium_c.FPDFFont_GetDescent(handle, ctypes.c_float(1000.0), descent):
        return None
    name = ctypes.create_string_buffer(256)
    length = pdfium_c.FPDFFont_GetBaseFontName(handle, name, len(name))
    fontname = name.value.decode("latin-1") if length else ""
    if fontname in FONT_METRICS:
        # pdfminer measures the standard fonts (and Arial, TimesNewRoman…) by its
        # own metrics, whatever the PDF says; PDFium by the PDF's widths.
        return None
    return _Font(handle=handle, name=fontname, descent=descent.value / 1000.0)


def _matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


# ------------------------------------------------------------------ edges


def _edges(
    objects: list[tuple[Any, int, Matrix]], height: float, page_number: int
) -> list[dict[str, Any]]:
    """pdfplumber's ``page.edges``: its lines' edges, then its rects', then its curves'."""
    lines: list[dict[str, Any]] = []
    rects: list[dict[str, Any]] = []
    curves: list[dict[str, Any]] = []
    for obj, kind, matrix in objects:
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        for shape_kind, points in _shapes(obj, matrix):
            shape = _shape_dict(shape_kind, points, height, page_number)
            {"line": lines, "rect": rects, "curve": curves}[shape_kind].append(shape)
    return (
        [_line_edge(line) for line in lines]
        + [edge for rect in rects for edge in _rect_edges(rect)]
        + [edge for curve in curves for edge in _curve_edges(curve)]
    )


def _text_order(
    objects: list[tuple[Any, int, Matrix]],
) -> dict[int, tuple[int, Matrix]]:
    """Each text object's place in paint order and its matrix to page space, by address."""
    return {
        ctypes.cast(obj, ctypes.c_void_p).value or 0: (n, matrix)
        for n, (obj, kind, matrix) in enumerate(objects)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT
    }


def _page_objects(page: Any) -> Iterator[tuple[Any, int, Matrix]]:
    """Every object of the page in paint order (a Form XObject's where it is
    painted), with its type and its matrix to page space."""
    count = pdfium_c.FPDFPage_CountObjects(page)
    top = (pdfium_c.FPDFPage_GetObject(page, i) for i in range(count))
    yield from _walk(top, IDENTITY, 0)


def _walk(
    objects: Iterator[Any], outer: Matrix, depth: int
) -> Iterator[tuple[Any, int, Matrix]]:
    for obj in objects:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        matrix = _compose(_matrix(obj), outer)
        if kind != pdfium_c.FPDF_PAGEOBJ_FORM:
            yield obj, kind, matrix
        elif depth < MAX_FORM_DEPTH:
            count = pdfium_c.FPDFFormObj_CountObjects(obj)
            inner = (pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(count))
            yield from _walk(inner, matrix, depth + 1)


def _compose(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (row vectors, as PDF writes them: m × n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def _operations(obj: Any) -> list[tuple[str, tuple[float, float]]]:
    """The path as pdfminer records it: ``m``, ``l``, ``c`` (its end point) and ``h``."""
    ops: list[tuple[str, tuple[float, float]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    bezier = 0
    first = (0.0, 0.0)
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            ops.append(("m", point))
            first = point
            bezier = 0
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            ops.append(("l", point))
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3:
                continue  # a control point: pdfminer keeps the end point only
            ops.append(("c", point))
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            ops.append(("h", first))
    return ops


def _shapes(
    obj: Any, matrix: Matrix
) -> Iterator[tuple[str, list[tuple[float, float]]]]:
    """The path's subpaths as pdfminer's LTLine, LTRect and LTCurve (kind, points)."""
    ops = _operations(obj)
    starts = [i for i, (op, _) in enumerate(ops) if op == "m"]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(ops)
        if end - start < 2:
            continue  # a lone moveto paints nothing (pdfminer's "m[^m]+")
        sub = ops[start:end]
        shape = "".join(op for op, _ in sub)
        points = [_apply(matrix, *p) for _, p in sub]
        if len(shape) > 3 and shape[-2:] == "lh" and points[-2] == points[0]:
            shape = shape[:-2] + "h"
            points.pop()
        if shape in ("mlh", "ml"):
            yield "line", points[:2]
        elif shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = points
            closed = points[0] == points[4]
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
            )
            if closed and square:
                yield "rect", [points[0], points[2]]
            else:
                yield "curve", points
        else:
            yield "curve", points


def _shape_dict(
    kind: str, points: list[tuple[float, float]], height: float, page_number: int
) -> dict[str, Any]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    shape: dict[str, Any] = {
        "object_type": kind,
        "page_number": page_number,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "width": x1 - x0,
        "height": y1 - y0,
        "top": height - y1,
        "bottom": height - y0,
        "doctop": height - y1,
    }
    if kind == "curve":
        shape["pts"] = [(x, height - y) for x, y in points]
    return shape


def _line_edge(line: dict[str, Any]) -> dict[str, Any]:
    return {**line, "orientation": "h" if line["top"] == line["bottom"] else "v"}


def _rect_edges(rect: dict[str, Any]) -> list[dict[str, Any]]:
    """pdfplumber.utils.rect_to_edges: the rectangle's four sides."""
    top, bottom, left, right = (dict(rect) for _ in range(4))
    top.update(
        object_type="rect_edge",
        height=0,
        y0=rect["y1"],
        bottom=rect["top"],
        orientation="h",
    )
    bottom.update(
        object_type="rect_edge",
        height=0,
        y1=rect["y0"],
        top=rect["top"] + rect["height"],
        doctop=rect["doctop"] + rect["height"],
        orientation="h",
    )
    left.update(object_type="rect_edge", width=0, x1=rect["x0"], orientation="v")
    right.update(object_type="rect_edge", width=0, x0=rect["x1"], orientation="v")
    return [top, bottom, left, right]


def _curve_edges(curve: dict[str, Any]) -> list[dict[str, Any]]:
    """pdfplumber.utils.curve_to_edges: a segment between each two points."""
    points = curve["pts"]
    return [
        {
            "object_type": "curve_edge",
            "x0": min(p0[0], p1[0]),
            "x1": max(p0[0], p1[0]),
            "top": min(p0[1], p1[1]),
            "doctop": min(p0[1], p1[1]),
            "bottom": max(p0[1], p1[1]),
            "width": abs(p0[0] - p1[0]),
            "height": abs(p0[1] - p1[1]),
            "orientation": "v" if p0[0] == p1[0] else ("h" if p0[1] == p1[1] else None),
        }
        for p0, p1 in itertools.pairwise(points)
    ]
