"""Real reports against golden files whose figures were read off the documents by hand.

See ``tests/processors/golden/README.md`` for where each document comes from and how
its values were transcribed and verified (not by running the parser).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from processors.identity import Hints, classify
from processors.parse import parse

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
PINGTAN = ROOT / "replica" / "data" / "pingtan"


def _goldens() -> list[Path]:
    return sorted(GOLDEN.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("golden", _goldens(), ids=lambda p: p.stem)
def test_every_value_of_a_real_report(golden: Path) -> None:
    expected = _load(golden)
    hints = Hints(**expected["hints"]) if "hints" in expected else None
    parsed = parse((ROOT / expected["source"]).read_bytes(), hints=hints)
    got = parsed.as_json()
    for key in (
        "title",
        "body",
        "year",
        "published",
        "template",
        "active",
        "applications",
        "appeals",
    ):
        assert got[key] == expected[key], key
    assert sorted(c["name"] for c in got["checks"] if not c["ok"]) == sorted(
        expected["failing_checks"]
    )


def test_there_is_a_golden_file_for_every_templated_pingtan_report_and_each_seed() -> (
    None
):
    names = {p.stem for p in _goldens()}
    assert names == {
        *(f"pingtan-{d}" for d in (80576, 80595, 80613, 80629, 87885, 97791, 105587)),
        *(f"seed-00{i}" for i in range(5)),
    }


def _pingtan_pages() -> list[tuple[int, dict[str, Any]]]:
    pages = yaml.safe_load((PINGTAN / "pages.yaml").read_text(encoding="utf-8"))
    return sorted(pages.items())


@pytest.mark.parametrize(("docid", "known"), _pingtan_pages(), ids=lambda v: str(v))
def test_every_real_pingtan_page_body_and_year(
    docid: int, known: dict[str, Any]
) -> None:
    parsed = parse((PINGTAN / f"{docid}.html").read_bytes())
    if known.get("kind") == "函":
        assert parsed.title is not None
        assert classify(parsed.title)[0] is False
        return
    assert (parsed.body, parsed.year) == (known["body"], known["year"])
    if known["year"] <= 2018:  # free-form years: text, no invented tables
        assert parsed.template == "free"
        assert (parsed.active, parsed.applications, parsed.appeals) == (
            None,
            None,
            None,
        )
        assert len(parsed.text) > 1000


def test_the_pingtan_2020_imbalance_is_flagged_with_the_cells_named() -> None:
    parsed = parse((PINGTAN / "80595.html").read_bytes())
    failed = {c.name: c.message for c in parsed.checks if not c.ok}
    assert set(failed) >= {"handled_sum"}
    assert "21" in failed["handled_sum"]
    assert "27" in failed["handled_sum"]
