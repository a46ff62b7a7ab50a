"""Columns delivered by JavaScript: a JS-array list, href-less links, an encoded pager.

Three real ways a column hides its links from an HTML parser, on one host
(``docs/site-families.md`` §2.7 and §4.5), each unit column built by another widget:

* 国家疾控局-style: the list is a JavaScript array, ``var itemObj=[{aT:"title",
  aPd:"2024-01-20",aU:"/…/t20240120_123.html"}, …]``, written into an empty ``<ul>``
  by a loop; the page holds no ``<a>`` for any item;
* Tianjin-style: the list is static, but some links have no ``href`` at all, only
  ``onclick="isDownLoad(this,'https://…/t20260911_7372816.html')"`` with an absolute
  URL (a list item that is a file always goes this way; attachments on articles too);
* Yunnan-style: the pager's HTML is URL-encoded, then base64-encoded, inside
  ``div#pages``, and a script decodes it with ``decodeURIComponent(window.atob(…))``:
  the next pages' URLs (``index_2.html``… from 1) exist only in that encoded text.

Articles are TRS-published (``./YYYYMM/tYYYYMMDD_id.html``, ``ArticleTitle`` meta tags,
``div.TRS_Editor``, ``P0….pdf`` attachments).
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

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

SITE_DATE = datetime(2024, 5, 20, 9, 0)
ROOT = "/zwgk/zfxxgk/zfxxgknb/"
IS_DOWNLOAD_JS = (
    "function isDownLoad(obj,url){var ext=url.substring(url.lastIndexOf('.')+1)"
    ".toLowerCase();if(/^(pdf|doc|docx|xls|xlsx|wps|zip|rar)$/.test(ext)){"
    "if(!confirm('您访问的链接将下载文件，是否继续？')){return false;}}"
    "window.open(url,'_blank');return false;}"
)
DECODE_PAGER = (
    '<script type="text/javascript">(function(){var p=document.getElementById("pages");'
    'p.innerHTML=decodeURIComponent(window.atob(p.innerHTML.replace(/\\s/g,"")));})();'
    "</script>"
)
RENDER_ITEMS = (
    '<script type="text/javascript">(function(){var h="";'
    "for(var i=0;i<itemObj.length;i++){var o=itemObj[i];"
    "h+='<li><a href=\"'+o.aU+'\" target=\"_blank\" title=\"'+o.aT+'\">'+o.aT+"
    "'</a><span class=\"date\">'+o.aPd+'</span></li>';}"
    'document.getElementById("itemList").innerHTML=h;})();</script>'
)


@dataclass(slots=True)
class Column:
    """A unit column: its items (url, title, date, whether a file) and its widget."""

    key: str
    name: str
    widget: str  # "jsarray" or "onclick"
    items: list[tuple[str, str, str, int]] = field(default_factory=list)
    modified: datetime = field(default_factory=lambda: utc(SITE_DATE))

    @property
    def path(self) -> str:
        return f"{ROOT}{self.key}/"


def page_name(n: int) -> str:
    """Pages count from 1: index.html, index_2.html, index_3.html…"""
    return "index.html" if n == 1 else f"index_{n}.html"


def encoded_pager(current: int, count: int) -> str:
    """The pager's HTML, URL-encoded then base64-encoded, as ``div#pages`` holds it."""
    links = [f"<span>共{count}页</span>", f'<a href="{page_name(1)}">首页</a>']
    if current > 1:
        links.append(f'<a href="{page_name(current - 1)}">上一页</a>')
    for n in range(1, count + 1):
        links.append(
            f'<a class="on">{n}</a>'
            if n == current
            else f'<a href="{page_name(n)}">{n}</a>'
        )
    if current < count:
        links.append(f'<a href="{page_name(current + 1)}">下一页</a>')
    links.append(f'<a href="{page_name(count)}">尾页</a>')
    html = f'<div class="pagination">{"".join(links)}</div>'
    return base64.b64encode(quote(html, safe="").encode("ascii")).decode("ascii")


def _js(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html><head>\n<meta charset="utf-8">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        f'<meta name="SiteIDCode" content="{spec.option("site_code")}">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n{extra}'
        '<script src="/js/isDownLoad.js"></script>\n'
        "</head>\n"
    )


def _frame(spec: SiteSpec, trail: list[tuple[str, str]], main: str) -> str:
    crumbs = " &gt; ".join(f'<a href="{e(p)}">{e(n)}</a>' for n, p in trail)
    return (
        f'<body>\n<div class="header"><div class="logo">{e(spec.site_name)}</div></div>\n'
        f'<div class="crumb">当前位置：{crumbs}</div>\n<div class="main">\n{main}\n</div>\n'
        f'<div class="footer">主办：{e(spec.site_name)}　网站标识码：{spec.option("site_code")}'
        "　滇ICP备05000617号</div>\n</body></html>"
    )


def _page(html: str, modified: datetime) -> Resource:
    return Resource(html.encode(), HTML_UTF8, modified)


