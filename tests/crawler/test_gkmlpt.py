"""GkmlptSpider on saved gkmlpt answers of fogang.gov.cn (replica, night 1): the JS
shells' _CONFIG (SID, TREE), the annual-report view, the JSON API paged by its total
(pages 0 and 1 the same), post_{id} articles and their /attachment/ files, detection."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.items import Identity
from crawler.spiders.gkmlpt import GkmlptSpider, config_tree, gkmlpt_root, total_of
from tests.crawler.fixtures import (
    described,
    entries,
    parse_list_with,
    parse_page_with,
    response,
    run,
    saved,
    saved_page,
    source,
    spider_for,
)

FOGANG = "http://www.fogang.gov.cn"
API = f"{FOGANG}/gkmlpt/api/all"
CONTENT = f"{FOGANG}/gkmlpt/content/3"
REPORT = "title names an annual report"
REGION = "广东省清远市佛冈县"
SHELLS = ["gkmlpt/fogang/index", "gkmlpt/fogang/annualreport"]
API_PAGES = [f"gkmlpt/fogang/api-2657-page{n}" for n in range(5)]
ARTICLES = ["gkmlpt/fogang/post_3409072", "gkmlpt/fogang/post_3423345"]


def parse_list(name: str):
    return parse_list_with(GkmlptSpider, "fogang", name)


def parse_api(name: str, spider: GkmlptSpider | None = None):
    spider = spider or spider_for(GkmlptSpider, "fogang")
    return run(spider.parse_api(response(name, source="fogang", kind="list")))


def parse_page(name: str, title: str, published: str):
    listing = f"{API}/2657?page=1&sid=763021"
    return parse_page_with(
        GkmlptSpider,
        "fogang",
        name,
        title=title,
        published=published,
        listing_url=listing,
    )


def api(category: int, page: int) -> tuple[str, str, str, str]:
    return ("GET", f"{API}/{category}?page={page}&sid=763021", "parse_api", "list")


def page(post: int) -> tuple[str, str, str, str]:
    return ("GET", f"{CONTENT}/{post // 1000}/post_{post}.html", "parse_page", "page")


# ---------------------------------------------------------------- the shells
def test_shell_config_names_the_site_id_and_the_category_tree() -> None:
    found = config_tree(saved("gkmlpt/fogang/index").body.decode())
    assert found is not None
    sid, tree = found
    assert sid == "763021"
    assert [(n["id"], n["name"], n["jump_url"]) for n in tree] == [
        (2646, "组织机构", ""),
        (2647, "政策文件", ""),
        (2651, "规划信息", ""),
        (2655, "政府信息公开年报", "/gkmlpt/annualreport"),
    ]


def test_platform_shell_jumps_to_the_annual_report_view() -> None:
    out = parse_list("gkmlpt/fogang/index")
    assert [described(r) for r in out.requests] == [
        ("GET", f"{FOGANG}/gkmlpt/annualreport", "parse_list", "list")
    ]
    assert out.batches == []


def test_annual_report_view_asks_the_api_for_page_1_of_each_category() -> None:
    out = parse_list("gkmlpt/fogang/annualreport")
    assert [described(r) for r in out.requests] == [
        api(2656, 1),
        api(2657, 1),
        api(2658, 1),
    ]
    assert out.batches == []


def test_empty_shell_is_captured_as_a_list_page() -> None:
    record = parse_list("gkmlpt/fogang/annualreport").record
    assert (record.kind, record.status, record.failure) == ("list", 200, None)
    assert record.body == saved("gkmlpt/fogang/annualreport").body


def test_api_lives_under_the_shells_own_prefix() -> None:
    assert gkmlpt_root(f"{FOGANG}/gkmlpt/annualreport") == f"{FOGANG}/gkmlpt/"
    assert (
        gkmlpt_root("http://www.zhaoqing.gov.cn/zqhjj/gkmlpt/index")
        == "http://www.zhaoqing.gov.cn/zqhjj/gkmlpt/"
    )


# ---------------------------------------------------------------- the API
def test_first_page_asks_for_the_pages_up_to_its_total() -> None:
    out = parse_api("gkmlpt/fogang/api-2657-page1")  # total 8, 3 a page
    assert [described(r) for r in out.requests] == [
        api(2657, 2),
        api(2657, 3),
        page(3434583),
        page(3431622),
        page(3423345),
    ]


def test_first_page_lists_its_items_with_their_publication_times() -> None:
    assert entries(parse_api("gkmlpt/fogang/api-2657-page1").batch) == [
        (
            f"{CONTENT}/3434/post_3434583.html",
            "佛冈县教育局2024年政府信息公开工作年度报告",
            "2025-01-24 10:22",
            "report",
            REPORT,
        ),
        (
            f"{CONTENT}/3431/post_3431622.html",
            "佛冈县发展和改革局2024年政府信息公开工作年度报告",
            "2025-01-17 08:21",
            "report",
            REPORT,
        ),
        (
            f"{CONTENT}/3423/post_3423345.html",
            "2023年政府信息公开工作年度报告",
            "2024-01-24 10:17",
            "report",
            REPORT,
        ),
    ]


def test_page_0_is_page_1() -> None:
    zero, one = parse_api(API_PAGES[0]), parse_api(API_PAGES[1])
    assert saved(API_PAGES[0]).body == saved(API_PAGES[1]).body
    assert entries(zero.batch) == entries(one.batch)
    assert [described(r) for r in zero.requests] == [described(r) for r in one.requests]


def test_pages_0_and_1_in_one_crawl_list_each_report_once() -> None:
    spider = spider_for(GkmlptSpider, "fogang")
    first = parse_api(API_PAGES[0], spider)
    again = parse_api(API_PAGES[1], spider)
    assert len(first.batch.entries) == 3
    assert again.batches == []  # nothing new: every item was listed already
    assert [r.meta["kind"] for r in again.requests] == [
        "list",
        "list",
    ]  # Scrapy drops these


@pytest.mark.parametrize(
    ("answer", "total"),
    [
        ({"total": 8, "classify": {"post_count": 8}, "articles": []}, 8),
        ({"classify": {"post_count": "241"}, "articles": []}, 241),  # no total
        ({"total": "12", "articles": []}, 12),
        ({"articles": []}, None),
    ],
)
def test_total_is_the_answers_total_else_its_categorys_post_count(
    answer: dict, total: int | None
) -> None:
    assert total_of(answer) == total


def test_middle_page_skips_the_notice_and_asks_for_no_other_page() -> None:
    out = parse_api("gkmlpt/fogang/api-2657-page2")
    assert [described(r) for r in out.requests] == [page(3423041), page(3413569)]
    assert [e[1:] for e in entries(out.batch)] == [
        (
            "佛冈县发展和改革局2023年政府信息公开工作年度报告",
            "2024-01-21 09:14",
            "report",
            REPORT,
        ),
        (
            "关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知",
            "2023-12-20 09:30",
            "skipped",
            "noise: 通知 (a notice)",
        ),
        (
            "佛冈县教育局2022年政府信息公开工作年度报告",
            "2023-01-20 16:09",
            "report",
            REPORT,
        ),
    ]


def test_last_page_asks_for_its_reports_only() -> None:
    out = parse_api("gkmlpt/fogang/api-2657-page3")
    assert [described(r) for r in out.requests] == [page(3409072), page(3402702)]


def test_page_past_the_total_lists_nothing() -> None:
    out = parse_api("gkmlpt/fogang/api-2657-page4")
    assert (out.record.status, out.record.failure) == (200, None)
    assert out.requests == []
    assert out.batches == []


def test_an_answer_that_is_not_the_apis_json_is_a_failed_list() -> None:
    out = parse_api("gkmlpt/fogang/index")
    assert (out.record.status, out.record.failure) == (200, "not_json")
    assert out.record.body is None
    assert out.requests == []


# ---------------------------------------------------------------- articles
FGJ_2022 = "佛冈县发展和改革局2022年政府信息公开工作年度报告"


def test_article_identity_comes_from_its_meta_tags() -> None:
    out = parse_page(ARTICLES[0], FGJ_2022, "2023-01-11 08:18")
    assert out.record.identity == Identity(
        body="佛冈县发展和改革局",
        year=2022,
        title=FGJ_2022,
        region=REGION,
        level="department",
        published="2023-01-11 08:18",
        note="body from title; year from title",
    )


def test_article_links_its_attachment_under_attachment() -> None:
    out = parse_page(ARTICLES[0], FGJ_2022, "2023-01-11 08:18")
    pdf = f"{FOGANG}/attachment/0/819/819569/3409072.pdf"
    assert out.record.links == [(pdf, f"{FGJ_2022}.pdf")]
    assert [described(r) for r in out.requests] == [
        ("GET", pdf, "parse_file", "attachment")
    ]
    assert out.requests[0].meta["identity"] == out.record.identity


def test_article_titled_without_its_body_is_its_publishers() -> None:
    title = "2023年政府信息公开工作年度报告"
    record = parse_page(ARTICLES[1], title, "2024-01-24 10:17").record
    assert record.identity == Identity(
        body="佛冈县教育局",
        year=2023,
        title=title,
        region=REGION,
        level="department",
        published="2024-01-24 10:17",
        note="body from 发布机构; year from title",
    )
    assert record.links == []


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize("name", SHELLS + API_PAGES[:1] + ARTICLES)
def test_detect_claims_the_platforms_pages(name: str) -> None:
    found = GkmlptSpider.detect(saved_page(name))
    assert found is not None
    assert found.family == "gkmlpt"
    assert found.confidence >= 0.8, found.line()


def test_detect_evidence_on_the_start_page() -> None:
    found = GkmlptSpider.detect(saved_page("gkmlpt/fogang/annualreport"))
    assert found is not None
    assert (found.confidence, found.evidence) == (
        1.0,
        (
            "URL under /gkmlpt/",
            "window._CONFIG with SID",
            "_CONFIG.TREE or the gkml bundles",
        ),
    )


@pytest.mark.parametrize(
    "name",
    [
        "nfcms/conghua/index",
        "nfcms/conghua/bm-2023n-index",
        "nfcms/conghua/post_10619835",
        "trs/anqiu/szfnb-index",
        "hanweb/whctp/col82956",
        "fujian/pingtan/list",
    ],
)
def test_detect_leaves_other_families_pages_alone(name: str) -> None:
    assert GkmlptSpider.detect(saved_page(name)) is None


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("name", SHELLS + API_PAGES)
def test_every_request_stays_on_the_sources_host(name: str) -> None:
    parse = parse_list if name in SHELLS else parse_api
    hosts = {urlsplit(r.url).hostname for r in parse(name).requests}
    assert hosts <= {"www.fogang.gov.cn"} == source("fogang").hosts


@pytest.mark.parametrize("name", API_PAGES)
def test_every_listed_item_is_a_post_page_of_the_platform(name: str) -> None:
    for batch in parse_api(name).batches:
        for entry in batch.entries:
            assert entry.url.startswith(f"{CONTENT}/"), entry
            assert urlsplit(entry.url).path.rsplit("/", 1)[1].startswith("post_")
