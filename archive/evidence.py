"""Evidence to cite: one report's original files and their provenance, in one zip.

:func:`write_evidence` writes, for a report (``reports.id``):

- every version of every file of the report, the bytes as archived (each checked
  against its SHA-256 on the way), named for the report like a download
  (``安丘市景芝镇人民政府_2022年_政府信息公开工作年度报告.pdf``; ``_2``, ``_3``… when
  two files of the report would share a name, ``_v1``, ``_v2``… when a file has
  several versions, oldest first);
- ``provenance.json``: the report, its documents and versions (with the name each
  version has in the zip), every capture of its files (the ``captures`` rows, JSON
  columns decoded: URLs, redirects, status, request and response headers, times,
  run, sha256…) and those captures' runs;
- ``captures.warc.gz``: the same captures as WARC records (:mod:`archive.warc`);
- ``SHA256SUMS`` (``sha256sum -c SHA256SUMS``) and ``README.txt``, in Chinese: what
  each file is and how to check its hash on Windows, macOS and Linux.

It only reads: the database through the connection it is given (one read
transaction), the files from the blob store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from archive.blobs import BlobStore
from archive.db import now
from archive.export import ZIP64, copy_file, read_snapshot, software, zip_time
from archive.names import disposition_header, download_name, report_stem
from archive.warc import CaptureWarc, WarcError, capture_rows, decode_capture

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable

README = "README.txt"
SUMS = "SHA256SUMS"
PROVENANCE = "provenance.json"
WARC = "captures.warc.gz"
CREDENTIALS = re.compile(r"//[^/@\s]+@")  # user:password@ in a proxy URL


class EvidenceError(RuntimeError):
    """The evidence cannot be made (the message says why, in one line)."""


class ReportNotFound(EvidenceError):
    """No report has that id, or no document or capture that URL."""


class AmbiguousURL(EvidenceError):
    """A URL that belongs to documents of several reports."""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One original in the zip: a version of one of the report's files."""

    name: str
    sha256: str
    size: int
    media_type: str
    url: str
    version_id: int


@dataclass(frozen=True, slots=True)
class EvidenceSummary:
    """What :func:`write_evidence` put in the zip."""

    report_id: int
    body: str
    year: int
    file_name: str  # the zip's name: evidence_file_name(body, year)
    originals: tuple[EvidenceFile, ...]
    captures: int
    warc_records: int

    def line(self) -> str:
        return (
            f"{self.body} {self.year}: {len(self.originals)} original file(s), "
            f"{self.captures} capture(s), {self.warc_records} WARC records"
        )


def evidence_file_name(body: str, year: int) -> str:
    """The zip's name: ``安丘市景芝镇人民政府_2022年_政府信息公开工作年度报告.zip``."""
    return f"{report_stem(body, year)}.zip"


def _rows(
    conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()
) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def find_report(conn: sqlite3.Connection, ref: str) -> int:
    """The report a reference names: its id (digits), or the URL of one of its
    documents (a file's or the report page's, as first asked for or after redirects).

    Raises :class:`ReportNotFound` or :class:`AmbiguousURL`.
    """
    ref = ref.strip()
    if ref.isdigit():
        found = conn.execute(
            "SELECT id FROM reports WHERE id = ?", (int(ref),)
        ).fetchone()
        if found is None:
            raise ReportNotFound(f"no report with id {ref} in the archive")
        return int(found[0])
    ids = sorted(
        {
            int(row[0])
            for row in conn.execute(
                """SELECT report_id FROM documents WHERE url = :u
                   UNION
                   SELECT d.report_id FROM captures c JOIN documents d ON d.id = c.document_id
                   WHERE c.url = :u OR c.final_url = :u""",
                {"u": ref},
            )
        }
    )
    if not ids:
        raise ReportNotFound(
            f"no report file or page with the URL {ref} in the archive"
        )
    if len(ids) > 1:
        listed = ", ".join(map(str, ids))
        raise AmbiguousURL(
            f"the URL {ref} belongs to several reports ({listed}): give a report id"
        )
    return ids[0]


