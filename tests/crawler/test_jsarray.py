"""JsarraySpider on saved pages of kmgx.gov.cn (replica, night 1): a column listed only
by a JavaScript array ``var itemObj=[{aT,aPd,aU}]``, a column whose links are partly
href-less ``onclick="isDownLoad(this,'…')"``, both paged through a base64 +
URL-encoded pager in ``div#pages``; articles with ``./P0….pdf`` and onclick-only PDFs."""

from __future__ import annotations

import base64
from urllib.parse import quote, urlsplit

import lxml.html
import pytest

from crawler.items import Identity
from crawler.pages import Link
from crawler.spiders.jsarray import (
    JsarraySpider,
    decoded_pager,
    js_items,
    pager_links,
)
from tests.crawler.fixtures import (
    described,
    entries,
    other_families_lists,
    parse_list_with,
    parse_page_with,
    saved,
    saved_page,
    source,
)

KMGX = "https://www.kmgx.gov.cn/zwgk/zfxxgk/zfxxgknb"
QZF, XZJD = f"{KMGX}/qzf", f"{KMGX}/xzjd"
QZF_PATH = urlsplit(QZF).path
REPORT = "title names an annual report"
REGION = "云南省昆明市昆明高新技术产业开发区"
LISTS = [
    "jsarray/kmgx/qzf-index",
    "jsarray/kmgx/qzf-index_2",
    "jsarray/kmgx/xzjd-index",
    "jsarray/kmgx/xzjd-index_3",
]
GW_2024 = "昆明高新技术产业开发区管理委员会2024年政府信息公开工作年度报告"
JJFZ_2024 = "昆明高新技术产业开发区经济发展局2024年政府信息公开工作年度报告"
MAJINPU_2024 = "昆明高新技术产业开发区马金铺街道办事处2024年政府信息公开工作年度报告"
GW_2023 = "昆明高新技术产业开发区管理委员会2023年政府信息公开工作年度报告"


def parse_list(name: str):
    return parse_list_with(JsarraySpider, "kmgx", name)


def parse_page(name: str, title: str, published: str):
    return parse_page_with(
        JsarraySpider,
        "kmgx",
        name,
        title=title,
        published=published,
        listing_url=f"{XZJD}/index.html",
    )


def text(name: str) -> str:
    return saved(name).body.decode("utf-8")


# ---------------------------------------------------------------- the encoded pager
def test_the_pager_is_base64_of_url_encoded_html() -> None:
    html = text("jsarray/kmgx/qzf-index")
    encoded = html.split('<div id="pages" class="pages">', 1)[1].split("</div>", 1)[0]
    pager = decoded_pager(html)
    assert base64.b64encode(quote(pager, safe="").encode()).decode() == encoded
    assert "window.atob(" in html
    assert pager == (
        '<div class="pagination"><span>共3页</span><a href="index.html">首页</a>'
        '<a class="on">1</a><a href="index_2.html">2</a><a href="index_3.html">3</a>'
        '<a href="index_2.html">下一页</a><a href="index_3.html">尾页</a></div>'
    )


def test_the_next_pages_are_named_only_in_the_encoded_pager() -> None:
    html = text("jsarray/kmgx/qzf-index")
    hrefs = lxml.html.fromstring(html).xpath("//a/@href")
    assert not [h for h in hrefs if "index_" in h]
    assert "index_2" not in html
    assert pager_links(html) == ["index.html", "index_2.html", "index_3.html"]


def test_first_page_asks_for_the_pages_of_the_decoded_pager() -> None:
    out = parse_list("jsarray/kmgx/qzf-index")
    assert [described(r) for r in out.requests[:2]] == [
        ("GET", f"{QZF}/index_2.html", "parse_list", "list"),
        ("GET", f"{QZF}/index_3.html", "parse_list", "list"),
    ]


def test_a_later_page_links_back_and_onward() -> None:
    # page 1 again is dropped by Scrapy's duplicate filter in a crawl
    assert [
        described(r) for r in parse_list("jsarray/kmgx/xzjd-index_3").requests[:2]
    ] == [
        ("GET", f"{XZJD}/index.html", "parse_list", "list"),
        ("GET", f"{XZJD}/index_2.html", "parse_list", "list"),
    ]


# ---------------------------------------------------------------- the JS-array column
def test_the_js_array_column_has_no_link_outside_its_script() -> None:
    root = lxml.html.fromstring(text("jsarray/kmgx/qzf-index"))
    assert root.xpath('//ul[@id="itemList"]/li') == []
    assert "var itemObj=[{aT:" in text("jsarray/kmgx/qzf-index")


def test_the_js_array_items_are_read_with_title_date_and_url() -> None:
    assert js_items(text("jsarray/kmgx/qzf-index")) == [
        Link(f"{QZF_PATH}/202503/t20250322_1035447.html", GW_2024, "2025-03-22"),
        Link(f"{QZF_PATH}/202501/t20250121_1032699.html", JJFZ_2024, "2025-01-21"),
        Link(
            f"{QZF_PATH}/202403/t20240329_1028508.html",
            "图解：昆明高新技术产业开发区2023年政府信息公开工作年度报告",
            "2024-03-29",
        ),
    ]


