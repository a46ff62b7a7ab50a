"""`nianbao add URL`: follow a district a user names, without editing the repository.

The page is fetched and its family detected (crawler/detect.py; none: the generic
reader); then a *scouting* crawl reads the column the way a night would (its pages,
the report column found from a portal's page, the fallback) but fetches no report:
what it would archive is listed from the list titles (body and year as the crawl
resolves them). Unless ``--dry-run``, the source is appended to the user's registry,
``DATA/sources.toml``, which ``nianbao crawl`` reads beside the shipped one.
"""

from __future__ import annotations

import json
import re
import sqlite3
import ssl
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.crawl import crawl_plan, run_crawl
from archive.db import DB_NAME
from crawler.detect import Detection, Page, detect_family
from crawler.middlewares import better_charset
from crawler.recognize import Evidence, resolve
from crawler.registry import RegistryError, Source, load_registry
from crawler.settings import USER_AGENT

if TYPE_CHECKING:
    from app.config import Config

TIMEOUT = 45
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
SITE_NAME = re.compile(
    r"""<meta\s+name=["']SiteName["']\s+content=["']([^"']+)""", re.I
)


class AddError(RuntimeError):
    """Why a URL cannot be added (one line)."""


@dataclass(frozen=True, slots=True)
class Found:
    """A report the source would archive, as its list names it."""

    title: str
    url: str
    year: int | None
    body: str

    def as_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "url": self.url,
            "year": self.year,
            "body": self.body,
        }


@dataclass(frozen=True, slots=True)
class Scouted:
    """What scouting a URL found: the source to add, how its family was told, the
    reports it would archive, the list pages it read."""

    source: Source
    detection: Detection | None
    reports: tuple[Found, ...]
    pages: tuple[str, ...]


def fetch_page(url: str, proxy: str | None) -> str:
    """The page at ``url``, decoded by the evidence of its bytes.

    Certificates are not verified (many government hosts have broken ones; Scrapy
    does not verify either).

    :raises AddError: when it cannot be fetched.
    """
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.HTTPSHandler(context=ssl._create_unverified_context())  # noqa: S323
    ]
    if proxy:
        handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.build_opener(*handlers).open(
            request, timeout=TIMEOUT
        ) as answer:
            body: bytes = answer.read()
            declared = str(answer.headers.get_content_charset() or "utf-8")
    except (urllib.error.URLError, OSError) as exc:
        raise AddError(f"{url} cannot be fetched: {exc}") from exc
    charset = better_charset(body, declared, None) or declared
    return body.decode(
        "gb18030" if charset.lower() in ("gbk", "gb2312") else charset, "replace"
    )


def source_for(
    url: str,
    html: str,
    family: str,
    *,
    name: str | None,
    region: str,
    level: str,
    detection: Detection | None,
) -> Source:
    """A registry entry for ``url``: its id from the host, its body from ``name`` or
    the page's site name or title."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddError(f"{url!r} is not an http(s) URL")
    body = name or _site_name(html) or parts.hostname
    how = detection.line() if detection else "no family recognised: the generic reader"
    return Source(
        id=_source_id(parts.hostname),
        name=f"{body} 政府信息公开年报（nianbao add）",
        body=body,
        region=region,
        level=level,
        family=family,
        start_urls=(url,),
        evidence="discovered",
        seen=f"nianbao add, {datetime.now(UTC):%Y-%m-%d}: {how}",
    )


def _site_name(html: str) -> str:
    found = SITE_NAME.search(html) or TITLE.search(html)
    if not found:
        return ""
    title = re.split(r"[-_|—–]", " ".join(found.group(1).split()))
    names = [
        t.strip()
        for t in title
        if re.search(r"(政府|委员会|局|办公室|街道|镇|乡)$", t.strip())
    ]
    return names[0] if names else ""


def _source_id(host: str) -> str:
    parts = [p for p in host.split(".") if p not in ("www", "gov", "cn", "com", "org")]
    return "-".join(parts)[:40] or host


def scout(
    url: str,
    config: Config,
    *,
    proxy: str | None = None,
    family: str | None = None,
    name: str | None = None,
    region: str = "",
    level: str = "county",
    source_id: str | None = None,
) -> Scouted:
    """Detect, then read the column as a night would, fetching no report.

    :raises AddError: when the page cannot be fetched.
    """
    html = fetch_page(url, proxy)
    detection = detect_family(Page(url, html))
    chosen = family or (detection.family if detection else "generic")
    source = source_for(
        url, html, chosen, name=name, region=region, level=level, detection=detection
    )
    if source_id:
        source = replace(source, id=source_id)
    with tempfile.TemporaryDirectory(prefix="nianbao-add-") as scratch:
        plan = replace(
            crawl_plan(Path(scratch), [source], config, proxy=proxy), scout=True
        )
        run_crawl(plan)
        reports, pages = _read_scouting(Path(scratch), source)
    return Scouted(source, detection, reports, pages)


def _read_scouting(
    data: Path, source: Source
) -> tuple[tuple[Found, ...], tuple[str, ...]]:
    with sqlite3.connect(data / DB_NAME) as db:
        listed = db.execute(
            "SELECT url, title, listed_date FROM listings WHERE decision = 'report' "
            "GROUP BY url ORDER BY MIN(id)"
        ).fetchall()
        pages = db.execute(
            "SELECT DISTINCT url FROM captures WHERE kind = 'list' AND outcome = 'listed'"
        ).fetchall()
    found = []
    for url, title, date in listed:
        try:
            resolved = resolve(Evidence(title=title, published=date), source)
            year, body = resolved.year, resolved.body
        except ValueError:  # no year in the title or a date: the page would say
            year, body = None, source.body
        found.append(Found(title, url, year, body))
    return tuple(found), tuple(url for (url,) in pages)


def add_source(path: Path, source: Source) -> Path:
    """Append ``source`` to the user's registry at ``path`` (usually
    ``DATA/sources.toml``; refused if its id is taken).

    :raises AddError: when the id is already a source's.
    """
    try:
        taken = {s.id for s in load_registry(user=path)}
    except RegistryError as exc:
        raise AddError(str(exc)) from exc
    if source.id in taken:
        raise AddError(
            f"a source with id {source.id!r} exists already (`nianbao sources`)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(_toml(source))
    return path


def _toml(source: Source) -> str:
    """A ``[[source]]`` table (JSON strings are valid TOML basic strings)."""
    fields = {
        "id": source.id,
        "name": source.name,
        "body": source.body,
        "region": source.region,
        "level": source.level,
        "family": source.family,
        "start_urls": list(source.start_urls),
        "evidence": source.evidence,
        "seen": source.seen,
    }
    lines = [
        f"{key} = {json.dumps(value, ensure_ascii=False)}"
        for key, value in fields.items()
    ]
    return "\n[[source]]\n" + "\n".join(lines) + "\n"
