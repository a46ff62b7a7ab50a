"""PDFium's reading of a PDF page is pdfplumber's (processors/pdfium_page.py).

The fast path must change nothing: on every PDF the tests and the replica have, the
document read page by page through PDFium equals the one read through pdfplumber
alone (``read_pdf(..., fast=False)``), and on the fixtures the very chars and ruling
edges are pdfplumber's. The ports of pdfplumber's line builder and cell text are
checked against pdfplumber itself on random pages of glyphs.
"""

from __future__ import annotations

import io
import itertools
import random
import re
from pathlib import Path

import pdfplumber
import pytest
from pdfplumber.utils.text import chars_to_textmap, extract_text

from bench.parse_bench import render_corpus
from processors import pdfium_page
from processors.pdf import read_pdf
from processors.pdfium_page import Glyph, cell_text, overprinted, rows, text_lines
from processors.text import text_sha256
from replica.corpus import all_report_keys, form_of, report_at, spec
from replica.model import ATTACHMENT_FORMAT
from replica.render_pdf import report_pdf
from tests.processors.pdf_hazards import FAST, LEFT_TO_PDFPLUMBER, hazard_pdf

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = [
    ROOT / "tests/fixtures/reports/whctp-gw-2021.pdf",
    ROOT / "tests/fixtures/reports/penglai-beigou-2022.pdf",
    # a real WPS export (平潭综合实验区 2025), tables and all
    ROOT / "tests/fixtures/crawler/fujian/pingtan/P020260310330256529259.pdf",
]
GEOMETRY = ("x0", "x1", "top", "bottom", "size")
CLOSE = 1e-3  # points: PDFium keeps positions in single precision


def _edge_key(edge: dict) -> tuple:
    return (
        edge["object_type"],
        edge["orientation"] or "",
        *(round(edge[k], 2) for k in ("x0", "x1", "top", "bottom")),
    )


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_pdfium_gives_pdfplumbers_chars_and_edges(path: Path) -> None:
    data = path.read_bytes()
    quick = pdfium_page.open_document(data)
    assert quick is not None
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == len(quick)
        for index, page in enumerate(pdf.pages):
            fast = pdfium_page.read_page(quick, index)
            assert fast is not None, f"page {index + 1} left to pdfplumber"
            assert [c["text"] for c in fast.chars] == [c["text"] for c in page.chars]
            for ours, theirs in zip(fast.chars, page.chars, strict=True):
                for key in GEOMETRY:
                    assert abs(ours[key] - theirs[key]) < CLOSE, (index, ours, theirs)
            assert sorted(map(_edge_key, fast.edges)) == sorted(
                map(_edge_key, page.edges)
            )


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_documents_are_the_same_both_ways(path: Path) -> None:
    data = path.read_bytes()
    assert read_pdf(data) == read_pdf(data, fast=False)


def _replica_pdf_keys() -> list[str]:
    return [
        key
        for site in spec().sites
        for key in all_report_keys(site)
        if ATTACHMENT_FORMAT.get(form_of(site, key)) == "pdf"
    ]


def test_every_replica_pdf_report_reads_the_same_both_ways() -> None:
    """... and the text hash its parse takes is the one hashing it alone gives
    (tests/processors/test_taken_hash.py for the other PDFs)."""
    keys = _replica_pdf_keys()
    assert len(keys) > 50
    differing, hashed_otherwise = [], []
    for key in keys:
        data = report_pdf(report_at(key, 1))
        fast = read_pdf(data)
        if fast != read_pdf(data, fast=False):
            differing.append(key)
        if fast.text_sha256 != text_sha256(data, "application/pdf"):
            hashed_otherwise.append(key)
    assert differing == []
    assert hashed_otherwise == []


def test_long_benchmark_mix_reports_read_the_same_both_ways(tmp_path: Path) -> None:
    paths = render_corpus(tmp_path, 3)
    assert len(paths) == 3
    for path in paths:
        data = path.read_bytes()
        fast = read_pdf(data)
        assert len(fast.text) > 10_000  # 10–60 pages of prose and the tables
        assert fast == read_pdf(data, fast=False), path.name


@pytest.mark.parametrize("name", sorted(FAST))
def test_shapes_pdfium_reads_come_out_as_pdfplumbers(name: str) -> None:
    data = hazard_pdf(FAST[name], name)
    quick = pdfium_page.open_document(data)
    assert quick is not None
    assert pdfium_page.read_page(quick, 0) is not None
    assert read_pdf(data) == read_pdf(data, fast=False)


