"""A Word (.docx) package checked from its zip directory before anything unpacks it.

Reliability row 14: a zip bomb (a part declaring a gigabyte, a 20 000-entry zip, a
member compressed a thousandfold) and XML bombs (a DOCTYPE whose entities expand a
billion times, or that pull in external files) are refused here, before python-docx
or the text hash sees the file. The sizes come from the central directory and are
safe to trust: ``zipfile`` never returns more bytes than an entry declares.
python-docx parses with ``resolve_entities=False`` as well; refusing any DOCTYPE
(Word never writes one) means no part of a package can even declare an entity.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from processors.document import ReadError, UnsafeFile

DOCX_MAX_XML = 50 * 1024 * 1024  # bytes one part may unpack to
# Images are packed too, so the whole package may exceed one part's limit, but not by much.
MAX_UNPACKED = 4 * DOCX_MAX_XML
MAX_ENTRIES = 2000  # a report has a few dozen parts; a few hundred with many images
# Unpacked ÷ packed size of one part of 1 MB or more: Word's XML packs 5–30×, a long
# table of empty cells some 250×, zeros (the stuff of zip bombs) over 1000×.
MAX_RATIO = 500
RATIO_FROM = 1024 * 1024  # parts smaller than this may pack as well as they like
# The methods Word writes; zipfile would raise NotImplementedError on most others.
COMPRESSIONS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
ENCRYPTED_FLAG = 0x1
DOCTYPES = tuple(
    "<!DOCTYPE".encode(codec)
    for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
XML_SUFFIXES = (".xml", ".rels", ".vml")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# What zipfile raises on a damaged package: a broken directory or local header, a
# bad CRC, a deflate stream that stops or lies, a seek before the start of the file,
# a "zip file version" or method it does not implement (a flipped directory byte).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    NotImplementedError,
)


def check_package(data: bytes) -> None:
    """Refuse what is not a zip, a damaged zip, and one that would unpack beyond the
    limits or declares a DTD.

    :raises UnsafeFile: for a zip bomb (size, entry count, compression ratio) or a
        DOCTYPE in one of its XML parts.
    :raises ReadError: for anything else that is not a readable Word package.
    """
    if not data:
        raise ReadError("not a DOCX: the file is empty")
    if data.startswith(OLE_MAGIC):
        raise ReadError(
            "not a DOCX: an OLE2 file (legacy .doc or .wps), read it as doc"
        )
    if not data.startswith(ZIP_MAGIC):
        head = data[:40].decode("latin-1").strip()
        raise ReadError(f"not a DOCX: not a zip package (starts with {head!r})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            check_directory(infos)
            for info in infos:
                if info.filename.lower().endswith(XML_SUFFIXES):
                    check_xml(info.filename, package.read(info))
    except ReadError:
        raise  # ours, and a ValueError: not to be taken for a broken zip below
    except ZIP_ERRORS as exc:
        raise ReadError(
            f"not a DOCX: broken zip package: {type(exc).__name__}: {exc}"
        ) from exc


def check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """The limits on the zip directory: entries, sizes, ratios, methods, encryption."""
    if len(infos) > MAX_ENTRIES:
        raise UnsafeFile(f"the package has {len(infos)} entries (limit {MAX_ENTRIES})")
    for info in infos:
        check_entry(info)
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED:
        raise UnsafeFile(f"the package expands to {total} bytes (limit {MAX_UNPACKED})")


def check_entry(info: zipfile.ZipInfo) -> None:
    """One entry: a method Word uses, not encrypted, within the size and ratio limits."""
    name = info.filename
    if info.flag_bits & ENCRYPTED_FLAG:
        raise ReadError(f"not a DOCX: {name} is encrypted (a password-protected zip)")
    if info.compress_type not in COMPRESSIONS:
        raise ReadError(
            f"not a DOCX: {name} uses zip compression method {info.compress_type}, "
            f"expected one Word writes ({', '.join(COMPRESSIONS.values())})"
        )
    if info.file_size > DOCX_MAX_XML:
        raise UnsafeFile(
            f"{name} expands to {info.file_size} bytes (limit {DOCX_MAX_XML})"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FROM and ratio > MAX_RATIO:
        raise UnsafeFile(
            f"{name} expands {ratio:.0f} times ({info.compress_size} → "
            f"{info.file_size} bytes; limit {MAX_RATIO}×): a zip bomb"
        )


def check_xml(name: str, content: bytes) -> None:
    """Refuse an XML part that declares a DTD (entity expansion, external entities)."""
    if any(doctype in content for doctype in DOCTYPES):
        raise UnsafeFile(
            f"{name} declares a DOCTYPE (entities are never expanded; Word writes none)"
        )


def read_part(data: bytes, name: str) -> bytes:
    """One part of a checked package (call :func:`check_package` first).

    :raises ReadError: when the part is missing or cannot be unpacked.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return package.read(name)
    except KeyError as exc:
        raise ReadError(f"not a DOCX: no {name} in the package") from exc
    except ZIP_ERRORS as exc:
        raise ReadError(
            f"not a DOCX: broken zip package: {type(exc).__name__}: {exc}"
        ) from exc
