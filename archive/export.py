"""The archive's captures for replay tools: one WARC (gzip), or a WACZ around it.

``nianbao export warc|wacz [--run N]`` writes every capture (or one run's) with
:class:`archive.warc.CaptureWarc`. A WACZ (1.1.1, what ReplayWeb.page opens) is a zip
holding, as the format asks:

- ``archive/data.warc.gz``: the WARC, stored (not deflated) so replay can seek in it;
- ``indexes/index.cdx``: a CDXJ line per response record that holds a payload, sorted
  by SURT and time (304s, failed fetches and list pages, whose bytes the archive did
  not keep, are in the WARC but not offered to replay);
- ``pages/pages.jsonl``: the pages to open, one per distinct file version (first
  capture), titled with the link text it was found under;
- ``datapackage.json`` (every file's SHA-256 and size) and ``datapackage-digest.json``.

Outputs are written through :func:`atomic_output`: a temporary file beside the
target, renamed into place only when complete, so Ctrl-C leaves nothing half-written
under the final name.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from archive.blobs import BlobStore
from archive.warc import CaptureWarc, IndexEntry, capture_rows

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterator

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
CHUNK = 1 << 20
ZIP64 = (1 << 31) - 1  # a zip member this large needs zip64 headers, said up front


def software() -> str:
    """``nianbao 0.1.0``: what wrote a file (WARC ``software``, WACZ ``software``)."""
    try:
        return f"nianbao {version('nianbao')}"
    except PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "nianbao"


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` only if the block completes.

    It is written as a temporary file beside ``path``, fsynced and renamed over it;
    on any exception (Ctrl-C included) the temporary file is removed and ``path``
    is left as it was.
    """
    path = Path(path)
    fd, temp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        Path(temp).chmod(0o644)  # mkstemp makes it private; an export is for readers
        Path(temp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temp).unlink()
        raise


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote."""

    captures: int
    records: int
    responses: int  # response records with a payload (replayable)
    run: int | None

    def line(self) -> str:
        scope = f"run {self.run}" if self.run is not None else "every run"
        return (
            f"{self.captures} captures ({scope}): {self.records} WARC records, "
            f"{self.responses} responses with the archived bytes"
        )


def _where(run: int | None) -> tuple[str, tuple[Any, ...]]:
    return ("run_id = ?", (run,)) if run is not None else ("1", ())


def count_captures(conn: sqlite3.Connection, run: int | None = None) -> int:
    where, params = _where(run)
    (count,) = conn.execute(
        f"SELECT COUNT(*) FROM captures WHERE {where}",  # noqa: S608 -- constant SQL
        params,
    ).fetchone()
    return int(count)


def _warc_info(run: int | None) -> dict[str, str]:
    scope = f"run {run}" if run is not None else "every run"
    return {
        "software": software(),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": "Captures of Chinese government open-information annual reports "
        f"(政府信息公开工作年度报告) archived by nianbao: {scope}",
    }


def _write_captures(
    conn: sqlite3.Connection,
    blobs_root: Path,
    out: BinaryIO,
    run: int | None,
    progress: Callable[[int, int], None] | None,
    on_entry: Callable[[IndexEntry, dict[str, Any]], None] | None = None,
) -> ExportSummary:
    total = count_captures(conn, run)
    warc = CaptureWarc(
        out, BlobStore(blobs_root), filename=WARC_NAME, info=_warc_info(run)
    )
    where, params = _where(run)
    done = responses = 0
    for capture in capture_rows(conn, where, params):
        entry = warc.write_capture(capture)
        done += 1
        if entry is not None:
            responses += 1
            if on_entry is not None:
                on_entry(entry, capture)
        if progress is not None:
            progress(done, total)
    return ExportSummary(done, warc.records, responses, run)


def write_warc(
    conn: sqlite3.Connection,
    blobs_root: Path,
    out: BinaryIO,
    *,
    run: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Every capture (or those of ``run``) as one gzipped WARC to ``out``;
    ``progress(done, total)`` is called after each capture."""
    with read_snapshot(conn):
        return _write_captures(conn, blobs_root, out, run, progress)


