"""The OCR benchmark's harness (bench/ocr_bench.py) on a few pages: its 30-page scan is
a scan of 30 pages, its throughput is measured, its lines say each figure (the full
run, exactness per defect included, is `python -m bench --only ocr`)."""

from __future__ import annotations

import pypdfium2

from bench.ocr_bench import (
    LONG_SCAN_PAGES,
    Exactness,
    OcrBench,
    _page_images,
    _scans,
    long_scan,
    ocr_lines,
    throughput,
)


def test_the_long_scan_has_30_pages_and_no_text() -> None:
    pdf = pypdfium2.PdfDocument(long_scan(_scans()))
    try:
        assert len(pdf) == LONG_SCAN_PAGES
        assert all(page.get_textpage().get_text_range() == "" for page in pdf)
    finally:
        pdf.close()


def test_throughput_is_measured_on_a_scans_pages() -> None:
    case = next(c for c in _scans() if c.key == "zc-gov/2021")
    images = _page_images(case)
    assert len(images) == 4
    ours, bare = throughput(images[:1])
    assert ours > 0
    assert bare > 0


def test_the_lines_say_each_figure() -> None:
    bench = OcrBench(
        pages=43,
        ours_pages_per_s=0.77,
        bare_pages_per_s=0.93,
        ratio=0.77 / 0.93,
        by_defect={"seal": Exactness(400, 398, 2, 0, 2)},
        overall=Exactness(400, 398, 2, 0, 2),
        long_pages=30,
        long_seconds=44.4,
        long_budget=120,
        long_ok=True,
    )
    lines = ocr_lines(bench)
    assert lines[0].startswith("OCR throughput         ours  0.77 pages/s/core")
    assert "ratio 0.83 · 43 scanned pages" in lines[0]
    assert "99.50% of 400 figures exact" in lines[1]
    assert lines[2] == "  seal      99.50% exact ·  2 blank · 0 wrong · 2 scans"
    assert lines[3].endswith("ratio 0.37 (within the budget)")
