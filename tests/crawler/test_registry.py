"""The sources registry: the default entries, and clear errors for malformed ones."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from app.cli import cli
from crawler.registry import FAMILIES, SITES_DIR, RegistryError, load_registry, select
from replica.fleet import Fleet
from replica.spec import load_spec


def test_the_default_registry_holds_the_seed_sources_and_pingtan() -> None:
    sources = {s.id: s for s in load_registry()}
    assert set(sources) >= {"wip", "whctp", "penglai", "anqiu", "pingtan"}
    assert {s.family for s in sources.values()} == set(FAMILIES)
    assert sources["penglai"].evidence == "inferred"
    assert sources["pingtan"].quirk("js_list") is True
    assert sources["wip"].hosts == frozenset({"www.wip.gov.cn"})


def test_every_source_is_a_replica_host_and_every_replica_host_a_source() -> None:
    """The shipped registry and the replica describe the same sites, so every source
    is crawled in the tests."""
    starts = {urlsplit(s.start_urls[0]).hostname for s in load_registry()}
    assert starts == {site.host for site in load_spec().sites}


def _registry(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sites").mkdir(parents=True)
    (tmp_path / "sites" / "bad.toml").write_text(text, encoding="utf-8")
    return tmp_path / "sites"


def test_a_missing_field_names_file_entry_and_field(tmp_path: Path) -> None:
    broken = (
        (SITES_DIR / "trs.toml")
        .read_text(encoding="utf-8")
        .replace('level = "county"\n', "")
    )
    with pytest.raises(
        RegistryError,
        match=r"sites/bad\.toml: source\[0\] \(id 'anqiu'\): missing field 'level'",
    ):
        load_registry(_registry(tmp_path, broken))


def test_a_bad_value_names_the_allowed_ones(tmp_path: Path) -> None:
    broken = (
        (SITES_DIR / "trs.toml")
        .read_text(encoding="utf-8")
        .replace('family = "trs"', 'family = "wordpress"')
    )
    with pytest.raises(
        RegistryError,
        match=rf"field 'family' must be one of {re.escape(str(FAMILIES))}",
    ):
        load_registry(_registry(tmp_path, broken))


def test_a_bad_url_and_bad_toml_are_named(tmp_path: Path) -> None:
    broken = (
        (SITES_DIR / "trs.toml")
        .read_text(encoding="utf-8")
        .replace("http://www.anqiu", "ftp://www.anqiu")
    )
    with pytest.raises(
        RegistryError, match=r"field 'start_urls' has 'ftp://www\.anqiu"
    ):
        load_registry(_registry(tmp_path, broken))
    with pytest.raises(RegistryError, match=r"sites/bad\.toml: not valid TOML"):
        load_registry(_registry(tmp_path / "x", "[[source]\nid = 1"))


def test_selecting_an_unknown_source_lists_the_known_ones() -> None:
    with pytest.raises(
        RegistryError,
        match=r"unknown source id\(s\) \['nowhere'\]; known: \[.*'anqiu', .*'wip'",
    ):
        select(load_registry(), ("nowhere",))


def test_patterns_select_many_sources_and_a_pattern_matching_none_is_an_error(
    tmp_path: Path,
) -> None:
    user = tmp_path / "sources.toml"
    user.write_text(Fleet(hosts=12, columns=10).sources_toml(), encoding="utf-8")
    merged = load_registry(user=user)
    assert len(select(merged, ("fleet*",))) == 120
    assert [s.id for s in select(merged, ("fleet0012-?zf", "wip"))] == [
        "fleet0012-xzf",
        "wip",
    ]
    with pytest.raises(RegistryError) as raised:
        select(merged, ("fleet0013-*",))
    message = str(raised.value)
    assert message.startswith("unknown source id(s) ['fleet0013-*']; known: [")
    assert message.endswith(f" and {len(merged) - 50} more")  # not 150 ids


def test_sources_command_lists_every_source_with_its_evidence() -> None:
    result = CliRunner().invoke(cli, ["sources"])
    assert result.exit_code == 0
    assert (
        "penglai   hanweb    county     inferred   烟台市蓬莱区人民政府"
        in result.output
    )
    assert "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/" in result.output


def test_crawl_with_an_unknown_source_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["crawl", "--source", "nowhere", "--data", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "Error: unknown source id(s) ['nowhere']" in result.output
