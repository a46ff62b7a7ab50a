"""The normalised-text hash tells an edit from a re-save, on the replica's real documents."""

from __future__ import annotations

from processors.text import document_text, sniff, text_sha256
from replica.catalog import catalog


def _file(epoch: int, key: str, fmt: str) -> bytes:
    entry = next(e for e in catalog(epoch).manifest() if e["key"] == key)
    url = next(f["url"] for f in entry["files"] if f["format"] == fmt)
    return catalog(epoch).sites[url.split("/")[2]].fetch(url).body


def test_a_resaved_pdf_has_other_bytes_but_the_same_text_hash() -> None:
    before, after = (
        _file(1, "anqiu-jingzhi/2022", "pdf"),
        _file(2, "anqiu-jingzhi/2022", "pdf"),
    )
    assert before != after
    assert text_sha256(before, "application/pdf") == text_sha256(
        after, "application/pdf"
    )


def test_an_edited_number_changes_the_text_hash_of_the_page() -> None:
    before, after = (
        _file(1, "whctp-jjfz/2022", "html"),
        _file(2, "whctp-jjfz/2022", "html"),
    )
    assert text_sha256(before, "text/html") != text_sha256(after, "text/html")
    assert "53" in document_text(before, "text/html")
    assert "15" in document_text(after, "text/html")


def test_html_text_is_the_article_body_not_the_page_chrome() -> None:
    page = _file(1, "wip-maoshan/2023", "html")
    text = document_text(page, "text/html")
    assert text.lstrip().startswith("威海临港经济技术开发区蔄山镇人民政府")
    assert "网站标识码" not in text  # footer
    assert "当前位置" not in text  # breadcrumb


def test_docx_text_includes_its_tables_and_gbk_pages_decode() -> None:
    docx = _file(1, "anqiu-wushan/2020", "docx")
    assert sniff(docx).endswith("wordprocessingml.document")
    text = document_text(docx, "application/octet-stream")
    assert "郚山镇" in text
    assert "本年新收政府信息公开申请数量" in text
    gbk = _file(1, "anqiu-wushan/2020", "html")
    assert "郚山镇" in document_text(gbk, "text/html", "gb18030")
