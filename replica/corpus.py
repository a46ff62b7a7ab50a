"""Every report and noise item the synthetic sites publish, and how, at a given epoch.

Reports come from the spec (``data/sites.yaml``): the seeds' real text where a
seed is named, synthetic text and figures otherwise. All randomness is drawn from
``random.Random`` seeded with strings, so every process builds the same corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from replica.figures import blank_zeros, figure_series, unbalance
from replica.model import Body, Figures, Noise, Posting, Report
from replica.prose import (
    free_intro,
    free_sections,
    intro,
    noise_paragraphs,
    templated_sections,
)
from replica.seeds import load_seed
from replica.spec import SiteSpec, Spec, SpecError, load_spec, parse_time, scaled

DOCID_BASE = {"hanweb": 4_100_000, "hanweb_xxgk": 2_300_000, "trs": 6_000_000}


# The benchmark fixture of docs/benchmarks.md: mostly PDFs of 10–60 pages, then DOCX,
# then HTML (the default replica is HTML-heavy, like small towns' columns).
BENCH_FORMS = {
    "stub_pdf": 35,
    "pdf_only": 15,
    "html_pdf": 10,
    "stub_docx": 15,
    "docx_only": 10,
    "html": 10,
}
BENCH_PAGES = (6, 56)  # pages added to a report's 4 or so


@dataclass(frozen=True, slots=True)
class Profile:
    """How big the replica is: ``scale`` × the bodies; ``bench`` = the benchmark mix;
    ``casebook``: also the casebook's hosts (scans, planted copies: replica/casebook.py)."""

    scale: int = 1
    bench: bool = False
    casebook: bool = False


_PROFILE = {"now": Profile()}


def set_profile(profile: Profile) -> None:
    """Choose the replica's size; call before anything is built."""
    if spec.cache_info().currsize and profile != _PROFILE["now"]:
        raise RuntimeError("the replica is already built; set its profile first")
    _PROFILE["now"] = profile


def profile_name() -> str:
    """The profile as a folder name (``scale1``, ``scale4-bench``): the document cache's scope.

    The casebook changes no other document, so it does not change the name (its own
    documents have their own scope, ``casebook``).
    """
    profile = _PROFILE["now"]
    return f"scale{profile.scale}" + ("-bench" if profile.bench else "")


def casebook_on() -> bool:
    """Whether the replica serves the casebook's hosts too (``Profile(casebook=True)``)."""
    return _PROFILE["now"].casebook


@cache
def spec() -> Spec:
    """The site spec (scaled as the profile says), loaded once per process."""
    profile = _PROFILE["now"]
    loaded = scaled(load_spec(), profile.scale)
    if profile.bench:
        sites = tuple(
            replace(s, options={**s.options, "forms": BENCH_FORMS})
            for s in loaded.sites
        )
        loaded = replace(loaded, sites=sites)
    if profile.casebook:  # after scaling and the bench mix: it is neither
        from replica.casebook_spec import casebook  # numpy, PDFium: only if asked

        loaded = _with_sites(loaded, casebook().sites)
    return loaded


def _with_sites(loaded: Spec, more: tuple[SiteSpec, ...]) -> Spec:
    """The spec with more hosts; none may reuse a host or a body id."""
    hosts = {s.host for s in loaded.sites}
    bodies = {b.id for s in loaded.sites for b in s.bodies}
    for site in more:
        clash = ({site.host} & hosts) | ({b.id for b in site.bodies} & bodies)
        if clash:
            raise SpecError(f"casebook: {sorted(clash)} already in the replica")
    return replace(loaded, sites=loaded.sites + more)


def default_template(year: int) -> str:
    """The template a body of that year would normally use."""
    return "2019" if year <= 2020 else "2021"


def _kind(level: str) -> str:
    """A city's or a province's government publishes and counts like a county's."""
    return "county" if level in ("city", "province") else level


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in (spec().seed, *parts)))


def _publication_time(body: Body, year: int) -> datetime:
    """Jan–Mar of year+1: towns and departments in January, governments by March."""
    rng = _rng("published", body.id, year)
    government = _kind(body.level) == "county"
    start = datetime(year + 1, 2, 20) if government else datetime(year + 1, 1, 8)
    span = 38 if government else 22
    day = start + timedelta(days=rng.randint(0, span))
    return day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))


