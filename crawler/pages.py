"""Reading the structures of list pages and spotting responses that are not content.

Pure helpers: CDATA-wrapped jpage records, JavaScript page counters, JS-only link
arrays, and the signs of a WAF challenge, a soft 404 or a blank throttle page.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass

import lxml.html

DATASTORE = re.compile(
    r"<script[^>]*type=[\"']text/xml[\"'][^>]*>(.*?)</script>", re.S | re.I
)
CDATA = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
JPAGE_NUMBER = r"\b{}\s*:\s*['\"]?(\d+)"
AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{(.*?)\}", re.S)
PROXY_URL = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
# The six-argument form (a div to fill, the count, the current page counted from 1, the
# page name and extension, the record total): createPageHTML('page_div',5, 1,'fg','shtml',89)
CREATE_PAGE_6 = re.compile(
    r"createPageHTML\(\s*['\"][^'\"]*['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,"
    r"\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
CREATE_PAGE_4 = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
CURRENT_PAGE = re.compile(r"var\s+currentPage\s*=\s*(\d+)")
# The page links a countPage script writes: "<a href=\"t20240321_6024033"+"_" + nextPage + "."+"shtml\"…
COUNT_PAGE_LINK = re.compile(
    r"href=\\?[\"']([\w.-]+?)[\"']\s*\+\s*[\"']_[\"']\s*\+\s*\w+\s*\+\s*[\"']\.[\"']"
    r"\s*\+\s*[\"'](\w+)"
)
JS_LINE_COMMENT = re.compile(r"^[ \t]*//.*$", re.M)
JS_REDIRECT = re.compile(r"location\.(?:href\s*=|replace\()\s*['\"]([^'\"]+)['\"]")
JS_FILES = re.compile(r"var\s+apps1?\s*=\s*(\[.*?\]);", re.S)
DOCUMENT_LINK = re.compile(
    r"(?i)(\.(pdf|docx?|wps|xlsx?|et|zip|rar|ofd)(\?|$)|downfile\.jsp|download\.jsp)"
)
SOFT_404 = re.compile(
    r"页面不存在|您访问的页面不存在|页面已被删除|找不到页面|暂无年报信息|暂无数据|文件不存在|404 Not Found"
)
# A short page that asks the visitor to pass a check first (WAFs and anti-bot pages).
CHALLENGE = re.compile(
    r"访问受限|安全验证|请开启\s*JavaScript|请启用\s*JavaScript|人机验证|访问过于频繁|"
    r"拒绝访问|Access Denied|请输入验证码",
    re.I,
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": DOCX,
    "doc": "application/msword",
    "wps": "application/msword",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
}
EXTENSION = re.compile(r"\.(pdf|docx?|wps|xlsx?|ofd|zip|rar)(?:[?#]|$)", re.I)


@dataclass(frozen=True, slots=True)
class Link:
    """A link found on a list or article page."""

    url: str  # as written (resolve against the page URL)
    title: str
    date: str = ""  # any text near the link that may hold its date
    reason: str = ""  # set when the link's kind alone makes it a report


def _li_links(html: str) -> list[Link]:
    out = []
    for li in lxml.html.fragments_fromstring(html, no_leading_text=False):
        if not hasattr(li, "iter"):
            continue
        for a in li.iter("a"):
            href = a.get("href")
            if href:
                title = a.get("title") or a.text_content().strip()
                out.append(Link(href, title, li.text_content()))
    return out


def datastore_records(html: str) -> list[Link]:
    """The ``<li>`` records of every jpage datastore on a page (inline or dataproxy XML)."""
    blocks = DATASTORE.findall(html) or ([html] if "<datastore" in html else [])
    return [
        link
        for block in blocks
        for record in CDATA.findall(block)
        for link in _li_links(record)
    ]


@dataclass(frozen=True, slots=True)
class Jpage:
    """A jpage widget's configuration, from its inline ``.jpage({...})`` call."""

    proxy_url: str
    per_page: int
    total: int
    group_size: int
    params: dict[str, str]


def jpage_config(html: str) -> Jpage | None:
    proxy = PROXY_URL.search(html)
    params = AJAX_PARAM.search(html)
    if not proxy or not params:
        return None

    def number(name: str, default: int) -> int:
        found = re.search(JPAGE_NUMBER.format(name), html)
        return int(found.group(1)) if found else default

    pairs = re.findall(
        r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))", params.group(1)
    )
    return Jpage(
        proxy_url=proxy.group(1),
        per_page=number("perPage", 15),
        total=number("totalRecord", 0),
        group_size=number("groupSize", 3),
        params={k: a or b or c for k, a, b, c in pairs},
    )


