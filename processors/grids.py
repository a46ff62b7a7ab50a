"""Caps on the grids the readers build: a hostile table must not become a billion cells.

A real report's tables are a few dozen rows by at most about twenty columns (Table 4
has 15 figures beside its labels), with merged cells spanning a few dozen places at
most. One ``<td rowspan="1000000000" colspan="1000">`` in a 100 KB page once asked for
5.5 GB. Every reader that expands merged cells (html, docx, pdf, legacy, plain) keeps
to these caps *while* it builds a grid, through one :class:`GridLimits` per document:
spans are clipped, rows and columns past the caps are left out, and a document
whose grids together pass :data:`MAX_DOCUMENT_CELLS` keeps the first ones. Each clip
is a warning on the document, never an error: the text is still read whole, and the
standard tables, if any, are far inside the caps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from processors.document import Grid

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_SPAN = 64  # rowspan, colspan, gridSpan: Word tables have at most 63 columns
MAX_ROWS = 1000  # rows of one grid
MAX_COLUMNS = 100  # columns of one grid
MAX_CELLS = 20_000  # rows × columns of one grid
MAX_DOCUMENT_CELLS = 200_000  # all grids of one document together
MAX_WARNINGS = 20  # clip warnings kept per document (a hostile file repeats them)
# Only ASCII digits count; a longer number than this is a typo or an attack, not a span.
SPAN_NUMBER = re.compile(r"\s*([0-9]{1,9})")


@dataclass(slots=True)
class GridLimits:
    """Keeps one document's grids within the caps and remembers where it clipped."""

    cells_left: int = MAX_DOCUMENT_CELLS
    notes: dict[str, None] = field(default_factory=dict)  # warnings, in order, once
    grids_seen: int = 0

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.notes)

    def warn(self, message: str) -> None:
        if len(self.notes) < MAX_WARNINGS:
            self.notes[message] = None
        elif len(self.notes) == MAX_WARNINGS:
            self.notes["more grid limits were hit; further warnings left out"] = None

    def span(self, value: str | None, name: str) -> int:
        """A span attribute's value: 1 when absent, empty or not a number, at most
        :data:`MAX_SPAN` (with a warning when clipped)."""
        found = SPAN_NUMBER.match(value or "")
        number = int(found.group(1)) if found else 0
        if number < 1:
            return 1
        if number > MAX_SPAN:
            shown = (value or "").strip()[:20]
            self.warn(f"{name}={shown} read as {MAX_SPAN} (limit MAX_SPAN)")
            return MAX_SPAN
        return number

    def row_allowed(self, row: int) -> bool:
        """Whether a grid may have a row at index ``row`` (warns once when not)."""
        if row < MAX_ROWS:
            return True
        self.warn(f"a table has more than {MAX_ROWS} rows: the rest left out")
        return False

    @property
    def spent(self) -> bool:
        """Whether the document's cell budget is used up (no grid is built any more)."""
        return self.cells_left <= 0

    def cells_allowed(self, cells: int) -> bool:
        """Whether a grid that has ``cells`` cells so far may grow (warns when not)."""
        if cells < MAX_CELLS:
            return True
        self.warn(
            f"a table has more than {MAX_CELLS} cells (limit MAX_CELLS): "
            "the rest left out"
        )
        return False

    def columns(self, wanted: int) -> int:
        """How many of ``wanted`` columns a row may have (warns when fewer)."""
        if wanted <= MAX_COLUMNS:
            return wanted
        self.warn(f"a table has more than {MAX_COLUMNS} columns: the rest left out")
        return MAX_COLUMNS

    def grid(self, rows: Sequence[Sequence[str]]) -> Grid | None:
        """The rows as a grid (short rows padded with ``""``), clipped to the caps;
        None when the document's cell budget is spent."""
        self.grids_seen += 1
        kept = list(rows[:MAX_ROWS])
        if len(rows) > MAX_ROWS:
            self.warn(f"a table has more than {MAX_ROWS} rows: the rest left out")
        width = self.columns(max((len(r) for r in kept), default=0))
        if width and len(kept) * width > MAX_CELLS:
            kept = kept[: MAX_CELLS // width]
            self.warn(
                f"a table has more than {MAX_CELLS} cells (limit MAX_CELLS): "
                f"only its first {len(kept)} rows read"
            )
        cells = len(kept) * width
        if cells > self.cells_left:
            self.warn(
                f"the document's tables pass {MAX_DOCUMENT_CELLS} cells "
                f"(limit MAX_DOCUMENT_CELLS): table {self.grids_seen} and those "
                "after it left out"
            )
            self.cells_left = 0
            return None
        self.cells_left -= cells
        return Grid(
            rows=tuple(
                tuple(r[:width]) + ("",) * (width - min(len(r), width)) for r in kept
            )
        )
