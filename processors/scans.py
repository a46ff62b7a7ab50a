"""Fingerprints of scanned PDF pages: what the text hash cannot see.

A page that is a picture (a scan, a photo of a table) has no text for the text hash,
so without this every scanned report hashes like the empty text and a new scan of
it would be filed as re-saved (reliability row 12). Such a page is rendered with
PDFium at a fixed size, in gray, and reduced to a gradient fingerprint (a dHash):
for each cell of a :data:`COLUMNS`-wide grid, whether it is lighter, darker or the
same as its right neighbour, with a dead band of :data:`DEAD_BAND` gray levels so
that faint rendering noise does not count.

The grid is much finer than the usual 8×8 or 16×16 dHash on purpose: those see a
page's layout, not one figure changed in a table of 10-point digits, and this hash
is compared for equality, not for similarity. Measured on A4 scans of a table with
10 pt figures, changing one figure (3→8, 6→8, 1→7, 5→6, 21→27) changes 4 to 18 of
the 370 000 cells at 512 columns (at 128 columns some changes left none).

The same images re-saved (new metadata, new object numbers, the same image data, or
the same pixels packed another way) render to the same pixels and give the same
fingerprint; another scan, or one number painted over, gives another. An image
re-compressed with loss (another JPEG quality) changes dozens of cells: that counts
as a change, as does a PDFium upgrade that renders differently.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageChops

if TYPE_CHECKING:
    import pypdfium2

# A page "has no text" when its normalised text is at most this long: a page number,
# a date stamp or a scanner's header survive on scanned pages.
NEARLY_NO_TEXT = 20
# ... and it is a scan when images cover at least this share of it (a text page with
# a seal, a logo or a small chart stays a text page).
IMAGE_COVER = 0.5
COLUMNS = 512  # fingerprint cells across a page
MIN_ROWS, MAX_ROWS = 16, 2048  # fingerprint cells down a page (from its aspect)
# The largest bitmap rendered (pixels): twice the grid, so each cell averages 2×2.
RENDER_BOX = (2 * (COLUMNS + 1), 4 * (COLUMNS + 1))
DEAD_BAND = 8  # gray levels (0–255) within which two cells count as the same
MAX_FORM_DEPTH = 8  # how deep to look into Form XObjects for images


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One rendered page reduced to gradients: ``COLUMNS × rows`` values of 0, 1, 2."""

    rows: int
    cells: bytes


# CJK unified ideographs: each is its own NFKC and no white space, so a page's
# normalised text holds at least as many as its raw text.
IDEOGRAPH = re.compile("[\u4e00-\u9fff]")


def surely_text(raw: str) -> bool:
    """Whether a page's raw text alone shows it is no scan (more than
    :data:`NEARLY_NO_TEXT` ideographs): then its text need not be normalised to ask
    :func:`is_scanned`, whose answer would be no."""
    found = itertools.islice(IDEOGRAPH.finditer(raw), NEARLY_NO_TEXT + 1)
    return sum(1 for _ in found) > NEARLY_NO_TEXT


def is_scanned(page: pypdfium2.PdfPage, text: str) -> bool:
    """Whether a page is a picture: next to no text, mostly covered by images.

    :param text: the page's normalised text.
    """
    if len(text) > NEARLY_NO_TEXT:
        return False
    box = page.get_bbox()  # the visible page: media box ∩ crop box
    area = max(float((box[2] - box[0]) * (box[3] - box[1])), 1.0)
    return image_area(page, box) / area >= IMAGE_COVER


Box = tuple[float, float, float, float]  # left, bottom, right, top


def image_area(page: pypdfium2.PdfPage, box: Box) -> float:
    """The area the page's images cover, in square points, clipped to ``box``.

    An image inside a Form XObject counts by the form's box on the page (the bounds
    of objects inside a form are in the form's own coordinates).
    """
    import pypdfium2.raw as pdfium_c  # the sandboxed workers import PDFium, no one else

    total = 0.0
    for obj in page.get_objects(max_depth=0):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE or (
            obj.type == pdfium_c.FPDF_PAGEOBJ_FORM and _holds_image(page, obj)
        ):
            total += _clipped_area(obj.get_bounds(), box)
    return total


def _holds_image(page: pypdfium2.PdfPage, form: pypdfium2.PdfObject) -> bool:
    import pypdfium2.raw as pdfium_c

    found = page.get_objects(
        filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE],
        form=form,
        level=1,
        max_depth=MAX_FORM_DEPTH,
    )
    return next(iter(found), None) is not None


def _clipped_area(bounds: Box, box: Box) -> float:
    width = min(bounds[2], box[2]) - max(bounds[0], box[0])
    height = min(bounds[3], box[3]) - max(bounds[1], box[1])
    return max(width, 0.0) * max(height, 0.0)


def fingerprint(page: pypdfium2.PdfPage) -> Fingerprint:
    """The page rendered in gray at a fixed size, as a gradient fingerprint."""
    width, height = page.get_size()
    scale = min(RENDER_BOX[0] / max(width, 1.0), RENDER_BOX[1] / max(height, 1.0))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = bitmap.to_pil().convert("L")
    finally:
        bitmap.close()
    rows = round(COLUMNS * image.height / max(image.width, 1))
    rows = min(max(rows, MIN_ROWS), MAX_ROWS)
    small = image.resize((COLUMNS + 1, rows), Image.Resampling.BOX)
    return Fingerprint(rows, gradients(small))


def gradients(image: Image.Image) -> bytes:
    """Per pixel and its right neighbour: 1 lighter, 2 darker, 0 within the dead band
    (one byte per pair, row by row)."""
    left = image.crop((0, 0, image.width - 1, image.height))
    right = image.crop((1, 0, image.width, image.height))
    lighter = ImageChops.subtract(left, right).point(_STEP)  # 1 where left is lighter
    darker = ImageChops.subtract(right, left).point(_STEP)
    both = ImageChops.add(lighter, ImageChops.add(darker, darker))
    return both.tobytes()


_STEP = [0] * (DEAD_BAND + 1) + [1] * (255 - DEAD_BAND)
