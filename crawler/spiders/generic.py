"""The generic report-column spider: for sites no family knows.

* Fingerprint: none (it never claims a page: ``detect`` says nothing).
* Lists: every anchor (``href``, else the URL its ``onclick`` opens), the items of JS
  arrays and JSON answers, CDATA datastores, whose title mentions a report; the title
  rules decide which are reports (crawler/generic.py).
* Pagination: 下一页 and numbered links, ``<option>`` values, base64-encoded pager HTML,
  JS page counters, within the column's folder on the source's hosts.
* From a portal's home or 政府信息公开 page it finds the report column itself (links
  named 信息公开年报, 政府信息公开工作年度报告, 年报, or ``zfxxgknb`` in the URL), at most
  four clicks deep.
* Reports of other bodies reposted in the column are filed under their own body (the
  title's), as by every family.
* JavaScript: a column whose page holds no report link (a script builds the list), or
  fewer than its script says it has with no page to follow, is rendered in Chromium
  and clicked through (下一页, 加载更多); see ``crawler.fallback.needs_rendering``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.fallback import GENERIC
from crawler.settings import PLAYWRIGHT_SETTINGS
from crawler.spiders.base import ReportSpider

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy

# The browser handler for both schemes (unknown sites are often plain HTTP); it starts
# Chromium only when a column needs rendering.
GENERIC_SETTINGS: dict[str, Any] = {
    **PLAYWRIGHT_SETTINGS,
    "DOWNLOAD_HANDLERS": {
        "http": "crawler.browser.LazyPlaywrightHandler",
        "https": "crawler.browser.LazyPlaywrightHandler",
    },
}


class GenericSpider(ReportSpider):
    """Any site; see the module docstring."""

    name = "generic"
    renders = True
    custom_settings = GENERIC_SETTINGS

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if is_list:
            yield from self.read_generically(response, GENERIC)