@dataclass(frozen=True, slots=True)
class Pager:
    """A TRS-style JavaScript pager: ``count`` pages named ``{name}.{ext}``,
    ``{name}_{n}.{ext}``…, this page being ``current``.

    ``first`` is the number the pager gives the first page: 0 for ``countPage`` and the
    four-argument ``createPageHTML(N, cur, "index", "html")`` (page 2 is ``index_1``),
    1 for the six-argument ``createPageHTML('page_div', N, cur, 'index', 'shtml', total)``
    (page 2 is ``index_2``; its script never writes ``index_1``).
    """

    count: int
    current: int
    name: str
    ext: str
    first: int

    @property
    def is_first(self) -> bool:
        return self.current <= self.first

    def file(self, number: int) -> str:
        """The file of page ``number`` (counted as the pager counts)."""
        if number == self.first:
            return f"{self.name}.{self.ext}"
        return f"{self.name}_{number}.{self.ext}"

    def others(self) -> list[str]:
        """The files of every page after the first, in order."""
        return [self.file(n) for n in range(self.first + 1, self.first + self.count)]


def js_pager(html: str) -> Pager | None:
    """The pager a TRS-style page writes with JavaScript: the six-argument
    ``createPageHTML`` (pages from 1), the four-argument one, or ``var countPage = N``
    (pages from 0; its name and extension from the links the script writes, so an
    article's ``#autopage`` pager gives ``t20240321_6024033`` and ``shtml``). Lines
    that are only a ``//`` comment are ignored (templates keep an old call commented
    out above the live one)."""
    if "createPageHTML" not in html and "countPage" not in html:
        return None  # most pages: no pager script (a scan of the page for nothing)
    code = JS_LINE_COMMENT.sub("", html)
    six = CREATE_PAGE_6.search(code)
    if six:
        count, current = int(six.group(1)), int(six.group(2))
        return Pager(count, current, six.group(3), six.group(4), first=1)
    four = CREATE_PAGE_4.search(code)
    if four:
        count, current = int(four.group(1)), int(four.group(2))
        return Pager(count, current, four.group(3), four.group(4), first=0)
    counted = COUNT_PAGE.search(code)
    if counted:
        at = CURRENT_PAGE.search(code)
        link = COUNT_PAGE_LINK.search(code)
        name, ext = link.groups() if link else ("index", "html")
        return Pager(
            int(counted.group(1)), int(at.group(1)) if at else 0, name, ext, first=0
        )
    return None


def js_redirect(html: str, text_length: int) -> str | None:
    """The target of a page that is nothing but a ``location.href`` script."""
    found = JS_REDIRECT.search(html)
    return found.group(1) if found and text_length < 200 else None


def js_file_links(html: str) -> list[Link]:
    """Attachments listed only in JavaScript arrays (Fujian ``apps``/``apps1``)."""
    out = []
    for block in JS_FILES.findall(html):
        try:
            entries = json.loads(block)
        except ValueError:
            entries = [
                {"url": u}
                for u in re.findall(r"['\"]url['\"]\s*:\s*['\"]([^'\"]+)", block)
            ]
        out += [
            Link(e["url"], e.get("name", ""))
            for e in entries
            if isinstance(e, dict) and e.get("url")
        ]
    return out


def problem(
    status: int, headers: dict[str, str], body: bytes, media_type: str
) -> str | None:
    """Why a response that arrived is not the content it claims to be (None if it is).

    ``waf_*`` (a WAF's challenge), ``blank_page``, ``soft_404`` (a 200 that says the
    page does not exist), ``soft_error`` (a 200 that says access is refused until a
    check is passed) or ``truncated`` (a body HTTP cannot vouch for whose format ends
    early: see :func:`cut_short`).
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    head = body[:20000]
    if status in (412, 521, 512) or b"$_ts" in head or b"__jsl_clearance" in head:
        return f"waf_{status}" if status != 200 else "waf_challenge"
    if not body.strip():
        return "blank_page" if "safedog" not in str(lowered).lower() else "waf_safedog"
    if media_type == "text/html" and len(body) < 30000:
        text = re.sub(r"<[^>]+>", "", decode(body))
        if len(text.strip()) < 4000:
            if SOFT_404.search(text):
                return "soft_404"
            if CHALLENGE.search(text):
                return "soft_error"
    if status == 200 and cut_short(lowered, body, media_type):
        return "truncated"
    return None


def expected_type(url: str) -> str | None:
    """The document type a link's file name promises (``.pdf`` → PDF), else None."""
    found = EXTENSION.search(url)
    return FILE_TYPES.get(found.group(1).lower()) if found else None


