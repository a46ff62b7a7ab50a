"""Read a report extracted to plain text (the seed format): its lines, tables and title.

Tables come in two layouts, both as tab-marked lines:

* one line per cell: a row is a group of lines that each start with a tab, groups are
  separated by blank lines, a bare tab is an empty cell and a line without a leading
  tab right after a cell line continues that cell (Word labels broken over lines);
* one line per row: the cells of a row separated by tabs (a PDF's text extraction).

Consecutive table rows form one grid, blank lines included; a line of prose (a
heading) ends it. ``[bookmark: …]`` and ``[image: …]`` markers are dropped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from processors.document import Document, Grid
from processors.grids import GridLimits

MARKER = re.compile(r"\[(?:bookmark|image): [^\]]*\]")
CELL_LINE = re.compile(r"^\t[^\t]*$")
SPACES = re.compile(r"\s+")
SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
MAX_TITLE_LINES = 3
MAX_TITLE_LINE = 60  # characters; a longer line is a paragraph, not a title


@dataclass(slots=True)
class _Reading:
    """What has been read so far: text lines, finished grids, the grid being read."""

    lines: list[str] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    in_row: bool = False  # the last line was a cell line of a one-cell-per-line row
    limits: GridLimits = field(default_factory=GridLimits)

    def end_grid(self) -> None:
        kept = [row for row in self.rows if any(row)]
        if kept:
            # the text keeps every row; only the grid is held to the limits
            self.lines += ["\t".join(row).rstrip("\t") for row in kept]
            grid = None if self.limits.spent else self.limits.grid(kept)
            if grid is not None:
                self.grids.append(grid)
        self.rows = []
        self.in_row = False


def decode_text(data: bytes | str) -> tuple[str, tuple[str, ...]]:
    """The text, and a warning if bad bytes had to be replaced (UTF-8, else GB18030)."""
    if isinstance(data, str):
        return data, ()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), ()
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace"), (
        "bytes are neither UTF-8 nor GB18030; bad bytes replaced",
    )


def cell(text: str) -> str:
    """A cell's text with its inner spaces and line breaks removed."""
    return SPACES.sub("", text)


def rows_to_grid(rows: list[list[str]], limits: GridLimits | None = None) -> Grid:
    """Rows of cells as a grid: blank rows dropped, short rows padded with ``""``,
    within ``limits`` (``processors/grids.py``; empty when its budget is spent)."""
    limits = limits if limits is not None else GridLimits()
    grid = limits.grid([row for row in rows if any(row)])
    return grid if grid is not None else Grid(rows=())


def _read_line(state: _Reading, line: str) -> None:
    if CELL_LINE.match(line):
        if not state.in_row:
            state.rows.append([])
            state.in_row = True
        state.rows[-1].append(cell(line[1:]))
    elif "\t" in line:
        state.in_row = False
        state.rows.append([cell(part) for part in line.split("\t")])
    elif not line.strip():
        state.in_row = False
    elif state.in_row:
        state.rows[-1][-1] += cell(line)
    else:
        state.end_grid()
        state.lines.append(line.strip())


def text_title(lines: list[str]) -> str:
    """The heading lines before the first paragraph, joined and without spaces."""
    title: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            if title:
                break
            continue
        if (
            "\t" in line
            or SECTION_HEADING.match(text)
            or len(text) > MAX_TITLE_LINE
            or text.endswith("。")
            or len(title) == MAX_TITLE_LINES
        ):
            break
        title.append(text)
    return cell("".join(title))


def _unmarked_lines(text: str) -> list[str]:
    """The lines without their markers; a line that held only a marker is gone."""
    lines = []
    for original in text.splitlines():
        line = MARKER.sub("", original)
        if line or not original:  # not a blank line between two rows
            lines.append(line)
    return lines


def read_text(data: bytes | str) -> Document:
    """Read a report's plain-text extraction into text lines, grids and its title."""
    text, warnings = decode_text(data)
    kept = _unmarked_lines(text)
    state = _Reading()
    for line in kept:
        _read_line(state, line)
    state.end_grid()
    title = text_title(kept)
    if not title:
        warnings = (*warnings, "no title lines at the top")
    return Document(
        kind="text",
        text="\n".join(state.lines),
        grids=tuple(state.grids),
        meta={"title": title} if title else {},
        warnings=(*warnings, *state.limits.warnings),
    )
