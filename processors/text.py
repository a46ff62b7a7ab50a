"""A document's normalised text, and its hash: what tells a real change from a re-save.

Pure: bytes and a media type in, text out. The hash ignores layout (all white space
is removed and the text is NFKC-normalised), so a PDF re-saved with new metadata, an
HTML page re-rendered with new indentation, or a footer elsewhere on the page do not
count as changes; one changed figure does.

Scanned PDF pages have no text to hash; their hash also covers what the pages show
(``processors/scans.py``) and carries the scheme prefix :data:`IMAGE_SCHEME`, so it
can never be taken for a text hash. Hashes of documents whose every page has text
(and of HTML, DOCX, text) are exactly what they were before scans were hashed.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import TYPE_CHECKING

import lxml.etree
import lxml.html

from processors import normal
from processors.document import ReadError, UnsafeFile
from processors.html import article_nodes, drop_noise
from processors.package import DOCX_MAX_XML as DOCX_MAX_XML  # re-exported, as before
from processors.package import check_package, read_part

# The hash of a document with no text at all: every scanned PDF had it before
# IMAGE_SCHEME existed, whatever its pages showed.
EMPTY_TEXT_SHA256 = hashlib.sha256(b"").hexdigest()
IMAGE_SCHEME = "img1:"  # text + page images (a PDF with scanned pages)
TEXT_SCHEME = "text"  # what hash_scheme calls a bare SHA-256 of the normalised text
PAGE_SEPARATOR = b"\x00"
# A PDF page's part of the hash: its text, and the digest of its picture for a scan.
PageShare = tuple[str, bytes | None]

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pypdfium2


class TextError(ReadError):
    """The bytes could not be read as the stated kind of document."""


def sniff(data: bytes, declared: str = "") -> str:
    """The media type the bytes really are (magic numbers first, then the declared type)."""
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/msword"
    if head[:1] == b"<" and re.search(
        rb"(?i)<(!doctype html|html|head|body|meta|div|p|table)\b", head
    ):
        return "text/html"
    if data.startswith((b"{", b"[")):
        return "application/json"
    return declared.split(";")[0].strip().lower() or "application/octet-stream"


def normalise(text: str) -> str:
    """NFKC, no white space at all: the form the text hash is taken of."""
    return normal.normalise(text)


def html_text(data: bytes, encoding: str | None = None) -> str:
    """The article body's text (the whole page's when no known container is found)."""
    try:
        root = lxml.html.document_fromstring(
            data.decode(encoding) if encoding else data
        )
    except (ValueError, lxml.etree.ParserError) as exc:
        raise TextError(f"not readable as HTML: {exc}") from exc
    drop_noise(root)
    found = article_nodes(root)
    if found:
        return "\n".join(node.text_content() for node in found)
    return str(root.text_content())


def pdf_text(data: bytes) -> str:
    """All text of a PDF, page by page.

    PDFium (pypdfium2), not pdfplumber: the hash only needs the words, PDFium reads
    them about 20× faster (CID fonts included), and a text hash must never change
    because the table processors improve.
    """
    return "\n".join(text for text, _ in _pdf_pages(data, fingerprints=False))


def _pdf_pages(data: bytes, *, fingerprints: bool) -> list[PageShare]:
    """Each page's text and, when ``fingerprints``, its :func:`page_share`.

    :raises TextError: for bytes PDFium cannot open, or a page it cannot load.
    """
    import pypdfium2  # imported here: only the sandboxed workers need it

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise TextError(f"not readable as PDF: {exc}") from exc
    pages: list[PageShare] = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    if fingerprints:
                        pages.append(page_share(page, textpage))
                    else:
                        pages.append((textpage.get_text_range(), None))
                finally:
                    textpage.close()
            finally:
                page.close()
    except pypdfium2.PdfiumError as exc:
        raise TextError(f"not readable as PDF: page {len(pages) + 1}: {exc}") from exc
    finally:
        document.close()
    return pages


def pdf_sha256(data: bytes) -> str:
    """The hash of a PDF: of its text, or of text and page images when some pages
    are scans (:func:`pdf_hash`)."""
    return pdf_hash(_pdf_pages(data, fingerprints=True))


def pdf_hash(pages: Sequence[PageShare]) -> str:
    """The hash of a PDF from each page's :func:`page_share`, in page order.

    With no scanned page, exactly the text hash (``normalise`` of all pages' text,
    as :func:`text_sha256` always gave). Otherwise :data:`IMAGE_SCHEME` followed by
    the SHA-256 of every page in order: its normalised text, and for a scanned page
    its fingerprint, so an edit to either kind of page changes the hash.
    """
    if all(image is None for _, image in pages):
        return _sha256("\n".join(text for text, _ in pages))
    digest = hashlib.sha256()
    for text, image in pages:
        digest.update(b"T" + normalise(text).encode() + PAGE_SEPARATOR)
        if image is not None:
            digest.update(b"I" + image + PAGE_SEPARATOR)
    return IMAGE_SCHEME + digest.hexdigest()


def page_share(page: pypdfium2.PdfPage, textpage: pypdfium2.PdfTextPage) -> PageShare:
    """One PDF page's part of :func:`pdf_hash`: its text and, when the page is a scan,
    the SHA-256 of its fingerprint (``processors/scans.py``). The PDF reader takes it
    from the page it has loaded anyway (``processors/pdf.py``): PDFium's loading of
    a page is most of what a hash costs."""
    from processors import scans

    words = textpage.get_text_range()
    image = None
    if not scans.surely_text(words) and scans.is_scanned(page, normalise(words)):
        found = scans.fingerprint(page)
        image = hashlib.sha256(b"%d:" % found.rows + found.cells).digest()
    return words, image


def docx_text(data: bytes) -> str:
    """The text of a .docx: every ``w:t`` run of the main document part, tables included.

    The package is checked first (``processors/package.py``): a zip bomb or a
    DOCTYPE raises :class:`~processors.document.UnsafeFile` as it is.
    """
    try:
        check_package(data)
        xml = read_part(data, "word/document.xml")
    except UnsafeFile:
        raise
    except ReadError as exc:
        raise TextError(str(exc)) from exc
    runs = re.findall(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:p[ >]", xml)
    try:
        return html.unescape(
            "".join("\n" if not r else r.decode("utf-8") for r in runs)
        )
    except UnicodeDecodeError as exc:
        raise TextError(f"not readable as DOCX: word/document.xml: {exc}") from exc


def document_text(data: bytes, media_type: str, encoding: str | None = None) -> str:
    """Text of a document of any supported kind.

    :raises TextError: for bytes that are not what they claim, or a kind with no reader.
    """
    kind = sniff(data, media_type)
    if kind == "text/html":
        return html_text(data, encoding)
    if kind == "application/pdf":
        return pdf_text(data)
    if kind.endswith("wordprocessingml.document"):
        return docx_text(data)
    if kind.startswith("text/"):
        return data.decode(encoding or "utf-8", "replace")
    raise TextError(f"no text reader for {kind}")


def text_sha256(data: bytes, media_type: str, encoding: str | None = None) -> str:
    """The content hash the archive compares: equal for a re-save, different for an edit.

    The SHA-256 of the normalised text (64 hex digits), except for a PDF with
    scanned pages: then :data:`IMAGE_SCHEME` + a SHA-256 over its pages' text and
    images (:func:`pdf_sha256`). Use :func:`hash_scheme` before comparing two hashes.

    :raises TextError: for bytes that are not what they claim, or a kind with no reader.
    :raises UnsafeFile: for a DOCX refused before it is unpacked (a zip bomb, a DTD).
    """
    if sniff(data, media_type) == "application/pdf":
        return pdf_sha256(data)
    return _sha256(document_text(data, media_type, encoding))


def _sha256(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def hash_scheme(value: str) -> str:
    """What a stored hash was taken of: ``"text"`` or ``"img1"`` (text and page images).

    Two hashes of different schemes say nothing about each other: one of them was
    taken before the archive's processors were upgraded, or of a different kind of
    file. Recompute the older one from its bytes before comparing.
    """
    return IMAGE_SCHEME[:-1] if value.startswith(IMAGE_SCHEME) else TEXT_SCHEME


def is_empty_text_hash(value: str | None) -> bool:
    """Whether a stored hash is the hash of no text at all (:data:`EMPTY_TEXT_SHA256`).

    Before :data:`IMAGE_SCHEME`, every scanned PDF was stored with this hash, so a
    version that has it must be hashed again from its bytes (once) before a newer
    version is compared with it; otherwise the first new hash of a scan would look
    like a change.
    """
    return value == EMPTY_TEXT_SHA256
