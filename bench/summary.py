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


def _below(name: str, value: float, goal: float) -> Verdict:
    return Verdict(name, value, f"< {goal:g}", value < goal)


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
    if "b7" in results:
        out += _search_verdicts(results["b7"]["queries"])
    if "similar" in results:
        found = results["similar"]
        out.append(
            _at_least(
                "Copies: planted found ÷ planted",
                _recall(found["found"], found["planted"]),
                1,
            )
        )
        out.append(_at_most("Copies: pairs not planted", found["not_planted"], 0))
        out.append(
            _at_least(
                "Copies, the night: found ÷ planted",
                _recall(found["night_found"], found["night_planted"]),
                1,
            )
        )
    if "first_night" in results:
        night = results["first_night"]
        out.append(
            _at_least(
                f"First night ÷ {night['against']}'s, end to end", night["speedup"], 4
            )
        )
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


def _search_verdicts(queries: list[dict[str, Any]]) -> list[Verdict]:
    """B7's goals on the worst query of each kind: p95 through Datasette under 100 ms
    for 2 characters and under 50 ms for 3 or more; Datasette's overhead at p95 at
    most 15 ms."""
    out = []
    for label, kind, goal in (
        ("2 characters", [q for q in queries if len(q["query"]) == 2], 100),
        ("3+ characters", [q for q in queries if len(q["query"]) > 2], 50),
    ):
        if kind:
            worst = max(q["datasette_p95_ms"] for q in kind)
            out.append(_below(f"B7 p95 ms, {label} (worst)", worst, goal))
    if queries:
        worst = max(q["overhead_ms"] for q in queries)
        out.append(_at_most("B7 Datasette's overhead, p95 ms (worst)", worst, 15))
    return out


def _recall(found: int, planted: int) -> float:
    """Planted copies found ÷ planted (0 when none were planted)."""
    return found / planted if planted else 0.0


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
