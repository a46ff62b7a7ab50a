"""The sources registry: ``crawler/sites/*.toml``, one file per site family.

Each ``[[source]]`` is one listing to crawl: the body or portal, its region and level,
its site family, start URLs, how sure we are that the URLs are real, and per-site
quirks. A malformed entry stops everything with an error that names the file, the
entry and the field.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SITES_DIR = Path(__file__).parent / "sites"
SPIDERS_DIR = Path(__file__).parent / "spiders"
# A family is a spider module of crawler/spiders/ whose spider is named after it
# (tests/crawler/test_scrapy_project.py holds `scrapy list` to this).
FAMILIES = tuple(
    sorted(
        p.stem for p in SPIDERS_DIR.glob("*.py") if p.stem not in ("__init__", "base")
    )
)
LEVELS = ("province", "city", "county", "department", "town")
EVIDENCE = ("confirmed", "inferred", "discovered")  # discovered: by `nianbao add`
MENTIONED = 50  # known ids an error names before it says "and N more"
REQUIRED = ("id", "name", "body", "region", "level", "family", "start_urls", "evidence")
OPTIONAL = ("seen", "body_prefix", "aliases", "covers", "quirks")


class RegistryError(ValueError):
    """A registry file or entry is malformed; the message says where and what."""


@dataclass(frozen=True, slots=True)
class Source:
    """One listing to crawl."""

    id: str
    name: str
    body: str
    region: str
    level: str
    family: str
    start_urls: tuple[str, ...]
    evidence: str
    seen: str = ""
    body_prefix: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    covers: tuple[str, ...] = ()
    quirks: dict[str, Any] = field(default_factory=dict)
    file: str = ""

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts this source may fetch from (its start URLs' hosts)."""
        return frozenset(urlsplit(u).hostname or "" for u in self.start_urls)

    def quirk(self, name: str, default: Any = None) -> Any:
        return self.quirks.get(name, default)


def _check(entry: dict[str, Any], where: str) -> None:
    for name in REQUIRED:
        if name not in entry:
            raise RegistryError(f"{where}: missing field {name!r}")
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {sorted(unknown)}")
    for name, allowed in (
        ("family", FAMILIES),
        ("level", LEVELS),
        ("evidence", EVIDENCE),
    ):
        if entry[name] not in allowed:
            raise RegistryError(
                f"{where}: field {name!r} must be one of {allowed}, got {entry[name]!r}"
            )
    urls = entry["start_urls"]
    if not isinstance(urls, list) or not urls:
        raise RegistryError(
            f"{where}: field 'start_urls' must be a non-empty list of URLs"
        )
    for url in urls:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RegistryError(
                f"{where}: field 'start_urls' has {url!r}, which is not an http(s) URL"
            )
    for name in ("aliases", "quirks"):
        if not isinstance(entry.get(name, {}), dict):
            raise RegistryError(f"{where}: field {name!r} must be a table")
    if entry.get("quirks", {}).get("js_list") and any(
        not str(u).startswith("https://") for u in urls
    ):
        raise RegistryError(
            f"{where}: field 'start_urls' must be https:// for a js_list source "
            "(only HTTPS goes through the browser; see crawler/settings.py)"
        )


def load_file(path: Path) -> list[Source]:
    """The sources of one registry file."""
    label = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{label}: not valid TOML: {exc}") from exc
    out = []
    for index, entry in enumerate(raw.get("source", [])):
        where = f"{label}: source[{index}]" + (
            f" (id {entry['id']!r})" if "id" in entry else ""
        )
        _check(entry, where)
        out.append(
            Source(
                id=entry["id"],
                name=entry["name"],
                body=entry["body"],
                region=entry["region"],
                level=entry["level"],
                family=entry["family"],
                start_urls=tuple(entry["start_urls"]),
                evidence=entry["evidence"],
                seen=entry.get("seen", ""),
                body_prefix=entry.get("body_prefix", ""),
                aliases=dict(entry.get("aliases", {})),
                covers=tuple(entry.get("covers", ())),
                quirks=dict(entry.get("quirks", {})),
                file=label,
            )
        )
    return out


def load_registry(
    directory: Path = SITES_DIR, user: Path | None = None
) -> list[Source]:
    """Every source of every registry file, then of the user's registry (``user``,
    usually ``DATA/sources.toml``, written by ``nianbao add``) if it exists; ids must
    be unique across all of them."""
    sources: list[Source] = []
    first: dict[str, Source] = {}
    files = sorted(directory.glob("*.toml"))
    if user is not None and user.is_file():
        files.append(user)
    for path in files:
        for source in load_file(path):
            clash = first.setdefault(source.id, source)
            if clash is not source:
                raise RegistryError(
                    f"{source.file}: source id {source.id!r} is already used in {clash.file}"
                )
            sources.append(source)
    if not sources:
        raise RegistryError(
            f"{directory}: no sources (expected *.toml files with [[source]] entries)"
        )
    return sources


def select(sources: list[Source], ids: tuple[str, ...]) -> list[Source]:
    """The sources named by ``ids``, in the registry's order (all of them when none is
    named). An id may be a shell-style pattern (``anqiu*``, ``fleet00??-*``) when a
    registry holds more sources than anyone types; each must name at least one."""
    if not ids:
        return sources
    known = {s.id: s for s in sources}
    chosen: dict[str, Source] = {}
    unknown = []
    for name in ids:
        if name in known:
            chosen.setdefault(name, known[name])
        elif matched := [s for s in sources if fnmatch.fnmatchcase(s.id, name)]:
            chosen.update((s.id, s) for s in matched if s.id not in chosen)
        else:
            unknown.append(name)
    if unknown:
        names = sorted(known)
        more = f" and {len(names) - MENTIONED} more" if len(names) > MENTIONED else ""
        raise RegistryError(
            f"unknown source id(s) {unknown}; known: {names[:MENTIONED]}{more}"
        )
    return list(chosen.values())
