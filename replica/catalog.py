"""The replica on night N: every host, every response, and the manifest of its reports.

A night is built once per process (``catalog``) from the spec and ``replica/data/``.
Rendering its PDF and Word files is nearly all of the time that takes; they are kept
on disk between processes (``replica/cache.py``: keyed by a fingerprint of the
replica's code, data and libraries, and its profile; ``NIANBAO_REPLICA_CACHE=off``
renders everything), so a replica that started before starts in a fraction of a
second, serving the same bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from replica.corpus import casebook_on, form_of, postings, report_at, spec
from replica.families import fujian
from replica.model import Posting
from replica.site import DocRef, Request, Resource, Site, utc
from replica.spec import SiteSpec

Builder = Callable[[SiteSpec, list[Posting], int], Site]


def builder(family: str) -> Builder:
    """The ``build`` function of ``replica/families/<family>.py`` (a new family is a
    new module there: nothing else to register)."""
    try:
        module = importlib.import_module(f"replica.families.{family}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"no replica family {family!r} (replica/families/)") from exc
    build: Builder = module.build
    return build


MAX_EPOCH = 99


def _check_epoch(epoch: int) -> None:
    if not 1 <= epoch <= MAX_EPOCH:
        raise ValueError(f"epoch must be between 1 and {MAX_EPOCH}, got {epoch}")


@cache
def _sites(epoch: int) -> dict[str, Site]:
    """Every host as built for night ``epoch``, before Last-Modified stamping."""
    out = {}
    for site_spec in spec().sites:
        items = postings(site_spec, epoch) if site_spec.family != "fujian" else []
        out[site_spec.host] = builder(site_spec.family)(site_spec, items, epoch)
    return out


def _night(epoch: int) -> datetime:
    dates = spec().epoch_dates
    return utc(dates.get(epoch) or max(dates.values()))


def _stamp(
    resources: dict[str, Resource], history: list[dict[str, Resource]], epoch: int
) -> None:
    """Last-Modified = the night a resource's bytes became what they are now.

    ``history[k]`` holds the same store on night k+1. A resource unchanged since
    night 1 keeps its own date (publication time).
    """
    for key, resource in resources.items():
        since = epoch
        while (
            since > 1
            and (old := history[since - 2].get(key)) is not None
            and old.body == resource.body
        ):
            since -= 1
        if since > 1:
            resources[key] = resource.with_modified(
                max(resource.modified, _night(since))
            )


@dataclass(slots=True)
class Catalog:
    """All replica hosts as they stand on night ``epoch``."""

    epoch: int
    sites: dict[str, Site]

    def respond(self, request: Request) -> Resource | None:
        """The response for a request, or None if the host is not a replica host."""
        site = self.sites.get(request.host)
        if site is None:
            return None
        if request.scheme != site.scheme:
            target = site.url(
                request.path + (f"?{request.query}" if request.query else "")
            )
            return Resource(
                b"",
                "text/html",
                utc(datetime(2020, 1, 1)),
                status=301,
                validators=(),
                headers=(("Location", target),),
            )
        return site.respond(request)

    def manifest(self, *, tables: bool = False) -> list[dict[str, Any]]:
        """One entry per report published tonight: ground truth for recall and precision."""
        entries = [_synthetic_entry(self, key, tables) for key in self._report_keys()]
        entries += _real_entries(self)
        return sorted(
            entries, key=lambda e: (e["site"], e["body"], e["year"], e["key"])
        )

    def _report_keys(self) -> list[str]:
        return [
            key
            for site in self.sites.values()
            if site.family != "fujian"
            for key in site.documents
        ]


def _files(site: Site, refs: list[DocRef]) -> list[dict[str, Any]]:
    out = []
    for ref in refs:
        resource = site.fetch(ref.url)
        out.append(
            {
                "url": ref.url,
                "role": ref.role,
                "format": ref.format,
                "sha256": resource.sha256,
                "bytes": len(resource.body),
            }
        )
    return out


def _synthetic_entry(catalog: Catalog, key: str, tables: bool) -> dict[str, Any]:
    report = report_at(key, catalog.epoch)
    site = catalog.sites[report.body.site]
    site_spec = spec().site(site.host)
    entry: dict[str, Any] = {
        "key": key,
        "site": site.host,
        "family": site.family,
        "body": report.body.name,
        "body_short": report.body.short,
        "level": report.body.level,
        "region": report.body.region,
        "year": report.year,
        "title": report.title,
        "template": report.template,
        "published": report.published.strftime("%Y-%m-%d %H:%M"),
        "form": form_of(site_spec, key),
        "defects": list(report.defects),
        "seed": report.seed,
        "files": _files(site, site.documents[key]),
    }
    if casebook_on():
        from replica import casebook  # numpy and PDFium: only when asked for

        if casebook.is_case(key):
            entry.update(casebook.facts(key))
    if tables:
        figures = report.figures
        entry["tables"] = {
            "active": figures.active,
            "applications": figures.applications,
            "appeals": figures.appeals,
        }
    return entry


def _real_entries(catalog: Catalog) -> list[dict[str, Any]]:
    out = []
    for site_spec in spec().sites:
        if site_spec.family != "fujian":
            continue
        site = catalog.sites[site_spec.host]
        for page in fujian.real_pages(site_spec.option("real_pages")):
            if page.kind != "report":
                continue
            refs = site.documents[f"{site.host}/{page.docid}"]
            out.append(
                {
                    "key": f"{site.host}/{page.docid}",
                    "site": site.host,
                    "family": site.family,
                    "body": page.body,
                    "body_short": page.body,
                    "level": "county",
                    "region": site_spec.region,
                    "year": page.year,
                    "title": page.title,
                    "template": page.template,
                    "published": page.published.strftime("%Y-%m-%d %H:%M"),
                    "form": "html_pdf" if len(refs) > 1 else "html",
                    "defects": list(page.defects),
                    "seed": None,
                    "files": _files(site, refs),
                }
            )
    return out


@cache
def catalog(epoch: int) -> Catalog:
    """The replica on night ``epoch`` (built once per process, then shared).

    Its documents come from the disk cache when they are there (``replica/cache.py``).
    """
    _check_epoch(epoch)
    history = [_sites(n) for n in range(1, epoch + 1)]
    sites = history[-1]
    if epoch > 1:
        for host, site in sites.items():
            _stamp(site.resources, [h[host].resources for h in history], epoch)
            for name, store in site.stores.items():
                _stamp(store, [h[host].stores.get(name, {}) for h in history], epoch)
    return Catalog(epoch, sites)