class JsArrayBuilder:
    """The host: two unit columns, each with its own widget, and their articles."""

    def __init__(self, site: Site, spec: SiteSpec, epoch: int) -> None:
        self.site, self.spec, self.epoch = site, spec, epoch
        self.columns = {
            key: Column(key, opts["name"], opts["widget"])
            for key, opts in spec.option("columns").items()
        }
        self.trail = [
            ("首页", "/"),
            ("政府信息公开", "/zwgk/zfxxgk/"),
            ("政府信息公开年报", ROOT),
        ]

    def add(self, posting: Posting) -> None:
        column = self.columns[posting.column]
        month = posting.published.strftime("%Y%m")
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(self._attachment(posting, column, month))
        if posting.form in HAS_ARTICLE:
            path = (
                f"{column.path}{month}/t{posting.published:%Y%m%d}_{posting.docid}.html"
            )
            html = self._article(posting, column, refs)
            url = self.site.add(path, _page(html, utc(posting.published)))
            refs.insert(0, DocRef(url, "page", "html"))
        day = posting.published.strftime("%Y-%m-%d")
        column.items.append((refs[0].url, posting.list_title, day, posting.docid))
        column.modified = max(column.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _attachment(self, posting: Posting, column: Column, month: str) -> DocRef:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{report.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        digits = int(hex_name(self.site.host, posting.docid, length=12), 16) % 10**12
        name = f"P0{posting.published:%Y%m%d}{digits:012d}.{fmt}"
        data = attachment_bytes(report, fmt, self.epoch)
        url = self.site.add(
            f"{column.path}{month}/{name}", file_resource(data, fmt, posting.published)
        )
        return DocRef(url, "attachment", fmt)

    def _article(self, posting: Posting, column: Column, refs: list[DocRef]) -> str:
        item = posting.item
        stamp = posting.published.strftime("%Y-%m-%d %H:%M")
        files = ""
        for ref in refs:
            human = e(attachment_name(posting))
            if posting.docid % 2:  # Tianjin-style: no href, the URL only in onclick
                files += (
                    f"<p><a onclick=\"isDownLoad(this,'{ref.url}')\">{human}</a></p>"
                )
            else:
                name = ref.url.rsplit("/", 1)[1]
                files += f'<p><a href="./{name}" target="_blank">{human}</a></p>'
        main = (
            f'<div class="article"><h1 class="title">{e(item.title)}</h1>\n'
            f'<div class="info"><span>发布时间：{stamp}</span><span>来源：{e(item.publisher)}</span></div>\n'
            f'<div class="TRS_Editor">\n{article_html(posting)}\n</div>\n'
            + (f'<div class="fujian">附件：{files}</div>\n' if files else "")
            + "</div>"
        )
        trail = [*self.trail, (column.name, column.path)]
        head = _head(self.spec, item.title, column.name, article_meta(posting))
        return head + _frame(self.spec, trail, main)

    def _items_html(
        self, column: Column, chunk: list[tuple[str, str, str, int]]
    ) -> str:
        if column.widget == "jsarray":
            objects = ",".join(
                f"{{aT:{_js(title)},aPd:{_js(day)},aU:{_js(path_of(url))}}}"
                for url, title, day, _docid in chunk
            )
            return (
                '<ul class="list" id="itemList"></ul>\n'
                f'<script type="text/javascript">var itemObj=[{objects}];</script>\n'
                f"{RENDER_ITEMS}"
            )
        lines = []
        for url, title, day, docid in chunk:
            is_file = not url.endswith(".html")
            if is_file or docid % 2:  # files always, pages some of the time
                link = f'<a onclick="isDownLoad(this,\'{url}\')" title="{e(title)}">{e(title)}</a>'
            else:
                relative = "./" + url.split(column.path, 1)[1]
                link = f'<a href="{e(relative)}" target="_blank" title="{e(title)}">{e(title)}</a>'
            lines.append(f'<li>{link}<span class="date">{day}</span></li>')
        return '<ul class="list">\n' + "\n".join(lines) + "\n</ul>"

    def finish(self) -> None:
        perpage = int(self.spec.option("perpage", 15))
        for column in self.columns.values():
            count = max(1, math.ceil(len(column.items) / perpage))
            for n in range(1, count + 1):
                chunk = column.items[(n - 1) * perpage : n * perpage]
                main = (
                    f'<div class="column-title">{e(column.name)}</div>\n'
                    f'<div class="list-box">\n{self._items_html(column, chunk)}\n'
                    f'<div id="pages" class="pages">{encoded_pager(n, count)}</div>\n'
                    f"{DECODE_PAGER}</div>"
                )
                trail = [*self.trail, (column.name, column.path)]
                html = _head(
                    self.spec, f"{column.name}_{self.spec.site_name}", column.name
                ) + _frame(self.spec, trail, main)
                self.site.add(
                    f"{column.path}{page_name(n)}", _page(html, column.modified)
                )
        self._navigation()

    def _navigation(self) -> None:
        newest = max(c.modified for c in self.columns.values())
        units = "".join(
            f'<li><a href="./{c.key}/index.html">{e(c.name)}</a></li>'
            for c in self.columns.values()
        )
        mains = (
            '<ul class="nav"><li><a href="/zwgk/zfxxgk/">政府信息公开</a></li></ul>',
            f'<ul class="nav"><li><a href="{ROOT}">政府信息公开年报</a></li></ul>',
            f'<div class="column-title">政府信息公开年报</div><ul class="sub-columns">{units}</ul>',
        )
        for depth, ((name, path), main) in enumerate(
            zip(self.trail, mains, strict=True)
        ):
            html = _head(self.spec, f"{name}_{self.spec.site_name}", name) + _frame(
                self.spec, self.trail[: depth + 1], main
            )
            self.site.add(
                f"{path}index.html",
                _page(html, newest if depth == 2 else utc(SITE_DATE)),
            )
        self.site.add(
            "/js/isDownLoad.js",
            Resource(IS_DOWNLOAD_JS.encode(), "application/javascript", utc(SITE_DATE)),
        )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        b"<html><body><h1>404 Not Found</h1></body></html>",
        "text/html",
        utc(SITE_DATE),
        status=404,
    )
    builder = JsArrayBuilder(site, site_spec, epoch)
    for posting in postings:
        builder.add(posting)
    builder.finish()
    return site
