"""An "unknown" site on the Hebei 集约化 platform: ``/columns/{uuid}/…`` (wangdu).

No family spider is written for it. What the real platform does and this module
reproduces (``docs/site-families.md`` §2.7; hebei.gov.cn, xinle.gov.cn):

* columns are ``/columns/{uuid}/index.html``; articles
  ``/columns/{uuid}/{YYYYMM}/{DD}/{uuid}.html``;
* the column page renders the first page of its list block; the other pages are the
  block itself, ``/columns/{uuid}/templates/{uuid}/blocks/{uuid}?page=N``, an HTML
  fragment. The pager is **numbered pages only**: no 下一页, no page count;
* list items are ``<div>`` cards (title, a one-line summary, the date);
* the article's date and time sit in two adjacent spans (its text reads
  ``2021-03-2918:26``) and its 来源 is often left empty;
* the column mixes the county's, its departments' and towns' reports with the city's
  report (reposted), a 解读, a 指南 and news items — one of them a training meeting
  whose title names the report.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from html import unescape
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from replica.families.common import (
    ATTACHMENT_FORMAT,
    HAS_ARTICLE,
    article_html,
    article_meta,
    attachment_bytes,
    attachment_name,
    e,
    file_resource,
    hex_name,
)
from replica.model import Noise, Posting, Report
from replica.site import HTML_UTF8, DocRef, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 4, 20, 9, 0)


def uuid_of(*parts: object) -> str:
    """A stable UUID-shaped id (``8aef2fa0-cc14-409e-9f68-fbdba00a0c72``)."""
    h = hex_name(*parts)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-9{h[17:20]}-{h[20:32]}"


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>\n<meta charset="utf-8">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        '<meta name="SiteIDCode" content="1306310001">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n{extra}'
        '<link rel="stylesheet" href="/static/css/common.css">\n'
        '<script src="/static/js/jquery.min.js"></script>\n</head>\n'
    )


def _frame(spec: SiteSpec, crumbs: list[tuple[str, str]], main: str, xxgk: str) -> str:
    trail = " &gt; ".join(f'<a href="{e(h)}">{e(n)}</a>' for n, h in crumbs)
    return (
        '<body>\n<div class="header"><div class="logo"><img src="/static/img/logo.png" '
        f'alt="{e(spec.site_name)}"></div>\n<ul class="nav"><li><a href="/">首页</a></li>'
        f'<li><a href="{e(xxgk)}">政府信息公开</a></li>'
        '<li><a href="/columns/zwfw/index.html">政务服务</a></li></ul></div>\n'
        f'<div class="location">当前位置：{trail}</div>\n{main}\n'
        f'<div class="footer"><p>主办：{e(spec.site_name)}办公室</p>'
        "<p>网站标识码：1306310001　冀ICP备05001234号</p></div>\n</body></html>"
    )


class Hebei:
    """The host: one 年报 column with its list block, articles and uploads."""

    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        self.spec, self.epoch = spec, epoch
        self.site = Site(spec.host, spec.scheme, spec.family)
        host = spec.host
        self.col = uuid_of(host, "column")
        self.xxgk = uuid_of(host, "xxgk")
        self.template = uuid_of(host, "template")
        self.block = uuid_of(host, "block")
        self.name = spec.option("column", {}).get("name", "政府信息公开年报")
        self.cards: list[str] = []
        self.modified = utc(SITE_DATE)

    @property
    def column_path(self) -> str:
        return f"/columns/{self.col}/index.html"

    @property
    def block_path(self) -> str:
        return f"/columns/{self.col}/templates/{self.template}/blocks/{self.block}"

    def crumbs(self) -> list[tuple[str, str]]:
        return [
            ("首页", "/"),
            ("政府信息公开", f"/columns/{self.xxgk}/index.html"),
            (self.name, self.column_path),
        ]

    def add(self, posting: Posting) -> None:
        refs: list[DocRef] = []
        day = posting.published
        base = f"/columns/{self.col}/{day:%Y%m}/{day:%d}"
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(self._upload(posting))
        if posting.form in HAS_ARTICLE:
            path = f"{base}/{uuid_of(self.spec.host, posting.docid)}.html"
            page = self._article(posting, refs)
            url = self.site.add(
                path, Resource(page.encode(), HTML_UTF8, utc(posting.published))
            )
            refs.insert(0, DocRef(url, "page", "html"))
            href = path
        else:
            href = refs[0].url.split(self.spec.host, 1)[1]
        self.cards.append(self._card(href, posting))
        self.modified = max(self.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _upload(self, posting: Posting) -> DocRef:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{report.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        path = (
            f"/attachment/{posting.published:%Y%m}/"
            f"{hex_name(self.spec.host, posting.docid, fmt)}.{fmt}"
        )
        url = self.site.add(
            path,
            file_resource(
                attachment_bytes(report, fmt, self.epoch), fmt, posting.published
            ),
        )
        return DocRef(url, "attachment", fmt)

    def _card(self, href: str, posting: Posting) -> str:
        item = posting.item
        if isinstance(item, Report):
            summary = f"发布单位：{item.publisher}"
        else:
            summary = f"{item.kind}　{item.title[:18]}"
        return (
            '<div class="list-item">\n'
            f'  <div class="item-title"><a href="{e(href)}" target="_blank">'
            f"{e(posting.list_title)}</a></div>\n"
            f'  <div class="item-summary">{e(summary)}</div>\n'
            f'  <div class="item-date">{posting.published:%Y-%m-%d}</div>\n'
            "</div>"
        )

    def _article(self, posting: Posting, refs: list[DocRef]) -> str:
        item = posting.item
        # Reposts name where they come from; the county's own posts leave 来源 empty.
        own = isinstance(item, Noise) or item.body.level not in ("city", "province")
        source = "" if own else item.publisher
        files = "".join(
            f'<p><a href="{e(ref.url.split(self.spec.host, 1)[1])}" target="_blank">'
            f"{e(attachment_name(posting))}</a></p>"
            for ref in refs
        )
        main = (
            f'<div class="article">\n<h1 class="article-title">{e(item.title)}</h1>\n'
            f'<div class="article-info"><span class="date">{posting.published:%Y-%m-%d}</span>'
            f'<span class="time">{posting.published:%H:%M}</span>\n'
            f"<span>来源:{e(source)}</span>\n"
            '<span>字体:<a href="javascript:;">大</a> <a href="javascript:;">中</a> '
            '<a href="javascript:;">小</a></span></div>\n'
            f'<div class="article-content" id="content">\n{article_html(posting)}\n</div>\n'
            + (f'<div class="article-file">附件：{files}</div>\n' if files else "")
            + "</div>"
        )
        return _head(self.spec, item.title, self.name, article_meta(posting)) + _frame(
            self.spec, self.crumbs(), main, self.crumbs()[1][1]
        )

    def _pager(self, current: int, count: int) -> str:
        links = []
        for n in range(1, count + 1):
            if n == current:
                links.append(f'<span class="active">{n}</span>')
            else:
                links.append(f'<a href="{self.block_path}?page={n}">{n}</a>')
        return f'<div class="pagination">{"".join(links)}</div>'

    def _block(self, page: int, count: int, perpage: int) -> str:
        cards = "\n".join(self.cards[(page - 1) * perpage : page * perpage])
        pager = self._pager(page, count) if count > 1 else ""
        return f'<div class="block-list" data-block="{self.block}">\n{cards}\n</div>\n{pager}'

    def finish(self) -> None:
        perpage = int(self.spec.option("perpage", 15))
        count = max(1, math.ceil(len(self.cards) / perpage))
        first = (
            f'<div class="column"><div class="column-title">{e(self.name)}</div>\n'
            f'<div class="block" id="block-{self.block}" data-src="{self.block_path}">\n'
            f"{self._block(1, count, perpage)}\n</div></div>"
        )
        self.site.add(
            self.column_path,
            Resource(
                (
                    _head(self.spec, f"{self.name}-{self.spec.site_name}", self.name)
                    + _frame(self.spec, self.crumbs(), first, self.crumbs()[1][1])
                ).encode(),
                HTML_UTF8,
                self.modified,
            ),
        )

        def block(request: Request) -> Resource:
            raw = request.params().get("page", "1")
            page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
            html = (
                self._block(page, count, perpage)
                if page <= count
                else (
                    '<div class="block-list"><div class="no-data">暂无数据</div></div>'
                )
            )
            return Resource(html.encode(), HTML_UTF8, self.modified, validators=())

        self.site.handlers[self.block_path] = block
        self._portal()

    def _portal(self) -> None:
        """The home page and the 政府信息公开 page above the column."""
        xxgk = (
            '<div class="gk-nav"><ul>'
            f'<li><a href="/columns/{uuid_of(self.spec.host, "zn")}/index.html">政府信息公开指南</a></li>'
            f'<li><a href="/columns/{uuid_of(self.spec.host, "zd")}/index.html">政府信息公开制度</a></li>'
            f'<li><a href="/columns/{uuid_of(self.spec.host, "fd")}/index.html">法定主动公开内容</a></li>'
            f'<li><a href="{self.column_path}">{e(self.name)}</a></li></ul></div>'
        )
        self.site.add(
            f"/columns/{self.xxgk}/index.html",
            Resource(
                (
                    _head(
                        self.spec, f"政府信息公开-{self.spec.site_name}", "政府信息公开"
                    )
                    + _frame(self.spec, self.crumbs()[:2], xxgk, self.crumbs()[1][1])
                ).encode(),
                HTML_UTF8,
                utc(SITE_DATE),
            ),
        )
        home = f'<div class="home"><a href="/columns/{self.xxgk}/index.html">政府信息公开</a></div>'
        self.site.add(
            "/index.html",
            Resource(
                (
                    _head(self.spec, self.spec.site_name, "首页")
                    + _frame(self.spec, [("首页", "/")], home, self.crumbs()[1][1])
                ).encode(),
                HTML_UTF8,
                utc(SITE_DATE),
            ),
        )


SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
ANCHOR = re.compile(r'<a\s[^>]*?href="([^"#]+)"[^>]*>(.*?)</a>', re.S)


def fill_links(site: Site, charset: str = "utf-8") -> None:
    """Give every same-host link of the site's pages a page (a section with no items).

    Real portals link their other sections (政务服务, 指南, 制度…) from every page; a
    crawler that looks for the report column walks through them and must not meet
    404s that the real site would not give.
    """
    codec = "gbk" if charset == "gb2312" else "utf-8"
    content_type = f"text/html; charset={charset}"
    missing: dict[str, str] = {}
    for path, resource in list(site.resources.items()):
        if not resource.content_type.startswith("text/html"):
            continue
        html = SCRIPT.sub("", resource.body.decode(codec, "replace"))
        for href, text in ANCHOR.findall(html):
            target = urlsplit(urljoin(site.url(path), unescape(href)))
            if target.scheme not in ("http", "https") or target.hostname != site.host:
                continue
            if site.fetch(site.url(target.path)).status == 404 and not target.query:
                missing.setdefault(target.path, re.sub(r"<[^>]+>", "", text).strip())
    for path, name in sorted(missing.items()):
        title = name or "栏目"
        html = (
            f'<!DOCTYPE html>\n<html><head><meta charset="{charset}">'
            f"<title>{e(title)}</title></head>\n<body><h2>{e(title)}</h2>"
            '<p class="nodata">暂无信息</p><p><a href="/">返回首页</a></p></body></html>'
        )
        site.add(
            path + ("index.html" if path.endswith("/") else ""),
            Resource(html.encode(codec), content_type, utc(SITE_DATE)),
        )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    host = Hebei(site_spec, epoch)
    for posting in postings:
        host.add(posting)
    host.finish()
    fill_links(host.site)
    host.site.not_found = Resource(
        "<html><body><h2>404</h2><p>您访问的页面不存在</p></body></html>".encode(),
        HTML_UTF8,
        utc(SITE_DATE),
        status=404,
    )
    return host.site
