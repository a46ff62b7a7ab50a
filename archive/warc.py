"""Captures as WARC records (ISO 28500, WARC/1.1), for replay tools and for evidence.

Each capture (a row of ``captures``) becomes, in this order:

- a ``request`` record: the request line and the headers nianbao sent (``Host`` added
  when the row lacks it: every HTTP/1.1 request carries one);
- a ``response`` record, when the server answered: its status and headers as
  captured, and the bytes the archive kept (the blob), or no payload with
  ``WARC-Truncated: unspecified`` where the archive kept none (a failed fetch, a list
  page); a 304 or a HEAD has none by nature;
- a ``metadata`` record: the capture's row as JSON (run, outcome, the URL first asked
  for and the redirects, times, attempts…), which the HTTP records cannot say.

The records carry ``WARC-Target-URI`` (the URL that answered, after redirects),
``WARC-Date`` (when the fetch started, as captured) and SHA-256 digests in hex:
``WARC-Payload-Digest: sha256:<hex>`` is the blob's name, the version's ``sha256``
and what ``sha256sum`` prints for the file. Scrapy hands the archive bodies with
their ``Content-Encoding`` and ``Transfer-Encoding`` undone, so a response record's
headers say so: those headers, and a ``Content-Length`` that is not the kept body's,
are renamed ``X-Archive-Orig-…`` (pywb's convention) and ``Content-Length`` is the
length of the payload. The row itself, in the metadata record and in evidence's
``provenance.json``, keeps every header as it came.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from http import HTTPStatus
from io import BytesIO
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

import surt
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator, Mapping

    from archive.blobs import BlobStore

JSON_COLUMNS = ("redirects", "request_headers", "response_headers")
NO_BODY_STATUSES = {204, 304}
REWRITTEN = ("content-encoding", "transfer-encoding", "content-length")


class WarcError(RuntimeError):
    """The archive cannot give what a WARC needs (a blob it references is missing)."""


def capture_rows(
    conn: sqlite3.Connection, where: str = "1", params: Any = ()
) -> Iterator[dict[str, Any]]:
    """The ``captures`` rows matching ``where``, in capture order, as dicts of the
    table's columns (JSON columns still text: see :func:`decode_capture`)."""
    cursor = conn.execute(
        f"SELECT * FROM captures WHERE {where} ORDER BY id",  # noqa: S608 -- callers' constant SQL
        params,
    )
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def decode_capture(row: Mapping[str, Any]) -> dict[str, Any]:
    """A capture row with its JSON columns (redirects, headers) as lists and objects."""
    out = dict(row)
    for name in JSON_COLUMNS:
        if isinstance(out.get(name), str):
            with contextlib.suppress(ValueError):  # else kept as the text it is
                out[name] = json.loads(out[name])
    return out


def warc_timestamp(iso: str) -> str:
    """``2026-12-03T22:22:20.570Z`` → ``20261203222220`` (CDX's 14 digits)."""
    return "".join(c for c in iso[:19] if c.isdigit())


def surt_key(url: str) -> str:
    """The SURT form of ``url`` that CDX(J) indexes sort by."""
    try:
        return str(surt.surt(url))
    except Exception:  # an odd URL is still indexed, by itself
        return url


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """Where a response record with a payload sits in the WARC (one CDXJ line)."""

    url: str
    timestamp: str  # 14 digits
    mime: str
    status: int
    digest: str  # sha256:<hex>
    offset: int
    length: int

    def cdxj(self, filename: str) -> str:
        fields = {
            "url": self.url,
            "mime": self.mime,
            "status": str(self.status),
            "digest": self.digest,
            "length": str(self.length),
            "offset": str(self.offset),
            "filename": filename,
        }
        return f"{surt_key(self.url)} {self.timestamp} {json.dumps(fields, ensure_ascii=False)}"


class _Sha256Hex(Digester):  # type: ignore[misc]  # warcio has no types
    """Digests as ``sha256:<hex>``: the same text as the blobs' names and sha256sum."""

    def __init__(self) -> None:
        super().__init__("sha256")

    def __str__(self) -> str:
        return f"sha256:{self.digester.hexdigest()}"


class _Writer(WARCWriter):  # type: ignore[misc]  # warcio has no types
    @staticmethod
    def _create_digester() -> _Sha256Hex:
        return _Sha256Hex()


class _Headers(StatusAndHeaders):  # type: ignore[misc]  # warcio has no types
    """HTTP headers written back as the bytes that came: Scrapy decoded them as
    Latin-1, so encoding them as Latin-1 gives the server's bytes (warcio would
    percent-encode anything not ASCII)."""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        try:
            self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:
            super().compute_headers_buffer(header_filter)


