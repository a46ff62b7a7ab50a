"""An "unknown" Sichuan county portal: ``iList.jsp`` lists, ``/gongkai/show/{32hex}.html``.

No family spider is written for it. What the real sites do and this module reproduces
(``docs/site-families.md`` §2.7; scanju, snjkq.suining, mz.gov.cn, Wendeng's flip-book):

* the 年报 list is a JSP, ``/info/iList.jsp?node_id=GK…&cat_id=…&cur_page=N``; its
  pages are chosen **only in a ``<select>``** whose options hold the URLs (no page
  links), beside 共N条 / 第1/3页;
* items are ``<p>`` lines: an unpadded date (``2024-1-25``) then the link;
* articles are ``/gongkai/show/{32hex}.html`` with a 信息公开 table (索引号 / 信息分类 /
  发布机构 / 发文日期), attachments under ``/uploadfile/{YYYY}/{MMDD}/``, and one PDF
  linked straight from the list;
* one report is a **flip-book**: the list links the e-book viewer
  ``/book/…/index.html`` (a JavaScript page-turner), whose text version is one HTML
  page per report page, ``files/basic-html/page1.html`` …, linked from the viewer's
  hidden SEO block and its ``<noscript>``;
* the column mixes the county's reports with the city's government's and a province
  department's (reposted), a 指南, a 通知 and a news item.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from replica.families.common import (
    article_html,
    attachment_name,
    e,
    hex_name,
)
from replica.families.odd_common import OddHost, build_host, requested_page
from replica.model import Posting, Report
from replica.render_html import report_body_html
from replica.site import HTML_UTF8, DocRef, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 4, 8, 10, 0)
LIST = "/info/iList.jsp"


def _day(moment: datetime) -> str:
    """``2024-1-25``: the list prints months and days without zeros."""
    return f"{moment.year}-{moment.month}-{moment.day}"


def _head(spec: SiteSpec, title: str, extra: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html><head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        '<meta name="SiteIDCode" content="5109210001">\n'
        f"{extra}"
        '<link rel="stylesheet" href="/res/css/gk.css">\n</head>\n'
    )


def _frame(spec: SiteSpec, crumbs: list[tuple[str, str]], main: str) -> str:
    trail = " → ".join(f'<a href="{e(h)}">{e(n)}</a>' for n, h in crumbs)
    return (
        f'<body>\n<div class="top"><h1>{e(spec.site_name)}</h1></div>\n'
        '<div class="menu"><a href="/">网站首页</a><a href="/gongkai/">政府信息公开</a>'
        '<a href="/zwfw/">政务服务</a><a href="/hdjl/">互动交流</a></div>\n'
        f'<div class="path">当前位置：{trail}</div>\n{main}\n'
        f'<div class="bottom">{e(spec.site_name)}办公室主办　蜀ICP备05012345号-1　'
        "网站标识码：5109210001</div>\n</body></html>"
    )


class Sichuan(OddHost):
    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        super().__init__(spec, epoch)
        self.name = spec.option("column", {}).get("name", "政府信息公开年报")
        self.query = f"node_id={spec.option('node_id')}&cat_id={spec.option('cat_id')}"
        self.flipbooks: dict[str, Any] = spec.option("flipbooks") or {}
        self.lines: list[str] = []
        self.modified = utc(SITE_DATE)

    def list_url(self, page: int) -> str:
        return f"{LIST}?{self.query}&cur_page={page}"

    def crumbs(self) -> list[tuple[str, str]]:
        return [
            ("首页", "/"),
            ("政府信息公开", "/gongkai/"),
            (self.name, self.list_url(1)),
        ]

    def add(self, posting: Posting) -> None:
        item = posting.item
        if isinstance(item, Report) and item.key in self.flipbooks:
            refs = self._flipbook(item, posting)
            href = self.local(refs[0].url)
        else:
            day, n = posting.published, posting.docid % 10000
            refs = self.post(
                posting,
                f"/gongkai/show/{hex_name(self.spec.host, 'show', posting.docid)}.html",
                lambda refs: self._article(posting, refs).encode(),
                lambda fmt: (
                    f"/uploadfile/{day:%Y}/{day:%m%d}/{day:%Y%m%d%H%M%S}{n:04d}.{fmt}"
                ),
            )
            href = self.local(refs[0].url)
        self.lines.append(
            f'<p class="item"><span class="date">{_day(posting.published)}</span>'
            f'<a href="{e(href)}" target="_blank" title="{e(posting.list_title)}">'
            f"{e(posting.list_title)}</a></p>"
        )
        self.modified = max(self.modified, utc(posting.published))
        if isinstance(item, Report):
            self.site.documents[item.key] = refs

    def _article(self, posting: Posting, refs: list[DocRef]) -> str:
        item = posting.item
        kind = "工作年报" if isinstance(item, Report) else item.kind
        info = (
            '<table class="gk-table">'
            f"<tr><td>索引号：</td><td>{hex_name(posting.docid, length=8).upper()}/{posting.published.year}-"
            f"{posting.docid % 10000:05d}</td><td>信息分类：</td><td>{e(kind)}</td></tr>"
            f"<tr><td>发布机构：</td><td>{e(item.publisher)}</td><td>发文日期：</td>"
            f"<td>{posting.published:%Y-%m-%d}</td></tr>"
            f'<tr><td>名　　称：</td><td colspan="3">{e(item.title)}</td></tr></table>'
        )
        files = "".join(
            f'<a href="{e(self.local(ref.url))}" target="_blank">'
            f"{e(attachment_name(posting))}</a><br>"
            for ref in refs
        )
        main = (
            f'<div class="detail">{info}\n<div class="detail-title">{e(item.title)}</div>\n'
            f'<div class="detail-time">发布时间：{posting.published:%Y-%m-%d %H:%M}:00　'
            f"来源：{e(item.publisher)}</div>\n"
            f'<div class="contentText">\n{article_html(posting)}\n</div>\n'
            + (f'<div class="fj">附件下载：<br>{files}</div>\n' if files else "")
            + "</div>"
        )
        return _head(self.spec, item.title) + _frame(self.spec, self.crumbs(), main)

    def _flipbook(self, report: Report, posting: Posting) -> list[DocRef]:
        """A page-turn e-book: the JavaScript viewer and one HTML page per report page."""
        options = self.flipbooks[report.key]
        root = str(options["path"])
        blocks = report_body_html(report).split("\n")
        count = min(int(options.get("pages", 6)), len(blocks))
        size = math.ceil(len(blocks) / count)
        chunks = [blocks[i : i + size] for i in range(0, len(blocks), size)]
        modified = utc(posting.published)
        refs = []
        links = "".join(
            f'<a href="files/basic-html/page{n}.html">第{n}页</a>'
            for n in range(1, len(chunks) + 1)
        )
        viewer = (
            '<!DOCTYPE html>\n<html><head>\n<meta charset="utf-8">\n'
            f"<title>{e(report.title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<script src="javascript/jquery-1.9.1.min.js"></script>\n'
            '<script src="javascript/config.js"></script>\n'
            '<script src="javascript/LoadingJS.js"></script>\n'
            f"<script>var bookConfig = {{totalPageCount:{len(chunks)},"
            "largePageWidth:1190,largePageHeight:1684,"
            f'bookTitle:"{e(report.title)}"}};</script>\n</head>\n'
            '<body><div id="loadingBar"></div>\n'
            f'<div id="seoPart" style="display:none"><h1>{e(report.title)}</h1>{links}</div>\n'
            "<noscript>您的浏览器不支持JavaScript，请阅读"
            '<a href="files/basic-html/page1.html">文字版</a>。</noscript>\n'
            "</body></html>"
        )
        url = self.site.add(
            f"{root}index.html", Resource(viewer.encode(), HTML_UTF8, modified)
        )
        refs.append(DocRef(url, "page", "html"))
        for n, chunk in enumerate(chunks, start=1):
            nav = ['<a href="../../index.html">返回电子书</a>']
            if n > 1:
                nav.append(f'<a href="page{n - 1}.html">上一页</a>')
            if n < len(chunks):
                nav.append(f'<a href="page{n + 1}.html">下一页</a>')
            page = (
                '<!DOCTYPE html>\n<html><head>\n<meta charset="utf-8">\n'
                f"<title>{e(report.title)} - 第{n}页</title>\n"
                '<link rel="stylesheet" href="../../files/basic-html/css/basic.css">\n'
                "</head>\n<body>\n"
                f'<div class="nav">{" | ".join(nav)}</div>\n'
                f'<div class="page-content" id="page{n}">\n'
                + "\n".join(chunk)
                + "\n</div>\n"
                f'<div class="page-number">{n}/{len(chunks)}</div>\n</body></html>'
            )
            url = self.site.add(
                f"{root}files/basic-html/page{n}.html",
                Resource(page.encode(), HTML_UTF8, modified),
            )
            refs.append(DocRef(url, "page", "html"))
        self.site.add(
            f"{root}javascript/config.js",
            Resource(
                b"var bookConfig = bookConfig || {};",
                "application/javascript",
                modified,
            ),
        )
        return refs

    def _list_page(self, page: int, count: int, perpage: int) -> str:
        lines = "\n".join(self.lines[(page - 1) * perpage : page * perpage])
        options = "".join(
            f'<option value="{e(self.list_url(n))}"{" selected" if n == page else ""}>'
            f"第{n}页</option>"
            for n in range(1, count + 1)
        )
        pager = (
            f'<div class="pages">共{len(self.lines)}条　每页{perpage}条　第{page}/{count}页　'
            '转到<select name="cur_page" '
            'onchange="window.location.href=this.options[this.selectedIndex].value">'
            f"{options}</select></div>"
        )
        main = (
            f'<div class="list-box"><div class="list-head">{e(self.name)}</div>\n'
            f'<div class="list">\n{lines}\n</div>\n{pager}</div>'
        )
        return _head(self.spec, f"{self.name}_{self.spec.site_name}") + _frame(
            self.spec, self.crumbs(), main
        )

    def finish(self) -> None:
        perpage, count = self.paged(len(self.lines))
        node, cat = str(self.spec.option("node_id")), str(self.spec.option("cat_id"))

        def listing(request: Request) -> Resource:
            p = request.params()
            if p.get("node_id") != node or p.get("cat_id") != cat:
                html = (
                    _head(self.spec, "提示") + "<body><p>栏目不存在！</p></body></html>"
                )
                return Resource(html.encode(), HTML_UTF8, utc(SITE_DATE), validators=())
            page = requested_page(p.get("cur_page", "1"), count)
            return Resource(
                self._list_page(page, count, perpage).encode(),
                HTML_UTF8,
                self.modified,
                validators=("last-modified",),
            )

        self.site.handlers[LIST] = listing
        gk = (
            '<div class="gk-menu"><ul>'
            '<li><a href="/gongkai/zn/">政府信息公开指南</a></li>'
            '<li><a href="/gongkai/zd/">政府信息公开制度</a></li>'
            '<li><a href="/gongkai/fdzdgknr/">法定主动公开内容</a></li>'
            f'<li><a href="{e(self.list_url(1))}">{e(self.name)}</a></li></ul></div>'
        )
        self.site.add(
            "/gongkai/index.html",
            Resource(
                (
                    _head(self.spec, "政府信息公开")
                    + _frame(self.spec, self.crumbs()[:2], gk)
                ).encode(),
                HTML_UTF8,
                utc(SITE_DATE),
            ),
        )
        self.site.add(
            "/index.html",
            Resource(
                (
                    _head(self.spec, self.spec.site_name)
                    + _frame(self.spec, [("首页", "/")], '<div class="home"></div>')
                ).encode(),
                HTML_UTF8,
                utc(SITE_DATE),
            ),
        )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    not_found = "<html><body><p>对不起，您访问的页面不存在！</p></body></html>".encode()
    return build_host(Sichuan(site_spec, epoch), postings, not_found, SITE_DATE)
