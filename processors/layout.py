"""What a page holds, top to bottom: lines of running text and ruled tables.

The PDF reader (``processors/pdf.py``) gives these for a page with a text layer, OCR
(``processors/ocr.py``) for a page that is a picture; ``pdf.pages_to_document`` joins
either into a :class:`~processors.document.Document`. Positions are in PDF points
from the top of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from processors.document import Grid


@dataclass(frozen=True, slots=True)
class Line:
    """One line of running text on a page (tables excluded)."""

    text: str
    x0: float
    x1: float
    top: float
    size: float


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A ruled table where it sits on its page: its grid and its rows as text lines."""

    top: float
    grid: Grid
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageContent:
    """What one page holds, top to bottom."""

    blocks: tuple[Line | TableBlock, ...]
    has_text: bool
    warnings: tuple[str, ...] = ()
    failed: bool = False  # the PDF libraries could not read it
