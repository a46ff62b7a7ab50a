"""Health messages: sources that yielded nothing or were blocked, late reports, stale runs.

Producers of :class:`alerts.outbox.Message` (kinds ``source``, ``late`` and
``health``), read from the archive only. Their keys make them idempotent: a source
problem is told once per run while it lasts (``source:{id}:{problem}:{run}``), a late
report once (``late:{body}:{year}``), a stale archive once per last good run
(``health:stale:{run}``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from alerts.outbox import Message
from archive.history import listing_drop
from archive.runs import DEAD_END

if TYPE_CHECKING:
    from sqlite_utils import Database

    from processors.deadlines import Deadlines

logger = logging.getLogger(__name__)

# Legal deadlines are Chinese calendar days; China has had no DST since 1991.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
GOOD_RUNS = (
    "complete",
    "partial",
)  # the listing was read; failures raise their own alerts
SHOWN_URLS = 3  # failing URLs quoted in a message


@dataclass(frozen=True, slots=True)
class SourceState:
    """What one run saw of one source."""

    id: str
    name: str
    body: str
    region: str
    start_urls: tuple[str, ...]
    list_read: int  # list pages fetched fine
    list_failures: tuple[str, ...]  # why list pages failed
    items: int  # items found on the list pages
    reports: int  # items recognised as reports (distinct URLs)
    waf: tuple[tuple[str, str], ...]  # (url, failure) of captures blocked by a WAF


def _rows(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _scalar(db: Database, sql: str, params: list[Any]) -> int:
    return int(db.execute(sql, params).fetchone()[0] or 0)


def _run_sources(db: Database, run_id: int) -> list[str]:
    row = db.execute("SELECT sources FROM runs WHERE id = ?", [run_id]).fetchone()
    if row is None:
        raise ValueError(f"no run {run_id} in the archive")
    return [str(s) for s in json.loads(row[0])]


def source_state(db: Database, run_id: int, source_id: str) -> SourceState:
    """What run ``run_id`` recorded of ``source_id``: list pages, items, reports, WAF blocks."""
    found = _rows(db, "SELECT * FROM sources WHERE id = ?", [source_id])
    if not found:
        raise ValueError(
            f"run {run_id} names source {source_id!r}, which is not in sources"
        )
    source = found[0]
    where = "run_id = ? AND source_id = ?"
    params: list[Any] = [run_id, source_id]
    lists = db.execute(
        f"SELECT outcome, failure FROM captures WHERE {where} AND kind = 'list'",  # noqa: S608
        params,
    ).fetchall()
    waf = db.execute(
        f"SELECT url, failure FROM captures WHERE {where} AND outcome = 'failed' "  # noqa: S608
        "AND failure LIKE 'waf%' ORDER BY url",
        params,
    ).fetchall()
    return SourceState(
        id=source_id,
        name=source["name"],
        body=source["body"],
        region=source["region"],
        start_urls=tuple(json.loads(source["start_urls"])),
        list_read=sum(outcome == "listed" for outcome, _ in lists),
        list_failures=tuple(
            f or "?" for outcome, f in lists if outcome == "failed" and f != DEAD_END
        ),
        items=_scalar(db, f"SELECT COUNT(*) FROM listings WHERE {where}", params),  # noqa: S608
        reports=_scalar(
            db,
            f"SELECT COUNT(DISTINCT url) FROM listings WHERE {where} AND decision = 'report'",  # noqa: S608
            params,
        ),
        waf=tuple((str(u), str(f)) for u, f in waf),
    )


def _last_finding(db: Database, run_id: int, source_id: str) -> tuple[int, int] | None:
    """The latest earlier run in which the source listed reports: (run, how many)."""
    row = db.execute(
        """SELECT run_id, COUNT(DISTINCT url) FROM listings
           WHERE source_id = ? AND run_id < ? AND decision = 'report'
           GROUP BY run_id ORDER BY run_id DESC LIMIT 1""",
        [source_id, run_id],
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def _source_message(
    s: SourceState, run_id: int, problem: str, title: str, text: str
) -> Message:
    links = tuple(dict.fromkeys(u for u, _ in s.waf[:SHOWN_URLS])) or s.start_urls
    return Message(
        kind="source",
        key=f"source:{s.id}:{problem}:{run_id}",
        title=f"{s.name}：{title}",
        message=f"{text}\n数据源 {s.id}（{s.body}），第 {run_id} 次抓取。",
        region=s.region,
        body=s.body,
        source_id=s.id,
        links=links,
    )


def _counted(failures: Any) -> str:
    return "，".join(f"{f} ×{n}" for f, n in sorted(Counter(failures).items()))


def _listing_problem(
    db: Database, s: SourceState, run_id: int
) -> tuple[str, str, str] | None:
    """(problem, title, text) for list pages read fine that gave no report, else None."""
    if not s.list_read or s.list_failures:
        return None
    pages = f"列表页 {s.list_read} 页读取正常"
    drop = listing_drop(db, run_id, s.id)
    if s.reports and drop:
        return (
            "drop",
            "列表页列出的年报骤减",
            f"{pages}，但只识别出 {drop.now} 份年报，第 {drop.before_run} 次抓取时还有 "
            f"{drop.before} 份：网站可能改版，或页面编码有误。查明之前，未列出的年报"
            "不会被判为撤下。",
        )
    if s.reports:
        return None
    if s.items:
        return (
            "layout",
            "列表页结构可能已改变",
            f"{pages}，但上面的 {s.items} 个条目没有一个被识别为年报："
            "网站可能已改版，页面结构或标题写法已不再匹配。",
        )
    before = _last_finding(db, run_id, s.id)
    if before is None:
        return (
            "layout",
            "列表页结构可能已改变",
            f"{pages}，但上面没有找到任何条目，这个数据源也从未找到过年报："
            "页面结构可能与配置不匹配。",
        )
    return (
        "empty",
        "本次未找到任何年报",
        f"{pages}，但没有找到任何条目；第 {before[0]} 次抓取还找到 {before[1]} 份年报。"
        "栏目可能已被清空，或网站改版后页面结构已不再匹配。",
    )


def source_messages(db: Database, run_id: int) -> list[Message]:
    """Messages about the sources of run ``run_id`` (kind ``source``), in the run's order.

    Per source, at most one of: ``unreachable`` (no list page could be read, and not
    only because of a WAF), ``layout`` (list pages read, items on them but none
    recognised, or no items and the source never found a report), ``empty`` (list
    pages read, no items, where an earlier run listed reports), ``drop`` (list pages
    read, far fewer reports than before: archive.history.listing_drop); and ``waf``
    when any capture failed as a WAF challenge.

    :raises ValueError: for a run or a source the archive does not know.
    """
    out = []
    for source_id in _run_sources(db, run_id):
        s = source_state(db, run_id, source_id)
        blocked = bool(s.list_failures) and all(
            f.startswith("waf") for f in s.list_failures
        )
        if not s.list_read and not blocked:  # a WAF block is told as such, below
            why = (
                _counted(s.list_failures)
                if s.list_failures
                else "没有任何列表页的抓取记录"
            )
            text = (
                f"列表页一页也没能读取（{why}）：网站可能已关闭、迁移或暂时无法访问。"
            )
            out.append(_source_message(s, run_id, "unreachable", "无法访问", text))
        problem = _listing_problem(db, s, run_id)
        if problem:
            out.append(_source_message(s, run_id, *problem))
        if s.waf:
            shown = "\n".join(u for u, _ in s.waf[:SHOWN_URLS])
            text = (
                f"{len(s.waf)} 次抓取被网站防火墙（WAF）的验证页面拦截（{_counted(f for _, f in s.waf)}），"
                f"这些内容本次没有存档，下次抓取会重试。例如：\n{shown}"
            )
            out.append(_source_message(s, run_id, "waf", "被网站防火墙拦截", text))
    return out


FAILING_RUNS = 3  # a file that fails this many runs in a row is told once


def failing_messages(db: Database, run_id: int) -> list[Message]:
    """One ``source`` message per URL whose fetch failed in each of its last
    :data:`FAILING_RUNS` runs, told once per streak (the key names the streak's
    first run): a single failed night is retried quietly, a lasting one is news."""
    out = []
    for url, source_id, failure, attempts, report_body, year in db.execute(
        """SELECT c.url, c.source_id, c.failure, c.attempts, r.body, r.year
           FROM captures c LEFT JOIN documents d ON d.id = c.document_id
           LEFT JOIN reports r ON r.id = d.report_id
           WHERE c.run_id = ? AND c.outcome = 'failed' AND c.kind != 'list'
           ORDER BY c.id""",
        [run_id],
    ).fetchall():
        runs = db.execute(
            """SELECT run_id, MIN(outcome = 'failed') FROM captures WHERE url = ?
               GROUP BY run_id ORDER BY run_id DESC LIMIT ?""",
            [url, FAILING_RUNS],
        ).fetchall()
        if len(runs) < FAILING_RUNS or not all(failed for _, failed in runs):
            continue
        first = _streak_start(db, url, runs[-1][0])
        source = _rows(db, "SELECT * FROM sources WHERE id = ?", [source_id])
        body = report_body or (source[0]["body"] if source else source_id)
        whose = f"{body} {year}年报" if report_body else body
        tries = f"，每次尝试 {attempts} 次" if attempts and attempts > 1 else ""
        out.append(
            Message(
                kind="source",
                key=f"failing:{url}:{first}",
                title=f"{whose}：文件连续 {FAILING_RUNS} 次抓取失败",
                message=(
                    f"{url}\n自第 {first} 次抓取起每次都失败（最近一次：{failure}{tries}）。"
                    "存档中已有的版本不受影响；网站可能已更换地址或屏蔽了抓取。"
                ),
                region=source[0]["region"] if source else None,
                body=body,
                source_id=source_id,
                links=(url,),
            )
        )
    return out


def _streak_start(db: Database, url: str, run_id: int) -> int:
    """The first run of the unbroken streak of failures of ``url`` ending after ``run_id``."""
    good = db.execute(
        """SELECT MAX(run_id) FROM captures
           WHERE url = ? AND run_id < ? AND outcome != 'failed'""",
        [url, run_id],
    ).fetchone()[0]
    first = db.execute(
        "SELECT MIN(run_id) FROM captures WHERE url = ? AND run_id > ?",
        [url, good or 0],
    ).fetchone()[0]
    return int(first)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(
            f"now must carry its time zone, got naive {moment.isoformat()}"
        )
    return moment


def deadline_moment(due: str) -> datetime:
    """The first instant after the due day ``YYYY-MM-DD`` (midnight, Beijing time)."""
    day = date.fromisoformat(due)
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING) + timedelta(days=1)


def latest_due_year(deadlines: Deadlines, level: str, now: datetime) -> int:
    """The latest report year whose deadline has passed at ``now`` for a body of ``level``."""
    year = _aware(now).astimezone(BEIJING).year
    while deadline_moment(deadlines.due(level, year)) > now:
        year -= 1
    return year


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _listed_since(db: Database, source_id: str, moment: datetime) -> bool:
    """Was the source's listing last read completely at or after ``moment``?"""
    row = db.execute(
        """SELECT COALESCE(r.ended, r.started) FROM sources s
           JOIN runs r ON r.id = s.last_successful_run WHERE s.id = ?""",
        [source_id],
    ).fetchone()
    return bool(row and row[0]) and _parse_time(row[0]) >= moment