def _report(conn: sqlite3.Connection, report_id: int) -> dict[str, Any]:
    found = _rows(conn, "SELECT * FROM reports WHERE id = ?", (report_id,))
    if not found:
        raise ReportNotFound(f"no report with id {report_id} in the archive")
    return found[0]


def _documents(conn: sqlite3.Connection, report_id: int) -> list[dict[str, Any]]:
    documents = _rows(
        conn,
        """SELECT * FROM documents WHERE report_id = ?
           ORDER BY role <> 'page', COALESCE(part_of, id), COALESCE(part, 1), id""",
        (report_id,),
    )
    for document in documents:
        if isinstance(document.get("links"), str):
            with contextlib.suppress(ValueError):  # else kept as the text it is
                document["links"] = json.loads(document["links"])
        document["versions"] = _rows(
            conn,
            "SELECT * FROM versions WHERE document_id = ? ORDER BY id",
            (document["id"],),
        )
    return documents


def _captures(conn: sqlite3.Connection, report_id: int) -> list[dict[str, Any]]:
    """Every capture of the report's documents, and fetches of their URLs the
    archive could not file under a document (a first fetch that failed)."""
    return list(
        capture_rows(
            conn,
            """document_id IN (SELECT id FROM documents WHERE report_id = :r)
               OR (document_id IS NULL AND kind <> 'list'
                   AND (url IN (SELECT url FROM documents WHERE report_id = :r)
                        OR final_url IN (SELECT url FROM documents WHERE report_id = :r)))""",
            {"r": report_id},
        )
    )


