"""Fujian 集约化 (TRS back end, avalon front end), built from real saved pingtan pages.

What the real site does and this module reproduces (``docs/site-families.md`` §2.4):

* articles are ``…/zfxxgknb/YYYYMM/tYYYYMMDD_id.htm`` (note ``.htm``), served over
  HTTPS, with ``ArticleTitle``/``PubDate``/``Url`` meta tags and a Word-pasted
  ``div.TRS_Editor`` body — the real bytes, unchanged;
* the column list shows only the newest 10 items as static HTML; the rest exist
  only behind ``POST /fjdzapp/search`` (``channelid``, ``classsql=chnlid=1813``,
  ``page``, ``prepage``), which the page's JavaScript calls from its pager;
* a 全真版 PDF is linked only from the inline ``apps1`` JavaScript array (``qzbFile``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.html
import yaml

from replica.cache import stored
from replica.corpus import profile_name
from replica.families.common import hex_name
from replica.render_pdf import Block, document_pdf
from replica.site import (
    HTML_UTF8,
    MEDIA_TYPES,
    DocRef,
    Handler,
    Request,
    Resource,
    Site,
    utc,
)
from replica.spec import DATA_DIR, SiteSpec
from replica.templates import Cell

if TYPE_CHECKING:
    from replica.model import Posting

SEARCH = "/fjdzapp/search"
SITE_DATE = datetime(2026, 3, 13, 9, 0)
ASSETS = Path(__file__).parent.parent / "assets"
EMPTY_SCRIPTS = (
    "/images/barrier.free.min.js",
    "/images/js_rem.min.js",
    "/images/23pingtan.js",
    "/images/22mb_info_public_js.js",
    "/images/pt-langBig5.js",
)


@dataclass(frozen=True, slots=True)
class RealPage:
    """One saved real page and what its own meta tags and ``pages.yaml`` say."""

    docid: int
    html: bytes
    url: str
    title: str
    published: datetime
    source: str
    body: str | None
    year: int | None
    kind: str
    defects: tuple[str, ...]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def template(self) -> str:
        if self.year is None or self.year <= 2018:
            return "free"
        return "2019" if self.year <= 2020 else "2021"


def _meta(html: str, name: str) -> str:
    found = re.search(rf'<meta name="{name}" content="([^"]*)"', html)
    if not found:
        raise ValueError(f"saved pingtan page lacks <meta name={name!r}>")
    return found.group(1)


@cache
def real_pages(folder: str) -> tuple[RealPage, ...]:
    """The saved pages of ``data/<folder>/``, newest first."""
    base = DATA_DIR / folder
    index = yaml.safe_load((base / "pages.yaml").read_text(encoding="utf-8"))
    pages = []
    for docid, info in index.items():
        raw = (base / f"{docid}.html").read_bytes()
        text = raw.decode("utf-8")
        pages.append(
            RealPage(
                docid=int(docid),
                html=raw,
                url=_meta(text, "Url"),
                title=_meta(text, "ArticleTitle"),
                published=datetime.strptime(_meta(text, "PubDate"), "%Y-%m-%d %H:%M"),
                source=_meta(text, "ContentSource"),
                body=info.get("body"),
                year=info.get("year"),
                kind=info.get("kind", "report"),
                defects=tuple(info.get("defects", ())),
            )
        )
    return tuple(sorted(pages, key=lambda p: (p.published, p.docid), reverse=True))


def _cell(td: Any) -> Cell:
    text = "\n".join(t.strip() for t in td.itertext() if t.strip())
    return Cell(
        text, rowspan=int(td.get("rowspan", 1)), colspan=int(td.get("colspan", 1))
    )


def page_blocks(page: RealPage) -> list[Block]:
    """The article body as printable blocks, for the 全真版 PDF of the same report."""
    doc = lxml.html.fromstring(page.html.decode("utf-8"))
    editor = doc.xpath('//div[contains(@class, "TRS_Editor")]')[0]
    blocks: list[Block] = [("title", page.title)]
    for child in editor:
        if child.tag == "table":
            rows = child.xpath(".//tr")
            grid = tuple(
                tuple(
                    Cell(c.text, min(c.rowspan, len(rows) - r), c.colspan)
                    for c in (_cell(td) for td in tr.xpath("./td|./th"))
                )
                for r, tr in enumerate(rows)
            )
            blocks.append(("table", grid))
        else:
            text = " ".join(child.text_content().split())
            if text:
                blocks.append(
                    (
                        "heading" if re.match(r"^[一二三四五六]、", text) else "body",
                        text,
                    )
                )
    return blocks


def _qzb_pdf(page: RealPage) -> tuple[str, bytes]:
    """The 全真版 PDF's path and bytes, and the page with ``apps1`` filled in."""
    digits = int(hex_name("pingtan", page.docid, length=12), 16) % 10**12
    directory = page.path.rsplit("/", 1)[0]
    path = f"{directory}/P0{page.published:%Y%m%d}{digits:012d}.pdf"
    data = stored(
        profile_name(),
        f"pingtan-qzb-{page.docid}-pdf",
        lambda: document_pdf(
            page_blocks(page),
            producer="WPS 文字",
            created=page.published,
            saved=page.published,
        ),
    )
    return path, data


