"""Scanned reports: a report's PDF printed, stamped and fed through a scanner.

Many offices print the signed report, stamp it and post the scan: a PDF (or a Word
file) of page pictures with no text layer at all. A scan here is made from the
report's own PDF (``render_pdf.report_pdf``), so OCR is measured against the figures
the replica printed. Each page is rendered by PDFium at the scan's dpi (150–300),
damaged as the spec's defects say, and kept as one JPEG per page (which
``replica/render_scan.py`` puts in a PDF or a Word file):

* ``clean``: none (JPEG quality 80, 70 or 50 at 150, 200 or 300 dpi: a copier's
  scan-to-PDF keeps files small; a page of CJK text still takes ~400 KB at 300 dpi);
* ``rotate``: the whole document turned 0.3–1.2° (white fill), as a skewed feeder;
* ``blur``: a Gaussian blur of 0.6–1.0 px at 200 dpi (scaled with the dpi);
* ``jpeg``: JPEG quality 30–45 over mild scanner noise (σ 4–7 grey levels);
* ``seal``: a red official seal, 4 cm, star and arc of the body's name, multiplied
  over the number cells of table 3 (its （七）总计 row and the rows above); the scan
  is then in colour, every other scan in grey;
* ``crooked``: one page fed crooked: turned 2–3° and shifted 2–6 mm over the
  scanner's dark lid (grey fill), the other pages straight.

What the scanner did (angles, page, quality…) is a :class:`Plan`, drawn from the
report's key with ``random.Random`` like the rest of the replica, so the bytes are
the same in every process (given the same PDFium, Pillow, libjpeg and the CJK font
PDFium substitutes for the report's unembedded STSong: ``fonts-wqy-microhei``).
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from replica.render_pdf import MARGIN, WIDTHS
from replica.spec import SpecError

DEFECTS = ("clean", "rotate", "blur", "jpeg", "seal", "crooked")
DPIS = (150, 200, 300)
CLEAN_QUALITY = {150: 80, 200: 70, 300: 50}  # by dpi
POOR_QUALITY = (30, 45)
ROTATION = (0.3, 1.2)  # degrees, either way
CROOKED = (2.0, 3.0)  # degrees, either way
CROOKED_SHIFT_MM = (2.0, 6.0)
BLUR_AT_200_DPI = (0.6, 1.0)  # Gaussian radius in pixels
NOISE = (4.0, 7.0)  # σ in grey levels
LID_GREY = 70  # what a crooked page uncovers: the scanner's dark lid
SEAL_CM = 4.0
SEAL_RED = (212, 28, 40)
SEAL_OPACITY = 0.85
# Debian's fonts-wqy-microhei (scripts/bootstrap.sh installs it; PDFium uses it too).
SEAL_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# The seal lands on table 3's last result row, over its seven number columns.
SEAL_ANCHOR = "（七）总计"
NUMBER_COLUMNS = (MARGIN + sum(WIDTHS[10][:3]), MARGIN + sum(WIDTHS[10]))  # points
SCANNERS = ("Canon iR-ADV C5535", "KONICA MINOLTA bizhub C368", "RICOH MP C3004")


class ScanError(RuntimeError):
    """A scan cannot be made (the message says what is missing)."""


@dataclass(frozen=True, slots=True)
class Scan:
    """A scan as the spec asks for it: ``scan: {defects: [rotate, seal], dpi: 200}``."""

    defects: tuple[str, ...]
    dpi: int


@dataclass(frozen=True, slots=True)
class Plan:
    """What the scanner did to one report: the facts a test can measure.

    Angles are degrees counter-clockwise; pages count from 0; the seal's centre is in
    PDF points from the page's top-left corner.
    """

    dpi: int
    pages: int
    color: bool
    quality: int
    rotation: float = 0.0
    blur: float = 0.0
    noise: float = 0.0
    crooked_page: int | None = None
    crooked_angle: float = 0.0
    crooked_shift: tuple[int, int] = (0, 0)  # pixels
    seal_page: int | None = None
    seal_center: tuple[float, float] | None = None
    seal_tilt: float = 0.0
    scanner: str = SCANNERS[0]

    def facts(self) -> dict[str, object]:
        """The plan as plain JSON values (the manifest's ``scanned.plan``)."""
        return {
            "pages": self.pages,
            "color": self.color,
            "quality": self.quality,
            "rotation": self.rotation,
            "blur": self.blur,
            "noise": self.noise,
            "crooked_page": self.crooked_page,
            "crooked_angle": self.crooked_angle,
            "crooked_shift": list(self.crooked_shift),
            "seal_page": self.seal_page,
            "seal_center": list(self.seal_center) if self.seal_center else None,
            "seal_tilt": self.seal_tilt,
            "scanner": self.scanner,
        }


def check_scan(raw: object, where: str) -> Scan:
    """A spec's ``scan`` mapping as a :class:`Scan`; :class:`SpecError` names the fault."""
    if not isinstance(raw, dict) or set(raw) - {"defects", "dpi"}:
        raise SpecError(
            f"{where}: scan must be {{defects: [...], dpi: N}}, got {raw!r}"
        )
    defects = tuple(raw.get("defects") or ("clean",))
    unknown = [d for d in defects if d not in DEFECTS]
    if unknown or ("clean" in defects and len(defects) > 1):
        raise SpecError(
            f"{where}: scan defects must be 'clean' or some of {DEFECTS[1:]}, got {defects}"
        )
    dpi = raw.get("dpi", 200)
    if dpi not in DPIS:
        raise SpecError(f"{where}: scan dpi must be one of {DPIS}, got {dpi!r}")
    return Scan(defects, int(dpi))


def _anchor(pdf: pdfium.PdfDocument) -> tuple[int, float] | None:
    """The page holding table 3's （七）总计 row and the row's height (points from the top)."""
    for index in range(len(pdf)):
        page = pdf[index]
        text = page.get_textpage()
        searcher = text.search(SEAL_ANCHOR)
        found = searcher.get_next()
        if found:
            _left, bottom, _right, top = text.get_charbox(found[0])
            return index, page.get_height() - (bottom + top) / 2
    return None


def plan_scan(scan: Scan, pdf_bytes: bytes, seed: str) -> Plan:
    """Draw what the scanner does to this document (deterministic in ``seed``)."""
    rng = random.Random(f"{seed}|scan")
    pdf = pdfium.PdfDocument(pdf_bytes)
    plan = Plan(
        dpi=scan.dpi,
        pages=len(pdf),
        color="seal" in scan.defects,
        quality=CLEAN_QUALITY[scan.dpi],
        scanner=rng.choice(SCANNERS),
    )
    if "rotate" in scan.defects:
        angle = rng.choice((-1, 1)) * rng.uniform(*ROTATION)
        plan = replace(plan, rotation=round(angle, 2))
    if "blur" in scan.defects:
        radius = rng.uniform(*BLUR_AT_200_DPI) * scan.dpi / 200
        plan = replace(plan, blur=round(radius, 2))
    if "jpeg" in scan.defects:
        quality, noise = rng.randint(*POOR_QUALITY), rng.uniform(*NOISE)
        plan = replace(plan, quality=quality, noise=round(noise, 1))
    if "crooked" in scan.defects:
        page = rng.randrange(plan.pages)
        angle = rng.choice((-1, 1)) * rng.uniform(*CROOKED)
        px = scan.dpi / 25.4
        dx = rng.choice((-1, 1)) * rng.uniform(*CROOKED_SHIFT_MM) * px
        dy = rng.uniform(*CROOKED_SHIFT_MM) * px
        plan = replace(
            plan,
            crooked_page=page,
            crooked_angle=round(angle, 2),
            crooked_shift=(round(dx), round(dy)),
        )
    if "seal" in scan.defects:
        plan = _place_seal(plan, pdf, rng, seed)
    return plan


def _place_seal(
    plan: Plan, pdf: pdfium.PdfDocument, rng: random.Random, seed: str
) -> Plan:
    """Over table 3's number columns, on its （七）总计 row and the rows above."""
    anchor = _anchor(pdf)
    if anchor is None:
        raise ScanError(f"{seed}: a seal needs table 3 ({SEAL_ANCHOR}) to land on")
    radius = SEAL_CM / 2.54 * 72 / 2
    left, right = NUMBER_COLUMNS[0] + radius, NUMBER_COLUMNS[1] - radius
    centre = (
        round(rng.uniform(left, right), 1),
        round(anchor[1] - rng.uniform(-10, 30), 1),
    )
    tilt = round(rng.uniform(-15, 15), 1)
    return replace(plan, seal_page=anchor[0], seal_center=centre, seal_tilt=tilt)


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    inner = outer * 0.382
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(-90 + 36 * k)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def seal_mask(name: str, diameter: int, rng: random.Random) -> Image.Image:
    """A seal's ink (L, 255 = full ink): ring, star, the name on an arc, uneven ink."""
    if not SEAL_FONT.exists():
        raise ScanError(f"the seal's font {SEAL_FONT} is missing (fonts-wqy-microhei)")
    size = diameter * 2  # drawn at twice the size, then reduced: smooth edges
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    ring = round(size * 0.035)
    draw.ellipse(
        (ring // 2, ring // 2, size - ring // 2, size - ring // 2),
        outline=255,
        width=ring,
    )
    centre = size / 2
    draw.polygon(_star(centre, centre, size * 0.15), fill=255)
    glyph = round(size * 0.13)
    font = ImageFont.truetype(str(SEAL_FONT), glyph)
    span = min(250.0, 22.0 * len(name))
    radius = size / 2 - ring - glyph * 0.62
    for i, char in enumerate(name):
        # Degrees clockwise from the top: the name runs over the top, left to right.
        angle = -span / 2 + span * (i + 0.5) / len(name)
        tile = Image.new("L", (glyph * 2, glyph * 2), 0)
        ImageDraw.Draw(tile).text(
            (glyph, glyph), char, fill=255, font=font, anchor="mm"
        )
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(math.radians(angle)) - glyph
        y = centre - radius * math.cos(math.radians(angle)) - glyph
        mask.paste(255, (round(x), round(y)), tile)
    mask = mask.resize((diameter, diameter), Image.Resampling.LANCZOS)
    # Uneven ink: a stamp never prints solid.
    grain = np.random.default_rng(rng.getrandbits(64)).uniform(
        0.55, 1.0, (diameter, diameter)
    )
    ink = (np.asarray(mask, dtype=np.float32) * grain).astype(np.uint8)
    return Image.fromarray(ink, "L").filter(ImageFilter.GaussianBlur(0.6))


def _stamp(page: Image.Image, plan: Plan, name: str, rng: random.Random) -> Image.Image:
    """Multiply the seal over the page (black text stays black under red ink)."""
    if plan.seal_center is None:
        return page
    px = plan.dpi / 72
    diameter = round(SEAL_CM / 2.54 * plan.dpi)
    mask = seal_mask(name, diameter, rng).rotate(
        plan.seal_tilt, resample=Image.Resampling.BICUBIC
    )
    x0 = round(plan.seal_center[0] * px - diameter / 2)
    y0 = round(plan.seal_center[1] * px - diameter / 2)
    pixels = np.asarray(page, dtype=np.float32).copy()
    height, width = pixels.shape[:2]
    alpha = np.asarray(mask, dtype=np.float32)[..., None] / 255 * SEAL_OPACITY
    # Clip the seal to the page (it may run over an edge).
    top, left = max(0, y0), max(0, x0)
    bottom, right = min(height, y0 + diameter), min(width, x0 + diameter)
    if top >= bottom or left >= right:
        return page
    a = alpha[top - y0 : bottom - y0, left - x0 : right - x0]
    red = np.array(SEAL_RED, dtype=np.float32) / 255
    pixels[top:bottom, left:right] *= 1 - a * (1 - red)
    return Image.fromarray(pixels.round().astype(np.uint8), "RGB")


def _grain(page: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Scanner noise of σ grey levels per pixel, in 2-pixel grains and in luminance
    only (per-pixel or per-channel noise would all but vanish in the JPEG)."""
    half = (page.height + 1) // 2, (page.width + 1) // 2
    field = np.random.default_rng(rng.getrandbits(64)).standard_normal(
        half, dtype=np.float32
    )
    # Bilinear 2× upsampling keeps 0.625 of white noise's σ.
    grain = Image.fromarray(field * np.float32(sigma / 0.625), "F").resize(
        page.size, Image.Resampling.BILINEAR
    )
    noise = np.asarray(grain)
    pixels = np.asarray(page, dtype=np.float32)
    if page.mode == "RGB":
        noise = noise[..., None]
    out = np.clip(pixels + noise, 0, 255).round().astype(np.uint8)
    return Image.fromarray(out, page.mode)


def _damage(
    page: Image.Image, index: int, plan: Plan, rng: random.Random
) -> Image.Image:
    white = (255, 255, 255) if plan.color else 255
    if index == plan.crooked_page:
        lid = (LID_GREY,) * 3 if plan.color else LID_GREY
        page = page.rotate(
            plan.crooked_angle,
            resample=Image.Resampling.BICUBIC,
            translate=plan.crooked_shift,
            fillcolor=lid,
        )
    if plan.rotation:
        page = page.rotate(
            plan.rotation, resample=Image.Resampling.BICUBIC, fillcolor=white
        )
    if plan.blur:
        page = page.filter(ImageFilter.GaussianBlur(plan.blur))
    if plan.noise:
        page = _grain(page, plan.noise, rng)
    return page


def scan_jpegs(pdf_bytes: bytes, plan: Plan, seal_name: str, seed: str) -> list[bytes]:
    """Every page of the PDF as the scanner saw it: one JPEG per page."""
    rng = random.Random(f"{seed}|pixels")
    pdf = pdfium.PdfDocument(pdf_bytes)
    out = []
    for index in range(len(pdf)):
        page = (
            pdf[index].render(scale=plan.dpi / 72, grayscale=True).to_pil().convert("L")
        )
        if plan.color:
            page = page.convert("RGB")
        if index == plan.seal_page:
            page = _stamp(page, plan, seal_name, rng)
        page = _damage(page, index, plan, rng)
        buf = io.BytesIO()
        page.save(
            buf, "JPEG", quality=plan.quality, optimize=True, dpi=(plan.dpi, plan.dpi)
        )
        out.append(buf.getvalue())
    return out
