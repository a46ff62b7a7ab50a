"""Find the three standard tables in a document's grids and read their figures.

Rows are read in document order over all grids, so a table split over several grids
(PDF pages) is read as one, and one grid may hold several tables. A row is known by
its label cells; its figures are its value cells. Where a header row gives the
columns' positions and the row lines up with it, values are taken by position (this
is what reads merged value cells right); otherwise the row's value cells, less empty
cells at either end, must number exactly the columns of its table or block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from processors import schema
from processors.schema import (
    ACTIVE_COLUMNS,
    ACTIVE_ROWS,
    APPEAL_BLOCK_KEYS,
    APPEAL_BLOCKS,
    APPEAL_COLUMN_KEYS,
    APPEAL_COLUMNS,
    APPLICANT_COLUMNS,
    APPLICATION_COLUMN_KEYS,
    cell_name,
    find,
    normalise_label,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from processors.document import Document, Row
    from processors.schema import Template

Value = int | float | None
TableValues = dict[str, dict[str, Value]]  # row key → column key → value
Confidence = dict[str, dict[str, dict[str, float]]]  # table → row → column → 0–100
# A figure read by OCR with less confidence than this is left blank (with a warning):
# a wrong figure must be flagged, never emitted. Measured on the replica's scans
# (issue 15): every wrong reading scored below it.
MIN_CONFIDENCE = 80.0
Key = str | tuple[str, str]  # a column key; (block, column) in table 4

NONE_MARKS = frozenset({"-", "--", "/", "//", "\\", "—", "——", "–", "―", "无"})
# At most 18 digits either side of the point: a longer run is no figure (and int()
# refuses strings of more than 4300 digits with a ValueError).
NUMBER = re.compile(
    r"^(?P<sign>[+-])?(?P<int>\d{1,3}(?:,\d{3}){1,5}|\d{1,18})(?:\.(?P<frac>\d{1,18}))?"
    r"(?P<unit>万元|元|件|个|项|次|条|份|人)?$"
)
MAX_SHOWN = 40  # characters of a cell quoted in a warning
MINUS_SIGNS = str.maketrans({"−": "-", "﹣": "-", "－": "-", "＋": "+"})


class _Cell(NamedTuple):
    """A value cell's text, and its OCR confidence (None: not read by OCR, or blank)."""

    text: str
    confidence: float | None = None


def _cell(line: _Line, position: int) -> _Cell:
    sure = line.confidence
    return _Cell(
        line.cells[position],
        sure[position] if sure is not None and position < len(sure) else None,
    )


class Parsed(NamedTuple):
    """A printed figure: its value, and what was wrong with it (None when clean)."""

    value: Value
    problem: str | None = None


def parse_value(text: str) -> Parsed:
    """Read one value cell: '12' → 12, '13,914.44' → 13914.44, '+2' → 2, '' → None.

    Full-width digits and signs are read like half-width ones. "-", "/", "—" and
    "无" mean none (None, with a problem to report); a trailing unit (元, 件…) is
    dropped with a problem; any other text is None with a problem.
    """
    cell = normalise_label(text).translate(MINUS_SIGNS)
    if not cell:
        return Parsed(None)
    if cell in NONE_MARKS:
        return Parsed(None, f'"{text.strip()}" read as blank')
    match = NUMBER.match(cell)
    if match is None:
        shown = text.strip()
        if len(shown) > MAX_SHOWN:
            shown = shown[:MAX_SHOWN] + f"… ({len(shown)} characters)"
        return Parsed(None, f'"{shown}" is not a number, read as blank')
    digits = match["int"].replace(",", "")
    sign = -1 if match["sign"] == "-" else 1
    value: int | float = (
        sign * float(f"{digits}.{match['frac']}")
        if match["frac"]
        else sign * int(digits)
    )
    if match["unit"]:
        return Parsed(
            value, f'"{text.strip()}" read as {value} (unit {match["unit"]} dropped)'
        )
    return Parsed(value)