def _with_apps1(page: RealPage, pdf_url: str) -> bytes:
    entry = json.dumps(
        {"url": pdf_url, "name": f"{page.title}（原件）.pdf"}, ensure_ascii=False
    )
    text = page.html.decode("utf-8")
    patched, count = re.subn(
        r"var apps1 = \[\s*\];", f"var apps1 = [{entry}];", text, count=1
    )
    if count != 1:
        raise ValueError(f"pingtan page {page.docid}: no empty apps1 array to fill")
    return patched.encode("utf-8")


def _search(pages: tuple[RealPage, ...], channel_sql: str) -> Handler:
    """``POST /fjdzapp/search``: the column's documents as JSON, newest first, paged."""

    def handle(request: Request) -> Resource:
        p = request.params()
        hits = pages if channel_sql in p.get("classsql", "") else ()
        perpage = int(p["prepage"]) if p.get("prepage", "").isdigit() else 10
        page = int(p["page"]) if p.get("page", "").isdigit() else 1
        data = [
            {
                "docid": x.docid,
                "doctitle": x.title,
                "chnldocurl": x.url,
                "docpuburl": x.url,
                "docreltime": x.published.strftime("%Y-%m-%d %H:%M:%S"),
                "chnlid": 1813,
                "docsourcename": x.source,
            }
            for x in hits[(page - 1) * perpage : page * perpage]
        ]
        body = {
            "page": page,
            "prepage": perpage,
            "total": len(hits),
            "pageCount": math.ceil(len(hits) / perpage),
            "data": data,
        }
        return Resource(
            json.dumps(body, ensure_ascii=False).encode(),
            "application/json;charset=UTF-8",
            utc(SITE_DATE),
            validators=(),
        )

    return handle


def build(site_spec: SiteSpec, _postings: list[Posting], _epoch: int) -> Site:
    """The pingtan host: real pages, the real list page, the search API, JS stand-ins."""
    site = Site(site_spec.host, site_spec.scheme, site_spec.family)
    site.not_found = Resource(
        "<html><body>404 页面不存在</body></html>".encode(),
        HTML_UTF8,
        utc(SITE_DATE),
        status=404,
    )
    folder = site_spec.option("real_pages")
    pages = real_pages(folder)
    for page in pages:
        body = page.html
        refs: list[DocRef] = []
        if page.docid == site_spec.option("pdf_in_js"):
            pdf_path, pdf = _qzb_pdf(page)
            pdf_url = site.add(
                pdf_path, Resource(pdf, MEDIA_TYPES["pdf"], utc(page.published))
            )
            body = _with_apps1(page, pdf_url)
            refs.append(DocRef(pdf_url, "attachment", "pdf"))
        url = site.add(page.path, Resource(body, HTML_UTF8, utc(page.published)))
        if page.kind == "report":
            site.documents[f"{site.host}/{page.docid}"] = [
                DocRef(url, "page", "html"),
                *refs,
            ]
    column = "/zwgk/zfxxgk/zfxxgknb/"
    listing = Resource(
        (DATA_DIR / folder / "list.html").read_bytes(),
        HTML_UTF8,
        utc(pages[0].published),
    )
    for path in (f"{column}index.htm", f"{column}nlist.htm", column):
        site.add(path, listing)
    home = f'<html><head><meta charset="utf-8"><title>{site_spec.site_name}</title></head><body>'
    home += f'<a href="{column}">政府信息公开年报</a></body></html>'
    site.add("/", Resource(home.encode(), HTML_UTF8, utc(SITE_DATE)))
    site.add(
        "/images/model.min.js",
        Resource(
            (ASSETS / "pingtan-model.js").read_bytes(),
            "application/javascript",
            utc(SITE_DATE),
        ),
    )
    for path in EMPTY_SCRIPTS:
        site.add(
            path,
            Resource(
                b"/* replica: not needed */\n", "application/javascript", utc(SITE_DATE)
            ),
        )
    site.handlers[SEARCH] = _search(pages, "chnlid=1813")
    return site
