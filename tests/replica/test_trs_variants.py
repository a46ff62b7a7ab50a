"""The TRS variant hosts (site-families §6), as www.shashi.gov.cn and www.changle.gov.cn
serve them: list markup, link shapes, extensions, the three pagers with their page
names, multi-page articles, a higher body's report reposted; anqiu unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from replica.catalog import catalog
from replica.families.common import article_html
from replica.families.trs import list_page_name, split_pages

SHASHI = "http://www.shashi.gov.cn"
SHASHI_NB = f"{SHASHI}/xxgk/xxgkml/zfxxgknb/"
CHANGLE = "http://www.changle.gov.cn"
CHANGLE_LISTS = (f"{CHANGLE}/zwgk/zfxxgknb/xzfnb/", f"{CHANGLE}/zwgk/zfxxgknb/zjnb/")
SAVED = Path(__file__).parents[1] / "fixtures" / "crawler" / "trs" / "anqiu"


def _links(html: str) -> list[str]:
    """The hrefs of the list's items (outside scripts, as a browser without JS sees them)."""
    tree = lxml.html.fromstring(html)
    return [
        a.get("href")
        for a in tree.xpath(
            "//table[@class='list-table']//a | //div[@class='list-dl']//a"
        )
    ]


def _entries(host: str) -> list[dict]:
    return [e for e in catalog(1).manifest() if e["site"] == host]


def test_list_page_names_count_from_0_or_from_1() -> None:
    assert [list_page_name("countpage", n, "htm") for n in range(3)] == [
        "index.htm",
        "index_1.htm",
        "index_2.htm",
    ]
    assert [list_page_name("create6", n, "shtml") for n in range(3)] == [
        "index.shtml",
        "index_2.shtml",
        "index_3.shtml",
    ]


def test_the_six_argument_pager_pages_are_index_2_and_3_never_index_1(get) -> None:
    first = get(f"{SHASHI_NB}index.shtml").body.decode()
    assert "createPageHTML('page_div',3, 1,'index','shtml',16);" in first
    for n, cur in ((2, 2), (3, 3)):
        page = get(f"{SHASHI_NB}index_{n}.shtml")
        assert page.status == 200
        assert (
            f"createPageHTML('page_div',3, {cur},'index','shtml',16);"
            in page.body.decode()
        )
    assert get(f"{SHASHI_NB}index_1.shtml").status == 404
    assert get(f"{SHASHI_NB}index_4.shtml").status == 404
    assert "index_" not in "".join(_links(first))  # the pager exists only in JS


def test_the_six_argument_pager_script_links_name_n_from_page_2(get) -> None:
    script = get(f"{SHASHI}/js/common.js").body.decode()
    assert 'n == 1 ? pageName + "." + pageExt : pageName + "_" + n' in script


def test_changle_pagers_write_htm_page_names_from_0(get) -> None:
    counted = get(f"{CHANGLE_LISTS[0]}index.htm").body.decode()
    assert "var countPage = 2//共多少页" in counted
    assert '"index"+"_" + nextPage + "."+"htm' in counted
    created = get(f"{CHANGLE_LISTS[1]}index.htm").body.decode()
    assert 'createPageHTML(2, 0, "index", "htm");' in created
    for base in CHANGLE_LISTS:
        assert get(f"{base}index_1.htm").status == 200
        assert get(f"{base}index_2.htm").status == 404


def test_shashi_lists_table_rows_with_dot_and_dotdot_links(get) -> None:
    links = []
    for name in ("index.shtml", "index_2.shtml", "index_3.shtml"):
        html = get(f"{SHASHI_NB}{name}").body.decode()
        assert '<table class="list-table"' in html
        links += _links(html)
    assert len(links) == 16
    assert all(
        re.fullmatch(r"(\./|(\.\./)+)[\w/]*\d{6}/t\d{8}_\d+\.shtml", h) for h in links
    )
    assert {h.split("/")[0] for h in links} == {".", ".."}
    assert (
        sum(h.startswith("../../bmxxgk/") for h in links) == 5
    )  # departments' channels
    assert [h for h in links if h.startswith("../sjxxgk/")] == [
        "../sjxxgk/zfxxgknb/202402/t20240228_6023941.shtml"  # the city's report
    ]


