"""Hanweb's newer jpaas publishing platform: columns whose list comes from a JSON API.

What the real sites do and this module reproduces (``docs/site-families.md`` §2.2,
seen on Jiangsu, Zhejiang and Shandong portals):

* a column page holds no list: an empty box with ``<script src="/AuthorizedRead/
  unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
  queryData="{'webId':…,'pageId':…,'tplSetId':…,'pageType':'column','tagId':…,
  'editType':'null','parseType':'bulidstatic'}">`` (single-quoted JSON; "bulidstatic"
  is the platform's own spelling); its script asks the API for the list;
* the API answers ``{"success":true,"code":"200","data":{"html":"…"}}``, the HTML being
  ``<li class='clearfix'><a href title>…</a><span>2024-01-29</span></li>`` items and
  ``<div class='pagination' rows='8' count='17'>``; page N comes with
  ``paramJson={"pageNo":N,"pageSize":S}`` (or ``pageNo``/``pageSize`` parameters);
  past the last page the list is empty;
* column paths, year archives ``…/2023n/index.html`` (Taizhou, Jiangsu) and articles
  ``{column path}/art/{Y}/art_{32 hex}.html``;
* attachments through the download gateway ``/api-gateway/jpaas-web-server/front/
  document/download?fileUrl={encrypted}&fileName={name}`` (octet-stream). Real
  ``fileUrl`` values can expire; here they are stable.
"""

from __future__ import annotations

import base64
import hashlib
import json
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
    truncate,
)
from replica.model import Noise, Posting, Report
from replica.site import DocRef, Handler, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DOWNLOAD = "/api-gateway/jpaas-web-server/front/document/download"
UNITBUILD = "/AuthorizedRead/unitbuild.js"
HTML = "text/html;charset=UTF-8"
JSON = "application/json;charset=UTF-8"
SITE_DATE = datetime(2024, 6, 1, 9, 0)
NANOID = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TAG_ID = "当前栏目list"
# The browser's stand-in for unitbuild.js: ask the API for page 1, show its HTML, and
# page on with 下一页 (paramJson={"pageNo":N,"pageSize":rows}) as the real script does.
UNITBUILD_JS = b"""(function(){var s=document.currentScript,box=s.parentNode,q=JSON.parse(
s.getAttribute('queryData').replace(/'/g,'"')),url=s.getAttribute('url'),page=1;
function ask(){var p=[];for(var k in q)p.push(k+'='+encodeURIComponent(q[k]));
var g=box.querySelector('.pagination'),rows=g?+g.getAttribute('rows'):0;
if(page>1)p.push('paramJson='+encodeURIComponent(JSON.stringify({pageNo:page,pageSize:rows})));
fetch(url+'?'+p.join('&')).then(function(r){return r.json();}).then(function(j){
box.innerHTML=j.data.html;var g=box.querySelector('.pagination');if(!g)return;
var last=Math.ceil(+g.getAttribute('count')/+g.getAttribute('rows'));
g.innerHTML='<span>'+page+'/'+last+'</span>'+(page<last?'<a class="next">\\u4e0b\\u4e00\\u9875</a>':'');
var n=g.querySelector('.next');if(n)n.onclick=function(){page++;ask();};});}ask();})();"""


@dataclass(slots=True)
class Column:
    """A jpaas column: its path (a folder), name, page id, trail and list items."""

    path: str
    name: str
    page_id: str
    trail: list[tuple[str, str]]
    items: list[str] = field(default_factory=list)
    modified: datetime = field(default_factory=lambda: utc(SITE_DATE))

    @property
    def url(self) -> str:
        return f"{self.path}index.html"


def nanoid(*parts: object) -> str:
    """A stable 21-character id like the platform's (``NuQPpnZycKgxHWRPidPDl``)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return "".join(NANOID[b % len(NANOID)] for b in digest[:21])


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        f'<meta name="SiteIDCode" content="{e(spec.option("site_code"))}">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n{extra}'
        "</head>\n"
    )


def _frame(spec: SiteSpec, trail: list[tuple[str, str]], main: str) -> str:
    crumbs = " &gt; ".join(f'<a href="{e(p)}">{e(n)}</a>' for n, p in trail)
    return (
        f'<body><div class="header"><div class="logo">{e(spec.site_name)}</div></div>\n'
        f'<div class="crumb">当前位置：{crumbs}</div>\n<div class="container">\n{main}\n'
        f'</div>\n<div class="footer"><p>主办：{e(spec.site_name)}　网站标识码：'
        f"{e(spec.option('site_code'))}</p><p>{e(spec.option('icp'))}</p></div>\n"
        "</body></html>"
    )


def _links(links: list[tuple[str, str]], css: str) -> str:
    items = "".join(f'<li><a href="{e(p)}">{e(n)}</a></li>' for n, p in links)
    return f'<ul class="{css}">{items}</ul>'


def query_data(spec: SiteSpec, column: Column) -> dict[str, str]:
    """The ``queryData`` of a column's unitbuild script (what its list request sends)."""
    return {
        "webId": str(spec.option("web_id")),
        "pageId": column.page_id,
        "tplSetId": str(spec.option("tpl_set_id")),
        "pageType": "column",
        "tagId": TAG_ID,
        "editType": "null",
        "parseType": "bulidstatic",
    }


