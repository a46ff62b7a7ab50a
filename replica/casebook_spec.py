"""Load and check ``data/casebook.yaml``: the casebook's hosts, scans, copies and pairs.

The file has the schema of ``sites.yaml`` (``spec.load_sites``) plus three per-report
keys, checked here: ``scan`` (``scans.check_scan``), ``copy_of`` and
``template_only_with``. A fault raises :class:`replica.spec.SpecError` naming the
report and the rule it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from replica.scans import Scan, check_scan
from replica.spec import DATA_DIR, SpecError, load_sites

if TYPE_CHECKING:
    from pathlib import Path

    from replica.model import Body
    from replica.spec import SiteSpec

CASEBOOK_PATH = DATA_DIR / "casebook.yaml"
CASE_KEYS = frozenset({"scan", "copy_of", "template_only_with"})
# A scan is posted as a file with no text beside it (no HTML copy of the report).
SCAN_FORMS = ("pdf_only", "stub_pdf", "stub_docx", "docx_only")


@dataclass(frozen=True, slots=True)
class Copy:
    """A planted copy: whose text it took, and what the copier changed.

    ``kind``: ``neighbour`` (another body's report of the same year) or ``last_year``
    (its own body's previous report). ``renamed``: whether the copier wrote this
    body's name over the source's. ``numbers``: how many of the source's local
    numbers it changed besides the figures, which are always this report's own.
    """

    source: str
    kind: str
    renamed: bool
    numbers: int


@dataclass(frozen=True, slots=True)
class Casebook:
    """The parsed casebook: its hosts and, by report key, the scans, copies and pairs."""

    seed: str
    sites: tuple[SiteSpec, ...]
    scans: dict[str, Scan]
    copies: dict[str, Copy]
    pairs: dict[str, str]  # both ways: key → the key it shares only the template with

    def site_of(self, key: str) -> SiteSpec:
        body_id = key.partition("/")[0]
        return next(s for s in self.sites if body_id in s.years)

    def body(self, key: str) -> Body:
        body_id = key.partition("/")[0]
        return next(b for b in self.site_of(key).bodies if b.id == body_id)

    def override(self, key: str) -> dict[str, Any]:
        return dict(self.site_of(key).overrides.get(key, {}))

    def form(self, key: str) -> str:
        return str(self.override(key)["form"])

    def template(self, key: str) -> str:
        year = int(key.partition("/")[2])
        return str(
            self.override(key).get("template", "2019" if year <= 2020 else "2021")
        )

    def report_keys(self) -> list[str]:
        return sorted(
            f"{body.id}/{year}"
            for site in self.sites
            for body in site.bodies
            for year in site.years[body.id]
        )


def _copy(key: str, raw: Any, where: str) -> Copy:
    if not isinstance(raw, dict) or "report" not in raw:
        raise SpecError(f"{where}: report {key!r} copy_of must be {{report: KEY, …}}")
    source = str(raw["report"])
    same_body = source.partition("/")[0] == key.partition("/")[0]
    return Copy(
        source=source,
        kind="last_year" if same_body else "neighbour",
        renamed=bool(raw.get("renamed", True)),
        numbers=int(raw.get("numbers", 0)),
    )


def _check_reports(book: Casebook, where: str) -> None:
    for key in book.report_keys():
        override = book.override(key)
        if "form" not in override:
            raise SpecError(f"{where}: report {key!r} must name its form")
        if override.get("template") == "free":
            raise SpecError(f"{where}: report {key!r}: the casebook has no free layout")
        if key in book.scans and override["form"] not in SCAN_FORMS:
            raise SpecError(
                f"{where}: scanned report {key!r} must be posted as one of {SCAN_FORMS}"
            )


def _check_copies(book: Casebook, where: str) -> None:
    keys = set(book.report_keys())
    for key, copy in book.copies.items():
        if copy.source not in keys or copy.source in book.copies:
            raise SpecError(
                f"{where}: report {key!r} copies {copy.source!r}, not a report of its own"
            )
        year = int(key.partition("/")[2])
        wanted = year - 1 if copy.kind == "last_year" else year
        if int(copy.source.partition("/")[2]) != wanted or (
            book.template(key) != book.template(copy.source)
        ):
            raise SpecError(
                f"{where}: report {key!r} cannot copy {copy.source!r}: a neighbour's "
                "copy is of the same year, a last year's of the year before, same template"
            )
    for key, other in book.pairs.items():
        if other not in keys or key.partition("/")[2] != other.partition("/")[2]:
            raise SpecError(
                f"{where}: report {key!r} template_only_with {other!r}: not a report "
                "of the same year"
            )
        if key in book.copies or other in book.copies:
            raise SpecError(f"{where}: {key!r} and {other!r} must both be their own")


def load_casebook(path: Path = CASEBOOK_PATH) -> Casebook:
    """Read and check a casebook file; :class:`SpecError` names the report at fault."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = path.name
    if "seed" not in raw:
        raise SpecError(f"{where}: missing field 'seed'")
    sites = load_sites(path, CASE_KEYS)
    overrides = {k: v for site in sites for k, v in site.overrides.items()}
    pairs: dict[str, str] = {}
    for key, override in overrides.items():
        if "template_only_with" in override:
            other = str(override["template_only_with"])
            pairs[key], pairs[other] = other, key
    book = Casebook(
        seed=str(raw["seed"]),
        sites=sites,
        scans={
            k: check_scan(v["scan"], f"{where}: report {k!r}")
            for k, v in overrides.items()
            if "scan" in v
        },
        copies={
            k: _copy(k, v["copy_of"], where)
            for k, v in overrides.items()
            if "copy_of" in v
        },
        pairs=pairs,
    )
    _check_reports(book, where)
    _check_copies(book, where)
    return book


@cache
def casebook() -> Casebook:
    """``data/casebook.yaml``, read and checked once per process."""
    return load_casebook()
