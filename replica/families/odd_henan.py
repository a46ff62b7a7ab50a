"""An "unknown" Henan county portal on ASP.NET: ``PublicList.aspx?page=N`` (shangcai).

No family spider is written for it. What the real sites do and this module reproduces
(``docs/site-families.md`` §2.7; lhyc ``/Item/75160.aspx``, Dongshan
``PublicDetail.aspx?id=``):

* the 信息公开 system is ASP.NET WebForms: a ``__VIEWSTATE`` form around a
  ``GridView`` ``<table>`` (标题 / 发布机构 / 发布日期) whose header sorts through
  ``javascript:__doPostBack(…)``; dates are written ``2024/1/25``;
* pages are ``PublicList.aspx?classid=N&page=N`` behind 首页 / 上一页 / 下一页 / 尾页
  links and "第1页/共3页";
* the whole site is **GB2312** (header and ``<meta>``);
* articles are ``PublicDetail.aspx?id=N`` (an endpoint) with a 索引号 / 发布机构 /
  生成日期 table and the body in an ASP.NET label; attachments are
  ``/UploadFiles/xxgk/{Y}/{M}/…`` linked as ``../UploadFiles/…``;
* the city's report is reposted as a portal article of the CMS, ``/Item/{id}.aspx``
  (its own template: 来源 / 更新时间 ``2024/3/29 18:26:00``), listed in the same grid;
* one department's report is titled without its body (发布机构 says whose it is).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING

from replica.families.common import (
    ATTACHMENT_FORMAT,
    HAS_ARTICLE,
    article_html,
    attachment_name,
    e,
    hex_name,
)
from replica.families.odd_common import (
    OddHost,
    build_host,
    pager_links,
    requested_page,
)
from replica.model import Posting, Report
from replica.site import DocRef, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 5, 20, 8, 0)
GB = "text/html; charset=gb2312"
LIST = "/xxgk/PublicList.aspx"
DETAIL = "/xxgk/PublicDetail.aspx"


def _slash(moment: datetime, time: bool = False) -> str:
    """``2024/1/25`` (and ``18:26:00``): .NET's zh-CN short date."""
    day = f"{moment.year}/{moment.month}/{moment.day}"
    return f"{day} {moment:%H:%M:%S}" if time else day


def _encode(html: str) -> bytes:
    return html.encode("gbk", "xmlcharrefreplace")


def _viewstate(*parts: object) -> str:
    raw = bytes.fromhex(hex_name("viewstate", *parts, length=64))
    return "/wEPDwUKLTk" + base64.b64encode(raw).decode()[:60]


def _sort(field: str) -> str:
    """The GridView header's sort link: a postback, not a page."""
    return (
        f"javascript:__doPostBack('ctl00$ContentPlaceHolder1$GridView1','Sort${field}')"
    )


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />\n'
        f"<title>{e(title)}</title>\n"
        '<link href="/Skin/xxgk/style.css" rel="stylesheet" type="text/css" />\n</head>\n'
    )


def _frame(spec: SiteSpec, crumbs: list[tuple[str, str]], main: str) -> str:
    trail = " &gt;&gt; ".join(f'<a href="{e(h)}">{e(n)}</a>' for n, h in crumbs)
    return (
        f'<body>\n<div id="top"><img src="/Skin/xxgk/banner.jpg" alt="{e(spec.site_name)}" /></div>\n'
        '<div id="menu"><a href="/">网站首页</a> | <a href="/xxgk/Default.aspx">政府信息公开</a>'
        ' | <a href="/Category_12/Index.aspx">政务动态</a></div>\n'
        f'<div id="position">您现在的位置：{trail}</div>\n{main}\n'
        f'<div id="bottom">主办单位：{e(spec.site_name)}　豫ICP备10204521号</div>\n</body></html>'
    )


