"""The C loop over a page's chars (processors/charloop.c, processors/native.py).

Built here (scripts/bootstrap.sh installs gcc), it must answer exactly as the Python
pass it replaces: every page of the fixtures, the hazard shapes and a sample of the
replica's reports reads the same with it and without it, and a page with chars
PDFium cannot map is refused both ways. Where it cannot be built, the build says why
and leaves nothing behind.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from processors import native, pdfium_page
from replica.corpus import report_at
from replica.render_pdf import report_pdf
from tests.processors.pdf_hazards import FAST, LEFT_TO_PDFPLUMBER, hazard_pdf
from tests.processors.test_pdfium_page import FIXTURES, _replica_pdf_keys

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # fonts-wqy-microhei


def _pages(data: bytes) -> list[pdfium_page.FastPage | None]:
    document = pdfium_page.open_document(data)
    assert document is not None
    try:
        return [pdfium_page.read_page(document, i) for i in range(len(document))]
    finally:
        document.close()


def _samples() -> dict[str, bytes]:
    samples = {path.name: path.read_bytes() for path in FIXTURES}
    for name, draw in {**FAST, **LEFT_TO_PDFPLUMBER}.items():
        samples[name] = hazard_pdf(draw, name)
    for key in _replica_pdf_keys()[::10]:
        samples[key] = report_pdf(report_at(key, 1))
    return samples


def test_the_loop_is_built_on_this_machine() -> None:
    assert native.LOOP is not None, native.HOW
    path, how = native.build()
    assert path is not None
    assert path.name.startswith("charloop-")
    assert how == f"loaded {path}"


def test_every_page_reads_the_same_with_the_loop_and_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    samples = _samples()
    assert len(samples) > 25
    with_loop = {name: _pages(data) for name, data in samples.items()}
    monkeypatch.setattr(native, "LOOP", None)
    without = {name: _pages(data) for name, data in samples.items()}
    assert with_loop == without
    read = sum(page is not None for pages in with_loop.values() for page in pages)
    assert read > 40  # most pages are the fast path's, not left to pdfplumber


def _unmapped_page() -> bytes:
    """A TrueType subset whose ToUnicode map is cut: PDFium cannot map its CJK chars."""
    pdfmetrics.registerFont(TTFont("WqyMicroHei", str(FONT), subfontIndex=0))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.setFont("WqyMicroHei", 12)
    page.drawString(72, 700, "政府信息公开 2024 年度报告")
    page.showPage()
    page.save()
    data = buffer.getvalue()
    assert data.count(b"/ToUnicode") == 1
    return data.replace(b"/ToUnicode", b"/NoUnicode")


@pytest.mark.parametrize("loop", ["C", "Python"])
def test_a_char_without_unicode_is_refused_either_way(
    monkeypatch: pytest.MonkeyPatch, loop: str
) -> None:
    if loop == "Python":
        monkeypatch.setattr(native, "LOOP", None)
    document = pypdfium2.PdfDocument(_unmapped_page())
    textpage = document[0].get_textpage()
    page = int(pdfium_page.ctypes.cast(textpage.raw, pdfium_page.ctypes.c_void_p).value)
    assert textpage.count_chars() == 16
    assert pdfium_page._origins(page, 16) is None
    # the same page with its map: every origin, left to right on one baseline
    mapped = pypdfium2.PdfDocument(
        _unmapped_page().replace(b"/NoUnicode", b"/ToUnicode")
    )
    text = mapped[0].get_textpage()
    origins = pdfium_page._origins(
        int(pdfium_page.ctypes.cast(text.raw, pdfium_page.ctypes.c_void_p).value), 16
    )
    assert origins is not None
    xs, ys = origins
    assert xs[0] == pytest.approx(72, abs=0.5)
    assert xs == sorted(xs)
    assert max(ys) - min(ys) < 0.01  # one baseline


def test_without_a_compiler_the_build_says_why_and_python_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(native, "_places", lambda: [tmp_path / "a", tmp_path / "b"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert native.build() == (
        None,
        "no C compiler (cc) on PATH; no C compiler (cc) on PATH",
    )


def test_a_folder_that_cannot_be_written_falls_back_to_the_next(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(native, "_places", lambda: [blocked / "x", tmp_path / "cache"])
    path, how = native.build()
    assert path == tmp_path / "cache" / native._name()
    assert how == f"built {path}"
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]


def test_a_source_that_does_not_compile_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "charloop.c"
    broken.write_text("int nianbao_char_origins( {\n")
    monkeypatch.setattr(native, "SOURCE", broken)
    monkeypatch.setattr(native, "_places", lambda: [tmp_path / "build"])
    path, how = native.build()
    assert path is None
    assert "failed: " in how
    assert "charloop.c" in how  # the compiler's own message
    assert list((tmp_path / "build").iterdir()) == []