def _report_years(site: SiteSpec, body: Body) -> list[int]:
    years = list(site.years[body.id])
    new_body, _, new_year = spec().changes.new_report.partition("/")
    if new_body == body.id:
        years.append(int(new_year))
    return sorted(set(years))


@cache
def _series(body_id: str) -> dict[int, Figures]:
    body = spec().body(body_id)
    site = spec().site(body.site)
    years = [(y, _template(site, body, y)) for y in _report_years(site, body)]
    return figure_series(_kind(body.level), years, f"{spec().seed}|figures|{body.id}")


def _template(site: SiteSpec, body: Body, year: int) -> str:
    override = site.overrides.get(f"{body.id}/{year}", {})
    if "seed" in override:
        return load_seed(override["seed"]).template
    return str(override.get("template", default_template(year)))


def _title(
    body: Body, year: int, override: dict[str, Any], defects: tuple[str, ...]
) -> str:
    if "no_body_in_title" in defects:
        return f"{year}年政府信息公开工作年度报告"
    if "no_year_in_title" in defects:
        return f"{body.name}政府信息公开工作年度报告"
    pattern = str(override.get("title", "{name}{year}年政府信息公开工作年度报告"))
    return pattern.format(name=body.name, short=body.short, year=year)


def _heading(title: str, body: Body, rng: random.Random) -> tuple[str, ...]:
    """Word documents often put the body on one line and the title on the next."""
    if title.startswith(body.name) and rng.random() < 0.5:
        return body.name, title.removeprefix(body.name)
    return (title,)


@cache
def build_report(key: str) -> Report:
    """The report ``<body id>/<year>`` as first published (epoch 1)."""
    if casebook_on():
        from replica import casebook

        if casebook.is_case(key):
            return casebook.report(key)
    body_id, _, year_text = key.partition("/")
    year = int(year_text)
    body = spec().body(body_id)
    site = spec().site(body.site)
    override = site.overrides.get(key, {})
    defects = tuple(override.get("defects", ()))
    rng = _rng("report", key)
    published = (
        parse_time(override["published"], key)
        if "published" in override
        else _publication_time(body, year)
    )
    if "seed" in override:
        seed = load_seed(override["seed"])
        return Report(
            key=key,
            body=body,
            year=year,
            template=seed.template,  # type: ignore[arg-type]
            title=seed.title,
            heading=seed.heading,
            intro=seed.intro,
            sections=seed.sections,
            figures=seed.figures,
            published=published,
            publisher=body.name,
            seed=override["seed"],
            list_title=override.get("list_title", seed.title),
        )
    template = _template(site, body, year)
    figures = _series(body.id)[year]
    writer = replace(body, level=_kind(body.level))  # the prose knows three levels
    if template == "free":
        sections = free_sections(writer, year, figures, rng)
        opening = free_intro(writer, year)
        figures = Figures()
    else:
        sections = templated_sections(writer, year, figures, rng)
        opening = intro(writer, year, template, rng, typo="year_typo" in defects)
    extra_pages = rng.randint(*BENCH_PAGES) if _PROFILE["now"].bench else 0
    if "unbalanced" in defects:
        figures = unbalance(figures)
    if "blank_cells" in defects:
        figures = blank_zeros(figures)
    title = _title(body, year, override, defects)
    return Report(
        key=key,
        body=body,
        year=year,
        template=template,  # type: ignore[arg-type]
        title=title,
        heading=_heading(title, body, rng),
        intro=opening,
        sections=sections,
        figures=figures,
        published=published,
        publisher=body.name,
        defects=defects,
        blank_zeros="blank_cells" in defects,
        list_title=override.get("list_title", title),
        extra_pages=extra_pages,
    )


def _edited(report: Report) -> Report:
    """Night 2's silent edit: one number in one table changes, nothing else."""
    edit = spec().changes.edited
    tables = {
        "active": report.figures.active,
        "applications": report.figures.applications,
        "appeals": report.figures.appeals,
    }
    table = {row: dict(cells) for row, cells in (tables[edit.table] or {}).items()}
    if edit.row not in table or edit.column not in table[edit.row]:
        raise ValueError(
            f"changes.edited: {edit.report} has no cell {edit.row}/{edit.column}"
        )
    table[edit.row][edit.column] = edit.value
    figures = replace(report.figures, **{edit.table: table})
    return replace(report, figures=figures)


