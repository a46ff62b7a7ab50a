"""The bench's last table: every ratio measured in this run beside its goal, and
whether it meets it (issue 16 item 8). Built from the results `python -m bench`
writes to bench/results/latest.json, so a partial run (`--only …`) lists what it
measured and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    measured: float
    goal: str  # as the benchmarks' docs state it: "≥ 0.75", "≤ 1.1", "= 0"
    met: bool


def _at_least(name: str, value: float, goal: float) -> Verdict:
    return Verdict(name, value, f"≥ {goal:g}", value >= goal)


def _at_most(name: str, value: float, goal: float) -> Verdict:
    return Verdict(name, value, f"≤ {goal:g}", value <= goal)


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """The goals of docs/benchmarks.md and issue 16 for what ``results`` holds."""
    out: list[Verdict] = []
    for key, mix in (("b1_html", "HTML mix"), ("b1_pdf", "PDF mix")):
        if key in results:
            b1 = results[key]
            out.append(_at_least(f"B1 {mix} ÷ bare Scrapy", b1["ratio"], 0.75))
            out.append(_at_least(f"B1 {mix} ÷ the peer", b1["peer_ratio"], 1.0))
            out.append(
                _at_most(f"B1 {mix} CPU/page ÷ bare", b1["cpu_per_page_ratio"], 1.3)
            )
    for b2 in results.get("b2", []):
        out.append(
            _at_least(f"B2 {b2['hosts']} host(s), {b2['mode']}", b2["ratio"], 0.9)
        )
    if "b3" in results:
        out.append(
            _at_most("B3 unchanged ÷ first night", results["b3"]["time_ratio"], 0.2)
        )
    if "b3_polite" in results:
        polite = results["b3_polite"]["time_ratio"]
        out.append(_at_most("B3 polite unchanged ÷ first night", polite, 0.25))
    if "b5" in results:
        b5 = results["b5"]
        out.append(_at_least("B5 PDF parse ÷ bare pdfplumber", b5["ratio"], 5))
        out.append(_at_least("B5 2 workers ÷ 1", b5["speedup"], 1.8))
        out.append(
            _at_most("B5 documents unlike pdfplumber's", len(b5["different"]), 0)
        )
    for b4 in results.get("b4", []):
        if b4["label"] != "20 KB files":  # the goal is for files of 1 MB and more
            out.append(_at_least(f"B4 blob store, {b4['label']}", b4["ratio"], 0.8))
    if "b10" in results:
        out.append(
            _at_most("B10 last night's RSS ÷ first", results["b10"]["ratio"], 1.1)
        )
    if "ocr" in results:
        ocr = results["ocr"]
        overall = ocr["overall"]
        exact = overall["exact"] / overall["cells"] if overall["cells"] else 0.0
        out.append(_at_least("OCR figures exact", exact, 0.99))
        out.append(_at_most("OCR figures wrong", overall["wrong"], 0))
        out.append(
            _at_most(
                "OCR 30-page scan ÷ sandbox limit",
                ocr["long_seconds"] / ocr["long_budget"],
                1.0,
            )
        )
    return out


def summary_lines(found: list[Verdict]) -> list[str]:
    """One line per ratio: name, measured, goal, met or short."""
    if not found:
        return []
    width = max(len(v.name) for v in found)
    lines = [f"{'ratio':<{width}}  measured  goal     ", "-" * (width + 26)]
    lines += [
        f"{v.name:<{width}}  {v.measured:8.3g}  {v.goal:<7}  {'met' if v.met else 'SHORT'}"
        for v in found
    ]
    return lines