def mistyped(url: str, media_type: str, known_type: str | None = None) -> bool:
    """A web page where a document was due: the link (or the file's earlier
    versions) say PDF, Word…, the bytes are HTML (an error or challenge page)."""
    expected = known_type or expected_type(url)
    return (
        expected is not None
        and not expected.startswith("text/")
        and media_type.startswith("text/")
    )


def cut_short(headers: dict[str, str], body: bytes, media_type: str) -> bool:
    """A body cut off on the way, which HTTP could not tell.

    With a Content-Length, Scrapy itself refuses a shorter body; a chunked answer cut
    off is refused too. A body without one ends where the connection closed, so its
    own format must show that it is whole: a PDF ends with ``%%EOF``, a zip (DOCX,
    XLSX, OFD) with its central directory, an OLE file (DOC, WPS, XLS) on a 512-byte
    sector, an HTML page with ``</html>`` or ``</body>``.

    :param headers: response headers with lower-case names.
    """
    if "content-length" in headers:
        return False
    if media_type == "application/pdf":
        return b"%%EOF" not in body[-2048:]
    if body.startswith(b"PK\x03\x04"):
        return not _zip_complete(body)
    if body.startswith(b"\xd0\xcf\x11\xe0"):
        return len(body) % 512 != 0
    if media_type == "text/html":
        tail = body[-4096:].lower()
        return b"</html>" not in tail and b"</body>" not in tail
    return False


def _zip_complete(body: bytes) -> bool:
    if b"PK\x05\x06" not in body[-65_557:]:  # the end of central directory record
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False
    return True


def decode(body: bytes, charset: str | None = None) -> str:
    """Bytes to text: the given charset, else UTF-8, else GB18030 (a superset of GBK/GB2312)."""
    for codec in (charset, "utf-8", "gb18030"):
        if not codec:
            continue
        try:
            return body.decode(
                "gb18030" if codec.lower() in ("gb2312", "gbk") else codec
            )
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", "replace")


def is_document_link(href: str) -> bool:
    return bool(DOCUMENT_LINK.search(href))


FLIPBOOK_PAGE = re.compile(
    r"""["']((?:\./)?files/basic-html/page(\d{1,4})\.html)["']"""
)
FLIPBOOK_COUNT = re.compile(r"totalPageCount\s*:\s*(\d{1,4})")


def flipbook_pages(html: str) -> list[str]:
    """The text pages of a flip-book (FLBook / 云展网 style: a JS book whose text is
    also published as ``files/basic-html/page1.html`` …), relative to the book, in
    order: the pages it links, else as many as its ``totalPageCount``. Empty for any
    other page."""
    if "basic-html/page" not in html:
        return []  # most pages: the pattern would try every quote mark for nothing
    linked = {int(n): url for url, n in FLIPBOOK_PAGE.findall(html)}
    if not linked:
        return []
    count = FLIPBOOK_COUNT.search(html)
    last = max(max(linked), int(count.group(1)) if count else 0)
    return [
        linked.get(n, f"files/basic-html/page{n}.html")
        for n in range(1, min(last, 500) + 1)
    ]


NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


def next_group(text: str) -> str | None:
    """The next group's URL (as written) of the first jpage datastore in ``text``
    (``<nextgroup><![CDATA[<a href="…dataproxy.jsp?page=1&…"></a>]]>``), or None."""
    found = NEXTGROUP.search(text)
    link = HREF.search(found.group(1)) if found else None
    return html.unescape(link.group(1)) if link else None


URL_IN_JS = re.compile(
    r"""["']((?:https?://|/|\./|\.\./)[^"'\s<>]+?\.(?:s?html?|aspx?|jsp|php|pdf|docx?|wps|xlsx?)"""
    r"""(?:\?[^"'\s<>]*)?)["']""",
    re.I,
)


def onclick_url(script: str) -> str:
    """The URL a link's ``onclick`` opens (``isDownLoad(this,'https://…/a.pdf')``,
    ``window.open('/x/y.html')``), or ''."""
    found = URL_IN_JS.search(script)
    return found.group(1) if found else ""
