"""The ``xxgk_list.shtml`` county template (Jiangsu counties): a 政府信息公开 column whose
list is ``…/xxgk_list.shtml``, then ``xxgk_list_2.shtml``, ``xxgk_list_3.shtml``…

What the real sites do and this module reproduces (``docs/site-families.md`` §6; the
Suqian sites of §2.5 use the same template):

* the items are static ``<ul class="pageList"><li><a href title>…</a><span class="time">
  2024-02-26</span></li>`` with root-relative links and the full title in ``title``
  (the link text is cut short);
* the page count is only in the six-argument pager call
  ``createPageHTML('page_div', N, cur, 'xxgk_list', 'shtml', total)``: pages count from
  1, so page 2 is ``xxgk_list_2.shtml`` and there is no ``xxgk_list_1.shtml`` (the
  template's common.js writes ``name_N.ext`` links, ``name.ext`` for page 1);
* articles are ``…/{YYYYMM}/{32 hex}.shtml`` with the ``ArticleTitle``/``PubDate``/
  ``ContentSource`` meta tags, a 信息公开 metadata table (``table_content``: 索引号,
  发布机构, 公开日期…) and the body in ``div.article-content > ucapcontent``;
  attachments sit in a ``div.fujian`` block below (their path, ``./{id}/files/{hex}.pdf``,
  is invented: no real one was seen).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

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
from replica.families.trs import COMMON_JS
from replica.model import Posting, Report
from replica.site import DocRef, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 4, 1, 9, 0)
HTML = "text/html; charset=utf-8"
LIST = "xxgk_list"
PAGER = (
    '<div class="pagination" id="page_div"></div><div id="now_all_page"></div>\n'
    '<script type="text/javascript" src="{js}"></script>\n'
    "<script>createPageHTML('page_div',{count}, {current},'"
    + LIST
    + "','shtml',{total});</script>"
)


def page_name(index: int) -> str:
    """0 → xxgk_list.shtml, 1 → xxgk_list_2.shtml (pages count from 1)."""
    return f"{LIST}.shtml" if index == 0 else f"{LIST}_{index + 1}.shtml"


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        f'<meta name="SiteIDCode" content="{e(spec.option("site_code", ""))}">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n{extra}'
        f'<link rel="stylesheet" href="/{e(spec.option("site_dir"))}/css/xxgk.css">\n'
        "</head>\n"
    )


def _frame(spec: SiteSpec, trail: list[tuple[str, str]], main: str) -> str:
    links = " &gt; ".join(f'<a href="{e(path)}">{e(name)}</a>' for name, path in trail)
    return (
        f'<body>\n<div class="xxgk-head"><div class="logo">{e(spec.site_name)}</div>'
        "<div>政府信息公开</div></div>\n"
        f'<div class="location">当前位置：{links}</div>\n'
        f'<div class="xxgk-main">\n{main}\n</div>\n'
        f'<div class="footer">主办：{e(spec.site_name)}办公室　网站标识码：'
        f"{e(spec.option('site_code', ''))}　苏ICP备05009131号</div>\n</body></html>"
    )


class Column:
    """One ``xxgk_list`` column: its items (newest first), articles and files."""

    def __init__(
        self, site: Site, spec: SiteSpec, key: str, options: dict[str, Any], epoch: int
    ) -> None:
        self.site, self.spec, self.key, self.epoch = site, spec, key, epoch
        self.path, self.name = options["path"], options["name"]
        self.items: list[str] = []
        self.modified: datetime | None = None

    @property
    def trail(self) -> list[tuple[str, str]]:
        portal = self.spec.option("portal")
        return [
            ("首页", "/"),
            (portal["name"], portal["path"]),
            (self.name, f"{self.path}{LIST}.shtml"),
        ]

    def add(self, posting: Posting) -> None:
        month = posting.published.strftime("%Y%m")
        doc = hex_name(self.site.host, "doc", posting.docid)
        files: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            files.append(self._attachment(posting, f"{self.path}{month}/{doc}/files/"))
        refs = list(files)
        if posting.form in HAS_ARTICLE:
            url = self.site.add(
                f"{self.path}{month}/{doc}.shtml",
                Resource(
                    self._article(posting, files).encode(), HTML, utc(posting.published)
                ),
            )
            refs.insert(0, DocRef(url, "page", "html"))
        title = posting.list_title
        self.items.append(
            f'<li><a href="{e(path_of(refs[0].url))}" target="_blank" title="{e(title)}">'
            f'{e(truncate(title, 24))}</a><span class="time">'
            f"{posting.published:%Y-%m-%d}</span></li>"
        )
        self.modified = max(
            self.modified or utc(posting.published), utc(posting.published)
        )
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _attachment(self, posting: Posting, folder: str) -> DocRef:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{posting.item.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        name = f"{hex_name(self.site.host, 'file', posting.docid)}.{fmt}"
        data = attachment_bytes(report, fmt, self.epoch)
        url = self.site.add(
            f"{folder}{name}", file_resource(data, fmt, posting.published)
        )
        return DocRef(url, "attachment", fmt)

    def _metadata(self, posting: Posting) -> str:
        """The 信息公开 table Ucap templates put above the article (``table_content``)."""
        item = posting.item
        code = self.spec.option("credit_code", "")
        index_no = f"{code}/{posting.published.year}-{posting.docid % 100000:05d}"
        rows = (
            ("名称", item.title, None, None),
            ("索引号", index_no, "分类", "政府信息公开年报"),
            ("发布机构", item.publisher, "公开日期", f"{posting.published:%Y-%m-%d}"),
            ("文号", "", "时效", "有效"),
        )
        cells = ""
        for label, value, label2, value2 in rows:
            if label2 is None:
                cells += f'<tr><th>{label}</th><td colspan="3">{e(value)}</td></tr>'
            else:
                cells += (
                    f"<tr><th>{label}</th><td>{e(value)}</td>"
                    f"<th>{label2}</th><td>{e(value2)}</td></tr>"
                )
        return f'<table class="table_content">{cells}</table>'

    def _article(self, posting: Posting, files: list[DocRef]) -> str:
        item = posting.item
        links = "".join(
            f'<p><a href="./{e(ref.url.split("/")[-3])}/files/{e(ref.url.rsplit("/", 1)[1])}"'
            f' title="{e(attachment_name(posting))}">{e(attachment_name(posting))}</a></p>'
            for ref in files
        )
        main = (
            f"{self._metadata(posting)}\n"
            f'<div class="article"><h1 class="article-title"><ucaptitle>{e(item.title)}</ucaptitle></h1>\n'
            f'<div class="article-info"><span>发布日期：<publishtime>{posting.published:%Y-%m-%d %H:%M}'
            f"</publishtime></span><span>来源：{e(item.publisher)}</span></div>\n"
            f'<div class="article-content"><ucapcontent>\n{article_html(posting)}\n</ucapcontent></div>\n'
            + (
                f'<div class="fujian"><span>附件下载：</span>{links}</div>\n'
                if links
                else ""
            )
            + "</div>"
        )
        title = f"{item.title}-{self.spec.site_name}"
        return _head(self.spec, title, self.name, article_meta(posting)) + _frame(
            self.spec, self.trail, main
        )

    def finish(self) -> None:
        perpage = int(self.spec.option("perpage", 15))
        count = max(1, math.ceil(len(self.items) / perpage))
        js = f"/{self.spec.option('site_dir')}/js/common.js"
        for index in range(count):
            items = "\n".join(self.items[index * perpage : (index + 1) * perpage])
            pager = PAGER.format(
                js=js, count=count, current=index + 1, total=len(self.items)
            )
            main = (
                f'<div class="xxgk-right"><div class="xxgk-title">{e(self.name)}</div>\n'
                f'<ul class="pageList">\n{items}\n</ul>\n{pager}\n</div>'
            )
            html = _head(
                self.spec, f"{self.name}-{self.spec.site_name}", self.name
            ) + _frame(self.spec, self.trail, main)
            self.site.add(
                f"{self.path}{page_name(index)}",
                Resource(html.encode(), HTML, self.modified or utc(SITE_DATE)),
            )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        _head(site_spec, "页面不存在", "").encode()
        + _frame(
            site_spec,
            [("首页", "/")],
            '<div class="error">抱歉，您访问的页面不存在！</div>',
        ).encode(),
        HTML,
        utc(SITE_DATE),
        status=404,
    )
    columns = {
        key: Column(site, site_spec, key, options, epoch)
        for key, options in site_spec.option("lists").items()
    }
    for posting in postings:
        columns[posting.column].add(posting)
    for column in columns.values():
        column.finish()
    portal = site_spec.option("portal")
    nav = "".join(
        f'<li><a href="{e(c.path)}{LIST}.shtml">{e(c.name)}</a></li>'
        for c in columns.values()
    )
    site.add(
        f"{portal['path']}index.shtml",
        Resource(
            (
                _head(
                    site_spec, f"{portal['name']}-{site_spec.site_name}", portal["name"]
                )
                + _frame(
                    site_spec,
                    [("首页", "/"), (portal["name"], portal["path"])],
                    f'<div class="xxgk-nav"><ul>{nav}</ul></div>',
                )
            ).encode(),
            HTML,
            utc(SITE_DATE),
        ),
    )
    site.add(
        "/index.html",
        Resource(
            (
                _head(site_spec, site_spec.site_name, "首页")
                + _frame(
                    site_spec,
                    [("首页", "/")],
                    f'<ul><li><a href="{e(portal["path"])}index.shtml">{e(portal["name"])}</a></li></ul>',
                )
            ).encode(),
            HTML,
            utc(SITE_DATE),
        ),
    )
    site_dir = site_spec.option("site_dir")
    site.add(
        f"/{site_dir}/js/common.js",
        Resource(COMMON_JS.encode(), "application/javascript", utc(SITE_DATE)),
    )
    site.add(
        f"/{site_dir}/css/xxgk.css",
        Resource(
            b".pageList li{line-height:36px}.pageList .time{float:right}",
            "text/css",
            utc(SITE_DATE),
        ),
    )
    site.add(
        "/robots.txt",
        Resource(b"User-agent: *\nDisallow:\n", "text/plain", utc(SITE_DATE)),
    )
    return site
