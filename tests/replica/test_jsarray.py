"""Columns delivered by JavaScript (site-families §2.7, §4.5): a JS item array, href-less
isDownLoad links, and a base64 + URL-encoded pager in div#pages."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import lxml.html

from replica.catalog import catalog

HOST = "www.kmgx.gov.cn"
ROOT = "/zwgk/zfxxgk/zfxxgknb"


def _html(path: str) -> str:
    resource = catalog(1).sites[HOST].fetch(f"https://{HOST}{path}")
    assert resource.status == 200, path
    return resource.body.decode("utf-8")


def _pager(html: str) -> list[str]:
    encoded = re.search(r'<div id="pages" class="pages">([^<]+)</div>', html).group(1)  # type: ignore[union-attr]
    decoded = unquote(base64.b64decode(encoded).decode("ascii"))
    return lxml.html.fromstring(decoded).xpath("//a/@href")


def _pages(column: str) -> list[str]:
    first = _html(f"{ROOT}/{column}/index.html")
    names = ["index.html", *sorted({h for h in _pager(first) if h != "index.html"})]
    return [_html(f"{ROOT}/{column}/{name}") for name in names]


def test_the_pager_is_only_in_the_encoded_div_and_names_every_page() -> None:
    for column in ("qzf", "xzjd"):
        pages = _pages(column)
        assert len(pages) == 3
        for html in pages:
            assert "index_2.html" not in html
            assert "window.atob(" in html


def test_the_js_array_column_lists_items_only_in_its_script() -> None:
    items = []
    for html in _pages("qzf"):
        assert lxml.html.fromstring(html).xpath('//ul[@id="itemList"]/*') == []
        items += re.findall(r'aU:"([^"]+)"', html)
    assert len(items) == 8
    assert any(url.endswith(".pdf") for url in items)


def test_the_onclick_column_mixes_hrefs_and_href_less_links() -> None:
    anchors = [
        a
        for html in _pages("xzjd")
        for a in lxml.html.fromstring(html).xpath("//ul[@class='list']//a")
    ]
    assert len(anchors) == 7
    clicked = [a for a in anchors if a.get("href") is None]
    assert clicked
    assert len(clicked) < len(anchors)
    for a in clicked:
        assert re.fullmatch(
            rf"isDownLoad\(this,'https://{re.escape(HOST)}{ROOT}/xzjd/\d{{6}}/[^']+'\)",
            a.get("onclick"),
        )


def test_every_report_is_listed_by_one_of_the_widgets() -> None:
    listed = "".join(_pages("qzf") + _pages("xzjd"))
    for entry in (e for e in catalog(1).manifest() if e["site"] == HOST):
        first = entry["files"][0]["url"]
        tail = "/".join(first.rsplit("/", 2)[1:])  # links may be ./YYYYMM/… relative
        assert f"/{tail}" in listed, first
