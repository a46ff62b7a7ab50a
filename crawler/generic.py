"""Reading a report column of a site no family knows: links, pagers, the column itself.

Pure functions over a page's URL and decoded text, used by the generic spider
(``crawler/spiders/generic.py``) and by every family spider when its own reading of a
source's first page finds nothing (the fallback). They look for:

* report candidates: anchors (``href``, else a URL in ``onclick``), items of a JS
  array or a JSON answer (objects with a URL and a title), CDATA datastore records,
  ``<option>`` values; a candidate is kept when its title mentions a report (年报,
  报告), and the title rules (``crawler.recognize.classify``) then decide;
* pages of the same column: 下一页 and numbered links, ``<option>`` values, pager
  HTML hidden in base64 (``window.atob``), JS page counters (``countPage``,
  ``createPageHTML``, ``totalpage``);
* the report column itself, from a portal's home or 政府信息公开 page: links named
  信息公开年报, 政府信息公开工作年度报告, 年报 or with ``zfxxgknb``/``xxgknb`` in the URL
  (never 指南, 政府工作报告 or 工作总结).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

import lxml.html

from crawler.pages import (
    DOCUMENT_LINK,
    Link,
    datastore_records,
    jpage_config,
    js_pager,
    js_redirect,
    next_group,
    onclick_url,
)
from processors.identity import looks_like_body, split_title

REPORTISH = re.compile(r"年报|年度报告|信息公开.{0,8}报告")
NEXT = re.compile(r"^\s*(下一页|下页|后一页|后页|>|>>|›|»|next)\s*$", re.I)
NUMBER = re.compile(r"^\s*\[?\s*\d{1,3}\s*\]?\s*$")
COLUMN = re.compile(
    r"信息公开年报|政府信息公开工作年度报告|政府信息公开年度报告|年度报告|^年报$|"
    r"信息公开$|政府信息公开目录|信息公开目录|法定主动公开|^政务公开(?:专栏)?$"
)
COLUMN_URL = re.compile(r"zfxxgknb|xxgknb|gknb|ndbg|zfxxgk(?:ml)?/?$", re.I)
NOT_COLUMN = re.compile(r"指南|政府工作报告|工作总结|依申请|申请表|规定|制度|意见箱")
# A "加载更多" button's config and call (see _load_more).
JS_CONFIG = re.compile(r"var\s+(\w+)\s*=\s*(\{[^{}]{10,2000}\})\s*;")
AJAX_CALL = re.compile(
    r"(?:getJSON|\.ajax|\.get|\.post)\(\s*(\w+)\.url\s*,\s*\{([^{}]*)\}"
)
AJAX_PARAM = re.compile(r"""(\w+)\s*:\s*([\w.]+|"[^"]*"|'[^']*')""")
PAGE_PARAM = re.compile(
    r"^(?:pageNo|pageNum|pageNumber|page|pageIndex|curPage|currentPage)$", re.I
)
JS_SCALAR = re.compile(r"""["']?(\w+)["']?\s*:\s*(?:"([^"]*)"|'([^']*)'|(\d+))""")
JS_OBJECT = re.compile(r"\{[^{}]{10,2000}\}")
JS_PAIR = re.compile(
    r"""["']?(\w+)["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
)
DATE = re.compile(r"(19|20)\d\d[-./年]\d{1,2}[-./月]\d{1,2}")
CJK = re.compile(r"[\u4e00-\u9fff]")
BASE64 = re.compile(r"(?:atob\(\s*['\"]|>\s*)([A-Za-z0-9+/=%]{40,})")
TOTAL_PAGES = re.compile(r"""totalpage\s*[=:]\s*["']?(\d{1,3})""", re.I)
MAX_PAGES = 100  # of one column, the pager's word against it
YEAR = re.compile(r"(19|20)\d\d")
YEAR_COLUMN = re.compile(r"^\s*(19|20)\d\d\s*年度?\s*$")
# An article's URL (a report page), never a column: a date folder and an id.
ARTICLE = re.compile(
    r"/t\d{8}_\d+|/art_\d+_\d+|/\d{6}/|/\d{4}/\d{1,2}/\d{1,2}/|content_\d+|post_\d+|"
    r"/doc_[0-9a-f]{8,}|/show/[0-9a-f]{16,}|/[0-9a-f]{32}\.s?html?|\.aspx\?id=|Item/\d+",
    re.I,
)
ROW_TITLE = 120  # a row's text stands for a link's title up to this length
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# A link whose own text says nothing of what it opens: its row names it instead.
BARE = re.compile(
    r"^\s*(查看|详情|详细|下载|点击查看|浏览|阅读|打开|>>|更多|(19|20)\d\d\s*年?度?)?\s*$"
)


@dataclass(frozen=True, slots=True)
class Post:
    """A page of records asked for by POST (a jpage ``dataproxy.jsp`` range)."""

    url: str
    form: dict[str, str]


@dataclass(slots=True)
class Reading:
    """What one page of a column offers: report candidates, pages, column links."""

    reports: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # absolute URLs
    posts: list[Post] = field(default_factory=list)  # record ranges asked by POST
    columns: list[str] = field(default_factory=list)  # absolute URLs: sub-columns
    # Sub-column links named like a unit's report without a year (司法局政府信息公开
    # 工作年度报告): a unit's column, or a report whose title lacks its year; the page
    # itself tells (see crawler.fallback). URL → the link's title.
    maybe_reports: dict[str, str] = field(default_factory=dict)
    column_titles: dict[str, str] = field(default_factory=dict)  # URL → link text
    items: int = 0  # links listed with a date beside them: the page's list items
    report_column: bool = False  # the page says it is a report column (信息公开年报)


def read_column(url: str, text: str) -> Reading:
    """Everything :mod:`crawler.generic` finds on the page at ``url``."""
    reading = Reading()
    if text.lstrip().startswith(("{", "[")):
        reading.reports = _json_items(url, text)
        return reading
    records = [
        Link(urljoin(url, link.url), link.title, link.date)
        for link in datastore_records(text)
        if REPORTISH.search(link.title)
    ]
    try:  # an XML declaration is not welcome in a str: leave it out
        root = lxml.html.document_fromstring(XML_DECLARATION.sub("", text, count=1))
    except (ValueError, lxml.etree.ParserError):
        reading.reports = _dedup(records)
        return reading
    reading.report_column = _in_report_column(root)
    anchors = _anchors(root, url, reading.report_column)
    reading.pages = _pages(url, text, root, anchors)
    paging = set(reading.pages)  # a pager's links are pages, never sub-columns
    columns = [a for a in anchors if _is_column(a) and a.url not in paging]
    reading.columns = _unique([a.url for a in columns])
    redirect = js_redirect(text, len(root.text_content().strip()))
    if redirect:  # a home that is only a location.href script: where it sends
        reading.columns.append(urljoin(url, redirect))
    reading.maybe_reports = {a.url: a.title for a in columns if _maybe_report(a)}
    reading.column_titles = {a.url: a.title for a in reversed(columns)}
    reading.items = len({a.url for a in anchors if DATE.search(a.date)})
    listed = {a.url for a in columns}
    reading.reports = _dedup(
        [_titled(a) for a in anchors if a.url not in listed and _titled(a).title]
        + [link for link in _script_items(url, text) if REPORTISH.search(link.title)]
        + records
    )
    group = next_group(text)  # a jpage column without a total: its chain of groups
    more = [urljoin(url, group)] if group else []
    more += _load_more(url, text)
    reading.pages += [page for page in more if page not in reading.pages]
    reading.posts = _jpage_posts(url, text, len(datastore_records(text)))
    return reading


def _is_column(link: Link) -> bool:
    """A link to a (sub-)column of reports: named for one (信息公开年报, 2023年度) or
    with a report column's folder in its URL, and not a document or an article."""
    path = urlsplit(link.url).path
    if (
        DOCUMENT_LINK.search(path)
        or ARTICLE.search(path)
        or NOT_COLUMN.search(link.title)
    ):
        return False
    dated = YEAR.search(link.title)  # a column's name carries no year but a bare one
    named = (COLUMN.search(link.title) and not dated) or YEAR_COLUMN.match(link.title)
    unit_column = REPORTISH.search(link.title) and not dated
    return bool(named or unit_column or (COLUMN_URL.search(path) and not dated))


YEAR_VALUE = re.compile(r"^20\d\d$")


def year_template(url: str) -> tuple[str, int] | None:
    """A report URL that names its year in one query parameter
    (``xxgkAnnualReport.jsp?area=SM331022-003&fbtime=2024``): the URL with ``{year}``
    in its place, and the year. None for any other URL."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    years = [i for i, (_, value) in enumerate(pairs) if YEAR_VALUE.match(value)]
    if len(years) != 1:
        return None
    value = pairs[years[0]][1]
    query = urlencode(
        [(k, "{year}" if i == years[0] else v) for i, (k, v) in enumerate(pairs)],
        safe="{}",
    )
    return parts._replace(query=query).geturl(), int(value)


def _maybe_report(link: Link) -> bool:
    """A column link that may be a report titled without its year: a body's name
    before the report's (宽甸满族自治县司法局政府信息公开工作年度报告), not a column's
    name alone (政府信息公开年报)."""
    body, year = split_title(link.title)
    return year is None and bool(REPORTISH.search(link.title)) and looks_like_body(body)


def _titled(link: Link) -> Link:
    """The link if its title names a report (a bare link's title is already its
    row's: see :func:`_row_title`), else the link without a title (not a candidate)."""
    if link.reason or REPORTISH.search(link.title):
        return link
    return Link(link.url, "", link.date)


def _jpage_posts(url: str, text: str, inline: int) -> list[Post]:
    """The records after the inline ones of a jpage widget: ranges POSTed to its
    dataproxy.jsp, a group (perPage × groupSize) at a time."""
    config = jpage_config(text)
    if config is None or config.total <= inline:
        return []
    step = config.per_page * config.group_size
    return [
        Post(
            urljoin(
                url,
                f"{config.proxy_url}?startrecord={start}"
                f"&endrecord={min(start + step - 1, config.total)}&perpage={config.per_page}",
            ),
            dict(config.params),
        )
        for start in range(inline + 1, config.total + 1, step)
    ]


def _container_text(element: lxml.html.HtmlElement) -> str:
    for parent in element.iterancestors():
        if parent.tag in ("li", "tr", "dd", "dl", "p", "div", "td"):
            return " ".join(parent.text_content().split())[:300]
    return ""


def _in_report_column(root: lxml.html.HtmlElement) -> bool:
    """Does the page say it is an open-government report column (its title, its
    column heading or its breadcrumb)?"""
    said = " ".join(
        root.xpath(
            "//title//text()|//*[contains(@class, 'title') or contains(@class, "
            "'position') or contains(@class, 'crumb') or contains(@class, 'location')]"
            "//text()"
        )
    )
    return bool(re.search(r"信息公开.{0,4}(年报|年度报告)", said))


def _anchors(
    root: lxml.html.HtmlElement, base: str, report_column: bool = False
) -> list[Link]:
    """Every anchor as a link: ``href``, else the URL its ``onclick`` opens."""
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript", "#")):
            href = onclick_url(a.get("onclick") or "")
        if not href or href.startswith(("javascript", "mailto:", "#")):
            continue
        title = (a.get("title") or " ".join(a.text_content().split())).strip()
        if BARE.match(title):  # 查看, 2023年度: the row says what it opens
            title = _row_title(a, title, report_column)
        url = urljoin(base, href)
        reason = _unit_report(a, url, title)
        out.append(Link(url, title, _container_text(a), reason))
    return out


def _unit_report(anchor: lxml.html.HtmlElement, url: str, title: str) -> str:
    """Why a link named only by a body is a report, or '': a block headed 单位年报
    whose links name bodies and carry the year in the URL (``…?area=…&fbtime=2024``)."""
    if not looks_like_body(title) or year_template(url) is None:
        return ""
    for block in list(anchor.iterancestors())[:4]:
        heading = block[0] if len(block) else None
        if (
            heading is not None
            and heading is not anchor
            and REPORTISH.search(" ".join(heading.text_content().split())[:20])
        ):
            return "a body's link under a 年报 heading, its year in the URL"
    return ""


def _row_title(
    anchor: lxml.html.HtmlElement, text: str, report_column: bool = False
) -> str:
    """A bare link's title from its table row: the row's first cell (the unit), the
    link's own text (the year) and its column's header (年度报告: in a page that says it
    is an open-government report column, that header means 政府信息公开工作年度报告);
    else its item's text when the item holds no other link."""
    row = next((p for p in anchor.iterancestors() if p.tag == "tr"), None)
    if row is not None:
        cells = row.xpath("./td|./th")
        own = next((c for c in cells if anchor in c.iterdescendants()), None)
        unit = cells[0] if cells and cells[0] is not own else None
        header = _header_of(row, cells.index(own)) if own is not None else ""
        if report_column and re.fullmatch(r"(年度)?(报告|年报)", header):
            header = "政府信息公开工作年度报告"
        parts = [_text(unit) if unit is not None else "", text, header]
        return " ".join(p for p in parts if p)
    item = next((p for p in anchor.iterancestors() if p.tag in ("li", "dd", "p")), None)
    if item is not None and len(item.xpath(".//a")) == 1:
        return _text(item)[:ROW_TITLE]
    return text


def _header_of(row: lxml.html.HtmlElement, index: int) -> str:
    """The header cell above column ``index`` of ``row``'s table, if it has one."""
    table = next((p for p in row.iterancestors() if p.tag == "table"), None)
    if table is None:
        return ""
    headers = table.xpath(".//tr[th][1]/th")
    return _text(headers[index]) if index < len(headers) else ""


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _script_items(base: str, text: str) -> list[Link]:
    """Items of JS arrays in scripts: objects holding a URL, a title, maybe a date."""
    out = []
    for script in re.findall(r"<script[^>]*>(.*?)</script>", text, re.S | re.I):
        for obj in JS_OBJECT.findall(script):
            link = _item(base, {k: a or b for k, a, b in JS_PAIR.findall(obj)})
            if link:
                out.append(link)
    return out


def _item(base: str, values: dict[str, str]) -> Link | None:
    """A list item from an object's string values: the URL, the title, the date."""
    urls = [v for v in values.values() if onclick_url(f'"{v}"') == v]
    titles = [v for v in values.values() if CJK.search(v) and v not in urls]
    if not urls or not titles:
        return None
    dates = [v for v in values.values() if DATE.search(v) and v not in urls]
    title = max(titles, key=len)
    return Link(
        urljoin(base, urls[0].replace("\\/", "/")), title, dates[0] if dates else ""
    )


def _json_items(base: str, text: str) -> list[Link]:
    """Report items of a JSON answer: every object with a URL and a title."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found: list[Link] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            strings = {k: v for k, v in node.items() if isinstance(v, str)}
            link = _item(base, strings)
            if link and REPORTISH.search(link.title):
                found.append(link)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return _dedup(found)


def _pages(
    url: str, text: str, root: lxml.html.HtmlElement, anchors: list[Link]
) -> list[str]:
    """Other pages of this column: pager links, options, base64 pagers, JS counters."""
    here = urlsplit(url)
    folder = here.path.rsplit("/", 1)[0]
    found = [a.url for a in anchors if NEXT.match(a.title) or NUMBER.match(a.title)]
    found += [
        urljoin(url, value)
        for value in root.xpath("//select/option/@value")
        if "/" in value or "page" in value.lower()
    ]
    found += _base64_pages(url, text)
    pager = js_pager(text)
    if pager:
        found += [urljoin(url, name) for name in pager.others()[:MAX_PAGES]]
    total = TOTAL_PAGES.search(text)
    if total and "{page}" in url:  # pragma: no cover - a template URL is not a page
        return []
    pages = []
    for page in _unique(found):
        parts = urlsplit(page)
        same_column = parts.netloc == here.netloc and (
            parts.path.startswith(folder) or parts.path == here.path
        )
        if same_column and page != url and not DOCUMENT_LINK.search(parts.path):
            pages.append(page)
    return pages[:MAX_PAGES]


def _load_more(url: str, text: str) -> list[str]:
    """The JSON pages a "加载更多" button asks for: a script's config object (its
    ``url``, ``pageSize`` and ``total``) and the call that sends it
    (``$.getJSON(conf.url, {channelId: conf.channelId, pageNo: pageNo, …})``); pages
    2 to the last, each a GET with the call's parameters."""
    configs = {m.group(1): _js_object(m.group(2)) for m in JS_CONFIG.finditer(text)}
    pages: list[str] = []
    for call in AJAX_CALL.finditer(text):
        config = configs.get(call.group(1), {})
        count = _page_count(config)
        if not config.get("url") or count < 2:
            continue
        params: dict[str, str | None] = {}  # in the call's order; None: the page
        for key, value in AJAX_PARAM.findall(call.group(2)):
            if PAGE_PARAM.match(key):
                params[key] = None
            elif value.startswith(f"{call.group(1)}."):
                params[key] = config.get(value.split(".", 1)[1], "")
            else:
                params[key] = value.strip("'\"")
        if None not in params.values():
            continue
        base = urljoin(url, config["url"])
        pages += [
            f"{base}?{urlencode({k: str(n) if v is None else v for k, v in params.items()})}"
            for n in range(2, min(count, MAX_PAGES) + 1)
        ]
    return pages


def _js_object(text: str) -> dict[str, str]:
    """A script's object literal as strings (JSON, else ``key: 'value'`` and
    ``key: 12`` pairs)."""
    try:
        loaded = json.loads(text)
    except ValueError:
        loaded = None
    if isinstance(loaded, dict):
        return {str(k): str(v) for k, v in loaded.items()}
    return {
        m.group(1): next(g for g in m.groups()[1:] if g is not None)
        for m in JS_SCALAR.finditer(text)
    }


def _page_count(config: dict[str, str]) -> int:
    """Pages of a load-more config: its page count, else its total over its page size."""

    def number(*keys: str) -> int:
        value = next((config[k] for k in keys if k in config), "")
        return int(value) if value.isdigit() else 0

    pages = number("pages", "pageCount", "totalPage", "totalPages")
    total = number("total", "totalCount", "totalRecord", "count")
    size = number("pageSize", "perPage", "rows", "size")
    return pages or (-(-total // size) if size else 0)


def _base64_pages(url: str, text: str) -> list[str]:
    """Pager HTML hidden in base64 (and URL-encoded), decoded as ``window.atob`` would."""
    out = []
    for blob in BASE64.findall(text):
        try:
            decoded = base64.b64decode(unquote(blob) + "==", validate=False)
        except (binascii.Error, ValueError):
            continue
        html = unquote(decoded.decode("utf-8", "replace"))
        if "<a" not in html:
            continue
        try:
            fragment = lxml.html.fragment_fromstring(html, create_parent="div")
        except (ValueError, lxml.etree.ParserError):
            continue
        out += [urljoin(url, href) for href in fragment.xpath("//a/@href")]
    return out


def _dedup(links: list[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        kept = seen.get(link.url)
        if kept is None or len(link.title) > len(kept.title):
            seen[link.url] = link
    return list(seen.values())


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))
