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

Hosts whose spec names a ``variant`` are built by :class:`VariantSite`: the other list
templates of §6 — items as ``<li>``, ``<table><tr>`` rows or ``<dl><dd>`` items; links
``./…``, ``../…`` (documents quoted from another channel), root-relative ``/…`` or
absolute ``http://host/…``; articles ``.html``, ``.shtml`` or ``.htm``; the pager as
``var countPage = N``, ``createPageHTML(N, cur, "index", ext)`` (pages from 0: page 2 is
``index_1``) or ``createPageHTML('page_div', N, cur, 'index', 'shtml', total)`` (pages
from 1: page 2 is ``index_2``, the common.js that goes with it links ``index_N``); long
articles split over ``t…_1.shtml``, ``t…_2.shtml`` with their own ``countPage`` in
``#autopage``; and a higher-level body's report (the city's) reposted in the column.
"""

from __future__ import annotations

import math
import posixpath
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from replica.families.common import (
    ATTACHMENT_FORMAT,
    FULL_BODY,
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
    code = spec.option("site_code", "3707840013")
    return (
        "<!DOCTYPE html>\n<html><head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={declared}" />\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}">\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}">\n'
        f'<meta name="SiteIDCode" content="{e(code)}">\n'
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
        self, site: Site, spec: SiteSpec, key: str, options: dict[str, Any], epoch: int
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
    if site_spec.option("variant"):
        return VariantSite(site_spec, epoch).build(postings)
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


# ---------------------------------------------------------------------------- variants
# The list templates of site-families §6, on hosts whose spec names a ``variant``.
COUNT_PAGER = """<script language="JavaScript">
var currentPage = {current};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
if(countPage>1&&currentPage!=0&&currentPage!=1)
\tdocument.write("<a href=\\"{name}"+"_" + prevPage + "."+"{ext}\\" target='_self'>上一页</a>");
else if(countPage>1&&currentPage!=0&&currentPage==1)
\tdocument.write("<a href=\\"{name}.{ext}\\" target='_self'>上一页</a>");
if(countPage>1&&currentPage!=(countPage-1))
\tdocument.write("<a href=\\"{name}"+"_" + nextPage + "."+"{ext}\\" target='_self'>下一页</a>");
</script>"""
CREATE_PAGE_4 = (
    '<script src="/images/trs_page.js"></script>'
    '<script>createPageHTML({count}, {current}, "index", "{ext}");</script>'
)
# The six-argument form: a div to fill, pages counted from 1, and the record total.
CREATE_PAGE_6 = (
    '<div class="page" id="page_div"></div><div class="page-info" id="now_all_page"></div>\n'
    '<script src="/js/common.js"></script>\n'
    "<script>createPageHTML('page_div',{count}, {current},'index','{ext}',{total});</script>"
)
# A stand-in for the templates' common.js (what a browser needs to draw that pager).
COMMON_JS = """/* createPageHTML(divName, pageCount, currIndex, pageName, pageExt, total):
   pages count from 1; page 1 is pageName.pageExt, page n is pageName_n.pageExt. */
