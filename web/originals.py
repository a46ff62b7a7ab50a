"""``/-/original/<sha256>``: an archived file, byte for byte, always as a download."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from datasette.utils.asgi import AsgiFileDownload, Response

from archive.blobs import BlobStore
from archive.db import BLOB_DIR
from web.common import _database_name

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request

SHA256 = re.compile(r"[0-9a-f]{64}")

# Types a browser may be told; anything else (HTML, SVG, XML, scripts…) is sent as
# application/octet-stream so that no archived page ever runs on this origin.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-works": ".wps",
    "application/zip": ".zip",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "text/plain": ".txt",
}
UNSAFE_EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".html"}
ALSO_FINE = {".html": {".htm"}, ".jpg": {".jpeg"}, ".doc": {".wps"}}
WEB_SUFFIXES = {".jsp", ".asp", ".aspx", ".php", ".do", ".action", ".shtml", ".htm"}
NAME_JUNK = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def _filename_from_disposition(headers: str | None) -> str | None:
    """The file name a site's own ``Content-Disposition`` gave (``filename*`` first)."""
    found = re.search(r"filename\*=UTF-8''([^;\s]+)", headers or "", re.I)
    if found:
        return unquote(found.group(1))
    found = re.search(r'filename="([^"]+)"', headers or "", re.I)
    return found.group(1) if found else None


def download_name(url: str, media_type: str, disposition: str | None = None) -> str:
    """A safe file name for an original: the site's name for it, or the URL's last path
    segment (or its ``filename=`` parameter), with the extension its type needs."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    segments = [s for s in parts.path.split("/") if s]
    candidates = (
        _filename_from_disposition(disposition),
        query.get("filename"),
        unquote(segments[-1]) if segments else None,
    )
    name = next((c for c in candidates if c and c.strip(". ")), "original")
    name = NAME_JUNK.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip(". ")[:150] or "original"
    ext = EXTENSIONS.get(media_type) or UNSAFE_EXTENSIONS.get(media_type)
    suffix = Path(name).suffix.lower()
    if ext is None or suffix == ext or suffix in ALSO_FINE.get(ext, ()):
        return name
    stem = name[: -len(suffix)] if suffix in WEB_SUFFIXES else name
    return f"{stem}{ext}"


def report_file_name(body: str, year: int, name: str) -> str:
    """An archived report file's name for a reader's folder, keeping ``name``'s
    extension: ``安丘市景芝镇人民政府_2022年_政府信息公开工作年度报告.pdf``."""
    stem = NAME_JUNK.sub("_", body).strip(". ")[:100] or "report"
    return f"{stem}_{year}年_政府信息公开工作年度报告{Path(name).suffix}"


def content_disposition(name: str, sha256: str) -> str:
    """``attachment`` with the UTF-8 name (RFC 6266) and an ASCII one for old clients."""
    fallback = name if name.isascii() else f"{sha256[:16]}{Path(name).suffix}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


async def _original_row(datasette: Datasette, sha256: str) -> dict[str, Any] | None:
    db = datasette.get_database(_database_name(datasette))
    found = await db.execute(
        """SELECT v.media_type, c.url, c.response_headers, r.body, r.year
           FROM versions v
           JOIN captures c ON c.id = v.first_capture_id
           JOIN documents d ON d.id = v.document_id
           JOIN reports r ON r.id = d.report_id
           WHERE v.sha256 = ? ORDER BY v.id LIMIT 1""",
        [sha256],
    )
    if not found.rows:  # kept bytes the archive filed under no report
        found = await db.execute(
            """SELECT COALESCE(sniffed_type, declared_type) AS media_type, url,
                      response_headers, NULL AS body, NULL AS year
               FROM captures WHERE sha256 = ? ORDER BY id LIMIT 1""",
            [sha256],
        )
    return dict(found.rows[0]) if found.rows else None


def _disposition_header(response_headers: str | None) -> str | None:
    """The ``Content-Disposition`` the site sent with the file (captures keep JSON headers)."""
    try:
        headers = json.loads(response_headers or "{}")
    except ValueError:
        return None
    if not isinstance(headers, dict):
        return None
    found = [v for k, v in headers.items() if k.lower() == "content-disposition"]
    return str(found[0]) if found else None


async def original(request: Request, datasette: Datasette) -> Any:
    """An archived file, as captured: a download, never rendered here."""
    sha256 = request.url_vars["sha256"]
    if not SHA256.fullmatch(sha256):
        return _not_found("不是 SHA-256 值（64 位小写十六进制）")
    row = await _original_row(datasette, sha256)
    db_path = Path(datasette.get_database(_database_name(datasette)).path)
    path = BlobStore(db_path.parent / BLOB_DIR).path(sha256)
    if row is None or not path.is_file():
        return _not_found("存档中没有这个文件")
    media_type = (row["media_type"] or "").split(";")[0].strip().lower()
    name = download_name(
        row["url"], media_type, _disposition_header(row["response_headers"])
    )
    if row["body"]:  # a report's file: named for the report, not the site's name
        name = report_file_name(row["body"], row["year"], name)
    return AsgiFileDownload(
        path,
        content_type=media_type
        if media_type in EXTENSIONS
        else "application/octet-stream",
        headers={
            "content-disposition": content_disposition(name, sha256),
            "x-content-type-options": "nosniff",
            "content-security-policy": "sandbox",
            "cache-control": "public, max-age=31536000, immutable",
            "etag": f'"{sha256}"',
        },
    )


def _not_found(message: str) -> Response:
    return Response.text(f"404：{message}", status=404)
