"""Hanweb's 信息公开 module: one ``xxgkAnnualReport.jsp`` page per (unit, year).

Real sites (penglai, weihai, rongcheng…) publish each unit's report at
``/module/xxgk/xxgkAnnualReport.jsp?area={统一社会信用代码}&fbtime={year}``; the body
opens with the title and "发布时间:2026-01-23 08:58:29". A unit/year with no report
still answers 200 with an empty notice (a soft 404). The index page that links the
units and years is unseen on real sites; here it is an ordinary column page.

A jcms host may also publish some units' reports this way (:func:`add_units`): its
column then links each unit's page of its **latest** year only, so a crawler must
enumerate the other years itself by changing ``fbtime``. Some sites use other unit
codes than credit codes: Linhai writes ``LH331082-018`` (``area_prefix``).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from replica.families import shells
from replica.families.common import ATTACHMENT_FORMAT, article_html, e
from replica.families.hanweb import (
    DOWNFILE,
    JSP_HTML,
    SITE_DATE,
    add_attachment,
    article_path,
    attachments_html,
    downfile,
)
from replica.model import Body, Posting, Report
from replica.site import DocRef, Handler, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

ANNUAL_REPORT = "/module/xxgk/xxgkAnnualReport.jsp"
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(admin_code: str, body: Body) -> str:
    """A well-formed 18-character 统一社会信用代码 (GB 32100 check character included)."""
    rng = random.Random(f"credit|{body.id}")
    base = f"11{admin_code}00{rng.randint(0, 9_999_999):07d}"
    total = sum(
        CODE_CHARS.index(ch) * w for ch, w in zip(base, CODE_WEIGHTS, strict=True)
    )
    return base + CODE_CHARS[(31 - total % 31) % 31]


def unit_code(spec: SiteSpec, body: Body) -> str:
    """The ``area`` value of a unit: a credit code, or Linhai's ``LH331082-018`` style."""
    prefix = spec.option("area_prefix")
    if not prefix:
        return credit_code(spec.option("admin_code"), body)
    index = [b.id for b in spec.bodies].index(body.id)
    return f"{prefix}-{3 + 7 * index:03d}"


def report_url_path(code: str, year: int) -> str:
    return f"{ANNUAL_REPORT}?area={code}&fbtime={year}"


def _index(
    spec: SiteSpec,
    trail: list[tuple[str, str]],
    codes: dict[str, str],
    reports: dict[tuple[str, int], Posting],
    noise: list[tuple[str, str]],
) -> str:
    rows = []
    for body in spec.bodies:
        years = sorted(
            (y for (code, y) in reports if code == codes[body.id]), reverse=True
        )
        links = " ".join(
            f'<a href="{e(report_url_path(codes[body.id], y))}" target="_blank">{y}年度</a>'
            for y in years
        )
        rows.append(f"<tr><td>{e(body.name)}</td><td>{links}</td></tr>")
    extra = "".join(
        f'<li><a href="{e(path)}" target="_blank">{e(title)}</a></li>'
        for title, path in noise
    )
    table = f'<table class="nb-table"><tr><th>单位</th><th>年度报告</th></tr>{"".join(rows)}</table>'
    return shells.hanweb_column(
        spec, trail, trail[-1][0], table + f'<ul class="related">{extra}</ul>'
    )


def _annual_report(
    spec: SiteSpec, trail: list[tuple[str, str]], pages: dict[str, Resource]
) -> Handler:
    empty = Resource(
        shells.penglai_empty(spec, trail).encode(),
        JSP_HTML,
        utc(SITE_DATE),
        validators=(),
    )

    def handle(request: Request) -> Resource:
        p = request.params()
        return pages.get(f"{p.get('area', '')}/{p.get('fbtime', '')}", empty)

    return handle


