"""The "unknown" sites (replica/families/odd_*.py) that measure the generic spider.

Each is served whole through the replica (start page, every manifest file with its
SHA-256), lists every report of the manifest through its own kind of pager, files the
reposted reports of the city and the province under their own bodies, and one portal
hides its report column two and three clicks below its home page.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from replica.catalog import catalog
from replica.corpus import spec

if TYPE_CHECKING:
    from collections.abc import Callable

    from replica.client import Fetched

    Get = Callable[..., Fetched]

GENERIC = Path(__file__).parents[2] / "crawler" / "sites" / "generic.toml"
SOURCES = {
    urlsplit(s["start_urls"][0]).hostname: s
    for s in tomllib.loads(GENERIC.read_text(encoding="utf-8"))["source"]
}
ODD = sorted(s.host for s in spec().sites if s.family.startswith("odd_"))
MANIFEST = [e for e in catalog(1).manifest() if e["site"] in ODD]
NOISE = {s.host: len(s.noise) for s in spec().sites if s.host in ODD}


def _html(page: Fetched) -> str:
    charset = re.search(r"charset=([\w-]+)", page.headers.get("Content-Type", ""))
    return page.body.decode(
        "gb18030" if charset and charset.group(1).lower() == "gb2312" else "utf-8"
    )


def _tree(page: Fetched) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(_html(page))


def _firsts(host: str) -> set[str]:
    """The URL each report of ``host`` is listed under (its first file)."""
    return {e["files"][0]["url"] for e in MANIFEST if e["site"] == host}


# ------------------------------------------------------------------ the sites as a whole
def test_six_odd_hosts_each_with_a_generic_source_and_3_to_5_bodies() -> None:
    assert len(ODD) >= 6
    assert set(SOURCES) == set(ODD)
    assert all(s["family"] == "generic" for s in SOURCES.values())
    assert all(s["evidence"] == "inferred" for s in SOURCES.values())
    for site in spec().sites:
        if site.host in ODD:
            assert 3 <= len(site.bodies) <= 5, site.host
            assert all(b.id.startswith(site.host.split(".")[1]) for b in site.bodies)
            assert {y for years in site.years.values() for y in years} <= set(
                range(2021, 2025)
            )
    ids = [b.id for s in spec().sites for b in s.bodies]
    assert len(ids) == len(set(ids))
    # no two odd sites use the same platform module
    assert len({e["family"] for e in MANIFEST}) == len(ODD)


@pytest.mark.parametrize("host", ODD)
def test_the_start_page_answers_200(get: Get, host: str) -> None:
    page = get(SOURCES[host]["start_urls"][0])
    assert page.status == 200
    assert re.search(r"[\u4e00-\u9fff]", _html(page))


@pytest.mark.parametrize("host", ODD)
def test_every_manifest_file_is_served_with_its_sha256(get: Get, host: str) -> None:
    files = [f for e in MANIFEST if e["site"] == host for f in e["files"]]
    assert len({e["key"] for e in MANIFEST if e["site"] == host}) >= 10
    for item in files:
        got = get(item["url"])
        assert got.status == 200, item["url"]
        assert hashlib.sha256(got.body).hexdigest() == item["sha256"], item["url"]


def test_reposted_reports_are_listed_under_their_own_bodies_and_levels() -> None:
    region = {s.host: s.region for s in spec().sites}
    reposted = {
        (e["site"], e["body"], e["level"], e["region"], e["year"])
        for e in MANIFEST
        if e["level"] in ("city", "province") or e["region"] != region[e["site"]]
    }
    assert reposted == {
        ("www.wangdu.gov.cn", "保定市人民政府", "city", "河北省保定市", 2023),
        ("www.anhua.gov.cn", "益阳市人民政府", "city", "湖南省益阳市", 2023),
        ("www.pengxi.gov.cn", "遂宁市人民政府", "city", "四川省遂宁市", 2023),
        ("www.pengxi.gov.cn", "四川省民政厅", "department", "四川省", 2023),
        ("www.shangcai.gov.cn", "驻马店市人民政府", "city", "河南省驻马店市", 2023),
        ("www.kuandian.gov.cn", "丹东市人民政府", "city", "辽宁省丹东市", 2023),
        ("www.kuandian.gov.cn", "辽宁省自然资源厅", "department", "辽宁省", 2022),
        ("www.guanxian.gov.cn", "聊城市人民政府", "city", "山东省聊城市", 2022),
    }
    for entry in MANIFEST:
        if (entry["site"], entry["body"]) in {(r[0], r[1]) for r in reposted}:
            # the report is its own body's: titled, published and written by it
            assert entry["title"].startswith(entry["body"])
            report = catalog(1).sites[entry["site"]].fetch(entry["files"][0]["url"])
            text = _html_of(report.body, report.content_type)
            assert f"结合{entry['year']}年{entry['body']}政府信息公开工作实际" in text


def _html_of(body: bytes, content_type: str) -> str:
    return body.decode("gb18030" if "gb2312" in content_type else "utf-8")


def test_each_column_mixes_reports_with_noise_and_a_reposted_report() -> None:
    for host in ODD:
        entries = [e for e in MANIFEST if e["site"] == host]
        levels = Counter(e["level"] for e in entries)
        assert levels["county"], host
        assert levels["department"], host
        assert levels["town"], host
        assert levels["city"] == 1, host
        assert NOISE[host] >= 2, host
    forms = Counter(e["form"] for e in MANIFEST)
    assert forms["html"] + forms["html_pdf"] > 0.75 * len(MANIFEST)


@pytest.mark.parametrize("host", ODD)
def test_no_page_links_to_a_missing_page_of_its_host(host: str) -> None:
    """A crawler looking for the column meets no 404 the real portal would not give."""
    site = catalog(1).sites[host]
    checked = 0
    for path, resource in site.resources.items():
        if not resource.content_type.startswith("text/html"):
            continue
        text = _html_of(resource.body, resource.content_type)
        for href in lxml.html.fromstring(text).xpath("//a/@href"):
            target = urljoin(site.url(path), href).split("#")[0]
            if urlsplit(target).hostname == host:
                assert site.fetch(target).status == 200, (path, href)
                checked += 1
    assert checked > 10


# ------------------------------------------------------------------ each site's pager
def _links(tree: lxml.html.HtmlElement, xpath: str, base: str) -> list[str]:
    return [urljoin(base, a.get("href")) for a in tree.xpath(xpath)]


def _check_listed(host: str, listed: list[str]) -> None:
    assert len(listed) == len(set(listed)), "each item is listed once"
    assert _firsts(host) <= set(listed)
    assert len(set(listed) - _firsts(host)) == NOISE[host]


def test_hebei_numbered_pager_of_block_fragments(get: Get) -> None:
    host = "www.wangdu.gov.cn"
    start = SOURCES[host]["start_urls"][0]
    first = _tree(get(start))
    pages = _links(first, '//div[@class="pagination"]/a', start)
    assert [re.search(r"page=(\d+)", p).group(1) for p in pages] == ["2", "3"]
    assert "下一页" not in _html(get(start))
    assert all("/templates/" in p and "/blocks/" in p for p in pages)
    listed = _links(first, '//div[@class="item-title"]/a', start)
    for url in pages:
        block = get(url)
        assert not _html(block).lstrip().startswith("<!DOCTYPE")  # a fragment
        listed += _links(_tree(block), '//div[@class="item-title"]/a', url)
    _check_listed(host, listed)
    article = _html(get(_links(first, '//div[@class="item-title"]/a', start)[0]))
    assert re.search(
        r'<span class="date">\d{4}-\d\d-\d\d</span><span class="time">\d\d:\d\d</span>',
        article,
    )


def test_hunan_year_subchannels_and_next_page_only(get: Get) -> None:
    host = "www.anhua.gov.cn"
    start = SOURCES[host]["start_urls"][0]
    root = _tree(get(start))
    years = _links(root, '//div[@class="left-nav"]//a', start)
    assert [y.rsplit("/", 2)[1] for y in years] == ["39712", "39633", "39421", "39108"]
    listed: list[str] = []
    seen_next: list[str] = []
    for url in years:
        while url:
            page = _tree(get(url))
            listed += _links(
                page, '//table[@class="list-table"]//td[@class="bt"]/a', url
            )
            pager = page.xpath('//div[@class="page"]')[0]
            assert not re.search(r"\d", pager.text_content())  # no numbers, no count
            nxt = _links(page, '//div[@class="page"]/a[text()="下一页"]', url)
            url = nxt[0] if nxt else ""
            seen_next += [u for u in nxt if u.endswith("/index_2.htm")]
    _check_listed(host, listed)
    assert seen_next, "a year sub-channel runs over two pages"


def test_sichuan_pages_only_in_a_select_and_a_flipbook(get: Get) -> None:
    host = "www.pengxi.gov.cn"
    start = SOURCES[host]["start_urls"][0]
    first = _tree(get(start))
    assert not [a for a in first.xpath("//a/@href") if "cur_page=2" in a]
    options = [urljoin(start, v) for v in first.xpath("//select/option/@value")]
    assert [o.rsplit("=", 1)[1] for o in options] == ["1", "2", "3"]
    listed: list[str] = []
    for url in options:
        listed += _links(_tree(get(url)), '//div[@class="list"]/p/a', url)
    _check_listed(host, listed)
    book = next(e for e in MANIFEST if e["key"] == "pengxi-gov/2022")
    viewer = book["files"][0]["url"]
    assert viewer.endswith("/book/2022zfxxgknb/xzfb/index.html")
    assert viewer in listed
    pages = [f["url"] for f in book["files"][1:]]
    assert pages == [
        urljoin(viewer, f"files/basic-html/page{n}.html")
        for n in range(1, len(pages) + 1)
    ]
    assert len(pages) >= 4
    first_page = _html(get(pages[0]))
    assert "蓬溪县人民政府" in first_page
    assert "2022年政府信息公开工作年度报告" in first_page
    assert "下一页" in first_page


def test_henan_aspnet_grid_in_gb2312_with_page_links(get: Get, raw) -> None:
    host = "www.shangcai.gov.cn"
    start = SOURCES[host]["start_urls"][0]
    reply = raw("GET", start)
    assert reply.headers["Content-Type"] == "text/html; charset=gb2312"
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    listed: list[str] = []
    url = start
    while url:
        page = _tree(get(url))
        assert page.xpath('//input[@name="__VIEWSTATE"]')
        listed += [
            urljoin(url, h)
            for h in page.xpath(
                '//table[@id="ContentPlaceHolder1_GridView1"]//td/a/@href'
            )
        ]
        nxt = _links(page, '//div[@class="pager"]/a[text()="下一页"]', url)
        url = nxt[0] if nxt else ""
    _check_listed(host, listed)
    shapes = {
        re.sub(r"\d+", "N", urlsplit(u).path + "?" * bool(urlsplit(u).query))
        for u in listed
    }
    assert shapes == {"/xxgk/PublicDetail.aspx?", "/Item/N.aspx"}
    text = _html(get(start))
    assert re.search(r"<td>20\d\d/\d{1,2}/\d{1,2}</td>", text)


def test_liaoning_pager_only_in_onclick_with_totalpage(get: Get) -> None:
    host = "www.kuandian.gov.cn"
    start = SOURCES[host]["start_urls"][0]
    html = _html(get(start))
    tree = lxml.html.fromstring(html)
    pager = tree.xpath('//div[@class="pages"]')[0]
    assert pager.get("totalpage") == "4"
    assert {a.get("href") for a in pager.iter("a")} == {"javascript:void(0)"}
    targets = re.findall(r"queryArticleByCondition\(this,'([^']+)'\)", html)
    assert targets
    assert all(t.endswith(".shtml") for t in targets)
    key_page = re.compile(r"^(.*-)(\d+)\.shtml$")
    prefix = key_page.match(targets[0]).group(1)
    listed = _links(tree, '//ul[@class="xxgk_list"]/li/a', start)
    for n in range(2, int(pager.get("totalpage")) + 1):
        url = urljoin(start, f"{prefix}{n}.shtml")
        listed += _links(_tree(get(url)), '//ul[@class="xxgk_list"]/li/a', url)
    _check_listed(host, listed)
    assert re.search(r'<span class="time">20\d\d\.\d\d\.\d\d</span>', html)


# ------------------------------------------------------------------ the portal home
def _crawl(get: Get, home: str, depth: int) -> dict[str, int]:
    """Every same-host page reachable from ``home`` by plain links, with its depth."""
    host = urlsplit(home).hostname
    seen = {home: 0}
    frontier = [home]
    for level in range(1, depth + 1):
        nxt = []
        for url in frontier:
            page = get(url)
            if page.status != 200 or "html" not in page.headers.get("Content-Type", ""):
                continue
            for href in _tree(page).xpath("//a/@href"):
                target = urljoin(url, href).split("#")[0]
                if urlsplit(target).hostname == host and target not in seen:
                    seen[target] = level
                    nxt.append(target)
        frontier = [u for u in nxt if not re.search(r"doc_\w+\.html$", u)]
    return seen


def _channel_listing(get: Get, channel: str) -> list[str]:
    """A channel's static items, then its "加载更多" JSON pages (named in the page's script)."""
    html = _html(get(channel))
    listed = _links(lxml.html.fromstring(html), '//ul[@id="docList"]//a', channel)
    conf = json.loads(re.search(r"var pageConf = (\{.*?\});", html).group(1))
    pages = -(-conf["total"] // conf["pageSize"])
    for n in range(2, pages + 1):
        query = f"?channelId={conf['channelId']}&pageNo={n}&pageSize={conf['pageSize']}"
        data = json.loads(get(urljoin(channel, conf["url"] + query)).body)
        listed += [urljoin(channel, d["url"]) for d in data["data"]["list"]]
        assert all(isinstance(d["publishTime"], int) for d in data["data"]["list"])
    return listed


def test_the_portal_column_is_two_and_three_clicks_below_the_home_page(
    get: Get,
) -> None:
    host = "www.guanxian.gov.cn"
    home = SOURCES[host]["start_urls"][0]
    assert urlsplit(home).path == "/"
    columns = {
        urljoin(e["files"][0]["url"], "./") for e in MANIFEST if e["site"] == host
    }
    assert len(columns) == 3  # the county's channel and two towns' sub-sites
    home_links = {urljoin(home, h) for h in _tree(get(home)).xpath("//a/@href")}
    assert not columns & home_links
    assert not [
        a.text_content()
        for a in _tree(get(home)).iter("a")
        if re.search(r"年报|信息公开工作年度报告", a.text_content())
    ]
    depth = _crawl(get, home, 3)
    main = next(c for c in columns if "site_gxzf" in c)
    assert depth[main] == 2
    assert sorted(depth[c] for c in columns if c != main) == [3, 3]
    # the way there: 政府信息公开, then 政府信息公开年报 / 政府信息公开工作年度报告 / 年报
    gongkai = _tree(get(urljoin(home, "/gongkai/")))
    names = {a.text_content(): urljoin(home, a.get("href")) for a in gongkai.iter("a")}
    assert names["政府信息公开年报"] == main
    # decoys: the guide and the government's work report (政府工作报告, 年度工作报告)
    texts = [a.text_content() for a in _tree(get(home)).iter("a")]
    assert "政府信息公开指南" in texts
    assert "政府工作报告" in texts
    assert any("年度工作报告" in t for t in texts)
    listed: list[str] = []
    for column in sorted(columns):
        listed += _channel_listing(get, column)
    _check_listed(host, listed)
