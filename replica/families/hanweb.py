"""Hanweb 大汉 jcms: ``/col/col{id}/index.html`` columns fed by jpage.

What the real sites do and this module reproduces (``docs/site-families.md`` §2.2):

* the first page of records exists only inside ``<script type="text/xml">`` as a
  ``<datastore>`` of CDATA ``<li>`` records (an HTML parser that skips script
  contents sees no links at all);
* later pages come from ``/module/web/jpage/dataproxy.jsp`` by GET or POST, with
  ``startrecord/endrecord/perpage`` or ``page=N``, answering XML with
  ``totalrecord``/``totalpage``; the inline config names perPage and totalRecord;
* articles live at non-padded ``/art/Y/M/D/art_{col}_{id}.html``; attachments at
  ``/module/download/downfile.jsp?classid=0&filename={32hex}.pdf`` (octet-stream,
  ``Content-Disposition: attachment``);
* year sub-columns under the 年报 column, and one old column that is only a
  ``location.href`` JavaScript redirect.

``paging: nextgroup`` hosts page as the jpage widget does by groups (perPage ×
groupSize records): the column holds the first group inline and a ``<nextgroup>`` link
``dataproxy.jsp?page=1&…`` (groups counted from 0, the inline one being group 0); each
answer holds one group and, while more remain, a relative ``<nextgroup>``
(``./dataproxy.jsp?page=2&…``); the config gives no ``totalRecord`` and the answers no
totals, so only the chain of next groups reads the column whole. Units listed in the
``xxgk`` column are published through the xxgk module instead (``hanweb_xxgk.add_units``:
the column links each unit's latest year only). ``icp`` and ``site_code`` replace the
shells' Shandong 备案号 and 网站标识码 on hosts of other provinces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from replica.families import shells
from replica.families.common import (
    ATTACHMENT_FORMAT,
    HAS_ARTICLE,
    article_html,
    attachment_bytes,
    attachment_name,
    e,
    file_resource,
    hex_name,
    path_of,
    truncate,
)
from replica.model import Posting, Report
from replica.site import DocRef, Handler, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
DOWNFILE = "/module/download/downfile.jsp"
JSP_HTML = "text/html;charset=UTF-8"
SHELL_ICP = "鲁ICP备05022389号"  # the 备案号 shells._frame writes (a Shandong one)
XXGK_COLUMN = "xxgk"  # bodies of this column are xxgk unit pages (hanweb_xxgk)
SITE_DATE = datetime(2024, 6, 1, 9, 0)  # when the site's shell pages were last edited


@dataclass(slots=True)
class Column:
    """A jpage column: its id, name, breadcrumb and records (newest first)."""

    id: int
    name: str
    trail: list[tuple[str, str]]  # (name, path) from the home page down to this column
    records: list[str]
    modified: datetime

    @property
    def path(self) -> str:
        return f"/col/col{self.id}/index.html"

    @property
    def unitid(self) -> int:
        return 200000 + self.id % 100000


def article_path(column_id: int, posting: Posting) -> str:
    """``/art/2024/1/29/art_151616_4308925.html``: month and day are not zero-padded."""
    p = posting.published
    return f"/art/{p.year}/{p.month}/{p.day}/art_{column_id}_{posting.docid}.html"


def record_li(href: str, posting: Posting, style: str) -> str:
    """One list record as the CMS writes it inside CDATA."""
    day = posting.published.strftime("%Y-%m-%d")
    title = posting.list_title
    link = f'<a href="{e(href)}" target="_blank" title="{e(title)}">{e(truncate(title))}</a>'
    if style == "bracket":
        return f'<li class="clearfix"><span class="date">[{day}]</span>{link}</li>'
    return f"<li>{link}<span>{day}</span></li>"


def datastore(
    records: list[str],
    next_href: str = "",
    total: int | None = None,
    pages: int | None = None,
) -> str:
    """The jpage ``<datastore>``: CDATA records, optional nextgroup and counts."""
    parts = ["<datastore>"]
    if next_href:
        parts.append(f'<nextgroup><![CDATA[<a href="{next_href}"></a>]]></nextgroup>')
    parts.append("<recordset>")
    parts += [f"<record><![CDATA[\n{r}]]></record>" for r in records]
    parts.append("</recordset>")
    if total is not None:
        parts.append(
            f"<totalrecord>{total}</totalrecord><totalpage>{pages}</totalpage>"
        )
    parts.append("</datastore>")
    return "".join(parts)


def _ajax_param(site: SiteSpec, column: Column) -> dict[str, object]:
    return {
        "col": 1,
        "appid": 1,
        "webid": site.option("webid"),
        "path": "/",
        "columnid": column.id,
        "sourceContentType": 1,
        "unitid": column.unitid,
        "webname": site.site_name,
        "permissiontype": 0,
    }


def _ajax_query(site: SiteSpec, column: Column) -> str:
    """The ajaxParam fields as the nextgroup links write them (webname URL-encoded)."""
    return "&".join(
        f"{k}={quote(str(v)) if k == 'webname' else v}"
        for k, v in _ajax_param(site, column).items()
        if k != "col"
    )


def group_records(site: SiteSpec) -> int:
    """Records per jpage group on a ``paging: nextgroup`` host (perPage × groupSize)."""
    return int(site.option("perpage", 15)) * int(site.option("group_size", 3))


def jpage_html(site: SiteSpec, column: Column) -> str:
    """The list widget: first page in a text/xml script, then the jpage config."""
    if site.option("paging") == "nextgroup":
        return _jpage_groups_html(site, column)
    perpage = int(site.option("perpage", 15))
    params = _ajax_param(site, column)
    query = _ajax_query(site, column)
    first = datastore(
        column.records[:perpage],
        f"{DATAPROXY}?page=1&amp;{query.replace('&', '&amp;')}",
    )
    config = ",".join(
        f"{k}:'{v}'" if isinstance(v, str) else f"{k}:{v}" for k, v in params.items()
    )
    return (
        f'<div id="{column.unitid}"><script type="text/xml">{first}</script></div>\n'
        '<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
        "<script>$(document).ready(function(){"
        f"$('#{column.unitid}').jpage({{proxyUrl:'{DATAPROXY}',perPage:{perpage},groupSize:3,"
        f"totalRecord:{len(column.records)},barPosition:'bottom',ajaxParam:{{{config}}}}});"
        "});</script>"
    )


def _jpage_groups_html(site: SiteSpec, column: Column) -> str:
    """A widget paged by groups: the first group inline, a nextgroup link, no total."""
    size = group_records(site)
    params = _ajax_param(site, column)
    more = len(column.records) > size
    first = datastore(
        column.records[:size],
        f"{DATAPROXY}?page=1&{_ajax_query(site, column)}" if more else "",
    )
    config = ",".join(
        f"{k}:'{v}'" if isinstance(v, str) else f"{k}:{v}" for k, v in params.items()
    )
    return (
        f'<div id="{column.unitid}"><script type="text/xml">{first}</script></div>\n'
        '<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
        "<script>$(document).ready(function(){"
        f"$('#{column.unitid}').jpage({{proxyUrl:'{DATAPROXY}',"
        f"perPage:{site.option('perpage', 15)},groupSize:{site.option('group_size', 3)},"
        f"barPosition:'bottom',ajaxParam:{{{config}}}}});"
        "});</script>"
    )


def _group_answer(site: SiteSpec, column: Column, group: int) -> str:
    """Group ``group`` (0 = the inline one) and, while more remain, the next one's link."""
    size = group_records(site)
    records = column.records[group * size : (group + 1) * size]
    more = len(column.records) > (group + 1) * size
    link = f"./dataproxy.jsp?page={group + 1}&{_ajax_query(site, column)}"
    return datastore(records, link if more else "")


