"""Load and check ``data/sites.yaml``: the replica's sites, bodies, reports and epochs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from replica.model import FORMS, LEVELS, Body

DATA_DIR = Path(__file__).parent / "data"
SPEC_PATH = DATA_DIR / "sites.yaml"
SITES_DIR = "sites.d"  # beside sites.yaml: more sites, one file per family
# A family is a module of replica/families/ with a ``build`` (common and shells are helpers).
FAMILIES = tuple(
    sorted(
        p.stem
        for p in (Path(__file__).parent / "families").glob("*.py")
        if p.stem not in ("__init__", "common", "shells")
    )
)
DEFECTS = (
    "unbalanced",
    "blank_cells",
    "no_body_in_title",
    "no_year_in_title",
    "year_typo",
)
# A site may repost the reports of bodies above it (the city's government, the
# province's): those bodies carry their own level, and may name their own region.
BODY_LEVELS = ("province", "city", *LEVELS)
OVERRIDE_KEYS = {
    "form",
    "template",
    "title",
    "list_title",
    "published",
    "docid",
    "seed",
    "defects",
}


class SpecError(ValueError):
    """The site spec is malformed; the message names the entry and the field."""


@dataclass(frozen=True, slots=True)
class NoiseSpec:
    column: str
    kind: str
    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """One replica host and what it publishes."""

    host: str
    family: str
    scheme: str
    site_name: str
    region: str
    bodies: tuple[Body, ...]
    years: dict[str, tuple[int, ...]]
    overrides: dict[str, dict[str, Any]]
    noise: tuple[NoiseSpec, ...]
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        """A family-specific setting from the spec (``perpage``, ``columns``…)."""
        return self.options.get(name, default)


@dataclass(frozen=True, slots=True)
class EditSpec:
    report: str
    table: str
    row: str
    column: str
    value: int | float


@dataclass(frozen=True, slots=True)
class Changes:
    """What night 2 changes (and nights 3, 4… keep changed)."""

    new_report: str
    edited: EditSpec
    resaved_pdf: str
    removed: str


@dataclass(frozen=True, slots=True)
class Spec:
    seed: str
    epoch_dates: dict[int, datetime]
    changes: Changes
    sites: tuple[SiteSpec, ...]

    def site(self, host: str) -> SiteSpec:
        for site in self.sites:
            if site.host == host:
                return site
        raise KeyError(host)

    def body(self, body_id: str) -> Body:
        for site in self.sites:
            for body in site.bodies:
                if body.id == body_id:
                    return body
        raise KeyError(body_id)


def parse_time(value: Any, where: str) -> datetime:
    """Parse ``YYYY-MM-DD HH:MM`` (Asia/Shanghai wall time, kept naive)."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M")
    except ValueError:
        raise SpecError(
            f"{where}: expected 'YYYY-MM-DD HH:MM', got {value!r}"
        ) from None


def _years(value: Any, where: str) -> tuple[int, ...]:
    text = str(value)
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return tuple(range(first, last + 1))
        return (int(text),)
    except ValueError:
        raise SpecError(
            f"{where}: expected a year or 'YYYY-YYYY', got {value!r}"
        ) from None


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise SpecError(f"{where}: missing field {key!r}")
    return entry[key]


def _body(entry: dict[str, Any], site: dict[str, Any], where: str) -> Body:
    level = _need(entry, "level", where)
    if level not in BODY_LEVELS:
        raise SpecError(
            f"{where}: field 'level' must be one of {BODY_LEVELS}, got {level!r}"
        )
    return Body(
        id=_need(entry, "id", where),
        name=_need(entry, "name", where),
        short=_need(entry, "short", where),
        level=level,
        site=site["host"],
        column=str(entry.get("column", "")),
        region=entry.get("region", site.get("region", "")),
    )


def _check_override(
    key: str, override: dict[str, Any], where: str, extra: frozenset[str]
) -> None:
    unknown = set(override) - OVERRIDE_KEYS - extra
    if unknown:
        raise SpecError(
            f"{where}: unknown field(s) {sorted(unknown)} in report {key!r}"
        )
    if "form" in override and override["form"] not in FORMS:
        raise SpecError(f"{where}: report {key!r} field 'form' must be one of {FORMS}")
    for defect in override.get("defects", ()):
        if defect not in DEFECTS:
            raise SpecError(f"{where}: report {key!r} has unknown defect {defect!r}")
    if "published" in override:
        parse_time(override["published"], f"{where}: report {key!r} field 'published'")