def column_html(spec: SiteSpec, column: Column, years: list[Column]) -> str:
    """A column page: the year archives at the side, an empty box and unitbuild.js."""
    # single-quoted JSON, raw inside the double-quoted attribute (as the sites write it)
    data = (
        "{"
        + ",".join(f"'{k}':'{v}'" for k, v in query_data(spec, column).items())
        + "}"
    )
    unit = (
        f'<div class="list-box" id="list_{column.page_id[:8]}">'
        f'<script type="text/javascript" src="{UNITBUILD}" id="unit_{column.page_id[:8]}"'
        f' url="{UNIT_API}" queryData="{data}"></script></div>'
    )
    side = _links([(c.name, c.url) for c in years], "year-nav") if years else ""
    main = (
        f'<div class="side">{side}</div><div class="main"><div class="column-title">'
        f"{e(column.name)}</div>\n{unit}</div>"
    )
    return _head(spec, f"{column.name} - {spec.site_name}", column.name) + _frame(
        spec, column.trail, main
    )


def list_item(href: str, posting: Posting) -> str:
    """One item of the API's HTML (the platform writes single-quoted attributes)."""
    title = e(posting.list_title)
    return (
        f"<li class='clearfix'><a href='{e(href)}' title='{title}' target='_blank'>"
        f"{e(truncate(posting.list_title))}</a>"
        f"<span class='date'>{posting.published:%Y-%m-%d}</span></li>"
    )


def unit_html(items: list[str], page: int, size: int) -> str:
    """One page of a column's list, as the API's ``data.html``."""
    shown = "".join(items[(page - 1) * size : page * size])
    return (
        f"<div class='page-content'><ul class='list'>{shown}</ul></div>"
        f"<div class='pagination' rows='{size}' count='{len(items)}'></div>"
    )


def _json(data: object, status: int = 200) -> Resource:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Resource(body, JSON, utc(SITE_DATE), status=status, validators=())


def unit_api(spec: SiteSpec, columns: dict[str, Column]) -> Handler:
    """``…/front/page/build/unit``: one page of a column's list as JSON."""
    default_size = int(spec.option("page_size", 15))

    def handle(request: Request) -> Resource:
        p = request.params()
        column = columns.get(p.get("pageId", ""))
        if column is None or p.get("webId") != str(spec.option("web_id")):
            return _json({"success": False, "code": "500", "message": "页面不存在"})
        try:
            paged = json.loads(p.get("paramJson") or "{}")
        except ValueError:
            paged = {}
        page = int(paged.get("pageNo") or p.get("pageNo") or 1)
        size = int(paged.get("pageSize") or p.get("pageSize") or default_size)
        html = unit_html(column.items, max(page, 1), min(max(size, 1), 100))
        return _json(
            {
                "success": True,
                "code": "200",
                "message": "操作成功",
                "data": {"html": html},
            }
        )

    return handle


def download(files: dict[str, Resource]) -> Handler:
    """The download gateway: the upload stored under that ``fileUrl``."""

    def handle(request: Request) -> Resource:
        found = files.get(request.params().get("fileUrl", ""))
        return found or _json(
            {"success": False, "code": "404", "message": "文件不存在"}, 404
        )

    return handle


def add_attachment(
    site: Site, files: dict[str, Resource], posting: Posting, epoch: int
) -> DocRef:
    """Store a report's file behind the gateway; its reference."""
    report = posting.item
    if not isinstance(report, Report):
        raise TypeError(f"{posting.item.title}: only reports have attachments")
    fmt = ATTACHMENT_FORMAT[posting.form]
    token = base64.b64encode(
        hashlib.sha256(f"{site.host}|{posting.docid}|file".encode()).digest()
        + hashlib.sha256(f"{posting.docid}".encode()).digest()[:24]
    ).decode()
    human = attachment_name(posting)
    files[token] = file_resource(
        attachment_bytes(report, fmt, epoch),
        fmt,
        posting.published,
        content_type="application/octet-stream",
        disposition=f"attachment; filename*=UTF-8''{quote(human)}",
    )
    path = f"{DOWNLOAD}?fileUrl={quote(token, safe='')}&fileName={quote(human)}"
    return DocRef(site.url(path), "attachment", fmt)


