"""A document's normalised text, and its hash: what tells a real change from a re-save.

Pure: bytes and a media type in, text out. The hash ignores layout (all white space
is removed and the text is NFKC-normalised), so a PDF re-saved with new metadata, an
HTML page re-rendered with new indentation, or a footer elsewhere on the page do not
count as changes; one changed figure does.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import unicodedata
import zipfile

import lxml.etree
import lxml.html

from processors.html import article_nodes, drop_noise

WHITESPACE = re.compile(r"\s+")
DOCX_MAX_XML = 50 * 1024 * 1024  # bytes of document.xml we are willing to read


class TextError(ValueError):
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
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


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
    import pypdfium2  # imported here: only the sandboxed workers need it

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise TextError(f"not readable as PDF: {exc}") from exc
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            pages.append(text.get_text_range())
            text.close()
            page.close()
        return "\n".join(pages)
    finally:
        document.close()


def docx_text(data: bytes) -> str:
    """The text of a .docx: every ``w:t`` run of the main document part, tables included."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > DOCX_MAX_XML:
                raise TextError(
                    f"word/document.xml expands to {info.file_size} bytes (limit {DOCX_MAX_XML})"
                )
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise TextError(f"not readable as DOCX: {exc}") from exc
    runs = re.findall(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:p[ >]", xml)
    return html.unescape("".join("\n" if not r else r.decode("utf-8") for r in runs))


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
    """SHA-256 of the normalised text: equal for a re-save, different for an edit."""
    return hashlib.sha256(
        normalise(document_text(data, media_type, encoding)).encode()
    ).hexdigest()
