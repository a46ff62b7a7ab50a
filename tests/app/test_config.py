"""The configuration file and environment: defaults, channels, and errors that name the key."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from alerts.config import Channel, channel_name
from app.cli import cli
from app.config import (
    ALERTS_ENV,
    CONFIG_ENV,
    ConfigError,
    CrawlTuning,
    ParseLimits,
    load_config,
)
from processors.deadlines import Deadlines

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALERTS_ENV, raising=False)
    monkeypatch.delenv(CONFIG_ENV, raising=False)


def test_no_file_means_nightly_at_two_in_shanghai_and_no_channels(
    tmp_path: Path,
) -> None:
    config = load_config(tmp_path)
    assert config.path is None
    assert (config.schedule.cron, config.schedule.timezone) == (
        "0 2 * * *",
        "Asia/Shanghai",
    )
    assert config.alerts.channels == ()
    assert config.deadlines.due("town", 2025) == "2026-01-31"
    assert config.deadlines.due("department", 2025) == "2026-01-31"
    assert config.deadlines.due("county", 2025) == "2026-03-31"


def test_the_data_folders_file_with_channels_and_the_environments_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nianbao.toml").write_text(
        """
[schedule]
cron = "30 3 * * *"
crawl_args = ["--source", "wip"]

[alerts]
datasette_url = "https://nianbao.example.org"
retry_seconds = 5

[[alerts.channels]]
name = "newsroom"
url = "json://127.0.0.1:9000/hook"
regions = ["山东省威海市"]
kinds = ["new_report", "changed"]

[deadlines]
government = "04-15"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv(ALERTS_ENV, "mailto://a:b@127.0.0.1 json://127.0.0.1:9001/")
    config = load_config(tmp_path)
    assert config.schedule.cron == "30 3 * * *"
    assert config.schedule.crawl_args == ("--source", "wip")
    assert config.alerts.retry_seconds == 5.0
    assert config.alerts.datasette_url == "https://nianbao.example.org"
    assert [c.name for c in config.alerts.channels] == [
        "newsroom",
        channel_name("mailto://a:b@127.0.0.1"),
        channel_name("json://127.0.0.1:9001/"),
    ]
    assert config.deadlines == Deadlines(department="01-31", government="04-15")
    assert channel_name("mailto://a:b@127.0.0.1").startswith("mailto-")
    assert "b@" not in channel_name("mailto://a:b@127.0.0.1")  # no secrets in names


def test_a_channel_narrowed_by_region_body_and_kind() -> None:
    channel = Channel(
        url="json://x",
        name="x",
        regions=("山东省威海市",),
        bodies=(),
        kinds=("new_report",),
    )
    assert channel.wants("new_report", "山东省威海市", "某镇人民政府")
    assert not channel.wants("changed", "山东省威海市", "某镇人民政府")
    assert not channel.wants("new_report", "山东省潍坊市", "某镇人民政府")
    by_body = Channel(url="json://x", name="x", bodies=("安丘市人民政府",))
    assert by_body.wants("late", "山东省潍坊市", "安丘市人民政府")
    assert not by_body.wants("late", "山东省潍坊市", "安丘市景芝镇人民政府")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[schedule]\ncorn = '0 2 * * *'\n", "unknown key schedule.corn"),
        ("[alerts]\nretry_seconds = 'soon'\n", "alerts.retry_seconds must be float"),
        ("[[alerts.channels]]\nname = 'x'\n", "alerts.channels[0] needs a url"),
        (
            "[[alerts.channels]]\nurl = 'json://x'\nkinds = ['new']\n",
            "alerts.channels[0].kinds: unknown kind 'new'",
        ),
        ("[deadlines]\ndepartment = 'Jan 31'\n", "deadlines.department must be MM-DD"),
        ("[schedule\n", "not valid TOML"),
        ("[scheduel]\ncron = '0 3 * * *'\n", "unknown section [scheduel]"),
        ("[sources]\nfile = 3\n", "sources.file must be str"),
    ],
)
def test_a_malformed_file_names_itself_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "nianbao.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_an_explicit_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path, tmp_path / "missing.toml")


