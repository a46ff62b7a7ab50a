"""Processing archived versions: sandboxed parsing, parse_failed with a reason, `parse`/`process` commands."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.config import ParseLimits
from app.process import analyse, process_versions
from archive.db import CrawlLock, open_archive
from archive.history import pending_texts
from archive.recorder import FetchRecord, Identity, record_fetch
from archive.runs import start_run, sync_sources
from crawler.registry import Source
from processors.parse import PROCESSOR_VERSION
from processors.text import text_sha256
from replica.corpus import build_report, report_at
from replica.render_html import report_body_html
from replica.render_pdf import report_pdf

ROOT = Path(__file__).resolve().parents[2]
SEED_003 = ROOT / "replica" / "data" / "seeds" / "003_f93b7a0726ae97a9.txt"
BODY = "威海火炬高技术产业开发区管理委员会"
IDENTITY = Identity(
    body=BODY,
    year=2021,
    title=f"{BODY}2021年政府信息公开工作年度报告",
    region="山东省威海市",
    level="county",
)
PAGE = "http://www.whctp.gov.cn/art/2022/1/20/art_1_1.html"


def hostile_pdf(operations: int = 3_000_000) -> bytes:
    """A well-formed one-page PDF whose content stream (~40 MB inflated) draws millions of lines."""
    stream = zlib.compress(b"0 0 m 1 1 l S\n" * operations, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def archive(tmp_path: Path):
    opened = open_archive(tmp_path)
    sync_sources(
        opened.db,
        [
            Source(
                id="whctp",
                name="威海高区",
                body=BODY,
                region="山东省威海市",
                level="county",
                family="hanweb",
                start_urls=("http://www.whctp.gov.cn/",),
                evidence="confirmed",
            )
        ],
    )
    yield opened
    opened.close()


def _record(
    archive, run: int, url: str, body: bytes, media_type: str, kind: str
) -> None:
    record_fetch(
        archive.db,
        archive.blobs,
        FetchRecord(
            run_id=run,
            source_id="whctp",
            kind=kind,
            url=url,
            method="GET",
            started="2026-11-22T00:00:00Z",
            ended="2026-11-22T00:00:01Z",
            crawler_version="test",
            status=200,
            body=body,
            sniffed_type=media_type,
            used_charset="utf-8" if media_type == "text/html" else None,
            identity=IDENTITY,
            listed=True,
        ),
    )


def _page() -> bytes:
    html = report_body_html(build_report("whctp-gw/2021"))
    return (
        f"<html><head><meta charset='utf-8'></head><body>{html}</body></html>".encode()
    )


def test_a_hostile_or_broken_file_is_parse_failed_with_its_reason_and_the_rest_is_parsed(
    archive,
) -> None:
    run = start_run(
        archive.db, target="test", epoch=None, sources=["whctp"], crawler_version="t"
    )
    _record(archive, run, PAGE, _page(), "text/html", "page")
    _record(
        archive, run, PAGE + "?slow.pdf", hostile_pdf(), "application/pdf", "attachment"
    )
    _record(
        archive,
        run,
        PAGE + "?cut.pdf",
        b"%PDF-1.7\n1 0 obj\n<<",
        "application/pdf",
        "attachment",
    )
    summary = process_versions(
        archive, limits=ParseLimits(timeout=3, memory_mb=1024, workers=2)
    )
    assert (summary.parsed, summary.failed) == (1, 2)
    rows = dict(
        archive.db.execute(
            "SELECT d.url, p.status || ': ' || COALESCE(p.failure, p.template)"
            " FROM parses p JOIN documents d ON d.id = p.document_id"
        ).fetchall()
    )
    assert rows[PAGE] == "ok: 2021"
    assert rows[PAGE + "?slow.pdf"] in (
        "parse_failed: timeout after 3 s",
        "parse_failed: worker died (memory limit or crash)",
        "parse_failed: out of memory (limit 1024 MB)",
    )
    assert rows[PAGE + "?cut.pdf"].startswith("parse_failed: ReadError: ")
    figures = dict(
        archive.db.execute(
            "SELECT row_key || '/' || column_key, value FROM figures"
            " WHERE table_name = 'active'"
        ).fetchall()
    )
    assert figures["licensing/decisions"] == 27960
    assert figures["fees/amount_10k_yuan"] == 13914.44
    labelled = archive.db.execute(
        "SELECT row_label, column_label, value FROM figures"
        " WHERE row_key = 'total_handled' AND column_key = 'natural_person'"
    ).fetchall()
    assert labelled == [("三（七）总计", "自然人", 10)]


def test_process_redoes_only_what_an_older_processor_derived_unless_all(
    archive,
) -> None:
    run = start_run(
        archive.db, target="test", epoch=None, sources=["whctp"], crawler_version="t"
    )
    _record(archive, run, PAGE, _page(), "text/html", "page")
    limits = ParseLimits(timeout=60, memory_mb=1024, workers=1)
    assert process_versions(archive, limits=limits).parsed == 1
    assert process_versions(archive, limits=limits).parsed == 0  # nothing is stale
    archive.db.execute("UPDATE parses SET processor_version = 'old'")
    assert process_versions(archive, limits=limits).parsed == 1
    assert process_versions(archive, everything=True, limits=limits).parsed == 1
    counts = archive.db.execute(
        "SELECT (SELECT COUNT(*) FROM parses), (SELECT COUNT(DISTINCT processor_version) FROM figures),"
        " (SELECT COUNT(*) FROM texts), (SELECT COUNT(*) FROM checks WHERE scope = 'report')"
    ).fetchone()
    assert counts == (1, 1, 1, 4)  # re-derived in place, never doubled
    assert archive.db.execute("SELECT processor_version FROM parses").fetchone() == (
        PROCESSOR_VERSION,
    )


def test_a_crawls_analysis_takes_a_pdfs_text_hash_from_its_parse(archive) -> None:
    run = start_run(
        archive.db, target="test", epoch=None, sources=["whctp"], crawler_version="t"
    )
    pdf = report_pdf(report_at("whctp-gw/2021", 1))
    _record(archive, run, PAGE, _page(), "text/html", "page")
    _record(archive, run, PAGE + "?report.pdf", pdf, "application/pdf", "attachment")
    limits = ParseLimits(timeout=60, memory_mb=1024, workers=2)
    assert process_versions(archive, limits=limits).parsed == 2
    # the PDF's hash came with its parse; the page is left to the hash pass
    assert [p.media_type for p in pending_texts(archive.db, run)] == ["text/html"]
    texts, processed = analyse(archive, run, limits)
    assert (texts, processed.parsed) == (1, 0)
    hashes = archive.db.execute(
        "SELECT media_type, text_sha256, text_status FROM versions ORDER BY id"
    ).fetchall()
    assert hashes == [
        ("text/html", text_sha256(_page(), "text/html", "utf-8"), "ok"),
        ("application/pdf", text_sha256(pdf, "application/pdf"), "ok"),
    ]


def test_parse_json_prints_exactly_the_documented_shape(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["parse", str(SEED_003), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert list(got) == [
        "title",
        "body",
        "year",
        "published",
        "template",
        "active",
        "applications",
        "appeals",
        "checks",
        "warnings",
    ]
    assert (got["title"], got["body"], got["year"], got["template"]) == (
        f"{BODY}2021年政府信息公开工作年度报告",
        BODY,
        2021,
        "2021",
    )
    assert got["active"]["licensing"] == {"decisions": 27960}
    assert got["appeals"]["review"] == {
        "upheld": 1,
        "corrected": 1,
        "other": 0,
        "pending": 0,
        "total": 2,
    }
    assert [(c["name"], c["ok"]) for c in got["checks"]] == [
        ("balance", True),
        ("row_totals", True),
        ("handled_sum", True),
        ("block_totals", True),
    ]


def test_parse_shows_tables_and_checks_and_refuses_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    shown = CliRunner().invoke(cli, ["parse", str(SEED_003)])
    assert shown.exit_code == 0, shown.output
    assert "year      2021" in shown.output
    assert "licensing" in shown.output
    assert "27960" in shown.output
    assert "ok   balance" in shown.output
    junk = tmp_path / "photo.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    refused = CliRunner().invoke(cli, ["parse", str(junk)])
    assert refused.exit_code == 1
    assert "cannot read" in refused.output
    assert "expected HTML, PDF, DOCX, DOC/WPS or plain text" in refused.output


def test_process_command_waits_for_no_one_and_refuses_a_locked_archive(
    archive, tmp_path: Path
) -> None:
    run = start_run(
        archive.db, target="test", epoch=None, sources=["whctp"], crawler_version="t"
    )
    _record(archive, run, PAGE, _page(), "text/html", "page")
    lock = CrawlLock(tmp_path)
    lock.acquire("a crawl")
    try:
        refused = CliRunner().invoke(cli, ["process", "--data", str(tmp_path)])
    finally:
        lock.release()
    assert refused.exit_code == 1
    assert "another crawl is running" in refused.output
    done = CliRunner().invoke(cli, ["process", "--data", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "1 versions parsed, 0 parse_failed" in done.output
    with sqlite3.connect(tmp_path / "archive.db") as db:
        assert db.execute("SELECT status FROM parses").fetchall() == [("ok",)]
