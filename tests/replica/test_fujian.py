"""Fujian 集约化 (pingtan.gov.cn), built from the real saved pages (site-families §2.4)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import lxml.html

from replica.families.fujian import real_pages

PT = "https://www.pingtan.gov.cn"
COLUMN = f"{PT}/zwgk/zfxxgk/zfxxgknb/"
DATA = Path(__file__).parents[2] / "replica" / "data" / "pingtan"
PAGES = real_pages("pingtan")
SEARCH = {
    "channelid": "200210",
    "classsql": "chnlid=1813",
    "sortfield": "-docorderpri,-docreltime",
}


def _search(raw, page: int, prepage: int = 10) -> dict:
    body = urlencode({**SEARCH, "page": page, "prepage": prepage}).encode()
    reply = raw(
        "POST",
        f"{PT}/fjdzapp/search",
        {"Content-Type": "application/x-www-form-urlencoded"},
        body,
    )
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
    return json.loads(reply.body)


def test_real_pages_are_served_byte_for_byte_over_https(raw) -> None:
    assert len(PAGES) == 20
    for page in PAGES:
        reply = raw("GET", page.url)
        assert reply.status == 200, page.url
        assert page.url.startswith(f"{COLUMN}")
        assert page.url.endswith(".htm")
        if page.docid != 105587:
            assert reply.body == (DATA / f"{page.docid}.html").read_bytes()


def test_http_redirects_to_https(raw) -> None:
    reply = raw("GET", "http://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/")
    assert reply.status == 301
    assert reply.headers["Location"] == COLUMN


def test_static_list_shows_only_the_newest_ten(raw) -> None:
    reply = raw("GET", COLUMN)
    assert reply.body == (DATA / "list.html").read_bytes()
    tree = lxml.html.fromstring(reply.body.decode("utf-8"))
    static = [a.get("href") for a in tree.xpath('//div[@ms-visible="showStatic"]//a')]
    newest = sorted(PAGES, key=lambda p: p.published, reverse=True)[:10]
    assert [COLUMN + h[2:] for h in static] == [p.url for p in newest]


def test_older_items_exist_only_behind_the_search_api(raw) -> None:
    first, second = _search(raw, 1), _search(raw, 2)
    assert (first["total"], first["pageCount"]) == (20, 2)
    urls = [d["chnldocurl"] for d in first["data"] + second["data"]]
    assert sorted(urls) == sorted(p.url for p in PAGES)
    listing = raw("GET", COLUMN).body.decode("utf-8")
    older = list(second["data"])
    assert len(older) == 10
    for item in older:
        path = item["chnldocurl"].removeprefix(COLUMN)
        assert path not in listing
        assert str(item["docid"]) not in listing
    assert {"docid", "doctitle", "chnldocurl", "docreltime"} <= set(older[0])
    assert any(
        d["doctitle"] == "关于2014年政府信息公开工作要点落实情况的函" for d in older
    )


def test_the_list_page_calls_the_api_from_its_javascript(raw) -> None:
    listing = raw("GET", COLUMN).body.decode("utf-8")
    assert 'require(["list2.trsapi", "tools"]' in listing
    assert "maxStaticIndex: 1" in listing
    assert raw("GET", f"{PT}/images/model.min.js").status == 200


def test_other_searches_answer_empty(raw) -> None:
    body = urlencode(
        {"channelid": "100600", "classsql": "(docid2=97791)+(reldocid=97791)"}
    ).encode()
    reply = raw(
        "POST",
        f"{PT}/fjdzapp/search",
        {"Content-Type": "application/x-www-form-urlencoded"},
        body,
    )
    assert json.loads(reply.body)["data"] == []


def test_the_qzb_pdf_is_linked_only_from_javascript(raw, manifest) -> None:
    entry = manifest["www.pingtan.gov.cn/105587"]
    pdf = next(f["url"] for f in entry["files"] if f["format"] == "pdf")
    html = raw("GET", entry["files"][0]["url"]).body.decode("utf-8")
    assert (
        f'var apps1 = [{{"url": "{pdf}", '
        '"name": "平潭综合实验区2025年度政府信息公开工作年度报告（原件）.pdf"}];'
        in html
    )
    tree = lxml.html.fromstring(html)
    assert pdf not in {a.get("href") for a in tree.iter("a")}
    original = (DATA / "105587.html").read_bytes().decode("utf-8")
    assert re.sub(r"var apps1 = \[[^\]]*\];", "", html) == re.sub(
        r"var apps1 = \[\s*\];", "", original
    )
    reply = raw("GET", pdf)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/pdf"


def test_pingtan_reports_in_the_manifest_are_the_19_real_reports(manifest) -> None:
    reports = [e for e in manifest.values() if e["site"] == "www.pingtan.gov.cn"]
    assert len(reports) == 19
    assert {e["year"] for e in reports} == set(range(2011, 2026))
    assert sum(e["body"] == "平潭县人民政府" for e in reports) == 3
    assert [e["key"] for e in reports if e["defects"]] == ["www.pingtan.gov.cn/80595"]
