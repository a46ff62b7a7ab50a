"""VsbSpider on saved 博达 VSB pages of dlhyk.gov.cn (replica, night 1): the count-down
pages ({col}.htm, then {col}/5.htm … {col}/1.htm of 6), /info/… articles whose files
go through download.jsp, which needs the article as Referer (without it: a 200 HTML
error page, which must never pass for the file)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.items import Identity
from crawler.spiders.base import ReportSpider
from crawler.spiders.vsb import VsbSpider
from tests.crawler.fixtures import (
    described,
    entries,
    other_families_lists,
    parse_list_with,
    parse_page_with,
    response,
    run,
    saved,
    saved_page,
    sent_headers,
    source,
    spider_for,
)

DLHYK = "http://www.dlhyk.gov.cn"
COLUMN = f"{DLHYK}/zwgk/zfxxgknb"
DOWNLOAD = f"{DLHYK}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1621233478"
REPORT = "title names an annual report"
REGION = "辽宁省大连市花园口经济区"
LISTS = [
    "vsb/dlhyk/zfxxgknb",
    "vsb/dlhyk/zfxxgknb-5",
    "vsb/dlhyk/zfxxgknb-4",
    "vsb/dlhyk/zfxxgknb-1",
]
MINGYANG_2022 = "大连花园口经济区明阳街道办事处2022年政府信息公开工作年度报告"
MINGYANG_2022_PAGE = f"{DLHYK}/info/1308/30256.htm"
MINGYANG_2022_PDF = f"{DOWNLOAD}&wbfileid=3211792"
JJFZ_2024 = "大连花园口经济区经济发展局2024年政府信息公开工作年度报告"
JJFZ_2024_PAGE = f"{DLHYK}/info/1308/49135.htm"
JJFZ_2024_DOCX = f"{DOWNLOAD}&wbfileid=8104B3A0DF656930A2349E52DE67E050"


def parse_list(name: str):
    return parse_list_with(VsbSpider, "dlhyk", name)


def parse_page(name: str, title: str, published: str):
    return parse_page_with(
        VsbSpider,
        "dlhyk",
        name,
        title=title,
        published=published,
        listing_url=f"{COLUMN}/5.htm",
    )


# ---------------------------------------------------------------- count-down pages
def test_first_page_asks_for_the_other_five_counting_down() -> None:
    out = parse_list("vsb/dlhyk/zfxxgknb")
    assert [described(r) for r in out.requests[:5]] == [
        ("GET", f"{COLUMN}/{k}.htm", "parse_list", "list") for k in (5, 4, 3, 2, 1)
    ]


def test_the_page_count_comes_from_p_t_not_from_the_shown_numbers() -> None:
    html = saved("vsb/dlhyk/zfxxgknb").body.decode("utf-8")
    assert '<span class="p_t">1/6</span>' in html
    assert 'href="zfxxgknb/5.htm">2</a>' in html
    assert "zfxxgknb/1.htm" in html  # only as 尾页: number 6 is not shown
    assert ">6</a>" not in html
    spider = spider_for(VsbSpider, "dlhyk")
    assert spider.page_count(response("vsb/dlhyk/zfxxgknb")) == (1, 6)
    assert spider.page_count(response("vsb/dlhyk/zfxxgknb-5")) == (2, 6)


def test_first_page_lists_the_newest_reports_as_relative_info_links() -> None:
    assert entries(parse_list("vsb/dlhyk/zfxxgknb").batch) == [
        (
            f"{DLHYK}/info/1308/50012.htm",
            "大连花园口经济区管理委员会2024年政府信息公开工作年度报告",
            "2025-02-25",
            "report",
            REPORT,
        ),
        (f"{DLHYK}/info/1308/49135.htm", JJFZ_2024, "2025-01-30", "report", REPORT),
        (
            f"{DLHYK}/info/1308/47964.htm",
            # the link text is cut ("…工作年度..."), the title attribute is whole
            "大连花园口经济区明阳街道办事处2024年政府信息公开工作年度报告",
            "2025-01-22",
            "report",
            REPORT,
        ),
    ]


@pytest.mark.parametrize("name", LISTS[1:])
def test_other_pages_ask_for_no_list_page(name: str) -> None:
    assert [r.meta["kind"] for r in parse_list(name).requests] == ["page"] * len(
        parse_list(name).requests
    )


def test_page_2_is_5_htm_with_its_links_two_levels_up() -> None:
    out = parse_list("vsb/dlhyk/zfxxgknb-5")
    assert b'href="../../info/1308/45356.htm"' in saved("vsb/dlhyk/zfxxgknb-5").body
    assert [described(r) for r in out.requests] == [
        ("GET", f"{DLHYK}/info/1308/{docid}.htm", "parse_page", "page")
        for docid in (45356, 45223, 44329)
    ]


def test_page_3_keeps_a_title_without_the_body_and_skips_the_noise() -> None:
    assert entries(parse_list("vsb/dlhyk/zfxxgknb-4").batch) == [
        (
            f"{DLHYK}/info/1308/42890.htm",
            "2023年政府信息公开工作年度报告",
            "2024-01-13",
            "report",
            REPORT,
        ),
        (
            f"{DLHYK}/info/1308/39010.htm",
            "明阳街道2023年度工作总结",
            "2024-01-05",
            "skipped",
            "noise: 总结 (a work summary)",
        ),
        (
            f"{DLHYK}/info/1308/38138.htm",
            "《大连花园口经济区管理委员会2022年政府信息公开工作年度报告》解读",
            "2023-03-28",
            "skipped",
            "noise: 解读 (an explanation of a report)",
        ),
    ]


def test_the_last_page_is_1_htm_with_the_oldest_report() -> None:
    assert entries(parse_list("vsb/dlhyk/zfxxgknb-1").batch) == [
        (
            f"{DLHYK}/info/1308/21885.htm",
            "大连花园口经济区明阳街道办事处2021年政府信息公开工作年度报告",
            "2022-01-10",
            "report",
            REPORT,
        )
    ]


# ---------------------------------------------------------------- articles and download.jsp
def mingyang_2022():
    return parse_page("vsb/dlhyk/info-30256", MINGYANG_2022, "2023-01-16")


def jjfz_2024():
    return parse_page("vsb/dlhyk/info-49135", JJFZ_2024, "2025-01-30")


def test_article_identity_comes_from_its_meta_tags() -> None:
    assert mingyang_2022().record.identity == Identity(
        body="大连花园口经济区明阳街道办事处",
        year=2022,
        title=MINGYANG_2022,
        region=REGION,
        level="town",
        published="2023-01-16 12:51",
        note="body from title; year from title",
    )


def test_the_attachment_after_vsb_content_is_found() -> None:
    html = saved("vsb/dlhyk/info-30256").body.decode("utf-8")
    assert '附件【<a href="/system/_content/download.jsp?' in html
    assert html.index('<div id="vsb_content">') < html.index("附件【")
    assert mingyang_2022().record.links == [(MINGYANG_2022_PDF, f"{MINGYANG_2022}.pdf")]
    # the base alone finds it too: a file named for the report, in no known block
    spider = spider_for(VsbSpider, "dlhyk")
    base = ReportSpider.attachment_links(spider, response("vsb/dlhyk/info-30256"))
    assert [link.title for link in base] == [f"{MINGYANG_2022}.pdf"]


def test_download_jsp_is_asked_for_with_the_article_as_referer() -> None:
    (pdf,) = mingyang_2022().requests
    assert described(pdf) == ("GET", MINGYANG_2022_PDF, "parse_file", "attachment")
    assert sent_headers(pdf) == {"Referer": MINGYANG_2022_PAGE}
    assert pdf.meta["listing_url"] == MINGYANG_2022_PAGE


def test_a_32_hex_wbfileid_docx_is_asked_for_the_same_way() -> None:
    out = jjfz_2024()
    assert out.record.links == [(JJFZ_2024_DOCX, f"{JJFZ_2024}.docx")]
    (docx,) = out.requests
    assert sent_headers(docx) == {"Referer": JJFZ_2024_PAGE}


def test_a_recheck_of_a_known_file_sends_its_page_as_referer() -> None:
    spider = spider_for(VsbSpider, "dlhyk")
    request = spider.document_request(
        JJFZ_2024_DOCX,
        source("dlhyk"),
        "recheck",
        listing_url=JJFZ_2024_PAGE,
        listed=False,
    )
    assert request is not None
    assert sent_headers(request) == {"Referer": JJFZ_2024_PAGE}


def test_pages_and_other_files_are_asked_for_without_referer() -> None:
    spider = spider_for(VsbSpider, "dlhyk")
    request = spider.document_request(
        JJFZ_2024_PAGE, source("dlhyk"), "page", listing_url=f"{COLUMN}.htm"
    )
    assert request is not None
    assert "Referer" not in sent_headers(request)


def test_the_file_from_download_jsp_is_a_version() -> None:
    spider = spider_for(VsbSpider, "dlhyk")
    (request,) = jjfz_2024().requests
    record = run(
        spider.parse_file(response("vsb/dlhyk/download-8104B3A0", request))
    ).record
    assert (record.status, record.failure) == (200, None)
    assert record.sniffed_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert record.body == saved("vsb/dlhyk/download-8104B3A0").body


def test_the_error_page_of_download_jsp_is_a_failed_fetch_never_a_version() -> None:
    page = saved("vsb/dlhyk/download-8104B3A0-no-referer")
    assert page.status == 200
    assert 4500 < len(page.body) < 5300  # the real one is 4.9 KB
    spider = spider_for(VsbSpider, "dlhyk")
    (request,) = jjfz_2024().requests
    answer = response("vsb/dlhyk/download-8104B3A0-no-referer", request)
    record = run(spider.parse_file(answer)).record
    assert (record.status, record.failure, record.body) == (200, "soft_error", None)
    # the base alone would take it for the file: the URL promises no file type
    assert ReportSpider.content_problem(spider, answer) is None


def test_a_title_without_the_year_takes_it_from_vsb_content() -> None:
    title = "大连花园口经济区经济发展局政府信息公开工作年度报告"
    identity = parse_page("vsb/dlhyk/info-26352", title, "2023-01-08").record.identity
    assert identity is not None
    assert (identity.body, identity.year, identity.note) == (
        "大连花园口经济区经济发展局",
        2022,
        "body from title; year from statistics period",
    )


# ---------------------------------------------------------------- detection
def detect(name: str):
    return VsbSpider.detect(saved_page(name))


def test_a_column_page_is_claimed_by_its_vsb_stamp_and_pager() -> None:
    found = detect("vsb/dlhyk/zfxxgknb")
    assert found is not None
    assert found.confidence == 1.0
    assert found.evidence[:2] == (
        "the Visual SiteBuilder stamp",
        "scripts under /system/resource/js/",
    )
    assert "the span.p_pages pager" in found.evidence


def test_an_article_is_claimed_by_vsb_content_and_download_jsp() -> None:
    found = detect("vsb/dlhyk/info-30256")
    assert found is not None
    assert found.confidence == 1.0
    assert {"the #vsb_content body", "download.jsp attachments"} <= set(found.evidence)


@pytest.mark.parametrize("name", other_families_lists("vsb"))
def test_other_families_pages_are_not_claimed(name: str) -> None:
    found = VsbSpider.detect(saved_page(name))
    assert found is None or found.confidence <= 0.3, found


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("name", LISTS)
def test_every_request_stays_on_the_sources_host(name: str) -> None:
    hosts = {urlsplit(r.url).hostname for r in parse_list(name).requests}
    assert hosts <= {"www.dlhyk.gov.cn"} == source("dlhyk").hosts


@pytest.mark.parametrize("name", LISTS)
def test_every_entry_is_an_info_article(name: str) -> None:
    for batch in parse_list(name).batches:
        for entry in batch.entries:
            assert entry.url.startswith(f"{DLHYK}/info/1308/"), entry
            assert entry.url.endswith(".htm"), entry
