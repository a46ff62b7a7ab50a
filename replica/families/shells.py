"""Page shells (head, header, breadcrumb, footer) of the Hanweb-family sites."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from replica.families.common import article_meta, date_text, e
from replica.model import Noise, Posting
from replica.site import Resource, Site

if TYPE_CHECKING:
    from replica.spec import SiteSpec

ASSETS = Path(__file__).parent.parent / "assets"


def site_code(spec: SiteSpec) -> str:
    """The 网站标识码 in the footer (10 digits, region-prefixed)."""
    return f"3710{spec.option('webid', 0):06d}"


def _head(spec: SiteSpec, title: str, column: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        f"<title>{e(title)}</title>\n"
        f'<meta name="SiteName" content="{e(spec.site_name)}"/>\n'
        f'<meta name="SiteDomain" content="{e(spec.host)}"/>\n'
        f'<meta name="SiteIDCode" content="{site_code(spec)}"/>\n'
        f'<meta name="ColumnName" content="{e(column)}"/>\n{extra}'
        '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n'
        '<link rel="stylesheet" type="text/css" href="/images/css/style.css"/>\n'
        "</head>\n"
    )


def _position(trail: list[tuple[str, str]]) -> str:
    links = " &gt; ".join(f'<a href="{e(path)}">{e(name)}</a>' for name, path in trail)
    return f'<div class="position">当前位置：{links}</div>'


def _frame(spec: SiteSpec, trail: list[tuple[str, str]], main: str) -> str:
    nav = "".join(f'<a href="{e(path)}">{e(name)}</a>' for name, path in trail[:2])
    return (
        f'<body><div class="top"><div class="logo">{e(spec.site_name)}</div></div>\n'
        f'<div class="nav">{nav}</div>\n{_position(trail)}\n'
        f'<div class="main">\n{main}\n</div>\n'
        f'<div class="footer"><p>主办单位：{e(spec.site_name)}　网站标识码：{site_code(spec)}</p>'
        "<p>鲁ICP备05022389号</p></div>\n</body></html>"
    )


def link_list(links: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><a href="{e(path)}">{e(name)}</a></li>' for name, path in links
    )
    return f'<div class="sub-columns"><ul>{items}</ul></div>'


def hanweb_column(
    spec: SiteSpec, trail: list[tuple[str, str]], name: str, content: str
) -> str:
    """A ``/col/colN/index.html`` page around ``content`` (a jpage widget or links)."""
    title = f"{name} - {spec.site_name}"
    box = f'<div class="column-title">{e(name)}</div>\n<div class="list-box">{content}</div>'
    return _head(spec, title, name) + _frame(spec, trail, box)


def _metadata_table(spec: SiteSpec, posting: Posting) -> str:
    """The weihai-style 信息公开 table: 索引号 / 发布单位 / 内容分类 / 成文日期 …"""
    item = posting.item
    year = getattr(item, "year", posting.published.year)
    prefix = f"11371000{spec.option('webid', 0):04d}0000"
    index_no = f"{prefix}/{posting.published.year}-{posting.docid % 100000:05d}"
    rows = (
        ("索引号", index_no, "发布单位", item.publisher),
        ("内容分类", f"{year}年", "成文日期", posting.published.strftime("%Y-%m-%d")),
        ("公开方式", "主动公开", "有效性", "有效"),
    )
    cells = "".join(
        f"<tr><td>{a}：</td><td>{e(b)}</td><td>{c}：</td><td>{e(d)}</td></tr>"
        for a, b, c, d in rows
    )
    return f'<table class="xxgk_table">{cells}</table>'


def hanweb_article(
    spec: SiteSpec, trail: list[tuple[str, str]], posting: Posting, content: str
) -> str:
    """An ``/art/…`` article page: title, date line or metadata table, ``#zoom`` body."""
    item = posting.item
    meta = article_meta(posting, "/>")
    style = spec.option("date_style", "iso_date")
    if spec.option("metadata_table"):
        info = _metadata_table(spec, posting)
    else:
        info = (
            f'<div class="info"><span>{date_text(posting.published, style)}</span>'
            f"<span>信息来源：{e(item.publisher)}</span>"
            '<span>浏览次数：<script src="/module/visit/visitcount.jsp"></script></span></div>'
        )
    kind = f' data-kind="{e(item.kind)}"' if isinstance(item, Noise) else ""
    body = (
        f'<div class="article"{kind}><h1 class="title">{e(item.title)}</h1>\n{info}\n'
        f'<div id="zoom">\n{content}\n</div></div>'
    )
    column = trail[-1][0]
    return _head(spec, f"{item.title} - {spec.site_name}", column, meta) + _frame(
        spec, trail, body
    )


def penglai_report(
    spec: SiteSpec, trail: list[tuple[str, str]], posting: Posting, content: str
) -> str:
    """``xxgkAnnualReport.jsp``: title, then 发布时间 with seconds, then the body."""
    item = posting.item
    body = (
        f'<div class="annual-report"><h1>{e(item.title)}</h1>\n'
        f'<div class="fbsj">{date_text(posting.published, "iso_seconds", posting.docid % 60)}</div>\n'
        f'<div class="fbjg">发布机构：{e(item.publisher)}</div>\n'
        f'<div class="content" id="zoom">\n{content}\n</div></div>'
    )
    return _head(spec, f"{item.title} - {spec.site_name}", trail[-1][0]) + _frame(
        spec, trail, body
    )


def penglai_empty(spec: SiteSpec, trail: list[tuple[str, str]]) -> str:
    """What the JSP answers for a unit/year with no report: 200 and an empty notice."""
    body = '<div class="annual-report"><div class="empty">暂无年报信息</div></div>'
    return _head(spec, f"政府信息公开年报 - {spec.site_name}", trail[-1][0]) + _frame(
        spec, trail, body
    )


def not_found(spec: SiteSpec) -> Resource:
    html = _head(spec, "页面不存在", "") + _frame(
        spec,
        [("首页", "/")],
        '<div class="error">对不起，您访问的页面不存在或已被删除！</div>',
    )
    return Resource(
        html.encode(), "text/html;charset=UTF-8", datetime(2024, 1, 1), status=404
    )


def add_hanweb_assets(site: Site, modified: datetime) -> None:
    """The scripts a browser needs to show jpage lists (small stand-ins, not the real ones)."""
    for path, name in (
        ("/module/jslib/jquery/jquery.js", "hanweb-jquery.js"),
        ("/module/web/jpage/jpage.js", "hanweb-jpage.js"),
    ):
        site.add(
            path,
            Resource((ASSETS / name).read_bytes(), "application/javascript", modified),
        )
    site.add(
        "/module/visit/visitcount.jsp",
        Resource(b"document.write('1');", "application/javascript", modified),
    )
    site.add(
        "/images/css/style.css",
        Resource(b"body{font-family:SimSun,serif}", "text/css", modified),
    )