def _runs(
    conn: sqlite3.Connection, captures: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    ids = sorted({c["run_id"] for c in captures})
    runs = []
    for run_id in ids:
        for run in _rows(
            conn,
            """SELECT id, started, ended, status, target, epoch, crawler_version
               FROM runs WHERE id = ?""",
            (run_id,),
        ):
            run["target"] = CREDENTIALS.sub("//***@", run["target"] or "")
            runs.append(run)
    return runs


def _name_versions(
    report: dict[str, Any],
    documents: list[dict[str, Any]],
    captures: list[dict[str, Any]],
) -> dict[int, str]:
    """version id → its name in the zip (unique, named for the report)."""
    first_capture = {c["id"]: c for c in captures}
    stem = report_stem(report["body"], report["year"])
    taken: set[str] = {README, SUMS, PROVENANCE, WARC}
    names: dict[int, str] = {}
    for document in documents:
        versions = document["versions"]
        suffixes = []
        for version in versions:
            capture = first_capture.get(version["first_capture_id"], {})
            media_type = (version["media_type"] or "").split(";")[0].strip().lower()
            site_name = download_name(
                document["url"],
                media_type,
                disposition_header(capture.get("response_headers")),
            )
            suffixes.append(Path(site_name).suffix)
        several = len(versions) > 1
        tags = [f"_v{i}" if several else "" for i in range(1, len(versions) + 1)]
        number = 1
        while True:
            mark = "" if number == 1 else f"_{number}"
            candidates = [
                f"{stem}{mark}{tag}{suffix}"
                for tag, suffix in zip(tags, suffixes, strict=True)
            ]
            if not taken.intersection(candidates) and len(set(candidates)) == len(
                candidates
            ):
                break
            number += 1
        taken.update(candidates)
        for version, name in zip(versions, candidates, strict=True):
            names[version["id"]] = name
    return names


def _provenance(
    report: dict[str, Any],
    documents: list[dict[str, Any]],
    captures: list[dict[str, Any]],
    runs: list[dict[str, Any]],
    names: dict[int, str],
    generated: str,
) -> bytes:
    for document in documents:
        for version in document["versions"]:
            version["file"] = names[version["id"]]
    data = {
        "format": "nianbao-evidence/1",
        "generated": generated,
        "software": software(),
        "report": report,
        "documents": documents,
        "captures": [decode_capture(c) for c in captures],
        "runs": runs,
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


ROLES = {"page": "网页", "attachment": "附件"}


def _readme(
    report: dict[str, Any],
    files: list[EvidenceFile],
    hashes: dict[str, str],
    documents: list[dict[str, Any]],
    captures: list[dict[str, Any]],
    generated: str,
) -> bytes:
    by_version = {v["id"]: (d, v) for d in documents for v in d["versions"]}
    started = {c["id"]: c["started"] for c in captures}
    lines = [
        f"{report['title']}",
        f"{report['body']} {report['year']}年 政府信息公开工作年度报告 —— 存证材料包",
        f"生成：{software()}，{generated}（UTC）",
        f"报告编号（reports.id）：{report['id']}　来源：{report['source_id']}　"
        f"地区：{report['region']}",
        "",
        "本压缩包收有 nianbao 存档中这份年报的全部原始文件（每个文件的每个版本）和每一次抓取的记录，"
        "供引用和核验。",
        "",
        f"一、文件清单（SHA-256  文件名）：{len(files)} 个原始文件，{len(captures)} 次抓取",
        "",
    ]
    for item in files:
        document, version = by_version[item.version_id]
        lines += [
            f"{item.sha256}  {item.name}",
            f"    {ROLES.get(document['role'], document['role'])}：{item.url}",
            f"    版本 {version['id']}，{item.size} 字节，{item.media_type}，"
            f"首次抓取于 {started.get(version['first_capture_id'], '?')}"
            f"（第 {version['first_seen_run']} 次运行）",
        ]
    for name in (PROVENANCE, WARC):
        lines.append(f"{hashes[name]}  {name}")
    lines += [
        "",
        "二、各文件是什么",
        "",
        "- 原始文件（上面列出的 .pdf、.html 等）：存档保存的原始字节，未作任何改动。文件名按报告命名，"
        "原网址见上面的清单和 provenance.json。同一文件有多个版本时，以 _v1、_v2…区分，"
        "按首次抓取的先后排列；同一报告的几个文件会重名时，以 _2、_3…区分。",
        f"- {PROVENANCE}：这些文件每一次抓取（capture）的完整记录：请求的网址、重定向链、最终网址、"
        "HTTP 状态码、请求头和响应头、开始和结束时间、运行编号（run_id）、抓取结果（outcome）和所得"
        "字节的 SHA-256；另有报告、文档（documents）、版本（versions，file 为其在本包中的文件名）"
        "和运行（runs）的记录。",
        f"- {WARC}：同样这些抓取，按国际标准 WARC 格式（ISO 28500，WARC/1.1）保存：每次抓取一条"
        "请求记录（request）、一条响应记录（response，含响应头和存档的原始字节）和一条元数据记录"
        f"（metadata，即该抓取在 {PROVENANCE} 中的记录）。可用 ReplayWeb.page"
        "（https://replayweb.page）打开回放，或用 warcio 校验：warcio check captures.warc.gz。"
        "响应记录的 WARC-Payload-Digest（sha256:…）就是原始文件的 SHA-256。",
        f"- {SUMS}：上述文件的 SHA-256 校验值（sha256sum 格式）。",
        f"- {README}：本说明。",
        "",
        "三、如何核验",
        "",
        "每个文件的 SHA-256 应与上面的清单一致，也与 nianbao 存档中的值（versions.sha256、"
        "captures.sha256，报告页面上的 SHA-256）一致。在解压后的文件夹中：",
        '- Windows（命令提示符）：certutil -hashfile "文件名" SHA256',
        '- Windows（PowerShell）：Get-FileHash -Algorithm SHA256 "文件名"',
        '- macOS：shasum -a 256 "文件名"',
        f'- Linux：sha256sum "文件名"；一次核验全部：sha256sum -c {SUMS}',
        "比较时不分大小写（certutil 和 PowerShell 可能输出大写字母）。",
        "",
        "四、说明",
        "",
        "- 时间均为 UTC（北京时间 = UTC + 8 小时）。",
        "- 服务器的压缩传输（Content-Encoding、Transfer-Encoding）在抓取时已还原，存档的是还原后的"
        "字节。WARC 响应记录中，这些头部和与存档字节长度不符的 Content-Length 改名为"
        f" X-Archive-Orig-…，Content-Length 为存档字节的长度；{PROVENANCE} 保留服务器返回的原样"
        "头部。",
        "- 没有得到文件的抓取（未改动 304、超时、服务器错误、被拦截等）也在记录之中，但没有文件；"
        "其 WARC 响应记录没有正文（未保存正文的标有 WARC-Truncated）。",
        "",
    ]
    return ("\ufeff" + "\r\n".join(lines)).encode(
        "utf-8"
    )  # BOM + CRLF: Notepad on Chinese Windows


def write_evidence(
    db: sqlite3.Connection, blobs_root: Path, report_id: int, out: BinaryIO
) -> EvidenceSummary:
    """Write report ``report_id``'s evidence zip to ``out`` (see the module's doc).

    Raises :class:`ReportNotFound` for an unknown id, :class:`EvidenceError` when a
    file the archive references is missing from ``blobs_root`` or no longer has its
    SHA-256 (then ``out`` holds a partial zip: write to a temporary file).
    """
    blobs = BlobStore(blobs_root)
    with read_snapshot(db):
        report = _report(db, report_id)
        documents = _documents(db, report_id)
        captures = _captures(db, report_id)
        runs = _runs(db, captures)
    names = _name_versions(report, documents, captures)
    files = [
        EvidenceFile(
            name=names[v["id"]],
            sha256=v["sha256"],
            size=v["size"],
            media_type=v["media_type"],
            url=d["url"],
            version_id=v["id"],
        )
        for d in documents
        for v in d["versions"]
    ]
    for item in files:
        if not blobs.path(item.sha256).is_file():
            raise EvidenceError(
                f"{item.name}: the archived file {item.sha256} is missing from {blobs_root}"
            )
    generated = now()
    provenance = _provenance(report, documents, captures, runs, names, generated)
    with tempfile.TemporaryFile() as warc_file:
        warc = CaptureWarc(
            warc_file,
            blobs,
            filename=WARC,
            info={
                "software": software(),
                "format": "WARC File Format 1.1",
                "description": f"{report['body']} {report['year']}年 政府信息公开工作年度报告: "
                f"every capture of its files (report {report_id})",
            },
        )
        try:
            for capture in captures:
                warc.write_capture(capture)
        except WarcError as exc:
            raise EvidenceError(str(exc)) from exc
        warc_size = warc_file.tell()
        warc_file.seek(0)
        hashes = {
            PROVENANCE: hashlib.sha256(provenance).hexdigest(),
            WARC: _sha256_of(warc_file),
        }
        sums = "".join(f"{f.sha256}  {f.name}\n" for f in files) + "".join(
            f"{digest}  {name}\n" for name, digest in hashes.items()
        )
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            _put(
                archive,
                README,
                _readme(report, files, hashes, documents, captures, generated),
            )
            _put(archive, SUMS, sums.encode("utf-8"))
            _put(archive, PROVENANCE, provenance)
            info = zipfile.ZipInfo(WARC, zip_time())
            info.compress_type = zipfile.ZIP_STORED  # gzip already
            warc_file.seek(0)
            with archive.open(info, "w", force_zip64=warc_size > ZIP64) as member:
                shutil.copyfileobj(warc_file, member, 1 << 20)
            for item in files:
                info = zipfile.ZipInfo(item.name, zip_time())
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w", force_zip64=item.size > ZIP64) as member:
                    copied = copy_file(blobs.path(item.sha256), member)
                if copied != item.sha256:
                    raise EvidenceError(
                        f"{item.name}: the archived file {item.sha256} now hashes to "
                        f"{copied} (damaged blob store)"
                    )
    return EvidenceSummary(
        report_id=report_id,
        body=report["body"],
        year=report["year"],
        file_name=evidence_file_name(report["body"], report["year"]),
        originals=tuple(files),
        captures=len(captures),
        warc_records=warc.records,
    )


def _put(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, zip_time())
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _sha256_of(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()
