"""Plain-text views of processor results for the terminal (``nianbao parse``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from processors.parse import Parsed

TABLE_TITLES = {
    "active": "主动公开 (active disclosure)",
    "applications": "依申请公开 (applications)",
    "appeals": "复议与诉讼 (reviews and lawsuits)",
}


def _value(value: object) -> str:
    return "—" if value is None else str(value)


def _table_lines(name: str, rows: dict[str, dict[str, object]]) -> list[str]:
    columns = list(dict.fromkeys(c for cells in rows.values() for c in cells))
    width = max(len(r) for r in rows)
    lines = [
        f"\n{TABLE_TITLES[name]}",
        " " * width + "".join(f" {c:>14}" for c in columns),
    ]
    for row, cells in rows.items():
        lines.append(
            f"{row:<{width}}"
            + "".join(f" {_value(cells.get(c, '')):>14}" for c in columns)
        )
    return lines


def parsed_summary(parsed: Parsed) -> str:
    """Identity, the tables that were found, the checks and the warnings."""
    lines = [
        f"title     {_value(parsed.title)}",
        f"body      {_value(parsed.body)}",
        f"year      {_value(parsed.year)}",
        f"published {_value(parsed.published)}",
        f"template  {parsed.template}  ({parsed.kind}, {len(parsed.text)} characters of text)",
    ]
    for name in ("active", "applications", "appeals"):
        rows = getattr(parsed, name)
        if rows:
            lines += _table_lines(name, rows)
    if parsed.checks:
        lines.append("\nchecks")
        lines += [
            f"  {'ok  ' if c.ok else 'FAIL'} {c.name}: {c.message}"
            for c in parsed.checks
        ]
    if parsed.warnings:
        lines.append("\nwarnings")
        lines += [f"  - {w}" for w in parsed.warnings]
    return "\n".join(lines)
