"""An "unknown" site on the Hunan 集约化 platform: numeric channel paths (anhua).

No family spider is written for it. What the real platform does and this module
reproduces (``docs/site-families.md`` §2.7; taojiang, yueyang):

* channels are numeric paths, ``/25074/25162/37354/index.htm`` (note ``.htm``);
  articles ``content_{id}.html`` inside their channel, linked relatively;
* the 年报 channel is only an aggregation page: one box per **year sub-channel**
  (2024年度, 2023年度 …) with its newest items and a 更多 link; the full lists are
  in the sub-channels;
* list items are ``<table>`` rows (number, truncated title with the full one in
  ``title``, date written ``2024年01月25日``);
* the pager has **下一页 only** (首页 / 上一页 / 下一页, no page numbers, no count):
  ``index.htm``, ``index_2.htm`` …;
* articles carry a 信息公开 table (索引号 / 发布机构 / 发文日期) and the body in
  ``#j-show-body``; attachments are ``/uploadfiles/{YYYYMM}/…``;
* the 2023 box mixes the county's reports with the city's (reposted) and a 解读; one
  county title names only the place (安化县2022年…).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from replica.families.common import (
    HAS_ARTICLE,
    article_html,
    article_meta,
    attachment_name,
    e,
    truncate,
)
from replica.families.odd_common import OddHost, build_host
from replica.model import Posting, Report
from replica.site import HTML_UTF8, DocRef, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 3, 1, 8, 30)
BOX_ITEMS = 3  # items per year box on the aggregation page


def page_name(index: int) -> str:
    """0 → index.htm, 1 → index_2.htm, 2 → index_3.htm …"""
    return "index.htm" if index == 0 else f"index_{index + 1}.htm"


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}" />\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}" />\n'
        '<meta name="SiteIDCode" content="4309230001" />\n'
        f'<meta name="ColumnName" content="{e(column)}" />\n{extra}'
        '<link href="/css/hnjyh.css" rel="stylesheet" type="text/css" />\n</head>\n'
    )


def _frame(spec: SiteSpec, crumbs: list[tuple[str, str]], main: str) -> str:
    trail = "&nbsp;&gt;&nbsp;".join(f'<a href="{e(h)}">{e(n)}</a>' for n, h in crumbs)
    return (
        f'<body>\n<div class="head"><div class="head-title">{e(spec.site_name)}</div>'
        '<div class="search"><form action="/search/index.htm"><input name="q"/></form></div></div>\n'
        f'<div class="crumb">您现在的位置：{trail}</div>\n<div class="main">\n{main}\n</div>\n'
        f'<div class="foot">版权所有：{e(spec.site_name)}　湘ICP备05009837号　'
        "网站标识码：4309230001</div>\n</body></html>"
    )


class Channel:
    """A year sub-channel: its path, name and table rows (newest first)."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name
        self.rows: list[tuple[str, Posting]] = []
        self.modified = utc(SITE_DATE)


