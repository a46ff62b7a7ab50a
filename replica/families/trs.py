"""TRS WCM static publishing: ``index.html``, ``index_1.html``… and ``./YYYYMM/t…html``.

What the real sites do and this module reproduces (``docs/site-families.md`` §2.1):

* list items are static HTML with relative links (``./202401/t20240130_6293183.html``),
  but the page count exists only in inline JavaScript: ``var countPage = N`` with a
  ``document.write`` pager, or ``createPageHTML(N, 0, "index", "html")``;
* page 2 is ``index_1.html`` (0-based);
* articles carry ``ArticleTitle``/``PubDate``/``ContentSource`` meta tags and their body
  in ``div.TRS_Editor``; attachments are relative ``./P0{YYYYMMDD}….pdf|.docx``, some
  with an ``OLDSRC="/protect/…"`` attribute;
* upper-case path segments (``/xxgk/XXGK/XXGKNB/``), and one column served in GBK
  whose second page declares its charset only in ``<meta>``.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
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
)
from replica.model import Posting, Report
from replica.site import DocRef, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 5, 10, 9, 0)
ASSETS = Path(__file__).parent.parent / "assets"
PAGER_SCRIPT = """<script language="JavaScript">
var currentPage = {current};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
document.write("共"+countPage+"页&nbsp;&nbsp;");
if(countPage>1&&currentPage!=0&&currentPage!=1)
  document.write("<a href=\\"index"+"_" + prevPage + "."+"html\\">上一页</a>&nbsp;&nbsp;");
else if(countPage>1&&currentPage!=0&&currentPage==1)
  document.write("<a href=\\"index.html\\">上一页</a>&nbsp;&nbsp;");
if(countPage>1&&currentPage!=(countPage-1))
  document.write("<a href=\\"index"+"_" + nextPage + "."+"html\\">下一页</a>");
