"""An Atom 1.0 feed of new and changed reports, for any feed reader to follow.

Entries come from ``events`` (``new_report`` and ``changed``), newest first. A
source's first crawl (``baseline`` events) is left out: those reports were not just
published, the archive only started watching them, and a reader subscribing would
otherwise get the whole backlog as "news". Several ``changed`` events of one report in
one run (its page and its PDF) make one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from archive.export import atomic_output

if TYPE_CHECKING:
    from sqlite_utils import Database

    from alerts.config import Alerts

ATOM = "http://www.w3.org/2005/Atom"
FEED_KINDS = ("new_report", "changed")
TITLES = {"new_report": "年报已发布", "changed": "年报被修改"}
TAG_DATE = "2025"  # the tag URI's date: fixed, so that ids never change
EPOCH = "1970-01-01T00:00:00Z"  # `updated` of a feed over an archive with no run


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry: a report that appeared, or changed, in one run."""

    event_id: int  # the first event of the entry: its stable id
    kind: str
    updated: str
    report_id: int
    body: str
    year: int
    title: str
    published: str | None
    region: str
    files: tuple[str, ...]  # the files' addresses on the government site
    archived: tuple[
        str, ...
    ] = ()  # the SHA-256 of the versions archived (/-/original/…)


def _rfc3339(text: str) -> str:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _rows(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def feed_entries(db: Database, limit: int = 100) -> list[FeedEntry]:
    """The newest ``limit`` entries: non-baseline new and changed reports, newest first."""
    rows = _rows(
        db,
        """SELECT e.id, e.run_id, e.kind, e.created, e.report_id, d.url,
                  r.body, r.year, r.title, r.published, r.region,
                  (SELECT sha256 FROM versions WHERE id = e.version_id) AS sha256
           FROM events e JOIN reports r ON r.id = e.report_id
           LEFT JOIN documents d ON d.id = e.document_id
           WHERE e.kind IN ('new_report', 'changed') AND e.baseline = 0
           ORDER BY e.id""",
        [],
    )
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["kind"], row["run_id"], row["report_id"]), []).append(
            row
        )
    entries = [_entry(db, group) for group in groups.values()]
    entries.sort(key=lambda e: (e.updated, e.event_id), reverse=True)
    return entries[:limit]


def _entry(db: Database, group: list[dict[str, Any]]) -> FeedEntry:
    first = group[0]
    if first["kind"] == "new_report":  # every file the report arrived with
        found = db.execute(
            """SELECT d.url, v.sha256 FROM documents d
               LEFT JOIN versions v ON v.id = d.current_version_id
               WHERE d.report_id = ? AND d.first_seen_run = ? ORDER BY d.id""",
            [first["report_id"], first["run_id"]],
        ).fetchall()
        files = [u for u, _ in found]
        archived = [h for _, h in found if h]
    else:
        files = [row["url"] for row in group if row["url"]]
        archived = [row["sha256"] for row in group if row["sha256"]]
    return FeedEntry(
        event_id=first["id"],
        kind=first["kind"],
        updated=_rfc3339(max(row["created"] for row in group)),
        report_id=first["report_id"],
        body=first["body"],
        year=first["year"],
        title=first["title"],
        published=first["published"],
        region=first["region"],
        files=tuple(dict.fromkeys(files)),
        archived=tuple(dict.fromkeys(archived)),
    )


def tag_uri(alerts: Alerts, specific: str) -> str:
    """A tag URI (RFC 4151) under the Datasette host and database: stable across rebuilds."""
    host = urlsplit(alerts.datasette_url).hostname or "nianbao"
    return f"tag:{host},{TAG_DATE}:{alerts.database}/{specific}"


def original_url(alerts: Alerts, sha256: str) -> str:
    """The archived copy of a file, as ``nianbao serve`` gives it."""
    return f"{alerts.datasette_url.rstrip('/')}/-/original/{sha256}"


def report_url(alerts: Alerts, report_id: int) -> str:
    """The report's row in Datasette."""
    return f"{alerts.datasette_url.rstrip('/')}/{alerts.database}/reports/{report_id}"


def _summary(e: FeedEntry) -> str:
    files = "\n".join(e.files)
    if e.kind == "new_report":
        return (
            f"{e.title}。机关：{e.body}；地区：{e.region}；"
            f"网站标注的发布日期：{e.published or '未注明'}。原件：\n{files}"
        )
    return (
        f"{e.title}的内容被修改（{len(e.files)} 个文件与上一版本不同），"
        f"每个版本都保存在存档中。修改后的文件：\n{files}"
    )


def _add(
    parent: ET.Element, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _entry_element(feed: ET.Element, e: FeedEntry, alerts: Alerts) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", tag_uri(alerts, f"events/{e.event_id}"))
    _add(entry, "title", f"{e.body} {e.year}{TITLES[e.kind]}")
    _add(entry, "updated", e.updated)
    author = _add(entry, "author")
    _add(author, "name", e.body)
    _add(
        entry,
        "link",
        rel="alternate",
        type="text/html",
        href=report_url(alerts, e.report_id),
    )
    for sha256 in e.archived:
        _add(
            entry,
            "link",
            rel="related",
            href=original_url(alerts, sha256),
            title="存档副本",
        )
    for url in e.files:
        _add(entry, "link", rel="related", href=url, title="原件（政府网站）")
    _add(entry, "category", term=e.kind, label=TITLES[e.kind])
    _add(entry, "summary", _summary(e), type="text")


def _last_run(db: Database) -> str:
    row = db.execute(
        "SELECT COALESCE(ended, started) FROM runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return _rfc3339(row[0]) if row else EPOCH


def feed_xml(db: Database, alerts: Alerts, limit: int = 100) -> bytes:
    """The feed as UTF-8 XML (the same archive state always gives the same bytes)."""
    return _render(db, alerts, feed_entries(db, limit))


def _render(db: Database, alerts: Alerts, entries: list[FeedEntry]) -> bytes:
    # plain names under a literal xmlns: ElementTree cannot mix a default namespace
    # with the unqualified attributes Atom uses (rel, href)
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "zh-CN"})
    _add(feed, "id", tag_uri(alerts, "feed"))
    _add(feed, "title", "政府信息公开工作年度报告：新发布和被修改的年报")
    _add(feed, "subtitle", "nianbao 存档中新出现的年报和内容被修改的年报")
    _add(feed, "updated", entries[0].updated if entries else _last_run(db))
    author = _add(feed, "author")
    _add(author, "name", "nianbao")
    site = f"{alerts.datasette_url.rstrip('/')}/{alerts.database}/reports"
    _add(feed, "link", rel="alternate", type="text/html", href=site)
    _add(feed, "generator", "nianbao", version=version("nianbao"))
    for e in entries:
        _entry_element(feed, e, alerts)
    ET.indent(feed)
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml


def write_feed(db: Database, path: Path, alerts: Alerts, limit: int = 100) -> int:
    """Write the feed to ``path`` atomically (temp file, fsync, rename); return its entry count."""
    entries = feed_entries(db, limit)
    data = _render(db, alerts, entries)
    with atomic_output(Path(path)) as out:
        out.write(data)
    return len(entries)
