"""The five seed reports as the replica publishes them (HTML, PDF, DOCX): every value exact.

The replica prints each seed's figures (``replica/data/seeds/seeds.yaml``, read off
the seed texts by hand) into real documents; what it printed is in its manifest, so
the expected values are known without asking a parser.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from processors.identity import Hints
from processors.parse import parse
from replica.catalog import catalog
from replica.corpus import build_report
from replica.render_docx import report_docx
from replica.render_html import report_body_html
from replica.render_pdf import report_pdf

SEEDS = (
    "wip-maoshan/2021",
    "anqiu-wushan/2020",
    "wip-wangtuan/2023",
    "whctp-gw/2021",
    "penglai-daxindian/2022",
)


@cache
def printed() -> dict[str, dict[str, Any]]:
    """Manifest entries (what the replica printed) by report key."""
    return {e["key"]: e for e in catalog(1).manifest(tables=True)}


def _render(key: str, form: str) -> tuple[bytes, str]:
    report = build_report(key)
    if form == "html":
        page = f"<html><head><meta charset='utf-8'></head><body>{report_body_html(report)}</body></html>"
        return page.encode(), "text/html"
    if form == "pdf":
        return report_pdf(report), "application/pdf"
    return report_docx(report), ""


def test_the_manifest_names_the_five_seeds() -> None:
    assert sorted(k for k, e in printed().items() if e["seed"]) == sorted(SEEDS)


@pytest.mark.parametrize("form", ["html", "pdf", "docx"])
@pytest.mark.parametrize("key", SEEDS)
def test_a_seed_rendering_gives_back_every_printed_value(key: str, form: str) -> None:
    entry = printed()[key]
    data, media_type = _render(key, form)
    # The archive passes the body its crawl found (the source's); the document may
    # name only the town (郚山镇人民政府 for 安丘市郚山镇人民政府).
    parsed = parse(data, media_type, hints=Hints(body=entry["body"]))
    assert (parsed.body, parsed.year, parsed.template) == (
        entry["body"],
        entry["year"],
        entry["template"],
    )
    assert parsed.title == entry["title"]
    tables = entry["tables"]
    assert parsed.active == tables["active"]
    assert parsed.applications == tables["applications"]
    assert parsed.appeals == tables["appeals"]
    assert [c.name for c in parsed.checks if not c.ok] == []


def test_the_whctp_2021_seed_pdf_figures_journalists_quote() -> None:
    parsed = parse(_render("whctp-gw/2021", "pdf")[0])
    assert parsed.active is not None
    assert parsed.applications is not None
    assert parsed.appeals is not None
    assert parsed.active["licensing"] == {"decisions": 27960}
    assert parsed.active["fees"] == {"amount_10k_yuan": 13914.44}
    assert parsed.applications["new_received"]["total"] == 10
    assert {
        row: cells["total"]
        for row, cells in parsed.applications.items()
        if row not in ("new_received", "total_handled") and cells["total"]
    } == {
        "granted": 1,
        "partly_granted": 1,
        "withheld_process_info": 2,
        "unavailable_not_held": 5,
        "other_no_correction": 1,
    }
    assert parsed.appeals["review"] == {
        "upheld": 1,
        "corrected": 1,
        "other": 0,
        "pending": 0,
        "total": 2,
    }
