"""The casebook's scans are what an office posts: page pictures only, at the declared
dpi, each defect measurably there (skew, blur, JPEG, seal, a crooked page), small.

The documents come from ``replica.casebook.cases()`` (the bytes the server posts; made
once, then kept in the replica's cache); the defects are measured on the pixels,
against the report's own text PDF where a reference is needed.
"""

from __future__ import annotations

import io
from functools import cache

import docx
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image

from replica.casebook import Case, cases
from replica.render_scan import DOCX_PICTURE_WIDTH
from replica.scans import CLEAN_QUALITY, NUMBER_COLUMNS, POOR_QUALITY

SCANS = [case for case in cases() if case.scan]
A4_WIDTH_PT = 595.2756
# Bytes per page at most, by dpi: a 5-page scan at 200 dpi stays near 1 MB.
PAGE_BUDGET = {150: 220_000, 200: 230_000, 300: 450_000}


def ids(case: Case) -> str:
    return f"{case.key}-{'+'.join(case.scan.defects)}-{case.scan.dpi}"


@cache
def pages(key: str) -> tuple[bytes, ...]:
    """The JPEG of every page of a scan, in order."""
    case = next(c for c in SCANS if c.key == key)
    data = case.document()
    if case.file_format == "pdf":
        pdf = pdfium.PdfDocument(data)
        out = []
        for page in pdf:
            (image,) = [o for o in page.get_objects() if isinstance(o, pdfium.PdfImage)]
            assert image.get_filters() == ["DCTDecode"]
            out.append(bytes(image.get_data(decode_simple=False)))
        return tuple(out)
    document = docx.Document(io.BytesIO(data))
    related = document.part.related_parts
    return tuple(
        related[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        for shape in document.inline_shapes
    )


def image(key: str, index: int) -> Image.Image:
    return Image.open(io.BytesIO(pages(key)[index]))


def original(case: Case, index: int) -> Image.Image:
    """The page of the report's text PDF, rendered as a perfect scan would see it."""
    page = pdfium.PdfDocument(case.original_pdf())[index]
    return page.render(scale=case.scan.dpi / 72, grayscale=True).to_pil().convert("L")


def skew(picture: Image.Image) -> float:
    """The angle (degrees counter-clockwise) that best straightens the page's lines
    (projection profile: the rows of a straight page are all ink or all paper)."""
    grey = picture.convert("L")
    w, h = grey.size
    grey = grey.crop((w // 10, h // 10, w - w // 10, h - h // 10))  # no lid, no edge
    small = np.asarray(grey.resize((800, round(grey.height * 800 / grey.width))))
    ys, xs = np.nonzero(small < 140)

    def sharpness(angle: float) -> float:
        t = np.radians(angle)
        rows = np.round(ys * np.cos(t) + xs * np.sin(t)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.square(np.diff(counts)).sum())

    coarse = max(np.arange(-4, 4.01, 0.25), key=sharpness)
    return float(max(np.arange(coarse - 0.3, coarse + 0.31, 0.02), key=sharpness))


def inked(picture: Image.Image) -> float:
    grey = np.asarray(picture.convert("L"))
    h, w = grey.shape
    return float((grey[h // 10 : -h // 10, w // 10 : -w // 10] < 140).mean())


def edge_strength(picture: Image.Image) -> float:
    """How steep the page's edges are (a blur lowers it): the 90th percentile of the
    horizontal steps at edges."""
    grey = np.asarray(picture.convert("L"), dtype=np.float32)
    steps = np.abs(np.diff(grey, axis=1))
    return float(np.percentile(steps[steps > 16], 90))


def red(picture: Image.Image) -> np.ndarray:
    rgb = np.asarray(picture.convert("RGB"), dtype=np.int16)
    return (rgb[..., 0] > 150) & (rgb[..., 1] < 120) & (rgb[..., 2] < 120)


def straight(case: Case, index: int) -> bool:
    plan = case.plan
    return not plan.rotation and index != plan.crooked_page


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_a_scan_has_no_text_and_the_pages_of_its_original(case: Case) -> None:
    data = case.document()
    count = len(pdfium.PdfDocument(case.original_pdf()))
    assert case.plan.pages == count == len(pages(case.key))
    if case.file_format == "pdf":
        pdf = pdfium.PdfDocument(data)
        assert [page.get_textpage().count_chars() for page in pdf] == [0] * count
        assert [page.get_textpage().get_text_range() for page in pdf] == [""] * count
        assert b"/Font" not in data
    else:
        document = docx.Document(io.BytesIO(data))
        assert [p.text for p in document.paragraphs] == [""] * count
        assert document.tables == []
        assert len(document.inline_shapes) == count
        assert b"<w:t>" not in document.part.blob
        assert b"<w:t " not in document.part.blob


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_a_scan_is_at_its_declared_dpi(case: Case) -> None:
    dpi = case.scan.dpi
    for index in range(case.plan.pages):
        picture = image(case.key, index)
        assert picture.info["dpi"] == (dpi, dpi)
        assert abs(picture.width - A4_WIDTH_PT * dpi / 72) < 1
    if case.file_format == "pdf":
        for index, page in enumerate(pdfium.PdfDocument(case.document())):
            width = image(case.key, index).width
            assert page.get_width() * dpi / 72 == pytest.approx(width, abs=0.01)
    else:
        shapes = docx.Document(io.BytesIO(case.document())).inline_shapes
        assert {shape.width for shape in shapes} == {DOCX_PICTURE_WIDTH}


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_a_scan_is_small(case: Case) -> None:
    assert len(case.document()) <= PAGE_BUDGET[case.scan.dpi] * case.plan.pages
    assert len(case.document()) < 2_000_000


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_a_scans_pages_lean_as_much_as_it_says(case: Case) -> None:
    """``rotate``: every page turned 0.3–1.2°; ``crooked``: one page 2–3° more."""
    plan = case.plan
    assert (abs(plan.rotation) >= 0.3) == ("rotate" in case.scan.defects)
    assert (plan.crooked_page is not None) == ("crooked" in case.scan.defects)
    for index in range(plan.pages):
        picture = image(case.key, index)
        if inked(picture) < 0.01:  # a last page with a line or two: nothing to measure
            continue
        crooked = plan.crooked_angle if index == plan.crooked_page else 0.0
        assert skew(picture) == pytest.approx(plan.rotation + crooked, abs=0.1)


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_only_the_crooked_page_shows_the_scanners_lid(case: Case) -> None:
    for index in range(case.plan.pages):
        grey = np.asarray(image(case.key, index).convert("L"), dtype=np.float32)
        corners = [
            grey[y : y + 24, x : x + 24].mean() for y in (2, -26) for x in (2, -26)
        ]
        if index == case.plan.crooked_page:
            assert 2 <= abs(case.plan.crooked_angle) <= 3
            assert min(corners) < 100
        else:
            assert min(corners) > 240


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_a_blurred_scan_has_soft_edges(case: Case) -> None:
    """On the straight pages (rotation and heavy JPEG soften edges too)."""
    plan = case.plan
    if plan.quality < 50:
        return
    for index in range(plan.pages):
        if not straight(case, index):
            continue
        ratio = edge_strength(image(case.key, index)) / edge_strength(
            original(case, index)
        )
        if "blur" in case.scan.defects:
            assert ratio < 0.75
        else:
            assert ratio > 0.85


def libjpeg_dc(quality: int) -> int:
    """The luminance DC quantiser libjpeg's quality scaling gives (base table: 16)."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return min(255, max(1, (16 * scale + 50) // 100))


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_a_scans_jpeg_quality_and_noise_are_as_declared(case: Case) -> None:
    plan, poor = case.plan, "jpeg" in case.scan.defects
    if poor:
        assert POOR_QUALITY[0] <= plan.quality <= POOR_QUALITY[1]
    else:
        assert plan.quality == CLEAN_QUALITY[case.scan.dpi]
    for index in range(plan.pages):
        picture = image(case.key, index)
        assert picture.quantization[0][0] == libjpeg_dc(plan.quality)
        if index == plan.crooked_page:
            continue
        grey = np.asarray(picture.convert("L"), dtype=np.float32)
        h, w = grey.shape
        paper = grey[h // 60 : h // 25, w // 3 : 2 * w // 3]  # the top margin
        if poor:
            assert paper.std() > 1.0
        else:
            assert paper.min() == paper.max() == 255  # untouched white paper


@cache
def anchor(case: Case) -> tuple[int, dict]:
    """The page and box of table 3's （七）总计 label in the report's text PDF."""
    with pdfplumber.open(io.BytesIO(case.original_pdf())) as pdf:
        for index, page in enumerate(pdf.pages):
            found = page.search("（七）总计")
            if found:
                return index, found[0]
    raise AssertionError(f"{case.key}: no （七）总计 in the original")


@pytest.mark.parametrize("case", SCANS, ids=ids)
def test_a_seal_is_red_over_the_number_cells_of_table_3(case: Case) -> None:
    modes = {image(case.key, i).mode for i in range(case.plan.pages)}
    if "seal" not in case.scan.defects:
        assert modes == {"L"}  # a grey scan: not a red pixel anywhere
        return
    assert modes == {"RGB"}
    seal_page, box = anchor(case)
    assert case.plan.seal_page == seal_page
    px = case.scan.dpi / 72
    for index in range(case.plan.pages):
        ink = red(image(case.key, index))
        if index != seal_page:
            assert ink.sum() == 0
            continue
        # Right of the label, over the seven number columns: the row and those above.
        top, bottom = round((box["top"] - 70) * px), round((box["bottom"] + 15) * px)
        left, right = (round(x * px) for x in NUMBER_COLUMNS)
        over_numbers = ink[top:bottom, left:right]
        assert over_numbers.mean() > 0.02
        assert ink.sum() < 1.5 * over_numbers.sum()  # most of the seal is there