def test_the_js_array_column_lists_its_reports_and_skips_the_infographic() -> None:
    assert entries(parse_list("jsarray/kmgx/qzf-index").batch) == [
        (
            f"{QZF}/202503/t20250322_1035447.html",
            GW_2024,
            "2025-03-22",
            "report",
            REPORT,
        ),
        (
            f"{QZF}/202501/t20250121_1032699.html",
            JJFZ_2024,
            "2025-01-21",
            "report",
            REPORT,
        ),
        (
            f"{QZF}/202403/t20240329_1028508.html",
            "图解：昆明高新技术产业开发区2023年政府信息公开工作年度报告",
            "2024-03-29",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
    ]


def test_an_array_item_may_be_the_pdf_itself() -> None:
    out = parse_list("jsarray/kmgx/qzf-index_2")
    pdf = f"{QZF}/202303/P020230304732721835519.pdf"
    assert entries(out.batch)[2] == (
        pdf,
        "昆明高新技术产业开发区管理委员会2022年政府信息公开工作年度报告",
        "2023-03-04",
        "report",
        REPORT,
    )
    assert described(out.requests[-1]) == ("GET", pdf, "parse_file", "attachment")
    identity = out.requests[-1].meta["identity"]
    assert (identity.body, identity.year) == ("昆明高新技术产业开发区管理委员会", 2022)


# ---------------------------------------------------------------- the onclick column
def test_href_less_links_are_read_from_their_onclick() -> None:
    html = text("jsarray/kmgx/xzjd-index")
    assert (
        "<a onclick=\"isDownLoad(this,'https://www.kmgx.gov.cn/zwgk/zfxxgk/zfxxgknb/xzjd/"
        "202501/t20250114_1029933.html')\""
    ) in html
    assert entries(parse_list("jsarray/kmgx/xzjd-index").batch) == [
        (
            f"{XZJD}/202501/t20250114_1029933.html",
            MAJINPU_2024,
            "2025-01-14",
            "report",
            REPORT,
        ),
        (
            f"{XZJD}/202401/t20240123_1021404.html",
            "昆明高新技术产业开发区马金铺街道办事处2023年政府信息公开工作年度报告",
            "2024-01-23",
            "report",
            REPORT,
        ),
        (
            f"{XZJD}/202401/t20240115_1018821.html",
            "2023年政府信息公开工作年度报告",
            "2024-01-15",
            "report",
            REPORT,
        ),
    ]


def test_the_onclick_column_asks_for_every_report_page() -> None:
    out = parse_list("jsarray/kmgx/xzjd-index")
    assert [described(r) for r in out.requests[2:]] == [
        ("GET", f"{XZJD}/{path}", "parse_page", "page")
        for path in (
            "202501/t20250114_1029933.html",
            "202401/t20240123_1021404.html",
            "202401/t20240115_1018821.html",
        )
    ]


# ---------------------------------------------------------------- articles
def test_an_onclick_only_pdf_on_an_article_is_found() -> None:
    pdf = f"{XZJD}/202501/P020250114795307827512.pdf"
    assert f"<a onclick=\"isDownLoad(this,'{pdf}')\">" in text(
        "jsarray/kmgx/t20250114_1029933"
    )
    out = parse_page("jsarray/kmgx/t20250114_1029933", MAJINPU_2024, "2025-01-14")
    assert out.record.links == [(pdf, f"{MAJINPU_2024}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]
    assert out.record.identity == Identity(
        body="昆明高新技术产业开发区马金铺街道办事处",
        year=2024,
        title=MAJINPU_2024,
        region=REGION,
        level="town",
        published="2025-01-14 17:18",
        note="body from title; year from title",
    )


def test_a_relative_pdf_href_on_an_article_is_found() -> None:
    pdf = f"{QZF}/202403/P020240313791251914191.pdf"
    out = parse_page("jsarray/kmgx/t20240313_1025094", GW_2023, "2024-03-13")
    assert out.record.links == [(pdf, f"{GW_2023}.pdf")]
    assert out.record.identity is not None
    assert (out.record.identity.body, out.record.identity.year) == (
        "昆明高新技术产业开发区管理委员会",
        2023,
    )


# ---------------------------------------------------------------- detection
def detect(name: str):
    return JsarraySpider.detect(saved_page(name))


def test_the_js_array_column_is_claimed() -> None:
    found = detect("jsarray/kmgx/qzf-index")
    assert found is not None
    assert found.confidence == 1.0
    assert found.evidence == (
        "a JS array of list items {aT, aPd, aU}",
        "a base64 pager in div#pages",
        "decoded by window.atob",
    )


def test_the_onclick_column_is_claimed() -> None:
    found = detect("jsarray/kmgx/xzjd-index")
    assert found is not None
    assert found.confidence == 0.9
    assert "links only in onclick=isDownLoad(this,'…')" in found.evidence


@pytest.mark.parametrize("name", other_families_lists("jsarray"))
def test_other_families_pages_are_not_claimed(name: str) -> None:
    found = JsarraySpider.detect(saved_page(name))
    assert found is None or found.confidence <= 0.3, found


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("name", LISTS)
def test_every_request_stays_on_the_sources_host(name: str) -> None:
    hosts = {urlsplit(r.url).hostname for r in parse_list(name).requests}
    assert hosts <= {"www.kmgx.gov.cn"} == source("kmgx").hosts


@pytest.mark.parametrize("name", LISTS)
def test_every_entry_is_an_article_or_a_file_of_its_column(name: str) -> None:
    column = QZF if "qzf" in name else XZJD
    for batch in parse_list(name).batches:
        for entry in batch.entries:
            assert entry.url.startswith(f"{column}/"), entry
            assert entry.url.endswith((".html", ".pdf")), entry
