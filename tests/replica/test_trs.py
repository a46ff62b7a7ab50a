"""TRS WCM static publishing, as anqiu.gov.cn does it (site-families §2.1)."""

from __future__ import annotations

import re

import lxml.html
import pytest

from replica.catalog import catalog

ANQIU = "http://www.anqiu.gov.cn"
ROOT = f"{ANQIU}/xxgk/XXGK/XXGKNB/"
COLUMNS = ("szfnb", "szfbgs", "bmnb", "zjnb")


def _page_count(html: str) -> int:
    found = re.search(r"var countPage = (\d+)//", html) or re.search(
        r"createPageHTML\((\d+), \d+,", html
    )
    assert found, "the page count must be in the inline pager script"
    return int(found.group(1))


def _decoded(body: bytes, column: str) -> str:
    return body.decode("gb18030" if column == "zjnb" else "utf-8")


def _links_outside_scripts(html: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [a.get("href") for a in tree.iter("a") if a.get("href")]


@pytest.mark.parametrize("column", COLUMNS)
def test_page_count_exists_only_in_inline_javascript(get, column: str) -> None:
    first = _decoded(get(f"{ROOT}{column}/index.html").body, column)
    count = _page_count(first)
    assert count >= 1
    assert not [h for h in _links_outside_scripts(first) if "index_" in h]
    for n in range(1, count):
        page = get(f"{ROOT}{column}/index_{n}.html")
        assert page.status == 200
        assert _page_count(_decoded(page.body, column)) == count
    assert get(f"{ROOT}{column}/index_{count}.html").status == 404


def test_both_real_pager_styles_are_used(get) -> None:
    pages = [_decoded(get(f"{ROOT}{c}/index.html").body, c) for c in COLUMNS]
    assert any("var countPage = " in p and "document.write" in p for p in pages)
    assert any("createPageHTML(" in p and '"index", "html")' in p for p in pages)


def test_list_items_are_static_relative_links(get, manifest) -> None:
    links = []
    for column in COLUMNS:
        first = _decoded(get(f"{ROOT}{column}/index.html").body, column)
        for n in range(_page_count(first)):
            page = get(
                f"{ROOT}{column}/{'index.html' if n == 0 else f'index_{n}.html'}"
            )
            links += [
                (column, h)
                for h in _links_outside_scripts(_decoded(page.body, column))
                if h.startswith("./2")
            ]
    assert all(
        re.fullmatch(r"\./\d{6}/(t\d{8}_\d+\.html|P0\d{20}\.(pdf|docx))", h)
        for _, h in links
    )
    listed = {f"{ROOT}{c}/{h[2:]}" for c, h in links}
    firsts = {
        e["files"][0]["url"]
        for e in manifest.values()
        if e["site"] == "www.anqiu.gov.cn"
    }
    assert firsts <= listed
    assert len(listed) - len(firsts) == 3  # 解读, 通知, 总结


def test_the_real_anqiu_report_url_exists(get) -> None:
    page = get(f"{ROOT}szfbgs/202401/t20240130_6293183.html")
    html = page.body.decode("utf-8")
    assert (
        '<meta name="ArticleTitle" content="安丘市人民政府办公室2023年政府信息公开工作年度报告">'
        in html
    )
    assert '<meta name="PubDate" content="2024-01-30 16:35">' in html
    assert '<div class="TRS_Editor">' in html


def test_one_column_is_gbk_and_one_of_its_pages_says_so_only_in_meta(raw) -> None:
    header = raw("GET", f"{ROOT}zjnb/index.html")
    meta_only = raw("GET", f"{ROOT}zjnb/index_1.html")
    assert header.headers["Content-Type"] == "text/html; charset=GBK"
    assert meta_only.headers["Content-Type"] == "text/html"
    for reply in (header, meta_only):
        assert (
            b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
            in reply.body
        )
        with pytest.raises(UnicodeDecodeError):
            reply.body.decode("utf-8")
    # Declared gb2312, but 郚 is only in GBK: a strict gb2312 decoder fails, gb18030 works.
    with pytest.raises(UnicodeDecodeError):
        meta_only.body.decode("gb2312")
    assert "郚山镇人民政府2020年政府信息公开工作年度报告" in meta_only.body.decode(
        "gb18030"
    )


def test_articles_link_attachments_relatively_some_with_oldsrc(manifest) -> None:
    site = catalog(1).sites["www.anqiu.gov.cn"]
    with_files = [
        e
        for e in manifest.values()
        if e["site"] == "www.anqiu.gov.cn"
        and e["form"] in ("html_pdf", "stub_pdf", "stub_docx")
    ]
    assert with_files
    oldsrc = 0
    for entry in with_files:
        page, attachment = entry["files"][0], entry["files"][1]
        body = site.fetch(page["url"]).body
        html = body.decode("gb18030" if "/zjnb/" in page["url"] else "utf-8")
        name = attachment["url"].rsplit("/", 1)[1]
        assert f'href="./{name}"' in html
        oldsrc += f'OLDSRC="/protect/P0{name[2:8]}/P0{name[2:10]}/{name}"' in html
    assert 0 < oldsrc < len(with_files)


def test_attachment_only_posts_link_the_file_from_the_list(manifest) -> None:
    only = [
        e
        for e in manifest.values()
        if e["form"] in ("pdf_only", "docx_only") and e["family"] == "trs"
    ]
    assert {e["site"] for e in only} == {"www.anqiu.gov.cn"}
    for entry in only:
        assert [f["role"] for f in entry["files"]] == ["attachment"]
        assert re.search(r"/P0\d{20}\.(pdf|docx)$", entry["files"][0]["url"])
