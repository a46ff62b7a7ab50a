"""A scan as a file: page pictures in a PDF or a Word file, and nothing else.

``image_pdf`` writes what scanner firmware writes: one JPEG per page, passed
through untouched (DCTDecode), the page as large as the picture at its dpi, no text
and no font. ``image_docx`` is the Word file an office makes of the same pictures
("insert picture", one per page). Both are byte-deterministic.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from docx import Document
from docx.shared import Cm
from PIL import Image

from replica.render_docx import repack
from replica.scans import Scan, ScanError, plan_scan, scan_jpegs

if TYPE_CHECKING:
    from datetime import datetime

DOCX_MARGIN = Cm(1.25)
DOCX_PICTURE_WIDTH = Cm(18.5)  # A4 less the margins; the height fits too


def _pdf_date(moment: datetime) -> bytes:
    return moment.strftime("(D:%Y%m%d%H%M%S+08'00')").encode()


def image_pdf(
    jpegs: list[bytes], dpi: int, *, scanner: str, created: datetime
) -> bytes:
    """JPEG pages as a PDF the way scanner firmware writes one: each page one image,
    passed through untouched (DCTDecode), page size = pixels ÷ dpi; no text, no font."""
    objects: list[bytes] = []  # object n is objects[n - 1]
    kids = []
    for jpeg in jpegs:
        with Image.open(io.BytesIO(jpeg)) as image:
            width, height = image.size
            space = b"/DeviceRGB" if image.mode == "RGB" else b"/DeviceGray"
        w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
        image_obj = len(objects) + 1
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"
            b" /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
            % (width, height, space, len(jpeg), jpeg)
        )
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        objects.append(
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
        )
        kids.append(len(objects) + 1)
        objects.append(
            b"<< /Type /Page /Parent %%PAGES%% /MediaBox [0 0 %.4f %.4f]"
            b" /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
            % (w_pt, h_pt, image_obj, image_obj + 1)
        )
    pages_obj = len(objects) + 1
    objects = [o.replace(b"%PAGES%", b"%d 0 R" % pages_obj) for o in objects]
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids)))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj)
    date = _pdf_date(created)
    objects.append(
        b"<< /Producer (%s PDF) /Creator (%s) /CreationDate %s /ModDate %s >>"
        % (scanner.encode(), scanner.encode(), date, date)
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, pages_obj + 1, pages_obj + 2, xref)
    )
    return out.getvalue()


def image_docx(jpegs: list[bytes], *, created: datetime) -> bytes:
    """JPEG pages as a Word file that holds nothing else: one picture per page, each
    shrunk to fit the margins (Word keeps the JPEG, its pixels and its dpi)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, DOCX_MARGIN)
    core = doc.core_properties
    core.title = ""
    core.author = core.last_modified_by = "Administrator"
    core.created = core.modified = created.replace(second=0, microsecond=0)
    core.revision = 1
    for jpeg in jpegs:
        doc.add_picture(io.BytesIO(jpeg), width=DOCX_PICTURE_WIDTH)
    buf = io.BytesIO()
    doc.save(buf)
    return repack(buf.getvalue())


def scanned(
    pdf_bytes: bytes,
    scan: Scan,
    fmt: str,
    *,
    seed: str,
    seal_name: str,
    created: datetime,
) -> bytes:
    """The report's PDF as a scan in ``fmt`` (``pdf`` or ``docx``), page pictures only."""
    plan = plan_scan(scan, pdf_bytes, seed)
    jpegs = scan_jpegs(pdf_bytes, plan, seal_name, seed)
    if fmt == "pdf":
        return image_pdf(jpegs, plan.dpi, scanner=plan.scanner, created=created)
    if fmt == "docx":
        return image_docx(jpegs, created=created)
    raise ScanError(f"{seed}: a scan is a pdf or a docx, not {fmt!r}")
