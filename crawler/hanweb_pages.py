"""Reading Hanweb's list structures past jpage's inline records (pure helpers).

* jpage **next groups** (``crawler.pages.next_group``, read by the generic reader too):
  a ``<datastore>`` (inline or a dataproxy.jsp answer) may end its group with
  ``<nextgroup><![CDATA[<a href="…dataproxy.jsp?page=1&…"></a>]]>``; the chain of those
  links reads a column whose config gives no total.
* **jpaas**: a column page's ``<script src="/AuthorizedRead/unitbuild.js" url="…"
  queryData="{'webId':…}">`` names the ``page/build/unit`` request; its JSON answer
  carries the list as HTML, with ``<div class='pagination' rows='15' count='123'>``.
* **xxgk**: ``xxgkAnnualReport.jsp?area={unit}&fbtime={year}``, one page per unit and
  year; a year without a report answers 200 "暂无年报信息".
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html

from crawler.pages import Link

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
QUOTED_PAIR = re.compile(r"""['"](\w+)['"]\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w.-]+))""")
PAGINATION = re.compile(r"<div[^>]*class=['\"]pagination['\"][^>]*>", re.I)
UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
ANNUAL_REPORT = "xxgkAnnualReport.jsp"
NO_REPORT = "暂无年报信息"  # what xxgkAnnualReport.jsp says for a year without one


@dataclass(frozen=True, slots=True)
class JpaasUnit:
    """A jpaas list unit: the API's URL (as written) and the request's parameters."""

    url: str
    params: tuple[tuple[str, str], ...]

    def page_url(self, api: str, page: int, size: int | None = None) -> str:
        """The request for page ``page`` at ``api`` (the unit's URL made absolute): the
        unit's parameters, and from page 2 on ``paramJson={"pageNo":N,"pageSize":S}``
        (page 1 is asked as unitbuild.js asks it)."""
        params = list(self.params)
        if page > 1:
            paged = {"pageNo": page, "pageSize": size} if size else {"pageNo": page}
            params.append(("paramJson", json.dumps(paged, separators=(",", ":"))))
        return f"{api.split('?', 1)[0]}?{urlencode(params)}"


def _query_data(value: str) -> tuple[tuple[str, str], ...]:
    text = html.unescape(value).strip()
    for candidate in (text, text.replace("'", '"')):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            return tuple((str(k), str(v)) for k, v in data.items())
    return tuple(
        (key, next(v for v in values if v is not None))
        for key, *values in QUOTED_PAIR.findall(text)
    )


def jpaas_units(page: str) -> list[JpaasUnit]:
    """The jpaas list units a column page declares (``unitbuild.js`` scripts)."""
    units = []
    for tag in SCRIPT_TAG.findall(page):
        attributes = {
            name.lower(): double if double or not single else single
            for name, double, single in ATTRIBUTE.findall(tag)
        }
        if "querydata" not in attributes:
            continue
        url = attributes.get("url") or (UNIT_API if "unitbuild" in tag else "")
        params = _query_data(attributes["querydata"])
        if url and params:
            units.append(JpaasUnit(url, params))
    return units


@dataclass(frozen=True, slots=True)
class JpaasPage:
    """One answer of the unit API: its links, and the pager's page size and total."""

    links: list[Link]
    rows: int | None
    count: int | None


def _number(tag: str, name: str) -> int | None:
    found = re.search(rf"""\b{name}\s*=\s*['"]?(\d+)""", tag, re.I)
    return int(found.group(1)) if found else None


def jpaas_page(text: str) -> JpaasPage | None:
    """The list in a unit API answer (``{"success":true,"data":{"html":…}}``), or None
    when the answer is not one."""
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    if not isinstance(answer, dict) or not answer.get("success"):
        return None
    data = answer.get("data")
    fragment = data.get("html") if isinstance(data, dict) else None
    if not isinstance(fragment, str):
        return None
    links = []
    if fragment.strip():
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        for anchor in root.iter("a"):
            href = anchor.get("href")
            if not href or href.startswith(("javascript:", "#")):
                continue
            item = next(
                (p for p in anchor.iterancestors() if p.tag in ("li", "tr")), anchor
            )
            title = anchor.get("title") or anchor.text_content().strip()
            links.append(Link(href, title, item.text_content()))
    pager = PAGINATION.search(fragment)
    rows = _number(pager.group(0), "rows") if pager else None
    count = _number(pager.group(0), "count") if pager else None
    return JpaasPage(links, rows, count)


def xxgk_unit_year(url: str) -> tuple[str, int] | None:
    """(unit, year) of an ``xxgkAnnualReport.jsp`` URL with both, else None."""
    parts = urlsplit(url)
    if not parts.path.endswith(ANNUAL_REPORT):
        return None
    query = dict(parse_qsl(parts.query))
    area, year = query.get("area", ""), query.get("fbtime", "")
    return (area, int(year)) if area and year.isdigit() else None


def xxgk_year_url(url: str, year: int) -> str:
    """The same unit's page of another year (only ``fbtime`` changes)."""
    parts = urlsplit(url)
    query = [
        (k, str(year) if k == "fbtime" else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))
