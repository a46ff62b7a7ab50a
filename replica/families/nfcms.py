"""Guangzhou NFCMS report columns: one folder per unit group and year, many units each.

What the real sites do and this module reproduces (``docs/site-families.md`` §2.3, §6):

* the 年报 column splits into unit groups and then one folder per year:
  ``/zfxxgknb/{group}/2024n/index.html`` (Guangzhou: ``gq`` 各区, ``bm`` 部门; a
  district: 区政府 / 部门 / 镇街), each folder holding the reports of many units;
* list pages are static: ``<li class="clearfix">`` items whose links are **absolute**
  (``https://host/…/content/post_{id}.html``) with the date in ``span.time``; the pager
  is static links too: ``index.html``, then ``index_2.html``, ``index_3.html``… (page 2
  is ``index_2``), with 首页 / 上一页 / numbers / 下一页 / 尾页;
* articles at ``…/{Y}n/content/post_{id}.html``: ``ArticleTitle`` / ``PubDate`` /
  ``ContentSource`` / ``ArticleId`` meta tags, the body in ``div.news_cont_d_wrap``,
  attachments root-relative ``/attachment/0/599/599288/{post id}.pdf``; a report posted
  as a bare file is linked from the list straight to its ``/attachment/…`` URL;
* every page sets ``window.NFCMS_SITE_ID`` (and ``NFCMS_CAT_ID`` on columns) for the
  province's ``statistics.gd.gov.cn`` counter, which reads ``post_{id}`` from the URL.
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
    truncate,
)
from replica.families.gkmlpt import attachment_path
from replica.model import Noise, Posting, Report
from replica.site import DocRef, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 9, 2, 9, 0)  # when the shell pages were last published
SITE_DATE_UTC = utc(SITE_DATE)
HTML = "text/html; charset=utf-8"
POST_ID_BASE = 9_600_000  # the replica's docids (1 000 000 on) → NFCMS post ids
STATISTICS = """<script>
(function(window){
    var a = '//statistics.gd.gov.cn/visit/';
    if(window.location.href.indexOf('post_') > 0){
        window.NFCMS_PUB_TYPE = 'post';
        window.NFCMS_POST_ID = parseInt(window.location.href.split('post_')[1]);
    }
    a += window.NFCMS_PUB_TYPE == 'post'
        ? 'post?site=' + window.NFCMS_SITE_ID + '&post=' + window.NFCMS_POST_ID
        : 'cat?site=' + window.NFCMS_SITE_ID + '&cat=' + window.NFCMS_CAT_ID;
    var s = document.createElement('script'); s.src = a; document.body.appendChild(s);
})(window);
</script>"""


def page_name(index: int) -> str:
    """0 → index.html, 1 → index_2.html, 2 → index_3.html … (page n is index_n)."""
    return "index.html" if index == 0 else f"index_{index + 1}.html"


def folder_year(posting: Posting) -> int:
    """A report sits in its year's folder; anything else in the year before it appeared."""
    item = posting.item
    return item.year if isinstance(item, Report) else posting.published.year - 1


@dataclass(slots=True)
class Folder:
    """One ``/zfxxgknb/{group}/{Y}n/`` column: its NFCMS id and list items."""

    group: str
    year: int
    cat_id: int
    items: list[str] = field(default_factory=list)
    modified: datetime = SITE_DATE_UTC

    @property
    def path(self) -> str:
        return f"/zfxxgknb/{self.group}/{self.year}n/"


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html><head>\n<meta charset="utf-8">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        f'<meta name="SiteIDCode" content="{e(spec.option("site_code"))}">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n{extra}'
        '<link rel="stylesheet" href="/css/common.css">\n'
    )


def _ids(spec: SiteSpec, cat_id: int | None = None) -> str:
    cat = (
        f" window.NFCMS_CAT_ID = {cat_id}; window.NFCMS_PUB_TYPE = 'cat';"
        if cat_id
        else ""
    )
    return f"<script>window.NFCMS_SITE_ID = {spec.option('nfcms_site_id')};{cat}</script>\n"


def _page(
    spec: SiteSpec,
    title: str,
    column: str,
    trail: list[tuple[str, str]],
    main: str,
    *,
    cat_id: int | None = None,
    meta: str = "",
) -> str:
    """Head, header, 当前位置, the main block and footer of every NFCMS page."""
    crumbs = " &gt; ".join(
        f'<a href="{e(spec.scheme)}://{e(spec.host)}{e(path)}">{e(name)}</a>'
        for name, path in trail
    )
    nav = (
        f'<a href="{e(spec.scheme)}://{e(spec.host)}/">首页</a>'
        f'<a href="{e(spec.scheme)}://{e(spec.host)}/zwgk/index.html">政务公开</a>'
    )
    return (
        _head(spec, f"{title}-{spec.site_name}", column, meta)
        + _ids(spec, cat_id)
        + f'</head>\n<body>\n<div class="header"><div class="logo">{e(spec.site_name)}</div>'
        + f'<div class="nav">{nav}</div></div>\n'
        + f'<div class="position">当前位置：{crumbs}</div>\n'
        + f'<div class="main">\n{main}\n</div>\n'
        + f'<div class="footer">主办：{e(spec.site_name)}　网站标识码：'
        + f"{e(spec.option('site_code'))}</div>\n{STATISTICS}\n</body>\n</html>\n"
    )


