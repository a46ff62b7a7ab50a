"""Hanweb 大汉 jcms (and its xxgk module): Shandong, Jiangsu, Zhejiang, Gansu, Jiangxi.

* Fingerprint: columns at ``/col/col{id}/index.html``, articles at non-padded
  ``/art/{Y}/{M}/{D}/art_{col}_{id}.html``, files via ``/module/download/downfile.jsp``.
* Lists: the first records exist only inside ``<script type="text/xml">`` as CDATA
  ``<li>`` records; the rest come from ``dataproxy.jsp`` (POSTed ``ajaxParam`` with
  ``startrecord/endrecord/perpage``), as the inline ``jpage`` config says.
* Annual reports: often in year sub-columns (``2023年``) of a 信息公开年报 column; the
  xxgk module publishes one ``xxgkAnnualReport.jsp?area=…&fbtime=…`` page per unit and year.
* Quirks: old columns that are only a ``location.href`` script.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import scrapy

from crawler.pages import Link, datastore_records, jpage_config, js_redirect
from crawler.spiders.base import ReportSpider, anchor_title, list_item_link

if TYPE_CHECKING:
    from collections.abc import Iterator

ARTICLE = re.compile(
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|xxgkAnnualReport\.jsp|/module/download/downfile\.jsp"
)
SUBCOLUMN = re.compile(r"^\s*(19|20)\d\d\s*年度?\s*$")


class HanwebSpider(ReportSpider):
    """Hanweb jcms sites; see the module docstring for the family's traits."""

    name = "hanweb"

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        html = response.text
        text = (response.xpath("string(//body)").get() or "").strip()
        target = js_redirect(html, len(text))
        if target:  # a stub column: the real one is elsewhere
            yield self.list_request(response.urljoin(target), self.source_of(response))
            return
        yield from self.subcolumns(response)
        yield from self.dataproxy_requests(response, len(datastore_records(html)))
        yield from self.take_listing(
            response, datastore_records(html) + self.content_links(response)
        )

    def subcolumns(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        """Year sub-columns (2023年, 2022年…) of a report column."""
        for a in response.xpath("//a[contains(@href, '/col/col')]"):
            if SUBCOLUMN.match(" ".join(a.xpath(".//text()").getall())):
                yield self.list_request(
                    response.urljoin(a.attrib["href"]), self.source_of(response)
                )

    def dataproxy_requests(
        self, response: scrapy.http.Response, inline: int
    ) -> Iterator[scrapy.Request]:
        """The records after the inline ones, a jpage group (perPage × groupSize) per POST."""
        config = jpage_config(response.text)
        if config is None or config.total <= inline:
            return
        step = config.per_page * config.group_size
        for start in range(inline + 1, config.total + 1, step):
            end = min(start + step - 1, config.total)
            query = urlencode(
                {"startrecord": start, "endrecord": end, "perpage": config.per_page}
            )
            yield scrapy.FormRequest(
                response.urljoin(f"{config.proxy_url}?{query}"),
                formdata=config.params,
                headers={"Referer": response.url},
                callback=self.parse_dataproxy,
                errback=self.failed,
                meta={"source": response.meta["source"], "kind": "list"},
            )

    def parse_dataproxy(self, response: scrapy.http.Response) -> Iterator[Any]:
        failure = (
            self.content_problem(response)
            if "<datastore" not in response.text
            else None
        )
        yield self.record(response, failure=failure)
        if not failure:
            yield from self.take_listing(response, datastore_records(response.text))

    def content_links(self, response: scrapy.http.Response) -> list[Link]:
        """Plain links to articles, xxgk report pages or files (pages without jpage)."""
        links = []
        for a in response.xpath("//a[@href]"):
            href = a.attrib["href"]
            if not ARTICLE.search(href):
                continue
            if "xxgkAnnualReport.jsp" in href:
                row = " ".join(a.xpath("ancestor::tr[1]/td[1]//text()").getall())
                links.append(
                    Link(
                        href,
                        f"{row.strip()} {anchor_title(a)}".strip(),
                        reason="xxgkAnnualReport page (one per unit and year)",
                    )
                )
            else:
                links.append(list_item_link(a))
        return links