def test_changle_lists_dl_items_with_root_relative_and_one_absolute_link(get) -> None:
    links = []
    for base in CHANGLE_LISTS:
        for name in ("index.htm", "index_1.htm"):
            html = get(f"{base}{name}").body.decode()
            assert '<dl><dd class="tit"><a href="' in html
            assert re.search(r'<dd class="date">\[\d{4}-\d\d-\d\d\]</dd></dl>', html)
            links += _links(html)
    absolute = [h for h in links if h.startswith("http://")]
    assert absolute == [f"{CHANGLE}/zwgk/zfxxgknb/xzfnb/202403/t20240301_6031176.htm"]
    rest = [h for h in links if h not in absolute]
    assert all(
        re.fullmatch(r"/zwgk/zfxxgknb/\w+/\d{6}/t\d{8}_\d+\.htm", h) for h in rest
    )
    assert len(links) == 17


@pytest.mark.parametrize(
    ("host", "ext"), [("www.shashi.gov.cn", "shtml"), ("www.changle.gov.cn", "htm")]
)
def test_article_pages_use_the_hosts_extension(host: str, ext: str) -> None:
    pages = [
        f["url"] for e in _entries(host) for f in e["files"] if f["role"] == "page"
    ]
    assert pages
    assert all(re.search(rf"/\d{{6}}/t\d{{8}}_\d+(_\d+)?\.{ext}$", u) for u in pages)


def test_a_long_report_is_split_over_three_pages_with_their_own_pager(get) -> None:
    (entry,) = [
        e for e in _entries("www.shashi.gov.cn") if e["key"] == "shashi-gov/2023"
    ]
    urls = [f["url"] for f in entry["files"]]
    stem = f"{SHASHI_NB}202403/t20240321_6024033"
    assert urls == [f"{stem}.shtml", f"{stem}_1.shtml", f"{stem}_2.shtml"]
    for current, url in enumerate(urls):
        html = get(url).body.decode()
        assert f"var currentPage = {current};" in html
        assert "var countPage = 3//共多少页" in html
        assert (
            '<meta name="ArticleTitle" content="荆州市沙市区人民政府2023年政府信息公开工作年度报告">'
            in html
        )


def test_the_pages_together_hold_the_whole_report_once() -> None:
    html = "\n".join(f"block {n}" for n in range(11))
    pages = split_pages(html, 3)
    assert len(pages) == 3
    assert "\n".join(pages) == html
    assert split_pages(html, 1) == [html]


def test_the_multi_page_split_keeps_every_block_of_the_report(get) -> None:
    from replica.corpus import postings, spec

    site = spec().site("www.shashi.gov.cn")
    (posting,) = [
        p for p in postings(site, 1) if getattr(p.item, "key", "") == "shashi-gov/2023"
    ]
    whole = article_html(posting)
    stem = f"{SHASHI_NB}202403/t20240321_6024033"
    served = "".join(
        get(f"{stem}{suffix}.shtml").body.decode() for suffix in ("", "_1", "_2")
    )
    for block in whole.split("\n"):
        assert served.count(block) == 1


def test_the_city_reports_are_reposted_in_the_county_columns() -> None:
    reposts = {
        (e["site"], e["body"], e["year"], e["title"])
        for e in catalog(1).manifest()
        if e["body"] in ("荆州市人民政府", "潍坊市人民政府")
    }
    assert reposts == {
        (
            "www.shashi.gov.cn",
            "荆州市人民政府",
            2023,
            "荆州市2023年政府信息公开工作年度报告",
        ),
        (
            "www.changle.gov.cn",
            "潍坊市人民政府",
            2023,
            "潍坊市人民政府2023年政府信息公开工作年度报告",
        ),
    }


def test_report_counts_per_host() -> None:
    assert len(_entries("www.shashi.gov.cn")) == 13
    assert len(_entries("www.changle.gov.cn")) == 15


@pytest.mark.parametrize(
    "slug",
    ["index", "szfnb-index", "zjnb-index", "zjnb-index_1", "zjnb-t20220130_6026436"],
)
def test_anqiu_is_served_exactly_as_before(raw, slug: str) -> None:
    meta = json.loads((SAVED / f"{slug}.meta.json").read_text("utf-8"))
    assert raw("GET", meta["url"]).body == (SAVED / meta["body"]).read_bytes()