def _resaved(report: Report, night: datetime) -> Report:
    """Night 2's re-save: same document, the PDF writer stamps new metadata."""
    return replace(report, pdf_producer="WPS 文字 (11.1.0.14309)", pdf_saved=night)


def changed_keys() -> frozenset[str]:
    """Reports whose files differ from night 2 on (edited or re-saved)."""
    return frozenset({spec().changes.edited.report, spec().changes.resaved_pdf})


def report_at(key: str, epoch: int) -> Report:
    """The report as its site serves it on night ``epoch``."""
    report = build_report(key)
    if epoch < 2:
        return report
    changes = spec().changes
    if key == changes.edited.report:
        report = _edited(report)
    if key == changes.resaved_pdf:
        report = _resaved(report, spec().epoch_dates[2])
    return report


def report_keys(site: SiteSpec, epoch: int) -> list[str]:
    """The reports a synthetic site publishes on night ``epoch``."""
    changes = spec().changes
    keys = [f"{body.id}/{year}" for body in site.bodies for year in site.years[body.id]]
    if epoch >= 2:
        keys = [k for k in keys if k != changes.removed]
        if changes.new_report.split("/")[0] in site.years:
            keys.append(changes.new_report)
    return keys


def all_report_keys(site: SiteSpec) -> list[str]:
    """Every report a site ever publishes, on any night (ids must not depend on the night)."""
    return sorted(set(report_keys(site, 1)) | set(report_keys(site, 2)))


def form_of(site: SiteSpec, key: str) -> str:
    """How a report is posted: the spec's override, else drawn from the site's mix."""
    override = site.overrides.get(key, {})
    if "form" in override:
        return str(override["form"])
    weights: dict[str, int] = site.option("forms") or {"html": 1}
    forms = sorted(weights)
    return _rng("form", key).choices(forms, weights=[weights[f] for f in forms])[0]


def _column(site: SiteSpec, report: Report) -> str:
    if site.option("columns") and site.family.startswith("hanweb"):
        return str(report.year)  # hanweb year sub-columns
    return report.body.column


def _docids(
    site: SiteSpec, items: list[tuple[datetime, str, int | None]]
) -> dict[str, int]:
    """CMS document ids grow with publication time; pinned ids (seen on the real site) stay."""
    rng = _rng("docids", site.host)
    next_id = DOCID_BASE.get(site.family, 1_000_000)
    out: dict[str, int] = {}
    for _published, key, pinned in sorted(items, key=lambda t: (t[0], t[1])):
        next_id += rng.randint(40, 4000)
        out[key] = pinned or next_id
    return out


@cache
def _noise(site_host: str) -> tuple[Noise, ...]:
    site = spec().site(site_host)
    return tuple(
        Noise(
            id=f"{site.host}/noise/{i}",
            site=site.host,
            column=item.column,
            kind=item.kind,
            title=item.title,
            publisher=site.site_name,
            published=item.published,
            paragraphs=noise_paragraphs(
                item.kind, item.title, _rng("noise", site.host, i)
            ),
        )
        for i, item in enumerate(site.noise)
    )


def postings(site: SiteSpec, epoch: int) -> list[Posting]:
    """Everything a synthetic site lists on night ``epoch``, newest first."""
    reports = [report_at(key, epoch) for key in all_report_keys(site)]
    noise = _noise(site.host)
    pinned = {
        key: site.overrides.get(key, {}).get("docid") for key in all_report_keys(site)
    }
    ids = _docids(
        site,
        [(r.published, r.key, pinned[r.key]) for r in reports]
        + [(n.published, n.id, None) for n in noise],
    )
    live = set(report_keys(site, epoch))
    out = [
        Posting(
            item=r,
            site=site.host,
            column=_column(site, r),
            form=form_of(site, r.key),
            docid=ids[r.key],
            published=r.published,
            list_title=r.list_title or r.title,
        )
        for r in reports
        if r.key in live
    ]
    out += [
        Posting(
            item=n,
            site=site.host,
            column=n.column,
            form="html",
            docid=ids[n.id],
            published=n.published,
            list_title=n.title,
        )
        for n in noise
    ]
    return sorted(out, key=lambda p: (p.published, p.docid), reverse=True)
