"""TrsSpider on saved pages of the TRS variant hosts (replica, night 1; site-families §6):
www.shashi.gov.cn (``<table>`` rows, ``./`` and ``../`` links, ``.shtml``, the six-argument
pager counting from 1, a three-page article, the city's report reposted) and
www.changle.gov.cn (``<dl><dd>`` items, root-relative and absolute links, ``.htm``,
``countPage`` and four-argument pagers naming ``index_N.htm``, a two-page article)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.detect import Page
from crawler.items import Identity, KnownDocument
from crawler.pages import Pager, js_pager
from crawler.recognize import Evidence, higher_places, reposted
from crawler.spiders.trs import TrsSpider
from tests.crawler.fixtures import (
    described,
    entries,
    response,
    run,
    saved,
    source,
    spider_for,
)

SHASHI = "http://www.shashi.gov.cn/xxgk"
NB = f"{SHASHI}/xxgkml/zfxxgknb"
CHANGLE = "http://www.changle.gov.cn/zwgk/zfxxgknb"
REPORT = "title names an annual report"
GOV_2023 = "荆州市沙市区人民政府2023年政府信息公开工作年度报告"
MULTI = f"{NB}/202403/t20240321_6024033"  # its three pages: .shtml, _1.shtml, _2.shtml
LISTS = [
    ("shashi", "trs/shashi/index"),
    ("shashi", "trs/shashi/index_2"),
    ("shashi", "trs/shashi/index_3"),
    ("changle", "trs/changle/xzfnb-index"),
    ("changle", "trs/changle/zjnb-index"),
    ("changle", "trs/changle/zjnb-index_1"),
]


def text(name: str) -> str:
    return saved(name).body.decode("utf-8")


def parse_list(source_id: str, name: str):
    spider = spider_for(TrsSpider, source_id)
    return run(spider.parse_list(response(name, source=source_id, kind="list")))


def page_request(spider: TrsSpider, source_id: str, name: str, title: str):
    return spider.document_request(
        saved(name).url,
        source(source_id),
        "page",
        evidence=Evidence(title=title),
        listing_url="http://listing/",
        link_text=title,
    )


def parse_page(source_id: str, name: str, title: str, **kwargs):
    spider = spider_for(TrsSpider, source_id, **kwargs)
    request = page_request(spider, source_id, name, title)
    return run(spider.parse_page(response(name, request)))


# ---------------------------------------------------------------- the pagers (crawler/pages.py)
def test_the_six_argument_pager_counts_pages_from_1() -> None:
    pager = js_pager(text("trs/shashi/index"))
    assert pager == Pager(count=3, current=1, name="index", ext="shtml", first=1)
    assert pager.is_first
    assert pager.others() == ["index_2.shtml", "index_3.shtml"]  # no index_1


def test_the_six_argument_pager_on_the_last_page_is_not_the_first() -> None:
    pager = js_pager(text("trs/shashi/index_3"))
    assert pager == Pager(count=3, current=3, name="index", ext="shtml", first=1)
    assert not pager.is_first


def test_a_pager_counting_from_1_has_no_index_1() -> None:
    assert saved("trs/shashi/index_1").status == 404


def test_the_four_argument_pager_names_htm_pages_from_0() -> None:
    pager = js_pager(text("trs/changle/zjnb-index"))
    assert pager == Pager(count=2, current=0, name="index", ext="htm", first=0)
    assert pager.others() == ["index_1.htm"]


def test_count_page_takes_its_page_names_from_the_links_it_writes() -> None:
    pager = js_pager(text("trs/changle/xzfnb-index"))
    assert pager == Pager(count=2, current=0, name="index", ext="htm", first=0)


def test_an_articles_autopage_pager_names_its_continuation_pages() -> None:
    pager = js_pager(text("trs/shashi/t20240321_6024033"))
    assert pager == Pager(3, 0, "t20240321_6024033", "shtml", 0)
    assert pager.others() == [
        "t20240321_6024033_1.shtml",
        "t20240321_6024033_2.shtml",
    ]
    assert js_pager(text("trs/shashi/t20240321_6024033_2")) == Pager(
        3, 2, "t20240321_6024033", "shtml", 0
    )


def test_a_commented_out_call_above_the_live_pager_is_ignored() -> None:
    html = (
        '<script>\n//createPageHTML(9, 0, "index", "html");\n'
        "var currentPage = 0;//所在页从0开始\nvar countPage = 17;//共多少页\n</script>"
    )
    assert js_pager(html) == Pager(17, 0, "index", "html", 0)
    assert js_pager("<p>no pager</p>") is None


# ---------------------------------------------------------------- shashi: <table> rows
def test_the_first_page_asks_for_index_2_and_index_3_then_the_reports() -> None:
    out = parse_list("shashi", "trs/shashi/index")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{NB}/index_2.shtml", "parse_list", "list"),
        ("GET", f"{NB}/index_3.shtml", "parse_list", "list"),
        ("GET", f"{NB}/202503/t20250321_6035723.shtml", "parse_page", "page"),
        (
            "GET",
            f"{SHASHI}/bmxxgk/fgj/zfxxgknb/202501/t20250122_6032280.shtml",
            "parse_page",
            "page",
        ),
        (
            "GET",
            f"{SHASHI}/bmxxgk/jyj/zfxxgknb/202501/t20250108_6031370.shtml",
            "parse_page",
            "page",
        ),
        ("GET", f"{MULTI}.shtml", "parse_page", "page"),
    ]


def test_table_rows_are_listed_with_the_date_of_their_row() -> None:
    assert entries(parse_list("shashi", "trs/shashi/index").batch) == [
        (
            f"{NB}/202503/t20250321_6035723.shtml",
            "荆州市沙市区人民政府2024年政府信息公开工作年度报告",
            "2025-03-21",
            "report",
            REPORT,
        ),
        (
            f"{SHASHI}/bmxxgk/fgj/zfxxgknb/202501/t20250122_6032280.shtml",
            "荆州市沙市区发展和改革局2024年政府信息公开工作年度报告",
            "2025-01-22",
            "report",
            REPORT,
        ),
        (
            f"{SHASHI}/bmxxgk/jyj/zfxxgknb/202501/t20250108_6031370.shtml",
            "荆州市沙市区教育局2024年政府信息公开工作年度报告",
            "2025-01-08",
            "report",
            REPORT,
        ),
        (
            f"{NB}/202404/t20240412_6028475.shtml",
            "沙市区召开政务公开工作推进会",
            "2024-04-12",
            "skipped",
            "noise: 会议 (news of a meeting)",
        ),
        (
            f"{NB}/202403/t20240328_6027908.shtml",
            "《荆州市沙市区2023年政府信息公开工作年度报告》解读",
            "2024-03-28",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
        (f"{MULTI}.shtml", GOV_2023, "2024-03-21", "report", REPORT),
    ]


def test_dotdot_links_reach_the_channels_the_reports_are_quoted_from() -> None:
    html = text("trs/shashi/index_2")
    assert 'href="../sjxxgk/zfxxgknb/202402/t20240228_6023941.shtml"' in html
    assert 'href="../../bmxxgk/fgj/zfxxgknb/202401/t20240128_6020597.shtml"' in html
    assert [
        e[0] for e in entries(parse_list("shashi", "trs/shashi/index_2").batch)
    ] == [
        f"{SHASHI}/xxgkml/sjxxgk/zfxxgknb/202402/t20240228_6023941.shtml",
        f"{SHASHI}/bmxxgk/fgj/zfxxgknb/202401/t20240128_6020597.shtml",
        f"{NB}/202401/t20240127_6019216.shtml",
        f"{SHASHI}/bmxxgk/jyj/zfxxgknb/202401/t20240116_6016725.shtml",
        f"{NB}/202303/t20230320_6013133.shtml",
        f"{SHASHI}/bmxxgk/fgj/zfxxgknb/202301/t20230130_6011190.shtml",
    ]


def test_the_reposted_city_report_is_listed_as_a_report() -> None:
    first = entries(parse_list("shashi", "trs/shashi/index_2").batch)[0]
    assert first[1:] == (
        "荆州市2023年政府信息公开工作年度报告",
        "2024-02-28",
        "report",
        REPORT,
    )


def test_the_last_page_asks_for_no_other_list_page() -> None:
    out = parse_list("shashi", "trs/shashi/index_3")
    assert [r.meta["kind"] for r in out.requests] == ["page"] * 3
    assert [e[3] for e in entries(out.batch)] == [
        "report",
        "skipped",
        "report",
        "report",
    ]


# ---------------------------------------------------------------- shashi: a three-page article
def test_a_multi_page_article_asks_for_its_continuation_pages() -> None:
    out = parse_page("shashi", "trs/shashi/t20240321_6024033", GOV_2023)
    assert [described(r) for r in out.requests] == [
        ("GET", f"{MULTI}_1.shtml", "parse_part", "page"),
        ("GET", f"{MULTI}_2.shtml", "parse_part", "page"),
    ]
    identity = out.record.identity
    assert identity == Identity(
        body="荆州市沙市区人民政府",
        year=2023,
        title=GOV_2023,
        region="湖北省荆州市沙市区",
        level="county",
        published="2024-03-21 17:41",
        note="body from title; year from title",
    )
    for request in out.requests:
        assert request.meta["identity"] == identity
        assert request.meta["listing_url"] == f"{MULTI}.shtml"
        assert request.meta["listed"] is True
    assert [(r.meta["part_of"], r.meta["part"]) for r in out.requests] == [
        (f"{MULTI}.shtml", 2),
        (f"{MULTI}.shtml", 3),
    ]


def test_a_continuation_page_is_filed_under_the_first_pages_report() -> None:
    identity = parse_page(
        "shashi", "trs/shashi/t20240321_6024033", GOV_2023
    ).record.identity
    spider = spider_for(TrsSpider, "shashi")
    request = spider.document_request(
        f"{MULTI}_2.shtml",
        source("shashi"),
        "page",
        identity=identity,
        listing_url=f"{MULTI}.shtml",
        link_text=GOV_2023,
    )
    request.meta.update(part_of=f"{MULTI}.shtml", part=3)
    out = run(spider.parse_part(response("trs/shashi/t20240321_6024033_2", request)))
    record = out.record
    assert (record.kind, record.status, record.failure) == ("page", 200, None)
    assert record.identity == identity
    assert (record.part_of, record.part) == (f"{MULTI}.shtml", 3)
    assert record.body == saved("trs/shashi/t20240321_6024033_2").body
    assert record.links == []
    assert out.requests == []  # the last page asks for nothing more


def test_an_unchanged_first_page_still_has_its_known_continuations_checked() -> None:
    identity = Identity(
        "荆州市沙市区人民政府", 2023, GOV_2023, "湖北省荆州市沙市区", "county"
    )
    known = {
        url: KnownDocument(
            url,
            "shashi",
            "page",
            identity,
            etag=f'"{n}"',
            part_of=f"{MULTI}.shtml" if n else None,
            part=n + 1 if n else None,
        )
        for n, url in enumerate(
            [f"{MULTI}.shtml", f"{MULTI}_1.shtml", f"{MULTI}_2.shtml"]
        )
    }
    spider = spider_for(TrsSpider, "shashi", known=known)
    page = saved("trs/shashi/t20240321_6024033-304")
    request = page_request(
        spider, "shashi", "trs/shashi/t20240321_6024033-304", GOV_2023
    )
    out = run(spider.parse_page(response("trs/shashi/t20240321_6024033-304", request)))
    assert out.record.status == 304
    assert [described(r) for r in out.requests] == [
        ("GET", f"{MULTI}_1.shtml", "parse_part", "page"),
        ("GET", f"{MULTI}_2.shtml", "parse_part", "page"),
    ]
    assert [r.headers.get("If-None-Match") for r in out.requests] == [b'"1"', b'"2"']
    assert out.requests[0].meta["identity"] == identity
    assert page.status == 304


def test_a_one_page_article_asks_for_nothing_but_its_files() -> None:
    out = parse_page(
        "shashi",
        "trs/shashi/t20240116_6016725",
        "荆州市沙市区教育局2023年政府信息公开工作年度报告",
    )
    pdf = f"{SHASHI}/bmxxgk/jyj/zfxxgknb/202401/P020240116080738037037.pdf"
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]
    assert out.record.links == [
        (pdf, "荆州市沙市区教育局2023年政府信息公开工作年度报告.pdf")
    ]
    assert js_pager(text("trs/shashi/t20240116_6016725")) == Pager(
        1, 0, "t20240116_6016725", "shtml", 0
    )


# ---------------------------------------------------------------- reposted reports
def test_the_city_report_reposted_in_the_district_column_keeps_its_own_body() -> None:
    identity = parse_page(
        "shashi", "trs/shashi/t20240228_6023941", "荆州市2023年政府信息公开工作年度报告"
    ).record.identity
    assert identity == Identity(
        body="荆州市人民政府",
        year=2023,
        title="荆州市2023年政府信息公开工作年度报告",
        region="湖北省荆州市沙市区",
        level="city",
        published="2024-02-28 13:24",
        note="body from title (a higher body's report, reposted); year from title",
    )


def test_the_city_report_linked_absolutely_keeps_its_own_body() -> None:
    identity = parse_page(
        "changle",
        "trs/changle/t20240301_6031176",
        "潍坊市人民政府2023年政府信息公开工作年度报告",
    ).record.identity
    assert (identity.body, identity.year, identity.level) == (
        "潍坊市人民政府",
        2023,
        "city",
    )


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("荆州市2023年政府信息公开工作年度报告", "荆州市人民政府"),
        ("湖北省人民政府办公厅2023年政府信息公开工作年度报告", "湖北省人民政府办公厅"),
        ("岑河镇2021年政府信息公开工作年度报告", "荆州市沙市区岑河镇人民政府"),
        ("荆州市沙市区教育局2023年政府信息公开工作年度报告", "荆州市沙市区教育局"),
        ("发展和改革局2023年政府信息公开工作年度报告", "荆州市沙市区发展和改革局"),
    ],
)
def test_only_a_higher_bodys_title_escapes_the_districts_prefix(
    title: str, body: str
) -> None:
    spider = spider_for(TrsSpider, "shashi")
    found = spider.identity(
        Evidence(title=title, published="2024-02-01"), source("shashi")
    )
    assert found is not None
    assert found.body == body


def test_the_places_above_a_source_come_from_its_region() -> None:
    assert higher_places("湖北省荆州市沙市区") == ["湖北省", "荆州市"]
    assert higher_places("山东省潍坊市安丘市") == ["山东省", "潍坊市"]
    assert higher_places("北京市朝阳区") == ["北京市"]
    assert higher_places("湖北省恩施土家族苗族自治州恩施市") == [
        "湖北省",
        "恩施土家族苗族自治州",
    ]
    assert reposted("安丘市人民政府", source("anqiu")) is None


def test_a_report_titled_without_its_body_takes_its_content_source() -> None:
    identity = parse_page(
        "changle", "trs/changle/t20240122_6027437", "2023年政府信息公开工作年度报告"
    ).record.identity
    assert (identity.body, identity.year, identity.note) == (
        "昌乐县交通运输局",
        2023,
        "body from 发布机构; year from title",
    )


# ---------------------------------------------------------------- changle: <dl> items
def test_dl_items_with_root_relative_and_absolute_links() -> None:
    html = text("trs/changle/xzfnb-index")
    assert 'href="/zwgk/zfxxgknb/xzfnb/202503/t20250329_6041507.htm"' in html
    assert (
        f'href="{CHANGLE}/xzfnb/202403/t20240301_6031176.htm"' in html
    )  # the city's report
    assert entries(parse_list("changle", "trs/changle/xzfnb-index").batch) == [
        (
            f"{CHANGLE}/xzfnb/202503/t20250329_6041507.htm",
            "昌乐县人民政府2024年政府信息公开工作年度报告",
            "2025-03-29",
            "report",
            REPORT,
        ),
        (
            f"{CHANGLE}/xzfnb/202501/t20250125_6039803.htm",
            "昌乐县交通运输局2024年政府信息公开工作年度报告",
            "2025-01-25",
            "report",
            REPORT,
        ),
        (
            f"{CHANGLE}/xzfnb/202403/t20240325_6034341.htm",
            "昌乐县人民政府2023年政府信息公开工作年度报告",
            "2024-03-25",
            "report",
            REPORT,
        ),
        (
            f"{CHANGLE}/xzfnb/202403/t20240301_6031176.htm",
            "潍坊市人民政府2023年政府信息公开工作年度报告",
            "2024-03-01",
            "report",
            REPORT,
        ),
        (
            f"{CHANGLE}/xzfnb/202401/t20240122_6027437.htm",
            "2023年政府信息公开工作年度报告",
            "2024-01-22",
            "report",
            REPORT,
        ),
    ]


def test_count_page_of_htm_pages_asks_for_index_1_htm() -> None:
    first = parse_list("changle", "trs/changle/xzfnb-index").requests[0]
    assert described(first) == (
        "GET",
        f"{CHANGLE}/xzfnb/index_1.htm",
        "parse_list",
        "list",
    )


def test_the_four_argument_pager_asks_for_index_1_htm_from_page_1_only() -> None:
    assert described(parse_list("changle", "trs/changle/zjnb-index").requests[0]) == (
        "GET",
        f"{CHANGLE}/zjnb/index_1.htm",
        "parse_list",
        "list",
    )
    second = parse_list("changle", "trs/changle/zjnb-index_1")
    assert [r.meta["kind"] for r in second.requests] == ["page"] * 3


def test_a_two_page_htm_article_asks_for_its_second_page() -> None:
    out = parse_page(
        "changle",
        "trs/changle/t20230323_6017198",
        "昌乐县人民政府2022年政府信息公开工作年度报告",
    )
    assert [described(r) for r in out.requests] == [
        (
            "GET",
            f"{CHANGLE}/xzfnb/202303/t20230323_6017198_1.htm",
            "parse_part",
            "page",
        )
    ]
    assert (out.record.identity.body, out.record.identity.year) == (
        "昌乐县人民政府",
        2022,
    )


def test_the_second_page_of_an_article_asks_for_no_other_page() -> None:
    spider = spider_for(TrsSpider, "changle")
    out = run(
        spider.parse_page(
            response(
                "trs/changle/t20230323_6017198_1",
                page_request(
                    spider,
                    "changle",
                    "trs/changle/t20230323_6017198_1",
                    "昌乐县人民政府2022年政府信息公开工作年度报告",
                ),
            )
        )
    )
    assert out.requests == []


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize(("source_id", "name"), LISTS)
def test_every_request_stays_on_the_sources_host(source_id: str, name: str) -> None:
    hosts = {urlsplit(r.url).hostname for r in parse_list(source_id, name).requests}
    assert hosts == set(source(source_id).hosts)


@pytest.mark.parametrize(("source_id", "name"), LISTS)
def test_every_listed_item_has_its_date(source_id: str, name: str) -> None:
    for batch in parse_list(source_id, name).batches:
        for entry in batch.entries:
            assert entry.listed_date, entry
            assert entry.listed_date.startswith("20"), entry
            assert entry.url.endswith((".shtml", ".htm")), entry


# ---------------------------------------------------------------- detection on saved pages
def test_detection_weighs_a_list_of_articles_not_a_news_item_or_two() -> None:
    listed = TrsSpider.detect(
        Page(saved("trs/shashi/index").url, text("trs/shashi/index"))
    )
    assert listed is not None
    assert listed.confidence == 1.0
    home = (
        '<ul><li><a href="/xwzx/zwyw/202406/t20240617_4312.html">冠县召开推进会</a></li>'
        '<li><a href="/xwzx/zwyw/202406/t20240614_4305.html">冠县开展大检查</a></li></ul>'
    )
    found = TrsSpider.detect(Page("http://www.example.gov.cn/", home))
    assert found is not None
    assert found.confidence == 0.3
    assert found.evidence[0] == "2 link(s) to a tYYYYMMDD_id article"


def test_detection_of_an_article_page_and_of_another_familys_page() -> None:
    article = TrsSpider.detect(
        Page(
            saved("trs/shashi/t20240116_6016725").url,
            text("trs/shashi/t20240116_6016725"),
        )
    )
    assert article is not None
    assert article.confidence >= 0.8
    assert "the URL is a tYYYYMMDD_id article" in article.evidence
    hanweb = TrsSpider.detect(
        Page(
            saved("hanweb/wip/col151616").url,
            saved("hanweb/wip/col151616").body.decode(),
        )
    )
    assert hanweb is None or hanweb.confidence <= 0.2