def dataproxy(
    columns: dict[int, Column], default_perpage: int, site: SiteSpec | None = None
) -> Handler:
    """``dataproxy.jsp``: a slice of a column's records as XML, by record range or page
    (or, on a ``paging: nextgroup`` ``site``, ``page`` = a group)."""
    groups = site is not None and site.option("paging") == "nextgroup"

    def handle(request: Request) -> Resource:
        p = request.params()
        column = (
            columns.get(int(p["columnid"])) if p.get("columnid", "").isdigit() else None
        )
        if column is None:
            body = datastore([], total=0, pages=0)
        elif groups and site and not p.get("startrecord"):
            group = p.get("page", "")
            body = _group_answer(site, column, int(group) if group.isdigit() else 0)
        else:
            perpage = int(p.get("perpage") or default_perpage)
            if p.get("startrecord", "").isdigit():
                start = max(int(p["startrecord"]), 1)
                end = (
                    int(p["endrecord"])
                    if p.get("endrecord", "").isdigit()
                    else start + perpage * 3 - 1
                )
            else:
                page = int(p["page"]) if p.get("page", "").isdigit() else 1
                start, end = (page - 1) * perpage + 1, page * perpage
            total = len(column.records)
            body = datastore(
                column.records[start - 1 : end],
                total=total,
                pages=math.ceil(total / perpage),
            )
        xml = '<?xml version="1.0" encoding="UTF-8"?>' + body
        return Resource(
            xml.encode(), "text/xml;charset=UTF-8", utc(SITE_DATE), validators=()
        )

    return handle


