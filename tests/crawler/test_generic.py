"""The generic reading of a report column (crawler/generic.py) and the fallback of a family
spider that finds nothing (crawler/fallback.py), on saved pages and small real-shaped
snippets of the platforms of ../shared/docs/site-families.md §2.7."""

from __future__ import annotations

import base64
from urllib.parse import quote

from crawler.generic import Post, read_column
from crawler.items import FetchRecord
from crawler.spiders.generic import GenericSpider
from crawler.spiders.trs import TrsSpider
from tests.crawler.fixtures import entries, response, run, saved, spider_for

WHCTP = "http://www.whctp.gov.cn"


def _read(name: str, charset: str = "utf-8"):
    page = saved(name)
    return read_column(page.url, page.body.decode(charset))


def test_a_jpage_column_gives_its_inline_records_and_the_rest_as_dataproxy_ranges() -> (
    None
):
    reading = _read("hanweb/whctp/col82956")
    assert len(reading.reports) == 10
    assert (
        reading.reports[0].title
        == "威海火炬高技术产业开发区管理委员会2024年政府信息公开工作年度报告"
    )
    assert reading.posts == [
        Post(
            f"{WHCTP}/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=30&perpage=10",
            {
                "col": "1",
                "appid": "1",
                "webid": "12",
                "path": "/",
                "columnid": "82956",
                "sourceContentType": "1",
                "unitid": "282956",
                "webname": "威海火炬高技术产业开发区管理委员会",
                "permissiontype": "0",
            },
        )
    ]


def test_a_dataproxy_answer_in_xml_gives_its_records() -> None:
    reading = _read("hanweb/whctp/dataproxy-11-30")
    assert len(reading.reports) == 18  # 20 records, 2 of them not named as reports
    assert all("报告" in link.title or "年报" in link.title for link in reading.reports)


def test_a_report_column_of_unit_subcolumns_is_followed_into_them() -> None:
    reading = _read("trs/anqiu/index")
    assert reading.reports == []
    assert [url for url in reading.columns if "/XXGKNB/" in url] == [
        f"http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/{unit}/"
        for unit in ("szfnb", "szfbgs", "bmnb", "zjnb")
    ]


def test_year_subcolumns_are_columns_and_a_gbk_column_gives_its_reports_and_pages() -> (
    None
):
    assert (
        f"http://www.wip.gov.cn/col/col{151617}/index.html"
        in _read("hanweb/wip/col151610").columns
    )
    reading = _read("trs/anqiu/zjnb-index", "gb18030")
    assert reading.pages == [
        "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/zjnb/index_1.html"
    ]
    assert [
        (link.url.rsplit("/", 2)[-2:], link.title) for link in reading.reports[:2]
    ] == [
        (
            ["202401", "t20240129_6047948.html"],
            "安丘市景芝镇人民政府2023年政府信息公开工作年度报告",
        ),
        (
            ["202401", "t20240123_6046691.html"],
            "安丘市凌河街道办事处2023年政府信息公开工作年度报告",
        ),
    ]


def test_a_unit_by_year_table_names_each_link_by_its_row_and_header() -> None:
    reading = _read("hanweb/penglai/col59245")
    assert len(reading.reports) == 19
    assert (
        reading.reports[0].title
        == "烟台市蓬莱区人民政府 2023年度 政府信息公开工作年度报告"
    )
    assert reading.reports[0].url.endswith(
        "xxgkAnnualReport.jsp?area=11370614009502886G&fbtime=2023"
    )


PAGE = "http://www.example.gov.cn/zwgk/xxgknb/index.html"