def write_wacz(
    conn: sqlite3.Connection,
    blobs_root: Path,
    out: BinaryIO,
    *,
    run: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    scratch: Path | None = None,
) -> ExportSummary:
    """Every capture (or those of ``run``) as a WACZ to ``out``; the WARC is written
    to a temporary file in ``scratch`` (default: the system's) first.
    ``progress(done, total)`` is called after each capture."""
    entries: list[str] = []
    pages: dict[tuple[str, str], dict[str, Any]] = {}

    def note(entry: IndexEntry, capture: dict[str, Any]) -> None:
        entries.append(entry.cdxj(WARC_NAME))
        if entry.status == 200:
            pages.setdefault(
                (entry.url, entry.digest),
                {
                    "id": f"capture-{capture['id']}",
                    "url": entry.url,
                    "ts": capture["started"],
                    "title": capture["link_text"] or entry.url,
                },
            )

    with tempfile.TemporaryFile(dir=scratch) as warc:
        with read_snapshot(conn):
            summary = _write_captures(conn, blobs_root, warc, run, progress, note)
        warc.seek(0)
        _zip_wacz(out, warc, sorted(entries), list(pages.values()), run)
    return summary


def _zip_wacz(
    out: BinaryIO,
    warc: BinaryIO,
    cdxj: list[str],
    pages: list[dict[str, Any]],
    run: int | None,
) -> None:
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    resources = []
    with zipfile.ZipFile(out, "w") as wacz:
        info = zipfile.ZipInfo(f"archive/{WARC_NAME}", zip_time())
        info.compress_type = zipfile.ZIP_STORED  # replay seeks into it
        digest, size = hashlib.sha256(), 0
        warc.seek(0, os.SEEK_END)
        large = warc.tell() > ZIP64
        warc.seek(0)
        with wacz.open(info, "w", force_zip64=large) as member:
            while chunk := warc.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                member.write(chunk)
        resources.append(_resource(info.filename, digest.hexdigest(), size))
        header = {"format": "json-pages-1.0", "id": "pages", "title": "年报页面 Pages"}
        lines = [json.dumps(line, ensure_ascii=False) for line in [header, *pages]]
        for name, text in (
            ("indexes/index.cdx", "".join(f"{line}\n" for line in cdxj)),
            ("pages/pages.jsonl", "".join(f"{line}\n" for line in lines)),
        ):
            data = text.encode("utf-8")
            _deflated(wacz, name, data)
            resources.append(
                _resource(name, hashlib.sha256(data).hexdigest(), len(data))
            )
        scope = f"run {run}" if run is not None else "every run"
        package = {
            "profile": "data-package",
            "resources": resources,
            "title": f"nianbao 年报存档 ({scope})",
            "description": "政府信息公开工作年度报告的抓取存档 — captures of Chinese "
            "government open-information annual reports, archived by nianbao",
            "created": created,
            "wacz_version": WACZ_VERSION,
            "software": software(),
        }
        data = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        _deflated(wacz, "datapackage.json", data)
        digest_doc = {
            "path": "datapackage.json",
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        }
        _deflated(wacz, "datapackage-digest.json", json.dumps(digest_doc).encode())


def _resource(path: str, sha256: str, size: int) -> dict[str, Any]:
    return {
        "name": Path(path).name.lower(),
        "path": path,
        "hash": f"sha256:{sha256}",
        "bytes": size,
    }


def zip_time() -> tuple[int, int, int, int, int, int]:
    now = datetime.now(UTC)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _deflated(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, zip_time())
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction around the queries, so a crawl writing meanwhile cannot
    give a half-old, half-new picture (WAL readers see one snapshot)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def copy_file(source: Path, member: IO[bytes]) -> str:
    """Copy ``source`` into ``member``; the SHA-256 (hex) of what was copied."""
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            member.write(chunk)
    return digest.hexdigest()
