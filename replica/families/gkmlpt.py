"""Guangdong 政府信息公开目录平台 (gkmlpt): an empty JS app fed by a JSON API.

What the real sites do and this module reproduces (``docs/site-families.md`` §2.3, §6):

* ``/gkmlpt/index`` (and ``/gkmlpt/annualreport``, the view of the annual reports by
  category) is an empty shell: ``<div id="app">`` plus Vue bundles under
  ``/gkmlpt/gkml/pc/js/``; the site id and the category tree exist only in an inline
  ``window._CONFIG = {SID: '…', TREE: [...], SERVICE_AREA_ID…}``; the tree's annual
  report node jumps to ``/gkmlpt/annualreport``;
* the lists come from ``GET /gkmlpt/api/all/{cat}?page={n}&sid={sid}``, JSON
  ``{classify: {…, post_count}, total, articles: [{id, title, url, post_url,
  publisher, identifier, document_number, date, created_at, display_publish_time,
  create_time, attachment: [{id, name, type, mime, size, url}], …}]}``, newest first;
  pages 0 and 1 are the same page, page 2 the next one, past the end ``articles: []``
  (about 100 items a page on the real sites: ``perpage`` in the spec);
* articles at ``/gkmlpt/content/{id // 10**6}/{id // 1000}/post_{id}.html``: the
  信息公开 metadata table (索引号 / 分类 / 发布机构 / 成文日期 / 名称 / 文号 / 发布日期),
  the body in a content div, attachments at
  ``/attachment/{n // 10**6}/{n // 1000}/{n}/{post id}.pdf``, and a
  ``window._CONFIG.DETAIL`` with the same document as JSON;
* HTTP only (these hosts fail or redirect badly over HTTPS).

Every item is a post: a report published as a bare file (``pdf_only``) gets a post
page saying 详见附件, as the platform has no file-only items.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from replica.families.common import (
    ATTACHMENT_FORMAT,
    article_html,
    article_meta,
    attachment_bytes,
    attachment_name,
    e,
    file_resource,
    hex_name,
)
from replica.families.hanweb_xxgk import credit_code
from replica.model import Noise, Posting, Report
from replica.site import MEDIA_TYPES, DocRef, Handler, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 8, 20, 9, 0)  # when the shell pages were last published
HTML = "text/html; charset=utf-8"
JSON_TYPE = "application/json;charset=UTF-8"
POST_ID_BASE = 2_400_000  # the replica's docids (1 000 000 on) → gkmlpt post ids
BUNDLES = ("chunk-vendors.5e0f8c1a", "chunk-common.c1553651", "index.8d2b7f40")
STUB_JS = (
    b"/* gkmlpt front end: a stand-in (the replica serves no real vendor bundle) */"
)
# The browser's stand-in for the Vue app: the annual-report view lists the report
# node's posts from the API, a page at a time, with the platform's 上一页/下一页
# buttons (no href: only a browser, or a reader of the API, gets past page 1).
APP_JS = """(function(){var c=window._CONFIG||{},app=document.getElementById('app');
if(!app||c.PAGE!=='annualreport')return;var node=null;(function walk(ns){(ns||[]).forEach(
function(n){if(n.jump_url==='/gkmlpt/annualreport')node=n;walk(n.children);});})(c.TREE);
if(!node)return;var page=1;function show(){fetch('/gkmlpt/api/all/'+node.id+'?page='+
page+'&sid='+c.SID).then(function(r){return r.json();}).then(function(j){
var h='<div class="list"><h2>'+node.name+'</h2><ul>';j.articles.forEach(function(a){
h+='<li><a href="'+a.url+'" title="'+a.title+'" target="_blank">'+a.title+'</a><span>'+
a.created_at.slice(0,10)+'</span></li>';});h+='</ul><div class="pagination">';
if(page>1)h+='<button class="btn-prev">上一页</button>';
h+='<span>'+page+'/'+j.classify.page_count+'</span>';
if(page<j.classify.page_count)h+='<button class="btn-next">下一页</button>';
app.innerHTML=h+'</div></div>';var n=app.querySelector('.btn-next');
if(n)n.onclick=function(){page++;show();};var b=app.querySelector('.btn-prev');
if(b)b.onclick=function(){page--;show();};});}show();})();
""".encode()
MIME = {
    "pdf": "application/pdf",
    "docx": MEDIA_TYPES["docx"],
}


def post_id(posting: Posting) -> int:
    return POST_ID_BASE + posting.docid


def content_path(post: int) -> str:
    """``/gkmlpt/content/3/3512/post_3512345.html``: the id's millions and thousands."""
    return f"/gkmlpt/content/{post // 1_000_000}/{post // 1000}/post_{post}.html"


