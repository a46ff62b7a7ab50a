"""An "unknown" Liaoning county portal on the 慧点 platform (kuandian).

No family spider is written for it. What the real platform does and this module
reproduces (``docs/site-families.md`` §2.7):

* the column page ``/{site}/{path}/index.shtml`` renders the first page of its list;
  the other pages are list fragments ``{key}-{N}.shtml`` that the page's script
  loads: the pager's links have **no href**, only
  ``onclick="queryArticleByCondition(this,'/…/{key}-2.shtml')"``, and the page
  count is a ``totalpage`` attribute of the pager;
* articles are ``/{site}/{path}/{YYYYMMDDHHMMSS}{5 digits}/index.shtml`` with meta tags
  and the body in ``div.xl_con``; attachments are ``/{site}/resource/cms/{Y}/{M}/…``;
* list dates are written ``2024.01.25``;
* the column mixes the county's reports with the city's government's and a province
  department's (reposted), a 图解 and a news item; one department's title has no
  year (its text's statistics period and its date say it).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from replica.families.common import (
    article_html,
    article_meta,
    attachment_name,
    e,
    truncate,
)
from replica.families.odd_common import OddHost, build_host, pager_links
from replica.model import Posting, Report
from replica.site import HTML_UTF8, DocRef, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 7, 2, 9, 0)


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html><head>\n<meta charset="UTF-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        '<meta name="SiteIDCode" content="2106240001">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n{extra}'
        '<script src="/kdxzf/js/jquery-1.11.3.min.js"></script>\n'
        '<script src="/kdxzf/js/hdcms.js"></script>\n</head>\n'
    )


def _frame(spec: SiteSpec, crumbs: list[tuple[str, str]], main: str) -> str:
    trail = " &gt; ".join(f'<a href="{e(h)}">{e(n)}</a>' for n, h in crumbs)
    return (
        f'<body>\n<div class="header"><div class="w1200"><h1>{e(spec.site_name)}</h1></div></div>\n'
        '<div class="nav"><ul><li><a href="/kdxzf/index.shtml">首页</a></li>'
        '<li><a href="/kdxzf/zwgk/index.shtml">政务公开</a></li>'
        '<li><a href="/kdxzf/zwfw/index.shtml">政务服务</a></li></ul></div>\n'
        f'<div class="position">当前位置：{trail}</div>\n{main}\n'
        f'<div class="footer">主办单位：{e(spec.site_name)}办公室　辽ICP备05003398号　'
        "网站标识码：2106240001</div>\n</body></html>"
    )


class Liaoning(OddHost):
    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        super().__init__(spec, epoch)
        column = spec.option("column")
        self.path, self.name, self.key = column["path"], column["name"], column["key"]
        self.items: list[str] = []
        self.modified = utc(SITE_DATE)
        self.ids: set[str] = set()

    def crumbs(self) -> list[tuple[str, str]]:
        return [
            ("首页", "/kdxzf/index.shtml"),
            ("政务公开", "/kdxzf/zwgk/index.shtml"),
            (self.name, f"{self.path}index.shtml"),
        ]

    def article_id(self, posting: Posting) -> str:
        stamp = posting.published.strftime("%Y%m%d%H%M") + f"{posting.docid % 60:02d}"
        found = f"{stamp}{posting.docid % 100000:05d}"
        if found in self.ids:
            raise ValueError(f"{self.spec.host}: two articles with id {found}")
        self.ids.add(found)
        return found

    def add(self, posting: Posting) -> None:
        item = posting.item
        ident = self.article_id(posting)
        day = posting.published
        refs = self.post(
            posting,
            f"{self.path}{ident}/index.shtml",
            lambda refs: self._article(posting, refs).encode(),
            lambda fmt: f"/kdxzf/resource/cms/{day:%Y}/{day:%m}/{ident}.{fmt}",
        )
        href = self.local(refs[0].url)
        self.items.append(
            f'<li><a href="{e(href)}" target="_blank" title="{e(posting.list_title)}">'
            f'{e(truncate(posting.list_title, 30))}</a><span class="time">'
            f"{posting.published:%Y.%m.%d}</span></li>"
        )
        self.modified = max(self.modified, utc(posting.published))
        if isinstance(item, Report):
            self.site.documents[item.key] = refs

    def _article(self, posting: Posting, refs: list[DocRef]) -> str:
        item = posting.item
        files = "".join(
            f'<p><a href="{e(self.local(ref.url))}" target="_blank">'
            f"{e(attachment_name(posting))}</a></p>"
            for ref in refs
        )
        main = (
            f'<div class="xl_main">\n<div class="xl_title">{e(item.title)}</div>\n'
            f'<div class="xl_info"><span>发布时间：{posting.published:%Y-%m-%d %H:%M}</span>'
            f"<span>来源：{e(item.publisher)}</span>"
            '<span>【字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            '<a href="javascript:doZoom(14)">小</a>】</span></div>\n'
            f'<div class="xl_con">\n{article_html(posting)}\n</div>\n'
            + (
                f'<div class="xl_fj"><span>附件：</span>{files}</div>\n'
                if files
                else ""
            )
            + "</div>"
        )
        return _head(self.spec, item.title, self.name, article_meta(posting)) + _frame(
            self.spec, self.crumbs(), main
        )

    def _fragment(self, page: int, count: int, perpage: int) -> str:
        items = "\n".join(self.items[(page - 1) * perpage : page * perpage])

        def link(label: str, target: int, active: bool) -> str:
            if not active:
                return f'<a href="javascript:void(0)" class="disabled">{label}</a>'
            url = f"{self.path}{self.key}-{target}.shtml"
            return (
                f'<a href="javascript:void(0)" '
                f"onclick=\"queryArticleByCondition(this,'{url}')\">{label}</a>"
            )

        pager = (
            f'<div class="pages" totalpage="{count}" currentpage="{page}">'
            + "".join(pager_links(page, count, link))
            + "</div>"
        )
        return f'<ul class="xxgk_list">\n{items}\n</ul>\n{pager}'

    def finish(self) -> None:
        perpage, count = self.paged(len(self.items))
        for page in range(1, count + 1):
            self.site.add(
                f"{self.path}{self.key}-{page}.shtml",
                Resource(
                    self._fragment(page, count, perpage).encode(),
                    HTML_UTF8,
                    self.modified,
                ),
            )
        main = (
            f'<div class="list_main"><div class="list_title">{e(self.name)}</div>\n'
            f'<div id="articleList">\n{self._fragment(1, count, perpage)}\n</div></div>\n'
            "<script>function queryArticleByCondition(obj, url){"
            "$.get(url, function(html){$('#articleList').html(html);});}</script>"
        )
        self.site.add(
            f"{self.path}index.shtml",
            Resource(
                (
                    _head(self.spec, f"{self.name}-{self.spec.site_name}", self.name)
                    + _frame(self.spec, self.crumbs(), main)
                ).encode(),
                HTML_UTF8,
                self.modified,
            ),
        )
        zwgk = (
            '<div class="zwgk_nav"><ul>'
            '<li><a href="/kdxzf/zwgk/zfxxgkzn/index.shtml">政府信息公开指南</a></li>'
            '<li><a href="/kdxzf/zwgk/fdzdgknr/index.shtml">法定主动公开内容</a></li>'
            f'<li><a href="{self.path}index.shtml">{e(self.name)}</a></li></ul></div>'
        )
        for path, name, body in (
            ("/kdxzf/zwgk/index.shtml", "政务公开", zwgk),
            (
                "/kdxzf/index.shtml",
                "首页",
                '<div class="index"><a href="/kdxzf/zwgk/index.shtml">政务公开</a></div>',
            ),
        ):
            self.site.add(
                path,
                Resource(
                    (
                        _head(self.spec, f"{name}-{self.spec.site_name}", name)
                        + _frame(self.spec, self.crumbs()[:2], body)
                    ).encode(),
                    HTML_UTF8,
                    utc(SITE_DATE),
                ),
            )
        self.site.add(
            "/index.html",
            Resource(
                b'<script>window.location.href="/kdxzf/index.shtml";</script>',
                HTML_UTF8,
                utc(SITE_DATE),
            ),
        )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    not_found = "<html><body><p>404 页面不存在</p></body></html>".encode()
    return build_host(Liaoning(site_spec, epoch), postings, not_found, SITE_DATE)
