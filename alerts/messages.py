"""Messages from a run's events: what a watcher is told, in short Chinese, with the key figures.

One message per event worth telling (``new_report``, ``changed``, ``removed``,
``restored``), one ``inconsistent`` message per new or changed version whose own
figures break an identity, and on a source's first crawl (its ``baseline``) one
summary instead of one alert per report already published. ``republished`` (bytes
changed, text did not) and ``fetch_failed`` tell nothing here (sources' health is
``alerts/health.py``'s). Every message links to the report in Datasette and to the
original file; its key (``event:{id}``, ``inconsistent:{version}``,
``baseline:{source}:{run}``) keeps it from being queued twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlencode

from alerts.outbox import Message
from archive.derived import best_parses
from archive.history import REMOVAL_RUNS

if TYPE_CHECKING:
    from sqlite_utils import Database

    from alerts.config import EventKind

TOLD = ("new_report", "changed", "removed", "delisted", "restored")
CHECK_NAMES = {
    "balance": "收支平衡",
    "row_totals": "申请人合计",
    "handled_sum": "办理结果合计",
    "block_totals": "复议诉讼合计",
}
# Customary short forms of the zones' long names: 威海火炬高技术产业开发区 → 威海高区.
ABBREVIATIONS = (
    ("火炬高技术产业开发区", "高区"),
    ("高新技术产业开发区", "高新区"),
    ("高技术产业开发区", "高新区"),
    ("经济技术开发区", "经开区"),
)
SUFFIXES = (
    ("街道办事处", "街道"),
    ("人民政府", ""),
    ("管理委员会", ""),
    ("管委会", ""),
)
MAX_CHANGES = 5  # figure changes listed in one message; the rest are counted


class LinkSettings(Protocol):
    """Where messages link to (``alerts.config.Alerts`` fits)."""

    @property
    def datasette_url(self) -> str: ...

    @property
    def database(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Event:
    id: int
    kind: str
    baseline: int
    report_id: int
    document_id: int | None
    version_id: int | None
    previous_version_id: int | None
    source_id: str | None
    body: str
    year: int
    region: str
    url: str | None  # the event's document, else the report's page (or first file)
    sha256: str | None  # that file's archived version (the event's, else the current)

    @property
    def label(self) -> str:
        return f"{short_name(self.body)} {self.year}年报"


def short_name(body: str) -> str:
    """The name people use: suffixes dropped and zones abbreviated.

    ``威海火炬高技术产业开发区管理委员会`` → ``威海高区``;
    ``安丘市景芝镇人民政府`` → ``安丘市景芝镇``.
    """
    name = body
    for suffix, replacement in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)] + replacement
            break
    for long, short in ABBREVIATIONS:
        name = name.replace(long, short)
    return name


def messages_for_run(db: Database, run_id: int, alerts: LinkSettings) -> list[Message]:
    """Every message the events of run ``run_id`` call for (none for a quiet run)."""
    events = _events(db, run_id)
    best = best_parses(db)
    messages = _baseline_messages(
        db, run_id, [e for e in events if e.baseline], best, alerts
    )
    for event in events:
        if event.baseline:
            continue
        if event.kind == "new_report":
            messages += _new_report(db, event, best, alerts)
        elif event.kind == "changed":
            messages += _changed(db, event, alerts)
        else:
            messages.append(_presence(event, alerts))
    return messages


def _rows(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _events(db: Database, run_id: int) -> list[_Event]:
    rows = _rows(
        db,
        f"""SELECT e.id, e.kind, e.baseline, e.report_id, e.document_id, e.version_id,
                  e.previous_version_id, e.source_id, r.body, r.year, r.region,
                  COALESCE(d.url, (SELECT url FROM documents WHERE report_id = r.id
                                   ORDER BY role = 'page' DESC, id LIMIT 1)) AS url,
                  (SELECT v.sha256 FROM versions v WHERE v.id = COALESCE(e.version_id,
                     d.current_version_id, (SELECT current_version_id FROM documents
                       WHERE report_id = r.id ORDER BY role = 'page' DESC, id LIMIT 1)))
                    AS sha256
           FROM events e JOIN reports r ON r.id = e.report_id
           LEFT JOIN documents d ON d.id = e.document_id
           WHERE e.run_id = ? AND e.kind IN ({",".join("?" * len(TOLD))})
           ORDER BY e.id""",  # noqa: S608 (no user text)
        [run_id, *TOLD],
    )
    return [_Event(**row) for row in rows]


def report_link(alerts: LinkSettings, report_id: int) -> str:
    """The report's page in Datasette."""
    base = alerts.datasette_url.rstrip("/")
    return f"{base}/{quote(alerts.database)}/reports/{report_id}"


