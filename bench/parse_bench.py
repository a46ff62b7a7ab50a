"""B5, PDF parse (issue 16 item 1): our parse stage against bare pdfplumber.

The corpus is a sample of the replica's benchmark mix (its 10–60-page PDF reports),
rendered in a child process (the replica's profile is per process) into the
scratch folder. On the same files, in this process (one core), each timed
``repetitions`` times, the median reported with its spread:

- **ours**: ``processors.parse.parse`` of each file, the whole stage (PDFium pages,
  tables, identity, checks);
- **bare pdfplumber**: ``page.extract_text()`` of every page (what B5's goal is
  stated against);
- **PDFium's text** (``get_text_range`` of every page): the floor, how fast text
  could be;
- **ours, 2 workers**: the same files parsed by a pool of two processes: the
  speed-up over one.

Once, also the stage as it was (every page read by pdfplumber, ``fast=False``), and
whether each file's document is the same both ways (it must be: a difference is
printed as a failure).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.measure import PYTHON, ROOT

if TYPE_CHECKING:
    from collections.abc import Callable

SAMPLE = 12  # reports: ~350 pages, bare pdfplumber ~10 s a repetition


@dataclass(frozen=True, slots=True)
class ParseBench:
    files: int
    pages: int
    ours_pages_per_s: float
    bare_pages_per_s: float
    floor_pages_per_s: float
    before_pages_per_s: float  # every page through pdfplumber (fast=False), once
    two_workers_pages_per_s: float
    spread: float  # (max − min) ÷ median of ours ÷ bare over the repetitions
    different: tuple[str, ...]  # files whose document differs between the two paths

    @property
    def ratio(self) -> float:
        return self.ours_pages_per_s / self.bare_pages_per_s

    @property
    def speedup(self) -> float:
        return self.two_workers_pages_per_s / self.ours_pages_per_s

    def as_record(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": self.ratio, "speedup": self.speedup}


def render_corpus(folder: Path, count: int = SAMPLE) -> list[Path]:
    """``count`` PDF reports of the benchmark mix, spread over its page counts."""
    subprocess.run(
        [
            PYTHON,
            "-m",
            "bench.parse_bench",
            "--render",
            str(folder),
            "--count",
            str(count),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return sorted(folder.glob("*.pdf"))


def _render(folder: Path, count: int) -> None:
    from replica.corpus import Profile, all_report_keys, form_of, report_at, set_profile
    from replica.model import ATTACHMENT_FORMAT
    from replica.render_pdf import report_pdf

    set_profile(Profile(scale=1, bench=True))
    from replica.corpus import spec

    keys = [
        key
        for site in spec().sites
        for key in all_report_keys(site)
        if ATTACHMENT_FORMAT.get(form_of(site, key)) == "pdf"
    ]
    step = max(1, len(keys) // count)
    folder.mkdir(parents=True, exist_ok=True)
    for key in keys[::step][:count]:
        name = key.replace("/", "-") + ".pdf"
        (folder / name).write_bytes(report_pdf(report_at(key, 1)))


def _ours(data: bytes) -> None:
    from processors.parse import parse

    parse(data, "application/pdf")


def _bare(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()


def _floor(data: bytes) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


def _timed(read: Callable[[bytes], object], files: list[bytes]) -> float:
    started = time.perf_counter()
    for data in files:
        read(data)
    return time.perf_counter() - started


def _two_workers(files: list[bytes]) -> float:
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_floor, files[:2])  # the workers are up and have imported
        started = time.perf_counter()
        pool.map(_ours, files, chunksize=1)
        return time.perf_counter() - started


def parse_bench(scratch: Path, repetitions: int, count: int = SAMPLE) -> ParseBench:
    from processors.pdf import read_pdf

    paths = render_corpus(scratch / "b5", count)
    files = [p.read_bytes() for p in paths]
    pages = sum(_floor(data) for data in files)
    ours, bare, floor, two, ratios = [], [], [], [], []
    for _ in range(repetitions):
        ours_s = _timed(_ours, files)
        bare_s = _timed(_bare, files)
        floor_s = _timed(_floor, files)
        ours.append(ours_s)
        bare.append(bare_s)
        floor.append(floor_s)
        two.append(_two_workers(files))
        ratios.append(bare_s / ours_s)
    started = time.perf_counter()
    different = tuple(
        path.name
        for path, data in zip(paths, files, strict=True)
        if read_pdf(data) != read_pdf(data, fast=False)
    )
    before_s = time.perf_counter() - started
    ratio = statistics.median(ratios)
    return ParseBench(
        files=len(files),
        pages=pages,
        ours_pages_per_s=pages / statistics.median(ours),
        bare_pages_per_s=pages / statistics.median(bare),
        floor_pages_per_s=pages / statistics.median(floor),
        # the comparison read each file both ways: the old way is what is left
        before_pages_per_s=pages / max(before_s - statistics.median(ours), 1e-9),
        two_workers_pages_per_s=pages / statistics.median(two),
        spread=(max(ratios) - min(ratios)) / ratio,
        different=different,
    )


def parse_lines(found: ParseBench) -> list[str]:
    lines = [
        f"B5 PDF parse, {found.files} reports / {found.pages} pages  ours "
        f"{found.ours_pages_per_s:6.1f} pages/s · bare pdfplumber "
        f"{found.bare_pages_per_s:5.1f} pages/s · ratio {found.ratio:.2f} (goal ≥ 5, "
        f"±{found.spread:.0%}) · before (pdfplumber every page) "
        f"{found.before_pages_per_s:5.1f} pages/s · PDFium text floor "
        f"{found.floor_pages_per_s:6.1f} pages/s · 2 workers {found.speedup:.2f}× "
        "(goal ≥ 1.8)"
    ]
    if found.different:
        lines.append(
            "B5 FAILED: these documents differ between PDFium and pdfplumber: "
            + ", ".join(found.different)
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="B5 corpus renderer (child process)")
    parser.add_argument("--render", type=Path, required=True)
    parser.add_argument("--count", type=int, default=SAMPLE)
    args = parser.parse_args()
    _render(args.render, args.count)


if __name__ == "__main__":
    main()
