"""The copy-detection bench (bench/similar_bench.py) at a tiny size: its synthetic
reports, its planted copies, and what it measures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.similar_bench import (
    corpus,
    reports,
    similar_bench,
    similar_lines,
)
from processors.similarity import name_forms, own_chars, sentences

if TYPE_CHECKING:
    from pathlib import Path


def test_synthetic_reports_have_own_text_and_planted_copies() -> None:
    made = reports(500, corpus())
    assert len({(m.body, m.year) for m in made}) == 500
    copies = [m for m in made if m.copy_of is not None]
    assert 5 <= len(copies) <= 10
    originals = [m.copy_of for m in copies]
    assert len(set(originals)) == len(originals)  # no original copied twice
    assert all(made[i].copy_of is None for i in originals if i is not None)
    first = made[0]
    assert own_chars(sentences(first.text(), name_forms(first.body))) > 1000
    assert reports(500, corpus())[7].text() == made[7].text()  # deterministic


def test_every_planted_copy_is_found_and_nothing_else(tmp_path: Path) -> None:
    found = similar_bench(600, 60, tmp_path)
    assert found.planted >= 6
    assert found.found == found.planted
    assert found.not_planted == 0
    assert found.night_found == found.night_planted >= 1
    assert found.too_short == 0
    assert found.random_pairs[2] < 0.1
    assert found.candidates_per_report < 1
    lines = similar_lines(found)
    assert len(lines) == 3
    assert lines[1].startswith(f"similar: planted copies found {found.planted}/")