def _message(
    kind: EventKind,
    key: str,
    title: str,
    detail: str,
    event: _Event,
    alerts: LinkSettings,
) -> Message:
    base = alerts.datasette_url.rstrip("/")
    archived = f"{base}/-/original/{event.sha256}" if event.sha256 else None
    links = (
        report_link(alerts, event.report_id),
        *([archived] if archived else []),
        *([event.url] if event.url else []),
    )
    text = f"{title}：{detail}\n查看：{links[0]}"
    if archived:
        text += f"\n存档副本：{archived}"
    if event.url:
        text += f"\n原文（政府网站）：{event.url}"
    return Message(
        kind=kind,
        key=key,
        title=title,
        message=text,
        region=event.region,
        body=event.body,
        source_id=event.source_id,
        report_id=event.report_id,
        event_id=event.id,
        links=links,
    )


def _number(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _failed_checks(db: Database, version_id: int) -> list[tuple[str, str]]:
    """The report-scope checks a version fails, as (name, what failed): the Chinese
    explanation, or the message where a check stored before processor 4 has none."""
    return db.execute(
        "SELECT name, CASE WHEN explanation <> '' THEN explanation ELSE message END"
        " FROM checks WHERE version_id = ? AND scope = 'report' AND ok = 0 ORDER BY id",
        [version_id],
    ).fetchall()


def _check_names(failed: list[tuple[str, str]]) -> str:
    return "、".join(CHECK_NAMES.get(name, name) for name, _ in failed)


# Said of a scanned report's figures: OCR may misread, so a journalist checks the scan.
OCR_NOTE = "扫描件，数字由 OCR 识别，请对照原件核实"


def _parse(db: Database, version_id: int) -> dict[str, Any] | None:
    rows = _rows(
        db,
        "SELECT status, tables_found, checks_run, ocr_pages FROM parses"
        " WHERE version_id = ?",
        [version_id],
    )
    return rows[0] if rows else None


def _facts(db: Database, version_id: int | None) -> str:
    """The key figures of a version and whether its figures add up."""
    parse = _parse(db, version_id) if version_id is not None else None
    if version_id is None or parse is None or parse["status"] != "ok":
        return "文件未能解析，暂无表格数字"
    if not parse["tables_found"]:
        return "自由格式，没有标准表格，未做勾稽校验"
    facts = []
    received = db.execute(
        "SELECT value FROM figures WHERE version_id = ? AND table_name = 'applications'"
        " AND row_key = 'new_received' AND column_key = 'total'",
        [version_id],
    ).fetchone()
    if received is not None and received[0] is not None:
        facts.append(f"新收申请{_number(received[0])}件")
    failed = _failed_checks(db, version_id)
    if failed:
        facts.append(f"勾稽校验未通过（{_check_names(failed)}）")
    elif parse["checks_run"]:
        facts.append("勾稽校验通过")
    else:
        facts.append("未做勾稽校验")
    if parse["ocr_pages"]:
        facts.append(OCR_NOTE)
    return "，".join(facts)


def _inconsistent(
    db: Database, event: _Event, version_id: int | None, alerts: LinkSettings
) -> list[Message]:
    failed = _failed_checks(db, version_id) if version_id is not None else []
    if not failed:
        return []
    title = f"{event.label}勾稽校验未通过"
    detail = "；".join(f"{CHECK_NAMES.get(n, n)}：{text}" for n, text in failed)
    parse = _parse(db, version_id) if version_id is not None else None
    if parse is not None and parse["ocr_pages"]:
        detail = f"{detail}（{OCR_NOTE}）"
    return [
        _message(
            "inconsistent", f"inconsistent:{version_id}", title, detail, event, alerts
        )
    ]


def _new_report(
    db: Database, event: _Event, best: dict[int, int], alerts: LinkSettings
) -> list[Message]:
    version_id = best.get(event.report_id, event.version_id)
    title = f"{event.label}已发布"
    return [
        _message(
            "new_report",
            f"event:{event.id}",
            title,
            _facts(db, version_id),
            event,
            alerts,
        ),
        *_inconsistent(db, event, version_id, alerts),
    ]


def _figures(
    db: Database, version_id: int
) -> dict[tuple[str, str, str], tuple[str, Any]]:
    """A version's cells: (table, row, column) → (printed label, value)."""
    return {
        (table, row, column): (f"{row_label or row} {column_label or column}", value)
        for table, row, column, row_label, column_label, value in db.execute(
            "SELECT table_name, row_key, column_key, row_label, column_label, value"
            " FROM figures WHERE version_id = ? ORDER BY id",
            [version_id],
        ).fetchall()
    }


def figure_changes(db: Database, before: int, after: int) -> list[str]:
    """Every table value that differs between two versions: "行政处罚 处理决定数量 53 → 15"."""
    return _changes(_figures(db, before), _figures(db, after))


def _changes(
    old: dict[tuple[str, str, str], tuple[str, Any]],
    new: dict[tuple[str, str, str], tuple[str, Any]],
) -> list[str]:
    changes = []
    for cell in [*old, *(c for c in new if c not in old)]:
        label = (old.get(cell) or new[cell])[0]
        was = old[cell][1] if cell in old else None
        now = new[cell][1] if cell in new else None
        if was != now:
            changes.append(f"{label} {_number(was)} → {_number(now)}")
    return changes


def _what_changed(db: Database, previous_id: int, version_id: int) -> str:
    """Which table values went from what to what, or that only the text changed."""
    before, after = _figures(db, previous_id), _figures(db, version_id)
    if not before and not after:
        return "仅文字改动（没有标准表格）"
    if not before or not after:
        side = "旧版" if not before else "新版"
        return f"{side}未读出标准表格，无法比较表格数字"
    changes = _changes(before, after)
    if not changes:
        return "仅文字改动（表格数字未变）"
    listed = "；".join(changes[:MAX_CHANGES])
    more = len(changes) - MAX_CHANGES
    return listed + (f"；另有{more}处改动" if more > 0 else "")


def _changed(db: Database, event: _Event, alerts: LinkSettings) -> list[Message]:
    key = f"event:{event.id}"
    if event.previous_version_id is None or event.version_id is None:
        versions = db.execute(
            "SELECT COUNT(*) FROM versions WHERE document_id = ?", [event.document_id]
        ).fetchone()[0]
        if versions > 1:  # the document went back to a content it had before
            title = f"{event.label}改回了旧版本"
            return [
                _message(
                    "changed", key, title, "文件内容与此前的一个版本相同", event, alerts
                )
            ]
        title = f"{event.label}新增文件"
        detail = _facts(db, event.version_id)
    else:
        title = f"{event.label}被修改"
        detail = _what_changed(db, event.previous_version_id, event.version_id)
    return [
        _message("changed", key, title, detail, event, alerts),
        *_inconsistent(db, event, event.version_id, alerts),
    ]


def _presence(event: _Event, alerts: LinkSettings) -> Message:
    kind: EventKind
    if event.kind == "removed":
        kind, title = "removed", f"{event.label}已被删除"
        detail = (
            f"连续{REMOVAL_RUNS}次完整抓取都未在栏目中找到，原文件链接也已失效"
            "（404/410；存档仍保留原文件）"
        )
    elif event.kind == "delisted":
        kind, title = "delisted", f"{event.label}已从栏目中撤下"
        detail = (
            f"连续{REMOVAL_RUNS}次完整抓取都未在栏目中找到，但原文件链接仍可访问或无法核实"
            "（存档保留原文件）"
        )
    else:
        kind, title = "restored", f"{event.label}重新出现"
        detail = "此前被撤下的年报又出现在栏目中"
    return _message(kind, f"event:{event.id}", title, detail, event, alerts)


def _baseline_messages(
    db: Database,
    run_id: int,
    events: list[_Event],
    best: dict[int, int],
    alerts: LinkSettings,
) -> list[Message]:
    """One summary per source crawled for the first time: how many reports, years, checks."""
    by_source: dict[str, list[_Event]] = {}
    for event in events:
        by_source.setdefault(event.source_id or "", []).append(event)
    return [
        _baseline(db, run_id, source, group, best, alerts)
        for source, group in sorted(by_source.items())
    ]


def _check_tally(db: Database, report_ids: set[int], best: dict[int, int]) -> str:
    passed = failed = untabled = 0
    for report_id in report_ids:
        version_id = best.get(report_id)
        parse = _parse(db, version_id) if version_id is not None else None
        if version_id is None or parse is None or not parse["tables_found"]:
            untabled += 1
        elif _failed_checks(db, version_id):
            failed += 1
        else:
            passed += 1
    parts = [f"{passed}份勾稽校验通过"]
    if failed:
        parts.append(f"{failed}份未通过")
    if untabled:
        parts.append(f"{untabled}份没有标准表格")
    return "，".join(parts)


def _baseline(
    db: Database,
    run_id: int,
    source_id: str,
    events: list[_Event],
    best: dict[int, int],
    alerts: LinkSettings,
) -> Message:
    source = _rows(
        db, "SELECT body, region, start_urls FROM sources WHERE id = ?", [source_id]
    )
    body = source[0]["body"] if source else events[0].body
    region = source[0]["region"] if source else events[0].region
    start_urls = json.loads(source[0]["start_urls"]) if source else []
    reports = {e.report_id for e in events}
    years = sorted({e.year for e in events})
    bodies = len({e.body for e in events})
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
    title = f"{short_name(body)}首次收录：{len(reports)}份年报"
    detail = f"{bodies}个机关，{span}；{_check_tally(db, reports, best)}"
    base = alerts.datasette_url.rstrip("/")
    listing = (
        f"{base}/{quote(alerts.database)}/reports?{urlencode({'source_id': source_id})}"
    )
    text = f"{title}（{detail}）\n查看：{listing}"
    if start_urls:
        text += f"\n栏目：{start_urls[0]}"
    return Message(
        kind="baseline",
        key=f"baseline:{source_id}:{run_id}",
        title=title,
        message=text,
        region=region,
        body=body,
        source_id=source_id,
        links=(listing, *start_urls[:1]),
    )
