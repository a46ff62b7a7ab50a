"""A polite night's list pages carried forward from their last reading
(ReportSpider.carry_lists, crawler/verify.py ``list_due``): what an unchanged list
page's output becomes, and every way a page is read after all. The crawls that show it
on the replica are in tests/crawler/test_rolling_verification.py and
tests/crawler/test_hanweb_replica.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import (
    FetchRecord,
    Identity,
    KnownDocument,
    KnownList,
    ListedItem,
    ListingBatch,
    ListingEntry,
)
from crawler.spiders.hanweb import HanwebSpider
from tests.crawler.fixtures import RUN_ID, source

PARENT = "http://www.wip.gov.cn/col/col151610/index.html"
CHILD = "http://www.wip.gov.cn/col/col151612/index.html"
OTHER_CHILD = "http://www.wip.gov.cn/col/col151613/index.html"
REASON = "title names an annual report"
ON_PARENT = ListedItem(
    "http://www.wip.gov.cn/art/2025/1/6/art_151617_1.html",
    "某局2024年政府信息公开工作年度报告",
    "2025-01-06",
    "report",
    REASON,
)
KNOWN_REPORT = ListedItem(
    "http://www.wip.gov.cn/art/2020/1/13/art_151612_1.html",
    "某局2019年政府信息公开工作年度报告",
    "2020-01-13",
    "report",
    REASON,
)
NEW_REPORT = ListedItem(
    "http://www.wip.gov.cn/art/2020/2/1/art_151612_2.html",
    "某镇2019年政府信息公开工作年度报告",
    "2020-02-01",
    "report",
    REASON,
)
NOISE = ListedItem(
    "http://www.wip.gov.cn/art/2020/3/1/art_151612_3.html",
    "关于召开2019年度政务公开工作推进会的通知",
    "2020-03-01",
    "skipped",
    "noise: 通知 (a notice)",
)


def _ago(delta: timedelta) -> str:
    return (datetime.now(UTC) - delta).isoformat().replace("+00:00", "Z")


# Read an hour ago: within MIN_AGE no page's turn comes, whatever the day.
READ = _ago(timedelta(hours=1))
LISTS = {
    PARENT: KnownList(
        None, None, (ON_PARENT,), read_run=3, read_at=READ, leads_to=frozenset({CHILD})
    ),
    CHILD: KnownList(
        None, None, (KNOWN_REPORT, NEW_REPORT, NOISE), read_run=3, read_at=READ
    ),
}
KNOWN = {
    KNOWN_REPORT.url: KnownDocument(
        url=KNOWN_REPORT.url,
        source_id="wip",
        role="page",
        identity=Identity("某局", 2019, KNOWN_REPORT.title, "潍坊", "county"),
        link_text=KNOWN_REPORT.title,
        verified_at=READ,
    )
}


def _spider(lists: dict[str, KnownList] = LISTS, verify_days: int = 7) -> HanwebSpider:
    crawler = get_crawler(HanwebSpider)
    crawler.stats.open_spider()
    spider = HanwebSpider.from_crawler(
        crawler,
        sources=[source("wip")],
        run_id=RUN_ID,
        crawler_version="test",
        known=KNOWN,
        lists=lists,
        verify_days=verify_days,
    )
    assert isinstance(spider, HanwebSpider)
    return spider


def _list_request(url: str, **kwargs: Any) -> scrapy.Request:
    return scrapy.Request(url, meta={"source": "wip", "kind": "list"}, **kwargs)


def _parent_output(
    items: tuple[ListedItem, ...] = (ON_PARENT,),
    children: tuple[scrapy.Request, ...] | None = None,
) -> tuple[HtmlResponse, list[Any]]:
    """The parent list page read tonight with ``items``, asking for ``children``."""
    response = HtmlResponse(
        PARENT, body=b"<html></html>", encoding="utf-8", request=_list_request(PARENT)
    )
    batch = ListingBatch(RUN_ID, "wip", PARENT)
    batch.entries = [
        ListingEntry(i.url, i.title, i.listed_date, i.decision, i.reason) for i in items
    ]
    asked = (_list_request(CHILD),) if children is None else children
    return response, [batch, *asked]


def _carried(spider: HanwebSpider, output: list[Any]) -> list[Any]:
    response, produced = output
    return list(spider.carry_lists(response, produced))


def test_an_unchanged_page_carries_its_list_pages_that_are_not_due() -> None:
    spider = _spider()
    out = _carried(spider, _parent_output())
    batches = [item for item in out if isinstance(item, ListingBatch)]
    requests = [item for item in out if isinstance(item, scrapy.Request)]
    assert [b.list_url for b in batches] == [PARENT, CHILD]
    carried = batches[1].entries
    assert [(e.url, e.title, e.listed_date, e.decision) for e in carried] == [
        (i.url, i.title, i.listed_date, i.decision)
        for i in (KNOWN_REPORT, NEW_REPORT, NOISE)
    ]
    note = f"(carried from the reading of {READ[:10]}: not due tonight)"
    assert [e.reason for e in carried] == [
        f"{REASON} {note}",
        f"{REASON} {note}",
        f"noise: 通知 (a notice) {note}",
    ]
    # the list page is not asked for; its known report is not due; the report never
    # archived is asked for, as any listed report
    assert [(r.url, r.meta["kind"]) for r in requests] == [(NEW_REPORT.url, "page")]
    assert requests[0].meta["listing_url"] == CHILD
    assert spider.carried == {CHILD}
    assert spider.crawler.stats.get_value("nianbao/lists/carried") == 1


def test_a_page_carried_once_is_not_carried_again() -> None:
    spider = _spider()
    _carried(spider, _parent_output())
    again = _carried(spider, _parent_output())
    assert [type(i).__name__ for i in again] == ["ListingBatch"]  # the parent's own


def _asked_for(out: list[Any]) -> list[str]:
    return [
        r.url for r in out if isinstance(r, scrapy.Request) and r.meta["kind"] == "list"
    ]


def test_a_changed_page_asks_for_every_list_page_it_leads_to() -> None:
    renamed = ListedItem(
        ON_PARENT.url,
        "某局2024年度报告（更正）",
        ON_PARENT.listed_date,
        "report",
        REASON,
    )
    for items in ((renamed,), (ON_PARENT, NOISE), ()):
        spider = _spider()
        out = _carried(spider, _parent_output(items))
        assert _asked_for(out) == [CHILD]
        assert spider.carried == set()


def test_a_page_that_no_longer_asks_for_a_page_it_led_to_reads_the_rest() -> None:
    # its pager lost a page: the items of the lost page moved onto the others
    lists = {
        **LISTS,
        PARENT: KnownList(
            None,
            None,
            (ON_PARENT,),
            read_run=3,
            read_at=READ,
            leads_to=frozenset({CHILD, OTHER_CHILD}),
        ),
    }
    out = _carried(_spider(lists), _parent_output())
    assert _asked_for(out) == [CHILD]


def test_list_pages_that_are_due_or_not_plain_gets_are_asked_for() -> None:
    recent = f"{datetime.now(UTC).year}-01-05"
    fresh = ListedItem(NEW_REPORT.url, NEW_REPORT.title, recent, "report", REASON)
    lists = {**LISTS, CHILD: KnownList(None, None, (fresh,), read_run=3, read_at=READ)}
    out = _carried(_spider(lists), _parent_output())
    assert _asked_for(out) == [CHILD]
    # a page never read
    out = _carried(_spider(), _parent_output(children=(_list_request(OTHER_CHILD),)))
    assert _asked_for(out) == [OTHER_CHILD]
    # a POST (its URL does not name its page)
    post = _list_request(CHILD, method="POST", body=b"page=2")
    out = _carried(_spider(), _parent_output(children=(post,)))
    assert _asked_for(out) == [CHILD]


def test_without_a_window_nothing_is_carried_and_every_list_request_is_marked() -> None:
    spider = _spider(verify_days=0)
    out = _carried(spider, _parent_output())
    (request,) = [r for r in out if isinstance(r, scrapy.Request)]
    assert request.url == CHILD
    assert request.meta["from_list"] == PARENT  # recorded as its capture's listing_url
    assert spider.carried == set()


def test_a_failed_reading_carries_nothing() -> None:
    spider = _spider()
    response, produced = _parent_output()
    failed = spider.record(response, failure="waf_challenge")
    assert isinstance(failed, FetchRecord)
    out = list(spider.carry_lists(response, [failed, *produced]))
    assert _asked_for(out) == [CHILD]