def test_the_users_registry_is_in_the_data_folder_or_where_the_config_says(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    assert load_config(data).user_registry(data) == data / "sources.toml"
    config = tmp_path / "etc" / "nianbao.toml"
    config.parent.mkdir()
    config.write_text("[sources]\nfile = 'mine/sources.toml'\n", encoding="utf-8")
    assert load_config(data, config).user_registry(data) == (
        tmp_path / "etc" / "mine" / "sources.toml"
    )
    config.write_text(
        f"[sources]\nfile = '{tmp_path / 'abs.toml'}'\n", encoding="utf-8"
    )
    assert load_config(data, config).user_registry(data) == tmp_path / "abs.toml"


def test_parse_workers_default_to_the_cpus_the_process_may_use() -> None:
    """Two workers of a crawl pinned to one core would share it (the bench pinned its
    crawls to CPU 1 and their two parse workers ran at half speed each)."""
    import shutil
    import subprocess
    import sys

    assert shutil.which("taskset"), "taskset (util-linux) is part of the set-up"
    probe = "from app.config import ParseLimits; print(ParseLimits.from_env().workers)"
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_PARSE_WORKERS"}
    pinned = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert pinned.stdout.strip() == "1"
    free = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert free.stdout.strip() == str(len(os.sched_getaffinity(0)))


@pytest.mark.parametrize(
    ("value", "during"),
    [
        (None, True),
        ("0", False),
        ("off", False),
        ("No", False),
        ("1", True),
        ("yes", True),
    ],
)
def test_parsing_during_the_crawl_is_on_unless_switched_off(
    monkeypatch: pytest.MonkeyPatch, value: str | None, during: bool
) -> None:
    if value is None:
        monkeypatch.delenv("NIANBAO_PARSE_DURING_CRAWL", raising=False)
    else:
        monkeypatch.setenv("NIANBAO_PARSE_DURING_CRAWL", value)
    assert ParseLimits.from_env().during_crawl is during


def test_a_switch_that_is_neither_on_nor_off_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NIANBAO_PARSE_DURING_CRAWL", "sometimes")
    with pytest.raises(
        ValueError, match="NIANBAO_PARSE_DURING_CRAWL='sometimes': expected 1 or 0"
    ):
        ParseLimits.from_env()


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("NIANBAO_RETRY_TIMES", "x", "expected a whole number of 0 or more"),
        ("NIANBAO_PARSE_TIMEOUT", "0", "expected a number above 0"),
        ("NIANBAO_PARSE_WORKERS", "1.5", "expected a whole number above 0"),
        ("NIANBAO_DOWNLOAD_TIMEOUT", "nan", "expected a number above 0"),
        ("NIANBAO_REDIS_TIMEOUT", "0", "expected a number above 0"),
        (
            "NIANBAO_PARSE_DURING_CRAWL",
            "maybe",
            "expected 1 or 0 (yes/no, true/false, on/off)",
        ),
    ],
)
def test_a_wrong_setting_is_said_in_one_line_before_any_run_starts(
    tmp_path: Path, name: str, value: str, said: str
) -> None:
    result = CliRunner().invoke(
        cli, ["crawl", "--replica", "--data", str(tmp_path / "a")], env={name: value}
    )
    assert result.exit_code == 1
    assert result.output == f"Error: {name}={value!r}: {said}\n"
    assert not (tmp_path / "a").exists()


def test_zero_retries_and_no_free_space_floor_are_settings_not_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NIANBAO_RETRY_TIMES", "0")
    monkeypatch.setenv("NIANBAO_MIN_FREE_MB", "0")
    tuning = CrawlTuning.from_env()
    assert (tuning.retries, tuning.min_free_mb) == (0, 0)


def test_redis_s_timeout_reaches_the_workers_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app.crawl import CrawlPlan
    from app.fetch import scrapy_settings

    monkeypatch.setenv("NIANBAO_REDIS_TIMEOUT", "2.5")
    tuning = CrawlTuning.from_env()
    assert tuning.redis_timeout == 2.5
    plan = CrawlPlan(sources=[], data=tmp_path, tuning=tuning)
    assert scrapy_settings(plan, 1).getfloat("NIANBAO_REDIS_TIMEOUT") == 2.5