def attachment_path(host: str, post: int, fmt: str) -> tuple[int, str]:
    """The upload's id and path: ``/attachment/0/599/599288/{post id}.pdf``."""
    upload = int(hex_name(host, post, fmt, length=8), 16) % 900_000 + 100_000
    return (
        upload,
        f"/attachment/{upload // 1_000_000}/{upload // 1000}/{upload}/{post}.{fmt}",
    )


def epoch_seconds(moment: datetime) -> int:
    """Asia/Shanghai wall time → Unix time, as the API's ``*_time`` fields give it."""
    return int((utc(moment) - datetime(1970, 1, 1)).total_seconds())


def index_number(spec: SiteSpec, posting: Posting) -> str:
    """索引号: the publisher's credit code, the year and a serial (``…/2024-00031``)."""
    item = posting.item
    code = (
        credit_code(str(spec.option("admin_code")), item.body)
        if isinstance(item, Report)
        else f"11{spec.option('admin_code')}0070301234"
    )
    return f"{code}/{posting.published.year}-{posting.docid % 100000:05d}"


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        f'<meta name="SiteIDCode" content="{e(spec.option("site_code"))}">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n{extra}'
        '<link href="/gkmlpt/gkml/pc/css/app.4b1e2c77.css" rel="stylesheet">\n'
    )


def _config(fields: dict[str, str]) -> str:
    """``window._CONFIG = {KEY: value, …}``: JS object literal, values already JS."""
    body = ",\n".join(f"        {key}: {value}" for key, value in fields.items())
    return f"<script>\n    window._CONFIG = {{\n{body}\n    }};\n</script>\n"


def tree(spec: SiteSpec, counts: dict[int, int]) -> list[dict[str, Any]]:
    """The category tree of ``_CONFIG.TREE``: a few ordinary categories, then the
    annual reports, whose node jumps to the dedicated view."""
    root = spec.option("root")
    others = [
        {"id": root["id"] - 9, "name": "组织机构", "children": []},
        {
            "id": root["id"] - 8,
            "name": "政策文件",
            "children": [
                {"id": root["id"] - 7, "name": "县政府文件", "children": []},
                {"id": root["id"] - 6, "name": "县政府办文件", "children": []},
            ],
        },
        {"id": root["id"] - 4, "name": "规划信息", "children": []},
    ]
    reports = {
        "id": root["id"],
        "name": root["name"],
        "jump_url": "/gkmlpt/annualreport",
        "children": [
            {"id": c["id"], "name": c["name"], "children": []}
            for c in spec.option("categories").values()
        ],
    }

    def node(raw: dict[str, Any], parent: int) -> dict[str, Any]:
        children = [node(c, raw["id"]) for c in raw["children"]]
        count = counts.get(raw["id"], 0) + sum(c["post_count"] for c in children)
        return {
            "id": raw["id"],
            "name": raw["name"],
            "parent": parent,
            "jump_url": raw.get("jump_url", ""),
            "post_count": count,
            "children": children,
        }

    return [node(raw, 0) for raw in [*others, reports]]


def shell(spec: SiteSpec, page: str, title: str, nodes: list[dict[str, Any]]) -> str:
    """``/gkmlpt/index`` or ``/gkmlpt/annualreport``: nothing but the app's config."""
    sid = spec.option("sid")
    config = _config(
        {
            "SID": f"'{sid}'",
            "SITE_NAME": f"'{spec.site_name}'",
            "PAGE": f"'{page}'",
            "TREE": json.dumps(nodes, ensure_ascii=False),
            "SERVICE_AREA_ID": "0",
            "SEARCH_JSONP_URL": f"'http://search.gd.gov.cn/jsonp/site/{sid}'",
        }
    )
    scripts = "".join(
        f'<script src="/gkmlpt/gkml/pc/js/{name}.js"></script>\n' for name in BUNDLES
    )
    return (
        _head(spec, f"{title} - {spec.site_name}", title)
        + config
        + f'</head>\n<body>\n<div id="app"></div>\n{scripts}</body>\n</html>\n'
    )