</script>"""
CREATE_PAGE = (
    '<script src="/images/trs_page.js"></script>'
    '<script>createPageHTML({count}, {current}, "index", "html");</script>'
)


def page_name(index: int) -> str:
    """0 → index.html, 1 → index_1.html …"""
    return "index.html" if index == 0 else f"index_{index}.html"


def _head(
    spec: SiteSpec, title: str, column: str, charset: str, extra: str = ""
) -> str:
    declared = "gb2312" if charset == "gbk" else "utf-8"
    return (
        "<!DOCTYPE html>\n<html><head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={declared}" />\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        '<meta name="SiteIDCode" content="3707840013">\n'
        f'<meta name="ColumnName" content="{e(column)}">\n'
        '<meta name="ColumnType" content="政府信息公开年报">\n'
        f"{extra}</head>\n"
    )


def _crumb(links: list[tuple[str, str]]) -> str:
    inner = " &gt; ".join(f'<a href="{e(href)}">{e(name)}</a>' for name, href in links)
    return f'<div class="crumb">您所在的位置：{inner}</div>'


def _page(
    html: str, charset: str, modified: datetime, *, declare: bool = True
) -> Resource:
    """Encode a page; GBK pages normally say so in the header, one only in ``<meta>``."""
    codec = "gbk" if charset == "gbk" else "utf-8"
    header = (
        f"text/html; charset={'GBK' if codec == 'gbk' else 'UTF-8'}"
        if declare
        else "text/html"
    )
    return Resource(html.encode(codec), header, modified)


class ColumnBuilder:
    """One TRS column directory: its list pages, articles and attachment files."""

    def __init__(
        self, site: Site, spec: SiteSpec, key: str, options: dict, epoch: int
    ) -> None:
        self.site, self.spec, self.key, self.epoch = site, spec, key, epoch
        self.name = options["name"]
        self.charset = options.get("charset", "utf-8")
        self.meta_only_page = options.get("meta_only_page")
        self.path = f"{spec.option('root')['path']}{key}/"
        self.items: list[str] = []
        self.modified: datetime | None = None

    def _crumb(self, depth: int) -> str:
        up = "../" * depth
        return _crumb(
            [
                ("首页", f"{up}../../../../"),
                ("政府信息公开", f"{up}../../../"),
                (self.spec.option("root")["name"], f"{up}../"),
                (self.name, f"{up}./"),
            ]
        )

    def add(self, posting: Posting) -> None:
        month = posting.published.strftime("%Y%m")
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(self._attachment(posting, month))
        if posting.form in HAS_ARTICLE:
            name = f"t{posting.published:%Y%m%d}_{posting.docid}.html"
            html = self._article(posting, refs)
            url = self.site.add(
                f"{self.path}{month}/{name}",
                _page(html, self.charset, utc(posting.published)),
            )
            refs.insert(0, DocRef(url, "page", "html"))
            href = f"./{month}/{name}"
        else:
            href = f"./{month}/{refs[0].url.rsplit('/', 1)[1]}"
        day = posting.published.strftime("%Y-%m-%d")
        self.items.append(
            f'<li><a href="{e(href)}" target="_blank" title="{e(posting.list_title)}">'
            f"{e(posting.list_title)}</a><span>{day}</span></li>"
        )
        self.modified = max(
            self.modified or utc(posting.published), utc(posting.published)
        )
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = refs

    def _attachment(self, posting: Posting, month: str) -> DocRef:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{posting.item.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        digits = int(hex_name(self.site.host, posting.docid, length=12), 16) % 10**12
        name = f"P0{posting.published:%Y%m%d}{digits:012d}.{fmt}"
        data = attachment_bytes(report, fmt, self.epoch)
        url = self.site.add(
            f"{self.path}{month}/{name}", file_resource(data, fmt, posting.published)
        )
        return DocRef(url, "attachment", fmt)

    def _article(self, posting: Posting, refs: list[DocRef]) -> str:
        item = posting.item
        stamp = posting.published.strftime("%Y-%m-%d %H:%M")
        meta = article_meta(posting)
        files = ""
        for ref in refs:
            name = ref.url.rsplit("/", 1)[1]
            oldsrc = (
                f' OLDSRC="/protect/P0{name[2:8]}/P0{name[2:10]}/{name}"'
                if posting.docid % 2
                else ""
            )
            human = attachment_name(posting)
            files += f'<p><a href="./{name}"{oldsrc} download="{e(human)}">{e(human)}</a></p>'
        body = (
            f'<body>\n{self._crumb(1)}\n<div class="xl-main"><h2 class="xl-title">{e(item.title)}</h2>\n'
            f'<div class="xl-info"><span>发布时间：{stamp}</span>'
            f"<span>来源：{e(item.publisher)}</span></div>\n"
            f'<div class="TRS_Editor">\n{article_html(posting)}\n</div>\n'
            + (f'<div class="xl-fj">附件：{files}</div>\n' if files else "")
            + "</div></body></html>"
        )
        return _head(self.spec, item.title, self.name, self.charset, meta) + body

    def finish(self, index: int) -> None:
        """Write the list pages (called once every posting is added)."""
        perpage = int(self.spec.option("perpage", 10))
        count = max(1, math.ceil(len(self.items) / perpage))
        for current in range(count):
            items = "\n".join(self.items[current * perpage : (current + 1) * perpage])
            pager = (PAGER_SCRIPT if index % 2 == 0 else CREATE_PAGE).format(
                count=count, current=current
            )
            html = (
                _head(
                    self.spec,
                    f"{self.name}_{self.spec.site_name}",
                    self.name,
                    self.charset,
                )
                + f'<body>\n{self._crumb(0)}\n<div class="list"><ul class="list-ul">\n{items}\n</ul>\n'
                + f'<div class="fy">{pager}</div></div>\n</body></html>'
            )
            declare = current != self.meta_only_page
            self.site.add(
                f"{self.path}{page_name(current)}",
                _page(
                    html, self.charset, self.modified or utc(SITE_DATE), declare=declare
                ),
            )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole TRS host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        b"<html><body><h1>404 Not Found</h1></body></html>",
        "text/html",
        utc(SITE_DATE),
        status=404,
    )
    columns = {
        key: ColumnBuilder(site, site_spec, key, options, epoch)
        for key, options in site_spec.option("columns").items()
    }
    for posting in postings:
        columns[posting.column].add(posting)
    for index, column in enumerate(columns.values()):
        column.finish(index)
    root = site_spec.option("root")
    links = [(c.name, f"./{c.key}/") for c in columns.values()]
    nav = "".join(f'<li><a href="{e(h)}">{e(n)}</a></li>' for n, h in links)
    root_html = (
        _head(site_spec, f"{root['name']}_{site_spec.site_name}", root["name"], "utf-8")
        + f"<body>\n{_crumb([('首页', '../../../'), ('政府信息公开', '../../')])}\n"
        + f'<div class="column-nav"><h3>{e(root["name"])}</h3><ul>{nav}</ul></div>\n</body></html>'
    )
    newest = max(
        (c.modified for c in columns.values() if c.modified), default=utc(SITE_DATE)
    )
    site.add(f"{root['path']}index.html", _page(root_html, "utf-8", newest))
    site.add(
        "/xxgk/index.html",
        _page(
            _head(site_spec, "政府信息公开", "政府信息公开", "utf-8")
            + f'<body><ul><li><a href="./XXGK/XXGKNB/">{e(root["name"])}</a></li></ul></body></html>',
            "utf-8",
            utc(SITE_DATE),
        ),
    )
    site.add(
        "/index.html",
        _page(
            _head(site_spec, site_spec.site_name, "首页", "utf-8")
            + '<body><ul><li><a href="./xxgk/">政府信息公开</a></li></ul></body></html>',
            "utf-8",
            utc(SITE_DATE),
        ),
    )
    site.add(
        "/images/trs_page.js",
        Resource(
            (ASSETS / "trs-page.js").read_bytes(),
            "application/javascript",
            utc(SITE_DATE),
        ),
    )
    site.add(
        "/robots.txt",
        Resource(b"User-agent: *\nDisallow:\n", "text/plain", utc(SITE_DATE)),
    )
    return site
