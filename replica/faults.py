"""Faults a test can put on a URL (control page ``POST /_replica/faults?url=U&fault=F``).

The faults of ../shared/docs/reliability.md that a real site shows, each as the
replica answers it:

* answers of their own (:data:`ANSWERS`): ``http_503``, ``waf_412``, ``waf_521``,
  ``soft_404``, ``blank``, ``challenge`` (a 200 "安全验证" page, e.g. at a PDF's URL),
  ``offsite_redirect`` (302 to a loopback port), ``file_redirect`` (302 to
  ``file:///etc/passwd``), ``gzip_bomb`` (a small gzip body that inflates to 300 MB);
* on the wire (the server acts them out): ``timeout`` (accept, never answer),
  ``truncate`` (promise the whole body, send half, hang up), ``cut`` (no
  Content-Length, send 60 %, close: only the format can tell it is cut);
* on the real answer: ``charset_lie`` (the header says UTF-8, the bytes stay as
  they are, e.g. GBK), ``gutted`` (every ``<li>`` item taken out: a list page after
  a botched redesign);
* redirects that never end: ``redirect_loop`` (U → U?_loop=1 → U …) and
  ``redirect_chain`` (U → U?_hop=1 → U?_hop=2 → …).
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HTML = "text/html; charset=utf-8"
Headers = list[tuple[str, str]]

ANSWERS: dict[str, tuple[int, Headers, bytes]] = {
    "http_503": (
        503,
        [("Content-Type", HTML)],
        b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
    ),
    "waf_412": (
        412,
        [("Content-Type", HTML)],
        b"<html><head><script>var $_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=7;</script>"
        b"<script src='/4QbVtADbnLVIc.js'></script></head><body></body></html>",
    ),
    "waf_521": (
        521,
        [("Content-Type", HTML)],
        b"<script>document.cookie='__jsl_clearance=1700000000.1|0|abc;max-age=3600;path=/';"
        b"location.href=location.pathname+location.search</script>",
    ),
    "soft_404": (
        200,
        [("Content-Type", HTML)],
        "<html><body><div class='error'>对不起，您访问的页面不存在！</div></body></html>".encode(),
    ),
    "blank": (200, [("Content-Type", HTML)], b""),
    "challenge": (
        200,
        [("Content-Type", HTML)],
        "<html><head><title>安全验证</title></head><body><p>访问受限：请开启JavaScript"
        "并刷新页面，完成安全验证后继续访问。</p></body></html>".encode(),
    ),
    "offsite_redirect": (
        302,
        [("Location", "http://127.0.0.1:9/internal/report.pdf")],
        b"",
    ),
    "file_redirect": (302, [("Location", "file:///etc/passwd")], b""),
}
ON_THE_WIRE = ("timeout", "truncate", "cut")
ON_THE_ANSWER = ("charset_lie", "gutted")
REDIRECTS = {"redirect_loop": "_loop", "redirect_chain": "_hop"}
FAULTS = (*ANSWERS, "gzip_bomb", *ON_THE_WIRE, *ON_THE_ANSWER, *REDIRECTS)
CUT_AT = 0.6  # how much of the body a ``cut`` answer sends
BOMB_BYTES = 300 * 1024 * 1024
CHARSET = re.compile(r";\s*charset=[\w-]+", re.I)
LIST_ITEM = re.compile(rb"<li\b.*?</li>", re.I | re.S)


@cache
def gzip_bomb() -> bytes:
    """300 MB of zeros, gzip-compressed (about 300 KB): built once per process."""
    return gzip.compress(bytes(BOMB_BYTES), compresslevel=9, mtime=0)


def bomb_answer() -> tuple[int, Headers, bytes]:
    headers = [("Content-Type", HTML), ("Content-Encoding", "gzip")]
    return 200, headers, gzip_bomb()


def _without(url: str, name: str) -> tuple[str, str | None]:
    """``url`` without the query parameter ``name``, and that parameter's value."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    value = next((v for k, v in query if k == name), None)
    rest = urlencode([(k, v) for k, v in query if k != name])
    return urlunsplit(parts._replace(query=rest)), value


def fault_for(faults: dict[str, str], url: str) -> str | None:
    """The fault on ``url``: its own, or the redirect fault it is a step of."""
    if url in faults:
        return faults[url]
    for fault, name in REDIRECTS.items():
        base, value = _without(url, name)
        if value is not None and faults.get(base) == fault:
            return fault
    return None


def redirect_target(fault: str, url: str) -> str:
    """Where a step of a never-ending redirect sends the client next."""
    name = REDIRECTS[fault]
    base, value = _without(url, name)
    if fault == "redirect_loop":
        return base if value is not None else _with(base, name, "1")
    return _with(base, name, str(int(value or 0) + 1))


def _with(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def gutted(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
    """The answer without its list items (and with the Content-Length that fits)."""
    body = LIST_ITEM.sub(b"", body)
    kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
    return [*kept, ("Content-Length", str(len(body)))], body


def lying_charset(headers: Headers) -> Headers:
    """The answer's headers, with a Content-Type that says UTF-8 whatever the bytes are."""
    out = []
    for name, value in headers:
        if name.lower() == "content-type":
            value = CHARSET.sub("", value) + "; charset=utf-8"
        out.append((name, value))
    return out