def downfile(files: dict[str, Resource]) -> Handler:
    """``downfile.jsp?classid=0&filename=…``: the upload stored under that name."""

    def handle(request: Request) -> Resource:
        found = files.get(request.params().get("filename", ""))
        if found is None:
            return Resource(
                "<html><body>文件不存在！</body></html>".encode(),
                JSP_HTML,
                utc(SITE_DATE),
                status=404,
            )
        return found

    return handle


def add_attachment(
    site: Site, files: dict[str, Resource], posting: Posting, epoch: int
) -> DocRef:
    """Store a report's file for ``downfile.jsp`` and return its reference."""
    report = posting.item
    if not isinstance(report, Report):
        raise TypeError(f"{posting.item.title}: only reports have attachments")
    fmt = ATTACHMENT_FORMAT[posting.form]
    name = f"{hex_name(site.host, posting.docid, fmt)}.{fmt}"
    human = quote(attachment_name(posting))
    files[name] = file_resource(
        attachment_bytes(report, fmt, epoch),
        fmt,
        posting.published,
        content_type="application/octet-stream",
        disposition=f"attachment; filename=\"{name}\"; filename*=UTF-8''{human}",
    )
    return DocRef(site.url(f"{DOWNFILE}?classid=0&filename={name}"), "attachment", fmt)


def attachments_html(refs: list[DocRef], posting: Posting) -> str:
    if not refs:
        return ""
    links = "".join(
        f'<p><img src="/module/jslib/icons/{ref.format}.png"/>'
        f'<a href="{e(path_of(ref.url))}" target="_blank">{e(attachment_name(posting))}</a></p>'
        for ref in refs
    )
    return f'<div class="fujian">附件：{links}</div>'


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole Hanweb host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = shells.not_found(site_spec)
    files = site.stores.setdefault("downfile", {})
    trail = [("首页", "/")] + [
        (t["name"], f"/col/col{t['id']}/index.html") for t in site_spec.option("trail")
    ]
    root = site_spec.option("root")
    root_trail = [*trail, (root["name"], f"/col/col{root['id']}/index.html")]
    sub = site_spec.option("columns") or {}
    columns: dict[int, Column] = {}
    if sub:
        for _key, col in sorted(sub.items(), reverse=True):
            columns[col["id"]] = Column(
                col["id"],
                col["name"],
                [*root_trail, (col["name"], f"/col/col{col['id']}/index.html")],
                [],
                utc(SITE_DATE),
            )
    else:
        columns[root["id"]] = Column(
            root["id"], root["name"], root_trail, [], utc(SITE_DATE)
        )
    by_key = {key: columns[col["id"]] for key, col in sub.items()} if sub else {}
    style = "bracket" if site_spec.option("date_style") == "iso_date" else "plain"
    units = [p for p in postings if p.column == XXGK_COLUMN and p.is_report]
    extra = {}
    if units:  # lazily: hanweb_xxgk builds on this module
        from replica.families import hanweb_xxgk

        extra[root["id"]] = hanweb_xxgk.add_units(
            site, site_spec, root_trail, units, epoch
        )
    for posting in postings:
        if posting in units:
            continue
        column = by_key.get(posting.column) or next(iter(columns.values()))
        refs: list[DocRef] = []
        if posting.form in ATTACHMENT_FORMAT:
            refs.append(add_attachment(site, files, posting, epoch))
        if posting.form in HAS_ARTICLE:
            path = article_path(column.id, posting)
            page = shells.hanweb_article(
                site_spec,
                column.trail,
                posting,
                article_html(posting) + attachments_html(refs, posting),
            )
            url = site.add(
                path, Resource(page.encode(), JSP_HTML, utc(posting.published))
            )
            refs.insert(0, DocRef(url, "page", "html"))
            href = path
        else:
            href = path_of(refs[0].url)
        column.records.append(record_li(href, posting, style))
        column.modified = max(column.modified, utc(posting.published))
        if posting.is_report:
            site.documents[posting.item.key] = refs  # type: ignore[union-attr]
    for column in columns.values():
        site.add(
            column.path,
            _page(
                shells.hanweb_column(
                    site_spec,
                    column.trail,
                    column.name,
                    jpage_html(site_spec, column) + extra.get(column.id, ""),
                ),
                max([column.modified] + [utc(p.published) for p in units]),
            ),
        )
    _add_navigation(site, site_spec, trail, root, list(columns.values()) if sub else [])
    site.handlers[DATAPROXY] = dataproxy(
        columns, int(site_spec.option("perpage", 15)), site_spec
    )
    site.handlers[DOWNFILE] = downfile(files)
    shells.add_hanweb_assets(site, utc(SITE_DATE))
    _regional(site, site_spec)
    return site


