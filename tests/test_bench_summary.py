"""The bench's last table (bench/summary.py): each ratio of a run against its goal."""

from __future__ import annotations

from bench.summary import Verdict, summary_lines, verdicts


def test_each_measured_ratio_is_judged_against_its_goal() -> None:
    results = {
        "b4": [
            {"label": "1 MB files", "ratio": 0.36},
            {"label": "20 KB files", "ratio": 0.03},  # no goal for small files
        ],
        "b5": {"ratio": 4.8, "speedup": 1.86, "different": []},
        "b7": {
            "queries": [
                {"query": "复议", "datasette_p95_ms": 57.2, "overhead_ms": 6.5},
                {"query": "行政复议", "datasette_p95_ms": 21.0, "overhead_ms": -0.7},
                {"query": "依申请公开", "datasette_p95_ms": 52.0, "overhead_ms": 16.0},
            ]
        },
        "similar": {
            "planted": 392,
            "found": 392,
            "not_planted": 1,
            "night_planted": 91,
            "night_found": 90,
        },
        "first_night": {"against": "1a52fa4", "speedup": 3.96},
        "b10": {"peaks_mb": [201, 128], "ratio": 0.64},
        "ocr": {
            "overall": {"cells": 2390, "exact": 2375, "blank": 15, "wrong": 0},
            "long_seconds": 36.9,
            "long_budget": 120,
        },
    }
    assert verdicts(results) == [
        Verdict("B5 PDF parse ÷ bare pdfplumber", 4.8, "≥ 5", False),
        Verdict("B5 2 workers ÷ 1", 1.86, "≥ 1.8", True),
        Verdict("B5 documents unlike pdfplumber's", 0, "≤ 0", True),
        Verdict("B4 blob store, 1 MB files", 0.36, "≥ 0.8", False),
        Verdict("B7 p95 ms, 2 characters (worst)", 57.2, "< 100", True),
        Verdict("B7 p95 ms, 3+ characters (worst)", 52.0, "< 50", False),
        Verdict("B7 Datasette's overhead, p95 ms (worst)", 16.0, "≤ 15", False),
        Verdict("Copies: planted found ÷ planted", 1.0, "≥ 1", True),
        Verdict("Copies: pairs not planted", 1, "≤ 0", False),
        Verdict("Copies, the night: found ÷ planted", 90 / 91, "≥ 1", False),
        Verdict("First night ÷ 1a52fa4's, end to end", 3.96, "≥ 4", False),
        Verdict("B10 last night's RSS ÷ first", 0.64, "≤ 1.1", True),
        Verdict("OCR figures exact", 2375 / 2390, "≥ 0.99", True),
        Verdict("OCR figures wrong", 0, "≤ 0", True),
        Verdict("OCR 30-page scan ÷ sandbox limit", 36.9 / 120, "≤ 1", True),
    ]


def test_the_table_says_met_or_short() -> None:
    lines = summary_lines(
        [
            Verdict("B4 blob store, 1 MB files", 0.364, "≥ 0.8", False),
            Verdict("B10 last night's RSS ÷ first", 0.639, "≤ 1.1", True),
        ]
    )
    assert lines[2] == "B4 blob store, 1 MB files        0.364  ≥ 0.8    SHORT"
    assert lines[3] == "B10 last night's RSS ÷ first     0.639  ≤ 1.1    met"
    assert summary_lines([]) == []
