"""What the "unknown" sites (``odd_*.py``) share: a host's Site, its report pages and
uploads, the pages its same-host links must find, and the night's build.

A package, not a module beside the families: ``replica/spec.py`` takes every
``replica/families/*.py`` but ``common`` and ``shells`` for a family, and this is none
(it has no ``build``).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from html import unescape
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from replica.families.common import (
    ATTACHMENT_FORMAT,
    HAS_ARTICLE,
    attachment_bytes,
    e,
    file_resource,
)
from replica.model import Report
from replica.site import HTML_UTF8, DocRef, Resource, Site, utc

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from replica.model import Posting
    from replica.spec import SiteSpec

# The Last-Modified of the pages fill_links adds, on every odd host (odd_hebei's date:
# fill_links was written for it, and the others took it over as it was).
FILLED = datetime(2024, 4, 20, 9, 0)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
ANCHOR = re.compile(r'<a\s[^>]*?href="([^"#]+)"[^>]*>(.*?)</a>', re.S)


class OddHost:
    """One host being built: its Site, and how it adds report pages and uploads.

    A site module subclasses it with its own ``add`` (one posting) and ``finish``
    (the lists and the pages above them).
    """

    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        self.spec, self.epoch = spec, epoch
        self.site = Site(spec.host, spec.scheme, spec.family)

    def add(self, posting: Posting) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def local(self, url: str) -> str:
        """A URL of this host as a path from its root (``/…``)."""
        return url.split(self.spec.host, 1)[1]

    def page(
        self, path: str, body: bytes, published: datetime, content_type: str = HTML_UTF8
    ) -> DocRef:
        """An HTML page of a report, published at ``published``."""
        url = self.site.add(path, Resource(body, content_type, utc(published)))
        return DocRef(url, "page", "html")

    def upload(self, posting: Posting, path: Callable[[str], str]) -> DocRef:
        """The report's attachment, in its posting's format ``fmt``, at ``path(fmt)``."""
        report = posting.item
        if not isinstance(report, Report):
            raise TypeError(f"{report.title}: only reports have attachments")
        fmt = ATTACHMENT_FORMAT[posting.form]
        data = attachment_bytes(report, fmt, self.epoch)
        return DocRef(
            self.site.add(path(fmt), file_resource(data, fmt, posting.published)),
            "attachment",
            fmt,
        )

    def post(
        self,
        posting: Posting,
        page: str,
        article: Callable[[list[DocRef]], bytes],
        upload: Callable[[str], str],
    ) -> list[DocRef]:
        """The posting's documents, as its form has them: its upload at ``upload(fmt)``,
        then its article at ``page``, made by ``article(refs of its upload)``; the
        article first."""
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(self.upload(posting, upload))
        if posting.form in HAS_ARTICLE:
            refs.insert(0, self.page(page, article(refs), posting.published))
        return refs

    def paged(self, items: int) -> tuple[int, int]:
        """(items a page, pages) for a list of ``items``: the site's ``perpage``
        option, else 15; at least one page, if empty."""
        size = int(self.spec.option("perpage", 15))
        return size, max(1, math.ceil(items / size))


def pager_links(
    page: int, count: int, link: Callable[[str, int, bool], str]
) -> tuple[str, str, str, str]:
    """首页, 上一页, 下一页, 尾页 of page ``page`` of ``count``, each made by
    ``link(label, target page, whether it leads anywhere)``."""
    return (
        link("首页", 1, page > 1),
        link("上一页", page - 1, page > 1),
        link("下一页", page + 1, page < count),
        link("尾页", count, page < count),
    )


def requested_page(raw: str, count: int) -> int:
    """The page a list request asks for (``raw`` from its query), kept to 1…count."""
    return min(max(int(raw), 1), count) if raw.isdigit() else 1


def fill_links(site: Site, charset: str = "utf-8") -> None:
    """Give every same-host link of the site's pages a page (a section with no items).

    Real portals link their other sections (政务服务, 指南, 制度…) from every page; a
    crawler that looks for the report column walks through them and must not meet
    404s that the real site would not give.
    """
    codec = "gbk" if charset == "gb2312" else "utf-8"
    content_type = f"text/html; charset={charset}"
    missing: dict[str, str] = {}
    for path, resource in list(site.resources.items()):
        if not resource.content_type.startswith("text/html"):
            continue
        html = SCRIPT.sub("", resource.body.decode(codec, "replace"))
        for href, text in ANCHOR.findall(html):
            target = urlsplit(urljoin(site.url(path), unescape(href)))
            if target.scheme not in ("http", "https") or target.hostname != site.host:
                continue
            if site.fetch(site.url(target.path)).status == 404 and not target.query:
                missing.setdefault(target.path, re.sub(r"<[^>]+>", "", text).strip())
    for path, name in sorted(missing.items()):
        title = name or "栏目"
        html = (
            f'<!DOCTYPE html>\n<html><head><meta charset="{charset}">'
            f"<title>{e(title)}</title></head>\n<body><h2>{e(title)}</h2>"
            '<p class="nodata">暂无信息</p><p><a href="/">返回首页</a></p></body></html>'
        )
        site.add(
            path + ("index.html" if path.endswith("/") else ""),
            Resource(html.encode(codec), content_type, utc(FILLED)),
        )


def build_host(
    host: OddHost,
    postings: Iterable[Posting],
    not_found: bytes,
    modified: datetime,
    charset: str = "utf-8",
) -> Site:
    """The whole host for one night: every posting added, its lists and pages
    finished, its links filled (:func:`fill_links`); its 404 page ``not_found``, last
    modified at ``modified`` (local time), in ``charset`` like all its pages."""
    for posting in postings:
        host.add(posting)
    host.finish()
    fill_links(host.site, charset)
    host.site.not_found = Resource(
        not_found, f"text/html; charset={charset}", utc(modified), status=404
    )
    return host.site
