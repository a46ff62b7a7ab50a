"""`nianbao similar` and copy detection after processing: the command updates or
rebuilds and lists the copies from the configured similarity; processing a version
brings copy detection up to date; the threshold's configuration key."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.config import ALERTS_ENV, CONFIG_ENV, ConfigError, load_config
from app.process import process_versions
from tests.similar_reports import (
    GAOQU,
    OTHER_BODY,
    RENAMED,
    SEED_REPORTS,
    add_report,
    copy_of,
    empty_archive,
    seed_text,
    twins,
)

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALERTS_ENV, raising=False)
    monkeypatch.delenv(CONFIG_ENV, raising=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """An archive of the five seeds and another zone's copy of 高区's report."""
    archive = empty_archive(tmp_path)
    for name, (body, year) in SEED_REPORTS.items():
        add_report(archive, body, year, seed_text(name))
    add_report(archive, OTHER_BODY, 2021, copy_of(seed_text(GAOQU), names=RENAMED))
    archive.close()
    return tmp_path


def test_similar_signs_the_archive_and_lists_the_copies(data: Path) -> None:
    first = CliRunner().invoke(cli, ["similar", "--data", str(data)])
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0].startswith(
        "similarity rebuilt: 6 reports signed (0 with too little own text), 6 matched,"
        " 1 pairs compared in "
    )
    assert lines[1:] == [
        "1 pairs of reports of different bodies at least 80% similar"
        " (alerts.copied_similarity):",
        "  威海火炬高技术产业开发区管理委员会 2021 ↔ 威海经济技术开发区管理委员会 2021: 99%"
        " (reports 4, 6)",
    ]
    again = CliRunner().invoke(cli, ["similar", "--data", str(data)])
    assert again.stdout.startswith("similarity updated: 0 reports signed")
    rebuilt = CliRunner().invoke(cli, ["similar", "--data", str(data), "--rebuild"])
    assert rebuilt.stdout.startswith("similarity rebuilt: 6 reports signed")
    assert "similar: twins 6 of 6" in rebuilt.stderr


def test_the_list_follows_the_configured_similarity(data: Path) -> None:
    (data / "nianbao.toml").write_text("[alerts]\ncopied_similarity = 0.99\n")
    done = CliRunner().invoke(cli, ["similar", "--data", str(data)])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[1] == (
        "0 pairs of reports of different bodies at least 99% similar"
        " (alerts.copied_similarity)"
    )


def test_processing_brings_copy_detection_up_to_date(data: Path) -> None:
    from archive.db import open_archive

    archive = open_archive(data)
    try:
        summary = process_versions(archive)  # no version to parse; the texts are new
        assert summary.line().endswith(
            " compared in " + summary.line().rsplit(" in ")[-1]
        )
        assert "similarity rebuilt: 6 reports signed" in summary.line()
        assert set(twins(archive)) == {(4, "other_body"), (6, "other_body")}
        assert "similarity" not in process_versions(archive).line()  # nothing new
    finally:
        archive.close()


@pytest.mark.parametrize("value", ["0", "1.5", "-0.2", '"high"'])
def test_copied_similarity_is_a_share(tmp_path: Path, value: str) -> None:
    path = tmp_path / "nianbao.toml"
    path.write_text(f"[alerts]\ncopied_similarity = {value}\n")
    with pytest.raises(ConfigError, match=r"alerts\.copied_similarity"):
        load_config(tmp_path)


def test_copied_similarity_defaults_to_eighty_percent(tmp_path: Path) -> None:
    assert load_config(tmp_path).alerts.copied_similarity == 0.8
    (tmp_path / "nianbao.toml").write_text("[alerts]\ncopied_similarity = 1\n")
    assert load_config(tmp_path).alerts.copied_similarity == 1.0
