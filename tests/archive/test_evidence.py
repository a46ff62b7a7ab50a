"""Evidence to cite (issue 13, point 5), on a private copy of the night-2 archive: a
report's zip holds every version of its files (byte for byte the blobs, as the
versions say), provenance equal to the captures rows, and a WARC that warcio checks
and indexes with a request and a response per capture; the exports are a WARC warcio
checks and a WACZ py-wacz validates, whose index points at the right records; an
interrupted export leaves no file behind."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.evidence import (
    PROVENANCE,
    README,
    SUMS,
    WARC,
    ReportNotFound,
    evidence_file_name,
    find_report,
    write_evidence,
)
from archive.export import atomic_output, write_wacz, write_warc
from archive.names import report_stem

if TYPE_CHECKING:
    from collections.abc import Iterator

BIN = Path(sys.executable).parent  # the venv's warcio, wacz
JSON_COLUMNS = ("redirects", "request_headers", "response_headers")
EDITED = "whctp-jjfz/2022"  # silently edited on night 2: two versions of its page


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, night2: Path) -> Path:
    """A private copy of the night-2 archive (evidence only reads it)."""
    target = tmp_path_factory.mktemp("evidence") / "archive"
    shutil.copytree(night2, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target


@pytest.fixture(scope="module")
def conn(data: Path) -> Iterator[sqlite3.Connection]:
    with closing(
        sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)
    ) as found:
        yield found


def rows(conn: sqlite3.Connection, sql: str, *params: Any) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def report_of(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    ((found,),) = conn.execute(
        "SELECT id FROM reports WHERE body = ? AND year = ?",
        (entry["body"], entry["year"]),
    ).fetchall()
    return int(found)


def decoded(capture: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.loads(v) if k in JSON_COLUMNS and v is not None else v
        for k, v in capture.items()
    }


def captures_of(conn: sqlite3.Connection, report: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        """SELECT * FROM captures WHERE document_id IN
           (SELECT id FROM documents WHERE report_id = ?) ORDER BY id""",
        report,
    )


def versions_of(conn: sqlite3.Connection, report: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        """SELECT v.* FROM versions v JOIN documents d ON d.id = v.document_id
           WHERE d.report_id = ? ORDER BY v.id""",
        report,
    )


class Evidence:
    def __init__(self, report: int, path: Path, folder: Path, summary: Any) -> None:
        self.report, self.path, self.folder, self.summary = (
            report,
            path,
            folder,
            summary,
        )
        with zipfile.ZipFile(path) as archive:
            self.names = archive.namelist()
            archive.extractall(folder)

    def json(self) -> dict[str, Any]:
        return json.loads((self.folder / PROVENANCE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def edited(
    data: Path,
    conn: sqlite3.Connection,
    manifest: dict[str, dict],
    tmp_path_factory: pytest.TempPathFactory,
) -> Evidence:
    report = report_of(conn, manifest[EDITED])
    folder = tmp_path_factory.mktemp("edited")
    path = folder / "evidence.zip"
    with path.open("wb") as out:
        summary = write_evidence(conn, data / "blobs", report, out)
    return Evidence(report, path, folder / "unzipped", summary)


def test_the_zip_holds_every_version_of_the_edited_page_and_the_evidence_files(
    edited: Evidence, conn: sqlite3.Connection, manifest: dict[str, dict]
) -> None:
    entry = manifest[EDITED]
    stem = f"{entry['body']}_{entry['year']}年_政府信息公开工作年度报告"
    assert len(versions_of(conn, edited.report)) == 2
    assert edited.names == [
        README,
        SUMS,
        PROVENANCE,
        WARC,
        f"{stem}_v1.html",
        f"{stem}_v2.html",
    ]
    assert edited.summary.file_name == f"{stem}.zip"
    assert evidence_file_name(entry["body"], entry["year"]) == f"{stem}.zip"


def test_each_original_is_its_blob_and_its_versions_sha256(
    edited: Evidence, conn: sqlite3.Connection, data: Path
) -> None:
    versions = versions_of(conn, edited.report)
    originals = edited.summary.originals
    assert [o.version_id for o in originals] == [v["id"] for v in versions]
    for original, version in zip(originals, versions, strict=True):
        sha256 = version["sha256"]
        blob = data / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256
        in_zip = (edited.folder / original.name).read_bytes()
        assert hashlib.sha256(in_zip).hexdigest() == sha256
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha256
        assert in_zip == blob.read_bytes()
        assert original.sha256 == sha256
    assert len({v["sha256"] for v in versions}) == 2


def test_provenance_holds_the_captures_rows_and_names_each_version(
    edited: Evidence, conn: sqlite3.Connection
) -> None:
    provenance = edited.json()
    captures = captures_of(conn, edited.report)
    assert len(captures) >= 2
    assert provenance["captures"] == [decoded(c) for c in captures]
    assert (
        provenance["report"]
        == rows(conn, "SELECT * FROM reports WHERE id = ?", edited.report)[0]
    )
    assert [r["id"] for r in provenance["runs"]] == sorted(
        {c["run_id"] for c in captures}
    )
    files = {v["id"]: v["file"] for d in provenance["documents"] for v in d["versions"]}
    assert files == {o.version_id: o.name for o in edited.summary.originals}


def test_the_sums_and_the_readme_list_every_file_with_its_sha256(
    edited: Evidence,
) -> None:
    checked = subprocess.run(
        ["sha256sum", "-c", SUMS],
        cwd=edited.folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = (edited.folder / SUMS).read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("  ", 1)[1] for line in listed) == sorted(
        set(edited.names) - {README, SUMS}
    )
    readme = (edited.folder / README).read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf")  # Notepad on Chinese Windows reads UTF-8
    text = readme.decode("utf-8-sig")
    for line in listed:
        assert line in text.splitlines()
    for words in ("certutil -hashfile", "SHA256", "sha256sum -c SHA256SUMS", "核验"):
        assert words in text


def test_the_warc_passes_warcio_check(edited: Evidence) -> None:
    checked = subprocess.run(
        [BIN / "warcio", "check", "-v", edited.folder / WARC],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout
    assert "failed" not in checked.stdout


def warc_index(path: Path) -> list[dict[str, str]]:
    fields = "warc-type,warc-target-uri,warc-date,warc-payload-digest,warc-truncated"
    done = subprocess.run(
        [BIN / "warcio", "index", "-f", fields, path],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_warcio_index_shows_a_request_and_a_response_for_each_capture(
    edited: Evidence, conn: sqlite3.Connection
) -> None:
    captures = captures_of(conn, edited.report)
    records = warc_index(edited.folder / WARC)
    http = Counter(
        (r["warc-type"], r["warc-target-uri"], r["warc-date"])
        for r in records
        if r["warc-type"] in ("request", "response")
    )
    expected = Counter(
        (kind, c["final_url"] or c["url"], c["started"])
        for c in captures
        for kind in ("request", "response")
        if kind == "request" or c["status"] is not None
    )
    assert http == expected
    digests = [
        r["warc-payload-digest"] for r in records if r["warc-type"] == "response"
    ]
    assert digests == [
        f"sha256:{c['sha256'] or hashlib.sha256().hexdigest()}"
        for c in captures
        if c["status"] is not None
    ]
    assert [r["warc-type"] for r in records].count("metadata") == len(captures)


def test_a_report_found_by_url_is_the_one_whose_file_it_is(
    conn: sqlite3.Connection, manifest: dict[str, dict]
) -> None:
    entry = manifest["anqiu-jingzhi/2022"]  # a PDF, re-saved on night 2
    report = report_of(conn, entry)
    for file in entry["files"]:
        assert find_report(conn, file["url"]) == report
    assert find_report(conn, f" {report} ") == report


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("99999999", "no report with id 99999999 in the archive"),
        (
            "http://www.example.gov.cn/nothing.pdf",
            "no report file or page with the URL http://www.example.gov.cn/nothing.pdf"
            " in the archive",
        ),
    ],
)
def test_an_unknown_id_or_url_is_said_plainly(
    conn: sqlite3.Connection, ref: str, message: str
) -> None:
    with pytest.raises(ReportNotFound) as raised:
        find_report(conn, ref)
    assert str(raised.value) == message


def test_every_report_gets_every_version_under_a_name_of_its_own(
    conn: sqlite3.Connection, data: Path
) -> None:
    """The invariant over the whole archive: pages, attachments, parts, versions."""
    (reports,) = zip(*conn.execute("SELECT id FROM reports ORDER BY id"), strict=True)
    assert len(reports) > 100
    for report in reports:
        out = io.BytesIO()
        summary = write_evidence(conn, data / "blobs", report, out)
        versions = versions_of(conn, report)
        with zipfile.ZipFile(out) as archive:
            names = archive.namelist()
            assert len(names) == len(set(names)) == 4 + len(versions), report
            for original in summary.originals:
                data_ = archive.read(original.name)
                assert hashlib.sha256(data_).hexdigest() == original.sha256
        assert sorted(o.sha256 for o in summary.originals) == sorted(
            v["sha256"] for v in versions
        )
        stem = report_stem(summary.body, summary.year)
        assert all(o.name.startswith(stem) for o in summary.originals)
        assert summary.captures == len(captures_of(conn, report))


# ---------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def wacz(
    conn: sqlite3.Connection, data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("wacz") / "archive.wacz"
    with atomic_output(path) as out:
        summary = write_wacz(conn, data / "blobs", out)
    (count,) = conn.execute("SELECT COUNT(*) FROM captures").fetchone()
    assert summary.captures == count
    return path


def test_the_wacz_validates_with_py_wacz(wacz: Path) -> None:
    checked = subprocess.run(
        [BIN / "wacz", "validate", "-f", wacz],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Validation succeeded, the passed WACZ is valid" in checked.stdout


def test_the_waczs_index_points_at_each_archived_response(
    wacz: Path, conn: sqlite3.Connection
) -> None:
    with zipfile.ZipFile(wacz) as archive:
        assert (
            archive.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        )
        warc = archive.read("archive/data.warc.gz")
        lines = archive.read("indexes/index.cdx").decode("utf-8").splitlines()
        pages = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert lines == sorted(lines)
    kept = conn.execute(
        "SELECT COUNT(*) FROM captures WHERE sha256 IS NOT NULL AND status IS NOT NULL"
    ).fetchone()[0]
    assert len(lines) == kept
    for line in lines:
        _key, timestamp, fields = line.split(" ", 2)
        entry = json.loads(fields)
        start = int(entry["offset"])
        chunk = io.BytesIO(warc[start : start + int(entry["length"])])
        record = next(iter(ArchiveIterator(chunk)))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        payload = record.content_stream().read()
        assert f"sha256:{hashlib.sha256(payload).hexdigest()}" == entry["digest"]
        assert len(timestamp) == 14
    assert json.loads(pages[0])["format"] == "json-pages-1.0"
    assert len(pages) > 100


def test_one_runs_warc_passes_warcio_check(
    conn: sqlite3.Connection, data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "run2.warc.gz"
    seen: list[tuple[int, int]] = []
    with path.open("wb") as out:
        summary = write_warc(
            conn, data / "blobs", out, run=2, progress=lambda *p: seen.append(p)
        )
    captures = rows(conn, "SELECT * FROM captures WHERE run_id = 2 ORDER BY id")
    assert summary.captures == len(captures) == len(seen)
    assert seen[-1] == (len(captures), len(captures))
    checked = subprocess.run(
        [BIN / "warcio", "check", path], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout
    types = Counter(r["warc-type"] for r in warc_index(path))
    assert types["request"] == types["metadata"] == len(captures)
    assert types["response"] == sum(c["status"] is not None for c in captures)


def test_an_interrupted_export_leaves_no_file(
    conn: sqlite3.Connection, data: Path, tmp_path: Path
) -> None:
    def interrupt(done: int, total: int) -> None:
        if done == 10:
            raise KeyboardInterrupt

    target = tmp_path / "out.wacz"
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as out:
        write_wacz(conn, data / "blobs", out, progress=interrupt, scratch=tmp_path)
    assert list(tmp_path.iterdir()) == []