def is_value(cell: str) -> bool:
    """Whether a (normalised) cell prints a figure or a none mark, as opposed to a label."""
    cell = cell.translate(MINUS_SIGNS)
    return cell in NONE_MARKS or bool(NUMBER.match(cell))


@dataclass(frozen=True, slots=True)
class Tables:
    """The standard tables of one document under their canonical keys.

    ``template`` is "2021" or "2019" by what the tables print, "free" when they
    print neither. A table is None when the document does not have it; a table has
    the rows the document prints (``warnings`` name the ones it lacks), each with
    every column of its table or block, None for a blank cell.
    """

    template: Template
    active: TableValues | None
    applications: TableValues | None
    appeals: TableValues | None
    warnings: tuple[str, ...] = ()
    # Figures read by OCR: table → row → column → confidence (0–100). Empty otherwise.
    confidence: Confidence = field(default_factory=dict)


def read_tables(doc: Document) -> Tables:
    """Read tables 2, 3 and 4 from all grids of ``doc``, in order."""
    reader = _Reader()
    for grid in doc.grids:
        sure = grid.confidence
        for index, row in enumerate(grid.rows):
            reader.feed(row, sure[index] if sure is not None else None)
    return reader.result()


# ---------------------------------------------------------------- header rows


@dataclass(slots=True)
class _Header:
    """Column positions from one table's header rows (merged when they line up)."""

    width: int
    aspects: dict[int, dict[str, str]] = field(default_factory=dict)

    def merge(self, aspects: dict[int, dict[str, str]]) -> None:
        for position, found in aspects.items():
            self.aspects.setdefault(position, {}).update(found)

    def positions(self) -> dict[int, Key]:
        keys: dict[int, Key] = {}
        for position, found in sorted(self.aspects.items()):
            if "block" in found and "col" in found:
                keys[position] = (found["block"], found["col"])
            elif "col" in found and "block" not in found:
                keys[position] = found["col"]
        return keys

    def order(self) -> list[Key]:
        return list(dict.fromkeys(self.positions().values()))


def _aspects(cells: Row, table: str) -> dict[int, dict[str, str]]:
    aspects: dict[int, dict[str, str]] = {}
    for position, cell in enumerate(cells):
        columns = {"active": ACTIVE_COLUMNS, "applications": APPLICANT_COLUMNS}.get(
            table, APPEAL_COLUMNS
        )
        found: dict[str, str] = {}
        column = find(columns, cell) if cell else None
        if column:
            found["col"] = column.key
        block = find(APPEAL_BLOCKS, cell) if table == "appeals" and cell else None
        if block:
            found["block"] = block.key
        if found:
            aspects[position] = found
    return aspects


def _header_kind(cells: Row) -> str | None:
    """Which table's header (or 第二十条 heading) a row without figures is."""
    if any(schema.ACTIVE_HEADING.search(c) for c in cells):
        return "heading"
    if sum(schema.looks_like_application_row(c) for c in set(cells)) >= 2:
        return "transposed"
    if any(schema.APPLICATION_HEADER.search(c) for c in cells):
        return "applications"
    blocks = any(find(APPEAL_BLOCKS, c) for c in cells if c)
    if (
        blocks
        or len({a.key for c in cells if c for a in APPEAL_COLUMNS if a.matches(c)}) >= 2
    ):
        return "appeals"
    if any(
        schema.ACTIVE_CORNER.search(c) or find(ACTIVE_COLUMNS, c) for c in cells if c
    ):
        return "active"
    return None


# ---------------------------------------------------------------- the reader


@dataclass(slots=True)
class _Line:
    """One row, split into its label part and its value cells."""

    cells: Row
    label_end: int
    # Read by OCR: each cell's confidence (0–100, None: blank for certain).
    confidence: tuple[float | None, ...] | None = None

    @property
    def label(self) -> str:
        parts = [c for c in self.cells[: self.label_end] if c]
        return "".join(c for i, c in enumerate(parts) if i == 0 or c != parts[i - 1])

    @property
    def last_label(self) -> str:
        return next((c for c in reversed(self.cells[: self.label_end]) if c), "")