function createPageHTML(divName, pageCount, currIndex, pageName, pageExt, total){
  var box = document.getElementById(divName);
  if(!box || pageCount == null || pageCount < 1) return;
  function href(n){ return n == 1 ? pageName + "." + pageExt : pageName + "_" + n + "." + pageExt; }
  var html = "<a href=\\"" + href(1) + "\\">\\u9996\\u9875</a>";
  if(currIndex > 1) html += "<a href=\\"" + href(currIndex - 1) + "\\">\\u4e0a\\u4e00\\u9875</a>";
  for(var n = 1; n <= pageCount; n++)
    html += n == currIndex ? "<span>" + n + "</span>" : "<a href=\\"" + href(n) + "\\">" + n + "</a>";
  if(currIndex < pageCount) html += "<a href=\\"" + href(currIndex + 1) + "\\">\\u4e0b\\u4e00\\u9875</a>";
  html += "<a href=\\"" + href(pageCount) + "\\">\\u672b\\u9875</a>";
  box.innerHTML = html;
  var info = document.getElementById("now_all_page");
  if(info) info.innerHTML = "\\u5171" + total + "\\u6761\\u8bb0\\u5f55 \\u7b2c" + currIndex + "\\u9875";
}
"""
PAGERS = ("countpage", "create4", "create6")
MARKUPS = ("li", "table", "dl")


def list_page_name(pager: str, index: int, ext: str) -> str:
    """The ``index``-th list page (0 = the first) as each pager names it: from 0
    (``index_1`` is page 2) or, for the six-argument pager, from 1 (``index_2``)."""
    if index == 0:
        return f"index.{ext}"
    return f"index_{index + 1 if pager == 'create6' else index}.{ext}"


def split_pages(html: str, count: int) -> list[str]:
    """A report body cut into ``count`` consecutive pages at its top-level blocks."""
    blocks = html.split("\n")
    count = max(1, min(count, len(blocks)))
    size = math.ceil(len(blocks) / count)
    return ["\n".join(blocks[i : i + size]) for i in range(0, len(blocks), size)]


def by_body(mapping: dict[str, Any], body_id: str) -> object:
    """A per-body option; a benchmark copy (``{id}-2``) takes its original's."""
    found = mapping.get(body_id)
    return found if found is not None else mapping.get(body_id.rsplit("-", 1)[0])


class VariantList:
    """One list column of a variant host: its pages' items (newest first)."""

    def __init__(self, key: str, options: dict[str, Any], pager: str) -> None:
        self.key, self.path, self.name = key, options["path"], options["name"]
        self.pager = options.get("pager", pager)
        if self.pager not in PAGERS:
            raise ValueError(f"list {key}: pager must be one of {PAGERS}")
        self.items: list[str] = []
        self.modified: datetime | None = None


