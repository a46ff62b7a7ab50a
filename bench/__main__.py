"""`python -m bench`: B1–B7 and B10 of docs/benchmarks.md, as ratios measured in this run.

Starts the replica pinned to CPU 0 and crawls it from CPU 1 (whose parse pool then
has one worker: the CPUs a process may use, app/config.py): B1 first on the
replica's usual mix (mostly HTML pages — the case B1's goal is stated for), against a
bare Scrapy spider and the peer (Scrapy + FilesPipeline + sqlite-utils) over the same
link graph; then B3 on its benchmark mix (PDF-heavy, 10–60 page PDFs; the sources read
without a browser, a third of them unless `--full`), whose first nights are also B1 on
that mix; then B3 at the real-site settings once. `--full` also scales the replica 4×
(`--scale`). Prints one table; results also go to bench/results/latest.json, and the run
ends with the seconds each bench took and one table of every ratio measured, its goal
and met/SHORT (bench/summary.py). `--repetitions 1` for a quick look. B5 (`--only
parse`) parses a sample of the benchmark mix's PDFs against bare pdfplumber
(bench/parse_bench.py). B4 (`--only store`) is the blob store against the disk, B6
(`--only ingest`) the derived rows against raw inserts (bench/ingest_bench.py).
B7 builds a synthetic archive of
`--reports` reports and times the search through Datasette against sqlite3; `--only search` runs just that.
`--only startup` times the replica's own start-up from a cold and a warm cache.
`--only fuzz [--fuzz-count 10000]` runs mutated reports through the parse sandbox
(bench/fuzz.py) and counts the outcomes. `--only politeness` is B2 (the per-host
budget used, in one process and with 2 workers on a real redis-server);
`--only night [--night-sources 100,1000,10000]` crawls the replica's fleet of many
hosts in one process and with 2 and 4 workers (bench/scale_bench.py; about half an
hour at 10,000 sources). `--only similar [--similar-reports 100000]` is copy
detection (bench/similar_bench.py): signing, indexing and matching that many synthetic
reports with planted copies (20,000 by default, about a minute; 100,000 about five),
then a night of `--similar-new` more. `--only ocr` reads the replica casebook's
scanned reports (bench/ocr_bench.py): pages per second per core against bare
Tesseract, exactness per defect kind, and a 30-page scan in the parse sandbox.
`--only memory [--nights 10]` is B10: the crawl's peak RSS over consecutive nights of
the replica into one archive, the last night's ÷ the first's. `--only first-night
[--against COMMIT]` times a first night of the benchmark mix end to end against an
earlier commit (bench/first_night.py; issue 16's day one by default).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from app.standin import start_replica
from bench.crawl_bench import (
    HTTP_SOURCES,
    Pass,
    b1_throughput,
    b3_incremental,
    b10_memory,
    fetched_sources,
    throughput,
)
from bench.first_night import DAY_ONE, first_night, first_night_lines
from bench.fuzz import fuzz_lines, run_fuzz
from bench.ingest_bench import b6_ingest, ingest_lines
from bench.measure import PYTHON, ROOT, pinned
from bench.ocr_bench import ocr_bench, ocr_lines
from bench.parse_bench import parse_bench, parse_lines
from bench.scale_bench import b2_budget, b2_lines, night, night_lines
from bench.search_bench import b7_lines, b7_search
from bench.similar_bench import similar_bench, similar_lines
from bench.startup_bench import startup, startup_lines
from bench.store_bench import b4_store
from bench.summary import summary_lines, verdicts

if TYPE_CHECKING:
    from collections.abc import Iterator

RESULTS = ROOT / "bench" / "results"
# The default run: every ratio issue 16 asks for, in about 10 minutes on 2 cores
# (2026-12-05: crawl 282 s, parse 108, similar 54, ingest 53, search 51, store 22,
# memory 20).
DEFAULT_BENCHES = ("crawl", "parse", "store", "ingest", "search", "similar", "memory")
# With --full also (2026-12-05: OCR 183 s, B2 155, the replica's start-up 51).
FULL_BENCHES = (*DEFAULT_BENCHES, "startup", "politeness", "ocr")
# fuzz (10 minutes or more), night (half an hour) and first-night (3 minutes a
# repetition) only when asked for
BENCHES = (*FULL_BENCHES, "fuzz", "night", "first-night")


@contextmanager
def serving(scale: int, *, bench: bool) -> Iterator[str]:
    """A replica for the duration of the block; yields its proxy URL."""
    options = ["--scale", str(scale), *(["--bench"] if bench else [])]
    replica = start_replica(options, python=PYTHON, prefix=pinned(0, []))
    try:
        yield replica.proxy
    finally:
        replica.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--repetitions",
        type=int,
        default=5,
        help="runs per measurement (median is reported)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=None,
        help="replica bodies × this, for B1 and B3 [default: 1, 4 with --full]",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHES,
        help="run only these (crawl: B1 B3, parse: B5, store: B4, ingest: B6, "
        "search: B7, "
        "startup: the replica's start-up, politeness: B2, fuzz: mutated reports, "
        "night: many sources on many hosts, similar: copy detection, "
        "ocr: scanned reports, memory: B10 over consecutive nights); repeatable",
    )
    parser.add_argument(
        "--fuzz-count", type=int, default=10_000, help="fuzz: mutated files to parse"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="the long form: also B2, OCR and the replica's start-up; B1 and B3 on "
        "the whole benchmark mix, scaled 4×; B7 and copy detection at 100,000 "
        "reports (about an hour in all)",
    )
    parser.add_argument(
        "--reports",
        type=int,
        default=None,
        help="B7: synthetic reports in the search archive [default: 20000, "
        "100000 with --full]",
    )
    parser.add_argument(
        "--samples", type=int, default=20, help="B7: timings per query and path"
    )
    parser.add_argument(
        "--search-archive",
        type=Path,
        help="B7: build the archive here and keep it; reuse it if it is there",
    )
    parser.add_argument(
        "--night-sources",
        default="100,1000,10000",
        help="night: the fleet sizes to crawl, in sources (10 per host)",
    )
    parser.add_argument(
        "--night-workers",
        default="0,2,4",
        help="night: 0 = one process, N = N workers on a redis-server",
    )
    parser.add_argument(
        "--similar-reports",
        type=int,
        default=None,
        help="similar: synthetic reports to sign and match [default: 20000, "
        "100000 with --full]",
    )
    parser.add_argument(
        "--similar-new",
        type=int,
        default=1_000,
        help="similar: new reports of the night after",
    )
    parser.add_argument(
        "--nights",
        type=int,
        default=10,
        help="memory: consecutive crawls of the replica into one archive",
    )
    parser.add_argument(
        "--against",
        default=DAY_ONE,
        help="first-night: the earlier commit to time beside this checkout "
        f"[default: {DAY_ONE}, issue 16's day one]",
    )
    parser.add_argument(
        "--latency",
        type=int,
        default=300,
        help="politeness, night: the replica's delay before each answer (ms)",
    )
    args = parser.parse_args()
    full = 100_000 if args.full else 20_000
    args.scale = args.scale or (4 if args.full else 1)
    args.reports = args.reports or full
    args.similar_reports = args.similar_reports or full
    chosen = set(args.only or (FULL_BENCHES if args.full else DEFAULT_BENCHES))
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    results: dict[str, object] = {}
    lines: list[str] = []
    marks: list[tuple[str, float]] = []  # when each bench began
    try:
        if "startup" in chosen:
            marks.append(("startup", time.monotonic()))
            started_up = startup(args.repetitions, scratch)
            results["startup"] = asdict(started_up)
            lines += startup_lines(started_up)
        if "crawl" in chosen:
            marks.append(("crawl", time.monotonic()))
            lines += crawl_lines(args, scratch, results)
        if "parse" in chosen:
            marks.append(("parse", time.monotonic()))
            b5 = parse_bench(scratch, args.repetitions)
            results["b5"] = b5.as_record()
            lines += parse_lines(b5)
        if "ingest" in chosen:
            marks.append(("ingest", time.monotonic()))
            b6 = b6_ingest(args.repetitions, scratch)
            results["b6"] = asdict(b6)
            lines += ingest_lines(b6)
        if "store" in chosen:
            marks.append(("store", time.monotonic()))
            b4 = b4_store(args.repetitions)
            results["b4"] = [asdict(r) for r in b4]
            lines += [
                f"B4 blob store {r.label:<11} {r.store_mb_s:7.1f} MB/s · "
                f"limit {r.limit_mb_s:7.1f} MB/s · "
                f"ratio {r.ratio:.2f} (±{r.spread:.0%}) · {r.ms_per_file:.2f} ms/file · "
                f"new store {r.fresh_ratio:.2f} · one at a time "
                f"{r.single_ms_per_file:.2f} ms/file"
                for r in b4
            ]
        if "search" in chosen:
            marks.append(("search", time.monotonic()))
            b7 = b7_search(args.reports, args.samples, scratch, args.search_archive)
            results["b7"] = b7.as_record()
            lines += b7_lines(b7)
        if "politeness" in chosen:
            marks.append(("politeness", time.monotonic()))
            b2 = b2_budget(scratch, args.latency)
            results["b2"] = [asdict(b) | {"ratio": b.ratio} for b in b2]
            lines += b2_lines(b2)
        if "night" in chosen:
            marks.append(("night", time.monotonic()))
            nights = night(
                scratch,
                sources=tuple(int(n) for n in args.night_sources.split(",")),
                modes=tuple(int(n) for n in args.night_workers.split(",")),
                latency_ms=args.latency,
            )
            results["night"] = [n.as_record() for n in nights]
            lines += night_lines(nights, args.latency)
        if "similar" in chosen:
            marks.append(("similar", time.monotonic()))
            found = similar_bench(args.similar_reports, args.similar_new, scratch)
            results["similar"] = found.as_record()
            lines += similar_lines(found)
        if "memory" in chosen:
            marks.append(("memory", time.monotonic()))
            with serving(1, bench=False) as proxy:
                b10 = b10_memory(proxy, args.nights, scratch, HTTP_SOURCES)
            results["b10"] = {"peaks_mb": b10.peaks_mb, "ratio": b10.ratio}
            lines.append(
                f"B10 memory, {len(b10.peaks_mb)} nights  crawl peak RSS night 1 "
                f"{b10.peaks_mb[0]:5.0f} MB · night {len(b10.peaks_mb)} "
                f"{b10.peaks_mb[-1]:5.0f} MB · ratio {b10.ratio:.2f} (goal ≤ 1.1) · "
                f"highest {max(b10.peaks_mb):.0f} MB"
            )
        if "ocr" in chosen:
            marks.append(("ocr", time.monotonic()))
            read = ocr_bench()
            results["ocr"] = read.as_record()
            lines += ocr_lines(read)
        if "first-night" in chosen:
            marks.append(("first-night", time.monotonic()))
            night_one = first_night(scratch, args.repetitions, args.against)
            results["first_night"] = night_one.as_record()
            lines += first_night_lines(night_one)
        if "fuzz" in chosen:
            marks.append(("fuzz", time.monotonic()))
            fuzzed = run_fuzz(args.fuzz_count)
            results["fuzz"] = fuzzed.as_record()
            lines += fuzz_lines(fuzzed)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"nianbao benchmarks — medians of {args.repetitions} runs, ratios measured in this run"
    )
    print("\n".join(lines))
    judged = verdicts(results)
    results["summary"] = [asdict(v) for v in judged]
    print()
    print("\n".join(summary_lines(judged)))
    ended = time.monotonic()
    spent = [
        (name, (marks[i + 1][1] if i + 1 < len(marks) else ended) - at)
        for i, (name, at) in enumerate(marks)
    ]
    results["seconds"] = {name: round(s) for name, s in spent}
    print(
        f"({ended - started:.0f} s: "
        + ", ".join(f"{name} {s:.0f}" for name, s in spent)
        + ")"
    )
    RESULTS.mkdir(exist_ok=True)
    latest = RESULTS / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else {}
    latest.write_text(json.dumps({**previous, **results}, indent=2, ensure_ascii=False))


def crawl_lines(
    args: argparse.Namespace, scratch: Path, results: dict[str, object]
) -> list[str]:
    """B1 on both mixes and B3, against the replica."""
    with serving(args.scale, bench=False) as proxy:
        b1_html = b1_throughput(proxy, args.repetitions, scratch)
    with serving(args.scale, bench=True) as proxy:
        passes: list[Pass] = []  # B3's first nights are B1's crawls of this mix
        sources = fetched_sources()
        if not args.full:  # a third of them: their first nights are mostly parsing
            sources = sources[::3]
        b3 = b3_incremental(
            proxy, args.repetitions, scratch, sources=sources, b1=passes
        )
        b1_pdf = throughput(passes)
    # at the real-site settings, once: a polite night 1 of the usual mix takes a minute
    with serving(1, bench=False) as proxy:
        b3_polite = b3_incremental(proxy, 1, scratch, polite=True)
    results.update(
        b1_html=asdict(b1_html),
        b1_pdf=asdict(b1_pdf),
        b3=asdict(b3),
        b3_polite=asdict(b3_polite),
    )
    lines = [
        f"B1 crawl throughput, {mix:<9} ours {b1.ours_pages_per_s:6.1f} pages/s · "
        f"bare Scrapy {b1.bare_pages_per_s:6.1f} pages/s · ratio {b1.ratio:.2f} (goal ≥ 0.75, "
        f"±{b1.spread:.0%}) · peer {b1.peer_pages_per_s:6.1f} pages/s · ratio "
        f"{b1.peer_ratio:.2f} (goal ≥ 1.0, ±{b1.peer_spread:.0%}) · CPU-s/page "
        f"{b1.cpu_per_page_ratio:.2f}× bare (goal ≤ 1.3) · {b1.pages} pages"
        for mix, b1 in (("HTML mix", b1_html), ("PDF mix", b1_pdf))
    ]
    lines.append(
        f"B3 unchanged night     night 1 {b3.first_s:6.1f} s · night 2 {b3.second_s:6.1f} s · "
        f"time ratio {b3.time_ratio:.2f} (goal ≤ 0.2, ±{b3.spread:.0%}) · bytes ratio "
        f"{b3.bytes_ratio:.3f} (floor {b3.bytes_limit:.3f}, goal ≤ 2× floor) · night 2: "
        f"{b3.second_versions} versions, {b3.second_events} events · {b3.documents} documents"
    )
    lines.append(
        f"B3 polite (real-site settings, one run, usual mix) night 1 {b3_polite.first_s:6.1f} s · "
        f"night 2 {b3_polite.second_s:6.1f} s · time ratio {b3_polite.time_ratio:.2f} "
        f"(goal ≤ 0.25) · bytes ratio {b3_polite.bytes_ratio:.3f} · night 2: "
        f"{b3_polite.second_versions} versions, {b3_polite.second_events} events"
    )
    return lines


if __name__ == "__main__":
    main()
