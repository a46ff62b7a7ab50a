"""Plain-text views for the terminal: a parse (``nianbao parse``) and the sources'
health (``nianbao sources --check``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archive.db import DB_NAME, connect

if TYPE_CHECKING:
    from pathlib import Path

    from crawler.registry import Source
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


def source_health(root: Path, registry: list[Source]) -> str:
    """``nianbao sources --check``: per source its family, its last complete listing,
    the items and reports its last run listed, and a word on its health."""
    head = (
        f"{'id':<10} {'family':<9} {'last complete':<22} {'items':>6} {'reports':>8}"
        "  health"
    )
    lines = [head, "-" * len(head)]
    states = _source_states(root)
    for s in registry:
        state = states.get(s.id)
        if state is None:
            lines.append(f"{s.id:<10} {s.family:<9} {'never crawled':<22}")
            continue
        last_run, good, ended, items, reports, failed, fell_back = state
        when = f"run {good} ({(ended or '')[:10]})" if good else "never"
        health = (
            "never listed completely"
            if not good
            else f"incomplete since run {good}"
            if good != last_run
            else "ok"
        )
        if failed:
            health += f"; {failed} fetches failed in run {last_run}"
        if fell_back:
            health += "; its family found nothing: read by the generic reader"
        lines.append(
            f"{s.id:<10} {s.family:<9} {when:<22} {items:>6} {reports:>8}  {health}"
        )
    return "\n".join(lines)


def _source_states(root: Path) -> dict[str, tuple[Any, ...]]:
    path = root / DB_NAME
    if not path.is_file():
        return {}
    db = connect(path, readonly=True)
    try:
        rows = db.execute(
            """SELECT s.id, s.last_run, s.last_successful_run, r.ended,
                 (SELECT COUNT(*) FROM listings l WHERE l.run_id = s.last_run
                    AND l.source_id = s.id),
                 (SELECT COUNT(DISTINCT url) FROM listings l WHERE l.run_id = s.last_run
                    AND l.source_id = s.id AND l.decision = 'report'),
                 (SELECT COUNT(*) FROM captures c WHERE c.run_id = s.last_run
                    AND c.source_id = s.id AND c.outcome = 'failed'
                    AND c.failure != 'dead_end'),
                 (SELECT COUNT(*) FROM listings l WHERE l.run_id = s.last_run
                    AND l.source_id = s.id AND l.reason LIKE '%read generically: the %')
               FROM sources s LEFT JOIN runs r ON r.id = s.last_successful_run"""
        ).fetchall()
    finally:
        db.conn.close()
    return {row[0]: tuple(row[1:]) for row in rows if row[1] is not None}
