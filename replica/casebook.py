"""The casebook: scanned reports and planted copies, an opt-in part of the replica.

Issue 15 asks the replica for what OCR exactness and copy detection are measured
on: reports posted as scans (page pictures, no text layer; ``replica/scans.py``), a
town's report copied from its neighbour's, a body's report copied from its own
previous year, and pairs that share only the template. They live on hosts of their
own (``data/casebook.yaml``, read by ``replica/casebook_spec.py``), served only with
``Profile(casebook=True)`` (``replica serve --casebook``), so that the default replica
stays byte for byte what it was. Every casebook report has prose of its own
(``replica/local_prose.py``); the copies are copies of it.

Nothing here depends on the replica's profile: :func:`cases` gives the casebook's
reports with their facts, and :meth:`Case.document` the very bytes the server posts,
to tests of any package, without a server.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from replica.cache import stored
from replica.casebook_spec import Copy, casebook
from replica.figures import figure_series
from replica.local_prose import Draft, Facts, draft, fill, locale, slots
from replica.model import ATTACHMENT_FORMAT, Figures, Report, Section
from replica.render_docx import report_docx
from replica.render_pdf import report_pdf
from replica.render_scan import scanned
from replica.scans import Plan, Scan, plan_scan
from replica.spec import parse_time

if TYPE_CHECKING:
    from replica.model import Body

CACHE_SCOPE = "casebook"  # its documents are the same whatever the profile


def is_case(key: str) -> bool:
    """Whether a report key is one of the casebook's."""
    body_id = key.partition("/")[0]
    return any(body_id in site.years for site in casebook().sites)


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in (casebook().seed, *parts)))


def _kind(level: str) -> str:
    """A city's or a province's government publishes and counts like a county's."""
    return "county" if level in ("city", "province") else level


def _year(key: str) -> int:
    return int(key.partition("/")[2])


@cache
def _figures(body_id: str) -> dict[int, Figures]:
    book = casebook()
    site = next(s for s in book.sites if body_id in s.years)
    body = book.body(f"{body_id}/")
    years = [(y, book.template(f"{body_id}/{y}")) for y in site.years[body_id]]
    return figure_series(_kind(body.level), years, f"{book.seed}|figures|{body_id}")


@cache
def own_draft(key: str) -> Draft:
    """The words ``key``'s body would write itself (a copy prints its source's)."""
    body = casebook().body(key)
    tel = f"0536-{_rng('tel', body.id).randint(3000000, 8999999)}"
    writer = replace(body, level=_kind(body.level))
    place = locale(_rng("locale", body.id))  # the same villages every year
    template = casebook().template(key)
    return draft(writer, _year(key), template, tel, place, _rng("draft", key))


def _own_facts(key: str) -> Facts:
    body = casebook().body(key)
    year = _year(key)
    numbers = own_draft(key).numbers
    return Facts(body.name, body.short, year, _figures(body.id)[year], numbers)


def _edited(numbers: dict[str, int], count: int, rng: random.Random) -> dict[str, int]:
    """The copier's edits: ``count`` local numbers nudged to other values."""
    out = dict(numbers)
    for slot in rng.sample(sorted(numbers, key=lambda s: int(s[1:])), count):
        step = rng.randint(1, max(2, out[slot] // 5))
        down = out[slot] > step and rng.random() < 0.5
        out[slot] += -step if down else step
    return out


@cache
def text_of(key: str) -> tuple[Draft, Facts]:
    """The draft a report's text is written from, and the facts filled into it.

    A copy fills its source's draft with its own year and figures, its own names
    unless the copier forgot, and the source's local numbers, a few changed.
    """
    copy = casebook().copies.get(key)
    if copy is None:
        return own_draft(key), _own_facts(key)
    source = own_draft(copy.source)
    mine, theirs = _own_facts(key), _own_facts(copy.source)
    names = mine if copy.renamed else theirs
    numbers = _edited(dict(source.numbers), copy.numbers, _rng("copier", key))
    return source, Facts(names.name, names.short, mine.year, mine.figures, numbers)


def _published(body: Body, year: int) -> datetime:
    """Jan–Mar of year+1: towns and departments in January, governments by March."""
    rng = _rng("published", body.id, year)
    government = _kind(body.level) == "county"
    start = datetime(year + 1, 2, 20) if government else datetime(year + 1, 1, 8)
    day = start + timedelta(days=rng.randint(0, 38 if government else 22))
    return day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))