def _line(cells: Row, confidence: tuple[float | None, ...] | None = None) -> _Line:
    first_value = next(
        (i for i, c in enumerate(cells) if c and is_value(c)), len(cells)
    )
    labels = [i for i in range(first_value) if cells[i]]
    return _Line(cells, labels[-1] + 1 if labels else 0, confidence)


class _Reader:
    """Walks rows in order, remembering which table it is in and its header."""

    def __init__(self) -> None:
        self.context: str | None = None
        self.headers: dict[str, _Header | None] = {}
        self.previous_header: str | None = None
        self.group: schema.OutcomeGroup | None = None
        self.tables: dict[str, TableValues] = {
            "active": {},
            "applications": {},
            "appeals": {},
        }
        self.seen: set[str] = set()
        self.active_templates: set[Template] = set()
        self.transposed = False
        # tables with a value row that could not be read
        self.unreadable: set[str] = set()
        self.warnings: list[str] = []
        self.confidence: Confidence = {}

    def feed(
        self, row: Row, confidence: tuple[float | None, ...] | None = None
    ) -> None:
        cells = tuple(normalise_label(c) for c in row)
        if not any(cells):
            return
        line = _line(cells, confidence)
        has_values = any(c and is_value(c) for c in cells)
        kind = None if has_values else _header_kind(cells)
        if kind == "transposed":
            shown = [
                r.strip()
                for r, c in zip(row, cells, strict=True)
                if schema.looks_like_application_row(c)
            ]
            self._transposed(f"its rows {', '.join(dict.fromkeys(shown))} are columns")
            return
        if kind:
            self._header(kind, cells)
            self.previous_header = kind
            return
        self.previous_header = None
        if not line.label and self.context != "appeals":
            return
        for read_row in (self._application_row, self._active_row, self._appeal_row):
            if read_row(line):
                return

    # -- headers

    def _header(self, kind: str, cells: Row) -> None:
        if kind == "heading":
            self.context, self.headers["active"] = "active", None
            self.seen.add("active")
            return
        self.context = kind
        self.seen.add(kind)
        aspects = _aspects(cells, kind)
        if kind == "active":
            self.active_templates |= {
                schema.ACTIVE_COLUMN_TEMPLATE[f["col"]]
                for f in aspects.values()
                if f.get("col") in schema.ACTIVE_COLUMN_TEMPLATE
            }
        header = self.headers.get(kind)
        if self.previous_header == kind and header and header.width == len(cells):
            header.merge(aspects)
        else:
            self.headers[kind] = _Header(len(cells), aspects)

    def _transposed(self, detail: str) -> None:
        self.seen.add("applications")
        if not self.transposed:
            self.warnings.append(f"表三 is printed transposed ({detail}); not read")
        self.transposed = True
        self.context = None

    # -- data rows

    def _application_row(self, line: _Line) -> bool:
        top = find(schema.APPLICATION_TOP[:2], line.label)
        if self.context != "applications" and top is None:
            return False
        if find(APPLICANT_COLUMNS[:-2], line.label):
            self._transposed(f"applicant type {line.label} is a row")
            return True
        key, self.group = schema.application_row(
            line.label, line.last_label, self.group
        )
        if key is None:
            return False
        self.context = "applications"
        self.seen.add("applications")
        if not self.transposed:
            header = self._complete(
                self.headers.get("applications"), APPLICATION_COLUMN_KEYS
            )
            self._read("applications", key, line, header, list(APPLICATION_COLUMN_KEYS))
        if key == "carried_forward":
            self.context = None
        return True

    def _active_row(self, line: _Line) -> bool:
        row = find(ACTIVE_ROWS, line.label) if self.context == "active" else None
        if row is None:
            return False
        header = self.headers.get("active")
        if header is not None and header.order():
            columns = [str(k) for k in header.order()]
        else:
            columns = self._schema_columns(row.key)
            header = None
        if columns:
            self._read("active", row.key, line, header, columns)
        return True

    def _schema_columns(self, row: str) -> list[str]:
        templates = sorted(self.active_templates)
        block = (
            schema.active_block_of(templates[0], row) if len(templates) == 1 else None
        )
        if block is None:
            self.warnings.append(
                f"表二 {schema.ROW_NAMES['active'][row]} [{row}]: no column header above "
                "it and the template is unknown; not read"
            )
            return []
        return list(block.columns)

    def _appeal_row(self, line: _Line) -> bool:
        if self.context != "appeals":
            return False
        block = find(APPEAL_BLOCKS, line.label) if line.label else None
        if line.label and block is None:
            return False
        if block is not None:
            self._read("appeals", block.key, line, None, list(APPEAL_COLUMN_KEYS))
            return True
        keys = [(b, c) for b in APPEAL_BLOCK_KEYS for c in APPEAL_COLUMN_KEYS]
        header = self._complete(self.headers.get("appeals"), keys)
        values = self._values(line, header, keys, "表四")
        if values is None:
            self.unreadable.add("appeals")
            return True
        for block_key in APPEAL_BLOCK_KEYS:
            cells = {c: _cell(line, values[(block_key, c)]) for c in APPEAL_COLUMN_KEYS}
            self._store("appeals", block_key, cells)
        self.context = None
        return True

    @staticmethod
    def _complete(header: _Header | None, keys: Sequence[Key]) -> _Header | None:
        return (
            header if header is not None and set(keys) <= set(header.order()) else None
        )

    # -- values

    def _read(
        self,
        table: str,
        row: str,
        line: _Line,
        header: _Header | None,
        columns: list[str],
    ) -> None:
        where = f"{schema.TABLE_NAMES[table]} {schema.ROW_NAMES[table].get(row, row)} [{row}]"
        values = self._values(line, header, columns, where)
        if values is not None:
            self._store(table, row, {str(k): _cell(line, i) for k, i in values.items()})

    def _values(
        self, line: _Line, header: _Header | None, wanted: Sequence[Key], where: str
    ) -> dict[Key, int] | None:
        """The position of each key's value cell in the row, or None (with a warning)
        if they cannot be told."""
        cells = line.cells
        keys = list(wanted)
        if header is not None:
            order = header.order()
            keys = [k for k in order if k in keys] + [k for k in keys if k not in order]
            positions = header.positions()
            placed = self._by_position(line, header.width, positions, keys)
            if placed is not None:
                return placed
        values = list(range(line.label_end, len(cells)))
        while len(values) > len(keys) and not cells[values[-1]]:
            values.pop()
        while len(values) > len(keys) and not cells[values[0]]:
            values.pop(0)
        if len(values) > len(keys):
            self.warnings.append(
                f"{where}: {len(values)} value cells where {len(keys)} were expected; "
                f"took the last {len(keys)}"
            )
            values = values[-len(keys) :]
        if len(values) < len(keys):
            self.warnings.append(
                f"{where}: {len(values)} value cells where {len(keys)} were expected; not read"
            )
            return None
        return dict(zip(keys, values, strict=True))

    @staticmethod
    def _by_position(
        line: _Line, width: int, positions: dict[int, Key], keys: list[Key]
    ) -> dict[Key, int] | None:
        """Value positions by the header's, if the row lines up with the header."""
        cells = line.cells
        if len(cells) != width or not positions or line.label_end > min(positions):
            return None
        stray = [
            i
            for i in range(line.label_end, len(cells))
            if cells[i] and i not in positions
        ]
        if stray:
            return None
        first: dict[Key, int] = {}
        for position, key in positions.items():
            first.setdefault(key, position)
        if not set(keys) <= set(first):
            return None
        return {key: first[key] for key in keys}

    def _store(self, table: str, row: str, raw: dict[str, _Cell]) -> None:
        rows = self.tables[table]
        if row in rows:
            if any(cell.text for cell in raw.values()):
                self.warnings.append(
                    f"{schema.TABLE_NAMES[table]} {schema.ROW_NAMES[table].get(row, row)} "
                    f"[{row}] is printed twice; kept the first"
                )
            return
        values: dict[str, Value] = {}
        for column, cell in raw.items():
            parsed = parse_value(cell.text)
            name = f"{schema.TABLE_NAMES[table]} {cell_name(table, row, column)}"
            if parsed.problem:
                self.warnings.append(f"{name}: {parsed.problem}")
            value = parsed.value
            if cell.confidence is not None and value is not None:
                if cell.confidence < MIN_CONFIDENCE:
                    self.warnings.append(
                        f'{name}: OCR read "{cell.text}" with confidence '
                        f"{cell.confidence:.0f} (below {MIN_CONFIDENCE:.0f}); left blank"
                    )
                    value = None
                else:
                    self.confidence.setdefault(table, {}).setdefault(row, {})[
                        column
                    ] = cell.confidence
            values[column] = value
        rows[row] = values

    # -- the result

    def result(self) -> Tables:
        template = self._template()
        return Tables(
            template=template,
            active=self._table("active", template),
            applications=None
            if self.transposed
            else self._table("applications", template),
            appeals=self._table("appeals", template),
            warnings=tuple(self.warnings),
            confidence=self.confidence,
        )

    def _template(self) -> Template:
        rows = self.tables["applications"]
        markers: tuple[tuple[Template, tuple[str, ...]], ...] = (
            ("2019", ("other",)),
            ("2021", schema.OUTCOME_KEYS["2021"][-3:]),
        )
        by_rows = {t for t, keys in markers if any(k in rows for k in keys)}
        for name, found in (
            ("表二 columns", self.active_templates),
            ("表三 rows", by_rows),
        ):
            if len(found) > 1:
                self.warnings.append(f"{name} mix the 2019 and 2021 templates")
        if len(self.active_templates) == 1:
            (template,) = self.active_templates
            if by_rows and by_rows != self.active_templates:
                self.warnings.append(
                    f"表二 prints the {template} template, 表三 the {'/'.join(sorted(by_rows))} one"
                )
            return template
        if len(by_rows) == 1:
            return next(iter(by_rows))
        if self.seen:
            self.warnings.append(
                "standard tables found but their template is not identified"
            )
        return "free"

    def _table(self, table: str, template: str) -> TableValues | None:
        rows = self.tables[table]
        if not rows and table == "appeals" and self._blank_appeals():
            # Readers drop blank rows, so a table 4 printed blank is a header alone.
            self.warnings.append("表四: no value row under its header; read as blank")
            return {b: dict.fromkeys(APPEAL_COLUMN_KEYS) for b in APPEAL_BLOCK_KEYS}
        if not rows:
            if table in self.seen:
                self.warnings.append(
                    f"{schema.TABLE_NAMES[table]}: header found but no rows could be read"
                )
            return None
        expected = self._expected(table, template)
        missing = [k for k in expected if k not in rows]
        if missing:
            shown = ", ".join(
                f"{schema.ROW_NAMES[table].get(k, k)} [{k}]" for k in missing
            )
            self.warnings.append(
                f"{schema.TABLE_NAMES[table]}: rows not found: {shown}"
            )
        return rows

    def _expected(self, table: str, template: str) -> tuple[str, ...]:
        if table == "appeals":
            return APPEAL_BLOCK_KEYS
        if template not in schema.TEMPLATES:
            return ()
        if table == "active":
            return schema.active_row_keys(template)
        rows = self.tables["applications"]
        if "other" in rows:
            return schema.application_row_keys("2019")
        if any(k in rows for k in schema.OUTCOME_KEYS["2021"][-3:]):
            return schema.application_row_keys("2021")
        return schema.application_row_keys(template)

    def _blank_appeals(self) -> bool:
        """Table 4's full header with no value row after it (one printed blank)."""
        header = self.headers.get("appeals")
        if header is None or "appeals" in self.unreadable:
            return False
        columns = {k[1] if isinstance(k, tuple) else k for k in header.order()}
        return set(APPEAL_COLUMN_KEYS) <= columns
