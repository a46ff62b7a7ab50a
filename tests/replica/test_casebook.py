"""The casebook (issue 15 items 3 and 5): what it holds, its planted copies and control
pairs, and a default replica that stays byte for byte what it was without it."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from replica.casebook import Case, cases
from replica.casebook_spec import CASEBOOK_PATH, load_casebook
from replica.catalog import catalog
from replica.local_prose import Facts, draft, figure_slots, fill, locale
from replica.model import Body, Figures
from replica.scans import DEFECTS
from replica.spec import SpecError

if TYPE_CHECKING:
    from pathlib import Path

CASES = {case.key: case for case in cases()}
COPIES = [case for case in CASES.values() if case.copy]
# The default replica's night-1 manifest (with tables) before the casebook existed:
# its 341 report keys and the SHA-256 of the whole manifest, which holds every file's
# SHA-256. Change these only when the default replica is meant to change.
DEFAULT_REPORTS = 341
DEFAULT_KEYS_SHA256 = "9d1ca1da5b78f13aed33d1e3df3caf03d2f69f55f0ab24e7e7575441c7265739"
DEFAULT_MANIFEST_SHA256 = (
    "cdc134da1bb4f90ce5551ea75fee7f62b364e8abf14f88456f69f3403258d702"
)


def manifest_sha256(entries: list[dict]) -> str:
    blob = json.dumps(entries, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def text(case: Case) -> str:
    """Everything the report says in words (not its title), paragraph by paragraph."""
    report = case.report
    paragraphs = [*report.intro, *(p for s in report.sections for p in s.paragraphs)]
    return "\n".join(paragraphs)


def test_the_default_replica_is_byte_for_byte_what_it_was_before_the_casebook() -> None:
    entries = catalog(1).manifest(tables=True)
    keys = "\n".join(entry["key"] for entry in entries)
    assert len(entries) == DEFAULT_REPORTS
    assert hashlib.sha256(keys.encode()).hexdigest() == DEFAULT_KEYS_SHA256
    assert manifest_sha256(entries) == DEFAULT_MANIFEST_SHA256
    assert not any("casebook" in entry for entry in entries)


def test_the_default_replica_does_not_even_load_the_casebook() -> None:
    """Its scans need numpy and PDFium (0.3 s to import): a default replica starts
    without them."""
    code = (
        "import sys; from replica.catalog import catalog; catalog(1).manifest(); "
        "print(sorted(m for m in sys.modules if m.startswith(('replica.casebook', "
        "'replica.scans', 'numpy', 'pypdfium2'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_casebook_scans_twelve_reports_with_every_defect_at_least_twice() -> None:
    scanned = [case for case in CASES.values() if case.scan]
    defects = Counter(d for case in scanned for d in case.scan.defects)
    assert len(scanned) == 12
    assert set(defects) == set(DEFECTS)
    assert min(defects.values()) >= 2
    assert {case.report.template for case in scanned} == {"2019", "2021"}
    assert {case.scan.dpi for case in scanned} == {150, 200, 300}
    assert Counter(case.file_format for case in scanned) == {"pdf": 8, "docx": 4}
    assert {case.form for case in scanned} == {
        "pdf_only",
        "stub_pdf",
        "stub_docx",
        "docx_only",
    }


def test_the_casebook_plants_three_copies_two_control_pairs_and_a_background() -> None:
    kinds = sorted((c.copy.kind, c.copy.renamed) for c in COPIES)
    assert kinds == [("last_year", True), ("neighbour", False), ("neighbour", True)]
    pairs = {frozenset((c.key, c.template_only_with)) for c in CASES.values()}
    assert pairs - {frozenset((k, None)) for k in CASES} == {
        frozenset(("lq-jyj/2022", "zc-wsj/2022")),
        frozenset(("zc-mizhou/2021", "zc-longdu/2021")),
    }
    background = [
        c
        for c in CASES.values()
        if not (c.scan or c.copy or c.template_only_with)
        and not any(other.copy.source == c.key for other in COPIES)
    ]
    assert len(background) >= 5
    assert len(CASES) == 28


@pytest.mark.parametrize("case", COPIES, ids=lambda c: c.key)
def test_a_copy_is_its_source_text_changed_only_where_its_facts_say(
    case: Case,
) -> None:
    facts = case.facts()["copy_of"]
    source = CASES[facts["key"]]
    names = [pair for pair in facts["changes"] if isinstance(pair[0], str)]
    numbers = {(str(o), str(n)) for o, n in facts["changes"] if isinstance(o, int)}
    original = text(source)
    for old, new in names:
        original = original.replace(old, new)
    copied = text(case)
    # Word for word but the digits…
    assert re.sub(r"\d+", "#", copied) == re.sub(r"\d+", "#", original)
    # …and the digits that differ are exactly the declared changes.
    differ = {
        (old, new)
        for old, new in zip(
            re.findall(r"\d+", original), re.findall(r"\d+", copied), strict=True
        )
        if old != new
    }
    assert differ == numbers
    assert case.report.figures.applications != source.report.figures.applications


def test_a_neighbours_copy_writes_its_own_name_or_forgets_to() -> None:
    renamed, forgot = CASES["lq-sitou/2022"], CASES["lq-xinzhai/2021"]
    assert "冶源街道" not in text(renamed)
    assert text(renamed).count("寺头镇") >= 8
    assert renamed.facts()["copy_of"]["changes"][:2] == [
        ["临朐县冶源街道办事处", "临朐县寺头镇人民政府"],
        ["冶源街道", "寺头镇"],
    ]
    # The copier put its own name in the title only.
    assert forgot.report.title == "临朐县辛寨街道办事处2021年政府信息公开工作年度报告"
    assert "辛寨" not in text(forgot)
    assert text(forgot).count("九山镇") >= 8
    assert all(isinstance(old, int) for old, _ in forgot.facts()["copy_of"]["changes"])


def changed_figures(case: Case, source: Case) -> set[tuple[int, int]]:
    old, new = figure_slots(source.report.figures), figure_slots(case.report.figures)
    return {(old[k], new[k]) for k in old if old[k] != new[k]}


def test_a_neighbours_copy_changes_the_figures_and_as_many_numbers_as_declared() -> (
    None
):
    for case in COPIES:
        if case.copy.kind != "neighbour":
            continue
        source = CASES[case.copy.source]
        changes = {tuple(p) for p in case.facts()["copy_of"]["changes"]}
        numbers = {p for p in changes if isinstance(p[0], int)}
        assert len(numbers - changed_figures(case, source)) == case.copy.numbers


def test_last_years_copy_changes_only_the_year_and_the_quoted_figures() -> None:
    copy = CASES["lq-fgj/2023"]
    facts = copy.facts()["copy_of"]
    assert (facts["key"], facts["kind"], copy.copy.numbers) == (
        "lq-fgj/2022",
        "last_year",
        0,
    )
    years = {(2022, 2023), (2023, 2024)}  # the report's year; "{next}年" plans
    changes = {tuple(pair) for pair in facts["changes"]}
    assert years <= changes <= years | changed_figures(copy, CASES["lq-fgj/2022"])
    assert copy.own_sentences != CASES["lq-fgj/2022"].own_sentences


def test_every_own_sentence_is_printed_in_its_report() -> None:
    for case in CASES.values():
        assert len(case.own_sentences) >= 10
        assert all(sentence in text(case) for sentence in case.own_sentences)


def test_no_two_reports_share_an_own_sentence_unless_one_copies_the_other() -> None:
    copied = {frozenset((c.key, c.copy.source)) for c in COPIES}
    shared = [
        (a.key, b.key, sentence)
        for a, b in itertools.permutations(CASES.values(), 2)
        if frozenset((a.key, b.key)) not in copied
        for sentence in a.own_sentences
        if sentence in text(b)
    ]
    assert shared == []


@pytest.mark.parametrize(
    ("one", "other"),
    [("lq-jyj/2022", "zc-wsj/2022"), ("zc-mizhou/2021", "zc-longdu/2021")],
)
def test_a_control_pair_shares_the_template_and_stock_phrases_only(
    one: str, other: str
) -> None:
    a, b = CASES[one], CASES[other]
    assert a.template_only_with == other
    assert b.template_only_with == one
    assert a.report.year == b.report.year
    assert a.report.template == b.report.template
    assert [s.heading for s in a.report.sections] == [
        s.heading for s in b.report.sections
    ]
    assert not [s for s in a.own_sentences if s in text(b)]
    assert not [s for s in b.own_sentences if s in text(a)]
    shared = set(re.findall(r"[^。\n]+。", text(a))) & set(
        re.findall(r"[^。\n]+。", text(b))
    )
    assert (
        "本报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        in shared
    )


def _bad_casebook(tmp_path: Path, old: str, new: str) -> Path:
    text = CASEBOOK_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "casebook.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "lq-gov/2021: {form: pdf_only,",
            "lq-gov/2021: {form: html,",
            "casebook.yaml: scanned report 'lq-gov/2021' must be posted as one of",
        ),
        (
            "defects: [crooked], dpi: 200",
            "defects: [smudge], dpi: 200",
            "casebook.yaml: report 'zc-zhigou/2021': scan defects must be",
        ),
        (
            "defects: [blur], dpi: 300",
            "defects: [blur], dpi: 600",
            "casebook.yaml: report 'zc-gov/2021': scan dpi must be one of (150, 200, 300)",
        ),
        (
            "copy_of: {report: lq-yeyuan/2022,",
            "copy_of: {report: lq-jiushan/2021,",
            "casebook.yaml: report 'lq-sitou/2022' cannot copy 'lq-jiushan/2021'",
        ),
        (
            "lq-gov/2023: {form: html}",
            "lq-gov/2023: {}",
            "casebook.yaml: report 'lq-gov/2023' must name its form",
        ),
    ],
)
def test_a_malformed_casebook_names_the_report_and_the_rule(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(SpecError) as error:
        load_casebook(_bad_casebook(tmp_path, old, new))
    assert message in str(error.value)


def test_own_prose_never_repeats_a_sentence_across_bodies_or_years() -> None:
    """300 drafts (100 towns of 10 counties, 3 years each): every own sentence is
    written once, so a shared sentence means a copy, never chance."""
    seen: dict[str, str] = {}
    for n in range(100):
        body = Body(
            f"t{n}", f"测试{n // 10}县第{n}镇人民政府", f"第{n}镇", "town", "", "", ""
        )
        place = locale(random.Random(f"locale|{n}"))
        for year in (2021, 2022, 2023):
            words = draft(
                body, year, "2021", "0536-1", place, random.Random(f"{n}|{year}")
            )
            facts = Facts(body.name, body.short, year, Figures(), words.numbers)
            for sentence in words.own:
                written = fill(sentence, facts)
                assert written not in seen, (f"{n}/{year}", seen.get(written))
                seen[written] = f"{n}/{year}"
    assert len(seen) >= 300 * 10
