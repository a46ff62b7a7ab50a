"""Read a page that is a picture (a scanned report): its tables cell by cell, its text.

A scanned page has no text layer; here it becomes the same :class:`PageContent` a
text page gives (running-text lines and ruled tables, top to bottom), so everything
after the readers — identity, tables, checks, search — works on scans unchanged.

How a page is read:

1. **Image.** The page is rendered at :data:`DPI` (PDF pages by PDFium; a DOCX's
   page images are scaled to the same size). Only the red channel is kept: black
   print stays black in it, and a red seal stamped over a table fades to near white.
2. **Skew.** The angle that makes the rows of ink sharpest (a projection profile,
   searched over ±:data:`MAX_SKEW` degrees on a small copy) is undone.
3. **Tables.** Ruling lines are what long thin openings of the ink leave
   (horizontal and vertical); the white holes inside a table's lines are its cells.
   The cells' edges, clustered, give the table's row and column lattice, and a cell
   spanning several places fills each of them, as every reader's grids do
   (``processors/document.py``).
4. **Cells.** Each cell is read on its own by Tesseract (``chi_sim``). A cell that
   reads as a figure is read again with only digits allowed; its confidence is the
   least certain digit's, and halved when the two readings disagree. A cell with no
   ink is blank for certain. Confidence travels with the grid
   (:attr:`Grid.confidence`); ``processors/tables.py`` leaves a figure under
   :data:`processors.tables.MIN_CONFIDENCE` blank with a warning naming its cell, never a guess.
5. **Text.** The rest of the page (tables whited out) is read line by line.

Deterministic and local: Tesseract runs in-process (tesserocr) with the models of
Debian's ``tesseract-ocr-chi-sim``; nothing is downloaded. Each page has a time
budget (:class:`Budget`): a page that runs over it keeps what was read, and the
cells left unread are blank with a warning.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processors.document import Grid
from processors.layout import Line, TableBlock
from processors.tables import NONE_MARKS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]

DPI = 300  # pages are read at this resolution (px per inch)
# An A4 page at 300 dpi is 8.7 million pixels; a page is never rendered bigger than
# four of them (a hostile MediaBox of 200 × 200 inches would ask for 3.6 billion).
MAX_PAGE_PIXELS = 36_000_000
POINTS = 72 / DPI  # one pixel in PDF points (the unit of the text readers' lines)
MAX_SKEW = 4.0  # degrees either way a scan may be turned
PAGE_SECONDS = 30.0  # the time budget of one page
# ... and of one document's pages together: a parse must end inside the sandbox's
# time limit (app/sandbox.py; 120 s by default) with room for the rest of the parse.
DOCUMENT_SECONDS = 90.0
# A report's tables have a few hundred cells (表三: some 30 rows × 10 columns); a
# drawing of thousands of boxes is no table, and reading each would take minutes.
MAX_CELLS = 2000
# px: a hole smaller than this either way is a gap in the rules, not a cell
MIN_CELL = 12
INSET = 4  # px shaved off each side of a cell so its rules are not read as "1" or "|"
INK = 128  # gray level below which a pixel is ink
MIN_INK = 40  # ink pixels a cell needs to say anything (a "1" at 10 pt has ~150)
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)
LANGUAGE = "chi_sim"
DIGIT_LANGUAGE = "eng"  # installed with Debian's tesseract-ocr
DIGITS = "0123456789.,+-"  # 表二's 本年增/减 prints "+2", "-1"
WHITESPACE = re.compile(r"\s+")
# A "line" of dashes is a rule or the dark edge of a page scanned crooked ("一一").
RULE_LIKE = re.compile(r"^[一—–\-_－=~·.…|｜\s]+$")
NUMBERING = re.compile(r"^(?:[^）)]{0,4}[）)]|\d[.．、]|[一二三四五六七八九十]、)")
SURE = 90.0  # both models this sure of the same figure: no third reading
# A cell read less surely than this is read again, in gray and smaller.
RETRY_BELOW = 70.0
SNAP_RATIO = 0.7  # how alike a label read by OCR and a template label must be to snap
# What a figure may look like when read with the full model: digits, separators, and
# the letters Tesseract takes digits for.
FIGURE_LIKE = re.compile(r"^[-+]?[0-9OoIlSZB.,，．]*[0-9][0-9OoIlSZB.,，．]*$")
CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
SPACE_NEAR_CJK = re.compile(rf"(?<={CJK})\s+|\s+(?={CJK})")
HALF_TO_FULL = str.maketrans(
    {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}
)
NEAR_CJK_PUNCT = re.compile(rf"(?<={CJK})[,:;()?!]|[,:;()?!](?={CJK})")


class OcrUnavailable(RuntimeError):
    """Tesseract or its Simplified Chinese model is not installed (the message says how)."""


@cache
def tessdata() -> str | None:
    """Where Tesseract's models are: ``TESSDATA_PREFIX`` if set, else Debian's places."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS]
    for folder in candidates:
        if folder and all(
            (Path(folder) / f"{name}.traineddata").is_file()
            for name in (LANGUAGE, DIGIT_LANGUAGE)
        ):
            return folder.rstrip("/") + "/"
    return None


