"""`replica serve --casebook` serves the casebook's hosts beside the default replica:
its manifest tells scans, copies and control pairs, its files are the bytes
``replica.casebook.cases()`` gives, and everything else is served as without it."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner

from app.standin import StandIn, start_replica
from crawler.registry import load_file
from replica.casebook import Case, cases
from replica.catalog import catalog
from replica.cli import replica
from replica.client import fetch, request_raw
from replica.site import MEDIA_TYPES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

CASES = {case.key: case for case in cases()}
HOSTS = ("www.linqu.gov.cn", "www.zhucheng.gov.cn")


@pytest.fixture(scope="module")
def casebook_replica() -> Iterator[StandIn]:
    standin = start_replica(["--casebook"])
    yield standin
    assert standin.stop(signal.SIGTERM, timeout=20) == 0


def served_manifest(standin: StandIn, epoch: int = 1) -> list[dict]:
    """The manifest the running replica serves (its control page, with tables)."""
    url = f"{standin.proxy}/_replica/manifest?tables=1&epoch={epoch}"
    text = request_raw(standin.proxy, "GET", url).body.decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def as_json(value: object) -> object:
    return json.loads(json.dumps(value, ensure_ascii=False))


def test_the_manifest_adds_the_casebook_and_keeps_every_other_entry(
    casebook_replica: StandIn,
) -> None:
    entries = served_manifest(casebook_replica)
    casebook = [e for e in entries if e.get("casebook")]
    others = [e for e in entries if not e.get("casebook")]
    assert len(casebook) == len(CASES) == 28
    assert {e["site"] for e in casebook} == set(HOSTS)
    assert others == as_json(catalog(1).manifest(tables=True))


def test_the_manifest_tells_each_casebook_reports_scan_copy_pair_and_figures(
    casebook_replica: StandIn,
) -> None:
    for entry in served_manifest(casebook_replica):
        if not entry.get("casebook"):
            continue
        case = CASES[entry["key"]]
        facts = as_json(case.facts())
        assert {k: entry[k] for k in facts} == facts
        assert entry["form"] == case.form
        assert entry["title"] == case.report.title
        figures = case.report.figures
        assert entry["tables"] == as_json(
            {
                "active": figures.active,
                "applications": figures.applications,
                "appeals": figures.appeals,
            }
        )
    scanned = [e for e in served_manifest(casebook_replica) if e.get("scanned")]
    assert {e["scanned"]["format"] for e in scanned} == {"pdf", "docx"}
    assert all(e["scanned"]["dpi"] in (150, 200, 300) for e in scanned)


def test_the_casebook_is_the_same_on_every_night(casebook_replica: StandIn) -> None:
    def casebook(epoch: int) -> list[dict]:
        return [
            e for e in served_manifest(casebook_replica, epoch) if e.get("casebook")
        ]

    assert casebook(2) == casebook(1)


def test_every_casebook_file_is_served_as_the_manifest_and_cases_say(
    casebook_replica: StandIn,
) -> None:
    served = 0
    for entry in served_manifest(casebook_replica):
        if not entry.get("casebook"):
            continue
        case: Case = CASES[entry["key"]]
        for item in entry["files"]:
            got = fetch(casebook_replica.proxy, item["url"])
            assert got.status == 200, item["url"]
            assert hashlib.sha256(got.body).hexdigest() == item["sha256"]
            media = got.headers["Content-Type"]
            if item["format"] == "html":
                assert media.startswith("text/html")
                continue
            assert media == MEDIA_TYPES[item["format"]]
            assert item["format"] == case.file_format
            assert got.body == case.document()
            served += 1
    assert served == sum(1 for c in CASES.values() if c.file_format)


def _titles(standin: StandIn, url: str, seen: set[str]) -> set[str]:
    """Every item title of a TRS list and the lists it links (its columns, its pages)."""
    if url in seen:
        return set()
    seen.add(url)
    page = fetch(standin.proxy, url)
    assert page.status == 200, url
    html = page.body.decode("utf-8")
    titles = set(re.findall(r'title="([^"]+)"', html))
    links = re.findall(r'href="(\./[a-z]+/|index_\d+\.html)"', html)
    count = re.search(r"var countPage = (\d+)|createPageHTML\((\d+),", html)
    pages = int(next(g for g in count.groups() if g)) if count else 1
    links += [f"index_{n}.html" for n in range(1, pages)]
    for link in links:
        titles |= _titles(standin, urljoin(url, link), seen)
    return titles


def test_the_casebooks_lists_link_every_casebook_report(
    casebook_replica: StandIn,
) -> None:
    for host in HOSTS:
        root = f"http://{host}/xxgk/XXGK/XXGKNB/index.html"
        listed = _titles(casebook_replica, root, set())
        wanted = {c.report.list_title for c in CASES.values() if c.site == host}
        assert wanted <= listed, sorted(wanted - listed)


def test_the_manifest_command_prints_the_casebook_with_casebook(
    casebook_replica: StandIn,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "replica", "manifest", "--casebook", "--tables"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert printed == served_manifest(casebook_replica)


def test_casebook_sources_is_a_registry_the_crawler_reads(
    tmp_path: Path, casebook_replica: StandIn
) -> None:
    out = tmp_path / "data" / "sources.toml"
    result = CliRunner().invoke(replica, ["casebook-sources", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"2 sources written to {out}\n"
    sources = load_file(out)
    assert [(s.id, s.family, s.body) for s in sources] == [
        ("casebook-linqu", "trs", "临朐县人民政府"),
        ("casebook-zhucheng", "trs", "诸城市人民政府"),
    ]
    for source in sources:
        assert fetch(casebook_replica.proxy, source.start_urls[0]).status == 200