class Catalogue:
    """The annual-report categories of one gkmlpt host: their items and articles."""

    def __init__(self, site: Site, spec: SiteSpec, epoch: int) -> None:
        self.site, self.spec, self.epoch = site, spec, epoch
        self.categories = {
            key: (int(c["id"]), str(c["name"]))
            for key, c in spec.option("categories").items()
        }
        self.items: dict[int, list[dict[str, Any]]] = {
            cid: [] for cid, _name in self.categories.values()
        }
        self.modified = utc(SITE_DATE)  # the shells change with every new item

    def add(self, posting: Posting) -> None:
        cid, name = self.categories[posting.column]
        post = post_id(posting)
        attachments: list[dict[str, Any]] = []
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            ref, attachment = self._attachment(posting, post)
            refs.append(ref)
            attachments.append(attachment)
        path = content_path(post)
        detail = self.detail(posting, post, name, attachments)
        page = article(self.spec, posting, name, detail, attachments)
        url = self.site.add(path, Resource(page.encode(), HTML, utc(posting.published)))
        refs.insert(0, DocRef(url, "page", "html"))
        self.items[cid].append(detail)
        self.modified = max(self.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _attachment(self, posting: Posting, post: int) -> tuple[DocRef, dict[str, Any]]:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{report.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        data = attachment_bytes(report, fmt, self.epoch)
        upload, path = attachment_path(self.site.host, post, fmt)
        url = self.site.add(path, file_resource(data, fmt, posting.published))
        entry = {
            "id": upload,
            "name": attachment_name(posting),
            "type": "doc" if fmt == "docx" else fmt,
            "mime": MIME[fmt],
            "size": str(len(data)),
            "url": url,
        }
        return DocRef(url, "attachment", fmt), entry

    def detail(
        self,
        posting: Posting,
        post: int,
        category: str,
        attachments: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """One document as the API (and the article's ``_CONFIG.DETAIL``) gives it."""
        item = posting.item
        shown = posting.published.replace(second=posting.docid % 60)
        url = self.site.url(content_path(post))
        return {
            "id": post,
            "title": posting.list_title,
            "document_number": "",
            "identifier": index_number(self.spec, posting),
            "publisher": item.publisher,
            "keywords": "",
            "abstract": "",
            "date": epoch_seconds(posting.published.replace(hour=0, minute=0)),
            "created_at": shown.strftime("%Y-%m-%d %H:%M:%S"),
            "create_time": epoch_seconds(shown),
            "display_publish_time": epoch_seconds(shown),
            "classify_main_name": category,
            "classify_genre_name": "年度报告" if isinstance(item, Report) else "其他",
            "classify_theme_name": "综合政务",
            "url": url,
            "post_url": url,
            "is_expired": 0,
            "is_abolished": 0,
            "relation": "[]",
            "attachment": attachments,
        }

    def finish(self) -> None:
        """The API endpoints, the two shells and the tree that names the categories."""
        perpage = int(self.spec.option("perpage", 100))
        root = self.spec.option("root")
        names = dict(self.categories.values())
        lists = dict(self.items)
        # The parent category lists all of its children's items, newest first.
        names[int(root["id"])] = root["name"]
        lists[int(root["id"])] = sorted(
            (i for items in self.items.values() for i in items),
            key=lambda i: (i["display_publish_time"], i["id"]),
            reverse=True,
        )
        sid = str(self.spec.option("sid"))
        for cid, items in lists.items():
            handler = api(sid, cid, names[cid], items, perpage)
            self.site.handlers[f"/gkmlpt/api/all/{cid}"] = handler
        nodes = tree(self.spec, {cid: len(items) for cid, items in self.items.items()})
        for page, title in (("index", "政府信息公开"), ("annualreport", root["name"])):
            html = shell(self.spec, page, title, nodes)
            self.site.add(
                f"/gkmlpt/{page}", Resource(html.encode(), HTML, self.modified)
            )


def api(
    sid: str, cid: int, name: str, items: list[dict[str, Any]], perpage: int
) -> Handler:
    """``/gkmlpt/api/all/{cid}?page=&sid=``: pages 0 and 1 are both the first page."""
    classify = {
        "id": cid,
        "name": name,
        "post_count": len(items),
        "page_count": max(1, math.ceil(len(items) / perpage)),
    }

    def handle(request: Request) -> Resource:
        params = request.params()
        page = int(params["page"]) if params.get("page", "").isdigit() else 0
        if params.get("sid") != sid:
            body: dict[str, Any] = {"classify": classify, "total": 0, "articles": []}
        else:
            start = max(page - 1, 0) * perpage
            body = {
                "classify": classify,
                "total": len(items),
                "articles": items[start : start + perpage],
            }
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return Resource(text.encode(), JSON_TYPE, utc(SITE_DATE), validators=())

    return handle


def _metadata_table(posting: Posting, detail: dict[str, Any]) -> str:
    """The 信息公开 table above every gkmlpt article."""
    day = posting.published.strftime("%Y-%m-%d")
    cells = (
        (("索引号", detail["identifier"]), ("分类", detail["classify_theme_name"])),
        (("发布机构", detail["publisher"]), ("成文日期", day)),
        (("名称", posting.item.title),),
        (("文号", detail["document_number"]), ("发布日期", day)),
    )
    rows = []
    for row in cells:
        span = ' colspan="3"' if len(row) == 1 else ""
        tds = "".join(
            f'<td class="td-label"><span>{label}：</span></td>'
            f'<td class="td-value"{span}><span>{e(value)}</span></td>'
            for label, value in row
        )
        rows.append(f"<tr>{tds}</tr>")
    return '<div class="classify">\n<table>\n' + "\n".join(rows) + "\n</table>\n</div>"


def _js_detail(detail: dict[str, Any], content: str) -> str:
    """``_CONFIG.DETAIL``: the document as JSON, HTML escaped the way the template does."""
    text = json.dumps({**detail, "content": content}, ensure_ascii=False)
    return text.replace("<", "\\u003C").replace(">", "\\u003E")


def article(
    spec: SiteSpec,
    posting: Posting,
    category: str,
    detail: dict[str, Any],
    attachments: list[dict[str, Any]],
) -> str:
    """A ``post_{id}.html`` article: position, metadata table, title, body, files."""
    item = posting.item
    body = article_html(posting)
    files = "".join(
        f'<p><a href="{e(urlsplit(a["url"]).path)}" title="{e(a["name"])}">'
        f"{e(a['name'])}</a></p>"
        for a in attachments
    )
    kind = f' data-kind="{e(item.kind)}"' if isinstance(item, Noise) else ""
    config = _config(
        {
            "SID": f"'{spec.option('sid')}'",
            "PAGE": "'content'",
            "DETAIL": _js_detail(detail, body),
        }
    )
    main = (
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; '
        f'<a href="/gkmlpt/index">政府信息公开</a> &gt; '
        f'<a href="/gkmlpt/annualreport">{e(spec.option("root")["name"])}</a> &gt; '
        f"<span>{e(category)}</span></div>\n"
        f'<div class="gkml-detail"{kind}>\n{_metadata_table(posting, detail)}\n'
        f'<div class="content">\n<h1 class="title">{e(item.title)}</h1>\n'
        f'<div class="article-content">\n{body}\n</div>\n'
        + (f'<div class="attachment">附件：\n{files}\n</div>\n' if files else "")
        + "</div>\n</div>\n"
    )
    return (
        _head(spec, f"{item.title} - {spec.site_name}", category, article_meta(posting))
        + config
        + f"</head>\n<body>\n{main}</body>\n</html>\n"
    )


def _portal(spec: SiteSpec) -> str:
    """The portal's home: 政务公开 links into the gkmlpt app (no report is linked here)."""
    links = (
        ("政府信息公开", "/gkmlpt/index"),
        (spec.option("root")["name"], "/gkmlpt/annualreport"),
    )
    items = "".join(f'<li><a href="{e(h)}">{e(n)}</a></li>' for n, h in links)
    return (
        _head(spec, spec.site_name, "首页")
        + f'</head>\n<body>\n<div class="header">{e(spec.site_name)}</div>\n'
        + f'<div class="zwgk"><h3>政务公开</h3><ul>{items}</ul></div>\n</body>\n</html>\n'
    )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole gkmlpt host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        "<html><head><title>404</title></head><body><h1>404 Not Found</h1>"
        "<p>您访问的页面不存在</p></body></html>".encode(),
        HTML,
        utc(SITE_DATE),
        status=404,
    )
    catalogue = Catalogue(site, site_spec, epoch)
    for posting in postings:
        catalogue.add(posting)
    catalogue.finish()
    modified = utc(SITE_DATE)
    site.add("/index.html", Resource(_portal(site_spec).encode(), HTML, modified))
    for name in BUNDLES:
        site.add(
            f"/gkmlpt/gkml/pc/js/{name}.js",
            Resource(
                APP_JS if name.startswith("index.") else STUB_JS,
                "application/javascript",
                modified,
            ),
        )
    site.add(
        "/gkmlpt/gkml/pc/css/app.4b1e2c77.css",
        Resource(b"#app{min-height:600px}", "text/css", modified),
    )
    site.add(
        "/robots.txt",
        Resource(b"User-agent: *\nDisallow:\n", "text/plain", modified),
    )
    return site
