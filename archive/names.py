"""Names for archived files in a reader's folder: a download, an evidence zip.

Names never come from a server as they are: the site's own name (its
``Content-Disposition``, the URL's ``filename=`` or last path segment) is sanitised
and given the extension its media type needs; a report's file is named for the
report (``安丘市景芝镇人民政府_2022年_政府信息公开工作年度报告.pdf``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

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


def report_stem(body: str, year: int) -> str:
    """A report's name for a reader's folder, without extension:
    ``安丘市景芝镇人民政府_2022年_政府信息公开工作年度报告``."""
    stem = NAME_JUNK.sub("_", body).strip(". ")[:100] or "report"
    return f"{stem}_{year}年_政府信息公开工作年度报告"


def report_file_name(body: str, year: int, name: str) -> str:
    """An archived report file's name for a reader's folder, keeping ``name``'s
    extension: ``安丘市景芝镇人民政府_2022年_政府信息公开工作年度报告.pdf``."""
    return f"{report_stem(body, year)}{Path(name).suffix}"


def disposition_header(response_headers: str | None) -> str | None:
    """The ``Content-Disposition`` the site sent with the file (captures keep JSON headers)."""
    try:
        headers = json.loads(response_headers or "{}")
    except ValueError:
        return None
    if not isinstance(headers, dict):
        return None
    found = [v for k, v in headers.items() if k.lower() == "content-disposition"]
    return str(found[0]) if found else None
