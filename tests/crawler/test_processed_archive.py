"""A crawl processes what it captured: every version parsed, figures equal to what the replica printed.

The crawl is of every registry source, so every report of every replica host is checked.

The replica's manifest says what each of its reports prints (figures, template, the
defects it was given), so every stored figure can be compared exactly.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from tests.crawler.helpers import rows

# one pytest-xdist worker runs these: the session fixture they share is built once
pytestmark = pytest.mark.xdist_group("every-night1")

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def printed(manifest: dict[str, dict]) -> dict[tuple[str, int], dict[str, Any]]:
    """(body, year) → the replica's entry, for the reports whose printed figures it knows."""
    return {(e["body"], e["year"]): e for e in manifest.values() if "tables" in e}


def _best(data: Path) -> dict[tuple[str, int], int]:
    """(body, year) → the version standing for the report (archive.derived.best_parses)."""
    from archive.db import connect
    from archive.derived import best_parses

    db = connect(data / "archive.db", readonly=True)
    try:
        best = best_parses(db)
        names = {
            r: (b, y) for r, b, y in db.execute("SELECT id, body, year FROM reports")
        }
    finally:
        db.conn.close()
    return {names[r]: v for r, v in best.items()}


def _tables(data: Path, version: int) -> dict[str, Any]:
    found: dict[str, Any] = {"active": None, "applications": None, "appeals": None}
    for table, row, column, value in rows(
        data,
        "SELECT table_name, row_key, column_key, value FROM figures WHERE version_id = ?",
        (version,),
    ):
        found[table] = found[table] or {}
        found[table].setdefault(row, {})[column] = value
    return found


def test_every_version_is_parsed_and_none_failed(every_night1: Path) -> None:
    ((versions,),) = rows(every_night1, "SELECT COUNT(*) FROM versions")
    statuses = dict(
        rows(every_night1, "SELECT status, COUNT(*) FROM parses GROUP BY status")
    )
    assert statuses == {"ok": versions}


def test_every_report_has_the_figures_the_replica_printed(
    every_night1: Path, printed: dict[tuple[str, int], dict[str, Any]]
) -> None:
    best = _best(every_night1)
    wrong = []
    for (body, year), entry in printed.items():
        if entry["template"] == "free":
            continue
        got = _tables(every_night1, best[(body, year)])
        if got != entry["tables"]:
            wrong.append(f"{entry['key']} ({entry['form']})")
    assert wrong == []
    templates = {
        key: rows(
            every_night1, "SELECT template FROM parses WHERE version_id = ?", (version,)
        )[0][0]
        for key, version in best.items()
    }
    assert templates.items() >= {k: e["template"] for k, e in printed.items()}.items()


def test_the_unbalanced_reports_and_only_they_fail_their_checks(
    every_night1: Path, printed: dict[tuple[str, int], dict[str, Any]]
) -> None:
    failing = rows(
        every_night1,
        "SELECT DISTINCT r.body, r.year, c.name FROM checks c JOIN reports r ON r.id = c.report_id"
        " WHERE c.ok = 0 AND c.scope = 'report'",
    )
    unbalanced = {k for k, e in printed.items() if "unbalanced" in e["defects"]}
    unbalanced.add(
        ("平潭综合实验区管理委员会", 2020)
    )  # the real one (pages.yaml: defects)
    assert {(b, y) for b, y, _ in failing} == unbalanced
    assert {n for *_, n in failing} == {"balance", "handled_sum"}


def _breaks_carry_over(
    printed: dict[tuple[str, int], dict[str, Any]],
) -> set[tuple[str, int]]:
    """(body, year) whose printed 上年结转 differs from the year before's 结转下年度, by the manifest.

    The replica prints a seed's real figures in place of its generated ones, so the
    generated report of the year before need not carry over into it (威海高区 2020 → 2021).
    A blank cell counts as 0, as in the checks.
    """
    broken = set()
    for (body, year), entry in printed.items():
        before = printed.get((body, year - 1))
        if (
            before
            and before["tables"]["applications"]
            and entry["tables"]["applications"]
        ):
            forward = before["tables"]["applications"]["carried_forward"]
            over = entry["tables"]["applications"]["carried_over"]
            if {k: v or 0 for k, v in forward.items()} != {
                k: v or 0 for k, v in over.items()
            }:
                broken.add((body, year))
    return broken


def test_checks_across_years_flag_exactly_the_breaks_in_carry_over(
    every_night1: Path, printed: dict[tuple[str, int], dict[str, Any]]
) -> None:
    results = rows(
        every_night1,
        "SELECT r.body, r.year, c.name, c.ok FROM checks c JOIN reports r ON r.id = c.report_id"
        " WHERE c.scope = 'years'",
    )
    assert {n for *_, n, _ in results} == {"carried_over", "in_force_trend"}
    failed = {(b, y) for b, y, n, ok in results if n == "carried_over" and not ok}
    assert failed == _breaks_carry_over(printed)
    assert failed  # the replica has one, so this test can fail both ways


def test_the_text_of_every_report_is_searchable(every_night1: Path) -> None:
    with sqlite3.connect(every_night1 / "archive.db") as db:
        hits = db.execute(
            "SELECT COUNT(*) FROM report_texts_fts WHERE report_texts_fts MATCH ?",
            ['"依申请公开"'],
        ).fetchone()[0]
        reports = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    assert hits >= reports * 0.9


def test_each_parse_records_its_processor_version_and_warnings_as_json(
    every_night1: Path,
) -> None:
    from processors.parse import PROCESSOR_VERSION

    found = rows(every_night1, "SELECT DISTINCT processor_version FROM parses")
    assert found == [(PROCESSOR_VERSION,)]
    for (warnings,) in rows(every_night1, "SELECT warnings FROM parses"):
        assert isinstance(json.loads(warnings), list)
