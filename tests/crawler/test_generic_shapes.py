"""Shapes of the "unknown" replica sites (replica/data/sites.d/odd.yaml) that the
generic reader and the base spider must read without a family: a 加载更多 button fed
by JSON, a report titled without its year linked like a unit's column, a flip-book,
report pages in templates no one knows (their 发布机构 in a table cell, their files in
blocks of any name). Saved by tests/fixtures/crawler/save_generic.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from crawler.fallback import _a_report_page
from crawler.generic import read_column
from crawler.items import FetchRecord, ListingBatch
from crawler.middlewares import SpiderErrorMiddleware
from crawler.pages import flipbook_pages
from crawler.spiders.generic import GenericSpider
from tests.crawler.fixtures import response, run, saved, spider_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

GUANXIAN = "http://www.guanxian.gov.cn"
CHANNEL = "322829908ce34cfd08184af4"
KUANDIAN = "http://www.kuandian.gov.cn/kdxzf/zwgk/zfxxgknb"
SFJ_2022 = f"{KUANDIAN}/2023010917381305853/index.shtml"


def _read(name: str):
    page = saved(name)
    return read_column(page.url, page.body.decode("utf-8"))


def test_a_load_more_button_gives_the_json_pages_it_would_fetch() -> None:
    reading = _read("generic/guanxian/column")
    api = f"{GUANXIAN}/gongkai/api/doc/list?channelId={CHANNEL}"
    assert reading.pages == [f"{api}&pageNo=2&pageSize=4", f"{api}&pageNo=3&pageSize=4"]
    assert [link.title for link in reading.reports] == [
        "冠县人民政府2024年政府信息公开工作年度报告",
        "冠县交通运输局2024年政府信息公开工作年度报告",
        "冠县2023年政府信息公开工作年度报告解读",
    ]


def test_the_json_a_load_more_button_fetches_gives_its_records() -> None:
    reading = _read("generic/guanxian/doc-list-2")
    assert [(link.title, link.url) for link in reading.reports] == [
        (
            "冠县人民政府2023年政府信息公开工作年度报告",
            f"{GUANXIAN}/gongkai/site_gxzf/channel_{CHANNEL}/doc_0819968475ba0aa556ab325c.html",
        ),
        (
            "冠县交通运输局2023年政府信息公开工作年度报告",
            f"{GUANXIAN}/gongkai/site_gxzf/channel_{CHANNEL}/doc_152524286f53b9c2c81c37c2.html",
        ),
        (
            "聊城市人民政府2022年政府信息公开工作年度报告",
            f"{GUANXIAN}/gongkai/site_gxzf/channel_{CHANNEL}/doc_40ed76b629daddd11ba327c7.html",
        ),
        (
            "冠县人民政府2022年政府信息公开工作年度报告",
            f"{GUANXIAN}/gongkai/site_gxzf/channel_{CHANNEL}/doc_52f5cca69906d7c5a6abad2e.html",
        ),
    ]


def test_a_report_titled_without_its_year_is_followed_and_told_by_its_page() -> None:
    reading = _read("generic/kuandian/page-3")
    assert reading.maybe_reports == {
        SFJ_2022: "宽甸满族自治县司法局政府信息公开工作年度报告"
    }
    assert SFJ_2022 in reading.columns
    assert _a_report_page(response("generic/kuandian/sfj-2022"))
    assert not _a_report_page(response("generic/kuandian/page-3"))


def test_a_column_link_that_is_a_report_page_is_listed_and_archived_as_one() -> None:
    spider = spider_for(GenericSpider, "kuandian")
    page = response(
        "generic/kuandian/sfj-2022",
        source="kuandian",
        kind="list",
        generic="read generically",
        maybe_report="宽甸满族自治县司法局政府信息公开工作年度报告",
        listing_url=f"{KUANDIAN}/a3c9e1f7-3.shtml",
    )
    out = list(spider.parse_generic(page))
    batch = next(i for i in out if isinstance(i, ListingBatch))
    assert (batch.list_url, [(e.url, e.decision) for e in batch.entries]) == (
        f"{KUANDIAN}/a3c9e1f7-3.shtml",
        [(SFJ_2022, "report")],
    )
    record = next(i for i in out if isinstance(i, FetchRecord))
    assert (record.kind, record.failure) == ("page", None)
    assert record.identity is not None
    assert (record.identity.body, record.identity.year) == (
        "宽甸满族自治县司法局",
        2022,
    )


def test_a_flip_book_names_its_text_pages_in_order() -> None:
    book = saved("generic/pengxi/book").body.decode("utf-8")
    assert flipbook_pages(book) == [
        f"files/basic-html/page{n}.html" for n in range(1, 6)
    ]
    assert flipbook_pages(saved("generic/shangcai/caidu-2023").body.decode("gbk")) == []


def test_a_flip_books_pages_are_asked_for_as_parts_of_its_report() -> None:
    spider = spider_for(GenericSpider, "pengxi")
    book = response(
        "generic/pengxi/book",
        source="pengxi",
        kind="page",
        listing_url="http://www.pengxi.gov.cn/info/iList.jsp",
    )
    out = run(spider.parse_page(book))
    assert out.record.identity is not None
    assert out.record.identity.body == "蓬溪县人民政府"
    first = "http://www.pengxi.gov.cn/book/2022zfxxgknb/xzfb/index.html"
    assert [(r.url, r.meta["part_of"], r.meta["part"]) for r in out.requests] == [
        (
            f"http://www.pengxi.gov.cn/book/2022zfxxgknb/xzfb/files/basic-html/page{n}.html",
            first,
            n + 1,
        )
        for n in range(1, 6)
    ]


def test_a_report_page_of_no_known_template_gives_its_files_and_publisher() -> None:
    spider = spider_for(GenericSpider, "guanxian")
    stub = spider.attachment_links(response("generic/guanxian/stub", source="guanxian"))
    assert [(link.url, link.title) for link in stub] == [
        (
            "/gongkai/files/2023/01/20/4d1f6c6c67bbe45ebf11e8fa.pdf",
            "冠县交通运输局2022年政府信息公开工作年度报告.pdf",
        )
    ]
    spider = spider_for(GenericSpider, "shangcai")
    caidu = spider.attachment_links(
        response("generic/shangcai/caidu-2023", source="shangcai")
    )
    assert [link.url for link in caidu] == [
        "../UploadFiles/xxgk/2024/1/202401161250005439.pdf"
    ]
    evidence = spider.page_evidence(
        response("generic/shangcai/wsj-2022", source="shangcai")
    )
    assert (evidence.title, evidence.publisher) == (
        "2022年政府信息公开工作年度报告",
        "上蔡县卫生健康委员会",
    )


def test_a_spiders_exception_on_a_page_is_a_failed_fetch_not_a_silent_gap() -> None:
    spider = spider_for(GenericSpider, "guanxian")
    page = response("generic/guanxian/stub", source="guanxian", kind="page")
    crawler = cast("Crawler", SimpleNamespace(spider=spider))
    (record,) = SpiderErrorMiddleware(crawler).process_spider_exception(
        page, KeyError("href")
    ) or [None]
    assert isinstance(record, FetchRecord)
    assert (record.url, record.kind, record.failure, record.failure_detail) == (
        page.url,
        "page",
        "spider_error",
        "KeyError: 'href'",
    )
    assert record.body is None  # never a version
