"""A PDF's text hash taken by its parse equals the hash taken on its own.

The crawl's analysis parses a new PDF and hashes its text; PDFium's loading of the
pages is most of both, so the parse takes each page's part of the hash from the page
it has loaded (``processors/pdfium_page.read_page``) and the separate hash pass only
hashes what the parse did not (``app/process.analyse``). The hash decides "changed"
or "re-saved" for every report: here it must be the very hash
``processors.text.text_sha256`` gives, on every PDF the tests and the replica have,
scans included (every replica PDF: tests/processors/test_pdfium_page.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bench.parse_bench import render_corpus
from processors.parse import parse
from processors.pdf import read_pdf
from processors.text import IMAGE_SCHEME, text_sha256
from tests.processors.pdf_hazards import FAST, LEFT_TO_PDFPLUMBER, hazard_pdf
from tests.processors.test_pdfium_page import FIXTURES
from tests.processors.test_scan_hash import image_pdf, mixed_pdf, table_scan

if TYPE_CHECKING:
    from pathlib import Path

PDF = "application/pdf"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_reports_hash_alike_both_ways(path: Path) -> None:
    data = path.read_bytes()
    taken = parse(data, PDF).text_sha256
    assert taken is not None
    assert taken == text_sha256(data, PDF)


def test_long_benchmark_mix_reports_hash_alike_both_ways(tmp_path: Path) -> None:
    for path in render_corpus(tmp_path, 3):
        data = path.read_bytes()
        assert read_pdf(data).text_sha256 == text_sha256(data, PDF), path.name


@pytest.mark.parametrize("name", sorted(FAST | LEFT_TO_PDFPLUMBER))
def test_pages_pdfium_reads_and_pages_left_to_pdfplumber_hash_alike(name: str) -> None:
    shapes = FAST | LEFT_TO_PDFPLUMBER
    data = hazard_pdf(shapes[name], name)
    assert read_pdf(data).text_sha256 == text_sha256(data, PDF)


def test_scanned_pages_hash_by_their_pictures_alike_both_ways() -> None:
    for data in (
        image_pdf(table_scan("21"), table_scan("27")),
        mixed_pdf(table_scan()),
    ):
        taken = read_pdf(data).text_sha256
        assert taken is not None
        assert taken.startswith(IMAGE_SCHEME)
        assert taken == text_sha256(data, PDF)


def test_no_hash_is_taken_where_pdfium_read_no_page() -> None:
    data = FIXTURES[0].read_bytes()
    assert read_pdf(data, fast=False).text_sha256 is None