@pytest.mark.parametrize("name", sorted(LEFT_TO_PDFPLUMBER))
def test_shapes_pdfium_cannot_match_are_left_to_pdfplumber(name: str) -> None:
    data = hazard_pdf(LEFT_TO_PDFPLUMBER[name], name)
    quick = pdfium_page.open_document(data)
    assert quick is not None
    assert pdfium_page.read_page(quick, 0) is None
    assert read_pdf(data) == read_pdf(data, fast=False)


def test_a_pdf_pdfium_cannot_open_is_read_by_pdfplumber() -> None:
    data = FIXTURES[0].read_bytes()
    # The trailer's /Root points nowhere: pdfminer finds the catalog, PDFium gives up.
    broken = re.sub(rb"/Root \d+ 0 R", b"/Root 999 0 R", data)
    assert pdfium_page.open_document(broken) is None
    document = read_pdf(broken)
    assert document == read_pdf(data)
    assert "2021年" in document.text


def test_a_pdf_whose_page_trees_disagree_is_read_by_pdfplumber() -> None:
    data = FIXTURES[0].read_bytes()
    # /Count says 99 pages: PDFium believes it, pdfminer walks the tree.
    broken = re.sub(rb"/Count \d+", b"/Count 99", data)
    quick = pdfium_page.open_document(broken)
    assert quick is not None
    assert len(quick) == 99
    assert read_pdf(broken) == read_pdf(data)


# ------------------------------------------------ the ports against pdfplumber

ALPHABET = "政府信息公开年报告一二三的了 　fiﬁﬂab12"


def _random_glyphs(rng: random.Random) -> list[Glyph]:
    """A page of glyphs on a few baselines, with gaps, overlaps and jitter around
    pdfplumber's 3-point thresholds and its 1-point overprint tolerance."""
    glyphs = []
    for _ in range(rng.randint(1, 6)):
        top = rng.choice([100.0, 102.9, 103.1, 106.2, 140.0, rng.uniform(90, 200)])
        x = rng.uniform(50, 80)
        for _ in range(rng.randint(1, 25)):
            size = rng.choice([10.5, 12.0, 16.0])
            width = size * rng.choice([1.0, 0.5])
            text = rng.choice(ALPHABET)
            jitter = rng.choice([0.0, 0.0, 0.4, -0.4, 2.9, 3.2])
            glyphs.append(
                Glyph(text, x, x + width, top + jitter, top + jitter + size, "F", size)
            )
            x += width + rng.choice([0.0, 0.0, 0.0, 2.9, 3.1, 8.0, -0.5, -width])
    rng.shuffle(glyphs)  # paint order is not reading order
    return glyphs


def _chars(glyphs: list[Glyph]) -> list[dict]:
    return [pdfium_page._char_dict(g, 1) for g in glyphs]


@pytest.mark.parametrize("seed", range(300))
def test_text_lines_are_pdfplumbers(seed: int) -> None:
    glyphs = _random_glyphs(random.Random(seed))
    theirs = chars_to_textmap(_chars(glyphs)).extract_text_lines(return_chars=False)
    ours = text_lines(rows(glyphs))
    keys = ("text", "x0", "x1", "top", "bottom")
    assert [tuple(line[k] for k in keys) for line in ours] == [
        tuple(line[k] for k in keys) for line in theirs
    ]


@pytest.mark.parametrize("seed", range(300))
def test_cell_text_is_pdfplumbers(seed: int) -> None:
    glyphs = _random_glyphs(random.Random(seed))
    assert cell_text(glyphs) == extract_text(_chars(glyphs))


@pytest.mark.parametrize("seed", range(300))
def test_overprint_is_found_as_pairwise(seed: int) -> None:
    rng = random.Random(seed)
    glyphs = _random_glyphs(rng)
    if seed % 3 == 0:  # print one again a hair off itself
        g = rng.choice(glyphs)
        dx, dy = rng.uniform(-1, 1), rng.uniform(-1, 1)
        glyphs.append(
            Glyph(g.text, g.x0 + dx, g.x1 + dx, g.top + dy, g.bottom + dy, "F", g.size)
        )
    pairwise = any(
        a.text == b.text and abs(a.x0 - b.x0) <= 1 and abs(a.top - b.top) <= 1
        for a, b in itertools.combinations(glyphs, 2)
    )
    assert overprinted(rows(glyphs)) == pairwise