def test_links_without_href_js_arrays_json_and_encoded_pagers_are_read() -> None:
    pager = base64.b64encode(
        quote(
            '<a href="/zwgk/xxgknb/index_2.html">2</a><a href="/zwgk/xxgknb/index_3.html">下一页</a>'
        ).encode()
    ).decode()
    html = f"""<html><head><title>信息公开年报</title></head><body>
    <ul><li><a href="javascript:void(0)"
      onclick="isDownLoad(this,'https://www.example.gov.cn/zwgk/xxgknb/202401/t20240120_1.html')"
      >某某区人民政府2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>
    <li><a href="/zwgk/xxgknb/202401/t20240121_2.html"
      >某某区人民政府2023年政府信息公开工作年度报告解读</a></li>
    <li><a href="/zwgk/bszn/">政府信息公开指南</a></li></ul>
    <script>var itemObj=[{{aT:"某某区教育局2023年政府信息公开工作年度报告",
      aPd:"2024-01-25",aU:"/zwgk/xxgknb/202401/t20240125_3.html"}},
      {{aT:"关于开展安全检查的通知",aPd:"2024-01-26",aU:"/zwgk/tzgg/t20240126_4.html"}}];</script>
    <div id="pages">{pager}</div>
    <select><option value="/zwgk/xxgknb/index_4.html">4</option></select></body></html>"""
    reading = read_column(PAGE, html)
    assert sorted((link.url, link.title) for link in reading.reports) == [
        (
            "http://www.example.gov.cn/zwgk/xxgknb/202401/t20240121_2.html",
            "某某区人民政府2023年政府信息公开工作年度报告解读",
        ),
        (
            "http://www.example.gov.cn/zwgk/xxgknb/202401/t20240125_3.html",
            "某某区教育局2023年政府信息公开工作年度报告",
        ),
        (
            "https://www.example.gov.cn/zwgk/xxgknb/202401/t20240120_1.html",
            "某某区人民政府2023年政府信息公开工作年度报告",
        ),
    ]
    assert reading.pages == [
        "http://www.example.gov.cn/zwgk/xxgknb/index_4.html",
        "http://www.example.gov.cn/zwgk/xxgknb/index_2.html",
        "http://www.example.gov.cn/zwgk/xxgknb/index_3.html",
    ]
    assert (
        "http://www.example.gov.cn/zwgk/bszn/" not in reading.columns
    )  # 指南 is no column


def test_a_json_answer_gives_its_report_items() -> None:
    answer = (
        '{"total": 2, "data": [{"title": "某某镇人民政府2023年政府信息公开工作年度报告",'
        ' "url": "/art/2024/1/20/art_1_2.html", "date": "2024-01-20"},'
        ' {"title": "某某镇2024年春节值班表", "url": "/art/2024/2/1/art_1_3.html"}]}'
    )
    reading = read_column("http://www.example.gov.cn/api/list?page=1", answer)
    assert [(link.url, link.title, link.date) for link in reading.reports] == [
        (
            "http://www.example.gov.cn/art/2024/1/20/art_1_2.html",
            "某某镇人民政府2023年政府信息公开工作年度报告",
            "2024-01-20",
        )
    ]


def test_a_portal_page_leads_to_the_report_column_not_to_the_guide_or_the_work_report() -> (
    None
):
    html = """<html><body><a href="/zwgk/">政府信息公开</a><a href="/zwgk/xxgknb/">政府信息公开年报</a>
    <a href="/zwgk/znan/">政府信息公开指南</a><a href="/zwgk/gzbg/">政府工作报告</a>
    <a href="/news/t20240101_1.html">2023年度新闻</a></body></html>"""
    reading = read_column("http://www.example.gov.cn/", html)
    assert reading.columns == [
        "http://www.example.gov.cn/zwgk/",
        "http://www.example.gov.cn/zwgk/xxgknb/",
    ]
    assert reading.reports == []


def test_a_family_spider_that_finds_nothing_falls_back_to_the_generic_reading() -> None:
    spider = spider_for(TrsSpider, "whctp")  # a Hanweb site given the wrong family
    out = run(
        spider.parse_start(
            response("hanweb/whctp/col82956", source="whctp", kind="list")
        )
    )
    (capture,) = [r for r in out.records if isinstance(r, FetchRecord)]
    assert capture.failure is None
    listed = entries(out.batch)
    assert len(listed) == 10
    assert all(
        reason.endswith(
            "(read generically: the trs spider found nothing on this source's page)"
        )
        for *_, reason in listed
    )
    assert len([r for r in out.requests if r.meta["kind"] == "page"]) == 10
    assert [
        r.url for r in out.requests if r.meta["kind"] == "list" and r.method == "POST"
    ] == [
        f"{WHCTP}/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=30&perpage=10"
    ]


def test_a_family_that_finds_something_is_never_second_guessed() -> None:
    spider = spider_for(TrsSpider, "anqiu")
    out = run(
        spider.parse_start(
            response("trs/anqiu/zjnb-index", source="anqiu", kind="list")
        )
    )
    assert all("read generically" not in reason for *_, reason in entries(out.batch))


def test_the_generic_spider_never_claims_a_page() -> None:
    from crawler.detect import Page

    page = saved("hanweb/whctp/col82956")
    assert GenericSpider.detect(Page(page.url, page.body.decode())) is None
