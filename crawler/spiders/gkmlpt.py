"""Guangdong 政府信息公开目录平台 (gkmlpt): every Guangdong government site's 信息公开目录.

* Fingerprint: ``/gkmlpt/index`` (``#{catId}``) and ``/gkmlpt/annualreport`` are empty
  Vue shells whose only data is an inline ``window._CONFIG = {SID: '755031', TREE:
  [...], …}`` (bundles under ``/gkmlpt/gkml/pc/js/``); articles at
  ``/gkmlpt/content/{a}/{b}/post_{id}.html`` with a 索引号 / 分类 / 发布机构 / 成文日期 /
  名称 / 文号 / 发布日期 table above the body.
* Lists: JSON from ``/gkmlpt/api/all/{catId}?page={n}&sid={SID}`` (under the shell's own
  prefix: department sub-sites live at ``/{dept}/gkmlpt/``): ``{classify, total,
  articles: [{title, url, publisher, display_publish_time, …}]}``. About 100 items a
  page; pages 0 and 1 are the same page, page 2 the next: the first answer's length
  and ``total`` say how many pages there are (never assume 100).
* Annual reports: the tree's 年报 node (often jumping to ``/gkmlpt/annualreport``, the
  dedicated view) and its child categories (本级政府 / 部门 / 镇街…), one API listing
  each. A source may start on either shell.
* Quirks: HTTP only on many hosts; the API lists only recent items (older ones only
  through the province's search); attachments at ``/attachment/{a}/{b}/{n}/{id}.pdf``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from crawler.detect import Detection, Page
from crawler.pages import Link
from crawler.spiders.base import ReportSpider

if TYPE_CHECKING:
    from collections.abc import Iterator

    import scrapy

    from crawler.registry import Source

SID = re.compile(r"\bSID\s*:\s*['\"](\d+)['\"]")
CONFIG = re.compile(r"window\._CONFIG\s*=\s*\{")
TREE = re.compile(r"\bTREE\s*:\s*(?=\[)")
SHELL = re.compile(r"/gkmlpt/(?:index|annualreport|policy)\b")
POST = re.compile(r"/gkmlpt/content/\d+/\d+/m?post_\d+\.html")
REPORTS = re.compile(r"年报|年度报告")
LABELS = ("索引号", "发布机构", "成文日期", "文号")
CHINA = timedelta(hours=8)


def gkmlpt_root(url: str) -> str:
    """The platform's prefix on its host: ``http://host/gkmlpt/`` or ``…/{dept}/gkmlpt/``."""
    return url[: url.index("/gkmlpt/") + len("/gkmlpt/")]


def config_tree(html: str) -> tuple[str, list[dict[str, Any]]] | None:
    """``_CONFIG``'s SID and TREE (the category tree), or None when the page has none."""
    sid = SID.search(html)
    found = TREE.search(html)
    if not sid or not found:
        return None
    try:
        tree, _end = json.JSONDecoder().raw_decode(html, found.end())
    except ValueError:
        return None
    return (sid.group(1), tree) if isinstance(tree, list) else None


