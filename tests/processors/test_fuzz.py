"""300 mutated real reports through the crawl's sandbox: no traceback, no hang.

Every file is a fixture of ``bench/fuzz.py`` (the real PDFs, DOCX files and Pingtan
pages of the reader and golden tests) with seeded byte flips, truncation, duplicated
or deleted chunks, and for a DOCX the same inside one zip member. Each runs through
``parse`` and ``text_sha256`` in a worker of ``app.sandbox.map_isolated`` with the
limits of a crawl; ``python -m bench --only fuzz`` runs 10,000.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import bench.fuzz
from bench.fuzz import (
    OK,
    STEPS,
    Case,
    cases,
    fuzz_one,
    mutate_bytes,
    mutated,
    run_fuzz,
)
from processors.document import ReadError, UnsafeFile
from processors.text import TextError

if TYPE_CHECKING:
    import pytest

CASES = 300
DOCUMENTED = {cls.__name__ for cls in (ReadError, UnsafeFile, TextError)}


def test_300_mutated_files_give_a_result_or_a_documented_error() -> None:
    run = run_fuzz(CASES, timeout=30, memory_mb=1536, workers=2)
    assert run.failures == []  # no traceback, timeout or dead worker, by case
    for step in STEPS:
        outcomes = set(run.counts[step])
        assert outcomes <= {OK, *DOCUMENTED}, step
        assert sum(run.counts[step].values()) == CASES
    # the mutations reach the readers' error paths and leave some files readable
    assert run.counts["parse"][OK] > CASES // 10
    assert run.counts["parse"]["ReadError"] > CASES // 10


def test_a_case_is_rebuilt_from_its_seed_alone() -> None:
    first = cases(30, seed=7)
    assert first == cases(30, seed=7)
    assert {c.kind for c in first} == {"pdf", "docx", "html"}
    assert [mutated(c) for c in first[:6]] == [mutated(c) for c in first[:6]]


def test_every_mutation_changes_the_bytes() -> None:
    data = bytes(range(256)) * 4
    for how in ("flip", "truncate", "duplicate", "delete"):
        assert mutate_bytes(data, random.Random(1), how) != data, how


def test_the_worker_reports_a_documented_error_by_its_class_name() -> None:
    docx = next(c for c in cases(60) if c.kind == "docx")
    parsed, hashed = fuzz_one(docx)
    assert parsed in {OK, *DOCUMENTED}
    assert hashed in {OK, *DOCUMENTED}
    assert fuzz_one(Case("html", 0, 1))[0] == OK  # HTML nearly always reads


def test_an_undocumented_exception_is_counted_as_unexpected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(data: bytes, media_type: str) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(bench.fuzz, "parse", broken)  # the forked workers see it too
    run = run_fuzz(2, timeout=30, memory_mb=1536, workers=2)
    assert run.counts["parse"] == {"unexpected (KeyError)": 2}
    assert all(f.endswith("KeyError: 'a bug'") for f in run.failures)
