"""The command line, run in-process with click's runner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli


def test_demo_runs_against_the_replica_and_says_what_is_next() -> None:
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "replica check: 124 reports, 165 files" in result.output
    assert (
        "all files served with status 200 and the manifest's SHA-256" in result.output
    )
    assert "Next:" in result.output


def test_manifest_prints_one_json_object_per_report() -> None:
    result = CliRunner().invoke(
        cli, ["replica", "manifest", "--epoch", "2", "--tables"]
    )
    assert result.exit_code == 0
    entries = [json.loads(line) for line in result.output.splitlines()]
    assert len(entries) == 124
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
    assert "replica check: 124 reports" in result.output