def _links(spec: SiteSpec, links: list[tuple[str, str]], css: str) -> str:
    items = "".join(
        f'<li><a href="{e(spec.scheme)}://{e(spec.host)}{e(path)}">{e(name)}</a></li>'
        for name, path in links
    )
    return f'<ul class="{css}">{items}</ul>'


def pager(spec: SiteSpec, folder: Folder, current: int, count: int) -> str:
    """The static pager: 首页 上一页 1 2 … 下一页 尾页, absolute links, page n = index_n."""
    if count < 2:
        return ""
    base = f"{spec.scheme}://{spec.host}{folder.path}"

    def link(index: int, text: str, css: str = "") -> str:
        cls = f' class="{css}"' if css else ""
        return f'<a{cls} href="{e(base + page_name(index))}">{text}</a>'

    parts = [link(0, "首页", "first")]
    if current > 0:
        parts.append(link(current - 1, "上一页", "prev"))
    parts += [
        f'<span class="current">{n + 1}</span>' if n == current else link(n, str(n + 1))
        for n in range(count)
    ]
    if current < count - 1:
        parts.append(link(current + 1, "下一页", "next"))
    parts.append(link(count - 1, "尾页", "last"))
    return f'<div class="page">{"".join(parts)}</div>'


class Column:
    """The 年报 column of one NFCMS host: unit groups, year folders, articles, files."""

    def __init__(self, site: Site, spec: SiteSpec, epoch: int) -> None:
        self.site, self.spec, self.epoch = site, spec, epoch
        self.groups: dict[str, str] = {
            key: str(c["name"]) for key, c in spec.option("columns").items()
        }
        self.root = spec.option("root")
        self.folders: dict[tuple[str, int], Folder] = {}

    def trail(self, group: str = "", year: int | None = None) -> list[tuple[str, str]]:
        out = [("首页", "/"), ("政务公开", "/zwgk/index.html")]
        out.append((self.root["name"], f"{self.root['path']}index.html"))
        if group:
            out.append((self.groups[group], f"{self.root['path']}{group}/index.html"))
        if year:
            out.append((f"{year}年", f"{self.root['path']}{group}/{year}n/index.html"))
        return out

    def folder(self, posting: Posting) -> Folder:
        key = (posting.column, folder_year(posting))
        if key not in self.folders:
            self.folders[key] = Folder(key[0], key[1], 0)
        return self.folders[key]

    def add(self, posting: Posting) -> None:
        folder = self.folder(posting)
        post = POST_ID_BASE + posting.docid
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(self._attachment(posting, post))
        if posting.form in HAS_ARTICLE:
            path = f"{folder.path}content/post_{post}.html"
            html = self.article(posting, folder, post, refs)
            url = self.site.add(
                path, Resource(html.encode(), HTML, utc(posting.published))
            )
            refs.insert(0, DocRef(url, "page", "html"))
        href = refs[0].url
        day = posting.published.strftime("%Y-%m-%d")
        title = posting.list_title
        folder.items.append(
            f'<li class="clearfix"><a href="{e(href)}" target="_blank" title="{e(title)}">'
            f'{e(truncate(title, 30))}</a><span class="time">{day}</span></li>'
        )
        folder.modified = max(folder.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _attachment(self, posting: Posting, post: int) -> DocRef:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{report.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        _upload, path = attachment_path(self.site.host, post, fmt)
        data = attachment_bytes(report, fmt, self.epoch)
        url = self.site.add(path, file_resource(data, fmt, posting.published))
        return DocRef(url, "attachment", fmt)

    def article(
        self, posting: Posting, folder: Folder, post: int, refs: list[DocRef]
    ) -> str:
        item = posting.item
        stamp = posting.published.replace(second=posting.docid % 60)
        files = "".join(
            f'<p>附件：<a href="{e(ref.url.split(self.site.host, 1)[1])}">'
            f"{e(attachment_name(posting))}</a></p>"
            for ref in refs
        )
        kind = f' data-kind="{e(item.kind)}"' if isinstance(item, Noise) else ""
        main = (
            f'<div class="news_cont"{kind}>\n<h1 class="news_cont_title">{e(item.title)}</h1>\n'
            f'<div class="news_cont_info"><span>发布时间：{stamp:%Y-%m-%d %H:%M:%S}</span>'
            f"<span>来源：{e(item.publisher)}</span></div>\n"
            f'<div class="news_cont_d_wrap">\n{article_html(posting)}\n{files}\n</div>\n</div>'
        )
        meta = article_meta(posting) + f'<meta name="ArticleId" content="{post}">\n'
        name = self.groups[folder.group]
        return _page(
            self.spec,
            item.title,
            name,
            self.trail(folder.group, folder.year),
            main,
            meta=meta,
        )

    def finish(self) -> None:
        """The list pages of every folder, the group pages and the root column."""
        perpage = int(self.spec.option("perpage", 15))
        cat = int(self.spec.option("cat_base", 5700))
        for n, (key, folder) in enumerate(sorted(self.folders.items())):
            folder.cat_id = cat + 10 + n
            self._lists(folder, perpage, self._years(key[0]))
        root = self.root["path"]
        for n, (group, name) in enumerate(self.groups.items(), start=1):
            years = self._years(group)
            links = [(f"{y}年", f"{root}{group}/{y}n/index.html") for y in years]
            html = _page(
                self.spec,
                name,
                name,
                self.trail(group),
                f'<div class="sub_column">{_links(self.spec, links, "year_list")}</div>',
                cat_id=cat + n,
            )
            self.site.add(
                f"{root}{group}/index.html",
                Resource(html.encode(), HTML, self._newest(group)),
            )
        links = [
            (name, f"{root}{group}/index.html") for group, name in self.groups.items()
        ]
        html = _page(
            self.spec,
            self.root["name"],
            self.root["name"],
            self.trail(),
            f'<div class="sub_column">{_links(self.spec, links, "unit_list")}</div>',
            cat_id=cat,
        )
        self.site.add(
            f"{root}index.html", Resource(html.encode(), HTML, self._newest(""))
        )

    def _years(self, group: str) -> list[int]:
        return sorted((y for g, y in self.folders if g == group), reverse=True)

    def _newest(self, group: str) -> datetime:
        return max(
            (
                f.modified
                for (g, _y), f in self.folders.items()
                if g == group or not group
            ),
            default=utc(SITE_DATE),
        )

    def _lists(self, folder: Folder, perpage: int, years: list[int]) -> None:
        count = max(1, math.ceil(len(folder.items) / perpage))
        name = self.groups[folder.group]
        siblings = [
            (f"{y}年", f"{self.root['path']}{folder.group}/{y}n/index.html")
            for y in years
        ]
        for current in range(count):
            items = "\n".join(folder.items[current * perpage : (current + 1) * perpage])
            main = (
                f'<div class="left_nav"><h3>{e(name)}</h3>{_links(self.spec, siblings, "year_list")}</div>\n'
                f'<div class="list_box"><h2>{folder.year}年</h2>\n<ul class="news_list">\n{items}\n</ul>\n'
                f"{pager(self.spec, folder, current, count)}</div>"
            )
            html = _page(
                self.spec,
                f"{folder.year}年",
                f"{folder.year}年",
                self.trail(folder.group, folder.year),
                main,
                cat_id=folder.cat_id,
            )
            self.site.add(
                f"{folder.path}{page_name(current)}",
                Resource(html.encode(), HTML, folder.modified),
            )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole NFCMS host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        "<html><head><title>404</title></head><body><h1>404 Not Found</h1>"
        "<p>您访问的页面不存在</p></body></html>".encode(),
        HTML,
        utc(SITE_DATE),
        status=404,
    )
    column = Column(site, site_spec, epoch)
    for posting in postings:
        column.add(posting)
    column.finish()
    root = site_spec.option("root")
    modified = utc(SITE_DATE)
    home = _page(
        site_spec,
        "首页",
        "首页",
        [("首页", "/")],
        _links(site_spec, [("政务公开", "/zwgk/index.html")], "home_nav"),
    )
    site.add("/index.html", Resource(home.encode(), HTML, modified))
    zwgk = _page(
        site_spec,
        "政务公开",
        "政务公开",
        [("首页", "/"), ("政务公开", "/zwgk/index.html")],
        _links(site_spec, [(root["name"], f"{root['path']}index.html")], "zwgk_nav"),
    )
    site.add("/zwgk/index.html", Resource(zwgk.encode(), HTML, modified))
    site.add("/css/common.css", Resource(b".main{width:1200px}", "text/css", modified))
    site.add(
        "/robots.txt", Resource(b"User-agent: *\nDisallow:\n", "text/plain", modified)
    )
    return site
