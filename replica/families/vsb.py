"""博达 VSB 站群: ``{col}.htm``, then ``{col}/{N-1}.htm`` … ``{col}/1.htm``.

What the real sites do (universities, and zones such as ccxi.gov.cn 长兴岛) and this
module reproduces (``docs/site-families.md`` §2.6):

* pagination counts down: page 1 is ``{col}.htm``, page 2 ``{col}/{N-1}.htm``, the last
  ``{col}/1.htm``; the pager is ``span.p_pages`` (``p_no_d`` for the current page,
  ``p_no``, ``p_next p_fun``, ``p_last p_fun``) with ``span.p_t`` "1/N", and shows only
  the first few page numbers;
* articles are ``/info/{wbtreeid}/{docid}.htm``, linked relatively (``../info/…`` from
  page 1, ``../../info/…`` from the others), with ``ArticleTitle``/``PubDate``/
  ``ContentSource`` meta tags, the body in ``#vsb_content``, click counts through
  ``_showDynClicks``/``_showDynClickBatch`` and the ``<!--Announced by Visual
  SiteBuilder 9-->`` stamp;
* attachments are listed after the body as "附件【x.pdf】已下载N次", linked through
  ``/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=…&wbfileid=…``
  (a number or 32 hex), which serves the file only with a Referer from the site: without
  one it answers 200 with a 4.9 KB HTML error page. The uploaded file itself lives at a
  static ``/__local/X/XX/XX/{hex}_{hex}_{size}.pdf`` path, which the manifest lists
  (it is what ``replica check`` can fetch without a Referer); no page links it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from replica.families.common import (
    ATTACHMENT_FORMAT,
    article_html,
    article_meta,
    attachment_bytes,
    attachment_name,
    e,
    file_resource,
    hex_name,
    truncate,
)
from replica.model import Posting, Report
from replica.site import HTML_UTF8, DocRef, Handler, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

DOWNLOAD = "/system/_content/download.jsp"
SITE_DATE = datetime(2024, 3, 18, 9, 0)
STAMP = "<!--Announced by Visual SiteBuilder 9-->"
SHOWN_PAGES = 5  # the pager shows this many page numbers around the current one
ERROR_STYLE = "".join(  # the real error page is mostly its stylesheet (4.9 KB in all)
    f".msg-box .line{i}{{margin:{i}px auto;padding:{i % 7}px {i % 5}px;"
    f"border-bottom:1px dashed #e{i % 10}e{i % 10}e{i % 10};font-size:14px;"
    "color:#555;line-height:24px;text-align:left}\n"
    for i in range(32)
)
ASSETS = {
    "/system/resource/js/counter.js": "function _jsq_(t,p,i,o){}",
    "/system/resource/js/dynclicks.js": (
        "function _showDynClicks(t,o,i){document.write('0')}"
        "function _showDynClickBatch(ids,nums,t,o){}"
    ),
    "/system/resource/js/news/statpagedown.js": "function getClickTimes(f,o,t,k){document.write('0')}",
}


@dataclass(slots=True)
class Column:
    """The 年报 column: ``{path}.htm`` and its count-down pages."""

    path: str  # "/zwgk/zfxxgknb" (no extension)
    name: str
    items: list[tuple[str, int]] = field(default_factory=list)  # (li html, vsb id)
    modified: datetime = field(default_factory=lambda: utc(SITE_DATE))

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[1]

    def file(self, page: int, count: int) -> str:
        """The path of display page ``page`` (1 = newest) of ``count`` pages."""
        return (
            f"{self.path}.htm" if page == 1 else f"{self.path}/{count - page + 1}.htm"
        )

    def href(self, page: int, count: int, on_first: bool) -> str:
        """How page ``page`` is linked from page 1 (``on_first``) or from the others."""
        if page == 1:
            return f"{self.slug}.htm" if on_first else f"../{self.slug}.htm"
        number = count - page + 1
        return f"{self.slug}/{number}.htm" if on_first else f"{number}.htm"


def _head(spec: SiteSpec, title: str, up: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<HTML><HEAD><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
        f"<TITLE>{e(title)}</TITLE>"
        f'<META Name="keywords" Content="{e(spec.site_name)}" />\n{extra}'
        f"{STAMP}\n"
        f'<link rel="stylesheet" type="text/css" href="{up}_sitegray/_sitegray_d.css" />\n'
        f'<script language="javascript" src="{up}_sitegray/_sitegray.js"></script>\n'
        f"<!-- CustomerNO:{hex_name(spec.host, 'customer', length=36)} -->\n"
        '<script type="text/javascript" src="/system/resource/js/counter.js"></script>\n'
        '<script type="text/javascript" src="/system/resource/js/dynclicks.js"></script>\n'
    )


def _body(spec: SiteSpec, crumbs: list[tuple[str, str]], here: str, main: str) -> str:
    links = " &gt; ".join(f'<a href="{e(h)}">{e(n)}</a>' for n, h in crumbs)
    return (
        f'</HEAD>\n<BODY>\n<div class="top"><div class="logo">{e(spec.site_name)}</div></div>\n'
        f'<div class="crumb">当前位置：{links}{" &gt; " + e(here) if here else ""}</div>\n'
        f'<div class="main-content">\n{main}\n</div>\n'
        f'<div class="foot">版权所有：{e(spec.site_name)}　辽ICP备12009345号</div>\n'
        "</BODY></HTML>"
    )


def _page(html: str, modified: datetime) -> Resource:
    return Resource(html.encode(), HTML_UTF8, modified)


def _error_page(modified: datetime) -> Resource:
    """What download.jsp answers to a request without the site's Referer."""
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        f"<title>提示信息</title><style>\n{ERROR_STYLE}</style></head>\n"
        '<body><div class="msg-box"><h3>提示信息</h3>'
        "<p>下载请求无效，请从信息页面点击附件链接下载。</p>"
        '<p><a href="/">返回首页</a></p></div></body></html>'
    )
    return Resource(html.encode(), HTML_UTF8, modified, validators=())


