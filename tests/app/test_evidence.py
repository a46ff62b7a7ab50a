"""`nianbao evidence` and `nianbao export` (issue 13, point 5) on a private copy of the
night-2 archive, through click's runner: the file they write, by default and with
-o, and one plain line with exit status 2 for what the archive does not have."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from archive.evidence import evidence_file_name


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, night2: Path) -> Path:
    target = tmp_path_factory.mktemp("cli-evidence") / "archive"
    shutil.copytree(night2, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target


def report_id(data: Path, body: str, year: int) -> int:
    with closing(sqlite3.connect(data / "archive.db")) as db:
        ((found,),) = db.execute(
            "SELECT id FROM reports WHERE body = ? AND year = ?", (body, year)
        ).fetchall()
    return int(found)


def test_evidence_writes_the_zip_named_for_the_report_in_the_current_directory(
    data: Path,
    manifest: dict[str, dict],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = manifest["whctp-jjfz/2022"]
    report = report_id(data, entry["body"], entry["year"])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["evidence", str(report), "--data", str(data)])
    assert result.exit_code == 0, result.output
    name = evidence_file_name(entry["body"], entry["year"])
    assert result.stdout.startswith(f"wrote {name}: {entry['body']} 2022: ")
    with zipfile.ZipFile(tmp_path / name) as archive:
        assert len(archive.namelist()) == 6  # 4 evidence files + 2 versions


def test_evidence_takes_a_files_url_and_writes_where_o_says(
    data: Path, manifest: dict[str, dict], tmp_path: Path
) -> None:
    entry = manifest["anqiu-jingzhi/2022"]  # its PDF was re-saved on night 2
    (pdf,) = entry["files"]
    result = CliRunner().invoke(
        cli,
        ["evidence", pdf["url"], "--data", str(data), "-o", str(tmp_path / "j.zip")],
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "j.zip") as archive:
        pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    stem = f"{entry['body']}_2022年_政府信息公开工作年度报告"
    assert pdfs == [f"{stem}_v1.pdf", f"{stem}_v2.pdf"]


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
def test_an_unknown_report_is_one_line_and_exit_status_2(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["evidence", ref, "--data", str(data)])
    assert result.exit_code == 2
    assert result.output == f"Error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_export_writes_a_wacz_of_one_run_with_progress_on_stderr(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with closing(sqlite3.connect(data / "archive.db")) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM captures WHERE run_id = 2"
        ).fetchone()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["export", "wacz", "--run", "2", "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert f"export: {count} of {count} captures" in result.stderr
    assert result.stdout.startswith(f"wrote nianbao-run2.wacz: {count} captures")
    assert [p.name for p in tmp_path.iterdir()] == ["nianbao-run2.wacz"]


def test_export_of_an_unknown_run_is_exit_status_2(data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "export",
            "warc",
            "--run",
            "999",
            "--data",
            str(data),
            "-o",
            str(tmp_path / "x"),
        ],
    )
    assert result.exit_code == 2
    assert result.output == "Error: no run 999 in the archive\n"
    assert not (tmp_path / "x").exists()