def _add_report(
    site: Site,
    spec: SiteSpec,
    trail: list[tuple[str, str]],
    posting: Posting,
    code: str,
    epoch: int,
) -> None:
    """One unit's report of one year: its JSP page (and downfile.jsp attachment)."""
    report = posting.item
    if not isinstance(report, Report):
        raise TypeError(f"{report.title}: only reports are xxgk unit pages")
    files = site.stores.setdefault("downfile", {})
    pages = site.stores.setdefault("annual_report", {})
    refs = (
        [add_attachment(site, files, posting, epoch)]
        if posting.form in ATTACHMENT_FORMAT
        else []
    )
    html = shells.penglai_report(
        spec, trail, posting, article_html(posting) + attachments_html(refs, posting)
    )
    pages[f"{code}/{report.year}"] = Resource(
        html.encode(), JSP_HTML, utc(posting.published), validators=("last-modified",)
    )
    site.documents[report.key] = [
        DocRef(site.url(report_url_path(code, report.year)), "page", "html"),
        *refs,
    ]


def add_units(
    site: Site,
    spec: SiteSpec,
    trail: list[tuple[str, str]],
    postings: list[Posting],
    epoch: int,
) -> str:
    """Publish these reports as xxgk unit pages on a jcms host; return the column
    block that links each unit's page of its latest year (and no other year)."""
    latest: dict[str, tuple[Report, Posting]] = {}
    for posting in postings:
        item = posting.item
        if not isinstance(item, Report):
            raise TypeError(f"{item.title}: only reports are xxgk unit pages")
        code = unit_code(spec, item.body)
        _add_report(site, spec, trail, posting, code, epoch)
        if code not in latest or item.year > latest[code][0].year:
            latest[code] = (item, posting)
    site.handlers[ANNUAL_REPORT] = _annual_report(
        spec, trail, site.stores["annual_report"]
    )
    items = "".join(
        f'<li><a href="{e(report_url_path(code, report.year))}" target="_blank">'
        f'{e(report.body.name)}</a><span class="date">{posting.published:%Y-%m-%d}'
        "</span></li>"
        for code, (report, posting) in sorted(latest.items())
    )
    name = spec.option("xxgk_block", "单位年报")
    return (
        f'<div class="xxgk-nb"><div class="title">{e(name)}</div><ul>{items}</ul></div>'
    )


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole xxgk-module host for one night."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = shells.not_found(site_spec)
    files = site.stores.setdefault("downfile", {})
    pages = site.stores.setdefault("annual_report", {})
    root = site_spec.option("root")
    trail = [("首页", "/")] + [
        (t["name"], f"/col/col{t['id']}/index.html") for t in site_spec.option("trail")
    ]
    trail.append((root["name"], f"/col/col{root['id']}/index.html"))
    codes = {b.id: unit_code(site_spec, b) for b in site_spec.bodies}
    reports: dict[tuple[str, int], Posting] = {}
    noise: list[tuple[str, str]] = []
    for posting in postings:
        item = posting.item
        if not isinstance(item, Report):
            path = article_path(root["id"], posting)
            page = shells.hanweb_article(
                site_spec, trail, posting, article_html(posting)
            )
            site.add(path, Resource(page.encode(), JSP_HTML, utc(posting.published)))
            noise.append((item.title, path))
            continue
        _add_report(site, site_spec, trail, posting, codes[item.body.id], epoch)
        reports[(codes[item.body.id], item.year)] = posting
    modified = max([utc(p.published) for p in postings] + [utc(SITE_DATE)])
    site.add(
        trail[-1][1],
        Resource(
            _index(site_spec, trail, codes, reports, noise).encode(), JSP_HTML, modified
        ),
    )
    for depth in range(1, len(trail) - 1):
        page = shells.hanweb_column(
            site_spec,
            trail[: depth + 1],
            trail[depth][0],
            shells.link_list([trail[depth + 1]]),
        )
        site.add(trail[depth][1], Resource(page.encode(), JSP_HTML, utc(SITE_DATE)))
    home = shells.hanweb_column(
        site_spec, trail[:1], "首页", shells.link_list([trail[1]])
    )
    site.add("/", Resource(home.encode(), JSP_HTML, utc(SITE_DATE)))
    site.handlers[ANNUAL_REPORT] = _annual_report(site_spec, trail, pages)
    site.handlers[DOWNFILE] = downfile(files)
    shells.add_hanweb_assets(site, utc(SITE_DATE))
    return site


def unit_codes(site_spec: SiteSpec) -> dict[str, str]:
    """Body id → credit code, for tests and the manifest."""
    return {b.id: unit_code(site_spec, b) for b in site_spec.bodies}
