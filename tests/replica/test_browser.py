"""Real Chromium (Debian's, through Playwright) reaches the replica through its proxy and
runs the sites' JavaScript: the Fujian pager's API calls, the 全真版 link, jpage lists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, sync_playwright

from app.config import chromium_path
from crawler.settings import CHROMIUM_ARGS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from replica.server import ReplicaThread

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
COLUMN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"


@pytest.fixture(scope="module")
def page(replica: ReplicaThread) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=list(CHROMIUM_ARGS),
            proxy={"server": replica.proxy},
        )
        context = browser.new_context(ignore_https_errors=True)
        yield context.new_page()
        browser.close()


def _visible_titles(page: Page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null).map(e => e.title)"
    )


def test_pingtan_older_reports_appear_only_after_the_pager_calls_the_api(
    page: Page,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(COLUMN)
    first = [t for t in _visible_titles(page, ".rules_tabs_01 dl a") if t]
    assert len(first) == 10
    assert first[0] == "平潭综合实验区2025年度政府信息公开工作年度报告"
    with page.expect_response("**/fjdzapp/search") as response:
        page.click("text=下一页")
    assert response.value.request.method == "POST"
    page.wait_for_selector("dl.replica-row")
    older = _visible_titles(page, "dl.replica-row a")
    page.screenshot(path=ARTIFACTS / "replica-pingtan-page2.png")
    assert len(older) == 10
    assert "平潭县人民政府2011年政府信息公开工作年度报告" in older
    assert "关于2014年政府信息公开工作要点落实情况的函" in older
    assert not set(older) & set(first)


def test_pingtan_qzb_pdf_link_is_filled_in_by_javascript(page: Page, manifest) -> None:
    entry = manifest["www.pingtan.gov.cn/105587"]
    pdf = next(f["url"] for f in entry["files"] if f["format"] == "pdf")
    page.goto(entry["files"][0]["url"])
    assert page.get_attribute("a.download", "href") == pdf
    assert (
        page.get_attribute("iframe.isofd", "src")
        == f"/generic2/web/viewer.html?file={pdf}"
    )


def test_hanweb_jpage_renders_the_datastore_and_fetches_later_pages(page: Page) -> None:
    page.goto("http://www.whctp.gov.cn/col/col82956/index.html")
    rows = "[id='282956'] ul li a"
    first = _visible_titles(page, rows)
    assert len(first) == 10
    with page.expect_response("**/dataproxy.jsp*") as response:
        page.click(".jpage-bar a[data-page='3']")
    assert response.value.status == 200
    page.wait_for_function(f'document.querySelector("{rows}").title !== {first[0]!r}')
    third = _visible_titles(page, rows)
    assert len(third) == 10
    assert not set(third) & set(first)
