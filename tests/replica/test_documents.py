"""Report files are real documents: PDFs with CID-font Chinese and ruled tables, Word
files with real tables, HTML pasted from Word — and the same bytes every time."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import docx
import pdfplumber
import pytest

from replica.catalog import catalog
from replica.corpus import report_at
from replica.render_docx import report_docx
from replica.render_pdf import report_pdf

MANIFEST = catalog(1).manifest()


def _file_bytes(url: str) -> bytes:
    host = url.split("/")[2]
    return catalog(1).sites[host].fetch(url).body


def _files(fmt: str) -> list[tuple[dict, dict]]:
    return [(e, f) for e in MANIFEST for f in e["files"] if f["format"] == fmt]


@pytest.mark.parametrize(
    ("entry", "item"), _files("pdf"), ids=lambda x: x.get("key", "")
)
def test_every_pdf_is_cid_font_chinese_with_ruled_tables(
    entry: dict, item: dict
) -> None:
    data = _file_bytes(item["url"])
    # A Type0 font over a CIDFontType0 with Adobe-GB1 ordering: the kind WPS writes.
    assert b"/Subtype /Type0" in data
    assert b"/Subtype /CIDFontType0" in data
    assert b"/Ordering (GB1)" in data
    assert b"/Encoding /UniGB-UCS2-H" in data
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert (
            pdf.metadata["Title"] == "政府信息公开工作年度报告"
        )  # generic, like real PDFs
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
        assert fonts == {"STSongStd-Light"}
        text = "".join(page.extract_text() for page in pdf.pages)
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    assert re.search(r"[\u4e00-\u9fff]{20}", text)
    if entry["template"] != "free":
        assert any(row[0] == "信息内容" for t in tables for row in t)
        assert any(
            "行政复议" in (cell or "") for t in tables for row in t for cell in row
        )


@pytest.mark.parametrize(
    ("entry", "item"), _files("docx"), ids=lambda x: x.get("key", "")
)
def test_every_docx_is_a_word_file_with_the_three_tables(
    entry: dict, item: dict
) -> None:
    document = docx.Document(io.BytesIO(_file_bytes(item["url"])))
    assert document.core_properties.title == "政府信息公开工作年度报告"
    expected = 0 if entry["template"] == "free" else 3
    assert len(document.tables) == expected
    if expected:
        labels = [row.cells[0].text for row in document.tables[1].rows]
        assert "一、本年新收政府信息公开申请数量" in labels
        assert "四、结转下年度继续办理" in labels


def test_the_seed_report_of_weihai_gaoqu_prints_its_real_figures_in_its_pdf() -> None:
    entry = next(e for e in MANIFEST if e["key"] == "whctp-gw/2021")
    pdf_url = next(f["url"] for f in entry["files"] if f["format"] == "pdf")
    with pdfplumber.open(io.BytesIO(_file_bytes(pdf_url))) as pdf:
        rows = [row for page in pdf.pages for t in page.extract_tables() for row in t]
        text = pdf.pages[0].extract_text()
        lines = [
            line for page in pdf.pages for line in page.extract_text().splitlines()
        ]
    assert text.startswith(
        "威海火炬高技术产业开发区管理委员会\n2021年政府信息公开工作年度报告"
    )
    assert ["行政许可", "27960", None, None] in rows
    # This row ends up alone at the top of a page, where pdfplumber sees no table:
    # a real hazard of PDF tables that run over a page break.
    assert "行政事业性收费 13914.44" in lines
    assert ["行政规范性文件", "5", "3", "15"] in rows
    assert [
        "一、本年新收政府信息公开申请数量",
        "10",
        "0",
        "0",
        "0",
        "0",
        "0",
        "10",
    ] in [[c for c in row if c is not None] for row in rows]


def test_html_tables_are_word_pasted_with_rowspan_split_labels_and_nbsp() -> None:
    site = catalog(1).sites["www.wip.gov.cn"]
    entry = next(e for e in MANIFEST if e["key"] == "wip-qingshan/2022")
    html = site.fetch(entry["files"][0]["url"]).body.decode("utf-8")
    assert (
        'rowspan="22"' in html
    )  # 三、本年度办理结果 spans the 22 result rows (2021 template)
    assert ">三、本</span></p>" in html
    assert ">年度办</span></p>" in html
    assert re.search(
        r'<td[^>]*style="[^"]*border:solid windowtext', html
    )  # inline styles per cell
    assert (
        "&nbsp;</span></p></td>" in html
    )  # blank cells (this report leaves zeros blank)
    assert "<o:p></o:p>" in html


def test_blank_cells_are_null_in_the_manifest_tables_not_zero() -> None:
    entry = next(
        e for e in catalog(1).manifest(tables=True) if e["key"] == "wip-qingshan/2022"
    )
    values = [
        v for row in entry["tables"]["applications"].values() for v in row.values()
    ]
    assert None in values
    assert 0 not in values


def test_rendering_is_byte_identical_every_time() -> None:
    report = report_at("anqiu-gov/2023", 1)
    assert report_pdf(report) == report_pdf(report)
    assert report_docx(report) == report_docx(report)


def test_the_manifest_is_identical_in_another_process_with_another_hash_seed() -> None:
    # The other process builds everything: no document comes from the disk cache
    # (replica/cache.py), so this proves that the build itself is deterministic.
    env = {**os.environ, "PYTHONHASHSEED": "12345", "NIANBAO_REPLICA_CACHE": "off"}
    out = subprocess.run(
        [sys.executable, "-m", "replica", "manifest", "--epoch", "2"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    ).stdout
    theirs = [json.loads(line) for line in out.splitlines()]
    assert theirs == json.loads(json.dumps(catalog(2).manifest(), ensure_ascii=False))
