"""OCR of scanned reports (issue 15): throughput, exactness per defect, a 30-page scan.

- **Throughput**: the replica casebook's twelve scans read page by page in one
  process (one core): our reading (skew, table lattice, every cell on its own, the
  vote on figures, the text) against bare Tesseract reading each whole page once
  (``chi_sim``, automatic layout: what "OCR the PDF" gives without tables), on the
  same page images. Pages per second per core, and ours ÷ bare.
- **Exactness per defect kind**: every figure the replica printed against what the
  parse of its scan gives: exact, left blank (doubted, with a warning), wrong.
- **A 30-page scan** (the casebook's pages joined) parsed in the sandbox with the
  default limits (app/config.py ParseLimits): its time ÷ the sandbox's time limit.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from app.config import ParseLimits
from app.sandbox import map_isolated
from processors import ocr
from processors.identity import Hints
from processors.parse import parse
from replica.casebook import Case, cases

TABLES = ("active", "applications", "appeals")
LONG_SCAN_PAGES = 30


@dataclass(slots=True)
class Exactness:
    cells: int = 0
    exact: int = 0
    blank: int = 0
    wrong: int = 0
    reports: int = 0

    @property
    def share(self) -> float:
        return self.exact / self.cells if self.cells else 0.0


@dataclass(slots=True)
class OcrBench:
    pages: int
    ours_pages_per_s: float
    bare_pages_per_s: float
    ratio: float  # ours ÷ bare, pages per second
    by_defect: dict[str, Exactness] = field(default_factory=dict)
    overall: Exactness = field(default_factory=Exactness)
    long_pages: int = 0
    long_seconds: float = 0.0
    long_budget: float = 0.0
    long_ok: bool = False

    def as_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["by_defect"] = {k: asdict(v) for k, v in self.by_defect.items()}
        return record


def _scans() -> list[Case]:
    return [case for case in cases() if case.scan is not None]


def _page_images(case: Case) -> list[Any]:
    """The scan's pages as OCR sees them (a PDF's rendered, a DOCX's pictures)."""
    import io

    import docx
    import pypdfium2

    data = case.document()
    if case.file_format == "docx":
        document = docx.Document(io.BytesIO(data))
        from processors.docx import page_pictures

        return [ocr.picture_image(blob) for blob in page_pictures(document)]
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [ocr.pdf_page_image(page) for page in pdf]
    finally:
        pdf.close()


def throughput(images: list[Any]) -> tuple[float, float]:
    """(ours, bare) pages per second over ``images``, in this process."""
    from PIL import Image
    from tesserocr import PSM

    engine = ocr.engine()
    started = time.perf_counter()
    for number, image in enumerate(images, 1):
        ocr.read_scanned_page(image, number)
    ours = len(images) / (time.perf_counter() - started)
    started = time.perf_counter()
    for image in images:
        engine.api.SetPageSegMode(PSM.AUTO)
        engine.api.SetImage(Image.fromarray(image))
        engine.api.GetUTF8Text()
    bare = len(images) / (time.perf_counter() - started)
    return ours, bare


def _cells(parsed: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    return {
        (table, row, column): value
        for table in TABLES
        for row, columns in (parsed[table] or {}).items()
        for column, value in columns.items()
    }


def _exactness(case: Case) -> tuple[tuple[str, ...], Exactness]:
    truth = _cells(parse(case.original_pdf()).as_json())
    title = case.report.list_title or case.report.title
    got = _cells(parse(case.document(), hints=Hints(title=title)).as_json())
    tally = Exactness(cells=len(truth), reports=1)
    for key, value in truth.items():
        read = got.get(key, "missing")
        if read == value:
            tally.exact += 1
        elif read is None:
            tally.blank += 1
        else:
            tally.wrong += 1
    defects = case.scan.defects if case.scan is not None else ()
    return defects, tally


def _add(into: Exactness, tally: Exactness) -> None:
    into.cells += tally.cells
    into.exact += tally.exact
    into.blank += tally.blank
    into.wrong += tally.wrong
    into.reports += tally.reports


def long_scan(scans: list[Case]) -> bytes:
    """A scan of :data:`LONG_SCAN_PAGES` pages: the casebook's PDF scans' pages in turn."""
    import pypdfium2

    joined = pypdfium2.PdfDocument.new()
    sources = [
        pypdfium2.PdfDocument(c.document()) for c in scans if c.file_format == "pdf"
    ]
    try:
        while len(joined) < LONG_SCAN_PAGES:
            for source in sources:
                if len(joined) < LONG_SCAN_PAGES:
                    joined.import_pages(source, [len(joined) % len(source)])
        import io

        out = io.BytesIO()
        joined.save(out)
        return out.getvalue()
    finally:
        for source in sources:
            source.close()
        joined.close()


def _parse_bytes(data: bytes) -> int:
    limits = ParseLimits.from_env()
    return len(parse(data, ocr_limits=limits.ocr).ocr_pages)


def ocr_bench() -> OcrBench:
    scans = _scans()
    images = [image for case in scans for image in _page_images(case)]
    ours, bare = throughput(images)
    result = OcrBench(
        pages=len(images),
        ours_pages_per_s=ours,
        bare_pages_per_s=bare,
        ratio=ours / bare,
    )
    for case in scans:
        defects, tally = _exactness(case)
        _add(result.overall, tally)
        for defect in defects:
            _add(result.by_defect.setdefault(defect, Exactness()), tally)
    limits = ParseLimits.from_env()
    data = long_scan(scans)
    started = time.perf_counter()
    (outcome,) = map_isolated(_parse_bytes, [data], timeout=limits.timeout, workers=1)
    result.long_seconds = time.perf_counter() - started
    result.long_pages = outcome.value or 0
    result.long_budget = limits.timeout
    result.long_ok = outcome.ok and result.long_pages == LONG_SCAN_PAGES
    return result


def ocr_lines(bench: OcrBench) -> list[str]:
    lines = [
        f"OCR throughput         ours {bench.ours_pages_per_s:5.2f} pages/s/core · bare "
        f"Tesseract (whole page, no tables) {bench.bare_pages_per_s:5.2f} pages/s · "
        f"ratio {bench.ratio:.2f} · {bench.pages} scanned pages",
        f"OCR exactness          {bench.overall.share:.2%} of {bench.overall.cells} "
        f"figures exact (goal ≥ 99 %) · {bench.overall.blank} left blank with a warning · "
        f"{bench.overall.wrong} wrong (goal 0) · {bench.overall.reports} scans",
    ]
    for defect, tally in sorted(bench.by_defect.items()):
        lines.append(
            f"  {defect:<8} {tally.share:7.2%} exact · {tally.blank:2d} blank · "
            f"{tally.wrong} wrong · {tally.reports} scans"
        )
    verdict = "within" if bench.long_ok else "NOT within"
    lines.append(
        f"OCR {bench.long_pages}-page scan      {bench.long_seconds:5.1f} s in the sandbox · "
        f"limit {bench.long_budget:.0f} s · ratio {bench.long_seconds / bench.long_budget:.2f} "
        f"({verdict} the budget)"
    )
    return lines