def _regional(site: Site, spec: SiteSpec) -> None:
    """A host outside Shandong: its own 备案号 and 网站标识码 in every page's shell."""
    swaps = [
        (old.encode(), str(new).encode())
        for old, new in (
            (SHELL_ICP, spec.option("icp")),
            (shells.site_code(spec), spec.option("site_code")),
        )
        if new
    ]
    if not swaps:
        return

    def local(resource: Resource) -> Resource:
        if not resource.content_type.startswith("text/html"):
            return resource
        body = resource.body
        for old, new in swaps:
            body = body.replace(old, new)
        return replace(resource, body=body)

    site.resources = {path: local(r) for path, r in site.resources.items()}
    for store in site.stores.values():
        store.update({key: local(r) for key, r in store.items()})
    if site.not_found:
        site.not_found = local(site.not_found)
    for path, handler in list(site.handlers.items()):

        def localised(request: Request, h: Handler = handler) -> Resource:
            return local(h(request))

        site.handlers[path] = localised


def _page(html: str, modified: datetime) -> Resource:
    return Resource(html.encode(), JSP_HTML, modified)


def _add_navigation(
    site: Site,
    spec: SiteSpec,
    trail: list[tuple[str, str]],
    root: dict[str, Any],
    years: list[Column],
) -> None:
    """Home → 政府信息公开 → … → 信息公开年报 (→ year sub-columns), plus the redirect stub."""
    stub = spec.option("redirect_stub")
    root_path = f"/col/col{root['id']}/index.html"
    for depth, (name, path) in enumerate(trail):
        nxt = trail[depth + 1] if depth + 1 < len(trail) else (root["name"], root_path)
        links = [nxt]
        if depth == len(trail) - 1 and stub:
            links.append((stub["name"], f"/col/col{stub['id']}/index.html"))
        site.add(
            path,
            _page(
                shells.hanweb_column(
                    spec, trail[: depth + 1], name, shells.link_list(links)
                ),
                utc(SITE_DATE),
            ),
        )
    if years:
        links = [(c.name, c.path) for c in years]
        site.add(
            root_path,
            _page(
                shells.hanweb_column(
                    spec,
                    [*trail, (root["name"], root_path)],
                    root["name"],
                    shells.link_list(links),
                ),
                max(c.modified for c in years),
            ),
        )
    if stub:
        redirect = f'<html><head><script>location.href="{root_path}";</script></head><body></body></html>'
        site.add(f"/col/col{stub['id']}/index.html", _page(redirect, utc(SITE_DATE)))
