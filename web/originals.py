"""``/-/original/<sha256>``: an archived file, byte for byte, always as a download;
``/-/evidence/<report id>.zip``: a report's evidence to cite (``archive/evidence.py``)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from datasette.utils.asgi import AsgiFileDownload, Response

from archive.blobs import BlobStore
from archive.db import BLOB_DIR
from archive.evidence import EvidenceError, ReportNotFound, write_evidence
from archive.names import (  # the names are the archive's: evidence zips use them too
    EXTENSIONS,
    disposition_header,
    download_name,
    report_file_name,
)
from web.common import _database_name

if TYPE_CHECKING:
    import sqlite3

    from datasette.app import Datasette
    from datasette.utils.asgi import Request

SHA256 = re.compile(r"[0-9a-f]{64}")


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
        row["url"], media_type, disposition_header(row["response_headers"])
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


async def evidence(request: Request, datasette: Datasette) -> Any:
    """A report's evidence zip (originals, provenance, WARC, README), made on request
    into a temporary file, then sent as a download."""
    key = request.url_vars["report"]
    if not key.isdigit() or len(key) > 18:
        return _not_found("年报编号应是数字")
    database = datasette.get_database(_database_name(datasette))
    blobs = Path(database.path).parent / BLOB_DIR

    def make(conn: sqlite3.Connection) -> tuple[str, bytes]:
        with tempfile.TemporaryFile() as spool:  # a zip may be many MB: not in memory
            name = write_evidence(conn, blobs, int(key), spool).file_name
            spool.seek(0)
            return name, spool.read()

    try:
        name, data = await database.execute_fn(make)
    except ReportNotFound:
        return _not_found("存档中没有这份年报")
    except EvidenceError as exc:
        return Response.text(f"无法生成证据包：{exc}", status=500)
    return Response(
        data,
        content_type="application/zip",
        headers={
            "content-disposition": content_disposition(name, f"report-{key}"),
            "x-content-type-options": "nosniff",
        },
    )