class VariantSite:
    """A TRS host in one of the §6 variants (see the module docstring)."""

    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        self.spec, self.epoch = spec, epoch
        self.site = Site(spec.host, spec.scheme, spec.family)
        self.markup = spec.option("variant")
        if self.markup not in MARKUPS:
            raise ValueError(f"{spec.host}: variant must be one of {MARKUPS}")
        self.ext = spec.option("article_ext", "html")
        self.links = spec.option("links", "relative")  # relative | root
        self.absolute = set(spec.option("absolute") or ())
        self.folders = dict(spec.option("folders") or {})
        self.multipage = dict(spec.option("multipage") or {})
        pager = spec.option("pager", "countpage")
        self.lists = {
            key: VariantList(key, options, pager)
            for key, options in spec.option("lists").items()
        }

    # ------------------------------------------------------------------ documents
    def _folder(self, posting: Posting, listing: VariantList) -> str:
        """Where a document is published: its body's own channel, else the list's."""
        item = posting.item
        if isinstance(item, Report):
            found = by_body(self.folders, item.body.id)
            if isinstance(found, str):
                return found
        return str(listing.path)

    def _page_count(self, posting: Posting) -> int:
        item = posting.item
        if not isinstance(item, Report) or posting.form not in FULL_BODY:
            return 1
        return int(self.multipage.get(item.key, 1))

    def _href(self, url: str, listing: VariantList, posting: Posting) -> str:
        """How the list links a document: ``./``, ``../``, root-relative or absolute."""
        item = posting.item
        if isinstance(item, Report) and (
            item.body.id in self.absolute
            or item.body.id.rsplit("-", 1)[0] in self.absolute  # a benchmark copy
        ):
            return url
        path = path_of(url)
        if self.links == "root":
            return path
        relative = posixpath.relpath(path, listing.path)
        return relative if relative.startswith("../") else f"./{relative}"

    def add(self, posting: Posting) -> None:
        listing = self.lists[posting.column]
        folder = self._folder(posting, listing)
        month = posting.published.strftime("%Y%m")
        files: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            files.append(self._attachment(posting, f"{folder}{month}/"))
        pages: list[DocRef] = []
        if posting.form in HAS_ARTICLE:
            stem = f"t{posting.published:%Y%m%d}_{posting.docid}"
            chunks = split_pages(article_html(posting), self._page_count(posting))
            for index, chunk in enumerate(chunks):
                name = (
                    f"{stem}.{self.ext}" if index == 0 else f"{stem}_{index}.{self.ext}"
                )
                html = self._article(
                    posting, listing, files, chunk, (stem, index, len(chunks))
                )
                url = self.site.add(
                    f"{folder}{month}/{name}",
                    _page(html, "utf-8", utc(posting.published)),
                )
                pages.append(DocRef(url, "page", "html"))
        target = (pages or files)[0].url
        listing.items.append(self._item(self._href(target, listing, posting), posting))
        listing.modified = max(
            listing.modified or utc(posting.published), utc(posting.published)
        )
        if isinstance(posting.item, Report):
            self.site.documents[posting.item.key] = pages + files

    def _attachment(self, posting: Posting, folder: str) -> DocRef:
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{posting.item.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        digits = int(hex_name(self.site.host, posting.docid, length=12), 16) % 10**12
        name = f"P0{posting.published:%Y%m%d}{digits:012d}.{fmt}"
        data = attachment_bytes(report, fmt, self.epoch)
        url = self.site.add(
            f"{folder}{name}", file_resource(data, fmt, posting.published)
        )
        return DocRef(url, "attachment", fmt)

    def _crumb(self, listing: VariantList) -> str:
        portal = self.spec.option("portal")
        return _crumb(
            [
                ("首页", "/"),
                (portal["name"], portal["path"]),
                (listing.name, listing.path),
            ]
        )

    def _article(
        self,
        posting: Posting,
        listing: VariantList,
        files: list[DocRef],
        content: str,
        page: tuple[str, int, int],
    ) -> str:
        """One page of an article: meta tags, title, date line, editor body, its own
        ``#autopage`` pager (``countPage`` = 1 for a one-page article), attachments."""
        item = posting.item
        stem, index, count = page
        stamp = posting.published.strftime("%Y-%m-%d %H:%M")
        links = ""
        for ref in files:
            name = ref.url.rsplit("/", 1)[1]
            human = attachment_name(posting)
            links += f'<li><a href="./{name}" download="{e(human)}">{e(human)}</a></li>'
        pager = COUNT_PAGER.format(current=index, count=count, name=stem, ext=self.ext)
        if self.spec.option("editor") == "ueditor":  # the newer TRS editor
            body = (
                '<div class="article-con"><div class="trs_editor_view TRS_UEDITOR '
                f'trs_paper_default trs_web">\n{content}\n</div></div>'
            )
        else:
            body = f'<div class="TRS_Editor">\n{content}\n</div>'
        html = (
            f"<body>\n{self._crumb(listing)}\n"
            f'<div class="xl-main"><h2 class="xl-title">{e(item.title)}</h2>\n'
            f'<div class="xl-info"><span>发布日期：{stamp}</span>'
            f"<span>来源：{e(item.publisher)}</span></div>\n{body}\n"
            f'<div id="autopage"><center>{pager}</center></div>\n'
            + (
                f'<div class="xl-fj"><p>附件：</p><ul>{links}</ul></div>\n'
                if links
                else ""
            )
            + "</div></body></html>"
        )
        return (
            _head(self.spec, item.title, listing.name, "utf-8", article_meta(posting))
            + html
        )

    # ------------------------------------------------------------------ lists
    def _item(self, href: str, posting: Posting) -> str:
        title = posting.list_title
        day = posting.published.strftime("%Y-%m-%d")
        shown = f"[{day}]" if self.spec.option("list_dates") == "bracket" else day
        link = (
            f'<a href="{e(href)}" target="_blank" title="{e(title)}">'
            f"{e(truncate(title))}</a>"
        )
        if self.markup == "table":
            return (
                f'<tr><td class="td-tit"><span class="dot">·</span>{link}</td>'
                f'<td class="td-date" align="right">{shown}</td></tr>'
            )
        if self.markup == "dl":
            return f'<dl><dd class="tit">{link}</dd><dd class="date">{shown}</dd></dl>'
        return f"<li>{link}<span>{shown}</span></li>"

    def _items(self, items: list[str]) -> str:
        inner = "\n".join(items)
        if self.markup == "table":
            return (
                '<table class="list-table" width="100%" cellspacing="0" cellpadding="0">'
                f"<tbody>\n{inner}\n</tbody></table>"
            )
        if self.markup == "dl":
            return f'<div class="list-dl">\n{inner}\n</div>'
        return f'<ul class="list-ul">\n{inner}\n</ul>'

    def _pager(self, listing: VariantList, count: int, current: int) -> str:
        ext = self.spec.option("list_ext", self.ext)
        if listing.pager == "create6":
            return CREATE_PAGE_6.format(
                count=count, current=current + 1, ext=ext, total=len(listing.items)
            )
        if listing.pager == "create4":
            return CREATE_PAGE_4.format(count=count, current=current, ext=ext)
        return COUNT_PAGER.format(count=count, current=current, name="index", ext=ext)

    def finish(self, listing: VariantList) -> None:
        perpage = int(self.spec.option("perpage", 10))
        count = max(1, math.ceil(len(listing.items) / perpage))
        ext = self.spec.option("list_ext", self.ext)
        for current in range(count):
            items = listing.items[current * perpage : (current + 1) * perpage]
            html = (
                _head(
                    self.spec,
                    f"{listing.name}_{self.spec.site_name}",
                    listing.name,
                    "utf-8",
                )
                + f"<body>\n{self._crumb(listing)}\n"
                + f'<div class="list-box"><div class="list-title">{e(listing.name)}</div>\n'
                + f"{self._items(items)}\n"
                + f'<div class="fy">{self._pager(listing, count, current)}</div></div>\n'
                + "</body></html>"
            )
            self.site.add(
                f"{listing.path}{list_page_name(listing.pager, current, ext)}",
                _page(html, "utf-8", listing.modified or utc(SITE_DATE)),
            )

    # ------------------------------------------------------------------ the host
    def build(self, postings: list[Posting]) -> Site:
        site, spec = self.site, self.spec
        site.not_found = Resource(
            b"<html><body><h1>404 Not Found</h1></body></html>",
            "text/html",
            utc(SITE_DATE),
            status=404,
        )
        for posting in postings:
            self.add(posting)
        for listing in self.lists.values():
            self.finish(listing)
        ext = spec.option("list_ext", self.ext)
        portal = spec.option("portal")
        nav = "".join(
            f'<li><a href="{e(c.path)}index.{ext}">{e(c.name)}</a></li>'
            for c in self.lists.values()
        )
        newest = max(
            (c.modified for c in self.lists.values() if c.modified),
            default=utc(SITE_DATE),
        )
        site.add(
            f"{portal['path']}index.html",
            _page(
                _head(
                    spec, f"{portal['name']}_{spec.site_name}", portal["name"], "utf-8"
                )
                + f"<body>\n{_crumb([('首页', '/')])}\n"
                + f'<div class="column-nav"><h3>政府信息公开年报</h3><ul>{nav}</ul></div>\n'
                + "</body></html>",
                "utf-8",
                newest,
            ),
        )
        site.add(
            "/index.html",
            _page(
                _head(spec, spec.site_name, "首页", "utf-8")
                + f'<body><ul><li><a href="{e(portal["path"])}">{e(portal["name"])}</a>'
                + "</li></ul></body></html>",
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
            "/js/common.js",
            Resource(COMMON_JS.encode(), "application/javascript", utc(SITE_DATE)),
        )
        site.add(
            "/robots.txt",
            Resource(b"User-agent: *\nDisallow:\n", "text/plain", utc(SITE_DATE)),
        )
        return site