class Henan(OddHost):
    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        super().__init__(spec, epoch)
        self.details = self.site.stores.setdefault("detail", {})
        self.classid = str(spec.option("classid"))
        self.name = spec.option("column", {}).get("name", "政府信息公开年报")
        self.portal_items = set(spec.option("portal_items") or ())
        self.rows: list[str] = []
        self.modified = utc(SITE_DATE)

    def list_href(self, page: int | None = None) -> str:
        base = f"PublicList.aspx?classid={self.classid}"
        return base if page is None else f"{base}&page={page}"

    def crumbs(self) -> list[tuple[str, str]]:
        return [
            ("首页", "/"),
            ("政府信息公开", "/xxgk/Default.aspx"),
            (self.name, f"/xxgk/{self.list_href()}"),
        ]

    def add(self, posting: Posting) -> None:
        item = posting.item
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(self._upload(posting))
        if isinstance(item, Report) and item.key in self.portal_items:
            path = f"/Item/{posting.docid % 100000}.aspx"
            page = _encode(self._portal_article(posting, refs))
            refs.insert(0, self.page(path, page, posting.published, GB))
            href = f"..{path}"
        elif posting.form in HAS_ARTICLE:
            key = str(posting.docid % 100000)
            if key in self.details:
                raise ValueError(f"{self.spec.host}: two items with id {key}")
            self.details[key] = Resource(
                _encode(self._detail(posting, refs)),
                GB,
                utc(posting.published),
                validators=(),
            )
            refs.insert(0, DocRef(self.site.url(f"{DETAIL}?id={key}"), "page", "html"))
            href = f"PublicDetail.aspx?id={key}"
        else:
            href = ".." + self.local(refs[0].url)
        self.rows.append(
            f'<tr><td align="left"><a href="{e(href)}" target="_blank">{e(posting.list_title)}</a></td>'
            f"<td>{e(item.publisher)}</td><td>{_slash(posting.published)}</td></tr>"
        )
        self.modified = max(self.modified, utc(posting.published))
        if isinstance(item, Report):
            self.site.documents[item.key] = refs

    def _upload(self, posting: Posting) -> DocRef:
        day = posting.published
        return self.upload(
            posting,
            lambda fmt: (
                f"/UploadFiles/xxgk/{day.year}/{day.month}/"
                f"{day:%Y%m%d%H%M%S}{posting.docid % 10000:04d}.{fmt}"
            ),
        )

    def _files(self, posting: Posting, refs: list[DocRef]) -> str:
        links = "".join(
            f'<a href="..{e(self.local(ref.url))}" target="_blank">'
            f"{e(attachment_name(posting))}</a><br />"
            for ref in refs
        )
        return f'<div class="attach">相关附件：<br />{links}</div>' if links else ""

    def _detail(self, posting: Posting, refs: list[DocRef]) -> str:
        item = posting.item
        index_no = f"41172200{posting.docid % 100:02d}/{posting.published.year}-{posting.docid % 10000:05d}"
        kind = "年度报告" if isinstance(item, Report) else item.kind
        meta = (
            '<table class="xxgk_info" cellspacing="1">'
            '<tr><td class="t">索 引 号：</td>'
            f'<td><span id="ContentPlaceHolder1_lblIndex">{index_no}</span></td>'
            f'<td class="t">信息分类：</td><td>{e(kind)}</td></tr>'
            '<tr><td class="t">发布机构：</td>'
            f'<td><span id="ContentPlaceHolder1_lblDept">{e(item.publisher)}</span></td>'
            f'<td class="t">生成日期：</td><td>{posting.published:%Y-%m-%d}</td></tr>'
            '<tr><td class="t">文　　号：</td><td></td><td class="t">关 键 词：</td><td>信息公开</td></tr>'
            "</table>"
        )
        main = (
            '<form name="aspnetForm" method="post" '
            f'action="PublicDetail.aspx?id={posting.docid % 100000}" id="aspnetForm">\n'
            '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" '
            f'value="{_viewstate(posting.docid)}" />\n'
            f'<div class="detail">{meta}\n'
            f'<h1><span id="ContentPlaceHolder1_lblTitle">{e(item.title)}</span></h1>\n'
            '<div class="content"><span id="ContentPlaceHolder1_lblContent">\n'
            f"{article_html(posting)}\n</span></div>\n"
            f"{self._files(posting, refs)}</div>\n</form>"
        )
        return _head(f"{item.title}--{self.spec.site_name}") + _frame(
            self.spec, self.crumbs(), main
        )

    def _portal_article(self, posting: Posting, refs: list[DocRef]) -> str:
        item = posting.item
        main = (
            '<div class="main_article">\n'
            f'<div class="article_title"><h2>{e(item.title)}</h2></div>\n'
            f'<div class="article_info">作者：　来源：{e(item.publisher)}　点击数：'
            '<script src="/Common/GetHits.aspx?id=1"></script>　'
            f"更新时间：{_slash(posting.published, time=True)}</div>\n"
            f'<div id="fontzoom" class="article_content">\n{article_html(posting)}\n</div>\n'
            f"{self._files(posting, refs)}</div>"
        )
        crumbs = [("首页", "/"), ("政务动态", "/Category_12/Index.aspx"), ("正文", "")]
        return _head(f"{item.title}_{self.spec.site_name}") + _frame(
            self.spec, crumbs, main
        )

    def _list_page(self, page: int, count: int, perpage: int) -> str:
        rows = "\n".join(self.rows[(page - 1) * perpage : page * perpage])

        def link(label: str, target: int, active: bool) -> str:
            if not active:
                return f'<span class="disabled">{label}</span>'
            return f'<a href="{e(self.list_href(target))}">{label}</a>'

        pager = (
            f'<div class="pager">共{len(self.rows)}条记录　第{page}页/共{count}页　'
            + " ".join(pager_links(page, count, link))
            + "</div>"
        )
        grid = (
            '<table class="gridview" cellspacing="0" rules="all" border="1" '
            'id="ContentPlaceHolder1_GridView1" '
            'style="width:100%;border-collapse:collapse;">\n'
            f'<tr class="head"><th scope="col"><a href="{_sort("Title")}">标题</a></th>'
            '<th scope="col">发布机构</th>'
            f'<th scope="col"><a href="{_sort("PubDate")}">发布日期</a></th></tr>\n'
            f"{rows}\n</table>"
        )
        main = (
            f'<form name="aspnetForm" method="post" action="{e(self.list_href(page))}" id="aspnetForm">\n'
            '<div><input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />\n'
            '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />\n'
            '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" '
            f'value="{_viewstate(self.classid, page)}" /></div>\n'
            "<script type=\"text/javascript\">\nvar theForm = document.forms['aspnetForm'];\n"
            "function __doPostBack(eventTarget, eventArgument) {\n"
            "  theForm.__EVENTTARGET.value = eventTarget; theForm.__EVENTARGUMENT.value = eventArgument;"
            " theForm.submit();\n}\n</script>\n"
            f'<div class="list_title">{e(self.name)}</div>\n{grid}\n{pager}\n</form>'
        )
        return _head(f"{self.name}--{self.spec.site_name}") + _frame(
            self.spec, self.crumbs(), main
        )

    def finish(self) -> None:
        perpage, count = self.paged(len(self.rows))
        empty = Resource(
            _encode(
                _head(f"信息公开--{self.spec.site_name}")
                + _frame(
                    self.spec, self.crumbs()[:2], '<div class="nodata">暂无记录！</div>'
                )
            ),
            GB,
            utc(SITE_DATE),
            validators=(),
        )

        def listing(request: Request) -> Resource:
            p = request.params()
            if p.get("classid") != self.classid:
                return empty
            page = requested_page(p.get("page", "1"), count)
            return Resource(
                _encode(self._list_page(page, count, perpage)),
                GB,
                self.modified,
                validators=(),
            )

        def detail(request: Request) -> Resource:
            found = self.details.get(request.params().get("id", ""))
            return found or Resource(
                _encode(
                    _head("提示") + "<body><p>该信息不存在或已删除！</p></body></html>"
                ),
                GB,
                utc(SITE_DATE),
                validators=(),
            )

        self.site.handlers[LIST] = listing
        self.site.handlers[DETAIL] = detail
        menu = (
            '<div class="xxgk_menu"><ul>'
            '<li><a href="PublicGuide.aspx">政府信息公开指南</a></li>'
            '<li><a href="PublicList.aspx?classid=101">政府信息公开制度</a></li>'
            '<li><a href="PublicList.aspx?classid=110">法定主动公开内容</a></li>'
            f'<li><a href="{e(self.list_href())}">{e(self.name)}</a></li></ul></div>'
        )
        self.site.add(
            "/xxgk/Default.aspx",
            Resource(
                _encode(
                    _head(f"政府信息公开--{self.spec.site_name}")
                    + _frame(self.spec, self.crumbs()[:2], menu)
                ),
                GB,
                utc(SITE_DATE),
            ),
        )
        self.site.add(
            "/index.html",
            Resource(
                _encode(
                    _head(self.spec.site_name)
                    + _frame(
                        self.spec, [("首页", "/")], '<div class="index_main"></div>'
                    )
                ),
                GB,
                utc(SITE_DATE),
            ),
        )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    not_found = _encode(
        "<html><body><h2>无法找到资源。</h2><p>说明: HTTP 404。</p></body></html>"
    )
    return build_host(Henan(site_spec, epoch), postings, not_found, SITE_DATE, "gb2312")
