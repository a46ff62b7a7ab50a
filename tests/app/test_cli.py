"""The command line, run in-process with click's runner."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from replica.catalog import catalog


def _demo(data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "demo", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_demo_crawls_two_nights_of_the_replica_and_shows_what_changed(
    tmp_path: Path,
) -> None:
    data = tmp_path / "demo"
    # what an earlier demo left (its runs crawled the replica): the demo starts afresh
    data.mkdir()
    with sqlite3.connect(data / "archive.db") as db:
        db.execute("CREATE TABLE runs (target TEXT)")
        db.execute("INSERT INTO runs VALUES ('replica night 2')")
    (data / "left-by-the-last-demo").touch()
    first = _demo(data)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "run 1 complete: " in first.stdout
    assert "run 2 complete: " in first.stdout
    assert not (data / "left-by-the-last-demo").exists()
    # every report the replica publishes on night 1, and nothing else
    assert f"), {len(catalog(1).manifest())} reports, " in first.stderr
    assert "new_report: 威海临港经济技术开发区草庙子镇人民政府 2024" in first.stdout
    assert "changed: 威海火炬高技术产业开发区经济发展局 2022" in first.stdout
    assert "republished: 安丘市景芝镇人民政府 2022" in first.stdout


def test_demo_never_wipes_an_archive_of_real_crawls(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "archive.db") as db:
        db.execute("CREATE TABLE runs (target TEXT)")
        db.execute("INSERT INTO runs VALUES ('real sites')")
    done = _demo(tmp_path)
    assert done.returncode == 1
    assert "holds an archive of real crawls" in done.stderr
    assert (tmp_path / "archive.db").exists()


def test_manifest_prints_one_json_object_per_report() -> None:
    result = CliRunner().invoke(
        cli, ["replica", "manifest", "--epoch", "2", "--tables"]
    )
    assert result.exit_code == 0
    entries = [json.loads(line) for line in result.output.splitlines()]
    assert [e["key"] for e in entries] == [e["key"] for e in catalog(2).manifest()]
    edited = next(e for e in entries if e["key"] == "whctp-jjfz/2022")
    assert edited["tables"]["active"]["penalty"] == {"decisions": 15}


def test_an_epoch_out_of_range_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["replica", "manifest", "--epoch", "0"])
    assert result.exit_code == 2
    assert (
        "Invalid value for '--epoch': 0 is not in the range 1<=x<=99" in result.output
    )


def test_check_reports_every_file_served() -> None:
    result = CliRunner().invoke(cli, ["replica", "check", "--epoch", "4"])
    assert result.exit_code == 0, result.output
    assert f"replica check: {len(catalog(4).manifest())} reports" in result.output