def available() -> bool:
    """Whether scanned pages can be read here (tesserocr imports and chi_sim is found)."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return tessdata() is not None


@dataclass(frozen=True, slots=True)
class OcrLimits:
    """How long OCR may take: per page, and for all pages of one document (the caller
    sets these within its sandbox's time limit; see app/config.py ParseLimits)."""

    page_seconds: float = PAGE_SECONDS
    document_seconds: float = DOCUMENT_SECONDS


@dataclass(slots=True)
class Budget:
    """A page's time budget: :meth:`spent` once ``seconds`` have passed since it began."""

    seconds: float = PAGE_SECONDS
    started: float = field(default_factory=time.monotonic)

    def spent(self) -> bool:
        return time.monotonic() - self.started > self.seconds


@dataclass(frozen=True, slots=True)
class Reading:
    """What Tesseract read in one box, and how sure it is (0–100; None: blank, certain)."""

    text: str
    confidence: float | None


@dataclass(frozen=True, slots=True)
class ScannedPage:
    """One page read by OCR: its lines and tables, and what went wrong."""

    lines: tuple[Line, ...]
    tables: tuple[TableBlock, ...]
    warnings: tuple[str, ...]
    angle: float  # degrees the scan was turned by (undone before reading)


# ------------------------------------------------------------------ the engine


class Engine:
    """One Tesseract instance, reused for every box of every page of a process."""

    def __init__(self) -> None:
        folder = tessdata()
        if folder is None:
            raise OcrUnavailable(
                f"Tesseract's {LANGUAGE} model not found in TESSDATA_PREFIX or "
                f"{', '.join(TESSDATA_DIRS)}: install Debian's tesseract-ocr-chi-sim "
                "(scripts/bootstrap.sh does)"
            )
        try:
            from tesserocr import PyTessBaseAPI
        except ImportError as exc:
            raise OcrUnavailable(f"tesserocr cannot be imported: {exc}") from exc
        self.api = PyTessBaseAPI(path=folder, lang=LANGUAGE)
        # Figures are read again by the English model: chi_sim took a clear "555"
        # for "559" and "225" for "2295" with confidence over 90; eng read both right.
        self.digits = PyTessBaseAPI(path=folder, lang=DIGIT_LANGUAGE)
        self.digits.SetVariable("tessedit_char_whitelist", DIGITS)

    def read(
        self, image: Image, *, line: bool = False, digits: bool = False
    ) -> Reading:
        """Read one box: a single line (``line``) or a block; digits only (``digits``)."""
        from PIL import Image as PILImage
        from tesserocr import PSM, RIL

        api = self.digits if digits else self.api
        api.SetPageSegMode(PSM.SINGLE_LINE if line else PSM.SINGLE_BLOCK)
        api.SetImage(PILImage.fromarray(image))
        api.SetSourceResolution(DPI)
        api.Recognize()
        text = (api.GetUTF8Text() or "").strip()
        if not text:
            return Reading("", 0.0)
        if digits:
            symbols = _confidences(api, RIL.SYMBOL)
            confidence = min(symbols) if symbols else 0.0
        else:
            confidence = float(api.MeanTextConf())
        return Reading(text, confidence)

    def lines(self, image: Image) -> list[tuple[str, tuple[int, int, int, int], float]]:
        """The text lines of a page region: (text, (x0, y0, x1, y1) px, confidence)."""
        from PIL import Image as PILImage
        from tesserocr import PSM, RIL, iterate_level

        api = self.api
        api.SetPageSegMode(PSM.SINGLE_BLOCK)  # reports are one column
        api.SetImage(PILImage.fromarray(image))
        api.SetSourceResolution(DPI)
        api.Recognize()
        out = []
        iterator = api.GetIterator()
        for item in iterate_level(iterator, RIL.TEXTLINE):
            text = item.GetUTF8Text(RIL.TEXTLINE)
            box = item.BoundingBox(RIL.TEXTLINE)
            if text and text.strip() and box:
                out.append((text.strip(), box, item.Confidence(RIL.TEXTLINE)))
        return out


def _confidences(api: Any, level: int) -> list[float]:
    from tesserocr import iterate_level

    found = []
    for item in iterate_level(api.GetIterator(), level):
        if (item.GetUTF8Text(level) or "").strip():
            found.append(float(item.Confidence(level)))
    return found


@cache
def engine() -> Engine:
    """This process's engine (Tesseract takes a tenth of a second to load its model)."""
    return Engine()


# ------------------------------------------------------------------ images


def pdf_page_image(page: Any) -> Image:
    """A PDFium page rendered at :data:`DPI`, red channel only (seals fade out)."""
    width, height = page.get_size()
    scale = DPI / 72
    if width * height * scale * scale > MAX_PAGE_PIXELS:  # a poster, or a hostile box
        scale = (MAX_PAGE_PIXELS / max(width * height, 1.0)) ** 0.5
    bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB(A) order
    try:
        array = bitmap.to_numpy()
        red: Image = array[:, :, 0].copy()
        return red
    finally:
        bitmap.close()


def picture_image(data: bytes) -> Image:
    """An embedded page picture (a DOCX's), red channel, scaled to an A4 width at :data:`DPI`.

    :raises ValueError: when the bytes are no image Pillow can decode.
    """
    import io

    import numpy as np
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.load()
            rgb = picture.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValueError(f"not an image: {exc}") from exc
    width = round(8.27 * DPI)  # A4
    if rgb.width and abs(rgb.width - width) > 8:
        height = max(1, round(rgb.height * width / rgb.width))
        if width * height > MAX_PAGE_PIXELS:
            raise ValueError(
                f"a picture of {rgb.width}×{rgb.height} px is no page "
                f"(more than {MAX_PAGE_PIXELS:,} px at A4 width)"
            )
        rgb = rgb.resize((width, height), PILImage.Resampling.LANCZOS)
    return np.asarray(rgb)[:, :, 0].copy()


def skew(gray: Image) -> float:
    """The angle (degrees, counter-clockwise positive) the page's rows of ink lean by."""
    import cv2
    import numpy as np

    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ink = (small < INK).astype(np.float32)
    if ink.sum() < 50:
        return 0.0
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(ink, matrix, (ink.shape[1], ink.shape[0]))
        rows = turned.sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.25), key=sharpness)
    fine = np.arange(best - 0.25, best + 0.26, 0.05)
    return round(-float(max(fine, key=sharpness)), 2) + 0.0  # no -0.0, no 5e-17


