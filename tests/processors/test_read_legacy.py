"""read_doc on real Word 97 binary files (tests/fixtures/reports/*.doc, see SOURCE.md there)
through wvWare, and on hostile bytes. Figures are the reports' own (seeds.yaml, replica)."""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.document import Document, ReadError
from processors.legacy import read_doc
from tests.processors.expected_grids import (
    BEIGOU_ACTIVE,
    BEIGOU_APPLICATIONS,
    WHCTP_ACTIVE,
    WHCTP_APPEALS,
    WHCTP_APPLICATIONS,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "reports"


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def gaoqu() -> Document:
    """威海高区管委会 2021: a real report's text and figures (seed 003), as a .doc."""
    return read_doc(_bytes("whctp-gw-2021.doc"))


def test_chinese_text_and_tables_in_document_order(gaoqu) -> None:
    assert gaoqu.kind == "doc"
    assert gaoqu.text.startswith(
        "威海火炬高技术产业开发区管理委员会\n2021年政府信息公开工作年度报告\n"
        "根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）"
    )
    text = gaoqu.text
    order = [
        "二、主动公开政府信息情况\n第二十条第（一）项\n",
        "\n行政许可\t27960\n",
        "\n行政事业性收费\t13914.44\n三、收到和处理政府信息公开申请情况\n",
        "\n（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t1\t0\t0\t0\t0\t0\t1\n",
        "\n1\t1\t0\t0\t2\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n五、存在的主要问题及改进情况\n",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert gaoqu.meta == {}
    assert gaoqu.warnings == ()


def test_active_table_of_the_seed_report(gaoqu) -> None:
    assert gaoqu.grids[0].rows == WHCTP_ACTIVE


def test_applications_table_with_its_vertical_merges_expanded(gaoqu) -> None:
    rows = gaoqu.grids[1].rows
    assert len(rows) == 28
    assert {len(r) for r in rows} == {10}
    # wvWare marks （四） as the tail of （三）'s merge; its own text must win (rows 15, 17).
    assert rows[15][1] == rows[17][1] == "（四）无法提供"
    assert {i: rows[i] for i in WHCTP_APPLICATIONS} == WHCTP_APPLICATIONS


def test_appeals_table_of_the_seed_report(gaoqu) -> None:
    assert gaoqu.grids[2].rows == WHCTP_APPEALS
    assert len(gaoqu.grids) == 3


def test_2019_template_report() -> None:
    doc = read_doc(_bytes("penglai-beigou-2022.doc"))
    assert doc.text.startswith("蓬莱区北沟镇人民政府2022年政府信息公开工作年度报告\n")
    active = doc.grids[0].rows
    assert {i: active[i] for i in BEIGOU_ACTIVE} == BEIGOU_ACTIVE
    applications = doc.grids[1].rows
    assert {i: applications[i] for i in BEIGOU_APPLICATIONS} == BEIGOU_APPLICATIONS


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (
            b"<html><head><meta charset=gbk></head><body>...</body></html>",
            "HTML/MHTML saved under a .doc name",
        ),
        (b"{\\rtf1\\ansi\\ansicpg936 ...}", "RTF saved under a .doc name"),
        (b"PK\x03\x04" + b"\0" * 100, "a zip package"),
        (b"WPS2000 old format", "no OLE2 signature"),
    ],
    ids=["empty", "html", "rtf", "docx", "old-wps"],
)
def test_what_is_not_a_word_binary_is_refused(data, message) -> None:
    with pytest.raises(ReadError, match=message):
        read_doc(data)


def test_an_ole2_file_without_a_word_document_is_refused() -> None:
    data = _bytes("whctp-gw-2021.doc").replace(
        "WordDocument".encode("utf-16-le"), "Workbook\0\0\0\0".encode("utf-16-le")
    )
    with pytest.raises(
        ReadError, match="no WordDocument stream: truncated, or not a Word file"
    ):
        read_doc(data)


def test_a_truncated_doc_is_refused() -> None:
    data = _bytes("whctp-gw-2021.doc")
    # The OLE2 directory sits near the end of the file: a cut loses it.
    with pytest.raises(ReadError, match="truncated"):
        read_doc(data[: len(data) // 2])


def test_a_damaged_doc_is_refused_by_the_converter() -> None:
    data = _bytes("whctp-gw-2021.doc")
    damaged = data[:512] + bytes(20000) + data[20512:]
    # wvWare 1.2.9 dies of SIGSEGV on this one; the subprocess keeps that away from us.
    with pytest.raises(ReadError, match=r"^wvWare (crashed|could not read)"):
        read_doc(damaged)


def test_a_converter_that_hangs_is_given_up() -> None:
    with pytest.raises(ReadError, match=r"wvWare took longer than 0\.001 s"):
        read_doc(_bytes("whctp-gw-2021.doc"), timeout=0.001)


def test_without_the_converter_the_error_names_the_package(
    monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        ReadError, match=r"install the Debian package 'wv' \(apt-get install wv\)"
    ):
        read_doc(_bytes("whctp-gw-2021.doc"))