def download_jsp(site: Site, files: dict[str, Resource]) -> Handler:
    """``download.jsp``: the file, only for a request sent from one of the site's pages."""

    def handle(request: Request) -> Resource:
        found = files.get(request.params().get("wbfileid", ""))
        referer = urlsplit(request.headers.get("referer", ""))
        if found is None or referer.hostname != site.host:
            return _error_page(utc(SITE_DATE))
        return found

    return handle


class VsbBuilder:
    """The VSB host: the column, its count-down pages, articles and files."""

    def __init__(self, site: Site, spec: SiteSpec, epoch: int) -> None:
        self.site, self.spec, self.epoch = site, spec, epoch
        self.tree = int(spec.option("wbtreeid"))
        self.owner = int(spec.option("owner"))
        self.column = Column(spec.option("column_path"), spec.option("column_name"))
        self.files = site.stores.setdefault("download", {})

    def vsb_id(self, posting: Posting) -> int:
        """VSB document ids are small numbers (``/info/1308/25193.htm``)."""
        return 20000 + posting.docid % 1_000_000

    def add(self, posting: Posting) -> None:
        vid = self.vsb_id(posting)
        refs: list[DocRef] = []
        links: list[str] = []
        if posting.form in ATTACHMENT_FORMAT:
            ref, link = self._attachment(posting, vid)
            refs.append(ref)
            links.append(link)
        # VSB lists articles only: a report posted as a bare file gets an article
        # saying 详见附件 (as on gkmlpt), which is what the benchmark mix's
        # pdf_only / docx_only forms become on these hosts.
        path = f"/info/{self.tree}/{vid}.htm"
        html = self._article(posting, vid, links)
        refs.insert(
            0,
            DocRef(
                self.site.add(path, _page(html, utc(posting.published))),
                "page",
                "html",
            ),
        )
        title = posting.list_title
        day = posting.published.strftime("%Y年%m月%d日")
        self.column.items.append(
            (
                f'<a href="{{up}}info/{self.tree}/{vid}.htm" target="_blank" title="{e(title)}">'
                f'{e(truncate(title, 30))}</a><span class="time">{day}</span>'
                f'<span id="dynclicks_u8_{vid}" style="display:none"></span>',
                vid,
            )
        )
        self.column.modified = max(self.column.modified, utc(posting.published))
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _attachment(self, posting: Posting, vid: int) -> tuple[DocRef, str]:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{report.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        data = attachment_bytes(report, fmt, self.epoch)
        local = hex_name(self.site.host, "local", posting.docid).upper()
        salt = hex_name(self.site.host, "salt", posting.docid, length=8).upper()
        path = f"/__local/{local[0]}/{local[1:3]}/{local[3:5]}/{local[5:]}_{salt}_{len(data):X}.{fmt}"
        url = self.site.add(path, file_resource(data, fmt, posting.published))
        # Older sites number the files, newer ones use 32 hex (both real).
        wbfileid = (
            str(3_000_000 + vid * 7)
            if vid % 2 == 0
            else hex_name(self.site.host, "wbfile", posting.docid).upper()
        )
        human = attachment_name(posting)
        self.files[wbfileid] = file_resource(
            data,
            fmt,
            posting.published,
            content_type="application/octet-stream",
            disposition=f"attachment; filename*=UTF-8''{quote(human)}",
        )
        href = f"{DOWNLOAD}?urltype=news.DownloadAttachUrl&amp;owner={self.owner}&amp;wbfileid={wbfileid}"
        link = (
            f'<li>附件【<a href="{href}" target="_blank">{e(human)}</a>】已下载'
            f'<span id="nattach{wbfileid}"><script language="javascript">'
            f'getClickTimes({wbfileid},{self.owner},"wbnewsfile","attach")</script></span>次</li>'
        )
        return DocRef(url, "attachment", fmt), link

    def _article(self, posting: Posting, vid: int, links: list[str]) -> str:
        item = posting.item
        stamp = posting.published.strftime("%Y年%m月%d日 %H:%M")
        files = (
            f'<ul style="list-style-type:none;">{"".join(links)}</ul>' if links else ""
        )
        main = (
            '<form name="_newscontent_fromname">\n'
            f'<div class="content-title"><h1>{e(item.title)}</h1></div>\n'
            f'<div class="content-info">发布时间：{stamp}&nbsp;&nbsp;来源：{e(item.publisher)}'
            f'&nbsp;&nbsp;点击数：<script>_showDynClicks("wbnews", {self.owner}, {vid})</script></div>\n'
            f'<div id="vsb_content"><div class="v_news_content">\n{article_html(posting)}\n</div></div>\n'
            f'<div id="div_vote_id"></div>\n{files}\n</form>\n'
            '<script type="text/javascript" src="/system/resource/js/news/statpagedown.js"></script>'
        )
        head = _head(
            self.spec,
            f"{item.title}-{self.spec.site_name}",
            "../../",
            article_meta(posting, " />"),
        ) + self._counter("/content.jsp", vid)
        crumbs = [
            ("首页", "../../index.htm"),
            ("政务公开", "../../zwgk.htm"),
            (self.column.name, f"../..{self.column.path}.htm"),
        ]
        return head + _body(self.spec, crumbs, "正文", main)

    def _counter(self, page: str, vid: int) -> str:
        """VSB's visit counter call, at the end of every page's head."""
        return (
            '<script type="text/javascript">'
            f"_jsq_({self.tree},'{page}',{vid},{self.owner})</script>\n"
        )

    def _pager(self, page: int, count: int, total: int) -> str:
        col, first = self.column, page == 1

        def link(n: int, text: str, css: str) -> str:
            return f'<span class="{css}"><a href="{col.href(n, count, first)}">{text}</a></span>'

        parts = []
        if first:
            parts.append(
                '<span class="p_first_d p_fun_d">首页</span><span class="p_prev_d p_fun_d">上页</span>'
            )
        else:
            parts.append(
                link(1, "首页", "p_first p_fun")
                + link(page - 1, "上页", "p_prev p_fun")
            )
        start = max(1, min(page - SHOWN_PAGES // 2, count - SHOWN_PAGES + 1))
        end = min(count, start + SHOWN_PAGES - 1)
        if start > 1:
            parts.append('<span class="p_dot">...</span>')
        for n in range(start, end + 1):
            parts.append(
                f'<span class="p_no_d">{n}</span>'
                if n == page
                else link(n, str(n), "p_no")
            )
        if end < count:
            parts.append('<span class="p_dot">...</span>')
        if page < count:
            parts.append(
                link(page + 1, "下页", "p_next p_fun")
                + link(count, "尾页", "p_last p_fun")
            )
        else:
            parts.append(
                '<span class="p_next_d p_fun_d">下页</span><span class="p_last_d p_fun_d">尾页</span>'
            )
        return (
            '<div class="pb_sys_common pb_sys_normal pb_sys_style1"'
            ' style="margin-top:10px;text-align:center;">'
            f'<span class="p_t">共{total}条</span> <span class="p_pages">{"".join(parts)}</span>'
            f' <span class="p_t">{page}/{count}</span></div>'
        )

    def finish(self) -> None:
        col = self.column
        perpage = int(self.spec.option("perpage", 15))
        count = max(1, math.ceil(len(col.items) / perpage))
        for page in range(1, count + 1):
            chunk = col.items[(page - 1) * perpage : page * perpage]
            up = "../" if page == 1 else "../../"
            lis = "\n".join(
                f'<li id="line_u8_{i}">{html.replace("{up}", up)}</li>'
                for i, (html, _vid) in enumerate(chunk)
            )
            ids = ",".join(f"'dynclicks_u8_{vid}'" for _h, vid in chunk)
            nums = ",".join(str(vid) for _h, vid in chunk)
            main = (
                f'<div class="list-title">{e(col.name)}</div>\n'
                f'<div class="list-box"><ul class="list-ul">\n{lis}\n</ul>\n'
                f'<div align="center">{self._pager(page, count, len(col.items))}</div></div>\n'
                f'<script>_showDynClickBatch([{ids}],[{nums}],"wbnews", {self.owner})</script>'
            )
            head = _head(
                self.spec, f"{col.name}-{self.spec.site_name}", up
            ) + self._counter("/list.jsp", -1)
            crumbs = [("首页", f"{up}index.htm"), ("政务公开", f"{up}zwgk.htm")]
            self.site.add(
                col.file(page, count),
                _page(head + _body(self.spec, crumbs, col.name, main), col.modified),
            )
        self._navigation()

    def _navigation(self) -> None:
        col = self.column
        zwgk = _head(self.spec, f"政务公开-{self.spec.site_name}", "") + _body(
            self.spec,
            [("首页", "index.htm")],
            "政务公开",
            f'<ul class="sub-nav"><li><a href="{col.path.lstrip("/")}.htm">{e(col.name)}</a></li></ul>',
        )
        self.site.add("/zwgk.htm", _page(zwgk, utc(SITE_DATE)))
        home = _head(self.spec, self.spec.site_name, "") + _body(
            self.spec,
            [],
            "",
            '<ul class="nav"><li><a href="index.htm">首页</a></li>'
            '<li><a href="zwgk.htm">政务公开</a></li></ul>',
        )
        for path in ("/index.htm", "/index.html"):  # "/" answers index.htm too
            self.site.add(path, _page(home, utc(SITE_DATE)))
        for path, script in ASSETS.items():
            self.site.add(
                path,
                Resource(script.encode(), "application/javascript", utc(SITE_DATE)),
            )
        self.site.handlers[DOWNLOAD] = download_jsp(self.site, self.files)


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole VSB host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        b"<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>",
        HTML_UTF8,
        utc(SITE_DATE),
        status=404,
    )
    builder = VsbBuilder(site, site_spec, epoch)
    for posting in postings:
        builder.add(posting)
    builder.finish()
    return site
