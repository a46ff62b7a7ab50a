"""博达 VSB 站群: universities, and zones such as ccxi.gov.cn 长兴岛 (Dalian).

* Fingerprint: the ``<!--Announced by Visual SiteBuilder 9-->`` stamp, scripts under
  ``/system/resource/js/``, click counters (``_showDynClicks``, ``_showDynClickBatch``),
  the ``span.p_pages`` pager, articles at ``/info/{wbtreeid}/{docid}.htm`` with the
  body in ``#vsb_content``.
* Lists: page 1 is ``{col}.htm``; the others count DOWN: page 2 is ``{col}/{N-1}.htm``
  and the last ``{col}/1.htm``. N is in the pager's ``span.p_t`` "1/N" (the pager shows
  only the first few page numbers; its 下页 link, ``{col}/{N-1}.htm``, says N too).
  Items are relative links (``../info/…``, ``../../info/…``) in ``<li>``.
* Annual reports: ``/info/…htm`` articles (ArticleTitle/PubDate/ContentSource meta);
  their files are listed after ``#vsb_content`` as "附件【x.pdf】已下载N次", linked
  through ``/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=…&
  wbfileid=…``.
* Quirks: ``download.jsp`` serves the file only when the request carries the article
  page as Referer; without it, a 200 HTML error page (about 4.9 KB) comes instead, so
  every download.jsp request sends its page as Referer (re-checks too), and an HTML
  answer from it is a failed fetch (``soft_error``), never a version of the file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from crawler.detect import Detection
from crawler.pages import Link, is_document_link
from crawler.spiders.base import ReportSpider, list_item_link
from processors.text import sniff

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy
    from scrapy.http import TextResponse

    from crawler.detect import Page
    from crawler.items import Identity
    from crawler.recognize import Evidence
    from crawler.registry import Source

ARTICLE = re.compile(r"(^|/)info/\d+/\d+\.htm$")
DOWNLOAD = "/system/_content/download.jsp"
PAGE_OF = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
COUNTDOWN = re.compile(r"/(\d+)\.htm$")
BODY = '//div[@id="vsb_content"]'
FILE_LINKS = (  # the body, and the attachment list after it inside the article form
    f'{BODY}//a[@href] | //form[@name="_newscontent_fromname"]//a[@href]'
)
FINGERPRINTS = (  # (sign, weight, evidence): weights add up, capped at 1
    (
        re.compile(r"Announced by Visual SiteBuilder"),
        0.5,
        "the Visual SiteBuilder stamp",
    ),
    (re.compile(r"/system/resource/js/"), 0.2, "scripts under /system/resource/js/"),
    (re.compile(r"_showDynClick(?:Batch|s)\("), 0.2, "_showDynClicks click counters"),
    (
        re.compile(r"""class=["']p_pages["']|class=["']p_no_d["']"""),
        0.2,
        "the span.p_pages pager",
    ),
    (
        re.compile(r"""href=["'][^"']*info/\d+/\d+\.htm["']"""),
        0.2,
        "/info/{tree}/{id}.htm articles",
    ),
    (re.compile(r"""id=["']vsb_content["']"""), 0.3, "the #vsb_content body"),
    (
        re.compile(r"download\.jsp\?urltype=news\.DownloadAttachUrl"),
        0.3,
        "download.jsp attachments",
    ),
)


class VsbSpider(ReportSpider):
    """博达 VSB sites; see the module docstring for the family's traits."""

    name = "vsb"

    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """The Visual SiteBuilder stamp, ``/system/resource/js/`` scripts, click
        counters, the ``p_pages`` pager and ``/info/…htm`` links: a VSB page."""
        found, sure = [], 0.0
        for sign, weight, evidence in FINGERPRINTS:
            if sign.search(page.html):
                found.append(evidence)
                sure += weight
        if not found:
            return None
        return Detection(cls.name, round(min(sure, 1.0), 2), tuple(found))

    # ------------------------------------------------------------------ lists
    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        source = self.source_of(response)
        for url in self.other_pages(response):
            yield self.list_request(url, source)
        yield from self.take_listing(response, self.items(response))

    def page_count(self, response: scrapy.http.Response) -> tuple[int, int] | None:
        """(this page, page count) from ``span.p_t`` "k/N", else from the 下页 link of
        page 1 (``{col}/{N-1}.htm``)."""
        for text in response.xpath('//span[@class="p_t"]/text()').getall():
            found = PAGE_OF.match(text)
            if found:
                return int(found.group(1)), int(found.group(2))
        following = response.xpath('//span[contains(@class, "p_next")]/a/@href').get()
        found = COUNTDOWN.search(following or "")
        if found and not COUNTDOWN.search(response.url):
            return 1, int(found.group(1)) + 1
        return None

    def other_pages(self, response: scrapy.http.Response) -> list[str]:
        """From page 1 (``{col}.htm``): ``{col}/{N-1}.htm`` … ``{col}/1.htm``."""
        pages = self.page_count(response)
        if pages is None or pages[0] != 1 or not response.url.endswith(".htm"):
            return []
        column = response.url.rsplit("/", 1)[1].removesuffix(".htm")
        return [
            response.urljoin(f"{column}/{k}.htm") for k in range(pages[1] - 1, 0, -1)
        ]

    def items(self, response: scrapy.http.Response) -> list[Link]:
        return [
            list_item_link(a)
            for a in response.xpath("//li//a[@href]")
            if ARTICLE.search(a.attrib["href"]) or is_document_link(a.attrib["href"])
        ]

    # ------------------------------------------------------------------ articles and files
    def page_evidence(self, response: TextResponse) -> Evidence:
        """The base's evidence, with the text of ``#vsb_content`` (its statistics period)."""
        evidence = super().page_evidence(response)
        if evidence.text:
            return evidence
        return replace(
            evidence, text=(response.xpath(f"string({BODY})").get() or "")[:5000]
        )

    def attachment_links(self, response: TextResponse) -> list[Link]:
        """Files in ``#vsb_content`` and in the 附件【…】 list after it."""
        links = super().attachment_links(response)
        seen = {link.url for link in links}
        for a in response.xpath(FILE_LINKS):
            href = a.attrib["href"]
            if is_document_link(href) and href not in seen:
                seen.add(href)
                links.append(
                    Link(href, " ".join(a.xpath(".//text()").getall()).strip())
                )
        return links

    def document_request(
        self,
        url: str,
        source: Source,
        kind: str,
        *,
        evidence: Evidence | None = None,
        identity: Identity | None = None,
        listing_url: str | None = None,
        link_text: str | None = None,
        listed: bool = True,
    ) -> scrapy.Request | None:
        """download.jsp answers only a request that names its article as Referer."""
        request = super().document_request(
            url,
            source,
            kind,
            evidence=evidence,
            identity=identity,
            listing_url=listing_url,
            link_text=link_text,
            listed=listed,
        )
        if request is not None and DOWNLOAD in url and listing_url:
            request.headers["Referer"] = listing_url
        return request

    def content_problem(self, response: scrapy.http.Response) -> str | None:
        """A web page from download.jsp is its error page, never the file."""
        found = super().content_problem(response)
        if found or DOWNLOAD not in response.url:
            return found
        if response.meta.get("kind") in ("attachment", "recheck"):
            declared = (response.headers.get("Content-Type") or b"").decode("latin-1")
            if sniff(response.body, declared).startswith("text/"):
                return "soft_error"
        return None