def late_messages(db: Database, deadlines: Deadlines, now: datetime) -> list[Message]:
    """One ``late`` message per body that published year Y−1 but not Y past Y's deadline.

    Y is, per level, the latest year whose deadline has passed at ``now`` (older years
    are never raised). A body counts as late only when its source was listed
    completely after the deadline: otherwise the archive does not know, and the
    source's own messages say why.

    :raises ValueError: when ``now`` has no time zone.
    """
    _aware(now)
    reports = _rows(
        db,
        "SELECT id, body, year, title, level, region, source_id FROM reports ORDER BY body, year",
        [],
    )
    published = {(r["body"], r["year"]) for r in reports}
    out = []
    for r in reports:
        year = latest_due_year(deadlines, r["level"], now)
        if r["year"] != year - 1 or (r["body"], year) in published:
            continue
        due = deadlines.due(r["level"], year)
        if not _listed_since(db, r["source_id"], deadline_moment(due)):
            logger.debug(
                "%s %s: source %s not listed since %s",
                r["body"],
                year,
                r["source_id"],
                due,
            )
            continue
        title = f"{r['body']} {year}年报逾期未发布（应于{due}前发布）"
        out.append(
            Message(
                kind="late",
                key=f"late:{r['body']}:{year}",
                title=title,
                message=f"{title}。存档中该机关最近的年报是 {r['year']} 年度的《{r['title']}》。",
                region=r["region"],
                body=r["body"],
                source_id=r["source_id"],
                links=_report_files(db, r["id"]),
            )
        )
    return out


