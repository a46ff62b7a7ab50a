"""List-page structures and non-content responses, read from the replica's pages."""

from __future__ import annotations

from crawler.pages import (
    datastore_records,
    decode,
    is_document_link,
    jpage_config,
    js_file_links,
    js_pager,
    js_redirect,
    problem,
)
from replica.catalog import catalog
from replica.families.fujian import real_pages

SITES = catalog(1).sites


def _page(host: str, path: str) -> str:
    resource = SITES[host].resources[path]
    return decode(resource.body, "gb18030" if "GBK" in resource.content_type else None)


def test_jpage_records_and_config_come_out_of_the_cdata_datastore() -> None:
    html = _page("www.whctp.gov.cn", "/col/col82956/index.html")
    records = datastore_records(html)
    assert len(records) == 10
    assert records[0].url.startswith("/art/2025/")
    assert (
        records[0].title
        == "威海火炬高技术产业开发区管理委员会2024年政府信息公开工作年度报告"
    )
    assert "2025-02-28" in records[0].date
    config = jpage_config(html)
    assert config is not None
    assert (config.proxy_url, config.per_page, config.total, config.group_size) == (
        "/module/web/jpage/dataproxy.jsp",
        10,
        30,
        3,
    )
    assert config.params["columnid"] == "82956"
    assert config.params["webname"] == "威海火炬高技术产业开发区管理委员会"


def test_trs_page_counters_in_both_styles() -> None:
    one = js_pager(_page("www.anqiu.gov.cn", "/xxgk/XXGK/XXGKNB/szfnb/index.html"))
    two = js_pager(_page("www.anqiu.gov.cn", "/xxgk/XXGK/XXGKNB/zjnb/index.html"))
    seven = js_pager("var currentPage = 0;//所在页从0开始\nvar countPage = 7//共多少页")
    assert one is not None
    assert (one.count, one.others()) == (1, [])
    assert two is not None
    assert (two.count, two.others()) == (2, ["index_1.html"])
    assert seven is not None
    assert seven.others() == [f"index_{n}.html" for n in range(1, 7)]
    assert js_pager("<p>no pager</p>") is None


def test_a_redirect_stub_and_js_only_attachments() -> None:
    stub = _page("www.wip.gov.cn", "/col/col151609/index.html")
    assert js_redirect(stub, 0) == "/col/col151610/index.html"
    assert (
        js_redirect(stub, 5000) is None
    )  # a real page that happens to set location.href
    page = next(p for p in real_pages("pingtan") if p.docid == 105587)
    served = SITES["www.pingtan.gov.cn"].resources[page.path].body.decode()
    links = js_file_links(served)
    assert len(links) == 1
    assert links[0].url.startswith(
        "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202603/P020260310"
    )
    assert (
        links[0].title == "平潭综合实验区2025年度政府信息公开工作年度报告（原件）.pdf"
    )
    assert js_file_links(page.html.decode()) == []  # the real page's arrays are empty


def test_problem_spots_wafs_soft_404s_and_blank_pages() -> None:
    assert problem(412, {}, b"<script>var $_ts={};</script>", "text/html") == "waf_412"
    assert (
        problem(
            200,
            {},
            b"<script>document.cookie='__jsl_clearance=1'</script>",
            "text/html",
        )
        == "waf_challenge"
    )
    assert problem(200, {}, b"   ", "text/html") == "blank_page"
    assert problem(200, {"Server": "Safedog"}, b"", "text/html") == "waf_safedog"
    soft = SITES["www.penglai.gov.cn"].handlers["/module/xxgk/xxgkAnnualReport.jsp"]
    from replica.site import Request

    empty = soft(
        Request(
            "GET",
            "http",
            "www.penglai.gov.cn",
            "/module/xxgk/xxgkAnnualReport.jsp",
            "area=x&fbtime=1",
        )
    )
    assert problem(200, {}, empty.body, "text/html") == "soft_404"
    real = (
        SITES["www.wip.gov.cn"].resources["/art/2024/1/29/art_151616_4308925.html"].body
    )
    assert problem(200, {}, real, "text/html") is None


def test_document_links_and_gbk_decoding() -> None:
    assert is_document_link("./P020240130543217803916.pdf")
    assert is_document_link("/module/download/downfile.jsp?classid=0&filename=ab.pdf")
    assert is_document_link("report.DOCX")
    assert not is_document_link("./202401/t20240130_6293183.html")
    assert (
        decode("郚山镇".encode("gbk"), "gb2312") == "郚山镇"
    )  # declared gb2312, GBK-only character