def article_page(
    spec: SiteSpec, column: Column, posting: Posting, refs: list[DocRef]
) -> str:
    """``…/art/2024/art_{hex}.html``: title, 发布日期 and 来源, ``#zoom`` body, files."""
    item = posting.item
    files = "".join(
        f'<p><a href="{e(path_of(ref.url))}" target="_blank">'
        f"{e(attachment_name(posting))}</a></p>"
        for ref in refs
    )
    kind = f' data-kind="{e(item.kind)}"' if isinstance(item, Noise) else ""
    main = (
        f'<div class="article"{kind}><h1 class="article-title">{e(item.title)}</h1>\n'
        f'<div class="article-info"><span>发布日期：{posting.published:%Y-%m-%d %H:%M}'
        f"</span><span>来源：{e(item.publisher)}</span></div>\n"
        f'<div class="article-content" id="zoom">\n{article_html(posting)}\n</div>\n'
        + (f'<div class="article-attachment">附件：{files}</div>' if files else "")
        + "</div>"
    )
    head = _head(
        spec, f"{item.title} - {spec.site_name}", column.name, article_meta(posting)
    )
    return head + _frame(spec, column.trail, main)


def _archive_year(posting: Posting) -> int:
    item = posting.item
    if isinstance(item, Report):
        return item.year
    return int(item.column) if item.column.isdigit() else posting.published.year - 1


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole jpaas host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    files = site.stores.setdefault("download", {})
    trail = [("首页", "/")] + [
        (t["name"], f"{t['path']}index.html") for t in site_spec.option("trail")
    ]
    root_spec = site_spec.option("root")
    root = Column(
        root_spec["path"],
        root_spec["name"],
        nanoid(site_spec.host, root_spec["path"]),
        [*trail, (root_spec["name"], f"{root_spec['path']}index.html")],
    )
    years: dict[int, Column] = {}
    for year in sorted({_archive_year(p) for p in postings}, reverse=True):
        path = f"{root.path}{year}n/"
        years[year] = Column(
            path,
            f"{year}年",
            nanoid(site_spec.host, path),
            [*root.trail, (f"{year}年", f"{path}index.html")],
        )
    for posting in postings:
        column = years[_archive_year(posting)]
        refs = (
            [add_attachment(site, files, posting, epoch)]
            if posting.form in ATTACHMENT_FORMAT
            else []
        )
        if posting.form in HAS_ARTICLE:
            name = hex_name(site.host, posting.docid)
            path = f"{column.path}art/{posting.published.year}/art_{name}.html"
            page = article_page(site_spec, column, posting, refs)
            url = site.add(path, Resource(page.encode(), HTML, utc(posting.published)))
            refs.insert(0, DocRef(url, "page", "html"))
        for listing in (root, column):
            listing.items.append(list_item(path_of(refs[0].url), posting))
            listing.modified = max(listing.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            site.documents[posting.item.key] = refs
    archives = list(years.values())
    for column in [root, *archives]:
        page = column_html(site_spec, column, archives)
        site.add(column.url, Resource(page.encode(), HTML, column.modified))
    _add_navigation(site, site_spec, trail, root)
    columns = {c.page_id: c for c in [root, *archives]}
    site.handlers[UNIT_API] = unit_api(site_spec, columns)
    site.handlers[DOWNLOAD] = download(files)
    site.add(
        UNITBUILD, Resource(UNITBUILD_JS, "application/javascript", utc(SITE_DATE))
    )
    site.not_found = Resource(
        (
            _head(site_spec, "页面不存在", "")
            + _frame(
                site_spec,
                [("首页", "/")],
                '<div class="error">您访问的页面不存在！</div>',
            )
        ).encode(),
        HTML,
        utc(SITE_DATE),
        status=404,
    )
    return site


def _add_navigation(
    site: Site, spec: SiteSpec, trail: list[tuple[str, str]], root: Column
) -> None:
    """Home → 政务公开 → … → 信息公开年报: plain pages of links, one click each."""
    steps = [*trail, (root.name, root.url)]
    for depth, (name, path) in enumerate(trail):
        main = f'<div class="column-title">{e(name)}</div>' + _links(
            [steps[depth + 1]], "sub-columns"
        )
        page = _head(spec, f"{name} - {spec.site_name}", name) + _frame(
            spec, trail[: depth + 1], main
        )
        site.add(path, Resource(page.encode(), HTML, utc(SITE_DATE)))
