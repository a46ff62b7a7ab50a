"""开普云 / Ucap: unit directories, ``list.shtml`` columns and 32-hex ``.shtml`` articles.

What the real sites do (Jiangsu Suqian/Shuyang, Jiangxi, Sichuan…) and this module
reproduces (``docs/site-families.md`` §2.5 and §6):

* every unit (the zone, each town, each department) has its own directory on the
  portal, and its 公开年报 column in it: ``/{unit}/gknb/list.shtml``; the portal's
  信息公开年报 page links the units' columns (like ``/sygfj/gknb/`` on shuyang.gov.cn);
* articles are ``/{unit}/gknb/{YYYYMM}/{32 hex}.shtml``; their body is wrapped in the
  non-standard tags ``<ucaptitle>``, ``<ucapcontent>`` and ``<publishtime>``, after a
  信息公开 table (``table.table_content``: 名称 / 索引号 / 分类 / 发布机构 / 公开日期 /
  文号 / 文件下载 / 时效) whose 文件下载 row is the only link to the attachment
  (``/{unit}/gknb/{YYYYMM}/{32 hex}/files/{32 hex}.pdf``);
* list pages are ``list.shtml``, then ``list_2.shtml``… (pages count from 1), with
  root-relative links and dates in ``span.time``; the page count is only in the
  six-argument ``createPageHTML('page_div', N, cur, 'list', 'shtml', total)`` call;
* the pages declare ``websiteId`` / ``websiteCode`` in JavaScript, search through
  ``/search4/s`` with ``siteCode``, and carry a ``SiteIDCode`` meta tag next to a
  ``ColumnName`` that is wrong on every page ("头部").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

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
    path_of,
)
from replica.model import Posting, Report
from replica.site import HTML_UTF8, DocRef, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 4, 2, 9, 0)  # when the shell pages were last published
PAGE_JS = (
    "function createPageHTML(id,count,cur,name,ext,total){var h='共'+total+'条 ';"
    "for(var i=1;i<=count;i++){var u=i==1?name+'.'+ext:name+'_'+i+'.'+ext;"
    "h+=i==cur?'<span class=\"current\">'+i+'</span>':'<a href=\"'+u+'\">'+i+'</a>';}"
    "var d=document.getElementById(id);if(d){d.innerHTML=h;}}"
)


@dataclass(slots=True)
class Unit:
    """One unit's 公开年报 column: ``/{key}/gknb/list.shtml`` and its items."""

    key: str
    name: str
    items: list[str] = field(default_factory=list)
    modified: datetime = field(default_factory=lambda: utc(SITE_DATE))

    @property
    def path(self) -> str:
        return f"/{self.key}/gknb/"


def _head(spec: SiteSpec, title: str, extra: str = "") -> str:
    code = spec.option("site_code")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        f'<meta name="SiteIDCode" content="{code}">\n'
        '<meta name="ColumnName" content="头部">\n'  # real: wrong on every page
        f"{extra}"
        '<link rel="stylesheet" href="/static/css/common.css">\n'
        '<script src="/static/js/jquery.min.js"></script>\n'
        f'<script>var websiteId = "{hex_name(spec.host, "website")}";'
        f' var websiteCode = "{code}";</script>\n'
        "</head>\n"
    )


def _frame(spec: SiteSpec, trail: list[tuple[str, str]], main: str) -> str:
    crumbs = " &gt; ".join(f'<a href="{e(p)}">{e(n)}</a>' for n, p in trail)
    code = spec.option("site_code")
    return (
        f'<body>\n<div class="header"><div class="logo">{e(spec.site_name)}</div>\n'
        '<form class="search" action="/search4/s" method="get" target="_blank">'
        f'<input type="hidden" name="siteCode" value="{code}">'
        '<input type="text" name="searchWord" placeholder="请输入关键字">'
        '<input type="submit" value="搜索"></form></div>\n'
        f'<div class="position">当前位置：{crumbs}</div>\n'
        f'<div class="main">\n{main}\n</div>\n'
        f'<div class="footer"><p>主办：{e(spec.site_name)}　网站标识码：{code}</p>'
        "<p>苏ICP备05008712号</p></div>\n</body></html>"
    )