def straighten(gray: Image, angle: float) -> Image:
    """The page turned back by ``angle`` degrees (white where the turn leaves corners)."""
    import cv2

    if abs(angle) < 0.05:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    turned: Image = cv2.warpAffine(  # type: ignore[assignment]
        gray,
        matrix,
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return turned


# ------------------------------------------------------------------ tables


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in px


def find_tables(gray: Image) -> list[list[Box]]:
    """The cells of each ruled table on a straightened page, tables top to bottom.

    A table is one connected figure of ruling lines with at least two holes; a single
    framed box (a note, a photo frame) is not a table.
    """
    import cv2
    import numpy as np

    height, width = gray.shape
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # Rules broken by blur or JPEG blocks are mended before they are looked for.
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (width // 25, 1))
    )
    vertical = cv2.morphologyEx(
        ink,
        cv2.MORPH_OPEN,
        cv2.getStructuringElement(cv2.MORPH_RECT, (1, height // 70)),
    )
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    contours, hierarchy = cv2.findContours(
        rules, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE
    )
    if not len(contours):
        return []
    holes: dict[int, list[Box]] = {}
    for index, contour in enumerate(contours):
        parent = int(hierarchy[0][index][3])
        if parent < 0:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if w >= MIN_CELL and h >= MIN_CELL:
            holes.setdefault(parent, []).append((x, y, x + w, y + h))
    tables = [cells for cells in holes.values() if len(cells) > 1]
    return sorted(tables, key=lambda cells: min(c[1] for c in cells))


def lattice(values: list[int], tolerance: int = 10) -> list[int]:
    """Positions within ``tolerance`` px of each other merged into one (their mean)."""
    groups: list[list[int]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [round(sum(g) / len(g)) for g in groups]


def _places(start: int, end: int, bounds: list[int]) -> range:
    """The lattice places (between consecutive bounds) whose middles lie in [start, end)."""
    first = next(
        (i for i in range(len(bounds) - 1) if (bounds[i] + bounds[i + 1]) / 2 >= start),
        len(bounds) - 1,
    )
    last = first
    while last < len(bounds) - 1 and (bounds[last] + bounds[last + 1]) / 2 < end:
        last += 1
    return range(first, last)


def read_table(
    gray: Image, cells: list[Box], reader: Engine, budget: Budget
) -> tuple[TableBlock, int]:
    """One table's grid, its cells read one by one; and how many were left unread.

    Cells are read with the full model first. A cell that reads as a figure, or
    reads as a short word in a column of figures (Tesseract takes a blurred "3" for
    "有"), is read again with digits only (:func:`figure_reading`).
    """
    xs = lattice([c[0] for c in cells] + [c[2] for c in cells])
    ys = lattice([c[1] for c in cells] + [c[3] for c in cells])
    rows, columns = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    placed: list[tuple[range, range, Box]] = []
    for box in sorted(cells, key=lambda b: (b[1], b[0])):
        row_span = _places(box[1], box[3], ys)
        column_span = _places(box[0], box[2], xs)
        if row_span and column_span:
            placed.append((row_span, column_span, box))
    unread = 0
    first: list[Reading] = []
    for _rows, _columns, box in placed:
        if budget.spent():
            first.append(Reading("", 0.0))
            unread += 1
        else:
            first.append(read_cell(gray, box, reader))
    numeric = _figure_columns(placed, first, columns)
    readings: list[Reading] = []
    for (_rows, column_span, box), reading in zip(placed, first, strict=True):
        wanted = _looks_like_figure(reading.text) or (
            set(column_span) <= numeric and _short_word(reading.text)
        )
        if wanted and reading.confidence is not None and not budget.spent():
            reading = figure_reading(gray, box, reading, reader)
        readings.append(reading)
    texts: list[list[str]] = [[""] * columns for _ in range(rows)]
    sure: list[list[float | None]] = [[None] * columns for _ in range(rows)]
    starts: dict[tuple[int, int], str] = {}
    for (row_span, column_span, _box), reading in zip(placed, readings, strict=True):
        starts[(row_span[0], column_span[0])] = reading.text
        for r in row_span:
            for c in column_span:
                texts[r][c] = reading.text
                sure[r][c] = reading.confidence
    lines = tuple(
        "\t".join(starts[(r, c)] for c in range(columns) if (r, c) in starts)
        for r in range(rows)
    )
    grid = Grid(
        rows=tuple(tuple(row) for row in texts),
        confidence=tuple(tuple(row) for row in sure),
    )
    top = min(c[1] for c in cells) * POINTS
    return TableBlock(top=top, grid=grid, lines=lines), unread


def _figure_columns(
    placed: list[tuple[range, range, Box]], readings: list[Reading], columns: int
) -> set[int]:
    """Columns where most cells that say something read as figures."""
    figures = [0] * columns
    said = [0] * columns
    for (_rows, column_span, _box), reading in zip(placed, readings, strict=True):
        if len(column_span) != 1 or not reading.text:
            continue
        said[column_span[0]] += 1
        figures[column_span[0]] += _looks_like_figure(reading.text)
    return {c for c in range(columns) if said[c] >= 2 and figures[c] * 2 > said[c]}


def _looks_like_figure(text: str) -> bool:
    return bool(FIGURE_LIKE.match(text.replace(" ", "")))


def _short_word(text: str) -> bool:
    """A reading of one to three marks that is no none-mark ("无", "-", "/")."""
    shown = text.replace(" ", "")
    return 0 < len(shown) <= 3 and shown not in NONE_MARKS


def read_cell(gray: Image, box: Box, reader: Engine) -> Reading:
    """A cell's text with the full model (blank for certain when it has no ink)."""
    crop = _crop(gray, box)
    if crop.size == 0 or int((crop < INK).sum()) < MIN_INK:
        return Reading("", None)
    first = reader.read(crop)
    if not first.text:  # a short word alone in a big cell: read it as one line
        first = reader.read(crop, line=True)
    if (first.confidence or 0.0) < RETRY_BELOW:
        # Tesseract now and then sees nothing in a clear word at one size and reads
        # it at another ("自然人": nothing at 1×, 1.5×, 2×; 95 at 0.75× and in gray).
        for again in (_gray(gray, box), _scaled(crop, 0.75)):
            other = reader.read(again)
            if other.text and (other.confidence or 0.0) > (first.confidence or 0.0):
                first = other
    column = _column_as_line(crop)
    if column is not None:  # a label written down a narrow cell, a character a line
        across = reader.read(column, line=True)
        if across.text and (across.confidence or 0.0) >= (first.confidence or 0.0):
            first = across
    # A cell's text is one piece, as every reader gives it (processors/document.py).
    text = WHITESPACE.sub("", clean_text(first.text))
    return Reading(snap_label(text), first.confidence)


def figure_reading(gray: Image, box: Box, first: Reading, reader: Engine) -> Reading:
    """A figure, by vote: the full model's reading and the digit model's at two sizes.

    Tesseract misreads digits now and then with high confidence (chi_sim took a
    clear "555" for "559"), and the digit model sometimes sees nothing in a lone "1"
    or drops the "1" of "17". So a figure stands only when at least two readings
    give it and no reading gives another; its confidence is the best of theirs. When
    the full model and the digit model agree at once, each surely (:data:`SURE`), the
    third reading is not made. Otherwise the most confident digit reading is kept at
    half its confidence, which leaves it blank with a warning (``processors/tables.py``).
    """
    import numpy as np

    crop = _crop(gray, box)
    full = (
        (_as_digits(first.text), first.confidence or 0.0)
        if _looks_like_figure(first.text)
        else None
    )
    readings = [reader.read(crop, line=True, digits=True)]
    once = readings[0].text.replace(" ", "")
    if (
        full is not None
        and once == full[0]
        and min(full[1], readings[0].confidence or 0.0) >= SURE
    ):
        return Reading(once, max(full[1], readings[0].confidence or 0.0))
    big = np.kron(crop, np.ones((2, 2), np.uint8))
    readings.append(reader.read(_pad(big, 30), line=True, digits=True))
    digits = [
        (r.text.replace(" ", ""), r.confidence or 0.0) for r in readings if r.text
    ]
    said = [*digits, *([full] if full is not None else [])]
    texts = {text for text, _ in said}
    # A reading that is part of another dropped a digit ("17" read "7"): not a vote
    # against it, but no vote for it either.
    longest = max(texts, key=len) if texts else ""
    if len(texts) > 1 and all(t == longest or t in longest for t in texts):
        said = [(t, c) for t, c in said if t == longest]
        texts = {longest}
    if len(texts) == 1 and len(said) >= 2:
        return Reading(texts.pop(), max(confidence for _, confidence in said))
    if not digits:
        if full is None:
            return first  # a word after all ("总计" in a column of totals)
        return Reading(full[0], full[1] / 2)
    text, confidence = max(digits, key=lambda d: d[1])
    if full is None and confidence <= (first.confidence or 0.0):
        return first
    return Reading(text, confidence / 2)


def _gray(gray: Image, box: Box) -> Image:
    """A cell's inside as scanned (gray), for Tesseract's own binarisation."""
    x0, y0, x1, y1 = box
    return gray[y0 + INSET : y1 - INSET, x0 + INSET : x1 - INSET]


def _scaled(crop: Image, factor: float) -> Image:
    import cv2

    scaled: Image = cv2.resize(  # type: ignore[assignment]
        crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA
    )
    return scaled


def _column_as_line(crop: Image) -> Image | None:
    """A narrow cell's characters, one per line, set side by side on one line.

    Tesseract reads a character alone on its line without the context it needs
    ("（三）不予公开" down a narrow cell came out "人）不予AN开"); set in a row, it
    reads the word. None unless the ink stands in three or more lines, each no
    wider than about two characters.
    """
    import numpy as np

    ink = crop < INK
    rows = [bool(v) for v in np.asarray(ink.any(axis=1)).ravel().tolist()]
    lines: list[tuple[int, int]] = []
    start = None
    for y, inked in enumerate(rows):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            lines.append((start, y))
            start = None
    if start is not None:
        lines.append((start, len(rows)))
    lines = [(a, b) for a, b in lines if b - a >= 4]
    if len(lines) < 3:
        return None
    height = max(b - a for a, b in lines)
    width = int(ink.any(axis=0).sum())
    if width > 2.5 * height:
        return None
    gap = max(height // 4, 2)
    pieces = []
    for a, b in lines:
        columns = np.flatnonzero(ink[a:b].any(axis=0))
        glyph = crop[a:b, columns[0] : columns[-1] + 1]
        top = (height - glyph.shape[0]) // 2
        pieces.append(
            np.pad(
                glyph,
                ((max(top, 0), max(height - glyph.shape[0] - top, 0)), (0, gap)),
                constant_values=255,
            )[:height]
        )
    return _pad(np.concatenate(pieces, axis=1))


def _crop(gray: Image, box: Box) -> Image:
    """A cell's inside in black and white, without what is left of its rules.

    Tesseract binarises a crop by its own histogram; a mostly white cell with a
    gray sliver of rule at an edge made it see nothing in a "3". Rows and columns
    at the edges that are mostly ink are rule remnants and are whited out.
    """
    import numpy as np

    x0, y0, x1, y1 = box
    crop = gray[y0 + INSET : y1 - INSET, x0 + INSET : x1 - INSET]
    ink = crop < INK
    edge = 2 * INSET
    for axis in (0, 1):
        share = ink.mean(axis=1 - axis)  # per row (axis 0) or per column (axis 1)
        for index in (
            *range(min(edge, len(share))),
            *range(max(len(share) - edge, 0), len(share)),
        ):
            if share[index] > 0.5:
                if axis == 0:
                    ink[index, :] = False
                else:
                    ink[:, index] = False
    rows = np.flatnonzero(ink.any(axis=1))
    columns = np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return np.full((1, 1), 255, np.uint8)
    # Only the ink and a margin: Tesseract found nothing in a clear "自然人" alone in
    # a cell three rows tall, and reads less white faster.
    ink = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    return _pad(np.where(ink, 0, 255).astype(np.uint8))


def _as_digits(text: str) -> str:
    return text.replace(" ", "").translate(str.maketrans("OoIlSZB，．", "0011528,."))


def _pad(crop: Image, margin: int = 12) -> Image:
    """A crop with a white margin: Tesseract reads glyphs that touch the edge badly."""
    import numpy as np

    return np.pad(crop, margin, constant_values=255)


def snap_label(text: str) -> str:
    """A table label as the template prints it, when OCR got it nearly right.

    The nearest of :data:`processors.labels.TEMPLATE_LABELS` by similarity (difflib's
    ratio, at least :data:`SNAP_RATIO`), else the text as read. Figures and words of
    fewer than two characters are left alone.
    """
    from difflib import SequenceMatcher

    from processors.labels import TEMPLATE_LABELS

    if text in TEMPLATE_LABELS or len(text) < 2 or _looks_like_figure(text):
        return text
    best, score = text, SNAP_RATIO
    core = NUMBERING.sub("", text)
    for label in TEMPLATE_LABELS:
        words = NUMBERING.sub("", label)
        if (
            len(words) < 2
            or abs(len(words) - len(core)) > max(len(words), len(core)) / 3
        ):
            continue
        # The numbering ("（三）", "1.") is compared apart: OCR reads "（三）" as "人）".
        ratio = SequenceMatcher(None, core, words, autojunk=False).ratio()
        if ratio > score:
            best, score = label, ratio
    return best


def clean_text(text: str) -> str:
    """Tesseract's Chinese as print has it: no spaces beside CJK characters, full-width
    punctuation between them."""
    text = SPACE_NEAR_CJK.sub("", text.strip())
    return NEAR_CJK_PUNCT.sub(lambda m: m.group(0).translate(HALF_TO_FULL), text)


# ------------------------------------------------------------------ one page


def read_scanned_page(
    gray: Image, page_number: int, budget: Budget | None = None
) -> ScannedPage:
    """Everything on one scanned page (a gray image at :data:`DPI`), straightened first.

    :raises OcrUnavailable: when Tesseract or its model is missing.
    """
    budget = budget if budget is not None else Budget()
    reader = engine()
    angle = skew(gray)
    page = straighten(gray, angle)
    warnings: list[str] = []
    tables: list[TableBlock] = []
    unread = 0
    rest = page.copy()
    for cells in find_tables(page):
        if len(cells) > MAX_CELLS:
            warnings.append(
                f"page {page_number}: a ruled table of {len(cells)} cells (more than "
                f"{MAX_CELLS}, limit MAX_CELLS) not read by OCR"
            )
            continue
        table, missed = read_table(page, cells, reader, budget)
        tables.append(table)
        unread += missed
        x0 = min(c[0] for c in cells) - 2 * INSET
        y0 = min(c[1] for c in cells) - 2 * INSET
        x1 = max(c[2] for c in cells) + 2 * INSET
        y1 = max(c[3] for c in cells) + 2 * INSET
        rest[max(y0, 0) : y1, max(x0, 0) : x1] = 255
    lines: list[Line] = []
    if int((rest < INK).sum()) >= MIN_INK and not budget.spent():
        for text, (x0, y0, x1, y1), _confidence in reader.lines(rest):
            cleaned = clean_text(text)
            if cleaned and not RULE_LIKE.match(cleaned):
                lines.append(
                    Line(
                        text=cleaned,
                        x0=x0 * POINTS,
                        x1=x1 * POINTS,
                        top=y0 * POINTS,
                        size=(y1 - y0) * POINTS,
                    )
                )
    elif budget.spent():
        warnings.append(f"page {page_number}: OCR ran out of time; its text not read")
    if unread:
        warnings.append(
            f"page {page_number}: OCR ran out of time ({budget.seconds:.0f} s a page); "
            f"{unread} table cells not read, left blank"
        )
    return ScannedPage(
        lines=tuple(lines), tables=tuple(tables), warnings=tuple(warnings), angle=angle
    )