def _site(
    entry: dict[str, Any],
    index: int,
    *,
    source: str = SPEC_PATH.name,
    extra: frozenset[str] = frozenset(),
) -> SiteSpec:
    """One ``sites:`` entry; ``extra``: more per-report keys the caller checks itself."""
    where = f"{source}: sites[{index}]"
    host = _need(entry, "host", where)
    where = f"{source}: site {host}"
    family = _need(entry, "family", where)
    if family not in FAMILIES:
        raise SpecError(
            f"{where}: field 'family' must be one of {FAMILIES}, got {family!r}"
        )
    bodies, years = [], {}
    for i, raw in enumerate(entry.get("bodies", ())):
        body = _body(raw, entry, f"{where}: bodies[{i}]")
        bodies.append(body)
        years[body.id] = _years(_need(raw, "years", f"{where}: bodies[{i}]"), where)
    overrides = dict(entry.get("reports", {}) or {})
    for key, override in overrides.items():
        _check_override(key, override, where, extra)
        if key.split("/")[0] not in years:
            raise SpecError(
                f"{where}: report {key!r} names a body this site does not have"
            )
    noise = tuple(
        NoiseSpec(
            column=str(item.get("column", "")),
            kind=_need(item, "kind", f"{where}: noise[{i}]"),
            title=_need(item, "title", f"{where}: noise[{i}]"),
            published=parse_time(
                _need(item, "published", f"{where}: noise[{i}]"), where
            ),
        )
        for i, item in enumerate(entry.get("noise", ()) or ())
    )
    known = {
        "host",
        "family",
        "scheme",
        "site_name",
        "region",
        "bodies",
        "reports",
        "noise",
    }
    return SiteSpec(
        host=host,
        family=family,
        scheme=entry.get("scheme", "http"),
        site_name=_need(entry, "site_name", where),
        region=entry.get("region", ""),
        bodies=tuple(bodies),
        years=years,
        overrides=overrides,
        noise=noise,
        options={k: v for k, v in entry.items() if k not in known},
    )


def load_sites(path: Path, extra: frozenset[str] = frozenset()) -> tuple[SiteSpec, ...]:
    """The ``sites:`` of another spec file (same schema as ``sites.yaml``), e.g. the
    casebook's; ``extra`` names the per-report keys that file may use besides
    :data:`OVERRIDE_KEYS` (its reader checks them)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        _site(entry, i, source=path.name, extra=extra)
        for i, entry in enumerate(raw.get("sites", ()))
    )


def _changes(raw: dict[str, Any]) -> Changes:
    where = f"{SPEC_PATH.name}: changes"
    edit = _need(raw, "edited", where)
    return Changes(
        new_report=_need(raw, "new_report", where),
        edited=EditSpec(
            report=_need(edit, "report", f"{where}.edited"),
            table=_need(edit, "table", f"{where}.edited"),
            row=_need(edit, "row", f"{where}.edited"),
            column=_need(edit, "column", f"{where}.edited"),
            value=_need(edit, "value", f"{where}.edited"),
        ),
        resaved_pdf=_need(raw, "resaved_pdf", where),
        removed=_need(raw, "removed", where),
    )


def load_spec(path: Path = SPEC_PATH) -> Spec:
    """Read the spec; raise :class:`SpecError` naming the entry and field at fault.

    The sites are those of ``sites.yaml`` and then those of every ``sites.d/*.yaml``
    beside it (one file per family's hosts, in name order): a new family adds a file.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = list(raw.get("sites", ()))
    for extra in sorted((path.parent / SITES_DIR).glob("*.yaml")):
        more = yaml.safe_load(extra.read_text(encoding="utf-8")) or {}
        entries += list(more.get("sites", ()))
    sites = tuple(_site(entry, i) for i, entry in enumerate(entries))
    hosts = [s.host for s in sites]
    if len(set(hosts)) != len(hosts):
        raise SpecError(f"{path.name}: a host is specified twice: {sorted(hosts)}")
    dates = {
        int(n): parse_time(value, f"{path.name}: epoch_dates[{n}]")
        for n, value in _need(raw, "epoch_dates", path.name).items()
    }
    spec = Spec(
        seed=str(_need(raw, "seed", path.name)),
        epoch_dates=dates,
        changes=_changes(_need(raw, "changes", path.name)),
        sites=sites,
    )
    _check_changes(spec)
    return spec


def _check_changes(spec: Spec) -> None:
    """Every change must name a report the spec can produce."""
    c = spec.changes
    for name, key in (
        ("new_report", c.new_report),
        ("edited.report", c.edited.report),
        ("resaved_pdf", c.resaved_pdf),
        ("removed", c.removed),
    ):
        body_id, _, year = key.partition("/")
        try:
            body = spec.body(body_id)
        except KeyError:
            raise SpecError(f"changes.{name}: unknown body {body_id!r}") from None
        if not year.isdigit():
            raise SpecError(f"changes.{name}: expected '<body>/<year>', got {key!r}")
        if (
            name != "new_report"
            and int(year) not in spec.site(body.site).years[body_id]
        ):
            raise SpecError(f"changes.{name}: {key!r} is not a published report")


def scaled(spec: Spec, factor: int) -> Spec:
    """The same sites with ``factor`` times as many bodies (for benchmarks).

    Copy *k* of a body is the same kind of body with *k* in its name (汪疃镇 →
    汪疃2镇), publishing the same years in the same columns; the spec's per-report
    overrides and night-2 changes stay on the originals.
    """
    if factor < 1:
        raise SpecError(f"scale must be 1 or more, got {factor}")
    if factor == 1:
        return spec
    sites = []
    for site in spec.sites:
        bodies, years = list(site.bodies), dict(site.years)
        for k in range(2, factor + 1):
            for body in site.bodies:
                short = f"{body.short[:-1]}{k}{body.short[-1]}"
                copy = replace(
                    body,
                    id=f"{body.id}-{k}",
                    short=short,
                    name=body.name.replace(body.short, short),
                )
                bodies.append(copy)
                years[copy.id] = site.years[body.id]
        sites.append(replace(site, bodies=tuple(bodies), years=years))
    return replace(spec, sites=tuple(sites))