def report_nodes(tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outermost categories named for annual reports (政府信息公开年报…)."""
    found = []
    for node in tree:
        if REPORTS.search(str(node.get("name", ""))):
            found.append(node)
        else:
            found += report_nodes(node.get("children") or [])
    return found


def leaves(node: dict[str, Any]) -> list[int]:
    """A category's leaf ids (the node itself when it has no children)."""
    children = node.get("children") or []
    if not children:
        return [int(node["id"])]
    return [leaf for child in children for leaf in leaves(child)]


def api_page(text: str) -> dict[str, Any] | None:
    """An API answer: ``{total, articles: […]}``, or None for anything else."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        return None
    return data


def published(article: dict[str, Any]) -> str:
    """When an item was published, China time: ``display_publish_time`` (Unix), else
    ``created_at``."""
    stamp = article.get("display_publish_time")
    if isinstance(stamp, int) and stamp > 0:
        moment = datetime.fromtimestamp(stamp, UTC) + CHINA
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(article.get("created_at") or "")


def total_of(data: dict[str, Any]) -> int | None:
    """How many items the category has: ``total``, else ``classify.post_count``."""
    classify = data.get("classify")
    if not isinstance(classify, dict):
        classify = {}
    for value in (data.get("total"), classify.get("post_count")):
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
    return None


def page_number(url: str) -> int:
    """The ``page`` of an API URL (0 when absent)."""
    value = (parse_qs(urlsplit(url).query).get("page") or ["0"])[0]
    return int(value) if value.isdigit() else 0


def article_link(article: dict[str, Any]) -> Link | None:
    url = article.get("url") or article.get("post_url")
    if not url or not article.get("title"):
        return None
    return Link(str(url), str(article["title"]).strip(), published(article))


class GkmlptSpider(ReportSpider):
    """Guangdong gkmlpt sites; see the module docstring for the family's traits."""

    name = "gkmlpt"

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        """A shell page: the report categories' API listings (or the jump to the
        annual-report view)."""
        capture, is_list = self.capture_list(response)
        yield capture
        if not is_list:
            return
        found = config_tree(response.text)
        source = self.source_of(response)
        if found is None:
            self.logger.warning(
                "%s: no _CONFIG SID/TREE on %s", source.id, response.url
            )
            return
        sid, tree = found
        here = response.url.split("#", 1)[0]
        for node in report_nodes(tree):
            jump = response.urljoin(node["jump_url"]) if node.get("jump_url") else ""
            if jump and jump != here and "/gkmlpt/" in jump:
                yield self.list_request(jump, source)
                continue
            for category in leaves(node):
                yield self.api_request(response.url, category, sid, 1, source)

    def api_request(
        self, shell: str, category: int, sid: str, page: int, source: Source
    ) -> scrapy.Request:
        url = f"{gkmlpt_root(shell)}api/all/{category}?page={page}&sid={sid}"
        return self.list_request(url, source, callback=self.parse_api)

    def parse_api(self, response: scrapy.http.Response) -> Iterator[Any]:
        """One API page: its items, and from the first page the pages after it."""
        data = api_page(response.text) if hasattr(response, "text") else None
        failure = self.content_problem(response) or (
            None if data is not None else "not_json"
        )
        yield self.record(response, failure=failure)
        if failure or data is None:
            return
        articles = [a for a in data["articles"] if isinstance(a, dict)]
        yield from self.later_pages(response, len(articles), total_of(data))
        links = [link for link in map(article_link, articles) if link]
        yield from self.take_listing(response, links)

    def later_pages(
        self, response: scrapy.http.Response, size: int, total: int | None
    ) -> Iterator[scrapy.Request]:
        """From page 0 or 1 (the same page): pages 2 … ⌈total / size⌉."""
        if page_number(response.url) > 1 or size == 0 or total is None:
            return
        sid = (parse_qs(urlsplit(response.url).query).get("sid") or [""])[0]
        category = int(urlsplit(response.url).path.rstrip("/").rsplit("/", 1)[1])
        source = self.source_of(response)
        for later in range(2, math.ceil(total / size) + 1):
            yield self.api_request(response.url, category, sid, later, source)

    # ------------------------------------------------------------------ detection
    @classmethod
    def detect(cls, page: Page) -> Detection | None:
        """gkmlpt's shells (_CONFIG with SID and TREE), API answers and articles; a
        portal that only links to the platform gets a little."""
        url, html = page.url, page.html
        evidence, score = [], 0.0
        if "/gkmlpt/" in url:
            score += 0.4
            evidence.append("URL under /gkmlpt/")
        if CONFIG.search(html) and SID.search(html):
            score += 0.4
            evidence.append("window._CONFIG with SID")
        if TREE.search(html) or "/gkmlpt/gkml/" in html:
            score += 0.2
            evidence.append("_CONFIG.TREE or the gkml bundles")
        if POST.search(url) and all(label in html for label in LABELS):
            score += 0.4
            evidence.append("post_{id} article with the 索引号/发布机构/成文日期 table")
        if "/gkmlpt/api/all/" in url and '"articles"' in html:
            score += 0.4
            evidence.append("gkmlpt API answer")
        if not score and (SHELL.search(html) or POST.search(html)):
            score = 0.2
            evidence.append("links to /gkmlpt/ (the site also runs the platform)")
        if not score:
            return None
        return Detection(cls.name, round(min(score, 1.0), 2), tuple(evidence))