@cache
def report(key: str) -> Report:
    """The casebook report ``<body id>/<year>`` (the same on every night)."""
    book = casebook()
    body, year, override = book.body(key), _year(key), book.override(key)
    words, facts = text_of(key)

    def filled(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(fill(text, facts) for text in texts)

    title = f"{body.name}{year}年政府信息公开工作年度报告"
    heading = (body.name, title.removeprefix(body.name))
    published = override.get("published")
    return Report(
        key=key,
        body=body,
        year=year,
        template=book.template(key),  # type: ignore[arg-type]
        title=title,
        heading=(title,) if _rng("heading", key).random() < 0.5 else heading,
        intro=filled(words.intro),
        sections=(
            Section("一、总体情况", filled(words.general)),
            Section("二、主动公开政府信息情况", table="active"),
            Section("三、收到和处理政府信息公开申请情况", table="applications"),
            Section("四、政府信息公开行政复议、行政诉讼情况", table="appeals"),
            Section("五、存在的主要问题及改进情况", filled(words.problems)),
            Section("六、其他需要报告的事项", filled(words.other)),
        ),
        figures=_figures(body.id)[year],
        published=parse_time(published, key) if published else _published(body, year),
        publisher=body.name,
        list_title=title,
    )


def own_sentences(key: str) -> tuple[str, ...]:
    """The sentences of ``key``'s text its author wrote (no stock phrase among them)."""
    words, facts = text_of(key)
    return tuple(fill(sentence, facts) for sentence in words.own)


def changes(key: str) -> list[list[Any]]:
    """What a copy changed in its source's text, as ``[old, new]``: the names (if it
    wrote its own), then every number that differs (year, figures, local numbers)."""
    copy = casebook().copies[key]
    words, facts = text_of(key)
    old, new = slots(text_of(copy.source)[1]), slots(facts)
    used = "".join((*words.intro, *words.general, *words.problems, *words.other))
    out: list[list[Any]] = []
    for slot in old:
        pair = [old[slot], new[slot]]
        if "{" + slot + "}" in used and pair[0] != pair[1] and pair not in out:
            out.append(pair)
    return out


@cache
def _pdf(key: str) -> bytes:
    name = f"pdf-{quote(key, safe='')}"
    return stored(CACHE_SCOPE, name, lambda: report_pdf(report(key)))


def _scan_seed(key: str) -> str:
    return f"{casebook().seed}|{key}"


def plan(key: str) -> Plan | None:
    """What the scanner did to ``key``'s pages, or None for a report not scanned."""
    scan = casebook().scans.get(key)
    return None if scan is None else plan_scan(scan, _pdf(key), _scan_seed(key))


@cache
def document(key: str, fmt: str) -> bytes:
    """The file ``key`` is posted as, in ``fmt``: its scan, or its PDF or Word file.

    Kept in the process and on disk (``replica/cache.py``, scope ``casebook``): the
    twelve scans take ~7 s to make.
    """
    scan = casebook().scans.get(key)
    name = quote(key, safe="")
    if scan is not None:
        rep = report(key)
        return stored(
            CACHE_SCOPE,
            f"scan-{fmt}-{name}",
            lambda: scanned(
                _pdf(key),
                scan,
                fmt,
                seed=_scan_seed(key),
                seal_name=rep.body.name,
                created=rep.published,
            ),
        )
    if fmt == "pdf":
        return _pdf(key)
    return stored(CACHE_SCOPE, f"docx-{name}", lambda: report_docx(report(key)))


def facts(key: str) -> dict[str, Any]:
    """What the manifest says of a casebook report besides what it says of any."""
    book = casebook()
    scan, copy, scan_plan = book.scans.get(key), book.copies.get(key), plan(key)
    return {
        "casebook": True,
        "scanned": None
        if scan is None or scan_plan is None
        else {
            "defects": list(scan.defects),
            "dpi": scan.dpi,
            "format": ATTACHMENT_FORMAT[book.form(key)],
            "plan": scan_plan.facts(),
        },
        "copy_of": None
        if copy is None
        else {
            "key": copy.source,
            "kind": copy.kind,
            "renamed": copy.renamed,
            "changes": changes(key),
        },
        "template_only_with": book.pairs.get(key),
    }


@dataclass(frozen=True, slots=True)
class Case:
    """One casebook report and what tests need to know of it."""

    key: str
    site: str
    form: str
    report: Report
    scan: Scan | None
    copy: Copy | None
    template_only_with: str | None

    @property
    def file_format(self) -> str | None:
        """The format of the file the report is posted as (None: HTML only)."""
        return ATTACHMENT_FORMAT.get(self.form)

    @property
    def own_sentences(self) -> tuple[str, ...]:
        return own_sentences(self.key)

    @property
    def plan(self) -> Plan | None:
        return plan(self.key)

    def original_pdf(self) -> bytes:
        """The report as a text PDF: what a scan is made from (and what it printed)."""
        return _pdf(self.key)

    def document(self) -> bytes:
        """The posted file's bytes, exactly as the replica serves them."""
        if self.file_format is None:
            raise ValueError(f"{self.key} is posted as HTML only ({self.form})")
        return document(self.key, self.file_format)

    def facts(self) -> dict[str, Any]:
        """The manifest's casebook fields: ``scanned``, ``copy_of``, ``template_only_with``."""
        return facts(self.key)


def cases() -> tuple[Case, ...]:
    """Every casebook report, by key: the ground truth for OCR and copy detection."""
    book = casebook()
    return tuple(
        Case(
            key=key,
            site=book.site_of(key).host,
            form=book.form(key),
            report=report(key),
            scan=book.scans.get(key),
            copy=book.copies.get(key),
            template_only_with=book.pairs.get(key),
        )
        for key in book.report_keys()
    )


def sources_toml() -> str:
    """The casebook's hosts as a registry (``DATA/sources.toml``): one source per host,
    ids ``casebook-linqu`` …, for ``nianbao crawl --data DIR --source 'casebook-*'``."""
    out = ["# The replica's casebook (replica/casebook.py): one source per host.\n"]
    for site in casebook().sites:
        prefix = site.site_name.removesuffix("人民政府")
        start = f"{site.scheme}://{site.host}{site.option('root')['path']}index.html"
        out.append(
            "\n[[source]]\n"
            f'id = "casebook-{site.host.split(".")[1]}"\n'
            f'name = "{prefix} 政府信息公开年报（casebook）"\n'
            f'body = "{site.site_name}"\n'
            f'region = "{site.region}{prefix}"\n'
            'level = "county"\n'
            f'family = "{site.family}"\n'
            f'start_urls = ["{start}"]\n'
            'evidence = "inferred"\n'
            f'body_prefix = "{prefix}"\n'
            "quirks = { subcolumns = true }\n"
        )
    return "".join(out)