class Hunan(OddHost):
    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        super().__init__(spec, epoch)
        channel = spec.option("channel")
        self.root, self.name = channel["path"], channel["name"]
        self.trail = [("首页", "/")] + [
            (t["name"], f"{t['path']}index.htm") for t in spec.option("trail")
        ]
        self.years = {
            key: Channel(f"{self.root}{value['id']}/", value["name"])
            for key, value in sorted(spec.option("years").items(), reverse=True)
        }

    def crumbs(self, channel: Channel | None = None) -> list[tuple[str, str]]:
        out = [*self.trail, (self.name, f"{self.root}index.htm")]
        if channel is not None:
            out.append((channel.name, f"{channel.path}index.htm"))
        return out

    def add(self, posting: Posting) -> None:
        item = posting.item
        key = str(item.year) if isinstance(item, Report) else posting.column
        channel = self.years[key]
        name = f"content_{posting.docid}.html"
        day, n = posting.published, posting.docid % 1000
        refs = self.post(
            posting,
            f"{channel.path}{name}",
            lambda refs: self._article(posting, channel, refs).encode(),
            lambda fmt: f"/uploadfiles/{day:%Y%m}/{day:%Y%m%d%H%M}{n:03d}.{fmt}",
        )
        # the channel links its articles relatively
        href = name if posting.form in HAS_ARTICLE else self.local(refs[0].url)
        channel.rows.append((href, posting))
        channel.modified = max(channel.modified, utc(posting.published))
        if isinstance(item, Report):
            self.site.documents[item.key] = refs

    def _article(self, posting: Posting, channel: Channel, refs: list[DocRef]) -> str:
        item = posting.item
        index_no = f"000014{posting.docid % 1000:03d}/{posting.published.year}-{posting.docid % 100000:05d}"
        table = (
            '<table class="xxgk-info"><tr><th>索引号：</th>'
            f"<td>{index_no}</td><th>发布机构：</th><td>{e(item.publisher)}</td></tr>"
            f"<tr><th>发文日期：</th><td>{posting.published:%Y-%m-%d}</td>"
            "<th>主题分类：</th><td>政务公开</td></tr></table>"
            if isinstance(item, Report)
            else ""
        )
        files = "".join(
            f'<li><a href="{e(self.local(ref.url))}">'
            f"{e(attachment_name(posting))}</a></li>"
            for ref in refs
        )
        main = (
            f'{table}<div class="article"><h2 class="article-title">{e(item.title)}</h2>\n'
            f'<div class="article-attr">发布时间：{posting.published:%Y-%m-%d %H:%M}　'
            f"信息来源：{e(item.publisher)}　浏览次数："
            '<span id="j-hits"></span></div>\n'
            f'<div class="content-text" id="j-show-body">\n{article_html(posting)}\n</div>\n'
            + (
                f'<div class="attachment"><p>附件：</p><ul>{files}</ul></div>\n'
                if files
                else ""
            )
            + "</div>"
        )
        return _head(
            self.spec,
            f"{item.title}-{self.spec.site_name}",
            channel.name,
            article_meta(posting, " />"),
        ) + _frame(self.spec, self.crumbs(channel), main)

    @staticmethod
    def _row(n: int, href: str, posting: Posting) -> str:
        title = posting.list_title
        day = posting.published.strftime("%Y年%m月%d日")
        return (
            f'<tr><td class="xh">{n}</td><td class="bt"><a href="{e(href)}" '
            f'target="_blank" title="{e(title)}">{e(truncate(title, 24))}</a></td>'
            f'<td class="rq">{day}</td></tr>'
        )

    def finish(self) -> None:
        for channel in self.years.values():
            perpage, count = self.paged(len(channel.rows))
            for index in range(count):
                chunk = channel.rows[index * perpage : (index + 1) * perpage]
                rows = "\n".join(
                    self._row(index * perpage + i + 1, href, p)
                    for i, (href, p) in enumerate(chunk)
                )
                pager = ['<a href="index.htm">首页</a>']
                if index > 0:
                    pager.append(f'<a href="{page_name(index - 1)}">上一页</a>')
                if index < count - 1:
                    pager.append(f'<a href="{page_name(index + 1)}">下一页</a>')
                main = (
                    f'<div class="list-title">{e(channel.name)}</div>\n'
                    '<table class="list-table" width="100%" cellspacing="0">\n'
                    '<tr class="th"><th>序号</th><th>标题</th><th>发布日期</th></tr>\n'
                    f'{rows}\n</table>\n<div class="page">{"&nbsp;".join(pager)}</div>'
                )
                self.site.add(
                    f"{channel.path}{page_name(index)}",
                    Resource(
                        (
                            _head(
                                self.spec,
                                f"{channel.name}-{self.spec.site_name}",
                                channel.name,
                            )
                            + _frame(self.spec, self.crumbs(channel), main)
                        ).encode(),
                        HTML_UTF8,
                        channel.modified,
                    ),
                )
        self._aggregation()
        self._portal()

    def _aggregation(self) -> None:
        boxes = []
        for channel in self.years.values():
            sub = channel.path.removeprefix(self.root)
            rows = "".join(
                f'<li><a href="{e(channel.path.removeprefix(self.root))}{e(href)}" '
                f'title="{e(p.list_title)}">{e(truncate(p.list_title, 20))}</a>'
                f"<span>{p.published:%Y-%m-%d}</span></li>"
                for href, p in channel.rows[:BOX_ITEMS]
                if not href.startswith("/")
            )
            boxes.append(
                f'<div class="box"><div class="box-head"><span>{e(channel.name)}</span>'
                f'<a class="more" href="{e(sub)}index.htm">更多&gt;&gt;</a></div>'
                f"<ul>{rows}</ul></div>"
            )
        nav = "".join(
            f'<li><a href="{e(c.path.removeprefix(self.root))}index.htm">{e(c.name)}</a></li>'
            for c in self.years.values()
        )
        main = (
            f'<div class="left-nav"><h3>{e(self.name)}</h3><ul>{nav}</ul></div>\n'
            + "\n".join(boxes)
        )
        modified = max(c.modified for c in self.years.values())
        self.site.add(
            f"{self.root}index.htm",
            Resource(
                (
                    _head(self.spec, f"{self.name}-{self.spec.site_name}", self.name)
                    + _frame(self.spec, self.crumbs(), main)
                ).encode(),
                HTML_UTF8,
                modified,
            ),
        )

    def _portal(self) -> None:
        pages = [*self.trail, (self.name, f"{self.root}index.htm")]
        for depth in range(len(pages) - 1):
            name, path = pages[depth]
            nxt = pages[depth + 1]
            main = (
                f'<ul class="links"><li><a href="{e(nxt[1])}">{e(nxt[0])}</a></li></ul>'
            )
            html = _head(self.spec, f"{name}-{self.spec.site_name}", name) + _frame(
                self.spec, pages[: depth + 1], main
            )
            self.site.add(
                "/index.html" if path == "/" else path,
                Resource(html.encode(), HTML_UTF8, utc(SITE_DATE)),
            )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    not_found = (
        "<html><head><title>404</title></head><body>页面不存在</body></html>".encode()
    )
    return build_host(Hunan(site_spec, epoch), postings, not_found, SITE_DATE)
