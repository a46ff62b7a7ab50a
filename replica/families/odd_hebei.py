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

from datetime import datetime
from typing import TYPE_CHECKING

from replica.families.common import (
    article_html,
    article_meta,
    attachment_name,
    e,
    hex_name,
)
from replica.families.odd_common import OddHost, build_host
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


class Hebei(OddHost):
    """The host: one 年报 column with its list block, articles and uploads."""

    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        super().__init__(spec, epoch)
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
        day, host = posting.published, self.spec.host
        refs = self.post(
            posting,
            f"/columns/{self.col}/{day:%Y%m}/{day:%d}/{uuid_of(host, posting.docid)}.html",
            lambda refs: self._article(posting, refs).encode(),
            lambda fmt: (
                f"/attachment/{day:%Y%m}/{hex_name(host, posting.docid, fmt)}.{fmt}"
            ),
        )
        self.cards.append(self._card(self.local(refs[0].url), posting))
        self.modified = max(self.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

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
            f'<p><a href="{e(self.local(ref.url))}" target="_blank">'
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
        perpage, count = self.paged(len(self.cards))
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


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    not_found = (
        "<html><body><h2>404</h2><p>您访问的页面不存在</p></body></html>".encode()
    )
    return build_host(Hebei(site_spec, epoch), postings, not_found, SITE_DATE)