def _report_files(db: Database, report_id: int) -> tuple[str, ...]:
    rows = db.execute(
        "SELECT url FROM documents WHERE report_id = ? ORDER BY role = 'attachment', id",
        [report_id],
    ).fetchall()
    return tuple(str(u) for (u,) in rows)


def stale_message(db: Database, stale_hours: float, now: datetime) -> Message | None:
    """A ``health`` message when no run completed (or was partial) for over ``stale_hours``.

    Measured from the end of the last such run; with none, from the start of the first
    run (an archive with no run at all says nothing). Partial runs count: their listing
    was read, and their failed fetches raise their own alerts.

    :raises ValueError: when ``now`` has no time zone.
    """
    _aware(now)
    good = db.execute(
        f"SELECT id, COALESCE(ended, started) FROM runs WHERE status IN ({','.join('?' * len(GOOD_RUNS))}) "  # noqa: S608
        "ORDER BY id DESC LIMIT 1",
        list(GOOD_RUNS),
    ).fetchone()
    if good is None:
        first = db.execute("SELECT started FROM runs ORDER BY id LIMIT 1").fetchone()
        if first is None:
            return None
        run, since, last = (
            "never",
            _parse_time(first[0]),
            "存档至今还没有一次成功的抓取",
        )
    else:
        run, since = str(good[0]), _parse_time(good[1])
        shown = since.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        last = f"最近一次成功的抓取是第 {run} 次，结束于 {shown}（北京时间）"
    hours = (now - since).total_seconds() / 3600
    if hours <= stale_hours:
        return None
    return Message(
        kind="health",
        key=f"health:stale:{run}",
        title=f"已超过 {stale_hours:g} 小时没有成功的抓取",
        message=f"{last}，已过去 {hours:.0f} 小时。请检查定时任务和网络。",
    )