class _Counter:
    """Counts what goes through to ``out`` (record offsets without ``tell``)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.written = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.written += len(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _headers_list(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, dict):
        return []
    return [(str(k), str(v)) for k, v in value.items()]


def _response_headers(
    captured: list[tuple[str, str]], payload_length: int, truncated: bool
) -> list[tuple[str, str]]:
    """The captured headers, with those that no longer describe the kept body renamed."""
    out = []
    for name, value in captured:
        lower = name.lower()
        if lower in REWRITTEN and not (
            lower == "content-length" and value.strip() == str(payload_length)
        ):
            out.append((f"X-Archive-Orig-{name}", value))
        else:
            out.append((name, value))
    if not truncated and not any(n.lower() == "content-length" for n, _ in out):
        out.append(("Content-Length", str(payload_length)))
    return out


def _status_line(status: int) -> str:
    """``200 OK``: the reason phrase is not captured; the standard one stands in."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class CaptureWarc:
    """Writes captures to ``out`` as WARC records, each its own gzip member.

    ``write_capture`` returns where the capture's response record went when it holds
    a payload (for a CDXJ index), else ``None``.
    """

    def __init__(
        self,
        out: BinaryIO,
        blobs: BlobStore,
        *,
        filename: str,
        info: Mapping[str, str],
    ) -> None:
        self._counter = _Counter(out)
        self._writer = _Writer(self._counter, gzip=True, warc_version="1.1")
        self.blobs = blobs
        self.filename = filename
        self.records = 0
        self._write(self._writer.create_warcinfo_record(filename, dict(info)))

    def _write(self, record: Any) -> tuple[int, int]:
        start = self._counter.written
        self._writer.write_record(record)
        self.records += 1
        return start, self._counter.written - start

    def write_capture(self, capture: Mapping[str, Any]) -> IndexEntry | None:
        url = capture["final_url"] or capture["url"]
        date = capture["started"]
        request = self._request(capture, url, date)
        self._write(request)
        request_id = request.rec_headers.get_header("WARC-Record-ID")
        entry, concurrent = None, request_id
        if capture["status"] is not None:
            response, entry = self._response(capture, url, date, request_id)
            concurrent = response.rec_headers.get_header("WARC-Record-ID")
        self._write(self._metadata(capture, url, date, concurrent))
        return entry

    def _request(self, capture: Mapping[str, Any], url: str, date: str) -> Any:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = _headers_list(capture["request_headers"])
        if parts.netloc and not any(n.lower() == "host" for n, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http = _Headers(
            f"{capture['method']} {target} HTTP/1.1", headers, is_http_request=True
        )
        return self._writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(),
            length=0,
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )

    def _response(
        self, capture: Mapping[str, Any], url: str, date: str, request_id: str
    ) -> tuple[Any, IndexEntry | None]:
        status = int(capture["status"])
        sha256 = capture["sha256"]
        no_body = status in NO_BODY_STATUSES or capture["method"] == "HEAD"
        truncated = sha256 is None and not no_body
        length = 0
        if sha256 is not None:
            path = self.blobs.path(sha256)
            if not path.is_file():
                raise WarcError(
                    f"capture {capture['id']}: blob {sha256} is missing from "
                    f"{self.blobs.root}"
                )
            length = path.stat().st_size
        http = _Headers(
            _status_line(status),
            _response_headers(
                _headers_list(capture["response_headers"]), length, truncated
            ),
            protocol="HTTP/1.1",
        )
        warc_headers = {
            "WARC-Date": date,
            "WARC-Concurrent-To": request_id,
            "WARC-Payload-Digest": f"sha256:{sha256 or hashlib.sha256().hexdigest()}",
        }
        if truncated:
            warc_headers["WARC-Truncated"] = "unspecified"
        if sha256 is None:
            record = self._writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(),
                length=0,
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
            self._write(record)
            return record, None
        with self.blobs.path(sha256).open("rb") as payload:
            record = self._writer.create_warc_record(
                url,
                "response",
                payload=payload,
                length=length,
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
            offset, size = self._write(record)
        mime = (capture["sniffed_type"] or capture["declared_type"] or "").split(";")
        return record, IndexEntry(
            url=url,
            timestamp=warc_timestamp(date),
            mime=mime[0].strip().lower() or "application/octet-stream",
            status=status,
            digest=f"sha256:{sha256}",
            offset=offset,
            length=size,
        )

    def _metadata(
        self, capture: Mapping[str, Any], url: str, date: str, concurrent: str
    ) -> Any:
        body = json.dumps(decode_capture(capture), ensure_ascii=False, indent=2).encode(
            "utf-8"
        )
        return self._writer.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(body),
            length=len(body),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent},
        )