def _page(html: str, modified: datetime) -> Resource:
    return Resource(html.encode(), HTML_UTF8, modified)


class UcapBuilder:
    """The whole host: unit columns, articles, files, and the pages above them."""

    def __init__(self, site: Site, spec: SiteSpec, epoch: int) -> None:
        self.site, self.spec, self.epoch = site, spec, epoch
        self.root = spec.option("site_dir")
        self.units = {
            key: Unit(key, str(name)) for key, name in spec.option("units").items()
        }
        self.trail = [
            ("首页", "/"),
            ("政府信息公开", f"/{self.root}/zfxxgk/index.shtml"),
            ("信息公开年报", f"/{self.root}/zfxxgknb/index.shtml"),
        ]

    def add(self, posting: Posting) -> None:
        unit = self.units[posting.column]
        month = posting.published.strftime("%Y%m")
        docid = hex_name(self.site.host, "doc", posting.docid)
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(self._attachment(posting, unit, month, docid))
        if posting.form in HAS_ARTICLE:
            path = f"{unit.path}{month}/{docid}.shtml"
            html = self._article(posting, unit, refs)
            url = self.site.add(path, _page(html, utc(posting.published)))
            refs.insert(0, DocRef(url, "page", "html"))
        href = path_of(refs[0].url)
        day = posting.published.strftime("%Y-%m-%d")
        title = posting.list_title
        unit.items.append(
            f'<li><a href="{e(href)}" target="_blank" title="{e(title)}">{e(title)}</a>'
            f'<span class="time">{day}</span></li>'
        )
        unit.modified = max(unit.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _attachment(
        self, posting: Posting, unit: Unit, month: str, docid: str
    ) -> DocRef:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{report.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        name = hex_name(self.site.host, "file", posting.docid, fmt)
        url = self.site.add(
            f"{unit.path}{month}/{docid}/files/{name}.{fmt}",
            file_resource(
                attachment_bytes(report, fmt, self.epoch), fmt, posting.published
            ),
        )
        return DocRef(url, "attachment", fmt)

    def _table(self, posting: Posting, refs: list[DocRef]) -> str:
        """The 信息公开 table that precedes the article; 文件下载 links the files."""
        item = posting.item
        day = posting.published.strftime("%Y-%m-%d")
        index_no = f"{self.spec.option('org_code')}/{posting.published.year}-{posting.docid % 100000:05d}"
        files = "".join(
            f'<a href="{e(path_of(r.url))}" target="_blank">{e(attachment_name(posting))}</a>'
            for r in refs
        )
        rows = (
            ("名称", e(item.title), None, None),
            ("索引号", index_no, "分类", "政府信息公开年报"),
            ("发布机构", e(item.publisher), "公开日期", day),
            ("文号", "", "时效", "有效"),
            ("文件下载", files, None, None),
        )
        cells = "".join(
            f'<tr><td class="t1">{a}</td><td colspan="3">{b}</td></tr>'
            if c is None
            else f'<tr><td class="t1">{a}</td><td>{b}</td><td class="t1">{c}</td><td>{d}</td></tr>'
            for a, b, c, d in rows
        )
        return f'<div class="xxgk_table"><table class="table_content">{cells}</table></div>'

    def _article(self, posting: Posting, unit: Unit, refs: list[DocRef]) -> str:
        item = posting.item
        stamp = posting.published.strftime("%Y-%m-%d %H:%M:%S")
        body = (
            self._table(posting, [r for r in refs if r.role == "attachment"])
            + '\n<div class="article">\n'
            f'<h1 class="title"><ucaptitle>{e(item.title)}</ucaptitle></h1>\n'
            f'<div class="info"><span>发布日期：<publishtime>{stamp}</publishtime></span>'
            f"<span>来源：{e(item.publisher)}</span></div>\n"
            f'<div id="zoomcon"><ucapcontent>{article_html(posting)}</ucapcontent></div>\n'
            "</div>"
        )
        trail = [*self.trail, (unit.name, f"{unit.path}list.shtml")]
        return _head(
            self.spec, f"{item.title}_{self.spec.site_name}", article_meta(posting)
        ) + _frame(self.spec, trail, body)

    def finish(self) -> None:
        perpage = int(self.spec.option("perpage", 15))
        for unit in self.units.values():
            count = max(1, math.ceil(len(unit.items) / perpage))
            for n in range(1, count + 1):
                items = "\n".join(unit.items[(n - 1) * perpage : n * perpage])
                name = "list.shtml" if n == 1 else f"list_{n}.shtml"
                pager = (
                    '<div class="page" id="page_div"></div>\n'
                    '<script src="/static/js/page.js"></script>\n'
                    f"<script>createPageHTML('page_div', {count}, {n}, 'list', 'shtml',"
                    f" {len(unit.items)});</script>"
                )
                main = (
                    f'<div class="column-title">{e(unit.name)}</div>\n'
                    f'<div class="xxgk_list"><ul class="infolist">\n{items}\n</ul>\n{pager}</div>'
                )
                trail = [*self.trail, (unit.name, f"{unit.path}list.shtml")]
                html = _head(self.spec, f"{unit.name}_{self.spec.site_name}") + _frame(
                    self.spec, trail, main
                )
                self.site.add(f"{unit.path}{name}", _page(html, unit.modified))
        self._navigation()

    def _navigation(self) -> None:
        """首页 → 政府信息公开 → 信息公开年报 (the units' columns)."""
        newest = max(u.modified for u in self.units.values())
        links = "".join(
            f'<li><a href="{u.path}list.shtml" target="_blank">{e(u.name)}</a></li>'
            for u in self.units.values()
        )
        mains = (
            f'<ul class="nav"><li><a href="{self.trail[1][1]}">政府信息公开</a></li></ul>',
            f'<ul class="nav-list"><li><a href="{self.trail[2][1]}">信息公开年报</a></li>'
            '<li><a href="/search4/s">信息公开目录</a></li></ul>',
            '<div class="column-title">信息公开年报</div>'
            f'<ul class="unit-list">{links}</ul>',
        )
        for depth, ((name, path), main) in enumerate(
            zip(self.trail, mains, strict=True)
        ):
            html = _head(self.spec, f"{name}_{self.spec.site_name}") + _frame(
                self.spec, self.trail[: depth + 1], main
            )
            modified = newest if depth == 2 else utc(SITE_DATE)
            self.site.add("/index.html" if path == "/" else path, _page(html, modified))
        self.site.add(
            "/static/js/page.js",
            Resource(PAGE_JS.encode(), "application/javascript", utc(SITE_DATE)),
        )
        self.site.add(
            "/robots.txt",
            Resource(b"User-agent: *\nAllow: /\n", "text/plain", utc(SITE_DATE)),
        )
        # the site search (信息公开目录 links to it): a form, its results come by script
        search = _head(self.spec, f"搜索_{self.spec.site_name}") + _frame(
            self.spec,
            self.trail[:1],
            '<form class="search" action="/search4/s" method="get">'
            '<input name="searchWord" placeholder="请输入关键词"/></form>'
            '<div id="results"></div>',
        )
        self.site.add("/search4/s", _page(search, utc(SITE_DATE)))


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole Ucap host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        _head(site_spec, "404").encode()
        + "<body><div class='error'>抱歉，您访问的页面不存在！</div></body></html>".encode(),
        HTML_UTF8,
        utc(SITE_DATE),
        status=404,
    )
    builder = UcapBuilder(site, site_spec, epoch)
    for posting in postings:
        builder.add(posting)
    builder.finish()
    return site
