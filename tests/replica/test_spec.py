"""The site spec loads, covers what the issue asks for, and rejects bad entries clearly."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest
import yaml

from replica.catalog import catalog
from replica.spec import SPEC_PATH, SpecError, load_spec

if TYPE_CHECKING:
    from pathlib import Path


def test_spec_has_the_five_real_hosts_of_the_default_registry() -> None:
    spec = load_spec()
    assert {(s.host, s.family, s.scheme) for s in spec.sites} >= {
        ("www.wip.gov.cn", "hanweb", "http"),
        ("www.whctp.gov.cn", "hanweb", "http"),
        ("www.penglai.gov.cn", "hanweb_xxgk", "http"),
        ("www.anqiu.gov.cn", "trs", "http"),
        ("www.pingtan.gov.cn", "fujian", "https"),
    }


def test_the_replica_has_ten_family_variants_on_twelve_hosts_and_six_unknown_sites() -> (
    None
):
    """Issue 12: families (their variants are builders, or TRS's ``variant`` option)
    on at least 12 hosts, and at least 6 sites no family spider is written for."""
    spec = load_spec()
    known = [s for s in spec.sites if not s.family.startswith("odd_")]
    variants = {(s.family, s.options.get("variant")) for s in known}
    assert len(known) >= 12
    assert len(variants) >= 10
    assert len([s for s in spec.sites if s.family.startswith("odd_")]) >= 6
    hosts = [s.host for s in spec.sites]
    assert len(hosts) == len(set(hosts))


def test_corpus_has_at_least_60_synthetic_reports_2019_to_2024_in_every_layout() -> (
    None
):
    synthetic = [e for e in catalog(1).manifest() if e["site"] != "www.pingtan.gov.cn"]
    assert len(synthetic) >= 60
    assert {e["year"] for e in synthetic} == set(range(2019, 2025))
    assert set(Counter(e["template"] for e in synthetic)) == {"2021", "2019", "free"}
    assert set(Counter(e["form"] for e in synthetic)) == {
        "html",
        "html_pdf",
        "stub_pdf",
        "stub_docx",
        "pdf_only",
        "docx_only",
    }


def test_the_five_seed_reports_are_published_under_their_real_bodies() -> None:
    seeds = {
        e["seed"]: (e["body"], e["year"], e["template"])
        for e in catalog(1).manifest()
        if e["seed"]
    }
    assert seeds == {
        "000_731837a222905f1b": ("威海临港经济技术开发区蔄山镇人民政府", 2021, "2021"),
        "001_108774158328b12b": ("安丘市郚山镇人民政府", 2020, "2019"),
        "002_62990b8acc293912": ("威海临港经济技术开发区汪疃镇人民政府", 2023, "2021"),
        "003_f93b7a0726ae97a9": ("威海火炬高技术产业开发区管理委员会", 2021, "2021"),
        "004_732243d8bfa41975": ("蓬莱区大辛店镇人民政府", 2022, "2021"),
    }


def test_every_real_world_defect_is_present_once() -> None:
    """On the five core hosts (sites.yaml); the family hosts add their own titles
    without a body or a year."""
    core = {s["host"] for s in yaml.safe_load(SPEC_PATH.read_text("utf-8"))["sites"]}
    defects = Counter(
        d for e in catalog(1).manifest() if e["site"] in core for d in e["defects"]
    )
    assert defects == {
        "unbalanced": 2,  # anqiu-fgj/2021 and the real Pingtan 2020 report
        "blank_cells": 1,
        "no_body_in_title": 1,
        "no_year_in_title": 1,
        "year_typo": 1,
    }
    late_template = [
        e["key"]
        for e in catalog(1).manifest()
        if e["year"] >= 2021 and e["template"] == "2019"
    ]
    assert late_template == ["penglai-beigou/2022"]


def _broken_spec(tmp_path: Path, old: str, new: str) -> Path:
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "sites.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_body_without_level_is_named_with_its_site_and_field(tmp_path: Path) -> None:
    path = _broken_spec(tmp_path, "short: 临港区, level: county,", "short: 临港区,")
    with pytest.raises(
        SpecError,
        match=r"sites\.yaml: site www\.wip\.gov\.cn: bodies\[0\]: missing field 'level'",
    ):
        load_spec(path)


def test_an_unknown_form_is_named_with_its_report(tmp_path: Path) -> None:
    path = _broken_spec(
        tmp_path, "wip-gw/2022: {form: html_pdf}", "wip-gw/2022: {form: flipbook}"
    )
    with pytest.raises(
        SpecError, match=r"report 'wip-gw/2022' field 'form' must be one of"
    ):
        load_spec(path)


def test_a_change_naming_an_unpublished_report_is_rejected(tmp_path: Path) -> None:
    path = _broken_spec(
        tmp_path, "removed: anqiu-linghe/2020", "removed: anqiu-linghe/2030"
    )
    with pytest.raises(
        SpecError,
        match=r"changes\.removed: 'anqiu-linghe/2030' is not a published report",
    ):
        load_spec(path)
