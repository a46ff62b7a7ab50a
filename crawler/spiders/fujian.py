"""Fujian 集约化 portals (TRS back end, "trt" front end with avalon.js), e.g. pingtan.gov.cn.

* Fingerprint: articles at ``…/YYYYMM/tYYYYMMDD_{docid}.htm`` (``.htm``), TRS meta
  tags, the body in ``div.TRS_Editor``.
* Lists: the page's static HTML shows only the newest items; the older ones appear
  only when its JavaScript pages through ``/fjdzapp/search``. The list is therefore
  rendered in Chromium (scrapy-playwright) and paged by clicking 下一页; report pages
  and files are then fetched over plain HTTP.
* Quirks: the 全真版 PDF is linked only from the inline ``apps``/``apps1`` arrays;
  external links are rewritten to ``*.ipv6best.cn`` gateways (not followed).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from crawler.detect import Detection
from crawler.pages import Link
from crawler.settings import PLAYWRIGHT_SETTINGS
from crawler.spiders.base import ReportSpider, requested

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import scrapy

    from crawler.detect import Page
    from crawler.registry import Source

MAX_LIST_PAGES = 50
FINGERPRINTS = (
    (
        re.compile(r"avalon(?:\.min)?\.js|ms-controller"),
        0.6,
        "avalon.js (ms-controller)",
    ),
    (re.compile(r"/fjdzapp/"), 0.3, "the /fjdzapp/ search API"),
    (re.compile(r"qzbFile"), 0.2, "the 全真版 file array (qzbFile)"),
    (re.compile(r"""<meta name=["']SiteIDCode["']"""), 0.1, "the SiteIDCode meta tag"),
)
VISIBLE_LINKS = """(els) => els.filter(e => e.offsetParent !== null).map(e => ({
    url: e.href, title: e.title || e.textContent.trim(),
    date: (e.closest('dl, li, tr') || e.parentElement).textContent }))"""
FIRST_CHANGED = """([selector, before]) => {
    const now = [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null)
        .map(e => e.href).join(' ');
    return now.length > 0 && now !== before; }"""


class FujianSpider(ReportSpider):
    """Fujian 集约化 sites; see the module docstring for the family's traits."""

    name = "fujian"
    custom_settings = PLAYWRIGHT_SETTINGS

    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """avalon.js markup (``ms-controller``), the ``/fjdzapp/`` search API, the
        全真版 ``qzbFile`` and ``.htm`` TRS articles: the Fujian 集约化 front end."""
        html, found, sure = page.html, [], 0.0
        for sign, weight, evidence in FINGERPRINTS:
            if sign.search(html):
                found.append(evidence)
                sure += weight
        if not found:
            return None
        return Detection(cls.name, min(sure, 1.0), tuple(found))

    def list_request(self, url: str, source: Source, **kwargs: Any) -> scrapy.Request:
        if not source.quirk("js_list"):
            return super().list_request(url, source, **kwargs)
        known = self.lists.get(url)
        if known and (known.etag or known.last_modified) and known.items:
            # Read before: ask the server whether the page changed before starting a browser.
            validators = (
                ("If-None-Match", known.etag),
                ("If-Modified-Since", known.last_modified),
            )
            return super().list_request(
                url,
                source,
                callback=self.parse_validated_list,
                headers={k: v for k, v in validators if v},
                meta={"handle_httpstatus_list": [304]},
            )
        return self.render_request(url, source)

    def render_request(self, url: str, source: Source) -> scrapy.Request:
        meta = {"playwright": True, "playwright_include_page": True}
        return super().list_request(
            url, source, callback=self.parse_rendered_list, meta=meta, dont_filter=True
        )

    def parse_validated_list(self, response: scrapy.http.Response) -> Any:
        """304: the static page, with its total and newest items, is as last read; so are the
        older ones (adding or removing any changes the page's record count)."""
        if response.status != 304:
            yield self.render_request(response.url, self.source_of(response))
            return
        yield self.record(response)
        items = self.lists[requested(response).url].items
        yield from self.take_listing(
            response, [Link(i.url, i.title, i.listed_date or "") for i in items]
        )

    def parse_list(self, response: scrapy.http.Response) -> Any:
        yield self.record(response)

    async def parse_rendered_list(
        self, response: scrapy.http.Response
    ) -> AsyncIterator[Any]:
        """Collect the visible list items, then click 下一页 until there is none."""
        source = self.source_of(response)
        page = response.meta["playwright_page"]
        selector, next_page = source.quirk("list_items"), source.quirk("next_page")
        links: list[Link] = []
        try:
            for _ in range(MAX_LIST_PAGES):
                batch = await page.eval_on_selector_all(selector, VISIBLE_LINKS)
                links += [Link(b["url"], b["title"], b["date"]) for b in batch]
                button = page.locator(next_page)
                if not batch or await button.count() == 0:
                    break
                before = " ".join(b["url"] for b in batch)
                await button.first.click()
                await page.wait_for_function(
                    FIRST_CHANGED, arg=[selector, before], timeout=30_000
                )
        finally:
            await page.close()
        yield self.record(response, via="playwright")
        for item in self.take_listing(response, links):
            yield item
